//! Output formats: the same figure drawn on plotters' SVG backend (text as text, in
//! the embedded font's family) and on its bitmap backend (PNG, supersampled), and the
//! SVG converted to a vector PDF (svg2pdf, with the embedded font: no system font is
//! looked up, so every machine writes the same PDF).

use std::path::Path;
use std::sync::Arc;

use plotters::prelude::*;

use super::style::{ensure_font, Px, FONT_BYTES, FONT_FAMILY, SVG_FONT_STACK};
use super::{draw, fmt_plain, Canvas, ChartError, Figure, OrChart};

/// The PNG is drawn this many times larger and averaged down (anti-aliasing).
const SUPERSAMPLE: u32 = 2;

/// [`render_svg_on`] the default canvas.
pub fn render_svg(fig: &Figure) -> Result<String, ChartError> {
    render_svg_on(fig, Canvas::default())
}

/// Draws `fig` on `canvas` as an SVG document (`<svg ...>...</svg>`, no XML prolog,
/// so it can be inlined in HTML). Deterministic: the same figure gives the same bytes.
pub fn render_svg_on(fig: &Figure, canvas: Canvas) -> Result<String, ChartError> {
    ensure_font()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, fig.size_on(canvas)).into_drawing_area();
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

/// [`render_png_on`] the default canvas.
pub fn render_png(fig: &Figure, scratch: &Path) -> Result<Vec<u8>, ChartError> {
    render_png_on(fig, Canvas::default(), scratch)
}

/// Draws `fig` on `canvas` as PNG bytes (RGB, [`Figure::size_on`]).
///
/// plotters encodes PNG only into a file, so the image is encoded into `scratch` (a
/// path ending in `.png`, which is removed afterwards) and read back; the caller
/// writes the bytes where they belong.
pub fn render_png_on(fig: &Figure, canvas: Canvas, scratch: &Path) -> Result<Vec<u8>, ChartError> {
    let rgb = render_rgb(fig, canvas)?;
    let result = encode_png(&rgb, fig.size_on(canvas), scratch);
    let _ = std::fs::remove_file(scratch);
    result
}

/// Converts an SVG drawn by [`render_svg_on`] into a one-page PDF of the same size
/// (one SVG pixel is one PDF point), text kept as text in a subset of the embedded
/// font. Deterministic: the same SVG gives the same bytes (svg2pdf writes no date,
/// and the resource order is fixed here).
pub fn render_pdf(svg: &str) -> Result<Vec<u8>, ChartError> {
    // Only the embedded font: SVG text asks for 'DejaVu Sans' first, and anything
    // else falls back to it.
    let mut fonts = svg2pdf::usvg::fontdb::Database::new();
    fonts.load_font_data(FONT_BYTES.to_vec());
    let options =
        svg2pdf::usvg::Options { font_family: FONT_FAMILY.to_string(), fontdb: Arc::new(fonts), ..Default::default() };
    let tree = svg2pdf::usvg::Tree::from_str(svg, &options).map_err(|e| ChartError(format!("PDF: {e}")))?;
    let pdf = svg2pdf::to_pdf(&tree, svg2pdf::ConversionOptions::default(), svg2pdf::PageOptions::default())
        .map_err(|e| ChartError(format!("PDF: {e}")))?;
    Ok(sorted_resources(pdf))
}

/// `pdf` with the entries of each resource dictionary (`/XObject << ... >>`,
/// `/ExtGState`, `/Font`, ...) in sorted order. svg2pdf 0.13 writes them in the order
/// of a `HashMap`, which differs from run to run; every entry is one line of its own
/// (`      /xo9 26 0 R`), so sorting the lines of a dictionary keeps its length, and
/// with it every byte offset in the file's cross-reference table.
fn sorted_resources(mut pdf: Vec<u8>) -> Vec<u8> {
    const KEYS: [&[u8]; 6] =
        [b"/XObject <<\n", b"/ExtGState <<\n", b"/Font <<\n", b"/Pattern <<\n", b"/Shading <<\n", b"/ColorSpace <<\n"];
    let mut i = 0;
    while i < pdf.len() {
        let Some(key) = KEYS.iter().find(|k| pdf[i..].starts_with(k)) else {
            i += 1;
            continue;
        };
        let start = i + key.len();
        // The entry lines, up to the line that closes the dictionary.
        let mut lines: Vec<(usize, usize)> = Vec::new();
        let mut at = start;
        let mut closed = false;
        while let Some(n) = pdf[at..].iter().position(|&c| c == b'\n') {
            let line = &pdf[at..at + n];
            let trimmed: Vec<u8> = line.iter().copied().skip_while(|c| *c == b' ').collect();
            if trimmed == b">>" {
                closed = true;
                break;
            }
            if !trimmed.starts_with(b"/") || line.windows(2).any(|w| w == b"<<" || w == b">>") {
                break;
            }
            lines.push((at, at + n + 1));
            at += n + 1;
        }
        if closed && lines.len() > 1 {
            let mut sorted: Vec<Vec<u8>> = lines.iter().map(|&(a, b)| pdf[a..b].to_vec()).collect();
            sorted.sort();
            let bytes: Vec<u8> = sorted.concat();
            pdf[start..start + bytes.len()].copy_from_slice(&bytes);
        }
        i = at.max(start);
    }
    pdf
}

fn encode_png(rgb: &[u8], size: (u32, u32), scratch: &Path) -> Result<Vec<u8>, ChartError> {
    {
        let mut backend = BitMapBackend::new(scratch, size);
        backend.blit_bitmap((0, 0), size, rgb).or_chart()?;
        backend.present().or_chart()?;
    }
    std::fs::read(scratch).map_err(|e| ChartError(format!("{}: {e}", scratch.display())))
}

/// Draws `fig` on `canvas` into RGB pixels, [`Figure::size_on`]×3 bytes, row by row.
fn render_rgb(fig: &Figure, canvas: Canvas) -> Result<Vec<u8>, ChartError> {
    ensure_font()?;
    let (width, height) = fig.size_on(canvas);
    let (w, h) = (width * SUPERSAMPLE, height * SUPERSAMPLE);
    // Filled (white) rather than zeroed, although `draw` paints it white anyway:
    // whether the allocator must write zeros depends on what it allocated before,
    // which made the run's instruction count vary with the number of tasks simulated.
    let mut big = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut big, (w, h)).into_drawing_area();
        draw(&root, fig, Px(SUPERSAMPLE as f64))?;
        root.present().or_chart()?;
    }
    Ok(downsample::<{ SUPERSAMPLE as usize }>(&big, w, h))
}

/// Averages `K`×`K` blocks of an RGB image of `w`×`h` pixels (a partial block at the
/// right or bottom edge is dropped).
///
/// `K` is a constant so that the division is a multiplication and the block's loops
/// unroll; each output pixel reads its block's rows as slices cut once per block row.
/// Integer sums, so the order of the additions does not change the result.
fn downsample<const K: usize>(src: &[u8], w: u32, h: u32) -> Vec<u8> {
    let (w, h) = (w as usize, h as usize);
    let (ow, oh) = (w / K, h / K);
    let n = (K * K) as u32;
    let mut out = Vec::with_capacity(ow * oh * 3);
    for block_rows in src.chunks_exact(w * 3 * K).take(oh) {
        let rows: [&[u8]; K] = std::array::from_fn(|dy| &block_rows[dy * w * 3..][..ow * K * 3]);
        for ox in 0..ow {
            let mut sum = [0u32; 3];
            for row in rows {
                for pixel in row[ox * K * 3..][..K * 3].chunks_exact(3) {
                    sum[0] += pixel[0] as u32;
                    sum[1] += pixel[1] as u32;
                    sum[2] += pixel[2] as u32;
                }
            }
            out.extend(sum.map(|s| ((s + n / 2) / n) as u8));
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
        let rgb = render_rgb(&lines(false), Canvas::default()).unwrap();
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

    #[test]
    fn a_pdf_is_the_svg_with_the_embedded_font_and_the_same_bytes_every_time() {
        let svg = render_svg(&lines(true)).unwrap();
        let pdf = render_pdf(&svg).unwrap();
        assert!(pdf.starts_with(b"%PDF-") && pdf.len() > 2000);
        // svg2pdf orders resources by a hash map, seeded afresh each time: five
        // conversions find a difference there with near certainty, unless sorted.
        for _ in 0..5 {
            assert!(render_pdf(&svg).unwrap() == pdf, "the same SVG gave another PDF");
        }
        // The font is embedded (a subset, named after DejaVu Sans): no system font.
        let has = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
        assert!(has(b"DejaVuSans") && has(b"/FontFile2"), "no embedded DejaVu Sans");
        // One page of the canvas' size, in points.
        assert!(has(b"/MediaBox [0 0 1200 800]"), "page size");
    }

    #[test]
    fn a_note_wider_than_the_canvas_breaks_between_words() {
        let mut fig = lines(false);
        fig.note = Some("word ".repeat(60).trim_end().to_string());
        let svg = render_svg_on(&fig, Canvas { width: 640, height: 480 }).unwrap();
        let note_lines = svg.lines().filter(|l| l.trim().starts_with("word word")).count();
        assert!(note_lines >= 3, "{note_lines} lines");
    }

    #[test]
    fn any_canvas_size_draws_and_text_keeps_its_size() {
        let small = Canvas { width: 640, height: 480 };
        let svg = render_svg_on(&lines(false), small).unwrap();
        assert!(svg.contains("width=\"640\"") && svg.contains("height=\"480\""));
        assert!(svg.contains("font-size=\"28.2\""), "the title keeps its size");
        let rgb = render_rgb(&lines(false), small).unwrap();
        assert_eq!(rgb.len(), 640 * 480 * 3);
    }

    #[test]
    fn downsampling_averages_each_block_with_rounding() {
        // Against the definition, pixel by pixel, on pseudo-random bytes, for block
        // sizes 1 to 3 and dimensions that are not multiples of the block.
        let mut x = 12345u32;
        type Downsample = fn(&[u8], u32, u32) -> Vec<u8>;
        let cases: [(u32, u32, u32, Downsample); 4] = [
            (7, 5, 1, downsample::<1>),
            (8, 6, 2, downsample::<2>),
            (9, 7, 2, downsample::<2>),
            (10, 9, 3, downsample::<3>),
        ];
        for (w, h, k, downsample) in cases {
            let src: Vec<u8> = (0..w * h * 3)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    (x >> 16) as u8
                })
                .collect();
            let got = downsample(&src, w, h);
            let (ow, oh) = (w / k, h / k);
            assert_eq!(got.len(), (ow * oh * 3) as usize);
            for oy in 0..oh {
                for ox in 0..ow {
                    for c in 0..3 {
                        let mut sum = 0u32;
                        for dy in 0..k {
                            for dx in 0..k {
                                sum += src[(((oy * k + dy) * w + ox * k + dx) * 3 + c) as usize] as u32;
                            }
                        }
                        let n = k * k;
                        assert_eq!(got[((oy * ow + ox) * 3 + c) as usize] as u32, (sum + n / 2) / n, "{w}x{h}/{k}");
                    }
                }
            }
        }
    }
}
