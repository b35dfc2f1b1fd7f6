//! Charts: one drawing routine, three formats (SVG for reports, PNG for slides, PDF
//! for LaTeX).
//!
//! A [`Figure`] says *what* is plotted (series, bands, bars, cells, event marks) in
//! data units; this module decides *how*: axis ranges and ticks, log scales, layout,
//! colours and the legend. [`render_svg_on`] and [`render_png_on`] draw the same figure
//! on plotters' SVG and bitmap backends, and [`render_pdf`] converts the SVG, so the
//! files always show the same chart.
//!
//! Choices, and why:
//! - **Text comes from an embedded font** (DejaVu Sans, `assets/fonts/`), registered
//!   with plotters' `ab_glyph` backend: plotters is built without its `ttf` feature, so
//!   nothing looks for a system font and a machine without fonts draws the same PNG
//!   bytes. SVG text names the same family first, then common fallbacks.
//! - **One colour per policy** in every chart: the caller gives each series the
//!   policy's index ([`look`]), which picks an Okabe–Ito colour (safe for the common
//!   forms of colour blindness); past seven policies the colours repeat with dashed,
//!   then dotted lines (hatched, then hollow bars).
//! - **Readable when shrunk**: 1200×800 px, ticks ~18 px, axis labels ~22 px, title
//!   ~28 px; the PNG is drawn at twice the size and averaged down, which smooths lines
//!   and text like an anti-aliasing renderer would.
//! - **Legends never cover data**: they sit in a column right of the plot; bar charts
//!   need none, since the policy names label the bars.
//! - **Log scales only where the data span decades** ([`Scale::Auto`]): latency near
//!   saturation and response-time tails do; the axis label says when a scale is log,
//!   and a log axis ends at the 1-2-5 value just past the data, not decades beyond.
//! - **Theory is drawn dashed** ([`REFERENCE`], [`Reference`]): a value the data should
//!   match, never mistaken for a policy.
//!
//! Files, by concern: `style.rs` (font, sizes, palette, line and marker styles),
//! `axes.rs` (scales, ranges, ticks, number formats), `lines.rs`, `bars.rs` and
//! `heat.rs` (the kinds of chart), `gantt.rs` (jobs over cores), `raster.rs` (SVG, PNG
//! and PDF output). This file holds the figure types callers build and the frame
//! (title, note) every kind is drawn in.

mod axes;
mod bar_scale;
mod bars;
pub mod gantt;
pub mod heat;
pub mod job_gantt;
mod lines;
mod raster;
mod style;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub(crate) use axes::{decimals_sig, fmt_plain, fmt_sig};
pub use lines::Cut;
pub use raster::{render_pdf, render_png, render_png_on, render_svg, render_svg_on};
pub use style::{css_color, look, swatch_svg, Look, FONT_FAMILY, HEIGHT, NEUTRAL, PALETTE, REFERENCE, WIDTH};
use style::{Px, MUTED, NOTE_SIZE, TITLE_SIZE};

/// A chart that cannot be drawn (a plotters error, or the font failed to load).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ChartError(pub String);

/// One chart, in data units, independent of the output format.
#[derive(Debug, Clone)]
pub struct Figure {
    /// File name without extension (`cdf` gives `cdf.svg` and `cdf.png`).
    pub stem: String,
    /// Title drawn on top of the chart.
    pub title: String,
    /// Text drawn under the chart (e.g. what the bands or whiskers mean); each
    /// `\n` starts a new line.
    pub note: Option<String>,
    /// What is plotted.
    pub plot: Plot,
}

/// The kinds of chart.
#[derive(Debug, Clone)]
pub enum Plot {
    /// Lines over a shared x axis, in one or more panels stacked vertically.
    Lines(LinePlot),
    /// Horizontal bars, one per category, in panels side by side (small multiples:
    /// each panel has its own value axis, starting at zero).
    Bars(BarPlot),
    /// Jobs as rectangles of cores over time (drawn by `gantt.rs`).
    Gantt(gantt::GanttPlot),
    /// A value per (row, column) cell as a colour (drawn by `heat.rs`).
    Heat(heat::HeatPlot),
}

/// The size a figure is drawn at, in pixels. Text keeps its size on any canvas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Canvas {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Default for Canvas {
    /// [`WIDTH`]×[`HEIGHT`].
    fn default() -> Self {
        Canvas { width: WIDTH, height: HEIGHT }
    }
}

impl Figure {
    /// Its size in pixels on the default canvas; see [`Figure::size_on`].
    pub fn size(&self) -> (u32, u32) {
        self.size_on(Canvas::default())
    }

    /// Its size in pixels on `canvas`: the canvas, but a Gantt chart of several
    /// panels is taller.
    pub fn size_on(&self, canvas: Canvas) -> (u32, u32) {
        match &self.plot {
            Plot::Gantt(g) => (canvas.width, g.height(canvas.height)),
            _ => (canvas.width, canvas.height),
        }
    }
}

/// How an axis maps values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Linear over exactly the data's range (ticks inside it).
    Linear,
    /// Linear, and the range includes zero.
    LinearFromZero,
    /// Log (base 10) when the data are positive and span more than a factor of
    /// 10, otherwise linear from zero.
    Auto,
    /// Log (base 10); non-positive values are not drawn.
    Log,
}

/// An axis: its label (with units) and scale.
#[derive(Debug, Clone)]
pub struct AxisSpec {
    /// Axis label, with units, e.g. `response time (s)`. ", log scale" is appended
    /// when the axis is drawn log.
    pub label: String,
    /// How values map to positions.
    pub scale: Scale,
    /// A fixed range instead of the data's (linear scales only).
    pub range: Option<(f64, f64)>,
    /// Category names: value `i` is drawn at position `i` and labelled
    /// `categories[i]`; empty for a numeric axis.
    pub categories: Vec<String>,
}

impl AxisSpec {
    /// A numeric axis with a label and scale.
    pub fn new(label: impl Into<String>, scale: Scale) -> Self {
        AxisSpec { label: label.into(), scale, range: None, categories: Vec::new() }
    }

    /// The same axis with a fixed range.
    pub fn with_range(mut self, lo: f64, hi: f64) -> Self {
        self.range = Some((lo, hi));
        self
    }
}

/// A line chart.
#[derive(Debug, Clone)]
pub struct LinePlot {
    /// The shared x axis.
    pub x: AxisSpec,
    /// Panels, top to bottom; each has its own y axis.
    pub panels: Vec<LinePanel>,
    /// Events marked by vertical lines across every panel.
    pub events: Vec<EventMark>,
    /// Shaded x ranges with a label (e.g. node groups).
    pub regions: Vec<Region>,
    /// Draw a marker at each point (for few, discrete points such as sweep values).
    pub markers: bool,
}

/// One panel of a line chart.
#[derive(Debug, Clone)]
pub struct LinePanel {
    /// The panel's y axis. With several panels its label is drawn over the panel.
    pub y: AxisSpec,
    /// Height relative to the other panels (1.0 for most).
    pub height: f64,
    /// Its lines.
    pub series: Vec<Series>,
}

/// One line, optionally with a band around it.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend label (the policy); an empty label has no legend entry.
    pub label: String,
    /// Index into the palette, see [`look`]; [`NEUTRAL`] for a grey line that
    /// stands for every policy alike.
    pub look: usize,
    /// Points `(x, y)`, in x order; non-finite values break the line.
    pub points: Vec<(f64, f64)>,
    /// `(x, low, high)`: a translucent band (e.g. a 95% confidence interval).
    pub band: Vec<(f64, f64, f64)>,
}

/// An event marked on a line chart by a vertical line.
#[derive(Debug, Clone)]
pub struct EventMark {
    /// Where (x units).
    pub x: f64,
    /// What happened (`crash`, `recover`, ...): picks the line style and legend entry.
    pub kind: String,
}

/// A labelled, shaded x range.
#[derive(Debug, Clone)]
pub struct Region {
    /// Start, in x units.
    pub from: f64,
    /// End, in x units.
    pub to: f64,
    /// Label drawn at the top of the range.
    pub label: String,
}

/// A horizontal bar chart in small multiples.
#[derive(Debug, Clone)]
pub struct BarPlot {
    /// `(name, look)` of each bar, top to bottom.
    pub categories: Vec<(String, usize)>,
    /// Panels, left to right.
    pub panels: Vec<BarPanel>,
}

/// One panel of a bar chart.
#[derive(Debug, Clone)]
pub struct BarPanel {
    /// Title over the panel (e.g. `p99`).
    pub title: String,
    /// Value axis label, with units.
    pub axis: String,
    /// One value per category: `(value, half-width of its CI)`; `None` is drawn as "n/a".
    pub values: Vec<Option<(f64, Option<f64>)>>,
    /// A fixed value range instead of the data's (a linear axis; e.g. 0 to 1 for a
    /// fraction).
    pub range: Option<(f64, f64)>,
    /// A value the bars should match (theory), drawn as a dashed line across the panel.
    pub reference: Option<Reference>,
}

/// A reference value on a bar panel: a dashed line and its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// Where the line is, in the panel's units.
    pub value: f64,
    /// What it is, e.g. `M/M/1 theory`.
    pub label: String,
}

/// Converts any drawing error into a [`ChartError`].
pub(super) trait OrChart<T> {
    fn or_chart(self) -> Result<T, ChartError>;
}

impl<T, E: std::fmt::Display> OrChart<T> for Result<T, E> {
    fn or_chart(self) -> Result<T, ChartError> {
        self.map_err(|e| ChartError(format!("drawing failed: {e}")))
    }
}

pub(super) type Area<DB> = DrawingArea<DB, Shift>;

fn draw<DB: DrawingBackend>(root: &Area<DB>, fig: &Figure, px: Px) -> Result<(), ChartError> {
    root.fill(&WHITE).or_chart()?;
    let (w, _) = root.dim_in_pixel();
    let title_h = px.u(TITLE_SIZE + 30.0);
    let (top, rest) = root.split_vertically(title_h);
    let title = px.font(TITLE_SIZE).pos(Pos::new(HPos::Center, VPos::Top));
    top.draw(&Text::new(fig.title.as_str(), (w as i32 / 2, px.i(16.0)), title)).or_chart()?;
    let body = match &fig.note {
        Some(note) => {
            // One line per '\n' of the note, and more where a line is wider than the
            // canvas (a small chart), broken between words.
            let font = px.font(NOTE_SIZE);
            let mut lines: Vec<String> = Vec::new();
            for line in note.lines() {
                let mut current = String::new();
                for word in line.split(' ') {
                    let candidate = if current.is_empty() { word.to_string() } else { format!("{current} {word}") };
                    if !current.is_empty() && style::text_width(&rest, &candidate, &font)? + px.u(40.0) > w {
                        lines.push(std::mem::replace(&mut current, word.to_string()));
                    } else {
                        current = candidate;
                    }
                }
                lines.push(current);
            }
            let line_h = NOTE_SIZE + 4.0;
            let (_, h) = rest.dim_in_pixel();
            let (body, foot) = rest.split_vertically(h - px.u(line_h * lines.len().max(1) as f64 + 12.0));
            let style = px.font(NOTE_SIZE).color(&MUTED).pos(Pos::new(HPos::Left, VPos::Top));
            for (k, line) in lines.iter().enumerate() {
                let at = (px.i(20.0), px.i(2.0 + line_h * k as f64));
                foot.draw(&Text::new(line.as_str(), at, style.clone())).or_chart()?;
            }
            body
        }
        None => rest,
    };
    match &fig.plot {
        Plot::Lines(p) => lines::draw_lines(&body, p, px),
        Plot::Bars(p) => bars::draw_bars(&body, p, px),
        Plot::Gantt(p) => gantt::draw(&body, p, px),
        Plot::Heat(p) => heat::draw(&body, p, px),
    }
}
