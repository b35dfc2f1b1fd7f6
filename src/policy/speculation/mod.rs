//! Speculative execution (issue 13): which straggling tasks get a second copy, and on
//! which node.
//!
//! A *straggler* is a task of a job running much slower than the job's other tasks:
//! here because its node is slow (a `[[nodes]]` group of low `speed`, or a scripted
//! `slowdown`). Every `interval` seconds of virtual time the simulation shows a
//! [`Speculator`] a [`SpeculationView`] (the running tasks of jobs with their
//! progress, the job stages they belong to, the nodes with their free room as the
//! dispatcher believes it and the work they have done) and launches the copies it
//! returns. The first attempt of a task whose result reaches the dispatcher
//! completes it; the other is killed at that moment (`sim/speculation.rs`).
//!
//! | policy | file | rule |
//! |---|---|---|
//! | `none` | | no copies (the default) |
//! | `hadoop` | `hadoop.rs` | Hadoop's before LATE: progress 0.2 below its stage's average after 60 s |
//! | `late` | `late.rs` | Zaharia et al.'s LATE (OSDI 2008): longest estimated time left, on a fast node, within a cap |
//!
//! Both published rules are checked when a node asks for work; here the simulation
//! asks every `interval` seconds (default 3 s: the shortest TaskTracker heartbeat
//! interval of the Hadoop of LATE's time, `MRConstants.HEARTBEAT_INTERVAL_MIN`, later
//! lowered), which is when a node with a free slot would have asked. Both give a task at most one copy (Hadoop runs at most
//! one speculative attempt of a task; LATE only considers tasks "not currently being
//! speculated"), and here at most one in its life. Both launch copies only into room
//! that is free, and only when no task waits for it at the dispatcher (Hadoop
//! schedules failed, then pending, then speculative tasks): a copy never delays a task
//! that has not started.
//!
//! A policy decides; it never touches the run. Its choices are checked by the
//! simulation, which skips one that breaks [`Speculator`]'s contract.

mod hadoop;
mod late;

pub use hadoop::Hadoop;
pub use late::Late;

use crate::diagnostic::{unknown, FieldError};
use crate::engine::{SimRng, SimTime};
use crate::model::NodeId;
use std::collections::BTreeMap;
use std::fmt;

/// A speculation policy: given the running tasks of jobs and the nodes, the copies to
/// launch now.
///
/// # Contract
/// - Every [`CopyOrder`] names a task of [`SpeculationView::tasks`] whose `copied` is
///   false, at most once, and a node for which [`SpeculationView::fits`] holds (after
///   the room the earlier orders of the same answer take there).
/// - It is deterministic given the view and `rng`: randomness only from `rng`, ties
///   broken in a stated way.
pub trait Speculator: Send {
    /// The copies to launch now (often none).
    fn speculate(&mut self, view: &SpeculationView<'_>, rng: &mut SimRng) -> Vec<CopyOrder>;
}

/// A copy to launch: task `task` (an index into [`SpeculationView::tasks`]) on `node`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyOrder {
    /// Which running task.
    pub task: usize,
    /// Where its copy runs.
    pub node: NodeId,
}

/// A task of a job that is running now (one entry per task, however many attempts of
/// it run), as its node reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunningTask {
    /// Its job's arrival index, from 0.
    pub job: u64,
    /// Its index in the job's DAG.
    pub index: u32,
    /// Its stage ([`SpeculationView::groups`] index): the tasks of its job at its
    /// depth in the DAG (a map-reduce job's maps, or its reduces).
    pub group: u32,
    /// Its depth in the job's DAG: 0 for tasks without parents (maps), 1 for their
    /// children (reduces), and so on. Tasks of the same depth are comparable across
    /// jobs of one shape.
    pub depth: u32,
    /// Fraction of its work done, in [0, 1]: Hadoop's progress score of a map (the
    /// share of its input read). Of the most advanced attempt, if two run.
    pub progress: f64,
    /// Seconds since its attempt started running (the original's, if copied).
    pub elapsed: f64,
    /// The node its attempt runs on (the original's, if copied).
    pub node: NodeId,
    /// Cores and memory a copy needs.
    pub cores: u32,
    /// Memory a copy needs.
    pub memory: f64,
    /// It has (or had) a copy: it gets no other.
    pub copied: bool,
}

impl RunningTask {
    /// Progress per second since it started (LATE's ProgressRate); 0 before it has run.
    pub fn rate(&self) -> f64 {
        if self.elapsed > 0.0 {
            self.progress / self.elapsed
        } else {
            0.0
        }
    }

    /// LATE's estimate of the seconds it has left, (1 - progress) / rate: infinite for
    /// a task that has made no progress.
    pub fn time_left(&self) -> f64 {
        let rate = self.rate();
        if rate > 0.0 {
            (1.0 - self.progress) / rate
        } else {
            f64::INFINITY
        }
    }
}

/// One stage of one job: its tasks at one depth of its DAG (Hadoop's task category,
/// maps or reduces, within the job).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskGroup {
    /// Tasks of the stage, whatever their state.
    pub tasks: u32,
    /// Those completed.
    pub completed: u32,
}

/// A node as the dispatcher sees it when speculating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeState {
    /// Believed up.
    pub up: bool,
    /// Cores believed free.
    pub free_cores: u32,
    /// Memory believed free.
    pub free_memory: f64,
    /// Cores in all.
    pub cores: u32,
    /// Its progress rate: the progress the attempts that ran there made (1 for each
    /// that finished, its progress score for one running or killed) per second they
    /// ran, over the run so far; NaN before any ran there (nothing is known of it).
    pub rate: f64,
}

/// What a speculation policy decides on: read-only.
#[derive(Debug, Clone, Copy)]
pub struct SpeculationView<'a> {
    /// Virtual time now.
    pub now: SimTime,
    /// The running tasks of the dispatcher's jobs, by node then by start on it.
    pub tasks: &'a [RunningTask],
    /// The job stages those tasks belong to.
    pub groups: &'a [TaskGroup],
    /// Every node (index = [`NodeId`]).
    pub nodes: &'a [NodeState],
    /// Copies running now, in the whole cluster.
    pub copies_running: u32,
    /// Cores of the nodes believed up: the cluster's task slots.
    pub slots: u32,
}

impl SpeculationView<'_> {
    /// Whether a copy of `task` may go to `node`: believed up, not the node it runs
    /// on, with the cores and memory it needs free.
    pub fn fits(&self, node: NodeId, task: &RunningTask) -> bool {
        let n = &self.nodes[node];
        n.up && node != task.node && n.free_cores >= task.cores && n.free_memory >= task.memory
    }
}

/// The `q` quantile (0 to 1) of `values` by linear interpolation between order
/// statistics (Hyndman and Fan's type 7, R's and NumPy's default); NaN for none.
pub fn percentile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let h = (values.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(values.len() - 1);
    values[lo] + (h - lo as f64) * (values[hi] - values[lo])
}

/// `min_runtime`, shared by `hadoop` and `late`: seconds a task must have run before
/// it may be copied (60, Hadoop's and the LATE paper's setting).
pub(super) const MIN_RUNTIME: SpeculationParam = SpeculationParam {
    name: "min_runtime",
    doc: "seconds a task runs before it may be copied",
    default: 60.0,
    low: 0.0,
    open: false,
    high: 1e9,
};

/// A parameter of a speculation policy, with its default and valid range.
#[derive(Debug, Clone, Copy)]
pub struct SpeculationParam {
    /// Name as written in `[faults] speculation`.
    pub name: &'static str,
    /// What it means, with its unit.
    pub doc: &'static str,
    /// Value when not given.
    pub default: f64,
    /// Smallest value accepted; excluded when `open` is true.
    pub low: f64,
    /// Whether `low` itself is refused.
    pub open: bool,
    /// Largest value accepted.
    pub high: f64,
}

/// Seconds between two speculation checks, unless `interval` says otherwise: the
/// shortest TaskTracker heartbeat interval of the Hadoop of LATE's time
/// (`MRConstants.HEARTBEAT_INTERVAL_MIN`).
pub const DEFAULT_INTERVAL: f64 = 3.0;

/// `interval`, which every policy but `none` takes.
pub const INTERVAL: SpeculationParam = SpeculationParam {
    name: "interval",
    doc: "seconds between two speculation checks",
    default: DEFAULT_INTERVAL,
    low: 0.0,
    open: true,
    high: 1e9,
};

/// Every speculation policy: name, one-line definition, parameters (`interval` aside).
pub const POLICIES: &[(&str, &str, &[SpeculationParam])] = &[
    ("none", "no speculative copies", &[]),
    (
        "hadoop",
        "Hadoop's: a copy of a task 0.2 below its stage's average progress after 60 s, on any free node",
        hadoop::PARAMS,
    ),
    (
        "late",
        "LATE (Zaharia et al., OSDI 2008): a copy of the slow task with the longest estimated time left, on a fast node, within a cap",
        late::PARAMS,
    ),
];

/// A speculation policy as a scenario sets it, checked, with every parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct SpeculationSpec {
    /// Which policy, with its parameters.
    pub policy: SpeculationPolicy,
    /// Seconds between two checks (> 0).
    pub interval: f64,
}

/// A speculation policy and its parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SpeculationPolicy {
    /// No copies.
    None,
    /// Hadoop's rule ([`Hadoop`]).
    Hadoop(Hadoop),
    /// LATE ([`Late`]).
    Late(Late),
}

impl SpeculationSpec {
    /// No speculation.
    pub const NONE: SpeculationSpec = SpeculationSpec { policy: SpeculationPolicy::None, interval: DEFAULT_INTERVAL };

    /// The policy `name` with the numeric parameters `given` (each checked against its
    /// range; left out ones take their defaults).
    ///
    /// # Errors
    /// A [`FieldError`] at `policy` for an unknown name, at a parameter's name for an
    /// unknown parameter or a value out of range.
    pub fn new(name: &str, given: &BTreeMap<String, f64>) -> Result<Self, FieldError> {
        let names: Vec<&str> = POLICIES.iter().map(|p| p.0).collect();
        let Some(&(name, _, params)) = POLICIES.iter().find(|p| p.0 == name) else {
            return Err(FieldError::new("policy", unknown("speculation policy", name, &names)));
        };
        let mut accepted: Vec<SpeculationParam> = params.to_vec();
        if name != "none" {
            accepted.push(INTERVAL);
        }
        let known: Vec<&str> = accepted.iter().map(|p| p.name).collect();
        for key in given.keys() {
            if !known.contains(&key.as_str()) {
                let message = if known.is_empty() {
                    format!("'{name}' takes no parameters, got '{key}'")
                } else {
                    unknown(&format!("parameter of '{name}'"), key, &known)
                };
                return Err(FieldError::new(key.as_str(), message));
            }
        }
        let mut values = BTreeMap::new();
        for p in &accepted {
            let v = given.get(p.name).copied().unwrap_or(p.default);
            let inside = v.is_finite() && (v > p.low || (!p.open && v == p.low)) && v <= p.high;
            if !inside {
                let low = if p.open { "(" } else { "[" };
                return Err(FieldError::new(
                    p.name,
                    format!("expected {} in {low}{}, {}], got {v}", p.doc, p.low, p.high),
                ));
            }
            values.insert(p.name, v);
        }
        let get = |k: &str| values[k];
        let policy = match name {
            "hadoop" => SpeculationPolicy::Hadoop(Hadoop::from_params(get)),
            "late" => SpeculationPolicy::Late(Late::from_params(get)),
            _ => SpeculationPolicy::None,
        };
        let interval = values.get("interval").copied().unwrap_or(DEFAULT_INTERVAL);
        Ok(SpeculationSpec { policy, interval })
    }

    /// Whether it launches copies at all (every policy but `none`).
    pub fn active(&self) -> bool {
        self.policy != SpeculationPolicy::None
    }

    /// The policy, ready to decide, or `None` for `none`.
    pub fn build(&self) -> Option<Box<dyn Speculator>> {
        match self.policy {
            SpeculationPolicy::None => None,
            SpeculationPolicy::Hadoop(h) => Some(Box::new(h)),
            SpeculationPolicy::Late(l) => Some(Box::new(l)),
        }
    }

    /// Its name.
    pub fn name(&self) -> &'static str {
        match self.policy {
            SpeculationPolicy::None => "none",
            SpeculationPolicy::Hadoop(_) => "hadoop",
            SpeculationPolicy::Late(_) => "late",
        }
    }

    /// The parameters that differ from their defaults, by name, for its label.
    fn changed(&self) -> Vec<(&'static str, f64)> {
        let mut out = match self.policy {
            SpeculationPolicy::None => Vec::new(),
            SpeculationPolicy::Hadoop(h) => h.changed(),
            SpeculationPolicy::Late(l) => l.changed(),
        };
        if self.active() && self.interval != DEFAULT_INTERVAL {
            out.push(("interval", self.interval));
        }
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }

    /// The label of balancer label `balancer` run with this speculation, as the
    /// result tables write it: `random + late`; the balancer's alone under `none`.
    pub fn label_with(spec: Option<&SpeculationSpec>, balancer: &str) -> String {
        match spec {
            Some(s) if s.active() => format!("{balancer} + {s}"),
            _ => balancer.to_string(),
        }
    }
}

/// Its label: the name, with the parameters that differ from their defaults
/// (`late(cap=0.2)`), so the default policy reads as its bare name.
impl fmt::Display for SpeculationSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        let changed = self.changed();
        if !changed.is_empty() {
            let params: Vec<String> = changed.iter().map(|(k, v)| format!("{k}={v}")).collect();
            write!(f, "({})", params.join(","))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, given: &[(&str, f64)]) -> Result<SpeculationSpec, FieldError> {
        SpeculationSpec::new(name, &given.iter().map(|(k, v)| (k.to_string(), *v)).collect())
    }

    #[test]
    fn defaults_labels_and_errors() {
        assert_eq!(spec("late", &[]).unwrap().to_string(), "late");
        assert_eq!(spec("late", &[("cap", 0.2), ("interval", 1.0)]).unwrap().to_string(), "late(cap=0.2,interval=1)");
        assert_eq!(spec("hadoop", &[]).unwrap().interval, 3.0);
        assert!(!spec("none", &[]).unwrap().active());
        let e = spec("lat", &[]).unwrap_err();
        assert_eq!(e.path, "policy");
        assert!(e.message.contains("did you mean 'late'?"), "{}", e.message);
        let e = spec("late", &[("cap", 1.5)]).unwrap_err();
        assert_eq!((e.path.as_str(), e.message.contains("got 1.5")), ("cap", true), "{}", e.message);
        let e = spec("hadoop", &[("gpa", 0.1)]).unwrap_err();
        assert!(e.message.contains("did you mean 'gap'?"), "{}", e.message);
        assert!(spec("none", &[("interval", 1.0)]).unwrap_err().message.contains("takes no parameters"));
        assert!(spec("hadoop", &[("interval", 0.0)]).is_err());
    }

    #[test]
    fn percentiles_interpolate_between_order_statistics() {
        assert_eq!(percentile(&mut [4.0, 1.0, 3.0, 2.0], 0.25), 1.75);
        assert_eq!(percentile(&mut [5.0], 0.25), 5.0);
        assert!(percentile(&mut [], 0.5).is_nan());
    }

    #[test]
    fn a_label_names_the_speculation_beside_the_balancer() {
        let late = spec("late", &[]).unwrap();
        assert_eq!(SpeculationSpec::label_with(Some(&late), "random"), "random + late");
        assert_eq!(SpeculationSpec::label_with(Some(&SpeculationSpec::NONE), "random"), "random");
        assert_eq!(SpeculationSpec::label_with(None, "random"), "random");
    }
}
