//! Placement: the dispatchers, what each believes about the nodes, and how a task is
//! placed (at once, or from the central queue; backfilling is `backfilling.rs`), sent,
//! and its result taken back.
//!
//! A dispatcher's [`NodeBelief`]s change only through their own methods, each change
//! followed by the balancer's `on_update`, so an index a balancer keeps is never stale.

use super::entities::Attempt;
use super::features::Features;
use super::network::{Message, Report};
use super::run::{Event, Run};
use crate::engine::{derive_seed, EventId, SimRng, SimTime};
use crate::model::queue::TaskQueue;
use crate::model::{stream, Mode, NodeId, NodeSpec, Task};
use crate::policy::discipline::conservative_backfill::Reserved;
use crate::policy::plan::{Costs, Slot};
use crate::policy::schedule::CoreSchedule;
use crate::policy::{Balancer, Capacity, ClusterView, Discipline, Hold, NodeBelief, Upkeep};
use crate::scenario::Split;
use std::collections::HashMap;
use std::sync::Arc;

/// An attempt the dispatcher sent and has not seen come back: (job slot, job seq,
/// attempt number).
pub(super) type Outstanding = (u32, u64, u32);

/// What a dispatcher knows of the nodes: every view it gives its balancer is built
/// from it, by [`view`](Self::view).
struct Knowledge {
    /// What it believes about each node.
    beliefs: Vec<NodeBelief>,
    /// Its schedule of each node's cores, if the balancer decides on one
    /// ([`Balancer::needs_schedule`]); empty otherwise.
    schedules: Vec<CoreSchedule>,
    /// What every node has at least, for the views' fit test ([`ClusterView::least`]).
    least: Capacity,
}

impl Knowledge {
    /// The view at `now`, in `mode`, of the nodes `specs` (those it was built from).
    #[inline]
    fn view<'a>(&'a self, now: SimTime, mode: Mode, specs: &'a [NodeSpec]) -> ClusterView<'a> {
        ClusterView::new(now, mode, specs, &self.beliefs).with_schedules(&self.schedules).with_least(self.least)
    }
}

/// A dispatcher's state. It knows the nodes only through its own messages.
pub(super) struct Dispatcher {
    /// What it knows of the nodes.
    known: Knowledge,
    pub balancer: Box<dyn Balancer>,
    /// Whether the balancer is told of belief changes ([`Balancer::needs_updates`]).
    tell: bool,
    /// Which belief fields are kept up to date.
    pub upkeep: Upkeep,
    /// Its own stream of policy randomness.
    pub rng: SimRng,
    /// Per node, the attempts sent there and not seen come back: what it resubmits if
    /// it declares the node dead (kept only with a failure detector).
    pub outstanding: Vec<Vec<Outstanding>>,
    /// Per node, when its last heartbeat arrived.
    pub last_seen: Vec<f64>,
    /// Per node, whether a detector check is scheduled.
    pub check_pending: Vec<bool>,
    /// Per node, the incarnation (epoch) of its latest heartbeat: a newer one says the
    /// node restarted.
    pub epoch_seen: Vec<u32>,
    /// Jobs waiting here: in central mode, all that are not placed; in dispatch mode,
    /// those that found no node up.
    pub waiting: TaskQueue,
    /// Central mode: something changed at this instant, so a scheduling pass is due
    /// once every event of the instant has been applied.
    pass_due: bool,
    /// Conservative backfilling: the reservation of each waiting job that has one, by
    /// job slot, kept from pass to pass (a job's entry goes when it is sent).
    pub reserved: HashMap<u32, Reserved>,
    /// Conservative backfilling: room freed earlier than the reservations assumed (a
    /// task ended before its estimate) since the last pass, so the next compresses.
    pub compress: bool,
    /// Conservative backfilling: the pass scheduled for the earliest reservation still
    /// ahead, when and its event (a job reserved for a time when nothing else happens
    /// must start then).
    pub wake: (SimTime, EventId),
}

impl Dispatcher {
    /// A dispatcher in `mode` over idle nodes `specs`, its balancer told of each. Its
    /// beliefs are kept in full if the balancer reads the load, the mode is central
    /// (whose fit test reads the free room), or `room_read` (the run reads the free
    /// room itself: speculation).
    pub fn new(
        mode: Mode,
        specs: &[NodeSpec],
        mut balancer: Box<dyn Balancer>,
        rng: SimRng,
        waiting: TaskQueue,
        room_read: bool,
    ) -> Self {
        let n = specs.len();
        let known = Knowledge {
            beliefs: specs.iter().map(NodeBelief::idle).collect(),
            schedules: if balancer.needs_schedule() {
                specs.iter().map(|s| CoreSchedule::idle(s.cores)).collect()
            } else {
                Vec::new()
            },
            least: Capacity::least_of(specs),
        };
        let view = known.view(0.0, mode, specs);
        for node in 0..n {
            balancer.on_update(node, &view);
        }
        let full = balancer.reads_load() || mode == Mode::Central || room_read;
        Dispatcher {
            known,
            tell: balancer.needs_updates(),
            upkeep: if full { Upkeep::Full } else { Upkeep::Counts },
            balancer,
            rng,
            outstanding: vec![Vec::new(); n],
            last_seen: vec![0.0; n],
            check_pending: vec![false; n],
            epoch_seen: vec![0; n],
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
        &self.known.beliefs[node]
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
        change(&mut self.known.beliefs[node], self.known.schedules.get_mut(node));
        if self.tell {
            let view = self.known.view(now, mode, specs);
            self.balancer.on_update(node, &view);
        }
    }

    /// Asks the balancer, which plans whole jobs, for the plan of `job` (see
    /// [`Balancer::plan_job`]).
    pub(super) fn plan_job(&mut self, job: &dyn Costs, now: SimTime, mode: Mode, specs: &[NodeSpec]) -> Vec<Slot> {
        let view = self.known.view(now, mode, specs);
        self.balancer.plan_job(job, &view)
    }

    /// Asks the balancer for a node for `task`, with `hold` kept back.
    #[inline]
    pub(super) fn select(
        &mut self,
        task: &Task,
        now: SimTime,
        mode: Mode,
        specs: &[NodeSpec],
        hold: Option<Hold>,
    ) -> Option<NodeId> {
        let view = ClusterView { hold, ..self.known.view(now, mode, specs) };
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
    /// Whether the balancer (every dispatcher's is of one kind) plans whole jobs
    /// ([`Balancer::plans_jobs`]).
    pub plans: bool,
}

impl Placement {
    /// Placement by `dispatchers`, splitting arrivals by `split`, ordering by `discipline`.
    pub fn new(dispatchers: Vec<Dispatcher>, split: Split, discipline: Arc<dyn Discipline>) -> Self {
        Placement {
            plans: dispatchers.iter().any(|d| d.balancer.plans_jobs()),
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
    #[inline(always)]
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

    /// Dispatcher `d` sends a new attempt of `job` to `node`; returns the attempt.
    pub(super) fn send(&mut self, d: usize, node: NodeId, job: u32, now: SimTime) -> u32 {
        if F::FAULTS && !self.faults.requeued.is_empty() {
            self.faults.requeued.remove(&job);
        }
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
        let specs = &self.world.specs;
        let mut expected_end = None;
        let upkeep = disp.upkeep;
        disp.update(node, now, self.world.mode, specs, |b, schedule| {
            b.on_sent(task, upkeep);
            // The spec is read only for a schedule: at thousands of nodes each read is
            // a cache miss.
            if let Some(s) = schedule {
                let speed = specs[node].speed;
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
        let mut delay = self.delay(node, seq, number as u64, 0, input);
        // A task of a job of many tasks may run for its group's runtime there, waits for
        // its inputs, and under a plan for the task before it.
        if let Some((inst, index)) = super::jobs::instance_of(&self.tasks.jobs.slots[job as usize]) {
            delay = delay.max(self.job_send(inst, index, node, number, attempt));
        }
        self.transmit(Message::Task { attempt, node }, delay, now);
        attempt
    }

    /// The result of an attempt reaches its dispatcher: update the belief, and complete
    /// the job if no other attempt did first. A result sent before its node crashed is
    /// lost with the node.
    pub(super) fn on_result(&mut self, attempt: u32, node: NodeId, epoch: u32, report: Option<Report>, now: SimTime) {
        let a = self.tasks.attempt::<F>(attempt);
        let (size, killed, ran) = (a.task.size, a.task.killed, a.finished - a.start);
        if F::FAULTS && epoch != self.world.health[node].epoch {
            // The node crashed after sending it: the work is lost, as if the crash had
            // caught it running (so a restart announced in time resubmits it).
            self.faults.wasted_work += size;
            self.lose_attempt(attempt);
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
        let specs = &self.world.specs;
        let upkeep = disp.upkeep;
        disp.update(node, now, self.world.mode, specs, |b, schedule| {
            if known {
                b.on_returned(&a.task, || &specs[node], upkeep);
                if let Some(s) = schedule {
                    s.returned(a.task.cores, a.expected_end, now);
                }
            }
            b.on_result(now - a.sent, upkeep);
            if let Some(r) = report {
                b.on_report(r.queue, r.received);
            }
        });
        self.note_result(node, ran);
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
