//! `min_min`: the Min-min mapping heuristic (Braun et al., "A Comparison of Eleven
//! Static Heuristics for Mapping a Class of Independent Tasks onto Heterogeneous
//! Distributed Computing Systems", JPDC 61(6), 2001, section 2), adapted to DAGs the
//! usual way (as Blythe et al., "Task scheduling strategies for workflow-based
//! applications in grids", CCGrid 2005, map workflows): the heuristic runs over the
//! *ready* tasks, those whose parents are all mapped, and a mapped task's children
//! join them once their last parent is mapped.
//!
//! As the paper defines it, for the set `U` of tasks not yet mapped (here: the ready
//! ones):
//! - for each task of `U`, its minimum completion time over the machines, `ct(t, m) =
//!   mat(m) + etc(t, m)` (machine available time plus expected time to compute);
//! - Min-min takes the task whose minimum is the smallest, maps it to the machine
//!   giving that minimum, and updates that machine's available time;
//! - until `U` is empty.
//!
//! The adaptation: a task's completion time on a machine is its start, `max(the
//! machine's available time, when its inputs are there)`, plus its cost; when its
//! inputs are there includes the data arriving from its parents (by the [`Costs`]'
//! model: each parent's output sent when it finishes in the paper's, fetched when the
//! task is released in the simulator's) and nothing before `now`. A machine is
//! available once everything booked on it is done, without insertion into idle
//! stretches (the paper's `mat`); on a node of several cores, once enough cores are
//! free from then on (see [`Timeline::earliest`](super::plan::Timeline::earliest)).
//!
//! Choices the paper leaves open: ties in completion time between machines go to the
//! lower machine index, ties between tasks to the lower task index; in runs, a job is
//! planned after what earlier jobs' plans booked (see [`Planner`](super::plan::Planner)).
//!
//! Cost: each round recomputes every ready task on every machine, O(n^2 x q) over the
//! job, the ready times O(e) per round and machine.

use super::plan::{children, Board, Costs, Schedule, Slot};

/// The Min-min plan of the job of `costs` on `board`, no task starting before `now`;
/// its tasks are booked on `board`. The slots come in the order tasks were mapped.
///
/// # Panics
/// If the graph has a cycle, or the board's processors are not those of `costs`.
pub fn plan(costs: &dyn Costs, board: &mut Board, now: f64) -> Vec<Slot> {
    ready_set(costs, board, now, Pick::Smallest)
}

/// Which ready task a round maps: the one whose minimum completion time is the
/// smallest (Min-min) or the largest (Max-min).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pick {
    Smallest,
    Largest,
}

/// The rounds of Min-min or Max-min over the ready tasks (see the module's
/// documentation).
pub(crate) fn ready_set(costs: &dyn Costs, board: &mut Board, now: f64, pick: Pick) -> Vec<Slot> {
    let n = costs.tasks();
    let children = children(costs);
    let mut waiting: Vec<usize> = (0..n).map(|t| costs.parents(t).len()).collect();
    // Kept sorted by index, so a tie goes to the lower index.
    let mut ready: Vec<usize> = (0..n).filter(|&t| waiting[t] == 0).collect();
    let mut s = Schedule::new(costs, board, now);
    while !ready.is_empty() {
        let mut chosen: Option<(usize, Slot)> = None;
        for (k, &t) in ready.iter().enumerate() {
            let slot = s.earliest_finish(t, false, None);
            let better = match chosen {
                None => true,
                Some((_, c)) => match pick {
                    Pick::Smallest => slot.finish < c.finish,
                    Pick::Largest => slot.finish > c.finish,
                },
            };
            if better {
                chosen = Some((k, slot));
            }
        }
        let (k, slot) = chosen.expect("a ready task");
        ready.remove(k);
        s.place(slot);
        for &(c, _) in &children[slot.task] {
            waiting[c] -= 1;
            if waiting[c] == 0 {
                let at = ready.partition_point(|&r| r < c);
                ready.insert(at, c);
            }
        }
    }
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::plan::{makespan, Table};

    /// Braun et al.'s case for Min-min on independent tasks: the short tasks first,
    /// each on its fastest machine, then the long one waits.
    #[test]
    fn independent_tasks_go_shortest_first() {
        // Three tasks, two machines: etc = [[1, 2], [2, 4], [10, 20]].
        let t = Table::new(vec![vec![]; 3], vec![vec![1.0, 2.0], vec![2.0, 4.0], vec![10.0, 20.0]]);
        let got = plan(&t, &mut Board::idle([1, 1]), 0.0);
        let order: Vec<(usize, usize, f64)> = got.iter().map(|s| (s.task, s.processor, s.finish)).collect();
        assert_eq!(order, [(0, 0, 1.0), (1, 0, 3.0), (2, 0, 13.0)]);
        assert_eq!(makespan(&got, 0.0), 13.0);
    }

    /// A child becomes ready only once its parents are mapped, and waits for their data.
    #[test]
    fn a_child_waits_for_its_parents_data() {
        // 0 -> 2 (edge cost 5), 1 -> 2 (edge cost 1); two machines.
        let parents = vec![vec![], vec![], vec![(0, 5.0), (1, 1.0)]];
        let t = Table::new(parents, vec![vec![2.0, 3.0], vec![2.0, 3.0], vec![1.0, 1.0]]);
        let got = plan(&t, &mut Board::idle([1, 1]), 0.0);
        // 0 on m0 [0, 2]; 1 on m0 [2, 4] (finishes at 4 there, at 3 on m1: m1 [0, 3]).
        // Child 2: on m0 its input from 1 (m1, at 3 + 1) is there at 4: [4, 5].
        let order: Vec<(usize, usize, f64, f64)> =
            got.iter().map(|s| (s.task, s.processor, s.start, s.finish)).collect();
        assert_eq!(order, [(0, 0, 0.0, 2.0), (1, 1, 0.0, 3.0), (2, 0, 4.0, 5.0)]);
    }
}
