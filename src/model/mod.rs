//! The simulated world: nodes, tasks, the dispatcher, and the events between them.
//!
//! ```text
//!   arrival process ──Arrival──▶ Dispatcher ──(balancer: which node)──▶ Node queue
//!                                    ▲                                      │
//!                                    │                          (discipline: which task)
//!                                    │                                      ▼
//!                                    └──────── result (TaskDone) ◀──── cores run it
//! ```
//!
//! In `dispatch` mode each task is placed on a node as it arrives and waits in that
//! node's local queue (early binding, as a load balancer does). In `central` mode tasks
//! wait at the dispatcher, ordered by the discipline, and are placed only when a node
//! has free cores and memory for them (late binding, as a cluster scheduler does).

mod node;
pub(crate) mod queue;
mod ring;
pub mod stream;
mod task;

pub(crate) use node::{Health, Node};
pub use node::{NodeId, NodeSpec};
pub use task::{ClassId, Task};

/// Index of a live task in the run's task table (reused after the task leaves).
pub type TaskId = u32;

/// How the dispatcher binds tasks to nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Early binding: place each task at once; it waits in the node's local queue.
    Dispatch,
    /// Late binding: tasks wait at the dispatcher until a node has room for them.
    Central,
}

impl Mode {
    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Dispatch => "dispatch",
            Mode::Central => "central",
        }
    }
}
