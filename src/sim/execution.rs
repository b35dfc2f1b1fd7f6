//! Execution on nodes: the cluster's state, a node receiving attempts into its queue,
//! starting them on free cores, preempting for a better-ranked one (the choice is the
//! discipline's), and finishing them. A node's busy-time integral is the node's own
//! ([`Node::account`]), brought up to date before every change of its free cores.

use super::features::Features;
use super::network::{Message, Report};
use super::run::{Event, Run};
use super::speculation::KILLED;
use crate::engine::{EventId, SimTime};
use crate::model::{Health, Mode, Node, NodeId, NodeSpec, Task};
use crate::policy::Capacity;

/// The cluster: what each node is, and what it is doing.
pub(super) struct World {
    pub mode: Mode,
    pub specs: Vec<NodeSpec>,
    /// What each node is doing (what tasks touch).
    pub nodes: Vec<Node>,
    /// Each node's life (what faults touch).
    pub health: Vec<Health>,
    /// Tasks each node received from each dispatcher, `dispatchers` per node in one
    /// array (each dispatcher compares the count with what it sent, to know how many
    /// of its tasks a state report could not include). Empty in a run that sends no
    /// reports.
    received: Vec<u64>,
    dispatchers: usize,
    /// What every node has at least: a task within it fits every node.
    least: Capacity,
    /// The distinct (cores, memory) of the nodes: whether a task fits some node is
    /// decided over these (at most one per group), not over every node.
    shapes: Vec<(u32, f64)>,
    /// Whether the nodes keep their lists of running tasks ([`Node::running`]): only
    /// if something in the run reads them (each reader asserts it in debug builds).
    pub tracks_running: bool,
}

impl World {
    /// The cluster of `specs`, in the state `nodes`, dispatching by `mode` from
    /// `dispatchers` dispatchers; its nodes count the tasks they receive if
    /// `count_received` (some report carries the count), and keep their lists of
    /// running tasks if `tracks_running`.
    pub fn new(
        mode: Mode,
        nodes: Vec<Node>,
        specs: Vec<NodeSpec>,
        dispatchers: usize,
        count_received: bool,
        tracks_running: bool,
    ) -> Self {
        let mut shapes: Vec<(u32, f64)> = Vec::new();
        for s in &specs {
            if !shapes.contains(&(s.cores, s.memory)) {
                shapes.push((s.cores, s.memory));
            }
        }
        World {
            mode,
            least: Capacity::least_of(&specs),
            shapes,
            health: (0..nodes.len()).map(|_| Health::default()).collect(),
            received: vec![0; if count_received { nodes.len() * dispatchers } else { 0 }],
            dispatchers,
            nodes,
            specs,
            tracks_running,
        }
    }

    /// Whether some node has the cores and memory to run `task` at all.
    #[inline]
    pub fn fits_some_node(&self, task: &Task) -> bool {
        (task.cores <= self.least.cores && task.memory <= self.least.memory)
            || self.shapes.iter().any(|&(cores, memory)| cores >= task.cores && memory >= task.memory)
    }

    /// Nodes up now.
    pub fn nodes_up(&self) -> u32 {
        self.health.iter().filter(|h| h.up).count() as u32
    }

    /// Tasks `node` received from dispatcher `d`.
    #[inline]
    pub fn received(&self, node: NodeId, d: usize) -> u64 {
        self.received[node * self.dispatchers + d]
    }
}

impl<F: Features> Run<F> {
    /// Node side: `node` receives an attempt into its queue (a node that is down loses
    /// it), preempts for it if the discipline says so, and starts what can start.
    pub(super) fn receive(&mut self, node: NodeId, attempt: u32, now: SimTime) {
        if F::FAULTS && !self.world.health[node].up {
            self.lose_attempt(attempt);
            return;
        }
        let a = self.tasks.attempt::<F>(attempt);
        let w = &mut self.world;
        if !w.received.is_empty() {
            w.received[node * w.dispatchers + a.dispatcher as usize] += 1;
        }
        if F::SPECULATION && a.number == KILLED {
            // A copy's race was lost while it travelled.
            self.tasks.drop_attempt::<F>(attempt);
            return;
        }
        let n = &mut w.nodes[node];
        let discipline = &self.placement.discipline;
        n.queue.push_ranked_by(attempt, a.task.seq, || discipline.rank(&a.task));
        if self.placement.preemptive {
            self.preempt_for_head(node, now);
        }
        self.start_ready(node, now);
    }

    /// Preemptive disciplines: while the discipline names a running attempt to stop
    /// so the head of `node`'s queue can start, stop it and put it back in the queue;
    /// it later resumes where it stopped (preemptive-resume).
    fn preempt_for_head(&mut self, node: NodeId, now: SimTime) {
        self.checkpoint(node, now);
        loop {
            let n = &self.world.nodes[node];
            let Some(head) = n.queue.peek() else { return };
            let head = self.tasks.attempt::<F>(head);
            if F::SPECULATION && head.number == KILLED {
                return; // dropped by `start_ready`
            }
            let head = &head.task;
            let running: Vec<&Task> = n.running.iter().map(|&r| &self.tasks.attempt::<F>(r).task).collect();
            let free = (n.free_cores, n.free_memory);
            let Some(i) = self.placement.discipline.preemption(head, free, &running) else { return };
            let n = &mut self.world.nodes[node];
            let id = n.running.swap_remove(i);
            n.account(now);
            let a = self.tasks.attempt_mut::<F>(id);
            n.free_cores += a.task.cores;
            n.free_memory += a.task.memory;
            a.done_event = EventId::NONE;
            a.preemptions += 1;
            n.queue.push(id, self.placement.discipline.rank(&a.task), a.task.seq);
        }
    }

    /// Brings the work done of every attempt running on `node` up to `now`, so ranks
    /// such as remaining work are current and a speed change can take effect.
    /// Reads the node's running list: only in a run that keeps it (`World::tracks_running`).
    pub(super) fn checkpoint(&mut self, node: NodeId, now: SimTime) {
        debug_assert!(self.world.tracks_running, "a run that reads the running lists keeps them");
        let n = &self.world.nodes[node];
        let speed = n.speed;
        for &r in &n.running {
            let a = self.tasks.attempt_mut::<F>(r);
            a.task.work_done = (a.task.work_done + (now - a.run_start) * speed).min(a.task.size);
            a.run_start = now;
        }
    }

    /// Starts queued attempts on `node` while the next one has the cores and memory free.
    // Always inlined into its two callers on every task's path (a task received, a
    // task done), which saves a call and its register spills on each.
    #[inline(always)]
    pub(super) fn start_ready(&mut self, node: NodeId, now: SimTime) {
        let n = &mut self.world.nodes[node];
        let speed = n.speed;
        while let Some(id) = n.queue.peek() {
            let a = self.tasks.attempt_mut::<F>(id);
            if F::SPECULATION && a.number == KILLED {
                // A copy's race was lost while it waited here.
                n.queue.pop();
                self.tasks.drop_attempt::<F>(id);
                continue;
            }
            if a.task.cores > n.free_cores || a.task.memory > n.free_memory {
                break;
            }
            n.queue.pop();
            n.account(now);
            n.free_cores -= a.task.cores;
            n.free_memory -= a.task.memory;
            if self.world.tracks_running {
                n.running.push(id);
            }
            if a.start.is_nan() {
                a.start = now;
            }
            a.run_start = now;
            let left = (a.task.size - a.task.work_done).max(0.0);
            a.done_event = self.queue.schedule_at(now + left / speed, Event::Done { attempt: id });
        }
    }

    /// An attempt finished on its node: free its room, send the result (with a state
    /// report if the scenario says so), and start what can start.
    pub(super) fn on_done(&mut self, attempt: u32, now: SimTime) {
        let a = self.tasks.attempt_mut::<F>(attempt);
        a.done_event = EventId::NONE;
        a.finished = now;
        let node = a.node as usize;
        let (cores, memory, seq, number, output, d) =
            (a.task.cores, a.task.memory, a.task.seq, a.number, a.task.output, a.dispatcher);
        // Conservative backfilling: ended before the end its estimate gave it (as
        // `running_ends` computes it), so its room is free earlier than reserved.
        if self.placement.conservative {
            let speed = self.world.nodes[node].speed;
            if now < a.run_start + a.task.remaining_estimate() / speed {
                self.placement.room_freed_early();
            }
        }
        let n = &mut self.world.nodes[node];
        n.account(now);
        n.free_cores += cores;
        n.free_memory += memory;
        if self.world.tracks_running {
            if let Some(i) = n.running.iter().position(|&r| r == attempt) {
                n.running.swap_remove(i);
            }
        }
        // Reports with results make the nodes keep their running lists.
        let reports = self.network.reports_with_results;
        let queue = if reports { n.load() } else { 0 };
        debug_assert!(!reports || self.world.tracks_running);
        let report = reports.then(|| Report { queue, received: self.world.received(node, d as usize) });
        let epoch = if F::FAULTS { self.world.health[node].epoch } else { 0 };
        // In central mode a node's queue is empty but for a task sent on a stale view
        // (latency), which then starts as soon as there is room, like any other.
        self.start_ready(node, now);
        let delay = self.delay(node, seq, number as u64, 1, output);
        self.transmit(Message::Result { attempt, node, epoch, report }, delay, now)
    }
}
