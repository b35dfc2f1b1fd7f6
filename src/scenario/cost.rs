//! What a scenario's runs will cost, estimated before any starts, so that a number that
//! implies a run of days (a heartbeat every nanosecond, a node failing every
//! microsecond, a bursty source switching state a billion times a second) is refused
//! at `check` time with the field responsible, rather than discovered as a run that
//! never ends.
//!
//! The estimate counts the engine's events over the run's expected length (tasks over
//! the arrival rate, or the horizon): about four per task (arrival, completion, and
//! with latency two deliveries), two per heartbeat per dispatcher (the beat's delivery
//! and the detector's check), two per node failure (crash and repair), one per state
//! change of a bursty source, one per speculation check. When nodes can crash, the run lasts at least until the
//! failure detector could declare a node dead (the arrivals' span plus the heartbeat
//! timeout), since a task lost with a node waits for it. The estimate leaves out the
//! rest of the drain, retries and scripted faults, small next to a runaway source.

use super::error::located;
use super::locator::{parse_path, Locator};
use super::{FaultKind, Scenario, ScenarioError, Stop};
use crate::workload::ArrivalProcess;

/// The most events one run may be expected to take: at tens of millions of events a
/// second, about ten minutes of one core. `--force` runs a scenario beyond it.
pub const MAX_EVENTS_PER_RUN: f64 = 2e10;

/// One source of events and the field that sets its rate.
#[derive(Debug, Clone, PartialEq)]
pub struct EventSource {
    /// The field responsible (`faults.heartbeat.interval`).
    pub field: String,
    /// What the events are.
    pub what: &'static str,
    /// Expected events in one run.
    pub events: f64,
}

/// The events one run of `s` (one sweep point, one replication) is expected to take,
/// by source.
pub fn events_per_run(s: &Scenario) -> Vec<EventSource> {
    let (tasks, arrivals) = arrivals(s);
    // A task lost in a crash is found only by the detector: the run lasts that long.
    let length = arrivals + silent_drain(s).unwrap_or(0.0);
    let mut sources =
        vec![EventSource { field: "run.tasks".into(), what: "task arrivals and completions", events: 4.0 * tasks }];
    let nodes: f64 = s.node_groups.iter().map(|g| f64::from(g.count)).sum();
    if let Some(hb) = s.faults.heartbeat {
        sources.push(EventSource {
            field: "faults.heartbeat.interval".into(),
            what: "heartbeats and detector checks",
            events: 2.0 * nodes * f64::from(s.run.dispatchers) * length / hb.interval,
        });
    }
    for (i, g) in s.node_groups.iter().enumerate() {
        if let Some(f) = &g.failure {
            let cycle = f.mtbf.mean() + f.mttr.mean();
            sources.push(EventSource {
                field: format!("nodes[{i}].failure.mtbf"),
                what: "node failures and repairs",
                events: 2.0 * f64::from(g.count) * length / cycle,
            });
        }
    }
    let listed = s.faults.speculation.len();
    for (i, spec) in s.faults.speculation.iter().enumerate().filter(|(_, sp)| sp.active()) {
        let at = if listed == 1 { String::new() } else { format!("[{i}]") };
        sources.push(EventSource {
            field: format!("faults.speculation{at}.interval"),
            what: "speculation checks",
            events: length / spec.interval,
        });
    }
    if let ArrivalProcess::Bursty { durations, .. } = &s.workload.arrival {
        let mean = (durations[0] + durations[1]) / 2.0;
        sources.push(EventSource {
            field: "workload.arrival.durations".into(),
            what: "changes of the bursty source's state",
            events: length / mean,
        });
    }
    sources
}

/// The expected number of tasks of one run, and how long their arrivals last (0 when
/// the rate gives no length).
fn arrivals(s: &Scenario) -> (f64, f64) {
    let rate = s.workload.arrival.mean_rate();
    match s.run.stop {
        Stop::Tasks(n) => (n as f64, if rate > 0.0 && rate.is_finite() { n as f64 / rate } else { 0.0 }),
        Stop::Horizon(h) => (if rate.is_finite() { rate * h } else { 0.0 }, h),
    }
}

/// When nodes can crash, how long lost work may wait for the failure detector: the
/// heartbeat timeout. `None` when nothing crashes or nothing detects.
fn silent_drain(s: &Scenario) -> Option<f64> {
    let crashes = s.node_groups.iter().any(|g| g.failure.is_some())
        || s.faults.events.iter().any(|e| matches!(e.kind, FaultKind::Crash { .. }));
    crashes.then_some(s.faults.heartbeat?.timeout)
}

/// Warnings about values that are valid but make a run behave unlike what its author
/// likely meant, each naming its field: today, a failure detector slower than the
/// whole run (work lost in a crash then waits for it, and the run lasts until then).
pub fn warnings(s: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    let (_, arrivals) = arrivals(s);
    if let Some(timeout) = silent_drain(s) {
        if arrivals > 0.0 && timeout > arrivals {
            let events: f64 = events_per_run(s).iter().map(|e| e.events).sum();
            out.push(format!(
                "warning: {}: faults.heartbeat.timeout = {timeout} s is longer than the arrivals last (about {arrivals:.0} s): \
                 a task lost in a crash waits that long before the detector resubmits it, so each run lasts until then \
                 (about {events:.1e} events); a timeout of a few heartbeat intervals is the usual choice",
                s.source.display()
            ));
        }
    }
    out
}

/// Refuses a scenario (or any of its sweep points) whose run is expected to take more
/// than [`MAX_EVENTS_PER_RUN`] events, naming the field that drives the count and the
/// estimate.
///
/// # Errors
/// A located [`ScenarioError`] on the field of the largest source.
pub fn check(s: &Scenario) -> Result<(), ScenarioError> {
    let points: Vec<&Scenario> = match &s.sweep {
        Some(sweep) => sweep.points.iter().map(|p| &p.scenario).collect(),
        None => vec![s],
    };
    for point in points {
        let sources = events_per_run(point);
        let total: f64 = sources.iter().map(|e| e.events).sum();
        if total.is_nan() || total > MAX_EVENTS_PER_RUN {
            let worst = sources.iter().max_by(|a, b| a.events.total_cmp(&b.events)).expect("tasks are a source");
            let message = format!(
                "a run would take about {total:.2e} events ({:.2e} of them {}), more than the {MAX_EVENTS_PER_RUN:.0e} \
                 a run may take (days of computing); change this value, or run with --force",
                worst.events, worst.what
            );
            let locator = Locator::new(&s.text);
            return Err(located(&s.source, &locator, &parse_path(&worst.field), message));
        }
    }
    Ok(())
}
