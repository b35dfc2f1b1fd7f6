//! `min_completion_time`: earliest estimated finish time.

use crate::engine::SimRng;
use crate::model::{NodeId, NodeSpec, Task};
use crate::policy::index::MinIndex;
use crate::policy::{Balancer, ClusterView};

/// Sends each task to the node where it would finish earliest by the dispatcher's
/// estimate: `max(now, start) + remaining_estimate / speed`, where `start` is when the
/// node could start it by the dispatcher's
/// [`CoreSchedule`](crate::policy::schedule::CoreSchedule) of its cores (the k-th
/// earliest core free time for a task of k cores, no earlier than the start of the
/// task sent there before it: a FIFO node). A core's free time advances by the
/// estimate of every task booked on it and is corrected by every result, so a running
/// task counts only for the work it has left. Nodes whose cores are free before `now`
/// all start the task now; among them the one free longest wins, and exact ties are
/// broken uniformly at random.
///
/// Minimum Completion Time (MCT) from the mapping heuristics for heterogeneous
/// computing (Braun et al., "A Comparison of Eleven Static Heuristics for Mapping a
/// Class of Independent Tasks onto Heterogeneous Distributed Computing Systems",
/// JPDC 2001), applied online, one task at a time, as in the immediate-mode mapping
/// of Maheswaran et al., "Dynamic mapping of a class of independent tasks onto
/// heterogeneous computing systems", JPDC 1999. On identical FIFO nodes with exact
/// sizes and no latency, one-core tasks start exactly when one central FCFS queue
/// over all the nodes' cores would start them (M/G/c over every core). With latency,
/// results correct the schedule late by their return latency; with estimate errors,
/// it is as wrong as the estimates until results correct it.
///
/// # Cost
/// The finish time depends on the task only through `remaining_estimate / speed`, the
/// same for nodes of equal speed. So nodes are grouped by speed, each group keeps a
/// [`MinIndex`] by the start of a one-core task (a value that holds as time passes),
/// and a decision compares the G group minima plus the task's run time in each group,
/// then selects inside the winning group(s): *O*(G + log n) per decision with G
/// distinct speeds (G is small in practice: node groups), *O*(log n) per update. A
/// task of several cores starts when several cores are free, which the index does not
/// hold: it takes a full scan, as does a chosen node that does not fit.
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

    /// The estimated finish time of `task` on node `n`.
    #[inline]
    fn finish(view: &ClusterView<'_>, task: &Task, n: NodeId) -> f64 {
        super::start_key(view, n, task.cores).max(view.now) + task.remaining_estimate() / view.specs[n].speed
    }
}

impl Balancer for MinCompletionTime {
    fn reads_reports(&self) -> bool {
        false
    }

    fn select(&mut self, task: &Task, view: &ClusterView<'_>, rng: &mut SimRng) -> Option<NodeId> {
        // The least finish time over groups, and the groups that reach it, weighted by
        // how many nodes tie in each so the choice is uniform over tied nodes.
        if task.cores > 1 && !view.schedules.is_empty() {
            return super::least_fitting(task, view, rng, |n| Self::finish(view, task, n));
        }
        let mut best = f64::INFINITY;
        let mut ties = 0u64;
        self.tied.clear();
        for (g, group) in self.groups.iter().enumerate() {
            let start = group.index.min();
            if start == f64::INFINITY {
                continue;
            }
            // Same expression as `finish`, so index and scan agree exactly.
            let f = start.max(view.now) + task.remaining_estimate() / group.speed;
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
        super::least_fitting(task, view, rng, |n| Self::finish(view, task, n))
    }

    fn on_update(&mut self, node: NodeId, view: &ClusterView<'_>) {
        let place = self.places[node];
        // A node believed down is out of the index, so it costs nothing to skip.
        let b = &view.beliefs[node];
        let start = if b.up { super::start_key(view, node, 1) } else { f64::INFINITY };
        self.groups[place.group as usize].index.set(place.local as usize, start);
    }

    fn needs_schedule(&self) -> bool {
        true
    }
}
