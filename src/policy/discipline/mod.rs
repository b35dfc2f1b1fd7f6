//! Queue disciplines: one file per discipline.

pub mod conservative_backfill;
pub mod easy_backfill;
mod edf;
mod fifo;
pub mod preempt;
mod preemptive_priority;
mod priority;
mod sjf;
mod srpt;

pub use conservative_backfill::ConservativeBackfill;
pub use easy_backfill::EasyBackfill;
pub use edf::Edf;
pub use fifo::Fifo;
pub use preemptive_priority::PreemptivePriority;
pub use priority::Priority;
pub use sjf::Sjf;
pub use srpt::Srpt;
