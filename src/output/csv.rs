//! CSV serialisation: one convention for every file, and the writing of a table file
//! ([`write_rows`]).
//!
//! - **Numbers** are written by the shortest round-trip formatting (`ryu`, as the csv
//!   crate does), exact and the same on every platform, so equal results give equal
//!   bytes; a figure carrying more than [`SIGNIFICANT_DIGITS`] significant digits (the
//!   noise of floating-point sums, `3.9040581621999997`) is first rounded to that many,
//!   which is still far below any figure's statistical precision.
//! - **A value that is not there** (a mean of no tasks, a detection latency without
//!   failures, a column of a feature the scenario does not use) is an empty cell, never
//!   `NaN`: what spreadsheets and pandas read as missing.
//! - **The same columns for every scenario**: a file of a scenario without a sweep,
//!   jobs or speculation has their columns too, empty, so the files of several
//!   scenarios concatenate.
//! - **Policy parameters beside the policy**: after each `discipline` and `balancer`
//!   column comes `discipline_params` / `balancer_params`, the parameters of the label
//!   as `name=value` pairs separated by `;` (`power_of_d(d=2)` gives `d=2`; empty when
//!   there are none). The label stays whole in its column: it names the policy uniquely.

use super::write_atomic;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Significant digits a number keeps in a CSV file.
pub const SIGNIFICANT_DIGITS: usize = 12;

/// The columns that are followed by a column of their label's parameters.
const POLICY_COLUMNS: [&str; 2] = ["discipline", "balancer"];

/// Serialises rows (with a header) to CSV bytes, emptying the cells of the columns
/// named in `blank` (for example the job columns of a workload without jobs).
pub fn to_csv<T: Serialize>(rows: &[T], blank: &[&str]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.serialize(row)?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    if rows.is_empty() {
        return Ok(bytes);
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes.as_slice());
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut emptied: Vec<bool> = Vec::new();
    let mut policy: Vec<bool> = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record?;
        let mut cells: Vec<String> = Vec::with_capacity(record.len() + 2);
        if i == 0 {
            emptied = record.iter().map(|name| blank.contains(&name)).collect();
            policy = record.iter().map(|name| POLICY_COLUMNS.contains(&name)).collect();
            for (name, &p) in record.iter().zip(&policy) {
                cells.push(name.to_string());
                if p {
                    cells.push(format!("{name}_params"));
                }
            }
        } else {
            for ((cell, &e), &p) in record.iter().zip(&emptied).zip(&policy) {
                cells.push(if e { String::new() } else { number_cell(cell) });
                if p {
                    cells.push(label_params(cell));
                }
            }
        }
        out.write_record(&cells)?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// A cell as written: `NaN` made empty, a float rounded to [`SIGNIFICANT_DIGITS`];
/// anything else (text, whole numbers such as seeds) as it is.
fn number_cell(cell: &str) -> String {
    if cell == "NaN" {
        return String::new();
    }
    let float_like =
        cell.contains(['.', 'e', 'E']) && cell.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
    match cell.parse::<f64>() {
        Ok(v) if float_like && v.is_finite() && significant_digits(cell) > SIGNIFICANT_DIGITS => {
            let rounded: f64 = format!("{v:.prec$e}", prec = SIGNIFICANT_DIGITS - 1).parse().unwrap_or(v);
            ryu::Buffer::new().format_finite(rounded).to_string()
        }
        _ => cell.to_string(),
    }
}

/// Significant digits of a decimal number's text (`0.00120` has 2, `3.9040581621999997` 17).
fn significant_digits(text: &str) -> usize {
    let mantissa = text.split(['e', 'E']).next().unwrap_or("");
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    digits.trim_start_matches('0').trim_end_matches('0').len()
}

/// The parameters of a policy label, `name=value` pairs joined by `;`:
/// `power_of_d(d=2)` gives `d=2`, `random + late(cap=0.2)` gives nothing (the
/// parameters of the balancer, not of the speculation policy named beside it).
pub fn label_params(label: &str) -> String {
    let policy = label.split(" + ").next().unwrap_or(label);
    match (policy.find('('), policy.ends_with(')')) {
        (Some(open), true) => {
            policy[open + 1..policy.len() - 1].split(',').map(str::trim).collect::<Vec<_>>().join(";")
        }
        _ => String::new(),
    }
}

/// Writes `rows` to `path` as CSV, atomically; with no rows, removes a stale `path`
/// instead and writes nothing.
pub(super) fn write_rows<T: Serialize>(path: &Path, rows: &[T]) -> Result<Option<PathBuf>, String> {
    if rows.is_empty() {
        remove_stale(path)?;
        return Ok(None);
    }
    let bytes = to_csv(rows, &[]).map_err(|e| format!("{}: {e}", path.display()))?;
    write_atomic(path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Some(path.to_path_buf()))
}

/// Removes `path` if it exists.
pub(super) fn remove_stale(path: &Path) -> Result<(), String> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(format!("{}: {e}", path.display())),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Row {
        a: u32,
        b: Option<f64>,
        c: &'static str,
    }

    #[test]
    fn blanks_named_columns() {
        let rows = [Row { a: 1, b: None, c: "x" }, Row { a: 2, b: Some(0.5), c: "y,z" }];
        let all = String::from_utf8(to_csv(&rows, &[]).unwrap()).unwrap();
        assert_eq!(all, "a,b,c\n1,,x\n2,0.5,\"y,z\"\n");
        let some = String::from_utf8(to_csv(&rows, &["b"]).unwrap()).unwrap();
        assert_eq!(some, "a,b,c\n1,,x\n2,,\"y,z\"\n");
    }

    #[test]
    fn a_missing_value_is_an_empty_cell() {
        let rows = [Row { a: 1, b: Some(f64::NAN), c: "x" }];
        assert_eq!(String::from_utf8(to_csv(&rows, &[]).unwrap()).unwrap(), "a,b,c\n1,,x\n");
    }

    #[test]
    fn floating_point_noise_is_rounded_away_and_nothing_else_changes() {
        assert_eq!(number_cell("3.9040581621999997"), "3.9040581622");
        assert_eq!(number_cell("9.178814872599999"), "9.1788148726");
        assert_eq!(number_cell("7218.735457502555"), "7218.7354575");
        assert_eq!(number_cell("1.2345678901234567e-7"), "1.23456789012e-7");
        // Exact figures, whole numbers (seeds) and text as they are.
        for kept in ["0.5", "27.82", "4885070878633202215", "1e300", "fifo", "", "0.000012345678901"] {
            assert_eq!(number_cell(kept), kept);
        }
        assert_eq!(number_cell("NaN"), "");
    }

    #[test]
    fn policy_columns_are_followed_by_their_parameters() {
        #[derive(Serialize)]
        struct P {
            discipline: &'static str,
            balancer: &'static str,
        }
        let rows = [
            P { discipline: "fifo", balancer: "power_of_d(d=2)" },
            P { discipline: "easy_backfill(depth=4)", balancer: "random + late(cap=0.2)" },
            P { discipline: "fifo", balancer: "shortest_response_time(alpha=0.5,beta=2)" },
        ];
        let text = String::from_utf8(to_csv(&rows, &[]).unwrap()).unwrap();
        assert_eq!(
            text,
            "discipline,discipline_params,balancer,balancer_params\n\
             fifo,,power_of_d(d=2),d=2\n\
             easy_backfill(depth=4),depth=4,random + late(cap=0.2),\n\
             fifo,,\"shortest_response_time(alpha=0.5,beta=2)\",alpha=0.5;beta=2\n"
        );
    }
}
