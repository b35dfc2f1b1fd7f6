//! `edf`: earliest deadline first.

use crate::model::Task;
use crate::policy::Discipline;

/// Serves the waiting task with the earliest absolute deadline (arrival + its class's
/// relative deadline) first; tasks without a deadline come after all that have one,
/// first come first served. Non-preemptive. Deadline misses are counted in
/// `deadline_misses`.
///
/// Earliest deadline first (Liu and Layland, "Scheduling algorithms for
/// multiprogramming in a hard-real-time environment", JACM 20(1), 1973; here in its
/// non-preemptive queueing form, as in Jackson's rule for due dates, 1955).
#[derive(Debug, Default)]
pub struct Edf;

impl Discipline for Edf {
    fn rank(&self, task: &Task) -> f64 {
        task.deadline.unwrap_or(f64::INFINITY)
    }
}
