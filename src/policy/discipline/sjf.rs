//! `sjf`: shortest job first.

use crate::model::Task;
use crate::policy::Discipline;

/// Serves the waiting task with the smallest size *estimate* first; a running task is
/// never interrupted. Ties: first come, first served.
///
/// Non-preemptive shortest job first (Phipps, "Machine repair as a priority waiting-line
/// problem", Operations Research 4(1), 1956). With exact estimates it minimises mean
/// response among non-preemptive disciplines on one server.
#[derive(Debug, Default)]
pub struct Sjf;

impl Discipline for Sjf {
    fn rank(&self, task: &Task) -> f64 {
        task.estimate
    }
}
