//! Tasks: the units of work that arrive, wait, run and complete.

use crate::engine::SimTime;

/// Index of a task's class in the scenario's class list.
pub type ClassId = u16;

/// A task in the system, as the dispatcher and policies see it (read-only to them).
///
/// Sizes are in work units; a node of speed `s` runs a task of size `x` in `x / s`
/// seconds. Every field a policy may read is drawn when the task arrives, from
/// streams that do not depend on the policy, so every policy sees the same tasks.
#[derive(Debug, Clone)]
// Laid out (`repr(C)`) for a run without faults: what a task's start reads (its size,
// work done, memory and cores) first, then what its end reads (order, arrival, result
// bytes, deadline), then the rest (the estimate, read at the send and by some
// disciplines and balancers; the input bytes, read at the send; the priority). The
// simulation's job record puts the first group in one cache line with the start's own
// fields.
#[repr(C)]
pub struct Task {
    /// Its true size in work units.
    pub size: f64,
    /// Work already done, in work units: positive once a preemptive discipline has
    /// stopped it part-way (it resumes where it stopped).
    pub work_done: f64,
    /// Memory it occupies while running.
    pub memory: f64,
    /// Cores it occupies while running.
    pub cores: u32,
    /// Its class (index into the scenario's classes).
    pub class: ClassId,
    /// Whether the scheduler kills it when it has done `size` (a replayed job that ran
    /// past its requested time, under `estimates = "kill"`: its `size` is then the
    /// requested time, the work it does before it is killed). A killed task fails.
    pub killed: bool,
    /// Arrival order, from 0: the task's name in traces and tie-breaks.
    pub seq: u64,
    /// When it reached the dispatcher.
    pub arrival: SimTime,
    /// Bytes of its result.
    pub output: f64,
    /// Absolute deadline, if its class has one.
    pub deadline: Option<SimTime>,
    /// The size the scheduler believes (what SJF and finish-time policies use).
    pub estimate: f64,
    /// Bytes sent to the node with the task (0 without a bandwidth).
    pub input: f64,
    /// Priority: a lower number is served first.
    pub priority: u32,
}

impl Task {
    /// A task of `size` work units with arrival index `seq`, arriving at 0: one core,
    /// no memory, class 0 and priority 0, an exact estimate, no deadline or transfers.
    /// A start for tests and examples: `Task { cores: 4, ..Task::of_size(0, 2.0) }`.
    pub fn of_size(seq: u64, size: f64) -> Task {
        Task {
            seq,
            arrival: 0.0,
            size,
            estimate: size,
            class: 0,
            priority: 0,
            cores: 1,
            memory: 0.0,
            deadline: None,
            input: 0.0,
            output: 0.0,
            work_done: 0.0,
            killed: false,
        }
    }

    /// The estimate of the work it still needs (never negative).
    #[inline]
    pub fn remaining_estimate(&self) -> f64 {
        (self.estimate - self.work_done).max(0.0)
    }
}
