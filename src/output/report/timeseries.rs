//! The time-series chart (`timeseries`): throughput, tasks in system and nodes up per
//! time window of one replication, node crashes and recoveries marked from
//! `events.csv`, a run much longer than the others cut.

use super::data::{self, Results};
use super::Chart;
use crate::output::chart::{
    self, fmt_plain, fmt_sig, AxisSpec, EventMark, Figure, LinePanel, LinePlot, Plot, Scale, Series,
};

/// The time-series chart of `r` at its focus point, or `None` without `timeseries.csv`.
pub(super) fn figure(r: &Results, focus: &str) -> Option<Chart> {
    let name = &r.scenario_name;
    let ts: Vec<_> = r.timeseries.iter().filter(|t| r.at_focus(&t.sweep)).collect();
    let rep = ts.iter().filter_map(|t| t.replication).fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.min(x))));
    let ts: Vec<_> = ts.into_iter().filter(|t| t.replication == rep || t.replication.is_none()).collect();
    if !ts.is_empty() {
        let mut panels = Vec::new();
        let fields: [(&str, TimeField); 3] = [
            ("throughput (tasks/s)", |t| t.throughput),
            ("tasks in system", |t| t.in_system),
            ("nodes up", |t| t.nodes_up),
        ];
        // Crashes and recoveries are the same for every policy (common random
        // numbers), so each is marked once, whichever policy's run it came from.
        // Detector events (suspected, trusted) differ by policy and are not drawn.
        let mut node_events: Vec<NodeEvent> = Vec::new();
        for e in r.events.iter().filter(|e| {
            r.at_focus(&e.sweep)
                && (e.replication == rep || e.replication.is_none())
                && MARKED_EVENTS.contains(&e.event.as_str())
        }) {
            if !node_events.iter().any(|n| n.time == e.time && n.kind == e.event && n.node == e.node) {
                node_events.push(NodeEvent { time: e.time, kind: e.event.clone(), node: e.node.clone() });
            }
        }
        node_events.sort_by(|a, b| a.time.total_cmp(&b.time).then_with(|| a.kind.cmp(&b.kind)));
        let has_nodes_up = ts.iter().any(|t| t.nodes_up.is_some());
        let (events, events_note) = event_marks(&node_events, has_nodes_up);
        for (k, (label, get)) in fields.iter().enumerate() {
            let vals: Vec<f64> = ts.iter().filter_map(|t| get(t)).collect();
            if vals.is_empty() {
                continue;
            }
            // Nodes up only says something when it changes.
            if k == 2 && node_events.is_empty() && vals.iter().all(|v| *v == vals[0]) {
                continue;
            }
            let mut series = Vec::new();
            for (pi, p) in r.policies.iter().enumerate() {
                let pts: Vec<(f64, f64)> = ts
                    .iter()
                    .filter(|t| t.policy == pi)
                    .map(|t| ((t.start + t.end) / 2.0, get(t).unwrap_or(f64::NAN)))
                    .collect();
                if !pts.is_empty() {
                    series.push(Series { label: p.label.clone(), look: pi, points: pts, band: vec![] });
                }
            }
            // Nodes up is the same for every policy when failures do not depend on
            // the policy (common random numbers): one grey line then, not a pile,
            // from the run that lasted longest (runs end when their tasks are done).
            if k == 2 && series.len() > 1 && same_in_every_run(&ts, *get) {
                let longest = (0..series.len())
                    .max_by(|&a, &b| {
                        let end = |i: usize| series[i].points.last().map_or(f64::NEG_INFINITY, |p| p.0);
                        end(a).total_cmp(&end(b)).then(b.cmp(&a))
                    })
                    .unwrap_or(0);
                let mut s = series.swap_remove(longest);
                s.label.clear();
                s.look = chart::NEUTRAL;
                series = vec![s];
            }
            let height = if k == 2 { 0.6 } else { 1.0 };
            // Tasks in system: log when one policy's queue runs away from the others.
            let scale = if k == 1 { level_scale(&series) } else { Scale::LinearFromZero };
            panels.push(LinePanel { y: AxisSpec::new(*label, scale), height, series });
        }
        if !panels.is_empty() {
            let window = ts.first().map(|t| t.end - t.start).filter(|w| *w > 0.0);
            let rep_text =
                rep.map(|x| format!("replication {}", fmt_plain(x))).unwrap_or_else(|| "one replication".into());
            let seed = rep
                .and_then(|x| r.seeds.iter().find(|(rr, _)| rr.parse::<f64>().ok() == Some(x)))
                .map(|(_, s)| format!(" (seed {s})"))
                .unwrap_or_default();
            let mut note = format!("{}{seed}", capitalize(&rep_text));
            if let Some(w) = window {
                note.push_str(&format!(", windows of {} s", fmt_plain(fmt_sig(w, 3).parse().unwrap_or(w))));
            }
            note.push_str(&events_note);
            let mut plot = LinePlot {
                x: AxisSpec::new("time (s)", Scale::LinearFromZero),
                panels,
                events,
                regions: vec![],
                markers: false,
            };
            // A run much longer than the others (a policy that does not keep up) is
            // cut, so that it does not squeeze the comparable ones into a corner.
            if let Some(cut) = plot.cut_long_runs(1.5) {
                note.push('\n');
                note.push_str(&cut.note("s"));
            }
            return Some(Chart {
                fig: Figure {
                    stem: "timeseries".into(),
                    title: format!("Over time{focus} — {name}"),
                    note: Some(note),
                    plot: Plot::Lines(plot),
                },
                caption: format!("Throughput and tasks in the system per time window, one replication{focus}; the tasks-in-system axis is logarithmic when the policies' typical levels differ by more than a factor of 10. Node crashes and recoveries (from events.csv; the same for every policy) are marked by vertical lines when there are at most {MAX_EVENT_MARKS}; when there are more, the nodes-up panel shows them and only several nodes crashing or recovering at the same instant (scripted faults) are marked. Failure-detector events (suspected, trusted) differ by policy and are not drawn. A policy that does not keep up shows a growing number of tasks in the system."),
            });
        }
    }
    None
}

/// A column of `timeseries.csv`.
type TimeField = fn(&data::TimeRow) -> Option<f64>;

/// The events of `events.csv` the time-series chart marks: they happen to nodes,
/// alike for every policy.
const MARKED_EVENTS: [&str; 2] = ["crash", "recover"];

/// At most this many node events are marked one by one; past it, vertical lines
/// would hide the data (a failure storm has hundreds).
const MAX_EVENT_MARKS: usize = 20;

/// A crash or recovery of one node.
#[derive(Debug, Clone, PartialEq)]
struct NodeEvent {
    time: f64,
    kind: String,
    node: String,
}

/// The vertical lines of the time-series chart, and the end of its note (starting
/// with "; " or ".", ending with ".", with a line break before each further
/// sentence), for node events in time order.
///
/// Up to [`MAX_EVENT_MARKS`] events are each marked. Past that, lines would form a
/// curtain over the data, and the nodes-up panel (when there is one) shows the
/// events anyway: only bursts are marked, i.e. several nodes crashing or recovering
/// at the same instant, which random failures never do and scripted faults do.
fn event_marks(events: &[NodeEvent], nodes_up_panel: bool) -> (Vec<EventMark>, String) {
    let mut marks: Vec<EventMark> = Vec::new();
    let mut push = |x: f64, kind: &str| {
        if !marks.iter().any(|m| m.x == x && m.kind == kind) {
            marks.push(EventMark { x, kind: kind.to_string() });
        }
    };
    if events.is_empty() {
        return (marks, ".".into());
    }
    if events.len() <= MAX_EVENT_MARKS {
        for e in events {
            push(e.time, &e.kind);
        }
        return (marks, "; vertical lines mark node crashes and recoveries.".into());
    }
    let count = |kind: &str| events.iter().filter(|e| e.kind == kind).count();
    let mut bursts: Vec<(f64, &str, usize)> = Vec::new();
    for e in events {
        let nodes = events.iter().filter(|o| o.kind == e.kind && o.time == e.time).count();
        if nodes > 1 && !bursts.iter().any(|b| b.0 == e.time && b.1 == e.kind) {
            bursts.push((e.time, &e.kind, nodes));
        }
    }
    let shown = if nodes_up_panel { "the nodes-up panel shows them" } else { "events.csv lists them" };
    let mut note = format!(
        ".\n{} node crashes and {} recoveries are too many to mark one by one: {shown}.",
        count("crash"),
        count("recover")
    );
    if !bursts.is_empty() && bursts.len() <= MAX_EVENT_MARKS {
        for (x, kind, _) in &bursts {
            push(*x, kind);
        }
        let mut at: Vec<String> = Vec::new();
        for (x, kind, nodes) in bursts.iter().take(4) {
            at.push(format!("{nodes} {kind} at {} s", fmt_sig_short(*x)));
        }
        if bursts.len() > 4 {
            at.push("…".into());
        }
        note.push_str(&format!("\nVertical lines mark only nodes failing together: {}.", at.join(", ")));
    }
    (marks, note)
}

/// A time for a note: at most 4 significant digits, no trailing zeros.
fn fmt_sig_short(x: f64) -> String {
    fmt_plain(fmt_sig(x, 4).parse().unwrap_or(x))
}

/// Whether a `timeseries.csv` column has the same value in every run for every
/// window the runs share (the same start and end: a run's last window is cut short
/// where the run ends, so it is not compared).
fn same_in_every_run(rows: &[&data::TimeRow], get: TimeField) -> bool {
    let mut seen: std::collections::HashMap<(u64, u64), Option<f64>> = std::collections::HashMap::new();
    rows.iter().all(|t| *seen.entry((t.start.to_bits(), t.end.to_bits())).or_insert(get(t)) == get(t))
}

/// Log when the policies' typical levels (the median of each line) differ by more
/// than a factor of 10 and every value is positive: then one policy's runaway queue
/// does not flatten the others into the axis. A start-up ramp alone does not count.
fn level_scale(series: &[Series]) -> Scale {
    let mut medians = Vec::new();
    for s in series {
        let mut v: Vec<f64> = s.points.iter().map(|p| p.1).filter(|v| v.is_finite()).collect();
        if v.iter().any(|v| *v <= 0.0) {
            return Scale::LinearFromZero;
        }
        if !v.is_empty() {
            v.sort_by(f64::total_cmp);
            medians.push(v[v.len() / 2]);
        }
    }
    let (lo, hi) = medians.iter().fold((f64::INFINITY, 0.0f64), |(a, b), &m| (a.min(m), b.max(m)));
    if medians.len() > 1 && hi / lo > 10.0 {
        Scale::Log
    } else {
        Scale::LinearFromZero
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}
