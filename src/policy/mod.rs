//! Policies: balancers decide *which node* a task goes to, disciplines decide *which
//! task* goes next. Both read a view of what the dispatcher knows and return a
//! decision; neither can touch the engine or the world.
//!
//! Adding a policy is one file under `balancer/` or `discipline/` and one line in
//! [`registry`]. See `examples/custom_balancer.rs` for a balancer written outside the
//! crate.

pub mod balancer;
pub mod discipline;
pub mod index;
pub mod registry;

use crate::engine::{SimRng, SimTime};
use crate::model::{Mode, NodeId, NodeSpec, Task};
use std::collections::BTreeMap;
use std::fmt;

/// What one dispatcher believes about one node, built only from what it sent and what
/// came back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeBelief {
    /// Tasks sent to the node whose completion the dispatcher has not yet seen.
    pub connections: u32,
    /// Cores the dispatcher believes free (its own placements minus seen completions).
    pub free_cores: u32,
    /// Memory the dispatcher believes free.
    pub free_memory: f64,
}

/// The read-only picture a policy decides on.
#[derive(Clone, Copy)]
pub struct ClusterView<'a> {
    /// The current virtual time.
    pub now: SimTime,
    /// The dispatcher's binding mode.
    pub mode: Mode,
    /// What each node is (index = [`NodeId`]).
    pub specs: &'a [NodeSpec],
    /// What the dispatcher believes about each node (same indexing).
    pub beliefs: &'a [NodeBelief],
}

impl ClusterView<'_> {
    /// Number of nodes.
    #[inline]
    pub fn len(&self) -> usize {
        self.specs.len()
    }

    /// Whether the cluster has no node (never true in a valid scenario).
    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }

    /// Whether `task` may be placed on `node` now: in dispatch mode, whether the node
    /// is big enough ever to run it (cores and memory); in central mode, whether it
    /// has the cores and memory free now.
    #[inline]
    pub fn fits(&self, node: NodeId, task: &Task) -> bool {
        match self.mode {
            Mode::Dispatch => {
                let s = &self.specs[node];
                s.cores >= task.cores && s.memory >= task.memory
            }
            Mode::Central => {
                let b = &self.beliefs[node];
                b.free_cores >= task.cores && b.free_memory >= task.memory
            }
        }
    }
}

/// A load-balancing policy: picks the node for each task.
///
/// # Contract
/// - [`select`](Self::select) returns a node for which [`ClusterView::fits`] holds, or
///   `None` if there is none. In central mode `None` makes the task wait for a
///   completion; in dispatch mode it means no node can ever run it, and the task fails.
/// - [`on_update`](Self::on_update) is called after every change of a node's
///   [`NodeBelief`], and once for every node before the first task, so a balancer can
///   keep an index (a heap, a segment tree) instead of scanning all nodes per task.
/// - It must be deterministic given its inputs and `rng`: draw randomness only from
///   `rng`, and break ties in a stated way.
pub trait Balancer: Send {
    /// Picks the node for `task`, or `None` if no node fits.
    fn select(&mut self, task: &Task, view: &ClusterView<'_>, rng: &mut SimRng) -> Option<NodeId>;

    /// Told that the dispatcher's belief about `node` changed.
    fn on_update(&mut self, _node: NodeId, _view: &ClusterView<'_>) {}
}

/// A queue discipline: the order in which waiting tasks are served.
///
/// A discipline is a rank: a queue serves the lowest rank first, and tasks of equal
/// rank in the order they entered the queue. In dispatch mode it orders each node's
/// local queue; in central mode the dispatcher's queue.
pub trait Discipline: Send + Sync {
    /// The task's rank: lower is served first. Must not be NaN.
    fn rank(&self, task: &Task) -> f64;

    /// True if every task has the same rank, so a plain FIFO queue serves it exactly
    /// (a fast path: no heap).
    fn is_fifo(&self) -> bool {
        false
    }
}

/// A policy as named in a scenario: `"least_connections"` or `{ name = "power_of_d", d = 2 }`.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicySpec {
    /// Registry name.
    pub name: String,
    /// Numeric parameters by name (sorted, so the label is canonical).
    pub params: BTreeMap<String, f64>,
}

impl PolicySpec {
    /// A spec with no parameters.
    pub fn named(name: &str) -> Self {
        PolicySpec { name: name.to_string(), params: BTreeMap::new() }
    }
}

/// The canonical label, used in CSV files and charts: `random`, `power_of_d(d=3)`.
impl fmt::Display for PolicySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if !self.params.is_empty() {
            let params: Vec<String> = self.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
            write!(f, "({})", params.join(","))?;
        }
        Ok(())
    }
}
