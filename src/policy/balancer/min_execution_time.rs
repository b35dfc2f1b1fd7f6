//! `min_execution_time`: the node that runs the task fastest.

use crate::engine::SimRng;
use crate::model::{NodeId, NodeSpec, Task};
use crate::policy::{Balancer, ClusterView};

/// Sends each task to a node that would run it fastest, ignoring load: the fastest
/// nodes (highest `speed`; a task of size x runs in x / speed on any node), chosen
/// uniformly at random among them. If none of the fastest fits, the fastest fitting
/// nodes, again at random.
///
/// Minimum Execution Time (MET) from the mapping heuristics for heterogeneous
/// computing (Braun et al., "A Comparison of Eleven Static Heuristics for Mapping a
/// Class of Independent Tasks onto Heterogeneous Distributed Computing Systems",
/// JPDC 2001). With the expected-time-to-compute matrix here being size / speed, the fastest node is the same for every
/// task. MET overloads the fastest nodes by design; it is the reference point that
/// `min_completion_time` improves on.
///
/// Cost *O*(1) per decision: the fastest set is found once at build time, and a
/// drawn node that does not fit is redrawn; after 8 misses a full scan (*O*(nodes)).
#[derive(Debug)]
pub struct MinExecutionTime {
    fastest: Vec<u32>,
}

impl MinExecutionTime {
    /// A balancer over `nodes`.
    pub fn new(nodes: &[NodeSpec]) -> Self {
        let top = nodes.iter().map(|s| s.speed).fold(f64::NEG_INFINITY, f64::max);
        MinExecutionTime { fastest: (0..nodes.len() as u32).filter(|&n| nodes[n as usize].speed == top).collect() }
    }
}

impl Balancer for MinExecutionTime {
    fn reads_reports(&self) -> bool {
        false
    }

    fn reads_load(&self) -> bool {
        false
    }

    fn select(&mut self, task: &Task, view: &ClusterView<'_>, rng: &mut SimRng) -> Option<NodeId> {
        for _ in 0..8 {
            let n = self.fastest[rng.below(self.fastest.len())] as NodeId;
            if view.fits(n, task) {
                return Some(n);
            }
        }
        // The least -speed among fitting nodes: the fastest of the fastest set if one
        // of them fits, else the fastest that does.
        super::least_fitting(task, view, rng, |n| -view.specs[n].speed)
    }

    fn needs_updates(&self) -> bool {
        false
    }
}
