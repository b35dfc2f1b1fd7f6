//! What the HTML and Markdown reports both show, gathered once for their templates:
//! the summary (main columns, then the rest), the notes, the comparison, the
//! per-class table, what was run, the folder's files and the scenario file.

use std::path::Path;

use serde::Serialize;

use super::tables::{self, Fact, TableView, CI_NOTE, MAIN_COLUMNS};
use super::{compare, data::Results, OutputError};
use crate::scenario::ChartFormat;

/// The parts both reports share.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Page {
    pub(super) name: String,
    pub(super) description: Option<String>,
    pub(super) summary: TableView,
    pub(super) summary_rest: Option<TableView>,
    /// The columns of `summary_rest`, for its summary line.
    pub(super) rest_names: String,
    pub(super) ci_note: &'static str,
    pub(super) unstable_note: Option<String>,
    pub(super) compare: Option<compare::Section>,
    pub(super) classes: Option<TableView>,
    pub(super) facts: Vec<Fact>,
    pub(super) files: Vec<FileLink>,
    pub(super) scenario_text: Option<String>,
}

/// A file of the folder, linked from the reports, with what it holds.
#[derive(Debug, Clone, Serialize)]
pub(super) struct FileLink {
    name: String,
    what: &'static str,
}

/// What the files `schedsim run` writes hold, for the reports' list of files.
const KNOWN_FILES: [(&str, &str); 13] = [
    ("summary.csv", "one row per policy (and sweep point): the figures of the summary table, with their intervals"),
    ("runs.csv", "one row per run: each replication's figures and seed"),
    ("compare.csv", "the paired comparisons with the baseline: differences, ratios, intervals, p-values"),
    ("classes.csv", "the figures per task class"),
    ("cdf.csv", "response-time quantiles per policy (the distribution charts)"),
    ("job_cdf.csv", "job response-time quantiles per policy"),
    ("timeseries.csv", "throughput, tasks in system and nodes up per time window"),
    ("events.csv", "node crashes, recoveries and failure-detector events"),
    ("nodes.csv", "the utilization of each node per policy"),
    ("gantt.csv", "where and when the first jobs' tasks held their cores (the Gantt chart)"),
    ("jobs.csv", "one row per task: its arrival, start, completion, node, cores and outcome"),
    ("scenario.toml", "the scenario file, as it was run"),
    ("report.md", "this report in Markdown, with the charts as images"),
];

impl Page {
    /// Gathers the parts of `r`'s reports; `dir` is the folder whose files are listed.
    pub(super) fn new(r: &Results, dir: &Path) -> Result<Page, OutputError> {
        let (main, rest) = tables::summary_table(r).split(&MAIN_COLUMNS);
        let rest_names = rest.as_ref().map_or(String::new(), |t| t.head[t.policy_col + 1..].join(", "));
        Ok(Page {
            name: r.scenario_name.clone(),
            description: r.scenario.description.clone(),
            summary: main.view(),
            summary_rest: rest.map(|t| t.view()),
            rest_names,
            ci_note: CI_NOTE,
            unstable_note: compare::unstable_note(r),
            compare: compare::section(r),
            classes: tables::class_table(r).map(|t| t.view()),
            facts: tables::what_was_run(r),
            files: files(dir)?,
            scenario_text: r.scenario.text.as_ref().map(|t| t.trim_end().to_string()),
        })
    }
}

/// The files of the folder the reports link, by name: every file but the reports
/// themselves and hidden ones, then `report.md` (always written with the report, so the
/// list is the same whether or not the folder was rendered before).
fn files(dir: &Path) -> Result<Vec<FileLink>, OutputError> {
    let io = |e| OutputError::Io { path: dir.to_path_buf(), error: e };
    let mut names: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let report = name == "report.html" || name == "report.md";
        if !report && !name.starts_with('.') && entry.file_type().map_err(io)?.is_file() {
            names.push(name);
        }
    }
    names.sort();
    names.push("report.md".into());
    let what = |n: &str| KNOWN_FILES.iter().find(|(k, _)| *k == n).map_or("", |(_, w)| *w);
    Ok(names.into_iter().map(|name| FileLink { what: what(&name), name }).collect())
}

/// The formats written, in the order the reports link them: PNG, SVG, PDF.
pub(super) fn link_order(formats: &[ChartFormat]) -> impl Iterator<Item = ChartFormat> + '_ {
    [ChartFormat::Png, ChartFormat::Svg, ChartFormat::Pdf].into_iter().filter(|f| formats.contains(f))
}
