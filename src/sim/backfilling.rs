//! Backfilling in central mode: what the nodes run, as the backfilling policies see
//! it, and the starts they choose. EASY's reservation and scan
//! ([`easy_backfill`]) and conservative backfilling's reservations
//! ([`conservative_backfill`]) are the policies'; this supplies the running tasks'
//! estimated ends and the waiting queue, and sends what they start.

use super::entities::Job;
use super::features::Features;
use super::run::{Event, Run};
use crate::engine::{EventId, SimTime};
use crate::model::{NodeId, Task};
use crate::policy::discipline::conservative_backfill::{self, Profile, Waiting};
use crate::policy::discipline::easy_backfill::{self, Backfilling, Ending};
use crate::policy::Hold;

impl<F: Features> Run<F> {
    /// EASY backfilling behind the blocked `head`: the reservation and the scan are
    /// the policy's ([`easy_backfill`]); this supplies what the nodes run and starts
    /// what the scan chooses.
    pub(super) fn backfill(&mut self, d: usize, head: u32, depth: usize, now: SimTime) {
        let task = self.tasks.jobs.slots[head as usize].task();
        let world = &self.world;
        let reservation = easy_backfill::reservation(task, now, world.specs.len(), |n, ends| {
            let (spec, node) = (&world.specs[n], &world.nodes[n]);
            if spec.cores < task.cores || spec.memory < task.memory || !world.health[n].up {
                return None;
            }
            ends.extend(self.running_ends(n));
            Some((node.free_cores, node.free_memory))
        });
        let Some(mut res) = reservation else { return };
        let seq = task.seq;
        self.measure.note_reservation(seq, res.at);
        let speed = self.world.specs[res.node].speed;
        easy_backfill::backfill(&mut res, now, depth, speed, &mut Scan { run: self, d, now });
    }

    /// Conservative backfilling: the waiting tasks of dispatcher `d` keep, move up or
    /// are given their reservations over the nodes' profiles (the policy's
    /// [`conservative_backfill::pass`], told whether to compress); those reserved now
    /// are sent to their node, in queue order, and the others' reservations are kept
    /// for the next pass, which is due at the earliest of them at the latest.
    pub(super) fn conservative_pass(&mut self, d: usize, now: SimTime) {
        let (world, tasks) = (&self.world, &self.tasks);
        let mut profiles: Vec<Profile> = (0..world.specs.len())
            .map(|n| {
                let ends: Vec<Ending> = self.running_ends(n).collect();
                Profile::new(now, (world.nodes[n].free_cores, world.nodes[n].free_memory), &ends)
            })
            .collect();
        let disp = &self.placement.dispatchers[d];
        let waiting = &disp.waiting;
        let jobs: Vec<u32> = (0..waiting.len()).map_while(|p| waiting.fifo_at(p)).collect();
        let queue: Vec<Waiting> = (jobs.iter())
            .map(|&job| {
                let t = tasks.jobs.slots[job as usize].task();
                let durations = (world.specs.iter().zip(&world.health))
                    .map(|(s, h)| {
                        (h.up && s.cores >= t.cores && s.memory >= t.memory).then(|| t.remaining_estimate() / s.speed)
                    })
                    .collect();
                Waiting { need: (t.cores, t.memory), durations, held: disp.reserved.get(&job).copied() }
            })
            .collect();
        let compress = std::mem::take(&mut self.placement.dispatchers[d].compress);
        let placed = conservative_backfill::pass(now, &mut profiles, &queue, compress);
        let disp = &mut self.placement.dispatchers[d];
        disp.reserved.clear();
        let (mut starts, mut next) = (Vec::new(), f64::INFINITY);
        for (position, (&job, r)) in jobs.iter().zip(&placed).enumerate() {
            let Some(r) = *r else { continue };
            self.measure.note_reservation(self.tasks.jobs.slots[job as usize].task().seq, r.at);
            if r.at <= now {
                starts.push((position, r.node));
                continue;
            }
            disp.reserved.insert(job, r);
            // A reservation just after now waits for a task that overran its estimate
            // (the profile frees its room then): its end is an event, and a pass, of
            // its own; waking for it would step through the overrun an ulp at a time.
            if r.at > now.next_up() {
                next = next.min(r.at);
            }
        }
        if next.is_finite() && (next < disp.wake.0 || disp.wake.0 <= now) {
            disp.wake = (next, self.queue.schedule_at(next, Event::Wake { dispatcher: d as u16 }));
        }
        for &(position, _) in starts.iter().rev() {
            disp.waiting.remove_fifo_at(position);
        }
        for (position, node) in starts {
            self.send(d, node, jobs[position], now);
        }
    }

    /// The pass dispatcher `d` scheduled for its earliest reservation is due (unless
    /// a later one superseded it).
    pub(super) fn on_wake(&mut self, d: usize, id: EventId, now: SimTime) {
        let disp = &mut self.placement.dispatchers[d];
        if disp.wake.1 == id {
            disp.wake = (f64::INFINITY, EventId::NONE);
            self.schedule_pass(d, now);
        }
    }

    /// The tasks running on `node` as backfilling sees them: each with the end its
    /// remaining estimate gives at the node's speed now, and the room it frees then.
    fn running_ends(&self, node: NodeId) -> impl Iterator<Item = Ending> + '_ {
        debug_assert!(self.world.tracks_running, "central mode keeps the running lists");
        let speed = self.world.nodes[node].speed;
        self.world.nodes[node].running.iter().map(move |&a| {
            let a = self.tasks.attempt::<F>(a);
            let at = a.run_start + a.task.remaining_estimate() / speed;
            Ending { at, seq: a.task.seq, cores: a.task.cores, memory: a.task.memory }
        })
    }
}

/// The central queue of dispatcher `d` as EASY backfilling's scan sees it.
struct Scan<'r, F: Features> {
    run: &'r mut Run<F>,
    d: usize,
    now: SimTime,
}

impl<F: Features> Backfilling for Scan<'_, F> {
    fn task(&self, position: usize) -> Option<&Task> {
        let job = self.run.placement.dispatchers[self.d].waiting.fifo_at(position)?;
        Some(self.run.tasks.jobs.slots[job as usize].task())
    }

    fn start(&mut self, position: usize, hold: Option<Hold>) -> Option<NodeId> {
        let run = &mut *self.run;
        let job = run.placement.dispatchers[self.d].waiting.fifo_at(position)?;
        let task: &Job = &run.tasks.jobs.slots[job as usize];
        let node =
            run.placement.dispatchers[self.d].select(task.task(), self.now, run.world.mode, &run.world.specs, hold)?;
        run.placement.dispatchers[self.d].waiting.remove_fifo_at(position);
        run.send(self.d, node, job, self.now);
        Some(node)
    }
}
