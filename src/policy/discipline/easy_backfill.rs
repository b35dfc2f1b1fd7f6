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
/// scan depth mirrors Slurm's `bf_max_job_test` (default 500 there too).
#[derive(Debug)]
pub struct EasyBackfill {
    /// How many tasks behind the head are tried per scheduling pass.
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
/// running tasks are taken in order of estimated end until the head fits.
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
        ends.sort_by(|a, b| a.at.total_cmp(&b.at));
        let (mut cores, mut memory, mut at) = (free_cores, free_memory, now);
        for e in &ends {
            if cores >= head.cores && memory >= head.memory {
                break;
            }
            (cores, memory, at) = (cores + e.cores, memory + e.memory, e.at);
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

/// The scan: the tasks behind the head, in queue order, up to `depth` of them, each
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
