//! The pages in a real browser: headless Chromium opens each report and the index of
//! a run of three scenarios (classes and a heavy tail; failures and a sweep; a
//! central-mode cluster with its Gantt chart) in a 1,400-pixel window and says, from
//! a script added to a copy of each page, whether the page is wider than the window,
//! whether the summary table fits without scrolling, how many charts it shows, and
//! whether the index's thumbnails load; every relative link of the pages is checked
//! to name a file of the folder.
//!
//! It needs Chromium (Debian's `chromium`, which `.ci/run` installs). In CI (`CI=true`)
//! a missing browser fails the test; elsewhere the test says why it is skipped and
//! passes.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The window the pages must fit.
const WIDTH: u32 = 1400;

fn browser() -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = path.split(':').map(PathBuf::from).chain([PathBuf::from("/usr/bin")]).collect();
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| dirs.iter().map(move |d| d.join(name)))
        .find(|p| p.is_file())
}

/// What the script added to a page measures, written to its title.
const PROBE: &str = r#"<script>
window.addEventListener("load", () => {
  const summary = document.querySelector("table.summary");
  const wrap = summary ? summary.parentElement : null;
  const images = [...document.images];
  document.title = [
    "scroll=" + document.documentElement.scrollWidth,
    "summary=" + (summary ? Math.ceil(summary.getBoundingClientRect().right) + "/" + wrap.scrollWidth + "/" + wrap.clientWidth : "none"),
    "figures=" + document.querySelectorAll("figure > svg").length,
    "images=" + images.filter(i => i.complete && i.naturalWidth > 0).length + "/" + images.length,
  ].join(";");
});
</script>
"#;

/// Opens `page` (a copy with [`PROBE`] added, beside it so its links stay relative) in
/// headless Chromium and returns the probe's measures by name.
fn measure(chromium: &Path, page: &Path) -> Vec<(String, String)> {
    let html = std::fs::read_to_string(page).unwrap();
    let probe = page.with_file_name(".probe.html");
    std::fs::write(&probe, html.replace("</body>", &format!("{PROBE}</body>"))).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--virtual-time-budget=5000",
            &format!("--window-size={WIDTH},900"),
            &format!("--user-data-dir={}", profile.path().display()),
            "--dump-dom",
        ])
        .arg(format!("file://{}", probe.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium.display()));
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            // Only the process this test started, by its handle.
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish with {} in 120 s", page.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let dom = reader.join().unwrap();
    std::fs::remove_file(&probe).unwrap();
    let title = dom
        .split_once("<title>")
        .and_then(|(_, t)| t.split_once("</title>"))
        .map(|(t, _)| t.to_string())
        .unwrap_or_else(|| panic!("no title in the DOM of {}:\n{}", page.display(), &dom[..dom.len().min(2000)]));
    assert!(title.starts_with("scroll="), "the probe did not run in {}: title {title:?}", page.display());
    eprintln!("{}: {title}", page.display());
    title.split(';').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn get<'a>(m: &'a [(String, String)], key: &str) -> &'a str {
    &m.iter().find(|(k, _)| k == key).unwrap().1
}

/// Every relative `href` and `src` of `page`, percent-decoded, names a file beside it.
fn check_links(page: &Path) -> usize {
    let html = std::fs::read_to_string(page).unwrap().replace("&#x2f;", "/");
    let dir = page.parent().unwrap();
    let mut checked = 0;
    for attr in ["href=\"", "src=\""] {
        for part in html.split(attr).skip(1) {
            let link = &part[..part.find('"').unwrap()];
            if link.starts_with('#') || link.contains("://") || link.starts_with("data:") {
                continue;
            }
            let decoded = percent_decode(link);
            assert!(dir.join(&decoded).is_file(), "{} links {link}, which is not there", page.display());
            checked += 1;
        }
    }
    checked
}

fn percent_decode(s: &str) -> String {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn reports_and_index_fit_a_1400_pixel_window_and_their_links_resolve() {
    let Some(chromium) = browser() else {
        let why = "no chromium installed (apt-get install chromium)";
        let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(!ci, "the browser test must run in CI, but {why}");
        eprintln!("skipping the browser test: {why}");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("results");
    Command::cargo_bin("schedsim")
        .unwrap()
        .args(["run", "-q", "-o"])
        .arg(&out)
        .args(["tests/data/small.toml", "tests/data/stormy.toml", "tests/data/cluster/central.toml"])
        .assert()
        .success();
    for name in ["small", "stormy", "central"] {
        let page = out.join(name).join("report.html");
        let m = measure(&chromium, &page);
        let scroll: u32 = get(&m, "scroll").parse().unwrap();
        assert!(scroll <= WIDTH, "{name}: the page is {scroll} px wide, wider than the {WIDTH} px window");
        let summary: Vec<u32> = get(&m, "summary").split('/').map(|v| v.parse().unwrap()).collect();
        assert!(summary[0] <= WIDTH, "{name}: the summary table ends at {} px", summary[0]);
        assert!(
            summary[1] <= summary[2],
            "{name}: the summary table scrolls ({} px in a box of {} px)",
            summary[1],
            summary[2]
        );
        let charts = std::fs::read_dir(out.join(name).join("charts"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "svg"))
            .count();
        assert!(charts >= 4, "{name}: {charts} charts");
        assert_eq!(get(&m, "figures"), charts.to_string(), "{name}: not every chart is in the page");
        assert!(check_links(&page) >= 8, "{name}: too few links");
    }
    let index = out.join("index.html");
    let m = measure(&chromium, &index);
    let scroll: u32 = get(&m, "scroll").parse().unwrap();
    assert!(scroll <= WIDTH, "the index is {scroll} px wide");
    assert_eq!(get(&m, "images"), "3/3", "a thumbnail of the index did not load");
    assert!(check_links(&index) >= 9);
}
