//! `max_min`: the Max-min mapping heuristic (Braun et al., "A Comparison of Eleven
//! Static Heuristics for Mapping a Class of Independent Tasks onto Heterogeneous
//! Distributed Computing Systems", JPDC 61(6), 2001, section 2), adapted to DAGs as
//! `min_min` is ([`min_min`](super::min_min): the heuristic runs over the ready tasks,
//! completion times include the data arriving from parents).
//!
//! As the paper defines it: Min-min's rounds, except that each round maps the task
//! whose minimum completion time over the machines is the *largest*, to the machine
//! giving that minimum: long tasks first, so that they overlap the short ones.
//!
//! Choices the paper leaves open, as for Min-min: ties between machines go to the
//! lower machine index, ties between tasks to the lower task index; no insertion
//! into idle stretches (a machine's available time); in runs, a job is planned after
//! what earlier jobs' plans booked. Cost: O(n^2 x q) over the job.

use super::min_min::{ready_set, Pick};
use super::plan::{Board, Costs, Slot};

/// The Max-min plan of the job of `costs` on `board`, no task starting before `now`;
/// its tasks are booked on `board`. The slots come in the order tasks were mapped.
///
/// # Panics
/// If the graph has a cycle, or the board's processors are not those of `costs`.
pub fn plan(costs: &dyn Costs, board: &mut Board, now: f64) -> Vec<Slot> {
    ready_set(costs, board, now, Pick::Largest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::plan::{makespan, Table};

    /// Braun et al.'s case for Max-min: the long task first on its fastest machine,
    /// the short ones beside it.
    #[test]
    fn independent_tasks_go_longest_first() {
        // Three tasks, two machines: etc = [[1, 2], [2, 4], [10, 20]].
        let t = Table::new(vec![vec![]; 3], vec![vec![1.0, 2.0], vec![2.0, 4.0], vec![10.0, 20.0]]);
        let got = plan(&t, &mut Board::idle([1, 1]), 0.0);
        let order: Vec<(usize, usize, f64)> = got.iter().map(|s| (s.task, s.processor, s.finish)).collect();
        // Task 2 on m0 [0, 10]; then task 1: m0 at 12, m1 at 4 -> m1; task 0: m0 11,
        // m1 6 -> m1.
        assert_eq!(order, [(2, 0, 10.0), (1, 1, 4.0), (0, 1, 6.0)]);
        assert_eq!(makespan(&got, 0.0), 10.0);
    }
}
