//! The run compiled for fewer features gives exactly what the full run gives, task by
//! task: the specialisation only removes work, never changes a result.

use super::features::{Features, Full, Lean, Networked};
use super::run::Run;
use super::TaskRecord;
use crate::policy::registry::{build_balancer, BuildContext};
use crate::policy::PolicySpec;
use crate::scenario::{self, Scenario};
use std::path::Path;

fn scenario(text: &str) -> Scenario {
    scenario::parse(text, Path::new("test.toml")).unwrap_or_else(|e| panic!("{e}"))
}

/// The runs.csv row (as text) and every departure, for `F`.
fn outcome<F: Features>(s: &Scenario, balancer: &str, discipline: &str) -> (String, Vec<TaskRecord>) {
    let spec = PolicySpec::named(balancer);
    let build = |ctx: &BuildContext<'_>| build_balancer(&spec, ctx).map_err(|e| e.to_string());
    let run = Run::<F>::build(s, balancer, &build, &PolicySpec::named(discipline), 0).unwrap();
    let mut departed = Vec::new();
    let mut record = |r: &TaskRecord| departed.push(*r);
    let out = run.drive(Some(&mut record)).unwrap();
    (format!("{:?}", out.result), departed)
}

/// Compares two lists of records, NaN equal to NaN.
fn same(a: &[TaskRecord], b: &[TaskRecord]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| format!("{x:?}") == format!("{y:?}"))
}

const CLUSTER: &str = r#"
[run]
tasks = 3000
[[nodes]]
name = "big"
count = 3
speed = 2.0
cores = 4
memory = 16.0
[[nodes]]
name = "small"
count = 5
cores = 2
memory = 4.0
[workload]
arrival = { process = "poisson", rate = 9.0 }
size = { dist = "lognormal", mean = 1.0, cv = 2.0 }
estimate_error = 0.3
cores = { dist = "uniform", low = 0.0, high = 2.0 }
memory = { dist = "uniform", low = 0.0, high = 3.0 }
classes = [ { name = "a", share = 0.3, priority = 0, deadline = 3.0 }, { name = "b", share = 0.7, priority = 1 } ]
"#;

#[test]
fn the_lean_run_is_the_full_run_without_its_cost() {
    for mode in ["dispatch", "central"] {
        let s = scenario(&CLUSTER.replace("[run]", &format!("[run]\nmode = \"{mode}\"")));
        let disciplines: &[&str] = if mode == "central" {
            &["fifo", "sjf", "easy_backfill"]
        } else {
            &["fifo", "srpt", "preemptive_priority"]
        };
        let balancers: &[&str] = if mode == "central" {
            &["least_work_left", "power_of_d", "best_fit"]
        } else {
            &["least_work_left", "power_of_d"]
        };
        for &d in disciplines {
            for &b in balancers {
                let (lean, lean_tasks) = outcome::<Lean>(&s, b, d);
                let (full, full_tasks) = outcome::<Full>(&s, b, d);
                assert_eq!(lean, full, "{mode} / {d} / {b}");
                assert!(same(&lean_tasks, &full_tasks), "{mode} / {d} / {b}: task records differ");
                assert_eq!(lean_tasks.len(), 3000);
            }
        }
    }
}

#[test]
fn the_networked_run_is_the_full_run_without_faults() {
    let text =
        CLUSTER.replace("name = \"small\"", "name = \"small\"\nlatency = { dist = \"exponential\", mean = 0.01 }");
    let s = scenario(&format!("{text}\n[network]\nlatency = {{ dist = \"constant\", value = 0.002 }}\n"));
    for b in ["join_shortest_queue", "least_connections"] {
        let (networked, a) = outcome::<Networked>(&s, b, "fifo");
        let (full, f) = outcome::<Full>(&s, b, "fifo");
        assert_eq!(networked, full, "{b}");
        assert!(same(&a, &f), "{b}: task records differ");
    }
}
