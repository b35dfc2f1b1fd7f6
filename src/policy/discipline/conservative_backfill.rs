//! `conservative_backfill`: FIFO in which every waiting task holds a reservation
//! (central mode), and the scheduling pass that keeps them.

use super::easy_backfill::Ending;
use crate::engine::SimTime;
use crate::model::{NodeId, Task};
use crate::policy::Discipline;

/// First come, first served at the central queue, where *every* waiting task holds a
/// reservation, and a reservation once given never moves later (but for the case
/// below where it can no longer be kept). A task starts when its reservation is now.
///
/// Mu'alem and Feitelson, "Utilization, predictability, workloads, and user runtime
/// estimates in scheduling the IBM SP2 with backfilling", IEEE TPDS 12(6), 2001,
/// section 2 (conservative backfilling). The rule, over a profile of the free cores
/// and memory by time (the running tasks' estimated ends, and every reservation held):
/// - A task arriving is reserved the earliest start at which it fits, for its whole
///   estimate, around every reservation already held: it delays no other task, so a
///   later task can jump ahead only into a hole no earlier task is promised.
/// - When a task ends earlier than its estimate, the schedule is *compressed*: the
///   waiting tasks, in queue (arrival) order, are each taken out of the profile and
///   put back at the earliest start the profile allows, every other reservation still
///   held. Its old slot is still free, so no reservation moves later. The schedule is
///   compressed only then: a task ending as estimated leaves every reservation where
///   it is, even where a later one has since moved out of the way.
/// - A reservation that can no longer be kept (a running task overran its estimate,
///   or the reserved node went down) is taken the earliest start that fits around the
///   reservations that still can, in queue order.
///
/// A scheduling pass ([`pass`]) does all three at once: it holds the reservations that
/// still fit, re-places those that do not, compresses if some task ended early since
/// the last pass, and reserves the tasks that arrived since.
///
/// Where the definition (one pool of processors) meets a cluster of nodes, a task is
/// reserved on the node where it can start earliest (the lower index among equals),
/// and runs there: the discipline places tasks itself, and the scenario's balancer is
/// not asked. Room coming back earlier than the profile assumed for another reason (a
/// node recovering, or a slowdown ending) compresses the schedule as an early end
/// does.
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

    /// Whether `need` cores and memory are free throughout `duration` seconds from
    /// `start` (not before the first step), as [`earliest`](Self::earliest) judges a
    /// start: the step holding `start`, and every later one that begins before the end.
    pub fn fits(&self, start: SimTime, need: (u32, f64), duration: f64) -> bool {
        let s = match self.times.binary_search_by(|x| x.total_cmp(&start)) {
            Ok(k) => k,
            Err(k) => k.saturating_sub(1),
        };
        let end = start + duration;
        (s..self.times.len())
            .take_while(|&k| k == s || self.times[k] < end)
            .all(|k| self.cores[k] >= i64::from(need.0) && self.memory[k] >= need.1)
    }

    /// Takes `need` over `[start, start + duration)`.
    pub fn reserve(&mut self, start: SimTime, duration: f64, need: (u32, f64)) {
        let end = start + duration;
        self.change(start, if end > start { end } else { start }, -i64::from(need.0), -need.1);
    }

    /// Gives back what [`reserve`](Self::reserve) took over `[start, start + duration)`.
    pub fn release(&mut self, start: SimTime, duration: f64, need: (u32, f64)) {
        let end = start + duration;
        self.change(start, if end > start { end } else { start }, i64::from(need.0), need.1);
    }
}

/// A reservation: when and where a waiting task is to start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reserved {
    /// Its start.
    pub at: SimTime,
    /// Its node.
    pub node: NodeId,
}

/// A waiting task as the pass sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    /// The cores and memory it needs.
    pub need: (u32, f64),
    /// Per node, its estimated run time there (`None` where it cannot run now: the
    /// node is down or too small).
    pub durations: Vec<Option<f64>>,
    /// The reservation it was given at an earlier pass (`None`: it has none yet).
    pub held: Option<Reserved>,
}

impl Waiting {
    /// Its run time on `node`, if it can run there.
    fn duration(&self, node: NodeId) -> Option<f64> {
        self.durations.get(node).copied().flatten()
    }
}

/// The earliest start of `task` over the nodes' `profiles`, ties to the lower index
/// (not reserved).
fn earliest(profiles: &[Profile], task: &Waiting) -> Option<Reserved> {
    (profiles.iter().zip(&task.durations).enumerate())
        .filter_map(|(node, (p, d))| d.and_then(|d| p.earliest(task.need, d)).map(|at| Reserved { at, node }))
        .min_by(|a, b| a.at.total_cmp(&b.at).then(a.node.cmp(&b.node)))
}

/// Reserves `task` at `r` in the `profiles`.
fn take(profiles: &mut [Profile], task: &Waiting, r: Reserved) {
    if let Some(d) = task.duration(r.node) {
        profiles[r.node].reserve(r.at, d, task.need);
    }
}

/// Reserves `task` at its earliest start, if it has one.
fn place(profiles: &mut [Profile], task: &Waiting) -> Option<Reserved> {
    let r = earliest(profiles, task)?;
    take(profiles, task, r);
    Some(r)
}

/// The pass at `now` over the waiting `tasks`, in queue order, and the nodes'
/// `profiles` (built from the running tasks alone): each task's reservation after it
/// (`None` if no node can take it now), by the rule of [`ConservativeBackfill`]. The
/// caller starts the tasks reserved at `now` (or before) on their node, and keeps the
/// others' for the next pass. `compress`: some task ended earlier than its estimate
/// since the last pass.
///
/// In order: every held reservation that still fits, in queue order, is held (one
/// whose time has passed, from `now`); those that no longer fit are each given the
/// earliest start around the held ones, in queue order; if `compress`, each task
/// holding a reservation, in queue order, is taken out and put back at its earliest
/// start (never later than where it was); last, each task without a reservation, in
/// queue order, is given its earliest start. Cost *O*(tasks x nodes x steps), steps
/// being the running tasks and reservations.
pub fn pass(now: SimTime, profiles: &mut [Profile], tasks: &[Waiting], compress: bool) -> Vec<Option<Reserved>> {
    let mut placed: Vec<Option<Reserved>> = vec![None; tasks.len()];
    let mut lost = Vec::new();
    for (i, task) in tasks.iter().enumerate() {
        let Some(held) = task.held else { continue };
        let r = Reserved { at: held.at.max(now), ..held };
        match task.duration(r.node) {
            Some(d) if profiles[r.node].fits(r.at, task.need, d) => {
                profiles[r.node].reserve(r.at, d, task.need);
                placed[i] = Some(r);
            }
            _ => lost.push(i),
        }
    }
    for i in lost {
        placed[i] = place(profiles, &tasks[i]);
    }
    if compress {
        for (task, slot) in tasks.iter().zip(placed.iter_mut()) {
            let Some(old) = *slot else { continue };
            let d = task.duration(old.node).expect("a reservation is on a node that can take the task");
            profiles[old.node].release(old.at, d, task.need);
            // Its old slot is free, so the earliest start is no later (kept where it
            // was should rounding of memory ever say otherwise).
            let r = earliest(profiles, task).filter(|r| r.at <= old.at).unwrap_or(old);
            take(profiles, task, r);
            *slot = Some(r);
        }
    }
    for (task, slot) in tasks.iter().zip(placed.iter_mut()) {
        if task.held.is_none() {
            *slot = place(profiles, task);
        }
    }
    placed
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
            let at = p.earliest(need, d);
            assert_eq!(at, brute_force(&p, need, d), "{p:?} {need:?} {d}");
            // `fits` agrees: no fit at a step before it, a fit at it.
            assert!(p.times.iter().filter(|&&t| at.is_none_or(|at| t < at)).all(|&t| !p.fits(t, need, d)));
            assert!(at.is_none_or(|at| p.fits(at, need, d)));
        }
    }

    /// A task waiting with no reservation yet.
    fn new_task(cores: u32, duration: f64) -> Waiting {
        Waiting { need: (cores, 0.0), durations: vec![Some(duration)], held: None }
    }

    /// The same task holding the reservation `at` on node 0.
    fn holding(task: Waiting, at: f64) -> Waiting {
        Waiting { held: Some(Reserved { at, node: 0 }), ..task }
    }

    fn starts(placed: &[Option<Reserved>]) -> Vec<f64> {
        placed.iter().map(|r| r.unwrap().at).collect()
    }

    #[test]
    fn no_task_is_delayed_by_one_behind_it() {
        // One node of 4 cores; a 2-core task runs until 10. Queue: A (3 cores, 10 s),
        // B (4 cores, 5 s), C (1 core, 30 s). A is reserved at 10, B at 20; C would
        // fit now and in A's spare core, but overlap B's reservation: it waits until 25.
        let mut profiles = vec![Profile::new(3.0, (2, 0.0), &[end(10.0, 0, 2)])];
        let tasks = vec![new_task(3, 10.0), new_task(4, 5.0), new_task(1, 30.0)];
        assert_eq!(starts(&pass(3.0, &mut profiles, &tasks, false)), [10.0, 20.0, 25.0]);
        assert_eq!(profiles[0].earliest((4, 0.0), 1.0), Some(55.0), "C holds [25, 55)");
    }

    #[test]
    fn fits_judges_a_start_inside_a_step() {
        // 1 core free until 10, 3 from then.
        let p = Profile::new(0.0, (1, 0.0), &[end(10.0, 0, 2)]);
        assert!(p.fits(4.0, (1, 0.0), 100.0));
        assert!(!p.fits(4.0, (2, 0.0), 7.0), "needs 2 over [4, 10)");
        assert!(p.fits(12.0, (3, 0.0), 5.0));
        assert!(!p.fits(12.0, (4, 0.0), 5.0));
    }

    /// Mu'alem and Feitelson's compression, in queue order, every other reservation
    /// held: one node of 4 cores at 5, a 2-core task running until 10; J2 (4 cores,
    /// 10 s) holds 30, J3 (2 cores, 15 s) holds 10 (in the hole [10, 25) J2 left
    /// while a task since ended early ran until 30). J2 first: J3 still holds 2 cores
    /// over [10, 25), so J2 moves up to 25, no further; then J3, with J2 at 25: 2
    /// cores are free from 5, 4 from 10 until 25: J3 moves up to 5 (now).
    #[test]
    fn compression_moves_each_task_up_in_queue_order() {
        let tasks = [holding(new_task(4, 10.0), 30.0), holding(new_task(2, 15.0), 10.0)];
        let mut profiles = vec![Profile::new(5.0, (2, 0.0), &[end(10.0, 0, 2)])];
        assert_eq!(starts(&pass(5.0, &mut profiles, &tasks, true)), [25.0, 5.0]);
        // Not compressed (nothing ended early): both keep their reservations.
        let mut profiles = vec![Profile::new(5.0, (2, 0.0), &[end(10.0, 0, 2)])];
        assert_eq!(starts(&pass(5.0, &mut profiles, &tasks, false)), [30.0, 10.0]);
        // Rebuilt from scratch in queue order, J2 would take 10 and push J3 to 20,
        // later than its reservation: what compression never does.
        let fresh = [new_task(4, 10.0), new_task(2, 15.0)];
        let mut profiles = vec![Profile::new(5.0, (2, 0.0), &[end(10.0, 0, 2)])];
        assert_eq!(starts(&pass(5.0, &mut profiles, &fresh, false)), [10.0, 20.0]);
    }

    #[test]
    fn a_new_task_is_reserved_around_every_held_reservation() {
        // 4 cores free from 0. A holds [6, 16) on 3 cores; a new task B of 2 cores,
        // 8 s, fits now but would overlap A: it is reserved at 16, after it.
        let tasks = [holding(new_task(3, 10.0), 6.0), new_task(2, 8.0)];
        let mut profiles = vec![Profile::new(0.0, (4, 0.0), &[])];
        assert_eq!(starts(&pass(0.0, &mut profiles, &tasks, false)), [6.0, 16.0]);
    }

    #[test]
    fn a_reservation_that_no_longer_fits_takes_the_earliest_start() {
        // 4 cores. At 0 a task X of 2 cores runs, estimated to end at 5; J0 (4 cores,
        // 5 s) is reserved [5, 10), J1 (2 cores, 3 s) [10, 13). X overruns: at 6 it
        // still runs, and counts as ending just after 6. J0's reservation (from 6 now
        // that its time has passed) no longer fits; J1's does and is held; J0 then
        // fits only after J1: 13.
        let tasks = [holding(new_task(4, 5.0), 5.0), holding(new_task(2, 3.0), 10.0)];
        let mut profiles = vec![Profile::new(6.0, (2, 0.0), &[end(5.0, 0, 2)])];
        assert_eq!(starts(&pass(6.0, &mut profiles, &tasks, false)), [13.0, 10.0]);
        // A node that cannot take the task any more: re-placed on one that can.
        let t = Waiting { durations: vec![None, Some(3.0)], ..holding(new_task(1, 3.0), 2.0) };
        let mut profiles = vec![Profile::new(0.0, (4, 0.0), &[]), Profile::new(0.0, (1, 0.0), &[end(7.0, 0, 3)])];
        assert_eq!(pass(0.0, &mut profiles, &[t], false), [Some(Reserved { at: 0.0, node: 1 })]);
    }
}
