//! `report.md`: the report's tables in Markdown, the charts as images (the PNG, or
//! the SVG when no PNG is written); rendered from the embedded template
//! `templates/report.md`, every value escaped for Markdown (`markup::md_escape`).

use minijinja::value::Serde;
use serde::Serialize;

use super::page::{link_order, Page};
use super::{markup, Chart, OutputError};
use crate::scenario::ChartFormat;

/// A chart of the Markdown report.
#[derive(Serialize)]
struct MdChart<'a> {
    stem: &'a str,
    title: &'a str,
    caption: &'a str,
    /// The extension of the image shown, if any.
    image: Option<&'static str>,
    /// The extensions of the other files written (PDF last).
    links: Vec<&'static str>,
}

/// `report.md` of `page`, with `charts`.
pub(super) fn report(page: &Page, charts: &[Chart], formats: &[ChartFormat]) -> Result<String, OutputError> {
    let charts: Vec<MdChart> = charts
        .iter()
        .map(|c| {
            let mut order = link_order(formats).filter(|f| *f != ChartFormat::Pdf);
            let image = order.next().map(|f| f.ext());
            let links =
                order.chain(formats.iter().copied().filter(|f| *f == ChartFormat::Pdf)).map(|f| f.ext()).collect();
            MdChart { stem: &c.fig.stem, title: &c.fig.title, caption: &c.caption, image, links }
        })
        .collect();
    markup::render("report.md", minijinja::context! { charts => Serde(&charts), ..Serde(page) })
}
