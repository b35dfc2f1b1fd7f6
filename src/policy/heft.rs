//! `heft`: Heterogeneous Earliest Finish Time (Topcuoglu, Hariri and Wu, "Performance-
//! effective and low-complexity task scheduling for heterogeneous computing", IEEE
//! TPDS 13(3), 2002, section 4.1).
//!
//! As the paper defines it:
//! - a task's cost `w̄_i` in the ranks is its mean cost over the processors (those that
//!   can run it), an edge's `c̄_ij` its mean cost between two different processors
//!   ([`Costs::mean_comm`]; an edge within a processor costs nothing);
//! - upward rank `rank_u(i) = w̄_i + max over children j of (c̄_ij + rank_u(j))` (eq. 5);
//! - tasks are taken in decreasing `rank_u`;
//! - each goes to the processor giving it the earliest finish time, under the
//!   insertion policy: it may start in the earliest idle stretch of that processor,
//!   after its data is ready, long enough to hold it (eqs. 3 and 4).
//!
//! Choices the paper leaves open:
//! - ties in rank (to 1e-6, [`rank_key`]) go to the task first in topological order
//!   (Kahn's, the lower index first among tasks whose parents are all taken): the
//!   lower index, unless that task descends from the other; the example orders n3
//!   before n4, both at 80, as this does;
//! - ties in finish time go to the lower processor index;
//! - a processor of several slots (a node's cores) holds that many tasks at once (see
//!   [`Timeline`](super::plan::Timeline)); the paper's have one;
//! - when data is ready is the [`Costs`]' model ([`Inputs`](super::plan::Inputs)): the
//!   paper's (eq. 3) for its example, the simulator's in runs (a task's inputs are
//!   fetched once it is released);
//! - in runs, the plan starts from what earlier jobs' plans booked (see
//!   [`Planner`](super::plan::Planner)), which the paper, planning one DAG on idle
//!   processors, does not need.
//!
//! Cost: O(e x q) for the ranks and the ready times, plus the search for a stretch,
//! O(tasks already booked on the processor) per task and processor: O(n^2 x q) at
//! worst, as the paper states for its insertion policy.

use super::plan::{rank_key, topological, upward_ranks, Board, Costs, Schedule, Slot};

/// The HEFT plan of the job of `costs` on `board` (one timeline per processor), no
/// task starting before `now`; its tasks are booked on `board`. The slots come in the
/// order tasks were placed.
///
/// # Panics
/// If the graph has a cycle, or the board's processors are not those of `costs`.
pub fn plan(costs: &dyn Costs, board: &mut Board, now: f64) -> Vec<Slot> {
    let rank = upward_ranks(costs);
    // Decreasing rank keeps parents before children: a parent's rank is at least its
    // child's (costs are not negative), and on a tie the topological position puts the
    // parent first.
    let mut order = topological(costs);
    order.sort_by(|&a, &b| rank_key(rank[b]).total_cmp(&rank_key(rank[a])));
    let mut s = Schedule::new(costs, board, now);
    for i in order {
        let slot = s.earliest_finish(i, true, None);
        s.place(slot);
    }
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::plan::example::{as_paper, topcuoglu};
    use crate::policy::plan::{makespan, mean_costs};

    #[test]
    fn upward_ranks_match_the_paper_table() {
        let t = topcuoglu();
        assert!((mean_costs(&t)[0] - 13.0).abs() < 1e-12);
        let rank = upward_ranks(&t);
        let paper = [108.0, 77.0, 80.0, 80.0, 69.0, 63.333, 42.667, 35.667, 44.333, 14.667];
        for (i, (r, p)) in rank.iter().zip(paper).enumerate() {
            assert!((r - p).abs() < 1e-3, "n{}: {r} vs {p}", i + 1);
        }
    }

    /// Figure 3(a) of the paper: HEFT's schedule of the example, task by task, with
    /// makespan 80.
    #[test]
    fn reproduces_the_papers_schedule_with_makespan_80() {
        let t = topcuoglu();
        let got = plan(&t, &mut Board::idle([1, 1, 1]), 0.0);
        // (task, processor, start, finish), numbered from 1 as in the paper.
        let paper = [
            (1, 3, 0.0, 9.0),
            (3, 3, 9.0, 28.0),
            (4, 2, 18.0, 26.0),
            (2, 1, 27.0, 40.0),
            (5, 3, 28.0, 38.0),
            (6, 2, 26.0, 42.0),
            (9, 2, 56.0, 68.0),
            (7, 3, 38.0, 49.0),
            (8, 1, 57.0, 62.0),
            (10, 2, 73.0, 80.0),
        ];
        assert_eq!(as_paper(&got), paper);
        assert_eq!(makespan(&got, 0.0), 80.0);
    }

    /// Planned later, on a board that holds the first plan: the second copy of the job
    /// goes around it, and nothing starts before `now`.
    #[test]
    fn a_second_job_is_planned_around_the_first() {
        let t = topcuoglu();
        let mut board = Board::idle([1, 1, 1]);
        let first = plan(&t, &mut board, 0.0);
        let second = plan(&t, &mut board, 10.0);
        assert!(second.iter().all(|s| s.start >= 10.0));
        for a in &second {
            for b in first.iter().chain(&second).filter(|b| b.processor == a.processor && b != &a) {
                assert!(a.finish <= b.start || b.finish <= a.start, "{a:?} overlaps {b:?}");
            }
        }
        assert!(makespan(&second, 10.0) >= 80.0);
    }
}
