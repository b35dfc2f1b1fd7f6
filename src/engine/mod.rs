//! The simulation engine: a virtual clock, an event queue and seeded random streams.
//!
//! It knows nothing of tasks, nodes or policies: the event type is a parameter, and
//! what an event means is the model's business (`crate::model`). That keeps the engine
//! small enough to check by reading, and reusable for any discrete-event model.

mod queue;
mod rng;

pub use queue::{EventId, EventQueue};
pub use rng::{derive_seed, SimRng};

/// Virtual time in seconds since the start of a run.
///
/// Times are finite and non-negative; the event queue relies on this to order them
/// by their bit patterns (see [`EventQueue`]).
pub type SimTime = f64;
