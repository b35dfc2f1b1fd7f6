//! `srpt`: shortest remaining processing time.

use crate::model::Task;
use crate::policy::Discipline;

/// Serves the task with the least *estimated* remaining work first; an arriving task
/// whose estimate is strictly below a running task's estimated remaining work
/// preempts it (the stopped task resumes later). Ties: first come, first served.
///
/// Schrage and Miller, "The queue M/G/1 with the shortest remaining processing time
/// discipline", Operations Research 14(4), 1966; with exact sizes it minimises mean
/// response on one server (Schrage 1968).
#[derive(Debug, Default)]
pub struct Srpt;

impl Discipline for Srpt {
    fn rank(&self, task: &Task) -> f64 {
        task.remaining_estimate()
    }

    fn preemptive(&self) -> bool {
        true
    }

    fn preemption(&self, head: &Task, free: (u32, f64), running: &[&Task]) -> Option<usize> {
        super::preempt::worst_ranked(self, head, free, running)
    }
}
