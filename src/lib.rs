//! # schedsim
//!
//! A discrete-event simulator for distributed task scheduling and load balancing.
#![warn(missing_docs)]

pub mod cli;
pub mod diagnostic;
pub mod engine;
pub mod fuzz;
pub mod metrics;
pub mod model;
pub mod output;
pub mod policy;
pub mod runner;
pub mod scenario;
pub mod sim;
pub mod validate;
pub mod workload;
