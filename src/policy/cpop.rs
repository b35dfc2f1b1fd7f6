//! `cpop`: Critical-Path-On-a-Processor (Topcuoglu, Hariri and Wu, "Performance-
//! effective and low-complexity task scheduling for heterogeneous computing", IEEE
//! TPDS 13(3), 2002, section 4.2).
//!
//! As the paper defines it (its figure 5):
//! - costs and ranks as for HEFT: mean task costs `w̄`, mean edge costs `c̄`, upward
//!   rank `rank_u` (eq. 5) and downward rank `rank_d(i) = max over parents j of
//!   (rank_d(j) + w̄_j + c̄_ji)`, 0 for an entry task (eq. 6);
//! - a task's priority is `rank_u + rank_d`, the length of the longest path through
//!   it; the critical path's length `|CP|` is the entry task's priority;
//! - the critical path: from the entry task, repeatedly the child whose priority is
//!   `|CP|`, until the exit task;
//! - the critical-path processor `p_CP` minimises the sum of the critical path's
//!   costs on it;
//! - tasks are taken from a priority queue of ready tasks (those whose parents are all
//!   taken), highest priority first; a critical-path task goes on `p_CP`, any other on
//!   the processor of earliest finish time, both under the insertion policy (eq. 3).
//!
//! Choices the paper leaves open:
//! - priorities equal to 1e-6 ([`rank_key`]) are equal: the paths' sums of means in
//!   another order differ in their last bits;
//! - a DAG with several entry tasks (the paper adds a zero-cost entry, which changes
//!   nothing): `|CP|` is the largest entry priority, and the path starts at the entry of
//!   that priority of lowest index; among several children of priority `|CP|`, the
//!   lowest index; the path ends at a task with no such child;
//! - ties for `p_CP` go to the lower processor index; a critical-path task that cannot
//!   run on `p_CP` goes where it finishes earliest, like any other;
//! - ties in priority go to the lower task index;
//! - ties in finish time go to the lower processor index, except that `p_CP` loses
//!   them: a task off the critical path takes the critical path's processor only when it
//!   finishes there strictly earliest, which keeps it free for the path (with identical
//!   processors and free edges the path then runs undelayed, and the plan's makespan is
//!   the critical path when there are as many processors as tasks);
//! - processors of several slots, ready times and earlier plans as for `heft`
//!   ([`heft`](super::heft)).
//!
//! Cost: as HEFT's, O(n^2 x q) at worst, plus the priority queue, O(n log n).

use super::plan::{children, downward_ranks, rank_key, upward_ranks, Board, Costs, Schedule, Slot};
use std::collections::BTreeSet;

/// The CPOP plan of the job of `costs` on `board`, no task starting before `now`; its
/// tasks are booked on `board`. The slots come in the order tasks were placed.
///
/// # Panics
/// If the graph has a cycle, or the board's processors are not those of `costs`.
pub fn plan(costs: &dyn Costs, board: &mut Board, now: f64) -> Vec<Slot> {
    let n = costs.tasks();
    let (up, down) = (upward_ranks(costs), downward_ranks(costs));
    let priority: Vec<f64> = (0..n).map(|i| rank_key(up[i] + down[i])).collect();
    let children = children(costs);
    let on_path = critical_path(costs, &priority, &children);
    let p_cp = critical_processor(costs, &on_path);
    let mut s = Schedule::new(costs, board, now);
    let mut waiting: Vec<usize> = (0..n).map(|t| costs.parents(t).len()).collect();
    // Highest priority first, then lowest index: keyed (-priority, index).
    let mut ready: BTreeSet<(Key, usize)> =
        (0..n).filter(|&t| waiting[t] == 0).map(|t| (Key(-priority[t]), t)).collect();
    while let Some((_, i)) = ready.pop_first() {
        let slot = match p_cp.filter(|_| on_path[i]).and_then(|p| s.fit(i, p, true)) {
            Some(slot) => slot,
            None => s.earliest_finish(i, true, p_cp),
        };
        s.place(slot);
        for &(c, _) in &children[i] {
            waiting[c] -= 1;
            if waiting[c] == 0 {
                ready.insert((Key(-priority[c]), c));
            }
        }
    }
    s.finish()
}

/// Whether each task is on the critical path (see the module's documentation), by
/// the priority keys `priority`.
fn critical_path(costs: &dyn Costs, priority: &[f64], children: &[Vec<(usize, f64)>]) -> Vec<bool> {
    let n = costs.tasks();
    let mut on_path = vec![false; n];
    let entries = (0..n).filter(|&t| costs.parents(t).is_empty());
    let Some(cp) = entries.clone().map(|t| priority[t]).max_by(f64::total_cmp) else { return on_path };
    let mut at = entries.into_iter().find(|&t| priority[t] == cp);
    while let Some(t) = at {
        on_path[t] = true;
        at = children[t].iter().map(|&(c, _)| c).filter(|&c| priority[c] == cp).min();
    }
    on_path
}

/// The processor minimising the sum of the critical path's costs (ties: the lower
/// index); `None` if no processor can run the whole path.
fn critical_processor(costs: &dyn Costs, on_path: &[bool]) -> Option<usize> {
    let sum = |p: usize| (0..costs.tasks()).filter(|&t| on_path[t]).map(|t| costs.cost(t, p)).sum::<f64>();
    (0..costs.processors())
        .map(|p| (sum(p), p))
        .filter(|(c, _)| c.is_finite())
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, p)| p)
}

/// A priority key, ordered by `total_cmp` (keys are finite).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Key(f64);

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::plan::example::{as_paper, topcuoglu};
    use crate::policy::plan::{makespan, Table};

    #[test]
    fn the_examples_critical_path_is_n1_n2_n9_n10_on_p2() {
        let t = topcuoglu();
        let (up, down) = (upward_ranks(&t), downward_ranks(&t));
        let priority: Vec<f64> = (0..10).map(|i| rank_key(up[i] + down[i])).collect();
        // The paper's table 2 (rank_d): n1 0, n2 31, n3 25, n4 22, n5 24, n6 27,
        // n7 62.333, n8 66.667, n9 63.667, n10 93.333.
        let paper = [0.0, 31.0, 25.0, 22.0, 24.0, 27.0, 62.333, 66.667, 63.667, 93.333];
        for (i, (d, p)) in down.iter().zip(paper).enumerate() {
            assert!((d - p).abs() < 1e-3, "n{}: {d} vs {p}", i + 1);
        }
        let on_path = critical_path(&t, &priority, &children(&t));
        let path: Vec<usize> = (0..10).filter(|&i| on_path[i]).map(|i| i + 1).collect();
        assert_eq!(path, [1, 2, 9, 10]);
        // Its costs: 66 on P1, 54 on P2, 63 on P3.
        assert_eq!(critical_processor(&t, &on_path), Some(1));
    }

    /// Figure 3(b) of the paper: CPOP's schedule of the example, task by task, with
    /// makespan 86.
    #[test]
    fn reproduces_the_papers_schedule_with_makespan_86() {
        let t = topcuoglu();
        let got = plan(&t, &mut Board::idle([1, 1, 1]), 0.0);
        // (task, processor, start, finish), numbered from 1 as in the paper, in the
        // order CPOP takes them: priorities n1 108, n2 108, n3 105, n7 105, n4 102,
        // n5 93, n9 108 (ready once n5 is placed), n6 90.333, n8 102.333 (ready once
        // n6 is), n10 108; the path n1, n2, n9, n10 on P2, the others by earliest
        // finish with insertion (n6 fits P2's gap [48, 65) but finishes at 64 there,
        // at 51 on P3).
        let paper = [
            (1, 2, 0.0, 16.0),
            (2, 2, 16.0, 35.0),
            (3, 1, 28.0, 39.0),
            (7, 1, 39.0, 46.0),
            (4, 3, 25.0, 42.0),
            (5, 2, 35.0, 48.0),
            (9, 2, 65.0, 77.0),
            (6, 3, 42.0, 51.0),
            (8, 3, 54.0, 68.0),
            (10, 2, 79.0, 86.0),
        ];
        assert_eq!(as_paper(&got), paper);
        assert_eq!(makespan(&got, 0.0), 86.0);
    }

    /// A task off the critical path that ties for the critical-path processor goes
    /// elsewhere: on identical processors with free edges the path runs undelayed.
    #[test]
    fn a_tie_keeps_the_critical_processor_for_the_path() {
        // E(1) -> P(1) -> C(2) is the critical path (4); Z(1.5), a child of P, and
        // Q(0.1), a parent of C, are not. Z is taken before C (C waits for Q, whose
        // priority is lower than Z's) and ties for p_CP at [2, 3.5].
        let parents = vec![vec![], vec![(0, 0.0)], vec![(1, 0.0), (4, 0.0)], vec![(1, 0.0)], vec![]];
        let cost = [1.0, 1.0, 2.0, 1.5, 0.1].iter().map(|&c| vec![c; 5]).collect();
        let got = plan(&Table::new(parents, cost), &mut Board::idle([1; 5]), 0.0);
        assert_eq!(makespan(&got, 0.0), 4.0);
    }
}
