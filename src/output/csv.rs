//! `runs.csv` and `summary.csv`.
//!
//! Numbers are written by Rust's shortest round-trip formatting, which is exact and
//! the same on every platform, so equal results give equal bytes.

use crate::metrics::{summarize, RunResult, Summary};
use serde::Serialize;

/// Serialises rows (with a header) to CSV bytes.
pub fn to_csv<T: Serialize>(rows: &[T]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.serialize(row)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// Groups a scenario's runs (in plan order) by (discipline, balancer) and summarises
/// each group, keeping the order of first appearance.
pub fn summaries(runs: &[RunResult]) -> Vec<Summary> {
    let mut keys: Vec<(&str, &str)> = Vec::new();
    for r in runs {
        let key = (r.discipline.as_str(), r.balancer.as_str());
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys.iter()
        .map(|&(d, b)| {
            let group: Vec<&RunResult> = runs.iter().filter(|r| r.discipline == d && r.balancer == b).collect();
            summarize(&group)
        })
        .collect()
}
