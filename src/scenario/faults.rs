//! `[network]`, `[faults]`, and the per-group `latency` and `failure`: the checked
//! types of the parts of a scenario that model the network and failures, and their
//! checks, from the raw types of `raw.rs`.

use super::raw::{NumberOrDist, RawFailure, RawFaultEvent, RawFaults, RawNetwork};
use super::{NodeGroup, Split};
use crate::diagnostic::{non_negative, positive, unknown, FieldError};
use crate::policy::speculation::SpeculationSpec;
use crate::workload::{Dist, DistSpec};
use std::path::Path;

/// `[network]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    /// Bytes per second of every link, if transfers take time (with task input and
    /// output sizes).
    pub bandwidth: Option<f64>,
    /// When nodes report their state to the dispatchers.
    pub reports: Reports,
}

/// When nodes send state reports (tasks waiting and running, tasks received).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reports {
    /// With every result (and every heartbeat).
    Results,
    /// Only with heartbeats: views are as stale as the heartbeat interval.
    Heartbeats,
}

/// `[faults]`.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Heartbeats and the failure detector; required when nodes can fail.
    pub heartbeat: Option<Heartbeat>,
    /// What happens to a task lost with its node.
    pub retry: Retry,
    /// Scripted faults, in time order.
    pub events: Vec<ScriptedFault>,
    /// Speculative copies of stragglers (`speculation.rs`): empty when not set; a run
    /// uses the first, and a plan runs each listed one as a policy of its own.
    pub speculation: Vec<SpeculationSpec>,
}

/// Nodes send a heartbeat every `interval`; a dispatcher declares a node dead after
/// `timeout` without one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Heartbeat {
    /// Seconds between heartbeats (> 0).
    pub interval: f64,
    /// Seconds without a heartbeat before a node is declared dead (> interval).
    pub timeout: f64,
}

/// Resubmission of lost tasks.
#[derive(Debug, Clone, PartialEq)]
pub struct Retry {
    /// Attempts in all, the first included (>= 1); a task whose last attempt is lost fails.
    pub max_attempts: u32,
    /// Wait before attempt k + 1: `backoff x factor^(k - 1)`, times (1 + jitter u), u
    /// uniform in (-1, 1).
    pub backoff: f64,
    /// Growth of the backoff per attempt (1 = fixed).
    pub factor: f64,
    /// Relative jitter of the backoff, in [0, 1).
    pub jitter: f64,
    /// Resubmit a task whose result has not come back this long after it was sent.
    pub timeout: Option<f64>,
}

impl Default for Retry {
    fn default() -> Self {
        Retry { max_attempts: 3, backoff: 0.0, factor: 1.0, jitter: 0.0, timeout: None }
    }
}

/// A fault written in the scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptedFault {
    /// When, in seconds.
    pub at: f64,
    /// The nodes it hits (indices into [`Scenario::nodes`]).
    pub nodes: Vec<usize>,
    /// What happens.
    pub kind: FaultKind,
}

/// A kind of fault.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaultKind {
    /// Fail-stop for `duration` seconds; the node comes back empty.
    Crash {
        /// Seconds down.
        duration: f64,
    },
    /// Runs at `factor` of its speed for `duration` seconds (a straggler).
    Slowdown {
        /// Fraction of speed kept, in (0, 1].
        factor: f64,
        /// Seconds slow.
        duration: f64,
    },
}

/// Random failures of a node group: time to failure and time to repair.
#[derive(Debug, Clone)]
pub struct FailureModel {
    /// Time from coming up to failing.
    pub mtbf: Dist,
    /// Time from failing to coming back.
    pub mttr: Dist,
}

type Check<T> = Result<T, FieldError>;

/// `[run] split`: "random" (default) or "round_robin".
pub(super) fn split(raw: Option<&str>) -> Check<Split> {
    match raw {
        None | Some("random") => Ok(Split::Random),
        Some("round_robin") => Ok(Split::RoundRobin),
        Some(other) => Err(FieldError::new("run.split", unknown("value", other, &["random", "round_robin"]))),
    }
}

/// `[network]`, and each group's latency (its own, or the network's default).
pub(super) fn network(raw: Option<RawNetwork>, base_dir: &Path) -> Check<(Network, Option<Dist>)> {
    let raw = raw.unwrap_or(RawNetwork { latency: None, bandwidth: None, reports: None });
    let latency = match raw.latency {
        Some(spec) => Some(spec.build(base_dir).map_err(|e| e.within("network.latency"))?),
        None => None,
    };
    let bandwidth = raw.bandwidth.map(|b| positive("network.bandwidth", b)).transpose()?;
    let reports = match raw.reports.as_deref() {
        None | Some("results") => Reports::Results,
        Some("heartbeats") => Reports::Heartbeats,
        Some(other) => {
            return Err(FieldError::new("network.reports", unknown("value", other, &["results", "heartbeats"])))
        }
    };
    Ok((Network { bandwidth, reports }, latency.filter(|d| d.max() != Some(0.0))))
}

/// A group's own `latency` and `failure`.
pub(super) fn group_extras(
    i: usize,
    latency: Option<DistSpec>,
    failure: Option<RawFailure>,
    base_dir: &Path,
) -> Check<(Option<Dist>, Option<FailureModel>)> {
    let at = |f: &str| format!("nodes[{i}].{f}");
    let latency = latency.map(|s| s.build(base_dir).map_err(|e| e.within(&at("latency")))).transpose()?;
    let failure = match failure {
        None => None,
        Some(f) => {
            let mtbf = f.mtbf.build(base_dir).map_err(|e| e.within(&at("failure.mtbf")))?;
            let mttr = f.mttr.build(base_dir).map_err(|e| e.within(&at("failure.mttr")))?;
            if mtbf.mean() <= 0.0 {
                return Err(FieldError::new(at("failure.mtbf"), "expected a positive mean time between failures"));
            }
            Some(FailureModel { mtbf, mttr })
        }
    };
    Ok((latency, failure))
}

/// Task input and output sizes: only meaningful with a bandwidth.
pub(super) fn transfer(
    path: &str,
    raw: Option<NumberOrDist>,
    bandwidth: Option<f64>,
    base_dir: &Path,
) -> Check<Option<Dist>> {
    let Some(raw) = raw else { return Ok(None) };
    if bandwidth.is_none() {
        return Err(FieldError::new(path, "task transfer sizes need network.bandwidth to take time"));
    }
    Ok(Some(match raw {
        NumberOrDist::Number(n) => Dist::constant(non_negative(path, n)?),
        NumberOrDist::Dist(spec) => spec.build(base_dir).map_err(|e| e.within(path))?,
    }))
}

/// `[faults]`, checked against the node groups (event targets) and whether any group
/// can fail (then heartbeats are required: without them a lost task is never noticed).
pub(super) fn faults(raw: Option<RawFaults>, groups: &[NodeGroup]) -> Check<Faults> {
    let raw = raw.unwrap_or(RawFaults { heartbeat: None, retry: None, events: None, speculation: None });
    let heartbeat = match raw.heartbeat {
        None => None,
        Some(h) => {
            let interval = positive("faults.heartbeat.interval", h.interval)?;
            let timeout = positive("faults.heartbeat.timeout", h.timeout)?;
            if timeout <= interval {
                return Err(FieldError::new(
                    "faults.heartbeat.timeout",
                    format!("expected a timeout longer than the interval ({interval}), got {timeout}: every node would be suspected between two heartbeats"),
                ));
            }
            Some(Heartbeat { interval, timeout })
        }
    };
    let mut retry = Retry::default();
    if let Some(r) = raw.retry {
        if let Some(m) = r.max_attempts {
            if !(1..=1_000_000).contains(&m) {
                return Err(FieldError::new(
                    "faults.retry.max_attempts",
                    format!("expected a whole number >= 1, got {m}"),
                ));
            }
            retry.max_attempts = m as u32;
        }
        retry.backoff = r.backoff.map(|b| non_negative("faults.retry.backoff", b)).transpose()?.unwrap_or(0.0);
        retry.factor = r.factor.map(|f| positive("faults.retry.factor", f)).transpose()?.unwrap_or(1.0);
        if let Some(j) = r.jitter {
            if !(0.0..1.0).contains(&j) {
                return Err(FieldError::new("faults.retry.jitter", format!("expected a number in [0, 1), got {j}")));
            }
            retry.jitter = j;
        }
        retry.timeout = r.timeout.map(|t| positive("faults.retry.timeout", t)).transpose()?;
    }
    let mut events = Vec::new();
    for (i, e) in raw.events.unwrap_or_default().into_iter().enumerate() {
        events.push(event(i, e, groups)?);
    }
    events.sort_by(|a, b| a.at.total_cmp(&b.at));
    let can_fail =
        groups.iter().any(|g| g.failure.is_some()) || events.iter().any(|e| matches!(e.kind, FaultKind::Crash { .. }));
    if can_fail && heartbeat.is_none() {
        let path = if groups.iter().any(|g| g.failure.is_some()) { "faults" } else { "faults.events" };
        return Err(FieldError::new(
            path,
            "nodes can fail, so dispatchers need heartbeats to notice: add heartbeat = { interval = ..., timeout = ... } to [faults]",
        ));
    }
    Ok(Faults { heartbeat, retry, events, speculation: Vec::new() })
}

fn event(i: usize, e: RawFaultEvent, groups: &[NodeGroup]) -> Check<ScriptedFault> {
    let at = |f: &str| format!("faults.events[{i}].{f}");
    let time = non_negative(&at("at"), e.at)?;
    let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
    let first_of = |g: usize| groups[..g].iter().map(|x| x.count as usize).sum::<usize>();
    let find_group = |name: &str, field: &str| -> Check<usize> {
        names.iter().position(|n| *n == name).ok_or_else(|| FieldError::new(at(field), unknown("value", name, &names)))
    };
    let nodes = match (e.node, e.group) {
        (Some(_), Some(_)) => return Err(FieldError::new(at("group"), "expected node or group, got both")),
        (None, None) => return Err(FieldError::new(at("node"), "expected node = \"group[k]\" or group = \"name\"")),
        (None, Some(g)) => {
            let g = find_group(&g, "group")?;
            (first_of(g)..first_of(g) + groups[g].count as usize).collect()
        }
        (Some(n), None) => {
            let (name, k) = n
                .strip_suffix(']')
                .and_then(|s| s.split_once('['))
                .and_then(|(name, k)| k.parse::<usize>().ok().map(|k| (name.to_string(), k)))
                .ok_or_else(|| {
                    FieldError::new(
                        at("node"),
                        format!("expected \"group[k]\" (e.g. \"{}[0]\"), got \"{n}\"", names[0]),
                    )
                })?;
            let g = find_group(&name, "node")?;
            if k >= groups[g].count as usize {
                return Err(FieldError::new(
                    at("node"),
                    format!(
                        "group '{name}' has {} nodes (0 to {}), so there is no {name}[{k}]",
                        groups[g].count,
                        groups[g].count - 1
                    ),
                ));
            }
            vec![first_of(g) + k]
        }
    };
    let duration = positive(
        &at("duration"),
        e.duration.ok_or_else(|| FieldError::new(at("duration"), "expected a duration in seconds"))?,
    )?;
    let kind = match e.kind.as_str() {
        "crash" => {
            if e.factor.is_some() {
                return Err(FieldError::new(at("factor"), "a crash takes no factor (slowdown does)"));
            }
            FaultKind::Crash { duration }
        }
        "slowdown" => {
            let factor = e
                .factor
                .ok_or_else(|| FieldError::new(at("factor"), "a slowdown needs factor = fraction of speed kept"))?;
            if !(factor > 0.0 && factor <= 1.0) {
                return Err(FieldError::new(
                    at("factor"),
                    format!("expected a fraction of speed in (0, 1], got {factor}"),
                ));
            }
            FaultKind::Slowdown { factor, duration }
        }
        other => return Err(FieldError::new(at("kind"), unknown("value", other, &["crash", "slowdown"]))),
    };
    Ok(ScriptedFault { at: time, nodes, kind })
}
