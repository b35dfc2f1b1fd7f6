//! What a run keeps per task, per attempt and per message in flight.

use super::features::Features;
use crate::engine::{EventId, SimTime};
use crate::model::Task;

/// A table whose slots are reused, so memory follows what is live, not what has been.
#[derive(Debug)]
pub(super) struct Slab<T> {
    pub slots: Vec<T>,
    free: Vec<u32>,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab { slots: Vec::new(), free: Vec::new() }
    }
}

impl<T> Slab<T> {
    #[inline]
    pub fn insert(&mut self, value: T) -> u32 {
        match self.free.pop() {
            Some(id) => {
                self.slots[id as usize] = value;
                id
            }
            None => {
                self.slots.push(value);
                (self.slots.len() - 1) as u32
            }
        }
    }

    #[inline]
    pub fn remove(&mut self, id: u32) {
        self.free.push(id);
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.slots.len() - self.free.len()
    }
}

/// A task in the system (a *job* in this module's words, which predate issue 13's jobs
/// of many tasks, called [`JobInstance`](super::jobs::JobInstance)s): from arrival
/// until it completes or fails, however many attempts that takes.
///
/// Laid out for the cache (`repr(C)`, three lines, aligned to them): a task's start
/// reads only the first (see [`Attempt`]). At thousands of nodes the record has left
/// the cache between a task's arrival, start and end, so each line read is a miss.
/// What only faults need per job is kept apart ([`Resubmission`]), so that a run
/// without them neither holds nor writes it.
#[derive(Debug)]
#[repr(C, align(64))]
pub(super) struct Job {
    /// The task as it arrived, in the state of an attempt not yet sent. In a run
    /// without faults a job has exactly one attempt at a time, and this *is* it (no
    /// attempt record is made; see [`Features`](super::features::Features)); with
    /// faults, each attempt is a record of its own that copies the task.
    ///
    /// `run.task.seq` is set to `u64::MAX` when the job leaves, so a late attempt's
    /// result cannot be taken for a newer job in the same slot.
    pub run: Attempt,
    /// Whether the metrics count it (it arrived after the warm-up).
    pub measured: bool,
    /// The slot of the job of many tasks it belongs to ([`NO_INSTANCE`] if none), and
    /// its index in that job's DAG.
    pub instance: u32,
    pub index: u32,
    /// Attempts made so far; the latest has this number.
    pub attempts: u32,
}

const _: () = assert!(std::mem::size_of::<Job>() == 192);
const _: () = {
    use std::mem::offset_of;
    let task = offset_of!(Job, run) + offset_of!(Attempt, task);
    assert!(task + offset_of!(Task, cores) + 4 <= 64, "a task's start reads one line of its job");
    assert!(offset_of!(Job, run) + offset_of!(Attempt, done_event) + 8 <= 64);
};

/// What a run with faults keeps per job besides its [`Job`] record, in
/// [`Tasks::resubmissions`], indexed by the job's slot. A run without faults keeps none.
#[derive(Debug, Clone, Copy)]
pub(super) struct Resubmission {
    /// The number of its latest attempt lost with a node (crashed while holding it, or
    /// down when it arrived), 0 if none: what a dispatcher resubmits when the node
    /// announces its restart.
    pub lost: u32,
    /// The resubmission it waits for, if any.
    pub event: EventId,
}

impl Default for Resubmission {
    /// Nothing lost, no resubmission pending.
    fn default() -> Self {
        Resubmission { lost: 0, event: EventId::NONE }
    }
}

/// [`Job::instance`] of a task that belongs to no job of many tasks.
pub(super) const NO_INSTANCE: u32 = u32::MAX;

impl Job {
    /// Whether `seq` names this job and it is still in the system.
    #[inline]
    pub fn is(&self, seq: u64) -> bool {
        self.run.task.seq == seq
    }

    /// The task as it arrived.
    #[inline]
    pub fn task(&self) -> &Task {
        &self.run.task
    }

    /// The dispatcher it arrived at.
    #[inline]
    pub fn dispatcher(&self) -> u16 {
        self.run.dispatcher
    }
}

/// One attempt to run a job: sent to one node, run there (perhaps in stretches, if
/// preempted), its result sent back. Several attempts of a job can exist at once
/// (after a false suspicion or a timeout); the first result to reach the dispatcher
/// completes the job, later ones are wasted work.
///
/// Laid out (`repr(C)`) so that what a start reads and writes (its times and
/// completion event, then the task's size, work done, memory and cores) comes first,
/// within 64 bytes; what a result reads follows.
#[derive(Debug)]
#[repr(C)]
pub(super) struct Attempt {
    /// When it first started running (NaN before).
    pub start: SimTime,
    /// When its current stretch of running began.
    pub run_start: SimTime,
    /// The completion it waits for; any other `Done` for it is stale.
    pub done_event: EventId,
    /// The task as this attempt runs it (its own `work_done`).
    pub task: Task,
    /// When it finished running on its node (NaN before).
    pub finished: SimTime,
    /// When the dispatcher sent it.
    pub sent: SimTime,
    /// The node it was sent to, and the dispatcher that sent it.
    pub node: u32,
    /// Which attempt of its job this is, and the job's slot.
    pub number: u32,
    pub job: u32,
    pub dispatcher: u16,
    pub preemptions: u32,
    /// Its timeout, if the retry policy has one.
    pub timeout_event: EventId,
    /// When its dispatcher's schedule of the node's cores expects it to end (NaN if
    /// the dispatcher keeps none).
    pub expected_end: SimTime,
}

impl Attempt {
    /// `task`, not yet sent anywhere, at dispatcher `dispatcher`.
    pub fn unsent(task: Task, dispatcher: u16) -> Self {
        Attempt {
            task,
            job: u32::MAX,
            number: 0,
            dispatcher,
            node: u32::MAX,
            sent: f64::NAN,
            start: f64::NAN,
            run_start: f64::NAN,
            done_event: EventId::NONE,
            timeout_event: EventId::NONE,
            preemptions: 0,
            finished: f64::NAN,
            expected_end: f64::NAN,
        }
    }
}

/// The jobs in the system and their attempts, each in a table whose slots are reused.
#[derive(Debug, Default)]
pub(super) struct Tasks {
    /// Jobs enter only through [`Tasks::admit`], which starts their slot's
    /// resubmission state afresh in a run with faults.
    pub jobs: Slab<Job>,
    /// Attempts with records of their own: only in a run with faults.
    pub attempts: Slab<Attempt>,
    /// Each job slot's resubmission state: only in a run with faults.
    pub resubmissions: Vec<Resubmission>,
}

impl Tasks {
    /// Takes `job` into the system; returns its slot. In a run with faults its slot's
    /// resubmission state starts afresh.
    #[inline]
    pub fn admit<F: Features>(&mut self, job: Job) -> u32 {
        let id = self.jobs.insert(job);
        if F::FAULTS {
            let slots = self.jobs.slots.len();
            if self.resubmissions.len() < slots {
                self.resubmissions.resize(slots, Resubmission::default());
            }
            self.resubmissions[id as usize] = Resubmission::default();
        }
        id
    }

    /// Whether job `job` waits for a resubmission (never, in a run without faults).
    #[inline]
    pub fn awaits_retry<F: Features>(&self, job: u32) -> bool {
        F::FAULTS && self.resubmissions[job as usize].event != EventId::NONE
    }

    /// Attempt `id`: its own record in a run with faults, else the job of that slot.
    #[inline]
    pub fn attempt<F: Features>(&self, id: u32) -> &Attempt {
        if F::FAULTS {
            &self.attempts.slots[id as usize]
        } else {
            &self.jobs.slots[id as usize].run
        }
    }

    /// [`attempt`](Self::attempt), to change it.
    #[inline]
    pub fn attempt_mut<F: Features>(&mut self, id: u32) -> &mut Attempt {
        if F::FAULTS {
            &mut self.attempts.slots[id as usize]
        } else {
            &mut self.jobs.slots[id as usize].run
        }
    }

    /// Attempt `id` was lost with its node: its job remembers it (if this is still the
    /// job's latest attempt), and the record goes.
    pub fn lose<F: Features>(&mut self, id: u32) {
        let a = self.attempt::<F>(id);
        let (job, seq, number) = (a.job, a.task.seq, a.number);
        let j = &self.jobs.slots[job as usize];
        if F::FAULTS && j.is(seq) && j.attempts == number {
            self.resubmissions[job as usize].lost = number;
        }
        self.drop_attempt::<F>(id);
    }

    /// Forgets attempt `id` (a run without faults has no attempt records to free).
    #[inline]
    pub fn drop_attempt<F: Features>(&mut self, id: u32) {
        if F::FAULTS {
            self.attempts.remove(id);
        }
    }
}
