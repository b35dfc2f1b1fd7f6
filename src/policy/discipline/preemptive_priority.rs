//! `preemptive_priority`: preemptive-resume priority.

use crate::model::Task;
use crate::policy::Discipline;

/// Serves the task of lowest priority number first; an arriving task of a strictly
/// lower number stops a running task of a higher one, which later resumes where it
/// stopped (preemptive-resume). First come first served within a class.
///
/// The preemptive-resume priority queue (e.g. Kleinrock, "Queueing Systems", vol. 2,
/// section 3.7; Harchol-Balter, "Performance Modeling and Design of Computer Systems",
/// chapter 32): class k sees only the load of classes <= k.
#[derive(Debug, Default)]
pub struct PreemptivePriority;

impl Discipline for PreemptivePriority {
    fn rank(&self, task: &Task) -> f64 {
        task.priority as f64
    }

    fn preemptive(&self) -> bool {
        true
    }

    fn preemption(&self, head: &Task, free: (u32, f64), running: &[&Task]) -> Option<usize> {
        super::preempt::worst_ranked(self, head, free, running)
    }
}
