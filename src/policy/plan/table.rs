//! [`Table`]: [`Costs`] given as numbers, as the papers give their examples: a cost
//! per task and processor, and a cost per edge between two processors.

use super::{Costs, Inputs};

/// A job whose costs are written out: `cost[i][p]` is task `i` on processor `p`, and
/// each edge's data *is* its cost between two different processors (0 within one).
/// Inputs travel as [`Inputs::OnFinish`] unless set otherwise ([`with_inputs`]).
///
/// [`with_inputs`]: Table::with_inputs
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Per task, its parents and the cost of each edge.
    pub parents: Vec<Vec<(u32, f64)>>,
    /// Per task, its cost on each processor (infinite: it cannot run there).
    pub cost: Vec<Vec<f64>>,
    /// Per task, the slots it takes (empty: 1 each).
    pub widths: Vec<u32>,
    /// How inputs travel.
    pub inputs: Inputs,
}

impl Table {
    /// The job of `parents` and `cost` (one row per task, one column per processor).
    ///
    /// # Panics
    /// If the rows are not all as long, or there are none, or the counts differ.
    pub fn new(parents: Vec<Vec<(u32, f64)>>, cost: Vec<Vec<f64>>) -> Self {
        assert_eq!(parents.len(), cost.len(), "one cost row per task");
        let q = cost.first().map_or(0, Vec::len);
        assert!(q > 0 && cost.iter().all(|r| r.len() == q), "every task costs something on every processor");
        Table { parents, cost, widths: Vec::new(), inputs: Inputs::OnFinish }
    }

    /// This job, its inputs travelling as `inputs` (with no result or send delay).
    pub fn with_inputs(self, inputs: Inputs) -> Self {
        Table { inputs, ..self }
    }
}

impl Costs for Table {
    fn tasks(&self) -> usize {
        self.parents.len()
    }

    fn processors(&self) -> usize {
        self.cost[0].len()
    }

    fn parents(&self, task: usize) -> &[(u32, f64)] {
        &self.parents[task]
    }

    fn cost(&self, task: usize, p: usize) -> f64 {
        self.cost[task][p]
    }

    fn comm(&self, data: f64, _from: usize, _to: usize) -> f64 {
        data
    }

    fn mean_comm(&self, data: f64) -> f64 {
        data
    }

    fn width(&self, task: usize) -> u32 {
        self.widths.get(task).copied().unwrap_or(1)
    }

    fn inputs(&self) -> Inputs {
        self.inputs
    }
}
