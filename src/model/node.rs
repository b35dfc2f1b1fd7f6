//! Compute nodes: what they are (spec) and what they are doing (state).

use super::queue::TaskQueue;
use super::TaskId;
use crate::engine::EventId;
use smallvec::SmallVec;

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

/// What a node is doing, as every task placed on it touches: its local queue, what
/// runs (in a run that keeps the list), its free room, its speed and its busy-time
/// accounting. Kept small (two cache lines, aligned to them) and apart from its
/// [`Health`], which only faults touch, and with the two numbers of its [`NodeSpec`]
/// that a task's start and end read (cores, speed).
///
/// Laid out (`repr(C)`) so that a task's arrival, start and end touch only the first
/// line: the queue it joins, the free room and speed the start test reads, and the
/// busy-time integral brought up to date at every start and end. The second holds the
/// list of what runs, which only a run that reads it keeps ([`Node::running`]).
#[derive(Debug)]
#[repr(C, align(64))]
pub(crate) struct Node {
    /// Tasks placed here and not yet started, in the discipline's order.
    pub queue: TaskQueue,
    /// Its cores (the spec's).
    pub cores: u32,
    pub free_cores: u32,
    pub free_memory: f64,
    /// Work units per second per core now: the spec's speed times the slowdown factor
    /// ([`Health::speed_factor`]). Only faults change it: in a run without them it is
    /// the spec's speed, bit for bit.
    pub speed: f64,
    /// Integral of busy cores over time, up to `busy_since`.
    pub busy_core_seconds: f64,
    /// Time the integral was last brought up to date.
    pub busy_since: f64,
    /// Tasks running now (at most `cores`), kept only in a run that reads them
    /// (preemption, faults, central mode, state reports): a run without them leaves
    /// this empty, and its tasks' starts and ends never touch this cache line. A few
    /// are held inline, without a heap allocation of their own.
    pub running: SmallVec<[TaskId; 4]>,
    /// `busy_core_seconds` at the end of the warm-up (subtracted at the end).
    pub busy_at_warmup: f64,
}

const _: () = assert!(std::mem::size_of::<Node>() == 128);
const _: () = assert!(std::mem::offset_of!(Node, busy_since) + 8 <= 64, "a task touches one line of its node");

impl Node {
    /// A node of `spec`, idle, with `queue` as its local queue.
    pub fn new(spec: &NodeSpec, queue: TaskQueue) -> Self {
        Node {
            queue,
            running: SmallVec::new(),
            cores: spec.cores,
            free_cores: spec.cores,
            free_memory: spec.memory,
            speed: spec.speed,
            busy_core_seconds: 0.0,
            busy_since: 0.0,
            busy_at_warmup: 0.0,
        }
    }

    /// Brings the busy-core integral up to `now`; call before any change of `free_cores`.
    #[inline]
    pub fn account(&mut self, now: f64) {
        let busy = self.cores - self.free_cores;
        self.busy_core_seconds += busy as f64 * (now - self.busy_since);
        self.busy_since = now;
    }

    /// Tasks at the node: waiting and running (in a run that keeps the running list).
    #[inline]
    pub fn load(&self) -> u32 {
        (self.queue.len() + self.running.len()) as u32
    }
}

/// A node's life: up or down, its crashes and the events that end them. Only a run
/// with faults reads or changes it.
#[derive(Debug)]
pub(crate) struct Health {
    /// Whether it is up (not crashed).
    pub up: bool,
    /// Fraction of its speed it runs at (below 1 during a slowdown; [`Node::speed`] is
    /// the spec's speed times this).
    pub speed_factor: f64,
    /// Incremented at every crash: a message sent before a crash carries the old
    /// epoch, and is lost with the node.
    pub epoch: u32,
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
}

impl Default for Health {
    /// Up, never crashed, nothing scheduled.
    fn default() -> Self {
        Health {
            up: true,
            speed_factor: 1.0,
            epoch: 0,
            crashes: 0,
            crashed_at: f64::NAN,
            down_time: 0.0,
            recover_event: EventId::NONE,
            slow_event: EventId::NONE,
            beat_event: EventId::NONE,
            beats: 0,
        }
    }
}
