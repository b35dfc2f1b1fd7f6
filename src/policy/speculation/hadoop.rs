//! `hadoop`: Hadoop's speculative execution before LATE, as Zaharia et al. describe it
//! (OSDI 2008, section 2.1) and Hadoop's `TaskInProgress` implements it
//! (`SPECULATIVE_GAP = 0.2`, `SPECULATIVE_LAG = 60 * 1000` ms, `MAX_TASK_EXECS = 1`).
//!
//! Hadoop averages the progress score of each category of a job's tasks (maps,
//! reduces): a task is a straggler when its progress score is below that average minus
//! 0.2 (`SPECULATIVE_GAP`) and it has run for at least a minute (`SPECULATIVE_LAG`);
//! it then gets one speculative copy, on the next node asking for work. "All tasks
//! beyond the threshold are considered equally slow, and ties between them are broken
//! by data locality."
//!
//! Here:
//! - a category is a stage of the job ([`TaskGroup`]: its tasks at one depth of its
//!   DAG, which for a map-reduce job are its maps and its reduces), and its average
//!   counts completed tasks as 1, running ones at their progress and the others at 0,
//!   as Hadoop's `JobInProgress` averages over all the category's tasks;
//! - the progress score is the fraction of the task's work done (a map's share of its
//!   input read; a reduce here has no copy and sort phases of its own: its shuffle is
//!   the input transfer before it starts);
//! - there is no data locality, so stragglers are taken oldest job first and, within a
//!   job, in task order (the order in which Hadoop's JobTracker scans them);
//! - "the next node asking for work" is a node drawn at random among those with room
//!   for the copy (any node but the straggler's own: Hadoop does not know which nodes
//!   are slow, which is LATE's point), from the policy's own random stream;
//! - there is no cap on copies running at once.

use super::{CopyOrder, SpeculationParam, SpeculationView, Speculator, TaskGroup};
use crate::engine::SimRng;

/// Hadoop's rule, with its two constants as parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hadoop {
    /// How far below its stage's average progress a task must be (0.2).
    pub gap: f64,
    /// Seconds a task must have run before it may be copied (60).
    pub min_runtime: f64,
}

/// Its parameters, with Hadoop's values as defaults.
pub(super) const PARAMS: &[SpeculationParam] = &[
    SpeculationParam {
        name: "gap",
        doc: "progress below the stage's average that makes a straggler, a fraction",
        default: 0.2,
        low: 0.0,
        open: true,
        high: 1.0,
    },
    super::MIN_RUNTIME,
];

impl Hadoop {
    /// From checked parameter values.
    pub(super) fn from_params(get: impl Fn(&str) -> f64) -> Self {
        Hadoop { gap: get("gap"), min_runtime: get("min_runtime") }
    }

    /// Parameters that differ from their defaults.
    pub(super) fn changed(&self) -> Vec<(&'static str, f64)> {
        let values = [self.gap, self.min_runtime];
        PARAMS.iter().zip(values).filter(|(p, v)| p.default != *v).map(|(p, v)| (p.name, v)).collect()
    }
}

impl Speculator for Hadoop {
    fn speculate(&mut self, view: &SpeculationView<'_>, rng: &mut SimRng) -> Vec<CopyOrder> {
        let mut running = vec![0.0; view.groups.len()];
        for t in view.tasks {
            running[t.group as usize] += t.progress;
        }
        let average = |g: usize| {
            let TaskGroup { tasks, completed } = view.groups[g];
            (f64::from(completed) + running[g]) / f64::from(tasks.max(1))
        };
        let mut stragglers: Vec<usize> = (0..view.tasks.len())
            .filter(|&i| {
                let t = &view.tasks[i];
                !t.copied && t.elapsed >= self.min_runtime && t.progress < average(t.group as usize) - self.gap
            })
            .collect();
        stragglers.sort_by_key(|&i| (view.tasks[i].job, view.tasks[i].index));
        // The room each copy takes, so that two copies do not count on the same core.
        let mut room: Vec<(u32, f64)> = view.nodes.iter().map(|n| (n.free_cores, n.free_memory)).collect();
        let mut orders = Vec::new();
        let mut fitting = Vec::new();
        for i in stragglers {
            let t = &view.tasks[i];
            fitting.clear();
            fitting.extend(
                (0..view.nodes.len()).filter(|&n| view.fits(n, t) && room[n].0 >= t.cores && room[n].1 >= t.memory),
            );
            if fitting.is_empty() {
                continue;
            }
            let node = fitting[rng.below(fitting.len())];
            room[node].0 -= t.cores;
            room[node].1 -= t.memory;
            orders.push(CopyOrder { task: i, node });
        }
        orders
    }
}

#[cfg(test)]
mod tests {
    use super::super::{NodeState, RunningTask};
    use super::*;

    fn task(job: u64, index: u32, progress: f64, elapsed: f64, node: usize) -> RunningTask {
        RunningTask { job, index, group: 0, depth: 0, progress, elapsed, node, cores: 1, memory: 0.0, copied: false }
    }

    fn node(free: u32) -> NodeState {
        NodeState { up: true, free_cores: free, free_memory: f64::INFINITY, cores: 2, rate: f64::NAN }
    }

    /// Four maps, two done: the average is (2 + 0.9 + 0.1) / 4 = 0.75, so the map at
    /// 0.1 (after 100 s) is a straggler and the one at 0.9 is not; one free node
    /// besides its own takes the copy. Before 60 s it would not be copied.
    #[test]
    fn a_task_well_below_its_stages_average_after_a_minute_is_copied() {
        let tasks = [task(0, 2, 0.9, 100.0, 0), task(0, 3, 0.1, 100.0, 1)];
        let groups = [TaskGroup { tasks: 4, completed: 2 }];
        let nodes = [node(0), node(1), node(1)];
        let view =
            SpeculationView { now: 100.0, tasks: &tasks, groups: &groups, nodes: &nodes, copies_running: 0, slots: 6 };
        let mut h = Hadoop { gap: 0.2, min_runtime: 60.0 };
        let orders = h.speculate(&view, &mut SimRng::new(1));
        assert_eq!(orders.len(), 1);
        assert_eq!(orders[0].task, 1);
        assert_eq!(orders[0].node, 2, "the only node with room that is not its own");
        let young = [task(0, 2, 0.9, 50.0, 0), task(0, 3, 0.1, 50.0, 1)];
        let view = SpeculationView { tasks: &young, ..view };
        assert!(h.speculate(&view, &mut SimRng::new(1)).is_empty());
    }
}
