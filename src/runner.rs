//! The plan of runs (scenario x sweep point x discipline x balancer x speculation
//! policy x replication) and its parallel execution.
//!
//! Runs are independent and each is a pure function of (scenario, policies,
//! replication), so they can run on any number of threads in any order; results are
//! collected in plan order, which makes the output byte-identical whatever `-j` is.

use crate::metrics::RunOutput;
use crate::policy::registry::Registry;
use crate::policy::PolicySpec;
use crate::scenario::Scenario;
use crate::sim::{RunError, Simulation, TaskRecord};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub mod shard;

/// One concrete scenario to run: a scenario file, or one point of its sweep.
#[derive(Debug, Clone)]
pub struct Unit {
    /// The scenario as run (for a sweep point: with the point's value).
    pub scenario: Arc<Scenario>,
    /// Index of the scenario file in [`Plan::scenarios`]; its results go together.
    pub file: usize,
    /// The swept parameter and its value here.
    pub sweep: Option<(String, f64)>,
}

impl Unit {
    /// The estimated cost of one run of this unit, in engine events: about two per
    /// task (arrival, completion), two more per task when messages take time, and the
    /// heartbeats and detector checks of a run with a failure detector. An estimate
    /// for ordering and splitting work, not a promise.
    pub fn cost(&self) -> f64 {
        let s = &self.scenario;
        let rate = s.workload.arrival.mean_rate();
        let tasks = match s.run.stop {
            crate::scenario::Stop::Tasks(n) => n as f64,
            crate::scenario::Stop::Horizon(h) => rate * h,
        };
        let latency = s.network.bandwidth.is_some() || s.node_groups.iter().any(|g| g.latency.is_some());
        let per_task = if latency { 4.0 } else { 2.0 };
        let heartbeats = s.faults.heartbeat.map_or(0.0, |hb| {
            let nodes: f64 = s.node_groups.iter().map(|g| g.count as f64).sum();
            let span = if rate > 0.0 { tasks / rate } else { 0.0 };
            // A beat, its delivery to each dispatcher, and a check.
            nodes * (1.0 + 2.0 * s.run.dispatchers as f64) * span / hb.interval
        });
        // A speculation check looks at every node.
        let checks = s.speculation().filter(|sp| sp.active()).map_or(0.0, |sp| {
            let nodes: f64 = s.node_groups.iter().map(|g| g.count as f64).sum();
            let span = if rate > 0.0 { tasks / rate } else { 0.0 };
            nodes * span / sp.interval
        });
        let cost = tasks * per_task + heartbeats + checks;
        if cost.is_finite() {
            cost
        } else {
            f64::MAX
        }
    }
}

/// One run to do.
#[derive(Debug, Clone)]
pub struct Job {
    /// Index of its unit in [`Plan::units`].
    pub unit: usize,
    /// The discipline.
    pub discipline: PolicySpec,
    /// The balancer.
    pub balancer: PolicySpec,
    /// Replication number, from 0.
    pub replication: u32,
}

/// Every run of a set of scenarios, in output order.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The scenario files, as read.
    pub scenarios: Vec<Arc<Scenario>>,
    /// What runs: each file, or each point of its sweep.
    pub units: Vec<Unit>,
    /// The runs: by file, sweep point, discipline, balancer (file order), speculation
    /// policy (when `[faults] speculation` lists several: a unit each), replication.
    pub jobs: Vec<Job>,
    /// The policies the scenarios were checked against, which build each run's
    /// (shared by the worker threads).
    pub registry: Arc<Registry>,
}

/// A run that produced no result, and why.
#[derive(Debug, Clone)]
pub struct RunFailure {
    /// Index of the run in [`Plan::jobs`].
    pub job: usize,
    /// What went wrong.
    pub message: String,
}

/// Chooses the runs whose tasks are watched as they leave (for job records), and
/// watches them. A run it does not watch takes the unobserved path, in which no
/// record is built: a feature a scenario does not use costs it nothing.
pub trait Watch: Sync {
    /// The observer of run `job` (an index into [`Plan::jobs`]), or `None` to leave it
    /// unwatched. Called on the thread that runs it, just before it starts.
    fn observer(&self, job: usize) -> Option<Box<dyn Observer + '_>>;
}

/// Watches one run.
pub trait Observer: Send {
    /// The record of a task that left the system (completed or failed), in order of
    /// departure.
    fn record(&mut self, record: &TaskRecord);
    /// The run is over: `ok` is false if it failed (its records are then to be
    /// discarded, as its results are).
    fn end(self: Box<Self>, ok: bool);
}

/// Set when the user interrupts (Ctrl-C): no further run starts. A process-wide flag,
/// as the signal it stands for is.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether the user interrupted the runs.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

/// Counts of what has finished, shared with a progress display while the plan runs.
#[derive(Debug, Default)]
pub struct Progress {
    /// Runs in the plan being executed (set when it starts).
    pub total: AtomicU64,
    /// Runs finished (successfully or not).
    pub runs: AtomicU64,
    /// Engine events delivered by the finished runs.
    pub events: AtomicU64,
}

impl Plan {
    /// Expands scenarios into their runs, with the built-in policies.
    pub fn new(scenarios: Vec<Scenario>) -> Self {
        Self::with_registry(scenarios, Arc::new(Registry::default()))
    }

    /// Expands scenarios, checked against `registry`, into their runs, which build
    /// their policies from it.
    pub fn with_registry(scenarios: Vec<Scenario>, registry: Arc<Registry>) -> Self {
        let scenarios: Vec<Arc<Scenario>> = scenarios.into_iter().map(Arc::new).collect();
        let mut units = Vec::new();
        // Per file or sweep point, its units: one, or one per speculation policy listed.
        let mut points: Vec<std::ops::Range<usize>> = Vec::new();
        let mut add = |units: &mut Vec<Unit>, scenario: Arc<Scenario>, file: usize, sweep: Option<(String, f64)>| {
            let start = units.len();
            if scenario.faults.speculation.len() <= 1 {
                units.push(Unit { scenario, file, sweep });
            } else {
                units.extend(scenario.per_speculation().into_iter().map(|s| Unit {
                    scenario: Arc::new(s),
                    file,
                    sweep: sweep.clone(),
                }));
            }
            points.push(start..units.len());
        };
        for (file, s) in scenarios.iter().enumerate() {
            match &s.sweep {
                None => add(&mut units, s.clone(), file, None),
                Some(sweep) => {
                    for p in &sweep.points {
                        add(&mut units, Arc::new(p.scenario.clone()), file, Some((sweep.parameter.clone(), p.value)));
                    }
                }
            }
        }
        let mut jobs = Vec::new();
        for point in points {
            let s = &units[point.start].scenario;
            for d in &s.disciplines {
                for b in &s.balancers {
                    // A balancer's speculation policies side by side in the tables.
                    for u in point.clone() {
                        for replication in 0..s.replications {
                            jobs.push(Job { unit: u, discipline: d.clone(), balancer: b.clone(), replication });
                        }
                    }
                }
            }
        }
        Plan { scenarios, units, jobs, registry }
    }

    /// Runs every job on `threads` threads (0 = one per core), counting finished runs
    /// and their events in `progress`. One failing run (an error or a panic) does not
    /// stop the others. Results come back in plan order.
    ///
    /// Runs are started longest first (by [`Unit::cost`]), each thread taking the next
    /// from one shared counter: a long run started last would leave the other threads
    /// idle at the end (longest-processing-time-first scheduling, Graham 1969, is
    /// within 4/3 of the best possible makespan).
    pub fn execute(&self, threads: usize, progress: &Progress) -> Vec<Result<RunOutput, RunFailure>> {
        self.execute_watched(threads, progress, None)
    }

    /// [`execute`](Self::execute), handing the tasks of the runs `watch` chooses to
    /// their observers as they leave.
    pub fn execute_watched(
        &self,
        threads: usize,
        progress: &Progress,
        watch: Option<&dyn Watch>,
    ) -> Vec<Result<RunOutput, RunFailure>> {
        let all: Vec<usize> = (0..self.jobs.len()).collect();
        let done = self.execute_some(&all, threads, progress, watch, &|_, _| {});
        done.into_iter().map(|(_, result)| result).collect()
    }

    /// Runs the jobs `jobs` (indices into [`Plan::jobs`]) as [`execute_watched`]
    /// does, and calls `on_done` with each run's index and outcome as it ends, on the
    /// thread that ran it (after its observer's `end`): a shard stores each result
    /// then, so that a killed process keeps every run that finished. Returns the
    /// outcomes sorted by job index.
    ///
    /// [`execute_watched`]: Self::execute_watched
    pub fn execute_some(
        &self,
        jobs: &[usize],
        threads: usize,
        progress: &Progress,
        watch: Option<&dyn Watch>,
        on_done: &(dyn Fn(usize, &Result<RunOutput, RunFailure>) + Sync),
    ) -> Vec<(usize, Result<RunOutput, RunFailure>)> {
        // Never more threads than runs: `-j 10000` must not try to spawn 10,000.
        let threads = if threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { threads };
        let threads = threads.min(jobs.len()).max(1);
        progress.total.store(jobs.len() as u64, Ordering::Relaxed);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
        let costs: Vec<f64> = self.units.iter().map(Unit::cost).collect();
        let mut order: Vec<usize> = jobs.to_vec();
        // Stable: equal costs keep plan order.
        order.sort_by(|&a, &b| costs[self.jobs[b].unit].total_cmp(&costs[self.jobs[a].unit]));
        let next = AtomicUsize::new(0);
        let done: Mutex<Vec<(usize, Result<RunOutput, RunFailure>)>> = Mutex::new(Vec::with_capacity(order.len()));
        pool.scope(|scope| {
            for _ in 0..pool.current_num_threads() {
                scope.spawn(|_| {
                    while let Some(&job) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                        if interrupted() {
                            break;
                        }
                        let result = match watch.and_then(|w| w.observer(job)) {
                            None => self.run_one(job),
                            Some(mut observer) => {
                                let result = self.run_watched(job, Some(&mut *observer));
                                observer.end(result.is_ok());
                                result
                            }
                        };
                        on_done(job, &result);
                        if let Ok(r) = &result {
                            progress.events.fetch_add(r.result.events, Ordering::Relaxed);
                        }
                        progress.runs.fetch_add(1, Ordering::Relaxed);
                        done.lock().unwrap_or_else(|e| e.into_inner()).push((job, result));
                    }
                });
            }
        });
        let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
        done.sort_unstable_by_key(|&(job, _)| job);
        done
    }

    /// How a failed run is reported, on one line (without an `error: ` prefix): the
    /// scenario file, the run (policies, replication, sweep point), why it failed, and
    /// the offered load. `failure` must come from this plan.
    pub fn failure_message(&self, failure: &RunFailure) -> String {
        let job = &self.jobs[failure.job];
        let unit = &self.units[job.unit];
        let s = &unit.scenario;
        let at = unit.sweep.as_ref().map(|(p, v)| format!(" at {p} = {v}")).unwrap_or_default();
        format!(
            "{}: run {} / {} / replication {}{at} failed: {} (offered load {:.3})",
            s.source.display(),
            job.discipline,
            job.balancer,
            job.replication,
            failure.message,
            s.offered_load()
        )
    }

    /// Runs job number `index`, turning a panic into a failure of that job alone.
    pub fn run_one(&self, index: usize) -> Result<RunOutput, RunFailure> {
        self.run_watched(index, None)
    }

    /// [`run_one`](Self::run_one), handing each departing task's record to `observer`
    /// when there is one (without one, the run builds no records).
    pub fn run_watched(&self, index: usize, observer: Option<&mut dyn Observer>) -> Result<RunOutput, RunFailure> {
        let job = &self.jobs[index];
        let unit = &self.units[job.unit];
        let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<RunOutput, RunError> {
            let sim = Simulation::with_registry(
                &self.registry,
                &unit.scenario,
                &job.balancer,
                &job.discipline,
                job.replication,
            )?;
            match observer {
                None => sim.run_detailed(),
                Some(o) => sim.run_observed(|r| o.record(r)),
            }
        }));
        let message = match outcome {
            Ok(Ok(mut output)) => {
                if let Some((parameter, value)) = &unit.sweep {
                    output.result.sweep_parameter = Some(parameter.clone());
                    output.result.sweep_value = Some(*value);
                }
                return Ok(output);
            }
            Ok(Err(e)) => e.to_string(),
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                format!("internal error (a bug; please report it): {what}")
            }
        };
        Err(RunFailure { job: index, message })
    }
}
