//! A balancer of your own, with the whole `schedsim` command line: a scenario file
//! names it like a built-in one, and every output (tables, paired comparisons, charts,
//! report) includes it.
//!
//! `fastest_idle` sends a task to the fastest node with room for it, and when none has
//! room, to the node with the fewest outstanding tasks per unit of capacity.
//!
//! ```sh
//! cargo run --release --example custom_balancer -- run examples/custom.toml
//! ```

use schedsim::prelude::*;

/// The fastest node holding fewer than `k` outstanding tasks per core, else the node
/// with the fewest per unit of capacity (speed x cores); ties go to the lowest index.
/// A full scan: O(nodes) per task, fine for a farm of this size.
struct FastestIdle {
    k: f64,
}

impl Balancer for FastestIdle {
    fn select(&mut self, task: &Task, view: &ClusterView<'_>, _rng: &mut SimRng) -> Option<NodeId> {
        let key = |n: NodeId| {
            let (tasks, spec) = (f64::from(view.beliefs[n].connections), &view.specs[n]);
            let cores = f64::from(spec.cores);
            // Nodes with room first, fastest first; then the least loaded.
            if tasks < self.k * cores {
                (0, -spec.speed)
            } else {
                (1, tasks / (spec.speed * cores))
            }
        };
        (0..view.len())
            .filter(|&n| view.fits(n, task))
            .map(|n| (key(n), n))
            .min_by(|(a, _), (b, _)| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)))
            .map(|(_, n)| n)
    }
}

fn main() -> ExitCode {
    main_with(policies())
}

/// The built-in policies and this program's own.
pub fn policies() -> Registry {
    let fastest_idle =
        PolicyInfo::new("fastest_idle", "the fastest node with room, else the least loaded per unit of capacity")
            .param("k", "outstanding tasks per core a node may hold and still have room, 1 to 64", 1.0);
    Registry::default().balancer(fastest_idle, |spec, _| Ok(FastestIdle { k: spec.whole("k", 1, 64)? as f64 }))
}
