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

/// What one dispatcher believes about one node, built only from what it sent, the
/// results that came back, and the state reports the node sent with them.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeBelief {
    /// Whether the dispatcher believes the node up: false from the moment its failure
    /// detector declares it dead until its next heartbeat. Balancers must not choose a
    /// node believed down ([`ClusterView::fits`] is false for it).
    pub up: bool,
    /// Tasks sent to the node whose completion the dispatcher has not yet seen.
    pub connections: u32,
    /// Cores the dispatcher believes free (its own placements minus seen completions).
    pub free_cores: u32,
    /// Memory the dispatcher believes free.
    pub free_memory: f64,
    /// Tasks sent to the node so far.
    pub sent: u64,
    /// Tasks at the node (waiting + running) in its last state report.
    pub reported_queue: u32,
    /// Tasks this dispatcher sent to the node since that report (which the report
    /// cannot include). `reported_queue + sent_since_report` is its best estimate of
    /// the node's queue.
    pub sent_since_report: u32,
    /// Estimated work (sum of size estimates) of the tasks counted in `connections`.
    pub work_left: f64,
    /// Results seen from the node so far.
    pub results: u64,
    /// Response time (sent to result seen) of the last result from the node.
    pub last_response: f64,
}

impl Default for NodeBelief {
    fn default() -> Self {
        NodeBelief {
            up: true,
            connections: 0,
            free_cores: 0,
            free_memory: 0.0,
            sent: 0,
            reported_queue: 0,
            sent_since_report: 0,
            work_left: 0.0,
            results: 0,
            last_response: 0.0,
        }
    }
}

impl NodeBelief {
    /// The dispatcher's best estimate of the tasks at the node: last report plus what
    /// it sent since.
    #[inline]
    pub fn queue_estimate(&self) -> u32 {
        self.reported_queue + self.sent_since_report
    }
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

    /// Whether `task` may be placed on `node` now: the node is believed up, and, in
    /// dispatch mode, big enough ever to run it (cores and memory); in central mode, it
    /// has the cores and memory free now.
    #[inline]
    pub fn fits(&self, node: NodeId, task: &Task) -> bool {
        if !self.beliefs[node].up {
            return false;
        }
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

    /// True if a waiting task may stop a running one of worse rank (which resumes
    /// later where it stopped). Dispatch mode only.
    fn preemptive(&self) -> bool {
        false
    }

    /// `Some(depth)` for EASY backfilling (central mode): when the head of the queue
    /// cannot start, up to `depth` tasks behind it may start if they do not delay its
    /// reservation.
    fn backfill_depth(&self) -> Option<usize> {
        None
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
