//! Charts as `schedsim run` writes them: theory lines where a scenario is M/M/1 and
//! only there, `[output] charts` (size, formats, policies), the tail chart, and the
//! per-node chart's two forms.

use assert_cmd::Command;
use std::path::Path;

/// A small scenario: `nodes` nodes of `cores` cores, Poisson arrivals at load 0.8,
/// exponential sizes, two balancers; `extra` is appended.
fn scenario(name: &str, nodes: u32, cores: u32, extra: &str) -> String {
    format!(
        r#"
name = "{name}"
seed = 3
replications = 2
[run]
tasks = 4000
warmup = 0.1
[[nodes]]
count = {nodes}
cores = {cores}
[workload]
arrival = {{ process = "poisson", rate = {rate} }}
size = {{ dist = "exponential", mean = 1.0 }}
[policies]
balancers = ["random", "round_robin"]
{extra}
"#,
        rate = 0.8 * (nodes * cores) as f64
    )
}

/// Runs `text` and returns the results folder of scenario `name`.
fn run(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(&file, text).unwrap();
    Command::cargo_bin("schedsim")
        .unwrap()
        .args(["run", "-q", "-o"])
        .arg(dir.join("out"))
        .arg(&file)
        .assert()
        .success();
    dir.join("out").join(name)
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The SVG of `stem` as inlined in report.html.
fn inlined(dir: &Path, stem: &str) -> String {
    let html = read(dir, "report.html");
    let start = html.find(&format!("<figure id=\"{stem}\">")).unwrap_or_else(|| panic!("no figure {stem}"));
    let end = start + html[start..].find("</figure>").unwrap();
    html[start..end].to_string()
}

#[test]
fn an_mm1_scenario_gets_dashed_theory_lines_on_its_response_and_tail_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), "mm1", &scenario("mm1", 1, 1, ""));
    for stem in ["response", "throughput", "cdf", "ccdf"] {
        let svg = read(&out, &format!("charts/{stem}.svg"));
        assert!(svg.contains("M/M/1 theory"), "{stem} has no theory line");
    }
    assert!(read(&out, "charts/response.svg").contains("λ = 0.8/s, μ = 1/s"));
    // The timeseries and per-node charts predict nothing.
    assert!(!read(&out, "charts/timeseries.svg").contains("M/M/1"));
}

#[test]
fn a_scenario_that_is_not_mm1_gets_no_theory_line() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("two-cores", scenario("two-cores", 1, 2, "")),
        ("two-nodes", scenario("two-nodes", 2, 1, "")),
        ("sjf", scenario("sjf", 1, 1, "disciplines = [\"fifo\", \"sjf\"]")),
        (
            "lognormal",
            scenario("lognormal", 1, 1, "")
                .replace("\"exponential\", mean = 1.0", "\"lognormal\", mean = 1.0, cv = 2.0"),
        ),
        ("latency", scenario("latency", 1, 1, "[network]\nlatency = { dist = \"constant\", value = 0.01 }")),
    ] {
        let out = run(tmp.path(), name, &text);
        for stem in ["response", "ccdf"] {
            assert!(!read(&out, &format!("charts/{stem}.svg")).contains("M/M/1"), "{name}: {stem} claims M/M/1");
        }
    }
}

#[test]
fn output_charts_sets_the_size_the_formats_and_the_policies_drawn() {
    let tmp = tempfile::tempdir().unwrap();
    let extra =
        "[output]\ncharts = { width = 800, height = 600, formats = [\"png\", \"pdf\"], policies = [\"round_robin\"] }";
    let out = run(tmp.path(), "opts", &scenario("opts", 2, 1, extra));
    let charts = out.join("charts");
    let mut names: Vec<String> =
        std::fs::read_dir(&charts).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert!(names.iter().all(|n| n.ends_with(".png") || n.ends_with(".pdf")), "{names:?}");
    assert!(names.contains(&"response.pdf".to_string()) && names.contains(&"ccdf.png".to_string()), "{names:?}");
    let png = std::fs::read(charts.join("response.png")).unwrap();
    let be = |i: usize| u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]);
    assert_eq!((be(16), be(20)), (800, 600));
    let pdf = std::fs::read(charts.join("response.pdf")).unwrap();
    let page = b"/MediaBox [0 0 800 600]";
    assert!(pdf.starts_with(b"%PDF-") && pdf.windows(page.len()).any(|w| w == page));
    // The charts show round_robin only; the tables keep both.
    let figure = inlined(&out, "response");
    assert!(figure.contains("round_robin") && !figure.contains("\nrandom\n"), "random is drawn");
    assert!(read(&out, "summary.csv").contains(",random,"));
    // The reports link what was written.
    assert!(read(&out, "report.md").contains("](charts/response.png)"));
    assert!(read(&out, "report.md").contains("[PDF](charts/response.pdf)"));
    assert!(!read(&out, "report.html").contains("charts/response.svg\""));
    // plot redraws with the same options, from the folder's scenario.toml.
    std::fs::remove_dir_all(&charts).unwrap();
    Command::cargo_bin("schedsim").unwrap().arg("plot").arg(&out).assert().success();
    assert!(charts.join("response.pdf").is_file() && !charts.join("response.svg").exists());
}

#[test]
fn a_bad_chart_option_is_refused_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bad.toml");
    std::fs::write(&file, scenario("bad", 1, 1, "[output]\ncharts = { formats = [\"svg\", \"jpeg\"] }")).unwrap();
    let assert = Command::cargo_bin("schedsim").unwrap().arg("check").arg(&file).assert().code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(err.contains("bad.toml:17:") && err.contains("output.charts.formats[1]"), "{err}");
    assert!(err.contains("unknown chart format 'jpeg'"), "{err}");
}

#[test]
fn the_tail_chart_stops_where_too_few_tasks_lie_beyond() {
    // 4,000 tasks a replication: 10 tasks lie beyond 0.0025, so the curve reaches
    // 0.003 (the grid's point at or above it) and the axis ends at the decade below.
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), "short", &scenario("short", 1, 1, ""));
    let svg = read(&out, "charts/ccdf.svg");
    let ticks: Vec<&str> = svg.lines().map(str::trim).collect();
    assert!(ticks.contains(&"0.001") && !ticks.contains(&"0.0001"), "the y axis should end at 0.001");
}

#[test]
fn few_nodes_get_a_bar_panel_each_and_many_a_heat_map() {
    let tmp = tempfile::tempdir().unwrap();
    let few = run(tmp.path(), "few", &scenario("few", 2, 1, ""));
    let svg = read(&few, "charts/node_utilization.svg");
    assert!(svg.contains("node 0") && svg.contains("node 1") && svg.contains("a bar per policy"));
    let many = run(tmp.path(), "many", &scenario("many", 12, 1, ""));
    let svg = read(&many, "charts/node_utilization.svg");
    assert!(svg.contains("a row per policy, a column per node"), "not a heat map");
}
