//! The run compiled for fewer features gives exactly what the full run gives, task by
//! task: the specialisation only removes work, never changes a result.

use super::features::{Features, Full, Lean, Networked};
use super::run::Run;
use super::TaskRecord;
use crate::engine::SimRng;
use crate::policy::registry::Registry;
use crate::policy::PolicySpec;
use crate::scenario::{self, Scenario};
use std::path::Path;

fn scenario(text: &str) -> Scenario {
    scenario::parse(text, Path::new("test.toml")).unwrap_or_else(|e| panic!("{e}"))
}

/// The runs.csv row (as text) and every departure, for `F`.
fn outcome<F: Features>(s: &Scenario, balancer: &str, discipline: &str) -> (String, Vec<TaskRecord>) {
    let (b, d) = (PolicySpec::named(balancer), PolicySpec::named(discipline));
    let run = Run::<F>::build(s, &Registry::default(), &b, &d, 0).unwrap();
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
            &["fifo", "sjf", "easy_backfill", "conservative_backfill"]
        } else {
            &["fifo", "srpt", "preemptive_priority"]
        };
        // `join_shortest_queue` reads the nodes' state reports, which count their
        // running tasks; the full run keeps the running lists whatever it runs.
        let balancers: &[&str] = if mode == "central" {
            &["least_work_left", "power_of_d", "best_fit"]
        } else {
            &["least_work_left", "power_of_d", "join_shortest_queue"]
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

impl<F: Features> Run<F> {
    /// The event loop with the events of each instant applied in an order shuffled by
    /// `rng` rather than the order they were queued in; every departure, by task.
    fn drive_shuffled(mut self, rng: &mut SimRng) -> Vec<TaskRecord> {
        self.measure.observing = true;
        let mut departed = Vec::new();
        while let Some(now) = self.queue.peek_time() {
            let mut instant = Vec::new();
            while self.queue.peek_time() == Some(now) {
                instant.extend(self.queue.pop());
            }
            for i in (1..instant.len()).rev() {
                instant.swap(i, rng.below(i + 1));
            }
            for (now, id, event) in instant {
                self.handle(event, id, now).unwrap();
            }
            if self.placement.pass_due && self.queue.peek_time() != Some(now) {
                self.run_due_passes(now);
            }
            departed.append(&mut self.measure.departed);
            if self.arrivals.done && self.tasks.jobs.len() == 0 {
                break;
            }
        }
        departed.sort_by_key(|r| r.seq);
        departed
    }
}

/// Central mode applies every event of an instant before one scheduling pass, so the
/// order in which same-time events were queued changes nothing: jobs on whole seconds,
/// many arriving and ending together, give the same schedule however each instant's
/// events are shuffled.
#[test]
fn central_mode_does_not_depend_on_the_order_of_same_time_events() {
    let mut rng = SimRng::new(7);
    let mut log = String::from("arrival,size,cores\n");
    let mut t = 0;
    for _ in 0..400 {
        t += rng.below(3); // a third of the jobs arrive with the one before
        log += &format!("{t},{},{}\n", 1 + rng.below(12), 1 + rng.below(4));
    }
    let tmp = tempfile::Builder::new().prefix("schedsim-instant-").tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("jobs.csv"), log).unwrap();
    let text = "[run]\nmode = \"central\"\n[[nodes]]\ncount = 3\ncores = 4\n[workload]\n\
                arrival = { process = \"trace\", path = \"jobs.csv\", estimates = \"exact\" }\n";
    let s = scenario::parse(text, &dir.join("s.toml")).unwrap_or_else(|e| panic!("{e}"));
    for d in ["fifo", "sjf", "easy_backfill", "conservative_backfill"] {
        for b in ["best_fit", "least_work_left", "random"] {
            let (_, mut queued) = outcome::<Lean>(&s, b, d);
            queued.sort_by_key(|r| r.seq);
            for shuffle in 0..3 {
                let (bs, ds) = (PolicySpec::named(b), PolicySpec::named(d));
                let run = Run::<Lean>::build(&s, &Registry::default(), &bs, &ds, 0).unwrap();
                let shuffled = run.drive_shuffled(&mut SimRng::new(shuffle));
                assert!(same(&queued, &shuffled), "{d} / {b}: shuffle {shuffle} changed the schedule");
            }
        }
    }
}

/// A run that delivers more events at one instant than `max_at_instant` stops as
/// stuck instead of spinning for ever; as built, the limit is far above what a run
/// that progresses delivers (here 50 arrivals at once, at t = 0 of the replayed trace,
/// and their results).
#[test]
fn a_run_that_stays_at_one_instant_is_stopped_as_stuck() {
    let dir = tempfile::tempdir().unwrap();
    let mut trace = String::from("arrival,size\n");
    trace.push_str(&"1,1\n".repeat(50));
    trace.push_str("100,1\n");
    std::fs::write(dir.path().join("jobs.csv"), trace).unwrap();
    let text =
        "[run]\ntasks = 51\n[[nodes]]\ncount = 2\n[workload]\narrival = { process = \"trace\", path = \"jobs.csv\" }\n";
    let s = scenario::parse(text, &dir.path().join("t.toml")).unwrap_or_else(|e| panic!("{e}"));
    let build = || {
        Run::<Lean>::build(&s, &Registry::default(), &PolicySpec::named("random"), &PolicySpec::named("fifo"), 0)
            .unwrap()
    };
    let run = build();
    assert!(run.arrivals.max_at_instant >= 1_000_000);
    assert!(run.drive(None).is_ok());
    let mut run = build();
    // Looked at every 4 events: stopped when six looks after the first (24 events)
    // found time still at t = 0.
    (run.arrivals.max_at_instant, run.arrivals.instant_check) = (20, 3);
    match run.drive(None) {
        Err(super::RunError::Stuck { events, time }) => assert_eq!((events, time), (24, 0.0)),
        other => panic!("not stopped as stuck: {:?}", other.map(|o| o.result.tasks_completed)),
    }
}
