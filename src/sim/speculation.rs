//! Speculative copies of stragglers (issue 13, `[faults] speculation`): the periodic
//! check that shows the policy the running tasks of jobs, the copies it launches, and
//! what becomes of the two attempts of a copied task. Only a run compiled with
//! [`Features::SPECULATION`] has any of it.
//!
//! The model:
//! - Every `interval` seconds each dispatcher with no task waiting shows the policy its
//!   running tasks of jobs (progress = work done / size, as the node reports it, fresh
//!   at the check), the stages of their jobs, and the nodes (free room as it believes
//!   it; progress rate, from what the attempts that ran there did in the time they
//!   ran, as reported). A dispatcher with tasks waiting launches no copy: new
//!   work goes first, as in Hadoop.
//! - A copy is a new attempt of the task, sent like any (it fetches its inputs again),
//!   that starts from the beginning. A task gets at most one copy in its life.
//! - The first attempt whose result reaches the dispatcher completes the task: one
//!   completion, its job's progress once. The other attempt is killed then: running,
//!   its cores are freed at once (the kill's message latency is left out), its time
//!   counted in `speculative_wasted` (core-seconds) and its work in `wasted_work`;
//!   queued at its node or on its way there, it is dropped where it next shows up;
//!   already finished, its result on the way, it counts as wasted when it arrives, as
//!   any duplicate's result does.
//! - Failures: a task with two attempts is lost only when both are. When the
//!   dispatcher learns an attempt was lost (its node declared dead, or restarted) while
//!   it believes the other alive, it does nothing; when it learns the second was lost,
//!   it resubmits the task (or fails it) as it would a lone attempt. A copy does not
//!   count against `max_attempts`: it is not a retry. (A retry timeout, which
//!   resubmits slow tasks too, is refused beside speculation.)
//! - Every copy ends one way: it won, it was beaten (the other attempt's result came
//!   first, or its job failed), it was lost (the dispatcher gave it up with its node),
//!   or it still runs when the run ends. The run checks that these add up to the copies
//!   launched, and that no task that left keeps a copy's record.
//!
//! Memory follows the tasks in flight: a record per copied task in the system.

use super::entities::Attempt;
use super::features::Features;
use super::run::{Event, Run};
use crate::engine::{EventId, SimRng, SimTime};
use crate::metrics::RunResult;
use crate::model::NodeId;
use crate::policy::speculation::{NodeState, RunningTask, SpeculationSpec, SpeculationView, Speculator, TaskGroup};
use crate::workload::Dag;
use std::collections::HashMap;

/// The attempt number a killed attempt is given: numbers start at 1, so no result,
/// loss or outstanding entry can be taken for it.
pub(super) const KILLED: u32 = 0;

/// One of the two attempts of a copied task.
#[derive(Debug, Clone, Copy)]
struct Member {
    /// Its attempt record (valid while it is not `crashed`).
    attempt: u32,
    number: u32,
    /// Lost with its node (its record is gone).
    crashed: bool,
    /// The dispatcher counts it lost (its node declared dead, or restarted).
    given_up: bool,
}

/// A task that has had its copy.
#[derive(Debug)]
struct Copied {
    /// The task's arrival index: which task the job slot holds.
    seq: u64,
    /// The original and the copy, while both may finish; `None` once both are given up
    /// (the task was then resubmitted alone).
    pair: Option<[Member; 2]>,
}

/// The speculation of a run: the policy, its checks, the copied tasks and the counts.
pub(super) struct Speculation {
    policy: Option<Box<dyn Speculator>>,
    interval: f64,
    rng: SimRng,
    /// By job slot.
    copied: HashMap<u32, Copied>,
    /// Per node, the progress of the attempts that ended there (1 for a result, its
    /// progress for one killed) and the seconds they ran: its progress rate so far.
    node_done: Vec<(f64, f64)>,
    // The view's tables, kept from check to check.
    tasks: Vec<RunningTask>,
    /// Per entry of `tasks`: its job slot and the attempt a copy is made of.
    refs: Vec<(u32, u32)>,
    groups: Vec<TaskGroup>,
    nodes: Vec<NodeState>,
    launched: u64,
    won: u64,
    beaten: u64,
    lost: u64,
    /// Core-seconds of the attempts that lost the race.
    wasted: f64,
}

impl Speculation {
    /// The speculation `spec` of a run over `nodes` nodes seeded by `seed`; it launches
    /// nothing unless `active` (the run is compiled for it) and `spec` is not `none`.
    pub fn new(spec: Option<&SpeculationSpec>, active: bool, nodes: usize, seed: u64) -> Self {
        let spec = spec.filter(|_| active);
        Speculation {
            policy: spec.and_then(SpeculationSpec::build),
            interval: spec.map_or(f64::INFINITY, |s| s.interval),
            rng: SimRng::new(crate::engine::derive_seed(seed, &[crate::model::stream::SPECULATION])),
            copied: HashMap::new(),
            node_done: if active { vec![(0.0, 0.0); nodes] } else { Vec::new() },
            tasks: Vec::new(),
            refs: Vec::new(),
            groups: Vec::new(),
            nodes: Vec::new(),
            launched: 0,
            won: 0,
            beaten: 0,
            lost: 0,
            wasted: 0.0,
        }
    }

    /// Attempt `number` of the task `seq` in job slot `job` was lost with its node.
    fn crashed(&mut self, job: u32, seq: u64, number: u32) {
        if let Some(m) = self.member(job, seq, number) {
            m.crashed = true;
        }
    }

    /// Whether attempt `number` of task `seq` is a copied task's attempt lost with its
    /// node: a restarted node announces it.
    pub fn was_lost(&self, job: u32, seq: u64, number: u32) -> bool {
        let pair = self.copied.get(&job).filter(|c| c.seq == seq).and_then(|c| c.pair.as_ref());
        pair.is_some_and(|p| p.iter().any(|m| m.number == number && m.crashed))
    }

    /// The dispatcher counts attempt `number` of task `seq` (of `attempts` made) lost:
    /// whether the task has no attempt left, so is to be resubmitted. For a copied task
    /// that is when both of its attempts are; for any other, when it is the latest.
    pub fn give_up(&mut self, job: u32, seq: u64, number: u32, attempts: u32) -> bool {
        let Some(c) = self.copied.get_mut(&job).filter(|c| c.seq == seq) else { return attempts == number };
        let Some(pair) = c.pair.as_mut() else { return attempts == number };
        let Some(k) = pair.iter().position(|m| m.number == number) else { return attempts == number };
        pair[k].given_up = true;
        if !pair[1 - k].given_up {
            return false;
        }
        c.pair = None;
        self.lost += 1;
        true
    }

    /// Copies task `seq` in job slot `job` has had (0 or 1): they do not count against
    /// `max_attempts`.
    pub fn copies_of(&self, job: u32, seq: u64) -> u32 {
        u32::from(self.copied.get(&job).is_some_and(|c| c.seq == seq))
    }

    fn member(&mut self, job: u32, seq: u64, number: u32) -> Option<&mut Member> {
        let pair = self.copied.get_mut(&job).filter(|c| c.seq == seq)?.pair.as_mut()?;
        pair.iter_mut().find(|m| m.number == number)
    }

    /// Copies whose task is still in the system with both attempts.
    fn running(&self) -> u64 {
        self.copied.values().filter(|c| c.pair.is_some()).count() as u64
    }

    /// Fills the speculation columns of `result`, after checking that every copy is
    /// accounted for and that no departed task kept its record.
    ///
    /// # Errors
    /// A message if either check fails: a bug in the model.
    pub fn finish(&self, in_system: u64, result: &mut RunResult) -> Result<(), String> {
        let running = self.running();
        if self.launched != self.won + self.beaten + self.lost + running {
            return Err(format!(
                "copy conservation violated: {} copies launched != {} won + {} beaten + {} lost + {} running",
                self.launched, self.won, self.beaten, self.lost, running
            ));
        }
        if self.copied.len() as u64 > in_system {
            return Err(format!("{} copied tasks on record, {} tasks in the system", self.copied.len(), in_system));
        }
        result.speculative_launched = self.launched;
        result.speculative_won = self.won;
        result.speculative_wasted = self.wasted;
        Ok(())
    }
}

/// An attempt's progress at `now` on a node running at `speed`: work done over size.
fn progress(a: &Attempt, now: SimTime, speed: f64) -> f64 {
    if a.task.size <= 0.0 {
        return 1.0;
    }
    ((a.task.work_done + (now - a.run_start) * speed) / a.task.size).clamp(0.0, 1.0)
}

/// Each task's depth in `dag`: 0 without parents, else one more than its deepest parent.
fn depths(dag: &Dag) -> Vec<u32> {
    let mut depth = vec![0u32; dag.len()];
    for &t in &dag.order {
        let t = t as usize;
        depth[t] = dag.parents[t].iter().map(|&(p, _)| depth[p as usize] + 1).max().unwrap_or(0);
    }
    depth
}

impl<F: Features> Run<F> {
    /// Schedules the first check, if the run speculates.
    pub(super) fn start_speculation(&mut self) {
        if self.speculation.policy.is_some() {
            self.queue.schedule_at(self.speculation.interval, Event::Speculate);
        }
    }

    /// A check: each dispatcher with nothing waiting asks the policy for copies.
    pub(super) fn on_speculate(&mut self, now: SimTime) {
        self.queue.schedule_at(now + self.speculation.interval, Event::Speculate);
        for d in 0..self.placement.dispatchers.len() {
            if !self.placement.dispatchers[d].waiting.is_empty() {
                continue;
            }
            self.build_view(d, now);
            let sp = &mut self.speculation;
            let Some(policy) = sp.policy.as_mut() else { return };
            let slots = sp.nodes.iter().filter(|n| n.up).map(|n| n.cores).sum();
            let copies_running = (sp.copied.values().filter(|c| c.pair.is_some()).count()) as u32;
            let view =
                SpeculationView { now, tasks: &sp.tasks, groups: &sp.groups, nodes: &sp.nodes, copies_running, slots };
            let orders = policy.speculate(&view, &mut sp.rng);
            for order in orders {
                // The contract, checked against the beliefs as the earlier copies left them.
                let valid = self.speculation.refs.get(order.task).copied().filter(|&(job, _)| {
                    let t = &self.speculation.tasks[order.task];
                    let seq = self.tasks.jobs.slots[job as usize].task().seq;
                    let b =
                        (order.node < self.world.nodes.len()).then(|| self.placement.dispatchers[d].belief(order.node));
                    self.speculation.copies_of(job, seq) == 0
                        && order.node != t.node
                        && b.is_some_and(|b| b.up && b.free_cores >= t.cores && b.free_memory >= t.memory)
                });
                debug_assert!(valid.is_some(), "a speculation policy broke its contract: {order:?}");
                if let Some((job, original)) = valid {
                    self.launch_copy(d, job, original, order.node, now);
                }
            }
        }
    }

    /// Fills the view's tables for dispatcher `d` at `now`.
    fn build_view(&mut self, d: usize, now: SimTime) {
        let sp = &mut self.speculation;
        sp.tasks.clear();
        sp.refs.clear();
        sp.groups.clear();
        sp.nodes.clear();
        let mut entry_of: HashMap<u32, usize> = HashMap::new();
        // Per job of many tasks seen: its first group and each task's depth.
        let mut stages: HashMap<u32, (u32, Vec<u32>)> = HashMap::new();
        let disp = &self.placement.dispatchers[d];
        for node in 0..self.world.nodes.len() {
            let (n, spec) = (&self.world.nodes[node], &self.world.specs[node]);
            let speed = n.speed;
            let (mut done, mut ran) = sp.node_done[node];
            for &id in &n.running {
                let a = self.tasks.attempt::<F>(id);
                let p = progress(a, now, speed);
                done += p;
                ran += now - a.start;
                let j = &self.tasks.jobs.slots[a.job as usize];
                if !j.is(a.task.seq) || j.dispatcher() as usize != d {
                    continue;
                }
                let copied = sp.copied.get(&a.job).is_some_and(|c| c.seq == a.task.seq);
                // A task shows as its latest attempt (or its two, if copied), and not
                // while it waits to be resubmitted: an older attempt still running (its
                // node falsely suspected) is one the dispatcher has written off.
                let requeued = !self.faults.requeued.is_empty() && self.faults.requeued.contains(&a.job);
                if !copied && (a.number != j.attempts || self.tasks.awaits_retry::<F>(a.job) || requeued) {
                    continue;
                }
                let Some((inst, index)) = super::jobs::instance_of(j) else { continue };
                if let Some(&e) = entry_of.get(&a.job) {
                    // Its other attempt: the task is as far as the more advanced one.
                    sp.tasks[e].progress = sp.tasks[e].progress.max(p);
                    continue;
                }
                let Some((job_seq, dag, done)) = self.jobs.progress_of(inst) else { continue };
                // The stages of its job, the first time one of its tasks is seen.
                let groups = &mut sp.groups;
                let (base, depth) = stages.entry(inst).or_insert_with(|| {
                    let depth = depths(dag);
                    let base = groups.len() as u32;
                    let levels = depth.iter().max().map_or(0, |&m| m as usize + 1);
                    groups.resize(groups.len() + levels, TaskGroup { tasks: 0, completed: 0 });
                    for (t, &dt) in depth.iter().enumerate() {
                        let g = &mut groups[(base + dt) as usize];
                        g.tasks += 1;
                        g.completed += u32::from(done[t] != u32::MAX);
                    }
                    (base, depth)
                });
                let (base, depth) = (*base, depth[index as usize]);
                entry_of.insert(a.job, sp.tasks.len());
                sp.tasks.push(RunningTask {
                    job: job_seq,
                    index,
                    group: base + depth,
                    depth,
                    progress: p,
                    elapsed: now - a.start,
                    node,
                    cores: a.task.cores,
                    memory: a.task.memory,
                    copied,
                });
                sp.refs.push((a.job, id));
            }
            let b = disp.belief(node);
            sp.nodes.push(NodeState {
                up: b.up,
                free_cores: b.free_cores,
                free_memory: b.free_memory,
                cores: spec.cores,
                rate: if ran > 0.0 { done / ran } else { f64::NAN },
            });
        }
    }

    /// Dispatcher `d` copies the task of job slot `job`, running as attempt `original`,
    /// onto `node`.
    fn launch_copy(&mut self, d: usize, job: u32, original: u32, node: NodeId, now: SimTime) {
        let j = &self.tasks.jobs.slots[job as usize];
        let (seq, number) = (j.task().seq, j.attempts + 1);
        let o = self.tasks.attempt::<F>(original);
        // The dispatcher tracks the original (it is the task's latest attempt); were it
        // not, no news of its loss would come, and it must count as given up already.
        let tracked = self.faults.config.heartbeat.is_none()
            || self.placement.dispatchers[d].outstanding[o.node as usize].contains(&(job, seq, o.number));
        debug_assert!(tracked, "a copy of an attempt the dispatcher no longer tracks");
        let member = |attempt, number, given_up| Member { attempt, number, crashed: false, given_up };
        // On record before it is sent: a node down already loses it on arrival.
        let pair = Some([member(original, o.number, !tracked), member(u32::MAX, number, false)]);
        self.speculation.copied.insert(job, Copied { seq, pair });
        self.speculation.launched += 1;
        let copy = self.send(d, node, job, now);
        if let Some(m) = self.speculation.member(job, seq, number) {
            m.attempt = copy;
        }
    }

    /// Attempt `id` was lost with its node (crashed while holding it, down when it
    /// arrived, or its result lost with it).
    pub(super) fn lose_attempt(&mut self, id: u32) {
        if F::SPECULATION {
            let a = self.tasks.attempt::<F>(id);
            let (job, seq, number) = (a.job, a.task.seq, a.number);
            self.speculation.crashed(job, seq, number);
        }
        self.tasks.lose::<F>(id);
    }

    /// A result came back from `node`, of an attempt that ran `ran` seconds there: a
    /// whole task's progress in that time.
    #[inline]
    pub(super) fn note_result(&mut self, node: NodeId, ran: f64) {
        if F::SPECULATION {
            let (done, time) = &mut self.speculation.node_done[node];
            *done += 1.0;
            *time += ran;
        }
    }

    /// The task of job slot `job` leaves, completed by its attempt `winner` (`None`: it
    /// failed): if it was copied, its other attempt is killed and the copy's fate
    /// counted.
    pub(super) fn settle_copies(&mut self, job: u32, winner: Option<u32>, now: SimTime) {
        let seq = self.tasks.jobs.slots[job as usize].task().seq;
        let Some(c) = self.speculation.copied.remove(&job) else { return };
        debug_assert_eq!(c.seq, seq, "a departed task kept its copy's record");
        let Some(pair) = c.pair else { return };
        for (k, m) in pair.iter().enumerate() {
            let copy = k == 1;
            if Some(m.number) == winner {
                self.speculation.won += u64::from(copy);
                continue;
            }
            if copy {
                // Given up with its node but not lost, it runs on unseen: the pair is
                // then gone, so here it was beaten or lost.
                if m.crashed {
                    self.speculation.lost += 1;
                } else {
                    self.speculation.beaten += 1;
                }
            }
            if !m.crashed && m.attempt != u32::MAX {
                self.kill(m.attempt, now);
            }
        }
    }

    /// Kills attempt `id`, which lost the race: see the module's doc.
    fn kill(&mut self, id: u32, now: SimTime) {
        let a = self.tasks.attempt::<F>(id);
        let (node, d, cores) = (a.node as usize, a.dispatcher as usize, a.task.cores);
        if !a.finished.is_nan() {
            // Its result is on the way, and counts as a duplicate's when it arrives.
            self.speculation.wasted += (a.finished - a.start) * f64::from(cores);
            return;
        }
        // The dispatcher forgets it, as if its result had come back.
        let disp = &mut self.placement.dispatchers[d];
        let known = if self.faults.config.heartbeat.is_some() {
            let outstanding = &mut disp.outstanding[node];
            let key = (a.job, a.task.seq, a.number);
            let i = outstanding.iter().position(|&e| e == key);
            i.map(|i| outstanding.swap_remove(i)).is_some()
        } else {
            true
        };
        if known {
            let specs = &self.world.specs;
            let upkeep = disp.upkeep;
            disp.update(node, now, self.world.mode, specs, |b, schedule| {
                b.on_returned(&a.task, || &specs[node], upkeep);
                if let Some(s) = schedule {
                    s.returned(cores, a.expected_end, now);
                }
            });
        }
        let n = &mut self.world.nodes[node];
        let Some(i) = n.running.iter().position(|&r| r == id) else {
            // Queued at its node, or on its way there: dropped where it next shows up.
            self.tasks.attempt_mut::<F>(id).number = KILLED;
            return;
        };
        let work = (a.task.work_done + (now - a.run_start) * n.speed).min(a.task.size);
        // What it did tells how fast its node is.
        let (done, time) = &mut self.speculation.node_done[node];
        *done += progress(a, now, n.speed);
        *time += now - a.start;
        n.account(now);
        n.running.swap_remove(i);
        n.free_cores += cores;
        n.free_memory += a.task.memory;
        self.faults.wasted_work += work;
        self.speculation.wasted += (now - a.start) * f64::from(cores);
        self.tasks.attempt_mut::<F>(id).done_event = EventId::NONE;
        self.tasks.drop_attempt::<F>(id);
        self.placement.room_freed_early();
        self.start_ready(node, now);
    }
}
