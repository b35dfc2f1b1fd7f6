//! Line charts: series with bands over a shared x axis, in panels stacked vertically,
//! with event lines, shaded regions and a legend column right of the plot.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::fmt_sig;
use super::axes::Axis;
use super::style::{
    draw_marker, elide, event_style, line_style, look, stroke_path, text_width, Px, DESC_SIZE, GRID, LEGEND_SIZE,
    MUTED, REFERENCE, REGION, TICK_SIZE,
};
use super::{Area, ChartError, LinePlot, OrChart};

/// Where [`LinePlot::cut_long_runs`] cut the x axis, and whose lines it cut.
#[derive(Debug, Clone, PartialEq)]
pub struct Cut {
    /// The end of the x axis.
    pub at: f64,
    /// `(label, last x)` of each series that ran past it.
    pub cut: Vec<(String, f64)>,
}

impl Cut {
    /// The sentence for the chart's note: where the axis ends and who runs on.
    pub fn note(&self, unit: &str) -> String {
        let runs: Vec<String> =
            self.cut.iter().map(|(l, end)| format!("{l} (to {} {unit})", fmt_round(*end))).collect();
        let (verb, them) = if self.cut.len() == 1 { ("runs", "it") } else { ("run", "they") };
        format!(
            "Axis cut at {} {unit}, 1.5× the median run: {} {verb} on ({them} did not keep up).",
            fmt_round(self.at),
            runs.join(", ")
        )
    }
}

/// `x` to 3 significant digits, with thousands separated: `16,000`, `0.25`.
fn fmt_round(x: f64) -> String {
    if !x.is_finite() || x.abs() < 1000.0 {
        return fmt_sig(x, 3);
    }
    let unit = 10f64.powi(x.abs().log10().floor() as i32 - 2);
    let v = (x / unit).round() * unit;
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if v < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

impl LinePlot {
    /// Cuts the x axis where the comparable runs end, when some run much longer:
    /// at `factor` times the median of the labelled series' last x (the lower median),
    /// if any series runs past that. Points past the cut are dropped, and the axis
    /// ends there. Returns where, and whose lines were cut; `None` leaves the plot as
    /// it was.
    ///
    /// For time series: a policy that does not keep up drains its queue long after
    /// the others finish, and an axis to its end squeezes every other run into a
    /// corner.
    pub fn cut_long_runs(&mut self, factor: f64) -> Option<Cut> {
        let mut ends: Vec<(String, f64)> = Vec::new();
        for s in self.panels.iter().flat_map(|p| &p.series).filter(|s| !s.label.is_empty() && s.look != REFERENCE) {
            let end = s.points.iter().map(|p| p.0).filter(|x| x.is_finite()).fold(f64::NEG_INFINITY, f64::max);
            match ends.iter_mut().find(|(l, _)| *l == s.label) {
                Some(e) => e.1 = e.1.max(end),
                None => ends.push((s.label.clone(), end)),
            }
        }
        let mut sorted: Vec<f64> = ends.iter().map(|e| e.1).filter(|x| x.is_finite()).collect();
        if sorted.len() < 2 {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let median = sorted[(sorted.len() - 1) / 2];
        let at = factor * median;
        let cut: Vec<(String, f64)> = ends.into_iter().filter(|e| e.1 > at).collect();
        if cut.is_empty() || at.is_nan() || at <= 0.0 {
            return None;
        }
        for s in self.panels.iter_mut().flat_map(|p| &mut p.series) {
            s.points.retain(|p| p.0 <= at);
            s.band.retain(|b| b.0 <= at);
        }
        self.events.retain(|e| e.x <= at);
        let lo = self.x.range.map_or(0.0, |r| r.0);
        self.x.range = Some((lo, at));
        Some(Cut { at, cut })
    }
}

enum LegendItem {
    Policy { label: String, look: usize },
    Event { kind: String },
}

pub(super) fn draw_lines<DB: DrawingBackend>(area: &Area<DB>, p: &LinePlot, px: Px) -> Result<(), ChartError> {
    let tick = px.font(TICK_SIZE);
    let desc = px.font(DESC_SIZE);
    let legend_font = px.font(LEGEND_SIZE);

    // Legend: one entry per policy (first appearance), then the event kinds.
    let mut legend: Vec<LegendItem> = Vec::new();
    for s in p.panels.iter().flat_map(|panel| &panel.series).filter(|s| !s.label.is_empty()) {
        if !legend.iter().any(|l| matches!(l, LegendItem::Policy { label, .. } if *label == s.label)) {
            legend.push(LegendItem::Policy { label: s.label.clone(), look: s.look });
        }
    }
    for e in &p.events {
        if !legend.iter().any(|l| matches!(l, LegendItem::Event { kind } if *kind == e.kind)) {
            legend.push(LegendItem::Event { kind: e.kind.clone() });
        }
    }
    let (w, _) = area.dim_in_pixel();
    let mut legend_w = 0;
    for item in &legend {
        let label = match item {
            LegendItem::Policy { label, .. } => label,
            LegendItem::Event { kind } => kind,
        };
        legend_w = legend_w.max(text_width(area, label, &legend_font)?);
    }
    let legend_w = if legend.is_empty() { 0 } else { (legend_w + px.u(100.0)).min(w * 2 / 5) };
    let (plot_area, legend_area) = area.split_horizontally(w - legend_w);

    // Axes: x shared; each panel its own y.
    let xs = p.panels.iter().flat_map(|panel| &panel.series).flat_map(|s| s.points.iter().map(|pt| pt.0));
    let xs = xs.chain(p.events.iter().map(|e| e.x)).chain(p.regions.iter().flat_map(|r| [r.from, r.to]));
    let mut x = Axis::resolve(&p.x, xs, 7);
    if p.markers && !x.log && x.categories.is_empty() {
        // Room for the markers at the ends; the ticks stay where they are.
        let pad = 0.03 * (x.hi - x.lo);
        x.lo -= pad;
        x.hi += pad;
    }
    let ys: Vec<Axis> = p
        .panels
        .iter()
        .map(|panel| {
            let vals = panel
                .series
                .iter()
                .flat_map(|s| s.points.iter().map(|pt| pt.1).chain(s.band.iter().flat_map(|b| [b.1, b.2])));
            let target = if p.panels.len() > 1 { (4.0 * panel.height).round().max(2.0) as usize } else { 6 };
            Axis::resolve(&panel.y, vals, target)
        })
        .collect();

    let mut y_label_w = 0;
    for y in &ys {
        y_label_w = y_label_w.max(y.widest_label(area, &tick)?);
    }
    // One panel: its y label is drawn rotated beside the axis. Several: each
    // panel's label is a heading over it (rotated labels would not fit short panels).
    let stacked = p.panels.len() > 1;
    let y_area = y_label_w + if stacked { px.u(16.0) } else { px.u(DESC_SIZE + 30.0) };
    let x_area = px.u(TICK_SIZE + DESC_SIZE + 26.0);
    let top_pad = px.u(8.0);
    let header = if stacked { px.u(TICK_SIZE + 14.0) } else { 0 };

    // Stack panels by their relative heights; the bottom one also holds the x labels.
    let (_, ph) = plot_area.dim_in_pixel();
    let weights: Vec<f64> = p.panels.iter().map(|panel| panel.height.max(0.1)).collect();
    let total: f64 = weights.iter().sum::<f64>().max(0.1);
    let avail = ph.saturating_sub(x_area + top_pad) as f64;
    let mut breaks: Vec<u32> = Vec::new();
    let mut acc = top_pad as f64;
    for w in weights.iter().take(weights.len().saturating_sub(1)) {
        acc += avail * w / total;
        breaks.push(acc.round() as u32);
    }
    let mut areas = plot_area.split_by_breakpoints::<u32, u32, _, _>([] as [u32; 0], breaks);
    let legend_top = areas.first().map(|a| a.get_base_pixel().1).unwrap_or(0) + (top_pad + header) as i32;

    for (i, (panel, y)) in p.panels.iter().zip(&ys).enumerate() {
        let bottom = i + 1 == p.panels.len();
        let sub = &mut areas[i];
        let mut b = ChartBuilder::on(sub);
        b.margin_right(px.u(28.0)).margin_left(px.u(10.0));
        b.margin_top(header + if i == 0 { top_pad } else { px.u(6.0) }).y_label_area_size(y_area);
        b.x_label_area_size(if bottom { x_area } else { 0 });
        let mut chart = b.build_cartesian_2d(x.coord(), y.coord()).or_chart()?;
        let xfmt = |v: &f64| if bottom { x.tick_label(*v) } else { String::new() };
        let yfmt = |v: &f64| y.tick_label(*v);
        chart
            .configure_mesh()
            .bold_line_style(GRID.stroke_width(px.u(1.0).max(1)))
            .axis_style(MUTED.stroke_width(px.u(1.5).max(1)))
            .set_all_tick_mark_size(px.i(6.0))
            .label_style(tick.clone())
            .axis_desc_style(desc.clone())
            .x_label_formatter(&xfmt)
            .y_label_formatter(&yfmt)
            .x_desc(if bottom { x.label.as_str() } else { "" })
            .y_desc(if stacked { "" } else { y.label.as_str() })
            .draw()
            .or_chart()?;
        let plotting = chart.plotting_area().strip_coord_spec();
        let base = plotting.get_base_pixel();
        if stacked {
            let sb = sub.get_base_pixel();
            let style = px.font(DESC_SIZE * 0.9).pos(Pos::new(HPos::Left, VPos::Bottom));
            sub.draw(&Text::new(y.label.as_str(), (base.0 - sb.0, base.1 - sb.1 - px.i(8.0)), style)).or_chart()?;
        }
        let to_px = |cx: f64, cy: f64| {
            let (a, b) = chart.backend_coord(&(cx, cy));
            (a - base.0, b - base.1)
        };

        // Regions, alternately shaded, labelled at the top.
        for (k, r) in p.regions.iter().enumerate() {
            let (x0, x1) = (x.clamped(r.from), x.clamped(r.to));
            let (a, top) = to_px(x0, y.hi);
            let (b2, bot) = to_px(x1, y.lo);
            if k % 2 == 0 {
                plotting.draw(&Rectangle::new([(a, top), (b2, bot)], REGION.filled())).or_chart()?;
            }
            if i == 0 {
                let style = px.font(TICK_SIZE).color(&MUTED).pos(Pos::new(HPos::Center, VPos::Top));
                plotting.draw(&Text::new(r.label.as_str(), ((a + b2) / 2, top + px.i(6.0)), style)).or_chart()?;
            }
        }
        // Event lines.
        for e in &p.events {
            if let Some(cx) = x.c(e.x).filter(|c| *c >= x.lo && *c <= x.hi) {
                let (style, pattern) = event_style(&e.kind, px);
                let pts = [to_px(cx, y.hi), to_px(cx, y.lo)];
                stroke_path(&plotting, &pts, style, pattern, px)?;
            }
        }
        // Bands first, so every line is drawn over every band.
        for s in &panel.series {
            let band: Vec<(f64, f64, f64)> =
                s.band.iter().filter_map(|&(bx, lo, hi)| x.c(bx).map(|cx| (cx, lo, hi))).collect();
            if band.len() >= 2 {
                let mut poly: Vec<(i32, i32)> = band.iter().map(|&(cx, _, hi)| to_px(cx, y.clamped(hi))).collect();
                poly.extend(band.iter().rev().map(|&(cx, lo, _)| to_px(cx, y.clamped(lo))));
                plotting.draw(&Polygon::new(poly, look(s.look).color.mix(0.18).filled())).or_chart()?;
            }
        }
        for s in &panel.series {
            let l = look(s.look);
            let mut run: Vec<(i32, i32)> = Vec::new();
            let mut marks: Vec<(i32, i32)> = Vec::new();
            for &(vx, vy) in &s.points {
                match (x.c(vx), y.c(vy)) {
                    (Some(cx), Some(cy)) => {
                        let pt = to_px(cx.clamp(x.lo, x.hi), cy.clamp(y.lo, y.hi));
                        run.push(pt);
                        marks.push(pt);
                    }
                    _ => {
                        stroke_path(&plotting, &run, line_style(l, px), l.pattern, px)?;
                        run.clear();
                    }
                }
            }
            stroke_path(&plotting, &run, line_style(l, px), l.pattern, px)?;
            if p.markers && s.look != REFERENCE {
                for m in marks {
                    draw_marker(&plotting, m, l, px)?;
                }
            }
        }
    }

    // The legend column, aligned with the top of the plot.
    let row = px.i(LEGEND_SIZE + 14.0);
    let base = legend_area.get_base_pixel();
    let mut yy = legend_top - base.1 + row / 2;
    for item in &legend {
        let (x0, x1) = (px.i(8.0), px.i(62.0));
        let label = match item {
            LegendItem::Policy { label, look: li } => {
                let l = look(*li);
                stroke_path(&legend_area, &[(x0, yy), (x1, yy)], line_style(l, px), l.pattern, px)?;
                if p.markers && *li != REFERENCE {
                    draw_marker(&legend_area, ((x0 + x1) / 2, yy), l, px)?;
                }
                label
            }
            LegendItem::Event { kind } => {
                let (style, pattern) = event_style(kind, px);
                let xm = (x0 + x1) / 2;
                stroke_path(&legend_area, &[(xm, yy - row / 3), (xm, yy + row / 3)], style, pattern, px)?;
                kind
            }
        };
        let style = legend_font.clone().pos(Pos::new(HPos::Left, VPos::Center));
        let room = legend_w as i32 - x1 - px.i(18.0);
        let label = elide(area, label, &legend_font, room as f64)?;
        legend_area.draw(&Text::new(label, (x1 + px.i(14.0), yy), style)).or_chart()?;
        yy += row;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::chart::{AxisSpec, LinePanel, Scale, Series};

    fn run(label: &str, end: f64) -> Series {
        let points = (0..=10).map(|k| (end * k as f64 / 10.0, 1.0)).collect();
        Series { label: label.into(), look: 0, points, band: vec![] }
    }

    fn plot(ends: &[f64]) -> LinePlot {
        LinePlot {
            x: AxisSpec::new("time (s)", Scale::LinearFromZero),
            panels: vec![LinePanel {
                y: AxisSpec::new("tasks", Scale::LinearFromZero),
                height: 1.0,
                series: ends.iter().enumerate().map(|(i, e)| run(&format!("p{i}"), *e)).collect(),
            }],
            events: vec![],
            regions: vec![],
            markers: false,
        }
    }

    #[test]
    fn a_run_much_longer_than_the_others_is_cut_with_a_note() {
        let mut p = plot(&[7200.0, 7150.0, 7300.0, 16_100.0]);
        let cut = p.cut_long_runs(1.5).expect("cut");
        assert_eq!(cut.at, 1.5 * 7200.0);
        assert_eq!(cut.cut, [("p3".to_string(), 16_100.0)]);
        assert_eq!(p.x.range, Some((0.0, 10_800.0)));
        assert!(p.panels[0].series[3].points.iter().all(|q| q.0 <= 10_800.0));
        assert_eq!(
            cut.note("s"),
            "Axis cut at 10,800 s, 1.5× the median run: p3 (to 16,100 s) runs on (it did not keep up)."
        );
        assert_eq!(
            (fmt_round(15_979.0), fmt_round(10_780.0), fmt_round(0.25)),
            ("16,000".into(), "10,800".into(), "0.250".into())
        );
        // Comparable runs are left alone.
        let mut even = plot(&[7200.0, 7150.0, 9000.0]);
        assert_eq!(even.cut_long_runs(1.5), None);
        assert_eq!(even.x.range, None);
    }
}
