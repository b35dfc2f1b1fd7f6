//! Whole-DAG planning (issue 13): what the planners `heft`, `cpop`, `min_min` and
//! `max_min` share. A planner takes a job of many tasks and the processors it may use,
//! described by [`Costs`], and lays every task on a processor and in time, on a
//! [`Board`] of what is already booked; the result is a list of [`Slot`]s.
//!
//! - [`Costs`]: the job and the processors as a planner sees them: each task's
//!   estimated time on each processor, the data on each edge and what it costs to move,
//!   and when a task's inputs are there ([`Inputs`]).
//! - [`Schedule`]: the plan under construction: data-ready times, the earliest fit of a
//!   task on a processor, the processor of earliest finish.
//! - [`upward_ranks`] and [`downward_ranks`]: the priorities of Topcuoglu et al.
//! - [`Board`]: one [`Timeline`] per processor, kept from job to job by the planning
//!   balancer ([`Planner`]), so a job is planned around the plans of the jobs before it.
//! - [`Table`]: costs given as numbers (the papers' examples, tests).
//!
//! Every planner here is deterministic: ties are broken by index, as each planner's
//! documentation states.

mod planner;
mod table;
mod timeline;

pub use planner::{Algorithm, Believed, Planner};
pub use table::Table;
pub use timeline::Timeline;

/// The processor of a task no processor can run (every cost infinite).
pub const NOWHERE: usize = usize::MAX;

/// How a task's inputs reach its processor, in the plan's estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inputs {
    /// Each parent's output leaves when the parent finishes (Topcuoglu et al., eq. 3):
    /// a task is ready on `p` at `max over parents m of AFT(m) + c(m, p)`, where `c` is
    /// 0 from `p` itself.
    OnFinish,
    /// The simulator's (`sim/jobs.rs`): a task is released when its last parent's
    /// result has reached the dispatcher (each result [`Costs::result_delay`] after its
    /// parent finished), then sent to `p` ([`Costs::send_delay`]) while its inputs from
    /// other processors are fetched, all at once: ready at `max over m of (AFT(m) +
    /// result_delay(m)) + max(send_delay, max over m not on p of c(m, p))`.
    OnRelease,
}

/// A job of many tasks and the processors it may run on, as a planner sees them. Tasks
/// are `0..tasks()`, processors `0..processors()`.
pub trait Costs {
    /// The number of tasks.
    fn tasks(&self) -> usize;
    /// The number of processors.
    fn processors(&self) -> usize;
    /// Task `task`'s parents, each with the data on the edge (bytes, or a cost: it is
    /// only handed back to [`comm`](Self::comm) and [`mean_comm`](Self::mean_comm)).
    /// The graph must have no cycle.
    fn parents(&self, task: usize) -> &[(u32, f64)];
    /// The estimated time of `task` on processor `p`, in seconds; infinite where it
    /// cannot run.
    fn cost(&self, task: usize, p: usize) -> f64;
    /// The time `data` takes from processor `from` ([`NOWHERE`] for a parent planned
    /// nowhere) to another processor `to`, in seconds.
    fn comm(&self, data: f64, from: usize, to: usize) -> f64;
    /// The mean of [`comm`](Self::comm) over pairs of distinct processors: the edge
    /// weight `c̄` of the ranks.
    fn mean_comm(&self, data: f64) -> f64;
    /// Slots (cores) `task` takes on a processor; 1 by default.
    fn width(&self, _task: usize) -> u32 {
        1
    }
    /// How inputs travel; [`Inputs::OnFinish`] (the paper's) by default.
    fn inputs(&self) -> Inputs {
        Inputs::OnFinish
    }
    /// [`Inputs::OnRelease`]: how long `task`'s result takes from `p` to the dispatcher.
    fn result_delay(&self, _task: usize, _p: usize) -> f64 {
        0.0
    }
    /// [`Inputs::OnRelease`]: how long `task`'s own message takes to reach `p`.
    fn send_delay(&self, _task: usize, _p: usize) -> f64 {
        0.0
    }
}

/// One task's place in a plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slot {
    /// The task.
    pub task: usize,
    /// The processor it runs on ([`NOWHERE`] if none can run it).
    pub processor: usize,
    /// When it starts.
    pub start: f64,
    /// When it finishes.
    pub finish: f64,
}

/// A plan's makespan: the latest finish of `slots`, minus `from` (0 for none).
pub fn makespan(slots: &[Slot], from: f64) -> f64 {
    slots.iter().map(|s| s.finish - from).fold(0.0, f64::max)
}

/// What is booked on every processor: one [`Timeline`] each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Board {
    lines: Vec<Timeline>,
}

impl Board {
    /// Idle processors of the given capacities (slots, or cores).
    pub fn idle(capacities: impl IntoIterator<Item = u32>) -> Self {
        Board { lines: capacities.into_iter().map(Timeline::idle).collect() }
    }

    /// The number of processors.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether it has no processor.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Processor `p`'s timeline.
    pub fn line(&self, p: usize) -> &Timeline {
        &self.lines[p]
    }

    /// Forgets every booking before `now`.
    pub fn prune(&mut self, now: f64) {
        self.lines.iter_mut().for_each(|l| l.prune(now));
    }
}

/// A plan under construction: the tasks placed so far, on a [`Board`], from `now` on.
pub struct Schedule<'a> {
    costs: &'a dyn Costs,
    board: &'a mut Board,
    now: f64,
    placed: Vec<Option<Slot>>,
    order: Vec<Slot>,
}

impl<'a> Schedule<'a> {
    /// An empty plan of the tasks of `costs` on `board` (one timeline per processor of
    /// `costs`), no task starting before `now`.
    ///
    /// # Panics
    /// If the board and `costs` disagree on the number of processors.
    pub fn new(costs: &'a dyn Costs, board: &'a mut Board, now: f64) -> Self {
        assert_eq!(board.len(), costs.processors(), "one timeline per processor");
        Schedule { costs, board, now, placed: vec![None; costs.tasks()], order: Vec::with_capacity(costs.tasks()) }
    }

    /// The costs it plans with.
    pub fn costs(&self) -> &'a dyn Costs {
        self.costs
    }

    /// Task `task`'s slot, if it is placed.
    pub fn slot(&self, task: usize) -> Option<Slot> {
        self.placed[task]
    }

    /// When `task`'s inputs are all at processor `p`, by [`Costs::inputs`]; its
    /// parents must be placed. A parent planned nowhere counts as finished where it
    /// was to start, its output costing nothing.
    pub fn ready(&self, task: usize, p: usize) -> f64 {
        let c = self.costs;
        let parents = c.parents(task);
        let slot = |m: u32| self.placed[m as usize].expect("parents are placed first");
        let move_cost = |s: Slot, data: f64| match s.processor {
            q if q == p || q == NOWHERE => 0.0,
            q => c.comm(data, q, p),
        };
        match c.inputs() {
            Inputs::OnFinish => {
                parents.iter().map(|&(m, data)| slot(m).finish + move_cost(slot(m), data)).fold(self.now, f64::max)
            }
            Inputs::OnRelease => {
                let back = |s: Slot| if s.processor == NOWHERE { 0.0 } else { c.result_delay(s.task, s.processor) };
                let release = parents.iter().map(|&(m, _)| slot(m).finish + back(slot(m))).fold(self.now, f64::max);
                let fetch = parents.iter().map(|&(m, data)| move_cost(slot(m), data)).fold(0.0, f64::max);
                release + c.send_delay(task, p).max(fetch)
            }
        }
    }

    /// Task `task`'s earliest slot on processor `p` (see [`Timeline::earliest`]), or
    /// `None` if it cannot run there.
    pub fn fit(&self, task: usize, p: usize, insertion: bool) -> Option<Slot> {
        let len = self.costs.cost(task, p);
        if !len.is_finite() {
            return None;
        }
        let start = self.board.lines[p].earliest(self.ready(task, p), len, self.costs.width(task), insertion);
        Some(Slot { task, processor: p, start, finish: start + len })
    }

    /// Task `task`'s slot of earliest finish over the processors; ties go to the lower
    /// index, but `last` (if given) loses every tie. A task no processor can run is
    /// planned [`NOWHERE`], taking no time from when its parents finish.
    pub fn earliest_finish(&self, task: usize, insertion: bool, last: Option<usize>) -> Slot {
        let mut best: Option<Slot> = None;
        for p in 0..self.costs.processors() {
            let Some(s) = self.fit(task, p, insertion) else { continue };
            let better = match best {
                None => true,
                Some(b) => s.finish < b.finish || (s.finish == b.finish && Some(b.processor) == last),
            };
            if better {
                best = Some(s);
            }
        }
        best.unwrap_or_else(|| self.nowhere(task))
    }

    /// Task `task` planned nowhere: no processor can run it.
    pub fn nowhere(&self, task: usize) -> Slot {
        let parents = self.costs.parents(task);
        let at = parents
            .iter()
            .map(|&(m, _)| self.placed[m as usize].map_or(self.now, |s| s.finish))
            .fold(self.now, f64::max);
        Slot { task, processor: NOWHERE, start: at, finish: at }
    }

    /// Places `slot` (its task must not be placed yet), booking its processor.
    pub fn place(&mut self, slot: Slot) {
        debug_assert!(self.placed[slot.task].is_none(), "task {} placed twice", slot.task);
        if slot.processor != NOWHERE {
            self.board.lines[slot.processor].book(slot.start, slot.finish, self.costs.width(slot.task));
        }
        self.placed[slot.task] = Some(slot);
        self.order.push(slot);
    }

    /// The plan: every slot, in the order placed.
    pub fn finish(self) -> Vec<Slot> {
        self.order
    }
}

/// Per task, its children and the data on each edge (from [`Costs::parents`]).
pub fn children(costs: &dyn Costs) -> Vec<Vec<(usize, f64)>> {
    let mut children = vec![Vec::new(); costs.tasks()];
    for c in 0..costs.tasks() {
        for &(p, data) in costs.parents(c) {
            children[p as usize].push((c, data));
        }
    }
    children
}

/// The tasks, parents before children, each as soon as its parents are (Kahn's
/// algorithm, lower index first among the ready).
///
/// # Panics
/// If the graph has a cycle.
pub fn topological(costs: &dyn Costs) -> Vec<usize> {
    let children = children(costs);
    let mut waiting: Vec<usize> = (0..costs.tasks()).map(|t| costs.parents(t).len()).collect();
    let mut ready: std::collections::BTreeSet<usize> = (0..costs.tasks()).filter(|&t| waiting[t] == 0).collect();
    let mut order = Vec::with_capacity(costs.tasks());
    while let Some(t) = ready.pop_first() {
        order.push(t);
        for &(c, _) in &children[t] {
            waiting[c] -= 1;
            if waiting[c] == 0 {
                ready.insert(c);
            }
        }
    }
    assert_eq!(order.len(), costs.tasks(), "the graph has a cycle");
    order
}

/// Each task's mean cost over the processors that can run it (`w̄` of Topcuoglu et
/// al.; 0 if none can).
pub fn mean_costs(costs: &dyn Costs) -> Vec<f64> {
    (0..costs.tasks())
        .map(|t| {
            let (sum, n) = (0..costs.processors())
                .map(|p| costs.cost(t, p))
                .filter(|c| c.is_finite())
                .fold((0.0, 0usize), |(s, n), c| (s + c, n + 1));
            if n == 0 {
                0.0
            } else {
                sum / n as f64
            }
        })
        .collect()
}

/// Upward ranks (Topcuoglu et al., eq. 5): `rank_u(i) = w̄_i + max over children j of
/// (c̄_ij + rank_u(j))`, the length of the longest path from `i` to an exit, by mean
/// costs.
pub fn upward_ranks(costs: &dyn Costs) -> Vec<f64> {
    let (w, children) = (mean_costs(costs), children(costs));
    let mut rank = vec![0.0; costs.tasks()];
    for &i in topological(costs).iter().rev() {
        let tail = children[i].iter().map(|&(j, data)| costs.mean_comm(data) + rank[j]).fold(0.0, f64::max);
        rank[i] = w[i] + tail;
    }
    rank
}

/// Downward ranks (Topcuoglu et al., eq. 6): `rank_d(i) = max over parents j of
/// (rank_d(j) + w̄_j + c̄_ji)`, 0 for an entry task: the longest path from an entry to
/// `i`, `i` left out.
pub fn downward_ranks(costs: &dyn Costs) -> Vec<f64> {
    let w = mean_costs(costs);
    let mut rank = vec![0.0; costs.tasks()];
    for i in topological(costs) {
        rank[i] = costs
            .parents(i)
            .iter()
            .map(|&(j, data)| rank[j as usize] + w[j as usize] + costs.mean_comm(data))
            .fold(0.0, f64::max);
    }
    rank
}

/// A rank as a key for comparison: equal to 1e-6 counts as equal (sums of means in
/// another order differ in their last bits: the paper's n3 and n4, both 80).
pub fn rank_key(rank: f64) -> f64 {
    (rank * 1e6).round()
}

#[cfg(test)]
pub(crate) mod example;
