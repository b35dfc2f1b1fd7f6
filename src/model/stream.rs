//! Labels of a run's random streams, one per purpose. Fixed forever: changing one
//! changes every published result. New purposes take new labels.

/// Gaps between arrivals.
pub const ARRIVALS: u64 = 1;
/// Which class each task belongs to.
pub const CLASSES: u64 = 2;
/// Task sizes.
pub const SIZES: u64 = 3;
/// Errors of size estimates.
pub const ESTIMATES: u64 = 4;
/// Cores and memory of tasks.
pub const RESOURCES: u64 = 5;
/// Policy decisions (random choices, tie-breaks).
pub const POLICY: u64 = 6;
/// Input and output sizes of tasks.
pub const TRANSFERS: u64 = 7;
/// Message latencies (keyed per message, see `sim`).
pub const NETWORK: u64 = 8;
/// Node failures and repairs (keyed per node and failure).
pub const FAILURES: u64 = 9;
/// Which dispatcher an arrival goes to (keyed per task).
pub const SPLIT: u64 = 10;
/// Retry backoff jitter.
pub const RETRY: u64 = 11;
/// Job shapes: the number of tasks of a fork-join job whose count is drawn.
pub const JOBS: u64 = 12;
/// Speculation policies' choices (`hadoop`'s node for a copy).
pub const SPECULATION: u64 = 13;
