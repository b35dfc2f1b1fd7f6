//! `[output] charts` when a report is drawn: the options, read from the results
//! folder's `scenario.toml` (so `schedsim plot` redraws as `schedsim run` drew), and
//! the results cut down to the policies the charts show.

use std::path::Path;

use super::data::Results;
use super::OutputError;
use crate::scenario::{policy_matches, ChartOptions};

/// The chart options of the results in `dir`: from its `scenario.toml`, or the
/// defaults when there is none.
pub(super) fn read(dir: &Path, text: Option<&str>) -> Result<ChartOptions, OutputError> {
    let path = dir.join("scenario.toml");
    match text {
        None => Ok(ChartOptions::default()),
        Some(text) => crate::scenario::chart_options(text, &path)
            .map_err(|e| OutputError::Scenario { path, message: e.to_string() }),
    }
}

/// `r` with only the rows of the policies `options` shows; each policy keeps its
/// index, and so its colour. An entry that names no policy of the results is an
/// error naming it.
pub(super) fn select(r: &Results, options: &ChartOptions, dir: &Path) -> Result<Results, OutputError> {
    let mut out = r.clone();
    if options.policies.is_empty() {
        return Ok(out);
    }
    for entry in &options.policies {
        if !r.policies.iter().any(|p| policy_matches(entry, &p.discipline, &p.balancer)) {
            let known: Vec<&str> = r.policies.iter().map(|p| p.label.as_str()).collect();
            return Err(OutputError::Scenario {
                path: dir.join("scenario.toml"),
                message: format!(
                    "output.charts.policies: '{entry}' is no policy of summary.csv (its policies: {})",
                    known.join(", ")
                ),
            });
        }
    }
    let keep: Vec<bool> = r.policies.iter().map(|p| options.shows(&p.discipline, &p.balancer)).collect();
    let kept = |pi: &usize| keep.get(*pi).copied().unwrap_or(false);
    out.summary.retain(|x| kept(&x.policy));
    out.classes.retain(|x| kept(&x.policy));
    out.cdf.retain(|x| kept(&x.policy));
    out.timeseries.retain(|x| kept(&x.policy));
    out.nodes.retain(|x| kept(&x.policy));
    out.gantt.retain(|x| kept(&x.policy));
    out.job_gantt.retain(|x| kept(&x.policy));
    Ok(out)
}
