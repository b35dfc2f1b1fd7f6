//! `late`: Longest Approximate Time to End, Zaharia, Konwinski, Joseph, Katz and
//! Stoica, "Improving MapReduce Performance in Heterogeneous Environments", OSDI 2008,
//! section 4.
//!
//! LATE estimates each running task's time left as (1 - ProgressScore) / ProgressRate,
//! ProgressRate being ProgressScore over the time it has run, and copies the task that
//! would finish farthest in the future, where a copy has the best chance to gain the
//! most. "When a node asks for a new task and there are fewer than SpeculativeCap
//! speculative tasks running: ignore the request if the node's total progress is below
//! SlowNodeThreshold; rank currently running tasks that are not currently being
//! speculated by estimated time left; launch a copy of the highest-ranked task with
//! progress rate below SlowTaskThreshold." The paper's values: SpeculativeCap 10% of
//! the available task slots, SlowNodeThreshold and SlowTaskThreshold the 25th
//! percentiles of node progress and of task progress rates.
//!
//! Where the paper leaves room, here:
//! - `cap` is a fraction of the slots (the cores of nodes believed up), rounded up, so
//!   a small cluster may still run one copy;
//! - SlowNodeThreshold is taken over nodes' progress *rates* rather than their total
//!   progress: the progress the attempts that ran on a node made (1 for each that
//!   finished, the score reached for one running or killed) per second they ran, over
//!   the run so far ([`NodeState::rate`]). Total progress also grows with how much work
//!   a node was given, so an idle node, or one with fewer slots, would look slow; a
//!   rate measures the node alone. Nodes whose rate is below the `slow_node`
//!   percentile of the rates of the nodes believed up get no copy; a node that has
//!   run nothing yet has no rate, and is not taken for slow;
//! - the task progress rates are compared with the `slow_task` percentile of the rates
//!   of the running tasks of the same depth in their DAG (maps with maps, reduces with
//!   reduces) across the dispatcher's jobs: with many small jobs, a job's own running
//!   tasks are too few for a percentile (its last straggler would have no peer);
//! - a task is considered only after `min_runtime` seconds: the paper states no
//!   minimum, but a rate measured over a few seconds says little (the default, 60 s,
//!   is Hadoop's lag, so the two policies judge tasks after the same time);
//! - the node that "asks" is, among those with room that are not slow, the one with
//!   the highest rate (then those with none yet; ties: the lowest index), and the
//!   copy goes to the first such node with room for it; ties in time left go to the
//!   older job, then the lower task index.

#[cfg(doc)]
use super::NodeState;
use super::{percentile, CopyOrder, SpeculationParam, SpeculationView, Speculator};
use crate::engine::SimRng;

/// LATE, with its three thresholds and a minimum run time as parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Late {
    /// SpeculativeCap: copies running at once, as a fraction of the slots (0.1).
    pub cap: f64,
    /// SlowTaskThreshold: the percentile of progress rates below which a task may be
    /// copied (0.25).
    pub slow_task: f64,
    /// SlowNodeThreshold: the percentile of nodes' progress rates below which a node
    /// gets no copy (0.25).
    pub slow_node: f64,
    /// Seconds a task runs before it may be copied (60).
    pub min_runtime: f64,
}

/// Its parameters, with the paper's values as defaults.
pub(super) const PARAMS: &[SpeculationParam] = &[
    SpeculationParam {
        name: "cap",
        doc: "copies running at once, a fraction of the cluster's slots",
        default: 0.1,
        low: 0.0,
        open: true,
        high: 1.0,
    },
    SpeculationParam {
        name: "slow_task",
        doc: "percentile of progress rates below which a task may be copied, a fraction",
        default: 0.25,
        low: 0.0,
        open: false,
        high: 1.0,
    },
    SpeculationParam {
        name: "slow_node",
        doc: "percentile of nodes' progress rates below which a node gets no copy, a fraction",
        default: 0.25,
        low: 0.0,
        open: false,
        high: 1.0,
    },
    super::MIN_RUNTIME,
];

impl Late {
    /// From checked parameter values.
    pub(super) fn from_params(get: impl Fn(&str) -> f64) -> Self {
        Late {
            cap: get("cap"),
            slow_task: get("slow_task"),
            slow_node: get("slow_node"),
            min_runtime: get("min_runtime"),
        }
    }

    /// Parameters that differ from their defaults.
    pub(super) fn changed(&self) -> Vec<(&'static str, f64)> {
        let values = [self.cap, self.slow_task, self.slow_node, self.min_runtime];
        PARAMS.iter().zip(values).filter(|(p, v)| p.default != *v).map(|(p, v)| (p.name, v)).collect()
    }
}

impl Speculator for Late {
    fn speculate(&mut self, view: &SpeculationView<'_>, _rng: &mut SimRng) -> Vec<CopyOrder> {
        let cap = (self.cap * f64::from(view.slots)).ceil() as u32;
        let mut budget = cap.saturating_sub(view.copies_running);
        if budget == 0 || view.tasks.is_empty() {
            return Vec::new();
        }
        // SlowNodeThreshold, over the nodes believed up whose rate is known.
        let mut rates: Vec<f64> = view.nodes.iter().filter(|n| n.up && !n.rate.is_nan()).map(|n| n.rate).collect();
        let slow_node = percentile(&mut rates, self.slow_node);
        // Nodes with room that are not slow, fastest first, those not known yet last.
        let mut fast: Vec<usize> = (0..view.nodes.len())
            .filter(|&n| {
                let s = &view.nodes[n];
                // Not below the threshold; an unknown rate (NaN) is not below it.
                s.up && s.free_cores > 0 && s.rate.partial_cmp(&slow_node) != Some(std::cmp::Ordering::Less)
            })
            .collect();
        if fast.is_empty() {
            return Vec::new();
        }
        let key = |n: usize| {
            let r = view.nodes[n].rate;
            if r.is_nan() {
                f64::NEG_INFINITY
            } else {
                r
            }
        };
        fast.sort_by(|&a, &b| key(b).total_cmp(&key(a)).then(a.cmp(&b)));
        // SlowTaskThreshold, per depth, over the running tasks that have run at all.
        let depths = view.tasks.iter().map(|t| t.depth).max().unwrap_or(0) as usize + 1;
        let mut slow_rate = vec![f64::NAN; depths];
        for (d, threshold) in slow_rate.iter_mut().enumerate() {
            let mut rates: Vec<f64> =
                view.tasks.iter().filter(|t| t.depth as usize == d && t.elapsed > 0.0).map(|t| t.rate()).collect();
            *threshold = percentile(&mut rates, self.slow_task);
        }
        let mut ranked: Vec<usize> = (0..view.tasks.len())
            .filter(|&i| {
                let t = &view.tasks[i];
                !t.copied && t.elapsed >= self.min_runtime && t.rate() < slow_rate[t.depth as usize]
            })
            .collect();
        ranked.sort_by(|&a, &b| {
            let (x, y) = (&view.tasks[a], &view.tasks[b]);
            y.time_left().total_cmp(&x.time_left()).then((x.job, x.index).cmp(&(y.job, y.index)))
        });
        let mut room: Vec<(u32, f64)> = view.nodes.iter().map(|n| (n.free_cores, n.free_memory)).collect();
        let mut orders = Vec::new();
        for i in ranked {
            if budget == 0 {
                break;
            }
            let t = &view.tasks[i];
            let Some(&node) = fast.iter().find(|&&n| view.fits(n, t) && room[n].0 >= t.cores && room[n].1 >= t.memory)
            else {
                continue;
            };
            room[node].0 -= t.cores;
            room[node].1 -= t.memory;
            budget -= 1;
            orders.push(CopyOrder { task: i, node });
        }
        orders
    }
}

#[cfg(test)]
mod tests {
    use super::super::{NodeState, RunningTask, TaskGroup};
    use super::*;

    fn task(index: u32, progress: f64, node: usize) -> RunningTask {
        RunningTask {
            job: 0,
            index,
            group: 0,
            depth: 0,
            progress,
            elapsed: 100.0,
            node,
            cores: 1,
            memory: 0.0,
            copied: false,
        }
    }

    fn node(free: u32, rate: f64) -> NodeState {
        NodeState { up: true, free_cores: free, free_memory: f64::INFINITY, cores: 1, rate }
    }

    /// Four tasks after 100 s at progress 0.8, 0.7, 0.2 and 0.1: rates 0.008 to 0.001,
    /// the 25th percentile 0.00175, so only the task at 0.1 (time left 900 s) is slow
    /// enough. Node rates 5, 5, 4, 1, 0.5, 4.5 (times 1e-3): the 25th percentile is
    /// 1.75e-3, so of the free nodes node 4 is slow and gets nothing; node 5 takes the
    /// copy. A node with no rate yet would be taken after it.
    #[test]
    fn the_slowest_task_goes_to_a_node_that_is_not_slow() {
        let tasks = [task(0, 0.8, 0), task(1, 0.7, 1), task(2, 0.2, 2), task(3, 0.1, 3)];
        let groups = [TaskGroup { tasks: 4, completed: 0 }];
        let nodes = [node(0, 5e-3), node(0, 5e-3), node(0, 4e-3), node(0, 1e-3), node(1, 0.5e-3), node(1, 4.5e-3)];
        let view =
            SpeculationView { now: 100.0, tasks: &tasks, groups: &groups, nodes: &nodes, copies_running: 0, slots: 6 };
        let mut late = Late { cap: 0.1, slow_task: 0.25, slow_node: 0.25, min_runtime: 60.0 };
        assert_eq!(late.speculate(&view, &mut SimRng::new(1)), vec![CopyOrder { task: 3, node: 5 }]);
        // The cap (10% of 6 slots, rounded up: 1) is reached by one copy running.
        let view = SpeculationView { copies_running: 1, ..view };
        assert!(late.speculate(&view, &mut SimRng::new(1)).is_empty());
    }
}
