//! A queue discipline of your own, with the whole `schedsim` command line: a scenario
//! file names it like a built-in one, and every output includes it.
//!
//! `virtual_deadline` serves the task whose virtual deadline, arrival + w x estimated
//! size, is earliest: w = 0 is first come, first served, and a large w approaches
//! shortest job first, yet a large task is never passed over for ever (a later task
//! goes first only if it is enough smaller).
//!
//! ```sh
//! cargo run --release --example custom_discipline -- run examples/custom-discipline.toml
//! ```

use schedsim::prelude::*;

/// Earliest virtual deadline (arrival + w x size estimate) first; non-preemptive.
struct VirtualDeadline {
    w: f64,
}

impl Discipline for VirtualDeadline {
    fn rank(&self, task: &Task) -> f64 {
        task.arrival + self.w * task.estimate
    }
}

fn main() -> ExitCode {
    main_with(policies())
}

/// The built-in policies and this program's own.
pub fn policies() -> Registry {
    let virtual_deadline = PolicyInfo::new("virtual_deadline", "earliest arrival + w x size estimate first").param(
        "w",
        "seconds of waiting a unit of size is worth, 0 (FIFO) to 1000",
        1.0,
    );
    Registry::default()
        .discipline(virtual_deadline, |spec, _| Ok(VirtualDeadline { w: spec.within("w", 0.0, 1000.0)? }))
}
