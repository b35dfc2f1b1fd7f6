//! The time-series chart in a failure storm: no curtain of event lines, bursts still
//! marked, a runaway queue on a log axis; and a 1000x outlier in the bars.

use super::*;
use crate::output::chart::{LinePlot, Plot, Scale};

/// A failure storm: three policies in windows of 20 s, the third one's queue running
/// away (response 1000x the others', 200 to 24,000 tasks in system) and its run
/// lasting longer; 12 nodes crashing and recovering 100 times each at random, logged
/// by every policy's run with its own suspected/trusted; with `burst`, two more
/// nodes crashing together at 1000 s and recovering together at 1120 s.
pub(super) fn write_storm(dir: &Path, burst: bool) {
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
