//! One run: a scenario's world with one balancer and one discipline, driven by the
//! engine until every task has left, and its metrics.
//!
//! ```text
//!  arrival ─▶ dispatcher d ──Task msg (latency)──▶ node: queue ─▶ cores ─▶ Done
//!                 ▲                                                      │
//!                 └────────── Result msg + state report (latency) ◀──────┘
//!  node ──Heartbeat msg + state report, every interval──▶ every dispatcher
//!  dispatcher: no heartbeat for `timeout` ⇒ node declared dead ⇒ its outstanding
//!              attempts are resubmitted (after a backoff) or fail after max_attempts;
//!              a heartbeat of a new incarnation (the node restarted within the
//!              timeout) ⇒ the attempts the crash lost are resubmitted likewise
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

//! The run is split by concern, each file owning its part of the state:
//!
//! | file | owns |
//! |---|---|
//! | `run.rs` | the event type, the run's parts, building a run, the event loop, arrivals |
//! | `features.rs` | what a run is compiled for (latency, faults, speculation) |
//! | `placement.rs` | dispatchers, their beliefs and balancers, sending, results |
//! | `backfilling.rs` | central mode's backfilling: running tasks' ends, EASY's scan, conservative reservations |
//! | `execution.rs` | the nodes: queues, cores, preemption, finishing |
//! | `network.rs` | messages, delays, delivery |
//! | `detection.rs` | heartbeats, failure detection, retries, timeouts |
//! | `faults.rs` | injected failures, repairs, slowdowns, the fault log |
//! | `outcome.rs` | completions, failures, records, the results |
//! | `entities.rs` | jobs, attempts, and the tables that hold them |
//! | `jobs.rs` | jobs of many tasks (issue 13): releasing ready tasks, input transfers, runtimes per group |
//! | `plans.rs` | whole-DAG plans: made at a job's arrival, followed as its tasks are released |
//! | `speculation.rs` | speculative copies of stragglers (issue 13): checks, launches, kills |
//!
//! Naming: here a *job* (`Job`) is one task in the system, from arrival to departure,
//! and an *attempt* one send of it to a node; issue 13's job of many tasks (a DAG) is a
//! `JobInstance` (`jobs.rs`).

mod backfilling;
mod detection;
mod entities;
mod execution;
mod faults;
mod features;
mod jobs;
mod network;
mod outcome;
mod placement;
mod plans;
mod run;
mod speculation;
#[cfg(test)]
mod tests;

use crate::engine::{derive_seed, SimTime};
pub use crate::metrics::RunOutput;
use crate::metrics::RunResult;
use crate::model::NodeId;
use crate::policy::registry::Registry;
use crate::policy::PolicySpec;
use crate::scenario::Scenario;
use features::{Full, Kind, Lean, Networked, Speculative};
use run::Run;

/// Why a run could not produce results.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// A policy could not be built for this scenario.
    #[error("cannot build policy: {0}")]
    Policy(String),
    /// The system held more tasks than the scenario's `max_in_system`: it is not keeping up.
    #[error(
        "overloaded: {in_system} tasks in the system at t = {time:.3} s, more than [run] max_in_system; the queues grow without bound (raise max_in_system if the system can hold that many)"
    )]
    Overloaded {
        /// Tasks in the system when the run was stopped.
        in_system: usize,
        /// Virtual time then.
        time: SimTime,
    },
    /// More events at one instant of virtual time than any progressing run delivers:
    /// the run was spinning without time moving (`run::stuck_limit`).
    #[error(
        "stuck: over {events} events at t = {time:.3} s without time moving on; a period or delay of (nearly) zero keeps the run at one instant"
    )]
    Stuck {
        /// Events delivered at that instant when the run was stopped.
        events: u64,
        /// The instant.
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

/// How many windows a run's time series aims at.
const TIMESERIES_WINDOWS: f64 = 200.0;

/// What happened to one task, for [`Simulation::run_observed`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
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
    /// Cores it occupies while running.
    pub cores: u32,
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
    /// blocked head of the queue (NaN if it never was). Under `conservative_backfill`:
    /// the first reservation it was given, at the pass after it arrived (its start
    /// if it started at once); it never starts later unless a running task overran
    /// its estimate, a node failed, or a message was delayed. NaN otherwise.
    pub reservation: SimTime,
    /// Whether it is measured (it arrived after the warm-up; a task of a job of many
    /// tasks, when its job did).
    pub measured: bool,
    /// The job of many tasks it belongs to, if any (issue 13): the job's arrival
    /// index, from 0, and the task's index in the job's DAG.
    pub job: Option<(u64, u32)>,
}

/// One simulation run, built for the features its scenario uses (see
/// `features.rs`): a scenario without latency or faults runs code with neither.
pub struct Simulation(Compiled);

/// The run, compiled for one set of features.
enum Compiled {
    Lean(Run<Lean>),
    Networked(Run<Networked>),
    Full(Run<Full>),
    Speculative(Run<Speculative>),
}

impl Simulation {
    /// Builds replication `replication` of `scenario` with one balancer and one
    /// discipline of the built-in ones.
    pub fn new(
        scenario: &Scenario,
        balancer: &PolicySpec,
        discipline: &PolicySpec,
        replication: u32,
    ) -> Result<Self, RunError> {
        Self::with_registry(&Registry::default(), scenario, balancer, discipline, replication)
    }

    /// Builds replication `replication` of `scenario` with one balancer and one
    /// discipline of `registry`: the built-in ones and any a program registered (see
    /// `examples/custom_balancer.rs`). The balancer is built once per dispatcher.
    pub fn with_registry(
        registry: &Registry,
        scenario: &Scenario,
        balancer: &PolicySpec,
        discipline: &PolicySpec,
        replication: u32,
    ) -> Result<Self, RunError> {
        let (s, g, b, d, r) = (scenario, registry, balancer, discipline, replication);
        Ok(Simulation(match Kind::of(scenario) {
            Kind::Lean => Compiled::Lean(Run::build(s, g, b, d, r)?),
            Kind::Networked => Compiled::Networked(Run::build(s, g, b, d, r)?),
            Kind::Full => Compiled::Full(Run::build(s, g, b, d, r)?),
            Kind::Speculative => Compiled::Speculative(Run::build(s, g, b, d, r)?),
        }))
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

    fn drive(self, observe: Option<&mut dyn FnMut(&TaskRecord)>) -> Result<RunOutput, RunError> {
        match self.0 {
            Compiled::Lean(run) => run.drive(observe),
            Compiled::Networked(run) => run.drive(observe),
            Compiled::Full(run) => run.drive(observe),
            Compiled::Speculative(run) => run.drive(observe),
        }
    }
}
