//! Rendering a folder: which charts, byte-identical redraws, stale charts removed,
//! bad input named, the index.

use super::*;
#[test]
fn a_folder_without_sweep_gets_every_single_point_chart() {
    let tmp = tempfile::tempdir().unwrap();
    write_fixture(tmp.path(), false);
    let rendered = render_scenario(tmp.path()).unwrap();
    assert_eq!(stems(&rendered), ["ccdf", "cdf", "node_utilization", "response", "throughput", "timeseries"]);
    assert_eq!(rendered.files.len(), 14);
    check_folder(tmp.path(), &rendered);
    let html = std::fs::read_to_string(tmp.path().join("report.html")).unwrap();
    for needle in [
        "Per task class",
        "interactive",
        "schedsim run scenario.toml",
        "seeds by replication",
        env!("CARGO_PKG_VERSION"),
        "± ",
        "deadline misses",
        "failed",
    ] {
        assert!(html.contains(needle), "report.html lacks {needle:?}");
    }
    // Nine policies: the table gives each its chart marker.
    assert!(html.contains(&chart::swatch_svg(8)));
    let svg = std::fs::read_to_string(tmp.path().join("charts/timeseries.svg")).unwrap();
    assert!(svg.contains("\ncrash\n") && svg.contains("\nrecover\n"), "failure events are not in the legend");
}

#[test]
fn a_swept_folder_adds_latency_charts_and_says_which_point_the_others_show() {
    let tmp = tempfile::tempdir().unwrap();
    write_fixture(tmp.path(), true);
    let rendered = render_scenario(tmp.path()).unwrap();
    assert_eq!(
        stems(&rendered),
        ["ccdf", "cdf", "latency_mean", "latency_p99", "node_utilization", "response", "throughput", "timeseries"]
    );
    check_folder(tmp.path(), &rendered);
    let svg = std::fs::read_to_string(tmp.path().join("charts/response.svg")).unwrap();
    assert!(svg.contains("at load = 0.95"));
    let svg = std::fs::read_to_string(tmp.path().join("charts/latency_mean.svg")).unwrap();
    assert!(svg.contains("fifo / random") && svg.contains("log scale"));
    let md = std::fs::read_to_string(tmp.path().join("report.md")).unwrap();
    assert!(md.contains("| load | policy |"));
    assert!(md.contains("load sweep \\<0.5 to 0.95\\> & two disciplines"), "{md}");
    let html = std::fs::read_to_string(tmp.path().join("report.html")).unwrap();
    assert!(html.contains("load sweep &lt;0.5 to 0.95&gt; &amp; two disciplines"));
}

#[test]
fn rendering_twice_gives_identical_bytes_and_plot_redraws_from_csv_alone() {
    let tmp = tempfile::tempdir().unwrap();
    write_fixture(tmp.path(), true);
    let first = render_scenario(tmp.path()).unwrap();
    let bytes: Vec<Vec<u8>> = first.files.iter().map(|p| std::fs::read(p).unwrap()).collect();
    // Throw away everything drawn; the CSVs alone must give the same files back.
    std::fs::remove_dir_all(tmp.path().join("charts")).unwrap();
    std::fs::remove_file(tmp.path().join("report.html")).unwrap();
    let second = render_scenario(tmp.path()).unwrap();
    assert_eq!(first, second);
    for (p, b) in second.files.iter().zip(&bytes) {
        assert!(std::fs::read(p).unwrap() == *b, "{} differs between renders", p.display());
    }
}

#[test]
fn a_minimal_summary_is_enough() {
    // The older summary.csv shape: no sweep, no CI columns but one, no other files.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("summary.csv"),
        "scenario,discipline,balancer,replications,throughput,mean_response,mean_response_ci95,p99_response\n\
         mm1,fifo,random,1,0.9,10.2,,80.1\nmm1,fifo,round_robin,1,0.9,9.8,,75.0\n",
    )
    .unwrap();
    let rendered = render_scenario(tmp.path()).unwrap();
    assert_eq!(stems(&rendered), ["response", "throughput"]);
    check_folder(tmp.path(), &rendered);
    let md = std::fs::read_to_string(tmp.path().join("report.md")).unwrap();
    assert!(md.contains("| random | 10.20 | 80.10 | 0.9000 |"), "{md}");
    assert!(md.contains("| random | 1 |"), "the other columns: {md}");
    assert!(md.contains("One replication") || md.contains("no interval"));
}

#[test]
fn stale_charts_of_an_earlier_shape_are_removed() {
    let tmp = tempfile::tempdir().unwrap();
    write_fixture(tmp.path(), true);
    render_scenario(tmp.path()).unwrap();
    std::fs::remove_file(tmp.path().join("cdf.csv")).unwrap();
    let rendered = render_scenario(tmp.path()).unwrap();
    assert!(!stems(&rendered).contains(&"cdf".to_string()));
    assert!(!tmp.path().join("charts/cdf.png").exists());
}

fn error_of(summary: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("summary.csv"), summary).unwrap();
    let e = render_scenario(tmp.path()).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("summary.csv"), "error does not name the file: {text}");
    text
}

#[test]
fn bad_input_is_an_error_naming_file_line_and_column() {
    let t = error_of("discipline,balancer,mean_response\nfifo,random,1.0\nfifo,jsq,fast\n");
    assert!(t.contains("summary.csv:3") && t.contains("mean_response") && t.contains("'fast'"), "{t}");
    let t = error_of("discipline,balancer,mean_response\nfifo,random,1.0,7\n");
    assert!(t.contains("summary.csv:2") && t.contains("fields"), "{t}");
    let t = error_of("discipline,mean_response\nfifo,1.0\n");
    assert!(t.contains("'balancer'"), "{t}");
    let t = error_of("discipline,balancer\n,random\n");
    assert!(t.contains("summary.csv:2") && t.contains("discipline"), "{t}");
    error_of("");

    let tmp = tempfile::tempdir().unwrap();
    let e = render_scenario(tmp.path()).unwrap_err();
    assert!(matches!(e, OutputError::Missing { .. }) && e.to_string().contains("summary.csv"));

    // An optional file is checked as strictly as the summary.
    write_fixture(tmp.path(), false);
    std::fs::write(tmp.path().join("cdf.csv"), "discipline,balancer,quantile,response\nfifo,random,0.5,x\n").unwrap();
    let t = render_scenario(tmp.path()).unwrap_err().to_string();
    assert!(t.contains("cdf.csv:2") && t.contains("response"), "{t}");
    std::fs::write(tmp.path().join("cdf.csv"), "discipline,balancer,quantile\n").unwrap();
    let t = render_scenario(tmp.path()).unwrap_err().to_string();
    assert!(t.contains("cdf.csv") && t.contains("'response'"), "{t}");
    std::fs::write(tmp.path().join("cdf.csv"), b"discipline,balancer,quantile,response\n\xff,random,0.5,1\n").unwrap();
    let t = render_scenario(tmp.path()).unwrap_err().to_string();
    assert!(t.contains("cdf.csv:2") && t.contains("UTF-8"), "{t}");
}

#[test]
fn the_index_links_every_rendered_scenario_in_name_order() {
    let tmp = tempfile::tempdir().unwrap();
    write_fixture(&tmp.path().join("zeta"), false);
    write_fixture(&tmp.path().join("alpha"), true);
    std::fs::create_dir_all(tmp.path().join("not-rendered")).unwrap();
    render_scenario(&tmp.path().join("zeta")).unwrap();
    render_scenario(&tmp.path().join("alpha")).unwrap();
    let path = render_index(tmp.path(), None).unwrap();
    assert_eq!(path, tmp.path().join("index.html"));
    let html = std::fs::read_to_string(&path).unwrap();
    let (a, z) = (html.find("alpha/report.html").unwrap(), html.find("zeta/report.html").unwrap());
    assert!(a < z);
    assert!(!html.contains("not-rendered"));
    assert!(html.contains("nine balancers, failures &amp; classes"));
    assert!(render_index(&tmp.path().join("missing"), None).unwrap_err().to_string().contains("missing"));
}

/// Renders the fixtures (and any folders named in `SCHEDSIM_RENDER`, separated by
/// `:`) into `SCHEDSIM_FIXTURE_OUT` (default `target/chart-fixtures`), to look at.
#[test]
#[ignore = "writes example reports to look at"]
fn write_fixture_reports() {
    let out = PathBuf::from(std::env::var("SCHEDSIM_FIXTURE_OUT").unwrap_or_else(|_| "target/chart-fixtures".into()));
    for (name, sweep) in [("farm", false), ("load-sweep", true)] {
        write_fixture(&out.join(name), sweep);
        render_scenario(&out.join(name)).unwrap();
    }
    super::storm::write_storm(&out.join("storm"), true);
    render_scenario(&out.join("storm")).unwrap();
    if let Ok(dirs) = std::env::var("SCHEDSIM_RENDER") {
        for d in dirs.split(':').filter(|d| !d.is_empty()) {
            render_scenario(Path::new(d)).unwrap();
        }
    }
    render_index(&out, None).unwrap();
}
