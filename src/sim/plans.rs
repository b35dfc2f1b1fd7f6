//! Following a whole-DAG plan (issue 13): under a balancer that plans whole jobs
//! (`heft`, `cpop`, `min_min`, `max_min`: [`Balancer::plans_jobs`]), a job's plan is
//! made when the job arrives and followed as its tasks are released.
//!
//! - **The plan** is asked of the job's dispatcher's balancer, with the job's
//!   [`Estimates`]: processors are the run's nodes; a task's cost on a node is its
//!   estimated runtime there (its size estimate over the node's speed, or the DAG's
//!   runtime for the node's group scaled by the estimate's error), infinite where it
//!   does not fit (cores, memory); an edge costs the destination's mean latency plus
//!   bytes / bandwidth; inputs travel as the simulator moves them
//!   ([`Inputs::OnRelease`]: released when the last parent's result reaches the
//!   dispatcher, then fetched).
//! - **Placement and order follow the plan, timing follows the run.** A released task
//!   is sent to its planned node, and a node receives a job's planned tasks in the
//!   order of their planned starts there: a task whose predecessor on its node is not
//!   yet sent waits (released, at the dispatcher) until it is, and its message never
//!   reaches the node before its predecessor's; its inputs are fetched to the node from
//!   its release on, the node being known. Without this a FIFO node would start a
//!   later-planned task in a gap the plan keeps for an earlier one, and the run would
//!   not execute the plan even with exact estimates. When the tasks run, and for how
//!   long, is the run's: actual sizes, actual latencies, other jobs' tasks in the
//!   node's queue. With exact estimates, no latency and one job at a time, a FIFO
//!   run's job response is the plan's makespan (`tests/planners.rs`).
//! - **Off the plan**: a task planned nowhere, or whose node the dispatcher believes
//!   down when it is released, or resubmitted after a failure or timeout, is placed by
//!   the balancer's `select`, the planner's fallback; it counts as sent for the
//!   order. When the job fails, its held tasks go at once.
//! - **Memory**: the plan ([`Followed`], seven numbers per task) is the job's and is
//!   freed with it.
//!
//! [`Balancer::plans_jobs`]: crate::policy::Balancer::plans_jobs

use super::features::Features;
use super::run::Run;
use crate::engine::SimTime;
use crate::model::{NodeId, NodeSpec, Task};
use crate::policy::plan::{Costs, Inputs, Slot, NOWHERE};
use crate::scenario::Scenario;
use crate::workload::Dag;

/// No task, no node, no job slot.
const NONE: u32 = u32::MAX;

/// What planners are told of the network: each node's mean one-way latency and the
/// bandwidth.
pub(super) struct PlanNet {
    latency: Vec<f64>,
    mean_latency: f64,
    bandwidth: Option<f64>,
}

impl PlanNet {
    /// The network of `scenario` over the nodes `specs`.
    pub fn new(scenario: &Scenario, specs: &[NodeSpec]) -> Self {
        let groups = &scenario.node_groups;
        let latency: Vec<f64> =
            specs.iter().map(|s| groups[s.group].latency.as_ref().map_or(0.0, |d| d.mean())).collect();
        let mean_latency = latency.iter().sum::<f64>() / latency.len().max(1) as f64;
        PlanNet { latency, mean_latency, bandwidth: scenario.network.bandwidth }
    }

    /// Seconds for `bytes` at the bandwidth (none: instant).
    fn transfer(&self, bytes: f64) -> f64 {
        self.bandwidth.map_or(0.0, |bw| bytes / bw)
    }
}

/// A job at its arrival as its planner sees it (see the module's documentation).
struct Estimates<'a> {
    dag: &'a Dag,
    /// Its tasks as drawn, none released yet.
    tasks: &'a [Option<Task>],
    specs: &'a [NodeSpec],
    net: &'a PlanNet,
}

impl Estimates<'_> {
    fn task(&self, t: usize) -> &Task {
        self.tasks[t].as_ref().expect("a job is planned before any task is released")
    }
}

impl Costs for Estimates<'_> {
    fn tasks(&self) -> usize {
        self.dag.len()
    }

    fn processors(&self) -> usize {
        self.specs.len()
    }

    fn parents(&self, task: usize) -> &[(u32, f64)] {
        &self.dag.parents[task]
    }

    fn cost(&self, task: usize, p: usize) -> f64 {
        let (t, s) = (self.task(task), &self.specs[p]);
        if t.cores > s.cores || t.memory > s.memory {
            return f64::INFINITY;
        }
        match self.dag.runtimes.as_ref().and_then(|r| r.get(task, s.group)) {
            // The estimate's error applies to the table's runtime too.
            Some(seconds) if t.size > 0.0 => seconds * t.estimate / t.size,
            Some(seconds) => seconds,
            None => t.estimate / s.speed,
        }
    }

    fn comm(&self, data: f64, _from: usize, to: usize) -> f64 {
        self.net.latency[to] + self.net.transfer(data)
    }

    fn mean_comm(&self, data: f64) -> f64 {
        self.net.mean_latency + self.net.transfer(data)
    }

    fn width(&self, task: usize) -> u32 {
        self.task(task).cores
    }

    fn inputs(&self) -> Inputs {
        Inputs::OnRelease
    }

    fn result_delay(&self, task: usize, p: usize) -> f64 {
        self.net.latency[p] + self.net.transfer(self.task(task).output)
    }

    fn send_delay(&self, task: usize, p: usize) -> f64 {
        self.net.latency[p] + self.net.transfer(self.task(task).input)
    }
}

/// A job's plan as the run follows it, per task: its node, its neighbours on that node
/// in the plan's order, whether it was handed over, the job slot it waits in if held,
/// when it was released, and when its message reaches its planned node.
pub(super) struct Followed {
    node: Vec<u32>,
    prev: Vec<u32>,
    next: Vec<u32>,
    handed: Vec<bool>,
    held: Vec<u32>,
    released: Vec<f64>,
    arrives: Vec<f64>,
}

impl Followed {
    /// The plan `slots` of a job of `n` tasks: on each node, its tasks in the order of
    /// their planned starts (ties: the order planned, which puts parents first).
    fn new(n: usize, slots: &[Slot]) -> Self {
        let mut f = Followed {
            node: vec![NONE; n],
            prev: vec![NONE; n],
            next: vec![NONE; n],
            handed: vec![false; n],
            held: vec![NONE; n],
            released: vec![f64::NAN; n],
            arrives: vec![f64::NEG_INFINITY; n],
        };
        let mut placed: Vec<(usize, f64, usize, usize)> = slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.processor != NOWHERE && s.task < n)
            .map(|(k, s)| (s.processor, s.start, k, s.task))
            .collect();
        placed.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
        for (k, &(node, _, _, task)) in placed.iter().enumerate() {
            f.node[task] = node as u32;
            if let Some(&(before, _, _, prev)) = k.checked_sub(1).map(|j| &placed[j]) {
                if before == node {
                    f.prev[task] = prev as u32;
                    f.next[prev] = task as u32;
                }
            }
        }
        f
    }

    /// Whether task `t` must wait: the task before it on its node is not handed over.
    fn blocked(&self, t: usize) -> bool {
        self.prev[t] != NONE && !self.handed[self.prev[t] as usize]
    }
}

impl<F: Features> Run<F> {
    /// Job `inst` arrived at a dispatcher whose balancer plans whole jobs: its plan is
    /// made now, from its tasks as drawn, and kept with it.
    // Out of line: a run without planners keeps its paths as they were.
    #[inline(never)]
    pub(super) fn plan_job(&mut self, inst: u32, now: SimTime) {
        let Some(i) = self.jobs.instance(inst) else { return };
        let net = self.jobs.net.as_ref().expect("a planned run knows its network");
        let estimates = Estimates { dag: &i.dag, tasks: &i.tasks, specs: &self.world.specs, net };
        let d = i.dispatcher as usize;
        let slots = self.placement.dispatchers[d].plan_job(&estimates, now, self.world.mode, &self.world.specs);
        let n = i.dag.len();
        if let Some(i) = self.jobs.get(inst) {
            i.plan = Some(Box::new(Followed::new(n, &slots)));
        }
    }

    /// Released task `index` of planned job `inst`, in the system as `job`: handed
    /// over now, or held until the task before it on its node is.
    // Out of line: a run without planners keeps its paths as they were.
    #[inline(never)]
    pub(super) fn release_planned(&mut self, inst: u32, index: u32, job: u32, now: SimTime) {
        let Some(f) = self.jobs.get(inst).and_then(|i| i.plan.as_mut()) else { return self.submit(job, now) };
        f.released[index as usize] = now;
        if f.blocked(index as usize) {
            f.held[index as usize] = job;
            return;
        }
        self.hand_over(inst, index, job, now);
    }

    /// Sends task `index` of job `inst` (in the system as `job`) to its planned node,
    /// or to the balancer's fallback; then the task after it on that node, if it was
    /// held, and so on.
    fn hand_over(&mut self, inst: u32, mut index: u32, mut job: u32, now: SimTime) {
        loop {
            let Some(f) = self.jobs.get(inst).and_then(|i| i.plan.as_mut()) else { return self.submit(job, now) };
            f.handed[index as usize] = true;
            let (node, next) = (f.node[index as usize], f.next[index as usize]);
            let d = self.tasks.jobs.slots[job as usize].dispatcher() as usize;
            if node != NONE && self.placement.dispatchers[d].belief(node as usize).up {
                self.send(d, node as usize, job, now);
            } else {
                self.submit(job, now);
            }
            let Some(f) = self.jobs.get(inst).and_then(|i| i.plan.as_mut()) else { return };
            if next == NONE || f.held[next as usize] == NONE {
                return;
            }
            (index, job) = (next, std::mem::replace(&mut f.held[next as usize], NONE));
        }
    }

    /// Job `inst` failed: the tasks its plan holds back are released tasks, and go now.
    pub(super) fn let_held_go(&mut self, inst: u32, now: SimTime) {
        let Some(f) = self.jobs.get(inst).and_then(|i| i.plan.as_mut()) else { return };
        let held: Vec<(u32, u32)> = f
            .held
            .iter_mut()
            .enumerate()
            .filter(|(_, j)| **j != NONE)
            .map(|(t, j)| (t as u32, std::mem::replace(j, NONE)))
            .collect();
        for (index, job) in held {
            self.hand_over(inst, index, job, now);
        }
    }

    /// How long the message of task `index` of job `inst`, sent now to `node` as
    /// attempt `attempt` (number `number`), must wait at least, its inputs taking
    /// `fetch` to reach the node. Off the plan (a later attempt, another node): `fetch`.
    /// A first attempt to its planned node had its inputs fetched from its release on
    /// (the node was known then; only the task waited), and reaches the node no earlier
    /// than the task before it there; its own arrival (with its own message's delay) is
    /// noted for the task after it.
    pub(super) fn planned_wait(&mut self, inst: u32, index: u32, sent: (NodeId, u32, u32), fetch: f64) -> f64 {
        let (node, number, attempt) = sent;
        let now = self.queue.now();
        // The task's own message: keyed by the message, so the same delay `send` draws.
        let task = &self.tasks.attempt::<F>(attempt).task;
        let own = self.delay(node, task.seq, number as u64, 0, task.input);
        let Some(f) = self.jobs.get(inst).and_then(|i| i.plan.as_mut()) else { return fetch };
        let t = index as usize;
        if number != 1 || f.node[t] != node as u32 {
            return fetch;
        }
        let mut at = (now + own).max(f.released[t] + fetch);
        if f.prev[t] != NONE {
            at = at.max(f.arrives[f.prev[t] as usize]);
        }
        f.arrives[t] = at;
        let mut wait = at - now;
        // `now + (at - now)` may round below `at`: the task before would come second.
        while now + wait < at {
            wait = f64::from_bits(wait.to_bits() + 1);
        }
        wait
    }
}
