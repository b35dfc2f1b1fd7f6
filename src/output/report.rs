//! Charts and a report for one results folder, drawn from its CSV files alone.
//!
//! [`render_scenario`] reads `results/<scenario>/` (the tables `schedsim run` wrote,
//! see `output::tables`) and writes:
//!
//! | file | what |
//! |---|---|
//! | `charts/<chart>.svg`, `.png` | every chart that the tables support (below) |
//! | `report.html` | self-contained: what was run, the tables, every chart inline as SVG |
//! | `report.md` | the same tables in Markdown, with links to the PNGs |
//!
//! Charts, and when each is drawn:
//!
//! | chart | needs | shows |
//! |---|---|---|
//! | `latency_mean` | a sweep with ≥ 2 points | mean response vs the swept parameter, 95% CI band |
//! | `latency_p99` | a sweep with ≥ 2 points | p99 response vs the swept parameter, 95% CI band |
//! | `response` | `summary.csv` | mean, p50, p95, p99 response per policy, CI whiskers |
//! | `throughput` | `summary.csv` | throughput and utilization per policy, CI whiskers |
//! | `cdf` | `cdf.csv` | response-time distribution per policy |
//! | `ccdf` | `cdf.csv` | its tail, P(response > x) on log-log axes (`tail.rs`) |
//! | `timeseries` | `timeseries.csv` | throughput and tasks in system over time, failures marked from `events.csv`; a run much longer than the others cut |
//! | `node_utilization` | `nodes.csv` | utilization of each node per policy: bars or a heat map (`nodes.rs`) |
//! | `gantt` | `gantt.csv` (central mode) | the first jobs as rectangles of cores over time, a panel per policy (`gantt.rs`) |
//! | `job_response` | `summary.csv` job columns | mean and p99 job response per policy, with intervals (`job_response.rs`) |
//! | `job_gantt` | `job_gantt.csv` (jobs of many tasks) | one job's tasks on the nodes' cores over time, a panel per policy (`job_gantt.rs`) |
//!
//! In a swept scenario, the charts that show one point (all but the `latency_*`
//! ones) show the largest sweep value, where policies differ most, and say so in
//! their title. Each policy keeps one colour in every chart (its order of first
//! appearance in `summary.csv`), and its swatch labels it in the tables.
//!
//! Where the scenario is a queue theory solves (M/M/1), the charts draw the
//! theoretical values as dashed lines (`theory.rs`). `[output] charts` in the
//! scenario sets their size, formats and policies (`options.rs`).
//!
//! [`render_index`] writes `results/index.html`, linking every scenario's report.
//! Output is deterministic: the same CSVs give the same bytes.

mod compare;
mod data;
mod job_gantt;
mod job_response;
mod nodes;
mod options;
mod tail;
mod theory;

use std::path::{Path, PathBuf};

use self::data::{ClassRow, Results, Stat, SummaryRow};
use super::chart::{
    self, css_color, decimals_sig, fmt_plain, fmt_sig, AxisSpec, BarPanel, BarPlot, Canvas, EventMark, Figure,
    LinePanel, LinePlot, Plot, Scale, Series,
};
use super::gantt::GanttJob;
use super::write_atomic;
use crate::policy::registry::Registry;
use crate::scenario::ChartFormat;

/// Every chart this module can draw; stale ones (from an earlier render of a
/// different shape) are removed so the folder matches the report.
const CHART_STEMS: [&str; 12] = [
    "latency_mean",
    "latency_p99",
    "response",
    "throughput",
    "cdf",
    "job_cdf",
    "ccdf",
    "timeseries",
    "node_utilization",
    "gantt",
    "job_gantt",
    "job_response",
];

/// What went wrong reading a results folder or writing its charts and report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// A required file is missing.
    #[error("{}: not found (is this a results folder written by `schedsim run`?)", path.display())]
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// A file could not be read or written.
    #[error("{}: {error}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// A CSV file is malformed (bad quoting, a row with the wrong number of fields).
    #[error("{}:{line}: {message}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// Its line.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A CSV file lacks a column it needs.
    #[error("{}: no column '{column}'", path.display())]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
    },
    /// A cell holds a value that cannot be used.
    #[error("{}:{line}: column '{column}': {message}", path.display())]
    Value {
        /// The file.
        path: PathBuf,
        /// Its line.
        line: u64,
        /// The column's name.
        column: String,
        /// What is wrong.
        message: String,
    },
    /// `scenario.toml` is not valid TOML.
    #[error("{}: {message}", path.display())]
    Scenario {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A chart could not be drawn.
    #[error("{}: {message}", path.display())]
    Chart {
        /// The chart file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// The files [`render_scenario`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Every file written, charts first, then `report.html` and `report.md`.
    pub files: Vec<PathBuf>,
}

/// A chart with the sentence that explains it in the report.
struct Chart {
    fig: Figure,
    caption: String,
}

/// Reads the CSVs of one results folder (`results/<scenario>/`) and writes its
/// charts (`charts/*.svg`, `charts/*.png`), `report.html` and `report.md`, each
/// atomically. Nothing is simulated: this is what `schedsim plot DIR` runs.
///
/// `summary.csv` is required; `classes.csv`, `cdf.csv`, `timeseries.csv`,
/// `events.csv`, `nodes.csv`, `gantt.csv`, `runs.csv` and `scenario.toml` add to the report when
/// present. Bad input is an error naming the file (and line and column), never a panic.
pub fn render_scenario(dir: &Path) -> Result<Rendered, OutputError> {
    render_scenario_with(dir, &Registry::default())
}

/// [`render_scenario`] for results whose scenario names policies of `registry` (a
/// program's own beside the built-in ones): the copy of the scenario kept with the
/// results is read against it, for what the charts draw from the scenario itself
/// (the M/M/1 theory lines).
pub fn render_scenario_with(dir: &Path, registry: &Registry) -> Result<Rendered, OutputError> {
    let r = Results::load(dir)?;
    let text = r.scenario.text.as_deref();
    let options = options::read(dir, text)?;
    let mut charts = figures(&options::select(&r, &options, dir)?);
    theory::of(dir, text, registry).annotate(&mut charts, &r);
    let charts_dir = dir.join("charts");
    std::fs::create_dir_all(&charts_dir).map_err(|e| OutputError::Io { path: charts_dir.clone(), error: e })?;

    let canvas = Canvas { width: options.width, height: options.height };
    let mut files = Vec::new();
    let mut svgs = Vec::new();
    for c in &charts {
        let path = |f: ChartFormat| charts_dir.join(format!("{}.{}", c.fig.stem, f.ext()));
        let failed =
            |f: ChartFormat| move |e: chart::ChartError| OutputError::Chart { path: path(f), message: e.to_string() };
        // The SVG is drawn whatever is written: the HTML report inlines it, and the
        // PDF is converted from it.
        let svg = chart::render_svg_on(&c.fig, canvas).map_err(failed(ChartFormat::Svg))?;
        for &f in &options.formats {
            let bytes = match f {
                ChartFormat::Svg => svg.as_bytes().to_vec(),
                ChartFormat::Png => {
                    let scratch = charts_dir.join(format!(".{}.render.png", c.fig.stem));
                    chart::render_png_on(&c.fig, canvas, &scratch).map_err(failed(f))?
                }
                ChartFormat::Pdf => chart::render_pdf(&svg).map_err(failed(f))?,
            };
            write(&path(f), &bytes)?;
            files.push(path(f));
        }
        svgs.push(svg);
    }
    for stem in CHART_STEMS {
        let drawn = charts.iter().any(|c| c.fig.stem == stem);
        for f in ChartFormat::ALL.into_iter().filter(|f| !drawn || !options.formats.contains(f)) {
            let stale = charts_dir.join(format!("{stem}.{}", f.ext()));
            match std::fs::remove_file(&stale) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(OutputError::Io { path: stale, error: e })
                }
                _ => {}
            }
        }
    }

    let html_path = dir.join("report.html");
    write(&html_path, html_report(&r, &charts, &svgs, &options.formats).as_bytes())?;
    files.push(html_path);
    let md_path = dir.join("report.md");
    write(&md_path, markdown_report(&r, &charts, &options.formats).as_bytes())?;
    files.push(md_path);
    Ok(Rendered { files })
}

/// Reads a results folder and draws its charts and reports in memory, writing nothing:
/// [`render_scenario`] short of the files, for checks of the readers and the drawing
/// (the fuzz target of `plot`). Returns how many charts were drawn.
pub fn draw_in_memory(dir: &Path) -> Result<usize, OutputError> {
    let r = Results::load(dir)?;
    let text = r.scenario.text.as_deref();
    let options = options::read(dir, text)?;
    let mut charts = figures(&options::select(&r, &options, dir)?);
    theory::of(dir, text, &Registry::default()).annotate(&mut charts, &r);
    let canvas = Canvas { width: options.width, height: options.height };
    let mut svgs = Vec::new();
    for c in &charts {
        let svg = chart::render_svg_on(&c.fig, canvas)
            .map_err(|e| OutputError::Chart { path: dir.join(&c.fig.stem), message: e.to_string() })?;
        svgs.push(svg);
    }
    let _ = html_report(&r, &charts, &svgs, &options.formats);
    let _ = markdown_report(&r, &charts, &options.formats);
    Ok(charts.len())
}

/// Writes `results_dir/index.html`: a link to every subfolder's `report.html`
/// (sorted by folder name) with the scenario's description. Returns its path.
pub fn render_index(results_dir: &Path) -> Result<PathBuf, OutputError> {
    let io = |e| OutputError::Io { path: results_dir.to_path_buf(), error: e };
    let mut names: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(results_dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        // Hidden folders are a run's staging, never a scenario's results.
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if !hidden && entry.path().join("report.html").is_file() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    let mut h = String::new();
    h.push_str(&html_head("schedsim results"));
    h.push_str("<h1>schedsim results</h1>\n");
    if names.is_empty() {
        h.push_str("<p>No reports yet: run <code>schedsim run</code> or <code>schedsim plot DIR</code>.</p>\n");
    } else {
        h.push_str("<table class=\"index\">\n<tr><th class=\"l\">scenario</th><th class=\"l\">description</th><th class=\"l\">reports</th><th class=\"l\">preview</th></tr>\n");
        for name in &names {
            let dir = results_dir.join(name);
            // The index must not fail over one folder's broken scenario copy.
            let description = data::read_scenario(&dir.join("scenario.toml")).ok().and_then(|s| s.description);
            let preview = ["latency_p99", "response"]
                .iter()
                .map(|s| format!("charts/{s}.png"))
                .find(|p| dir.join(p).is_file())
                .map(|p| {
                    format!(
                        "<a href=\"{0}/report.html\"><img src=\"{0}/{1}\" width=\"240\" alt=\"\"></a>",
                        url(name),
                        p
                    )
                })
                .unwrap_or_default();
            h.push_str(&format!(
                "<tr><td class=\"l\"><a href=\"{u}/report.html\">{n}</a></td><td class=\"l wide\">{d}</td><td class=\"l\"><a href=\"{u}/report.html\">HTML</a> · <a href=\"{u}/report.md\">Markdown</a></td><td class=\"l\">{preview}</td></tr>\n",
                u = url(name),
                n = esc(name),
                d = esc(description.as_deref().unwrap_or("")),
            ));
        }
        h.push_str("</table>\n");
    }
    h.push_str(&format!("<p class=\"note\">schedsim {}</p>\n</body>\n</html>\n", env!("CARGO_PKG_VERSION")));
    let path = results_dir.join("index.html");
    write(&path, h.as_bytes())?;
    Ok(path)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    write_atomic(path, bytes).map_err(|e| OutputError::Io { path: path.to_path_buf(), error: e })
}

// ---------------------------------------------------------------------------
// Which charts, from which tables

fn figures(r: &Results) -> Vec<Chart> {
    let mut out = Vec::new();
    let name = &r.scenario_name;
    let reps = replications_text(r);
    let ci_note = |what: &str| match reps.as_deref() {
        Some("1") | None => "One replication: no confidence intervals.".to_string(),
        Some(n) => format!("{what}: 95% confidence intervals over {n} replications (Student t)."),
    };
    let focus = match (&r.sweep_parameter, r.focus()) {
        (Some(p), Some(v)) if r.sweep_values.len() > 1 => format!(" at {p} = {v}"),
        _ => String::new(),
    };

    // Latency vs the swept parameter.
    if r.sweep_values.len() >= 2 {
        let param = r.sweep_parameter.clone().unwrap_or_else(|| "sweep value".into());
        let numeric: Option<Vec<f64>> = r.sweep_values.iter().map(|v| v.parse().ok()).collect();
        let mut x = AxisSpec::new(param.clone(), Scale::Linear);
        if numeric.is_none() {
            x.categories = r.sweep_values.clone();
        }
        let xs: Vec<f64> = numeric.unwrap_or_else(|| (0..r.sweep_values.len()).map(|i| i as f64).collect());
        for (stem, what, get) in [
            ("latency_mean", "Mean response time", (|s: &SummaryRow| s.mean_response) as fn(&SummaryRow) -> Stat),
            ("latency_p99", "p99 response time", |s: &SummaryRow| s.p99),
        ] {
            let mut series = Vec::new();
            for (pi, p) in r.policies.iter().enumerate() {
                let mut s = Series { label: p.label.clone(), look: pi, points: Vec::new(), band: Vec::new() };
                for (v, &xv) in r.sweep_values.iter().zip(&xs) {
                    let row = r
                        .summary
                        .iter()
                        .find(|s| s.policy == pi && s.sweep.as_deref().is_some_and(|w| data::same_sweep(w, v)));
                    if let Some(Stat { mean: Some(m), ci }) = row.map(get) {
                        s.points.push((xv, m));
                        if let Some(c) = ci {
                            s.band.push((xv, m - c, m + c));
                        }
                    }
                }
                if !s.points.is_empty() {
                    series.push(s);
                }
            }
            if series.is_empty() {
                continue;
            }
            let y = AxisSpec::new(format!("{} (s)", what.to_lowercase()), Scale::Auto);
            out.push(Chart {
                fig: Figure {
                    stem: stem.into(),
                    title: format!("{what} vs {param} — {name}"),
                    note: Some(ci_note("Shaded bands")),
                    plot: Plot::Lines(LinePlot { x: x.clone(), panels: vec![LinePanel { y, height: 1.0, series }], events: vec![], regions: vec![], markers: true }),
                },
                caption: format!(
                    "{what} of each policy at each value of {param}; the shaded band around a line is the 95% confidence interval of that value. The y axis is logarithmic when the values span more than a factor of 10.{}",
                    compare::saturation_caption(r)
                ),
            });
        }
    }

    // Bars at the focus point.
    let rows: Vec<&SummaryRow> = r.summary.iter().filter(|s| r.at_focus(&s.sweep)).collect();
    let categories: Vec<(String, usize)> =
        rows.iter().map(|s| (r.policies[s.policy].label.clone(), s.policy)).collect();
    let panel = |title: &str, axis: &str, get: fn(&SummaryRow) -> Stat| BarPanel {
        title: title.into(),
        axis: axis.into(),
        values: rows.iter().map(|s| get(s).bar()).collect(),
        range: None,
        reference: None,
    };
    let has = |get: fn(&SummaryRow) -> Stat| rows.iter().any(|s| get(s).mean.is_some());
    let mut response_panels = Vec::new();
    for (title, get) in [
        ("mean", (|s: &SummaryRow| s.mean_response) as fn(&SummaryRow) -> Stat),
        ("p50 (median)", |s: &SummaryRow| s.p50),
        ("p95", |s: &SummaryRow| s.p95),
        ("p99", |s: &SummaryRow| s.p99),
    ] {
        if has(get) {
            response_panels.push(panel(title, "response time (s)", get));
        }
    }
    let whiskers = |panels: &[BarPanel]| {
        let with: Vec<&str> = panels
            .iter()
            .filter(|p| p.values.iter().any(|v| v.is_some_and(|(_, ci)| ci.is_some())))
            .map(|p| p.title.as_str())
            .collect();
        if with.is_empty() && !matches!(reps.as_deref(), Some("1") | None) {
            "The tables give no confidence intervals for these figures.".to_string()
        } else if with.is_empty() || with.len() == panels.len() {
            ci_note("Whiskers")
        } else {
            ci_note(&format!("Whiskers ({} only)", with.join(", ")))
        }
    };
    if !rows.is_empty() && !response_panels.is_empty() {
        out.push(Chart {
            fig: Figure {
                stem: "response".into(),
                // With jobs of many tasks these are tasks' (the jobs' are `job_response`).
                title: format!("{} time per policy{focus} — {name}", if r.job_cdf.is_empty() { "Response" } else { "Task response" }),
                note: Some(whiskers(&response_panels)),
                plot: Plot::Bars(BarPlot { categories: categories.clone(), panels: response_panels }),
            },
            caption: format!("Mean, median, 95th and 99th percentile of response time (completion − arrival) per policy{focus}, each the mean over replications of the per-run figure; whiskers are 95% confidence intervals where the tables give them. Each panel has its own scale: linear from zero, or logarithmic when the values span more than a factor of 10 (said under the axis; the bars then start at the power of ten below the smallest value, and the numbers beside them give the values)."),
        });
    }
    let mut tput_panels = Vec::new();
    if has(|s| s.throughput) {
        tput_panels.push(panel("throughput", "tasks/s", |s| s.throughput));
    }
    if has(|s| s.utilization) {
        tput_panels.push(panel("utilization", "fraction of capacity busy", |s| s.utilization));
    }
    if !rows.is_empty() && !tput_panels.is_empty() {
        out.push(Chart {
            fig: Figure {
                stem: "throughput".into(),
                title: format!("Throughput and utilization per policy{focus} — {name}"),
                note: Some(whiskers(&tput_panels)),
                plot: Plot::Bars(BarPlot { categories, panels: tput_panels }),
            },
            caption: format!("Completed tasks per second and mean node utilization per policy{focus}. Below saturation every policy completes what arrives, so throughput is equal; a policy that falls behind shows lower throughput."),
        });
    }

    // Response-time distribution.
    let mut series = Vec::new();
    for (pi, p) in r.policies.iter().enumerate() {
        let mut pts: Vec<(f64, f64)> =
            r.cdf.iter().filter(|c| c.policy == pi && r.at_focus(&c.sweep)).map(|c| (c.response, c.quantile)).collect();
        pts.sort_by(|a, b| a.1.total_cmp(&b.1));
        if !pts.is_empty() {
            series.push(Series { label: p.label.clone(), look: pi, points: pts, band: vec![] });
        }
    }
    if !series.is_empty() {
        let reps_note = reps.as_deref().map(|n| format!(" over {n} replications")).unwrap_or_default();
        let qs = series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
        let (q_lo, q_hi) = qs.fold((1.0f64, 0.0f64), |(a, b), q| (a.min(q), b.max(q)));
        out.push(Chart {
            fig: Figure {
                stem: "cdf".into(),
                title: format!("Response-time distribution{focus} — {name}"),
                note: Some(format!("Quantiles {} to {} of response time{reps_note}; read a curve's x at height 0.99 for its p99.", fmt_plain(q_lo), fmt_plain(q_hi))),
                plot: Plot::Lines(LinePlot {
                    x: AxisSpec::new("response time (s)", Scale::Auto),
                    panels: vec![LinePanel {
                        y: AxisSpec::new("fraction of tasks", Scale::Linear).with_range(0.0, 1.0),
                        height: 1.0,
                        series,
                    }],
                    events: vec![],
                    regions: vec![],
                    markers: false,
                }),
            },
            caption: format!("Cumulative distribution of response time per policy{focus}: the height of a curve at x is the fraction of tasks that finished within x seconds. Curves further left are better; the x axis is logarithmic when response times span decades. The tail chart below shows the last percents."),
        });
    }
    out.extend(job_response::figure(r, &focus, reps.as_deref()));
    out.extend(job_cdf(r, &focus, reps.as_deref()));
    out.extend(tail::figure(r, &focus, reps.as_deref()));

    // Over time, one replication, failures marked.
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
            out.push(Chart {
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

    // Per-node utilization.
    out.extend(nodes::figure(r, &focus, reps.as_deref()));

    // The first jobs' cores over time, a panel per policy (central mode).
    let panels: Vec<(String, Vec<&GanttJob>)> = (r.policies.iter().enumerate())
        .map(|(pi, p)| {
            let jobs = r.gantt.iter().filter(|g| g.policy == pi && r.at_focus(&g.sweep)).map(|g| &g.job).collect();
            (p.label.clone(), jobs)
        })
        .collect();
    let what = if r.job_cdf.is_empty() { "jobs" } else { "tasks" };
    if let Some((fig, caption)) = super::gantt::figure_of(name, &focus, &panels, what) {
        out.push(Chart { fig, caption });
    }
    out.extend(job_gantt::figure(r, &focus));
    out
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

/// "3", or "2–5" when policies ran different numbers of replications.
fn replications_text(r: &Results) -> Option<String> {
    let reps: Vec<f64> = r.summary.iter().filter_map(|s| s.replications).collect();
    if reps.is_empty() {
        return r.scenario.replications.clone();
    }
    let (lo, hi) = reps.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    Some(if lo == hi { fmt_plain(lo) } else { format!("{}–{}", fmt_plain(lo), fmt_plain(hi)) })
}

// ---------------------------------------------------------------------------
// Tables, shared by the HTML and Markdown reports

/// Formats `mean ± ci`, both to the same decimals: 4 significant digits of the
/// mean, at least 2 of the interval.
fn fmt_stat(s: Stat) -> String {
    match (s.mean, s.ci) {
        (Some(m), Some(c)) if c.is_finite() => {
            let d = decimals_sig(m, 4).max(decimals_sig(c, 2)).min(9);
            format!("{m:.d$} ± {c:.d$}")
        }
        (Some(m), _) => fmt_sig(m, 4),
        (None, _) => String::new(),
    }
}

fn fmt_count(v: Option<f64>) -> String {
    match v {
        Some(v) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{v:.0}"),
        Some(v) => fmt_sig(v, 4),
        None => String::new(),
    }
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map(|v| fmt_sig(v, 4)).unwrap_or_default()
}

/// A table: header cells, then rows of (policy index, cells).
struct TableData {
    head: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
    /// Index of the policy column (it gets a colour swatch in HTML).
    policy_col: usize,
}

/// A column and whether to show it: always when any row has a value, or only when
/// any value is non-zero (failures, misses: a column of zeros says nothing).
type Column<T> = (&'static str, fn(&T) -> String, fn(&T) -> Option<f64>, bool);

fn build_table<T>(
    r: &Results,
    rows: &[&T],
    policy: fn(&T) -> usize,
    sweep: fn(&T) -> &Option<String>,
    cols: &[Column<T>],
) -> TableData {
    let shown: Vec<&Column<T>> = cols
        .iter()
        .filter(|(_, fmt, val, nonzero)| {
            rows.iter().any(|row| if *nonzero { val(row).is_some_and(|v| v != 0.0) } else { !fmt(row).is_empty() })
        })
        .collect();
    let mut head = Vec::new();
    let with_sweep = r.sweep_parameter.is_some() && rows.iter().any(|row| sweep(row).is_some());
    if with_sweep {
        head.push(r.sweep_parameter.clone().unwrap_or_default());
    }
    let policy_col = head.len();
    head.push("policy".to_string());
    head.extend(shown.iter().map(|c| c.0.to_string()));
    let rows = rows
        .iter()
        .map(|row| {
            let mut cells = Vec::new();
            if with_sweep {
                cells.push(sweep(row).clone().unwrap_or_default());
            }
            let pi = policy(row);
            cells.push(r.policies[pi].label.clone());
            cells.extend(shown.iter().map(|c| (c.1)(row)));
            (pi, cells)
        })
        .collect();
    TableData { head, rows, policy_col }
}

fn summary_table(r: &Results) -> TableData {
    let cols: Vec<Column<SummaryRow>> = vec![
        ("runs", |s| fmt_count(s.replications), |s| s.replications, false),
        // Beside the policy, where it cannot be missed: its means are not steady-state figures.
        ("unstable", |s| compare::unstable_cell(s.unstable, s.replications), |s| s.unstable, true),
        ("throughput (tasks/s)", |s| fmt_stat(s.throughput), |s| s.throughput.mean, false),
        // Job columns, only when the workload has jobs of many tasks (issue 13).
        ("job mean response (s)", |s| fmt_stat(s.job_mean_response), |s| s.job_mean_response.mean, false),
        ("job p99 (s)", |s| fmt_stat(s.job_p99), |s| s.job_p99.mean, false),
        ("job slowdown", |s| fmt_opt(s.job_mean_slowdown), |s| s.job_mean_slowdown, false),
        ("tasks per job", |s| fmt_opt(s.tasks_per_job), |s| s.tasks_per_job, false),
        ("jobs failed", |s| fmt_count(s.jobs_failed), |s| s.jobs_failed, true),
        ("data moved (bytes)", |s| fmt_opt(s.data_moved), |s| s.data_moved, false),
        // Speculation columns, shown when some policy launched a copy.
        ("copies launched", |s| fmt_count(s.speculative_launched), |s| s.speculative_launched, true),
        ("copies won", |s| fmt_count(s.speculative_won), |s| s.speculative_launched, true),
        ("copy time lost (core-s)", |s| fmt_opt(s.speculative_wasted), |s| s.speculative_launched, true),
        ("mean response (s)", |s| fmt_stat(s.mean_response), |s| s.mean_response.mean, false),
        ("p50 (s)", |s| fmt_stat(s.p50), |s| s.p50.mean, false),
        ("p95 (s)", |s| fmt_stat(s.p95), |s| s.p95.mean, false),
        ("p99 (s)", |s| fmt_stat(s.p99), |s| s.p99.mean, false),
        ("p99.9 (s)", |s| fmt_opt(s.p999), |s| s.p999, false),
        ("max (s)", |s| fmt_opt(s.max), |s| s.max, false),
        ("mean wait (s)", |s| fmt_opt(s.mean_wait), |s| s.mean_wait, false),
        ("mean slowdown", |s| fmt_opt(s.mean_slowdown), |s| s.mean_slowdown, false),
        ("bounded slowdown", |s| fmt_opt(s.bounded_slowdown), |s| s.bounded_slowdown, false),
        ("utilization", |s| fmt_stat(s.utilization), |s| s.utilization.mean, false),
        ("imbalance", |s| fmt_opt(s.imbalance), |s| s.imbalance, false),
        ("completed", |s| fmt_count(s.tasks_completed), |s| s.tasks_completed, false),
        ("failed", |s| fmt_count(s.tasks_failed), |s| s.tasks_failed, true),
        ("left in system", |s| fmt_count(s.tasks_in_system), |s| s.tasks_in_system, true),
        ("deadline misses", |s| fmt_count(s.deadline_misses), |s| s.deadline_misses, true),
        ("makespan (s)", |s| fmt_opt(s.makespan), |s| s.makespan, false),
        // Fault columns, shown only for a scenario with failures.
        ("retries", |s| fmt_count(s.retries), |s| s.retries, true),
        ("wasted work", |s| fmt_opt(s.wasted_work), |s| s.wasted_work, true),
        ("detection latency (s)", |s| fmt_opt(s.detection_latency), |s| s.detection_latency, true),
        ("false suspicions", |s| fmt_count(s.false_suspicions), |s| s.false_suspicions, true),
        // Shown when some node was ever down (availability below 1).
        ("availability", |s| fmt_opt(s.availability), |s| s.availability.map(|a| 1.0 - a), true),
        ("goodput (work/s)", |s| fmt_opt(s.goodput), |s| s.availability.map(|a| 1.0 - a), true),
    ];
    let rows: Vec<&SummaryRow> = r.summary.iter().collect();
    build_table(r, &rows, |s| s.policy, |s| &s.sweep, &cols)
}

fn class_table(r: &Results) -> Option<TableData> {
    if r.classes.is_empty() {
        return None;
    }
    let cols: Vec<Column<ClassRow>> = vec![
        ("class", |c| c.class.clone(), |_| Some(1.0), false),
        ("priority", |c| c.priority.clone(), |_| Some(1.0), false),
        ("completed", |c| fmt_count(c.tasks_completed), |c| c.tasks_completed, false),
        ("mean response (s)", |c| fmt_stat(c.mean_response), |c| c.mean_response.mean, false),
        ("p50 (s)", |c| fmt_opt(c.p50), |c| c.p50, false),
        ("p95 (s)", |c| fmt_opt(c.p95), |c| c.p95, false),
        ("p99 (s)", |c| fmt_opt(c.p99), |c| c.p99, false),
        ("max (s)", |c| fmt_opt(c.max), |c| c.max, false),
        ("deadline misses", |c| fmt_count(c.deadline_misses), |c| c.deadline_misses, true),
    ];
    let rows: Vec<&ClassRow> = r.classes.iter().collect();
    Some(build_table(r, &rows, |c| c.policy, |c| &c.sweep, &cols))
}

/// `(label, value)` lines saying what was run, as (HTML, Markdown) values.
fn what_was_run(r: &Results) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    let code = |s: &str| (format!("<code>{}</code>", esc(s)), format!("`{s}`"));
    let plain = |s: &str| (esc(s), md_esc(s));
    let (h, m) = plain(&r.scenario_name);
    out.push(("scenario", h, m));
    if let Some(seed) = &r.scenario.seed {
        let (h, m) = plain(seed);
        out.push(("seed", h, m));
    }
    if let Some(n) = replications_text(r) {
        let (h, m) = plain(&format!(
            "{n} independent replications per policy{}",
            if r.sweep_values.len() > 1 { " and sweep point" } else { "" }
        ));
        out.push(("replications", h, m));
    }
    if !r.seeds.is_empty() {
        let shown: Vec<String> = r.seeds.iter().take(10).map(|(rep, s)| format!("{rep}: {s}")).collect();
        let mut text = shown.join(", ");
        if r.seeds.len() > 10 {
            text.push_str(&format!(", … ({} in runs.csv)", r.seeds.len()));
        }
        if r.seeds_differ {
            text.push_str(" (first policy's; each run's seed is in runs.csv)");
        } else {
            text.push_str(" (the same for every policy: common random numbers)");
        }
        let (h, m) = plain(&text);
        out.push(("seeds by replication", h, m));
    }
    if let Some(p) = &r.sweep_parameter {
        let text = format!("{p} = {}", r.sweep_values.join(", "));
        let (h, m) = plain(&text);
        out.push(("sweep", h, m));
    }
    let distinct = |f: fn(&data::Policy) -> &String| {
        let mut v: Vec<&str> = Vec::new();
        for p in &r.policies {
            if !v.contains(&f(p).as_str()) {
                v.push(f(p));
            }
        }
        v.join(", ")
    };
    let policies = format!(
        "{} — disciplines: {}; balancers: {}",
        r.policies.len(),
        distinct(|p| &p.discipline),
        distinct(|p| &p.balancer)
    );
    let (h, m) = plain(&policies);
    out.push(("policies", h, m));
    let (h, m) = plain(&format!("schedsim {}", env!("CARGO_PKG_VERSION")));
    out.push(("simulator", h, m));
    let (h, m) = if r.scenario.text.is_some() {
        let (ch, cm) = code("schedsim run scenario.toml");
        (
            format!("{ch} with the copy of the scenario file in this folder (<a href=\"scenario.toml\">scenario.toml</a>) and the same simulator version gives the same numbers, bit for bit"),
            format!("{cm} with the copy of the scenario file in this folder ([scenario.toml](scenario.toml)) and the same simulator version gives the same numbers, bit for bit"),
        )
    } else {
        let (ch, cm) = code(&format!("schedsim run scenarios/{}.toml", r.scenario_name));
        (format!("{ch} with the scenario file that was run"), format!("{cm} with the scenario file that was run"))
    };
    out.push(("reproduce", h, m));
    // Not this folder's path: the report must not change when the folder moves.
    let (ch, cm) = code("schedsim plot DIR");
    let tail = "with this folder as DIR redraws the charts and this report from the CSV files alone";
    out.push(("redraw", format!("{ch} {tail}"), format!("{cm} {tail}")));
    out
}

const CI_NOTE: &str = "How to read the numbers: each is the mean over the independent replications of one policy (counts are totals). \
“± x” is the half-width of the 95% confidence interval of that mean (Student t over the replications): \
if the simulation were repeated with other seeds, intervals built this way would contain the true mean 95% of the time. \
With one replication there is no interval. When the intervals of two policies do not overlap, the difference is real; \
when they overlap, more replications are needed to tell. Every policy sees the same tasks in each replication, \
so differences between policies are sharper than the intervals alone suggest (the paired comparison with the baseline, \
when there is one, measures them). Percentiles (p50 … p99.9) are per-replication percentiles, averaged.";

// ---------------------------------------------------------------------------
// HTML

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A folder name as a relative URL (spaces and the like percent-encoded).
fn url(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn html_head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{}</style>\n</head>\n<body>\n",
        esc(title),
        STYLE
    )
}

const STYLE: &str = "body { font-family: 'DejaVu Sans', Verdana, Arial, sans-serif; color: #222; max-width: 1240px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
.desc { font-size: 1.1em; color: #444; margin-top: 0; }
.wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { padding: 0.3em 0.7em; border-bottom: 1px solid #e3e3e3; text-align: right; white-space: nowrap; vertical-align: top; }
th { background: #f4f4f4; } .l { text-align: left; } td.wide { white-space: normal; }
table.meta th { text-align: left; background: none; font-weight: 600; }
.sw { display: inline-block; width: 0.85em; height: 0.85em; border-radius: 2px; margin-right: 0.45em; vertical-align: -0.05em; }
.note { color: #555; font-size: 0.92em; max-width: 60em; }
figure { margin: 2em 0; } figure svg { width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; font-size: 0.95em; max-width: 60em; }
code, pre { background: #f5f5f5; border-radius: 3px; } code { padding: 0 0.25em; } pre { padding: 0.8em; overflow-x: auto; }
";

fn html_table(t: &TableData) -> String {
    let mut h = String::from("<div class=\"wrap\"><table>\n<tr>");
    for (i, c) in t.head.iter().enumerate() {
        let class = if i <= t.policy_col { " class=\"l\"" } else { "" };
        h.push_str(&format!("<th{class}>{}</th>", esc(c)));
    }
    h.push_str("</tr>\n");
    for (pi, cells) in &t.rows {
        h.push_str("<tr>");
        for (i, c) in cells.iter().enumerate() {
            if i == t.policy_col {
                h.push_str(&format!(
                    "<td class=\"l\"><span class=\"sw\" style=\"background:{}\"></span>{}</td>",
                    css_color(*pi),
                    esc(c)
                ));
            } else if i < t.policy_col {
                h.push_str(&format!("<td class=\"l\">{}</td>", esc(c)));
            } else {
                h.push_str(&format!("<td>{}</td>", esc(c)));
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table></div>\n");
    h
}

fn html_report(r: &Results, charts: &[Chart], svgs: &[String], formats: &[ChartFormat]) -> String {
    let mut h = html_head(&format!("{} — schedsim report", r.scenario_name));
    h.push_str(&format!("<h1>{}</h1>\n", esc(&r.scenario_name)));
    if let Some(d) = &r.scenario.description {
        h.push_str(&format!("<p class=\"desc\">{}</p>\n", esc(d)));
    }
    h.push_str("<h2>What was run</h2>\n<table class=\"meta\">\n");
    for (k, v, _) in what_was_run(r) {
        h.push_str(&format!("<tr><th>{k}</th><td class=\"l wide\">{v}</td></tr>\n"));
    }
    h.push_str("</table>\n");
    if !charts.is_empty() {
        h.push_str("<p>Charts: ");
        let links: Vec<String> = charts.iter().map(|c| format!("<a href=\"#{0}\">{0}</a>", esc(&c.fig.stem))).collect();
        h.push_str(&links.join(" · "));
        h.push_str("</p>\n");
    }
    h.push_str("<h2>Summary</h2>\n");
    h.push_str(&html_table(&summary_table(r)));
    h.push_str(&format!("<p class=\"note\">{}</p>\n", esc(CI_NOTE)));
    if let Some(note) = compare::unstable_note(r) {
        h.push_str(&format!("<p class=\"note\">{}</p>\n", esc(&note)));
    }
    h.push_str(&compare::html_section(r));
    if let Some(t) = class_table(r) {
        h.push_str("<h2>Per task class</h2>\n");
        h.push_str(&html_table(&t));
    }
    if !charts.is_empty() {
        h.push_str("<h2>Charts</h2>\n");
    }
    for (c, svg) in charts.iter().zip(svgs) {
        let stem = esc(&c.fig.stem);
        h.push_str(&format!("<figure id=\"{stem}\">\n"));
        h.push_str(svg.trim_end());
        let links: Vec<String> = link_order(formats)
            .map(|f| format!("<a href=\"charts/{stem}.{0}\">{1}</a>", f.ext(), f.ext().to_uppercase()))
            .collect();
        h.push_str(&format!("\n<figcaption>{} {}</figcaption>\n</figure>\n", esc(&c.caption), links.join(" · ")));
    }
    if let Some(text) = &r.scenario.text {
        h.push_str("<h2>Scenario file</h2>\n<details><summary>scenario.toml, as it was run</summary>\n<pre>");
        h.push_str(&esc(text));
        h.push_str("</pre>\n</details>\n");
    }
    h.push_str(&format!(
        "<p class=\"note\">Written by schedsim {} from the CSV files in this folder.</p>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    ));
    h
}

// ---------------------------------------------------------------------------
// Markdown

/// Escapes what Markdown would read as markup (CommonMark backslash escapes).
fn md_esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '|' | '*' | '_' | '<' | '>' | '[' | ']' | '`' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn md_table(t: &TableData) -> String {
    let mut m = String::new();
    m.push_str(&format!("| {} |\n", t.head.iter().map(|c| md_esc(c)).collect::<Vec<_>>().join(" | ")));
    let align: Vec<&str> = (0..t.head.len()).map(|i| if i <= t.policy_col { ":---" } else { "---:" }).collect();
    m.push_str(&format!("| {} |\n", align.join(" | ")));
    for (_, cells) in &t.rows {
        m.push_str(&format!("| {} |\n", cells.iter().map(|c| md_esc(c)).collect::<Vec<_>>().join(" | ")));
    }
    m
}

/// The formats written, in the order the report links them: PNG, SVG, PDF.
fn link_order(formats: &[ChartFormat]) -> impl Iterator<Item = ChartFormat> + '_ {
    [ChartFormat::Png, ChartFormat::Svg, ChartFormat::Pdf].into_iter().filter(|f| formats.contains(f))
}

fn markdown_report(r: &Results, charts: &[Chart], formats: &[ChartFormat]) -> String {
    let mut m = format!("# {}\n\n", md_esc(&r.scenario_name));
    if let Some(d) = &r.scenario.description {
        m.push_str(&format!("{}\n\n", md_esc(d)));
    }
    m.push_str("## What was run\n\n| | |\n|:---|:---|\n");
    for (k, _, v) in what_was_run(r) {
        m.push_str(&format!("| {k} | {v} |\n"));
    }
    m.push_str("\n## Summary\n\n");
    m.push_str(&md_table(&summary_table(r)));
    m.push_str(&format!("\n{}\n", CI_NOTE));
    if let Some(note) = compare::unstable_note(r) {
        m.push_str(&format!("\n{}\n", md_esc(&note)));
    }
    m.push_str(&compare::markdown_section(r));
    if let Some(t) = class_table(r) {
        m.push_str("\n## Per task class\n\n");
        m.push_str(&md_table(&t));
    }
    if !charts.is_empty() {
        m.push_str("\n## Charts\n");
    }
    for c in charts {
        let stem = &c.fig.stem;
        // The picture: the PNG, or the SVG when no PNG is written.
        let mut order = link_order(formats).filter(|f| *f != ChartFormat::Pdf);
        let image = order
            .next()
            .map(|f| format!("![{}](charts/{stem}.{})\n\n", md_esc(&c.fig.title), f.ext()))
            .unwrap_or_default();
        let links: Vec<String> = order
            .chain(formats.iter().copied().filter(|f| *f == ChartFormat::Pdf))
            .map(|f| format!("[{}](charts/{stem}.{})", f.ext().to_uppercase(), f.ext()))
            .collect();
        let links = if links.is_empty() { String::new() } else { format!(" ({})", links.join(" · ")) };
        m.push_str(&format!("\n### {}\n\n{image}{}{links}\n", md_esc(&c.fig.title), md_esc(&c.caption)));
    }
    if let Some(text) = &r.scenario.text {
        m.push_str("\n## Scenario file\n\n```toml\n");
        m.push_str(text.trim_end());
        m.push_str("\n```\n");
    }
    m.push_str(&format!("\nWritten by schedsim {} from the CSV files in this folder.\n", env!("CARGO_PKG_VERSION")));
    m
}

#[cfg(test)]
mod tests;

/// The job response-time distribution per policy (jobs of many tasks only).
fn job_cdf(r: &Results, focus: &str, reps: Option<&str>) -> Option<Chart> {
    let mut series = Vec::new();
    for (pi, p) in r.policies.iter().enumerate() {
        let mut pts: Vec<(f64, f64)> = (r.job_cdf.iter().filter(|c| c.policy == pi && r.at_focus(&c.sweep)))
            .map(|c| (c.response, c.quantile))
            .collect();
        pts.sort_by(|a, b| a.1.total_cmp(&b.1));
        if !pts.is_empty() {
            series.push(Series { label: p.label.clone(), look: pi, points: pts, band: vec![] });
        }
    }
    if series.is_empty() {
        return None;
    }
    let name = &r.scenario_name;
    let reps_note = reps.map(|n| format!(" over {n} replications")).unwrap_or_default();
    Some(Chart {
        fig: Figure {
            stem: "job_cdf".into(),
            title: format!("Job response-time distribution{focus} — {name}"),
            note: Some(format!("Job response: arrival to the last task's completion{reps_note}.")),
            plot: Plot::Lines(LinePlot {
                x: AxisSpec::new("job response time (s)", Scale::Auto),
                panels: vec![LinePanel {
                    y: AxisSpec::new("fraction of jobs", Scale::Linear).with_range(0.0, 1.0),
                    height: 1.0,
                    series,
                }],
                events: vec![],
                regions: vec![],
                markers: false,
            }),
        },
        caption: format!("Cumulative distribution of job response time per policy{focus}: the height of a curve at x is the fraction of jobs whose every task had finished within x seconds of the job's arrival. Curves further left are better."),
    })
}
