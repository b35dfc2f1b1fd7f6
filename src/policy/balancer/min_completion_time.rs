//! `min_completion_time`: earliest estimated finish time.

use crate::engine::SimRng;
use crate::model::{NodeId, NodeSpec, Task};
use crate::policy::index::MinIndex;
use crate::policy::{Balancer, ClusterView};

/// Sends each task to the node where it would finish earliest by the dispatcher's
/// estimate: `now + work_left / (speed x cores) + remaining_estimate / speed`, the time the
/// node's outstanding work would take to clear (as in `least_work_left`) plus the
/// task's own run time there from its size estimate. Ties are broken uniformly at
/// random among all tied nodes.
///
/// Minimum Completion Time (MCT) from the mapping heuristics for heterogeneous
/// computing (Braun et al., "A Comparison of Eleven Static Heuristics for Mapping a
/// Class of Independent Tasks onto Heterogeneous Distributed Computing Systems",
/// JPDC 2001), applied online, one task at a time, as in the immediate-mode mapping
/// of Maheswaran et al., "Dynamic mapping of a class of independent tasks onto
/// heterogeneous computing systems", JPDC 1999. `now` is the same for every node, so it is left out of the comparison.
///
/// # Cost
/// The key depends on the task only through `remaining_estimate / speed`, the same for nodes
/// of equal speed. So nodes are grouped by speed, each group keeps a [`MinIndex`] by
/// drain time `work_left / (speed x cores)`, and a decision compares the G group
/// minima plus the task's run time in each group, then selects inside the winning
/// group(s): *O*(G + log n) per decision with G distinct speeds (G is small in
/// practice: node groups), *O*(log n) per update. If the chosen node does not fit,
/// a full scan takes the fitting node of least finish time.
#[derive(Debug)]
pub struct MinCompletionTime {
    /// Each node's speed group and its place in it.
    places: Vec<Place>,
    groups: Vec<SpeedGroup>,
    /// Scratch for tie-breaking across groups (avoids an allocation per decision).
    tied: Vec<usize>,
}

/// Where a node sits in [`MinCompletionTime`]'s groups.
#[derive(Debug, Clone, Copy)]
struct Place {
    group: u32,
    local: u32,
}

#[derive(Debug)]
struct SpeedGroup {
    speed: f64,
    members: Vec<u32>,
    index: MinIndex,
}

impl MinCompletionTime {
    /// A balancer over `nodes`.
    pub fn new(nodes: &[NodeSpec]) -> Self {
        let super::Classes { of: group_of, members, values: speeds } = super::classes(nodes.iter().map(|s| s.speed));
        let groups = speeds
            .into_iter()
            .zip(members)
            .map(|(speed, members)| SpeedGroup { speed, index: MinIndex::new(members.len()), members })
            .collect();
        let places = group_of.into_iter().map(|(group, local)| Place { group, local }).collect();
        MinCompletionTime { places, groups, tied: Vec::new() }
    }

    /// The estimated finish time of `task` on node `n`, less `now`.
    #[inline]
    fn finish(&self, view: &ClusterView<'_>, task: &Task, n: NodeId) -> f64 {
        super::drain_time(view, n) + task.remaining_estimate() / view.specs[n].speed
    }
}

impl Balancer for MinCompletionTime {
    fn select(&mut self, task: &Task, view: &ClusterView<'_>, rng: &mut SimRng) -> Option<NodeId> {
        // The least finish time over groups, and the groups that reach it, weighted by
        // how many nodes tie in each so the choice is uniform over tied nodes.
        let mut best = f64::INFINITY;
        let mut ties = 0u64;
        self.tied.clear();
        for (g, group) in self.groups.iter().enumerate() {
            let drain = group.index.min();
            if drain == f64::INFINITY {
                continue;
            }
            // Same expression as `finish`, so index and scan agree exactly.
            let f = drain + task.remaining_estimate() / group.speed;
            if f < best {
                best = f;
                ties = 0;
                self.tied.clear();
            }
            if f == best {
                ties += u64::from(group.index.min_count());
                self.tied.push(g);
            }
        }
        if ties > 0 {
            let mut k = if ties > 1 { rng.below(ties as usize) as u64 } else { 0 };
            for &g in &self.tied {
                let group = &self.groups[g];
                let c = u64::from(group.index.min_count());
                if k < c {
                    let local = group.index.select(rng).expect("a group with ties has a node");
                    let n = group.members[local] as NodeId;
                    if view.fits(n, task) {
                        return Some(n);
                    }
                    break;
                }
                k -= c;
            }
        }
        super::least_fitting(task, view, rng, |n| self.finish(view, task, n))
    }

    fn on_update(&mut self, node: NodeId, view: &ClusterView<'_>) {
        let place = self.places[node];
        // A node believed down is out of the index, so it costs nothing to skip.
        let b = &view.beliefs[node];
        let drain = if b.up { super::drain_time(view, node) } else { f64::INFINITY };
        self.groups[place.group as usize].index.set(place.local as usize, drain);
    }
}
