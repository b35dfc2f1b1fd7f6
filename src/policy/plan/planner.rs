//! [`Planner`]: a whole-DAG planner as a balancer. The simulator asks it for a plan
//! when a job of many tasks arrives ([`Balancer::plan_job`]) and follows the plan
//! (`sim/plans.rs`); it asks the planner's [`select`](Balancer::select) only for a task
//! the plan cannot place: its node is believed down, the plan found no node for it, or
//! it is resubmitted after a failure or timeout.

use super::{Board, Costs, Inputs, Slot};
use crate::engine::SimRng;
use crate::model::{NodeId, Task};
use crate::policy::{Balancer, ClusterView};

/// A planning algorithm: plans the job of `costs` on `board` from `now` on, booking
/// its tasks there, and returns the slots in the order placed.
pub type Algorithm = fn(&dyn Costs, &mut Board, f64) -> Vec<Slot>;

/// A balancer that plans whole jobs with `algorithm` (see the module's documentation).
///
/// - **Processors are nodes.** A node of `c` cores holds `c` one-core tasks at once
///   (a [`Timeline`](super::Timeline) of `c` slots): so a node's tasks pay no transfer
///   between them, as in the simulator, where a parent's output on the child's node
///   costs nothing.
/// - **Jobs are planned around each other.** The planner keeps one board for the
///   whole run: each job's plan books its tasks there, and the next job is planned
///   around what is booked from its arrival on (bookings before it are forgotten, so
///   the board holds only plans still ahead: its memory follows the jobs in the
///   system, not the jobs simulated). The bookings are estimates; the board is not
///   corrected when tasks run longer or shorter than planned.
/// - **Nodes believed down** cost infinitely ([`Believed`]): no plan uses them.
/// - **Fallback** ([`select`](Balancer::select)): the node believed up and big enough
///   where the task would finish earliest by the dispatcher's belief, `work_left /
///   (speed x cores) + estimate / speed` (as `min_completion_time` estimates it,
///   without its schedule of cores), ties to the lowest index; a full scan, O(nodes),
///   taken only off the plan.
#[derive(Debug)]
pub struct Planner {
    algorithm: Algorithm,
    board: Board,
}

impl Planner {
    /// A planner by `algorithm`, nothing booked yet.
    pub fn new(algorithm: Algorithm) -> Self {
        Planner { algorithm, board: Board::default() }
    }
}

impl Balancer for Planner {
    fn select(&mut self, task: &Task, view: &ClusterView<'_>, _rng: &mut SimRng) -> Option<NodeId> {
        let finish = |n: NodeId| {
            let (s, b) = (&view.specs[n], &view.beliefs[n]);
            b.work_left / (s.speed * f64::from(s.cores)) + task.estimate / s.speed
        };
        (0..view.len())
            .filter(|&n| view.fits(n, task))
            .map(|n| (finish(n), n))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, n)| n)
    }

    fn needs_updates(&self) -> bool {
        false
    }

    fn plans_jobs(&self) -> bool {
        true
    }

    fn plan_job(&mut self, job: &dyn Costs, view: &ClusterView<'_>) -> Vec<Slot> {
        if self.board.len() != view.len() {
            self.board = Board::idle(view.specs.iter().map(|s| s.cores));
        }
        self.board.prune(view.now);
        (self.algorithm)(&Believed { costs: job, view }, &mut self.board, view.now)
    }
}

/// `costs` as a dispatcher believes them: a node it believes down cannot run anything.
pub struct Believed<'a> {
    /// The job's costs.
    pub costs: &'a dyn Costs,
    /// What the dispatcher believes of the nodes (processors are nodes).
    pub view: &'a ClusterView<'a>,
}

impl Costs for Believed<'_> {
    fn tasks(&self) -> usize {
        self.costs.tasks()
    }
    fn processors(&self) -> usize {
        self.costs.processors()
    }
    fn parents(&self, task: usize) -> &[(u32, f64)] {
        self.costs.parents(task)
    }
    fn cost(&self, task: usize, p: usize) -> f64 {
        if self.view.beliefs[p].up {
            self.costs.cost(task, p)
        } else {
            f64::INFINITY
        }
    }
    fn comm(&self, data: f64, from: usize, to: usize) -> f64 {
        self.costs.comm(data, from, to)
    }
    fn mean_comm(&self, data: f64) -> f64 {
        self.costs.mean_comm(data)
    }
    fn width(&self, task: usize) -> u32 {
        self.costs.width(task)
    }
    fn inputs(&self) -> Inputs {
        self.costs.inputs()
    }
    fn result_delay(&self, task: usize, p: usize) -> f64 {
        self.costs.result_delay(task, p)
    }
    fn send_delay(&self, task: usize, p: usize) -> f64 {
        self.costs.send_delay(task, p)
    }
}
