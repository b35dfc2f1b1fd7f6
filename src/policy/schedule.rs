//! [`CoreSchedule`]: a dispatcher's estimate of when each core of a node will be free,
//! as a FIFO node would run what the dispatcher sent it.
//!
//! Least-Work-Remaining (Harchol-Balter, Crovella and Murta, JPDC 1999) and Minimum
//! Completion Time key on the work a node has left *now*, not on the estimates sent
//! and not yet seen back: a task that has run for 90% of its time has 10% of its work
//! left. Work left changes as time passes, which an index cannot follow; the time at
//! which each core will be free does not. So the dispatcher keeps, per node:
//!
//! - each core's free time: when a task of `k` cores is sent at `now`, it starts (on a
//!   FIFO node, in the order sent) at `max(now, start of the task sent before it,
//!   the k-th earliest core free time)`, and its `k` cores are then busy until that
//!   start plus `estimate / speed`;
//! - corrections: when a result arrives, the task's `k` cores were expected free at
//!   its expected end `e` and are free at the result's arrival `now`; the `k` cores
//!   whose free time is the earliest at or after `e` (the ones it held, or the tasks
//!   that followed it there) move by `now - e`, and so does the last start if it was
//!   at or after `e`.
//!
//! With exact estimates and no latency nothing needs correcting, and the schedule is
//! the node's own: a task sent to the node whose earliest core frees first starts
//! exactly when one central FCFS queue over all the cores would start it. With
//! latency, a result reaches the dispatcher after the task ended, so corrections
//! come late by the return latency; with estimate errors, the schedule is as wrong
//! as the estimates until each result corrects it. On one core the correction is
//! exact; on several it assumes the cores the task held are those whose free time is
//! the earliest at or after its expected end (exact when nothing was sent after it,
//! an estimate otherwise). A node running another discipline than FIFO runs its
//! tasks in another order, but clears the same work: the schedule's free times stay
//! an estimate of when its cores clear what was sent.

use crate::engine::SimTime;

/// A dispatcher's schedule of one node's cores (see the module's documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct CoreSchedule {
    /// When each core is expected to be free, ascending.
    free: Vec<SimTime>,
    /// When the last task sent is expected to start: a FIFO node starts its tasks in
    /// the order it received them, so none starts before it.
    last_start: SimTime,
}

impl CoreSchedule {
    /// A node of `cores` cores with nothing sent to it.
    pub fn idle(cores: u32) -> Self {
        CoreSchedule { free: vec![0.0; cores.max(1) as usize], last_start: 0.0 }
    }

    /// The node's cores.
    pub fn cores(&self) -> usize {
        self.free.len()
    }

    /// When a task of `cores` cores sent now could start, not counting `now`: the
    /// k-th earliest core free time, or the last start if later. The start itself is
    /// `max(now, this)`; leaving `now` out makes the value constant as time passes,
    /// so an index can hold it.
    #[inline]
    pub fn earliest_start(&self, cores: u32) -> SimTime {
        let k = (cores.max(1) as usize).min(self.free.len());
        self.free[k - 1].max(self.last_start)
    }

    /// When the cores would clear what was sent, on average: the mean of their free
    /// times (for one core, its free time). Constant as time passes.
    #[inline]
    pub fn mean_free(&self) -> SimTime {
        self.free.iter().sum::<f64>() / self.free.len() as f64
    }

    /// A task of `cores` cores, `duration` seconds long at the node's speed by its
    /// estimate, is sent at `now`: its cores are booked from its start. Returns when
    /// it is expected to end.
    pub fn send(&mut self, cores: u32, duration: f64, now: SimTime) -> SimTime {
        let k = (cores.max(1) as usize).min(self.free.len());
        // A core free before now is free from now.
        for f in self.free.iter_mut().take_while(|f| **f < now) {
            *f = now;
        }
        let start = self.free[k - 1].max(self.last_start).max(now);
        let end = start + duration;
        self.free.drain(..k);
        let at = self.free.partition_point(|&f| f <= end);
        self.free.splice(at..at, std::iter::repeat_n(end, k));
        self.last_start = start;
        end
    }

    /// The result of a task of `cores` cores expected to end at `expected_end`
    /// arrived at `now`: the cores it held, and what was booked after it on them,
    /// move by the difference.
    pub fn returned(&mut self, cores: u32, expected_end: SimTime, now: SimTime) {
        let shift = now - expected_end;
        if shift == 0.0 || !shift.is_finite() {
            return;
        }
        let k = (cores.max(1) as usize).min(self.free.len());
        let from = self.free.partition_point(|&f| f < expected_end);
        let to = (from + k).min(self.free.len());
        for f in &mut self.free[from..to] {
            *f = (*f + shift).max(now);
        }
        if self.last_start >= expected_end {
            self.last_start = (self.last_start + shift).max(now);
        }
        self.free.sort_by(f64::total_cmp);
    }

    /// The node came back after being declared dead: nothing of what was sent before
    /// counts; every core is free from `now`.
    pub fn reset(&mut self, now: SimTime) {
        self.free.fill(now);
        self.last_start = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_core_queues_what_is_sent_in_order() {
        let mut s = CoreSchedule::idle(1);
        assert_eq!(s.send(1, 3.0, 1.0), 4.0);
        assert_eq!(s.send(1, 2.0, 2.0), 6.0);
        assert_eq!(s.earliest_start(1), 6.0);
        // The first ends early, at 3: the second starts then and ends at 5.
        s.returned(1, 4.0, 3.0);
        assert_eq!(s.earliest_start(1), 5.0);
        // The second ends late, at 7.
        s.returned(1, 5.0, 7.0);
        assert_eq!(s.earliest_start(1), 7.0);
        // Idle since 7: a task sent at 10 starts at 10.
        assert_eq!(s.send(1, 1.0, 10.0), 11.0);
    }

    #[test]
    fn several_cores_take_the_earliest_free_and_keep_fifo_order() {
        let mut s = CoreSchedule::idle(4);
        assert_eq!(s.send(2, 10.0, 0.0), 10.0); // cores 10, 10, 0, 0
        assert_eq!(s.send(1, 5.0, 0.0), 5.0); // 0, 5, 10, 10
        assert_eq!(s.earliest_start(1), 0.0);
        assert_eq!(s.earliest_start(3), 10.0);
        // A 4-core task waits for all four, from 10 to 12; then a 1-core task sent
        // after it cannot overtake it, though a core is free at 0.
        assert_eq!(s.send(4, 2.0, 1.0), 12.0);
        assert_eq!(s.send(1, 1.0, 1.0), 13.0);
        assert_eq!(s.mean_free(), (12.0 + 12.0 + 12.0 + 13.0) / 4.0);
    }

    #[test]
    fn an_early_result_frees_its_cores_early() {
        let mut s = CoreSchedule::idle(2);
        s.send(1, 10.0, 0.0); // 0, 10
        s.send(1, 4.0, 0.0); // 4, 10
        s.send(1, 3.0, 0.0); // starts at 4 after the second: 7, 10
                             // The first (expected at 10) ends at 6: its core is free at 6.
        s.returned(1, 10.0, 6.0);
        assert_eq!(s.earliest_start(1), 6.0);
        assert_eq!(s.earliest_start(2), 7.0);
    }
}
