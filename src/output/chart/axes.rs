//! Axes: a value range and its scale (linear or log) resolved from the data, the tick
//! positions, and the number formats of tick and value labels.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;

use super::style::text_width;
use super::{Area, AxisSpec, ChartError, Scale};

/// A resolved axis: positions are in "coordinate" units (log10 of the value on a
/// log axis), and the tick positions are chosen here, not by plotters.
#[derive(Debug, Clone)]
pub(super) struct Axis {
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) log: bool,
    pub(super) ticks: Vec<f64>,
    /// Decimals for linear tick labels.
    pub(super) decimals: usize,
    pub(super) categories: Vec<String>,
    pub(super) label: String,
    /// Tick labels in compact form (`2.5k`, `10M`), for narrow panels.
    pub(super) compact: bool,
    /// The ticks that get a label, when not all do (a tick mark at every decade, a
    /// label at every other one).
    pub(super) labelled: Option<Vec<f64>>,
}

impl Axis {
    pub(super) fn resolve(spec: &AxisSpec, data: impl IntoIterator<Item = f64>, target: usize) -> Axis {
        let data: Vec<f64> = data.into_iter().filter(|v| v.is_finite()).collect();
        if !spec.categories.is_empty() {
            let n = spec.categories.len();
            let every = n.div_ceil(target.max(1) * 2).max(1);
            return Axis {
                lo: -0.5,
                hi: n as f64 - 0.5,
                log: false,
                ticks: (0..n).step_by(every).map(|i| i as f64).collect(),
                decimals: 0,
                categories: spec.categories.clone(),
                label: spec.label.clone(),
                compact: false,
                labelled: None,
            };
        }
        let positive: Vec<f64> = data.iter().copied().filter(|&v| v > 0.0).collect();
        let (pmin, pmax) = min_max(&positive);
        if let (Scale::Log, Some((a, b))) = (spec.scale, spec.range) {
            if a > 0.0 && b > a {
                return Axis::log_ticks(&spec.label, a.log10(), b.log10(), target);
            }
        }
        let log = spec.range.is_none()
            && match spec.scale {
                Scale::Log => !positive.is_empty(),
                Scale::Auto => positive.len() == data.len() && !positive.is_empty() && pmax / pmin > 10.0,
                _ => false,
            };
        if log {
            return Axis::log_axis(spec, pmin, pmax, target);
        }
        let (mut lo, mut hi) = match spec.range {
            Some(r) => r,
            None => {
                let (mut a, mut b) = if data.is_empty() { (0.0, 1.0) } else { min_max(&data) };
                if matches!(spec.scale, Scale::LinearFromZero | Scale::Auto | Scale::Log) {
                    a = a.min(0.0);
                    b = b.max(0.0);
                }
                if b - a <= f64::EPSILON * b.abs().max(1.0) {
                    let d = if b.abs() > 0.0 { b.abs() * 0.1 } else { 1.0 };
                    a -= d;
                    b += d;
                }
                (a, b)
            }
        };
        let step = nice_step(hi - lo, target);
        // Value axes end on a tick; a plain linear axis (a sweep's x) ends at the data.
        if spec.range.is_none() && spec.scale != Scale::Linear {
            lo = (lo / step + 1e-9).floor() * step;
            hi = (hi / step - 1e-9).ceil() * step;
        }
        let first = (lo / step - 1e-9).ceil() as i64;
        let last = (hi / step + 1e-9).floor() as i64;
        // Absurd input (values near f64::MAX) must not ask for billions of ticks.
        let ticks = if (hi - lo).is_finite() && last.saturating_sub(first) <= 100 {
            (first..=last).map(|k| k as f64 * step).collect()
        } else {
            vec![lo, hi]
        };
        Axis {
            lo,
            hi,
            log: false,
            ticks,
            decimals: decimals_for(step),
            categories: Vec::new(),
            label: spec.label.clone(),
            compact: false,
            labelled: None,
        }
    }

    /// A log axis a little wider than the data (4% of its span each side).
    fn log_axis(spec: &AxisSpec, min: f64, max: f64, target: usize) -> Axis {
        let (lmin, lmax) = (min.log10(), max.log10());
        let pad = if lmax > lmin { 0.04 * (lmax - lmin) } else { 0.5 };
        Axis::log_ticks(&spec.label, lmin - pad, lmax + pad, target)
    }

    /// A log axis from coordinate `lo` to `hi` (log10 of the values), ticked at whole
    /// decades, and at 2 and 5 of each when there are fewer than three.
    fn log_ticks(label: &str, lo: f64, hi: f64, target: usize) -> Axis {
        let decades: Vec<f64> = ((lo.ceil() as i64)..=(hi.floor() as i64)).map(|k| k as f64).collect();
        let mut ticks = decades.clone();
        if decades.len() < 3 {
            // Few decades: 2 and 5 in each as well.
            for k in (lo.floor() as i64)..=(hi.ceil() as i64) {
                for m in [2.0f64, 5.0] {
                    let c = k as f64 + m.log10();
                    if c >= lo && c <= hi {
                        ticks.push(c);
                    }
                }
            }
        } else if decades.len() > target + 2 {
            let every = decades.len().div_ceil(target + 1);
            ticks = decades.iter().copied().filter(|k| (*k as i64).rem_euclid(every as i64) == 0).collect();
        }
        ticks.sort_by(f64::total_cmp);
        let span = hi - lo;
        if let Some(&first) = ticks.first().filter(|t| **t - lo > (0.2 * span).max(0.6)) {
            // Data well below the first decade (20 under a first tick of 100): a 2
            // or 5 tick there, so that the lowest lines can be read.
            let k = lo.floor();
            let extra = [k + 2f64.log10(), k + 5f64.log10(), k + 1.0 + 2f64.log10()]
                .into_iter()
                .find(|c| *c >= lo && *c < first - (0.15 * span).max(0.3));
            ticks.extend(extra);
            ticks.sort_by(f64::total_cmp);
        }
        if ticks.len() < 2 {
            // Less than a decade without a 1-2-5 tick: linear-looking ticks.
            let (a, b) = (10f64.powf(lo), 10f64.powf(hi));
            let step = nice_step(b - a, 4);
            ticks = (((a / step).ceil() as i64)..=((b / step).floor() as i64))
                .map(|k| k as f64 * step)
                .filter(|&v| v > 0.0)
                .map(f64::log10)
                .collect();
        }
        Axis {
            lo,
            hi,
            log: true,
            ticks,
            decimals: 0,
            categories: Vec::new(),
            label: format!("{label}, log scale"),
            compact: false,
            labelled: None,
        }
    }

    /// The coordinate of value `v`, or `None` where it cannot be drawn.
    pub(super) fn c(&self, v: f64) -> Option<f64> {
        if !v.is_finite() {
            None
        } else if self.log {
            (v > 0.0).then(|| v.log10())
        } else {
            Some(v)
        }
    }

    /// The coordinate of `v`, clamped into the axis range (bands below a log axis).
    pub(super) fn clamped(&self, v: f64) -> f64 {
        let c = if self.log && v.is_finite() && v <= 0.0 { self.lo } else { self.c(v).unwrap_or(self.lo) };
        c.clamp(self.lo, self.hi)
    }

    /// The tick label at coordinate `c`.
    pub(super) fn fmt(&self, c: f64) -> String {
        if !self.categories.is_empty() {
            let i = c.round();
            return if i >= 0.0 && (i as usize) < self.categories.len() {
                self.categories[i as usize].clone()
            } else {
                String::new()
            };
        }
        if self.log {
            let v = 10f64.powf(c);
            return if self.compact { fmt_compact(v) } else { fmt_plain(v) };
        }
        if self.compact {
            return fmt_compact(c);
        }
        let s = format!("{:.*}", self.decimals, c);
        if s.starts_with('-') && s[1..].chars().all(|ch| ch == '0' || ch == '.') {
            s[1..].to_string()
        } else {
            s
        }
    }

    /// The label of the tick at coordinate `c`: [`Axis::fmt`], or nothing for a tick
    /// left unlabelled.
    pub(super) fn tick_label(&self, c: f64) -> String {
        match &self.labelled {
            Some(l) if !l.iter().any(|t| (t - c).abs() < 1e-9) => String::new(),
            _ => self.fmt(c),
        }
    }

    pub(super) fn coord(&self) -> Ticked {
        Ticked { lo: self.lo, hi: self.hi, ticks: self.ticks.clone() }
    }

    pub(super) fn widest_label<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        style: &TextStyle,
    ) -> Result<u32, ChartError> {
        let mut w = 0;
        for &t in &self.ticks {
            w = w.max(text_width(area, &self.tick_label(t), style)?);
        }
        Ok(w)
    }
}

/// A linear coordinate with the tick positions chosen by [`Axis`]. (plotters'
/// `WithKeyPoints` would do, but its `f64` form cannot take a label formatter.)
#[derive(Debug, Clone)]
pub(super) struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        let frac = if span > 0.0 { (v - self.lo) / span } else { 0.5 };
        let len = (limit.1 - limit.0) as f64;
        limit.0 + (len * frac.clamp(-10.0, 11.0)).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

pub(super) fn min_max(v: &[f64]) -> (f64, f64) {
    v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)))
}

/// The smallest round step (1, 2, 2.5 or 5 times a power of ten) that cuts `span`
/// into at most `intervals` pieces.
pub(super) fn nice_step(span: f64, intervals: usize) -> f64 {
    let raw = span / intervals.max(1) as f64;
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let base = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * base).find(|&step| step >= raw * (1.0 - 1e-9)).unwrap_or(10.0 * base)
}

/// The decimals that print every multiple of `step` exactly (2.5 needs one).
pub(super) fn decimals_for(step: f64) -> usize {
    (0..=12)
        .find(|&d| {
            let v = step * 10f64.powi(d as i32);
            (v - v.round()).abs() < 1e-6 * v.max(1.0)
        })
        .unwrap_or(12)
}

/// A number without trailing zeros: `0.001`, `2`, `150`, `1e-06`.
pub(crate) fn fmt_plain(v: f64) -> String {
    if v != 0.0 && (v.abs() >= 1e7 || v.abs() < 1e-4) {
        return format!("{v:e}");
    }
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// A tick label in few characters: `0.25`, `800`, `2k`, `12.5k`, `3M`, `1G`.
pub(crate) fn fmt_compact(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    for (div, suffix) in [(1e9, "G"), (1e6, "M"), (1e3, "k")] {
        if v.abs() >= div * (1.0 - 1e-9) {
            let scaled = v / div;
            let d = decimals_sig(scaled, 3);
            let s = format!("{scaled:.d$}");
            let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { s.as_str() };
            return format!("{s}{suffix}");
        }
    }
    fmt_plain(v)
}

/// `v` with `sig` significant digits (at least).
pub(crate) fn fmt_sig(v: f64, sig: i32) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    format!("{:.*}", decimals_sig(v, sig), v)
}

/// The decimals that show `v` with `sig` significant digits.
pub(crate) fn decimals_sig(v: f64, sig: i32) -> usize {
    if v == 0.0 || !v.is_finite() {
        return 0;
    }
    let mag = v.abs().log10().floor() as i32;
    (sig - 1 - mag).clamp(0, 12) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps_are_round() {
        assert_eq!(nice_step(1.0, 10), 0.1);
        assert_eq!(nice_step(3.0, 10), 0.5);
        assert_eq!(nice_step(100.0, 4), 25.0);
        assert_eq!(nice_step(0.45, 7), 0.1);
        assert_eq!((decimals_for(2.5), decimals_for(0.05), decimals_for(20.0)), (1, 2, 0));
        assert_eq!(fmt_plain(0.001), "0.001");
        assert_eq!(fmt_plain(20.0), "20");
        assert_eq!(fmt_sig(0.0058635, 2), "0.0059");
    }

    #[test]
    fn axes_go_log_only_when_data_spans_decades() {
        let spec = AxisSpec::new("s", Scale::Auto);
        let a = Axis::resolve(&spec, [0.5, 50.0], 6);
        assert!(a.log && a.label.ends_with("log scale"));
        assert_eq!(a.fmt(1.0), "10");
        let b = Axis::resolve(&spec, [0.5, 4.0], 6);
        assert!(!b.log && b.lo == 0.0 && b.hi >= 4.0, "{b:?}");
        let c = Axis::resolve(&AxisSpec::new("x", Scale::Linear), [0.5, 0.98], 6);
        assert_eq!((c.fmt(c.ticks[0]), c.fmt(*c.ticks.last().unwrap())), ("0.5".into(), "0.9".into()));
        assert_eq!((c.lo, c.hi), (0.5, 0.98), "a sweep axis ends at the data");
    }

    #[test]
    fn compact_numbers_are_short() {
        let f: Vec<String> = [0.0, 0.25, 800.0, 1000.0, 2500.0, 12_500.0, 3e6, 1e9, 0.1].map(fmt_compact).to_vec();
        assert_eq!(f, ["0", "0.25", "800", "1k", "2.5k", "12.5k", "3M", "1G", "0.1"]);
    }
}
