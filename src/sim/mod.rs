//! One run: a scenario's world with one balancer and one discipline, driven by the
//! engine until every task has left, and its metrics.
//!
//! ```text
//!  arrival ─▶ dispatcher d ──Task msg (latency)──▶ node: queue ─▶ cores ─▶ Done
//!                 ▲                                                      │
//!                 └────────── Result msg + state report (latency) ◀──────┘
//!  node ──Heartbeat msg + state report, every interval──▶ every dispatcher
//!  dispatcher: no heartbeat for `timeout` ⇒ node declared dead ⇒ its outstanding
//!              attempts are resubmitted (after a backoff) or fail after max_attempts
//! ```
//!
//! A task is a *job*; each time it is sent to a node that is an *attempt*. A crash
//! loses everything queued and running on the node and every result it sent that has
//! not arrived; the dispatcher learns of it only by missing heartbeats. A false
//! suspicion, or a task timeout, can leave two attempts of one job running: the first
//! result to arrive completes the job, and the other's work is counted as wasted.
//!
//! Every random draw that does not depend on the policy (arrivals, sizes, failures,
//! message latencies keyed by message) comes from streams seeded by the replication
//! alone, so every policy faces the same tasks, failures and network (common random
//! numbers).

mod dispatcher;
mod entities;

use crate::engine::{derive_seed, EventId, EventQueue, SimRng, SimTime};
pub use crate::metrics::RunOutput;
use crate::metrics::{FaultRecord, Recorder, RunResult, WarmupRule};
use crate::model::queue::TaskQueue;
use crate::model::{stream, Mode, Node, NodeId, NodeSpec, Task};
use crate::policy::registry::{build_balancer, build_discipline, BuildContext};
use crate::policy::{Balancer, ClusterView, Discipline, NodeBelief, PolicySpec};
use crate::scenario::{FaultKind, Faults, Reports, Scenario, ScriptedFault, Split, Stop, Warmup};
use crate::workload::{Dist, TaskSource};
use dispatcher::Dispatcher;
use entities::{Attempt, Job, Message, Report, Slab};
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
    /// The trace being replayed could not be read.
    #[error("trace: {0}")]
    Trace(String),
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

/// Makes a balancer for a cluster (one per dispatcher), or says why it cannot.
pub type BalancerFactory<'a> = dyn Fn(&BuildContext<'_>) -> Result<Box<dyn Balancer>, String> + 'a;

/// What the engine delivers: the model's closed set of events. Each is 8 bytes (a
/// queue entry 24); events that can be superseded are checked against the id their
/// owner keeps (lazy cancellation).
#[derive(Debug, Clone, Copy)]
enum Event {
    /// The next task reaches a dispatcher.
    Arrival,
    /// A message reaches its destination.
    Deliver { msg: u32 },
    /// An attempt finished running on its node.
    Done { attempt: u32 },
    /// A node sends its heartbeats.
    Beat { node: u32 },
    /// A dispatcher's failure detector looks at a node.
    Check { node: u32, dispatcher: u16 },
    /// A node fails (its random failure process).
    Crash { node: u32 },
    /// A node comes back.
    Recover { node: u32 },
    /// A scripted fault starts.
    Scripted { index: u32 },
    /// A node's slowdown ends.
    SlowEnd { node: u32 },
    /// A job's backoff ends: resubmit it.
    Retry { job: u32 },
    /// An attempt's result is overdue.
    Timeout { attempt: u32 },
    /// The warm-up (by time) ends: snapshot the nodes' busy time.
    WarmupEnd,
}

const _: () = assert!(std::mem::size_of::<Event>() == 8);

/// How many windows a run's time series aims at.
const TIMESERIES_WINDOWS: f64 = 200.0;

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
    /// Size estimate.
    pub estimate: f64,
    /// The node whose result completed it; `None` if it failed.
    pub node: Option<NodeId>,
    /// When the completing attempt first started running (NaN if it failed).
    pub start: SimTime,
    /// When the completing attempt finished running on its node (NaN if it failed).
    pub finished: SimTime,
    /// When it left: completed (its result reached the dispatcher), or failed.
    pub end: SimTime,
    /// Whether it completed (else it failed).
    pub completed: bool,
    /// Attempts made.
    pub attempts: u32,
    /// Times the completing attempt was preempted.
    pub preemptions: u32,
    /// Under `easy_backfill`: the start reserved for it when it first became the
    /// blocked head of the queue (NaN if it never was).
    pub reservation: SimTime,
}

/// EASY backfilling's reservation for the blocked head of the queue.
#[derive(Debug, Clone, Copy)]
struct Reservation {
    node: NodeId,
    /// The shadow time: when the head can start on `node` if running tasks end as estimated.
    at: SimTime,
    /// Cores and memory free on `node` at `at` beyond what the head needs.
    extra_cores: u32,
    extra_memory: f64,
}

/// One simulation run.
pub struct Simulation {
    queue: EventQueue<Event>,
    mode: Mode,
    specs: Vec<NodeSpec>,
    nodes: Vec<Node>,
    /// Latency of each node's group (`None`: messages arrive at once).
    latency: Vec<Option<Dist>>,
    /// Whether messages to and from each node arrive at once (no latency, no bandwidth).
    instant: Vec<bool>,
    bandwidth: Option<f64>,
    reports: Reports,
    dispatchers: Vec<Dispatcher>,
    split: Split,
    discipline: Arc<dyn Discipline>,
    preemptive: bool,
    backfill_depth: Option<usize>,
    jobs: Slab<Job>,
    attempts: Slab<Attempt>,
    messages: Slab<Message>,
    source: TaskSource,
    recorder: Recorder,
    faults: Faults,
    failure_models: Vec<Option<crate::scenario::FailureModel>>,
    seed: u64,
    retry_rng: SimRng,
    stop: Stop,
    arrivals_done: bool,
    max_in_system: u64,
    warmup: WarmupRule,
    /// The smallest node's cores and memory: a task within both fits every node.
    min_cores: u32,
    min_memory: f64,
    /// The distinct (cores, memory) of the nodes: whether a task fits some node is
    /// decided over these (at most one per group), not over every node.
    shapes: Vec<(u32, f64)>,
    labels: (String, String, String, u32, u64),
    classes: Vec<(String, u32)>,
    group_names: Vec<String>,
    /// Whether a caller observes departures (then their records are kept in `departed`
    /// until the loop hands them over).
    observing: bool,
    departed: Vec<TaskRecord>,
    /// When the last task left: the end of the run.
    last_departure: SimTime,
    /// First reservation of each job that got one under `easy_backfill`, by job seq.
    reservations: std::collections::BTreeMap<u64, SimTime>,
    /// Fault events, kept for replication 0 (for charts).
    fault_log: Option<Vec<FaultRecord>>,
    // Fault statistics.
    retries: u64,
    wasted_work: f64,
    detections: (u64, f64),
    false_suspicions: u64,
    completed_work: f64,
}

impl Simulation {
    /// Builds replication `replication` of `scenario` with one balancer and one
    /// discipline from the registry.
    pub fn new(
        scenario: &Scenario,
        balancer: &PolicySpec,
        discipline: &PolicySpec,
        replication: u32,
    ) -> Result<Self, RunError> {
        let build = |ctx: &BuildContext<'_>| build_balancer(balancer, ctx).map_err(|e| e.to_string());
        Self::with_balancer(scenario, &balancer.to_string(), &build, discipline, replication)
    }

    /// Builds a run with a balancer of your own: `build` makes one instance for each
    /// dispatcher, and `label` names it in the results. See `examples/custom_balancer.rs`.
    pub fn with_balancer(
        scenario: &Scenario,
        label: &str,
        build: &BalancerFactory<'_>,
        discipline: &PolicySpec,
        replication: u32,
    ) -> Result<Self, RunError> {
        let seed = run_seed(scenario.seed, replication);
        let specs = scenario.nodes();
        let mode = scenario.run.mode;
        let ctx = BuildContext { mode, nodes: &specs };
        let discipline_obj = build_discipline(discipline, &ctx).map_err(|e| RunError::Policy(e.to_string()))?;
        let fifo = discipline_obj.is_fifo();
        let k = scenario.run.dispatchers as usize;
        let mut dispatchers = Vec::with_capacity(k);
        for d in 0..k {
            let mut b = build(&ctx).map_err(RunError::Policy)?;
            let beliefs: Vec<NodeBelief> = specs
                .iter()
                .map(|s| NodeBelief { free_cores: s.cores, free_memory: s.memory, ..NodeBelief::default() })
                .collect();
            let view = ClusterView { now: 0.0, mode, specs: &specs, beliefs: &beliefs };
            for n in 0..specs.len() {
                b.on_update(n, &view);
            }
            // Dispatcher 0 keeps the stream a lone dispatcher always had.
            let labels: &[u64] = if d == 0 { &[stream::POLICY] } else { &[stream::POLICY, d as u64] };
            dispatchers.push(Dispatcher {
                beliefs,
                balancer: b,
                rng: SimRng::new(derive_seed(seed, labels)),
                outstanding: vec![Vec::new(); specs.len()],
                last_seen: vec![0.0; specs.len()],
                check_pending: vec![false; specs.len()],
                waiting: TaskQueue::new(fifo),
            });
        }
        let warmup = match (scenario.run.warmup, scenario.run.stop) {
            (Warmup::Fraction(f), Stop::Tasks(n)) => WarmupRule::Tasks((f * n as f64).ceil() as u64),
            (Warmup::Fraction(f), Stop::Horizon(h)) => WarmupRule::Time(f * h),
            (Warmup::Seconds(s), _) => WarmupRule::Time(s),
        };
        // Replication 0 keeps a time series, in windows of about 1/200 of the expected
        // length of the arrivals, and a log of fault events.
        let timeseries = (replication == 0).then(|| {
            let length = match scenario.run.stop {
                Stop::Tasks(n) => n as f64 / scenario.workload.arrival.mean_rate(),
                Stop::Horizon(h) => h,
            };
            (length / TIMESERIES_WINDOWS, specs.len() as u32)
        });
        let groups = &scenario.node_groups;
        let mut sim = Simulation {
            queue: EventQueue::with_capacity(specs.len() + 16),
            mode,
            min_cores: specs.iter().map(|s| s.cores).min().unwrap_or(0),
            shapes: {
                let mut shapes: Vec<(u32, f64)> = Vec::new();
                for s in &specs {
                    if !shapes.contains(&(s.cores, s.memory)) {
                        shapes.push((s.cores, s.memory));
                    }
                }
                shapes
            },
            min_memory: specs.iter().map(|s| s.memory).fold(f64::INFINITY, f64::min),
            nodes: specs.iter().map(|s| Node::new(s, TaskQueue::new(fifo), k)).collect(),
            latency: specs.iter().map(|s| groups[s.group].latency.clone()).collect(),
            instant: specs
                .iter()
                .map(|s| groups[s.group].latency.is_none() && scenario.network.bandwidth.is_none())
                .collect(),
            failure_models: specs.iter().map(|s| groups[s.group].failure.clone()).collect(),
            group_names: groups.iter().map(|g| g.name.clone()).collect(),
            specs,
            bandwidth: scenario.network.bandwidth,
            reports: scenario.network.reports,
            dispatchers,
            split: scenario.run.split,
            preemptive: discipline_obj.preemptive(),
            backfill_depth: discipline_obj.backfill_depth(),
            discipline: discipline_obj,
            jobs: Slab::default(),
            attempts: Slab::default(),
            messages: Slab::default(),
            source: TaskSource::new(&scenario.workload, seed).map_err(|e| RunError::Trace(e.message))?,
            recorder: Recorder::new(warmup, scenario.workload.classes.len(), timeseries),
            faults: scenario.faults.clone(),
            seed,
            retry_rng: SimRng::new(derive_seed(seed, &[stream::RETRY])),
            stop: scenario.run.stop,
            arrivals_done: false,
            max_in_system: scenario.run.max_in_system,
            warmup,
            labels: (scenario.name.clone(), discipline.to_string(), label.to_string(), replication, seed),
            classes: scenario.workload.classes.iter().map(|c| (c.name.clone(), c.priority)).collect(),
            observing: false,
            departed: Vec::new(),
            last_departure: 0.0,
            reservations: std::collections::BTreeMap::new(),
            fault_log: (replication == 0).then(Vec::new),
            retries: 0,
            wasted_work: 0.0,
            detections: (0, 0.0),
            false_suspicions: 0,
            completed_work: 0.0,
        };
        if let WarmupRule::Time(t) = warmup {
            if t > 0.0 {
                sim.queue.schedule_at(t, Event::WarmupEnd);
            }
        }
        sim.start_faults();
        sim.schedule_next_arrival(0, 0.0)?;
        Ok(sim)
    }

    /// Runs until every task has left, then checks conservation and Little's law.
    pub fn run(self) -> Result<RunResult, RunError> {
        self.drive(None).map(|o| o.result)
    }

    /// [`run`](Self::run), with the run's detail.
    pub fn run_detailed(self) -> Result<RunOutput, RunError> {
        self.drive(None)
    }

    /// [`run_detailed`](Self::run_detailed), calling `observe` with the record of every
    /// task as it leaves the system (completed or failed), in order of departure. For
    /// tests and traces; without an observer no record is built.
    pub fn run_observed(self, mut observe: impl FnMut(&TaskRecord)) -> Result<RunOutput, RunError> {
        self.drive(Some(&mut observe))
    }

    /// The event loop. Records of departing tasks are built only when `observe` is given.
    fn drive(mut self, mut observe: Option<&mut dyn FnMut(&TaskRecord)>) -> Result<RunOutput, RunError> {
        self.observing = observe.is_some();
        while let Some((now, id, event)) = self.queue.pop() {
            match event {
                Event::Arrival => self.on_arrival(now)?,
                Event::Deliver { msg } => self.on_deliver(msg, now),
                Event::Done { attempt } => {
                    // A preempted or lost attempt's old completion is stale.
                    if self.attempts.slots[attempt as usize].done_event == id {
                        self.on_done(attempt, now);
                    }
                }
                Event::Beat { node } => self.on_beat(node as usize, id, now),
                Event::Check { node, dispatcher } => self.on_check(dispatcher as usize, node as usize, now),
                Event::Crash { node } => self.on_random_crash(node as usize, now),
                Event::Recover { node } => {
                    if self.nodes[node as usize].recover_event == id {
                        self.recover(node as usize, now);
                    }
                }
                Event::Scripted { index } => self.on_scripted(index as usize, now),
                Event::SlowEnd { node } => {
                    if self.nodes[node as usize].slow_event == id {
                        self.set_speed(node as usize, 1.0, now);
                        self.log(now, node as usize, "recover_speed");
                    }
                }
                Event::Retry { job } => self.on_retry(job, id, now),
                Event::Timeout { attempt } => self.on_timeout(attempt, id, now),
                Event::WarmupEnd => self.snapshot_busy(now),
            }
            if let Some(observe) = observe.as_mut() {
                self.departed.drain(..).for_each(|r| observe(&r));
            }
            // Heartbeats and failures go on for ever; the run ends when the last task leaves.
            if self.arrivals_done && self.jobs.len() == 0 {
                break;
            }
        }
        let end = self.last_departure;
        self.finish(end)
    }

    // ----- arrivals -------------------------------------------------------------

    /// Schedules the arrival of task `seq` after the one at `now`, unless arrivals stop.
    #[inline]
    fn schedule_next_arrival(&mut self, seq: u64, now: SimTime) -> Result<(), RunError> {
        let next = match self.stop {
            Stop::Tasks(n) if seq >= n => None,
            Stop::Tasks(_) => self.next_arrival(now)?,
            Stop::Horizon(h) => self.next_arrival(now)?.filter(|&t| t <= h),
        };
        match next {
            Some(t) => {
                self.queue.schedule_at(t, Event::Arrival);
            }
            None => self.arrivals_done = true,
        }
        Ok(())
    }

    #[inline]
    fn next_arrival(&mut self, now: SimTime) -> Result<Option<SimTime>, RunError> {
        self.source.next_arrival(now).map_err(|e| RunError::Trace(e.message))
    }

    /// Handles an arrival.
    fn on_arrival(&mut self, now: SimTime) -> Result<(), RunError> {
        let seq = self.recorder.arrived();
        let task = self.source.draw(seq, now);
        let measured = self.recorder.arrive(seq, now);
        if measured && seq > 0 && self.warmup == WarmupRule::Tasks(seq) {
            self.snapshot_busy(now);
        }
        self.schedule_next_arrival(seq + 1, now)?;
        let dispatcher = match (self.dispatchers.len(), self.split) {
            (1, _) => 0,
            (k, Split::RoundRobin) => (seq % k as u64) as u16,
            // Keyed by the task, so the split does not depend on any other draw.
            (k, Split::Random) => SimRng::new(derive_seed(self.seed, &[stream::SPLIT, seq])).below(k) as u16,
        };
        let fits = self.fits_some_node(&task);
        let job = self.jobs.insert(Job { task, measured, dispatcher, attempts: 0, retry_event: EventId::NONE });
        if !fits {
            // No node is big enough, now or ever: the task fails, visibly.
            self.fail(job, now);
            return Ok(());
        }
        if self.jobs.len() as u64 > self.max_in_system {
            return Err(RunError::Overloaded { in_system: self.jobs.len(), time: now });
        }
        self.submit(job, now);
        Ok(())
    }

    /// Whether some node has the cores and memory to run `task` at all.
    #[inline]
    fn fits_some_node(&self, task: &Task) -> bool {
        (task.cores <= self.min_cores && task.memory <= self.min_memory)
            || self.shapes.iter().any(|&(cores, memory)| cores >= task.cores && memory >= task.memory)
    }

    /// Hands a job to its dispatcher: placed at once in dispatch mode (or parked if no
    /// node is believed up), queued in central mode.
    fn submit(&mut self, job: u32, now: SimTime) {
        let d = self.jobs.slots[job as usize].dispatcher as usize;
        match self.mode {
            Mode::Dispatch => {
                if !self.try_place(d, job, now) {
                    let task = &self.jobs.slots[job as usize].task;
                    self.dispatchers[d].waiting.push(job, 0.0, task.seq);
                }
            }
            Mode::Central => {
                let task = &self.jobs.slots[job as usize].task;
                self.dispatchers[d].waiting.push(job, self.discipline.rank(task), task.seq);
                self.place_waiting(d, now);
            }
        }
    }

    /// Asks dispatcher `d`'s balancer for a node for `job` and sends it there; false if
    /// no node fits now.
    #[inline]
    fn try_place(&mut self, d: usize, job: u32, now: SimTime) -> bool {
        let disp = &mut self.dispatchers[d];
        let view = ClusterView { now, mode: self.mode, specs: &self.specs, beliefs: &disp.beliefs };
        let task = &self.jobs.slots[job as usize].task;
        match disp.balancer.select(task, &view, &mut disp.rng) {
            Some(node) => {
                debug_assert!(view.fits(node, task), "balancer chose node {node}, which cannot take the task");
                self.send(d, node, job, now);
                true
            }
            None => false,
        }
    }

    /// Places waiting jobs of dispatcher `d` in order while the next finds a node (in
    /// central mode: the first that finds none blocks the rest, but for backfilling).
    fn place_waiting(&mut self, d: usize, now: SimTime) {
        while let Some(job) = self.dispatchers[d].waiting.peek() {
            if !self.try_place(d, job, now) {
                break;
            }
            self.dispatchers[d].waiting.pop();
        }
        if self.mode == Mode::Central {
            if let (Some(depth), Some(head)) = (self.backfill_depth, self.dispatchers[d].waiting.peek()) {
                self.backfill(d, head, depth, now);
            }
        }
    }

    // ----- EASY backfilling (central mode) ------------------------------------------

    /// EASY backfilling (Lifka, "The ANL/IBM SP scheduling system", JSSPP 1995; Mu'alem
    /// and Feitelson, IEEE TPDS 2001): the blocked head gets a reservation at the
    /// earliest time enough cores and memory free up on some node, by the running
    /// tasks' estimates; a later task may start now if it fits now and either ends (by
    /// its estimate) before that time, or, on the reserved node, uses only what the head
    /// will leave spare. Up to `depth` tasks behind the head are tried, in queue order.
    ///
    /// Cost *O*(nodes x cores) for the reservation plus the balancer's cost per tried
    /// task: backfilling must look at every node by definition.
    fn backfill(&mut self, d: usize, head: u32, depth: usize, now: SimTime) {
        let Some(mut res) = self.reservation(head, now) else { return };
        let head_seq = self.jobs.slots[head as usize].task.seq;
        self.note_reservation(head_seq, res.at);
        let mut position = 1;
        while position <= depth {
            let Some(job) = self.dispatchers[d].waiting.fifo_at(position) else { break };
            let task = &self.jobs.slots[job as usize].task;
            let (cores, memory) = (task.cores, task.memory);
            let ends_in_time = now + task.remaining_estimate() / self.specs[res.node].speed <= res.at;
            let disp = &mut self.dispatchers[d];
            // Hold back on the reserved node what the head needs at the shadow time,
            // unless this task will be gone by then.
            let r = &mut disp.beliefs[res.node];
            let saved = (r.free_cores, r.free_memory);
            if !ends_in_time {
                r.free_cores = r.free_cores.min(res.extra_cores);
                r.free_memory = r.free_memory.min(res.extra_memory);
            }
            let view = ClusterView { now, mode: self.mode, specs: &self.specs, beliefs: &disp.beliefs };
            let chosen = disp.balancer.select(task, &view, &mut disp.rng);
            let r = &mut disp.beliefs[res.node];
            (r.free_cores, r.free_memory) = saved;
            match chosen {
                Some(node) => {
                    if node == res.node && !ends_in_time {
                        res.extra_cores -= cores;
                        res.extra_memory -= memory;
                    }
                    self.dispatchers[d].waiting.remove_fifo_at(position);
                    self.send(d, node, job, now);
                }
                None => position += 1,
            }
        }
    }

    /// The head's reservation: over every node up and big enough for it, the earliest
    /// time its running tasks (ending as estimated, and not before now) free enough room.
    fn reservation(&self, head: u32, now: SimTime) -> Option<Reservation> {
        let task = &self.jobs.slots[head as usize].task;
        let mut best: Option<Reservation> = None;
        let mut ends: Vec<(SimTime, u32, f64)> = Vec::new();
        for (n, (spec, node)) in self.specs.iter().zip(&self.nodes).enumerate() {
            if spec.cores < task.cores || spec.memory < task.memory || !node.up {
                continue;
            }
            ends.clear();
            ends.extend(node.running.iter().map(|&a| {
                let a = &self.attempts.slots[a as usize];
                let end = a.run_start + a.task.remaining_estimate() / node.speed(spec);
                (end.max(now), a.task.cores, a.task.memory)
            }));
            ends.sort_by(|a, b| a.0.total_cmp(&b.0));
            let (mut cores, mut memory, mut at) = (node.free_cores, node.free_memory, now);
            for &(end, c, m) in &ends {
                if cores >= task.cores && memory >= task.memory {
                    break;
                }
                (cores, memory, at) = (cores + c, memory + m, end);
            }
            if cores >= task.cores && memory >= task.memory && best.is_none_or(|b| at < b.at) {
                let (extra_cores, extra_memory) = (cores - task.cores, memory - task.memory);
                best = Some(Reservation { node: n, at, extra_cores, extra_memory });
            }
        }
        best
    }

    /// The first reservation a job got, if any (only backfilling makes them).
    #[inline]
    fn take_reservation(&mut self, seq: u64) -> SimTime {
        if self.backfill_depth.is_none() {
            return f64::NAN;
        }
        self.reservations.remove(&seq).unwrap_or(f64::NAN)
    }

    /// Remembers the first reservation a job got (reported in its record).
    fn note_reservation(&mut self, seq: u64, at: SimTime) {
        self.reservations.entry(seq).or_insert(at);
    }

    // ----- the dispatcher sends, the node receives -----------------------------------

    /// Dispatcher `d` sends a new attempt of `job` to `node`.
    fn send(&mut self, d: usize, node: NodeId, job: u32, now: SimTime) {
        let j = &mut self.jobs.slots[job as usize];
        j.attempts += 1;
        let number = j.attempts;
        let attempt = self.attempts.insert(Attempt {
            task: j.task.clone(),
            job,
            number,
            dispatcher: d as u16,
            node: node as u32,
            sent: now,
            start: f64::NAN,
            run_start: f64::NAN,
            done_event: EventId::NONE,
            timeout_event: EventId::NONE,
            preemptions: 0,
            finished: f64::NAN,
        });
        let seq = j.task.seq;
        let disp = &mut self.dispatchers[d];
        // Only a failure detector needs to know what to resubmit.
        if self.faults.heartbeat.is_some() {
            disp.outstanding[node].push((job, seq, number));
        }
        let a = &self.attempts.slots[attempt as usize];
        let b = &mut disp.beliefs[node];
        b.connections += 1;
        b.sent += 1;
        b.sent_since_report += 1;
        b.work_left += a.task.estimate;
        b.free_cores = b.free_cores.saturating_sub(a.task.cores);
        b.free_memory -= a.task.memory;
        let view = ClusterView { now, mode: self.mode, specs: &self.specs, beliefs: &disp.beliefs };
        disp.balancer.on_update(node, &view);
        if let Some(t) = self.faults.retry.timeout {
            let id = self.queue.schedule_at(now + t, Event::Timeout { attempt });
            self.attempts.slots[attempt as usize].timeout_event = id;
        }
        let delay = self.delay(node, seq, number as u64, 0, self.attempts.slots[attempt as usize].task.input);
        self.transmit(Message::Task { attempt, node }, delay, now);
    }

    /// One-way delay of a message to or from `node`: the group's latency, drawn from a
    /// stream keyed by the message (`a`, `b`, `direction`), so every policy sees the
    /// same latency for the same message; plus `bytes / bandwidth`.
    #[inline]
    fn delay(&self, node: NodeId, a: u64, b: u64, direction: u64, bytes: f64) -> f64 {
        if self.instant[node] {
            return 0.0;
        }
        let latency = match &self.latency[node] {
            None => 0.0,
            Some(dist) => dist.sample(&mut SimRng::new(derive_seed(self.seed, &[stream::NETWORK, a, b, direction]))),
        };
        latency + self.bandwidth.map_or(0.0, |bw| bytes / bw)
    }

    /// Sends a message: delivered at once without delay, else by an event.
    #[inline]
    fn transmit(&mut self, msg: Message, delay: f64, now: SimTime) {
        if delay > 0.0 {
            let id = self.messages.insert(msg);
            self.queue.schedule_at(now + delay, Event::Deliver { msg: id });
        } else {
            self.deliver(msg, now)
        }
    }

    fn on_deliver(&mut self, msg: u32, now: SimTime) {
        let m = self.messages.slots[msg as usize];
        self.messages.remove(msg);
        self.deliver(m, now)
    }

    #[inline]
    fn deliver(&mut self, msg: Message, now: SimTime) {
        match msg {
            Message::Task { attempt, node } => self.receive(node, attempt, now),
            Message::Result { attempt, node, epoch, report } => self.on_result(attempt, node, epoch, report, now),
            Message::Heartbeat { node, dispatcher, epoch, report } => {
                self.on_heartbeat(dispatcher as usize, node, epoch, report, now)
            }
        }
    }

    /// Node side: `node` receives an attempt into its queue (a node that is down loses
    /// it), preempts for it if the discipline says so, and starts what can start.
    fn receive(&mut self, node: NodeId, attempt: u32, now: SimTime) {
        let n = &mut self.nodes[node];
        let a = &self.attempts.slots[attempt as usize];
        if !n.up {
            self.attempts.remove(attempt);
            return;
        }
        n.received[a.dispatcher as usize] += 1;
        n.queue.push(attempt, self.discipline.rank(&a.task), a.task.seq);
        if self.preemptive {
            self.preempt_for_head(node, now);
        }
        self.start_ready(node, now);
    }

    // ----- execution on a node ---------------------------------------------------

    /// Preemptive disciplines: while the head of `node`'s queue lacks room and ranks
    /// strictly better than a running attempt, stop the worst-ranked one (ties: the one
    /// that started last) and put it back in the queue; it later resumes where it
    /// stopped (preemptive-resume). Preempts only if that makes room for the head.
    fn preempt_for_head(&mut self, node: NodeId, now: SimTime) {
        self.checkpoint(node, now);
        loop {
            let n = &self.nodes[node];
            let Some(head) = n.queue.peek() else { return };
            let head = &self.attempts.slots[head as usize].task;
            if head.cores <= n.free_cores && head.memory <= n.free_memory {
                return;
            }
            let head_rank = self.discipline.rank(head);
            let (mut cores, mut memory) = (n.free_cores, n.free_memory);
            let mut worst: Option<(f64, usize)> = None;
            for (i, &r) in n.running.iter().enumerate() {
                let t = &self.attempts.slots[r as usize].task;
                let rank = self.discipline.rank(t);
                if rank > head_rank {
                    cores += t.cores;
                    memory += t.memory;
                    if worst.is_none_or(|(w, _)| rank >= w) {
                        worst = Some((rank, i));
                    }
                }
            }
            let Some((_, i)) = worst else { return };
            if cores < head.cores || memory < head.memory {
                return;
            }
            let n = &mut self.nodes[node];
            let id = n.running.swap_remove(i);
            n.account(&self.specs[node], now);
            let a = &mut self.attempts.slots[id as usize];
            n.free_cores += a.task.cores;
            n.free_memory += a.task.memory;
            a.done_event = EventId::NONE;
            a.preemptions += 1;
            n.queue.push(id, self.discipline.rank(&a.task), a.task.seq);
        }
    }

    /// Brings the work done of every attempt running on `node` up to `now`, so ranks
    /// such as remaining work are current and a speed change can take effect.
    fn checkpoint(&mut self, node: NodeId, now: SimTime) {
        let speed = self.nodes[node].speed(&self.specs[node]);
        for &r in &self.nodes[node].running {
            let a = &mut self.attempts.slots[r as usize];
            a.task.work_done = (a.task.work_done + (now - a.run_start) * speed).min(a.task.size);
            a.run_start = now;
        }
    }

    /// Starts queued attempts on `node` while the next one has the cores and memory free.
    #[inline]
    fn start_ready(&mut self, node: NodeId, now: SimTime) {
        let n = &mut self.nodes[node];
        let spec = &self.specs[node];
        let speed = n.speed(spec);
        while let Some(id) = n.queue.peek() {
            let a = &mut self.attempts.slots[id as usize];
            if a.task.cores > n.free_cores || a.task.memory > n.free_memory {
                break;
            }
            n.queue.pop();
            n.account(spec, now);
            n.free_cores -= a.task.cores;
            n.free_memory -= a.task.memory;
            n.running.push(id);
            if a.start.is_nan() {
                a.start = now;
            }
            a.run_start = now;
            let left = (a.task.size - a.task.work_done).max(0.0);
            a.done_event = self.queue.schedule_at(now + left / speed, Event::Done { attempt: id });
        }
    }

    /// An attempt finished on its node: free its room, send the result (with a state
    /// report if the scenario says so), and start what can start.
    fn on_done(&mut self, attempt: u32, now: SimTime) {
        let a = &mut self.attempts.slots[attempt as usize];
        a.done_event = EventId::NONE;
        a.finished = now;
        let node = a.node as usize;
        let (cores, memory, seq, number, output, d) =
            (a.task.cores, a.task.memory, a.task.seq, a.number, a.task.output, a.dispatcher);
        let n = &mut self.nodes[node];
        n.account(&self.specs[node], now);
        n.free_cores += cores;
        n.free_memory += memory;
        if let Some(i) = n.running.iter().position(|&r| r == attempt) {
            n.running.swap_remove(i);
        }
        let report = (self.reports == Reports::Results)
            .then(|| Report { queue: (n.queue.len() + n.running.len()) as u32, received: n.received[d as usize] });
        let epoch = n.epoch;
        if self.mode == Mode::Dispatch {
            self.start_ready(node, now);
        }
        let delay = self.delay(node, seq, number as u64, 1, output);
        self.transmit(Message::Result { attempt, node, epoch, report }, delay, now)
    }

    // ----- results at the dispatcher ---------------------------------------------

    /// The result of an attempt reaches its dispatcher: update the belief, and complete
    /// the job if no other attempt did first. A result sent before its node crashed is
    /// lost with the node.
    fn on_result(&mut self, attempt: u32, node: NodeId, epoch: u32, report: Option<Report>, now: SimTime) {
        let a = &self.attempts.slots[attempt as usize];
        if epoch != self.nodes[node].epoch {
            // The node crashed after sending it: the work is lost.
            self.wasted_work += a.task.size;
            self.attempts.remove(attempt);
            return;
        }
        let d = a.dispatcher as usize;
        let (job, seq, number) = (a.job, a.task.seq, a.number);
        let disp = &mut self.dispatchers[d];
        // Without a failure detector every result is of an attempt still counted; with
        // one, an attempt of a node declared dead (and so forgotten) is not.
        let known = if self.faults.heartbeat.is_some() {
            let outstanding = &mut disp.outstanding[node];
            let i = outstanding.iter().position(|&(j, s, k)| (j, s, k) == (job, seq, number));
            i.map(|i| outstanding.swap_remove(i)).is_some()
        } else {
            true
        };
        if known {
            let b = &mut disp.beliefs[node];
            b.connections = b.connections.saturating_sub(1);
            b.work_left = if b.connections == 0 { 0.0 } else { (b.work_left - a.task.estimate).max(0.0) };
            b.free_cores = (b.free_cores + a.task.cores).min(self.specs[node].cores);
            b.free_memory = (b.free_memory + a.task.memory).min(self.specs[node].memory);
        }
        let b = &mut disp.beliefs[node];
        b.results += 1;
        b.last_response = now - a.sent;
        if let Some(r) = report {
            b.reported_queue = r.queue;
            b.sent_since_report = b.sent.saturating_sub(r.received) as u32;
        }
        let view = ClusterView { now, mode: self.mode, specs: &self.specs, beliefs: &disp.beliefs };
        disp.balancer.on_update(node, &view);

        let j = &self.jobs.slots[job as usize];
        if j.is(seq) {
            let service = a.task.size / self.specs[node].speed;
            let wait = a.start - j.task.arrival;
            self.recorder.complete(j.measured, j.task.class, j.task.arrival, now, wait, service, j.task.deadline);
            if j.measured {
                self.completed_work += j.task.size;
            }
            if self.observing {
                let record = TaskRecord {
                    seq,
                    class: j.task.class,
                    arrival: j.task.arrival,
                    size: j.task.size,
                    estimate: j.task.estimate,
                    node: Some(node),
                    start: a.start,
                    finished: a.finished,
                    end: now,
                    completed: true,
                    attempts: j.attempts,
                    preemptions: a.preemptions,
                    reservation: self.take_reservation(seq),
                };
                self.departed.push(record);
            }
            self.leave(job, now);
        } else {
            // Another attempt of this job completed first.
            self.wasted_work += a.task.size;
        }
        self.attempts.remove(attempt);
        if self.mode == Mode::Central || !self.dispatchers[d].waiting.is_empty() {
            self.place_waiting(d, now);
        }
    }

    /// A job leaves the system (completed or failed): free its slot so that no late
    /// attempt can be taken for it.
    #[inline]
    fn leave(&mut self, job: u32, now: SimTime) {
        self.last_departure = now;
        self.jobs.slots[job as usize].task.seq = u64::MAX;
        self.jobs.slots[job as usize].retry_event = EventId::NONE;
        self.jobs.remove(job);
    }

    /// Records a job's failure and frees it.
    fn fail(&mut self, job: u32, now: SimTime) {
        let j = &self.jobs.slots[job as usize];
        self.recorder.fail(j.measured, j.task.class, j.task.arrival, now, j.task.deadline);
        let record = if !self.observing {
            None
        } else {
            Some(TaskRecord {
                seq: j.task.seq,
                class: j.task.class,
                arrival: j.task.arrival,
                size: j.task.size,
                estimate: j.task.estimate,
                node: None,
                start: f64::NAN,
                finished: f64::NAN,
                end: now,
                completed: false,
                attempts: j.attempts,
                preemptions: 0,
                reservation: f64::NAN,
            })
        };
        if let Some(mut record) = record {
            record.reservation = self.take_reservation(record.seq);
            self.departed.push(record);
        }
        self.leave(job, now);
    }

    // ----- heartbeats and failure detection --------------------------------------

    /// A node sends a heartbeat, with its state report, to every dispatcher, and plans
    /// the next one.
    fn on_beat(&mut self, node: NodeId, id: EventId, now: SimTime) {
        let n = &mut self.nodes[node];
        if !n.up || n.beat_event != id {
            return;
        }
        let Some(hb) = self.faults.heartbeat else { return };
        n.beats += 1;
        let (beat, epoch, queue) = (n.beats, n.epoch, (n.queue.len() + n.running.len()) as u32);
        n.beat_event = self.queue.schedule_at(now + hb.interval, Event::Beat { node: node as u32 });
        for d in 0..self.dispatchers.len() {
            let report = Report { queue, received: self.nodes[node].received[d] };
            let delay = self.delay(node, node as u64, beat, 2 + d as u64, 0.0);
            self.transmit(Message::Heartbeat { node, dispatcher: d as u16, epoch, report }, delay, now);
        }
    }

    /// A heartbeat reaches dispatcher `d`: the node is alive (taken back if it was
    /// declared dead), and its report updates the belief.
    fn on_heartbeat(&mut self, d: usize, node: NodeId, epoch: u32, report: Report, now: SimTime) {
        if epoch != self.nodes[node].epoch {
            return; // sent before a crash: says nothing of the node now
        }
        let Some(hb) = self.faults.heartbeat else { return };
        let disp = &mut self.dispatchers[d];
        disp.last_seen[node] = now;
        let b = &mut disp.beliefs[node];
        let back = !b.up;
        if back {
            // Taken back: it starts from what its report says.
            b.up = true;
            b.connections = 0;
            b.work_left = 0.0;
            b.free_cores = self.specs[node].cores;
            b.free_memory = self.specs[node].memory;
        }
        b.reported_queue = report.queue;
        b.sent_since_report = b.sent.saturating_sub(report.received) as u32;
        let view = ClusterView { now, mode: self.mode, specs: &self.specs, beliefs: &disp.beliefs };
        disp.balancer.on_update(node, &view);
        if !disp.check_pending[node] {
            disp.check_pending[node] = true;
            self.queue.schedule_at(now + hb.timeout, Event::Check { node: node as u32, dispatcher: d as u16 });
        }
        if back {
            self.log(now, node, "trusted");
            if !self.dispatchers[d].waiting.is_empty() {
                self.place_waiting(d, now);
            }
        }
    }

    /// Dispatcher `d`'s detector looks at `node`: dead if no heartbeat for `timeout`.
    fn on_check(&mut self, d: usize, node: NodeId, now: SimTime) {
        let Some(hb) = self.faults.heartbeat else { return };
        let disp = &mut self.dispatchers[d];
        disp.check_pending[node] = false;
        if !disp.beliefs[node].up {
            return;
        }
        let due = disp.last_seen[node] + hb.timeout;
        if now < due {
            disp.check_pending[node] = true;
            self.queue.schedule_at(due, Event::Check { node: node as u32, dispatcher: d as u16 });
            return;
        }
        self.declare_dead(d, node, now)
    }

    /// Dispatcher `d` declares `node` dead: no more tasks go there, and every attempt
    /// it sent there and has not seen come back is resubmitted or, at its last
    /// attempt, failed.
    fn declare_dead(&mut self, d: usize, node: NodeId, now: SimTime) {
        if self.nodes[node].up {
            self.false_suspicions += 1;
        } else {
            self.detections.0 += 1;
            self.detections.1 += now - self.nodes[node].crashed_at;
        }
        self.log(now, node, "suspected");
        let disp = &mut self.dispatchers[d];
        let b = &mut disp.beliefs[node];
        b.up = false;
        b.connections = 0;
        b.work_left = 0.0;
        b.sent_since_report = 0;
        b.reported_queue = 0;
        let view = ClusterView { now, mode: self.mode, specs: &self.specs, beliefs: &disp.beliefs };
        disp.balancer.on_update(node, &view);
        let lost = std::mem::take(&mut disp.outstanding[node]);
        for (job, seq, number) in lost {
            let j = &self.jobs.slots[job as usize];
            // Only the job's latest attempt is resubmitted; an older one already was.
            if j.is(seq) && j.attempts == number && j.retry_event == EventId::NONE {
                self.retry_or_fail(job, now);
            }
        }
    }

    /// Resubmits a job after its backoff, or fails it if it has had all its attempts.
    fn retry_or_fail(&mut self, job: u32, now: SimTime) {
        let retry = &self.faults.retry;
        let attempts = self.jobs.slots[job as usize].attempts;
        if attempts >= retry.max_attempts {
            return self.fail(job, now);
        }
        self.retries += 1;
        let mut wait = retry.backoff * retry.factor.powi(attempts as i32 - 1);
        if retry.jitter > 0.0 {
            wait *= 1.0 + retry.jitter * (2.0 * self.retry_rng.open01() - 1.0);
        }
        let id = self.queue.schedule_at(now + wait, Event::Retry { job });
        self.jobs.slots[job as usize].retry_event = id;
    }

    fn on_retry(&mut self, job: u32, id: EventId, now: SimTime) {
        let j = &mut self.jobs.slots[job as usize];
        if j.retry_event != id {
            return; // completed meanwhile by another attempt
        }
        j.retry_event = EventId::NONE;
        self.submit(job, now);
    }

    /// An attempt's result is overdue: resubmit its job (the attempt may still finish,
    /// and then whichever result arrives first wins).
    fn on_timeout(&mut self, attempt: u32, id: EventId, now: SimTime) {
        let a = &self.attempts.slots[attempt as usize];
        if a.timeout_event != id {
            return;
        }
        let j = &self.jobs.slots[a.job as usize];
        if j.is(a.task.seq) && j.attempts == a.number && j.retry_event == EventId::NONE {
            self.retry_or_fail(a.job, now);
        }
    }

    // ----- failures ----------------------------------------------------------------

    /// Schedules the first random failure of every node that can fail, the scripted
    /// faults, and every node's first heartbeat and every detector check.
    fn start_faults(&mut self) {
        for node in 0..self.specs.len() {
            self.schedule_random_crash(node, 0.0);
        }
        for (i, f) in self.faults.events.iter().enumerate() {
            self.queue.schedule_at(f.at, Event::Scripted { index: i as u32 });
        }
        if let Some(hb) = self.faults.heartbeat {
            let n = self.specs.len();
            for node in 0..n {
                // Staggered by the golden ratio so heartbeats do not arrive in bursts.
                let offset = hb.interval * ((node as f64 * 0.618_033_988_749_895).fract());
                self.nodes[node].beat_event = self.queue.schedule_at(offset, Event::Beat { node: node as u32 });
                for d in 0..self.dispatchers.len() {
                    self.dispatchers[d].check_pending[node] = true;
                    self.queue.schedule_at(hb.timeout, Event::Check { node: node as u32, dispatcher: d as u16 });
                }
            }
        }
    }

    /// A node's random failure, `k`-th of its life, drawn from a stream keyed by
    /// (node, k) so every policy sees the same failures.
    fn failure_draw(&self, node: NodeId, k: u32, what: u64) -> Option<f64> {
        let model = self.failure_models[node].as_ref()?;
        let mut rng = SimRng::new(derive_seed(self.seed, &[stream::FAILURES, node as u64, k as u64, what]));
        Some(if what == 0 { model.mtbf.sample(&mut rng) } else { model.mttr.sample(&mut rng) })
    }

    fn schedule_random_crash(&mut self, node: NodeId, now: SimTime) {
        if let Some(ttf) = self.failure_draw(node, self.nodes[node].crashes, 0) {
            self.queue.schedule_at(now + ttf, Event::Crash { node: node as u32 });
        }
    }

    fn on_random_crash(&mut self, node: NodeId, now: SimTime) {
        if !self.nodes[node].up {
            return; // already down (a scripted crash): the process resumes on recovery
        }
        let ttr = self.failure_draw(node, self.nodes[node].crashes, 1).unwrap_or(0.0);
        self.crash(node, now, ttr);
    }

    fn on_scripted(&mut self, index: usize, now: SimTime) {
        let ScriptedFault { nodes, kind, .. } = self.faults.events[index].clone();
        for node in nodes {
            match kind {
                FaultKind::Crash { duration } => {
                    if self.nodes[node].up {
                        self.crash(node, now, duration);
                    }
                }
                FaultKind::Slowdown { factor, duration } => {
                    if self.nodes[node].up {
                        self.set_speed(node, factor, now);
                        self.log(now, node, "slowdown");
                        let id = self.queue.schedule_at(now + duration, Event::SlowEnd { node: node as u32 });
                        self.nodes[node].slow_event = id;
                    }
                }
            }
        }
    }

    /// Fail-stop: everything queued and running on the node is lost, and so is every
    /// message it sent that has not arrived (its epoch changes). Back after `down_for`.
    fn crash(&mut self, node: NodeId, now: SimTime, down_for: f64) {
        self.checkpoint(node, now);
        let n = &mut self.nodes[node];
        n.account(&self.specs[node], now);
        n.up = false;
        n.epoch += 1;
        n.crashes += 1;
        n.crashed_at = now;
        n.speed_factor = 1.0;
        n.slow_event = EventId::NONE;
        n.beat_event = EventId::NONE;
        let running = std::mem::take(&mut n.running);
        let mut queued = Vec::new();
        while let Some(a) = n.queue.pop() {
            queued.push(a);
        }
        n.free_cores = self.specs[node].cores;
        n.free_memory = self.specs[node].memory;
        for a in running.into_iter().chain(queued) {
            let attempt = &mut self.attempts.slots[a as usize];
            self.wasted_work += attempt.task.work_done;
            attempt.done_event = EventId::NONE;
            attempt.timeout_event = EventId::NONE;
            self.attempts.remove(a);
        }
        n.recover_event = self.queue.schedule_at(now + down_for, Event::Recover { node: node as u32 });
        let up = self.nodes.iter().filter(|n| n.up).count() as u32;
        self.recorder.nodes_up(now, up);
        self.log(now, node, "crash");
    }

    /// The node comes back, empty, and starts sending heartbeats again.
    fn recover(&mut self, node: NodeId, now: SimTime) {
        let n = &mut self.nodes[node];
        n.account(&self.specs[node], now);
        n.up = true;
        n.down_time += now - n.crashed_at;
        n.recover_event = EventId::NONE;
        n.beat_event = self.queue.schedule_at(now, Event::Beat { node: node as u32 });
        let up = self.nodes.iter().filter(|n| n.up).count() as u32;
        self.recorder.nodes_up(now, up);
        self.log(now, node, "recover");
        self.schedule_random_crash(node, now);
    }

    /// Changes a node's speed: running attempts keep the work done so far and finish
    /// the rest at the new speed.
    fn set_speed(&mut self, node: NodeId, factor: f64, now: SimTime) {
        self.checkpoint(node, now);
        self.nodes[node].speed_factor = factor;
        let speed = self.nodes[node].speed(&self.specs[node]);
        for i in 0..self.nodes[node].running.len() {
            let id = self.nodes[node].running[i];
            let a = &mut self.attempts.slots[id as usize];
            let left = (a.task.size - a.task.work_done).max(0.0);
            a.done_event = self.queue.schedule_at(now + left / speed, Event::Done { attempt: id });
        }
    }

    fn log(&mut self, time: SimTime, node: NodeId, event: &'static str) {
        if let Some(log) = &mut self.fault_log {
            log.push(FaultRecord { time, node, group: self.group_names[self.specs[node].group].clone(), event });
        }
    }

    // ----- the end -----------------------------------------------------------------

    /// The warm-up ends now: remember each node's busy time so far.
    fn snapshot_busy(&mut self, now: SimTime) {
        for (n, spec) in self.nodes.iter_mut().zip(&self.specs) {
            n.account(spec, now);
            n.busy_at_warmup = n.busy_core_seconds;
        }
    }

    fn finish(mut self, end: SimTime) -> Result<RunOutput, RunError> {
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
        let (mut result, mut detail) = self
            .recorder
            .finish(end, self.jobs.len() as u64, &busy, &cores, self.queue.delivered())
            .map_err(RunError::Invariant)?;
        let (scenario, discipline, balancer, replication, seed) = self.labels;
        result.scenario = scenario;
        result.discipline = discipline;
        result.balancer = balancer;
        result.replication = replication;
        result.seed = seed;
        result.retries = self.retries;
        result.wasted_work = self.wasted_work;
        result.false_suspicions = self.false_suspicions;
        result.detection_latency =
            if self.detections.0 > 0 { self.detections.1 / self.detections.0 as f64 } else { f64::NAN };
        let down: f64 = self.nodes.iter().map(|n| n.down_time + if n.up { 0.0 } else { end - n.crashed_at }).sum();
        result.availability = if end > 0.0 { 1.0 - down / (self.nodes.len() as f64 * end) } else { f64::NAN };
        let span = end - result.measured_from;
        result.goodput = if span > 0.0 { self.completed_work / span } else { f64::NAN };
        for (c, (name, priority)) in detail.classes.iter_mut().zip(self.classes) {
            c.class = name;
            c.priority = priority;
        }
        detail.faults = self.fault_log.unwrap_or_default();
        Ok(RunOutput { result, detail })
    }
}
