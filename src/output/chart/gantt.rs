//! Gantt charts: a cluster scheduler's jobs as rectangles of cores over time, the
//! picture batch-scheduling papers draw to show how a policy packs a machine (strict
//! FIFO's idle holes behind a wide job, backfilling filling them).
//!
//! x is time; y is every core of the nodes the jobs ran on, nodes stacked top to
//! bottom; each job is one rectangle, from its start to the end of its run (not the
//! arrival of its result), coloured by class. A run knows how many cores each job
//! held, not which: [`pack`] places each job on a contiguous range of its node's
//! cores, greedily by start time, as a real allocator would try to. One panel per
//! policy, on the same axes, so that policies compare at a glance.
//!
//! Drawn from `gantt.csv` (see `output::jobs`) by the report, on the same canvas and
//! with the same font and palette as every other chart (`style.rs`).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{decimals_for, fmt_compact, nice_step};
use super::style::{text_width, Px, DESC_SIZE, GRID, LEGEND_SIZE, MUTED, PALETTE, TICK_SIZE};
use super::{Area, ChartError, Figure, OrChart, Plot};

/// One job of a Gantt chart: a row of `gantt.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct GanttJob {
    /// Arrival index, from 0.
    pub id: u64,
    /// Class name.
    pub class: String,
    /// Arrival time, seconds.
    pub arrival: f64,
    /// Start of its run.
    pub start: f64,
    /// End of its run on the node.
    pub finished: f64,
    /// The node it ran on.
    pub node: usize,
    /// That node's cores.
    pub node_cores: u32,
    /// Cores it held.
    pub cores: u32,
}

/// A Gantt chart: panels on shared axes.
#[derive(Debug, Clone)]
pub struct GanttPlot {
    /// `(node, cores)` of every node drawn, top to bottom.
    pub nodes: Vec<(usize, u32)>,
    /// Class names: class `i` is drawn in palette colour `i`.
    pub classes: Vec<String>,
    /// Panels, top to bottom.
    pub panels: Vec<GanttPanel>,
    /// The x axis: seconds are divided by `unit.0` and the axis is labelled `unit.1`.
    pub unit: (f64, &'static str),
    /// Times (seconds) marked by a dashed vertical line across every panel.
    pub marks: Vec<f64>,
}

/// One policy's jobs.
#[derive(Debug, Clone)]
pub struct GanttPanel {
    /// Drawn over the panel.
    pub title: String,
    /// Its jobs.
    pub bars: Vec<GanttBar>,
    /// Times (seconds) marked by a dashed vertical line across this panel alone (a
    /// job's completion under this policy), besides the plot's.
    pub marks: Vec<f64>,
}

/// A job as drawn.
#[derive(Debug, Clone)]
pub struct GanttBar {
    /// Its id (which varies the tint of neighbours).
    pub id: u64,
    /// Start, seconds.
    pub from: f64,
    /// End of its run.
    pub to: f64,
    /// Its node's index in [`GanttPlot::nodes`].
    pub node: usize,
    /// Its class's index in [`GanttPlot::classes`].
    pub class: usize,
    /// The half-open ranges [lo, hi) of its node's cores that it holds.
    pub cores: Vec<(u32, u32)>,
}

impl GanttPlot {
    /// The figure's height in pixels on a canvas `canvas_height` high: room for about
    /// 230 px per panel.
    pub fn height(&self, canvas_height: u32) -> u32 {
        canvas_height.max(240 + 230 * self.panels.len() as u32)
    }
}

/// Places each job on cores of its node, greedily by start time (ties by id): the
/// lowest contiguous range free at its start, or, when fragmentation leaves none, the
/// lowest free cores (then drawn as several pieces). Returns each job's half-open core
/// ranges, in the order of `jobs`. Jobs must not hold more cores of a node at once
/// than it has (a subset of a real schedule never does); a job wider than its node is
/// drawn over all of it. *O*(jobs × cores).
pub fn pack(jobs: &[GanttJob]) -> Vec<Vec<(u32, u32)>> {
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by(|&a, &b| jobs[a].start.total_cmp(&jobs[b].start).then(jobs[a].id.cmp(&jobs[b].id)));
    // Each node's cores, and when each is free again.
    let mut free_at: std::collections::BTreeMap<usize, Vec<f64>> = std::collections::BTreeMap::new();
    let mut out = vec![Vec::new(); jobs.len()];
    for i in order {
        let j = &jobs[i];
        let cores = free_at.entry(j.node).or_insert_with(|| vec![f64::NEG_INFINITY; j.node_cores.max(1) as usize]);
        let want = (j.cores.max(1) as usize).min(cores.len());
        let free = |c: &f64| *c <= j.start;
        let contiguous = (0..=cores.len() - want).find(|&lo| cores[lo..lo + want].iter().all(free));
        let chosen: Vec<usize> = match contiguous {
            Some(lo) => (lo..lo + want).collect(),
            None => {
                // The lowest free cores; if too few are free (inconsistent input), the
                // ones free soonest.
                let mut by_free: Vec<usize> = (0..cores.len()).collect();
                by_free.sort_by(|&a, &b| free(&cores[b]).cmp(&free(&cores[a])).then(cores[a].total_cmp(&cores[b])));
                let mut c: Vec<usize> = by_free.into_iter().take(want).collect();
                c.sort_unstable();
                c
            }
        };
        for &c in &chosen {
            cores[c] = j.finished;
        }
        // Consecutive cores as ranges.
        let ranges = &mut out[i];
        for c in chosen {
            match ranges.last_mut() {
                Some((_, hi)) if *hi == c as u32 => *hi += 1,
                _ => ranges.push((c as u32, c as u32 + 1)),
            }
        }
    }
    out
}

/// The Gantt chart of `panels` (a title and its jobs each, as read from `gantt.csv`)
/// and its caption, or `None` when there is no job to draw. `scenario` names the
/// chart and `focus` says which sweep point it shows ("" for none).
pub fn figure(scenario: &str, focus: &str, panels: &[(String, Vec<&GanttJob>)]) -> Option<(Figure, String)> {
    figure_of(scenario, focus, panels, "jobs")
}

/// [`figure`], calling the rectangles `what`: `"tasks"` when the workload has jobs
/// of many tasks (`gantt.csv` counts tasks, so "the first 300 jobs" would be wrong).
pub fn figure_of(
    scenario: &str,
    focus: &str,
    panels: &[(String, Vec<&GanttJob>)],
    what: &str,
) -> Option<(Figure, String)> {
    let all = || panels.iter().flat_map(|(_, jobs)| jobs.iter().copied());
    let (mut classes, mut nodes): (Vec<String>, Vec<(usize, u32)>) = (Vec::new(), Vec::new());
    let mut by_id: Vec<&GanttJob> = all().collect();
    by_id.sort_by_key(|j| j.id);
    for j in &by_id {
        if !classes.contains(&j.class) {
            classes.push(j.class.clone());
        }
        if !nodes.iter().any(|(n, _)| *n == j.node) {
            nodes.push((j.node, j.node_cores));
        }
    }
    nodes.sort_unstable();
    let shown = by_id.last()?.id + 1;
    let end = all().map(|j| j.finished).fold(0.0, f64::max);
    let last_arrival = all().map(|j| j.arrival).fold(0.0, f64::max);
    let unit = time_unit(end);
    let panels: Vec<GanttPanel> = panels
        .iter()
        .filter(|(_, jobs)| !jobs.is_empty())
        .map(|(title, jobs)| {
            let owned: Vec<GanttJob> = jobs.iter().map(|j| (*j).clone()).collect();
            let bars = owned
                .iter()
                .zip(pack(&owned))
                .map(|(j, cores)| GanttBar {
                    id: j.id,
                    from: j.start,
                    to: j.finished,
                    node: nodes.iter().position(|(n, _)| *n == j.node).unwrap_or(0),
                    class: classes.iter().position(|c| *c == j.class).unwrap_or(0),
                    cores,
                })
                .collect();
            GanttPanel { title: title.clone(), bars, marks: Vec::new() }
        })
        .collect();
    // One of them: "job" or "task".
    let one = what.strip_suffix('s').unwrap_or(what);
    let note = format!(
        "Replication 0. A rectangle is a {one} on the cores it held, from start to end of its run, placed on contiguous\n\
         cores by start time; shades of a colour only tell neighbours apart. Dashed line: the last of these {shown}\n\
         {what} arrives; later {what} (not drawn) may use the cores after it."
    );
    let caption = format!(
        "The first {shown} {what} (by arrival) of replication 0{focus}, one panel per policy: x is time, y the cores of \
         the cluster (nodes stacked), one rectangle per {one}, coloured by class. Idle cores show as white: under strict \
         FIFO a wide {one} at the head of the queue leaves cores idle until it can start; backfilling fills them with \
         {what} that end in time. The simulator counts the cores a {one} holds, not which, so each is drawn on a \
         contiguous range of its node's cores chosen greedily by start time. One retried or copied (speculation) is \
         drawn once, as the attempt that completed it: attempts that were lost or lost the race are not drawn. Those \
         after the {shown}th are not drawn: right of the dashed line (the last of these {what}' arrival) their cores \
         may look idle."
    );
    let plot = GanttPlot { nodes, classes, panels, unit, marks: vec![last_arrival] };
    let title = format!("Cores over time: the first {shown} {what}{focus} — {scenario}");
    Some((Figure { stem: "gantt".into(), title, note: Some(note), plot: Plot::Gantt(plot) }, caption))
}

/// A readable unit for times up to `end` seconds: seconds, minutes, hours or days.
pub(super) fn time_unit(end: f64) -> (f64, &'static str) {
    match end {
        e if e < 600.0 => (1.0, "time (s)"),
        e if e < 2.0 * 3600.0 => (60.0, "time (min)"),
        e if e < 3.0 * 86400.0 => (3600.0, "time (h)"),
        _ => (86400.0, "time (days)"),
    }
}

/// The colour of class `k`: the palette's, then, past its length, the palette again
/// darkened by half, so that a workflow of eight stages shows eight colours.
fn class_color(k: usize) -> RGBColor {
    let c = PALETTE[k % PALETTE.len()];
    match (k / PALETTE.len()) % 2 {
        0 => c,
        _ => RGBColor(c.0 / 2, c.1 / 2, c.2 / 2),
    }
}

/// `color` lightened towards white by `t` in [0, 1].
fn tint(color: RGBColor, t: f64) -> RGBColor {
    let f = |c: u8| (c as f64 + (255.0 - c as f64) * t).round() as u8;
    RGBColor(f(color.0), f(color.1), f(color.2))
}

/// Draws `p` into `area` (the chart body, under the title and above the note).
pub(super) fn draw<DB: DrawingBackend>(area: &Area<DB>, p: &GanttPlot, px: Px) -> Result<(), ChartError> {
    let tick = px.font(TICK_SIZE);
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);

    // Legend column, when there are classes to tell apart.
    let legend = p.classes.len() > 1;
    let legend_font = px.font(LEGEND_SIZE);
    let mut legend_w = 0;
    if legend {
        for c in &p.classes {
            legend_w = legend_w.max(text_width(area, c, &legend_font)? as i32);
        }
        legend_w = (legend_w + px.i(80.0)).min(w * 2 / 5);
    }

    // y: the cores, node 0 on top; labels are core numbers for one node, node ids for several.
    let total: u32 = p.nodes.iter().map(|n| n.1).sum::<u32>().max(1);
    let mut offsets = Vec::with_capacity(p.nodes.len());
    let mut below = total;
    for &(_, cores) in &p.nodes {
        below -= cores.min(below);
        offsets.push(below);
    }
    let y_labels: Vec<(f64, String)> = if p.nodes.len() == 1 {
        let step = nice_step(total as f64, 4).max(1.0);
        (0..=(total as f64 / step) as u32).map(|k| (k as f64 * step, fmt_compact(k as f64 * step))).collect()
    } else {
        p.nodes.iter().zip(&offsets).map(|(&(n, c), &o)| (o as f64 + c as f64 / 2.0, format!("node {n}"))).collect()
    };
    let mut label_w = 0;
    for (_, l) in &y_labels {
        label_w = label_w.max(text_width(area, l, &tick)? as i32);
    }

    // x: from 0 to a tick at or past the last end (or mark).
    let ends = p.panels.iter().flat_map(|pl| pl.bars.iter().map(|b| b.to).chain(pl.marks.iter().copied()));
    let end = ends.fold(0.0, f64::max) / p.unit.0;
    let step = nice_step(end.max(f64::MIN_POSITIVE), 7);
    let x_hi = ((end / step - 1e-9).ceil() * step).max(step);
    let decimals = decimals_for(step);

    // One node: its cores are numbered, and the axis says so beside them.
    let y_desc = if p.nodes.len() == 1 { px.i(DESC_SIZE + 14.0) } else { 0 };
    let (left, right) = (y_desc + label_w + px.i(22.0), w - legend_w - px.i(28.0));
    let (top, header, gap) = (px.i(8.0), px.i(TICK_SIZE + 14.0), px.i(12.0));
    let x_area = px.i(TICK_SIZE + DESC_SIZE + 26.0);
    let n = p.panels.len().max(1) as i32;
    let panel_h = ((h - top - x_area - gap * (n - 1)) / n - header).max(px.i(20.0));
    let x_px = |t: f64| left + ((t / p.unit.0 / x_hi) * (right - left) as f64).round() as i32;
    let axis = MUTED.stroke_width(px.u(1.5).max(1));

    for (i, panel) in p.panels.iter().enumerate() {
        let y0 = top + i as i32 * (header + panel_h + gap) + header;
        let y_px = |core: f64| y0 + panel_h - ((core / total as f64) * panel_h as f64).round() as i32;
        let title = px.font(DESC_SIZE * 0.9).pos(Pos::new(HPos::Left, VPos::Bottom));
        area.draw(&Text::new(panel.title.as_str(), (left, y0 - px.i(6.0)), title)).or_chart()?;
        for k in 0..=((x_hi / step).round() as i64) {
            let x = x_px(k as f64 * step * p.unit.0);
            area.draw(&PathElement::new(vec![(x, y0), (x, y0 + panel_h)], GRID.stroke_width(px.u(1.0).max(1))))
                .or_chart()?;
        }
        for b in &panel.bars {
            // Neighbours of one class in three tints, so that they stay apart.
            let fill = tint(class_color(b.class), 0.22 * (b.id % 3) as f64);
            let base = offsets.get(b.node).copied().unwrap_or(0) as f64;
            for &(lo, hi) in &b.cores {
                let corners = [(x_px(b.from), y_px(base + hi as f64)), (x_px(b.to), y_px(base + lo as f64))];
                area.draw(&Rectangle::new(corners, fill.filled())).or_chart()?;
                area.draw(&Rectangle::new(corners, WHITE.stroke_width(px.u(0.5).max(1)))).or_chart()?;
            }
        }
        // Node boundaries, the marks, the frame.
        for &o in offsets.iter().filter(|&&o| o > 0) {
            let y = y_px(o as f64);
            area.draw(&PathElement::new(vec![(left, y), (right, y)], axis)).or_chart()?;
        }
        for &m in p.marks.iter().chain(&panel.marks) {
            let x = x_px(m);
            let dashes = DashedLineSeries::new(
                vec![(x, y0), (x, y0 + panel_h)],
                px.i(10.0),
                px.i(6.0),
                BLACK.stroke_width(px.u(2.0)),
            );
            for d in dashes {
                area.draw(&d).or_chart()?;
            }
        }
        area.draw(&Rectangle::new([(left, y0), (right, y0 + panel_h)], axis)).or_chart()?;
        let style = tick.clone().pos(Pos::new(HPos::Right, VPos::Center));
        let min_gap = px.i(TICK_SIZE);
        let mut last_y = i32::MAX;
        for (v, label) in &y_labels {
            let y = y_px(*v);
            if (last_y - y).abs() >= min_gap {
                area.draw(&Text::new(label.as_str(), (left - px.i(8.0), y), style.clone())).or_chart()?;
                last_y = y;
            }
        }
        if i + 1 == p.panels.len() {
            let below = y0 + panel_h;
            let style = tick.clone().pos(Pos::new(HPos::Center, VPos::Top));
            for k in 0..=((x_hi / step).round() as i64) {
                let v = k as f64 * step;
                let x = x_px(v * p.unit.0);
                area.draw(&PathElement::new(vec![(x, below), (x, below + px.i(6.0))], axis)).or_chart()?;
                let text = format!("{v:.decimals$}");
                area.draw(&Text::new(text, (x, below + px.i(9.0)), style.clone())).or_chart()?;
            }
            let desc = px.font(DESC_SIZE).pos(Pos::new(HPos::Center, VPos::Top));
            let at = ((left + right) / 2, below + px.i(TICK_SIZE + 16.0));
            area.draw(&Text::new(p.unit.1, at, desc)).or_chart()?;
        }
    }

    if y_desc > 0 {
        let style = px.font(DESC_SIZE).transform(FontTransform::Rotate270).pos(Pos::new(HPos::Center, VPos::Top));
        let mid = (top + header + (h - x_area)) / 2;
        area.draw(&Text::new("cores", (px.i(6.0), mid), style)).or_chart()?;
    }
    if legend {
        let row = px.i(LEGEND_SIZE + 14.0);
        let x0 = right + px.i(28.0);
        for (k, c) in p.classes.iter().enumerate() {
            let y = top + header + row / 2 + k as i32 * row;
            let swatch = [(x0, y - px.i(9.0)), (x0 + px.i(36.0), y + px.i(9.0))];
            area.draw(&Rectangle::new(swatch, class_color(k).filled())).or_chart()?;
            let style = legend_font.clone().pos(Pos::new(HPos::Left, VPos::Center));
            area.draw(&Text::new(c.as_str(), (x0 + px.i(48.0), y), style)).or_chart()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: u64, start: f64, finished: f64, cores: u32) -> GanttJob {
        GanttJob { id, class: "c".into(), arrival: 0.0, start, finished, node: 0, node_cores: 4, cores }
    }

    #[test]
    fn jobs_get_the_lowest_contiguous_free_cores_in_start_order() {
        // 4 cores: a holds 0-1 until 2, b holds 2 until 1; c (2 cores) starts at 1 and
        // finds 2-3 free; d (2 cores) starts at 2 and gets 0-1 back.
        let jobs = [job(0, 0.0, 2.0, 2), job(1, 0.0, 1.0, 1), job(2, 1.0, 3.0, 2), job(3, 2.0, 3.0, 2)];
        assert_eq!(pack(&jobs), [vec![(0, 2)], vec![(2, 3)], vec![(2, 4)], vec![(0, 2)]]);
    }

    #[test]
    fn a_job_finds_cores_freed_at_its_start_and_is_split_only_when_it_must_be() {
        // Cores 0 and 2 are held past 1 by a and c; b (core 1) and d (core 3) end at 1:
        // e (2 cores) at 1 has cores 1 and 3, not contiguous, so it is drawn in two pieces.
        let jobs =
            [job(0, 0.0, 5.0, 1), job(1, 0.0, 1.0, 1), job(2, 0.0, 5.0, 1), job(3, 0.0, 1.0, 1), job(4, 1.0, 2.0, 2)];
        let packed = pack(&jobs);
        assert_eq!(packed[..4], [vec![(0, 1)], vec![(1, 2)], vec![(2, 3)], vec![(3, 4)]]);
        assert_eq!(packed[4], [(1, 2), (3, 4)]);
        // A job wider than its node covers it.
        assert_eq!(pack(&[job(0, 0.0, 1.0, 9)]), [vec![(0, 4)]]);
    }

    #[test]
    fn times_get_a_readable_unit() {
        assert_eq!(time_unit(100.0).1, "time (s)");
        assert_eq!(time_unit(3000.0).1, "time (min)");
        assert_eq!(time_unit(86400.0).1, "time (h)");
        assert_eq!(time_unit(1e6).1, "time (days)");
    }
}
