//! The network between dispatchers and nodes: messages, their delays, their delivery.
//!
//! In a run without latency ([`Features::NETWORK`] false) every message is delivered
//! by a plain call the instant it is sent: no message record, no event.

use super::entities::Slab;
use super::features::Features;
use super::run::{Event, Run};
use crate::engine::{derive_seed, SimRng, SimTime};
use crate::model::{stream, NodeId, NodeSpec};
use crate::scenario::{Reports, Scenario};
use crate::workload::Dist;

/// A node's state report: what it holds, and what it has received from the dispatcher
/// it reports to.
#[derive(Debug, Clone, Copy)]
pub(super) struct Report {
    pub queue: u32,
    pub received: u64,
}

/// A message on the network.
#[derive(Debug, Clone, Copy)]
pub(super) enum Message {
    /// Dispatcher to node: run this attempt.
    Task { attempt: u32, node: NodeId },
    /// Node to dispatcher: this attempt completed (the node's `epoch` when sent).
    Result { attempt: u32, node: NodeId, epoch: u32, report: Option<Report> },
    /// Node to dispatcher: still alive.
    Heartbeat { node: NodeId, dispatcher: u16, epoch: u32, report: Report },
}

/// Latencies, bandwidth, state reports, and the messages in flight.
pub(super) struct Network {
    /// Latency of each node's group (`None`: messages arrive at once).
    latency: Vec<Option<Dist>>,
    /// Whether messages to and from each node arrive at once (no latency, no bandwidth).
    instant: Vec<bool>,
    bandwidth: Option<f64>,
    /// Whether a node's result carries a state report: the scenario's reports come
    /// with results and some dispatcher's balancer reads them.
    pub reports_with_results: bool,
    /// Messages in flight (only those that take time).
    messages: Slab<Message>,
}

impl Network {
    /// The network of `scenario` for the nodes `specs`; `reports_read` says whether
    /// any balancer reads state reports.
    pub fn new(scenario: &Scenario, specs: &[NodeSpec], reports_read: bool) -> Self {
        let groups = &scenario.node_groups;
        let bandwidth = scenario.network.bandwidth;
        Network {
            latency: specs.iter().map(|s| groups[s.group].latency.clone()).collect(),
            instant: specs.iter().map(|s| groups[s.group].latency.is_none() && bandwidth.is_none()).collect(),
            bandwidth,
            reports_with_results: reports_read && scenario.network.reports == Reports::Results,
            messages: Slab::default(),
        }
    }
}

impl<F: Features> Run<F> {
    /// One-way delay of a message to or from `node`: the group's latency, drawn from a
    /// stream keyed by the message (`a`, `b`, `direction`), so every policy sees the
    /// same latency for the same message; plus `bytes / bandwidth`.
    #[inline]
    pub(super) fn delay(&self, node: NodeId, a: u64, b: u64, direction: u64, bytes: f64) -> f64 {
        if !F::NETWORK || self.network.instant[node] {
            return 0.0;
        }
        let latency = match &self.network.latency[node] {
            None => 0.0,
            Some(dist) => dist.sample(&mut SimRng::new(derive_seed(self.seed, &[stream::NETWORK, a, b, direction]))),
        };
        latency + self.network.bandwidth.map_or(0.0, |bw| bytes / bw)
    }

    /// Sends a message: delivered at once without delay, else by an event.
    #[inline]
    pub(super) fn transmit(&mut self, msg: Message, delay: f64, now: SimTime) {
        if F::NETWORK && delay > 0.0 {
            let id = self.network.messages.insert(msg);
            self.queue.schedule_at(now + delay, Event::Deliver { msg: id });
        } else {
            self.deliver(msg, now)
        }
    }

    /// A message that took time arrives.
    pub(super) fn on_deliver(&mut self, msg: u32, now: SimTime) {
        let m = self.network.messages.slots[msg as usize];
        self.network.messages.remove(msg);
        self.deliver(m, now)
    }

    // Always inlined, so that a caller's message of a known kind goes straight to its
    // handler without a call and a match (the result path of every task).
    #[inline(always)]
    fn deliver(&mut self, msg: Message, now: SimTime) {
        match msg {
            Message::Task { attempt, node } => self.receive(node, attempt, now),
            Message::Result { attempt, node, epoch, report } => self.on_result(attempt, node, epoch, report, now),
            Message::Heartbeat { node, dispatcher, epoch, report } => {
                self.on_heartbeat(dispatcher as usize, node, epoch, report, now)
            }
        }
    }
}
