//! `run --format json`: the results as one JSON document on stdout, for programs.
//!
//! ```json
//! {"schedsim": "0.1.0",
//!  "scenarios": [{"scenario": "web-farm", "description": "...", "results": "results/web-farm",
//!                 "offered_load": 0.5,
//!                 "summary": [{"scenario": "web-farm", "sweep_parameter": null, ..., "mean_response": 7.066, ...}],
//!                 "compare": [{..., "ratio": 0.117, "verdict": "better"}]}]}
//! ```
//!
//! Each row is the row of `summary.csv` or `compare.csv` as written, column for column
//! and in the same order: numbers as numbers, text as strings, an empty cell as `null`.
//! Reading the files back, rather than serialising the rows again, makes the document
//! and the files agree to the last digit.

use crate::scenario::Scenario;
use serde_json::{Map, Number, Value};
use std::path::Path;

/// One scenario's object: its name, description, results folder, offered load (a
/// list of `{sweep_value, offered_load}` for a sweep), and the rows of its
/// `summary.csv` and `compare.csv` (empty when it compares nothing).
pub fn scenario(s: &Scenario, dir: &Path) -> Result<Value, String> {
    let mut doc = Map::new();
    doc.insert("scenario".into(), Value::String(s.name.clone()));
    doc.insert("description".into(), Value::String(s.description.clone()));
    doc.insert("results".into(), Value::String(dir.display().to_string()));
    let loads = super::offered_loads(s);
    let load = match (&s.sweep, loads.as_slice()) {
        (None, [(_, load)]) => number(*load),
        _ => Value::Array(
            loads
                .iter()
                .map(|(v, l)| {
                    let mut m = Map::new();
                    m.insert("sweep_value".into(), v.map_or(Value::Null, number));
                    m.insert("offered_load".into(), number(*l));
                    Value::Object(m)
                })
                .collect(),
        ),
    };
    doc.insert("offered_load".into(), load);
    doc.insert("summary".into(), Value::Array(rows(&dir.join("summary.csv"))?));
    let compare = dir.join("compare.csv");
    doc.insert("compare".into(), Value::Array(if compare.is_file() { rows(&compare)? } else { Vec::new() }));
    Ok(Value::Object(doc))
}

/// Prints the document of every scenario written, in plan order.
pub fn print(scenarios: Vec<Value>) {
    let mut doc = Map::new();
    doc.insert("schedsim".into(), Value::String(env!("CARGO_PKG_VERSION").into()));
    doc.insert("scenarios".into(), Value::Array(scenarios));
    // Serialising a tree of plain values cannot fail.
    println!("{}", serde_json::to_string_pretty(&Value::Object(doc)).unwrap_or_default());
}

/// The rows of a CSV file as objects, keyed by its header, in column order.
fn rows(path: &Path) -> Result<Vec<Value>, String> {
    let error = |e: csv::Error| format!("{}: {e}", path.display());
    let mut reader = csv::Reader::from_path(path).map_err(error)?;
    let header: Vec<String> = reader.headers().map_err(error)?.iter().map(str::to_string).collect();
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(error)?;
        let row: Map<String, Value> = header.iter().cloned().zip(record.iter().map(cell)).collect();
        out.push(Value::Object(row));
    }
    Ok(out)
}

/// A cell as a JSON value: empty is `null`, `true` and `false` booleans, a number a
/// number (whole numbers such as seeds exactly, as integers), anything else a string
/// (`inf`, a percentile beyond the histogram's range, stays the string it is in the file).
fn cell(text: &str) -> Value {
    let numeric = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
    match text {
        "" => Value::Null,
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ if numeric => match (text.parse::<u64>(), text.parse::<i64>(), text.parse::<f64>()) {
            (Ok(n), _, _) => Value::Number(n.into()),
            (_, Ok(n), _) => Value::Number(n.into()),
            (_, _, Ok(x)) if x.is_finite() => number(x),
            _ => Value::String(text.to_string()),
        },
        _ => Value::String(text.to_string()),
    }
}

/// A finite number, or `null`.
fn number(x: f64) -> Value {
    Number::from_f64(x).map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_become_numbers_strings_or_null() {
        assert_eq!(cell(""), Value::Null);
        assert_eq!(cell("4885070878633202215"), Value::Number(4885070878633202215u64.into()));
        assert_eq!(cell("0.5"), serde_json::json!(0.5));
        assert_eq!(cell("1.2e-7"), serde_json::json!(1.2e-7));
        assert_eq!(cell("power_of_d(d=2)"), Value::String("power_of_d(d=2)".into()));
        assert_eq!(cell("inf"), Value::String("inf".into()));
        assert_eq!(cell("false"), Value::Bool(false));
        assert_eq!(cell("-3"), serde_json::json!(-3));
    }
}
