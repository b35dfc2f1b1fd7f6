//! The per-node utilization chart (`node_utilization`), from `nodes.csv`: a bar panel
//! per node for a few nodes, a heat map of policies × nodes for more.
//!
//! Nodes have no order between them that a line could follow, so neither kind joins
//! them. Up to [`MAX_BAR_NODES`] nodes, a panel per node with a bar per policy (the
//! response chart's layout and colours) reads each value exactly. Past that, bars
//! multiply (web-farm: 16 nodes × 13 policies = 208 bars) and a heat map shows the
//! pattern instead: a row per policy, a column per node, node groups labelled above,
//! and the value written in each cell that is wide enough. It stays one picture at
//! hundreds of nodes, where only the column labels thin out.

use super::data::Results;
use super::Chart;
use crate::output::chart::heat::HeatPlot;
use crate::output::chart::{BarPanel, BarPlot, Figure, Plot, Region};

/// At most this many nodes get a bar panel each; more get a heat map.
pub(super) const MAX_BAR_NODES: usize = 4;

/// The per-node utilization chart of the focus point, if `nodes.csv` has rows.
/// `focus` is " at load = 0.95" or ""; `reps` the replication count as text.
pub(super) fn figure(r: &Results, focus: &str, reps: Option<&str>) -> Option<Chart> {
    let nodes: Vec<_> = r.nodes.iter().filter(|n| r.at_focus(&n.sweep)).collect();
    if nodes.is_empty() {
        return None;
    }
    // Nodes in scenario order (numeric ids), each with its group.
    let mut order: Vec<(&str, &str)> = Vec::new();
    for n in &nodes {
        if !order.iter().any(|(id, _)| *id == n.node) {
            order.push((&n.node, &n.group));
        }
    }
    if order.iter().all(|(id, _)| id.parse::<f64>().is_ok()) {
        order.sort_by(|a, b| a.0.parse::<f64>().unwrap_or(0.0).total_cmp(&b.0.parse::<f64>().unwrap_or(0.0)));
    }
    let mut groups: Vec<Region> = Vec::new();
    for (i, (_, g)) in order.iter().enumerate() {
        match groups.last_mut() {
            Some(last) if last.label == *g => last.to = i as f64 + 0.5,
            _ => groups.push(Region { from: i as f64 - 0.5, to: i as f64 + 0.5, label: g.to_string() }),
        }
    }
    let shown: Vec<usize> = (0..r.policies.len()).filter(|pi| nodes.iter().any(|n| n.policy == *pi)).collect();
    let value = |pi: usize, id: &str| nodes.iter().find(|n| n.policy == pi && n.node == id).and_then(|n| n.utilization);
    let max = nodes.iter().filter_map(|n| n.utilization).fold(1.0, f64::max);
    let rows: Vec<(String, usize)> = shown.iter().map(|&pi| (r.policies[pi].label.clone(), pi)).collect();
    let reps_note = match reps {
        Some("1") => "One replication".to_string(),
        Some(n) => format!("Mean over {n} replications"),
        None => "Mean over replications".into(),
    };
    let several_groups = groups.len() > 1;

    let (plot, how) = if order.len() <= MAX_BAR_NODES {
        let panels = order
            .iter()
            .map(|(id, g)| BarPanel {
                title: if several_groups { format!("node {id} ({g})") } else { format!("node {id}") },
                axis: "utilization (fraction of time busy)".into(),
                values: shown.iter().map(|&pi| value(pi, id).map(|v| (v, None))).collect(),
                range: Some((0.0, max)),
                reference: None,
            })
            .collect();
        (Plot::Bars(BarPlot { categories: rows, panels }), "a panel per node, a bar per policy")
    } else {
        let heat = HeatPlot {
            rows,
            columns: order.iter().map(|(id, _)| id.to_string()).collect(),
            x_label: if several_groups { "node (by group)".into() } else { "node".into() },
            groups: if several_groups { groups } else { Vec::new() },
            values: shown.iter().map(|&pi| order.iter().map(|(id, _)| value(pi, id)).collect()).collect(),
            range: (0.0, max),
            legend: "utilization (fraction of time busy)".into(),
        };
        (Plot::Heat(heat), "a row per policy, a column per node, lighter is busier")
    };
    Some(Chart {
        fig: Figure {
            stem: "node_utilization".into(),
            title: format!("Utilization per node{focus} — {}", r.scenario_name),
            note: Some(format!("{reps_note}; {how}; nodes in scenario order.")),
            plot,
        },
        caption: format!("Fraction of time each node was busy, per policy{focus} ({how}). A balancer that spreads load evenly over unequal nodes shows the slow nodes near 1 and the fast ones idle."),
    })
}
