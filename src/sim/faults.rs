//! Injected faults: nodes' random failures and repairs, scripted crashes and
//! slowdowns, and the log of fault events kept for charts. What a crash loses is
//! found again only through [`detection`](super::detection).

use super::features::Features;
use super::run::{Event, Run};
use crate::engine::{derive_seed, EventId, SimRng, SimTime};
use crate::metrics::FaultRecord;
use crate::model::{stream, NodeId, NodeSpec};
use crate::scenario::{FailureModel, FaultKind, Faults, Scenario, ScriptedFault};
use std::collections::HashSet;

/// The most fault events a run logs for `events.csv`.
pub const MAX_FAULT_RECORDS: usize = 100_000;

/// The scenario's faults, the detector's settings, and what faults cost.
pub(super) struct FaultState {
    /// `[faults]`: heartbeats, retries, scripted events.
    pub config: Faults,
    /// Each node's random failure process, if its group fails.
    models: Vec<Option<FailureModel>>,
    /// Backoff jitter.
    pub retry_rng: SimRng,
    /// Fault events, kept for replication 0 (for charts).
    pub log: Option<Vec<FaultRecord>>,
    group_names: Vec<String>,
    /// Resubmissions.
    pub retries: u64,
    /// Work done by attempts whose result did not complete their job.
    pub wasted_work: f64,
    /// Crashes detected, and the sum of their detection latencies.
    pub detections: (u64, f64),
    /// Live nodes declared dead.
    pub false_suspicions: u64,
    /// Jobs resubmitted and waiting at their dispatcher to be placed again. An older
    /// attempt of one (its node falsely suspected, or a copy's sibling) may still
    /// complete it: it then leaves the dispatcher's queue too (`leave`).
    pub requeued: HashSet<u32>,
}

impl FaultState {
    /// The faults of `scenario` for the nodes `specs`, in the run seeded by `seed`.
    pub fn new(scenario: &Scenario, specs: &[NodeSpec], seed: u64, replication: u32) -> Self {
        let groups = &scenario.node_groups;
        FaultState {
            config: scenario.faults.clone(),
            models: specs.iter().map(|s| groups[s.group].failure.clone()).collect(),
            retry_rng: SimRng::new(derive_seed(seed, &[stream::RETRY])),
            log: (replication == 0).then(Vec::new),
            group_names: groups.iter().map(|g| g.name.clone()).collect(),
            retries: 0,
            wasted_work: 0.0,
            detections: (0, 0.0),
            false_suspicions: 0,
            requeued: HashSet::new(),
        }
    }
}

impl<F: Features> Run<F> {
    /// Schedules the first random failure of every node that can fail, the scripted
    /// faults, and every node's first heartbeat and every detector check.
    pub(super) fn start_faults(&mut self) {
        for node in 0..self.world.specs.len() {
            self.schedule_random_crash(node, 0.0);
        }
        for (i, f) in self.faults.config.events.iter().enumerate() {
            self.queue.schedule_at(f.at, Event::Scripted { index: i as u32 });
        }
        if let Some(hb) = self.faults.config.heartbeat {
            for node in 0..self.world.specs.len() {
                // Staggered by the golden ratio so heartbeats do not arrive in bursts.
                let offset = hb.interval * ((node as f64 * 0.618_033_988_749_895).fract());
                self.world.health[node].beat_event = self.queue.schedule_at(offset, Event::Beat { node: node as u32 });
                for d in 0..self.placement.dispatchers.len() {
                    self.placement.dispatchers[d].check_pending[node] = true;
                    self.queue.schedule_at(hb.timeout, Event::Check { node: node as u32, dispatcher: d as u16 });
                }
            }
        }
    }

    /// A node's random failure, `k`-th of its life, drawn from a stream keyed by
    /// (node, k) so every policy sees the same failures.
    fn failure_draw(&self, node: NodeId, k: u32, what: u64) -> Option<f64> {
        let model = self.faults.models[node].as_ref()?;
        let mut rng = SimRng::new(derive_seed(self.seed, &[stream::FAILURES, node as u64, k as u64, what]));
        Some(if what == 0 { model.mtbf.sample(&mut rng) } else { model.mttr.sample(&mut rng) })
    }

    fn schedule_random_crash(&mut self, node: NodeId, now: SimTime) {
        if let Some(ttf) = self.failure_draw(node, self.world.health[node].crashes, 0) {
            self.queue.schedule_at(now + ttf, Event::Crash { node: node as u32 });
        }
    }

    pub(super) fn on_random_crash(&mut self, node: NodeId, now: SimTime) {
        if !self.world.health[node].up {
            return; // already down (a scripted crash): the process resumes on recovery
        }
        let ttr = self.failure_draw(node, self.world.health[node].crashes, 1).unwrap_or(0.0);
        self.crash(node, now, ttr);
    }

    pub(super) fn on_scripted(&mut self, index: usize, now: SimTime) {
        let ScriptedFault { nodes, kind, .. } = self.faults.config.events[index].clone();
        for node in nodes {
            if !self.world.health[node].up {
                continue;
            }
            match kind {
                FaultKind::Crash { duration } => self.crash(node, now, duration),
                FaultKind::Slowdown { factor, duration } => {
                    self.set_speed(node, factor, now);
                    self.log(now, node, "slowdown");
                    let id = self.queue.schedule_at(now + duration, Event::SlowEnd { node: node as u32 });
                    self.world.health[node].slow_event = id;
                }
            }
        }
    }

    /// A node's slowdown ends, unless a later event superseded it.
    pub(super) fn on_slow_end(&mut self, node: NodeId, id: EventId, now: SimTime) {
        if self.world.health[node].slow_event == id {
            self.set_speed(node, 1.0, now);
            self.log(now, node, "recover_speed");
        }
    }

    /// Fail-stop: everything queued and running on the node is lost, and so is every
    /// message it sent that has not arrived (its epoch changes). Back after `down_for`.
    fn crash(&mut self, node: NodeId, now: SimTime, down_for: f64) {
        self.checkpoint(node, now);
        let h = &mut self.world.health[node];
        h.up = false;
        h.epoch += 1;
        h.crashes += 1;
        h.crashed_at = now;
        h.slow_event = EventId::NONE;
        h.beat_event = EventId::NONE;
        h.speed_factor = 1.0;
        let n = &mut self.world.nodes[node];
        n.account(now);
        n.speed = self.world.specs[node].speed;
        let running = std::mem::take(&mut n.running);
        let mut queued = Vec::new();
        while let Some(a) = n.queue.pop() {
            queued.push(a);
        }
        n.free_cores = self.world.specs[node].cores;
        n.free_memory = self.world.specs[node].memory;
        for a in running.into_iter().chain(queued) {
            let attempt = self.tasks.attempt_mut::<F>(a);
            self.faults.wasted_work += attempt.task.work_done;
            attempt.done_event = EventId::NONE;
            attempt.timeout_event = EventId::NONE;
            self.lose_attempt(a);
        }
        self.world.health[node].recover_event =
            self.queue.schedule_at(now + down_for, Event::Recover { node: node as u32 });
        self.measure.recorder.nodes_up(now, self.world.nodes_up());
        self.log(now, node, "crash");
    }

    /// The node comes back, empty, and starts sending heartbeats again (unless a later
    /// event superseded this recovery).
    pub(super) fn on_recover(&mut self, node: NodeId, id: EventId, now: SimTime) {
        let h = &mut self.world.health[node];
        if h.recover_event != id {
            return;
        }
        h.up = true;
        h.down_time += now - h.crashed_at;
        h.recover_event = EventId::NONE;
        h.beat_event = self.queue.schedule_at(now, Event::Beat { node: node as u32 });
        self.world.nodes[node].account(now);
        self.measure.recorder.nodes_up(now, self.world.nodes_up());
        self.placement.room_freed_early();
        self.log(now, node, "recover");
        self.schedule_random_crash(node, now);
    }

    /// Changes a node's speed: running attempts keep the work done so far and finish
    /// the rest at the new speed.
    fn set_speed(&mut self, node: NodeId, factor: f64, now: SimTime) {
        self.checkpoint(node, now);
        if factor > self.world.health[node].speed_factor {
            self.placement.room_freed_early();
        }
        self.world.health[node].speed_factor = factor;
        let n = &mut self.world.nodes[node];
        n.speed = self.world.specs[node].speed * factor;
        let speed = n.speed;
        for &id in &n.running {
            let a = self.tasks.attempt_mut::<F>(id);
            let left = (a.task.size - a.task.work_done).max(0.0);
            a.done_event = self.queue.schedule_at(now + left / speed, Event::Done { attempt: id });
        }
    }

    /// Logs a fault event of `node` (replication 0 only), up to
    /// [`MAX_FAULT_RECORDS`]: a run whose nodes fail for simulated years keeps its
    /// memory flat, and `events.csv` shows the first ones.
    pub(super) fn log(&mut self, time: SimTime, node: NodeId, event: &'static str) {
        if let Some(log) = self.faults.log.as_mut().filter(|l| l.len() < MAX_FAULT_RECORDS) {
            let group = self.faults.group_names[self.world.specs[node].group].clone();
            log.push(FaultRecord { time, node, group, event });
        }
    }
}
