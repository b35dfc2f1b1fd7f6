//! The built-in policies: each one's name, definition, parameters, modes and how it is
//! built. [`Registry::default`](super::Registry) holds them all; a policy's algorithm
//! lives in its own file under `balancer/` or `discipline/` (the whole-DAG planners:
//! `heft.rs`, `cpop.rs`, `min_min.rs`, `max_min.rs`), and this table only lists it.

use super::{BalancerEntry, DisciplineEntry, ParamInfo, PolicyInfo, BOTH, CENTRAL, DISPATCH};
use crate::diagnostic::FieldError;
use crate::model::Mode;
use crate::policy::plan::Planner;
use crate::policy::{balancer, cpop, discipline, heft, max_min, min_min};
use std::borrow::Cow;
use std::sync::Arc;

/// Every balancer, in the order `"all"` expands to.
pub static BALANCERS: &[BalancerEntry] = &[
    BalancerEntry {
        info: PolicyInfo {
            name: "random",
            summary: "a node drawn uniformly at random",
            params: Cow::Borrowed(&[]),
            modes: BOTH,
        },
        build: |_, _| Ok(Box::new(balancer::Random)),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "weighted_random",
            summary: "a node drawn at random with probability proportional to its weight",
            params: Cow::Borrowed(&[]),
            modes: BOTH,
        },
        build: |_, ctx| Ok(Box::new(balancer::WeightedRandom::new(ctx.nodes))),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "round_robin",
            summary: "nodes in cyclic order",
            params: Cow::Borrowed(&[]),
            modes: BOTH,
        },
        build: |_, _| Ok(Box::<balancer::RoundRobin>::default()),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "weighted_round_robin",
            summary: "smooth weighted round robin: each node within one task of its weight's share, deterministic",
            params: Cow::Borrowed(&[]),
            modes: BOTH,
        },
        build: |_, ctx| Ok(Box::new(balancer::WeightedRoundRobin::new(ctx.nodes))),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "least_connections",
            summary: "fewest tasks sent and not yet seen finish (ties at random)",
            params: Cow::Borrowed(&[]),
            modes: BOTH,
        },
        build: |_, ctx| Ok(Box::new(balancer::LeastConnections::new(ctx.nodes.len()))),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "weighted_least_connections",
            summary: "fewest connections per unit of weight (ties at random)",
            params: Cow::Borrowed(&[]),
            modes: BOTH,
        },
        build: |_, ctx| Ok(Box::new(balancer::WeightedLeastConnections::new(ctx.nodes))),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "shortest_response_time",
            summary: "lowest moving average of observed response times; untried nodes first (ties at random)",
            params: Cow::Borrowed(&[ParamInfo {
                name: "alpha",
                doc: "smoothing factor of the moving average, in (0, 1]; 1 keeps only the last response",
                default: Some(0.5),
                optional: false,
            }]),
            modes: BOTH,
        },
        build: |spec, ctx| {
            let alpha = spec.params["alpha"];
            if alpha <= 0.0 || alpha > 1.0 {
                return Err(FieldError::new("alpha", format!("expected a number in (0, 1], got {alpha}")));
            }
            Ok(Box::new(balancer::ShortestResponseTime::new(ctx.nodes.len(), alpha)))
        },
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "power_of_d",
            summary: "fewest connections among d distinct nodes sampled at random (ties: first sampled)",
            params: Cow::Borrowed(&[ParamInfo {
                name: "d",
                doc: "nodes sampled per task, a whole number from 1 to the node count",
                default: Some(2.0),
                optional: false,
            }]),
            modes: BOTH,
        },
        build: |spec, ctx| {
            let d = spec.params["d"];
            let nodes = ctx.nodes.len();
            if d < 1.0 || d.fract() != 0.0 {
                return Err(FieldError::new("d", format!("expected a whole number >= 1, got {d}")));
            }
            if d > nodes as f64 {
                return Err(FieldError::new(
                    "d",
                    format!("d = {d} exceeds the node count ({nodes}): cannot sample {d} distinct nodes"),
                ));
            }
            Ok(Box::new(balancer::PowerOfD::new(nodes, d as usize)))
        },
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "join_shortest_queue",
            summary: "fewest tasks waiting plus in service, as last reported plus sent since (ties at random)",
            params: Cow::Borrowed(&[]),
            modes: BOTH,
        },
        build: |_, ctx| Ok(Box::new(balancer::JoinShortestQueue::new(ctx.nodes.len()))),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "join_idle_queue",
            summary: "the node longest on the list of reported-idle nodes, else a node at random",
            params: Cow::Borrowed(&[]),
            modes: BOTH,
        },
        build: |_, ctx| Ok(Box::new(balancer::JoinIdleQueue::new(ctx.nodes.len()))),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "least_work_left",
            summary: "least estimated unfinished work / (speed x cores) (ties at random)",
            params: Cow::Borrowed(&[]),
            modes: BOTH,
        },
        build: |_, ctx| Ok(Box::new(balancer::LeastWorkLeft::new(ctx.nodes))),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "min_execution_time",
            summary: "a fastest node (highest speed), ignoring load (ties at random)",
            params: Cow::Borrowed(&[]),
            modes: BOTH,
        },
        build: |_, ctx| Ok(Box::new(balancer::MinExecutionTime::new(ctx.nodes))),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "min_completion_time",
            summary: "earliest estimated finish: work left / (speed x cores) + task estimate / speed (ties at random)",
            params: Cow::Borrowed(&[]),
            modes: BOTH,
        },
        build: |_, ctx| Ok(Box::new(balancer::MinCompletionTime::new(ctx.nodes))),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "best_fit",
            summary: "the fitting node left with the least free cores + memory (fractions of its own; ties by index)",
            params: Cow::Borrowed(&[]),
            modes: &[Mode::Central],
        },
        build: |_, _| Ok(Box::new(balancer::BestFit)),
    },
    // The whole-DAG planners: a plan per job of many tasks at its arrival (a scenario
    // naming one must have `[workload] job`, see `scenario/validate/policies.rs`).
    BalancerEntry {
        info: PolicyInfo {
            name: "heft",
            summary: "DAG jobs: planned at arrival, tasks by upward rank, each on the node of earliest estimated finish (Topcuoglu et al. 2002)",
            params: Cow::Borrowed(&[]),
            modes: DISPATCH,
        },
        build: |_, _| Ok(Box::new(Planner::new(heft::plan))),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "cpop",
            summary: "DAG jobs: planned at arrival, the critical path on the one node best for it, the rest by earliest finish (Topcuoglu et al. 2002)",
            params: Cow::Borrowed(&[]),
            modes: DISPATCH,
        },
        build: |_, _| Ok(Box::new(Planner::new(cpop::plan))),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "min_min",
            summary: "DAG jobs: planned at arrival, the ready task of smallest minimum completion time first (Braun et al. 2001)",
            params: Cow::Borrowed(&[]),
            modes: DISPATCH,
        },
        build: |_, _| Ok(Box::new(Planner::new(min_min::plan))),
    },
    BalancerEntry {
        info: PolicyInfo {
            name: "max_min",
            summary: "DAG jobs: planned at arrival, the ready task of largest minimum completion time first (Braun et al. 2001)",
            params: Cow::Borrowed(&[]),
            modes: DISPATCH,
        },
        build: |_, _| Ok(Box::new(Planner::new(max_min::plan))),
    },
];

/// Every discipline, in the order `"all"` expands to.
pub static DISCIPLINES: &[DisciplineEntry] = &[
    DisciplineEntry {
        info: PolicyInfo { name: "fifo", summary: "first come, first served", params: Cow::Borrowed(&[]), modes: BOTH },
        build: |_, _| Ok(Arc::new(discipline::Fifo)),
    },
    DisciplineEntry {
        info: PolicyInfo {
            name: "priority",
            summary: "lowest priority number first, FIFO within a class; non-preemptive",
            params: Cow::Borrowed(&[]),
            modes: BOTH,
        },
        build: |_, _| Ok(Arc::new(discipline::Priority)),
    },
    DisciplineEntry {
        info: PolicyInfo {
            name: "preemptive_priority",
            summary: "lowest priority number first; preempts a worse running task (preemptive-resume)",
            params: Cow::Borrowed(&[]),
            modes: DISPATCH,
        },
        build: |_, _| Ok(Arc::new(discipline::PreemptivePriority)),
    },
    DisciplineEntry {
        info: PolicyInfo {
            name: "sjf",
            summary: "smallest size estimate first; non-preemptive",
            params: Cow::Borrowed(&[]),
            modes: BOTH,
        },
        build: |_, _| Ok(Arc::new(discipline::Sjf)),
    },
    DisciplineEntry {
        info: PolicyInfo {
            name: "srpt",
            summary: "least estimated remaining work first; preemptive",
            params: Cow::Borrowed(&[]),
            modes: DISPATCH,
        },
        build: |_, _| Ok(Arc::new(discipline::Srpt)),
    },
    DisciplineEntry {
        info: PolicyInfo {
            name: "edf",
            summary: "earliest deadline first (no deadline: last); non-preemptive",
            params: Cow::Borrowed(&[]),
            modes: BOTH,
        },
        build: |_, _| Ok(Arc::new(discipline::Edf)),
    },
    DisciplineEntry {
        info: PolicyInfo {
            name: "easy_backfill",
            summary: "FIFO; later tasks start early if they do not delay the head's reservation",
            params: Cow::Borrowed(&[ParamInfo {
                name: "depth",
                doc: "tasks behind the head tried per pass, integer >= 1 (a controller's tuning, like Slurm's bf_max_job_test; unlimited unless set)",
                default: None,
                optional: true,
            }]),
            modes: CENTRAL,
        },
        build: |spec, _| {
            let depth = match spec.params.get("depth") {
                None => usize::MAX,
                Some(&depth) if depth >= 1.0 && depth.fract() == 0.0 => depth.min(usize::MAX as f64) as usize,
                Some(depth) => {
                    return Err(FieldError::new("depth", format!("expected a whole number >= 1, got {depth}")))
                }
            };
            Ok(Arc::new(discipline::EasyBackfill { depth }))
        },
    },
    DisciplineEntry {
        info: PolicyInfo {
            name: "conservative_backfill",
            summary: "FIFO; every waiting task holds a reservation, and a later one starts early only into a hole none is promised",
            params: Cow::Borrowed(&[]),
            modes: CENTRAL,
        },
        build: |_, _| Ok(Arc::new(discipline::ConservativeBackfill)),
    },
];
