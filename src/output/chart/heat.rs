//! Heat maps: a value per (row, column) cell as a colour on a sequential scale. Rows
//! are named on the left (with the policy's swatch), columns along the bottom, labelled
//! ranges of columns (node groups) above, and a colour bar on the right.
//!
//! The chart for one quantity over two kinds of thing that have no order between
//! them (policies × nodes): lines would join unrelated nodes, and grouped bars stop
//! being readable past a few dozen. The colours are viridis (van der Walt and Smith,
//! matplotlib 2015): even in lightness, so a larger value always looks lighter, and
//! readable with the common forms of colour blindness and in grey print. Where a cell
//! is wide enough, its value is written in it.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{decimals_for, nice_step};
use super::style::{elide, look, text_width, Px, DESC_SIZE, INK, LEGEND_SIZE, MUTED, TICK_SIZE, VALUE_SIZE};
use super::{Area, ChartError, OrChart, Region};

/// A heat map.
#[derive(Debug, Clone)]
pub struct HeatPlot {
    /// `(name, look)` of each row, top to bottom; the look's colour is a swatch
    /// beside the name, linking the row to the policy's lines and bars.
    pub rows: Vec<(String, usize)>,
    /// Column names, left to right.
    pub columns: Vec<String>,
    /// What the columns are (the x axis label).
    pub x_label: String,
    /// Labelled ranges of columns, in column units (column `i` spans `i - 0.5` to
    /// `i + 0.5`), e.g. node groups; drawn above the cells, with a line between them.
    pub groups: Vec<Region>,
    /// `values[row][column]`; `None` is drawn grey, without a value.
    pub values: Vec<Vec<Option<f64>>>,
    /// The colour scale: values at or below `range.0` get the darkest colour, at or
    /// above `range.1` the lightest.
    pub range: (f64, f64),
    /// What a value is, with units: the colour bar's label.
    pub legend: String,
}

/// viridis at 0, 0.1, ..., 1 (matplotlib's `_viridis_data`, sampled).
const VIRIDIS: [(u8, u8, u8); 11] = [
    (0x44, 0x01, 0x54),
    (0x48, 0x24, 0x75),
    (0x41, 0x44, 0x87),
    (0x35, 0x5f, 0x8d),
    (0x2a, 0x78, 0x8e),
    (0x21, 0x91, 0x8c),
    (0x22, 0xa8, 0x84),
    (0x44, 0xbf, 0x70),
    (0x7a, 0xd1, 0x51),
    (0xbd, 0xdf, 0x26),
    (0xfd, 0xe7, 0x25),
];

/// The colour of fraction `t` (clamped into [0, 1]) of the scale.
pub fn color_at(t: f64) -> RGBColor {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let x = t * (VIRIDIS.len() - 1) as f64;
    let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let f = x - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Whether text on `c` should be light (its relative luminance is low).
fn dark(c: RGBColor) -> bool {
    (0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64) < 128.0
}

/// A cell's value: two decimals, without the leading zero of a fraction (`.88`).
fn cell_text(v: f64) -> String {
    let s = format!("{v:.2}");
    match s.strip_prefix("0.") {
        Some(rest) => format!(".{rest}"),
        None => s,
    }
}

static MISSING: RGBColor = RGBColor(0xee, 0xee, 0xee);

/// Draws `p` into `area` (the chart body, under the title and above the note).
pub(super) fn draw<DB: DrawingBackend>(area: &Area<DB>, p: &HeatPlot, px: Px) -> Result<(), ChartError> {
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let names = px.font(LEGEND_SIZE);
    let tick = px.font(TICK_SIZE);
    let (rows, cols) = (p.rows.len().max(1) as i32, p.columns.len().max(1) as i32);
    let scale = |v: f64| (v - p.range.0) / (p.range.1 - p.range.0).max(f64::MIN_POSITIVE);

    // Columns of the layout: swatch and names | cells | colour bar, its ticks and label.
    let swatch = px.i(16.0);
    let mut name_w = 0;
    for (name, _) in &p.rows {
        name_w = name_w.max(text_width(area, name, &names)? as i32);
    }
    let name_w = (name_w + swatch + px.i(34.0)).min(w * 2 / 5);
    let step = nice_step(p.range.1 - p.range.0, 4);
    let decimals = decimals_for(step);
    let bar_ticks: Vec<f64> =
        (0..=((p.range.1 - p.range.0) / step + 1e-9).floor() as i64).map(|k| p.range.0 + k as f64 * step).collect();
    let mut bar_label_w = 0;
    for t in &bar_ticks {
        bar_label_w = bar_label_w.max(text_width(area, &format!("{t:.decimals$}"), &tick)? as i32);
    }
    let bar_w = px.i(26.0);
    let legend_w = px.i(40.0) + bar_w + px.i(10.0) + bar_label_w + px.i(DESC_SIZE + 34.0);
    let (x0, x1) = (name_w, w - legend_w);
    let groups = p.groups.len() > 1;
    let top = px.i(12.0) + if groups { px.i(TICK_SIZE + 16.0) } else { 0 };
    let bottom = px.i(TICK_SIZE + DESC_SIZE + 30.0);
    // Cells at most 100 px tall: a few rows stay rows, not blocks.
    let ch = ((h - top - bottom) / rows).clamp(1, px.i(100.0));
    let (y0, y1) = (top, top + ch * rows);
    let cx = |c: f64| x0 + ((c + 0.5) / cols as f64 * (x1 - x0) as f64).round() as i32;
    let cw = (x1 - x0) as f64 / cols as f64;

    // Cells, with a hairline between them while they are wide enough to afford it,
    // and their values where those fit (".88" for fractions, as tables in papers
    // write them, in a size a little smaller than the value labels of bars).
    let value_font = px.font(VALUE_SIZE * 0.85);
    let mut widest_value = 0.0f64;
    for v in p.values.iter().flatten().flatten() {
        widest_value = widest_value.max(text_width(area, &cell_text(*v), &value_font)? as f64);
    }
    let show_values = cw >= widest_value + px.0 * 8.0 && ch >= px.i(VALUE_SIZE + 4.0);
    let gap = if cw >= px.0 * 8.0 && ch >= px.i(8.0) { px.i(1.0).max(1) } else { 0 };
    for (r, row) in p.values.iter().enumerate().take(rows as usize) {
        let (top, bot) = (y0 + r as i32 * ch, y0 + (r as i32 + 1) * ch);
        for (c, v) in row.iter().enumerate().take(cols as usize) {
            let (left, right) = (cx(c as f64 - 0.5), cx(c as f64 + 0.5));
            let fill = v.map_or(MISSING, |v| color_at(scale(v)));
            let corners = [(left + gap, top + gap), (right - gap, bot - gap)];
            area.draw(&Rectangle::new(corners, fill.filled())).or_chart()?;
            if let (Some(v), true) = (v, show_values) {
                let color = if dark(fill) { WHITE } else { INK };
                let style = value_font.clone().color(&color).pos(Pos::new(HPos::Center, VPos::Center));
                area.draw(&Text::new(cell_text(*v), ((left + right) / 2, (top + bot) / 2), style)).or_chart()?;
            }
        }
    }
    // Groups: a line between them through the cells, their names above.
    let axis = MUTED.stroke_width(px.u(1.5).max(1));
    for (k, g) in p.groups.iter().enumerate() {
        let (left, right) = (cx(g.from), cx(g.to));
        if groups {
            if k > 0 {
                area.draw(&PathElement::new(vec![(left, y0 - px.i(10.0)), (left, y1)], INK.stroke_width(px.u(3.0))))
                    .or_chart()?;
            }
            let style = tick.clone().color(&MUTED).pos(Pos::new(HPos::Center, VPos::Bottom));
            area.draw(&Text::new(g.label.as_str(), ((left + right) / 2, y0 - px.i(8.0)), style)).or_chart()?;
        }
    }
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], axis)).or_chart()?;

    // Row names with their policy's swatch.
    let style = names.pos(Pos::new(HPos::Right, VPos::Center));
    for (r, (name, li)) in p.rows.iter().enumerate() {
        let y = y0 + r as i32 * ch + ch / 2;
        let sx = name_w - px.i(10.0) - swatch;
        let l = look(*li);
        let corners = [(sx, y - swatch / 2), (sx + swatch, y + swatch / 2)];
        let fill = match l.pattern {
            0 => l.color.mix(0.85).filled(),
            1 => l.color.mix(0.35).filled(),
            _ => WHITE.filled(),
        };
        area.draw(&Rectangle::new(corners, fill)).or_chart()?;
        area.draw(&Rectangle::new(corners, l.color.stroke_width(px.u(2.0)))).or_chart()?;
        let name = elide(area, name, &names, (sx - px.i(14.0)) as f64)?;
        area.draw(&Text::new(name, (sx - px.i(8.0), y), style.clone())).or_chart()?;
    }

    // Column names: as many as fit side by side, evenly spaced.
    let mut widest = 0.0f64;
    for c in &p.columns {
        widest = widest.max(text_width(area, c, &tick)? as f64);
    }
    let every = ((widest + px.0 * 12.0) / cw).ceil().max(1.0) as usize;
    let style = tick.clone().pos(Pos::new(HPos::Center, VPos::Top));
    for (c, name) in p.columns.iter().enumerate().step_by(every) {
        let x = cx(c as f64);
        area.draw(&PathElement::new(vec![(x, y1), (x, y1 + px.i(6.0))], axis)).or_chart()?;
        area.draw(&Text::new(name.as_str(), (x, y1 + px.i(9.0)), style.clone())).or_chart()?;
    }
    let desc = px.font(DESC_SIZE).pos(Pos::new(HPos::Center, VPos::Top));
    area.draw(&Text::new(p.x_label.as_str(), ((x0 + x1) / 2, y1 + px.i(TICK_SIZE + 18.0)), desc)).or_chart()?;

    // The colour bar: the scale from bottom to top, beside the cells.
    let bx = x1 + px.i(40.0);
    let (bt, bb) = (y0, y1.max(y0 + px.i(160.0)));
    let steps = (bb - bt).max(1);
    for k in 0..steps {
        let t = 1.0 - (k as f64 + 0.5) / steps as f64;
        area.draw(&Rectangle::new([(bx, bt + k), (bx + bar_w, bt + k + 1)], color_at(t).filled())).or_chart()?;
    }
    area.draw(&Rectangle::new([(bx, bt), (bx + bar_w, bb)], axis)).or_chart()?;
    let style = tick.clone().pos(Pos::new(HPos::Left, VPos::Center));
    for t in &bar_ticks {
        let y = bb - (scale(*t) * (bb - bt) as f64).round() as i32;
        area.draw(&PathElement::new(vec![(bx + bar_w, y), (bx + bar_w + px.i(6.0), y)], axis)).or_chart()?;
        area.draw(&Text::new(format!("{t:.decimals$}"), (bx + bar_w + px.i(10.0), y), style.clone())).or_chart()?;
    }
    let rotated = px.font(DESC_SIZE).transform(FontTransform::Rotate90).pos(Pos::new(HPos::Center, VPos::Top));
    // The rotated label, right of the tick labels (its glyphs stand from about 5 px
    // left of the anchor to a line's height right of it).
    let lx = bx + bar_w + px.i(10.0) + bar_label_w + px.i(26.0);
    area.draw(&Text::new(p.legend.as_str(), (lx, (bt + bb) / 2), rotated)).or_chart()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::chart::{render_svg, Figure, Plot};

    fn plot(rows: usize, cols: usize) -> HeatPlot {
        HeatPlot {
            rows: (0..rows).map(|r| (format!("policy {r}"), r)).collect(),
            columns: (0..cols).map(|c| c.to_string()).collect(),
            x_label: "node".into(),
            groups: vec![
                Region { from: -0.5, to: 3.5, label: "fast".into() },
                Region { from: 3.5, to: cols as f64 - 0.5, label: "slow".into() },
            ],
            values: (0..rows)
                .map(|r| {
                    (0..cols).map(|c| if r == 1 && c == 2 { None } else { Some((r * c) as f64 / 100.0) }).collect()
                })
                .collect(),
            range: (0.0, 1.0),
            legend: "utilization".into(),
        }
    }

    fn svg(p: HeatPlot) -> String {
        render_svg(&Figure { stem: "h".into(), title: "Heat".into(), note: None, plot: Plot::Heat(p) }).unwrap()
    }

    #[test]
    fn the_scale_runs_dark_to_light_and_clamps() {
        assert_eq!(color_at(0.0), RGBColor(0x44, 0x01, 0x54));
        assert_eq!(color_at(1.0), RGBColor(0xfd, 0xe7, 0x25));
        assert_eq!(color_at(-3.0), color_at(0.0));
        assert_eq!(color_at(f64::NAN), color_at(0.0));
        assert!(dark(color_at(0.1)) && !dark(color_at(0.9)));
        let lum = |c: RGBColor| 0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64;
        for k in 0..20 {
            assert!(lum(color_at(k as f64 / 20.0)) < lum(color_at((k + 1) as f64 / 20.0)), "lightness rises");
        }
    }

    #[test]
    fn wide_cells_show_their_values_and_narrow_ones_do_not() {
        let few = svg(plot(5, 16));
        assert!(few.lines().any(|l| l.trim() == ".45") && few.contains("fast") && few.contains("utilization"));
        let many = svg(plot(5, 400));
        assert!(!many.lines().any(|l| l.trim() == ".45"));
        // Column names thinned to fit: not all 400.
        let named = many.lines().filter(|l| l.trim().parse::<u32>().is_ok_and(|n| n < 400)).count();
        assert!(named < 60, "{named} column names");
    }
}
