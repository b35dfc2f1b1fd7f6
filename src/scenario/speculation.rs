//! `[faults] speculation`: speculative copies of stragglers (issue 13), one policy or
//! a list of them to compare.
//!
//! ```toml
//! speculation = { policy = "late", cap = 0.1 }          # one policy
//! speculation = "hadoop"                                 # its name alone: every default
//! speculation = ["none", "hadoop", { policy = "late" }]  # compared, as balancers are
//! ```
//!
//! A list runs every policy of `[policies]` once per entry, as one more axis of the
//! comparison: the result tables write the speculation beside the balancer
//! (`random + late`; `none` leaves the balancer's label alone), so `summary.csv`,
//! `compare.csv`, the charts and the report compare them like any two policies, on the
//! same tasks (common random numbers). The baseline runs the first entry: list `none`
//! first to compare every policy with no speculation. A sweep could not say this: it
//! takes numbers.

use super::Scenario;
use crate::diagnostic::FieldError;
use crate::policy::speculation::{SpeculationSpec, POLICIES};
use crate::policy::PolicySpec;
use std::collections::BTreeMap;

type Check<T> = Result<T, FieldError>;

/// `[faults] speculation`, checked: empty when the field is left out. Copies compare a
/// task with the other tasks of its job, so a policy other than `none` needs jobs
/// (`has_jobs`); a retry timeout (`retry_timeout`) resubmits slow tasks too, and is
/// refused beside it.
pub(super) fn speculation(
    raw: Option<toml::Value>,
    has_jobs: bool,
    retry_timeout: bool,
) -> Check<Vec<SpeculationSpec>> {
    const PATH: &str = "faults.speculation";
    let Some(raw) = raw else { return Ok(Vec::new()) };
    let specs = match raw {
        toml::Value::Array(entries) => {
            if entries.is_empty() {
                return Err(FieldError::new(PATH, "expected at least one policy in the list, got none"));
            }
            let mut specs: Vec<SpeculationSpec> = Vec::with_capacity(entries.len());
            for (i, entry) in entries.iter().enumerate() {
                let at = format!("{PATH}[{i}]");
                let spec = one(entry).map_err(|e| e.within(&at))?;
                if let Some(j) = specs.iter().position(|s| *s == spec) {
                    return Err(FieldError::new(at, format!("'{spec}' is listed twice: {PATH}[{j}] is the same")));
                }
                specs.push(spec);
            }
            specs
        }
        entry => vec![one(&entry).map_err(|e| e.within(PATH))?],
    };
    if specs.iter().any(SpeculationSpec::active) {
        if !has_jobs {
            return Err(FieldError::new(
                PATH,
                "speculation compares a task with the other tasks of its job: it needs jobs of many tasks \
                 ([workload] job = { shape = .. })",
            ));
        }
        if retry_timeout {
            return Err(FieldError::new(
                "faults.retry.timeout",
                "a retry timeout resubmits slow tasks, as speculation copies them: choose one of the two",
            ));
        }
    }
    Ok(specs)
}

/// One policy: its name, or a table of its name (`policy`) and numeric parameters.
fn one(entry: &toml::Value) -> Check<SpeculationSpec> {
    let names: Vec<&str> = POLICIES.iter().map(|p| p.0).collect();
    let expected = format!(
        "expected a policy ({}), as a name or a table such as {{ policy = \"late\", cap = 0.1 }}",
        names.join(", ")
    );
    match entry {
        toml::Value::String(name) => SpeculationSpec::new(name, &BTreeMap::new()),
        toml::Value::Table(table) => {
            let name = match table.get("policy") {
                Some(toml::Value::String(name)) => name.as_str(),
                Some(other) => {
                    return Err(FieldError::new("policy", format!("expected a policy name, got {}", other.type_str())))
                }
                None => return Err(FieldError::new("policy", expected)),
            };
            let mut params = BTreeMap::new();
            for (key, value) in table.iter().filter(|(k, _)| *k != "policy") {
                let v = match value {
                    toml::Value::Integer(i) => *i as f64,
                    toml::Value::Float(f) => *f,
                    other => {
                        return Err(FieldError::new(
                            key.as_str(),
                            format!("expected a number, got {}", other.type_str()),
                        ))
                    }
                };
                params.insert(key.clone(), v);
            }
            SpeculationSpec::new(name, &params)
        }
        other => Err(FieldError::new("", format!("{expected}; got {}", other.type_str()))),
    }
}

impl Scenario {
    /// The speculation policy its runs use: the first listed (`None` without the field).
    pub fn speculation(&self) -> Option<&SpeculationSpec> {
        self.faults.speculation.first()
    }

    /// The label of balancer `balancer` in its result tables: with the speculation its
    /// runs use beside it (`random + late`), or alone.
    pub fn balancer_label(&self, balancer: &PolicySpec) -> String {
        SpeculationSpec::label_with(self.speculation(), &balancer.to_string())
    }

    /// The scenario once per speculation policy it lists, each with that one alone
    /// (what a plan runs: a list compares them); itself alone when it lists one or none.
    pub fn per_speculation(&self) -> Vec<Scenario> {
        if self.faults.speculation.len() <= 1 {
            return vec![self.clone()];
        }
        let one = |spec: &SpeculationSpec| {
            let mut s = self.clone();
            s.faults.speculation = vec![spec.clone()];
            s
        };
        self.faults.speculation.iter().map(one).collect()
    }
}
