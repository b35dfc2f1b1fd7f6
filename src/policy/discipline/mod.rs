//! Queue disciplines: one file per discipline.

mod fifo;

pub use fifo::Fifo;
