//! What a run pays for: the features of its scenario, fixed when the run is built.
//!
//! The run is generic over [`Features`], and each combination is compiled on its own
//! (monomorphised), so a feature a scenario does not use costs it no branch, record or
//! event: `if F::FAULTS { .. }` disappears from the lean run's code. A scenario's
//! features are read once, in [`Kind::of`].

use crate::scenario::Scenario;

/// The features a run's code is compiled for.
pub(super) trait Features: 'static {
    /// Some message takes time (a group has a latency, or the network a bandwidth).
    /// Without it every message is delivered the instant it is sent, by a call.
    const NETWORK: bool;
    /// A task may be lost or sent twice (node failures, scripted faults, heartbeats
    /// and a failure detector, timeouts). Without it a job has exactly one attempt at a
    /// time, which lives in the job's own record.
    const FAULTS: bool;
    /// A task may get a speculative copy (`[faults] speculation`, `speculation.rs`):
    /// copies are attempts of their own, so this needs `FAULTS`. Without it no check
    /// is scheduled and no copy is looked for at a completion, a loss or a departure.
    const SPECULATION: bool;
}

/// No latency, no faults: the common case, and the peers' benchmark model.
pub(super) struct Lean;
impl Features for Lean {
    const NETWORK: bool = false;
    const FAULTS: bool = false;
    const SPECULATION: bool = false;
}

/// Messages take time; nothing fails.
pub(super) struct Networked;
impl Features for Networked {
    const NETWORK: bool = true;
    const FAULTS: bool = false;
    const SPECULATION: bool = false;
}

/// Everything: latency (perhaps on some groups only) and faults.
pub(super) struct Full;
impl Features for Full {
    const NETWORK: bool = true;
    const FAULTS: bool = true;
    const SPECULATION: bool = false;
}

/// Everything, and speculative copies of stragglers.
pub(super) struct Speculative;
impl Features for Speculative {
    const NETWORK: bool = true;
    const FAULTS: bool = true;
    const SPECULATION: bool = true;
}

/// Which of the compiled runs a scenario needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// [`Lean`].
    Lean,
    /// [`Networked`].
    Networked,
    /// [`Full`].
    Full,
    /// [`Speculative`].
    Speculative,
}

impl Kind {
    /// The cheapest run that models everything `scenario` has.
    pub fn of(scenario: &Scenario) -> Kind {
        let faults = &scenario.faults;
        let failing = scenario.node_groups.iter().any(|g| g.failure.is_some())
            || !faults.events.is_empty()
            || faults.heartbeat.is_some()
            || faults.retry.timeout.is_some();
        let network = scenario.network.bandwidth.is_some() || scenario.node_groups.iter().any(|g| g.latency.is_some());
        if scenario.speculation().is_some_and(|s| s.active()) {
            return Kind::Speculative;
        }
        match (network, failing) {
            (_, true) => Kind::Full,
            (true, false) => Kind::Networked,
            (false, false) => Kind::Lean,
        }
    }
}
