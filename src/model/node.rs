//! Compute nodes: what they are (spec) and what they are doing (state).

use super::queue::TaskQueue;

/// Index of a node in the cluster, from 0.
pub type NodeId = usize;

/// What a node is: fixed for the whole run.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeSpec {
    /// Index of the node group it belongs to.
    pub group: usize,
    /// Work units per second per core.
    pub speed: f64,
    /// Parallel slots: how many one-core tasks it runs at once.
    pub cores: u32,
    /// Memory, in the scenario's unit (tasks' `memory` uses the same).
    pub memory: f64,
    /// Weight for weighted policies (default speed x cores).
    pub weight: f64,
}

/// What a node is doing: its local queue, free resources and accounting.
#[derive(Debug)]
pub(crate) struct Node {
    /// Tasks placed here and not yet started, in the discipline's order.
    pub queue: TaskQueue,
    pub free_cores: u32,
    pub free_memory: f64,
    /// Integral of busy cores over time, up to `busy_since`.
    pub busy_core_seconds: f64,
    /// Time the integral was last brought up to date.
    pub busy_since: f64,
    /// `busy_core_seconds` at the end of the warm-up (subtracted at the end).
    pub busy_at_warmup: f64,
}

impl Node {
    pub fn new(spec: &NodeSpec, queue: TaskQueue) -> Self {
        Node {
            queue,
            free_cores: spec.cores,
            free_memory: spec.memory,
            busy_core_seconds: 0.0,
            busy_since: 0.0,
            busy_at_warmup: 0.0,
        }
    }

    /// Brings the busy-core integral up to `now`; call before any change of `free_cores`.
    #[inline]
    pub fn account(&mut self, spec: &NodeSpec, now: f64) {
        let busy = spec.cores - self.free_cores;
        self.busy_core_seconds += busy as f64 * (now - self.busy_since);
        self.busy_since = now;
    }
}
