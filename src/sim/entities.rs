//! What a run keeps per task, per attempt and per message in flight.

use crate::engine::{EventId, SimTime};
use crate::model::{NodeId, Task};

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

/// A task in the system (a job): from arrival until it completes or fails, however
/// many attempts that takes.
#[derive(Debug)]
pub(super) struct Job {
    /// The task as it arrived (`seq` is set to `u64::MAX` when the job leaves, so a
    /// late attempt's result cannot be taken for a newer job in the same slot).
    pub task: Task,
    /// Whether the metrics count it (it arrived after the warm-up).
    pub measured: bool,
    /// The dispatcher it arrived at.
    pub dispatcher: u16,
    /// Attempts made so far; the latest has this number.
    pub attempts: u32,
    /// The resubmission it waits for, if any.
    pub retry_event: EventId,
}

impl Job {
    /// Whether `seq` names this job and it is still in the system.
    #[inline]
    pub fn is(&self, seq: u64) -> bool {
        self.task.seq == seq
    }
}

/// One attempt to run a job: sent to one node, run there (perhaps in stretches, if
/// preempted), its result sent back. Several attempts of a job can exist at once
/// (after a false suspicion or a timeout); the first result to reach the dispatcher
/// completes the job, later ones are wasted work.
#[derive(Debug)]
pub(super) struct Attempt {
    /// The task as this attempt runs it (its own `work_done`).
    pub task: Task,
    /// The job's slot, and which attempt of it this is.
    pub job: u32,
    pub number: u32,
    pub dispatcher: u16,
    pub node: u32,
    /// When the dispatcher sent it.
    pub sent: SimTime,
    /// When it first started running (NaN before).
    pub start: SimTime,
    /// When its current stretch of running began.
    pub run_start: SimTime,
    /// The completion it waits for; any other `Done` for it is stale.
    pub done_event: EventId,
    /// Its timeout, if the retry policy has one.
    pub timeout_event: EventId,
    pub preemptions: u32,
    /// When it finished running on its node (NaN before).
    pub finished: SimTime,
}

/// A node's state report: what it holds, and what it has received from the dispatcher
/// it reports to.
#[derive(Debug, Clone, Copy)]
pub(super) struct Report {
    pub queue: u32,
    pub received: u64,
}

/// A message on the network.
#[derive(Debug, Clone, Copy)]
pub(super) enum Message {
    /// Dispatcher to node: run this attempt.
    Task { attempt: u32, node: NodeId },
    /// Node to dispatcher: this attempt completed (the node's `epoch` when sent).
    Result { attempt: u32, node: NodeId, epoch: u32, report: Option<Report> },
    /// Node to dispatcher: still alive.
    Heartbeat { node: NodeId, dispatcher: u16, epoch: u32, report: Report },
}
