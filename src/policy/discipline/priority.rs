//! `priority`: non-preemptive priority.

use crate::model::Task;
use crate::policy::Discipline;

/// Serves the waiting task of lowest priority number first, first come first served
/// within a class; a running task is never interrupted.
///
/// The non-preemptive priority queue of Cobham ("Priority assignment in waiting line
/// problems", Operations Research 2(1), 1954), whose per-class mean waits it has.
#[derive(Debug, Default)]
pub struct Priority;

impl Discipline for Priority {
    fn rank(&self, task: &Task) -> f64 {
        task.priority as f64
    }
}
