//! Placement: the dispatchers, what each believes about the nodes, and how a task is
//! placed (at once, or from the central queue, with EASY backfilling's scan), sent,
//! and its result taken back.
//!
//! A dispatcher's [`NodeBelief`]s change only through their own methods, each change
//! followed by the balancer's `on_update`, so an index a balancer keeps is never stale.

use super::entities::{Attempt, Job};
use super::features::Features;
use super::network::{Message, Report};
use super::run::{Event, Run};
use crate::engine::{derive_seed, EventId, SimRng, SimTime};
use crate::model::queue::TaskQueue;
use crate::model::{stream, Mode, NodeId, NodeSpec, Task};
use crate::policy::discipline::conservative_backfill::{self, Profile, Reserved, Waiting};
use crate::policy::discipline::easy_backfill::{self, Backfilling, Ending};
use crate::policy::schedule::CoreSchedule;
use crate::policy::{Balancer, ClusterView, Discipline, Hold, NodeBelief};
use crate::scenario::Split;
use std::collections::HashMap;
use std::sync::Arc;

/// An attempt the dispatcher sent and has not seen come back: (job slot, job seq,
/// attempt number).
pub(super) type Outstanding = (u32, u64, u32);

/// A dispatcher's state. It knows the nodes only through its own messages.
pub(super) struct Dispatcher {
    /// What it believes about each node.
    beliefs: Vec<NodeBelief>,
    pub balancer: Box<dyn Balancer>,
    /// Whether the balancer is told of belief changes ([`Balancer::needs_updates`]).
    tell: bool,
    /// Its schedule of each node's cores, if the balancer decides on one
    /// ([`Balancer::needs_schedule`]); empty otherwise.
    schedules: Vec<CoreSchedule>,
    /// Its own stream of policy randomness.
    pub rng: SimRng,
    /// Per node, the attempts sent there and not seen come back: what it resubmits if
    /// it declares the node dead (kept only with a failure detector).
    pub outstanding: Vec<Vec<Outstanding>>,
    /// Per node, when its last heartbeat arrived.
    pub last_seen: Vec<f64>,
    /// Per node, whether a detector check is scheduled.
    pub check_pending: Vec<bool>,
    /// Jobs waiting here: in central mode, all that are not placed; in dispatch mode,
    /// those that found no node up.
    pub waiting: TaskQueue,
    /// Central mode: something changed at this instant, so a scheduling pass is due
    /// once every event of the instant has been applied.
    pass_due: bool,
    /// Conservative backfilling: the reservation of each waiting job that has one, by
    /// job slot, kept from pass to pass (a job's entry goes when it is sent).
    reserved: HashMap<u32, Reserved>,
    /// Conservative backfilling: room freed earlier than the reservations assumed (a
    /// task ended before its estimate) since the last pass, so the next compresses.
    compress: bool,
    /// Conservative backfilling: the pass scheduled for the earliest reservation still
    /// ahead, when and its event (a job reserved for a time when nothing else happens
    /// must start then).
    wake: (SimTime, EventId),
}

impl Dispatcher {
    /// A dispatcher in `mode` over idle nodes `specs`, its balancer told of each.
    pub fn new(
        mode: Mode,
        specs: &[NodeSpec],
        mut balancer: Box<dyn Balancer>,
        rng: SimRng,
        waiting: TaskQueue,
    ) -> Self {
        let n = specs.len();
        let beliefs: Vec<NodeBelief> = specs.iter().map(NodeBelief::idle).collect();
        let schedules: Vec<CoreSchedule> = if balancer.needs_schedule() {
            specs.iter().map(|s| CoreSchedule::idle(s.cores)).collect()
        } else {
            Vec::new()
        };
        let view = ClusterView::new(0.0, mode, specs, &beliefs).with_schedules(&schedules);
        for node in 0..n {
            balancer.on_update(node, &view);
        }
        Dispatcher {
            beliefs,
            schedules,
            tell: balancer.needs_updates(),
            balancer,
            rng,
            outstanding: vec![Vec::new(); n],
            last_seen: vec![0.0; n],
            check_pending: vec![false; n],
            waiting,
            pass_due: false,
            reserved: HashMap::new(),
            compress: false,
            wake: (f64::INFINITY, EventId::NONE),
        }
    }

    /// What it believes about `node`.
    #[inline]
    pub fn belief(&self, node: NodeId) -> &NodeBelief {
        &self.beliefs[node]
    }

    /// Changes its belief about `node`, and its schedule of the node's cores if it
    /// keeps one, by `change`, and tells the balancer.
    #[inline]
    pub fn update(
        &mut self,
        node: NodeId,
        now: SimTime,
        mode: Mode,
        specs: &[NodeSpec],
        change: impl FnOnce(&mut NodeBelief, Option<&mut CoreSchedule>),
    ) {
        change(&mut self.beliefs[node], self.schedules.get_mut(node));
        if self.tell {
            let view = ClusterView::new(now, mode, specs, &self.beliefs).with_schedules(&self.schedules);
            self.balancer.on_update(node, &view);
        }
    }

    /// Asks the balancer for a node for `task`, with `hold` kept back.
    #[inline]
    fn select(
        &mut self,
        task: &Task,
        now: SimTime,
        mode: Mode,
        specs: &[NodeSpec],
        hold: Option<Hold>,
    ) -> Option<NodeId> {
        let mut view = ClusterView::new(now, mode, specs, &self.beliefs).with_schedules(&self.schedules);
        view.hold = hold;
        let node = self.balancer.select(task, &view, &mut self.rng);
        debug_assert!(node.is_none_or(|n| view.fits(n, task)), "balancer chose a node that cannot take the task");
        node
    }
}

/// The dispatchers, how arrivals are split among them, and the discipline.
pub(super) struct Placement {
    pub dispatchers: Vec<Dispatcher>,
    split: Split,
    pub discipline: Arc<dyn Discipline>,
    /// Whether the discipline preempts.
    pub preemptive: bool,
    /// The backfilling scan depth, if the discipline backfills.
    pub backfill_depth: Option<usize>,
    /// Whether the discipline is conservative backfilling (it places tasks itself).
    pub conservative: bool,
    /// Central mode: some dispatcher has a scheduling pass due at this instant.
    pub pass_due: bool,
}

impl Placement {
    /// Placement by `dispatchers`, splitting arrivals by `split`, ordering by `discipline`.
    pub fn new(dispatchers: Vec<Dispatcher>, split: Split, discipline: Arc<dyn Discipline>) -> Self {
        Placement {
            dispatchers,
            split,
            preemptive: discipline.preemptive(),
            backfill_depth: discipline.backfill_depth(),
            conservative: discipline.conservative(),
            pass_due: false,
            discipline,
        }
    }

    /// Conservative backfilling: room freed earlier than the reservations assumed (a
    /// task ended before its estimated end, a node came back, a node sped up), so
    /// every dispatcher compresses its schedule at its next pass.
    pub fn room_freed_early(&mut self) {
        if self.conservative {
            self.dispatchers.iter_mut().for_each(|d| d.compress = true);
        }
    }

    /// The dispatcher task `seq` arrives at.
    #[inline]
    pub fn dispatcher_for(&self, seq: u64, seed: u64) -> u16 {
        match (self.dispatchers.len(), self.split) {
            (1, _) => 0,
            (k, Split::RoundRobin) => (seq % k as u64) as u16,
            // Keyed by the task, so the split does not depend on any other draw.
            (k, Split::Random) => SimRng::new(derive_seed(seed, &[stream::SPLIT, seq])).below(k) as u16,
        }
    }
}

impl<F: Features> Run<F> {
    /// Hands a job to its dispatcher: placed at once in dispatch mode (or parked if no
    /// node is believed up), queued in central mode.
    pub(super) fn submit(&mut self, job: u32, now: SimTime) {
        let d = self.tasks.jobs.slots[job as usize].dispatcher() as usize;
        match self.world.mode {
            Mode::Dispatch => {
                if !self.try_place(d, job, now) {
                    let seq = self.tasks.jobs.slots[job as usize].task().seq;
                    self.placement.dispatchers[d].waiting.push(job, 0.0, seq);
                }
            }
            Mode::Central => {
                let task = self.tasks.jobs.slots[job as usize].task();
                self.placement.dispatchers[d].waiting.push(job, self.placement.discipline.rank(task), task.seq);
                self.schedule_pass(d, now);
            }
        }
    }

    /// Something changed that may let dispatcher `d` place waiting jobs. In dispatch
    /// mode it tries at once. In central mode the pass waits until every event of this
    /// instant has been applied ([`run_due_passes`](Self::run_due_passes)): two jobs
    /// ending together, or a job ending as another arrives, then lead to one pass that
    /// sees them all, whatever order the events were queued in.
    pub(super) fn schedule_pass(&mut self, d: usize, now: SimTime) {
        match self.world.mode {
            Mode::Central => {
                self.placement.dispatchers[d].pass_due = true;
                self.placement.pass_due = true;
            }
            Mode::Dispatch => {
                if !self.placement.dispatchers[d].waiting.is_empty() {
                    self.place_waiting(d, now);
                }
            }
        }
    }

    /// Central mode, once the events of instant `now` have all been applied: one
    /// scheduling pass for each dispatcher that has one due.
    pub(super) fn run_due_passes(&mut self, now: SimTime) {
        self.placement.pass_due = false;
        for d in 0..self.placement.dispatchers.len() {
            if std::mem::take(&mut self.placement.dispatchers[d].pass_due) {
                self.place_waiting(d, now);
            }
        }
    }

    /// Asks dispatcher `d`'s balancer for a node for `job` and sends it there; false if
    /// no node fits now.
    #[inline]
    fn try_place(&mut self, d: usize, job: u32, now: SimTime) -> bool {
        let task = self.tasks.jobs.slots[job as usize].task();
        match self.placement.dispatchers[d].select(task, now, self.world.mode, &self.world.specs, None) {
            Some(node) => {
                self.send(d, node, job, now);
                true
            }
            None => false,
        }
    }

    /// Places waiting jobs of dispatcher `d` in order while the next finds a node (in
    /// central mode: the first that finds none blocks the rest, but for backfilling).
    fn place_waiting(&mut self, d: usize, now: SimTime) {
        if self.placement.conservative && self.world.mode == Mode::Central {
            return self.conservative_pass(d, now);
        }
        while let Some(job) = self.placement.dispatchers[d].waiting.peek() {
            if !self.try_place(d, job, now) {
                break;
            }
            self.placement.dispatchers[d].waiting.pop();
        }
        if self.world.mode == Mode::Central {
            if let (Some(depth), Some(head)) =
                (self.placement.backfill_depth, self.placement.dispatchers[d].waiting.peek())
            {
                self.backfill(d, head, depth, now);
            }
        }
    }

    /// EASY backfilling behind the blocked `head`: the reservation and the scan are
    /// the policy's ([`easy_backfill`]); this supplies what the nodes run and starts
    /// what the scan chooses.
    fn backfill(&mut self, d: usize, head: u32, depth: usize, now: SimTime) {
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
    fn conservative_pass(&mut self, d: usize, now: SimTime) {
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
        let speed = self.world.nodes[node].speed(&self.world.specs[node]);
        self.world.nodes[node].running.iter().map(move |&a| {
            let a = self.tasks.attempt::<F>(a);
            let at = a.run_start + a.task.remaining_estimate() / speed;
            Ending { at, seq: a.task.seq, cores: a.task.cores, memory: a.task.memory }
        })
    }

    /// Dispatcher `d` sends a new attempt of `job` to `node`.
    pub(super) fn send(&mut self, d: usize, node: NodeId, job: u32, now: SimTime) {
        let j = &mut self.tasks.jobs.slots[job as usize];
        j.attempts += 1;
        let number = j.attempts;
        let fields = |a: &mut Attempt| {
            a.job = job;
            a.number = number;
            a.dispatcher = d as u16;
            a.node = node as u32;
            a.sent = now;
        };
        // Without faults the job's own record is its one attempt.
        let attempt = if F::FAULTS {
            let mut a = Attempt::unsent(j.task().clone(), d as u16);
            fields(&mut a);
            self.tasks.attempts.insert(a)
        } else {
            fields(&mut j.run);
            job
        };
        let task = &self.tasks.attempt::<F>(attempt).task;
        let (seq, input) = (task.seq, task.input);
        let disp = &mut self.placement.dispatchers[d];
        // Only a failure detector needs to know what to resubmit.
        if F::FAULTS && self.faults.config.heartbeat.is_some() {
            disp.outstanding[node].push((job, seq, number));
        }
        let speed = self.world.specs[node].speed;
        let mut expected_end = None;
        disp.update(node, now, self.world.mode, &self.world.specs, |b, schedule| {
            b.on_sent(task);
            if let Some(s) = schedule {
                expected_end = Some(s.send(task.cores, task.remaining_estimate() / speed, now));
            }
        });
        if let Some(end) = expected_end {
            self.tasks.attempt_mut::<F>(attempt).expected_end = end;
        }
        if F::FAULTS {
            if let Some(t) = self.faults.config.retry.timeout {
                let id = self.queue.schedule_at(now + t, Event::Timeout { attempt });
                self.tasks.attempts.slots[attempt as usize].timeout_event = id;
            }
        }
        let delay = self.delay(node, seq, number as u64, 0, input);
        self.transmit(Message::Task { attempt, node }, delay, now);
    }

    /// The result of an attempt reaches its dispatcher: update the belief, and complete
    /// the job if no other attempt did first. A result sent before its node crashed is
    /// lost with the node.
    pub(super) fn on_result(&mut self, attempt: u32, node: NodeId, epoch: u32, report: Option<Report>, now: SimTime) {
        let a = self.tasks.attempt::<F>(attempt);
        let (size, killed) = (a.task.size, a.task.killed);
        if F::FAULTS && epoch != self.world.health[node].epoch {
            // The node crashed after sending it: the work is lost.
            self.faults.wasted_work += size;
            self.tasks.drop_attempt::<F>(attempt);
            return;
        }
        let d = a.dispatcher as usize;
        let (job, seq, number) = (a.job, a.task.seq, a.number);
        let disp = &mut self.placement.dispatchers[d];
        // Without a failure detector every result is of an attempt still counted; with
        // one, an attempt of a node declared dead (and so forgotten) is not.
        let known = if F::FAULTS && self.faults.config.heartbeat.is_some() {
            let outstanding = &mut disp.outstanding[node];
            let i = outstanding.iter().position(|&(j, s, k)| (j, s, k) == (job, seq, number));
            i.map(|i| outstanding.swap_remove(i)).is_some()
        } else {
            true
        };
        let spec = &self.world.specs[node];
        disp.update(node, now, self.world.mode, &self.world.specs, |b, schedule| {
            if known {
                b.on_returned(&a.task, spec);
                if let Some(s) = schedule {
                    s.returned(a.task.cores, a.expected_end, now);
                }
            }
            b.on_result(now - a.sent);
            if let Some(r) = report {
                b.on_report(r.queue, r.received);
            }
        });
        let j = &self.tasks.jobs.slots[job as usize];
        if !j.is(seq) {
            // Another attempt of this job completed first.
            self.faults.wasted_work += size;
        } else if killed {
            // The scheduler killed it at its limit: the work is lost, the job failed.
            self.faults.wasted_work += size;
            self.fail(job, now);
        } else {
            self.complete(job, attempt, node, now);
        }
        self.tasks.drop_attempt::<F>(attempt);
        self.schedule_pass(d, now);
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
