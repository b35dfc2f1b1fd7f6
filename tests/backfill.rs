//! EASY backfilling (Lifka 1995; Mu'alem and Feitelson 2001) and conservative
//! backfilling (Mu'alem and Feitelson 2001) on hand-computed schedules: every job's
//! start (and, on several nodes, its node) worked out from the algorithms' definitions,
//! the reasoning in a comment.
//!
//! The rules the schedules are computed by:
//! - Central mode: every event of one instant is applied before one scheduling pass:
//!   first all completions at t, then all arrivals at t, then the pass.
//! - EASY, at each pass: waiting jobs start in arrival order while the first one fits
//!   (on the node `best_fit` picks: the one it leaves with the fewest free cores, ties
//!   to the lower index). When the first one (the head) does not fit, it is reserved
//!   the earliest time enough cores free up on one node, by the running jobs'
//!   estimated ends (the shadow time; the extra cores are those free on that node at
//!   the shadow time beyond the head's need, counting every job that ends by then).
//!   Each later job, in order, starts if it fits now and either ends (by its estimate)
//!   by the shadow time or takes only extra cores of the reserved node (which it then
//!   uses up) or cores of another node.
//! - Conservative: a job is reserved, at the pass after it arrives, the earliest time
//!   it fits for its whole estimate around every reservation already held, on the node
//!   where that time is earliest (ties to the lower index), and keeps it. When a job
//!   ends before its estimate, the schedule is compressed: each waiting job, in
//!   arrival order, is taken out and put back at the earliest time it fits, every
//!   other reservation held (never later than it was). A job ending as estimated moves
//!   no reservation. The jobs reserved now start.
//!
//! Jobs are written J0, J1, ... in log order as (arrival, run time, cores).

use schedsim::sim::{Simulation, TaskRecord};

const EASY: &str = "easy_backfill";
const CONSERVATIVE: &str = "conservative_backfill";

/// A job of a hand-made log: when it arrives, how long it runs, the cores it needs
/// (all on one node), and the run time it requested, the scheduler's estimate (`None`:
/// the run time itself).
#[derive(Debug, Clone, Copy)]
struct Job {
    arrival: f64,
    run: f64,
    cores: u32,
    estimate: Option<f64>,
}

/// A job whose estimate is its run time.
fn job(arrival: f64, run: f64, cores: u32) -> Job {
    Job { arrival, run, cores, estimate: None }
}

impl Job {
    /// The same job, having requested `estimate` seconds.
    fn requesting(self, estimate: f64) -> Job {
        Job { estimate: Some(estimate), ..self }
    }
}

/// Every job's record, in log order, when `log` is replayed in central mode under
/// `discipline` on `nodes` nodes of `cores` cores each (balancer `best_fit`, which
/// EASY asks for its starts; conservative backfilling places jobs itself). Estimates
/// are the requested times (`estimates = "request"`: the CSV's `estimate` column,
/// left empty for a job that gives none, whose estimate is then its run time).
fn replay(discipline: &str, nodes: u32, cores: u32, log: &[Job]) -> Vec<TaskRecord> {
    let dir = tempfile::tempdir().unwrap();
    let rows: String = log
        .iter()
        .map(|j| {
            format!("{},{},{},{}\n", j.arrival, j.run, j.estimate.map_or(String::new(), |e| e.to_string()), j.cores)
        })
        .collect();
    std::fs::write(dir.path().join("jobs.csv"), format!("arrival,size,estimate,cores\n{rows}")).unwrap();
    let text = format!(
        "[run]\nmode = \"central\"\n[[nodes]]\ncount = {nodes}\ncores = {cores}\n[workload]\n\
         arrival = {{ process = \"trace\", path = \"jobs.csv\", estimates = \"request\" }}\n\
         [policies]\nbalancers = [\"best_fit\"]\ndisciplines = [\"{discipline}\"]\n"
    );
    std::fs::write(dir.path().join("s.toml"), text).unwrap();
    let s = schedsim::scenario::load(&dir.path().join("s.toml")).unwrap_or_else(|e| panic!("{e}"));
    let mut records = Vec::new();
    Simulation::new(&s, &s.balancers[0], &s.disciplines[0], 0).unwrap().run_observed(|t| records.push(*t)).unwrap();
    records.sort_by_key(|r| r.seq);
    assert_eq!(records.len(), log.len(), "{discipline}: every job leaves");
    assert!(records.iter().all(|r| r.completed), "{discipline}: every job completes");
    records
}

/// The start of every job of a hand-made log under EASY backfilling, on one node of
/// `cores` cores: jobs as (arrival, run time, cores), exact estimates.
fn easy_starts(cores: u32, jobs: &[(f64, f64, u32)]) -> Vec<f64> {
    backfill_starts(EASY, cores, jobs)
}

/// [`easy_starts`] under any central-mode discipline.
fn backfill_starts(discipline: &str, cores: u32, jobs: &[(f64, f64, u32)]) -> Vec<f64> {
    let log: Vec<Job> = jobs.iter().map(|&(a, r, c)| job(a, r, c)).collect();
    replay(discipline, 1, cores, &log).iter().map(|r| r.start).collect()
}

/// Checks, on one node of `cores` cores, each discipline's start of every job of `log`
/// against the hand-computed ones, and reports every discipline that differs, not
/// only the first.
fn check(cores: u32, log: &[Job], expected: &[(&str, &[f64])]) {
    let failures: Vec<String> = (expected.iter())
        .filter_map(|&(discipline, want)| {
            let got: Vec<f64> = replay(discipline, 1, cores, log).iter().map(|r| r.start).collect();
            (got.as_slice() != want).then(|| format!("{discipline}: expected starts {want:?}, got {got:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// [`check`] on `nodes` nodes of `cores` cores: every job's (start, node).
fn check_nodes(nodes: u32, cores: u32, log: &[Job], expected: &[(&str, &[(f64, usize)])]) {
    let failures: Vec<String> = (expected.iter())
        .filter_map(|&(discipline, want)| {
            let got: Vec<(f64, usize)> =
                replay(discipline, nodes, cores, log).iter().map(|r| (r.start, r.node.unwrap())).collect();
            (got.as_slice() != want).then(|| format!("{discipline}: expected (start, node) {want:?}, got {got:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Hand-computed EASY schedules (Lifka 1995; Mu'alem and Feitelson 2001), each start
/// worked out in the comment.
#[test]
fn easy_backfill_reproduces_hand_computed_schedules() {
    // 4 cores. J0 takes 3 until 10. J1 (4 cores) is the blocked head: shadow 10, no
    // spare. J2 (1 core, 8 s) ends at 10, by the shadow time: starts at 2. J3 (1 core)
    // finds no free core. At 10 both J0 and J2 end (equal ends): J1 runs 10-15, then J3.
    assert_eq!(easy_starts(4, &[(0.0, 10.0, 3), (1.0, 5.0, 4), (2.0, 8.0, 1), (3.0, 3.0, 1)]), [0.0, 10.0, 2.0, 15.0]);
    // 4 cores. J0 takes 2 until 10. J1 (3 cores) is the head: shadow 10, 1 core spare.
    // J2 (1 core, 20 s) ends long after 10 but fits the spare core: starts at 2. J3
    // (1 core, 20 s) finds the spare taken: waits for J1 (10-14), starts at 14.
    assert_eq!(
        easy_starts(4, &[(0.0, 10.0, 2), (1.0, 4.0, 3), (2.0, 20.0, 1), (3.0, 20.0, 1)]),
        [0.0, 10.0, 2.0, 14.0]
    );
    // 5 cores. J0 (2 cores) and J1 (2 cores) both end at 10. J2 (3 cores) is the head:
    // J0 alone covers it at 10, and J1 ends then too, so 1 + 2 + 2 - 3 = 2 cores are
    // spare at the shadow time. J3 (1 core, 50 s) runs past 10 but fits them: starts
    // at 3. At 10: J2 starts.
    assert_eq!(easy_starts(5, &[(0.0, 10.0, 2), (1.0, 9.0, 2), (2.0, 5.0, 3), (3.0, 50.0, 1)]), [0.0, 1.0, 10.0, 3.0]);
    // 2 cores. J0 takes 1 until 6. J1 (2 cores) is the head: shadow 6, no spare. J2 (1
    // core, 4 s) ends at 6 exactly: starts at 2. J3 (1 core, 1 s) arrives at 3: no free
    // core. At 6: J1 runs 6-8; J3 starts at 8.
    assert_eq!(easy_starts(2, &[(0.0, 6.0, 1), (1.0, 2.0, 2), (2.0, 4.0, 1), (3.0, 1.0, 1)]), [0.0, 6.0, 2.0, 8.0]);
}

/// Conservative backfilling against EASY on one log (4 cores). J0 takes 2 cores until
/// 10; J1 (3 cores, 10 s) is reserved at 10; J2 (4 cores, 5 s) is second in line; J3
/// (1 core, 30 s) fits now and in J1's spare core. EASY protects only the head: J3
/// starts at 3, and J2 waits until J3 ends at 33. Conservative gives J2 a reservation
/// too, at 20, which J3 (30 s) would overlap from any start before 25: J3 starts at 25.
#[test]
fn conservative_backfill_delays_no_task_by_one_behind_it() {
    let log = [(0.0, 10.0, 2), (1.0, 10.0, 3), (2.0, 5.0, 4), (3.0, 30.0, 1)];
    assert_eq!(backfill_starts("easy_backfill", 4, &log), [0.0, 10.0, 33.0, 3.0]);
    assert_eq!(backfill_starts("conservative_backfill", 4, &log), [0.0, 10.0, 20.0, 25.0]);
    // J3 short enough to end before J2's reservation (at most 17 s from 3): it starts
    // at 3 under both.
    let short = [(0.0, 10.0, 2), (1.0, 10.0, 3), (2.0, 5.0, 4), (3.0, 17.0, 1)];
    assert_eq!(backfill_starts("conservative_backfill", 4, &short), [0.0, 10.0, 20.0, 3.0]);
    // Strict FIFO order is kept where nothing fits a hole: J1 and J2 start as they
    // free up, never out of order.
    let fifo = [(0.0, 4.0, 4), (1.0, 2.0, 4), (2.0, 1.0, 4)];
    assert_eq!(backfill_starts("conservative_backfill", 4, &fifo), [0.0, 4.0, 6.0]);
}

/// EASY on the log where J3 ends just before J2's conservative reservation: under EASY
/// it takes J1's spare core, and J1 and J3 end together at 20.
#[test]
fn easy_backfill_on_the_short_log_ends_two_jobs_together() {
    // 4 cores. J0 (2 cores) runs 0-10. J1 (3 cores) is the head: shadow 10, spare
    // 2 + 2 - 3 = 1. J2 (4 cores, 5 s) ends at 7 but finds 2 cores free, not 4. J3
    // (1 core, 17 s) ends at 20, after the shadow, but fits the spare core: starts at
    // 3. At 10 J0 ends: 3 free, J1 starts (10-20). J2 is the head: J1 and J3 both end
    // at 20 (equal ends), freeing 4: J2 starts at 20.
    let short = [job(0.0, 10.0, 2), job(1.0, 10.0, 3), job(2.0, 5.0, 4), job(3.0, 17.0, 1)];
    check(4, &short, &[(EASY, &[0.0, 10.0, 20.0, 3.0])]);
}

/// The logs of [`easy_backfill_reproduces_hand_computed_schedules`] under conservative
/// backfilling: on each, the reservation of the second waiting job never stands in the
/// way, so both give the same starts.
#[test]
fn conservative_backfill_on_the_easy_logs() {
    // 4 cores. J0 (3 cores) runs 0-10. J1 (4 cores) is reserved 10-15. J2 (1 core, 8 s)
    // fits the free core over 2-10 and ends as J1's reservation begins: starts at 2.
    // J3 (1 core, 3 s): no core free before 10, all held by J1 over 10-15: reserved at
    // 15. At 10 J0 and J2 end together: J1 starts; at 15, J3.
    let log = [job(0.0, 10.0, 3), job(1.0, 5.0, 4), job(2.0, 8.0, 1), job(3.0, 3.0, 1)];
    check(4, &log, &[(CONSERVATIVE, &[0.0, 10.0, 2.0, 15.0])]);
    // 4 cores. J0 (2 cores) runs 0-10. J1 (3 cores) is reserved 10-14: free cores are
    // 2 over [1, 10), 1 over [10, 14), 4 after. J2 (1 core, 20 s) fits from 2 (2, 1 and
    // 4 free): starts at 2, leaving 1 over [2, 10), 0 over [10, 14), 3 over [14, 22).
    // J3 (1 core, 20 s) from 3 would need a core over [10, 14): reserved at 14. J1
    // starts at 10, J3 at 14.
    let log = [job(0.0, 10.0, 2), job(1.0, 4.0, 3), job(2.0, 20.0, 1), job(3.0, 20.0, 1)];
    check(4, &log, &[(CONSERVATIVE, &[0.0, 10.0, 2.0, 14.0])]);
    // 5 cores. J0 (2 cores) runs 0-10, J1 (2 cores) 1-10. J2 (3 cores) is reserved
    // 10-15 (1 core free before 10, 5 after). J3 (1 core, 50 s) needs 1 core over
    // [3, 53): 1 free until 10, 5 - 3 = 2 over [10, 15), 5 after: starts at 3. At 10 J0
    // and J1 end together: J2 starts.
    let log = [job(0.0, 10.0, 2), job(1.0, 9.0, 2), job(2.0, 5.0, 3), job(3.0, 50.0, 1)];
    check(5, &log, &[(CONSERVATIVE, &[0.0, 1.0, 10.0, 3.0])]);
    // 2 cores. J0 (1 core) runs 0-6. J1 (2 cores) is reserved 6-8. J2 (1 core, 4 s)
    // fits the free core over 2-6: starts at 2. J3 (1 core, 1 s): no core free over
    // [3, 6), none over [6, 8): reserved at 8.
    let log = [job(0.0, 6.0, 1), job(1.0, 2.0, 2), job(2.0, 4.0, 1), job(3.0, 1.0, 1)];
    check(2, &log, &[(CONSERVATIVE, &[0.0, 6.0, 2.0, 8.0])]);
}

/// Long narrow jobs backfill because they end by the shadow time (one of them exactly
/// at it); one second longer, one must wait. Three jobs end together at the shadow.
#[test]
fn long_narrow_jobs_backfill_when_they_end_by_the_shadow() {
    // 8 cores. J0 (6 cores) runs 0-100. J1 (8 cores, 10 s) cannot start: EASY reserves
    // it at 100 with 2 + 6 - 8 = 0 cores spare; conservative reserves it 100-110.
    // J2 (1 core, 98 s) ends at 100, by the shadow time: starts at 2. J3 (1 core, 98 s)
    // would end at 101, after it, and there is no spare core: it waits (conservative:
    // no core over [100, 110), so reserved at 110). J4 (1 core, 96 s) ends at 100:
    // starts at 4, in the last free core. At 100 J0, J2 and J4 end together: J1 starts
    // (100-110), then J3 at 110.
    let log = [job(0.0, 100.0, 6), job(1.0, 10.0, 8), job(2.0, 98.0, 1), job(3.0, 98.0, 1), job(4.0, 96.0, 1)];
    let starts: &[f64] = &[0.0, 100.0, 2.0, 110.0, 4.0];
    check(8, &log, &[(EASY, starts), (CONSERVATIVE, starts)]);
}

/// A backfill candidate that fits the free cores now but would delay the head does
/// not start; a shorter one behind it does.
#[test]
fn a_job_that_would_delay_the_head_does_not_start() {
    // 4 cores. J0 (2 cores) runs 0-10. J1 (4 cores, 5 s) cannot start: reserved at 10,
    // 2 + 2 - 4 = 0 cores spare (conservative: 10-15). J2 (2 cores, 9 s) fits the 2
    // free cores but would end at 11, after the shadow time: it must not start
    // (conservative: it would overlap J1's reservation; reserved at 15). J3 (1 core,
    // 7 s) ends at 10: starts at 3. At 10 J0 and J3 end together: J1 starts (10-15),
    // then J2 at 15.
    let log = [job(0.0, 10.0, 2), job(1.0, 5.0, 4), job(2.0, 9.0, 2), job(3.0, 7.0, 1)];
    let starts: &[f64] = &[0.0, 10.0, 15.0, 3.0];
    check(4, &log, &[(EASY, starts), (CONSERVATIVE, starts)]);
}

/// The schedule above with J2 and J3 running shorter than they requested: the
/// scheduler decides on the requests, so the starts are the same (J2 would end by
/// the shadow time if its run time were known).
#[test]
fn estimates_not_run_times_decide_what_backfills() {
    // 4 cores. J0 (2 cores) runs 0-10. J1 (4 cores, 5 s) is reserved at 10, nothing
    // spare. J2 (2 cores) runs 3 s but requested 9: by its request it ends at 11, after
    // the shadow time: it waits (2 + 3 = 5 would have fitted). J3 (1 core) runs 6 s,
    // requested 7: by its request it ends at 10: starts at 3, and ends at 9. At 9, 2
    // cores are free but J2 by its request still ends at 18, past 10: it waits
    // (conservative: it would overlap J1's reservation, 10-15). At 10 J0 ends: J1
    // starts (10-15), J2 at 15 (to 18).
    let log = [job(0.0, 10.0, 2), job(1.0, 5.0, 4), job(2.0, 3.0, 2).requesting(9.0), job(3.0, 6.0, 1).requesting(7.0)];
    let starts: &[f64] = &[0.0, 10.0, 15.0, 3.0];
    check(4, &log, &[(EASY, starts), (CONSERVATIVE, starts)]);
}

/// A job that ends before its estimate moves the head's reservation earlier, and a job
/// that arrives afterwards backfills into the new, shorter hole.
#[test]
fn a_job_ending_early_moves_the_reservation_earlier() {
    // 4 cores. J0 (2 cores) requested 20 s, runs 5. J1 (4 cores, 10 s) is reserved at
    // 20, J0's estimated end, nothing spare (conservative: 20-30). J2 (2 cores, 10 s)
    // ends at 12, before 20: starts at 2. At 5 J0 ends: J1's reservation moves to 12,
    // when J2 ends. J3 (2 cores, 6 s) arrives at 6 and ends at 12, by the new shadow
    // time (conservative: in the hole 6-12 before J1's new reservation): starts at 6.
    // At 12 J2 and J3 end together: J1 starts at 12, not 20.
    let log = [job(0.0, 5.0, 2).requesting(20.0), job(1.0, 10.0, 4), job(2.0, 10.0, 2), job(6.0, 6.0, 2)];
    let starts: &[f64] = &[0.0, 12.0, 2.0, 6.0];
    check(4, &log, &[(EASY, starts), (CONSERVATIVE, starts)]);
    // EASY records the reservation J1 got when it first became the blocked head (at 1):
    // 20, by J0's request.
    assert_eq!(replay(EASY, 1, 4, &log)[1].reservation, 20.0);
}

/// Reservations move up in a chain when the running job ends early: every waiting job
/// starts earlier than it was first promised.
#[test]
fn reservations_move_up_in_a_chain_when_a_job_ends_early() {
    // 4 cores. J0 (4 cores) requested 10 s, runs 4. Conservative: J1 (4 cores, 6 s) is
    // reserved 10-16; J2 (2 cores, 5 s) 16-21; J3 (2 cores, 12 s) at 16 too (2 cores
    // over [16, 21), 4 after). At 4 J0 ends early: compressed in order, J1 moves up to
    // 4 and starts (to 10); J2, with J3 still holding 2 cores over [16, 28), moves up
    // to 10; J3, with J2 at [10, 15), moves up to 10 too (2 + 2 cores). EASY: J1 is the head, reserved at 10,
    // nothing spare, and no core is free for J2 or J3 before 4; at 4 J1 starts; J2 is
    // the head, reserved at 10 with 2 spare; J3 (12 s) fits the spare cores but none is
    // free now. At 10 J1 ends: J2 and J3 start.
    let log = [job(0.0, 4.0, 4).requesting(10.0), job(1.0, 6.0, 4), job(2.0, 5.0, 2), job(3.0, 12.0, 2)];
    let starts: &[f64] = &[0.0, 4.0, 10.0, 10.0];
    check(4, &log, &[(EASY, starts), (CONSERVATIVE, starts)]);
}

/// A later job is reserved into a hole ahead of an earlier one, and fills it exactly.
#[test]
fn a_later_job_fills_a_hole_ahead_of_an_earlier_one() {
    // 4 cores. J0 (4 cores) runs 0-10. Conservative: J1 (2 cores, 10 s) is reserved
    // 10-20; J2 (4 cores, 5 s) finds only 2 cores over [10, 20): reserved 20-25; J3
    // (2 cores, 10 s) fits the other 2 cores over [10, 20) exactly: reserved at 10,
    // ahead of J2; J4 (2 cores, 11 s) finds no room before 25. EASY: at 10 J0 ends, J1
    // starts; J2 is the head, reserved at 20 (J1's end) with nothing spare; J3 ends at
    // 20, by the shadow time: it starts at 10; J4 would end at 21, and no core is free
    // anyway. At 20 J1 and J3 end together: J2 starts; J4 at 25.
    let log = [job(0.0, 10.0, 4), job(1.0, 10.0, 2), job(2.0, 5.0, 4), job(3.0, 10.0, 2), job(4.0, 11.0, 2)];
    let starts: &[f64] = &[0.0, 10.0, 20.0, 10.0, 25.0];
    check(4, &log, &[(EASY, starts), (CONSERVATIVE, starts)]);
}

/// Two nodes of 4 cores: the head needs its cores on one node (3 are free in all, on
/// two nodes), a long job fits only in the reserved node's extra core, a second long
/// one goes to the other node, a short one backfills.
#[test]
fn two_nodes_the_head_needs_its_cores_on_one_node() {
    // J0 (2 cores, 10 s): both nodes empty, equal fits: node 0. J1 (3 cores, 20 s):
    // node 0 has 2 free: node 1 (to 21). J2 (3 cores, 5 s): 2 cores free on node 0, 1
    // on node 1: it cannot start. EASY reserves it on node 0 at 10 (node 1: 21), with
    // 4 - 3 = 1 core spare; conservative reserves it on node 0, 10-15.
    // J3 (1 core, 30 s) runs past 10. EASY: it may take node 0's spare core, and node
    // 1's free core fits as tightly: the lower index, node 0; the spare core is used
    // up. Conservative: node 0 has 2, 1, 4 cores over [3, 10), [10, 15), after; node 1
    // has 1 until 21: both fit from 3, node 0. J3 starts at 3 on node 0.
    // J4 (1 core, 30 s). EASY: node 0 has no spare core left: node 1, at 4.
    // Conservative: node 0 has 1 core over [4, 10) and none over [10, 15) (J2 holds 3
    // and J3 1): not before 15; node 1 has 1 free now: node 1, at 4.
    // J5 (1 core, 5 s) ends at 10, by the shadow time (conservative: in node 0's last
    // free core, before J2's reservation): node 0, at 5.
    // At 10 J0 and J5 end together on node 0: 3 cores free there, J2 starts.
    let log = [
        job(0.0, 10.0, 2),
        job(1.0, 20.0, 3),
        job(2.0, 5.0, 3),
        job(3.0, 30.0, 1),
        job(4.0, 30.0, 1),
        job(5.0, 5.0, 1),
    ];
    let placed: &[(f64, usize)] = &[(0.0, 0), (1.0, 1), (10.0, 0), (3.0, 0), (4.0, 1), (5.0, 0)];
    check_nodes(2, 4, &log, &[(EASY, placed), (CONSERVATIVE, placed)]);
}

/// Two nodes of 4 cores: the head is reserved on the node that frees first (node 1),
/// a short job backfills there, a long one is kept off it.
#[test]
fn two_nodes_the_head_is_reserved_where_it_starts_earliest() {
    // J0 (4 cores, 20 s): node 0. J1 (2 cores, 10 s): node 1 (1-11). J2 (4 cores, 5 s)
    // cannot start: node 0 frees at 20, node 1 at 11: reserved on node 1 at 11, nothing
    // spare (conservative: node 1, 11-16).
    // J3 (2 cores, 50 s) fits node 1's 2 free cores but runs past 11: it must not start
    // there, and node 0 is full. Conservative: node 1 from 16 (after J2), node 0 from
    // 20: reserved on node 1 at 16.
    // J4 (2 cores, 7 s) ends at 11, by the shadow time: node 1, at 4.
    // At 11 J1 and J4 end together: J2 starts on node 1 (11-16). J3 is the head: node 1
    // frees at 16, node 0 at 20: it starts on node 1 at 16.
    let log = [job(0.0, 20.0, 4), job(1.0, 10.0, 2), job(2.0, 5.0, 4), job(3.0, 50.0, 2), job(4.0, 7.0, 2)];
    let placed: &[(f64, usize)] = &[(0.0, 0), (1.0, 1), (11.0, 1), (16.0, 1), (4.0, 1)];
    check_nodes(2, 4, &log, &[(EASY, placed), (CONSERVATIVE, placed)]);
}

/// The classic difference on two nodes of 4 cores: EASY protects only the head, and
/// a long job backfilled on the other node delays the second waiting job;
/// conservative reserves that job too and keeps the long one out of its way.
#[test]
fn two_nodes_easy_delays_the_second_job_conservative_does_not() {
    // J0 (4 cores, 10 s): node 0. J1 (2 cores, 20 s): node 1 (1-21), 2 cores left there.
    // J2 (4 cores, 30 s) cannot start: node 0 frees at 10, node 1 at 21: reserved on
    // node 0 at 10, nothing spare. J3 (4 cores, 5 s) is second in line.
    // EASY: J3 would end by 10 but finds no 4 free cores. J4 (2 cores, 50 s) runs past
    // 10, but node 1 is not the reserved node: it starts there at 4 (to 54). At 10 J2
    // takes node 0 (to 40); J3 is the head: node 0 frees at 40, node 1 at 54 (J4):
    // J3 starts on node 0 at 40.
    // Conservative: J3 is reserved too: node 0 is promised to J2 until 40, node 1 frees
    // at 21: node 1, 21-26. J4 on node 1 from 4 would overlap [21, 26); from 26 it
    // fits; node 0 only from 40: reserved on node 1 at 26. J2 starts on node 0 at 10,
    // J3 on node 1 at 21, J4 on node 1 at 26.
    let log = [job(0.0, 10.0, 4), job(1.0, 20.0, 2), job(2.0, 30.0, 4), job(3.0, 5.0, 4), job(4.0, 50.0, 2)];
    check_nodes(
        2,
        4,
        &log,
        &[
            (EASY, &[(0.0, 0), (1.0, 1), (10.0, 0), (40.0, 0), (4.0, 1)]),
            (CONSERVATIVE, &[(0.0, 0), (1.0, 1), (10.0, 0), (21.0, 1), (26.0, 1)]),
        ],
    );
}

/// How each places a job that can start now on either of two nodes: EASY asks
/// `best_fit`, which packs it where it leaves the fewest cores free; conservative
/// takes the node where it starts earliest, the lower index among equals, which here
/// costs a later job its start.
#[test]
fn two_nodes_best_fit_packs_conservative_takes_the_lower_index() {
    // J0 (2 cores, 20 s): node 0 (equal fits, lower index). J1 (3 cores, 20 s): only
    // node 1 has 3 free (to 21).
    // J2 (1 core, 20 s) can start at once on either node (2 free on node 0, 1 on node
    // 1). EASY: best_fit leaves 1 core free on node 0, 0 on node 1: node 1.
    // Conservative: both start at 2: node 0.
    // J3 (2 cores, 5 s). EASY: node 0 still has 2 free: starts there at 3.
    // Conservative: 1 core free on each node; node 0 frees 2 at 20 (J0), node 1 at 21
    // (J1): node 0 at 20.
    let log = [job(0.0, 20.0, 2), job(1.0, 20.0, 3), job(2.0, 20.0, 1), job(3.0, 5.0, 2)];
    check_nodes(
        2,
        4,
        &log,
        &[
            (EASY, &[(0.0, 0), (1.0, 1), (2.0, 1), (3.0, 0)]),
            (CONSERVATIVE, &[(0.0, 0), (1.0, 1), (2.0, 0), (20.0, 0)]),
        ],
    );
}

/// Two jobs end at the same instant: one pass sees both ends, so the head starts
/// first, and the job behind it becomes the head whose reservation the scan must
/// respect. (A pass after each end would let a long job take the head's spare core
/// between the two ends, and it would then delay the second job by 45 s.)
#[test]
fn equal_ends_are_seen_by_one_pass() {
    // 4 cores. J0 (2 cores, 0-10) and J1 (2 cores, 1-10) end together. J2 (3 cores,
    // 5 s) is the head: reserved at 10 with 4 - 3 = 1 core spare (conservative:
    // 10-15). J3 (4 cores, 5 s) and J4 (1 core, 50 s) find no free core before 10
    // (conservative: J3 reserved 15-20; J4 would overlap it from any start before 20).
    // At 10 both end; the pass: J2 starts (10-15), 1 core free. J3 is the head:
    // reserved at 15, nothing spare. J4 would run to 60, past 15: it must not start.
    // At 15 J3 starts (15-20); at 20 J4.
    let log = [job(0.0, 10.0, 2), job(1.0, 9.0, 2), job(2.0, 5.0, 3), job(3.0, 5.0, 4), job(4.0, 50.0, 1)];
    let starts: &[f64] = &[0.0, 1.0, 10.0, 15.0, 20.0];
    check(4, &log, &[(EASY, starts), (CONSERVATIVE, starts)]);
}

/// A job arrives at the instant another ends: the pass sees the end first, the job
/// waiting for that room starts, and the arrival is scanned against the reservation
/// of the job now at the head.
#[test]
fn an_arrival_at_a_completion_sees_the_room_freed() {
    // 4 cores. J0 (4 cores) runs 0-5; J1..J4 arrive while it runs.
    // At 5 J0 ends: J1 (2 cores, 5 s) starts (5-10) and J2 (1 core, 98 s) starts (5-103):
    // 1 core free. J3 (2 cores, 5 s) cannot: EASY reserves it at 10 (J1's end), with
    // 1 + 2 - 2 = 1 core spare; J4 (3 cores, 5 s) would end by 10 but finds 1 core.
    // Conservative: J3 10-15, J4 15-20.
    // At 10 J1 ends and J5 (1 core, 50 s) arrives. The pass: 3 cores free, J3 starts
    // (10-15), 1 core free; J4 is the head, reserved at 15 (J3's end), nothing spare;
    // J5 would run to 60: it must not start (conservative: it would overlap J4's
    // reservation, 15-20). At 15 J4 starts; at 20 J5.
    let log =
        [job(0.0, 5.0, 4), job(1.0, 5.0, 2), job(2.0, 98.0, 1), job(3.0, 5.0, 2), job(4.0, 5.0, 3), job(10.0, 50.0, 1)];
    let starts: &[f64] = &[0.0, 5.0, 5.0, 10.0, 15.0, 20.0];
    check(4, &log, &[(EASY, starts), (CONSERVATIVE, starts)]);
}

/// Jobs arriving at the instant the room frees are placed after the end: the first
/// starts at once and never was a blocked head (no reservation); the second is.
#[test]
fn a_job_arriving_as_the_room_frees_never_waits() {
    // 4 cores. J0 (4 cores) runs 0-10. At 10 it ends, and J1 (4 cores, 5 s) and J2
    // (1 core, 5 s) arrive: J1 starts at 10; J2 finds no core, is the head, reserved at
    // 15 (J1's end), and starts then.
    let log = [job(0.0, 10.0, 4), job(10.0, 5.0, 4), job(10.0, 5.0, 1)];
    let starts: &[f64] = &[0.0, 10.0, 15.0];
    check(4, &log, &[(EASY, starts), (CONSERVATIVE, starts)]);
    let reserved: Vec<Option<f64>> =
        replay(EASY, 1, 4, &log).iter().map(|r| (!r.reservation.is_nan()).then_some(r.reservation)).collect();
    assert_eq!(reserved, [None, None, Some(15.0)], "EASY: the reservations recorded");
}

/// Reservations never move later (Mu'alem and Feitelson 2001): when a job ends early
/// the schedule is compressed in arrival order, each job moving up around the others'
/// reservations, not rebuilt from scratch (which would let an earlier job take a later
/// one's hole and push it back).
#[test]
fn conservative_backfill_compresses_and_never_moves_a_reservation_later() {
    // 4 cores. J0 (2 cores) runs 0-10. J1 (2 cores) runs 4 s but requested 29: starts
    // at 1, estimated to end at 30. J2 (4 cores, 10 s) is reserved 30-40. J3 (2 cores,
    // 15 s) fits the 2 cores free over [10, 30): reserved 10-25.
    // At 5 J1 ends, 25 s early: compressed in order. J2 first: J3 still holds 2 cores
    // over [10, 25), so 4 are free only from 25: J2 moves up to 25. Then J3: 2 cores
    // are free from 5, 4 from 10 until J2 at 25: J3 moves up to 5 and starts (to 20).
    // At 10 and 20 J0 and J3 end as estimated: nothing moves, and J2 starts at 25.
    // (Rebuilt from scratch at 5, J2 would take 10 and push J3 to 20, past its 10.)
    // EASY: J2 is the head, reserved at 30 (J1's request); at 5, at 10 (J0's end),
    // nothing spare; J3 would end at 20, past 10: it waits. J2 runs 10-20, J3 from 20.
    let log = [job(0.0, 10.0, 2), job(1.0, 4.0, 2).requesting(29.0), job(2.0, 10.0, 4), job(3.0, 15.0, 2)];
    check(4, &log, &[(CONSERVATIVE, &[0.0, 1.0, 25.0, 5.0]), (EASY, &[0.0, 1.0, 10.0, 20.0])]);
    let reserved: Vec<f64> = replay(CONSERVATIVE, 1, 4, &log).iter().map(|r| r.reservation).collect();
    assert_eq!(reserved, [0.0, 1.0, 30.0, 10.0], "conservative: the first reservations recorded");
}

/// Conservative backfilling's promise, on 300 random small logs (fixed seeds; one or
/// two nodes of 4 cores, jobs on whole seconds so that many arrive and end together,
/// requested times at or above the run times, often well above, so jobs end early
/// and schedules are compressed): every job is reserved when it arrives, and none
/// starts later than that first reservation.
#[test]
fn conservative_backfill_never_starts_a_job_after_its_first_reservation() {
    let (mut compressed, mut earlier) = (0, 0);
    for seed in 0..300u64 {
        let mut rng = schedsim::engine::SimRng::new(seed);
        let nodes = 1 + (seed % 2) as u32;
        let mut t = 0;
        let log: Vec<Job> = (0..4 + rng.below(9))
            .map(|_| {
                t += rng.below(3);
                let run = 1 + rng.below(12);
                let slack = if rng.below(3) == 0 { 0 } else { rng.below(20) };
                job(t as f64, run as f64, 1 + rng.below(4) as u32).requesting((run + slack) as f64)
            })
            .collect();
        compressed += log.iter().filter(|j| j.estimate.unwrap() > j.run).count();
        for r in replay(CONSERVATIVE, nodes, 4, &log) {
            assert!(!r.reservation.is_nan(), "seed {seed}: job {} was never reserved", r.seq);
            assert!(
                r.start <= r.reservation,
                "seed {seed}: job {} reserved at {} started at {}\n{log:?}",
                r.seq,
                r.reservation,
                r.start
            );
            earlier += usize::from(r.start < r.reservation);
        }
    }
    // The logs exercise what is checked: jobs ending early, and jobs moved up.
    assert!(compressed > 1000 && earlier > 200, "{compressed} early ends, {earlier} jobs moved up");
}
