//! The summary table `schedsim run` prints for a scenario: one row per policy (and sweep
//! point), ranked by the scenario's main metric, with units in the headers, one number
//! format per column, and each policy's verdict against the baseline.
//!
//! Laid out by `comfy-table` (no terminal width probing: the table is as wide as its
//! content, so the same results print the same bytes everywhere).

use super::fmt_ratio;
use crate::metrics::compare::{verdict, Comparison, Metric};
use crate::metrics::Summary;
use crate::model::Mode;
use crate::scenario::Scenario;
use comfy_table::{CellAlignment, LineStyle, Table, TableStyle};

/// Significant digits the smallest value of a column keeps.
const SIGNIFICANT: i32 = 4;
/// The most decimals a fixed-point column gets.
const MAX_DECIMALS: i32 = 6;
/// The widest a fixed-point cell may be before its column turns scientific.
const MAX_FIXED_WIDTH: usize = 12;

/// How every number of one column is written: fixed with the same decimals, or, when
/// the column spans too many decades for that, scientific with three decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberFormat {
    /// `12.3456`: this many decimals.
    Fixed(usize),
    /// `1.071e-3`.
    Scientific,
}

impl NumberFormat {
    /// The format of a column holding `values`: enough decimals that its smallest
    /// non-zero magnitude keeps [`SIGNIFICANT`] digits (at most [`MAX_DECIMALS`]),
    /// unless its largest value would then be wider than [`MAX_FIXED_WIDTH`]
    /// characters. Values that are not finite are left out (they print as `-`).
    pub fn of_column(values: impl IntoIterator<Item = f64>) -> NumberFormat {
        let finite: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).map(f64::abs).collect();
        let largest = finite.iter().copied().fold(0.0, f64::max);
        let smallest = finite.iter().copied().filter(|&v| v > 0.0).fold(f64::INFINITY, f64::min);
        if !smallest.is_finite() {
            return NumberFormat::Fixed(0);
        }
        let decimals = (SIGNIFICANT - 1 - smallest.log10().floor() as i32).clamp(0, MAX_DECIMALS) as usize;
        let too_small = smallest < 10f64.powi(-MAX_DECIMALS);
        if too_small || format!("{largest:.decimals$}").len() > MAX_FIXED_WIDTH {
            NumberFormat::Scientific
        } else {
            NumberFormat::Fixed(decimals)
        }
    }

    /// `value` in this format; `-` when it is not finite.
    pub fn show(self, value: f64) -> String {
        if !value.is_finite() {
            return "-".into();
        }
        match self {
            NumberFormat::Fixed(d) => format!("{value:.d$}"),
            NumberFormat::Scientific => format!("{value:.3e}"),
        }
    }
}

/// How a column chooses its number format.
#[derive(Clone, Copy)]
enum Format {
    /// From its own values ([`NumberFormat::of_column`]).
    Own,
    /// That of the column at this index (a CI follows its mean).
    Like(usize),
    /// Always this one (utilization: a fraction).
    Fixed(NumberFormat),
}

/// One numeric column: its header (with unit), how a row gives its value, and how
/// its numbers are written.
struct Column {
    header: &'static str,
    value: fn(&Summary) -> f64,
    format: Format,
}

fn col(header: &'static str, value: fn(&Summary) -> f64) -> Column {
    Column { header, value, format: Format::Own }
}

/// The numeric columns of `s`'s table: the job's first when the workload has jobs of
/// many tasks (what their user waits for), batch measures in central mode.
fn columns(s: &Scenario) -> Vec<Column> {
    let mut out = Vec::new();
    if s.workload.job.is_some() {
        out.push(col("job mean (s)", |r| r.job_mean_response));
        out.push(col("job p99 (s)", |r| r.job_p99_response));
    }
    let mean = out.len();
    out.push(col("mean resp (s)", |r| r.mean_response));
    out.push(Column {
        header: "± ci95 (s)",
        value: |r| r.mean_response_ci95.unwrap_or(f64::NAN),
        format: Format::Like(mean),
    });
    out.push(col("p99 resp (s)", |r| r.p99_response));
    out.push(col("throughput (/s)", |r| r.throughput));
    out.push(Column { header: "util", value: |r| r.utilization, format: Format::Fixed(NumberFormat::Fixed(3)) });
    if s.run.mode == Mode::Central {
        out.push(col("bnd slowdown", |r| r.bounded_slowdown));
        out.push(col("makespan (s)", |r| r.makespan));
    }
    out
}

/// The rows in the order the table shows them: sweep points in their order, and within
/// each the policies by the main metric (the first of [`Metric::of_workload`]), best
/// first, rows with no value last.
pub fn ranked<'a>(s: &Scenario, rows: &'a [Summary]) -> Vec<&'a Summary> {
    let main = Metric::of_workload(s.workload.job.is_some())[0];
    let key = |r: &Summary| {
        let v = match main {
            Metric::JobMeanResponse => r.job_mean_response,
            _ => r.mean_response,
        };
        if v.is_nan() {
            f64::INFINITY
        } else {
            v
        }
    };
    let mut points: Vec<Option<f64>> = Vec::new();
    for r in rows {
        if !points.iter().any(|p| same_point(*p, r.sweep_value)) {
            points.push(r.sweep_value);
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    for p in points {
        let mut at: Vec<&Summary> = rows.iter().filter(|r| same_point(r.sweep_value, p)).collect();
        at.sort_by(|a, b| key(a).total_cmp(&key(b)));
        out.extend(at);
    }
    out
}

/// The table's lines (without indentation): a header, a rule, and a row per policy
/// and sweep point, `label` naming each policy as the ranking does.
pub fn render(
    s: &Scenario,
    rows: &[Summary],
    comparisons: &[Comparison],
    label: &dyn Fn(&str, &str) -> String,
) -> String {
    let columns = columns(s);
    let measured = |r: &&Summary| !(r.mean_response.is_nan() && r.throughput.is_nan());
    let own = |c: &Column| NumberFormat::of_column(rows.iter().filter(measured).map(|r| (c.value)(r)));
    let formats: Vec<NumberFormat> = columns
        .iter()
        .map(|c| match c.format {
            Format::Own => own(c),
            Format::Like(j) => own(&columns[j]),
            Format::Fixed(f) => f,
        })
        .collect();
    let main = Metric::of_workload(s.workload.job.is_some())[0];
    let base = comparisons.first().map(|c| label(&c.baseline_discipline, &c.baseline_balancer));

    let mut header: Vec<String> = Vec::new();
    let sweep = s.sweep.as_ref().map(|sw| sw.parameter.clone());
    header.extend(sweep.clone());
    header.push("policy".into());
    header.extend(columns.iter().map(|c| c.header.to_string()));
    if let Some(base) = &base {
        header.push(format!("vs {base} ({})", super::short_metric(main.name())));
    }
    header.push(String::new());

    let mut table = Table::new();
    table.load_style(TableStyle::new().header_separator(LineStyle::none().fill('─').junction('─')));
    table.set_header(header);
    for r in ranked(s, rows) {
        let mut cells: Vec<String> = Vec::new();
        if sweep.is_some() {
            cells.push(r.sweep_value.map(|v| v.to_string()).unwrap_or_default());
        }
        let policy = label(&r.discipline, &r.balancer);
        cells.push(policy);
        if !measured(&r) {
            cells.extend(columns.iter().map(|_| "-".to_string()));
            if base.is_some() {
                cells.push(String::new());
            }
            cells.push(format!(
                "no task measured: {} arrived, {} completed in {} replication{} (warm-up included)",
                r.tasks_arrived,
                r.tasks_completed,
                r.replications,
                if r.replications == 1 { "" } else { "s" },
            ));
        } else {
            cells.extend(columns.iter().zip(&formats).map(|(c, f)| f.show((c.value)(r))));
            if base.is_some() {
                cells.push(verdict_cell(r, comparisons, main));
            }
            cells.push(unstable_mark(r));
        }
        table.add_row(cells);
    }
    let first_number = usize::from(sweep.is_some()) + 1;
    for (i, column) in table.column_iter_mut().enumerate() {
        if i == 0 && sweep.is_some() || (first_number..first_number + columns.len()).contains(&i) {
            column.set_cell_alignment(CellAlignment::Right);
        }
        // Cells sit one space apart; the table is indented by its caller.
        column.set_padding(if i == 0 { (0, 1) } else { (1, 1) });
    }
    table.to_string().lines().map(str::trim_end).collect::<Vec<_>>().join("\n")
}

/// "0.42x better", "1.00x no diff.", "baseline", or the ratio alone without a test.
fn verdict_cell(r: &Summary, comparisons: &[Comparison], main: Metric) -> String {
    let find = comparisons.iter().find(|c| {
        c.metric == main.name()
            && same_point(c.sweep_value, r.sweep_value)
            && c.discipline == r.discipline
            && c.balancer == r.balancer
    });
    let Some(c) = find else {
        let is_base =
            comparisons.iter().any(|c| c.baseline_discipline == r.discipline && c.baseline_balancer == r.balancer);
        return if is_base { "baseline".into() } else { String::new() };
    };
    let (ratio, _) = fmt_ratio(c.ratio, c.ratio_low.zip(c.ratio_high));
    let word = match c.verdict {
        verdict::BETTER => " better",
        verdict::WORSE => " worse",
        verdict::SAME => " no diff.",
        _ => "",
    };
    format!("{ratio}x{word}")
}

/// Whether two rows are at the same sweep point (both without one, or the same value
/// bit for bit, as the runs that made them were labelled).
fn same_point(a: Option<f64>, b: Option<f64>) -> bool {
    a.map(f64::to_bits) == b.map(f64::to_bits)
}

/// "unstable", or "unstable (2 of 3)" when not every replication was.
fn unstable_mark(r: &Summary) -> String {
    match r.unstable {
        0 => String::new(),
        n if n == r.replications => "unstable".into(),
        n => format!("unstable ({n} of {})", r.replications),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_keeps_four_significant_digits_of_its_smallest_value() {
        let f = NumberFormat::of_column([0.5482, 7.0666, 1838.0738]);
        assert_eq!(f, NumberFormat::Fixed(4));
        assert_eq!((f.show(0.5482), f.show(1838.07384)), ("0.5482".into(), "1838.0738".into()));
        // kth-replay's throughput: tiny, in one format.
        let f = NumberFormat::of_column([0.0010706718, 0.0010701]);
        assert_eq!(f.show(0.0010706718), "0.001071");
        // Large values get no decimals.
        assert_eq!(NumberFormat::of_column([123282.7413, 933993.0]).show(123282.7413), "123283");
    }

    #[test]
    fn a_column_spanning_too_many_decades_is_scientific_throughout() {
        let f = NumberFormat::of_column([1.2e-5, 3.0e6]);
        assert_eq!(f, NumberFormat::Scientific);
        assert_eq!((f.show(1.2e-5), f.show(3.0e6)), ("1.200e-5".into(), "3.000e6".into()));
        assert_eq!(f.show(f64::NAN), "-");
        assert_eq!(NumberFormat::of_column([f64::NAN, 0.0]), NumberFormat::Fixed(0));
    }
}
