//! `fifo`: first in, first out.

use crate::model::Task;
use crate::policy::Discipline;

/// Serves tasks in the order they entered the queue (first come, first served).
/// Every task has the same rank, so the queue is a plain ring buffer.
#[derive(Debug, Default)]
pub struct Fifo;

impl Discipline for Fifo {
    fn rank(&self, _task: &Task) -> f64 {
        0.0
    }

    fn is_fifo(&self) -> bool {
        true
    }
}
