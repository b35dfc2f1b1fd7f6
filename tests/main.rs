//! One integration-test binary, with modules named for behaviour.

mod bad_scenarios;
mod cli;
mod common;
mod determinism;
mod statistics;
