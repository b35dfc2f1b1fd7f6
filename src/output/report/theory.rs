//! Theory on the charts: when a scenario is a queue that theory solves, its charts
//! draw the theoretical values as dashed reference lines labelled "M/M/1 theory".
//!
//! A scenario is recognised as M/M/1 (FIFO) from its `scenario.toml`, checked in full
//! by the scenario parser (so defaults are the simulator's own), at each sweep point:
//! one node with one core, Poisson arrivals, every task class of exponential size
//! (one mean) needing one core and memory the node has, FIFO as every discipline, one
//! dispatcher, and nothing that makes it another system: no message latency or
//! bandwidth, no failures, scripted faults, heartbeats or timeouts. The balancer does
//! not matter with one node. Arrivals must be slower than service (load below 1).
//! Anything else, or a `scenario.toml` that cannot be read or checked, draws no line:
//! the line is a claim about the model, and is made only when its assumptions hold.
//!
//! Formulas from `validate::theory` (Kleinrock 1975): the response is exponential
//! with rate mu - lambda, so its mean is 1 / (mu - lambda) and its q quantile
//! -ln(1 - q) / (mu - lambda); throughput is lambda and utilization lambda / mu.

use std::path::Path;

use super::data::{same_sweep, Results};
use super::Chart;
use crate::output::chart::{fmt_plain, Plot, Reference, Series, REFERENCE};
use crate::policy::registry::Registry;
use crate::scenario::Scenario;
use crate::validate::theory::{mm1_quantile, mm1_response};
use crate::workload::ArrivalProcess;

/// The label of every reference line.
const LABEL: &str = "M/M/1 theory";

/// An M/M/1 queue: arrival rate and service rate, per second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Mm1 {
    pub lambda: f64,
    pub mu: f64,
}

/// The analytic model of the scenario, or of each sweep point that has one.
#[derive(Debug, Clone, Default)]
pub(super) struct Theory {
    /// `(sweep value, model)`; the value is `None` without a sweep.
    points: Vec<(Option<f64>, Mm1)>,
}

/// The theory of the results in `dir`, from the `scenario.toml` `text` written
/// beside them; empty when there is none to draw.
pub(super) fn of(dir: &Path, text: Option<&str>, registry: &Registry) -> Theory {
    let Some(text) = text else { return Theory::default() };
    // Cheap first: only a Poisson scenario can be one, and checking a scenario in
    // full reads its trace, which may be long.
    let poisson = toml::from_str::<toml::Value>(text).ok().is_some_and(|v| {
        v.get("workload").and_then(|w| w.get("arrival")).and_then(|a| a.get("process")).and_then(|p| p.as_str())
            == Some("poisson")
    });
    if !poisson {
        return Theory::default();
    }
    let Ok(s) = crate::scenario::parse_with(text, &dir.join("scenario.toml"), registry) else {
        return Theory::default();
    };
    let points = match &s.sweep {
        Some(sweep) => sweep.points.iter().filter_map(|p| Some((Some(p.value), mm1(&p.scenario)?))).collect(),
        None => mm1(&s).map(|m| vec![(None, m)]).unwrap_or_default(),
    };
    Theory { points }
}

/// The M/M/1 queue `s` is, if it is one (see the module's doc).
pub(super) fn mm1(s: &Scenario) -> Option<Mm1> {
    let [g] = s.node_groups.as_slice() else { return None };
    let faults = &s.faults;
    let plain = g.count == 1
        && g.cores == 1
        && g.latency.is_none()
        && g.failure.is_none()
        && s.network.bandwidth.is_none()
        && faults.events.is_empty()
        && faults.heartbeat.is_none()
        && faults.retry.timeout.is_none()
        && s.run.dispatchers == 1
        && !s.disciplines.is_empty()
        && s.disciplines.iter().all(|d| d.name == "fifo");
    let ArrivalProcess::Poisson { mean_gap } = s.workload.arrival else { return None };
    let classes = &s.workload.classes;
    let mean = classes.first()?.size.as_exponential()?;
    let same = classes.iter().all(|c| {
        c.size.as_exponential() == Some(mean)
            && c.cores.as_constant().is_some_and(|k| k.ceil().max(1.0) == 1.0)
            && c.memory.max().is_some_and(|m| m <= g.memory)
    });
    let (lambda, mu) = (1.0 / mean_gap, g.speed / mean);
    (plain && same && lambda < mu && lambda > 0.0).then_some(Mm1 { lambda, mu })
}

impl Theory {
    /// The model at sweep value `v` (`None`: no sweep).
    fn at(&self, v: Option<&str>) -> Option<Mm1> {
        self.points
            .iter()
            .find(|(x, _)| match (x, v) {
                (None, None) => true,
                (Some(x), Some(v)) => {
                    same_sweep(&x.to_string(), v) || v.parse::<f64>().is_ok_and(|v| (v - x).abs() < 1e-9)
                }
                _ => false,
            })
            .map(|p| p.1)
    }

    /// Draws the theory on every chart that shows a quantity it predicts: the
    /// response and throughput bars (at the focus point), the latency curves (at
    /// every sweep point that is M/M/1), the CDF and the tail chart. Says so in
    /// each chart's note and caption.
    pub(super) fn annotate(&self, charts: &mut [Chart], r: &Results) {
        if self.points.is_empty() {
            return;
        }
        let focus = self.at(r.focus().filter(|_| r.sweep_parameter.is_some()));
        for c in charts.iter_mut() {
            let drawn = match (c.fig.stem.as_str(), &mut c.fig.plot) {
                ("response" | "throughput", Plot::Bars(p)) => {
                    let Some(m) = focus else { continue };
                    let mut any = false;
                    for panel in &mut p.panels {
                        let value = value_for(&panel.title, m);
                        panel.reference = value.map(|v| Reference { value: v, label: LABEL.into() });
                        any |= value.is_some();
                    }
                    any.then(|| format!("dashed lines: {LABEL} ({})", rates(m)))
                }
                (stem @ ("latency_mean" | "latency_p99"), Plot::Lines(p)) => {
                    let q = if stem == "latency_p99" { Some(0.99) } else { None };
                    let points: Vec<(f64, f64)> = self
                        .points
                        .iter()
                        .filter_map(|(x, m)| {
                            Some(((*x)?, q.map_or(mm1_response(m.lambda, m.mu), |q| mm1_quantile(m.lambda, m.mu, q))))
                        })
                        .collect();
                    (points.len() >= 2).then(|| {
                        p.panels[0].series.push(Series { label: LABEL.into(), look: REFERENCE, points, band: vec![] });
                        format!("dashed: {LABEL} at each load it holds for")
                    })
                }
                (stem @ ("cdf" | "ccdf"), Plot::Lines(p)) => {
                    let Some(m) = focus else { continue };
                    let ccdf = stem == "ccdf";
                    // The response is exponential with rate mu - lambda: points evenly
                    // spaced in log P(response > x), over the chart's range of it (the
                    // tail chart: from the median to its lowest probability).
                    let (lowest, highest) = match p.panels[0].y.range {
                        Some((lo, _)) if ccdf => (lo, 0.5),
                        _ => (1e-4, 0.999),
                    };
                    let steps = (20.0 * (highest / lowest).log10()).ceil().max(1.0) as usize;
                    let points: Vec<(f64, f64)> = (0..=steps)
                        .map(|k| {
                            let tail = highest * (lowest / highest).powf(k as f64 / steps as f64);
                            let x = -tail.ln() / (m.mu - m.lambda);
                            (x, if ccdf { tail } else { 1.0 - tail })
                        })
                        .collect();
                    p.panels[0].series.push(Series { label: LABEL.into(), look: REFERENCE, points, band: vec![] });
                    Some(format!("dashed: {LABEL}, exponential with rate μ − λ = {}/s", fmt_plain(m.mu - m.lambda)))
                }
                _ => None,
            };
            if let Some(what) = drawn {
                let note = c.fig.note.get_or_insert_with(String::new);
                if !note.is_empty() {
                    note.push('\n');
                }
                note.push_str(&capitalize(&what));
                note.push('.');
                c.caption.push_str(&format!(
                    " The dashed line is {LABEL}: this scenario is a single one-core node with Poisson arrivals, exponential sizes and FIFO, so mean response is 1/(μ − λ) and the response time is exponential."
                ));
            }
        }
    }
}

/// The theoretical value of a bar panel titled `title`, if theory gives one.
fn value_for(title: &str, m: Mm1) -> Option<f64> {
    let quantile = |q: f64| Some(mm1_quantile(m.lambda, m.mu, q));
    match title.split_whitespace().next()? {
        "mean" => Some(mm1_response(m.lambda, m.mu)),
        "p50" => quantile(0.5),
        "p95" => quantile(0.95),
        "p99" => quantile(0.99),
        "p99.9" => quantile(0.999),
        "throughput" => Some(m.lambda),
        "utilization" => Some(m.lambda / m.mu),
        _ => None,
    }
}

/// `λ = 0.8/s, μ = 1/s`.
fn rates(m: Mm1) -> String {
    format!("λ = {}/s, μ = {}/s", fmt_plain(m.lambda), fmt_plain(m.mu))
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}
