//! `easy_backfill`: FIFO with EASY backfilling (central mode), and the algorithm's two
//! steps as functions over what the scheduler knows: [`reservation`] for the blocked
//! head, and [`backfill`], the scan behind it. The simulation supplies the data (the
//! running tasks' estimated ends, the waiting queue) and carries out the starts; the
//! decisions are made here.

use crate::engine::SimTime;
use crate::model::{NodeId, Task};
use crate::policy::{Discipline, Hold};

/// First come, first served at the central queue; when the head cannot start, it gets
/// a reservation at the earliest time enough cores and memory free up (by the running
/// tasks' size estimates), and later tasks may jump ahead if they fit now and do not
/// delay that reservation: they end (by estimate) before it, or use only what the
/// head leaves spare on its reserved node.
///
/// EASY (Extensible Argonne Scheduling sYstem): Lifka, "The ANL/IBM SP scheduling
/// system", JSSPP 1995; analysed by Mu'alem and Feitelson, IEEE TPDS 12(6), 2001. The
/// algorithm tries every waiting task; a scan depth (`depth`, like Slurm's
/// `bf_max_job_test`) is a real controller's tuning, off unless a scenario sets it.
#[derive(Debug)]
pub struct EasyBackfill {
    /// How many tasks behind the head are tried per scheduling pass (`usize::MAX`:
    /// all of them).
    pub depth: usize,
}

impl Discipline for EasyBackfill {
    fn rank(&self, _task: &Task) -> f64 {
        0.0
    }

    fn is_fifo(&self) -> bool {
        true
    }

    fn backfill_depth(&self) -> Option<usize> {
        Some(self.depth)
    }
}

/// A running task as the reservation sees it: when it is estimated to end, and the
/// cores and memory it frees then.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ending {
    /// Estimated end: when its current stretch began plus its remaining estimate at
    /// the node's speed.
    pub at: SimTime,
    /// The task's arrival index: tasks ending together are taken in arrival order.
    pub seq: u64,
    /// Cores it frees.
    pub cores: u32,
    /// Memory it frees.
    pub memory: f64,
}

/// The blocked head's reservation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reservation {
    /// The node reserved for the head.
    pub node: NodeId,
    /// The shadow time: when the head can start on `node` if running tasks end as
    /// estimated.
    pub at: SimTime,
    /// Cores free on `node` at `at` beyond what the head needs.
    pub extra_cores: u32,
    /// Memory free on `node` at `at` beyond what the head needs.
    pub extra_memory: f64,
}

/// The head's reservation: over the `nodes` nodes, the earliest time (not before
/// `now`) enough cores and memory for `head` are free, if running tasks end as
/// estimated; ties go to the lower node index.
///
/// `node(n, ends)` describes node `n`: `None` if it cannot take the head (down, or too
/// small ever), else its free cores and memory now, with `ends` (cleared by the caller
/// of this function, filled by `node`) the tasks running there. On each node the
/// running tasks are taken in order of estimated end (equal ends in arrival order)
/// until the head fits: that end is the shadow time. The extra room is what is free
/// at the shadow time beyond the head's need, counting *every* task that ends by then
/// (several may end at the shadow time itself), as Mu'alem and Feitelson define it.
///
/// Cost *O*(nodes x cores log cores): a reservation must look at every node.
pub fn reservation(
    head: &Task,
    now: SimTime,
    nodes: usize,
    mut node: impl FnMut(NodeId, &mut Vec<Ending>) -> Option<(u32, f64)>,
) -> Option<Reservation> {
    let mut best: Option<Reservation> = None;
    let mut ends: Vec<Ending> = Vec::new();
    for n in 0..nodes {
        ends.clear();
        let Some((free_cores, free_memory)) = node(n, &mut ends) else { continue };
        // Clamped before sorting: ends already overdue all count as now, in the order
        // the node gave them.
        ends.iter_mut().for_each(|e| e.at = e.at.max(now));
        ends.sort_by(|a, b| a.at.total_cmp(&b.at).then(a.seq.cmp(&b.seq)));
        let (mut cores, mut memory, mut at) = (free_cores, free_memory, now);
        let mut taken = 0;
        for e in &ends {
            if cores >= head.cores && memory >= head.memory {
                break;
            }
            (cores, memory, at) = (cores + e.cores, memory + e.memory, e.at);
            taken += 1;
        }
        // What else ends by the shadow time frees its room by then too.
        for e in ends[taken..].iter().take_while(|e| e.at <= at) {
            (cores, memory) = (cores + e.cores, memory + e.memory);
        }
        if cores >= head.cores && memory >= head.memory && best.is_none_or(|b| at < b.at) {
            let (extra_cores, extra_memory) = (cores - head.cores, memory - head.memory);
            best = Some(Reservation { node: n, at, extra_cores, extra_memory });
        }
    }
    best
}

/// The waiting queue as the scan sees it, and the one thing it may ask: start a task.
pub trait Backfilling {
    /// The task at `position` in queue order (0 is the blocked head), if any.
    fn task(&self, position: usize) -> Option<&Task>;

    /// Asks the balancer for a node that fits the task at `position` with `hold` kept
    /// back, and if one does, removes the task from the queue and starts it there.
    fn start(&mut self, position: usize, hold: Option<Hold>) -> Option<NodeId>;
}

/// The scan: the tasks behind the head, in queue order, at positions 1 to `depth` of
/// the queue as it shrinks (a task started moves the next one to its position), each
/// started now if it fits and does not delay `res`: either it ends (by its remaining
/// estimate at `reserved_speed`, the reserved node's speed) by the shadow time, or it
/// gets only what the head leaves spare on the reserved node (a [`Hold`] there).
/// What a started task takes of the spare room is taken off `res`.
pub fn backfill(res: &mut Reservation, now: SimTime, depth: usize, reserved_speed: f64, queue: &mut impl Backfilling) {
    let mut position = 1;
    while position <= depth {
        let Some(task) = queue.task(position) else { break };
        let (cores, memory) = (task.cores, task.memory);
        let ends_in_time = now + task.remaining_estimate() / reserved_speed <= res.at;
        let hold = (!ends_in_time).then_some(Hold { node: res.node, cores: res.extra_cores, memory: res.extra_memory });
        match queue.start(position, hold) {
            Some(node) => {
                if node == res.node && !ends_in_time {
                    res.extra_cores -= cores;
                    res.extra_memory -= memory;
                }
            }
            None => position += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(seq: u64, estimate: f64, cores: u32) -> Task {
        Task { cores, ..Task::of_size(seq, estimate) }
    }

    fn ending(at: f64, cores: u32) -> Ending {
        Ending { at, seq: 0, cores, memory: 0.0 }
    }

    /// A hand-built cluster: per node, `None` (down or too small) or its free cores
    /// and its running tasks' ends.
    fn reserve(head: &Task, now: f64, nodes: &[Option<(u32, Vec<Ending>)>]) -> Option<Reservation> {
        reservation(head, now, nodes.len(), |n, ends| {
            let (free, running) = nodes[n].as_ref()?;
            ends.extend(running.iter().copied());
            Some((*free, 0.0))
        })
    }

    #[test]
    fn the_head_waits_for_enough_ends_in_order_of_end() {
        // 1 core free; ends at 5 (2 cores) and 3 (1 core): 2 free at 3, 4 at 5.
        let nodes = [Some((1, vec![ending(5.0, 2), ending(3.0, 1)]))];
        let r = reserve(&task(0, 1.0, 3), 0.0, &nodes).unwrap();
        assert_eq!(r, Reservation { node: 0, at: 5.0, extra_cores: 1, extra_memory: 0.0 });
        // A head of 2 cores starts at 3, with nothing spare.
        let r = reserve(&task(0, 1.0, 2), 0.0, &nodes).unwrap();
        assert_eq!((r.at, r.extra_cores), (3.0, 0));
    }

    #[test]
    fn every_task_ending_by_the_shadow_time_counts_in_the_extra_room() {
        // Nothing free; three tasks end at 5 (2, 2 and 1 cores). The head needs 2: the
        // shadow time is 5, and all three free their cores then: 5 - 2 = 3 spare.
        let nodes = [Some((0, vec![ending(5.0, 2), ending(5.0, 2), ending(5.0, 1), ending(9.0, 4)]))];
        let r = reserve(&task(0, 1.0, 2), 0.0, &nodes).unwrap();
        assert_eq!((r.at, r.extra_cores), (5.0, 3));
    }

    #[test]
    fn tasks_ending_together_are_taken_in_arrival_order() {
        // Two tasks end at 5; the one that arrived first (seq 1) frees 3 cores, enough
        // for the head alone: either way the extra counts both, so the reservation
        // does not depend on the order the node lists them in.
        let a = Ending { at: 5.0, seq: 7, cores: 1, memory: 0.0 };
        let b = Ending { at: 5.0, seq: 1, cores: 3, memory: 0.0 };
        let one = reserve(&task(0, 1.0, 3), 0.0, &[Some((0, vec![a, b]))]).unwrap();
        let other = reserve(&task(0, 1.0, 3), 0.0, &[Some((0, vec![b, a]))]).unwrap();
        assert_eq!(one, other);
        assert_eq!((one.at, one.extra_cores), (5.0, 1));
    }

    #[test]
    fn the_earliest_node_wins_and_ties_go_to_the_lower_index() {
        let nodes = [
            None, // down: never reserved
            Some((0, vec![ending(7.0, 2)])),
            Some((0, vec![ending(4.0, 2)])),
            Some((0, vec![ending(4.0, 4)])),
        ];
        let r = reserve(&task(0, 1.0, 2), 0.0, &nodes).unwrap();
        assert_eq!((r.node, r.at, r.extra_cores), (2, 4.0, 0));
    }

    #[test]
    fn overdue_ends_count_as_now_and_no_room_ever_means_no_reservation() {
        let nodes = [Some((0, vec![ending(2.0, 1), ending(9.0, 1)]))];
        let r = reserve(&task(0, 1.0, 1), 6.0, &nodes).unwrap();
        assert_eq!(r.at, 6.0);
        assert!(reserve(&task(0, 1.0, 3), 6.0, &nodes).is_none());
    }

    /// A waiting queue over a cluster of free cores; a start takes the first node
    /// with room (after the hold), as a first-fit balancer would.
    struct Queue {
        waiting: Vec<Task>,
        free: Vec<u32>,
        started: Vec<(u64, NodeId)>,
    }

    impl Backfilling for Queue {
        fn task(&self, position: usize) -> Option<&Task> {
            self.waiting.get(position)
        }

        fn start(&mut self, position: usize, hold: Option<Hold>) -> Option<NodeId> {
            let cores = self.waiting[position].cores;
            let room = |n: usize| match hold {
                Some(h) if h.node == n => self.free[n].min(h.cores),
                _ => self.free[n],
            };
            let node = (0..self.free.len()).find(|&n| room(n) >= cores)?;
            self.free[node] -= cores;
            let t = self.waiting.remove(position);
            self.started.push((t.seq, node));
            Some(node)
        }
    }

    #[test]
    fn the_scan_starts_what_ends_in_time_or_fits_the_spare_room() {
        // Head (seq 0) reserved on node 0 at t = 10 with 1 core spare; node 0 has 2
        // cores free now, node 1 none.
        let mut res = Reservation { node: 0, at: 10.0, extra_cores: 1, extra_memory: 0.0 };
        let mut q = Queue {
            waiting: vec![task(0, 1.0, 4), task(1, 50.0, 1), task(2, 50.0, 1), task(3, 5.0, 1)],
            free: vec![2, 0],
            started: Vec::new(),
        };
        backfill(&mut res, 0.0, 10, 1.0, &mut q);
        // seq 1 is long but takes the spare core; seq 2 is long and finds none left;
        // seq 3 ends by 10 and takes the last free core.
        assert_eq!(q.started, vec![(1, 0), (3, 0)]);
        assert_eq!(res.extra_cores, 0);
        assert_eq!(q.waiting.iter().map(|t| t.seq).collect::<Vec<_>>(), vec![0, 2]);
    }

    #[test]
    fn the_scan_stops_at_its_depth() {
        let queue = || Queue {
            waiting: vec![task(0, 1.0, 4), task(1, 50.0, 1), task(2, 50.0, 1), task(3, 1.0, 1)],
            free: vec![3, 0],
            started: Vec::new(),
        };
        let res = Reservation { node: 0, at: 10.0, extra_cores: 0, extra_memory: 0.0 };
        // Seq 1 and 2 end too late and node 0 has no spare core: at depth 2 the scan
        // stops before seq 3, which would fit.
        let mut q = queue();
        backfill(&mut res.clone(), 0.0, 2, 1.0, &mut q);
        assert!(q.started.is_empty());
        let mut q = queue();
        backfill(&mut res.clone(), 0.0, 3, 1.0, &mut q);
        assert_eq!(q.started, vec![(3, 0)]);
    }

    #[test]
    fn ending_in_time_is_judged_at_the_reserved_nodes_speed() {
        let queue =
            || Queue { waiting: vec![task(0, 1.0, 4), task(1, 15.0, 1)], free: vec![3, 0], started: Vec::new() };
        let res = Reservation { node: 0, at: 10.0, extra_cores: 0, extra_memory: 0.0 };
        // 15 units at speed 2 end at 7.5, before the shadow time; at speed 1, at 15.
        let mut q = queue();
        backfill(&mut res.clone(), 0.0, 10, 2.0, &mut q);
        assert_eq!(q.started, vec![(1, 0)]);
        let mut q = queue();
        backfill(&mut res.clone(), 0.0, 10, 1.0, &mut q);
        assert!(q.started.is_empty());
    }
}
