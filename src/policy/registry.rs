//! The one place that knows every policy: its name, definition, parameters, the modes
//! it applies to, and how to build it. `schedsim list` prints it; scenario checking
//! and the runner build from it.

use super::{balancer, discipline, Balancer, Discipline, PolicySpec};
use crate::model::{Mode, NodeSpec};
use crate::workload::FieldError;
use std::sync::Arc;

/// A policy parameter, for documentation and checking.
#[derive(Debug)]
pub struct ParamInfo {
    /// Name as written in the scenario (`d`).
    pub name: &'static str,
    /// What it means and its valid range.
    pub doc: &'static str,
    /// Value when not given; `None` makes it required.
    pub default: Option<f64>,
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

/// Every balancer, in the order `"all"` expands to.
pub static BALANCERS: &[BalancerEntry] = &[
    BalancerEntry {
        info: PolicyInfo { name: "random", summary: "a node drawn uniformly at random", params: &[], modes: BOTH },
        build: |_, _| Ok(Box::new(balancer::Random)),
    },
    BalancerEntry {
        info: PolicyInfo { name: "round_robin", summary: "nodes in cyclic order", params: &[], modes: BOTH },
        build: |_, _| Ok(Box::<balancer::RoundRobin>::default()),
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
];

/// Every discipline, in the order `"all"` expands to.
pub static DISCIPLINES: &[DisciplineEntry] = &[DisciplineEntry {
    info: PolicyInfo { name: "fifo", summary: "first come, first served", params: &[], modes: BOTH },
    build: |_, _| Ok(Arc::new(discipline::Fifo)),
}];

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

/// The specs `"all"` expands to for a mode: every policy valid in it, with defaults.
pub fn all_balancers(mode: Mode) -> Vec<PolicySpec> {
    BALANCERS.iter().filter(|e| e.info.modes.contains(&mode)).map(|e| default_spec(&e.info)).collect()
}

/// The specs `"all"` expands to for a mode.
pub fn all_disciplines(mode: Mode) -> Vec<PolicySpec> {
    DISCIPLINES.iter().filter(|e| e.info.modes.contains(&mode)).map(|e| default_spec(&e.info)).collect()
}

/// The candidate nearest to `name` by edit distance, if near enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), *c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min()
        .map(|(_, c)| c)
}

fn unknown(kind: &str, name: &str, names: &[&str]) -> FieldError {
    let hint = match closest(name, names) {
        Some(c) => format!("; did you mean '{c}'?"),
        None => String::new(),
    };
    FieldError::new("name", format!("unknown {kind} '{name}'{hint} (known: {})", names.join(", ")))
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
            let hint = closest(key, &known).map(|c| format!("; did you mean '{c}'?")).unwrap_or_default();
            let takes = if known.is_empty() { "no parameters".to_string() } else { known.join(", ") };
            return Err(FieldError::new(
                key.clone(),
                format!("'{}' has no parameter '{key}'{hint} (it takes {takes})", info.name),
            ));
        }
        if !value.is_finite() {
            return Err(FieldError::new(key.clone(), format!("expected a finite number, got {value}")));
        }
    }
    for p in info.params {
        if p.default.is_none() && !spec.params.contains_key(p.name) {
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
    fn suggests_the_closest_name() {
        let names = ["random", "round_robin", "least_connections"];
        assert_eq!(closest("least_conections", &names), Some("least_connections"));
        assert_eq!(closest("roundrobin", &names), Some("round_robin"));
        assert_eq!(closest("zzzzzz", &names), None);
    }

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
