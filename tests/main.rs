//! One integration-test binary, with modules named for behaviour.

mod backfill;
mod bad_scenarios;
mod balancers;
mod charts;
mod cli;
mod common;
mod comparisons;
mod custom_policy;
mod dag;
mod determinism;
mod disciplines;
mod examples;
mod faults;
mod fuzz_corpus;
mod golden;
mod jobs;
mod least_work;
mod planners;
mod shards;
mod slurm;
mod speculation;
mod stability;
mod statistics;
mod sweeps;
mod traces;
mod validation;
