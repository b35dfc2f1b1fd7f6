//! `shortest_response_time`: lowest moving average of observed response times.

use crate::engine::SimRng;
use crate::model::{NodeId, Task};
use crate::policy::index::MinIndex;
use crate::policy::{Balancer, ClusterView};

/// Sends each task to the node with the lowest exponentially weighted moving average
/// (EWMA) of the response times the dispatcher has observed from it (sent to result
/// seen). Ties are broken uniformly at random.
///
/// On each new result of response time r the node's estimate becomes
/// `alpha * r + (1 - alpha) * s`; the first result sets it to r (the usual start of an
/// EWMA, as TCP's smoothed RTT in RFC 6298, so the first sample is not shrunk toward
/// 0). A node that has returned no result yet has estimate 0, so every node is tried
/// before any is preferred. `alpha` in (0, 1] is the smoothing factor: 1 keeps only
/// the last response.
///
/// The response-time family of HTTP balancers: NGINX Plus `least_time` (least average
/// response time, which it combines with connections) and the EWMA latency estimate
/// of Finagle's and Linkerd's peak-EWMA balancers (which also combine it with load
/// and two random choices); this policy is the pure form. Because the estimate only moves
/// when results come back, tasks sent in a burst all go to the node that looked
/// fastest: a known herding effect of pure response-time balancing, which this
/// simulator lets one measure.
///
/// Cost *O*(log n) per decision and per update, through a [`MinIndex`]; a full scan
/// if the least node does not fit.
#[derive(Debug)]
pub struct ShortestResponseTime {
    alpha: f64,
    /// Results already folded into `estimate`, per node.
    seen: Vec<u64>,
    estimate: Vec<f64>,
    index: MinIndex,
}

impl ShortestResponseTime {
    /// A balancer over `nodes` nodes with smoothing factor `alpha` (in (0, 1]; the
    /// registry checks it).
    pub fn new(nodes: usize, alpha: f64) -> Self {
        debug_assert!(alpha > 0.0 && alpha <= 1.0);
        ShortestResponseTime { alpha, seen: vec![0; nodes], estimate: vec![0.0; nodes], index: MinIndex::new(nodes) }
    }

    /// The current estimate of `node`'s response time (0 before its first result).
    pub fn estimate(&self, node: NodeId) -> f64 {
        self.estimate[node]
    }
}

impl Balancer for ShortestResponseTime {
    fn reads_reports(&self) -> bool {
        false
    }

    fn select(&mut self, task: &Task, view: &ClusterView<'_>, rng: &mut SimRng) -> Option<NodeId> {
        if let Some(n) = self.index.select(rng) {
            if view.fits(n, task) {
                return Some(n);
            }
        }
        super::least_fitting(task, view, rng, |n| self.estimate[n])
    }

    fn on_update(&mut self, node: NodeId, view: &ClusterView<'_>) {
        let b = &view.beliefs[node];
        // Only a new result moves the average; other changes (a send) do not.
        if b.results > self.seen[node] {
            let r = b.last_response;
            self.estimate[node] =
                if self.seen[node] == 0 { r } else { self.alpha * r + (1.0 - self.alpha) * self.estimate[node] };
            self.seen[node] = b.results;
        }
        // A node believed down is out of the index, so it costs nothing to skip.
        self.index.set(node, if b.up { self.estimate[node] } else { f64::INFINITY });
    }
}
