//! `conservative_backfill`: FIFO in which every waiting task holds a reservation
//! (central mode), and the scheduling pass that makes them.

use super::easy_backfill::Ending;
use crate::engine::SimTime;
use crate::model::{NodeId, Task};
use crate::policy::Discipline;

/// First come, first served at the central queue, where *every* waiting task gets a
/// reservation, in queue order, at the earliest time it fits without disturbing the
/// reservations of the tasks ahead of it; a task starts when its reservation is now.
/// A later task may jump ahead only into a hole no earlier task is promised, so no
/// task is ever delayed by one behind it (EASY protects only the head).
///
/// Mu'alem and Feitelson, "Utilization, predictability, workloads, and user runtime
/// estimates in scheduling the IBM SP2 with backfilling", IEEE TPDS 12(6), 2001. The
/// reservations are made afresh at every scheduling pass from the running tasks'
/// estimates, so a task that ends early lets the later ones move up.
///
/// Where the definition (one pool of processors) meets a cluster of nodes, a task is
/// reserved on the node where it can start earliest (the lower index among equals),
/// and runs there: the discipline places tasks itself, and the scenario's balancer is
/// not asked.
#[derive(Debug, Default)]
pub struct ConservativeBackfill;

impl Discipline for ConservativeBackfill {
    fn rank(&self, _task: &Task) -> f64 {
        0.0
    }

    fn is_fifo(&self) -> bool {
        true
    }

    fn conservative(&self) -> bool {
        true
    }
}

/// One node's free cores and memory over time, from now on: a step function, free
/// `cores[k]`, `memory[k]` from `times[k]` until `times[k + 1]` (the last step lasts).
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    times: Vec<SimTime>,
    cores: Vec<i64>,
    memory: Vec<f64>,
}

impl Profile {
    /// The node at `now`: `free` now, and each running task's room back at its
    /// estimated end. A task due to end by `now` that has not (it overran its estimate,
    /// or its end is another event of this instant) gives its room back just after
    /// `now`: nothing may start in it before it is really free.
    pub fn new(now: SimTime, free: (u32, f64), ends: &[Ending]) -> Self {
        let after = now.next_up();
        let mut ends: Vec<Ending> = ends.iter().map(|e| Ending { at: e.at.max(after), ..*e }).collect();
        ends.sort_by(|a, b| a.at.total_cmp(&b.at).then(a.seq.cmp(&b.seq)));
        let mut p = Profile { times: vec![now], cores: vec![i64::from(free.0)], memory: vec![free.1] };
        for e in ends {
            p.change(e.at, f64::INFINITY, i64::from(e.cores), e.memory);
        }
        p
    }

    /// Adds `cores` and `memory` (negative: takes them) over `[from, to)`.
    fn change(&mut self, from: SimTime, to: SimTime, cores: i64, memory: f64) {
        let a = self.split(from);
        let b = if to.is_finite() { self.split(to) } else { self.times.len() };
        for k in a..b {
            self.cores[k] += cores;
            self.memory[k] += memory;
        }
    }

    /// The index of the step starting at `t`, made if need be.
    fn split(&mut self, t: SimTime) -> usize {
        match self.times.binary_search_by(|x| x.total_cmp(&t)) {
            Ok(k) => k,
            Err(k) => {
                // `t` falls inside step k - 1 (never before the first: t >= now).
                let (c, m) = (self.cores[k - 1], self.memory[k - 1]);
                self.times.insert(k, t);
                self.cores.insert(k, c);
                self.memory.insert(k, m);
                k
            }
        }
    }

    /// The earliest start, at or after the first step, of `duration` seconds needing
    /// `need` cores and memory throughout; `None` if never. Linear in the steps: a
    /// step too full rules out every start from the candidate up to it, so the next
    /// candidate is the step after it.
    pub fn earliest(&self, need: (u32, f64), duration: f64) -> Option<SimTime> {
        let fits = |k: usize| self.cores[k] >= i64::from(need.0) && self.memory[k] >= need.1;
        let mut s = 0;
        'start: while s < self.times.len() {
            let start = self.times[s];
            let mut k = s;
            while k < self.times.len() && (k == s || self.times[k] < start + duration) {
                if !fits(k) {
                    s = k + 1;
                    continue 'start;
                }
                k += 1;
            }
            return Some(start);
        }
        None
    }

    /// Takes `need` over `[start, start + duration)`.
    pub fn reserve(&mut self, start: SimTime, duration: f64, need: (u32, f64)) {
        let end = start + duration;
        self.change(start, if end > start { end } else { start }, -i64::from(need.0), -need.1);
    }
}

/// The pass: for each waiting task in queue order, the node and time of its
/// reservation over the nodes' `profiles`; the tasks whose reservation is `now` are
/// returned, in queue order, with their node. `tasks` gives, per waiting task, its
/// need and, per node, its estimated run time there (`None` where it can never run).
pub fn pass(
    now: SimTime,
    profiles: &mut [Profile],
    tasks: impl IntoIterator<Item = ((u32, f64), Vec<Option<f64>>)>,
) -> Vec<(usize, NodeId)> {
    let mut starts = Vec::new();
    for (position, (need, durations)) in tasks.into_iter().enumerate() {
        let best = (profiles.iter().zip(&durations).enumerate())
            .filter_map(|(n, (p, d))| d.and_then(|d| p.earliest(need, d).map(|t| (t, n, d))))
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let Some((at, node, duration)) = best else { continue };
        profiles[node].reserve(at, duration, need);
        if at <= now {
            starts.push((position, node));
        }
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(at: f64, seq: u64, cores: u32) -> Ending {
        Ending { at, seq, cores, memory: 0.0 }
    }

    #[test]
    fn a_profile_finds_the_earliest_hole_long_enough() {
        // 4 cores: 1 free now, 2 more at 10, the last at 20.
        let p = Profile::new(0.0, (1, 0.0), &[end(10.0, 0, 2), end(20.0, 1, 1)]);
        assert_eq!(p.earliest((1, 0.0), 100.0), Some(0.0));
        assert_eq!(p.earliest((3, 0.0), 5.0), Some(10.0));
        assert_eq!(p.earliest((4, 0.0), 5.0), Some(20.0));
        assert_eq!(p.earliest((5, 0.0), 5.0), None);
        let mut p = p;
        // Promise 3 cores over [10, 15): a 1-core task of 8 s fits now but not at 10.
        p.reserve(10.0, 5.0, (3, 0.0));
        assert_eq!(p.earliest((1, 0.0), 8.0), Some(0.0));
        assert_eq!(p.earliest((1, 0.0), 12.0), Some(15.0));
    }

    /// The earliest start by trying every step against every step it covers.
    fn brute_force(p: &Profile, need: (u32, f64), duration: f64) -> Option<SimTime> {
        (0..p.times.len()).map(|s| p.times[s]).find(|&start| {
            (0..p.times.len()).all(|k| {
                let (from, to) = (p.times[k], p.times.get(k + 1).copied().unwrap_or(f64::INFINITY));
                // A task of no duration needs room at its start only.
                let overlaps =
                    if duration > 0.0 { from < start + duration && to > start } else { from <= start && to > start };
                !overlaps || (p.cores[k] >= i64::from(need.0) && p.memory[k] >= need.1)
            })
        })
    }

    #[test]
    fn the_linear_search_finds_what_trying_every_start_finds() {
        let mut rng = crate::engine::SimRng::new(3);
        for _ in 0..2000 {
            let ends: Vec<Ending> = (0..rng.below(6))
                .map(|i| end((rng.below(20) as f64) * 0.5, i as u64, 1 + rng.below(3) as u32))
                .collect();
            let mut p = Profile::new(0.0, (rng.below(4) as u32, 0.0), &ends);
            for _ in 0..rng.below(4) {
                let need = (1 + rng.below(3) as u32, 0.0);
                let d = rng.below(8) as f64;
                if let Some(t) = p.earliest(need, d) {
                    p.reserve(t, d, need);
                }
            }
            let need = (1 + rng.below(6) as u32, 0.0);
            let d = rng.below(10) as f64 * 0.75;
            assert_eq!(p.earliest(need, d), brute_force(&p, need, d), "{p:?} {need:?} {d}");
        }
    }

    #[test]
    fn no_task_is_delayed_by_one_behind_it() {
        // One node of 4 cores; a 2-core task runs until 10. Queue: A (3 cores, 10 s),
        // B (4 cores, 5 s), C (1 core, 30 s). A is reserved at 10, B at 20; C would
        // fit now and in A's spare core, but overlap B's reservation: it waits until 25.
        let mut profiles = vec![Profile::new(3.0, (2, 0.0), &[end(10.0, 0, 2)])];
        let tasks = vec![((3, 0.0), vec![Some(10.0)]), ((4, 0.0), vec![Some(5.0)]), ((1, 0.0), vec![Some(30.0)])];
        assert!(pass(3.0, &mut profiles, tasks).is_empty());
        assert_eq!(profiles[0].earliest((4, 0.0), 1.0), Some(55.0), "C holds [25, 55)");
    }
}
