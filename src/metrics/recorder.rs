//! [`Recorder`]: the streaming statistics of one run.

use super::detail::{ClassStats, TimeSeries, Window, QUANTILE_GRID};
use super::histogram::ResponseHistogram;
use super::stability::{stability, TrendSamples};
use super::FaultRecord;
use super::{ClassResult, RunResult};
use crate::engine::SimTime;

/// Which tasks the metrics leave out: those that arrive during the warm-up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WarmupRule {
    /// Tasks with an arrival index below this count.
    Tasks(u64),
    /// Tasks arriving before this time.
    Time(SimTime),
}

/// Collects a run's statistics as tasks arrive, start and leave.
///
/// The caller reports every arrival and departure; the recorder decides which tasks
/// are measured (by the warm-up rule) and keeps sums and a histogram for those, plus
/// counts of all tasks for the conservation check.
#[derive(Debug)]
pub struct Recorder {
    /// The warm-up rule as two bounds, one of them always passed: a task is measured
    /// if its arrival index is at least the first and its arrival time at least the
    /// second (two comparisons, no branch on the rule's kind per task).
    measured_from_seq: u64,
    measured_from_time: SimTime,
    /// Start of the measured span; set when the first measured task arrives, or at the
    /// warm-up time.
    measured_from: Option<SimTime>,

    arrived: u64,
    completed: u64,
    failed: u64,

    measured_arrived: u64,
    measured_completed: u64,
    deadline_misses: u64,
    response: ResponseHistogram,
    /// Per class, when there is more than one.
    classes: Vec<ClassStats>,
    timeseries: Option<TimeSeries>,
    /// Tasks in the system at each window's end while arrivals last (every run).
    trend: TrendSamples,
    sum_response: f64,
    sum_wait: f64,
    sum_slowdown: f64,
    sum_bounded_slowdown: f64,
    /// The bounded slowdown's threshold, seconds.
    slowdown_tau: f64,
    /// When the first task arrived and the last completed (for the makespan).
    first_arrival: SimTime,
    last_completion: SimTime,
    sum_sojourn_failed: f64,
    max_response: f64,

    /// Measured tasks in the system now, and the integral of that count over time.
    in_system: u64,
    in_system_area: f64,
    in_system_since: SimTime,
}

impl Recorder {
    /// A recorder for a run with the given warm-up rule, `classes` task classes (kept
    /// apart when more than one), and, if `timeseries` gives a window width and a node
    /// count, a time series; `slowdown_tau` is the bounded slowdown's threshold. The
    /// tasks in the system are sampled every `trend_width` seconds by the caller
    /// ([`sample`](Self::sample)) for the stability test.
    pub fn new(
        warmup: WarmupRule,
        classes: usize,
        timeseries: Option<(f64, u32)>,
        slowdown_tau: f64,
        trend_width: f64,
    ) -> Self {
        Recorder {
            measured_from_seq: match warmup {
                WarmupRule::Tasks(k) => k,
                WarmupRule::Time(_) => 0,
            },
            measured_from_time: match warmup {
                WarmupRule::Tasks(_) => f64::NEG_INFINITY,
                WarmupRule::Time(t) => t,
            },
            measured_from: match warmup {
                WarmupRule::Time(t) => Some(t),
                WarmupRule::Tasks(0) => Some(0.0),
                WarmupRule::Tasks(_) => None,
            },
            arrived: 0,
            completed: 0,
            failed: 0,
            measured_arrived: 0,
            measured_completed: 0,
            deadline_misses: 0,
            response: ResponseHistogram::new(),
            classes: if classes > 1 { (0..classes).map(|_| ClassStats::new()).collect() } else { Vec::new() },
            timeseries: timeseries.map(|(width, nodes)| TimeSeries::new(width, nodes)),
            trend: TrendSamples::new(trend_width),
            sum_response: 0.0,
            sum_wait: 0.0,
            sum_slowdown: 0.0,
            sum_bounded_slowdown: 0.0,
            slowdown_tau,
            first_arrival: f64::NAN,
            last_completion: f64::NAN,
            sum_sojourn_failed: 0.0,
            max_response: 0.0,
            in_system: 0,
            in_system_area: 0.0,
            in_system_since: 0.0,
        }
    }

    /// Records an arrival; returns whether the task is measured (after the warm-up).
    #[inline(always)]
    pub fn arrive(&mut self, seq: u64, now: SimTime) -> bool {
        let measured = seq >= self.measured_from_seq && now >= self.measured_from_time;
        self.admit(measured, now);
        measured
    }

    /// Records an arrival whose caller decided whether it is measured (a task of a job
    /// of many tasks is measured with its job).
    #[inline(always)]
    pub fn admit(&mut self, measured: bool, now: SimTime) {
        if self.arrived == 0 {
            self.first_arrival = now;
        }
        self.arrived += 1;
        if let Some(ts) = &mut self.timeseries {
            ts.arrive(now);
        }
        if measured {
            if self.measured_from.is_none() {
                self.measured_from = Some(now);
            }
            self.measured_arrived += 1;
            self.change_in_system(now, 1);
        }
    }

    /// Records a completion. `wait` is arrival to start of service, `service` the time
    /// it ran (size / speed), `deadline` the task's absolute deadline if it has one.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub fn complete(
        &mut self,
        measured: bool,
        class: u16,
        arrival: SimTime,
        now: SimTime,
        wait: f64,
        service: f64,
        deadline: Option<SimTime>,
    ) {
        self.completed += 1;
        self.last_completion = now;
        let response = now - arrival;
        if let Some(ts) = &mut self.timeseries {
            ts.leave(now, Some(response));
        }
        if !measured {
            return;
        }
        let missed = deadline.is_some_and(|d| now > d);
        self.deadline_misses += missed as u64;
        if let Some(c) = self.classes.get_mut(class as usize) {
            c.complete(response, missed);
        }
        self.measured_completed += 1;
        self.change_in_system(now, -1);
        self.sum_response += response;
        self.sum_wait += wait;
        if service > 0.0 {
            self.sum_slowdown += response / service;
        } else {
            self.sum_slowdown += 1.0;
        }
        self.sum_bounded_slowdown += (response / service.max(self.slowdown_tau)).max(1.0);
        if response > self.max_response {
            self.max_response = response;
        }
        self.response.record(response);
    }

    /// Records a task that left the system without completing (a failed task with a
    /// deadline missed it).
    pub fn fail(&mut self, measured: bool, class: u16, arrival: SimTime, now: SimTime, deadline: Option<SimTime>) {
        self.failed += 1;
        if let Some(ts) = &mut self.timeseries {
            ts.leave(now, None);
        }
        if measured {
            if deadline.is_some() {
                self.deadline_misses += 1;
                if let Some(c) = self.classes.get_mut(class as usize) {
                    c.miss();
                }
            }
            self.change_in_system(now, -1);
            self.sum_sojourn_failed += now - arrival;
        }
    }

    /// Samples the number of tasks in the system (every task, warm-up included) at the
    /// end of a window while arrivals last; returns when the next sample is due.
    pub fn sample(&mut self, now: SimTime, in_system: u64) -> SimTime {
        self.trend.record(now, in_system, self.arrived)
    }

    /// Tasks that arrived so far.
    pub fn arrived(&self) -> u64 {
        self.arrived
    }

    /// Tasks that completed so far.
    pub fn completed(&self) -> u64 {
        self.completed
    }

    /// Tasks that failed so far.
    pub fn failed(&self) -> u64 {
        self.failed
    }

    /// Start of the measured span, once known.
    pub fn measured_from(&self) -> Option<SimTime> {
        self.measured_from
    }

    #[inline]
    fn change_in_system(&mut self, now: SimTime, delta: i64) {
        // Through i64: the count is far below 2^63, and x86-64 converts a signed
        // integer in one instruction, an unsigned one in several.
        self.in_system_area += self.in_system as i64 as f64 * (now - self.in_system_since);
        self.in_system_since = now;
        self.in_system = (self.in_system as i64 + delta) as u64;
    }

    /// The number of nodes up changed (for the time series).
    pub fn nodes_up(&mut self, now: SimTime, up: u32) {
        if let Some(ts) = &mut self.timeseries {
            ts.nodes_up(now, up);
        }
    }

    /// Finishes the run at `end`: checks conservation and Little's law, and returns
    /// the results and their detail. `in_system` is the number of tasks the model still holds;
    /// `node_busy` the busy core-seconds of each node over the measured span and
    /// `node_cores` their core counts.
    ///
    /// # Errors
    /// A message if conservation or Little's law does not hold: either is a bug in the
    /// model, and its results must not be written.
    pub fn finish(
        &mut self,
        end: SimTime,
        in_system: u64,
        node_busy: &[f64],
        node_cores: &[u32],
        events: u64,
    ) -> Result<(RunResult, RunDetail), String> {
        if self.arrived != self.completed + self.failed + in_system {
            return Err(format!(
                "conservation violated: {} arrived != {} completed + {} failed + {} in system",
                self.arrived, self.completed, self.failed, in_system
            ));
        }
        self.change_in_system(end, 0);
        let from = self.measured_from.unwrap_or(end);
        // The measured span runs from the end of the warm-up to the end of the run (the
        // last event: once drained, the last departure); node busy times cover the same.
        let span = end - from;

        // Little's law, L = lambda W, holds exactly over a span that starts and ends with
        // no measured task in the system: both sides are the total sojourn time of the
        // measured tasks divided by the span. A gap means a task was counted in one
        // place and not the other.
        if self.in_system == 0 && span > 0.0 {
            let total_sojourn = self.sum_response + self.sum_sojourn_failed;
            let gap = (self.in_system_area - total_sojourn).abs();
            if gap > 1e-6 * total_sojourn.max(1e-9) + 1e-9 {
                return Err(format!(
                    "Little's law violated: time-integral of tasks in system {} != total sojourn {}",
                    self.in_system_area, total_sojourn
                ));
            }
        }

        let per = |sum: f64| if self.measured_completed > 0 { sum / self.measured_completed as f64 } else { f64::NAN };
        let quantile = |q: f64| self.response.quantile(q);
        let (utilization, imbalance, per_node) = utilization(node_busy, node_cores, span);
        let stable = stability(&self.trend, from);
        let detail = RunDetail {
            classes: self.classes.iter().map(|c| c.result(String::new(), 0)).collect(),
            quantiles: QUANTILE_GRID.iter().map(|&q| quantile(q)).collect(),
            timeseries: self.timeseries.take().map(|ts| ts.finish(end)),
            node_utilization: per_node,
            faults: Vec::new(),
            job_quantiles: Vec::new(),
        };
        let result = RunResult {
            scenario: String::new(),
            sweep_parameter: None,
            sweep_value: None,
            discipline: String::new(),
            balancer: String::new(),
            replication: 0,
            seed: 0,
            tasks_arrived: self.arrived,
            tasks_completed: self.completed,
            tasks_failed: self.failed,
            tasks_in_system: in_system,
            throughput: if span > 0.0 { self.measured_completed as f64 / span } else { f64::NAN },
            mean_response: per(self.sum_response),
            p50_response: quantile(0.5),
            p95_response: quantile(0.95),
            p99_response: quantile(0.99),
            p999_response: quantile(0.999),
            max_response: if self.measured_completed > 0 { self.max_response } else { f64::NAN },
            mean_wait: per(self.sum_wait),
            mean_slowdown: per(self.sum_slowdown),
            bounded_slowdown: per(self.sum_bounded_slowdown),
            utilization,
            imbalance,
            deadline_misses: self.deadline_misses,
            retries: 0,
            wasted_work: 0.0,
            detection_latency: f64::NAN,
            false_suspicions: 0,
            availability: 1.0,
            goodput: f64::NAN,
            makespan: self.last_completion - self.first_arrival,
            in_system_growth: stable.in_system_growth,
            unstable: stable.unstable,
            mean_in_system: if span > 0.0 { self.in_system_area / span } else { f64::NAN },
            measured_from: from,
            end_time: end,
            events,
            ..RunResult::default()
        };
        Ok((result, detail))
    }
}

/// What a run yields beyond its `runs.csv` row.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RunDetail {
    /// Per class (class name and priority filled in by the caller), when there is more
    /// than one class.
    pub classes: Vec<ClassResult>,
    /// Response time at each quantile of [`QUANTILE_GRID`].
    pub quantiles: Vec<f64>,
    /// The time series, if one was asked for.
    pub timeseries: Option<Vec<Window>>,
    /// Utilization of each node over the measured span.
    pub node_utilization: Vec<f64>,
    /// Fault events (crash, recover, slowdown, recover_speed, suspected, trusted,
    /// restarted), if kept.
    pub faults: Vec<FaultRecord>,
    /// Job response time at each quantile of [`QUANTILE_GRID`] (empty without jobs).
    pub job_quantiles: Vec<f64>,
}

/// Overall utilization (busy over available core-seconds), the coefficient of
/// variation of per-node utilization, and each node's utilization.
fn utilization(busy: &[f64], cores: &[u32], span: f64) -> (f64, f64, Vec<f64>) {
    if span <= 0.0 || busy.is_empty() {
        return (f64::NAN, f64::NAN, vec![f64::NAN; busy.len()]);
    }
    let total_cores: f64 = cores.iter().map(|&c| c as f64).sum();
    let overall = busy.iter().sum::<f64>() / (total_cores * span);
    let per_node: Vec<f64> = busy.iter().zip(cores).map(|(b, &c)| b / (c as f64 * span)).collect();
    let n = per_node.len() as f64;
    let mean = per_node.iter().sum::<f64>() / n;
    let var = per_node.iter().map(|u| (u - mean).powi(2)).sum::<f64>() / n;
    let cv = if mean > 0.0 { var.sqrt() / mean } else { 0.0 };
    (overall, cv, per_node)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conservation_is_checked() {
        let mut r = Recorder::new(WarmupRule::Tasks(0), 1, None, 10.0, 1.0);
        r.arrive(0, 0.0);
        r.arrive(1, 1.0);
        r.complete(true, 0, 0.0, 2.0, 0.0, 2.0, None);
        assert!(r.finish(3.0, 0, &[1.0], &[1], 0).unwrap_err().contains("conservation"));
    }

    #[test]
    fn hand_computed_run() {
        // Two tasks on one single-core node: arrivals 0 and 1, service 2 each (FIFO):
        // completions at 2 and 4, responses 2 and 3, waits 0 and 1.
        let mut r = Recorder::new(WarmupRule::Tasks(0), 1, None, 10.0, 1.0);
        r.arrive(0, 0.0);
        r.arrive(1, 1.0);
        r.complete(true, 0, 0.0, 2.0, 0.0, 2.0, None);
        r.complete(true, 0, 1.0, 4.0, 1.0, 2.0, Some(3.5));
        let (res, _) = r.finish(4.0, 0, &[4.0], &[1], 8).unwrap();
        assert_eq!(res.mean_response, 2.5);
        assert_eq!(res.mean_wait, 0.5);
        assert_eq!(res.max_response, 3.0);
        assert_eq!(res.deadline_misses, 1, "the second finished at 4.0, after its deadline 3.5");
        assert_eq!(res.throughput, 0.5);
        assert_eq!(res.utilization, 1.0);
        // L = (2 + 3) / 4 = 1.25 = X W = 0.5 * 2.5.
        assert_eq!(res.mean_in_system, 1.25);
        assert!((res.mean_slowdown - 1.25).abs() < 1e-12);
        assert!((res.p50_response - 2.0).abs() <= 2.0 * 1e-3);
        assert!((res.p99_response - 3.0).abs() <= 3.0 * 1e-3);
    }

    #[test]
    fn bounded_slowdown_and_makespan_by_hand() {
        // tau = 10 s. Task 0: arrives 5, runs 2 s, completes 30 (response 25):
        // 25 / max(2, 10) = 2.5. Task 1: arrives 6, runs 40 s, completes 70 (response
        // 64): 64 / 40 = 1.6. Task 2: arrives 7, runs 1 s, completes 9 (response 2):
        // 2 / 10 = 0.2, raised to 1. Mean (2.5 + 1.6 + 1) / 3 = 1.7; the unbounded
        // mean is (12.5 + 1.6 + 2) / 3. Makespan: first arrival 5 to last completion 70.
        let mut r = Recorder::new(WarmupRule::Tasks(0), 1, None, 10.0, 1.0);
        for (seq, at) in [(0, 5.0), (1, 6.0), (2, 7.0)] {
            r.arrive(seq, at);
        }
        r.complete(true, 0, 7.0, 9.0, 1.0, 1.0, None);
        r.complete(true, 0, 5.0, 30.0, 23.0, 2.0, None);
        r.complete(true, 0, 6.0, 70.0, 24.0, 40.0, None);
        let (res, _) = r.finish(70.0, 0, &[43.0], &[1], 6).unwrap();
        assert!((res.bounded_slowdown - 1.7).abs() < 1e-12, "{}", res.bounded_slowdown);
        assert!((res.mean_slowdown - (12.5 + 1.6 + 2.0) / 3.0).abs() < 1e-12);
        assert_eq!(res.makespan, 65.0);
        // A smaller tau counts short tasks by their own run time.
        let mut r = Recorder::new(WarmupRule::Tasks(0), 1, None, 1.0, 1.0);
        r.arrive(0, 5.0);
        r.complete(true, 0, 5.0, 30.0, 23.0, 2.0, None);
        let (res, _) = r.finish(30.0, 0, &[2.0], &[1], 2).unwrap();
        assert_eq!(res.bounded_slowdown, 12.5);
    }

    #[test]
    fn warmup_tasks_are_left_out_of_metrics_but_counted() {
        let mut r = Recorder::new(WarmupRule::Tasks(1), 1, None, 10.0, 1.0);
        assert!(!r.arrive(0, 0.0));
        assert!(r.arrive(1, 1.0));
        r.complete(false, 0, 0.0, 10.0, 0.0, 10.0, None);
        r.complete(true, 0, 1.0, 2.0, 0.0, 1.0, None);
        let (res, _) = r.finish(10.0, 0, &[11.0], &[2], 0).unwrap();
        assert_eq!(res.tasks_arrived, 2);
        assert_eq!(res.tasks_completed, 2);
        assert_eq!(res.mean_response, 1.0);
        assert_eq!(res.measured_from, 1.0);
    }

    #[test]
    fn imbalance_is_the_cv_of_node_utilization() {
        let (u, cv, per_node) = utilization(&[1.0, 3.0], &[1, 1], 4.0);
        assert_eq!(per_node, vec![0.25, 0.75]);
        assert_eq!(u, 0.5);
        // per node 0.25 and 0.75: mean 0.5, sd 0.25.
        assert!((cv - 0.5).abs() < 1e-12);
    }
}
