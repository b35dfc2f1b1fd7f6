//! Bar charts: horizontal bars with CI whiskers and value labels, in small multiples
//! (panels side by side), each panel with its own value axis (`bar_scale.rs`), and a
//! dashed reference line where the panel has a theoretical value.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{fmt_sig, Axis};
use super::bar_scale::{bar_axis, bar_scales, plot_width, tick_labels_fit, BarFit};
use super::style::{
    elide, look, stroke_path, text_width, Px, DESC_SIZE, GRID, INK, LEGEND_SIZE, MUTED, REFERENCE, TICK_SIZE,
    VALUE_SIZE,
};
use super::{Area, BarPlot, ChartError, OrChart};

/// Pixels between the end of a whisker (or bar) and its value label.
const LABEL_GAP: f64 = 12.0;

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
    // Each panel's right margin: the base one, or more where value labels need it.
    let mut margins_r: Vec<u32> = Vec::new();
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
                // A percentile beyond the response histogram's range (146 years).
                Some((m, _)) if m.is_infinite() => "out of range".into(),
                Some((m, _)) if m.is_finite() => fmt_sig(*m, 3),
                _ => "n/a".into(),
            })
            .collect();
        let (sw, _) = sub.dim_in_pixel();
        let avail = sw.saturating_sub(margin_l).max(1) as f64;
        let mut bars = Vec::new();
        for (v, label) in panel.values.iter().zip(&labels) {
            if let Some((m, ci)) = v.filter(|(m, _)| m.is_finite()) {
                let ci = ci.filter(|c| c.is_finite() && *c > 0.0).unwrap_or(0.0);
                let label_w = text_width(sub, label, &value_font)? as f64;
                bars.push(BarFit { value: m, end: m + ci, label_w });
            }
        }
        let values: Vec<f64> = bars.iter().map(|b| b.value).collect();
        let reference = panel.reference.as_ref().filter(|r| r.value.is_finite() && (!log || r.value > 0.0));
        let end = bars.iter().map(|b| b.end).chain(reference.map(|r| r.value)).fold(0.0, f64::max);
        // The axis from the data; then the plot narrowed until every value label fits
        // right of its whisker; then the axis' ticks again for that width.
        let axis_for = |plot_w: f64| {
            // About one tick per 60 px, at most 5: a quarter of the chart gets 3.
            let max_intervals = ((plot_w / (px.0 * 60.0)) as usize).clamp(1, 4);
            let margins = (margin_l as f64, avail - plot_w);
            bar_axis(&panel.axis, log, &values, end, panel.range, max_intervals, |a| {
                tick_labels_fit(sub, a, &tick, plot_w, margins, px.0 * 14.0)
            })
        };
        let (base_r, gap) = (margin_r as f64, px.0 * LABEL_GAP);
        let first = axis_for(avail - base_r)?;
        let x = axis_for(plot_width(&first, &bars, avail, base_r, gap))?;
        let plot_w = plot_width(&x, &bars, avail, base_r, gap);
        let panel_margin_r = (avail - plot_w).round().max(0.0) as u32;
        margins_r.push(panel_margin_r);
        // A reference line gets a row of its own above the bars for its label.
        let y = Axis {
            lo: -0.5,
            hi: n as f64 - 0.5 + if reference.is_some() { 0.7 } else { 0.0 },
            log: false,
            ticks: Vec::new(),
            decimals: 0,
            categories: Vec::new(),
            label: String::new(),
            compact: false,
            labelled: None,
        };
        let mut chart = ChartBuilder::on(sub)
            .caption(panel.title.as_str(), desc.clone())
            .margin_left(margin_l)
            .margin_right(panel_margin_r)
            .margin_top(px.u(6.0))
            .x_label_area_size(x_area)
            .y_label_area_size(0)
            .build_cartesian_2d(x.coord(), y.coord())
            .or_chart()?;
        let xfmt = |v: &f64| x.tick_label(*v);
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
        let sub_base = sub.get_base_pixel();
        let to_px = |cx: f64, cy: f64| {
            let (a, b) = chart.backend_coord(&(cx, cy));
            (a - base.0, b - base.1)
        };
        // The line the bars grow from: zero, or the bottom of a log axis.
        let zero = x.clamped(0.0);
        let axis = MUTED.stroke_width(px.u(1.5).max(1));
        plotting.draw(&PathElement::new(vec![to_px(zero, y.hi), to_px(zero, y.lo)], axis)).or_chart()?;
        if let Some(r) = reference {
            // Under the bars, so that no bar hides behind it; labelled in its own row.
            let cx = x.clamped(r.value);
            let l = look(REFERENCE);
            let (rx, top) = to_px(cx, y.hi);
            stroke_path(&plotting, &[(rx, top), to_px(cx, y.lo)], l.color.stroke_width(px.u(2.5)), l.pattern, px)?;
            // Right of the line, or left of it, whichever fits in the plot; neither: the
            // note says what the line is.
            let label_w = text_width(sub, &r.label, &value_font)? as i32;
            let (gap, plot_w) = (px.i(6.0), plot_w as i32);
            let side = if rx + gap + label_w <= plot_w {
                Some((rx + gap, HPos::Left))
            } else if rx - gap - label_w >= 0 {
                Some((rx - gap, HPos::Right))
            } else {
                None
            };
            if let Some((at, h)) = side {
                let style = px.font(VALUE_SIZE).pos(Pos::new(h, VPos::Top));
                plotting.draw(&Text::new(r.label.as_str(), (at, top + px.i(4.0)), style)).or_chart()?;
            }
        }
        for (i, ((v, label), (_, li))) in panel.values.iter().zip(&labels).zip(&p.categories).enumerate() {
            let yc = (n - 1 - i) as f64;
            if j == 0 {
                centres.push(chart.backend_coord(&(0.0, yc)).1);
            }
            let l = look(*li);
            let Some((m, ci)) = v.filter(|(m, _)| m.is_finite()) else {
                let style = value_font.clone().pos(Pos::new(HPos::Left, VPos::Center));
                plotting.draw(&Text::new(label.as_str(), to_px(zero, yc), style)).or_chart()?;
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
                // Past the cap's stroke too.
                end = end.max(hi_x + px.i(1.0));
            }
            // Always right of the whisker's end, never over it.
            let style = value_font.clone().pos(Pos::new(HPos::Left, VPos::Center));
            // Drawn on the panel, not the plot: the label may stand in the right margin,
            // and plotters pulls what is drawn outside an area back to its edge.
            let at = (end + px.i(LABEL_GAP) + base.0 - sub_base.0, cy + base.1 - sub_base.1);
            sub.draw(&Text::new(label.as_str(), at, style)).or_chart()?;
        }
    }

    // Category names, right-aligned beside the first panel's bars.
    let base = name_area.get_base_pixel();
    let style = names.pos(Pos::new(HPos::Right, VPos::Center));
    for ((name, _), cy) in p.categories.iter().zip(centres) {
        let name = elide(area, name, &names, (name_w as i32 - px.i(12.0)) as f64)?;
        name_area.draw(&Text::new(name, (name_w as i32 - px.i(6.0), cy - base.1), style.clone())).or_chart()?;
    }
    // Axis labels, centred under the plots of their panels.
    let style = desc.pos(Pos::new(HPos::Center, VPos::Top));
    for (first, last, text) in &groups {
        let left = name_w + edges[*first] + margin_l;
        let right = name_w + edges[*last + 1] - margins_r.get(*last).copied().unwrap_or(margin_r);
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
    use super::super::bar_scale::tests::bar_axis_for;
    use super::*;
    use crate::output::chart::{render_svg, BarPanel, Figure, Plot, Reference};

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
                    range: None,
                    reference: None,
                })
                .collect(),
        }
    }

    fn svg_of(plot: BarPlot) -> String {
        render_svg(&Figure { stem: "b".into(), title: "Bars".into(), note: None, plot: Plot::Bars(plot) }).unwrap()
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
        assert!(a.hi >= 1800f64.log10() && a.hi <= 2000f64.log10() + 1e-9, "{a:?}");
        let svg = svg_of(bars(&[("mean", "response time (s)", &[0.7, 0.9, 1800.0])]));
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
        // A log axis marks every decade, and labels 2 or 3 of them.
        let narrow_log = bar_axis_for(&[0.3, 2.0, 7000.0], true, 150.0);
        assert_eq!(narrow_log.ticks.len(), 6, "{narrow_log:?}");
        let labelled = narrow_log.ticks.iter().filter(|t| !narrow_log.tick_label(**t).is_empty()).count();
        assert!((2..=3).contains(&labelled), "{narrow_log:?}");

        let four = |axis: &'static str| {
            let panels: Vec<(&str, &str, &[f64])> = ["mean", "p50", "p95", "p99"]
                .into_iter()
                .map(|t| (t, axis, &[800.0, 1500.0, 3600.0, 2100.0][..]))
                .collect();
            svg_of(bars(&panels))
        };
        assert_eq!(four("response time (s)").matches("response time (s)").count(), 1, "one shared axis label");
        let svg = four("work done (units)");
        assert_eq!(svg.matches("work done (units)").count(), 1);
        let texts: Vec<&str> = svg.lines().map(str::trim).collect();
        assert!(texts.iter().any(|t| t.ends_with('k') && t[..t.len() - 1].parse::<f64>().is_ok()), "compact ticks");
        assert!(!texts.iter().any(|t| ["1000", "2000", "2500", "4000", "5000"].contains(t)), "long ticks");
    }

    #[test]
    fn a_reference_is_a_labelled_line_and_widens_the_axis_to_it() {
        let mut p = bars(&[("mean", "response time (s)", &[4.9])]);
        p.panels[0].reference = Some(Reference { value: 5.0, label: "M/M/1 theory".into() });
        let svg = svg_of(p);
        assert!(svg.contains("M/M/1 theory"), "the reference's label");
        let mut far = bars(&[("mean", "response time (s)", &[1.0, 2.0])]);
        far.panels[0].reference = Some(Reference { value: 30.0, label: "theory".into() });
        // The axis reaches the reference: a tick at 30 or beyond.
        assert!(svg_of(far).lines().map(str::trim).any(|t| t == "30" || t == "40"));
    }
}
