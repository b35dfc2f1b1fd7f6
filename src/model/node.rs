//! Compute nodes: what they are (spec) and what they are doing (state).

use super::queue::TaskQueue;
use super::TaskId;
use crate::engine::EventId;

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
    /// Tasks running now (at most `cores`).
    pub running: Vec<TaskId>,
    /// Tasks received so far from each dispatcher (reported to it, which compares it
    /// with what it sent to know how many of its tasks a report could not include).
    pub received: Vec<u64>,
    /// Whether it is up (not crashed).
    pub up: bool,
    /// Incremented at every crash: a message sent before a crash carries the old
    /// epoch, and is lost with the node.
    pub epoch: u32,
    /// Fraction of its speed it runs at (below 1 during a slowdown).
    pub speed_factor: f64,
    /// Crashes so far (numbers the draws of its failure process).
    pub crashes: u32,
    /// When it last crashed.
    pub crashed_at: f64,
    /// Total time down before the current outage.
    pub down_time: f64,
    /// The recovery it waits for (any other is stale).
    pub recover_event: EventId,
    /// The end of slowdown it waits for.
    pub slow_event: EventId,
    /// The next heartbeat it will send.
    pub beat_event: EventId,
    /// Heartbeats sent so far (numbers their latency draws).
    pub beats: u64,
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
    pub fn new(spec: &NodeSpec, queue: TaskQueue, dispatchers: usize) -> Self {
        Node {
            queue,
            running: Vec::with_capacity(spec.cores.min(64) as usize),
            received: vec![0; dispatchers],
            up: true,
            epoch: 0,
            speed_factor: 1.0,
            crashes: 0,
            crashed_at: f64::NAN,
            down_time: 0.0,
            recover_event: EventId::NONE,
            slow_event: EventId::NONE,
            beat_event: EventId::NONE,
            beats: 0,
            free_cores: spec.cores,
            free_memory: spec.memory,
            busy_core_seconds: 0.0,
            busy_since: 0.0,
            busy_at_warmup: 0.0,
        }
    }

    /// Work units per second per core now.
    #[inline]
    pub fn speed(&self, spec: &NodeSpec) -> f64 {
        spec.speed * self.speed_factor
    }

    /// Brings the busy-core integral up to `now`; call before any change of `free_cores`.
    #[inline]
    pub fn account(&mut self, spec: &NodeSpec, now: f64) {
        let busy = spec.cores - self.free_cores;
        self.busy_core_seconds += busy as f64 * (now - self.busy_since);
        self.busy_since = now;
    }
}
