//! Scenario files: the TOML a user writes, checked and turned into a [`Scenario`].
//!
//! `raw.rs` mirrors the file with serde (unknown fields rejected); `validate.rs` (with
//! `faults.rs` for the network and failures, `sweep.rs` for sweeps) checks ranges and
//! references and builds the validated types, which are all the simulation sees.
//! Errors are [`ScenarioError`]s that name the file, line, column and field
//! (`locator.rs` maps field paths to places in the file, `error.rs` rewords serde's
//! errors), and suggest the closest name for a misspelt one.

pub mod cost;
mod error;
mod faults;
mod locator;
mod raw;
mod relocate;
mod speculation;
mod sweep;
mod validate;

pub use crate::diagnostic::ScenarioError;
pub use faults::{FailureModel, FaultKind, Faults, Heartbeat, Network, Reports, Retry, ScriptedFault};
pub use relocate::relocate;
pub use validate::{chart_options, discover, load, load_with, parse, parse_with};

use crate::model::{Mode, NodeSpec};
use crate::policy::speculation::SpeculationSpec;
use crate::policy::PolicySpec;
use crate::workload::{ArrivalProcess, Dist};
pub use crate::workload::{TaskClass, Workload};
use std::path::PathBuf;

/// A checked scenario: everything needed to plan and run its simulations.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Name: the results folder `results/<name>/`. Letters, digits, `-`, `_`, `.`.
    pub name: String,
    /// One line on what it asks.
    pub description: String,
    /// The file it was read from.
    pub source: PathBuf,
    /// Master seed; every run's streams derive from it and the replication number.
    pub seed: u64,
    /// Independent replications per policy combination (>= 1).
    pub replications: u32,
    /// Length, warm-up and mode.
    pub run: RunConfig,
    /// The node groups, in file order.
    pub node_groups: Vec<NodeGroup>,
    /// What arrives.
    pub workload: Workload,
    /// Balancers to compare, canonical (defaults filled in), in file order.
    pub balancers: Vec<PolicySpec>,
    /// Disciplines to compare, canonical, in file order.
    pub disciplines: Vec<PolicySpec>,
    /// `[policies] baseline`: the policy every other is compared with (`compare.csv`).
    pub baseline: Baseline,
    /// `[network]`: bandwidth and when nodes report (latencies are per node group).
    pub network: Network,
    /// `[faults]`: failure detection, retries and scripted faults.
    pub faults: Faults,
    /// `[sweep]`: the scenario at each value of one parameter. The points themselves
    /// have no sweep.
    pub sweep: Option<Sweep>,
    /// `[output]`: which job records the runs write.
    pub output: OutputConfig,
    /// The file's text as read, copied beside the results so a run can be repeated.
    pub text: std::sync::Arc<str>,
}

/// A sweep: one parameter and a checked scenario at each of its values.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The swept parameter's dotted path as written (`workload.arrival.rate`), or `load`.
    pub parameter: String,
    /// The scenario at each value, in the order written.
    pub points: Vec<SweepPoint>,
}

/// One value of a sweep and the scenario with that value.
#[derive(Debug, Clone)]
pub struct SweepPoint {
    /// The parameter's value at this point.
    pub value: f64,
    /// The whole scenario with that value.
    pub scenario: Scenario,
}

/// `[run]`: how long, how much to leave out, which binding mode.
#[derive(Debug, Clone, PartialEq)]
pub struct RunConfig {
    /// When arrivals stop (the run then drains).
    pub stop: Stop,
    /// What is left out of the metrics.
    pub warmup: Warmup,
    /// Early (`dispatch`) or late (`central`) binding.
    pub mode: Mode,
    /// Most tasks the system may hold at once; a run that exceeds it is stopped as
    /// overloaded (its queues grow without bound) and reported as failed.
    pub max_in_system: u64,
    /// Dispatchers (>= 1), each with its own view of the nodes and its own balancer.
    pub dispatchers: u32,
    /// How arrivals are shared among the dispatchers.
    pub split: Split,
    /// The threshold tau of the bounded slowdown, in seconds (default 10): a task's
    /// bounded slowdown is max(response / max(run time, tau), 1), so that very short
    /// tasks do not dominate the mean (Feitelson et al., JSSPP 1997).
    pub slowdown_tau: f64,
}

/// The policy (a discipline and a balancer) every other policy of a scenario is
/// compared with, replication by replication. `[policies] baseline` names a listed
/// balancer (taken with the first discipline), a listed discipline (with the first
/// balancer), or both (`{ discipline = "...", balancer = "..." }`); by default it is
/// the first combination: the first discipline with the first balancer.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    /// The baseline's discipline, as listed.
    pub discipline: PolicySpec,
    /// The baseline's balancer, as listed.
    pub balancer: PolicySpec,
    /// The speculation policy it runs: the first `[faults] speculation` lists (`None`
    /// without the field).
    pub speculation: Option<SpeculationSpec>,
}

impl Baseline {
    /// Its (discipline, balancer) labels, as the result tables write them (the
    /// balancer's with its speculation, `random + late`).
    pub fn labels(&self) -> (String, String) {
        (
            self.discipline.to_string(),
            SpeculationSpec::label_with(self.speculation.as_ref(), &self.balancer.to_string()),
        )
    }
}

/// `[output]`: what a scenario's runs write beyond the tables every run writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputConfig {
    /// Which runs write a row per task into `jobs.csv` (`jobs = true` or `"all"`;
    /// default none). `schedsim run --jobs` asks for it whatever the file says.
    pub jobs: JobRecords,
    /// `charts = { ... }`: the size, the files and the policies of the report's charts.
    pub charts: ChartOptions,
}

/// `[output] charts = { width = 1200, height = 800, formats = ["svg", "png"], policies = [...] }`:
/// how the report draws its charts. The report reads it from the `scenario.toml` of
/// the results folder, so `schedsim plot` redraws with the same options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartOptions {
    /// Width in pixels (SVG user units, PNG pixels, PDF points); default 1200, from
    /// [`ChartOptions::MIN_SIZE`] to [`ChartOptions::MAX_SIZE`]. Text keeps its size,
    /// so a smaller chart has relatively larger text (what a figure shrunk into a paper
    /// column needs).
    pub width: u32,
    /// Height in pixels; default 800. The Gantt chart grows past it with its panels.
    pub height: u32,
    /// The files written per chart, in this order; default SVG and PNG. The HTML report
    /// inlines the SVG whatever is written.
    pub formats: Vec<ChartFormat>,
    /// The policies the charts show; empty (the default) for every one. Each entry is
    /// a balancer or discipline (its name, `power_of_d`, or its label with parameters,
    /// `power_of_d(d=3)`, perhaps with a speculation policy, `random + late`) or a pair
    /// `"sjf / random"`; see [`policy_matches`]. The
    /// tables still list every policy, and each keeps its colour.
    pub policies: Vec<String>,
}

impl ChartOptions {
    /// The smallest width or height accepted, in pixels: the axes, legend and text need it.
    pub const MIN_SIZE: u32 = 400;
    /// The largest width or height accepted: the PNG is drawn at twice the size, and
    /// 3,000 px takes 216 MB while it is drawn.
    pub const MAX_SIZE: u32 = 3000;

    /// Whether the charts show the policy of `discipline` and `balancer` (their
    /// labels as in the CSV files: `fifo`, `power_of_d(d=2)`).
    pub fn shows(&self, discipline: &str, balancer: &str) -> bool {
        self.policies.is_empty() || self.policies.iter().any(|e| policy_matches(e, discipline, balancer))
    }
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            width: 1200,
            height: 800,
            formats: vec![ChartFormat::Svg, ChartFormat::Png],
            policies: Vec::new(),
        }
    }
}

/// Whether an entry of `charts.policies` names the policy of `discipline` and
/// `balancer`: either one by name or label, or both as `"discipline / balancer"`.
///
/// A balancer's label may carry the speculation its runs use (`random + late`, see
/// `[faults] speculation`). An entry without `+` names the balancer alone, so
/// `"random"` selects `random`, `random + hadoop` and `random + late`: a list of
/// speculation policies is one comparison, and naming the balancer keeps it whole. An
/// entry with `+` also names the speculation (by name or label): `"random + late"`
/// selects that one, and `"random + none"` the runs without copies (labelled `random`).
pub fn policy_matches(entry: &str, discipline: &str, balancer: &str) -> bool {
    let names = |entry: &str, label: &str| entry == label || label.split('(').next() == Some(entry);
    let balancer_names = |entry: &str| {
        let (base, speculation) = match balancer.split_once(" + ") {
            Some((b, s)) => (b, s),
            None => (balancer, "none"),
        };
        match entry.split_once('+') {
            Some((b, s)) => names(b.trim(), base) && names(s.trim(), speculation),
            None => names(entry, base),
        }
    };
    let entry = entry.trim();
    match entry.split_once('/') {
        Some((d, b)) => names(d.trim(), discipline) && balancer_names(b.trim()),
        None => names(entry, discipline) || balancer_names(entry),
    }
}

/// A chart file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChartFormat {
    /// Scalable vector graphics, text as text.
    Svg,
    /// A bitmap, anti-aliased.
    Png,
    /// A vector PDF page with the embedded font, for LaTeX.
    Pdf,
}

impl ChartFormat {
    /// Every format, in the order the file names them.
    pub const ALL: [ChartFormat; 3] = [ChartFormat::Svg, ChartFormat::Png, ChartFormat::Pdf];

    /// The file extension, which is also the name written in `formats`.
    pub fn ext(self) -> &'static str {
        match self {
            ChartFormat::Svg => "svg",
            ChartFormat::Png => "png",
            ChartFormat::Pdf => "pdf",
        }
    }
}

/// Which runs' tasks get a row of `jobs.csv`. Ordered: a later variant covers more
/// runs, so the wider of the file's and the command line's choice is taken.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum JobRecords {
    /// None: no `jobs.csv`, and runs are not observed for it.
    #[default]
    Off,
    /// Replication 0 of every policy combination (and sweep point).
    FirstReplication,
    /// Every run.
    All,
}

impl JobRecords {
    /// Whether replication `replication` writes its tasks' rows.
    pub fn covers(self, replication: u32) -> bool {
        match self {
            JobRecords::Off => false,
            JobRecords::FirstReplication => replication == 0,
            JobRecords::All => true,
        }
    }
}

/// `slowdown_tau` when not given, in seconds: the value batch-scheduling studies use.
pub const DEFAULT_SLOWDOWN_TAU: f64 = 10.0;

/// How arrivals are shared among several dispatchers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// Each arrival to a dispatcher drawn uniformly at random.
    Random,
    /// Arrival k to dispatcher k mod (number of dispatchers).
    RoundRobin,
}

/// `max_in_system` when not given: 10,000 tasks per core of the cluster, at least
/// 100,000 and at most 2,000,000 (at ~200 bytes a task in flight, 20 to 400 MB). A
/// stable system holds far fewer (M/M/1 at load 0.99 holds 99 on average); one whose
/// queues grow without bound (overloaded, or a failure detector that never fires while
/// tasks go on being sent to a dead node) is stopped before it exhausts memory.
pub fn default_max_in_system(cores: u64) -> u64 {
    cores.saturating_mul(10_000).clamp(100_000, 2_000_000)
}

/// When a run stops creating tasks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stop {
    /// After this many arrivals (`tasks = 200_000`).
    Tasks(u64),
    /// At this virtual time, in seconds (`horizon = 3600.0`).
    Horizon(f64),
}

/// What the metrics leave out at the start of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Warmup {
    /// Tasks whose arrival index is below this fraction of the run's tasks (or, for a
    /// horizon run, which arrive before this fraction of the horizon). `warmup = 0.1`.
    Fraction(f64),
    /// Tasks that arrive before this time, in seconds. `warmup = { seconds = 50.0 }`.
    Seconds(f64),
}

/// `[[nodes]]`: identical nodes.
#[derive(Debug, Clone)]
pub struct NodeGroup {
    /// Group name, unique in the scenario.
    pub name: String,
    /// How many nodes (>= 1).
    pub count: u32,
    /// Work units per second per core (> 0).
    pub speed: f64,
    /// Cores per node (>= 1).
    pub cores: u32,
    /// Memory per node (>= 0; default: unlimited, `f64::INFINITY`).
    pub memory: f64,
    /// Weight for weighted policies (> 0; default speed x cores).
    pub weight: f64,
    /// One-way message latency between a dispatcher and these nodes (`None`: none).
    pub latency: Option<Dist>,
    /// Random failures, if any.
    pub failure: Option<FailureModel>,
}

impl Scenario {
    /// Every node of the cluster, group by group, in file order.
    pub fn nodes(&self) -> Vec<NodeSpec> {
        self.node_groups
            .iter()
            .enumerate()
            .flat_map(|(g, grp)| {
                (0..grp.count).map(move |_| NodeSpec {
                    group: g,
                    speed: grp.speed,
                    cores: grp.cores,
                    memory: grp.memory,
                    weight: grp.weight,
                })
            })
            .collect()
    }

    /// Offered load: arrival rate x mean core-work per arrival (size x cores, summed
    /// over a job's tasks when arrivals are jobs) / total
    /// capacity (speed x cores, over all nodes). Above 1 the system cannot keep up;
    /// memory can make the real limit lower.
    pub fn offered_load(&self) -> f64 {
        let capacity: f64 = self.node_groups.iter().map(|g| g.count as f64 * g.cores as f64 * g.speed).sum();
        if let ArrivalProcess::Trace(trace) = &self.workload.arrival {
            // The trace's own sizes and cores.
            return trace.mean_rate() * trace.mean_work() / capacity;
        }
        let mean_work: f64 = self.workload.classes.iter().map(|c| c.share * c.size.mean() * c.mean_cores()).sum();
        // An arrival is a job of many tasks: its tasks' work, drawn or given.
        let per_arrival = match &self.workload.job {
            None => mean_work,
            Some(job) => match job.given_work() {
                Some(work) => work * self.workload.classes.iter().map(|c| c.share * c.mean_cores()).sum::<f64>(),
                None => mean_work * job.mean_tasks(),
            },
        };
        self.workload.arrival.mean_rate() * per_arrival / capacity
    }
}
