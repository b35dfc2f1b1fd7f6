//! [`TaskQueue`]: waiting tasks in a discipline's order.

use super::ring::Ring;
use super::TaskId;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Tasks waiting to run, served lowest rank first and, among equal ranks, by a
/// tie-break key: the task's arrival index, so that equal ranks are served first come,
/// first served, and a preempted task resumes ahead of later arrivals of its rank (as
/// the preemptive-resume model assumes). A FIFO discipline (every rank equal) gets a
/// ring buffer in order of entry; any other a binary heap. *O*(1) or *O*(log n) per
/// operation.
///
/// 24 bytes, the FIFO queue's ring held in place: a node's queue shares a cache line
/// with the rest of what a task touches there. The heap of a ranked queue is held
/// through a pointer, which costs such a queue one more line per operation.
#[derive(Debug)]
pub enum TaskQueue {
    /// Plain first in, first out.
    Fifo(Ring),
    /// Lowest (rank, tie) first.
    // Boxed so that the queue is 24 bytes (see above).
    #[allow(clippy::box_collection)]
    Ranked(Box<BinaryHeap<Ranked>>),
}

const _: () = assert!(std::mem::size_of::<TaskQueue>() == 24);

/// A waiting task with its rank; ordered so the max-heap pops the lowest rank first.
#[derive(Debug)]
pub struct Ranked {
    rank: f64,
    tie: u64,
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
        other.rank.total_cmp(&self.rank).then_with(|| other.tie.cmp(&self.tie))
    }
}

impl TaskQueue {
    /// An empty queue; `fifo` selects the ring buffer.
    pub fn new(fifo: bool) -> Self {
        if fifo {
            TaskQueue::Fifo(Ring::default())
        } else {
            TaskQueue::Ranked(Box::default())
        }
    }

    /// Adds a task with its rank and tie-break key (both ignored by a FIFO queue).
    #[inline]
    pub fn push(&mut self, task: TaskId, rank: f64, tie: u64) {
        match self {
            TaskQueue::Fifo(q) => q.push_back(task),
            TaskQueue::Ranked(heap) => heap.push(Ranked { rank, tie, task }),
        }
    }

    /// Adds a task with its tie-break key and the rank `rank` gives, asked only of a
    /// ranked queue (a FIFO queue's tasks need none: the common case pays no call).
    #[inline]
    pub fn push_ranked_by(&mut self, task: TaskId, tie: u64, rank: impl FnOnce() -> f64) {
        match self {
            TaskQueue::Fifo(q) => q.push_back(task),
            TaskQueue::Ranked(heap) => heap.push(Ranked { rank: rank(), tie, task }),
        }
    }

    /// The task that would be served next.
    #[inline]
    pub fn peek(&self) -> Option<TaskId> {
        match self {
            TaskQueue::Fifo(q) => q.front(),
            TaskQueue::Ranked(heap) => heap.peek().map(|r| r.task),
        }
    }

    /// Removes and returns the task served next.
    #[inline]
    pub fn pop(&mut self) -> Option<TaskId> {
        match self {
            TaskQueue::Fifo(q) => q.pop_front(),
            TaskQueue::Ranked(heap) => heap.pop().map(|r| r.task),
        }
    }

    /// The task at `position` in serving order, for a FIFO queue (`None` past the end,
    /// or for a ranked queue, whose order is not stored).
    pub fn fifo_at(&self, position: usize) -> Option<TaskId> {
        match self {
            TaskQueue::Fifo(q) => q.get(position),
            TaskQueue::Ranked(_) => None,
        }
    }

    /// Removes the task at `position` of a FIFO queue. *O*(distance to the nearer end).
    pub fn remove_fifo_at(&mut self, position: usize) -> Option<TaskId> {
        match self {
            TaskQueue::Fifo(q) => q.remove(position),
            TaskQueue::Ranked(_) => None,
        }
    }

    /// Removes `task`, wherever it is in the queue; whether it was there. *O*(n): for
    /// the rare task that must leave a queue before its turn.
    pub fn remove(&mut self, task: TaskId) -> bool {
        match self {
            TaskQueue::Fifo(q) => q.position(task).and_then(|i| q.remove(i)).is_some(),
            TaskQueue::Ranked(heap) => {
                let before = heap.len();
                heap.retain(|r| r.task != task);
                heap.len() < before
            }
        }
    }

    /// Whether no task waits.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of waiting tasks.
    #[inline]
    pub fn len(&self) -> usize {
        match self {
            TaskQueue::Fifo(q) => q.len(),
            TaskQueue::Ranked(heap) => heap.len(),
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
            q.push(task, rank, task as u64);
        }
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, vec![4, 1, 3, 0, 2]);
    }

    #[test]
    fn fifo_ignores_rank() {
        let mut q = TaskQueue::new(true);
        for (task, rank) in [(0, 2.0), (1, 1.0), (2, 0.0)] {
            q.push(task, rank, 9 - task as u64);
        }
        assert_eq!(q.peek(), Some(0));
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, vec![0, 1, 2]);
    }

    #[test]
    fn ties_go_by_the_tie_key_not_entry_order() {
        let mut q = TaskQueue::new(false);
        q.push(7, 1.0, 5);
        q.push(8, 1.0, 2);
        assert_eq!(q.pop(), Some(8));
    }

    #[test]
    fn a_task_can_leave_either_queue_before_its_turn() {
        for fifo in [true, false] {
            let mut q = TaskQueue::new(fifo);
            for t in 0..4 {
                q.push(t, t as f64, t as u64);
            }
            assert!(q.remove(2) && !q.remove(2));
            let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
            assert_eq!(order, vec![0, 1, 3]);
        }
    }

    #[test]
    fn fifo_positions_can_be_read_and_removed() {
        let mut q = TaskQueue::new(true);
        for t in 0..4 {
            q.push(t, 0.0, 0);
        }
        assert_eq!(q.fifo_at(2), Some(2));
        assert_eq!(q.remove_fifo_at(1), Some(1));
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, vec![0, 2, 3]);
    }
}
