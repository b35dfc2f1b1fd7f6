//! Measures one run of the benchmark model: tasks/s, events/s and peak memory.
//!
//! ```sh
//! cargo run --release --example throughput -- 10000000 least_connections 100
//! ```
//! Arguments: tasks (default 1,000,000), balancer (default least_connections),
//! nodes (default 100). Prints one line of `key=value` pairs. Peak memory is the
//! process's high-water mark of resident memory (VmHWM, Linux only).

use schedsim::scenario;
use schedsim::sim::Simulation;
use std::path::Path;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let tasks: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let balancer = args.get(1).map_or("least_connections", |s| s.as_str());
    let nodes: u32 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(100);
    let text = format!(
        "name = \"throughput\"\n[run]\ntasks = {tasks}\n[[nodes]]\ncount = {nodes}\n[workload]\n\
         arrival = {{ process = \"poisson\", rate = {} }}\nsize = {{ dist = \"exponential\", mean = 1.0 }}\n\
         [policies]\nbalancers = [\"{balancer}\"]\n",
        0.9 * nodes as f64
    );
    let s = match scenario::parse(&text, Path::new("throughput.toml")) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    let replication: u32 = std::env::var("REPLICATION").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    let r = Simulation::new(&s, &s.balancers[0], &s.disciplines[0], replication).expect("builds").run().expect("runs");
    let secs = started.elapsed().as_secs_f64();
    let peak_kib = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()));
    println!(
        "tasks={} balancer={balancer} nodes={nodes} wall_s={secs:.3} tasks_per_s={:.0} events_per_s={:.0} \
         mean_response={:.4} peak_rss_mib={}",
        r.tasks_completed,
        r.tasks_completed as f64 / secs,
        r.events as f64 / secs,
        r.mean_response,
        peak_kib.map_or("n/a".to_string(), |k| format!("{:.1}", k as f64 / 1024.0)),
    );
}
