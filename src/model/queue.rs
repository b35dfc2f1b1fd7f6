//! [`TaskQueue`]: waiting tasks in a discipline's order.

use super::TaskId;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// Tasks waiting to run, served lowest rank first and, among equal ranks, in order of
/// entry. A FIFO discipline (every rank equal) gets a ring buffer; any other a binary
/// heap keyed by (rank, entry number). *O*(1) or *O*(log n) per operation.
#[derive(Debug)]
pub enum TaskQueue {
    /// Plain first in, first out.
    Fifo(VecDeque<TaskId>),
    /// Lowest (rank, entry) first.
    Ranked {
        /// The waiting tasks.
        heap: BinaryHeap<Ranked>,
        /// Entry counter, for FIFO order among equal ranks.
        entered: u64,
    },
}

/// A waiting task with its rank; ordered so the max-heap pops the lowest rank first.
#[derive(Debug)]
pub struct Ranked {
    rank: f64,
    entry: u64,
    task: TaskId,
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        other.rank.total_cmp(&self.rank).then_with(|| other.entry.cmp(&self.entry))
    }
}

impl TaskQueue {
    /// An empty queue; `fifo` selects the ring buffer.
    pub fn new(fifo: bool) -> Self {
        if fifo {
            TaskQueue::Fifo(VecDeque::new())
        } else {
            TaskQueue::Ranked { heap: BinaryHeap::new(), entered: 0 }
        }
    }

    /// Adds a task with its rank (ignored by a FIFO queue).
    #[inline]
    pub fn push(&mut self, task: TaskId, rank: f64) {
        match self {
            TaskQueue::Fifo(q) => q.push_back(task),
            TaskQueue::Ranked { heap, entered } => {
                heap.push(Ranked { rank, entry: *entered, task });
                *entered += 1;
            }
        }
    }

    /// The task that would be served next.
    #[inline]
    pub fn peek(&self) -> Option<TaskId> {
        match self {
            TaskQueue::Fifo(q) => q.front().copied(),
            TaskQueue::Ranked { heap, .. } => heap.peek().map(|r| r.task),
        }
    }

    /// Removes and returns the task served next.
    #[inline]
    pub fn pop(&mut self) -> Option<TaskId> {
        match self {
            TaskQueue::Fifo(q) => q.pop_front(),
            TaskQueue::Ranked { heap, .. } => heap.pop().map(|r| r.task),
        }
    }

    /// Number of waiting tasks.
    #[inline]
    pub fn len(&self) -> usize {
        match self {
            TaskQueue::Fifo(q) => q.len(),
            TaskQueue::Ranked { heap, .. } => heap.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranked_serves_lowest_rank_then_entry_order() {
        let mut q = TaskQueue::new(false);
        for (task, rank) in [(0, 2.0), (1, 1.0), (2, 2.0), (3, 1.0), (4, 0.5)] {
            q.push(task, rank);
        }
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, vec![4, 1, 3, 0, 2]);
    }

    #[test]
    fn fifo_ignores_rank() {
        let mut q = TaskQueue::new(true);
        for (task, rank) in [(0, 2.0), (1, 1.0), (2, 0.0)] {
            q.push(task, rank);
        }
        assert_eq!(q.peek(), Some(0));
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, vec![0, 1, 2]);
    }
}
