//! Bar charts: horizontal bars with CI whiskers and value labels, in small multiples
//! (panels side by side), each panel with its own value axis, linear or log.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{fmt_sig, min_max, Axis};
use super::style::{look, text_width, Px, DESC_SIZE, GRID, INK, LEGEND_SIZE, MUTED, TICK_SIZE, VALUE_SIZE};
use super::{Area, AxisSpec, BarPlot, ChartError, OrChart, Scale};

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
/// that can be drawn log, so that small multiples of one quantity share a scale.
fn bar_scales(p: &BarPlot) -> Vec<bool> {
    p.panels
        .iter()
        .map(|panel| {
            bars_can_be_log(&panel.values)
                && p.panels.iter().filter(|q| q.axis == panel.axis).any(|q| bars_span_decades(&q.values))
        })
        .collect()
}

/// One bar to fit on a value axis: its value, where its whisker ends, and the width
/// in pixels of its value label (with the gap before it).
#[derive(Debug, Clone, Copy)]
struct BarFit {
    value: f64,
    end: f64,
    label_w: f64,
}

/// The value axis of a bar panel whose plot is `plot_w` pixels wide: long enough
/// that every bar, whisker and value label fits, with as many ticks as `fits`
/// accepts, but at most `max_intervals` + 1 (narrow panels get 2 or 3).
///
/// Linear axes start at zero; log axes at the power of ten below the smallest
/// value, so that the smallest bar still has a length, and tick whole decades.
fn bar_axis(
    label: &str,
    log: bool,
    bars: &[BarFit],
    plot_w: f64,
    max_intervals: usize,
    mut fits: impl FnMut(&Axis) -> Result<bool, ChartError>,
) -> Result<Axis, ChartError> {
    let c = |v: f64| if log { v.log10() } else { v };
    let lo = if log {
        let (min, _) = min_max(&bars.iter().map(|b| b.value).collect::<Vec<_>>());
        min.log10().ceil() - 1.0
    } else {
        0.0
    };
    // The axis must reach far enough that the end of each bar plus its label fits.
    let mut need = if log { lo + 1.0 } else { 0.0 };
    for b in bars.iter().filter(|b| b.end.is_finite() && (b.end > 0.0)) {
        let room = plot_w - b.label_w;
        let scale = if room > plot_w * 0.3 { plot_w / room } else { 1.0 / 0.7 };
        need = need.max(lo + (c(b.end) - lo) * scale);
    }
    if !log {
        let spec = AxisSpec::new(label, Scale::LinearFromZero);
        let mut last = None;
        for target in (1..=max_intervals.max(1)).rev() {
            let mut axis = Axis::resolve(&spec, [0.0, need], target);
            axis.compact = true;
            if fits(&axis)? {
                return Ok(axis);
            }
            last = Some(axis);
        }
        return Ok(last.expect("at least one candidate"));
    }
    let hi = need;
    let decades: Vec<f64> = ((lo as i64)..=(hi.floor() as i64)).map(|k| k as f64).collect();
    let mut candidates: Vec<Vec<f64>> = Vec::new();
    if decades.len() <= 2 {
        // Within two decades: 1, 2 and 5 of each.
        let mut t: Vec<f64> = decades
            .iter()
            .flat_map(|d| [0.0, 2f64.log10(), 5f64.log10()].map(|m| d + m))
            .filter(|t| *t <= hi)
            .collect();
        t.sort_by(f64::total_cmp);
        candidates.push(t);
    }
    for every in 1..decades.len().max(2) {
        candidates.push(decades.iter().copied().step_by(every).collect());
    }
    let mut axis = Axis {
        lo,
        hi,
        log: true,
        ticks: Vec::new(),
        decimals: 0,
        categories: Vec::new(),
        label: format!("{label}, log scale"),
        compact: true,
    };
    for ticks in candidates.into_iter().filter(|t| t.len() <= max_intervals.max(1) + 1) {
        axis.ticks = ticks;
        if fits(&axis)? {
            break;
        }
    }
    Ok(axis)
}

/// Whether the tick labels of `axis`, drawn under a plot `plot_w` pixels wide, keep
/// apart from each other and inside the panel (the plot plus its margins).
fn tick_labels_fit<DB: DrawingBackend>(
    area: &Area<DB>,
    axis: &Axis,
    style: &TextStyle,
    plot_w: f64,
    margins: (f64, f64),
    gap: f64,
) -> Result<bool, ChartError> {
    let mut right = -margins.0 - gap;
    for &t in &axis.ticks {
        let w = text_width(area, &axis.fmt(t), style)? as f64;
        let x = (t - axis.lo) / (axis.hi - axis.lo) * plot_w;
        if x - w / 2.0 < right + gap {
            return Ok(false);
        }
        right = x + w / 2.0;
    }
    Ok(right <= plot_w + margins.1)
}

pub(super) fn draw_bars<DB: DrawingBackend>(area: &Area<DB>, p: &BarPlot, px: Px) -> Result<(), ChartError> {
    let tick = px.font(TICK_SIZE);
    let desc = px.font(DESC_SIZE);
    let names = px.font(LEGEND_SIZE);
    let value_font = px.font(VALUE_SIZE).color(&MUTED);
    let n = p.categories.len();
    let (w, h) = area.dim_in_pixel();

    let mut name_w = 0;
    for (name, _) in &p.categories {
        name_w = name_w.max(text_width(area, name, &names)?);
    }
    let name_w = (name_w + px.u(24.0)).min(w * 2 / 5);
    let k = p.panels.len().max(1) as u32;
    let pw = w - name_w;
    let edges: Vec<u32> = (0..=k).map(|i| i * pw / k).collect();
    let (margin_l, margin_r) = (px.u(22.0), px.u(30.0));
    let bar_h = 0.36;

    // Value axis labels: one per run of neighbouring panels that share it, centred
    // under them (narrow panels side by side cannot each hold "response time (s)");
    // a label wider than its panels breaks after its last comma.
    let logs = bar_scales(p);
    let labels: Vec<String> = p
        .panels
        .iter()
        .zip(&logs)
        .map(|(panel, log)| if *log { format!("{}, log scale", panel.axis) } else { panel.axis.clone() })
        .collect();
    let mut groups: Vec<(usize, usize, Vec<String>)> = Vec::new();
    for (j, label) in labels.iter().enumerate() {
        match groups.last_mut() {
            Some(g) if labels[g.0] == *label => g.1 = j,
            _ => groups.push((j, j, Vec::new())),
        }
    }
    for g in &mut groups {
        let text = &labels[g.0];
        let room = (edges[g.1 + 1] - edges[g.0]).saturating_sub(px.u(8.0));
        g.2 = match text.rfind(", ") {
            Some(i) if text_width(area, text, &desc)? > room => {
                vec![text[..i + 1].to_string(), text[i + 2..].to_string()]
            }
            _ if text.is_empty() => Vec::new(),
            _ => vec![text.clone()],
        };
    }
    let lines = groups.iter().map(|g| g.2.len()).max().unwrap_or(0) as f64;
    let line_h = DESC_SIZE + 4.0;
    let label_row = if lines > 0.0 { px.u(line_h * lines + 12.0) } else { 0 };
    let (top, label_area) = area.split_vertically(h.saturating_sub(label_row));
    let (name_area, panels_area) = top.split_horizontally(name_w);
    let areas = panels_area.split_by_breakpoints::<u32, u32, _, _>(&edges[1..k as usize], [] as [u32; 0]);
    let x_area = px.u(TICK_SIZE + 20.0);

    let mut centres: Vec<i32> = Vec::new();
    for (j, ((panel, sub), &log)) in p.panels.iter().zip(&areas).zip(&logs).enumerate() {
        let labels: Vec<String> = panel
            .values
            .iter()
            .map(|v| match v {
                Some((m, _)) => fmt_sig(*m, 3),
                None => "n/a".into(),
            })
            .collect();
        let (sw, _) = sub.dim_in_pixel();
        let plot_w = sw.saturating_sub(margin_l + margin_r).max(1) as f64;
        // Leave room right of the longest bar for its whisker and value label.
        let mut bars = Vec::new();
        for (v, label) in panel.values.iter().zip(&labels) {
            if let Some((m, ci)) = *v {
                let ci = ci.filter(|c| c.is_finite() && *c > 0.0).unwrap_or(0.0);
                let label_w = px.0 * 10.0 + text_width(sub, label, &value_font)? as f64;
                bars.push(BarFit { value: m, end: m + ci, label_w });
            }
        }
        let margins = (margin_l as f64, margin_r as f64);
        // About one tick per 60 px, at most 5: a quarter of the chart gets 3.
        let max_intervals = ((plot_w / (px.0 * 60.0)) as usize).clamp(1, 4);
        let x = bar_axis(&panel.axis, log, &bars, plot_w, max_intervals, |a| {
            tick_labels_fit(sub, a, &tick, plot_w, margins, px.0 * 14.0)
        })?;
        let y = Axis {
            lo: -0.5,
            hi: n as f64 - 0.5,
            log: false,
            ticks: Vec::new(),
            decimals: 0,
            categories: Vec::new(),
            label: String::new(),
            compact: false,
        };
        let mut chart = ChartBuilder::on(sub)
            .caption(panel.title.as_str(), desc.clone())
            .margin_left(margin_l)
            .margin_right(margin_r)
            .margin_top(px.u(6.0))
            .x_label_area_size(x_area)
            .y_label_area_size(0)
            .build_cartesian_2d(x.coord(), y.coord())
            .or_chart()?;
        let xfmt = |v: &f64| x.fmt(*v);
        chart
            .configure_mesh()
            .bold_line_style(GRID.stroke_width(px.u(1.0).max(1)))
            .axis_style(MUTED.stroke_width(px.u(1.5).max(1)))
            .set_all_tick_mark_size(px.i(6.0))
            .label_style(tick.clone())
            .x_label_formatter(&xfmt)
            .draw()
            .or_chart()?;
        let plotting = chart.plotting_area().strip_coord_spec();
        let base = plotting.get_base_pixel();
        let to_px = |cx: f64, cy: f64| {
            let (a, b) = chart.backend_coord(&(cx, cy));
            (a - base.0, b - base.1)
        };
        // The line the bars grow from: zero, or the bottom of a log axis.
        let zero = x.clamped(0.0);
        let axis = MUTED.stroke_width(px.u(1.5).max(1));
        plotting.draw(&PathElement::new(vec![to_px(zero, y.hi), to_px(zero, y.lo)], axis)).or_chart()?;
        for (i, ((v, label), (_, li))) in panel.values.iter().zip(&labels).zip(&p.categories).enumerate() {
            let yc = (n - 1 - i) as f64;
            if j == 0 {
                centres.push(chart.backend_coord(&(0.0, yc)).1);
            }
            let l = look(*li);
            let Some((m, ci)) = *v else {
                let style = value_font.clone().pos(Pos::new(HPos::Left, VPos::Center));
                plotting.draw(&Text::new("n/a", to_px(zero, yc), style)).or_chart()?;
                continue;
            };
            // Thick bars for few policies would look like blocks: at most 48 px.
            let (a, cy) = to_px(zero, yc);
            let half = (to_px(zero, yc - bar_h).1 - cy).min(px.i(24.0));
            let (top, bot) = (cy - half, cy + half);
            let (b, _) = to_px(x.clamped(m), yc);
            let (fill, edge) = match l.pattern {
                0 => (l.color.mix(0.85).filled(), None),
                1 => (l.color.mix(0.35).filled(), Some(l.color.stroke_width(px.u(2.5)))),
                _ => (WHITE.filled(), Some(l.color.stroke_width(px.u(2.5)))),
            };
            plotting.draw(&Rectangle::new([(a, top), (b, bot)], fill)).or_chart()?;
            if let Some(edge) = edge {
                plotting.draw(&Rectangle::new([(a, top), (b, bot)], edge)).or_chart()?;
            }
            let mut end = b;
            if let Some(ci) = ci.filter(|c| c.is_finite() && *c > 0.0) {
                let whisker = INK.stroke_width(px.u(2.0).max(1));
                let (lo_x, cy) = to_px(x.clamped(m - ci), yc);
                let (hi_x, _) = to_px(x.clamped(m + ci), yc);
                let cap = px.i(9.0);
                plotting.draw(&PathElement::new(vec![(lo_x, cy), (hi_x, cy)], whisker)).or_chart()?;
                for cx in [lo_x, hi_x] {
                    plotting.draw(&PathElement::new(vec![(cx, cy - cap), (cx, cy + cap)], whisker)).or_chart()?;
                }
                end = end.max(hi_x);
            }
            let style = value_font.clone().pos(Pos::new(HPos::Left, VPos::Center));
            plotting.draw(&Text::new(label.as_str(), (end + px.i(8.0), cy), style)).or_chart()?;
        }
    }

    // Category names, right-aligned beside the first panel's bars.
    let base = name_area.get_base_pixel();
    let style = names.pos(Pos::new(HPos::Right, VPos::Center));
    for ((name, _), cy) in p.categories.iter().zip(centres) {
        name_area
            .draw(&Text::new(name.as_str(), (name_w as i32 - px.i(6.0), cy - base.1), style.clone()))
            .or_chart()?;
    }
    // Axis labels, centred under the plots of their panels.
    let style = desc.pos(Pos::new(HPos::Center, VPos::Top));
    for (first, last, text) in &groups {
        let left = name_w + edges[*first] + margin_l;
        let right = name_w + edges[*last + 1] - margin_r;
        let centre = ((left + right) / 2) as i32;
        for (line, t) in text.iter().enumerate() {
            let at = (centre, px.i(2.0 + line_h * line as f64));
            label_area.draw(&Text::new(t.as_str(), at, style.clone())).or_chart()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::chart::style::ensure_font;
    use crate::output::chart::{render_svg, BarPanel, Figure, Plot};

    fn bars(panels: &[(&str, &str, &[f64])]) -> BarPlot {
        let n = panels.iter().map(|p| p.2.len()).max().unwrap_or(0);
        BarPlot {
            categories: (0..n).map(|i| (format!("policy {i}"), i)).collect(),
            panels: panels
                .iter()
                .map(|(title, axis, v)| BarPanel {
                    title: title.to_string(),
                    axis: axis.to_string(),
                    values: v.iter().map(|m| Some((*m, Some(m * 0.05)))).collect(),
                })
                .collect(),
        }
    }

    /// `bar_axis` as `draw_bars` calls it, on a plot `plot_w` pixels wide, with text
    /// measured in the embedded font at 1x.
    fn bar_axis_for(values: &[f64], log: bool, plot_w: f64) -> Axis {
        ensure_font().unwrap();
        let mut buf = vec![0u8; 40 * 40 * 3];
        let root = BitMapBackend::with_buffer(&mut buf, (40, 40)).into_drawing_area();
        let px = Px(1.0);
        let fits: Vec<BarFit> = values
            .iter()
            .map(|v| BarFit { value: *v, end: v * 1.05, label_w: 10.0 + 12.0 * fmt_sig(*v, 3).len() as f64 })
            .collect();
        let max_intervals = ((plot_w / 60.0) as usize).clamp(1, 4);
        bar_axis("response time (s)", log, &fits, plot_w, max_intervals, |a| {
            tick_labels_fit(&root, a, &px.font(TICK_SIZE), plot_w, (22.0, 30.0), 14.0)
        })
        .unwrap()
    }

    #[test]
    fn a_1000x_outlier_puts_bar_panels_of_its_quantity_on_a_log_axis() {
        let p = bars(&[
            ("mean", "response time (s)", &[0.7, 0.9, 1.2, 1800.0]),
            ("p50", "response time (s)", &[0.3, 0.4, 0.5, 1.0]),
            ("throughput", "tasks/s", &[20.0, 21.0, 22.0, 9.0]),
            ("zero", "response time (s)", &[0.0, 1.0, 2.0, 3.0]),
        ]);
        // The outlier's panel and the other panel of the same quantity go log; another
        // quantity, and a panel with a zero (which no log axis can show), do not.
        assert_eq!(bar_scales(&p), [true, true, false, false]);
        let a = bar_axis_for(&[0.7, 0.9, 1.2, 1800.0], true, 150.0);
        assert!(a.log && a.label.ends_with("log scale"), "{a:?}");
        // The bars start at the power of ten below the smallest, which is ticked.
        assert_eq!((a.lo, a.ticks[0], a.fmt(a.ticks[0])), (-1.0, -1.0, "0.1".to_string()));
        assert!(a.hi >= 1800f64.log10());
        let svg = render_svg(&Figure {
            stem: "b".into(),
            title: "Bars".into(),
            note: None,
            plot: Plot::Bars(bars(&[("mean", "response time (s)", &[0.7, 0.9, 1800.0])])),
        })
        .unwrap();
        assert!(svg.contains("response time (s), log scale"));
        assert!(bar_scales(&bars(&[("mean", "s", &[0.7, 0.9, 6.5])])) == [false], "less than a decade stays linear");
    }

    #[test]
    fn narrow_bar_panels_get_few_compact_ticks_and_one_shared_axis_label() {
        // A quarter of the chart: 2 or 3 ticks, "2k" not "2000".
        let narrow = bar_axis_for(&[800.0, 1500.0, 3600.0], false, 150.0);
        let labels: Vec<String> = narrow.ticks.iter().map(|t| narrow.fmt(*t)).collect();
        assert!((2..=3).contains(&labels.len()), "{labels:?}");
        assert!(labels.iter().all(|l| l.len() <= 3) && labels.iter().any(|l| l.ends_with('k')), "{labels:?}");
        let wide = bar_axis_for(&[800.0, 1500.0, 3600.0], false, 500.0);
        assert!(wide.ticks.len() > labels.len(), "{wide:?}");
        let narrow_log = bar_axis_for(&[0.3, 2.0, 7000.0], true, 150.0);
        assert!((2..=3).contains(&narrow_log.ticks.len()), "{narrow_log:?}");

        let four = |axis: &'static str| {
            let panels: Vec<(&str, &str, &[f64])> = ["mean", "p50", "p95", "p99"]
                .into_iter()
                .map(|t| (t, axis, &[800.0, 1500.0, 3600.0, 2100.0][..]))
                .collect();
            let fig = Figure { stem: "b".into(), title: "Bars".into(), note: None, plot: Plot::Bars(bars(&panels)) };
            render_svg(&fig).unwrap()
        };
        assert_eq!(four("response time (s)").matches("response time (s)").count(), 1, "one shared axis label");
        let svg = four("work done (units)");
        assert_eq!(svg.matches("work done (units)").count(), 1);
        let texts: Vec<&str> = svg.lines().map(str::trim).collect();
        assert!(texts.iter().any(|t| t.ends_with('k') && t[..t.len() - 1].parse::<f64>().is_ok()), "compact ticks");
        assert!(!texts.iter().any(|t| ["1000", "2000", "2500", "4000", "5000"].contains(t)), "long ticks");
    }
}
