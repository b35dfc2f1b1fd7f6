//! The scenario file as written: serde structs that mirror the TOML, field for field,
//! every section of it (`[network]`, `[faults]`, `[sweep]` and `[output]` too).
//! Nothing here uses the rest of this module: the checks (`validate.rs`, `faults.rs`,
//! `sweep.rs`) read these types, never the other way round.
//!
//! Nearly everything is optional here, and integers are read as `i64`, so that
//! defaults and ranges are decided by the checks, with messages that say what was
//! expected, rather than split between serde's messages ("invalid value: integer `-1`,
//! expected u32") and ours. Unknown fields are rejected everywhere. Fields whose shape
//! varies (a number or a table, a string or an array) get small hand-written
//! `Deserialize` impls instead of `#[serde(untagged)]`, whose only error is "data did
//! not match any variant".

use crate::model::Mode;
use crate::workload::{ArrivalSpec, DistSpec};
use serde::de::{self, value::MapAccessDeserializer, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScenario {
    pub name: Option<String>,
    pub description: Option<String>,
    pub seed: Option<i64>,
    pub replications: Option<i64>,
    pub run: Option<RawRun>,
    pub nodes: Option<Vec<RawNodeGroup>>,
    pub workload: Option<RawWorkload>,
    pub policies: Option<RawPolicies>,
    pub network: Option<RawNetwork>,
    pub faults: Option<RawFaults>,
    pub sweep: Option<RawSweep>,
    pub output: Option<RawOutput>,
}

/// `[output]`: what a run writes beyond the tables every run writes. `jobs` is kept
/// as a TOML value (`true`, `false` or `"all"`) and read in `validate.rs`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOutput {
    pub jobs: Option<toml::Value>,
    pub charts: Option<RawCharts>,
}

/// `charts = { width, height, formats, policies }` of `[output]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCharts {
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub formats: Option<Vec<String>>,
    pub policies: Option<Vec<String>>,
}

/// `[run]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRun {
    pub tasks: Option<i64>,
    pub horizon: Option<f64>,
    pub warmup: Option<RawWarmup>,
    pub mode: Option<Mode>,
    pub max_in_system: Option<i64>,
    pub dispatchers: Option<i64>,
    pub split: Option<String>,
    pub slowdown_tau: Option<f64>,
}

/// `warmup = 0.1` or `warmup = { seconds = 50.0 }`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum RawWarmup {
    Fraction(f64),
    Seconds(f64),
}

/// The table form of the warm-up.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WarmupTable {
    seconds: f64,
}

impl<'de> Deserialize<'de> for RawWarmup {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawWarmup;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a fraction in [0, 1) or a table { seconds = <number> }")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawWarmup, E> {
                Ok(RawWarmup::Fraction(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawWarmup, E> {
                Ok(RawWarmup::Fraction(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawWarmup, E> {
                Ok(RawWarmup::Fraction(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawWarmup, A::Error> {
                let t = WarmupTable::deserialize(MapAccessDeserializer::new(map))?;
                Ok(RawWarmup::Seconds(t.seconds))
            }
        }
        d.deserialize_any(V)
    }
}

/// `[[nodes]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNodeGroup {
    pub name: Option<String>,
    pub count: Option<i64>,
    pub speed: Option<f64>,
    pub cores: Option<i64>,
    pub memory: Option<f64>,
    pub weight: Option<f64>,
    pub latency: Option<DistSpec>,
    pub failure: Option<RawFailure>,
}

/// `[workload]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWorkload {
    pub arrival: Option<ArrivalSpec>,
    pub size: Option<DistSpec>,
    pub estimate_error: Option<f64>,
    pub cores: Option<NumberOrDist>,
    pub memory: Option<NumberOrDist>,
    pub input: Option<NumberOrDist>,
    pub output: Option<NumberOrDist>,
    pub classes: Option<Vec<RawClass>>,
    pub job: Option<RawJob>,
}

/// `job = { shape = "fork-join" | "map-reduce" | "dag", .. }` of `[workload]`; which
/// fields a shape takes is checked in `validate/workload.rs`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawJob {
    pub shape: Option<String>,
    pub tasks: Option<NumberOrDist>,
    pub maps: Option<i64>,
    pub reduces: Option<i64>,
    pub shuffle: Option<f64>,
    pub path: Option<String>,
}

/// One entry of `workload.classes`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawClass {
    pub name: Option<String>,
    pub share: Option<f64>,
    pub priority: Option<i64>,
    pub deadline: Option<f64>,
    pub size: Option<DistSpec>,
    pub cores: Option<NumberOrDist>,
    pub memory: Option<NumberOrDist>,
}

/// `[network]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNetwork {
    pub latency: Option<DistSpec>,
    pub bandwidth: Option<f64>,
    pub reports: Option<String>,
}

/// `failure = { mtbf = ..., mttr = ... }` of a node group.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFailure {
    pub mtbf: DistSpec,
    pub mttr: DistSpec,
}

/// `[faults]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFaults {
    pub heartbeat: Option<RawHeartbeat>,
    pub retry: Option<RawRetry>,
    pub events: Option<Vec<RawFaultEvent>>,
    /// A table, a name, or a list of them: read in `speculation.rs`, which knows the
    /// path of each entry.
    pub speculation: Option<toml::Value>,
}

/// `heartbeat = { interval, timeout }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHeartbeat {
    pub interval: f64,
    pub timeout: f64,
}

/// `retry = { max_attempts, backoff, factor, jitter, timeout }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRetry {
    pub max_attempts: Option<i64>,
    pub backoff: Option<f64>,
    pub factor: Option<f64>,
    pub jitter: Option<f64>,
    pub timeout: Option<f64>,
}

/// One `[[faults.events]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFaultEvent {
    pub at: f64,
    pub node: Option<String>,
    pub group: Option<String>,
    pub kind: String,
    pub duration: Option<f64>,
    pub factor: Option<f64>,
}

/// `[sweep]` as written: a parameter and either a list of values or a range.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSweep {
    pub parameter: String,
    pub values: Option<Vec<f64>>,
    pub range: Option<RawRange>,
}

/// `range = { from = 0.5, to = 0.95, step = 0.05 }`: from, from + step, ... up to `to`
/// (included when it falls on the grid).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRange {
    pub from: f64,
    pub to: f64,
    pub step: f64,
}

/// A task requirement: `cores = 2` (a constant) or `cores = { dist = "uniform", ... }`.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum NumberOrDist {
    Number(f64),
    Dist(DistSpec),
}

impl<'de> Deserialize<'de> for NumberOrDist {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = NumberOrDist;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or a distribution table such as { dist = \"uniform\", low = 1, high = 4 }")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumberOrDist, E> {
                Ok(NumberOrDist::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumberOrDist, E> {
                Ok(NumberOrDist::Number(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumberOrDist, E> {
                Ok(NumberOrDist::Number(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<NumberOrDist, A::Error> {
                DistSpec::deserialize(MapAccessDeserializer::new(map)).map(NumberOrDist::Dist)
            }
        }
        d.deserialize_any(V)
    }
}

/// `[policies]`. The lists are kept as TOML values and read in `validate.rs`, which
/// knows the path of each element and so can say which one is wrong and why
/// ("all", a name, or a table of a name and numeric parameters).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPolicies {
    pub balancers: Option<toml::Value>,
    pub disciplines: Option<toml::Value>,
    pub baseline: Option<toml::Value>,
}
