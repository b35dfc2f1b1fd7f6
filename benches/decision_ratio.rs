//! How much more a task's decision costs at 10,000 nodes than at 10, for every balancer
//! that runs in dispatch mode: the cost rule of the algorithms issue (at most twice).
//!
//! `policies` times each size on its own, seconds apart, and on a shared machine the
//! load of its neighbours moves a time by 10 to 20%, so the ratio of two such times
//! moves by as much. Here the two sizes take turns: each round times a block of
//! [`BLOCK`] steps ([`steady::Steady`]: a decision and two belief updates) at 10 nodes,
//! then one at 10,000, so both see the same machine; each size's time is the least of
//! its [`ROUNDS`] blocks (the block least disturbed), and the ratio is of those.
//! The median of the rounds' own ratios is printed beside it.
//!
//! `cargo bench --bench decision_ratio`

mod steady;

use schedsim::model::Mode;
use schedsim::policy::registry::BALANCERS;
use std::hint::black_box;
use std::time::Instant;
use steady::Steady;

/// Steps per timed block.
const BLOCK: usize = 200_000;
/// Blocks per size and balancer.
const ROUNDS: usize = 15;

/// Nanoseconds per step over one block.
fn block(state: &mut Steady) -> f64 {
    let start = Instant::now();
    for _ in 0..BLOCK {
        black_box(state.step());
    }
    start.elapsed().as_nanos() as f64 / BLOCK as f64
}

fn main() {
    // `cargo bench` passes `--bench`; a name given after `--` keeps only the balancers
    // whose names contain it.
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    println!("| balancer | ns at 10 nodes | ns at 10,000 | ratio of least | median ratio |");
    println!("|---|---|---|---|---|");
    let names = std::iter::once(None).chain(
        BALANCERS
            .iter()
            .filter(|e| e.info.modes.contains(&Mode::Dispatch) && !steady::plans_jobs(e.info.name))
            .map(|e| Some(e.info.name)),
    );
    for name in names {
        let label = name.unwrap_or("harness");
        if !filter.is_empty() && !filter.iter().any(|f| label.contains(f.as_str())) {
            continue;
        }
        let (mut small, mut large) = (Steady::new(name, 10, Mode::Dispatch), Steady::new(name, 10_000, Mode::Dispatch));
        // Warm-up: caches, branch predictors, and the steady state itself, which takes
        // some steps per node to reach (200 per node at 10,000 nodes).
        block(&mut small);
        for _ in 0..10 {
            block(&mut large);
        }
        let (mut at_small, mut at_large, mut ratios) = (f64::INFINITY, f64::INFINITY, Vec::with_capacity(ROUNDS));
        for _ in 0..ROUNDS {
            let (s, l) = (block(&mut small), block(&mut large));
            at_small = at_small.min(s);
            at_large = at_large.min(l);
            ratios.push(l / s);
        }
        ratios.sort_by(f64::total_cmp);
        let median = ratios[ROUNDS / 2];
        println!("| {label} | {at_small:.1} | {at_large:.1} | {:.2} | {median:.2} |", at_large / at_small);
    }
}
