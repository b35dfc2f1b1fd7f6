//! Jobs of many tasks (issue 13): the shape of a job ([`JobShape`]) and the DAG of
//! one ([`Dag`]).
//!
//! A *job* here is a set of tasks with precedence: a task becomes ready when all its
//! parents have finished, and each edge carries the bytes the parent's output sends to
//! the child. (Inside `sim`, a single task in the system is called a `Job` and each
//! send an `Attempt`; the job of many tasks is a `JobInstance` there.)
//!
//! Shapes:
//! - `fork-join`: `tasks` independent tasks (no edges); the job completes when all have
//!   (the fork-join queue of Flatto and Hahn 1984 and Nelson and Tantawi 1988: there is
//!   no fork or join task of its own);
//! - `map-reduce`: `maps` independent map tasks, then `reduces` reduce tasks, each
//!   depending on every map with `shuffle` bytes on each map -> reduce edge (no split
//!   task: the input is taken as already split);
//! - `dag`: a workflow read from a WfFormat file (`wfformat.rs`), its sizes given.
//!
//! The DAG of a shape is built once and shared ([`Arc`]) by every job of it, except a
//! fork-join whose number of tasks is drawn: its DAG (only a count) is built per job.

use super::Dist;
use crate::engine::SimRng;
use std::sync::Arc;

/// The DAG of a job: its tasks (indices 0..n) and the edges between them.
#[derive(Debug, Clone, PartialEq)]
pub struct Dag {
    /// Task names (from a workflow file; empty for generated shapes).
    pub names: Vec<String>,
    /// Task sizes in work units at speed 1, when the DAG gives them (a workflow file);
    /// `None`: each job's sizes are drawn from the workload's `size`.
    pub sizes: Option<Vec<f64>>,
    /// Per task, its parents and the bytes each sends it.
    pub parents: Vec<Vec<(u32, f64)>>,
    /// Per task, its children.
    pub children: Vec<Vec<u32>>,
    /// Tasks without parents, in index order: released when the job arrives.
    pub roots: Vec<u32>,
    /// Every task, parents before children.
    pub order: Vec<u32>,
    /// Runtimes per node group, when the DAG gives them (a workflow file's
    /// `runtimeByGroup`): on a node of a group it names, a task runs that long instead
    /// of its size over the node's speed.
    pub runtimes: Option<RuntimeTable>,
}

/// Per task, its runtime in seconds on the nodes of some node groups: the cost table of
/// "unrelated machines" that HEFT and its kin plan with, here one column per group.
/// A task without an entry for a group runs there as its size says (size / speed).
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeTable {
    groups: usize,
    /// Tasks x groups, row by row; NaN where not given.
    seconds: Vec<f64>,
}

impl RuntimeTable {
    /// A table of `tasks` tasks and `groups` groups with no entry.
    pub fn new(tasks: usize, groups: usize) -> Self {
        RuntimeTable { groups, seconds: vec![f64::NAN; tasks * groups] }
    }

    /// Sets task `task`'s runtime on group `group` to `seconds` (finite, >= 0).
    pub fn set(&mut self, task: usize, group: usize, seconds: f64) {
        debug_assert!(seconds >= 0.0 && seconds.is_finite());
        self.seconds[task * self.groups + group] = seconds;
    }

    /// Task `task`'s runtime on the nodes of group `group`, if the table gives it.
    #[inline]
    pub fn get(&self, task: usize, group: usize) -> Option<f64> {
        let s = *self.seconds.get(task * self.groups + group)?;
        (!s.is_nan()).then_some(s)
    }
}

impl Dag {
    /// `k` independent tasks.
    pub fn independent(k: u32) -> Dag {
        Dag::from_parents(vec![Vec::new(); k as usize], Vec::new(), None).expect("no edges, no cycle")
    }

    /// `maps` independent maps, then `reduces` reduces, each reduce a child of every
    /// map with `shuffle` bytes on each edge. Maps are tasks 0..maps.
    pub fn map_reduce(maps: u32, reduces: u32, shuffle: f64) -> Dag {
        let mut parents = vec![Vec::new(); maps as usize];
        let all: Vec<(u32, f64)> = (0..maps).map(|m| (m, shuffle)).collect();
        parents.extend((0..reduces).map(|_| all.clone()));
        Dag::from_parents(parents, Vec::new(), None).expect("maps before reduces, no cycle")
    }

    /// The DAG with `parents` (per task, its parents and the bytes on each edge),
    /// `names` and `sizes`; `Err(task)` names a task on a cycle.
    pub fn from_parents(
        parents: Vec<Vec<(u32, f64)>>,
        names: Vec<String>,
        sizes: Option<Vec<f64>>,
    ) -> Result<Dag, usize> {
        let n = parents.len();
        let mut children = vec![Vec::new(); n];
        for (child, ps) in parents.iter().enumerate() {
            for &(p, _) in ps {
                children[p as usize].push(child as u32);
            }
        }
        // Kahn's algorithm: what it cannot order lies on (or after) a cycle.
        let mut waiting: Vec<usize> = parents.iter().map(Vec::len).collect();
        let roots: Vec<u32> = (0..n as u32).filter(|&t| waiting[t as usize] == 0).collect();
        let mut order = roots.clone();
        let mut next = 0;
        while next < order.len() {
            let t = order[next] as usize;
            next += 1;
            for &c in &children[t] {
                waiting[c as usize] -= 1;
                if waiting[c as usize] == 0 {
                    order.push(c);
                }
            }
        }
        if order.len() < n {
            return Err(waiting.iter().position(|&w| w > 0).unwrap_or(0));
        }
        Ok(Dag { names, sizes, parents, children, roots, order, runtimes: None })
    }

    /// Number of tasks.
    pub fn len(&self) -> usize {
        self.parents.len()
    }

    /// Whether it has no task.
    pub fn is_empty(&self) -> bool {
        self.parents.is_empty()
    }

    /// The critical path: the largest sum of `sizes` along a path from a root to a
    /// leaf (edges cost nothing). O(tasks + edges).
    pub fn critical_path(&self, sizes: &[f64]) -> f64 {
        let mut finish = vec![0.0f64; self.len()];
        let mut longest = 0.0f64;
        for &t in &self.order {
            let t = t as usize;
            let start = self.parents[t].iter().map(|&(p, _)| finish[p as usize]).fold(0.0, f64::max);
            finish[t] = start + sizes[t];
            longest = longest.max(finish[t]);
        }
        longest
    }

    /// Bytes on all edges.
    pub fn edge_bytes(&self) -> f64 {
        self.parents.iter().flatten().map(|&(_, b)| b).sum()
    }
}

/// `[workload] job`: the shape of every arriving job.
#[derive(Debug, Clone)]
pub enum JobShape {
    /// `tasks` independent tasks (a draw rounded up, at least 1); `fixed` is the DAG
    /// when the count is a constant.
    ForkJoin {
        /// The number of tasks.
        tasks: Dist,
        /// The shared DAG when `tasks` is constant.
        fixed: Option<Arc<Dag>>,
    },
    /// Maps, then reduces that depend on every map.
    MapReduce {
        /// The shared DAG ([`Dag::map_reduce`]).
        dag: Arc<Dag>,
    },
    /// A workflow read from a file, sizes given.
    Workflow {
        /// The path as written (relative to the scenario's folder).
        path: String,
        /// Its DAG.
        dag: Arc<Dag>,
    },
}

impl JobShape {
    /// A fork-join shape of `tasks` tasks.
    pub fn fork_join(tasks: Dist) -> JobShape {
        let fixed = tasks.as_constant().map(|k| Arc::new(Dag::independent(count_of(k))));
        JobShape::ForkJoin { tasks, fixed }
    }

    /// The DAG of the next job, drawing what the shape leaves to chance from `rng`.
    #[inline]
    pub fn instance(&self, rng: &mut SimRng) -> Arc<Dag> {
        match self {
            JobShape::ForkJoin { fixed: Some(dag), .. } => dag.clone(),
            JobShape::ForkJoin { tasks, fixed: None } => Arc::new(Dag::independent(count_of(tasks.sample(rng)))),
            JobShape::MapReduce { dag } | JobShape::Workflow { dag, .. } => dag.clone(),
        }
    }

    /// The mean number of tasks of a job. For a drawn fork-join count, E[max(1,
    /// ceil(X))] is estimated from 100,000 draws of a fixed stream (as
    /// [`TaskClass::mean_cores`](super::TaskClass::mean_cores) does).
    pub fn mean_tasks(&self) -> f64 {
        match self {
            JobShape::ForkJoin { fixed: Some(dag), .. } => dag.len() as f64,
            JobShape::ForkJoin { tasks, fixed: None } => {
                let mut rng = SimRng::new(0x5eed);
                let n = 100_000;
                (0..n).map(|_| count_of(tasks.sample(&mut rng)) as f64).sum::<f64>() / n as f64
            }
            JobShape::MapReduce { dag } | JobShape::Workflow { dag, .. } => dag.len() as f64,
        }
    }

    /// The mean work of a job's tasks when the shape gives sizes (a workflow), else
    /// `None` (sizes come from the workload's `size`).
    pub fn given_work(&self) -> Option<f64> {
        match self {
            JobShape::Workflow { dag, .. } => dag.sizes.as_ref().map(|s| s.iter().sum()),
            _ => None,
        }
    }

    /// The name written in scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            JobShape::ForkJoin { .. } => "fork-join",
            JobShape::MapReduce { .. } => "map-reduce",
            JobShape::Workflow { .. } => "dag",
        }
    }
}

/// A drawn number of tasks: rounded up, at least 1, at most a million (a job's
/// counters are `u32`, and a larger job is a mistake in the scenario rather than a
/// workload).
#[inline]
pub fn count_of(drawn: f64) -> u32 {
    drawn.ceil().clamp(1.0, MAX_TASKS as f64) as u32
}

/// The most tasks a job may have.
pub const MAX_TASKS: u32 = 1_000_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_reduce_has_every_map_as_parent_of_every_reduce() {
        let d = Dag::map_reduce(3, 2, 10.0);
        assert_eq!(d.len(), 5);
        assert_eq!(d.roots, vec![0, 1, 2]);
        assert_eq!(d.parents[3], vec![(0, 10.0), (1, 10.0), (2, 10.0)]);
        assert_eq!(d.children[1], vec![3, 4]);
        assert_eq!(d.edge_bytes(), 60.0);
        assert_eq!(d.critical_path(&[1.0, 5.0, 2.0, 1.0, 3.0]), 8.0);
    }

    #[test]
    fn a_cycle_is_refused() {
        // 0 -> 1 -> 2 -> 1
        let parents = vec![vec![], vec![(0, 0.0), (2, 0.0)], vec![(1, 0.0)]];
        assert_eq!(Dag::from_parents(parents, Vec::new(), None), Err(1));
    }

    #[test]
    fn a_drawn_fork_join_count_is_at_least_one() {
        let shape = JobShape::fork_join(Dist::constant(0.2));
        assert_eq!(shape.mean_tasks(), 1.0);
        assert_eq!(shape.instance(&mut SimRng::new(1)).len(), 1);
    }
}
