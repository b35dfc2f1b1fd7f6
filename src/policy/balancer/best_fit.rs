//! `best_fit`: the node the task fills most tightly (central mode).

use crate::engine::SimRng;
use crate::model::{NodeId, Task};
use crate::policy::{Balancer, ClusterView};

/// Central mode only: places each task on the node with free room that it leaves
/// with the least room, measured as the fraction of the node's cores plus the
/// fraction of its memory left free after placement:
/// `(free_cores - task.cores) / cores + (free_memory - task.memory) / memory`
/// (the memory term is left out for nodes of unlimited or zero memory). Ties go to
/// the lowest node index.
///
/// Best fit from bin packing (Johnson et al., "Worst-case performance bounds for
/// simple one-dimensional packing algorithms", SIAM J. Computing 1974), extended to
/// cores and memory by summing the normalised leftovers, as cluster schedulers score
/// placements (Kubernetes' `MostAllocated` scoring strategy; Borg's "best fit", Verma
/// et al., "Large-scale cluster management at Google with Borg", EuroSys 2015).
/// Packing tightly keeps large holes free for large tasks.
///
/// It needs every node's free room at the moment of the decision and a
/// task-dependent score, so it looks at every node by definition: *O*(nodes) per
/// decision, no index. In dispatch mode there is no free room to fit (tasks queue at
/// nodes), so the registry rejects it there.
#[derive(Debug, Default)]
pub struct BestFit;

impl Balancer for BestFit {
    fn reads_reports(&self) -> bool {
        false
    }

    fn select(&mut self, task: &Task, view: &ClusterView<'_>, _rng: &mut SimRng) -> Option<NodeId> {
        let mut best = f64::INFINITY;
        let mut chosen = None;
        for n in (0..view.len()).filter(|&n| view.fits(n, task)) {
            let left = leftover(task, view, n);
            // Strictly less: a tie keeps the lower index.
            if left < best {
                best = left;
                chosen = Some(n);
            }
        }
        chosen
    }

    fn needs_updates(&self) -> bool {
        false
    }
}

/// The normalised room `node` would have left after taking `task`.
fn leftover(task: &Task, view: &ClusterView<'_>, node: NodeId) -> f64 {
    let s = &view.specs[node];
    let (free_cores, free_memory) = view.free(node);
    let cores = (f64::from(free_cores) - f64::from(task.cores)) / f64::from(s.cores);
    if s.memory.is_finite() && s.memory > 0.0 {
        cores + (free_memory - task.memory) / s.memory
    } else {
        cores
    }
}
