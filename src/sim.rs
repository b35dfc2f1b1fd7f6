//! One run: a scenario's world with one balancer and one discipline, driven by the
//! engine until every task has left, and its metrics.

use crate::engine::{derive_seed, EventQueue, SimRng, SimTime};
use crate::metrics::{Recorder, RunResult, WarmupRule};
use crate::model::queue::TaskQueue;
use crate::model::{stream, Mode, Node, NodeId, NodeSpec, Task, TaskId, TaskSource};
use crate::policy::registry::{build_balancer, build_discipline, BuildContext};
use crate::policy::{Balancer, ClusterView, Discipline, NodeBelief, PolicySpec};
use crate::scenario::{Scenario, Stop, Warmup};
use std::sync::Arc;

/// Why a run could not produce results.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// A policy could not be built for this scenario.
    #[error("cannot build policy: {0}")]
    Policy(String),
    /// The system held more tasks than the scenario's `max_in_system`: it is not keeping up.
    #[error(
        "overloaded: {in_system} tasks in the system at t = {time:.3} s, more than max_in_system; the queues grow without bound"
    )]
    Overloaded {
        /// Tasks in the system when the run was stopped.
        in_system: usize,
        /// Virtual time then.
        time: SimTime,
    },
    /// An invariant of the model broke: a bug, and the results are not written.
    #[error("invariant violated: {0}")]
    Invariant(String),
}

/// The seed of replication `replication` of a scenario: every stream of every run of
/// that replication derives from it, whatever the policy, so all policies see the
/// same arrivals and sizes (common random numbers).
pub fn run_seed(scenario_seed: u64, replication: u32) -> u64 {
    derive_seed(scenario_seed, &[replication as u64])
}

/// What the engine delivers: the model's closed set of events.
#[derive(Debug, Clone, Copy)]
enum Event {
    /// The next task reaches the dispatcher.
    Arrival,
    /// `task` finished on the node it runs on; its result reaches the dispatcher at
    /// once. (The node is kept with the task, so an event is 8 bytes and a queue
    /// entry 24.)
    Done { task: TaskId },
    /// The warm-up (by time) ends: snapshot the nodes' busy time.
    WarmupEnd,
}

/// What happened to one task, for [`Simulation::run_observed`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskRecord {
    /// Arrival index, from 0.
    pub seq: u64,
    /// Class index.
    pub class: u16,
    /// Arrival time.
    pub arrival: SimTime,
    /// True size in work units.
    pub size: f64,
    /// The node that ran it; `None` if it never ran.
    pub node: Option<NodeId>,
    /// When it started running (NaN if it never did).
    pub start: SimTime,
    /// When it left: completed, or failed.
    pub end: SimTime,
    /// Whether it completed (else it failed).
    pub completed: bool,
}

const _: () = assert!(std::mem::size_of::<Event>() == 8);

/// A live task and where it is.
#[derive(Debug)]
struct Live {
    task: Task,
    /// Whether the metrics count it (it arrived after the warm-up).
    measured: bool,
    /// When it started running.
    start: SimTime,
    /// The node it was sent to.
    node: u32,
}

/// Live tasks by [`TaskId`]; slots are reused, so memory follows the tasks in flight.
#[derive(Debug, Default)]
struct TaskTable {
    slots: Vec<Live>,
    free: Vec<TaskId>,
}

impl TaskTable {
    #[inline]
    fn insert(&mut self, live: Live) -> TaskId {
        match self.free.pop() {
            Some(id) => {
                self.slots[id as usize] = live;
                id
            }
            None => {
                self.slots.push(live);
                (self.slots.len() - 1) as TaskId
            }
        }
    }

    #[inline]
    fn remove(&mut self, id: TaskId) {
        self.free.push(id);
    }

    #[inline]
    fn len(&self) -> usize {
        self.slots.len() - self.free.len()
    }
}

/// One simulation run.
pub struct Simulation {
    queue: EventQueue<Event>,
    mode: Mode,
    specs: Vec<NodeSpec>,
    nodes: Vec<Node>,
    /// The dispatcher's belief about each node.
    beliefs: Vec<NodeBelief>,
    balancer: Box<dyn Balancer>,
    discipline: Arc<dyn Discipline>,
    /// Central mode: tasks waiting at the dispatcher.
    waiting: TaskQueue,
    tasks: TaskTable,
    source: TaskSource,
    policy_rng: SimRng,
    recorder: Recorder,
    stop: Stop,
    max_in_system: u64,
    warmup: WarmupRule,
    /// The smallest node's cores and memory: a task within both fits every node.
    min_cores: u32,
    min_memory: f64,
    labels: (String, String, String, u32, u64),
}

impl Simulation {
    /// Builds replication `replication` of `scenario` with one balancer and one discipline.
    pub fn new(
        scenario: &Scenario,
        balancer: &PolicySpec,
        discipline: &PolicySpec,
        replication: u32,
    ) -> Result<Self, RunError> {
        let seed = run_seed(scenario.seed, replication);
        let specs = scenario.nodes();
        let mode = scenario.run.mode;
        let ctx = BuildContext { mode, nodes: &specs };
        let mut balancer_obj = build_balancer(balancer, &ctx).map_err(|e| RunError::Policy(e.to_string()))?;
        let discipline_obj = build_discipline(discipline, &ctx).map_err(|e| RunError::Policy(e.to_string()))?;
        let fifo = discipline_obj.is_fifo();
        let nodes: Vec<Node> = specs.iter().map(|s| Node::new(s, TaskQueue::new(fifo))).collect();
        let beliefs: Vec<NodeBelief> =
            specs.iter().map(|s| NodeBelief { connections: 0, free_cores: s.cores, free_memory: s.memory }).collect();
        let view = ClusterView { now: 0.0, mode, specs: &specs, beliefs: &beliefs };
        for n in 0..specs.len() {
            balancer_obj.on_update(n, &view);
        }
        let warmup = match (scenario.run.warmup, scenario.run.stop) {
            (Warmup::Fraction(f), Stop::Tasks(n)) => WarmupRule::Tasks((f * n as f64).ceil() as u64),
            (Warmup::Fraction(f), Stop::Horizon(h)) => WarmupRule::Time(f * h),
            (Warmup::Seconds(s), _) => WarmupRule::Time(s),
        };
        let mut sim = Simulation {
            queue: EventQueue::with_capacity(specs.len() + 16),
            mode,
            min_cores: specs.iter().map(|s| s.cores).min().unwrap_or(0),
            min_memory: specs.iter().map(|s| s.memory).fold(f64::INFINITY, f64::min),
            specs,
            nodes,
            beliefs,
            balancer: balancer_obj,
            discipline: discipline_obj,
            waiting: TaskQueue::new(fifo),
            tasks: TaskTable::default(),
            source: TaskSource::new(&scenario.workload, seed),
            policy_rng: SimRng::new(derive_seed(seed, &[stream::POLICY])),
            recorder: Recorder::new(warmup),
            stop: scenario.run.stop,
            max_in_system: scenario.run.max_in_system,
            warmup,
            labels: (scenario.name.clone(), discipline.to_string(), balancer.to_string(), replication, seed),
        };
        if let WarmupRule::Time(t) = warmup {
            if t > 0.0 {
                sim.queue.schedule_at(t, Event::WarmupEnd);
            }
        }
        sim.schedule_next_arrival(0, 0.0);
        Ok(sim)
    }

    /// Runs until every task has left, then checks conservation and Little's law.
    pub fn run(self) -> Result<RunResult, RunError> {
        self.run_observed(|_| {})
    }

    /// [`run`](Self::run), calling `observe` with the record of every task as it leaves
    /// the system (completed or failed), in order of departure. For tests and traces;
    /// `run` passes a no-op that compiles away.
    pub fn run_observed(mut self, mut observe: impl FnMut(&TaskRecord)) -> Result<RunResult, RunError> {
        while let Some((now, event)) = self.queue.pop() {
            match event {
                Event::Arrival => {
                    if let Some(record) = self.on_arrival(now)? {
                        observe(&record);
                    }
                }
                Event::Done { task } => observe(&self.on_done(now, task)),
                Event::WarmupEnd => self.snapshot_busy(now),
            }
        }
        self.finish()
    }

    /// Schedules the arrival of task `seq` after the one at `now`, unless arrivals stop.
    #[inline]
    fn schedule_next_arrival(&mut self, seq: u64, now: SimTime) {
        match self.stop {
            Stop::Tasks(n) if seq >= n => {}
            Stop::Tasks(_) => {
                let gap = self.source.next_gap();
                self.queue.schedule_at(now + gap, Event::Arrival);
            }
            Stop::Horizon(h) => {
                let t = now + self.source.next_gap();
                if t <= h {
                    self.queue.schedule_at(t, Event::Arrival);
                }
            }
        }
    }

    /// Handles an arrival; returns the task's record if it failed at once.
    fn on_arrival(&mut self, now: SimTime) -> Result<Option<TaskRecord>, RunError> {
        let seq = self.recorder.arrived();
        let task = self.source.draw(seq, now);
        let measured = self.recorder.arrive(seq, now);
        if measured && seq > 0 && self.warmup == WarmupRule::Tasks(seq) {
            self.snapshot_busy(now);
        }
        self.schedule_next_arrival(seq + 1, now);

        if !self.fits_some_node(&task) {
            // No node is big enough, now or ever: the task fails, visibly.
            self.recorder.fail(measured, now, now);
            return Ok(Some(TaskRecord {
                seq,
                class: task.class,
                arrival: now,
                size: task.size,
                node: None,
                start: f64::NAN,
                end: now,
                completed: false,
            }));
        }
        let id = self.tasks.insert(Live { task, measured, start: f64::NAN, node: u32::MAX });
        if self.tasks.len() as u64 > self.max_in_system {
            return Err(RunError::Overloaded { in_system: self.tasks.len(), time: now });
        }
        match self.mode {
            Mode::Dispatch => Ok(self.dispatch(id, now)),
            Mode::Central => {
                let rank = self.discipline.rank(&self.tasks.slots[id as usize].task);
                self.waiting.push(id, rank);
                self.place_waiting(now);
                Ok(None)
            }
        }
    }

    /// Whether some node has the cores and memory to run `task` at all.
    #[inline]
    fn fits_some_node(&self, task: &Task) -> bool {
        (task.cores <= self.min_cores && task.memory <= self.min_memory)
            || self.specs.iter().any(|s| s.cores >= task.cores && s.memory >= task.memory)
    }

    /// Dispatch mode: place the task at once; it waits in the node's queue. Returns the
    /// task's record if no node would take it.
    #[inline]
    fn dispatch(&mut self, id: TaskId, now: SimTime) -> Option<TaskRecord> {
        let view = ClusterView { now, mode: self.mode, specs: &self.specs, beliefs: &self.beliefs };
        let task = &self.tasks.slots[id as usize].task;
        match self.balancer.select(task, &view, &mut self.policy_rng) {
            Some(node) => {
                debug_assert!(view.fits(node, task), "balancer chose node {node}, which cannot run the task");
                self.send(node, id, now);
                let rank = self.discipline.rank(&self.tasks.slots[id as usize].task);
                self.nodes[node].queue.push(id, rank);
                self.start_ready(node, now);
                None
            }
            None => {
                // Unreachable for a task that fits some node (checked on arrival), but
                // a user-written balancer may return None: fail the task, visibly.
                let live = &self.tasks.slots[id as usize];
                self.recorder.fail(live.measured, live.task.arrival, now);
                let record = TaskRecord {
                    seq: live.task.seq,
                    class: live.task.class,
                    arrival: live.task.arrival,
                    size: live.task.size,
                    node: None,
                    start: f64::NAN,
                    end: now,
                    completed: false,
                };
                self.tasks.remove(id);
                Some(record)
            }
        }
    }

    /// Central mode: place waiting tasks, in the discipline's order, while the next one
    /// finds a node with room. The first that finds none waits (and blocks the rest).
    fn place_waiting(&mut self, now: SimTime) {
        while let Some(id) = self.waiting.peek() {
            let view = ClusterView { now, mode: self.mode, specs: &self.specs, beliefs: &self.beliefs };
            let task = &self.tasks.slots[id as usize].task;
            let Some(node) = self.balancer.select(task, &view, &mut self.policy_rng) else { break };
            debug_assert!(view.fits(node, task), "balancer chose node {node}, which lacks room for the task");
            self.waiting.pop();
            self.send(node, id, now);
            self.nodes[node].queue.push(id, 0.0);
            self.start_ready(node, now);
        }
    }

    /// The dispatcher records that it sent task `id` to `node`.
    #[inline]
    fn send(&mut self, node: usize, id: TaskId, now: SimTime) {
        let task = &self.tasks.slots[id as usize].task;
        let b = &mut self.beliefs[node];
        b.connections += 1;
        b.free_cores = b.free_cores.saturating_sub(task.cores);
        b.free_memory -= task.memory;
        let view = ClusterView { now, mode: self.mode, specs: &self.specs, beliefs: &self.beliefs };
        self.balancer.on_update(node, &view);
    }

    /// Starts queued tasks on `node` while the next one has the cores and memory free.
    #[inline]
    fn start_ready(&mut self, node: usize, now: SimTime) {
        let n = &mut self.nodes[node];
        let spec = &self.specs[node];
        while let Some(id) = n.queue.peek() {
            let live = &mut self.tasks.slots[id as usize];
            if live.task.cores > n.free_cores || live.task.memory > n.free_memory {
                break;
            }
            n.queue.pop();
            n.account(spec, now);
            n.free_cores -= live.task.cores;
            n.free_memory -= live.task.memory;
            live.start = now;
            live.node = node as u32;
            self.queue.schedule_at(now + live.task.size / spec.speed, Event::Done { task: id });
        }
    }

    /// A task finished on `node`: free its room, record it, tell the dispatcher, and
    /// start what can start. Returns the task's record.
    fn on_done(&mut self, now: SimTime, id: TaskId) -> TaskRecord {
        let live = &self.tasks.slots[id as usize];
        let node = live.node as usize;
        let spec = &self.specs[node];
        let n = &mut self.nodes[node];
        n.account(spec, now);
        n.free_cores += live.task.cores;
        n.free_memory += live.task.memory;
        let service = live.task.size / spec.speed;
        self.recorder.complete(live.measured, live.task.arrival, now, live.start - live.task.arrival, service);
        let record = TaskRecord {
            seq: live.task.seq,
            class: live.task.class,
            arrival: live.task.arrival,
            size: live.task.size,
            node: Some(node),
            start: live.start,
            end: now,
            completed: true,
        };

        // The result reaches the dispatcher, which updates its belief.
        let b = &mut self.beliefs[node];
        b.connections -= 1;
        b.free_cores += live.task.cores;
        b.free_memory += live.task.memory;
        let view = ClusterView { now, mode: self.mode, specs: &self.specs, beliefs: &self.beliefs };
        self.balancer.on_update(node, &view);
        self.tasks.remove(id);

        match self.mode {
            Mode::Dispatch => self.start_ready(node, now),
            Mode::Central => self.place_waiting(now),
        }
        record
    }

    /// The warm-up ends now: remember each node's busy time so far.
    fn snapshot_busy(&mut self, now: SimTime) {
        for (n, spec) in self.nodes.iter_mut().zip(&self.specs) {
            n.account(spec, now);
            n.busy_at_warmup = n.busy_core_seconds;
        }
    }

    fn finish(mut self) -> Result<RunResult, RunError> {
        let end = self.queue.now();
        let queued = self.waiting.len() + self.nodes.iter().map(|n| n.queue.len()).sum::<usize>();
        if queued > self.tasks.len() {
            return Err(RunError::Invariant(format!("{queued} tasks queued but only {} live", self.tasks.len())));
        }
        let busy: Vec<f64> = self
            .nodes
            .iter_mut()
            .zip(&self.specs)
            .map(|(n, spec)| {
                n.account(spec, end);
                n.busy_core_seconds - n.busy_at_warmup
            })
            .collect();
        let cores: Vec<u32> = self.specs.iter().map(|s| s.cores).collect();
        let mut result = self
            .recorder
            .finish(end, self.tasks.len() as u64, &busy, &cores, self.queue.delivered())
            .map_err(RunError::Invariant)?;
        let (scenario, discipline, balancer, replication, seed) = self.labels;
        result.scenario = scenario;
        result.discipline = discipline;
        result.balancer = balancer;
        result.replication = replication;
        result.seed = seed;
        Ok(result)
    }
}
