//! Charts and a report for one results folder, drawn from its CSV files alone.
//!
//! [`render_scenario`] reads `results/<scenario>/` (the tables `schedsim run` wrote,
//! see `output::tables`) and writes:
//!
//! | file | what |
//! |---|---|
//! | `charts/<chart>.svg`, `.png` | every chart that the tables support (below) |
//! | `report.html` | self-contained: the summary, every chart inline as SVG, the longer tables, what was run, the folder's files (`html.rs`) |
//! | `report.md` | the same in Markdown, the charts as images (`markdown.rs`) |
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
//! their title. Each policy keeps one look in every chart (its order of first
//! appearance in `summary.csv`), and a swatch filled as its bars labels it in the tables.
//!
//! Where the scenario is a queue theory solves (M/M/1), the charts draw the
//! theoretical values as dashed lines (`theory.rs`). `[output] charts` in the
//! scenario sets their size, formats and policies (`options.rs`).
//!
//! [`render_index`] writes `results/index.html`, linking every scenario's report
//! (`index.rs`). The pages come from templates embedded in the binary (`markup.rs`,
//! `templates/`); which charts from which tables is `figures.rs`, the tables
//! `tables.rs`. Reports are deterministic: the same CSVs give the same bytes (the
//! index, which shows when each folder was written, is a view of the folder).

mod compare;
mod data;
mod figures;
mod html;
mod index;
mod job_gantt;
mod job_response;
mod markdown;
mod markup;
mod nodes;
mod options;
mod page;
mod reader;
mod tables;
mod tail;
mod theory;
mod timeseries;

use std::path::{Path, PathBuf};

pub use self::index::render_index;

use self::data::Results;
use self::figures::figures;
use self::page::Page;
use super::chart::{self, Canvas, Figure};
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
    /// A page could not be rendered from its template (a bug of the templates).
    #[error("template {name}: {message}")]
    Template {
        /// The template.
        name: String,
        /// What went wrong.
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
pub(super) struct Chart {
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

    let page = Page::new(&r, dir)?;
    let html_path = dir.join("report.html");
    write(&html_path, html::report(&page, &charts, &svgs, &options.formats)?.as_bytes())?;
    files.push(html_path);
    let md_path = dir.join("report.md");
    write(&md_path, markdown::report(&page, &charts, &options.formats)?.as_bytes())?;
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
    let page = Page::new(&r, dir)?;
    html::report(&page, &charts, &svgs, &options.formats)?;
    markdown::report(&page, &charts, &options.formats)?;
    Ok(charts.len())
}

pub(super) fn write(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    write_atomic(path, bytes).map_err(|e| OutputError::Io { path: path.to_path_buf(), error: e })
}

#[cfg(test)]
mod tests;
