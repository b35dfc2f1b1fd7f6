//! Line charts: series with bands over a shared x axis, in panels stacked vertically,
//! with event lines, shaded regions and a legend column right of the plot.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::Axis;
use super::style::{
    draw_marker, event_style, line_style, look, stroke_path, text_width, Px, DESC_SIZE, GRID, LEGEND_SIZE, MUTED,
    REGION, TICK_SIZE,
};
use super::{Area, ChartError, LinePlot, OrChart};

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
        let xfmt = |v: &f64| if bottom { x.fmt(*v) } else { String::new() };
        let yfmt = |v: &f64| y.fmt(*v);
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
            if p.markers {
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
                if p.markers {
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
        legend_area.draw(&Text::new(label.as_str(), (x1 + px.i(14.0), yy), style)).or_chart()?;
        yy += row;
    }
    Ok(())
}
