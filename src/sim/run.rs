//! [`Run`]: one run's state, grouped by concern, how it is built, and the event loop.

use super::entities::Tasks;
use super::execution::World;
use super::faults::FaultState;
use super::features::Features;
use super::jobs::Jobs;
use super::network::Network;
use super::outcome::Measure;
use super::placement::{Dispatcher, Placement};
use super::plans::PlanNet;
use super::speculation::Speculation;
use super::{RunError, RunOutput, TaskRecord, TIMESERIES_WINDOWS};
use crate::engine::{derive_seed, EventId, EventQueue, SimRng, SimTime};
use crate::metrics::{Recorder, WarmupRule, TREND_WINDOWS};
use crate::model::queue::TaskQueue;
use crate::model::{stream, Node};
use crate::policy::registry::{BuildContext, Registry};
use crate::policy::PolicySpec;
use crate::scenario::{Scenario, Stop, Warmup};
use crate::workload::{JobShape, TaskSource};
use std::marker::PhantomData;

/// What the engine delivers: the model's closed set of events. Each is 8 bytes;
/// events that can be superseded are checked against the id their owner keeps (lazy
/// cancellation). A run without faults or latency only ever sees `Arrival`, `Done`,
/// `WarmupEnd`, `Sample` and (under conservative backfilling) `Wake`.
#[derive(Debug, Clone, Copy)]
pub(super) enum Event {
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
    /// Conservative backfilling: a dispatcher's earliest reservation is due.
    Wake { dispatcher: u16 },
    /// A window ends: sample the tasks in the system for the stability test (only
    /// while arrivals last; a few dozen per run, not counted in the run's events).
    Sample,
    /// A speculation check (`speculation.rs`): which stragglers get a copy.
    Speculate,
}

const _: () = assert!(std::mem::size_of::<Event>() == 8);

/// One run, compiled for the features `F` its scenario uses.
pub(super) struct Run<F: Features> {
    pub queue: EventQueue<Event>,
    /// The nodes: what they are and what they are doing.
    pub world: World,
    /// The dispatchers, their views and balancers, the discipline.
    pub placement: Placement,
    /// Jobs in the system and their attempts.
    pub tasks: Tasks,
    /// Jobs of many tasks in the system (issue 13), if arrivals are jobs.
    pub jobs: Jobs,
    /// Where tasks come from and when arrivals stop.
    pub arrivals: Arrivals,
    /// Latencies and messages in flight.
    pub network: Network,
    /// Injected faults, the failure detector's settings, and fault statistics.
    pub faults: FaultState,
    /// Speculative copies of stragglers, if the run is compiled for them.
    pub speculation: Speculation,
    /// The run's statistics and records.
    pub measure: Measure,
    /// The run seed: every keyed stream derives from it.
    pub seed: u64,
    features: PhantomData<F>,
}

/// Where tasks come from, and when arrivals stop.
pub(super) struct Arrivals {
    pub source: TaskSource,
    pub stop: Stop,
    /// No more arrivals will come.
    pub done: bool,
    /// More tasks in the system than this stops the run (overloaded).
    pub max_in_system: u64,
    /// More events than this at one instant stops the run (stuck): see [`stuck_limit`].
    pub max_at_instant: u64,
    /// A mask of low bits: the instant is looked at when the events delivered have
    /// these bits zero ([`INSTANT_CHECK`]).
    pub instant_check: u64,
}

/// The run looks whether time has moved once every 65,536 events.
pub(super) const INSTANT_CHECK: u64 = (1 << 16) - 1;

/// Events at one instant of virtual time beyond which a run is stopped as stuck: 64
/// per task the system may hold and per node, plus a million. A run that progresses
/// delivers a few events per task and per node at an instant (an arrival, a result, a
/// retry, a heartbeat and its check); a run past this is spinning at one instant
/// (a zero-length period or delay the checks at load time did not refuse), and would
/// otherwise never end.
pub(super) fn stuck_limit(max_in_system: u64, nodes: usize) -> u64 {
    64u64.saturating_mul(max_in_system.saturating_add(nodes as u64)).saturating_add(1_000_000)
}

impl<F: Features> Run<F> {
    /// Builds replication `replication` of `scenario` with the balancer (one per
    /// dispatcher) and discipline that `registry` builds from their specs.
    pub fn build(
        scenario: &Scenario,
        registry: &Registry,
        balancer: &PolicySpec,
        discipline: &PolicySpec,
        replication: u32,
    ) -> Result<Self, RunError> {
        let seed = super::run_seed(scenario.seed, replication);
        let specs = scenario.nodes();
        let mode = scenario.run.mode;
        let ctx = BuildContext { mode, nodes: &specs };
        let policy_error = |e: crate::diagnostic::FieldError| RunError::Policy(e.to_string());
        let discipline_obj = registry.build_discipline(discipline, &ctx).map_err(policy_error)?;
        let fifo = discipline_obj.is_fifo();
        let k = scenario.run.dispatchers as usize;
        let mut dispatchers = Vec::with_capacity(k);
        // Speculation reads the dispatchers' beliefs of the nodes' free room.
        let room_read = F::SPECULATION;
        for d in 0..k {
            let balancer = registry.build_balancer(balancer, &ctx).map_err(policy_error)?;
            // Dispatcher 0 keeps the stream a lone dispatcher always had.
            let labels: &[u64] = if d == 0 { &[stream::POLICY] } else { &[stream::POLICY, d as u64] };
            let rng = SimRng::new(derive_seed(seed, labels));
            dispatchers.push(Dispatcher::new(mode, &specs, balancer, rng, TaskQueue::new(fifo), room_read));
        }
        let reports_read = dispatchers.iter().any(|d| d.balancer.reads_reports());
        let warmup = match (scenario.run.warmup, scenario.run.stop) {
            (Warmup::Fraction(f), Stop::Tasks(n)) => WarmupRule::Tasks((f * n as f64).ceil() as u64),
            (Warmup::Fraction(f), Stop::Horizon(h)) => WarmupRule::Time(f * h),
            (Warmup::Seconds(s), _) => WarmupRule::Time(s),
        };
        // Replication 0 keeps a time series, in windows of about 1/200 of the expected
        // length of the arrivals, and a log of fault events. Every run samples the tasks
        // in the system in windows of 1/64 of it, for the stability test.
        let length = match scenario.run.stop {
            Stop::Tasks(n) => n as f64 / scenario.workload.arrival.mean_rate(),
            Stop::Horizon(h) => h,
        };
        let timeseries = (replication == 0).then(|| (length / TIMESERIES_WINDOWS, specs.len() as u32));
        let trend_width = length / TREND_WINDOWS;
        let recorder =
            Recorder::new(warmup, scenario.workload.classes.len(), timeseries, scenario.run.slowdown_tau, trend_width);
        let source = TaskSource::new(&scenario.workload, seed).map_err(|e| RunError::Trace(e.message))?;
        let fastest = specs.iter().map(|s| s.speed).fold(0.0, f64::max);
        let job = scenario.workload.job.as_ref();
        let tabled = matches!(job, Some(JobShape::Workflow { dag, .. }) if dag.runtimes.is_some());
        // What planners are told of the network, only if jobs are planned.
        let net = (job.is_some() && dispatchers.iter().any(|d| d.balancer.plans_jobs()))
            .then(|| PlanNet::new(scenario, &specs));
        let max_at_instant = stuck_limit(scenario.run.max_in_system, specs.len());
        let network = Network::new(scenario, &specs, reports_read);
        // A node counts the tasks it receives only for the reports that carry the count.
        let count_received = network.reports_with_results || scenario.faults.heartbeat.is_some();
        // Who reads the nodes' lists of running tasks: preemption, central mode's
        // backfilling, faults (a crash loses them, a slowdown rescales them), speculation,
        // and the state reports that count them.
        let placement = Placement::new(dispatchers, scenario.run.split, discipline_obj);
        let tracks_running =
            F::FAULTS || placement.preemptive || mode == crate::model::Mode::Central || network.reports_with_results;
        let mut run = Run {
            queue: EventQueue::with_capacity(specs.len() + 16),
            placement,
            network,
            faults: FaultState::new(scenario, &specs, seed, replication),
            speculation: Speculation::new(scenario.speculation(), F::SPECULATION, specs.len(), seed),
            measure: Measure::new(
                scenario,
                recorder,
                warmup,
                (discipline.to_string(), scenario.balancer_label(balancer)),
                replication,
                seed,
            ),
            world: World::new(
                mode,
                specs.iter().map(|s| Node::new(s, TaskQueue::new(fifo))).collect(),
                specs,
                k,
                count_received,
                tracks_running,
            ),
            tasks: Tasks::default(),
            jobs: Jobs::new(job.is_some(), fastest, tabled, net),
            arrivals: Arrivals {
                source,
                stop: scenario.run.stop,
                done: false,
                max_in_system: scenario.run.max_in_system,
                max_at_instant,
                instant_check: INSTANT_CHECK,
            },
            seed,
            features: PhantomData,
        };
        if let WarmupRule::Time(t) = warmup {
            if t > 0.0 {
                run.queue.schedule_at(t, Event::WarmupEnd);
            }
        }
        if trend_width.is_finite() && trend_width > 0.0 {
            run.queue.schedule_at(trend_width, Event::Sample);
        }
        if F::FAULTS {
            run.start_faults();
        }
        if F::SPECULATION {
            run.start_speculation();
        }
        run.schedule_next_arrival(0, 0.0)?;
        Ok(run)
    }

    /// The event loop: runs until every task has left, then checks conservation and
    /// Little's law. Records of departing tasks are built only when `observe` is given.
    pub fn drive(mut self, mut observe: Option<&mut dyn FnMut(&TaskRecord)>) -> Result<RunOutput, RunError> {
        self.measure.observing = observe.is_some();
        // Every `instant_check + 1` events, whether time has moved since the last look:
        // `still` looks in a row found it at one instant (a counter per event would
        // cost more than the loop's other bookkeeping).
        let (mut looked_at, mut still) = (f64::NAN, 0u64);
        while let Some((now, id, event)) = self.queue.pop() {
            if self.queue.delivered() & self.arrivals.instant_check == 0 {
                if now == looked_at {
                    still += 1;
                    let events = still * (self.arrivals.instant_check + 1);
                    if events > self.arrivals.max_at_instant {
                        return Err(RunError::Stuck { events, time: now });
                    }
                } else {
                    (looked_at, still) = (now, 0);
                }
            }
            self.handle(event, id, now)?;
            // Central mode schedules once per instant, after all its events.
            if self.placement.pass_due && self.queue.peek_time() != Some(now) {
                self.run_due_passes(now);
            }
            if let Some(observe) = observe.as_mut() {
                self.measure.departed.drain(..).for_each(|r| observe(&r));
            }
            // Heartbeats and failures go on for ever; the run ends when the last task leaves.
            if self.arrivals.done && self.tasks.jobs.len() == 0 {
                break;
            }
        }
        let end = self.measure.last_departure;
        self.finish(end)
    }

    /// Hands one event to the part of the model it concerns.
    // Always inlined into the event loop: as a call of its own (which the optimiser
    // chose for it once the exponential draws became cheaper) it costs about 40
    // instructions a task.
    #[inline(always)]
    pub(super) fn handle(&mut self, event: Event, id: EventId, now: SimTime) -> Result<(), RunError> {
        match event {
            Event::Arrival => self.on_arrival(now)?,
            Event::Done { attempt } => {
                // A preempted or lost attempt's old completion is stale.
                if self.tasks.attempt::<F>(attempt).done_event == id {
                    self.on_done(attempt, now);
                }
            }
            Event::Deliver { msg } => self.on_deliver(msg, now),
            Event::WarmupEnd => self.snapshot_busy(now),
            Event::Wake { dispatcher } => self.on_wake(dispatcher as usize, id, now),
            Event::Sample => self.on_sample(now),
            _ if !F::FAULTS => unreachable!("a fault event in a run without faults"),
            Event::Beat { node } => self.on_beat(node as usize, id, now),
            Event::Check { node, dispatcher } => self.on_check(dispatcher as usize, node as usize, now),
            Event::Crash { node } => self.on_random_crash(node as usize, now),
            Event::Recover { node } => self.on_recover(node as usize, id, now),
            Event::Scripted { index } => self.on_scripted(index as usize, now),
            Event::SlowEnd { node } => self.on_slow_end(node as usize, id, now),
            Event::Retry { job } => self.on_retry(job, id, now),
            Event::Timeout { attempt } => self.on_timeout(attempt, id, now),
            Event::Speculate => self.on_speculate(now),
        }
        Ok(())
    }

    // ----- arrivals -------------------------------------------------------------

    /// A window ends: while arrivals last, the tasks in the system are sampled for the
    /// stability test and the next window's end is scheduled.
    fn on_sample(&mut self, now: SimTime) {
        self.measure.sample_events += 1;
        if !self.arrivals.done {
            let next = self.measure.recorder.sample(now, self.tasks.jobs.len() as u64);
            self.queue.schedule_at(next, Event::Sample);
        }
    }

    /// Schedules the arrival of task `seq` after the one at `now`, unless arrivals stop.
    #[inline(always)]
    pub(super) fn schedule_next_arrival(&mut self, seq: u64, now: SimTime) -> Result<(), RunError> {
        let next = match self.arrivals.stop {
            Stop::Tasks(n) if seq >= n => None,
            Stop::Tasks(_) => self.next_arrival(now)?,
            Stop::Horizon(h) => self.next_arrival(now)?.filter(|&t| t <= h),
        };
        match next {
            Some(t) => {
                // Arrivals come one after another: held beside the event heap.
                self.queue.schedule_next_of_stream(t, Event::Arrival);
            }
            None => self.arrivals.done = true,
        }
        Ok(())
    }

    #[inline]
    fn next_arrival(&mut self, now: SimTime) -> Result<Option<SimTime>, RunError> {
        self.arrivals.source.next_arrival(now).map_err(|e| RunError::Trace(e.message))
    }

    /// A task arrives: it is drawn, counted, and handed to its dispatcher (or a job of
    /// many tasks arrives, `jobs.rs`).
    fn on_arrival(&mut self, now: SimTime) -> Result<(), RunError> {
        if self.jobs.enabled {
            return self.on_job_arrival(now);
        }
        let seq = self.measure.recorder.arrived();
        let task = self.arrivals.source.draw(seq, now);
        let measured = self.measure.recorder.arrive(seq, now);
        if measured && seq > 0 && self.measure.warmup == WarmupRule::Tasks(seq) {
            self.snapshot_busy(now);
        }
        self.schedule_next_arrival(seq + 1, now)?;
        let dispatcher = self.placement.dispatcher_for(seq, self.seed);
        let fits = self.world.fits_some_node(&task);
        let job = self.tasks.admit::<F>(super::entities::Job {
            run: super::entities::Attempt::unsent(task, dispatcher),
            measured,
            attempts: 0,
            instance: super::entities::NO_INSTANCE,
            index: 0,
        });
        if !fits {
            // No node is big enough, now or ever: the task fails, visibly.
            self.fail(job, now);
            return Ok(());
        }
        if self.tasks.jobs.len() as u64 > self.arrivals.max_in_system {
            return Err(RunError::Overloaded { in_system: self.tasks.jobs.len(), time: now });
        }
        self.submit(job, now);
        Ok(())
    }
}
