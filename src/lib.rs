//! # schedsim
//!
//! A discrete-event simulator for distributed task scheduling and load balancing.
#![warn(missing_docs)]

pub mod engine;
pub mod model;
pub mod policy;
pub mod scenario;
pub mod workload;
