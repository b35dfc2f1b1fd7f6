//! Per-run detail beyond `runs.csv`: statistics per task class, the response-time
//! distribution on a fixed quantile grid, a time series, per-node utilization.

use super::histogram::ResponseHistogram;
use crate::engine::SimTime;
use serde::{Deserialize, Serialize};

/// The quantiles at which a run's response-time distribution is kept (for `cdf.csv`):
/// fine in the body, and in the tail five to a decade of 1 − q (1, 2, 3, 5 and 7
/// times a power of ten) from 0.01 down to 1e-5, so that the tail chart (P(response >
/// x) on log-log axes) has points all along: a run of n measured tasks supports the
/// tail down to about 10 / n, and 1e-5 is there for runs of a million tasks or more.
/// Read from the run's HDR histogram (3 significant digits), so the grid costs a
/// fixed 76 numbers per run whatever its length. Averaging each quantile over
/// replications (Vincentization) combines the runs without keeping their histograms.
pub const QUANTILE_GRID: &[f64] = &[
    0.001, 0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.22, 0.24,
    0.26, 0.28, 0.3, 0.32, 0.34, 0.36, 0.38, 0.4, 0.42, 0.44, 0.46, 0.48, 0.5, 0.52, 0.54, 0.56, 0.58, 0.6, 0.62, 0.64,
    0.66, 0.68, 0.7, 0.72, 0.74, 0.76, 0.78, 0.8, 0.82, 0.84, 0.86, 0.88, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96,
    0.97, 0.98, 0.99, 0.993, 0.995, 0.997, 0.998, 0.999, 0.9993, 0.9995, 0.9997, 0.9998, 0.9999, 0.99993, 0.99995,
    0.99997, 0.99998, 0.99999,
];

/// The results of one task class in one run: one row of `classes.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassResult {
    /// Class name.
    pub class: String,
    /// Its priority.
    pub priority: u32,
    /// Measured tasks of the class that completed.
    pub tasks_completed: u64,
    /// Mean response time.
    pub mean_response: f64,
    /// Median response time.
    pub p50_response: f64,
    /// 95th percentile.
    pub p95_response: f64,
    /// 99th percentile.
    pub p99_response: f64,
    /// Largest response time.
    pub max_response: f64,
    /// Deadline misses.
    pub deadline_misses: u64,
}

/// Streaming statistics of one class.
#[derive(Debug, Clone)]
pub(crate) struct ClassStats {
    completed: u64,
    sum_response: f64,
    max_response: f64,
    deadline_misses: u64,
    histogram: ResponseHistogram,
}

impl ClassStats {
    pub fn new() -> Self {
        ClassStats {
            completed: 0,
            sum_response: 0.0,
            max_response: 0.0,
            deadline_misses: 0,
            histogram: ResponseHistogram::new(),
        }
    }

    #[inline]
    pub fn complete(&mut self, response: f64, missed: bool) {
        self.completed += 1;
        self.sum_response += response;
        self.max_response = self.max_response.max(response);
        self.deadline_misses += missed as u64;
        self.histogram.record(response);
    }

    pub fn miss(&mut self) {
        self.deadline_misses += 1;
    }

    pub fn result(&self, class: String, priority: u32) -> ClassResult {
        let n = self.completed;
        ClassResult {
            class,
            priority,
            tasks_completed: n,
            mean_response: if n > 0 { self.sum_response / n as f64 } else { f64::NAN },
            p50_response: self.histogram.quantile(0.5),
            p95_response: self.histogram.quantile(0.95),
            p99_response: self.histogram.quantile(0.99),
            max_response: if n > 0 { self.max_response } else { f64::NAN },
            deadline_misses: self.deadline_misses,
        }
    }
}

/// A fault event of a run: one row of `events.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaultRecord {
    /// When.
    pub time: f64,
    /// Which node.
    pub node: usize,
    /// Its group's name.
    pub group: String,
    /// `crash`, `recover`, `slowdown`, `recover_speed`, `suspected` (a dispatcher
    /// declared it dead) or `trusted` (taken back after a heartbeat).
    pub event: &'static str,
}

/// A fault event's name as a `'static` string, as the simulation gives it: each
/// distinct name is allocated once and kept (there are a handful), so that names
/// read back from a shard's run log need no list kept in step with the simulation.
fn intern(name: String) -> &'static str {
    static NAMES: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&known) = names.iter().find(|&&n| n == name) {
        return known;
    }
    let leaked: &'static str = Box::leak(name.into_boxed_str());
    names.push(leaked);
    leaked
}

/// A [`FaultRecord`] as read back from a shard's run log, its event's name owned.
#[derive(Deserialize)]
struct StoredFault {
    time: f64,
    node: usize,
    group: String,
    event: String,
}

// By hand: a derived impl would borrow `event` from the input, for `'static`.
impl<'de> Deserialize<'de> for FaultRecord {
    /// Reads the event's name back as the `'static` one the simulation gives it.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = StoredFault::deserialize(d)?;
        Ok(FaultRecord { time: f.time, node: f.node, group: f.group, event: intern(f.event) })
    }
}

/// One window of a run's time series: one row of `timeseries.csv`. Counts cover every
/// task, warm-up included: a time series shows the whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// Start of the window, seconds.
    pub window_start: f64,
    /// End of the window.
    pub window_end: f64,
    /// Tasks that arrived in the window.
    pub arrivals: u64,
    /// Tasks that completed in the window.
    pub completions: u64,
    /// Completions per second.
    pub throughput: f64,
    /// Mean response of the tasks that completed in the window (NaN if none).
    pub mean_response: f64,
    /// Time-average number of tasks in the system over the window.
    pub tasks_in_system: f64,
    /// Nodes up at the end of the window.
    pub nodes_up: u32,
}

#[derive(Debug, Clone, Default)]
struct WindowSums {
    arrivals: u64,
    completions: u64,
    sum_response: f64,
    area: f64,
    nodes_up: u32,
}

/// Most windows kept; past it, neighbours merge and the window length doubles, so
/// memory stays bounded however long the run.
const MAX_WINDOWS: usize = 1000;

/// A run's time series, in windows of fixed length.
#[derive(Debug, Clone)]
pub(crate) struct TimeSeries {
    width: f64,
    windows: Vec<WindowSums>,
    /// The window of the latest event and its bounds: events come in time order, so
    /// most fall in it and need no division.
    current: usize,
    current_start: f64,
    current_end: f64,
    in_system: u64,
    since: SimTime,
    nodes_up: u32,
}

impl TimeSeries {
    /// A series with windows of `width` seconds over a cluster of `nodes` nodes, all up.
    /// A width that is not a positive number (a trace whose jobs all arrive at one
    /// instant has no length to divide) starts at one second; windows widen as the
    /// run goes on either way.
    pub fn new(width: f64, nodes: u32) -> Self {
        TimeSeries {
            width: if width > 0.0 && width.is_finite() { width } else { 1.0 },
            windows: Vec::new(),
            current: 0,
            current_start: 0.0,
            current_end: f64::NEG_INFINITY,
            in_system: 0,
            since: 0.0,
            nodes_up: nodes,
        }
    }

    #[inline]
    fn window(&mut self, t: SimTime) -> &mut WindowSums {
        if t >= self.current_start && t < self.current_end {
            return &mut self.windows[self.current];
        }
        self.locate(t)
    }

    fn locate(&mut self, t: SimTime) -> &mut WindowSums {
        let mut i = (t / self.width) as usize;
        while i >= MAX_WINDOWS {
            self.halve();
            i = (t / self.width) as usize;
        }
        if i >= self.windows.len() {
            let up = self.nodes_up;
            self.windows.resize_with(i + 1, || WindowSums { nodes_up: up, ..WindowSums::default() });
        }
        self.current = i;
        self.current_start = i as f64 * self.width;
        self.current_end = (i + 1) as f64 * self.width;
        &mut self.windows[i]
    }

    fn halve(&mut self) {
        let merged = self
            .windows
            .chunks(2)
            .map(|w| WindowSums {
                arrivals: w.iter().map(|x| x.arrivals).sum(),
                completions: w.iter().map(|x| x.completions).sum(),
                sum_response: w.iter().map(|x| x.sum_response).sum(),
                area: w.iter().map(|x| x.area).sum(),
                nodes_up: w[w.len() - 1].nodes_up,
            })
            .collect();
        self.windows = merged;
        self.width *= 2.0;
        self.current_end = f64::NEG_INFINITY;
    }

    /// Adds the in-system count's area up to `now`, split over the windows crossed.
    #[inline]
    fn advance(&mut self, now: SimTime) {
        if self.in_current(now) {
            self.current_to(now);
            return;
        }
        while self.since < now {
            let i = (self.since / self.width) as usize;
            let end = ((i + 1) as f64 * self.width).min(now);
            let n = self.in_system as i64 as f64;
            let since = self.since;
            self.window(since).area += n * (end - since);
            self.since = if end > since { end } else { now };
        }
    }

    /// Whether `now` falls in the current window with the area up to date within it:
    /// the common case, as events come in time order and most in one window.
    #[inline]
    fn in_current(&self, now: SimTime) -> bool {
        self.since >= self.current_start && now < self.current_end
    }

    /// The current window, with the area brought up to `now` (see [`in_current`](Self::in_current)).
    #[inline]
    fn current_to(&mut self, now: SimTime) -> &mut WindowSums {
        let w = &mut self.windows[self.current];
        // Through i64, converted in one instruction (see `Recorder::change_in_system`).
        w.area += self.in_system as i64 as f64 * (now - self.since);
        self.since = now;
        w
    }

    #[inline(always)]
    pub fn arrive(&mut self, now: SimTime) {
        if self.in_current(now) {
            self.current_to(now).arrivals += 1;
        } else {
            self.advance(now);
            self.window(now).arrivals += 1;
        }
        self.in_system += 1;
    }

    #[inline(always)]
    pub fn leave(&mut self, now: SimTime, response: Option<f64>) {
        let w = if self.in_current(now) {
            self.current_to(now)
        } else {
            self.advance(now);
            self.window(now)
        };
        if let Some(r) = response {
            w.completions += 1;
            w.sum_response += r;
        }
        self.in_system -= 1;
    }

    /// The number of nodes up changed at `now`.
    pub fn nodes_up(&mut self, now: SimTime, up: u32) {
        self.advance(now);
        self.nodes_up = up;
        self.window(now).nodes_up = up;
    }

    pub fn finish(mut self, end: SimTime) -> Vec<Window> {
        self.advance(end);
        let width = self.width;
        let mut up = self.nodes_up;
        let last = self.windows.len();
        self.windows
            .iter()
            .enumerate()
            .map(|(i, w)| {
                up = w.nodes_up;
                let start = i as f64 * width;
                let stop = if i + 1 == last { end.max(start) } else { start + width };
                let span = stop - start;
                Window {
                    window_start: start,
                    window_end: stop,
                    arrivals: w.arrivals,
                    completions: w.completions,
                    throughput: if span > 0.0 { w.completions as f64 / span } else { f64::NAN },
                    mean_response: if w.completions > 0 { w.sum_response / w.completions as f64 } else { f64::NAN },
                    tasks_in_system: if span > 0.0 { w.area / span } else { f64::NAN },
                    nodes_up: up,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quantile_grid_rises_and_has_five_points_a_decade_down_the_tail() {
        assert!(QUANTILE_GRID.windows(2).all(|w| w[0] < w[1]));
        for decade in [1e-2, 1e-3, 1e-4] {
            let n = QUANTILE_GRID.iter().filter(|q| (decade / 10.0..=decade * 1.0001).contains(&(1.0 - **q))).count();
            assert!(n >= 5, "{n} points with 1 - q in ({}, {decade}]", decade / 10.0);
        }
        assert!((1.0 - QUANTILE_GRID.last().unwrap() - 1e-5).abs() < 1e-12);
    }

    #[test]
    fn time_series_counts_and_averages_by_window() {
        // Windows of 1 s. One task in the system over [0.5, 2.5): area 0.5 in window 0,
        // 1 in window 1, 0.5 in window 2.
        let mut ts = TimeSeries::new(1.0, 3);
        ts.arrive(0.5);
        ts.leave(2.5, Some(2.0));
        let w = ts.finish(3.0);
        assert_eq!(w.len(), 3);
        assert_eq!((w[0].arrivals, w[2].completions), (1, 1));
        assert_eq!([w[0].tasks_in_system, w[1].tasks_in_system, w[2].tasks_in_system], [0.5, 1.0, 0.5]);
        assert_eq!(w[2].mean_response, 2.0);
        assert_eq!(w[1].nodes_up, 3);
    }

    #[test]
    fn long_runs_merge_windows_instead_of_growing() {
        let mut ts = TimeSeries::new(1.0, 1);
        for t in 0..5000 {
            ts.arrive(t as f64);
            ts.leave(t as f64 + 0.5, Some(0.5));
        }
        let w = ts.finish(5000.0);
        assert!(w.len() <= MAX_WINDOWS);
        assert_eq!(w.iter().map(|x| x.arrivals).sum::<u64>(), 5000);
        let area: f64 = w.iter().map(|x| x.tasks_in_system * (x.window_end - x.window_start)).sum();
        assert!((area - 2500.0).abs() < 1e-6, "{area}");
    }

    #[test]
    fn fault_records_read_back_with_any_event_name() {
        for event in ["crash", "restarted", "crash"] {
            let f = FaultRecord { time: 1.5, node: 3, group: "g".into(), event };
            let back: FaultRecord = postcard::from_bytes(&postcard::to_stdvec(&f).unwrap()).unwrap();
            assert_eq!(back, f);
        }
        // One allocation per name, however many records carry it.
        assert!(std::ptr::eq(intern("crash".into()), intern("crash".into())));
    }
}
