//! The pages: escaping in HTML and Markdown, the summary's main columns and the rest,
//! charts before the long tables, every file linked, swatches drawn as the policies'
//! bars; the index's times, stale folders and thumbnails.

use super::*;

/// The text of each `<table ...>...</table>` of `html`, in order.
fn tables_of(html: &str) -> Vec<&str> {
    html.split("<table").skip(1).map(|t| &t[..t.find("</table>").unwrap()]).collect()
}

/// The header cells of a table's first row.
fn head_of(table: &str) -> Vec<String> {
    let row = &table[table.find("<tr>").unwrap()..table.find("</tr>").unwrap()];
    let cell = |c: &str| c[c.find('>').unwrap() + 1..c.find("</th>").unwrap()].replace("&#x2f;", "/");
    row.split("<th").skip(1).map(cell).collect()
}

#[test]
fn html_and_markdown_escape_what_they_show() {
    let tmp = tempfile::tempdir().unwrap();
    write_fixture(tmp.path(), false);
    let toml = tmp.path().join("scenario.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let text = text.replace("A fixture: nine balancers", "<script>x</script> | *bold* [link] nine balancers");
    std::fs::write(&toml, text).unwrap();
    render_scenario(tmp.path()).unwrap();
    let html = std::fs::read_to_string(tmp.path().join("report.html")).unwrap();
    let md = std::fs::read_to_string(tmp.path().join("report.md")).unwrap();
    assert!(!html.contains("<script>x"), "the description is not escaped in HTML");
    assert!(html.contains("&lt;script&gt;x&lt;&#x2f;script&gt; | *bold*"), "{}", &html[..2000]);
    assert!(md.contains("\\<script\\>x\\</script\\> \\| \\*bold\\* \\[link\\]"), "{md}");
    // In the scenario file, as it was run: escaped in HTML, verbatim in a Markdown code block.
    assert!(html.contains("description = &quot;&lt;script&gt;"));
    assert!(md.contains("description = \"<script>x</script> | *bold*"));
    // Every Markdown table row has as many cells as its header.
    for block in md.split("\n\n").filter(|b| b.starts_with("| ")) {
        let cells = |l: &str| l.replace("\\|", "").matches('|').count();
        let lines: Vec<&str> = block.lines().collect();
        assert!(lines.iter().all(|l| cells(l) == cells(lines[0])), "{block}");
    }
}

#[test]
fn the_summary_shows_its_main_columns_then_the_rest_and_charts_before_long_tables() {
    let tmp = tempfile::tempdir().unwrap();
    write_fixture(tmp.path(), false);
    render_scenario(tmp.path()).unwrap();
    let html = std::fs::read_to_string(tmp.path().join("report.html")).unwrap();
    let tables = tables_of(&html);
    let main = head_of(tables[0]);
    assert!(tables[0].starts_with(" class=\"summary\""), "the summary table comes first");
    assert_eq!(main[0], "policy");
    for col in ["mean response (s)", "p99 (s)", "throughput (tasks/s)", "utilization"] {
        assert!(main.iter().any(|c| c == col), "{col} is not among the main columns {main:?}");
    }
    assert!(!main.iter().any(|c| c == "p50 (s)" || c == "completed"), "{main:?}");
    let rest = head_of(tables[1]);
    assert!(tables[1].starts_with(" class=\"summary-rest\""));
    assert!(rest.iter().any(|c| c == "p50 (s)") && rest.iter().any(|c| c == "completed"), "{rest:?}");
    assert!(!rest.iter().any(|c| c == "mean response (s)"), "{rest:?}");
    let details = html.find("<details class=\"all-columns\">").expect("the other columns behind a details element");
    assert!(details < html.find("<table class=\"summary-rest\"").unwrap());
    let figure = html.find("<figure").unwrap();
    for later in ["<h2 id=\"classes\">", "<h2 id=\"run\">", "<h2 id=\"files\">"] {
        assert!(figure < html.find(later).unwrap(), "{later} comes before the charts");
    }
    // The Markdown report has both tables too.
    let md = std::fs::read_to_string(tmp.path().join("report.md")).unwrap();
    assert!(md.contains("### All columns") && md.find("## Charts").unwrap() < md.find("## Per task class").unwrap());
}

#[test]
fn every_file_of_the_folder_is_linked() {
    let tmp = tempfile::tempdir().unwrap();
    write_fixture(tmp.path(), false);
    render_scenario(tmp.path()).unwrap();
    let html = std::fs::read_to_string(tmp.path().join("report.html")).unwrap();
    let md = std::fs::read_to_string(tmp.path().join("report.md")).unwrap();
    let mut linked = 0;
    for entry in std::fs::read_dir(tmp.path()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".csv") || name == "scenario.toml" {
            assert!(html.contains(&format!("<a href=\"{name}\">{name}</a>")), "{name} is not linked in report.html");
            assert!(md.contains(&format!("]({name})")), "{name} is not linked in report.md");
            linked += 1;
        }
    }
    assert!(linked >= 7, "{linked}");
}

#[test]
fn each_policy_s_swatch_is_drawn_as_its_bars() {
    let tmp = tempfile::tempdir().unwrap();
    // Nine balancers: the eighth and ninth repeat the palette, light with an edge.
    write_fixture(tmp.path(), false);
    render_scenario(tmp.path()).unwrap();
    let html = std::fs::read_to_string(tmp.path().join("report.html")).unwrap();
    let summary = tables_of(&html)[0];
    let rows: Vec<&str> = summary.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 9);
    for (i, row) in rows.iter().enumerate() {
        assert!(row.contains(&chart::swatch_svg(i)), "row {i} lacks the swatch of policy {i}");
    }
    assert!(rows[7].contains("fill-opacity=\"0.35\" stroke=") && !rows[0].contains("stroke="));
}

#[test]
fn the_index_dates_each_folder_marks_stale_ones_and_keeps_the_last_run_for_plot() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["alpha", "old", "zeta"] {
        write_fixture(&tmp.path().join(name), name == "alpha");
        render_scenario(&tmp.path().join(name)).unwrap();
    }
    let run = ["alpha".to_string(), "zeta".to_string()];
    render_index(tmp.path(), Some(&run)).unwrap();
    let check = |html: &str| {
        let row = |name: &str| {
            let at = html.find(&format!("<a href=\"{name}/report.html\">{name}</a>")).unwrap();
            &html[html[..at].rfind("<tr").unwrap()..at + html[at..].find("</tr>").unwrap()]
        };
        assert!(row("old").contains("(not in the last run)") && row("old").starts_with("<tr class=\"stale\""));
        assert!(!row("alpha").contains("not in the last run") && !row("zeta").contains("not in the last run"));
        // A time like 2026-12-01 05:33, to the minute.
        let written = |r: &str| r.split("<td class=\"l\">").nth(2).unwrap()[..16].to_string();
        let w = written(row("zeta"));
        assert!(w.as_bytes()[4] == b'-' && w.as_bytes()[10] == b' ' && w.as_bytes()[13] == b':', "{w}");
        // The main chart as a thumbnail: p99 against the sweep, or the response bars.
        assert!(row("alpha").contains("<img class=\"thumb\" src=\"alpha/charts/latency_p99.png\""));
        assert!(row("zeta").contains("src=\"zeta/charts/response.png\""));
    };
    let read = || std::fs::read_to_string(tmp.path().join("index.html")).unwrap().replace("&#x2f;", "/");
    check(&read());
    // `plot` does not know the run: the index keeps the list it had.
    render_index(tmp.path(), None).unwrap();
    check(&read());
    // Without a list, nothing is marked.
    std::fs::remove_file(tmp.path().join("index.html")).unwrap();
    render_index(tmp.path(), None).unwrap();
    assert!(!std::fs::read_to_string(tmp.path().join("index.html")).unwrap().contains("not in the last run"));
}
