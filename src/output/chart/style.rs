//! How charts look: the embedded font and text sizes, the colours (the palette and
//! the greys), each policy's [`Look`], the pixel scale, and the strokes and markers
//! lines are drawn with.

use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::register_font;

use super::{Area, ChartError, OrChart};

/// Width of every chart, in pixels (SVG user units and PNG pixels).
pub const WIDTH: u32 = 1200;
/// Height of every chart, in pixels.
pub const HEIGHT: u32 = 800;

/// The family name the embedded font is registered under.
pub const FONT_FAMILY: &str = "DejaVu Sans";
/// DejaVu Sans 2.37 (Bitstream Vera licence, see `assets/fonts/LICENSE-DejaVu.txt`).
pub(super) static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
/// What SVG text asks the viewer for: the embedded font's family first, then fonts
/// of similar width, so layout computed with DejaVu metrics still fits.
pub(super) const SVG_FONT_STACK: &str = "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', Geneva, Arial, sans-serif";

// Font sizes in pixels of the 1200x800 chart. plotters' size is the font's full
// height (ascent + descent), about 1.24 em: these give a ~28 px title, ~22 px axis
// labels and ~18 px ticks in CSS terms.
pub(super) const TITLE_SIZE: f64 = 35.0;
pub(super) const DESC_SIZE: f64 = 27.0;
pub(super) const TICK_SIZE: f64 = 23.0;
pub(super) const LEGEND_SIZE: f64 = 25.0;
pub(super) const NOTE_SIZE: f64 = 23.0;
pub(super) const VALUE_SIZE: f64 = 22.0;

pub(super) static INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(super) static MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub(super) static GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
pub(super) static REGION: RGBColor = RGBColor(0xf1, 0xf1, 0xf1);

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

/// The look index of a theoretical value the data should match (near-black, dashed,
/// no markers): a reference, not a policy.
pub const REFERENCE: usize = usize::MAX - 1;

/// The look of the policy with index `i` (its order of first appearance in
/// `summary.csv`): the same index gives the same look in every chart.
pub fn look(i: usize) -> Look {
    if i == NEUTRAL {
        return Look { color: RGBColor(0x66, 0x66, 0x66), pattern: 0 };
    }
    if i == REFERENCE {
        return Look { color: INK, pattern: 1 };
    }
    Look { color: PALETTE[i % PALETTE.len()], pattern: ((i / PALETTE.len()) % 3) as u8 }
}

/// The CSS colour (`#rrggbb`) of the policy with index `i`, for report tables.
pub fn css_color(i: usize) -> String {
    let RGBColor(r, g, b) = look(i).color;
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// The swatch of the policy with index `i` as a small inline SVG (14 px), for the
/// tables of the reports: a square filled as the bar charts draw the policy's bars and
/// the heat map its swatch (solid; light with an edge; hollow with an edge, by
/// [`Look::pattern`]), so the table's mark and the charts' are the same colour and fill.
pub fn swatch_svg(i: usize) -> String {
    let l = look(i);
    let c = css_color(i);
    let square = match l.pattern {
        0 => format!("<rect x=\"1\" y=\"1\" width=\"12\" height=\"12\" fill=\"{c}\" fill-opacity=\"0.85\"/>"),
        1 => format!(
            "<rect x=\"1.5\" y=\"1.5\" width=\"11\" height=\"11\" fill=\"{c}\" fill-opacity=\"0.35\" stroke=\"{c}\" stroke-width=\"2\"/>"
        ),
        _ => format!(
            "<rect x=\"1.5\" y=\"1.5\" width=\"11\" height=\"11\" fill=\"#fff\" stroke=\"{c}\" stroke-width=\"2\"/>"
        ),
    };
    format!("<svg class=\"sw\" width=\"14\" height=\"14\" viewBox=\"0 0 14 14\" aria-hidden=\"true\">{square}</svg>")
}

/// Registers the embedded font with plotters, once per process.
pub(super) fn ensure_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| register_font(FONT_FAMILY, FontStyle::Normal, FONT_BYTES).is_ok());
    if ok {
        Ok(())
    } else {
        Err(ChartError("the embedded font (DejaVu Sans) cannot be loaded".into()))
    }
}

/// The pixel scale: sizes are given for the 1200x800 chart and multiplied by this.
#[derive(Debug, Clone, Copy)]
pub(super) struct Px(pub(super) f64);

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

/// `text` cut to `max_w` pixels, with "…" where it was cut: a policy label longer than
/// the column a small canvas leaves it (`shortest_response_time(alpha=0.5)` in 900 px)
/// keeps its start, which names it, instead of running off the chart.
pub(super) fn elide<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    style: &TextStyle,
    max_w: f64,
) -> Result<String, ChartError> {
    if text_width(area, text, style)? as f64 <= max_w {
        return Ok(text.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    for n in (1..chars.len()).rev() {
        let cut: String = chars[..n].iter().collect::<String>() + "…";
        if text_width(area, &cut, style)? as f64 <= max_w {
            return Ok(cut);
        }
    }
    Ok("…".into())
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

pub(super) fn line_style(l: Look, px: Px) -> ShapeStyle {
    l.color.stroke_width(px.u(3.0).max(1))
}

pub(super) fn event_style(kind: &str, px: Px) -> (ShapeStyle, u8) {
    match kind {
        "crash" => (RGBColor(0x33, 0x33, 0x33).mix(0.8).stroke_width(px.u(2.0)), 0),
        "recover" => (RGBColor(0x77, 0x77, 0x77).mix(0.8).stroke_width(px.u(2.0)), 1),
        _ => (RGBColor(0x99, 0x99, 0x99).mix(0.8).stroke_width(px.u(2.0)), 2),
    }
}

/// Draws a polyline (in backend pixels of `area`) solid, dashed or dotted.
pub(super) fn stroke_path<DB: DrawingBackend>(
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

pub(super) fn draw_marker<DB: DrawingBackend>(
    area: &Area<DB>,
    at: (i32, i32),
    l: Look,
    px: Px,
) -> Result<(), ChartError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_are_cut_with_an_ellipsis_to_fit() {
        ensure_font().unwrap();
        let mut buf = vec![0u8; 40 * 40 * 3];
        let root = BitMapBackend::with_buffer(&mut buf, (40, 40)).into_drawing_area();
        let style = Px(1.0).font(LEGEND_SIZE);
        let long = "shortest_response_time(alpha=0.5)";
        assert_eq!(elide(&root, long, &style, 2000.0).unwrap(), long);
        let cut = elide(&root, long, &style, 150.0).unwrap();
        assert!(cut.starts_with("shortest") && cut.ends_with('…'), "{cut}");
        assert!(text_width(&root, &cut, &style).unwrap() <= 150);
    }

    #[test]
    fn looks_repeat_colours_with_another_pattern() {
        assert_eq!(look(0).color, look(7).color);
        assert_ne!(look(0).pattern, look(7).pattern);
        assert_eq!(css_color(0), "#0072b2");
    }

    #[test]
    fn swatches_are_filled_as_the_bars() {
        assert!(swatch_svg(0).contains("fill=\"#0072b2\" fill-opacity=\"0.85\"/>"), "solid");
        assert!(swatch_svg(7).contains("fill-opacity=\"0.35\" stroke=\"#0072b2\""), "light with an edge");
        assert!(swatch_svg(14).contains("fill=\"#fff\" stroke=\"#0072b2\""), "hollow");
    }
}
