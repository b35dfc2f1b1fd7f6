//! [`TaskSource`]: draws each arriving task from the workload.

use super::{ArrivalProcess, Dag, Dist, JobShape, TaskClass, TraceJob, TraceReader, Workload};
use crate::diagnostic::FieldError;
use crate::engine::{derive_seed, SimRng, SimTime};
use crate::model::{stream, Task};
use std::sync::Arc;

/// Generates the run's tasks in arrival order.
///
/// Every property of a task is drawn here, when it arrives, each from its own stream
/// seeded by the run seed alone, so every policy in a run sees the same tasks at the
/// same times (common random numbers), and a policy's own draws cannot shift them.
#[derive(Debug)]
pub struct TaskSource {
    arrival: ArrivalProcess,
    /// The job log being replayed, if arrivals come from one, with its first submit
    /// time and its time scale.
    trace: Option<(TraceReader, f64, f64)>,
    /// The trace job whose arrival is scheduled and not yet drawn.
    pending: Option<TraceJob>,
    classes: Vec<TaskClass>,
    /// Cumulative class shares, for drawing a class by inversion.
    cumulative: Vec<f64>,
    /// Per class, its cores and memory when they are constant (they draw nothing
    /// then; working them out once keeps a rounding call off every arrival).
    fixed: Vec<(Option<u32>, Option<f64>)>,
    estimate_error: f64,
    input: Option<Dist>,
    output: Option<Dist>,
    /// Whether either transfer is drawn: tested once per task, so that a workload
    /// without transfers does not pay for two calls that would give nothing.
    has_transfers: bool,
    transfers: SimRng,
    arrivals: SimRng,
    class_rng: SimRng,
    sizes: SimRng,
    estimates: SimRng,
    resources: SimRng,
    /// The shape of every job, if arrivals are jobs of many tasks, and its stream.
    job: Option<(JobShape, SimRng)>,
}

impl TaskSource {
    /// A source for `workload` in the run seeded by `run_seed`; fails only if a trace
    /// checked when the scenario was read cannot be opened again.
    pub fn new(workload: &Workload, run_seed: u64) -> Result<Self, FieldError> {
        let rng = |label| SimRng::new(derive_seed(run_seed, &[label]));
        let mut acc = 0.0;
        let cumulative = workload
            .classes
            .iter()
            .map(|c| {
                acc += c.share;
                acc
            })
            .collect();
        let trace = match &workload.arrival {
            ArrivalProcess::Trace(trace) => Some((trace.reader()?, trace.first_submit, trace.scale())),
            _ => None,
        };
        let fixed =
            workload.classes.iter().map(|c| (c.cores.as_constant().map(cores_of), c.memory.as_constant())).collect();
        Ok(TaskSource {
            fixed,
            trace,
            pending: None,
            arrival: workload.arrival.clone(),
            classes: workload.classes.clone(),
            cumulative,
            estimate_error: workload.estimate_error,
            input: workload.input.clone(),
            output: workload.output.clone(),
            has_transfers: workload.input.is_some() || workload.output.is_some(),
            transfers: rng(stream::TRANSFERS),
            arrivals: rng(stream::ARRIVALS),
            class_rng: rng(stream::CLASSES),
            sizes: rng(stream::SIZES),
            estimates: rng(stream::ESTIMATES),
            resources: rng(stream::RESOURCES),
            job: workload.job.clone().map(|shape| (shape, rng(stream::JOBS))),
        })
    }

    /// The time of the next arrival after the one at `now`: drawn, or the next job of
    /// the trace (`None` when the trace is over). A trace that fails to read now (it
    /// was checked whole when the scenario was read) is an error.
    #[inline(always)]
    pub fn next_arrival(&mut self, now: SimTime) -> Result<Option<SimTime>, FieldError> {
        let Some((reader, first, scale)) = &mut self.trace else {
            return Ok(Some(now + self.arrival.next_gap(&mut self.arrivals)));
        };
        self.pending = reader.next_job()?;
        // Times as the file gives them, shifted to start at 0 and scaled; never before
        // `now`, so float rounding cannot reorder equal submit times.
        Ok(self.pending.map(|job| ((job.submit - *first) * *scale).max(now)))
    }

    /// Draws the task with arrival index `seq`, arriving at `now`.
    #[inline(always)]
    pub fn draw(&mut self, seq: u64, now: SimTime) -> Task {
        self.draw_sized(seq, now, None)
    }

    /// Whether arrivals are jobs of many tasks.
    pub fn has_jobs(&self) -> bool {
        self.job.is_some()
    }

    /// Draws the job arriving at `now`: its DAG and every one of its tasks, in index
    /// order, with arrival `now` and `seq` 0 (the run gives each its own when it is
    /// released). Drawn whole at the job's arrival, so that every policy sees the same
    /// tasks whatever order it releases them in.
    ///
    /// # Panics
    /// If the workload has no job shape ([`has_jobs`](Self::has_jobs)).
    pub fn draw_job(&mut self, now: SimTime) -> (Arc<Dag>, Vec<Task>) {
        let (shape, rng) = self.job.as_mut().expect("a workload with jobs");
        let dag = shape.instance(rng);
        let tasks = match &dag.sizes {
            Some(sizes) => sizes.iter().map(|&s| self.draw_sized(0, now, Some(s))).collect(),
            None => (0..dag.len()).map(|_| self.draw_sized(0, now, None)).collect(),
        };
        (dag, tasks)
    }

    /// Draws a task, of size `given` if the job's DAG gives it, else drawn.
    #[inline(always)]
    fn draw_sized(&mut self, seq: u64, now: SimTime, given: Option<f64>) -> Task {
        let class = if self.classes.len() == 1 {
            0
        } else {
            let u = self.class_rng.open01() * self.cumulative[self.cumulative.len() - 1];
            self.cumulative.iter().position(|&c| u < c).unwrap_or(self.classes.len() - 1)
        };
        let c = &self.classes[class];
        let job = self.pending.take();
        // A job that ran past its limit (a trace under `estimates = "kill"`) does the
        // work up to it, then is killed.
        let killed = job.is_some_and(|j| j.limit.is_some_and(|limit| j.size > limit));
        let size = match job {
            _ if given.is_some() => given.unwrap_or_default(),
            Some(job) if killed => job.limit.unwrap_or(job.size),
            Some(job) => job.size,
            None => c.size.sample(&mut self.sizes),
        };
        let estimate = if let Some(e) = job.and_then(|j| j.estimate) {
            e
        } else if self.estimate_error > 0.0 {
            // estimate = size (1 + e u), u uniform in (-1, 1): unbiased, relative error at most e.
            size * (1.0 + self.estimate_error * (2.0 * self.estimates.open01() - 1.0))
        } else {
            size
        };
        let (fixed_cores, fixed_memory) = self.fixed[class];
        let cores = match (job.and_then(|j| j.cores), fixed_cores) {
            (Some(cores), _) | (None, Some(cores)) => cores,
            (None, None) => cores_of(c.cores.sample(&mut self.resources)),
        };
        let memory = match (job.and_then(|j| j.memory), fixed_memory) {
            (Some(memory), _) | (None, Some(memory)) => memory,
            (None, None) => c.memory.sample(&mut self.resources),
        };
        let (input, output) = if self.has_transfers {
            draw_transfers(self.input.as_ref(), self.output.as_ref(), &mut self.transfers)
        } else {
            (0.0, 0.0)
        };
        Task {
            seq,
            arrival: now,
            size,
            estimate,
            class: class as u16,
            priority: c.priority,
            cores,
            memory,
            deadline: c.deadline.map(|d| now + d),
            input,
            output,
            work_done: 0.0,
            killed,
        }
    }
}

/// The bytes of a task's input and output, in that order from the transfers' stream
/// (0 for one the workload does not give).
#[inline(never)]
fn draw_transfers(input: Option<&Dist>, output: Option<&Dist>, rng: &mut SimRng) -> (f64, f64) {
    let input = input.map_or(0.0, |d| d.sample(rng));
    let output = output.map_or(0.0, |d| d.sample(rng));
    (input, output)
}

/// Cores a task takes for a drawn value: rounded up, at least one.
#[inline]
fn cores_of(drawn: f64) -> u32 {
    drawn.ceil().max(1.0).min(u32::MAX as f64) as u32
}
