//! Output formats: the same figure drawn on plotters' SVG backend (text as text, in
//! the embedded font's family) and on its bitmap backend (PNG, supersampled).

use std::path::Path;

use plotters::prelude::*;

use super::style::{ensure_font, Px, FONT_FAMILY, SVG_FONT_STACK};
use super::{draw, fmt_plain, ChartError, Figure, OrChart};

/// The PNG is drawn this many times larger and averaged down (anti-aliasing).
const SUPERSAMPLE: u32 = 2;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::chart::style::{HEIGHT, WIDTH};
    use crate::output::chart::{AxisSpec, EventMark, LinePanel, LinePlot, Plot, Scale, Series};

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

    #[test]
    fn notes_break_into_lines() {
        let mut fig = lines(false);
        fig.note = Some("first line\nsecond line".into());
        let svg = render_svg(&fig).unwrap();
        assert!(svg.contains("first line") && svg.contains("second line") && !svg.contains("first line\nsecond"));
    }
}
