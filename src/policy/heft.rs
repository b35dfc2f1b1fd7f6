//! `heft`: Heterogeneous Earliest Finish Time (Topcuoglu, Hariri and Wu, "Performance-
//! effective and low-complexity task scheduling for heterogeneous computing", IEEE
//! TPDS 13(3), 2002, section 4.1), as a planner: given a DAG, each task's cost on each
//! processor and the cost of an edge between two processors, it returns the schedule.
//!
//! As the paper defines it:
//! - a task's cost `w_i` in the ranks is its mean cost over the processors, an edge's
//!   `c_ij` its cost between two different processors (the paper's mean over
//!   processor pairs, which with one network is that cost; an edge within a processor
//!   costs nothing);
//! - upward rank `rank_u(i) = w_i + max over children j of (c_ij + rank_u(j))` (eq. 5);
//! - tasks are taken in decreasing `rank_u` (ties, to 1e-6: the lower index first, which the
//!   paper leaves open; its example orders n3 before n4 at 80, as this does);
//! - each goes to the processor giving it the earliest finish time, under the
//!   insertion policy: it may start in the earliest idle gap of that processor, after
//!   its data is ready, long enough to hold it (eqs. 3 and 4); ties go to the lower
//!   processor index.
//!
//! Not yet wired into runs (phase 2 of issue 13): the plan is not yet made at a job's
//! arrival by the simulator. The plan's cost is O(tasks^2 x processors) in the worst
//! case (the gap search), as the paper states O(e x q).

/// One task's place in a plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slot {
    /// The task.
    pub task: usize,
    /// The processor it runs on.
    pub processor: usize,
    /// When it starts and finishes.
    pub start: f64,
    /// When it finishes.
    pub finish: f64,
}

/// Upward ranks of the tasks of a DAG given by `parents` (per task, its parents and the
/// cost of the edge between two processors), with `mean_cost[i]` the task's mean cost.
pub fn upward_ranks(parents: &[Vec<(u32, f64)>], mean_cost: &[f64]) -> Vec<f64> {
    let n = parents.len();
    let mut children: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    for (c, ps) in parents.iter().enumerate() {
        for &(p, comm) in ps {
            children[p as usize].push((c, comm));
        }
    }
    // Children before parents: a reverse topological order, by repeated passes over
    // the tasks whose children are all ranked (the DAG is small, and this needs no
    // order from the caller).
    let mut rank = vec![f64::NAN; n];
    let mut left = n;
    while left > 0 {
        let before = left;
        for i in 0..n {
            if rank[i].is_nan() && children[i].iter().all(|&(c, _)| !rank[c].is_nan()) {
                let tail = children[i].iter().map(|&(c, comm)| comm + rank[c]).fold(0.0, f64::max);
                rank[i] = mean_cost[i] + tail;
                left -= 1;
            }
        }
        assert!(left < before, "the graph has a cycle");
    }
    rank
}

/// The HEFT schedule of the DAG of `parents` (per task, its parents and the edge's cost
/// between two different processors) on the processors of `cost` (`cost[i][p]`: task
/// `i` on processor `p`), in the order tasks were scheduled.
///
/// # Panics
/// If the graph has a cycle, or `cost` has no processor.
pub fn plan(parents: &[Vec<(u32, f64)>], cost: &[Vec<f64>]) -> Vec<Slot> {
    let n = parents.len();
    let q = cost.first().map_or(0, Vec::len);
    assert!(q > 0, "no processor");
    let mean: Vec<f64> = cost.iter().map(|c| c.iter().sum::<f64>() / q as f64).collect();
    let rank = upward_ranks(parents, &mean);
    let mut order: Vec<usize> = (0..n).collect();
    // Decreasing rank keeps parents before children (a parent's rank exceeds its
    // child's by at least the parent's positive cost). Ranks equal to 1e-6 are ties:
    // sums of means in another order differ in their last bits (the example's n3 and
    // n4, both 80).
    let key = |i: usize| (rank[i] * 1e6).round();
    order.sort_by(|&a, &b| key(b).total_cmp(&key(a)).then(a.cmp(&b)));
    let mut placed: Vec<Option<Slot>> = vec![None; n];
    // Per processor, its busy intervals in start order.
    let mut busy: Vec<Vec<(f64, f64)>> = vec![Vec::new(); q];
    let mut out = Vec::with_capacity(n);
    for &i in &order {
        let mut best: Option<Slot> = None;
        for p in 0..q {
            let ready = parents[i]
                .iter()
                .map(|&(j, comm)| {
                    let s = placed[j as usize].expect("parents are scheduled first");
                    s.finish + if s.processor == p { 0.0 } else { comm }
                })
                .fold(0.0, f64::max);
            let start = earliest_gap(&busy[p], ready, cost[i][p]);
            let finish = start + cost[i][p];
            if best.is_none_or(|b| finish < b.finish) {
                best = Some(Slot { task: i, processor: p, start, finish });
            }
        }
        let s = best.expect("at least one processor");
        let list = &mut busy[s.processor];
        let at = list.partition_point(|&(a, _)| a <= s.start);
        list.insert(at, (s.start, s.finish));
        placed[i] = Some(s);
        out.push(s);
    }
    out
}

/// The earliest start at or after `ready` of a task of length `len` on a processor
/// busy over `busy` (sorted): in the first idle gap that holds it, else after the last.
fn earliest_gap(busy: &[(f64, f64)], ready: f64, len: f64) -> f64 {
    let mut free_from = 0.0f64;
    for &(a, b) in busy {
        let start = free_from.max(ready);
        if start + len <= a {
            return start;
        }
        free_from = free_from.max(b);
    }
    free_from.max(ready)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Per task, its parents and the edge costs.
    type Parents = Vec<Vec<(u32, f64)>>;

    /// The example of Topcuoglu, Hariri and Wu 2002 (figure 2): ten tasks on three
    /// processors, with its cost table and edge costs.
    fn example() -> (Parents, Vec<Vec<f64>>) {
        let cost = vec![
            vec![14.0, 16.0, 9.0],
            vec![13.0, 19.0, 18.0],
            vec![11.0, 13.0, 19.0],
            vec![13.0, 8.0, 17.0],
            vec![12.0, 13.0, 10.0],
            vec![13.0, 16.0, 9.0],
            vec![7.0, 15.0, 11.0],
            vec![5.0, 11.0, 14.0],
            vec![18.0, 12.0, 20.0],
            vec![21.0, 7.0, 16.0],
        ];
        // (parent, child, cost), tasks numbered from 1 as in the paper.
        let edges = [
            (1, 2, 18.0),
            (1, 3, 12.0),
            (1, 4, 9.0),
            (1, 5, 11.0),
            (1, 6, 14.0),
            (2, 8, 19.0),
            (2, 9, 16.0),
            (3, 7, 23.0),
            (4, 8, 27.0),
            (4, 9, 23.0),
            (5, 9, 13.0),
            (6, 8, 15.0),
            (7, 10, 17.0),
            (8, 10, 11.0),
            (9, 10, 13.0),
        ];
        let mut parents = vec![Vec::new(); 10];
        for (p, c, w) in edges {
            parents[c - 1].push(((p - 1) as u32, w));
        }
        (parents, cost)
    }

    #[test]
    fn upward_ranks_match_the_paper_table() {
        let (parents, cost) = example();
        let mean: Vec<f64> = cost.iter().map(|c| c.iter().sum::<f64>() / 3.0).collect();
        let rank = upward_ranks(&parents, &mean);
        let paper = [108.0, 77.0, 80.0, 80.0, 69.0, 63.333, 42.667, 35.667, 44.333, 14.667];
        for (i, (r, p)) in rank.iter().zip(paper).enumerate() {
            assert!((r - p).abs() < 1e-3, "n{}: {r} vs {p}", i + 1);
        }
    }

    /// Figure 3(a) of the paper: HEFT's schedule of the example, task by task, with
    /// makespan 80.
    #[test]
    fn reproduces_the_papers_schedule_with_makespan_80() {
        let (parents, cost) = example();
        let got = plan(&parents, &cost);
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
        let got: Vec<(usize, usize, f64, f64)> =
            got.iter().map(|s| (s.task + 1, s.processor + 1, s.start, s.finish)).collect();
        assert_eq!(got, paper);
    }
}
