//! [`Ring`]: task ids first in, first out, in a header of 24 bytes.

use super::TaskId;

/// Task ids in order of entry: a ring buffer whose capacity is 0 or a power of two,
/// with its start and length kept as `u32`. Its header takes 24 bytes where a
/// `VecDeque` takes 32, which is what lets a [`Node`](super::Node) keep everything a
/// task's arrival, start and end touch in one cache line.
///
/// *O*(1) at either end (amortised when it grows); removing from the middle shifts
/// the nearer end's tasks, as a `VecDeque` does.
#[derive(Default)]
pub struct Ring {
    /// The slots; `buf.len()` is the capacity.
    buf: Box<[TaskId]>,
    /// Index in `buf` of the first task.
    head: u32,
    /// Tasks held.
    len: u32,
}

impl Ring {
    /// Number of tasks held.
    #[inline]
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether it holds no task.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The slot of the task at `position` (0 is the first); only for a position
    /// below the capacity.
    #[inline]
    fn slot(&self, position: usize) -> usize {
        (self.head as usize + position) & (self.buf.len() - 1)
    }

    /// Adds `task` at the back.
    #[inline]
    pub fn push_back(&mut self, task: TaskId) {
        if self.len() == self.buf.len() {
            self.grow();
        }
        let i = self.slot(self.len());
        self.buf[i] = task;
        self.len += 1;
    }

    /// The first task.
    #[inline]
    pub fn front(&self) -> Option<TaskId> {
        (!self.is_empty()).then(|| self.buf[self.head as usize])
    }

    /// Removes and returns the first task.
    #[inline]
    pub fn pop_front(&mut self) -> Option<TaskId> {
        let task = self.front()?;
        self.head = self.slot(1) as u32;
        self.len -= 1;
        Some(task)
    }

    /// The task at `position` (0 is the first), if it holds that many.
    pub fn get(&self, position: usize) -> Option<TaskId> {
        (position < self.len()).then(|| self.buf[self.slot(position)])
    }

    /// Where `task` is, if it is held.
    pub fn position(&self, task: TaskId) -> Option<usize> {
        (0..self.len()).find(|&p| self.buf[self.slot(p)] == task)
    }

    /// Removes and returns the task at `position`; the tasks between it and the
    /// nearer end move by one. *O*(that distance).
    pub fn remove(&mut self, position: usize) -> Option<TaskId> {
        let task = self.get(position)?;
        if position < self.len() / 2 {
            // The tasks before it move back by one, and the front with them.
            for p in (0..position).rev() {
                let (to, from) = (self.slot(p + 1), self.slot(p));
                self.buf[to] = self.buf[from];
            }
            self.head = self.slot(1) as u32;
        } else {
            for p in position..self.len() - 1 {
                let (to, from) = (self.slot(p), self.slot(p + 1));
                self.buf[to] = self.buf[from];
            }
        }
        self.len -= 1;
        Some(task)
    }

    /// Doubles the capacity (at least 4 slots), keeping the order.
    #[cold]
    fn grow(&mut self) {
        let capacity = (self.buf.len() * 2).max(4);
        assert!(capacity <= 1 << 31, "more than 2^31 tasks in one queue");
        let mut buf = vec![0; capacity].into_boxed_slice();
        for (p, slot) in buf.iter_mut().take(self.len()).enumerate() {
            *slot = self.buf[self.slot(p)];
        }
        self.buf = buf;
        self.head = 0;
    }
}

impl std::fmt::Debug for Ring {
    /// The tasks held, first to last (not the slots as they lie).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries((0..self.len()).map(|p| self.buf[self.slot(p)])).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// The ring against `VecDeque` under a long random mix of every operation, with
    /// wrap-around, growth, and removals near either end.
    #[test]
    fn behaves_as_a_vecdeque() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let (mut ring, mut deque) = (Ring::default(), VecDeque::new());
        for step in 0..200_000u32 {
            // Phases of growth and of shrinking, so that it wraps, grows and empties.
            let growing = (step / 20_000) % 2 == 0;
            match (next(10), growing) {
                (0..=4, true) | (0..=2, false) => {
                    ring.push_back(step);
                    deque.push_back(step);
                }
                (8, _) => {
                    let p = next(deque.len() as u64 + 2) as usize;
                    assert_eq!(ring.remove(p), deque.remove(p));
                }
                (9, _) => {
                    let p = next(deque.len() as u64 + 2) as usize;
                    assert_eq!(ring.get(p), deque.get(p).copied());
                    if let Some(&t) = deque.get(p) {
                        assert_eq!(ring.position(t), Some(p));
                    }
                }
                _ => assert_eq!(ring.pop_front(), deque.pop_front()),
            }
            assert_eq!((ring.len(), ring.front()), (deque.len(), deque.front().copied()));
        }
        assert!(ring.position(u32::MAX).is_none());
    }

    #[test]
    fn shows_its_tasks_in_order() {
        let mut ring = Ring::default();
        for t in 0..6 {
            ring.push_back(t);
        }
        for _ in 0..3 {
            ring.pop_front();
        }
        ring.push_back(6);
        ring.push_back(7);
        assert_eq!(format!("{ring:?}"), "[3, 4, 5, 6, 7]");
    }
}
