//! The preemption choice of preemptive-resume disciplines (`srpt`, `preemptive_priority`).

use crate::model::Task;
use crate::policy::Discipline;

/// Preemptive-resume by rank: while `head` (the task served next) cannot start in the
/// `free` cores and memory, stop the running task of worst rank among those ranked
/// strictly worse than the head (ties: the last of them in `running`, the one that
/// started last), but only if stopping *all* of those would make room for the head,
/// so that no task is stopped in vain. The stopped task goes back to the queue and
/// later resumes where it stopped.
///
/// Returns the index in `running` of the task to stop, or `None`.
pub fn worst_ranked(discipline: &dyn Discipline, head: &Task, free: (u32, f64), running: &[&Task]) -> Option<usize> {
    let (mut cores, mut memory) = free;
    if head.cores <= cores && head.memory <= memory {
        return None;
    }
    let head_rank = discipline.rank(head);
    let mut worst: Option<(f64, usize)> = None;
    for (i, t) in running.iter().enumerate() {
        let rank = discipline.rank(t);
        if rank > head_rank {
            cores += t.cores;
            memory += t.memory;
            if worst.is_none_or(|(w, _)| rank >= w) {
                worst = Some((rank, i));
            }
        }
    }
    let (_, i) = worst?;
    (cores >= head.cores && memory >= head.memory).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::discipline::{PreemptivePriority, Srpt};

    fn task(seq: u64, priority: u32, estimate: f64, cores: u32) -> Task {
        Task { priority, estimate, cores, ..Task::of_size(seq, estimate) }
    }

    #[test]
    fn a_head_that_fits_stops_nothing() {
        let running = [&task(0, 5, 1.0, 1)];
        assert_eq!(worst_ranked(&PreemptivePriority, &task(1, 0, 1.0, 1), (1, 0.0), &running), None);
    }

    #[test]
    fn the_worst_ranked_stops_and_among_equals_the_last() {
        let (a, b, c) = (task(0, 2, 1.0, 1), task(1, 3, 1.0, 1), task(2, 3, 1.0, 1));
        let running = [&a, &b, &c];
        // Priority 1 outranks all three; the worst are b and c (3), c started last.
        assert_eq!(worst_ranked(&PreemptivePriority, &task(3, 1, 1.0, 1), (0, 0.0), &running), Some(2));
        // Priority 3 outranks none: nothing stops.
        assert_eq!(worst_ranked(&PreemptivePriority, &task(3, 3, 1.0, 1), (0, 0.0), &running), None);
    }

    #[test]
    fn nothing_stops_in_vain() {
        // The head needs 3 cores; only one running task ranks worse, and it holds 1.
        let (a, b) = (task(0, 0, 1.0, 2), task(1, 5, 1.0, 1));
        assert_eq!(worst_ranked(&PreemptivePriority, &task(2, 1, 1.0, 3), (0, 0.0), &[&a, &b]), None);
        // With one core free, stopping b makes room.
        assert_eq!(worst_ranked(&PreemptivePriority, &task(2, 1, 1.0, 2), (1, 0.0), &[&a, &b]), Some(1));
    }

    #[test]
    fn srpt_stops_the_longest_remaining_and_counts_work_done() {
        let mut long = task(0, 0, 10.0, 1);
        long.work_done = 9.5; // 0.5 left
        let short = task(1, 0, 2.0, 1);
        // A task of 1.0 outranks only `short` (2.0), not `long` (0.5 left).
        assert_eq!(worst_ranked(&Srpt, &task(2, 0, 1.0, 1), (0, 0.0), &[&long, &short]), Some(1));
        // A task of 2.0 outranks neither (equal is not strictly better).
        assert_eq!(worst_ranked(&Srpt, &task(2, 0, 2.0, 1), (0, 0.0), &[&long, &short]), None);
    }
}
