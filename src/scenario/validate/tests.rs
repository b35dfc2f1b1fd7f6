use super::*;
use crate::policy::registry;
use crate::policy::PolicySpec;
use crate::scenario::Split;
use crate::workload::ArrivalProcess;

/// A small valid scenario; tests replace parts of it.
const MINIMAL: &str = r#"
[run]
tasks = 1000

[[nodes]]

[workload]
arrival = { process = "poisson", rate = 0.5 }
size = { dist = "exponential", mean = 1.0 }
"#;

/// A group's plain fields, for comparison.
fn plain(groups: &[NodeGroup]) -> Vec<(String, u32, f64, u32, f64, f64)> {
    groups.iter().map(|g| (g.name.clone(), g.count, g.speed, g.cores, g.memory, g.weight)).collect()
}

fn ok(text: &str) -> Scenario {
    parse(text, Path::new("scenarios/minimal.toml")).unwrap_or_else(|e| panic!("{e}"))
}

fn err(text: &str) -> ScenarioError {
    match parse(text, Path::new("scenarios/bad.toml")) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

#[test]
fn full_scenario_builds_every_field() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("data/sizes.txt"), "# sizes\n1\n2\n\n6 # big\n").unwrap();
    let text = r#"
name = "full.v1"
description = "every field"
seed = 42
replications = 5

[run]
tasks = 200_000
warmup = 0.1
mode = "central"

[[nodes]]
name = "big"
count = 4
speed = 2.0
cores = 8
memory = 64.0
weight = 10

[[nodes]]
name = "small"
count = 12
cores = 2
memory = 8

[workload]
arrival = { process = "bursty", rates = [10, 1.5], durations = [2.0, 6.0] }
size = { dist = "lognormal", mean = 1.0, cv = 2.0 }
estimate_error = 0.3
cores = 2
memory = { dist = "uniform", low = 1, high = 4 }
classes = [
  { name = "interactive", share = 0.3, priority = 0, deadline = 2.0, cores = 1, memory = 0.5, size = { dist = "empirical", path = "data/sizes.txt" } },
  { name = "batch", share = 0.7, priority = 1 },
]

[policies]
balancers = ["random", { name = "least_connections" }]
disciplines = ["fifo"]
"#;
    let path = dir.path().join("full.toml");
    std::fs::write(&path, text).unwrap();
    let s = load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((s.name.as_str(), s.description.as_str()), ("full.v1", "every field"));
    assert_eq!((s.seed, s.replications, s.source.clone()), (42, 5, path));
    assert_eq!(
        s.run,
        RunConfig {
            stop: Stop::Tasks(200_000),
            warmup: Warmup::Fraction(0.1),
            mode: Mode::Central,
            max_in_system: 560_000, // 10,000 per core: 4 x 8 + 12 x 2 cores
            dispatchers: 1,
            split: Split::Random,
            slowdown_tau: DEFAULT_SLOWDOWN_TAU,
        }
    );
    assert_eq!(
        plain(&s.node_groups),
        vec![("big".into(), 4, 2.0, 8, 64.0, 10.0), ("small".into(), 12, 1.0, 2, 8.0, 2.0)]
    );
    assert_eq!(s.nodes().len(), 16);
    let w = &s.workload;
    assert!(matches!(w.arrival, ArrivalProcess::Bursty { rates: [10.0, 1.5], durations: [2.0, 6.0], .. }));
    assert_eq!(w.estimate_error, 0.3);
    let [interactive, batch] = &w.classes[..] else { panic!("{:?}", w.classes) };
    assert_eq!((interactive.name.as_str(), interactive.priority, interactive.deadline), ("interactive", 0, Some(2.0)));
    assert!(close(interactive.share, 0.3) && close(batch.share, 0.7));
    // The empirical file is read relative to the scenario's folder.
    assert_eq!((interactive.size.mean(), interactive.size.max()), (3.0, Some(6.0)));
    assert_eq!((interactive.cores.mean(), interactive.memory.mean()), (1.0, 0.5));
    // The batch class inherits the workload's size, cores and memory.
    assert_eq!((batch.name.as_str(), batch.priority, batch.deadline), ("batch", 1, None));
    assert!(close(batch.size.mean(), 1.0) && batch.size.max().is_none());
    assert_eq!((batch.cores.mean(), batch.memory.mean(), batch.memory.max()), (2.0, 2.5, Some(4.0)));
    let labels: Vec<String> = s.balancers.iter().map(ToString::to_string).collect();
    assert_eq!(labels, ["random", "least_connections"]);
    assert_eq!(s.disciplines, vec![PolicySpec::named("fifo")]);
}

#[test]
fn defaults_fill_every_optional_field() {
    let s = ok(MINIMAL);
    assert_eq!((s.name.as_str(), s.description.as_str(), s.seed, s.replications), ("minimal", "", 1, 1));
    assert_eq!(
        s.run,
        RunConfig {
            stop: Stop::Tasks(1000),
            warmup: Warmup::Fraction(0.0),
            mode: Mode::Dispatch,
            max_in_system: 100_000, // one core: the floor
            dispatchers: 1,
            split: Split::Random,
            slowdown_tau: DEFAULT_SLOWDOWN_TAU,
        }
    );
    assert_eq!(plain(&s.node_groups), vec![("group0".into(), 1, 1.0, 1, f64::INFINITY, 1.0)]);
    assert!(s.node_groups[0].latency.is_none() && s.node_groups[0].failure.is_none());
    let w = &s.workload;
    assert_eq!(w.estimate_error, 0.0);
    assert_eq!(w.classes.len(), 1);
    let c = &w.classes[0];
    assert_eq!((c.name.as_str(), c.share, c.priority, c.deadline), ("default", 1.0, 0, None));
    assert_eq!((c.cores.max(), c.memory.max()), (Some(1.0), Some(0.0)));
    let nodes = s.nodes();
    assert_eq!(s.balancers, all_but_planners(&BuildContext { mode: Mode::Dispatch, nodes: &nodes }));
    assert_eq!(s.disciplines, vec![PolicySpec::named("fifo")]);
    assert!(close(s.offered_load(), 0.5));
}

#[test]
fn weight_defaults_to_speed_times_cores() {
    let s = ok(&MINIMAL.replace("[[nodes]]", "[[nodes]]\nspeed = 2.5\ncores = 4"));
    assert_eq!(s.node_groups[0].weight, 10.0);
}

/// Every balancer of the registry for `ctx` but those that plan whole jobs: `"all"`
/// without `[workload] job`.
fn all_but_planners(ctx: &BuildContext<'_>) -> Vec<PolicySpec> {
    let registry = registry::Registry::default();
    let all = registry.all_balancers(ctx);
    all.into_iter().filter(|s| !registry.build_balancer(s, ctx).unwrap().plans_jobs()).collect()
}

#[test]
fn all_expands_to_every_policy_of_the_mode() {
    for mode in [Mode::Dispatch, Mode::Central] {
        let text = MINIMAL.replace("tasks = 1000", &format!("tasks = 1000\nmode = \"{}\"", mode.name()))
            + "[policies]\nbalancers = \"all\"\ndisciplines = \"all\"\n";
        let s = ok(&text);
        let nodes = s.nodes();
        let ctx = BuildContext { mode, nodes: &nodes };
        assert_eq!(s.balancers, all_but_planners(&ctx));
        assert_eq!(s.disciplines, registry::Registry::default().all_disciplines(&ctx));
        assert!(!s.balancers.is_empty() && !s.disciplines.is_empty());
    }
}

#[test]
fn warmup_is_a_fraction_or_seconds() {
    let with = |w: &str| MINIMAL.replace("tasks = 1000", &format!("tasks = 1000\nwarmup = {w}"));
    assert_eq!(ok(&with("0.25")).run.warmup, Warmup::Fraction(0.25));
    assert_eq!(ok(&with("0")).run.warmup, Warmup::Fraction(0.0));
    assert_eq!(ok(&with("{ seconds = 50 }")).run.warmup, Warmup::Seconds(50.0));
    let e = err(&with("1.0"));
    assert_eq!((e.field.as_deref(), e.line), (Some("run.warmup"), Some(4)));
    let e = err(&with("{ seconds = -1 }"));
    assert_eq!(e.field.as_deref(), Some("run.warmup.seconds"));
    let horizon = MINIMAL.replace("tasks = 1000", "horizon = 100.0\nwarmup = { seconds = 100 }");
    let e = err(&horizon);
    assert!(e.message.contains("shorter than the horizon"), "{e}");
    let s = ok(&MINIMAL.replace("tasks = 1000", "horizon = 100.0\nwarmup = { seconds = 10 }"));
    assert_eq!((s.run.stop, s.run.warmup), (Stop::Horizon(100.0), Warmup::Seconds(10.0)));
}

#[test]
fn class_shares_are_normalised_and_inherit_defaults() {
    let text = MINIMAL.replace(
        "size = {",
        "classes = [{ name = \"a\", share = 0.3333333 }, { name = \"b\", share = 0.6666667, priority = 2 }]\nsize = {",
    );
    let s = ok(&text);
    let c = &s.workload.classes;
    assert!((c[0].share + c[1].share - 1.0).abs() < 1e-15);
    assert!(close(c[0].share, 0.3333333 / 1.0000000));
    assert_eq!((c[1].priority, c[1].size.mean()), (2, 1.0));
    let e = err(&text.replace("0.6666667", "0.6"));
    assert_eq!(e.field.as_deref(), Some("workload.classes"));
    assert!(e.message.contains("summing to 1"), "{e}");
}

#[test]
fn a_class_without_size_needs_a_workload_size() {
    let text =
        MINIMAL.replace("size = { dist = \"exponential\", mean = 1.0 }", "classes = [{ name = \"a\", share = 1 }]");
    let e = err(&text);
    assert_eq!(e.field.as_deref(), Some("workload.classes[0].size"));
    assert_eq!((e.line, e.column), (Some(9), Some(12)));
    let e = err(&MINIMAL.replace("size = { dist = \"exponential\", mean = 1.0 }", ""));
    assert_eq!((e.field.as_deref(), e.line, e.column), (Some("workload.size"), Some(7), Some(1)));
}

#[test]
fn duplicate_names_are_errors() {
    let e = err(&MINIMAL.replace("[[nodes]]", "[[nodes]]\nname = \"a\"\n[[nodes]]\nname = \"a\""));
    assert_eq!((e.field.as_deref(), e.line), (Some("nodes[1].name"), Some(8)));
    let e = err(&(MINIMAL.to_string() + "[policies]\nbalancers = [\"random\", { name = \"random\" }]\n"));
    assert_eq!((e.field.as_deref(), e.line, e.column), (Some("policies.balancers[1]"), Some(11), Some(24)));
    assert!(e.message.contains("duplicate balancer 'random'"), "{e}");
}

#[test]
fn policy_lists_are_checked_element_by_element() {
    let with = |p: &str| MINIMAL.to_string() + "[policies]\n" + p + "\n";
    let e = err(&with("balancers = \"random\""));
    assert!(e.message.contains("write [\"random\"]"), "{e}");
    let e = err(&with("balancers = [\"all\"]"));
    assert_eq!(e.field.as_deref(), Some("policies.balancers[0]"));
    let e = err(&with("balancers = [{ name = \"random\", d = \"two\" }]"));
    assert_eq!((e.field.as_deref(), e.column), (Some("policies.balancers[0].d"), Some(33)));
    assert!(e.message.contains("expected a number for parameter 'd'"), "{e}");
    let e = err(&with("disciplines = [{ nme = \"fifo\" }]"));
    assert_eq!(e.field.as_deref(), Some("policies.disciplines[0].name"));
    let e = err(&with("disciplines = [\"fifoo\"]"));
    assert!(e.message.contains("did you mean 'fifo'"), "{e}");
    let e = err(&with("balancers = []"));
    assert!(e.message.contains("at least one balancer"), "{e}");
}

#[test]
fn memory_beyond_every_node_is_an_error() {
    let text = MINIMAL.replace("[[nodes]]", "[[nodes]]\nmemory = 16").replace("size = {", "memory = 32\nsize = {");
    let e = err(&text);
    assert_eq!(e.field.as_deref(), Some("workload.memory"));
    assert!(e.message.contains("no node has 32 memory; the largest has 16"), "{e}");
}

#[test]
fn a_name_the_results_folder_cannot_take_is_refused() {
    for (name, says) in [
        (".hidden", "hidden"),
        ("index.html", "index.html"),
        ("INDEX.HTML", "index.html"),
        ("con", "device name"),
        ("Nul.results", "device name"),
        ("com7", "device name"),
        ("lpt1", "device name"),
    ] {
        let e = err(&format!("name = \"{name}\"\n{MINIMAL}"));
        assert_eq!(e.field.as_deref(), Some("name"), "{name}");
        assert!(e.message.contains(says), "{name}: {e}");
    }
    let long = "a".repeat(201);
    let e = err(&format!("name = \"{long}\"\n{MINIMAL}"));
    assert!(e.message.contains("at most 200 characters"), "{e}");
    for fine in ["a".repeat(200).as_str(), "console", "com0", "com10", "index", "my.index.html.v2"] {
        let text = format!("name = \"{fine}\"\n{MINIMAL}");
        assert!(parse(&text, Path::new("x.toml")).is_ok(), "{fine}");
    }
}

#[test]
fn the_file_stem_must_make_a_valid_name() {
    let e = parse(MINIMAL, Path::new("my scenario.toml")).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("name"));
    assert!(parse(MINIMAL, Path::new("my-scenario_2.toml")).is_ok());
    let e = err(&format!("name = \"..\"\n{MINIMAL}"));
    assert_eq!((e.line, e.column), (Some(1), Some(1)));
}

#[test]
fn discover_finds_toml_files_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for f in ["b.toml", "a/z.toml", "a/c.toml", "notes.txt", ".hidden/x.toml", "empty/.keep"] {
        let p = root.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "").unwrap();
    }
    let found = discover(&[root.to_path_buf(), root.join("b.toml")]).unwrap();
    let rel: Vec<_> = found.iter().map(|p| p.strip_prefix(root).unwrap().to_path_buf()).collect();
    assert_eq!(rel, [PathBuf::from("a/c.toml"), "a/z.toml".into(), "b.toml".into()]);
    let e = discover(&[root.join("missing")]).unwrap_err();
    assert_eq!(e.file, root.join("missing"));
    let e = discover(&[root.join("empty")]).unwrap_err();
    assert!(e.message.contains("found none"), "{e}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
    /// Whatever is cut out of or pasted into a valid file, checking it never panics.
    #[test]
    fn mangled_files_never_panic(at in 0usize..400, cut in 0usize..20, paste in "[ -~\n]{0,12}") {
        let classes = "warmup = { seconds = 1 }\n[[nodes]]\nmemory = 4\n[workload]\nclasses = [{ name = \"a\", \
                       share = 0.5, cores = { dist = \"uniform\", low = 0.5, high = 1 } }, { name = \"b\", share = 0.5 }]";
        let mut text = MINIMAL.replacen("\n[[nodes]]\n\n[workload]", classes, 1)
            + "[policies]\nbalancers = [\"random\", { name = \"round_robin\" }]\n";
        proptest::prop_assert!(parse(&text, Path::new("p.toml")).is_ok(), "the unmangled file is valid");
        let at = at.min(text.len());
        let end = (at + cut).min(text.len());
        text.replace_range(at..end, &paste);
        if let Err(e) = parse(&text, Path::new("p.toml")) {
            let line = e.line.unwrap_or(1);
            proptest::prop_assert!(line >= 1 && line <= text.lines().count().max(1) + 1, "{e}");
        }
    }
}

#[test]
fn the_bounded_slowdowns_tau_defaults_to_10_s_and_must_be_positive() {
    assert_eq!(ok(MINIMAL).run.slowdown_tau, 10.0);
    let s = ok(&MINIMAL.replace("[run]", "[run]\nslowdown_tau = 60.0"));
    assert_eq!(s.run.slowdown_tau, 60.0);
    for bad in ["0.0", "-1.0", "nan"] {
        let e = err(&MINIMAL.replace("[run]", &format!("[run]\nslowdown_tau = {bad}")));
        assert_eq!(e.field.as_deref(), Some("run.slowdown_tau"), "{bad}: {e}");
    }
}

#[test]
fn output_jobs_is_off_by_default_true_for_replication_0_or_all() {
    use crate::scenario::JobRecords;
    assert_eq!(ok(MINIMAL).output.jobs, JobRecords::Off);
    for (value, want) in
        [("true", JobRecords::FirstReplication), ("\"all\"", JobRecords::All), ("false", JobRecords::Off)]
    {
        let s = ok(&format!("{MINIMAL}\n[output]\njobs = {value}\n"));
        assert_eq!(s.output.jobs, want, "{value}");
    }
    for bad in ["\"first\"", "1", "[true]"] {
        let e = err(&format!("{MINIMAL}\n[output]\njobs = {bad}\n"));
        assert_eq!(e.field.as_deref(), Some("output.jobs"), "{bad}: {e}");
        assert!(e.message.contains("\"all\""), "{e}");
    }
    let e = err(&format!("{MINIMAL}\n[output]\njob = true\n"));
    assert!(e.message.contains("jobs"), "did you mean: {e}");
}

#[test]
fn output_charts_default_to_1200_by_800_svg_and_png_every_policy() {
    use crate::scenario::{ChartFormat, ChartOptions};
    let s = ok(MINIMAL);
    assert_eq!(s.output.charts, ChartOptions::default());
    assert_eq!((s.output.charts.width, s.output.charts.height), (1200, 800));
    assert_eq!(s.output.charts.formats, [ChartFormat::Svg, ChartFormat::Png]);
    let text = format!(
        "{MINIMAL}\n[policies]\nbalancers = [\"random\", {{ name = \"power_of_d\", d = 1 }}]\n\
         [output]\ncharts = {{ width = 800, height = 600, formats = [\"pdf\", \"png\"], policies = [\"power_of_d\", \"fifo / random\"] }}\n"
    );
    let c = ok(&text).output.charts;
    assert_eq!((c.width, c.height), (800, 600));
    assert_eq!(c.formats, [ChartFormat::Pdf, ChartFormat::Png]);
    assert!(c.shows("fifo", "power_of_d(d=1)") && c.shows("fifo", "random"));
    assert!(!c.shows("sjf", "random"));
    // The options alone, as the report reads them from a results folder.
    assert_eq!(crate::scenario::chart_options(&text, Path::new("r/scenario.toml")).unwrap(), c);
}

#[test]
fn bad_chart_options_are_located_errors() {
    let charts = |body: &str| format!("{MINIMAL}\n[output]\ncharts = {{ {body} }}\n");
    for (body, field, says) in [
        ("width = 100", "output.charts.width", ">= 400"),
        ("height = 5000", "output.charts.height", "<= 3000"),
        ("formats = []", "output.charts.formats", "at least one"),
        ("formats = [\"svg\", \"jpg\"]", "output.charts.formats[1]", "unknown chart format 'jpg'"),
        ("formats = [\"png\", \"png\"]", "output.charts.formats[1]", "named twice"),
        ("formats = [\"pfd\"]", "output.charts.formats[0]", "did you mean 'pdf'"),
        ("policies = [\"least_conections\"]", "output.charts.policies[0]", "did you mean 'least_connections'"),
        ("policies = [\"sjf / random\"]", "output.charts.policies[0]", "no policy of this scenario"),
        ("policies = [\" \"]", "output.charts.policies[0]", "expected a policy name"),
    ] {
        let e = err(&charts(body));
        assert_eq!(e.field.as_deref(), Some(field), "{body}: {e}");
        assert!(e.message.contains(says), "{body}: {e}");
        assert!(e.line.is_some(), "{body}: {e} has no line");
    }
    let e = err(&charts("widht = 800"));
    assert!(e.message.contains("width"), "did you mean: {e}");
}

#[test]
fn chart_policy_entries_name_a_balancer_a_discipline_or_a_pair() {
    use crate::scenario::policy_matches;
    assert!(policy_matches("power_of_d", "fifo", "power_of_d(d=2)"));
    assert!(policy_matches("power_of_d(d=2)", "fifo", "power_of_d(d=2)"));
    assert!(!policy_matches("power_of_d(d=3)", "fifo", "power_of_d(d=2)"));
    assert!(policy_matches("sjf", "sjf", "random"));
    assert!(policy_matches(" sjf/random ", "sjf", "random"));
    assert!(!policy_matches("sjf / random", "fifo", "random"));
    assert!(!policy_matches("power", "fifo", "power_of_d(d=2)"));
}

#[test]
fn a_chart_policy_entry_names_a_balancer_with_every_speculation_or_one() {
    use crate::scenario::policy_matches;
    // The balancer alone selects it with every speculation policy.
    assert!(policy_matches("random", "fifo", "random + late"));
    assert!(policy_matches("random", "fifo", "random + hadoop"));
    assert!(policy_matches("random", "fifo", "random"));
    assert!(policy_matches("power_of_d", "fifo", "power_of_d(d=2) + late(cap=0.2)"));
    // With the speculation, that one only; `none` is the label without copies.
    assert!(policy_matches("random + late", "fifo", "random + late"));
    assert!(policy_matches("random+late", "fifo", "random + late(cap=0.2)"));
    assert!(!policy_matches("random + late", "fifo", "random + hadoop"));
    assert!(!policy_matches("random + late", "fifo", "random"));
    assert!(policy_matches("random + none", "fifo", "random"));
    assert!(!policy_matches("random + none", "fifo", "random + late"));
    assert!(policy_matches("fifo / random + late", "fifo", "random + late"));
    assert!(!policy_matches("late", "fifo", "random + late"));
}

#[test]
fn chart_policies_are_checked_against_the_labels_with_speculation() {
    let with = |policies: &str| {
        format!(
            "{MINIMAL}\n[workload.job]\nshape = \"fork-join\"\ntasks = 2\n[faults]\nspeculation = [\"none\", \"late\"]\n\
             [output]\ncharts = {{ policies = [{policies}] }}\n"
        )
    };
    let c = ok(&with("\"random + late\"")).output.charts;
    assert!(c.shows("fifo", "random + late") && !c.shows("fifo", "random"));
    assert!(ok(&with("\"random\"")).output.charts.shows("fifo", "random + late"));
    let e = err(&with("\"random + hadoop\""));
    assert_eq!(e.field.as_deref(), Some("output.charts.policies[0]"), "{e}");
    assert!(e.message.contains("random + late"), "{e}");
}
