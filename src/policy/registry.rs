//! The one place that knows every policy: its name, definition, parameters, the modes
//! it applies to, and how to build it. `schedsim list` prints it; scenario checking
//! and the runner build from it.

use super::{balancer, discipline, Balancer, Discipline, PolicySpec};
use crate::diagnostic::{did_you_mean, finite, FieldError};
use crate::model::{Mode, NodeSpec};
use std::sync::Arc;

/// A policy parameter, for documentation and checking.
#[derive(Debug)]
pub struct ParamInfo {
    /// Name as written in the scenario (`d`).
    pub name: &'static str,
    /// What it means and its valid range.
    pub doc: &'static str,
    /// Value when not given; `None` makes it required, unless `optional`.
    pub default: Option<f64>,
    /// May be left out, with no value standing for it (a limit that is off unless set).
    pub optional: bool,
}

/// What `schedsim list` shows about a policy.
#[derive(Debug)]
pub struct PolicyInfo {
    /// Registry name (stable: it appears in scenarios and CSV files).
    pub name: &'static str,
    /// One-line definition.
    pub summary: &'static str,
    /// Parameters it takes.
    pub params: &'static [ParamInfo],
    /// Modes it applies to.
    pub modes: &'static [Mode],
}

/// What a balancer factory may look at: the cluster it will run on.
pub struct BuildContext<'a> {
    /// The binding mode.
    pub mode: Mode,
    /// Every node of the cluster.
    pub nodes: &'a [NodeSpec],
}

/// Builds a balancer from a spec whose name and parameter names are already checked.
pub type BalancerFactory = fn(&PolicySpec, &BuildContext<'_>) -> Result<Box<dyn Balancer>, FieldError>;

/// Builds a discipline from a spec whose name and parameter names are already checked.
pub type DisciplineFactory = fn(&PolicySpec, &BuildContext<'_>) -> Result<Arc<dyn Discipline>, FieldError>;

/// A registered balancer.
pub struct BalancerEntry {
    /// Name, definition, parameters, modes.
    pub info: PolicyInfo,
    /// Builds it.
    pub build: BalancerFactory,
}

/// A registered discipline.
pub struct DisciplineEntry {
    /// Name, definition, parameters, modes.
    pub info: PolicyInfo,
    /// Builds it.
    pub build: DisciplineFactory,
}

const BOTH: &[Mode] = &[Mode::Dispatch, Mode::Central];
const DISPATCH: &[Mode] = &[Mode::Dispatch];
const CENTRAL: &[Mode] = &[Mode::Central];

/// Every balancer, in the order `"all"` expands to.
pub static BALANCERS: &[BalancerEntry] = &[
    BalancerEntry {
        info: PolicyInfo { name: "random", summary: "a node drawn uniformly at random", params: &[], modes: BOTH },
        build: |_, _| Ok(Box::new(balancer::Random)),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "weighted_random",
            summary: "a node drawn at random with probability proportional to its weight",
            params: &[],
            modes: BOTH,
        },
        build: |_, ctx| Ok(Box::new(balancer::WeightedRandom::new(ctx.nodes))),
    },
    BalancerEntry {
        info: PolicyInfo { name: "round_robin", summary: "nodes in cyclic order", params: &[], modes: BOTH },
        build: |_, _| Ok(Box::<balancer::RoundRobin>::default()),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "weighted_round_robin",
            summary: "smooth weighted round robin: each node within one task of its weight's share, deterministic",
            params: &[],
            modes: BOTH,
        },
        build: |_, ctx| Ok(Box::new(balancer::WeightedRoundRobin::new(ctx.nodes))),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "least_connections",
            summary: "fewest tasks sent and not yet seen finish (ties at random)",
            params: &[],
            modes: BOTH,
        },
        build: |_, ctx| Ok(Box::new(balancer::LeastConnections::new(ctx.nodes.len()))),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "weighted_least_connections",
            summary: "fewest connections per unit of weight (ties at random)",
            params: &[],
            modes: BOTH,
        },
        build: |_, ctx| Ok(Box::new(balancer::WeightedLeastConnections::new(ctx.nodes))),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "shortest_response_time",
            summary: "lowest moving average of observed response times; untried nodes first (ties at random)",
            params: &[ParamInfo {
                name: "alpha",
                doc: "smoothing factor of the moving average, in (0, 1]; 1 keeps only the last response",
                default: Some(0.5),
                optional: false,
            }],
            modes: BOTH,
        },
        build: |spec, ctx| {
            let alpha = spec.params["alpha"];
            if alpha <= 0.0 || alpha > 1.0 {
                return Err(FieldError::new("alpha", format!("expected a number in (0, 1], got {alpha}")));
            }
            Ok(Box::new(balancer::ShortestResponseTime::new(ctx.nodes.len(), alpha)))
        },
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "power_of_d",
            summary: "fewest connections among d distinct nodes sampled at random (ties: first sampled)",
            params: &[ParamInfo {
                name: "d",
                doc: "nodes sampled per task, a whole number from 1 to the node count",
                default: Some(2.0),
                optional: false,
            }],
            modes: BOTH,
        },
        build: |spec, ctx| {
            let d = spec.params["d"];
            let nodes = ctx.nodes.len();
            if d < 1.0 || d.fract() != 0.0 {
                return Err(FieldError::new("d", format!("expected a whole number >= 1, got {d}")));
            }
            if d > nodes as f64 {
                return Err(FieldError::new(
                    "d",
                    format!("d = {d} exceeds the node count ({nodes}): cannot sample {d} distinct nodes"),
                ));
            }
            Ok(Box::new(balancer::PowerOfD::new(nodes, d as usize)))
        },
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "join_shortest_queue",
            summary: "fewest tasks waiting plus in service, as last reported plus sent since (ties at random)",
            params: &[],
            modes: BOTH,
        },
        build: |_, ctx| Ok(Box::new(balancer::JoinShortestQueue::new(ctx.nodes.len()))),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "join_idle_queue",
            summary: "the node longest on the list of reported-idle nodes, else a node at random",
            params: &[],
            modes: BOTH,
        },
        build: |_, ctx| Ok(Box::new(balancer::JoinIdleQueue::new(ctx.nodes.len()))),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "least_work_left",
            summary: "least estimated unfinished work / (speed x cores) (ties at random)",
            params: &[],
            modes: BOTH,
        },
        build: |_, ctx| Ok(Box::new(balancer::LeastWorkLeft::new(ctx.nodes))),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "min_execution_time",
            summary: "a fastest node (highest speed), ignoring load (ties at random)",
            params: &[],
            modes: BOTH,
        },
        build: |_, ctx| Ok(Box::new(balancer::MinExecutionTime::new(ctx.nodes))),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "min_completion_time",
            summary: "earliest estimated finish: work left / (speed x cores) + task estimate / speed (ties at random)",
            params: &[],
            modes: BOTH,
        },
        build: |_, ctx| Ok(Box::new(balancer::MinCompletionTime::new(ctx.nodes))),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "best_fit",
            summary: "the fitting node left with the least free cores + memory (fractions of its own; ties by index)",
            params: &[],
            modes: &[Mode::Central],
        },
        build: |_, _| Ok(Box::new(balancer::BestFit)),
    },
];

/// Every discipline, in the order `"all"` expands to.
pub static DISCIPLINES: &[DisciplineEntry] = &[
    DisciplineEntry {
        info: PolicyInfo { name: "fifo", summary: "first come, first served", params: &[], modes: BOTH },
        build: |_, _| Ok(Arc::new(discipline::Fifo)),
    },
    DisciplineEntry {
        info: PolicyInfo {
            name: "priority",
            summary: "lowest priority number first, FIFO within a class; non-preemptive",
            params: &[],
            modes: BOTH,
        },
        build: |_, _| Ok(Arc::new(discipline::Priority)),
    },
    DisciplineEntry {
        info: PolicyInfo {
            name: "preemptive_priority",
            summary: "lowest priority number first; preempts a worse running task (preemptive-resume)",
            params: &[],
            modes: DISPATCH,
        },
        build: |_, _| Ok(Arc::new(discipline::PreemptivePriority)),
    },
    DisciplineEntry {
        info: PolicyInfo {
            name: "sjf",
            summary: "smallest size estimate first; non-preemptive",
            params: &[],
            modes: BOTH,
        },
        build: |_, _| Ok(Arc::new(discipline::Sjf)),
    },
    DisciplineEntry {
        info: PolicyInfo {
            name: "srpt",
            summary: "least estimated remaining work first; preemptive",
            params: &[],
            modes: DISPATCH,
        },
        build: |_, _| Ok(Arc::new(discipline::Srpt)),
    },
    DisciplineEntry {
        info: PolicyInfo {
            name: "edf",
            summary: "earliest deadline first (no deadline: last); non-preemptive",
            params: &[],
            modes: BOTH,
        },
        build: |_, _| Ok(Arc::new(discipline::Edf)),
    },
    DisciplineEntry {
        info: PolicyInfo {
            name: "easy_backfill",
            summary: "FIFO; later tasks start early if they do not delay the head's reservation",
            params: &[ParamInfo {
                name: "depth",
                doc: "tasks behind the head tried per pass, integer >= 1 (a controller's tuning, like Slurm's bf_max_job_test; unlimited unless set)",
                default: None,
                optional: true,
            }],
            modes: CENTRAL,
        },
        build: |spec, _| {
            let depth = match spec.params.get("depth") {
                None => usize::MAX,
                Some(&depth) if depth >= 1.0 && depth.fract() == 0.0 => depth.min(usize::MAX as f64) as usize,
                Some(depth) => {
                    return Err(FieldError::new("depth", format!("expected a whole number >= 1, got {depth}")))
                }
            };
            Ok(Arc::new(discipline::EasyBackfill { depth }))
        },
    },
    DisciplineEntry {
        info: PolicyInfo {
            name: "conservative_backfill",
            summary: "FIFO; every waiting task holds a reservation, and a later one starts early only into a hole none is promised",
            params: &[],
            modes: CENTRAL,
        },
        build: |_, _| Ok(Arc::new(discipline::ConservativeBackfill)),
    },
];

/// Builds the balancer a spec names, checking the name (suggesting the closest one),
/// the mode and the parameters. Errors name the field (`name` or the parameter).
pub fn build_balancer(spec: &PolicySpec, ctx: &BuildContext<'_>) -> Result<Box<dyn Balancer>, FieldError> {
    let names: Vec<&str> = BALANCERS.iter().map(|e| e.info.name).collect();
    let entry =
        BALANCERS.iter().find(|e| e.info.name == spec.name).ok_or_else(|| unknown("balancer", &spec.name, &names))?;
    check(&entry.info, spec, ctx.mode)?;
    (entry.build)(&with_defaults(&entry.info, spec), ctx)
}

/// Builds the discipline a spec names; see [`build_balancer`].
pub fn build_discipline(spec: &PolicySpec, ctx: &BuildContext<'_>) -> Result<Arc<dyn Discipline>, FieldError> {
    let names: Vec<&str> = DISCIPLINES.iter().map(|e| e.info.name).collect();
    let entry = DISCIPLINES
        .iter()
        .find(|e| e.info.name == spec.name)
        .ok_or_else(|| unknown("discipline", &spec.name, &names))?;
    check(&entry.info, spec, ctx.mode)?;
    (entry.build)(&with_defaults(&entry.info, spec), ctx)
}

/// The specs `"all"` expands to: every balancer that can run on this cluster in this
/// mode with its default parameters (so `power_of_d`, d = 2, is left out of a one-node
/// cluster). `schedsim check` prints the expansion.
pub fn all_balancers(ctx: &BuildContext<'_>) -> Vec<PolicySpec> {
    BALANCERS.iter().map(|e| default_spec(&e.info)).filter(|spec| build_balancer(spec, ctx).is_ok()).collect()
}

/// The specs `"all"` expands to: every discipline valid in this mode and cluster.
pub fn all_disciplines(ctx: &BuildContext<'_>) -> Vec<PolicySpec> {
    DISCIPLINES.iter().map(|e| default_spec(&e.info)).filter(|spec| build_discipline(spec, ctx).is_ok()).collect()
}

fn unknown(kind: &str, name: &str, names: &[&str]) -> FieldError {
    FieldError::new(
        "name",
        format!("unknown {kind} '{name}'{} (known: {})", did_you_mean(name, names), names.join(", ")),
    )
}

fn check(info: &PolicyInfo, spec: &PolicySpec, mode: Mode) -> Result<(), FieldError> {
    if !info.modes.contains(&mode) {
        let modes: Vec<&str> = info.modes.iter().map(|m| m.name()).collect();
        return Err(FieldError::new(
            "name",
            format!(
                "'{}' applies only in {} mode, and this scenario runs in {} mode",
                info.name,
                modes.join(" or "),
                mode.name()
            ),
        ));
    }
    let known: Vec<&str> = info.params.iter().map(|p| p.name).collect();
    for (key, value) in &spec.params {
        if !known.contains(&key.as_str()) {
            let hint = did_you_mean(key, &known);
            let takes = if known.is_empty() { "no parameters".to_string() } else { known.join(", ") };
            return Err(FieldError::new(
                key.clone(),
                format!("'{}' has no parameter '{key}'{hint} (it takes {takes})", info.name),
            ));
        }
        finite(key, *value)?;
    }
    for p in info.params {
        if p.default.is_none() && !p.optional && !spec.params.contains_key(p.name) {
            return Err(FieldError::new(p.name, format!("'{}' needs parameter '{}': {}", info.name, p.name, p.doc)));
        }
    }
    Ok(())
}

fn default_spec(info: &PolicyInfo) -> PolicySpec {
    with_defaults(info, &PolicySpec::named(info.name))
}

/// The spec with every defaulted parameter filled in, so labels are canonical:
/// `power_of_d` and `{ name = "power_of_d", d = 2 }` are the same policy.
pub fn with_defaults(info: &PolicyInfo, spec: &PolicySpec) -> PolicySpec {
    let mut full = spec.clone();
    for p in info.params {
        if let Some(d) = p.default {
            full.params.entry(p.name.to_string()).or_insert(d);
        }
    }
    full
}

/// The canonical form of a balancer spec (defaults filled in), if its name is known.
pub fn canonical_balancer(spec: &PolicySpec) -> PolicySpec {
    BALANCERS.iter().find(|e| e.info.name == spec.name).map_or_else(|| spec.clone(), |e| with_defaults(&e.info, spec))
}

/// The canonical form of a discipline spec.
pub fn canonical_discipline(spec: &PolicySpec) -> PolicySpec {
    DISCIPLINES.iter().find(|e| e.info.name == spec.name).map_or_else(|| spec.clone(), |e| with_defaults(&e.info, spec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_parameter_is_an_error() {
        let nodes = [NodeSpec { group: 0, speed: 1.0, cores: 1, memory: 1.0, weight: 1.0 }];
        let ctx = BuildContext { mode: Mode::Dispatch, nodes: &nodes };
        let mut spec = PolicySpec::named("random");
        spec.params.insert("d".into(), 2.0);
        let err = build_balancer(&spec, &ctx).err().unwrap();
        assert_eq!(err.path, "d");
        let err = build_balancer(&PolicySpec::named("randon"), &ctx).err().unwrap();
        assert!(err.message.contains("did you mean 'random'"), "{}", err.message);
    }
}
