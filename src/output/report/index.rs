//! `results/index.html`: every scenario folder of a results folder, linked, with its
//! description, the time its results were written, and its main chart as a thumbnail.
//!
//! The index is a view of the folder as it is, like `ls -l`: it shows the folders'
//! times (the modification time of each `summary.csv`, in UTC to the minute), so two
//! runs of the same scenarios write the same reports but not the same index; byte-for-
//! byte comparisons of results folders leave `index.html` out. Folders of scenarios that
//! were not in the last run are marked "(not in the last run)": the run names its
//! scenarios ([`render_index`]'s `run`), and the index keeps that list (in a `<meta>`
//! element) for `schedsim plot`, which redraws without a run.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Serialize;

use super::{data, markup, write, OutputError};

/// The charts shown as a folder's thumbnail, the first that exists: the main one.
const THUMBS: [&str; 4] =
    ["charts/latency_p99.png", "charts/response.png", "charts/latency_p99.svg", "charts/response.svg"];

/// A row of the index.
#[derive(Debug, Serialize)]
struct Scenario {
    name: String,
    description: Option<String>,
    /// When its results were written: `YYYY-MM-DD HH:MM` (UTC).
    written: String,
    stale: bool,
    thumb: Option<&'static str>,
    thumb_alt: String,
}

/// Writes `results_dir/index.html`: a link to every subfolder's `report.html` (sorted
/// by folder name) with the scenario's description, the time its `summary.csv` was
/// written and a thumbnail of its main chart. `run` names the scenarios of the run
/// that wrote the folder: the others are marked as not in the last run. With `None`
/// (`schedsim plot`), the list the index held before is kept (none marked if there was
/// no index). Returns its path.
pub fn render_index(results_dir: &Path, run: Option<&[String]>) -> Result<PathBuf, OutputError> {
    let io = |e| OutputError::Io { path: results_dir.to_path_buf(), error: e };
    let path = results_dir.join("index.html");
    let last_run: Option<Vec<String>> = match run {
        Some(names) => Some(names.to_vec()),
        None => std::fs::read_to_string(&path).ok().and_then(|h| last_run_of(&h)),
    };
    let mut names: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(results_dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        // Hidden folders are a run's staging, never a scenario's results.
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if !hidden && entry.path().join("report.html").is_file() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    let scenarios: Vec<Scenario> = names
        .into_iter()
        .map(|name| {
            let dir = results_dir.join(&name);
            // The index must not fail over one folder's broken scenario copy.
            let description = data::read_scenario(&dir.join("scenario.toml")).ok().and_then(|s| s.description);
            let written = std::fs::metadata(dir.join("summary.csv")).and_then(|m| m.modified()).ok();
            let thumb = THUMBS.into_iter().find(|p| dir.join(p).is_file());
            Scenario {
                stale: last_run.as_ref().is_some_and(|run| !run.contains(&name)),
                written: written.map(utc_minute).unwrap_or_default(),
                thumb_alt: thumb.map_or(String::new(), |t| format!("{name}: {}", chart_name(t))),
                thumb,
                description,
                name,
            }
        })
        .collect();
    let stale = scenarios.iter().filter(|s| s.stale).count();
    let last_run = last_run.map(|names| names.iter().map(|n| markup::url(n)).collect::<Vec<_>>().join(" "));
    let html = markup::render(
        "index.html",
        minijinja::context! { scenarios => minijinja::value::Serde(&scenarios), stale, last_run => last_run.unwrap_or_default() },
    )?;
    write(&path, html.as_bytes())?;
    Ok(path)
}

/// The last run's scenarios, from the `<meta name="schedsim-last-run">` of an index
/// this module wrote (names percent-encoded, separated by spaces).
fn last_run_of(html: &str) -> Option<Vec<String>> {
    let start = html.find("<meta name=\"schedsim-last-run\" content=\"")? + 40;
    let content = &html[start..start + html[start..].find('"')?];
    if content.is_empty() {
        return None;
    }
    Some(content.split(' ').map(percent_decode).collect())
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex =
            b.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// "latency_p99" of "charts/latency_p99.png".
fn chart_name(path: &str) -> &str {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.split('.').next().unwrap_or(file)
}

/// `t` as `YYYY-MM-DD HH:MM`, UTC (proleptic Gregorian calendar).
fn utc_minute(t: SystemTime) -> String {
    let secs = match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    };
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days since 1970-01-01 to a civil date (H. Hinnant, "chrono-Compatible Low-Level
    // Date Algorithms").
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}", rem / 3600, rem % 3600 / 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_are_utc_to_the_minute() {
        let at = |s: u64| utc_minute(SystemTime::UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(0), "1970-01-01 00:00");
        // 2000-02-29 12:34:56 UTC, a leap day.
        assert_eq!(at(951_827_696), "2000-02-29 12:34");
        // 2026-12-01 05:33:59 UTC.
        assert_eq!(at(1_796_103_239), "2026-12-01 05:33");
    }

    #[test]
    fn the_last_run_is_read_back_from_the_index() {
        let html = "<meta name=\"schedsim-last-run\" content=\"a my%20b\">";
        assert_eq!(last_run_of(html), Some(vec!["a".to_string(), "my b".to_string()]));
        assert_eq!(last_run_of("<meta name=\"schedsim-last-run\" content=\"\">"), None);
        assert_eq!(chart_name("charts/response.png"), "response");
    }
}
