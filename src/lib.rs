//! # schedsim
//!
//! A discrete-event simulator for distributed task scheduling and load balancing. It
//! models compute nodes, task arrivals, queues, network latency and node failures in
//! virtual time, runs every balancing policy (which node) and queue discipline (which
//! task next) a scenario file names over the same tasks (common random numbers), and
//! writes tables, paired comparisons against a baseline, charts and a report. The same
//! seed gives byte-identical output on any number of threads.
//!
//! Most users run the `schedsim` binary (`schedsim run scenarios/`; see the README).
//! This crate is that binary's library: use it to add policies of your own and get the
//! whole command line with them ([`cli::main_with`]), or to run scenarios from code.
//!
//! ## How data flows
//!
//! ```text
//!  scenario file ──scenario::parse_with──▶ Scenario (checked; policies checked against the Registry)
//!        │
//!        ▼ runner::Plan: file x sweep point x discipline x balancer x replication
//!  one run each ──sim::Simulation (engine + model + the policies the Registry builds)──▶ RunOutput
//!        │                                            (in parallel, collected in plan order)
//!        ▼ metrics: summaries over replications, paired comparisons, stability
//!  output: summary.csv, runs.csv, compare.csv, ... ──▶ charts and report.html / report.md
//! ```
//!
//! Each stage only reads what the one before produced: charts and the report are drawn
//! from the CSV files alone (`schedsim plot` redraws them), and a policy reads a
//! read-only view of what its dispatcher knows and returns a decision, never touching
//! the simulation. Imports run one way: `cli` → `output` → `runner` → `sim` → `policy`
//! / `model` / `workload` / `metrics` → `engine`, with `diagnostic` a leaf.
//!
//! ## A policy of your own, from code
//!
//! A balancer implements [`policy::Balancer`], a discipline [`policy::Discipline`];
//! a [`policy::registry::Registry`] names them beside the built-in ones, and anything
//! that checks or runs a scenario takes it. This runs a scenario given as text, with
//! one balancer of its own, and prints each run's mean response time:
//!
//! ```
//! use schedsim::prelude::*;
//! use schedsim::runner::{Plan, Progress};
//! use schedsim::scenario;
//! use std::path::Path;
//! use std::sync::Arc;
//!
//! /// Always the first node that fits: a poor balancer, for comparison.
//! struct FirstFit;
//!
//! impl Balancer for FirstFit {
//!     fn select(&mut self, task: &Task, view: &ClusterView<'_>, _rng: &mut SimRng) -> Option<NodeId> {
//!         (0..view.len()).find(|&n| view.fits(n, task))
//!     }
//! }
//!
//! let registry = Registry::default().balancer("first_fit", |_, _| Ok(FirstFit));
//! let text = r#"
//!     replications = 2
//!     [run]
//!     tasks = 2_000
//!     [[nodes]]
//!     count = 4
//!     [workload]
//!     arrival = { process = "poisson", rate = 2.0 }
//!     size = { dist = "exponential", mean = 1.0 }
//!     [policies]
//!     balancers = ["round_robin", "first_fit"]
//! "#;
//! let s = scenario::parse_with(text, Path::new("tiny.toml"), &registry)?;
//! let plan = Plan::with_registry(vec![s], Arc::new(registry));
//! let outcomes = plan.execute(1, &Progress::default());
//! for (job, outcome) in plan.jobs.iter().zip(&outcomes) {
//!     let run = &outcome.as_ref().map_err(|f| f.message.clone())?.result;
//!     println!("{} replication {}: mean response {:.3} s", job.balancer, job.replication, run.mean_response);
//! }
//! assert_eq!(outcomes.len(), 4); // 2 balancers x 2 replications
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! To get every output file as well (tables, comparisons, charts, report), give the
//! registry to [`cli::main_with`] in your program's `main` and run
//! `your-program run scenario.toml`: `examples/custom_balancer.rs` and
//! `examples/custom_discipline.rs` are complete programs.
//!
//! ## Where to start reading
//!
//! - [`policy`]: the [`Balancer`](policy::Balancer) and
//!   [`Discipline`](policy::Discipline) traits and their contracts, one file per
//!   built-in policy, and the [`registry`](policy::registry).
//! - [`scenario`]: the file format, checked into a [`Scenario`](scenario::Scenario) with
//!   errors that name the file, line and field.
//! - [`sim`]: one run, a file per concern (its module doc draws the event flow).
//! - [`runner`]: the plan of runs and its parallel execution.
//! - [`metrics`] and [`output`]: what is measured and how it is written.
//! - [`engine`]: the event queue, virtual clock and seeded random streams; it knows
//!   nothing of tasks.
#![warn(missing_docs)]

pub mod cli;
pub mod diagnostic;
pub mod engine;
pub mod fuzz;
pub mod metrics;
pub mod model;
pub mod output;
pub mod policy;
pub mod prelude;
pub mod runner;
pub mod scenario;
pub mod sim;
pub mod validate;
pub mod workload;
