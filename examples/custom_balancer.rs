//! A balancer of your own, compared with the built-in ones on the same tasks.
//!
//! `FastestIdle` sends a task to the fastest node with nothing outstanding, and when
//! every node is busy, to the node with the fewest outstanding tasks per unit of
//! speed. It implements [`Balancer`]: it reads the dispatcher's view and returns a
//! node; it never touches the simulation.
//!
//! ```sh
//! cargo run --release --example custom_balancer
//! ```

use schedsim::engine::SimRng;
use schedsim::model::{NodeId, Task};
use schedsim::policy::registry::BuildContext;
use schedsim::policy::{Balancer, ClusterView, PolicySpec};
use schedsim::scenario;
use schedsim::sim::Simulation;
use std::path::Path;

/// The fastest idle node, else the least connections per unit of speed; ties go to the
/// lowest index. A full scan: O(nodes) per task, fine for a farm of this size.
struct FastestIdle;

impl Balancer for FastestIdle {
    fn select(&mut self, task: &Task, view: &ClusterView<'_>, _rng: &mut SimRng) -> Option<NodeId> {
        let key = |n: NodeId| {
            let b = &view.beliefs[n];
            let speed = view.specs[n].speed;
            // Idle nodes first (by speed), then by load per unit of speed.
            if b.connections == 0 {
                (0, -speed)
            } else {
                (1, b.connections as f64 / speed)
            }
        };
        (0..view.len()).filter(|&n| view.fits(n, task)).min_by(|&a, &b| key(a).partial_cmp(&key(b)).unwrap())
    }
}

/// A heterogeneous farm: 4 fast and 12 slow nodes, heavy-tailed sizes, load 0.5.
const FARM: &str = r#"
name = "custom"
seed = 7
replications = 3
[run]
tasks = 50_000
warmup = 0.1
[[nodes]]
name = "fast"
count = 4
speed = 2.0
cores = 4
[[nodes]]
name = "slow"
count = 12
cores = 2
[workload]
arrival = { process = "poisson", rate = 28.0 }
size = { dist = "lognormal", mean = 1.0, cv = 2.0 }
[policies]
balancers = ["random", "least_connections"]
"#;

/// Runs every replication of the farm with the built-in balancers and with
/// `FastestIdle`, and returns (label, mean response over replications).
pub fn compare() -> Vec<(String, f64)> {
    let s = scenario::parse(FARM, Path::new("custom.toml")).expect("a valid scenario");
    let fifo = &s.disciplines[0];
    let mean = |run: &dyn Fn(u32) -> f64| (0..s.replications).map(run).sum::<f64>() / s.replications as f64;
    let mut rows: Vec<(String, f64)> = s
        .balancers
        .iter()
        .map(|b| {
            let m = mean(&|r| Simulation::new(&s, b, fifo, r).unwrap().run().unwrap().mean_response);
            (b.to_string(), m)
        })
        .collect();
    let build = |_: &BuildContext<'_>| -> Result<Box<dyn Balancer>, String> { Ok(Box::new(FastestIdle)) };
    let custom =
        mean(&|r| Simulation::with_balancer(&s, "fastest_idle", &build, fifo, r).unwrap().run().unwrap().mean_response);
    rows.push(("fastest_idle".to_string(), custom));
    rows
}

#[allow(dead_code)]
fn main() {
    println!("{:<20} {:>14}", "balancer", "mean response");
    for (label, mean) in compare() {
        println!("{label:<20} {mean:>12.4} s");
    }
    let _ = PolicySpec::named("random");
}
