//! Policies: balancers decide *which node* a task goes to, disciplines decide *which
//! task* goes next. Both read a view of what the dispatcher knows and return a
//! decision; neither can touch the engine or the world.
//!
//! Adding a built-in policy is one file under `balancer/` or `discipline/` and one
//! entry in `registry/builtin.rs`. The whole-DAG planners (`heft`, `cpop`, `min_min`,
//! `max_min`) are one file each here, sharing `plan/` (the planning problem, the
//! timelines, the planning balancer). A program adds its own beside them with
//! [`registry::Registry::balancer`] and [`registry::Registry::discipline`]: see
//! `examples/custom_balancer.rs` and `examples/custom_discipline.rs`.

pub mod balancer;
pub mod cpop;
pub mod discipline;
pub mod heft;
pub mod index;
pub mod max_min;
pub mod min_min;
pub mod plan;
pub mod registry;
pub mod schedule;
mod spec;
pub mod speculation;

pub use spec::PolicySpec;

use crate::engine::{SimRng, SimTime};
use crate::model::{Mode, NodeId, NodeSpec, Task};
use schedule::CoreSchedule;

/// What one dispatcher believes about one node, built only from what it sent, the
/// results that came back, and the state reports the node sent with them.
///
/// One cache line, aligned to it: a decision among thousands of nodes reads one line
/// per node it looks at, and sending a task there writes the same line. (Unaligned,
/// most beliefs straddled two lines, and `up`, read by every fit test, and
/// `connections`, written at every send, often fell in different ones.)
#[derive(Debug, Clone, PartialEq)]
#[repr(C, align(64))]
pub struct NodeBelief {
    /// Whether the dispatcher believes the node up: false from the moment its failure
    /// detector declares it dead until its next heartbeat. Balancers must not choose a
    /// node believed down ([`ClusterView::fits`] is false for it).
    pub up: bool,
    /// Tasks sent to the node whose completion the dispatcher has not yet seen.
    pub connections: u32,
    /// Tasks sent to the node so far.
    pub sent: u64,
    /// Tasks at the node (waiting + running) in its last state report. Kept only for a
    /// balancer that reads reports ([`Balancer::reads_reports`]), like the next field.
    pub reported_queue: u32,
    /// Tasks this dispatcher sent to the node since that report (which the report
    /// cannot include). `reported_queue + sent_since_report` is its best estimate of
    /// the node's queue.
    pub sent_since_report: u32,
    /// Cores the dispatcher believes free (its own placements minus seen completions).
    /// Kept under [`Upkeep::Full`] only, like the next field and `work_left`, `results`
    /// and `last_response`.
    pub free_cores: u32,
    /// Memory the dispatcher believes free.
    pub free_memory: f64,
    /// Estimated work (sum of size estimates) of the tasks counted in `connections`.
    pub work_left: f64,
    /// Results seen from the node so far.
    pub results: u64,
    /// Response time (sent to result seen) of the last result from the node.
    pub last_response: f64,
}

const _: () = assert!(std::mem::size_of::<NodeBelief>() == 64);

/// Which fields of its [`NodeBelief`]s a dispatcher keeps up to date, chosen once
/// when the run is built. `up`, `connections`, `sent` and the report fields are kept
/// under both (the report fields as [`Balancer::reads_reports`] says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upkeep {
    /// Every field: for a balancer that reads the load beyond its connections
    /// ([`Balancer::reads_load`]), and in any run that reads the free room itself
    /// (central mode's fit test, speculation).
    Full,
    /// Only the fields above: `free_cores`, `free_memory`, `work_left`, `results` and
    /// `last_response` keep the values they started with (or were last reset to),
    /// which saves their arithmetic on every task sent and every result.
    Counts,
}

impl Default for NodeBelief {
    fn default() -> Self {
        NodeBelief {
            up: true,
            connections: 0,
            sent: 0,
            reported_queue: 0,
            sent_since_report: 0,
            free_cores: 0,
            free_memory: 0.0,
            work_left: 0.0,
            results: 0,
            last_response: 0.0,
        }
    }
}

impl NodeBelief {
    /// The belief before anything is sent: up, idle, all of `spec` free.
    pub fn idle(spec: &NodeSpec) -> Self {
        NodeBelief { free_cores: spec.cores, free_memory: spec.memory, ..NodeBelief::default() }
    }

    /// The dispatcher's best estimate of the tasks at the node: last report plus what
    /// it sent since.
    #[inline]
    pub fn queue_estimate(&self) -> u32 {
        self.reported_queue + self.sent_since_report
    }

    /// The dispatcher sent `task` to the node: one more connection; under
    /// [`Upkeep::Full`], its estimate added to the work left, its cores and memory taken.
    #[inline]
    pub fn on_sent(&mut self, task: &Task, upkeep: Upkeep) {
        self.connections += 1;
        self.sent += 1;
        // Saturating: without reports (a balancer that does not read them) nothing
        // resets it.
        self.sent_since_report = self.sent_since_report.saturating_add(1);
        if upkeep == Upkeep::Counts {
            return;
        }
        self.work_left += task.estimate;
        self.free_cores = self.free_cores.saturating_sub(task.cores);
        self.free_memory -= task.memory;
    }

    /// The result of `task`, counted among the connections, came back: its
    /// connection is given back and, under [`Upkeep::Full`], its work and room (never
    /// beyond what the node's spec has; the work left is exactly 0 when no connection
    /// is left, so rounding cannot build up).
    ///
    /// `spec` gives the spec, and is called only under [`Upkeep::Full`]: a dispatcher
    /// that keeps counts never reads it (at thousands of nodes each read is a cache
    /// miss, which a plain reference would let the compiler make before the test).
    #[inline]
    pub fn on_returned<'s>(&mut self, task: &Task, spec: impl FnOnce() -> &'s NodeSpec, upkeep: Upkeep) {
        self.connections = self.connections.saturating_sub(1);
        if upkeep == Upkeep::Counts {
            return;
        }
        let spec = spec();
        self.work_left = if self.connections == 0 { 0.0 } else { (self.work_left - task.estimate).max(0.0) };
        self.free_cores = (self.free_cores + task.cores).min(spec.cores);
        self.free_memory = (self.free_memory + task.memory).min(spec.memory);
    }

    /// A result from the node arrived, `response` seconds after its task was sent:
    /// counted under [`Upkeep::Full`].
    #[inline]
    pub fn on_result(&mut self, response: f64, upkeep: Upkeep) {
        if upkeep == Upkeep::Counts {
            return;
        }
        self.results += 1;
        self.last_response = response;
    }

    /// A state report arrived: `queue` tasks at the node, `received` of this
    /// dispatcher's tasks received so far.
    #[inline]
    pub fn on_report(&mut self, queue: u32, received: u64) {
        self.reported_queue = queue;
        self.sent_since_report = self.sent.saturating_sub(received) as u32;
    }

    /// The failure detector declared the node dead: nothing sent there counts any more.
    pub fn on_suspected(&mut self) {
        self.up = false;
        self.connections = 0;
        self.work_left = 0.0;
        self.sent_since_report = 0;
        self.reported_queue = 0;
    }

    /// A heartbeat took a node believed dead back: it starts empty, all of `spec` free.
    pub fn on_trusted(&mut self, spec: &NodeSpec) {
        self.up = true;
        self.connections = 0;
        self.work_left = 0.0;
        self.free_cores = spec.cores;
        self.free_memory = spec.memory;
    }
}

/// Room on one node that a scheduler keeps back from a decision: the node's free
/// cores and memory are seen as at most these. EASY backfilling holds back, on the
/// node reserved for the blocked head, what the head will need.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hold {
    /// The node.
    pub node: NodeId,
    /// Cores a decision may use there, at most.
    pub cores: u32,
    /// Memory a decision may use there, at most.
    pub memory: f64,
}

/// Cores and memory: here, what every node of a cluster has at least.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Capacity {
    /// Cores.
    pub cores: u32,
    /// Memory, in the scenario's unit.
    pub memory: f64,
}

impl Capacity {
    /// The least cores and the least memory among `specs` (each from its own node,
    /// perhaps different ones); zero for no node. A node's memory that is not a
    /// number (which no valid scenario has) makes the least memory not a number, so
    /// that no task is taken to be within it.
    pub fn least_of(specs: &[NodeSpec]) -> Self {
        let cores = specs.iter().map(|s| s.cores).min().unwrap_or(0);
        let memory = specs.iter().map(|s| s.memory).fold(f64::INFINITY, |least, m| {
            if least.is_nan() || m.is_nan() {
                f64::NAN
            } else {
                least.min(m)
            }
        });
        Capacity { cores, memory: if specs.is_empty() { 0.0 } else { memory } }
    }
}

/// The read-only picture a policy decides on.
#[derive(Clone, Copy)]
pub struct ClusterView<'a> {
    /// The current virtual time.
    pub now: SimTime,
    /// The dispatcher's binding mode.
    pub mode: Mode,
    /// What each node is (index = [`NodeId`]).
    pub specs: &'a [NodeSpec],
    /// What the dispatcher believes about each node (same indexing).
    pub beliefs: &'a [NodeBelief],
    /// Room held back on one node, if any (see [`Hold`]): [`fits`](Self::fits) and
    /// [`free`](Self::free) account for it.
    pub hold: Option<Hold>,
    /// The dispatcher's schedule of each node's cores (same indexing), kept only for a
    /// balancer whose [`Balancer::needs_schedule`] says so; empty otherwise.
    pub schedules: &'a [CoreSchedule],
    /// Cores and memory that every node of `specs` has at least. In dispatch mode a
    /// task within it fits every node believed up, so [`fits`](Self::fits) need not
    /// read the node's spec (a cache line per node looked at, in a cluster of
    /// thousands). Contract: it must not exceed any node's cores or memory, or `fits`
    /// takes nodes too small for the task. Zero, true of any cluster, unless
    /// [`with_least`](Self::with_least) gives more ([`Capacity::least_of`] the specs).
    pub least: Capacity,
}

impl<'a> ClusterView<'a> {
    /// The view at `now` of a dispatcher in `mode`, nothing held back, no schedules,
    /// a least capacity of zero.
    #[inline]
    pub fn new(now: SimTime, mode: Mode, specs: &'a [NodeSpec], beliefs: &'a [NodeBelief]) -> Self {
        ClusterView { now, mode, specs, beliefs, hold: None, schedules: &[], least: Capacity::default() }
    }

    /// This view with the dispatcher's schedules of the nodes' cores.
    #[inline]
    pub fn with_schedules(self, schedules: &'a [CoreSchedule]) -> Self {
        ClusterView { schedules, ..self }
    }

    /// This view with `least`, the cores and memory every node of `specs` has at
    /// least (see [`least`](Self::least) for the contract).
    #[inline]
    pub fn with_least(self, least: Capacity) -> Self {
        ClusterView { least, ..self }
    }

    /// The cores and memory believed free on `node`, less what is held back there.
    #[inline]
    pub fn free(&self, node: NodeId) -> (u32, f64) {
        let b = &self.beliefs[node];
        match self.hold {
            Some(h) if h.node == node => (b.free_cores.min(h.cores), b.free_memory.min(h.memory)),
            _ => (b.free_cores, b.free_memory),
        }
    }
    /// Number of nodes.
    #[inline]
    pub fn len(&self) -> usize {
        self.specs.len()
    }

    /// Whether the cluster has no node (never true in a valid scenario).
    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }

    /// Whether `task` may be placed on `node` now: the node is believed up, and, in
    /// dispatch mode, big enough ever to run it (cores and memory); in central mode, it
    /// has the cores and memory free now.
    #[inline]
    pub fn fits(&self, node: NodeId, task: &Task) -> bool {
        if !self.beliefs[node].up {
            return false;
        }
        match self.mode {
            Mode::Dispatch => {
                (task.cores <= self.least.cores && task.memory <= self.least.memory) || {
                    let s = &self.specs[node];
                    s.cores >= task.cores && s.memory >= task.memory
                }
            }
            Mode::Central => {
                let (cores, memory) = self.free(node);
                cores >= task.cores && memory >= task.memory
            }
        }
    }
}

/// A load-balancing policy: picks the node for each task.
///
/// # Contract
/// - [`select`](Self::select) returns a node for which [`ClusterView::fits`] holds, or
///   `None` if there is none. In central mode `None` makes the task wait for a
///   completion; in dispatch mode it means no node can ever run it, and the task fails.
/// - [`on_update`](Self::on_update) is called after every change of a node's
///   [`NodeBelief`], and once for every node before the first task, so a balancer can
///   keep an index (a heap, a segment tree) instead of scanning all nodes per task;
///   unless [`needs_updates`](Self::needs_updates) says it has no use for them.
/// - It must be deterministic given its inputs and `rng`: draw randomness only from
///   `rng`, and break ties in a stated way.
pub trait Balancer: Send {
    /// Picks the node for `task`, or `None` if no node fits.
    fn select(&mut self, task: &Task, view: &ClusterView<'_>, rng: &mut SimRng) -> Option<NodeId>;

    /// Told that the dispatcher's belief about `node` changed.
    fn on_update(&mut self, _node: NodeId, _view: &ClusterView<'_>) {}

    /// Whether [`on_update`](Self::on_update) does anything: a balancer that keeps no
    /// state of its own about the nodes answers `false`, and is then never told of
    /// updates (a call per task saved). Asked once, when the run is built.
    fn needs_updates(&self) -> bool {
        true
    }

    /// Whether it reads the nodes' state reports ([`NodeBelief::reported_queue`],
    /// [`NodeBelief::sent_since_report`], [`NodeBelief::queue_estimate`]). A balancer
    /// that answers `false` gets beliefs whose report fields are not kept up to date,
    /// and the nodes send no report with their results (work saved per task; reports
    /// with heartbeats, which only faults use, are still applied). Asked once, when the
    /// run is built. The default, `true`, is always correct.
    fn reads_reports(&self) -> bool {
        true
    }

    /// Whether it reads more of a [`NodeBelief`] than `up`, `connections`, `sent` and
    /// the report fields: the free room (`free_cores`, `free_memory`, or
    /// [`ClusterView::free`]), `work_left`, `results` or `last_response`. A balancer
    /// that answers `false` gets beliefs in which those fields are not kept up to date
    /// ([`Upkeep::Counts`]; the free room still is in central mode and with
    /// speculation, which read it themselves), saving their arithmetic on every task.
    /// [`ClusterView::fits`] stays right either way. Asked once, when the run is built.
    /// The default, `true`, is always correct.
    fn reads_load(&self) -> bool {
        true
    }

    /// Whether it decides on when nodes' cores will be free: the dispatcher then keeps
    /// a [`CoreSchedule`] of every node, in [`ClusterView::schedules`], booking each
    /// task it sends and correcting by each result. Asked once, when the run is built.
    fn needs_schedule(&self) -> bool {
        false
    }

    /// Whether it plans whole jobs of many tasks ([`plan_job`](Self::plan_job)). Asked
    /// once, when the run is built; checking a scenario refuses such a balancer when
    /// the workload has no jobs of many tasks (`[workload] job`).
    fn plans_jobs(&self) -> bool {
        false
    }

    /// A job of many tasks arrived at this dispatcher: its plan, a [`plan::Slot`] per
    /// task (a processor is a node: index = [`NodeId`]; [`plan::NOWHERE`] for a task
    /// the plan leaves to [`select`](Self::select)). `job` gives the tasks' estimated
    /// costs on each node and the data on their edges, `view` what the dispatcher
    /// believes now. The simulator then sends each task, when it is released, to its
    /// slot's node, in the order of the slots' starts on that node (see `sim/plans.rs`);
    /// [`select`](Self::select) places what the plan cannot. Called only when
    /// [`plans_jobs`](Self::plans_jobs) says so.
    fn plan_job(&mut self, _job: &dyn plan::Costs, _view: &ClusterView<'_>) -> Vec<plan::Slot> {
        Vec::new()
    }
}

/// A queue discipline: the order in which waiting tasks are served.
///
/// A discipline is a rank: a queue serves the lowest rank first, and tasks of equal
/// rank in the order they entered the queue. In dispatch mode it orders each node's
/// local queue; in central mode the dispatcher's queue.
pub trait Discipline: Send + Sync {
    /// The task's rank: lower is served first. Must not be NaN.
    fn rank(&self, task: &Task) -> f64;

    /// True if every task has the same rank, so a plain FIFO queue serves it exactly
    /// (a fast path: no heap).
    fn is_fifo(&self) -> bool {
        false
    }

    /// True if a waiting task may stop a running one of worse rank (which resumes
    /// later where it stopped). Dispatch mode only.
    fn preemptive(&self) -> bool {
        false
    }

    /// For a preemptive discipline: which running task, if any, to stop so that
    /// `head`, the task served next, can start; `free` is the node's free cores and
    /// memory, `running` its running tasks in order. Called again after each stop
    /// until it answers `None`. Never called when [`preemptive`](Self::preemptive)
    /// is false.
    fn preemption(&self, _head: &Task, _free: (u32, f64), _running: &[&Task]) -> Option<usize> {
        None
    }

    /// `Some(depth)` for EASY backfilling (central mode): when the head of the queue
    /// cannot start, up to `depth` tasks behind it may start if they do not delay its
    /// reservation. The reservation and the scan are
    /// [`discipline::easy_backfill`]'s functions.
    fn backfill_depth(&self) -> Option<usize> {
        None
    }

    /// True for conservative backfilling (central mode): every waiting task holds a
    /// reservation, made by [`discipline::conservative_backfill::pass`], which also
    /// chooses each task's node.
    fn conservative(&self) -> bool {
        false
    }
}
