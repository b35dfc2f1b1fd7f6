//! `[output]`: the job records a run writes (`jobs`) and how the report draws its
//! charts (`charts`).

use super::{integer, Check};
use crate::diagnostic::{did_you_mean, FieldError};
use crate::policy::speculation::SpeculationSpec;
use crate::policy::PolicySpec;
use crate::scenario::raw::{RawCharts, RawOutput};
use crate::scenario::{policy_matches, ChartFormat, ChartOptions, JobRecords, OutputConfig};

/// `[output]`, with the chart policies checked against the scenario's `balancers`
/// (each beside every policy of `speculation`, as their runs are labelled) and
/// `disciplines`.
pub(super) fn output(
    raw: Option<RawOutput>,
    balancers: &[PolicySpec],
    disciplines: &[PolicySpec],
    speculation: &[SpeculationSpec],
) -> Check<OutputConfig> {
    let (jobs, raw_charts) = match raw {
        Some(r) => (r.jobs, r.charts),
        None => (None, None),
    };
    let charts = charts(raw_charts)?;
    chart_policies(&charts, balancers, disciplines, speculation)?;
    Ok(OutputConfig { jobs: jobs_option(jobs)?, charts })
}

/// `jobs = true` (replication 0), `"all"` (every replication) or `false`.
fn jobs_option(raw: Option<toml::Value>) -> Check<JobRecords> {
    Ok(match raw {
        None | Some(toml::Value::Boolean(false)) => JobRecords::Off,
        Some(toml::Value::Boolean(true)) => JobRecords::FirstReplication,
        Some(toml::Value::String(s)) if s == "all" => JobRecords::All,
        Some(other) => {
            let got = match other {
                toml::Value::String(s) => format!("{s:?}"),
                v => v.to_string(),
            };
            return Err(FieldError::new(
                "output.jobs",
                format!("expected true (replication 0), \"all\" (every replication) or false, got {got}"),
            ));
        }
    })
}

/// `charts = { ... }` on its own: sizes in range, known formats, each named once,
/// policy entries not empty. Whether the policies exist is [`chart_policies`]' check,
/// which needs the whole scenario.
pub(super) fn charts(raw: Option<RawCharts>) -> Check<ChartOptions> {
    let raw = raw.unwrap_or_default();
    let default = ChartOptions::default();
    let (min, max) = (ChartOptions::MIN_SIZE as i64, ChartOptions::MAX_SIZE as i64);
    let width = integer("output.charts.width", raw.width, default.width as i64, min, max)? as u32;
    let height = integer("output.charts.height", raw.height, default.height as i64, min, max)? as u32;
    let formats = match raw.formats {
        None => default.formats,
        Some(list) => {
            if list.is_empty() {
                return Err(FieldError::new(
                    "output.charts.formats",
                    "expected at least one of \"svg\", \"png\", \"pdf\"",
                ));
            }
            let mut formats = Vec::new();
            for (i, name) in list.iter().enumerate() {
                let path = format!("output.charts.formats[{i}]");
                let known: Vec<&str> = ChartFormat::ALL.iter().map(|f| f.ext()).collect();
                let Some(f) = ChartFormat::ALL.into_iter().find(|f| f.ext() == name) else {
                    return Err(FieldError::new(&path, crate::diagnostic::unknown("chart format", name, &known)));
                };
                if formats.contains(&f) {
                    return Err(FieldError::new(&path, format!("\"{name}\" is named twice")));
                }
                formats.push(f);
            }
            formats
        }
    };
    let policies = raw.policies.unwrap_or_default();
    for (i, p) in policies.iter().enumerate() {
        if p.trim().is_empty() {
            return Err(FieldError::new(format!("output.charts.policies[{i}]"), "expected a policy name, got \"\""));
        }
    }
    Ok(ChartOptions { width, height, formats, policies })
}

/// Every entry of `charts.policies` names a policy the scenario runs.
fn chart_policies(
    charts: &ChartOptions,
    balancers: &[PolicySpec],
    disciplines: &[PolicySpec],
    speculation: &[SpeculationSpec],
) -> Check<()> {
    let labels = |specs: &[PolicySpec]| specs.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    let d = labels(disciplines);
    // The balancers as their runs are labelled: once per speculation policy, if any.
    let b: Vec<String> = if speculation.is_empty() {
        labels(balancers)
    } else {
        let labels = balancers.iter().map(|b| b.to_string());
        labels.flat_map(|b| speculation.iter().map(move |s| SpeculationSpec::label_with(Some(s), &b))).collect()
    };
    for (i, entry) in charts.policies.iter().enumerate() {
        if d.iter().any(|d| b.iter().any(|b| policy_matches(entry, d, b))) {
            continue;
        }
        let mut known: Vec<&str> = d.iter().chain(&b).map(String::as_str).collect();
        known.dedup();
        let names: Vec<&str> = known.iter().filter_map(|l| l.split(" + ").next()?.split('(').next()).collect();
        let mut candidates = known.clone();
        candidates.extend(names);
        return Err(FieldError::new(
            format!("output.charts.policies[{i}]"),
            format!(
                "'{entry}' is no policy of this scenario{} (its disciplines and balancers: {})",
                did_you_mean(entry.trim(), &candidates),
                known.join(", ")
            ),
        ));
    }
    Ok(())
}
