//! One dispatcher: its view of the nodes, its balancer, its queue, its failure detector.

use crate::engine::SimRng;
use crate::model::queue::TaskQueue;
use crate::policy::{Balancer, NodeBelief};

/// An attempt the dispatcher sent and has not seen come back: (job slot, job seq,
/// attempt number).
pub(super) type Outstanding = (u32, u64, u32);

/// A dispatcher's state. It knows the nodes only through its own messages.
pub(super) struct Dispatcher {
    /// What it believes about each node.
    pub beliefs: Vec<NodeBelief>,
    pub balancer: Box<dyn Balancer>,
    /// Its own stream of policy randomness.
    pub rng: SimRng,
    /// Per node, the attempts sent there and not seen come back: what it resubmits if
    /// it declares the node dead.
    pub outstanding: Vec<Vec<Outstanding>>,
    /// Per node, when its last heartbeat arrived.
    pub last_seen: Vec<f64>,
    /// Per node, whether a detector check is scheduled.
    pub check_pending: Vec<bool>,
    /// Jobs waiting here: in central mode, all that are not placed; in dispatch mode,
    /// those that found no node up.
    pub waiting: TaskQueue,
}
