//! The value axis of a bar panel: whether it is log, its range and ticks, taken from
//! the data alone, and how wide its plot may be so that every value label fits right
//! of its bar's whisker.
//!
//! Why the range comes from the data and the labels get a margin of their own: an
//! axis stretched until the longest bar's label fits inside it runs, on a log scale,
//! decades past the data (a 200 px panel whose bars end near 7.5k ran to 1M, with
//! ticks three decades apart). Here the axis ends at the 1-2-5 value just past the
//! longest whisker, and the plot is narrowed instead, the labels standing in the
//! panel's right margin.

use plotters::prelude::*;

use super::axes::{min_max, Axis};
use super::style::text_width;
use super::{Area, AxisSpec, BarPanel, BarPlot, ChartError, Scale};

/// Whether every bar of a panel has a positive value, so that it can be drawn on a
/// log axis.
fn bars_can_be_log(values: &[Option<(f64, Option<f64>)>]) -> bool {
    let mut means = values.iter().flatten().map(|v| v.0).peekable();
    means.peek().is_some() && means.all(|m| m.is_finite() && m > 0.0)
}

/// Whether a panel's bars span more than a factor of 10 (then a linear axis would
/// shrink the small ones to slivers).
fn bars_span_decades(values: &[Option<(f64, Option<f64>)>]) -> bool {
    let means: Vec<f64> = values.iter().flatten().map(|v| v.0).collect();
    let (lo, hi) = min_max(&means);
    bars_can_be_log(values) && hi / lo > 10.0
}

/// Which bar panels get a log value axis: a panel whose values span more than a
/// factor of 10, and with it every panel of the same quantity (the same axis label)
/// that can be drawn log, so that small multiples of one quantity share a scale. A
/// panel with a fixed range stays linear.
pub(super) fn bar_scales(p: &BarPlot) -> Vec<bool> {
    let can = |q: &BarPanel| q.range.is_none() && bars_can_be_log(&q.values);
    p.panels
        .iter()
        .map(|panel| {
            can(panel)
                && p.panels.iter().filter(|q| q.axis == panel.axis && can(q)).any(|q| bars_span_decades(&q.values))
        })
        .collect()
}

/// One bar to fit on a value axis: its value, where its whisker ends, and the width
/// in pixels of its value label.
#[derive(Debug, Clone, Copy)]
pub(super) struct BarFit {
    pub(super) value: f64,
    pub(super) end: f64,
    pub(super) label_w: f64,
}

/// The coordinate of the smallest 1, 2 or 5 times a power of ten at or above `v` (> 0).
pub(super) fn up_125(v: f64) -> f64 {
    let k = v.log10().floor();
    [1.0f64, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| k + m.log10())
        .find(|c| 10f64.powf(*c) >= v * (1.0 - 1e-9))
        .unwrap_or(k + 1.0)
}

/// The value axis of a bar panel, from its data alone. `values` are the bars,
/// `end` the farthest point that must show (the longest whisker, or a reference
/// line). `fits(axis)` says whether the axis' tick labels fit under the plot; the
/// densest ticks that fit are taken, at most `max_intervals` + 1 labels.
///
/// - Linear: from zero (or `range`) to the first tick at or past `end`.
/// - Log: from the power of ten below the smallest bar, so that the smallest bar
///   still has a length, to the 1-2-5 value at or just past `end`; a tick at every
///   decade, and at 2 and 5 of each when the axis spans under two decades. When the
///   labels of every tick do not fit, every tick keeps its mark and grid line and
///   only every other (third, ...) decade is labelled.
pub(super) fn bar_axis(
    label: &str,
    log: bool,
    values: &[f64],
    end: f64,
    range: Option<(f64, f64)>,
    max_intervals: usize,
    mut fits: impl FnMut(&Axis) -> Result<bool, ChartError>,
) -> Result<Axis, ChartError> {
    if !log {
        let mut spec = AxisSpec::new(label, Scale::LinearFromZero);
        if let Some((lo, hi)) = range {
            spec = spec.with_range(lo, hi.max(end));
        }
        let mut last = None;
        for target in (1..=max_intervals.max(1)).rev() {
            let mut axis = Axis::resolve(&spec, [0.0, end], target);
            axis.compact = true;
            if fits(&axis)? {
                return Ok(axis);
            }
            last = Some(axis);
        }
        return Ok(last.expect("at least one candidate"));
    }
    let (min, _) = min_max(values);
    let lo = min.log10().ceil() - 1.0;
    let hi = up_125(end.max(min)).max(lo + 2f64.log10());
    let decades: Vec<f64> = ((lo as i64)..=((hi + 1e-9).floor() as i64)).map(|k| k as f64).collect();
    let mut ticks = decades.clone();
    if hi - lo < 2.0 + 1e-9 {
        ticks = decades
            .iter()
            .flat_map(|d| [0.0, 2f64.log10(), 5f64.log10()].map(|m| d + m))
            .filter(|t| *t <= hi + 1e-9)
            .collect();
    }
    // Labelled ticks: every tick, then the decades only, then every other decade, ...
    let mut candidates: Vec<Vec<f64>> = vec![ticks.clone()];
    for every in 1..decades.len().max(2) {
        // Count from the top decade down, so that the decade nearest the data's end
        // keeps its label.
        let top = decades.len().saturating_sub(1);
        candidates.push(
            decades.iter().enumerate().filter(|(i, _)| (top - i).is_multiple_of(every)).map(|(_, d)| *d).collect(),
        );
    }
    let mut axis = Axis {
        lo,
        hi,
        log: true,
        ticks,
        decimals: 0,
        categories: Vec::new(),
        label: format!("{label}, log scale"),
        compact: true,
        labelled: None,
    };
    let mut chosen = None;
    for labelled in candidates.into_iter().filter(|t| t.len() <= max_intervals.max(1) + 1) {
        axis.labelled = Some(labelled.clone());
        chosen = Some(labelled);
        if fits(&axis)? {
            break;
        }
    }
    axis.labelled = chosen.filter(|l| l.len() < axis.ticks.len());
    Ok(axis)
}

/// Whether the labelled ticks of `axis`, drawn under a plot `plot_w` pixels wide,
/// keep apart from each other and inside the panel (the plot plus its margins).
pub(super) fn tick_labels_fit<DB: DrawingBackend>(
    area: &Area<DB>,
    axis: &Axis,
    style: &TextStyle,
    plot_w: f64,
    margins: (f64, f64),
    gap: f64,
) -> Result<bool, ChartError> {
    let mut right = -margins.0 - gap;
    for &t in &axis.ticks {
        let label = axis.tick_label(t);
        if label.is_empty() {
            continue;
        }
        let w = text_width(area, &label, style)? as f64;
        let x = (t - axis.lo) / (axis.hi - axis.lo) * plot_w;
        if x - w / 2.0 < right + gap {
            return Ok(false);
        }
        right = x + w / 2.0;
    }
    Ok(right <= plot_w + margins.1)
}

/// The width of a bar panel's plot, out of the `avail` pixels right of its left
/// margin, that leaves each bar's value label room right of its whisker: the label
/// starts `gap` px past the whisker's end and must end inside the panel. At most
/// `avail - margin` (room for the last tick label), at least a third of `avail`.
pub(super) fn plot_width(axis: &Axis, bars: &[BarFit], avail: f64, margin: f64, gap: f64) -> f64 {
    let mut w = avail - margin;
    for b in bars {
        let f = (axis.clamped(b.end.max(b.value)) - axis.lo) / (axis.hi - axis.lo);
        if f > 0.0 {
            w = w.min((avail - 4.0 - gap - b.label_w) / f);
        }
    }
    w.max(avail / 3.0)
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::style::{ensure_font, Px, TICK_SIZE};
    use super::*;

    /// `bar_axis` as `draw_bars` calls it, on a plot `plot_w` pixels wide, with text
    /// measured in the embedded font at 1x.
    pub(in super::super) fn bar_axis_for(values: &[f64], log: bool, plot_w: f64) -> Axis {
        ensure_font().unwrap();
        let mut buf = vec![0u8; 40 * 40 * 3];
        let root = BitMapBackend::with_buffer(&mut buf, (40, 40)).into_drawing_area();
        let px = Px(1.0);
        let end = values.iter().map(|v| v * 1.05).fold(0.0, f64::max);
        let max_intervals = ((plot_w / 60.0) as usize).clamp(1, 4);
        bar_axis("response time (s)", log, values, end, None, max_intervals, |a| {
            tick_labels_fit(&root, a, &px.font(TICK_SIZE), plot_w, (22.0, 30.0), 14.0)
        })
        .unwrap()
    }

    #[test]
    fn one_two_five_steps_round_up() {
        let v = |x: f64| 10f64.powf(up_125(x));
        assert!((v(7479.0) - 10_000.0).abs() < 1e-6);
        assert!((v(1795.0) - 2000.0).abs() < 1e-6);
        assert!((v(4.19) - 5.0).abs() < 1e-9);
        assert!((v(0.2) - 0.2).abs() < 1e-12);
        assert!((v(20.0) - 20.0).abs() < 1e-9);
    }

    #[test]
    fn log_bar_axes_end_just_past_the_data() {
        // web-farm's mean panel: 0.55 to 1,795 (with its whisker, 1,850): 0.1 to 2k,
        // a tick at every decade, not 0.1 to 100k with ticks three decades apart.
        let a = bar_axis_for(&[0.55, 0.83, 1795.0], true, 200.0);
        assert_eq!((a.lo, a.fmt(a.hi)), (-1.0, "2k".to_string()), "{a:?}");
        assert_eq!(a.ticks, [-1.0, 0.0, 1.0, 2.0, 3.0]);
        let labels: Vec<String> = a.ticks.iter().map(|t| a.tick_label(*t)).filter(|l| !l.is_empty()).collect();
        assert!(labels.len() >= 2 && labels.contains(&"1k".to_string()), "{labels:?}");
        // p99: 4.37 to 7,479: 1 to 10k.
        let p99 = bar_axis_for(&[4.37, 7.33, 7479.0], true, 200.0);
        assert_eq!((p99.lo, p99.hi), (0.0, 4.0));
        // Under two decades: 2 and 5 ticked too.
        let short = bar_axis_for(&[3.0, 40.0], true, 400.0);
        assert_eq!((short.lo, short.fmt(short.hi)), (0.0, "50".to_string()));
        let t: Vec<String> = short.ticks.iter().map(|t| short.fmt(*t)).collect();
        assert_eq!(t, ["1", "2", "5", "10", "20", "50"]);
    }

    #[test]
    fn value_labels_get_room_right_of_their_whiskers() {
        let axis = bar_axis_for(&[1.0, 9.0], false, 300.0);
        let bars = [BarFit { value: 9.0, end: 10.0, label_w: 40.0 }, BarFit { value: 1.0, end: 1.2, label_w: 40.0 }];
        let w = plot_width(&axis, &bars, 330.0, 30.0, 12.0);
        let f = (10.0 - axis.lo) / (axis.hi - axis.lo);
        assert!(f * w + 12.0 + 40.0 <= 330.0 - 4.0 + 1e-9, "{w} {axis:?}");
        assert!(w <= 300.0);
    }

    #[test]
    fn a_fixed_range_keeps_a_panel_linear() {
        let mut p = BarPlot {
            categories: vec![("a".into(), 0), ("b".into(), 1)],
            panels: vec![BarPanel {
                title: "node 0".into(),
                axis: "utilization".into(),
                values: vec![Some((0.01, None)), Some((0.9, None))],
                range: Some((0.0, 1.0)),
                reference: None,
            }],
        };
        assert_eq!(bar_scales(&p), [false]);
        p.panels[0].range = None;
        assert_eq!(bar_scales(&p), [true]);
    }
}
