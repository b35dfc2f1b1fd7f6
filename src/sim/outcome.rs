//! What becomes of tasks and of the run: completions and failures recorded, records
//! of departing tasks for an observer, and the run's results at the end.

use super::features::Features;
use super::run::Run;
use super::{RunError, RunOutput, TaskRecord};
use crate::engine::SimTime;
use crate::metrics::{Recorder, WarmupRule};
use crate::model::{NodeId, Task};
use crate::scenario::Scenario;
use std::collections::BTreeMap;

/// The run's statistics, and the records kept for an observer.
pub(super) struct Measure {
    pub recorder: Recorder,
    pub warmup: WarmupRule,
    /// Whether a caller observes departures (then their records are kept in `departed`
    /// until the loop hands them over).
    pub observing: bool,
    pub departed: Vec<TaskRecord>,
    /// When the last task left: the end of the run.
    pub last_departure: SimTime,
    /// Sampling events delivered (left out of the run's event count: they are
    /// bookkeeping, not model events).
    pub sample_events: u64,
    /// First reservation of each job that got one under backfilling, by job seq (kept
    /// only while observed).
    reservations: BTreeMap<u64, SimTime>,
    /// Work of the measured tasks that completed.
    completed_work: f64,
    /// Scenario, discipline, balancer, replication, seed: the run's labels.
    labels: (String, String, String, u32, u64),
    /// Name and priority of each task class.
    classes: Vec<(String, u32)>,
}

impl Measure {
    /// The measurement of a run of `scenario` with `recorder`, labelled by its
    /// `policies` (discipline, balancer), replication and seed.
    pub fn new(
        scenario: &Scenario,
        recorder: Recorder,
        warmup: WarmupRule,
        policies: (String, String),
        replication: u32,
        seed: u64,
    ) -> Self {
        Measure {
            recorder,
            warmup,
            observing: false,
            departed: Vec::new(),
            last_departure: 0.0,
            sample_events: 0,
            reservations: BTreeMap::new(),
            completed_work: 0.0,
            labels: (scenario.name.clone(), policies.0, policies.1, replication, seed),
            classes: scenario.workload.classes.iter().map(|c| (c.name.clone(), c.priority)).collect(),
        }
    }

    /// Remembers the first reservation job `seq` got (reported in its record).
    pub fn note_reservation(&mut self, seq: u64, at: SimTime) {
        if self.observing {
            self.reservations.entry(seq).or_insert(at);
        }
    }

    /// The record of `task`, which left at `end` after `attempts` attempts without
    /// completing (a completion's record starts from it).
    fn failed_record(&mut self, task: &Task, attempts: u32, end: SimTime) -> TaskRecord {
        TaskRecord {
            seq: task.seq,
            class: task.class,
            arrival: task.arrival,
            size: task.size,
            estimate: task.estimate,
            cores: task.cores,
            node: None,
            start: f64::NAN,
            finished: f64::NAN,
            end,
            completed: false,
            attempts,
            preemptions: 0,
            reservation: self.take_reservation(task.seq),
            measured: false,
            job: None,
        }
    }

    /// The first reservation job `seq` got, if any (NaN if none), forgotten.
    #[inline]
    fn take_reservation(&mut self, seq: u64) -> SimTime {
        if self.reservations.is_empty() {
            return f64::NAN;
        }
        self.reservations.remove(&seq).unwrap_or(f64::NAN)
    }
}

impl<F: Features> Run<F> {
    /// The result of `attempt`, run on `node`, completes `job`.
    #[inline]
    pub(super) fn complete(&mut self, job: u32, attempt: u32, node: NodeId, now: SimTime) {
        let a = self.tasks.attempt::<F>(attempt);
        let number = a.number;
        let j = &self.tasks.jobs.slots[job as usize];
        let task = j.task();
        // Service at the node's nominal speed. Without faults no node is slowed down,
        // so its speed now is the spec's, and its line is in the cache (at thousands of
        // nodes the spec's is not).
        let speed = if F::FAULTS { self.world.specs[node].speed } else { self.world.nodes[node].speed };
        debug_assert_eq!(speed.to_bits(), self.world.specs[node].speed.to_bits());
        let service = a.task.size / speed;
        let wait = a.start - task.arrival;
        let m = &mut self.measure;
        m.recorder.complete(j.measured, task.class, task.arrival, now, wait, service, task.deadline);
        // The attempt's size: on a node whose group a DAG's runtime table names, the
        // work it did there (`jobs.rs`); elsewhere the task's own.
        if j.measured {
            m.completed_work += a.task.size;
        }
        if m.observing {
            let failed = m.failed_record(task, j.attempts, now);
            let record = TaskRecord {
                size: a.task.size,
                node: Some(node),
                start: a.start,
                finished: a.finished,
                completed: true,
                preemptions: a.preemptions,
                measured: j.measured,
                job: self.jobs.record_of(j),
                ..failed
            };
            m.departed.push(record);
        }
        let instance = super::jobs::instance_of(j);
        if F::SPECULATION {
            self.settle_copies(job, Some(number), now);
        }
        self.leave(job, now);
        if let Some((inst, index)) = instance {
            self.task_completed(inst, index, node, now);
        }
    }

    /// Records a job's failure and frees it.
    pub(super) fn fail(&mut self, job: u32, now: SimTime) {
        let j = &self.tasks.jobs.slots[job as usize];
        let task = j.task();
        let m = &mut self.measure;
        m.recorder.fail(j.measured, task.class, task.arrival, now, task.deadline);
        if m.observing {
            let failed = m.failed_record(task, j.attempts, now);
            let record = TaskRecord { measured: j.measured, job: self.jobs.record_of(j), ..failed };
            m.departed.push(record);
        }
        let instance = super::jobs::instance_of(j);
        if F::SPECULATION {
            self.settle_copies(job, None, now);
        }
        self.leave(job, now);
        if let Some((inst, _)) = instance {
            self.task_failed(inst, now);
        }
    }

    /// A job leaves the system (completed or failed): free its slot so that no late
    /// attempt can be taken for it.
    #[inline]
    fn leave(&mut self, job: u32, now: SimTime) {
        if F::FAULTS && !self.faults.requeued.is_empty() && self.faults.requeued.remove(&job) {
            // Resubmitted, and completed by an older attempt before it was placed again.
            let disp = &mut self.placement.dispatchers[self.tasks.jobs.slots[job as usize].dispatcher() as usize];
            disp.waiting.remove(job);
            disp.reserved.remove(&job);
        }
        self.measure.last_departure = now;
        let j = &mut self.tasks.jobs.slots[job as usize];
        j.run.task.seq = u64::MAX;
        if F::FAULTS {
            self.tasks.resubmissions[job as usize].event = crate::engine::EventId::NONE;
        }
        self.tasks.jobs.remove(job);
    }

    /// The warm-up ends now: remember each node's busy time so far.
    pub(super) fn snapshot_busy(&mut self, now: SimTime) {
        for n in &mut self.world.nodes {
            n.account(now);
            n.busy_at_warmup = n.busy_core_seconds;
        }
    }

    /// The run's results at `end`, after the conservation and Little's-law checks.
    pub(super) fn finish(mut self, end: SimTime) -> Result<RunOutput, RunError> {
        let busy: Vec<f64> = (self.world.nodes.iter_mut())
            .map(|n| {
                n.account(end);
                n.busy_core_seconds - n.busy_at_warmup
            })
            .collect();
        let cores: Vec<u32> = self.world.specs.iter().map(|s| s.cores).collect();
        let in_system = self.tasks.jobs.len() as u64;
        let mut m = self.measure;
        let events = self.queue.delivered() - m.sample_events;
        let (mut result, mut detail) =
            m.recorder.finish(end, in_system, &busy, &cores, events).map_err(RunError::Invariant)?;
        let (scenario, discipline, balancer, replication, seed) = m.labels;
        result.scenario = scenario;
        result.discipline = discipline;
        result.balancer = balancer;
        result.replication = replication;
        result.seed = seed;
        let f = self.faults;
        result.retries = f.retries;
        result.wasted_work = f.wasted_work;
        result.false_suspicions = f.false_suspicions;
        result.detection_latency = if f.detections.0 > 0 { f.detections.1 / f.detections.0 as f64 } else { f64::NAN };
        let health = &self.world.health;
        let down: f64 = health.iter().map(|h| h.down_time + if h.up { 0.0 } else { end - h.crashed_at }).sum();
        result.availability = if end > 0.0 { 1.0 - down / (health.len() as f64 * end) } else { f64::NAN };
        let span = end - result.measured_from;
        result.goodput = if span > 0.0 { m.completed_work / span } else { f64::NAN };
        for (c, (name, priority)) in detail.classes.iter_mut().zip(m.classes) {
            c.class = name;
            c.priority = priority;
        }
        detail.faults = f.log.unwrap_or_default();
        if F::SPECULATION {
            self.speculation.finish(in_system, &mut result).map_err(RunError::Invariant)?;
        }
        if self.jobs.enabled {
            let (live, waiting) = self.jobs.live();
            self.jobs.recorder.finish(live, waiting, &mut result).map_err(RunError::Invariant)?;
            detail.job_quantiles = self.jobs.recorder.quantiles(crate::metrics::QUANTILE_GRID);
        }
        Ok(RunOutput { result, detail })
    }
}
