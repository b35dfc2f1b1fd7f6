//! Everything a policy author needs, in one import: `use schedsim::prelude::*;`.
//!
//! The traits to implement ([`Balancer`], [`Discipline`]), what they read ([`Task`],
//! [`ClusterView`], [`NodeBelief`], [`NodeSpec`]) and draw from ([`SimRng`]), and what
//! registers them with the whole command line ([`Registry`], [`PolicyInfo`],
//! [`main_with`]); parameters come in a [`PolicySpec`], and a bad one is reported as a
//! [`FieldError`]. `examples/custom_balancer.rs` uses nothing else.

pub use crate::cli::{main_with, run_with_args};
pub use crate::diagnostic::FieldError;
pub use crate::engine::{SimRng, SimTime};
pub use crate::model::{Mode, NodeId, NodeSpec, Task};
pub use crate::policy::registry::{BuildContext, PolicyInfo, Registry};
pub use crate::policy::{Balancer, ClusterView, Discipline, NodeBelief, PolicySpec};
pub use std::process::ExitCode;
