//! The one place that knows every policy: its name, definition, parameters, the modes
//! it applies to, and how to build it.
//!
//! A [`Registry`] holds the built-in policies ([`Registry::default`], listed in
//! `builtin.rs`) and any a program adds beside them ([`Registry::balancer`],
//! [`Registry::discipline`]). Scenario checking, the runner and `schedsim list` all read
//! the one the command line was given, passed down to them: a scenario naming a
//! policy of your own is checked, run, compared and reported like any built-in one.
//!
//! ```
//! use schedsim::prelude::*;
//!
//! /// Always the first node that fits.
//! struct FirstFit;
//!
//! impl Balancer for FirstFit {
//!     fn select(&mut self, task: &Task, view: &ClusterView<'_>, _rng: &mut SimRng) -> Option<NodeId> {
//!         (0..view.len()).find(|&n| view.fits(n, task))
//!     }
//! }
//!
//! let registry = Registry::default().balancer("first_fit", |_, _| Ok(FirstFit));
//! assert!(registry.balancers().any(|p| p.name == "first_fit"));
//! ```

mod builtin;

pub use builtin::{BALANCERS, DISCIPLINES};

use super::{Balancer, Discipline, PolicySpec};
use crate::diagnostic::{did_you_mean, finite, FieldError};
use crate::model::{Mode, NodeSpec};
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// A policy parameter, for documentation and checking.
#[derive(Debug, Clone)]
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

/// What `schedsim list` shows about a policy, and what checking a scenario needs to
/// know of it: its parameters and modes.
///
/// Built-in policies are listed as constants; one of your own is described with the
/// builder methods, as in
/// `PolicyInfo::new("my_lb", "least connections among k sampled nodes").param("k", "nodes sampled, 1 or more", 2.0)`.
/// A bare name (`"my_lb"`) converts into a policy with no parameters, valid in both modes.
#[derive(Debug, Clone)]
pub struct PolicyInfo {
    /// Registry name (stable: it appears in scenarios and CSV files).
    pub name: &'static str,
    /// One-line definition.
    pub summary: &'static str,
    /// Parameters it takes.
    pub params: Cow<'static, [ParamInfo]>,
    /// Modes it applies to.
    pub modes: &'static [Mode],
}

pub(crate) const BOTH: &[Mode] = &[Mode::Dispatch, Mode::Central];
pub(crate) const DISPATCH: &[Mode] = &[Mode::Dispatch];
pub(crate) const CENTRAL: &[Mode] = &[Mode::Central];

impl PolicyInfo {
    /// A policy named `name` (snake_case: it appears in scenario files and CSV columns),
    /// defined by `summary`, with no parameters, valid in both modes.
    pub fn new(name: &'static str, summary: &'static str) -> Self {
        PolicyInfo { name, summary, params: Cow::Borrowed(&[]), modes: BOTH }
    }

    /// Adds a parameter that takes `default` when the scenario leaves it out; `doc`
    /// says what it means and its valid range (`schedsim list` prints it).
    pub fn param(self, name: &'static str, doc: &'static str, default: f64) -> Self {
        self.with_param(ParamInfo { name, doc, default: Some(default), optional: false })
    }

    /// Adds a parameter every scenario naming the policy must give.
    pub fn required_param(self, name: &'static str, doc: &'static str) -> Self {
        self.with_param(ParamInfo { name, doc, default: None, optional: false })
    }

    /// Adds a parameter that may be left out, with no value standing for it (read it
    /// with `spec.params.get(name)`).
    pub fn optional_param(self, name: &'static str, doc: &'static str) -> Self {
        self.with_param(ParamInfo { name, doc, default: None, optional: true })
    }

    /// Restricts the policy to one mode (`&[Mode::Central]`, say).
    pub fn modes(self, modes: &'static [Mode]) -> Self {
        PolicyInfo { modes, ..self }
    }

    fn with_param(mut self, param: ParamInfo) -> Self {
        self.params.to_mut().push(param);
        self
    }
}

/// A bare name: no parameters, both modes, no summary.
impl From<&'static str> for PolicyInfo {
    fn from(name: &'static str) -> Self {
        PolicyInfo::new(name, "")
    }
}

/// What a policy factory may look at: the cluster it will run on.
pub struct BuildContext<'a> {
    /// The binding mode.
    pub mode: Mode,
    /// Every node of the cluster.
    pub nodes: &'a [NodeSpec],
}

/// Builds a built-in balancer from a spec whose name and parameter names are already
/// checked, its defaults filled in.
pub type BalancerFactory = fn(&PolicySpec, &BuildContext<'_>) -> Result<Box<dyn Balancer>, FieldError>;

/// Builds a built-in discipline; see [`BalancerFactory`].
pub type DisciplineFactory = fn(&PolicySpec, &BuildContext<'_>) -> Result<Arc<dyn Discipline>, FieldError>;

/// A built-in balancer, as listed in [`BALANCERS`].
pub struct BalancerEntry {
    /// Name, definition, parameters, modes.
    pub info: PolicyInfo,
    /// Builds it.
    pub build: BalancerFactory,
}

/// A built-in discipline, as listed in [`DISCIPLINES`].
pub struct DisciplineEntry {
    /// Name, definition, parameters, modes.
    pub info: PolicyInfo,
    /// Builds it.
    pub build: DisciplineFactory,
}

/// How a registered policy is built: built-in ones by their function, a program's own
/// by its closure.
type Build<P> = Arc<dyn Fn(&PolicySpec, &BuildContext<'_>) -> Result<P, FieldError> + Send + Sync>;

/// A registered policy of either kind (`P` is what its factory makes).
struct Entry<P> {
    info: PolicyInfo,
    build: Build<P>,
}

impl<P> Clone for Entry<P> {
    fn clone(&self) -> Self {
        Entry { info: self.info.clone(), build: Arc::clone(&self.build) }
    }
}

/// Every policy a program knows: the built-in ones and those it registered.
///
/// Built once, where the program starts, and passed down to whatever checks or runs a
/// scenario (`scenario::parse_with`, `runner::Plan::with_registry`,
/// `sim::Simulation::with_registry`, `cli::main_with`); there is no global registry.
/// Cloning is cheap (factories are shared).
#[derive(Clone)]
pub struct Registry {
    balancers: Vec<Entry<Box<dyn Balancer>>>,
    disciplines: Vec<Entry<Arc<dyn Discipline>>>,
}

/// The built-in policies, in the order `"all"` expands to.
impl Default for Registry {
    fn default() -> Self {
        Registry {
            balancers: BALANCERS.iter().map(|e| Entry { info: e.info.clone(), build: Arc::new(e.build) }).collect(),
            disciplines: DISCIPLINES.iter().map(|e| Entry { info: e.info.clone(), build: Arc::new(e.build) }).collect(),
        }
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("balancers", &self.balancers.iter().map(|e| e.info.name).collect::<Vec<_>>())
            .field("disciplines", &self.disciplines.iter().map(|e| e.info.name).collect::<Vec<_>>())
            .finish()
    }
}

impl Registry {
    /// This registry with a balancer of your own: `info` is its name (and, if you
    /// like, definition, parameters and modes: see [`PolicyInfo`]), `build` makes one
    /// instance per dispatcher and run from the scenario's spec (its parameters
    /// checked against `info` and defaults filled in) and the cluster. A parameter
    /// value `build` rejects is reported as a located error at that parameter (see
    /// [`PolicySpec::whole`]). `"all"` in a scenario includes it, after the built-ins.
    ///
    /// # Panics
    /// If the name is already registered, is `all`, or is not made of ASCII letters,
    /// digits and `_`; or a parameter is named `name`: mistakes in the program, not in
    /// its input, found the first time it starts.
    pub fn balancer<B, F>(mut self, info: impl Into<PolicyInfo>, build: F) -> Self
    where
        B: Balancer + 'static,
        F: Fn(&PolicySpec, &BuildContext<'_>) -> Result<B, FieldError> + Send + Sync + 'static,
    {
        let info = admit(info.into(), self.balancers.iter().map(|e| e.info.name), "balancer");
        let build: Build<Box<dyn Balancer>> =
            Arc::new(move |spec, ctx| build(spec, ctx).map(|b| Box::new(b) as Box<dyn Balancer>));
        self.balancers.push(Entry { info, build });
        self
    }

    /// This registry with a discipline of your own; see [`balancer`](Self::balancer).
    ///
    /// # Panics
    /// As [`balancer`](Self::balancer).
    pub fn discipline<D, F>(mut self, info: impl Into<PolicyInfo>, build: F) -> Self
    where
        D: Discipline + 'static,
        F: Fn(&PolicySpec, &BuildContext<'_>) -> Result<D, FieldError> + Send + Sync + 'static,
    {
        let info = admit(info.into(), self.disciplines.iter().map(|e| e.info.name), "discipline");
        let build: Build<Arc<dyn Discipline>> =
            Arc::new(move |spec, ctx| build(spec, ctx).map(|d| Arc::new(d) as Arc<dyn Discipline>));
        self.disciplines.push(Entry { info, build });
        self
    }

    /// Every balancer, built-in ones first, in the order `"all"` expands to.
    pub fn balancers(&self) -> impl Iterator<Item = &PolicyInfo> {
        self.balancers.iter().map(|e| &e.info)
    }

    /// Every discipline, built-in ones first.
    pub fn disciplines(&self) -> impl Iterator<Item = &PolicyInfo> {
        self.disciplines.iter().map(|e| &e.info)
    }

    /// Builds the balancer a spec names, checking the name (suggesting the closest
    /// one), the mode and the parameters. Errors name the field (`name` or the
    /// parameter).
    pub fn build_balancer(&self, spec: &PolicySpec, ctx: &BuildContext<'_>) -> Result<Box<dyn Balancer>, FieldError> {
        build(&self.balancers, "balancer", spec, ctx)
    }

    /// Builds the discipline a spec names; see [`build_balancer`](Self::build_balancer).
    pub fn build_discipline(
        &self,
        spec: &PolicySpec,
        ctx: &BuildContext<'_>,
    ) -> Result<Arc<dyn Discipline>, FieldError> {
        build(&self.disciplines, "discipline", spec, ctx)
    }

    /// The specs `"all"` expands to: every balancer that can run on this cluster in
    /// this mode with its default parameters (so `power_of_d`, d = 2, is left out of a
    /// one-node cluster, and a policy with a required parameter is left out).
    /// `schedsim check` prints the expansion.
    pub fn all_balancers(&self, ctx: &BuildContext<'_>) -> Vec<PolicySpec> {
        all(&self.balancers, ctx)
    }

    /// The specs `"all"` expands to: every discipline valid in this mode and cluster.
    pub fn all_disciplines(&self, ctx: &BuildContext<'_>) -> Vec<PolicySpec> {
        all(&self.disciplines, ctx)
    }

    /// The canonical form of a balancer spec (defaults filled in), if its name is known.
    pub fn canonical_balancer(&self, spec: &PolicySpec) -> PolicySpec {
        canonical(&self.balancers, spec)
    }

    /// The canonical form of a discipline spec.
    pub fn canonical_discipline(&self, spec: &PolicySpec) -> PolicySpec {
        canonical(&self.disciplines, spec)
    }
}

/// Checks a policy a program registers; see [`Registry::balancer`] for the rules.
fn admit<'a>(info: PolicyInfo, taken: impl Iterator<Item = &'a str>, kind: &str) -> PolicyInfo {
    let name = info.name;
    let word = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    assert!(
        word(name) && name != "all",
        "cannot register {kind} {name:?}: a name is ASCII letters, digits and '_', and not \"all\""
    );
    for p in info.params.iter() {
        assert!(
            word(p.name) && p.name != "name",
            "cannot register {kind} '{name}': parameter {:?} must be ASCII letters, digits and '_', and not \"name\"",
            p.name
        );
        assert!(
            p.default.is_none_or(f64::is_finite),
            "cannot register {kind} '{name}': the default of '{}' is not finite",
            p.name
        );
    }
    let mut taken = taken;
    assert!(!taken.any(|t| t == name), "cannot register {kind} '{name}': a {kind} of that name is already registered");
    info
}

fn build<P>(entries: &[Entry<P>], kind: &str, spec: &PolicySpec, ctx: &BuildContext<'_>) -> Result<P, FieldError> {
    let entry = entries.iter().find(|e| e.info.name == spec.name).ok_or_else(|| {
        let names: Vec<&str> = entries.iter().map(|e| e.info.name).collect();
        FieldError::new(
            "name",
            format!("unknown {kind} '{}'{} (known: {})", spec.name, did_you_mean(&spec.name, &names), names.join(", ")),
        )
    })?;
    check(&entry.info, spec, ctx.mode)?;
    (entry.build)(&with_defaults(&entry.info, spec), ctx)
}

fn all<P>(entries: &[Entry<P>], ctx: &BuildContext<'_>) -> Vec<PolicySpec> {
    entries
        .iter()
        .map(|e| with_defaults(&e.info, &PolicySpec::named(e.info.name)))
        .filter(|spec| build(entries, "", spec, ctx).is_ok())
        .collect()
}

fn canonical<P>(entries: &[Entry<P>], spec: &PolicySpec) -> PolicySpec {
    entries.iter().find(|e| e.info.name == spec.name).map_or_else(|| spec.clone(), |e| with_defaults(&e.info, spec))
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
    for p in info.params.iter() {
        if p.default.is_none() && !p.optional && !spec.params.contains_key(p.name) {
            return Err(FieldError::new(p.name, format!("'{}' needs parameter '{}': {}", info.name, p.name, p.doc)));
        }
    }
    Ok(())
}

/// The spec with every defaulted parameter filled in, so labels are canonical:
/// `power_of_d` and `{ name = "power_of_d", d = 2 }` are the same policy.
pub fn with_defaults(info: &PolicyInfo, spec: &PolicySpec) -> PolicySpec {
    let mut full = spec.clone();
    for p in info.params.iter() {
        if let Some(d) = p.default {
            full.params.entry(p.name.to_string()).or_insert(d);
        }
    }
    full
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(nodes: &[NodeSpec]) -> BuildContext<'_> {
        BuildContext { mode: Mode::Dispatch, nodes }
    }

    const NODE: NodeSpec = NodeSpec { group: 0, speed: 1.0, cores: 1, memory: 1.0, weight: 1.0 };

    #[test]
    fn unknown_parameter_is_an_error() {
        let nodes = [NODE];
        let registry = Registry::default();
        let mut spec = PolicySpec::named("random");
        spec.params.insert("d".into(), 2.0);
        let err = registry.build_balancer(&spec, &ctx(&nodes)).err().unwrap();
        assert_eq!(err.path, "d");
        let err = registry.build_balancer(&PolicySpec::named("randon"), &ctx(&nodes)).err().unwrap();
        assert!(err.message.contains("did you mean 'random'"), "{}", err.message);
    }

    struct Rank0;
    impl Discipline for Rank0 {
        fn rank(&self, _: &crate::model::Task) -> f64 {
            0.0
        }
    }

    #[test]
    fn a_registered_discipline_is_built_checked_and_listed_after_the_built_ins() {
        let nodes = [NODE];
        let registry = Registry::default()
            .discipline(PolicyInfo::new("rank0", "all equal").param("k", "any", 1.0), |spec, _| {
                spec.whole("k", 1, 9).map(|_| Rank0)
            });
        assert_eq!(registry.disciplines().last().map(|p| p.name), Some("rank0"));
        assert!(registry.all_disciplines(&ctx(&nodes)).iter().any(|s| s.to_string() == "rank0(k=1)"));
        let mut spec = PolicySpec::named("rank0");
        spec.params.insert("k".into(), 10.0);
        let err = registry.build_discipline(&spec, &ctx(&nodes)).err().unwrap();
        assert_eq!((err.path.as_str(), err.message.as_str()), ("k", "expected a whole number from 1 to 9, got 10"));
        let err = registry.build_discipline(&PolicySpec::named("rank"), &ctx(&nodes)).err().unwrap();
        assert!(err.message.contains("did you mean 'rank0'") && err.message.contains("fifo"), "{}", err.message);
    }

    #[test]
    #[should_panic(expected = "already registered")]
    fn a_name_cannot_be_registered_twice() {
        let _ = Registry::default().discipline("fifo", |_, _| Ok(Rank0));
    }
}
