//! Tests of the charts and reports, on fixture folders written here: the fixtures and
//! checks shared by the tests of the folder (`render.rs`), the pages (`pages.rs`) and
//! the time-series chart in a failure storm (`storm.rs`).

mod pages;
mod render;
mod storm;

use super::*;

/// A deterministic "noise" in [0, 1).
fn noise(i: usize) -> f64 {
    ((i as f64 * 12.9898).sin() * 43_758.545_3).fract().abs()
}

const QUANTILES: [f64; 16] =
    [0.001, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999];

/// Writes a results folder shaped like `schedsim run`'s: a load sweep over 2
/// disciplines × 2 balancers, or no sweep with 9 balancers (more than the palette),
/// task classes, node failures and two node groups.
fn write_fixture(dir: &Path, sweep: bool) {
    std::fs::create_dir_all(dir).unwrap();
    let name = if sweep { "load-sweep" } else { "farm" };
    let (disciplines, balancers): (&[&str], &[&str]) = if sweep {
        (&["fifo", "sjf"], &["random", "least_connections"])
    } else {
        (
            &["fifo"],
            &[
                "random",
                "round_robin",
                "least_connections",
                "join_shortest_queue",
                "power_of_two",
                "least_work_left",
                "join_idle_queue",
                "best_fit",
                "min_completion_time",
            ],
        )
    };
    let loads: &[f64] = if sweep { &[0.5, 0.6, 0.7, 0.8, 0.9, 0.95] } else { &[0.7] };
    let reps = if sweep { 5 } else { 3 };
    let lead = |load: f64, d: &str, b: &str| {
        if sweep {
            format!("{name},load,{load},{d},{b}")
        } else {
            format!("{name},{d},{b}")
        }
    };
    let head = |rest: &str| {
        if sweep {
            format!("scenario,sweep_parameter,sweep_value,discipline,balancer,{rest}\n")
        } else {
            format!("scenario,discipline,balancer,{rest}\n")
        }
    };
    let mut summary = head("replications,tasks_arrived,tasks_completed,tasks_failed,tasks_in_system,throughput,throughput_ci95,mean_response,mean_response_ci95,p50_response,p95_response,p99_response,p99_response_ci95,p999_response,max_response,mean_wait,mean_slowdown,utilization,utilization_ci95,imbalance,deadline_misses,retries");
    let mut runs = head("replication,seed,tasks_arrived,throughput,mean_response");
    let mut classes = head("class,priority,replications,tasks_completed,mean_response,mean_response_ci95,p50_response,p95_response,p99_response,max_response,deadline_misses");
    let mut cdf = head("quantile,response");
    let mut ts = head(
        "replication,window_start,window_end,arrivals,completions,throughput,mean_response,tasks_in_system,nodes_up",
    );
    let mut events = head("replication,time,node,group,event");
    let mut nodes = head("node,group,utilization");
    let mut k = 0;
    for &load in loads {
        for d in disciplines {
            for b in balancers {
                let q = 1.0 + 0.45 * k as f64 % 5.0 + 0.2 * (d == &"fifo") as u8 as f64;
                let mean = 0.5 * q / (1.0 - load);
                let tput = 40.0 * load;
                let failed = if b == &"random" { 12 } else { 0 };
                summary.push_str(&format!(
                    "{},{reps},{},{},{failed},0,{},{},{mean},{},{},{},{},{},{},{},{},{},{load},{},{},{},7\n",
                    lead(load, d, b),
                    20000 * reps,
                    20000 * reps - failed,
                    tput,
                    tput * 0.004,
                    mean * 0.08,
                    mean * 0.6,
                    mean * 2.6,
                    mean * 4.4,
                    mean * 4.4 * 0.12,
                    mean * 7.0,
                    mean * 15.0,
                    mean * 0.8,
                    q * 3.0,
                    0.01,
                    0.1 + 0.05 * (k % 4) as f64,
                    if sweep { 0 } else { k * 3 },
                ));
                for rep in 0..reps {
                    runs.push_str(&format!(
                        "{},{rep},{},20000,{},{}\n",
                        lead(load, d, b),
                        1_000_003 * (rep + 1),
                        tput,
                        mean * (0.95 + 0.1 * noise(k * 10 + rep))
                    ));
                }
                if !sweep {
                    for (c, (class, prio, f)) in [("interactive", 0, 0.4), ("batch", 1, 1.3)].iter().enumerate() {
                        classes.push_str(&format!(
                            "{},{class},{prio},{reps},{},{},{},{},{},{},{},{}\n",
                            lead(load, d, b),
                            10000 * reps,
                            mean * f,
                            mean * f * 0.1,
                            mean * f * 0.6,
                            mean * f * 2.5,
                            mean * f * 4.0,
                            mean * f * 14.0,
                            if c == 0 { k * 2 } else { 0 }
                        ));
                    }
                }
                for qq in QUANTILES {
                    cdf.push_str(&format!("{},{qq},{}\n", lead(load, d, b), mean * -(1.0 - qq).ln()));
                }
                for w in 0..60 {
                    let t0 = w as f64 * 10.0;
                    let down = (200.0..320.0).contains(&t0) || (410.0..470.0).contains(&t0);
                    let bump = if down { 6.0 + 2.0 * k as f64 % 7.0 } else { 0.0 };
                    ts.push_str(&format!(
                        "{},0,{t0},{},{},{},{},{},{},{}\n",
                        lead(load, d, b),
                        t0 + 10.0,
                        (tput * 10.0) as u64,
                        (tput * 10.0) as u64,
                        tput * (0.9 + 0.2 * noise(w + 100 * k)),
                        mean,
                        q * 4.0 + 3.0 * noise(w * 7 + k) + bump,
                        if down { 15 } else { 16 },
                    ));
                }
                for (t, node, group, ev) in [
                    (200.0, 3, "fast", "crash"),
                    (320.0, 3, "fast", "recover"),
                    (410.0, 9, "slow", "crash"),
                    (470.0, 9, "slow", "recover"),
                ] {
                    events.push_str(&format!("{},0,{t},{node},{group},{ev}\n", lead(load, d, b)));
                }
                for n in 0..16 {
                    let fast = n < 4;
                    let u = if b == &"random" || b == &"round_robin" {
                        if fast {
                            load * 0.45
                        } else {
                            (load * 1.25).min(0.99)
                        }
                    } else {
                        load * (0.9 + 0.15 * noise(n + 31 * k))
                    };
                    nodes.push_str(&format!(
                        "{},{n},{},{}\n",
                        lead(load, d, b),
                        if fast { "fast" } else { "slow" },
                        u.min(1.0)
                    ));
                }
                k += 1;
            }
        }
        k = 0;
    }
    let files = [
        ("summary.csv", summary),
        ("runs.csv", runs),
        ("cdf.csv", cdf),
        ("timeseries.csv", ts),
        ("events.csv", events),
        ("nodes.csv", nodes),
        (
            "scenario.toml",
            format!(
                "name = \"{name}\"\ndescription = \"A fixture: {}\"\nseed = 7\nreplications = {reps}\n\n[run]\ntasks = 20_000\n",
                if sweep { "load sweep <0.5 to 0.95> & two disciplines" } else { "nine balancers, failures & classes" }
            ),
        ),
    ];
    for (f, text) in files {
        std::fs::write(dir.join(f), text).unwrap();
    }
    if !sweep {
        std::fs::write(dir.join("classes.csv"), classes).unwrap();
    }
}

fn is_svg(bytes: &[u8]) -> bool {
    let s = std::str::from_utf8(bytes).unwrap();
    s.starts_with("<svg") && s.trim_end().ends_with("</svg>") && s.matches("<svg").count() == 1 && s.contains("<text")
}

/// PNG signature, an IHDR of the chart's size, and the IEND chunk last.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let sig = [137u8, 80, 78, 71, 13, 10, 26, 10];
    if bytes.len() < 45
        || bytes[..8] != sig
        || &bytes[12..16] != b"IHDR"
        || &bytes[bytes.len() - 8..bytes.len() - 4] != b"IEND"
    {
        return None;
    }
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    Some((be(16), be(20)))
}

fn stems(r: &Rendered) -> Vec<String> {
    let mut v: Vec<String> = r
        .files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn check_folder(dir: &Path, rendered: &Rendered) {
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    for stem in stems(rendered) {
        let svg = std::fs::read(dir.join(format!("charts/{stem}.svg"))).unwrap();
        let png = std::fs::read(dir.join(format!("charts/{stem}.png"))).unwrap();
        assert!(is_svg(&svg), "{stem}.svg is not a whole SVG document");
        assert_eq!(png_size(&png), Some((chart::WIDTH, chart::HEIGHT)), "{stem}.png");
        assert!(html.contains(std::str::from_utf8(&svg).unwrap().trim_end()), "report.html does not inline {stem}.svg");
        assert!(md.contains(&format!("](charts/{stem}.png)")), "report.md does not link {stem}.png");
    }
    // No scratch files left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
