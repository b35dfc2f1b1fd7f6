//! `[policies]`: the balancer and discipline lists, each element checked against the
//! registry the program was given (built-in policies and its own) and kept in
//! canonical form.

use super::{within, Check};
use crate::diagnostic::{did_you_mean, FieldError};
use crate::policy::registry::{BuildContext, Registry};
use crate::policy::PolicySpec;
use crate::scenario::Baseline;

/// Balancers or disciplines: the same syntax, two registries.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Balancer,
    Discipline,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Balancer => "balancer",
            Kind::Discipline => "discipline",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Kind::Balancer => "policies.balancers",
            Kind::Discipline => "policies.disciplines",
        }
    }

    /// What the key means when absent: every balancer, FIFO only.
    fn default_list(self, p: &Policies<'_>) -> Vec<PolicySpec> {
        match self {
            Kind::Balancer => all_balancers(p),
            Kind::Discipline => vec![PolicySpec::named("fifo")],
        }
    }

    fn all(self, p: &Policies<'_>) -> Vec<PolicySpec> {
        match self {
            Kind::Balancer => all_balancers(p),
            Kind::Discipline => p.registry.all_disciplines(p.ctx),
        }
    }

    /// Builds the policy (and drops it) to check name, mode and parameters, and that a
    /// balancer planning whole jobs has jobs to plan.
    fn check(self, spec: &PolicySpec, p: &Policies<'_>) -> Result<PolicySpec, FieldError> {
        let Policies { registry, ctx, jobs } = p;
        match self {
            Kind::Balancer => {
                let balancer = registry.build_balancer(spec, ctx)?;
                if balancer.plans_jobs() && !jobs {
                    return Err(FieldError::new(
                        "name",
                        format!("balancer '{}' plans whole DAG jobs: the workload has no `job`", spec.name),
                    ));
                }
                Ok(registry.canonical_balancer(spec))
            }
            Kind::Discipline => registry.build_discipline(spec, ctx).map(|_| registry.canonical_discipline(spec)),
        }
    }
}

/// Every balancer that applies: `"all"` leaves out those that plan whole jobs when the
/// workload has none (they would be refused).
fn all_balancers(p: &Policies<'_>) -> Vec<PolicySpec> {
    let all = p.registry.all_balancers(p.ctx);
    if p.jobs {
        return all;
    }
    all.into_iter().filter(|s| p.registry.build_balancer(s, p.ctx).is_ok_and(|b| !b.plans_jobs())).collect()
}

/// What a policy list is checked against: the program's registry, the cluster and
/// mode its policies will be built for, and whether arrivals are jobs of many tasks
/// (`[workload] job`), which the whole-DAG planners need.
pub(super) struct Policies<'a> {
    pub registry: &'a Registry,
    pub ctx: &'a BuildContext<'a>,
    pub jobs: bool,
}

/// `"all"`, or an array of names and `{ name = ..., <param> = <number> }` tables, each
/// checked against the registry and stored in canonical form.
pub(super) fn policy_list(kind: Kind, value: Option<&toml::Value>, p: &Policies<'_>) -> Check<Vec<PolicySpec>> {
    let path = kind.path();
    let noun = kind.noun();
    let items = match value {
        None => return checked_all(kind, kind.default_list(p), p),
        Some(toml::Value::String(s)) if s == "all" => return checked_all(kind, kind.all(p), p),
        Some(toml::Value::String(s)) => {
            return Err(FieldError::new(
                path,
                format!("expected \"all\" or an array of {noun}s, got string {s:?}; for one {noun}, write [{s:?}]"),
            ))
        }
        Some(toml::Value::Array(items)) => items,
        Some(other) => {
            return Err(FieldError::new(
                path,
                format!("expected \"all\" or an array of {noun}s, got {}", describe(other)),
            ))
        }
    };
    if items.is_empty() {
        return Err(FieldError::new(path, format!("expected at least one {noun}, got an empty array")));
    }
    let mut specs: Vec<PolicySpec> = Vec::with_capacity(items.len());
    for (j, item) in items.iter().enumerate() {
        let at = format!("{path}[{j}]");
        let spec = policy_spec(kind, &at, item)?;
        let canonical = kind.check(&spec, p).map_err(|e| policy_error(&at, item, e))?;
        if let Some(k) = specs.iter().position(|s| *s == canonical) {
            return Err(FieldError::new(at, format!("duplicate {noun} '{canonical}': {path}[{k}] is the same {noun}")));
        }
        specs.push(canonical);
    }
    Ok(specs)
}

/// The expansion of `"all"` (or of a default), checked like a written list so that a
/// policy that cannot be built for this cluster is reported, not run.
fn checked_all(kind: Kind, specs: Vec<PolicySpec>, p: &Policies<'_>) -> Check<Vec<PolicySpec>> {
    if specs.is_empty() {
        return Err(FieldError::new(kind.path(), format!("no {} applies in {} mode", kind.noun(), p.ctx.mode.name())));
    }
    specs.iter().map(|s| kind.check(s, p).map_err(within(kind.path()))).collect()
}

/// One element of a policy list as a spec; only shape is checked here.
fn policy_spec(kind: Kind, at: &str, item: &toml::Value) -> Check<PolicySpec> {
    let noun = kind.noun();
    match item {
        toml::Value::String(s) if s == "all" => Err(FieldError::new(
            at,
            format!("\"all\" must stand alone: write {} = \"all\"", kind.path().trim_start_matches("policies.")),
        )),
        toml::Value::String(s) => Ok(PolicySpec::named(s)),
        toml::Value::Table(t) => {
            let name = match t.get("name") {
                Some(toml::Value::String(s)) => s.clone(),
                Some(other) => {
                    return Err(FieldError::new(
                        format!("{at}.name"),
                        format!("expected a {noun} name, got {}", describe(other)),
                    ))
                }
                None => {
                    return Err(FieldError::new(
                        format!("{at}.name"),
                        format!("missing field: expected the {noun}'s name, such as name = \"power_of_d\""),
                    ))
                }
            };
            let mut spec = PolicySpec::named(&name);
            for (key, value) in t.iter().filter(|(k, _)| k.as_str() != "name") {
                let number = match value {
                    toml::Value::Integer(i) => *i as f64,
                    toml::Value::Float(f) => *f,
                    other => {
                        return Err(FieldError::new(
                            format!("{at}.{key}"),
                            format!("expected a number for parameter '{key}', got {}", describe(other)),
                        ))
                    }
                };
                spec.params.insert(key.clone(), number);
            }
            Ok(spec)
        }
        other => Err(FieldError::new(
            at,
            format!(
                "expected a {noun} name or a table {{ name = \"...\", <parameter> = <number> }}, got {}",
                describe(other)
            ),
        )),
    }
}

/// Places a registry error: `name` is the element itself when it is a bare string.
fn policy_error(at: &str, item: &toml::Value, e: FieldError) -> FieldError {
    if e.path == "name" && item.is_str() {
        FieldError::new(at, e.message)
    } else {
        within(at)(e)
    }
}

/// A TOML value as a message shows what was found.
fn describe(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("string {s:?}"),
        toml::Value::Integer(i) => format!("integer {i}"),
        toml::Value::Float(f) => format!("number {f}"),
        toml::Value::Boolean(b) => format!("boolean {b}"),
        toml::Value::Datetime(d) => format!("date-time {d}"),
        toml::Value::Array(_) => "an array".to_string(),
        toml::Value::Table(_) => "a table".to_string(),
    }
}

/// `[policies] baseline`: a listed balancer (with the first discipline), a listed
/// discipline (with the first balancer), or a table naming either or both; by
/// default the first discipline with the first balancer. A name is a policy's label
/// (`power_of_d(d=3)`) or, when only one listed policy has it, its bare name.
pub(super) fn baseline(
    value: Option<&toml::Value>,
    disciplines: &[PolicySpec],
    balancers: &[PolicySpec],
) -> Check<Baseline> {
    const PATH: &str = "policies.baseline";
    let first = Baseline { discipline: disciplines[0].clone(), balancer: balancers[0].clone(), speculation: None };
    match value {
        None => Ok(first),
        Some(toml::Value::String(name)) => {
            let as_balancer = find(name, balancers, Kind::Balancer, PATH);
            let as_discipline = find(name, disciplines, Kind::Discipline, PATH);
            match (as_balancer, as_discipline) {
                (Ok(Some(b)), _) => Ok(Baseline { balancer: b, ..first }),
                (_, Ok(Some(d))) => Ok(Baseline { discipline: d, ..first }),
                (Err(e), _) | (_, Err(e)) => Err(e),
                (Ok(None), Ok(None)) => {
                    let labels: Vec<String> = balancers.iter().chain(disciplines).map(|p| p.to_string()).collect();
                    let known: Vec<&str> = labels.iter().map(String::as_str).collect();
                    Err(FieldError::new(
                        PATH,
                        format!(
                            "'{name}' is none of this scenario's balancers and disciplines{} (expected one of: {})",
                            did_you_mean(name, &known),
                            known.join(", ")
                        ),
                    ))
                }
            }
        }
        Some(toml::Value::Table(t)) => {
            if let Some(key) = t.keys().find(|k| !["discipline", "balancer"].contains(&k.as_str())) {
                return Err(FieldError::new(
                    format!("{PATH}.{key}"),
                    format!(
                        "unknown field '{key}'{} (expected discipline and/or balancer)",
                        did_you_mean(key, &["discipline", "balancer"])
                    ),
                ));
            }
            if t.is_empty() {
                return Err(FieldError::new(PATH, "expected discipline = \"...\", balancer = \"...\" or both"));
            }
            let mut chosen = first;
            for (kind, listed) in [(Kind::Discipline, disciplines), (Kind::Balancer, balancers)] {
                let key = kind.noun();
                let at = format!("{PATH}.{key}");
                let name = match t.get(key) {
                    None => continue,
                    Some(toml::Value::String(s)) => s,
                    Some(other) => {
                        return Err(FieldError::new(at, format!("expected a {key}'s name, got {}", describe(other))))
                    }
                };
                let spec = find(name, listed, kind, &at)?.ok_or_else(|| not_listed(name, listed, kind, &at))?;
                match kind {
                    Kind::Discipline => chosen.discipline = spec,
                    Kind::Balancer => chosen.balancer = spec,
                }
            }
            Ok(chosen)
        }
        Some(other) => Err(FieldError::new(
            PATH,
            format!(
                "expected a balancer's or discipline's name, or {{ discipline = \"...\", balancer = \"...\" }}, got {}",
                describe(other)
            ),
        )),
    }
}

/// The listed policy `name` names: its label, or its bare name when only one listed
/// policy has it (`Ok(None)`: none does; an error: several do).
fn find(name: &str, listed: &[PolicySpec], kind: Kind, at: &str) -> Check<Option<PolicySpec>> {
    if let Some(p) = listed.iter().find(|p| p.to_string() == name) {
        return Ok(Some(p.clone()));
    }
    let named: Vec<&PolicySpec> = listed.iter().filter(|p| p.name == name).collect();
    match named.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some((*one).clone())),
        several => {
            let labels: Vec<String> = several.iter().map(|p| format!("\"{p}\"")).collect();
            Err(FieldError::new(
                at,
                format!(
                    "'{name}' names {} listed {}s: write one's label, one of {}",
                    several.len(),
                    kind.noun(),
                    labels.join(", ")
                ),
            ))
        }
    }
}

/// The error for a name that is not one of the `listed` policies of its kind.
fn not_listed(name: &str, listed: &[PolicySpec], kind: Kind, at: &str) -> FieldError {
    let labels: Vec<String> = listed.iter().map(|p| p.to_string()).collect();
    let known: Vec<&str> = labels.iter().map(String::as_str).collect();
    FieldError::new(
        at,
        format!(
            "'{name}' is not one of this scenario's {}s{} (expected one of: {}); the baseline must be a policy that runs",
            kind.noun(),
            did_you_mean(name, &known),
            known.join(", ")
        ),
    )
}
