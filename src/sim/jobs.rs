//! Jobs of many tasks (issue 13): a [`JobInstance`] per job in the system, releasing
//! its tasks as their parents complete, and the input transfers of each task.
//!
//! (Names: in `sim` a single task in the system is a `Job` and each send an
//! `Attempt`, as before issue 13; the issue's *job*, a DAG of tasks, is a
//! [`JobInstance`].)
//!
//! - A job arrives whole: its DAG and every task are drawn at once (so every policy
//!   sees the same tasks), and its roots are released.
//! - A task is *released* (it arrives, for the task-level metrics) when its last parent
//!   completes, that is when the parent's result reaches the dispatcher; it is then
//!   submitted like any task: placed by the balancer in dispatch mode, queued in central
//!   mode. All tasks of a job go through the dispatcher the job arrived at.
//! - When a released task is sent to node `n`, each parent that ran on another node
//!   sends it its output: the network's latency to `n` plus bytes / bandwidth, drawn per
//!   transfer; the task's message reaches `n` when the last of them and its own message
//!   have arrived (a parent on `n` costs nothing). A retried task fetches its inputs
//!   again from where its parents ran (outputs stay there, even on a node that crashed
//!   since: they are taken to be on stable storage).
//! - The job completes when its last task completes. It fails when one of its tasks
//!   fails (exhausted its attempts, or fits no node): its tasks in flight may still
//!   finish (counted as tasks), its unreleased tasks are never released (counted in
//!   `tasks_unreleased`, see `metrics/jobs.rs` for both conservation laws).
//! - A DAG with runtimes per node group (`runtimeByGroup`): a task sent to a node of a
//!   group the table names becomes there a task of size `runtime x speed`, so it runs
//!   for the table's runtime, preempted, slowed down or lost like any task; the
//!   dispatcher's estimate stays the size's (plain balancers do not see the table), and
//!   the job's slowdown still uses the sizes.
//! - Under a balancer that plans whole jobs, the job's plan is made at its arrival and
//!   followed as its tasks are released (`plans.rs`).
//!
//! The DAG is shared ([`Arc`]) by all jobs of a shape; a job's own state is its drawn
//! tasks until released, a counter per task and the node each finished task ran on,
//! freed when the job leaves: memory follows the jobs in the system, not the jobs
//! simulated.
//!
//! A run without jobs pays a branch per arrival and one per send and departure (the
//! task's `instance` is [`NO_INSTANCE`]); a run with jobs but no planner, a branch per
//! job arrival and per release.

use super::entities::{Attempt, Job, Slab, NO_INSTANCE};
use super::features::Features;
use super::plans::{Followed, PlanNet};
use super::run::Run;
use super::RunError;
use crate::engine::SimTime;
use crate::metrics::{JobRecorder, WarmupRule};
use crate::model::{NodeId, Task};
use crate::workload::Dag;
use std::sync::Arc;

/// A job of many tasks in the system.
pub(super) struct JobInstance {
    /// Arrival index of the job, from 0.
    seq: u64,
    arrival: SimTime,
    /// Whether its tasks and itself are measured (it arrived after the warm-up).
    measured: bool,
    /// The dispatcher all its tasks go through.
    pub dispatcher: u16,
    pub dag: Arc<Dag>,
    /// Its tasks as drawn at arrival, each taken when released.
    pub tasks: Vec<Option<Task>>,
    /// Its plan, if its dispatcher's balancer plans whole jobs (freed with the job).
    pub plan: Option<Box<Followed>>,
    /// Per task, parents not yet completed.
    waiting: Vec<u32>,
    /// Per task, the node whose result completed it (`u32::MAX` before).
    node: Vec<u32>,
    unreleased: u32,
    in_flight: u32,
    completed: u32,
    pub failed: bool,
    /// Its critical path on the fastest node, seconds (for its slowdown).
    critical: f64,
}

/// The jobs of many tasks in the system, and their statistics.
pub(super) struct Jobs {
    /// Whether arrivals are jobs of many tasks.
    pub enabled: bool,
    instances: Slab<Option<JobInstance>>,
    pub recorder: JobRecorder,
    /// Jobs that arrived so far.
    arrived: u64,
    /// The fastest node's speed (for the critical path in seconds).
    fastest: f64,
    /// Whether the jobs' DAG gives runtimes per node group.
    tabled: bool,
    /// What planners are told of the network, if the run's balancer plans whole jobs.
    pub net: Option<PlanNet>,
}

impl Jobs {
    /// No job yet; `enabled` if arrivals are jobs, on a cluster whose fastest node
    /// runs at `fastest`; `tabled` if their DAG gives runtimes per node group; `net`
    /// if they are planned.
    pub fn new(enabled: bool, fastest: f64, tabled: bool, net: Option<PlanNet>) -> Self {
        Jobs { enabled, instances: Slab::default(), recorder: JobRecorder::default(), arrived: 0, fastest, tabled, net }
    }

    /// Job `inst`, if it is in the system, to read.
    #[inline]
    pub fn instance(&self, inst: u32) -> Option<&JobInstance> {
        self.instances.slots[inst as usize].as_ref()
    }

    /// Job `inst`, if it is in the system.
    #[inline]
    pub fn get(&mut self, inst: u32) -> Option<&mut JobInstance> {
        self.instances.slots[inst as usize].as_mut()
    }

    /// Frees a job's state.
    fn free(&mut self, inst: u32) {
        self.instances.slots[inst as usize] = None;
        self.instances.remove(inst);
    }

    /// Jobs in the system that have not failed, and their tasks not yet released.
    pub fn live(&self) -> (u64, u64) {
        let live = self.instances.slots.iter().flatten().filter(|i| !i.failed);
        live.fold((0, 0), |(n, w), i| (n + 1, w + i.unreleased as u64))
    }
}

impl<F: Features> Run<F> {
    /// A job arrives: it is drawn whole, counted, and its roots are released.
    // Out of line: a run without jobs keeps its hot path as it was.
    #[inline(never)]
    pub(super) fn on_job_arrival(&mut self, now: SimTime) -> Result<(), RunError> {
        let seq = self.jobs.arrived;
        self.jobs.arrived += 1;
        // `[run] tasks` and a warm-up fraction count jobs here.
        let measured = match self.measure.warmup {
            WarmupRule::Tasks(k) => seq >= k,
            WarmupRule::Time(t) => now >= t,
        };
        if measured && seq > 0 && self.measure.warmup == WarmupRule::Tasks(seq) {
            self.snapshot_busy(now);
        }
        self.schedule_next_arrival(seq + 1, now)?;
        let dispatcher = self.placement.dispatcher_for(seq, self.seed);
        let (dag, tasks) = self.arrivals.source.draw_job(now);
        let sizes: Vec<f64> = tasks.iter().map(|t| t.size).collect();
        let n = dag.len() as u32;
        self.jobs.recorder.arrive(n);
        let inst = self.jobs.instances.insert(Some(JobInstance {
            seq,
            arrival: now,
            measured,
            dispatcher,
            critical: dag.critical_path(&sizes) / self.jobs.fastest,
            waiting: dag.parents.iter().map(|p| p.len() as u32).collect(),
            node: vec![u32::MAX; n as usize],
            tasks: tasks.into_iter().map(Some).collect(),
            unreleased: n,
            in_flight: 0,
            completed: 0,
            failed: false,
            dag: dag.clone(),
            plan: None,
        }));
        if self.placement.plans {
            self.plan_job(inst, now);
        }
        for &root in &dag.roots {
            self.release(inst, root, now);
        }
        if self.tasks.jobs.len() as u64 > self.arrivals.max_in_system {
            return Err(RunError::Overloaded { in_system: self.tasks.jobs.len(), time: now });
        }
        Ok(())
    }

    /// Task `index` of job `inst` is ready: it arrives (for the task-level metrics) and
    /// is submitted, unless its job has failed or left meanwhile.
    // Out of line: a run without jobs keeps its hot path as it was.
    #[inline(never)]
    fn release(&mut self, inst: u32, index: u32, now: SimTime) {
        let Some(i) = self.jobs.get(inst) else { return };
        if i.failed {
            return;
        }
        let Some(mut task) = i.tasks[index as usize].take() else { return };
        i.unreleased -= 1;
        i.in_flight += 1;
        let (measured, dispatcher, planned) = (i.measured, i.dispatcher, i.plan.is_some());
        // Its deadline, if its class has one, counts from its release.
        task.deadline = task.deadline.map(|d| d - task.arrival + now);
        task.arrival = now;
        task.seq = self.measure.recorder.arrived();
        self.measure.recorder.admit(measured, now);
        let fits = self.world.fits_some_node(&task);
        let job = self.tasks.admit::<F>(Job {
            run: Attempt::unsent(task, dispatcher),
            measured,
            attempts: 0,
            instance: inst,
            index,
        });
        if !fits {
            // No node is big enough, now or ever: the task fails, and its job.
            self.fail(job, now);
            return;
        }
        if planned {
            self.release_planned(inst, index, job, now);
        } else {
            self.submit(job, now);
        }
    }

    /// Task `index` of job `inst` completed, run on `node`: release its children that
    /// are now ready, or complete the job.
    // Out of line: a run without jobs keeps its hot path as it was.
    #[inline(never)]
    pub(super) fn task_completed(&mut self, inst: u32, index: u32, node: NodeId, now: SimTime) {
        let Some(i) = self.jobs.get(inst) else { return };
        i.in_flight -= 1;
        i.completed += 1;
        i.node[index as usize] = node as u32;
        if i.failed {
            if i.in_flight == 0 {
                self.jobs.free(inst);
            }
            return;
        }
        if i.completed as usize == i.dag.len() {
            let (measured, n, response, critical) = (i.measured, i.completed, now - i.arrival, i.critical);
            self.jobs.recorder.complete(measured, n, response, critical);
            self.jobs.free(inst);
            return;
        }
        let dag = i.dag.clone();
        for &child in &dag.children[index as usize] {
            let Some(i) = self.jobs.get(inst) else { return };
            if i.failed {
                return;
            }
            i.waiting[child as usize] -= 1;
            if i.waiting[child as usize] == 0 {
                self.release(inst, child, now);
            }
        }
    }

    /// A task of job `inst` failed: so does the job, if it had not already; its state
    /// goes once no task of it is in flight.
    // Out of line: a run without jobs keeps its hot path as it was.
    #[inline(never)]
    pub(super) fn task_failed(&mut self, inst: u32, now: SimTime) {
        let Some(i) = self.jobs.get(inst) else { return };
        i.in_flight -= 1;
        if !i.failed {
            i.failed = true;
            let unreleased = i.unreleased;
            self.jobs.recorder.fail(unreleased);
            // Its released tasks a plan holds back are in flight: they go now.
            self.let_held_go(inst, now);
        }
        if self.jobs.get(inst).is_some_and(|i| i.in_flight == 0) {
            self.jobs.free(inst);
        }
    }

    /// Task `index` of job `inst` is sent now to `node` as attempt `attempt` (number
    /// `number`): the task runs for the runtime the DAG gives for the node's group, if
    /// any. Returns how long its message must wait at least: for its inputs (the latest
    /// of its parents' transfers from other nodes, counting the bytes moved: from now,
    /// or under a plan from its release) and, under a plan, for the task before it
    /// there (`plans.rs`).
    // Out of line, and called as the input transfer alone was before plans: a run
    // without jobs keeps its hot path as it was, to the instruction.
    #[inline(never)]
    pub(super) fn job_send(&mut self, inst: u32, index: u32, node: NodeId, number: u32, attempt: u32) -> f64 {
        if self.jobs.tabled {
            self.run_as_tabled(inst, index, node, attempt);
        }
        let fetch = self.input_transfer(inst, index, node, number);
        self.planned_wait(inst, index, (node, number, attempt), fetch)
    }

    /// On `node`, attempt `attempt` of task `index` of job `inst` runs for the DAG's
    /// runtime on the node's group, if it gives one: its size (the work it does there)
    /// becomes `runtime x speed`. Its estimate, which the dispatcher has booked, stays
    /// the size's: a plain balancer does not see the table (a planner plans with it).
    fn run_as_tabled(&mut self, inst: u32, index: u32, node: NodeId, attempt: u32) {
        let Some(i) = self.jobs.instances.slots[inst as usize].as_ref() else { return };
        let spec = &self.world.specs[node];
        let Some(seconds) = i.dag.runtimes.as_ref().and_then(|t| t.get(index as usize, spec.group)) else { return };
        self.tasks.attempt_mut::<F>(attempt).task.size = seconds * spec.speed;
    }

    /// When task `index` of job `inst`, sent to `node` as attempt `number`, has its
    /// inputs there: the latest of its parents' transfers from other nodes (0 if all
    /// ran on `node`), counting the bytes moved.
    fn input_transfer(&mut self, inst: u32, index: u32, node: NodeId, number: u32) -> f64 {
        let Some(i) = self.jobs.instances.slots[inst as usize].as_ref() else { return 0.0 };
        let (mut moved, mut delay) = (0.0, 0.0f64);
        for &(p, bytes) in &i.dag.parents[index as usize] {
            if i.node[p as usize] != node as u32 {
                moved += bytes;
                // Keyed by the job, the edge and the attempt: every policy that sends
                // this input over the network for this attempt waits the same.
                let key = (index as u64) << 32 | p as u64;
                delay = delay.max(self.delay(node, i.seq | 1 << 63, key, 1 << 32 | number as u64, bytes));
            }
        }
        self.jobs.recorder.moved(moved);
        delay
    }
}

/// Whether `job` belongs to a job of many tasks, and which and where in it.
#[inline]
pub(super) fn instance_of(job: &Job) -> Option<(u32, u32)> {
    (job.instance != NO_INSTANCE).then_some((job.instance, job.index))
}

impl Jobs {
    /// Where `job` stands in a job of many tasks, for its record: the job's arrival
    /// index and the task's index in its DAG (`None` for a task of its own).
    pub(super) fn record_of(&self, job: &Job) -> Option<(u64, u32)> {
        let (inst, index) = instance_of(job)?;
        Some((self.instance(inst)?.seq, index))
    }

    /// Job `inst`'s arrival index, its DAG, and per task the node whose result
    /// completed it (`u32::MAX` before): what a speculation check compares a running
    /// task with (`speculation.rs`). `None` once the job has left.
    pub(super) fn progress_of(&self, inst: u32) -> Option<(u64, &Dag, &[u32])> {
        let i = self.instances.slots.get(inst as usize)?.as_ref()?;
        Some((i.seq, &*i.dag, &i.node[..]))
    }
}
