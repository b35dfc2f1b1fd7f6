//! Charts: one drawing routine, two formats (SVG for reports, PNG for papers and slides).
//!
//! A [`Figure`] says *what* is plotted (series, bands, bars, event marks) in data
//! units; this module decides *how*: axis ranges and ticks, log scales, layout,
//! colours and the legend. [`render_svg`] and [`render_png`] draw the same figure on
//! plotters' SVG and bitmap backends, so the two files always show the same chart.
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
//!   saturation and response-time tails do; the axis label says when a scale is log.

use std::path::Path;
use std::sync::OnceLock;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::register_font;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Width of every chart, in pixels (SVG user units and PNG pixels).
pub const WIDTH: u32 = 1200;
/// Height of every chart, in pixels.
pub const HEIGHT: u32 = 800;
/// The PNG is drawn this many times larger and averaged down (anti-aliasing).
const SUPERSAMPLE: u32 = 2;

/// The family name the embedded font is registered under.
pub const FONT_FAMILY: &str = "DejaVu Sans";
/// DejaVu Sans 2.37 (Bitstream Vera licence, see `assets/fonts/LICENSE-DejaVu.txt`).
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// What SVG text asks the viewer for: the embedded font's family first, then fonts
/// of similar width, so layout computed with DejaVu metrics still fits.
const SVG_FONT_STACK: &str = "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', Geneva, Arial, sans-serif";

// Font sizes in pixels of the 1200x800 chart. plotters' size is the font's full
// height (ascent + descent), about 1.24 em: these give a ~28 px title, ~22 px axis
// labels and ~18 px ticks in CSS terms.
const TITLE_SIZE: f64 = 35.0;
pub(super) const DESC_SIZE: f64 = 27.0;
pub(super) const TICK_SIZE: f64 = 23.0;
pub(super) const LEGEND_SIZE: f64 = 25.0;
const NOTE_SIZE: f64 = 23.0;
const VALUE_SIZE: f64 = 22.0;

static INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(super) static MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub(super) static GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
static REGION: RGBColor = RGBColor(0xf1, 0xf1, 0xf1);

/// Okabe & Ito's colour-blind-safe palette ("Color Universal Design", 2008), without
/// its yellow, which is too light for lines on white.
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
];

/// How a policy is drawn: its colour, and a pattern that tells apart policies that
/// share a colour once the palette has cycled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    /// Line, marker and bar colour.
    pub color: RGBColor,
    /// 0: solid line, filled circle, filled bar; 1: dashed, triangle, hatched
    /// (light) bar; 2: dotted, hollow circle, hollow bar.
    pub pattern: u8,
}

/// The look index of a line that is the same for every policy (dark grey, solid).
pub const NEUTRAL: usize = usize::MAX;

/// The look of the policy with index `i` (its order of first appearance in
/// `summary.csv`): the same index gives the same look in every chart.
pub fn look(i: usize) -> Look {
    if i == NEUTRAL {
        return Look { color: RGBColor(0x66, 0x66, 0x66), pattern: 0 };
    }
    Look { color: PALETTE[i % PALETTE.len()], pattern: ((i / PALETTE.len()) % 3) as u8 }
}

/// The CSS colour (`#rrggbb`) of the policy with index `i`, for report tables.
pub fn css_color(i: usize) -> String {
    let RGBColor(r, g, b) = look(i).color;
    format!("#{r:02x}{g:02x}{b:02x}")
}

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
    Gantt(super::gantt::GanttPlot),
}

impl Figure {
    /// Its size in pixels: [`WIDTH`]×[`HEIGHT`], but a Gantt chart of several panels
    /// is taller.
    pub fn size(&self) -> (u32, u32) {
        match &self.plot {
            Plot::Gantt(g) => (WIDTH, g.height()),
            _ => (WIDTH, HEIGHT),
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
}

/// Registers the embedded font with plotters, once per process.
fn ensure_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| register_font(FONT_FAMILY, FontStyle::Normal, FONT_BYTES).is_ok());
    if ok {
        Ok(())
    } else {
        Err(ChartError("the embedded font (DejaVu Sans) cannot be loaded".into()))
    }
}

/// Draws `fig` as an SVG document (`<svg ...>...</svg>`, no XML prolog, so it can be
/// inlined in HTML). Deterministic: the same figure gives the same bytes.
pub fn render_svg(fig: &Figure) -> Result<String, ChartError> {
    ensure_font()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, fig.size()).into_drawing_area();
        draw(&root, fig, Px(1.0))?;
        root.present().or_chart()?;
    }
    let svg = svg.replace(&format!("font-family=\"{FONT_FAMILY}\""), &format!("font-family=\"{SVG_FONT_STACK}\""));
    Ok(round_font_sizes(&svg))
}

/// Rounds `font-size="28.225806451612904"` (plotters' size / 1.24) to one decimal.
fn round_font_sizes(svg: &str) -> String {
    const KEY: &str = "font-size=\"";
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(i) = rest.find(KEY) {
        let (head, tail) = rest.split_at(i + KEY.len());
        out.push_str(head);
        let end = tail.find('"').unwrap_or(tail.len());
        match tail[..end].parse::<f64>() {
            Ok(v) => out.push_str(&fmt_plain((v * 10.0).round() / 10.0)),
            Err(_) => out.push_str(&tail[..end]),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Draws `fig` as PNG bytes (RGB, [`Figure::size`]).
///
/// plotters encodes PNG only into a file, so the image is encoded into `scratch` (a
/// path ending in `.png`, which is removed afterwards) and read back; the caller
/// writes the bytes where they belong.
pub fn render_png(fig: &Figure, scratch: &Path) -> Result<Vec<u8>, ChartError> {
    let rgb = render_rgb(fig)?;
    let result = encode_png(&rgb, fig.size(), scratch);
    let _ = std::fs::remove_file(scratch);
    result
}

fn encode_png(rgb: &[u8], size: (u32, u32), scratch: &Path) -> Result<Vec<u8>, ChartError> {
    {
        let mut backend = BitMapBackend::new(scratch, size);
        backend.blit_bitmap((0, 0), size, rgb).or_chart()?;
        backend.present().or_chart()?;
    }
    std::fs::read(scratch).map_err(|e| ChartError(format!("{}: {e}", scratch.display())))
}

/// Draws `fig` into RGB pixels, [`Figure::size`]×3 bytes, row by row.
pub(crate) fn render_rgb(fig: &Figure) -> Result<Vec<u8>, ChartError> {
    ensure_font()?;
    let (width, height) = fig.size();
    let (w, h) = (width * SUPERSAMPLE, height * SUPERSAMPLE);
    let mut big = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut big, (w, h)).into_drawing_area();
        draw(&root, fig, Px(SUPERSAMPLE as f64))?;
        root.present().or_chart()?;
    }
    Ok(downsample(&big, w, h, SUPERSAMPLE))
}

/// Averages `k`×`k` blocks of an RGB image.
fn downsample(src: &[u8], w: u32, h: u32, k: u32) -> Vec<u8> {
    let (ow, oh) = (w / k, h / k);
    let (w, k) = (w as usize, k as usize);
    let mut out = vec![0u8; ow as usize * oh as usize * 3];
    let n = (k * k) as u32;
    for oy in 0..oh as usize {
        for ox in 0..ow as usize {
            for c in 0..3 {
                let mut sum = 0u32;
                for dy in 0..k {
                    let row = (oy * k + dy) * w;
                    for dx in 0..k {
                        sum += src[(row + ox * k + dx) * 3 + c] as u32;
                    }
                }
                out[(oy * ow as usize + ox) * 3 + c] = ((sum + n / 2) / n) as u8;
            }
        }
    }
    out
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

/// The pixel scale: sizes are given for the 1200x800 chart and multiplied by this.
#[derive(Debug, Clone, Copy)]
pub(super) struct Px(f64);

impl Px {
    pub(super) fn i(self, v: f64) -> i32 {
        (v * self.0).round() as i32
    }
    pub(super) fn u(self, v: f64) -> u32 {
        (v * self.0).round().max(0.0) as u32
    }
    pub(super) fn font(self, size: f64) -> TextStyle<'static> {
        TextStyle::from((FONT_FAMILY, size * self.0)).color(&INK)
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
            // One line per '\n' of the note.
            let lines: Vec<&str> = note.lines().collect();
            let line_h = NOTE_SIZE + 4.0;
            let (_, h) = rest.dim_in_pixel();
            let (body, foot) = rest.split_vertically(h - px.u(line_h * lines.len().max(1) as f64 + 12.0));
            let style = px.font(NOTE_SIZE).color(&MUTED).pos(Pos::new(HPos::Left, VPos::Top));
            for (k, line) in lines.iter().enumerate() {
                foot.draw(&Text::new(*line, (px.i(20.0), px.i(2.0 + line_h * k as f64)), style.clone())).or_chart()?;
            }
            body
        }
        None => rest,
    };
    match &fig.plot {
        Plot::Lines(p) => draw_lines(&body, p, px),
        Plot::Bars(p) => draw_bars(&body, p, px),
        Plot::Gantt(p) => super::gantt::draw(&body, p, px),
    }
}

pub(super) fn text_width<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    style: &TextStyle,
) -> Result<u32, ChartError> {
    if text.is_empty() {
        return Ok(0);
    }
    area.estimate_text_size(text, style).map(|(w, _)| w).or_chart()
}

// ---------------------------------------------------------------------------
// Axes

/// A resolved axis: positions are in "coordinate" units (log10 of the value on a
/// log axis), and the tick positions are chosen here, not by plotters.
#[derive(Debug, Clone)]
struct Axis {
    lo: f64,
    hi: f64,
    log: bool,
    ticks: Vec<f64>,
    /// Decimals for linear tick labels.
    decimals: usize,
    categories: Vec<String>,
    label: String,
    /// Tick labels in compact form (`2.5k`, `10M`), for narrow panels.
    compact: bool,
}

impl Axis {
    fn resolve(spec: &AxisSpec, data: impl IntoIterator<Item = f64>, target: usize) -> Axis {
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
            };
        }
        let positive: Vec<f64> = data.iter().copied().filter(|&v| v > 0.0).collect();
        let (pmin, pmax) = min_max(&positive);
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
        }
    }

    fn log_axis(spec: &AxisSpec, min: f64, max: f64, target: usize) -> Axis {
        let (lmin, lmax) = (min.log10(), max.log10());
        let pad = if lmax > lmin { 0.04 * (lmax - lmin) } else { 0.5 };
        let (lo, hi) = (lmin - pad, lmax + pad);
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
            label: format!("{}, log scale", spec.label),
            compact: false,
        }
    }

    /// The coordinate of value `v`, or `None` where it cannot be drawn.
    fn c(&self, v: f64) -> Option<f64> {
        if !v.is_finite() {
            None
        } else if self.log {
            (v > 0.0).then(|| v.log10())
        } else {
            Some(v)
        }
    }

    /// The coordinate of `v`, clamped into the axis range (bands below a log axis).
    fn clamped(&self, v: f64) -> f64 {
        let c = if self.log && v.is_finite() && v <= 0.0 { self.lo } else { self.c(v).unwrap_or(self.lo) };
        c.clamp(self.lo, self.hi)
    }

    /// The tick label at coordinate `c`.
    fn fmt(&self, c: f64) -> String {
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

    fn coord(&self) -> Ticked {
        Ticked { lo: self.lo, hi: self.hi, ticks: self.ticks.clone() }
    }

    fn widest_label<DB: DrawingBackend>(&self, area: &Area<DB>, style: &TextStyle) -> Result<u32, ChartError> {
        let mut w = 0;
        for &t in &self.ticks {
            w = w.max(text_width(area, &self.fmt(t), style)?);
        }
        Ok(w)
    }
}

/// A linear coordinate with the tick positions chosen by [`Axis`]. (plotters'
/// `WithKeyPoints` would do, but its `f64` form cannot take a label formatter.)
#[derive(Debug, Clone)]
struct Ticked {
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

fn min_max(v: &[f64]) -> (f64, f64) {
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

// ---------------------------------------------------------------------------
// Styles

fn line_style(l: Look, px: Px) -> ShapeStyle {
    l.color.stroke_width(px.u(3.0).max(1))
}

fn event_style(kind: &str, px: Px) -> (ShapeStyle, u8) {
    match kind {
        "crash" => (RGBColor(0x33, 0x33, 0x33).mix(0.8).stroke_width(px.u(2.0)), 0),
        "recover" => (RGBColor(0x77, 0x77, 0x77).mix(0.8).stroke_width(px.u(2.0)), 1),
        _ => (RGBColor(0x99, 0x99, 0x99).mix(0.8).stroke_width(px.u(2.0)), 2),
    }
}

/// Draws a polyline (in backend pixels of `area`) solid, dashed or dotted.
fn stroke_path<DB: DrawingBackend>(
    area: &Area<DB>,
    pts: &[(i32, i32)],
    style: ShapeStyle,
    pattern: u8,
    px: Px,
) -> Result<(), ChartError> {
    if pts.len() < 2 {
        return Ok(());
    }
    match pattern {
        0 => area.draw(&PathElement::new(pts.to_vec(), style)).or_chart(),
        p => {
            let (dash, gap) = if p == 1 { (px.i(14.0), px.i(8.0)) } else { (px.i(3.0), px.i(6.0)) };
            for e in DashedLineSeries::new(pts.to_vec(), dash, gap, style) {
                area.draw(&e).or_chart()?;
            }
            Ok(())
        }
    }
}

fn draw_marker<DB: DrawingBackend>(area: &Area<DB>, at: (i32, i32), l: Look, px: Px) -> Result<(), ChartError> {
    let r = px.u(6.5);
    match l.pattern {
        0 => area.draw(&Circle::new(at, r, l.color.filled())).or_chart(),
        1 => area.draw(&TriangleMarker::new(at, r + px.u(1.5), l.color.filled())).or_chart(),
        _ => {
            area.draw(&Circle::new(at, r, WHITE.filled())).or_chart()?;
            area.draw(&Circle::new(at, r, l.color.stroke_width(px.u(2.5)))).or_chart()
        }
    }
}

// ---------------------------------------------------------------------------
// Line charts

enum LegendItem {
    Policy { label: String, look: usize },
    Event { kind: String },
}

fn draw_lines<DB: DrawingBackend>(area: &Area<DB>, p: &LinePlot, px: Px) -> Result<(), ChartError> {
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

// ---------------------------------------------------------------------------
// Bar charts

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

fn draw_bars<DB: DrawingBackend>(area: &Area<DB>, p: &BarPlot, px: Px) -> Result<(), ChartError> {
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

    fn lines(markers: bool) -> Figure {
        let series = |i: usize, k: f64| Series {
            label: format!("policy {i}"),
            look: i,
            points: (0..6).map(|j| (0.5 + 0.1 * j as f64, k * (1.0 + j as f64).powi(3))).collect(),
            band: (0..6)
                .map(|j| (0.5 + 0.1 * j as f64, 0.8 * k * (1.0 + j as f64).powi(3), 1.2 * k * (1.0 + j as f64).powi(3)))
                .collect(),
        };
        Figure {
            stem: "t".into(),
            title: "A test chart".into(),
            note: Some("shaded: 95% CI".into()),
            plot: Plot::Lines(LinePlot {
                x: AxisSpec::new("load", Scale::Linear),
                panels: vec![LinePanel {
                    y: AxisSpec::new("mean response (s)", Scale::Auto),
                    height: 1.0,
                    series: (0..9).map(|i| series(i, 0.1 * (i + 1) as f64)).collect(),
                }],
                events: vec![EventMark { x: 0.7, kind: "crash".into() }],
                regions: vec![],
                markers,
            }),
        }
    }

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
    fn absurd_values_still_draw() {
        let mut fig = lines(false);
        if let Plot::Lines(p) = &mut fig.plot {
            p.panels[0].series[0].points = vec![(0.5, -1e308), (0.6, 1e308), (0.7, f64::NAN), (0.8, f64::INFINITY)];
        }
        assert!(render_svg(&fig).is_ok());
    }

    #[test]
    fn svg_is_a_whole_document_with_the_font_stack() {
        let svg = render_svg(&lines(true)).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("A test chart") && svg.contains("DejaVu Sans"));
        assert!(svg.contains("font-size=\"28.2\""));
    }

    #[test]
    fn text_is_drawn_with_the_embedded_font() {
        // plotters is built without its system-font feature: text in the PNG can only
        // come from the embedded font. Dark pixels in the title band prove it is drawn.
        let rgb = render_rgb(&lines(false)).unwrap();
        assert_eq!(rgb.len(), (WIDTH * HEIGHT * 3) as usize);
        let dark = (0..60 * WIDTH as usize).filter(|i| rgb[i * 3] < 100).count();
        assert!(dark > 200, "only {dark} dark pixels in the title band");
    }

    #[test]
    fn no_system_font_is_ever_looked_up() {
        // plotters' `ttf` feature (system fonts through font-kit/fontconfig) is off:
        // only registered fonts exist, so not even the generic "sans-serif" that
        // every system has can be found, and a machine without fonts draws the same.
        ensure_font().unwrap();
        let mut buf = vec![0u8; 40 * 40 * 3];
        let root = BitMapBackend::with_buffer(&mut buf, (40, 40)).into_drawing_area();
        assert!(root.estimate_text_size("x", &TextStyle::from(("sans-serif", 12.0))).is_err());
        assert!(root.estimate_text_size("x", &TextStyle::from((FONT_FAMILY, 12.0))).is_ok());
    }

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
    fn compact_numbers_are_short() {
        let f: Vec<String> = [0.0, 0.25, 800.0, 1000.0, 2500.0, 12_500.0, 3e6, 1e9, 0.1].map(fmt_compact).to_vec();
        assert_eq!(f, ["0", "0.25", "800", "1k", "2.5k", "12.5k", "3M", "1G", "0.1"]);
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

    #[test]
    fn notes_break_into_lines() {
        let mut fig = lines(false);
        fig.note = Some("first line\nsecond line".into());
        let svg = render_svg(&fig).unwrap();
        assert!(svg.contains("first line") && svg.contains("second line") && !svg.contains("first line\nsecond"));
    }

    #[test]
    fn looks_repeat_colours_with_another_pattern() {
        assert_eq!(look(0).color, look(7).color);
        assert_ne!(look(0).pattern, look(7).pattern);
        assert_eq!(css_color(0), "#0072b2");
    }
}
