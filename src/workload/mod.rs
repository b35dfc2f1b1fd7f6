//! What arrives: probability distributions, arrival processes and task classes.

pub mod arrival;
pub mod dist;
pub mod trace;

pub use arrival::{ArrivalProcess, ArrivalSpec};
pub use dist::{Dist, DistSpec};
pub use trace::{Trace, TraceJob, TraceReader};
