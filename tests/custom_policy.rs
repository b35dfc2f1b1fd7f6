//! Policies of a program's own, registered beside the built-in ones and run through
//! the library's command line: checked, run, compared, charted and reported exactly
//! like built-in ones, and refused with a located error where they are not known.

use schedsim::cli::{run_with_args, EXIT_BAD_INPUT, EXIT_OK};
use schedsim::prelude::*;
use schedsim::scenario;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `round_robin` again, under another name, starting at node `start`.
struct MyRoundRobin {
    next: usize,
}

impl Balancer for MyRoundRobin {
    fn select(&mut self, task: &Task, view: &ClusterView<'_>, _rng: &mut SimRng) -> Option<NodeId> {
        let n = view.len();
        let node = (0..n).map(|step| (self.next + step) % n).find(|&node| view.fits(node, task))?;
        self.next = (node + 1) % n;
        Some(node)
    }
}

/// `fifo` again, as a ranked queue: every rank equal, ties served in arrival order.
struct MyFifo;

impl Discipline for MyFifo {
    fn rank(&self, _task: &Task) -> f64 {
        0.0
    }
}

fn registry() -> Registry {
    let my_rr = PolicyInfo::new("my_rr", "round robin again").param("start", "the first node, 0 to nodes - 1", 0.0);
    Registry::default()
        .balancer(my_rr, |spec, ctx| {
            let last = ctx.nodes.len() as u64 - 1;
            Ok(MyRoundRobin { next: spec.whole("start", 0, last)? as usize })
        })
        .discipline(PolicyInfo::new("my_fifo", "fifo again"), |_, _| Ok(MyFifo))
}

/// Five nodes of two speeds, no latency or faults (so a ranked queue with equal ranks
/// serves exactly the order a FIFO one does).
const SCENARIO: &str = r#"name = "mine"
seed = 3
replications = 3
[run]
tasks = 3_000
warmup = 0.1
[[nodes]]
name = "fast"
count = 2
speed = 2.0
cores = 2
[[nodes]]
name = "slow"
count = 3
[workload]
arrival = { process = "poisson", rate = 4.0 }
size = { dist = "hyperexponential", mean = 1.0, cv = 2.0 }
[policies]
balancers = ["round_robin", "my_rr", "least_connections"]
disciplines = ["fifo", "my_fifo"]
"#;

/// Writes `text` as `mine.toml` in a fresh folder.
fn scenario_file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn cli(args: &[&str], path: &Path, registry: &Registry) -> u8 {
    let mut argv: Vec<String> = ["schedsim"].iter().chain(args).map(|s| s.to_string()).collect();
    argv.push(path.display().to_string());
    run_with_args(argv, registry)
}

/// A CSV file's rows keyed by their label columns (`label_columns` of them, from the
/// second: the first is the scenario), each with the rest of its columns.
/// The rows of a CSV file keyed by the cells of its `labels` columns; the other cells
/// by column name, but for the policies' parameters (which differ between a copy and
/// what it copies).
fn rows(path: &Path, labels: &[&str]) -> BTreeMap<Vec<String>, BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let cell = |name: &str| r[header.iter().position(|h| h == name).unwrap()].to_string();
            let key = labels.iter().map(|l| cell(l)).collect();
            let rest = (header.iter().zip(r.iter()))
                .filter(|(h, _)| !labels.contains(&h.as_str()) && !h.ends_with("_params"))
                .map(|(h, v)| (h.clone(), v.to_string()))
                .collect();
            (key, rest)
        })
        .collect()
}

fn key(labels: &[&str]) -> Vec<String> {
    labels.iter().map(|s| s.to_string()).collect()
}

#[test]
fn custom_policies_get_every_output_and_match_the_built_in_ones_they_copy() {
    let (dir, path) = scenario_file(SCENARIO);
    let out = dir.path().join("out");
    let registry = registry();
    assert_eq!(cli(&["check"], &path, &registry), EXIT_OK);
    assert_eq!(cli(&["run", "-q", "-o", out.to_str().unwrap()], &path, &registry), EXIT_OK);
    let results = out.join("mine");

    // Every file that names a built-in policy names the custom one beside it.
    let mut files = vec![];
    for entry in std::fs::read_dir(&results).unwrap().chain(std::fs::read_dir(results.join("charts")).unwrap()) {
        let path = entry.unwrap().path();
        if let Ok(text) = std::fs::read_to_string(&path) {
            files.push((path, text));
        }
    }
    let named = |name: &str| files.iter().filter(|(_, t)| t.contains(name)).count();
    for (path, text) in &files {
        let name = path.file_name().unwrap().to_string_lossy();
        if text.contains("round_robin") {
            assert!(text.contains("my_rr"), "{name} names round_robin but not my_rr");
        }
        if ["summary.csv", "runs.csv", "compare.csv", "report.html", "report.md"].contains(&name.as_ref()) {
            assert!(text.contains("my_fifo"), "{name} lacks my_fifo");
        }
    }
    assert!(named("my_rr(start=0)") >= 9, "csv files, reports and charts: {}", named("my_rr(start=0)"));
    assert!(files.iter().any(|(p, t)| p.extension().is_some_and(|x| x == "svg") && t.contains("my_fifo")));

    // Under common random numbers, a copy gives the very numbers of what it copies.
    let copies = [["fifo", "my_rr(start=0)"], ["my_fifo", "round_robin"], ["my_fifo", "my_rr(start=0)"]];
    let summary = rows(&results.join("summary.csv"), &["discipline", "balancer"]);
    assert_eq!(summary.len(), 6);
    for copy in copies {
        assert_eq!(summary[&key(&copy)], summary[&key(&["fifo", "round_robin"])], "{copy:?}");
    }
    assert_ne!(summary[&key(&["fifo", "least_connections"])], summary[&key(&["fifo", "round_robin"])]);
    let runs = rows(&results.join("runs.csv"), &["discipline", "balancer", "replication"]);
    for copy in copies {
        for r in ["0", "1", "2"] {
            assert_eq!(runs[&key(&[copy[0], copy[1], r])], runs[&key(&["fifo", "round_robin", r])], "{copy:?} {r}");
        }
    }
    // ... and no detectable difference from it, with a ratio of exactly 1.
    let compare = rows(
        &results.join("compare.csv"),
        &["discipline", "balancer", "baseline_discipline", "baseline_balancer", "metric"],
    );
    for copy in copies {
        for metric in ["mean_response", "p99_response", "throughput"] {
            let row = &compare[&key(&[copy[0], copy[1], "fifo", "round_robin", metric])];
            assert_eq!(row["verdict"], "no detectable difference", "{copy:?} {metric}");
            assert_eq!(row["ratio"].parse::<f64>(), Ok(1.0), "{copy:?} {metric}: ratio");
        }
    }
}

#[test]
fn an_unregistered_policy_is_a_located_error_listing_the_known_ones() {
    let (dir, path) = scenario_file(SCENARIO);
    let out = dir.path().join("out");
    assert_eq!(cli(&["check"], &path, &Registry::default()), EXIT_BAD_INPUT);
    assert_eq!(cli(&["run", "-q", "-o", out.to_str().unwrap()], &path, &Registry::default()), EXIT_BAD_INPUT);
    assert!(!out.join("mine").exists(), "nothing is written");
    let err = scenario::load_with(&path, &Registry::default()).unwrap_err().to_string();
    assert!(err.contains("mine.toml:19:"), "{err}");
    assert!(err.contains("policies.balancers[1]") && err.contains("unknown balancer 'my_rr'"), "{err}");
    assert!(err.contains("known: random, weighted_random"), "{err}");

    // With the program's registry, its names are among the known ones.
    let (_dir, path) = scenario_file(&SCENARIO.replace("\"my_rr\"", "\"my_r\""));
    let err = scenario::load_with(&path, &registry()).unwrap_err().to_string();
    assert!(err.contains("did you mean 'my_rr'") && err.contains("max_min, my_rr)"), "{err}");
    assert_eq!(cli(&["check"], &path, &registry()), EXIT_BAD_INPUT);
}

#[test]
fn a_custom_policy_s_parameters_are_checked_and_located() {
    let with = |balancer: &str| {
        let (_dir, path) = scenario_file(&SCENARIO.replace("\"my_rr\"", balancer));
        scenario::load_with(&path, &registry()).map(|s| s.balancers[1].to_string()).map_err(|e| e.to_string())
    };
    assert_eq!(with("{ name = \"my_rr\", start = 4 }"), Ok("my_rr(start=4)".to_string()));
    let err = with("{ name = \"my_rr\", start = 5 }").unwrap_err();
    assert!(err.contains("mine.toml:19:") && err.contains("policies.balancers[1].start"), "{err}");
    assert!(err.contains("expected a whole number from 0 to 4, got 5"), "{err}");
    let err = with("{ name = \"my_rr\", stat = 1 }").unwrap_err();
    assert!(err.contains("has no parameter 'stat'") && err.contains("did you mean 'start'"), "{err}");
    let err = with("{ name = \"my_fifo\" }").unwrap_err();
    assert!(err.contains("unknown balancer 'my_fifo'"), "a discipline is no balancer: {err}");
}

#[test]
fn all_includes_the_registered_policies_after_the_built_in_ones() {
    let text = SCENARIO.replace("[\"round_robin\", \"my_rr\", \"least_connections\"]", "\"all\"");
    let s = scenario::parse_with(&text, Path::new("mine.toml"), &registry()).unwrap();
    assert_eq!(s.balancers.last().map(|b| b.to_string()).as_deref(), Some("my_rr(start=0)"));
    let s = scenario::parse_with(&text.replace("[\"fifo\", \"my_fifo\"]", "\"all\""), Path::new("m.toml"), &registry())
        .unwrap();
    assert_eq!(s.disciplines.last().map(|d| d.to_string()).as_deref(), Some("my_fifo"));
}

/// Join the shortest queue by the dispatcher's estimate (last report plus tasks sent
/// since), noting the longest reported queue it ever saw; `reads` is its answer to
/// [`Balancer::reads_reports`].
struct ReportWatcher {
    reads: bool,
    longest_reported: std::sync::Arc<std::sync::atomic::AtomicU32>,
}

impl Balancer for ReportWatcher {
    fn select(&mut self, task: &Task, view: &ClusterView<'_>, _rng: &mut SimRng) -> Option<NodeId> {
        let longest = view.beliefs.iter().map(|b| b.reported_queue).max().unwrap_or(0);
        self.longest_reported.fetch_max(longest, std::sync::atomic::Ordering::Relaxed);
        (0..view.len()).filter(|&n| view.fits(n, task)).min_by_key(|&n| view.beliefs[n].queue_estimate())
    }

    fn reads_reports(&self) -> bool {
        self.reads
    }
}

#[test]
fn state_reports_reach_a_balancer_that_reads_them_and_only_then() {
    // Piggybacked reports (the default) arrive with every result for a balancer that
    // reads them; one that says it does not gets none, and its report fields stay 0.
    let longest_seen = |reads: bool| {
        let seen = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
        let registry = {
            let seen = seen.clone();
            Registry::default().balancer(PolicyInfo::new("watcher", "reads reports or not"), move |_, _| {
                Ok(ReportWatcher { reads, longest_reported: seen.clone() })
            })
        };
        let text = SCENARIO
            .replace(r#"balancers = ["round_robin", "my_rr", "least_connections"]"#, r#"balancers = ["watcher"]"#)
            .replace(r#"disciplines = ["fifo", "my_fifo"]"#, r#"disciplines = ["fifo"]"#)
            .replace("rate = 4.0", "rate = 6.5");
        let (dir, path) = scenario_file(&text);
        let out = dir.path().join("out");
        assert_eq!(cli(&["run", "-q", "-j", "1", "-o", out.to_str().unwrap()], &path, &registry), EXIT_OK);
        seen.load(std::sync::atomic::Ordering::Relaxed)
    };
    // At load 0.6 (6.5 work units a second on 11 of capacity) some node reports more
    // than one task at some point of 9,000.
    assert!(longest_seen(true) > 1);
    assert_eq!(longest_seen(false), 0);
}

/// Join the shortest queue by the dispatcher's estimate, noting over every decision the
/// largest gap between a node's estimate and the tasks the dispatcher has there
/// (`connections`), and the most it had at one node.
struct EstimateChecker {
    gap: std::sync::Arc<std::sync::atomic::AtomicU32>,
    most: std::sync::Arc<std::sync::atomic::AtomicU32>,
}

impl Balancer for EstimateChecker {
    fn select(&mut self, task: &Task, view: &ClusterView<'_>, _rng: &mut SimRng) -> Option<NodeId> {
        use std::sync::atomic::Ordering::Relaxed;
        for b in view.beliefs {
            self.gap.fetch_max(b.queue_estimate().abs_diff(b.connections), Relaxed);
            self.most.fetch_max(b.connections, Relaxed);
        }
        (0..view.len()).filter(|&n| view.fits(n, task)).min_by_key(|&n| view.beliefs[n].queue_estimate())
    }

    fn reads_reports(&self) -> bool {
        true
    }
}

#[test]
fn a_report_with_a_result_counts_the_tasks_waiting_and_running() {
    // Without latency a report sent with a result counts every task still at the node,
    // waiting or running, so the estimate (the report plus the tasks sent since) is
    // exactly what the dispatcher has there. Nodes of four cores run several tasks at
    // once, which the report must count (the nodes keep their running lists for it).
    let gap = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let most = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let registry = {
        let (gap, most) = (gap.clone(), most.clone());
        Registry::default().balancer(PolicyInfo::new("checker", "checks its estimates"), move |_, _| {
            Ok(EstimateChecker { gap: gap.clone(), most: most.clone() })
        })
    };
    let text = r#"name = "estimates"
seed = 5
[run]
tasks = 4_000
[[nodes]]
count = 3
cores = 4
[workload]
arrival = { process = "poisson", rate = 10.8 }
size = { dist = "exponential", mean = 1.0 }
[policies]
balancers = ["checker"]
disciplines = ["fifo"]
"#;
    let (dir, path) = scenario_file(text);
    let out = dir.path().join("out");
    assert_eq!(cli(&["run", "-q", "-j", "1", "-o", out.to_str().unwrap()], &path, &registry), EXIT_OK);
    assert_eq!(gap.load(std::sync::atomic::Ordering::Relaxed), 0);
    // At load 0.9 a node holds more tasks than it has cores at some point of 4,000.
    assert!(most.load(std::sync::atomic::Ordering::Relaxed) > 4);
}

/// What a [`LoadWatcher`] saw of its beliefs' load fields over a run.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct LoadSeen {
    /// The most work left it believed any node had.
    work_left: f64,
    /// Whether it ever believed a node had fewer cores free than it has.
    room_taken: bool,
    /// The most results it believed any node had returned.
    results: u64,
}

/// Least connections, noting what it sees of the load fields; `reads` is its answer
/// to [`Balancer::reads_load`].
struct LoadWatcher {
    reads: bool,
    seen: std::sync::Arc<std::sync::Mutex<LoadSeen>>,
}

impl Balancer for LoadWatcher {
    fn select(&mut self, task: &Task, view: &ClusterView<'_>, _rng: &mut SimRng) -> Option<NodeId> {
        let mut seen = self.seen.lock().unwrap();
        for (b, spec) in view.beliefs.iter().zip(view.specs) {
            seen.work_left = seen.work_left.max(b.work_left);
            seen.room_taken |= b.free_cores < spec.cores;
            seen.results = seen.results.max(b.results);
        }
        (0..view.len()).filter(|&n| view.fits(n, task)).min_by_key(|&n| view.beliefs[n].connections)
    }

    fn reads_load(&self) -> bool {
        self.reads
    }
}

#[test]
fn load_fields_are_kept_for_a_balancer_that_reads_them_and_room_in_central_mode() {
    let seen_in = |reads: bool, central: bool| {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(LoadSeen::default()));
        let registry = {
            let seen = seen.clone();
            Registry::default().balancer(PolicyInfo::new("watcher", "reads the load or not"), move |_, _| {
                Ok(LoadWatcher { reads, seen: seen.clone() })
            })
        };
        let mode = if central { "[run]\nmode = \"central\"" } else { "[run]" };
        let text = SCENARIO
            .replace(r#"balancers = ["round_robin", "my_rr", "least_connections"]"#, r#"balancers = ["watcher"]"#)
            .replace(r#"disciplines = ["fifo", "my_fifo"]"#, r#"disciplines = ["fifo"]"#)
            .replace("[run]", mode)
            .replace("rate = 4.0", "rate = 6.5");
        let (dir, path) = scenario_file(&text);
        let out = dir.path().join("out");
        assert_eq!(cli(&["run", "-q", "-j", "1", "-o", out.to_str().unwrap()], &path, &registry), EXIT_OK);
        let seen = *seen.lock().unwrap();
        seen
    };
    // At load 0.6 over 9,000 tasks, some task is always sent while another is still out.
    let full = seen_in(true, false);
    assert!(full.work_left > 0.0 && full.room_taken && full.results > 0, "{full:?}");
    // Not read: left as they started, all room free and no work or result counted.
    assert_eq!(seen_in(false, false), LoadSeen::default());
    // Central mode's fit test reads the free room, so it is kept whatever the answer.
    let central = seen_in(false, true);
    assert!(central.room_taken, "{central:?}");
}
