//! Tests of the charts and reports, on fixture folders written here.

use super::*;

/// A deterministic "noise" in [0, 1).
fn noise(i: usize) -> f64 {
    ((i as f64 * 12.9898).sin() * 43_758.545_3).fract().abs()
}

const QUANTILES: [f64; 16] =
    [0.001, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999];

/// Writes a results folder shaped like `schedsim run`'s: a load sweep over 2
/// disciplines × 2 balancers, or no sweep with 9 balancers (more than the palette),
/// task classes, node failures and two node groups.
fn write_fixture(dir: &Path, sweep: bool) {
    std::fs::create_dir_all(dir).unwrap();
    let name = if sweep { "load-sweep" } else { "farm" };
    let (disciplines, balancers): (&[&str], &[&str]) = if sweep {
        (&["fifo", "sjf"], &["random", "least_connections"])
    } else {
        (
            &["fifo"],
            &[
                "random",
                "round_robin",
                "least_connections",
                "join_shortest_queue",
                "power_of_two",
                "least_work_left",
                "join_idle_queue",
                "best_fit",
                "min_completion_time",
            ],
        )
    };
    let loads: &[f64] = if sweep { &[0.5, 0.6, 0.7, 0.8, 0.9, 0.95] } else { &[0.7] };
    let reps = if sweep { 5 } else { 3 };
    let lead = |load: f64, d: &str, b: &str| {
        if sweep {
            format!("{name},load,{load},{d},{b}")
        } else {
            format!("{name},{d},{b}")
        }
    };
    let head = |rest: &str| {
        if sweep {
            format!("scenario,sweep_parameter,sweep_value,discipline,balancer,{rest}\n")
        } else {
            format!("scenario,discipline,balancer,{rest}\n")
        }
    };
    let mut summary = head("replications,tasks_arrived,tasks_completed,tasks_failed,tasks_in_system,throughput,throughput_ci95,mean_response,mean_response_ci95,p50_response,p95_response,p99_response,p99_response_ci95,p999_response,max_response,mean_wait,mean_slowdown,utilization,utilization_ci95,imbalance,deadline_misses,retries");
    let mut runs = head("replication,seed,tasks_arrived,throughput,mean_response");
    let mut classes = head("class,priority,replications,tasks_completed,mean_response,mean_response_ci95,p50_response,p95_response,p99_response,max_response,deadline_misses");
    let mut cdf = head("quantile,response");
    let mut ts = head(
        "replication,window_start,window_end,arrivals,completions,throughput,mean_response,tasks_in_system,nodes_up",
    );
    let mut events = head("replication,time,node,group,event");
    let mut nodes = head("node,group,utilization");
    let mut k = 0;
    for &load in loads {
        for d in disciplines {
            for b in balancers {
                let q = 1.0 + 0.45 * k as f64 % 5.0 + 0.2 * (d == &"fifo") as u8 as f64;
                let mean = 0.5 * q / (1.0 - load);
                let tput = 40.0 * load;
                let failed = if b == &"random" { 12 } else { 0 };
                summary.push_str(&format!(
                    "{},{reps},{},{},{failed},0,{},{},{mean},{},{},{},{},{},{},{},{},{},{load},{},{},{},7\n",
                    lead(load, d, b),
                    20000 * reps,
                    20000 * reps - failed,
                    tput,
                    tput * 0.004,
                    mean * 0.08,
                    mean * 0.6,
                    mean * 2.6,
                    mean * 4.4,
                    mean * 4.4 * 0.12,
                    mean * 7.0,
                    mean * 15.0,
                    mean * 0.8,
                    q * 3.0,
                    0.01,
                    0.1 + 0.05 * (k % 4) as f64,
                    if sweep { 0 } else { k * 3 },
                ));
                for rep in 0..reps {
                    runs.push_str(&format!(
                        "{},{rep},{},20000,{},{}\n",
                        lead(load, d, b),
                        1_000_003 * (rep + 1),
                        tput,
                        mean * (0.95 + 0.1 * noise(k * 10 + rep))
                    ));
                }
                if !sweep {
                    for (c, (class, prio, f)) in [("interactive", 0, 0.4), ("batch", 1, 1.3)].iter().enumerate() {
                        classes.push_str(&format!(
                            "{},{class},{prio},{reps},{},{},{},{},{},{},{},{}\n",
                            lead(load, d, b),
                            10000 * reps,
                            mean * f,
                            mean * f * 0.1,
                            mean * f * 0.6,
                            mean * f * 2.5,
                            mean * f * 4.0,
                            mean * f * 14.0,
                            if c == 0 { k * 2 } else { 0 }
                        ));
                    }
                }
                for qq in QUANTILES {
                    cdf.push_str(&format!("{},{qq},{}\n", lead(load, d, b), mean * -(1.0 - qq).ln()));
                }
                for w in 0..60 {
                    let t0 = w as f64 * 10.0;
                    let down = (200.0..320.0).contains(&t0) || (410.0..470.0).contains(&t0);
                    let bump = if down { 6.0 + 2.0 * k as f64 % 7.0 } else { 0.0 };
                    ts.push_str(&format!(
                        "{},0,{t0},{},{},{},{},{},{},{}\n",
                        lead(load, d, b),
                        t0 + 10.0,
                        (tput * 10.0) as u64,
                        (tput * 10.0) as u64,
                        tput * (0.9 + 0.2 * noise(w + 100 * k)),
                        mean,
                        q * 4.0 + 3.0 * noise(w * 7 + k) + bump,
                        if down { 15 } else { 16 },
                    ));
                }
                for (t, node, group, ev) in [
                    (200.0, 3, "fast", "crash"),
                    (320.0, 3, "fast", "recover"),
                    (410.0, 9, "slow", "crash"),
                    (470.0, 9, "slow", "recover"),
                ] {
                    events.push_str(&format!("{},0,{t},{node},{group},{ev}\n", lead(load, d, b)));
                }
                for n in 0..16 {
                    let fast = n < 4;
                    let u = if b == &"random" || b == &"round_robin" {
                        if fast {
                            load * 0.45
                        } else {
                            (load * 1.25).min(0.99)
                        }
                    } else {
                        load * (0.9 + 0.15 * noise(n + 31 * k))
                    };
                    nodes.push_str(&format!(
                        "{},{n},{},{}\n",
                        lead(load, d, b),
                        if fast { "fast" } else { "slow" },
                        u.min(1.0)
                    ));
                }
                k += 1;
            }
        }
        k = 0;
    }
    let files = [
        ("summary.csv", summary),
        ("runs.csv", runs),
        ("cdf.csv", cdf),
        ("timeseries.csv", ts),
        ("events.csv", events),
        ("nodes.csv", nodes),
        (
            "scenario.toml",
            format!(
                "name = \"{name}\"\ndescription = \"A fixture: {}\"\nseed = 7\nreplications = {reps}\n\n[run]\ntasks = 20_000\n",
                if sweep { "load sweep <0.5 to 0.95> & two disciplines" } else { "nine balancers, failures & classes" }
            ),
        ),
    ];
    for (f, text) in files {
        std::fs::write(dir.join(f), text).unwrap();
    }
    if !sweep {
        std::fs::write(dir.join("classes.csv"), classes).unwrap();
    }
}

fn is_svg(bytes: &[u8]) -> bool {
    let s = std::str::from_utf8(bytes).unwrap();
    s.starts_with("<svg") && s.trim_end().ends_with("</svg>") && s.matches("<svg").count() == 1 && s.contains("<text")
}

/// PNG signature, an IHDR of the chart's size, and the IEND chunk last.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let sig = [137u8, 80, 78, 71, 13, 10, 26, 10];
    if bytes.len() < 45
        || bytes[..8] != sig
        || &bytes[12..16] != b"IHDR"
        || &bytes[bytes.len() - 8..bytes.len() - 4] != b"IEND"
    {
        return None;
    }
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    Some((be(16), be(20)))
}

fn stems(r: &Rendered) -> Vec<String> {
    let mut v: Vec<String> = r
        .files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn check_folder(dir: &Path, rendered: &Rendered) {
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    for stem in stems(rendered) {
        let svg = std::fs::read(dir.join(format!("charts/{stem}.svg"))).unwrap();
        let png = std::fs::read(dir.join(format!("charts/{stem}.png"))).unwrap();
        assert!(is_svg(&svg), "{stem}.svg is not a whole SVG document");
        assert_eq!(png_size(&png), Some((chart::WIDTH, chart::HEIGHT)), "{stem}.png");
        assert!(html.contains(std::str::from_utf8(&svg).unwrap().trim_end()), "report.html does not inline {stem}.svg");
        assert!(md.contains(&format!("](charts/{stem}.png)")), "report.md does not link {stem}.png");
    }
    // No scratch files left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_folder_without_sweep_gets_every_single_point_chart() {
    let tmp = tempfile::tempdir().unwrap();
    write_fixture(tmp.path(), false);
    let rendered = render_scenario(tmp.path()).unwrap();
    assert_eq!(stems(&rendered), ["ccdf", "cdf", "node_utilization", "response", "throughput", "timeseries"]);
    assert_eq!(rendered.files.len(), 14);
    check_folder(tmp.path(), &rendered);
    let html = std::fs::read_to_string(tmp.path().join("report.html")).unwrap();
    for needle in [
        "Per task class",
        "interactive",
        "schedsim run scenario.toml",
        "seeds by replication",
        env!("CARGO_PKG_VERSION"),
        "± ",
        "deadline misses",
        "failed",
    ] {
        assert!(html.contains(needle), "report.html lacks {needle:?}");
    }
    // Nine policies: the table gives each its chart colour.
    assert!(html.contains(&format!("background:{}", chart::css_color(8))));
    let svg = std::fs::read_to_string(tmp.path().join("charts/timeseries.svg")).unwrap();
    assert!(svg.contains("\ncrash\n") && svg.contains("\nrecover\n"), "failure events are not in the legend");
}

#[test]
fn a_swept_folder_adds_latency_charts_and_says_which_point_the_others_show() {
    let tmp = tempfile::tempdir().unwrap();
    write_fixture(tmp.path(), true);
    let rendered = render_scenario(tmp.path()).unwrap();
    assert_eq!(
        stems(&rendered),
        ["ccdf", "cdf", "latency_mean", "latency_p99", "node_utilization", "response", "throughput", "timeseries"]
    );
    check_folder(tmp.path(), &rendered);
    let svg = std::fs::read_to_string(tmp.path().join("charts/response.svg")).unwrap();
    assert!(svg.contains("at load = 0.95"));
    let svg = std::fs::read_to_string(tmp.path().join("charts/latency_mean.svg")).unwrap();
    assert!(svg.contains("fifo / random") && svg.contains("log scale"));
    let md = std::fs::read_to_string(tmp.path().join("report.md")).unwrap();
    assert!(md.contains("| load | policy |"));
    assert!(md.contains("load sweep \\<0.5 to 0.95\\> & two disciplines"), "{md}");
    let html = std::fs::read_to_string(tmp.path().join("report.html")).unwrap();
    assert!(html.contains("load sweep &lt;0.5 to 0.95&gt; &amp; two disciplines"));
}

#[test]
fn rendering_twice_gives_identical_bytes_and_plot_redraws_from_csv_alone() {
    let tmp = tempfile::tempdir().unwrap();
    write_fixture(tmp.path(), true);
    let first = render_scenario(tmp.path()).unwrap();
    let bytes: Vec<Vec<u8>> = first.files.iter().map(|p| std::fs::read(p).unwrap()).collect();
    // Throw away everything drawn; the CSVs alone must give the same files back.
    std::fs::remove_dir_all(tmp.path().join("charts")).unwrap();
    std::fs::remove_file(tmp.path().join("report.html")).unwrap();
    let second = render_scenario(tmp.path()).unwrap();
    assert_eq!(first, second);
    for (p, b) in second.files.iter().zip(&bytes) {
        assert!(std::fs::read(p).unwrap() == *b, "{} differs between renders", p.display());
    }
}

#[test]
fn a_minimal_summary_is_enough() {
    // The older summary.csv shape: no sweep, no CI columns but one, no other files.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("summary.csv"),
        "scenario,discipline,balancer,replications,throughput,mean_response,mean_response_ci95,p99_response\n\
         mm1,fifo,random,1,0.9,10.2,,80.1\nmm1,fifo,round_robin,1,0.9,9.8,,75.0\n",
    )
    .unwrap();
    let rendered = render_scenario(tmp.path()).unwrap();
    assert_eq!(stems(&rendered), ["response", "throughput"]);
    check_folder(tmp.path(), &rendered);
    let md = std::fs::read_to_string(tmp.path().join("report.md")).unwrap();
    assert!(md.contains("| random | 1 | 0.9000 | 10.20 |"), "{md}");
    assert!(md.contains("One replication") || md.contains("no interval"));
}

#[test]
fn stale_charts_of_an_earlier_shape_are_removed() {
    let tmp = tempfile::tempdir().unwrap();
    write_fixture(tmp.path(), true);
    render_scenario(tmp.path()).unwrap();
    std::fs::remove_file(tmp.path().join("cdf.csv")).unwrap();
    let rendered = render_scenario(tmp.path()).unwrap();
    assert!(!stems(&rendered).contains(&"cdf".to_string()));
    assert!(!tmp.path().join("charts/cdf.png").exists());
}

fn error_of(summary: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("summary.csv"), summary).unwrap();
    let e = render_scenario(tmp.path()).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("summary.csv"), "error does not name the file: {text}");
    text
}

#[test]
fn bad_input_is_an_error_naming_file_line_and_column() {
    let t = error_of("discipline,balancer,mean_response\nfifo,random,1.0\nfifo,jsq,fast\n");
    assert!(t.contains("summary.csv:3") && t.contains("mean_response") && t.contains("'fast'"), "{t}");
    let t = error_of("discipline,balancer,mean_response\nfifo,random,1.0,7\n");
    assert!(t.contains("summary.csv:2") && t.contains("fields"), "{t}");
    let t = error_of("discipline,mean_response\nfifo,1.0\n");
    assert!(t.contains("'balancer'"), "{t}");
    let t = error_of("discipline,balancer\n,random\n");
    assert!(t.contains("summary.csv:2") && t.contains("discipline"), "{t}");
    error_of("");

    let tmp = tempfile::tempdir().unwrap();
    let e = render_scenario(tmp.path()).unwrap_err();
    assert!(matches!(e, OutputError::Missing { .. }) && e.to_string().contains("summary.csv"));

    // An optional file is checked as strictly as the summary.
    write_fixture(tmp.path(), false);
    std::fs::write(tmp.path().join("cdf.csv"), "discipline,balancer,quantile,response\nfifo,random,0.5,x\n").unwrap();
    let t = render_scenario(tmp.path()).unwrap_err().to_string();
    assert!(t.contains("cdf.csv:2") && t.contains("response"), "{t}");
    std::fs::write(tmp.path().join("cdf.csv"), "discipline,balancer,quantile\n").unwrap();
    let t = render_scenario(tmp.path()).unwrap_err().to_string();
    assert!(t.contains("cdf.csv") && t.contains("'response'"), "{t}");
    std::fs::write(tmp.path().join("cdf.csv"), b"discipline,balancer,quantile,response\n\xff,random,0.5,1\n").unwrap();
    let t = render_scenario(tmp.path()).unwrap_err().to_string();
    assert!(t.contains("cdf.csv:2") && t.contains("UTF-8"), "{t}");
}

#[test]
fn the_index_links_every_rendered_scenario_in_name_order() {
    let tmp = tempfile::tempdir().unwrap();
    write_fixture(&tmp.path().join("zeta"), false);
    write_fixture(&tmp.path().join("alpha"), true);
    std::fs::create_dir_all(tmp.path().join("not-rendered")).unwrap();
    render_scenario(&tmp.path().join("zeta")).unwrap();
    render_scenario(&tmp.path().join("alpha")).unwrap();
    let path = render_index(tmp.path()).unwrap();
    assert_eq!(path, tmp.path().join("index.html"));
    let html = std::fs::read_to_string(&path).unwrap();
    let (a, z) = (html.find("alpha/report.html").unwrap(), html.find("zeta/report.html").unwrap());
    assert!(a < z);
    assert!(!html.contains("not-rendered"));
    assert!(html.contains("nine balancers, failures &amp; classes"));
    assert!(render_index(&tmp.path().join("missing")).unwrap_err().to_string().contains("missing"));
}

/// A failure storm: three policies in windows of 20 s, the third one's queue running
/// away (response 1000x the others', 200 to 24,000 tasks in system) and its run
/// lasting longer; 12 nodes crashing and recovering 100 times each at random, logged
/// by every policy's run with its own suspected/trusted; with `burst`, two more
/// nodes crashing together at 1000 s and recovering together at 1120 s.
fn write_storm(dir: &Path, burst: bool) {
    std::fs::create_dir_all(dir).unwrap();
    let mut summary = String::from(
        "scenario,discipline,balancer,replications,throughput,mean_response,mean_response_ci95,p50_response,p95_response,p99_response\n",
    );
    let mut ts = String::from(
        "scenario,discipline,balancer,replication,window_start,window_end,throughput,tasks_in_system,nodes_up\n",
    );
    let mut events = String::from("scenario,discipline,balancer,replication,time,node,group,event\n");
    let mut crashes: Vec<(f64, usize, &str)> = Vec::new();
    for i in 0..100 {
        let t = 5.0 + 19.7 * i as f64 + noise(i);
        crashes.push((t, i % 12, "crash"));
        crashes.push((t + 8.0 + noise(i + 500), i % 12, "recover"));
    }
    if burst {
        for node in [12, 13] {
            crashes.push((1000.0, node, "crash"));
            crashes.push((1120.0, node, "recover"));
        }
    }
    crashes.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (pi, b) in ["random", "least_connections", "shortest_response_time"].iter().enumerate() {
        let runaway = pi == 2;
        let mean = if runaway { 1800.0 } else { 0.9 + 0.3 * pi as f64 };
        summary.push_str(&format!(
            "storm,fifo,{b},3,20,{mean},{},{},{},{}\n",
            mean * 0.05,
            mean * 0.5,
            mean * 3.0,
            mean * 6.0
        ));
        let windows = if runaway { 120 } else { 100 };
        for w in 0..windows {
            // The shorter runs end 7 s into their last window, with another count.
            let partial = !runaway && w + 1 == windows;
            let t0 = w as f64 * 20.0;
            let t1 = if partial { t0 + 7.0 } else { t0 + 20.0 };
            let in_system = if runaway { 200.0 * (w + 1) as f64 } else { 15.0 + 10.0 * noise(w + 100 * pi) };
            let up = if partial { 12 } else { 14 + w % 3 };
            ts.push_str(&format!("storm,fifo,{b},0,{t0},{t1},20,{in_system},{up}\n"));
        }
        for (t, node, ev) in &crashes {
            events.push_str(&format!("storm,fifo,{b},0,{t},{node},slow,{ev}\n"));
            let detector = if *ev == "crash" { "suspected" } else { "trusted" };
            events.push_str(&format!("storm,fifo,{b},0,{},{node},slow,{detector}\n", t + 2.0 + pi as f64));
        }
    }
    for (f, text) in [("summary.csv", summary), ("timeseries.csv", ts), ("events.csv", events)] {
        std::fs::write(dir.join(f), text).unwrap();
    }
}

fn timeseries_of(dir: &Path) -> (LinePlot, String) {
    let r = Results::load(dir).unwrap();
    let c = figures(&r).into_iter().find(|c| c.fig.stem == "timeseries").expect("a timeseries chart");
    match c.fig.plot {
        Plot::Lines(p) => (p, c.fig.note.unwrap_or_default()),
        _ => panic!("timeseries is a line chart"),
    }
}

#[test]
fn a_failure_storm_draws_no_per_event_lines() {
    let tmp = tempfile::tempdir().unwrap();
    write_storm(tmp.path(), false);
    let (p, note) = timeseries_of(tmp.path());
    assert!(p.events.is_empty(), "{} event lines", p.events.len());
    assert!(note.contains("100 node crashes and 100 recoveries") && note.contains("nodes-up panel"), "{note}");
    // The nodes-up panel is there to show them: one grey line, since every run saw
    // the same failures (the longest run's, though the runs end at different times).
    let nodes_up = &p.panels[2];
    assert_eq!(nodes_up.y.label, "nodes up");
    assert_eq!(nodes_up.series.len(), 1);
    assert_eq!(nodes_up.series[0].look, chart::NEUTRAL);
    assert_eq!(nodes_up.series[0].points.last().unwrap().0, 2390.0);
    let rendered = render_scenario(tmp.path()).unwrap();
    check_folder(tmp.path(), &rendered);
    let svg = std::fs::read_to_string(tmp.path().join("charts/timeseries.svg")).unwrap();
    for kind in ["crash", "recover", "suspected", "trusted"] {
        assert!(!svg.contains(&format!("\n{kind}\n")), "{kind} is in the legend");
    }
}

#[test]
fn a_failure_storm_still_marks_nodes_failing_together() {
    let tmp = tempfile::tempdir().unwrap();
    write_storm(tmp.path(), true);
    let (p, note) = timeseries_of(tmp.path());
    let marks: Vec<(f64, &str)> = p.events.iter().map(|e| (e.x, e.kind.as_str())).collect();
    assert_eq!(marks, [(1000.0, "crash"), (1120.0, "recover")]);
    assert!(note.contains("102 node crashes") && note.contains("2 crash at 1000 s, 2 recover at 1120 s"), "{note}");
}

#[test]
fn a_runaway_queue_puts_tasks_in_system_on_a_log_axis() {
    let tmp = tempfile::tempdir().unwrap();
    write_storm(tmp.path(), false);
    let (p, _) = timeseries_of(tmp.path());
    assert_eq!((p.panels[1].y.label.as_str(), p.panels[1].y.scale), ("tasks in system", Scale::Log));
    assert_eq!(p.panels[0].y.scale, Scale::LinearFromZero, "throughput does not span decades");
    // The farm fixture has no runaway queue: its axis stays linear.
    let (farm, _) = {
        write_fixture(&tmp.path().join("farm"), false);
        timeseries_of(&tmp.path().join("farm"))
    };
    assert_eq!(farm.panels[1].y.scale, Scale::LinearFromZero);
}

#[test]
fn a_1000x_outlier_puts_response_bars_on_a_log_axis_with_one_shared_label() {
    let tmp = tempfile::tempdir().unwrap();
    write_storm(tmp.path(), false);
    render_scenario(tmp.path()).unwrap();
    let svg = std::fs::read_to_string(tmp.path().join("charts/response.svg")).unwrap();
    assert!(svg.contains("log scale"), "no log axis");
    assert_eq!(svg.matches("response time (s)").count(), 1, "one axis label under the four panels");
    // Without the outlier the bars stay linear.
    let summary = std::fs::read_to_string(tmp.path().join("summary.csv")).unwrap();
    let lines: Vec<&str> = summary.lines().filter(|l| !l.contains("shortest_response_time")).collect();
    std::fs::write(tmp.path().join("summary.csv"), lines.join("\n") + "\n").unwrap();
    render_scenario(tmp.path()).unwrap();
    let svg = std::fs::read_to_string(tmp.path().join("charts/response.svg")).unwrap();
    assert!(!svg.contains("log scale"));
    assert_eq!(svg.matches("response time (s)").count(), 1);
}

/// Renders the fixtures (and any folders named in `SCHEDSIM_RENDER`, separated by
/// `:`) into `SCHEDSIM_FIXTURE_OUT` (default `target/chart-fixtures`), to look at.
#[test]
#[ignore = "writes example reports to look at"]
fn write_fixture_reports() {
    let out = PathBuf::from(std::env::var("SCHEDSIM_FIXTURE_OUT").unwrap_or_else(|_| "target/chart-fixtures".into()));
    for (name, sweep) in [("farm", false), ("load-sweep", true)] {
        write_fixture(&out.join(name), sweep);
        render_scenario(&out.join(name)).unwrap();
    }
    write_storm(&out.join("storm"), true);
    render_scenario(&out.join("storm")).unwrap();
    if let Ok(dirs) = std::env::var("SCHEDSIM_RENDER") {
        for d in dirs.split(':').filter(|d| !d.is_empty()) {
            render_scenario(Path::new(d)).unwrap();
        }
    }
    render_index(&out).unwrap();
}
