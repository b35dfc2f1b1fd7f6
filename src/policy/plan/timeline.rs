//! [`Timeline`]: what a planner has booked on one processor of `capacity` slots (a
//! node's cores), as a step function of the slots in use over time.
//!
//! The paper's processors run one task at a time; a node of the simulator runs as many
//! one-core tasks at once as it has cores. A timeline holds both: a task of `width`
//! slots fits at `t` when the slots in use plus `width` stay within the capacity over
//! its whole run. Such a booking can always be laid out on the individual cores (an
//! interval graph of depth `capacity` has a `capacity`-colouring), so a planner need
//! not pick the core, and with capacity 1 it is exactly the paper's processor.

/// The slots in use on one processor over time (see the module's documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    capacity: u32,
    /// `(t, used)`: `used` slots from `t` until the next step's time; 0 before the
    /// first step. Times ascending; the last step's `used` is 0 (bookings end).
    steps: Vec<(f64, u32)>,
}

impl Timeline {
    /// A processor of `capacity` slots (at least 1) with nothing booked.
    pub fn idle(capacity: u32) -> Self {
        Timeline { capacity: capacity.max(1), steps: Vec::new() }
    }

    /// Its slots.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// Whether nothing is booked.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The earliest start at or after `ready` of a task `len` seconds long taking
    /// `width` slots (at most the capacity):
    ///
    /// - with `insertion` (HEFT and CPOP, eq. 3 of Topcuoglu et al.), in the first
    ///   stretch where it fits whole, between bookings or after the last;
    /// - without (min-min and max-min, after Braun et al.: a machine's available
    ///   time), after every booking that leaves it no room, that is at or after the
    ///   end of the last such booking.
    ///
    /// O(steps).
    pub fn earliest(&self, ready: f64, len: f64, width: u32, insertion: bool) -> f64 {
        let width = width.min(self.capacity);
        let full = |used: u32| used + width > self.capacity;
        if !insertion {
            // After the last step that leaves no room (its stretch ends at the next step).
            let last = (0..self.steps.len()).rev().find(|&k| full(self.steps[k].1));
            return match last {
                Some(k) => ready.max(self.steps.get(k + 1).map_or(f64::INFINITY, |s| s.0)),
                None => ready,
            };
        }
        if len <= 0.0 {
            // An empty run overlaps nothing.
            return ready;
        }
        let mut start = ready;
        for (k, &(from, used)) in self.steps.iter().enumerate() {
            let until = self.steps.get(k + 1).map_or(f64::INFINITY, |s| s.0);
            if until <= start {
                continue;
            }
            if from >= start + len {
                break;
            }
            if full(used) {
                start = until;
            }
        }
        start
    }

    /// Books `width` slots from `start` to `finish` (nothing if `finish <= start`).
    /// The caller has checked it fits ([`earliest`](Self::earliest)). O(steps).
    pub fn book(&mut self, start: f64, finish: f64, width: u32) {
        if finish <= start || !finish.is_finite() {
            return;
        }
        let a = self.split(start);
        let b = self.split(finish);
        for step in &mut self.steps[a..b] {
            step.1 += width;
        }
        // Adjacent steps of equal use are one stretch.
        let mut last = None;
        self.steps.retain(|&(_, used)| {
            let keep = last != Some(used);
            last = Some(used);
            keep
        });
        if self.steps.first().is_some_and(|s| s.1 == 0) {
            self.steps.remove(0);
        }
    }

    /// Forgets what is booked before `now`: the plans of the past no longer hold
    /// anything back. O(steps).
    pub fn prune(&mut self, now: f64) {
        let k = self.steps.partition_point(|s| s.0 <= now);
        if k == 0 {
            return;
        }
        let used = self.steps[k - 1].1;
        self.steps.drain(..k);
        if used > 0 {
            self.steps.insert(0, (now, used));
        }
    }

    /// The index of the step at `t`, inserted (with the use of the stretch it splits)
    /// if there is none.
    fn split(&mut self, t: f64) -> usize {
        let k = self.steps.partition_point(|s| s.0 < t);
        if self.steps.get(k).is_some_and(|s| s.0 == t) {
            return k;
        }
        let used = if k == 0 { 0 } else { self.steps[k - 1].1 };
        self.steps.insert(k, (t, used));
        k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_slot_is_the_papers_processor_with_gaps() {
        let mut t = Timeline::idle(1);
        t.book(0.0, 9.0, 1);
        t.book(18.0, 26.0, 1);
        // A gap of 9 holds 8 but not 10.
        assert_eq!(t.earliest(5.0, 8.0, 1, true), 9.0);
        assert_eq!(t.earliest(5.0, 10.0, 1, true), 26.0);
        // Without insertion: after the last booking.
        assert_eq!(t.earliest(5.0, 1.0, 1, false), 26.0);
        assert_eq!(t.earliest(30.0, 1.0, 1, false), 30.0);
        t.book(9.0, 17.0, 1);
        assert_eq!(t.steps, vec![(0.0, 1), (17.0, 0), (18.0, 1), (26.0, 0)]);
    }

    #[test]
    fn several_slots_hold_tasks_side_by_side() {
        let mut t = Timeline::idle(2);
        t.book(0.0, 10.0, 1);
        assert_eq!(t.earliest(0.0, 5.0, 1, true), 0.0);
        t.book(0.0, 5.0, 1);
        // Both slots busy until 5, one until 10.
        assert_eq!(t.earliest(0.0, 3.0, 1, true), 5.0);
        assert_eq!(t.earliest(0.0, 3.0, 2, true), 10.0);
        assert_eq!(t.earliest(0.0, 3.0, 1, false), 5.0);
        assert_eq!(t.earliest(0.0, 3.0, 2, false), 10.0);
        t.prune(7.0);
        assert_eq!(t.steps, vec![(7.0, 1), (10.0, 0)]);
        t.prune(12.0);
        assert!(t.is_empty());
    }

    #[test]
    fn a_task_never_overlaps_a_full_stretch() {
        let mut t = Timeline::idle(1);
        t.book(2.0, 4.0, 1);
        t.book(6.0, 8.0, 1);
        assert_eq!(t.earliest(0.0, 2.0, 1, true), 0.0);
        assert_eq!(t.earliest(1.0, 2.0, 1, true), 4.0);
        assert_eq!(t.earliest(4.5, 2.0, 1, true), 8.0);
        assert_eq!(t.earliest(3.0, 0.0, 1, true), 3.0);
    }
}
