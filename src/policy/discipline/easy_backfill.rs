//! `easy_backfill`: FIFO with EASY backfilling (central mode).

use crate::model::Task;
use crate::policy::Discipline;

/// First come, first served at the central queue; when the head cannot start, it gets
/// a reservation at the earliest time enough cores and memory free up (by the running
/// tasks' size estimates), and later tasks may jump ahead if they fit now and do not
/// delay that reservation: they end (by estimate) before it, or use only what the
/// head leaves spare on its reserved node.
///
/// EASY (Extensible Argonne Scheduling sYstem): Lifka, "The ANL/IBM SP scheduling
/// system", JSSPP 1995; analysed by Mu'alem and Feitelson, IEEE TPDS 12(6), 2001. The
/// scan depth mirrors Slurm's `bf_max_job_test` (default 500 there too).
#[derive(Debug)]
pub struct EasyBackfill {
    /// How many tasks behind the head are tried per scheduling pass.
    pub depth: usize,
}

impl Discipline for EasyBackfill {
    fn rank(&self, _task: &Task) -> f64 {
        0.0
    }

    fn is_fifo(&self) -> bool {
        true
    }

    fn backfill_depth(&self) -> Option<usize> {
        Some(self.depth)
    }
}
