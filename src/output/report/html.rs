//! `report.html`: self-contained, every chart inline as SVG; rendered from the
//! embedded template `templates/report.html` (escaped as HTML by the engine).
//!
//! Its order: the summary's main columns (fitting a 1,400-pixel window, the others in
//! a `<details>`), the charts, then the longer tables (comparison, task classes), what
//! was run, the folder's files and the scenario file.

use minijinja::value::{Serde, Value};
use serde::Serialize;

use super::page::{link_order, Page};
use super::{markup, Chart, OutputError};
use crate::scenario::ChartFormat;

/// A chart of the HTML report.
#[derive(Serialize)]
struct HtmlChart<'a> {
    stem: &'a str,
    /// The drawn SVG, inlined as is.
    svg: Value,
    caption: &'a str,
    /// The extensions of the files written, in link order.
    links: Vec<&'static str>,
}

/// `report.html` of `page`, with `charts` drawn as `svgs`.
pub(super) fn report(
    page: &Page,
    charts: &[Chart],
    svgs: &[String],
    formats: &[ChartFormat],
) -> Result<String, OutputError> {
    let charts: Vec<HtmlChart> = (charts.iter().zip(svgs))
        .map(|(c, svg)| HtmlChart {
            stem: &c.fig.stem,
            svg: Value::from_safe_string(svg.trim_end().to_string()),
            caption: &c.caption,
            links: link_order(formats).map(|f| f.ext()).collect(),
        })
        .collect();
    markup::render("report.html", minijinja::context! { charts => Serde(&charts), ..Serde(page) })
}
