//! The tables of the reports, shared by HTML and Markdown: the summary (its main
//! columns, and the rest), the per-class table, what was run, and how numbers are
//! formatted in them. Cells are plain text; the templates escape them.

use serde::Serialize;

use super::compare;
use super::data::{self, ClassRow, Results, Stat, SummaryRow};
use super::figures::replications_text;
use crate::output::chart::{decimals_sig, fmt_sig};

/// Formats `mean ± ci`, both to the same decimals: 4 significant digits of the
/// mean, at least 2 of the interval.
pub(super) fn fmt_stat(s: Stat) -> String {
    match (s.mean, s.ci) {
        (Some(m), Some(c)) if c.is_finite() => {
            let d = decimals_sig(m, 4).max(decimals_sig(c, 2)).min(9);
            format!("{m:.d$} ± {c:.d$}")
        }
        (Some(m), _) => fmt_sig(m, 4),
        (None, _) => String::new(),
    }
}

pub(super) fn fmt_count(v: Option<f64>) -> String {
    match v {
        Some(v) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{v:.0}"),
        Some(v) => fmt_sig(v, 4),
        None => String::new(),
    }
}

pub(super) fn fmt_opt(v: Option<f64>) -> String {
    v.map(|v| fmt_sig(v, 4)).unwrap_or_default()
}

/// A number of bytes in decimal units to four significant digits: `129.8 GB`.
pub(super) fn fmt_bytes(v: Option<f64>) -> String {
    let Some(v) = v else { return String::new() };
    let units = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut i = 0;
    let mut x = v;
    while x.abs() >= 1000.0 && i + 1 < units.len() {
        x /= 1000.0;
        i += 1;
    }
    format!("{} {}", fmt_sig(x, 4), units[i])
}

/// A table: header cells, then rows of (policy index, cells).
#[derive(Debug, Clone)]
pub(super) struct TableData {
    pub(super) head: Vec<String>,
    pub(super) rows: Vec<(usize, Vec<String>)>,
    /// Index of the policy column (it gets the policy's swatch in HTML); the columns
    /// up to it are labels, left-aligned.
    pub(super) policy_col: usize,
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

pub(super) fn summary_table(r: &Results) -> TableData {
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
        ("data moved", |s| fmt_bytes(s.data_moved), |s| s.data_moved, false),
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

pub(super) fn class_table(r: &Results) -> Option<TableData> {
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

/// The summary table's main columns, in this order after the labels: what a reader
/// compares first (with jobs of many tasks, what their users wait for, as the ranking
/// does), in a width that fits a 1,400-pixel window. The other columns are
/// in a second table ([`TableData::split`]).
pub(super) const MAIN_COLUMNS: [&str; 9] = [
    "unstable",
    "job mean response (s)",
    "job p99 (s)",
    "mean response (s)",
    "p99 (s)",
    "throughput (tasks/s)",
    "utilization",
    "bounded slowdown",
    "makespan (s)",
];

impl TableData {
    /// The table cut in two: the label columns and the columns named in `main` (in
    /// that order), and the label columns and every other column (`None` when there
    /// is none).
    pub(super) fn split(&self, main: &[&str]) -> (TableData, Option<TableData>) {
        let labels: Vec<usize> = (0..=self.policy_col).collect();
        let pos = |name: &str| self.head.iter().skip(self.policy_col + 1).position(|h| h == name);
        let main_cols: Vec<usize> = main.iter().filter_map(|m| pos(m)).map(|i| i + self.policy_col + 1).collect();
        let rest: Vec<usize> = (self.policy_col + 1..self.head.len()).filter(|i| !main_cols.contains(i)).collect();
        let pick = |cols: &[usize]| {
            let all: Vec<usize> = labels.iter().chain(cols).copied().collect();
            TableData {
                head: all.iter().map(|&i| self.head[i].clone()).collect(),
                rows: self
                    .rows
                    .iter()
                    .map(|(p, cells)| (*p, all.iter().map(|&i| cells[i].clone()).collect()))
                    .collect(),
                policy_col: self.policy_col,
            }
        };
        (pick(&main_cols), (!rest.is_empty()).then(|| pick(&rest)))
    }

    /// The table as the templates read it.
    pub(super) fn view(&self) -> TableView {
        let col = |i: usize, text: &String| Cell {
            text: text.clone(),
            label: i <= self.policy_col,
            policy: i == self.policy_col,
        };
        TableView {
            head: self.head.iter().enumerate().map(|(i, h)| col(i, h)).collect(),
            rows: (self.rows.iter())
                .map(|(p, cells)| RowView {
                    policy: *p,
                    cells: cells.iter().enumerate().map(|(i, c)| col(i, c)).collect(),
                })
                .collect(),
        }
    }
}

/// A table for the templates: header cells and rows.
#[derive(Debug, Clone, Serialize)]
pub(super) struct TableView {
    head: Vec<Cell>,
    rows: Vec<RowView>,
}

/// A row for the templates: its policy's index (for the swatch) and its cells.
#[derive(Debug, Clone, Serialize)]
struct RowView {
    policy: usize,
    cells: Vec<Cell>,
}

/// A cell for the templates: its text, whether it is a label (left-aligned), and
/// whether it names the policy (with the policy's swatch in HTML).
#[derive(Debug, Clone, Serialize)]
struct Cell {
    text: String,
    label: bool,
    policy: bool,
}

/// A piece of a line of "what was run": text, code, or a link.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Piece {
    text: String,
    code: bool,
    href: Option<String>,
}

/// A line of "what was run": a label and what it says.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Fact {
    label: &'static str,
    pieces: Vec<Piece>,
}

fn text(s: impl Into<String>) -> Piece {
    Piece { text: s.into(), code: false, href: None }
}

fn code(s: impl Into<String>) -> Piece {
    Piece { text: s.into(), code: true, href: None }
}

/// The lines saying what was run.
pub(super) fn what_was_run(r: &Results) -> Vec<Fact> {
    let mut out = Vec::new();
    let mut fact = |label, pieces| out.push(Fact { label, pieces });
    fact("scenario", vec![text(&r.scenario_name)]);
    if let Some(seed) = &r.scenario.seed {
        fact("seed", vec![text(seed)]);
    }
    if let Some(n) = replications_text(r) {
        let per = if r.sweep_values.len() > 1 { " and sweep point" } else { "" };
        fact("replications", vec![text(format!("{n} independent replications per policy{per}"))]);
    }
    if !r.seeds.is_empty() {
        let shown: Vec<String> = r.seeds.iter().take(10).map(|(rep, s)| format!("{rep}: {s}")).collect();
        let mut line = shown.join(", ");
        if r.seeds.len() > 10 {
            line.push_str(&format!(", … ({} in runs.csv)", r.seeds.len()));
        }
        if r.seeds_differ {
            line.push_str(" (first policy's; each run's seed is in runs.csv)");
        } else {
            line.push_str(" (the same for every policy: common random numbers)");
        }
        fact("seeds by replication", vec![text(line)]);
    }
    if let Some(p) = &r.sweep_parameter {
        fact("sweep", vec![text(format!("{p} = {}", r.sweep_values.join(", ")))]);
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
    fact(
        "policies",
        vec![text(format!(
            "{} — disciplines: {}; balancers: {}",
            r.policies.len(),
            distinct(|p| &p.discipline),
            distinct(|p| &p.balancer)
        ))],
    );
    fact("simulator", vec![text(format!("schedsim {}", env!("CARGO_PKG_VERSION")))]);
    if r.scenario.text.is_some() {
        fact(
            "reproduce",
            vec![
                code("schedsim run scenario.toml"),
                text(" with the copy of the scenario file in this folder ("),
                Piece { text: "scenario.toml".into(), code: false, href: Some("scenario.toml".into()) },
                text(") and the same simulator version gives the same numbers, bit for bit"),
            ],
        );
    } else {
        fact(
            "reproduce",
            vec![
                code(format!("schedsim run scenarios/{}.toml", r.scenario_name)),
                text(" with the scenario file that was run"),
            ],
        );
    }
    // Not this folder's path: the report must not change when the folder moves.
    fact(
        "redraw",
        vec![
            code("schedsim plot DIR"),
            text(" with this folder as DIR redraws the charts and this report from the CSV files alone"),
        ],
    );
    out
}

pub(super) const CI_NOTE: &str = "How to read the numbers: each is the mean over the independent replications of one policy (counts are totals). \
“± x” is the half-width of the 95% confidence interval of that mean (Student t over the replications): \
if the simulation were repeated with other seeds, intervals built this way would contain the true mean 95% of the time. \
With one replication there is no interval. When the intervals of two policies do not overlap, the difference is real; \
when they overlap, more replications are needed to tell. Every policy sees the same tasks in each replication, \
so differences between policies are sharper than the intervals alone suggest (the paired comparison with the baseline, \
when there is one, measures them). Percentiles (p50 … p99.9) are per-replication percentiles, averaged.";

#[cfg(test)]
mod bytes_tests {
    use super::fmt_bytes;

    #[test]
    fn bytes_get_a_decimal_unit_and_four_digits() {
        assert_eq!(fmt_bytes(Some(129_783_531_900.0)), "129.8 GB");
        assert_eq!(fmt_bytes(Some(353_000_000.0)), "353.0 MB");
        assert_eq!(fmt_bytes(Some(0.0)), "0 B");
        assert_eq!(fmt_bytes(Some(999.0)), "999.0 B");
        assert_eq!(fmt_bytes(None), "");
    }
}
