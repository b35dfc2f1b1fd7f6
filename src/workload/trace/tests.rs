//! Trace reading: formats, conventions, skips and errors.
use super::*;
use std::io::Write;

/// Replayed as `scale` says, estimates as requested, on a cluster of any width.
fn replay(scale: f64) -> Replay {
    Replay { scale, estimates: Estimates::Request, widest: u32::MAX }
}

/// The tests' files, in one folder removed when the test process ends.
static DIR: std::sync::LazyLock<tempfile::TempDir> =
    std::sync::LazyLock::new(|| tempfile::Builder::new().prefix("schedsim-trace-").tempdir().unwrap());

fn file(name: &str, text: &str) -> PathBuf {
    let path = DIR.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const SWF: &str = "; Version: 2.2\n; MaxProcs: 100\n\
    1 100 5 50 4 -1 -1 4 60 -1 1 1 1 1 1 -1 -1 -1\n\
    2 110 0 -1 2 -1 -1 2 30 -1 5 1 1 1 1 -1 -1 -1\n\
    3 110 0 20 8 -1 -1 -1 -1 -1 1 1 1 1 1 -1 -1 -1\n\
    \n\
    4 130 0 0 1 -1 -1 1 10 -1 1 1 1 1 1 -1 -1 -1\n";

#[test]
fn swf_jobs_shift_skip_cancelled_and_fall_back_to_requested_processors() {
    let path = file("a.swf", SWF);
    let trace = Trace::load(&path, replay(0.5)).unwrap();
    assert_eq!((trace.jobs, trace.skipped.total(), trace.first_submit, trace.span), (3, 1, 100.0, 30.0));
    assert_eq!(trace.skipped, Skipped { cancelled: 1, no_processors: 0, too_wide: 0 });
    assert_eq!((trace.max_procs, trace.max_nodes), (Some(100), None));
    assert_eq!(trace.work, 50.0 * 4.0 + 20.0 * 8.0);
    assert_eq!(trace.mean_rate(), 3.0 / 15.0);
    let mut r = trace.reader().unwrap();
    let jobs: Vec<TraceJob> = std::iter::from_fn(|| r.next_job().unwrap()).collect();
    assert_eq!(
        jobs[0],
        TraceJob { submit: 100.0, size: 50.0, estimate: Some(60.0), cores: Some(4), memory: None, limit: None }
    );
    assert_eq!(
        jobs[1],
        TraceJob { submit: 110.0, size: 20.0, estimate: None, cores: Some(8), memory: None, limit: None }
    );
    assert_eq!(jobs[2].size, 0.0);
}

/// The field's conventions: allocated processors (field 5) before requested (field 8),
/// a job with neither skipped, the request raised to the run time (or the run time
/// itself), and jobs wider than the widest node skipped; every skip counted by reason.
#[test]
fn swf_conventions_of_the_field() {
    let log = "; MaxProcs: 128\n; MaxNodes: 64\n\
        1 0 0 100 16 -1 -1 32 50 -1 1\n\
        2 5 0 30 -1 -1 -1 8 60 -1 1\n\
        3 6 0 30 -1 -1 -1 -1 60 -1 1\n\
        4 7 0 10 200 -1 -1 200 20 -1 1\n\
        5 8 0 -1 4 -1 -1 4 20 -1 0\n\
        6 9 0 40 2 -1 -1 2 -1 -1 1\n";
    let path = file("conventions.swf", log);
    let jobs = |estimates, widest| {
        let trace = Trace::load(&path, Replay { scale: 1.0, estimates, widest }).unwrap();
        let mut r = trace.reader().unwrap();
        let jobs: Vec<TraceJob> = std::iter::from_fn(|| r.next_job().unwrap()).collect();
        (trace, jobs)
    };
    let (trace, got) = jobs(Estimates::Request, 128);
    assert_eq!((trace.max_procs, trace.max_nodes), (Some(128), Some(64)));
    assert_eq!(trace.skipped, Skipped { cancelled: 1, no_processors: 1, too_wide: 1 });
    assert_eq!(trace.jobs, 3);
    let seen: Vec<(f64, Option<u32>, Option<f64>)> = got.iter().map(|j| (j.submit, j.cores, j.estimate)).collect();
    assert_eq!(
        seen,
        vec![
            // Allocated 16 of the 32 requested; ran 100 s of the 50 requested: raised.
            (0.0, Some(16), Some(100.0)),
            // No allocation given: the 8 requested; ran 30 of 60.
            (5.0, Some(8), Some(60.0)),
            // No request time: no estimate (the workload's rule applies).
            (9.0, Some(2), None),
        ]
    );
    let (_, kill) = jobs(Estimates::Kill, 128);
    let as_asked: Vec<(Option<f64>, Option<f64>)> = kill.iter().map(|j| (j.estimate, j.limit)).collect();
    assert_eq!(as_asked, vec![(Some(50.0), Some(50.0)), (Some(60.0), Some(60.0)), (None, None)]);
    let (_, exact) = jobs(Estimates::Exact, 128);
    assert_eq!(exact.iter().map(|j| j.estimate).collect::<Vec<_>>(), vec![Some(100.0), Some(30.0), Some(40.0)]);
    // On a narrower cluster the 16-wide job is skipped too.
    let (narrow, _) = jobs(Estimates::Request, 8);
    assert_eq!((narrow.jobs, narrow.skipped.too_wide), (2, 2));
}

#[test]
fn a_csv_estimate_of_zero_is_an_estimate() {
    let path = file("zero.csv", "arrival,size,estimate\n0,5,0\n1,5,\n");
    let trace = Trace::load(&path, replay(1.0)).unwrap();
    let mut r = trace.reader().unwrap();
    assert_eq!(r.next_job().unwrap().unwrap().estimate, Some(0.0));
    assert_eq!(r.next_job().unwrap().unwrap().estimate, None);
    let exact = Trace::load(&path, Replay { estimates: Estimates::Exact, ..replay(1.0) }).unwrap();
    assert_eq!(exact.reader().unwrap().next_job().unwrap().unwrap().estimate, Some(5.0));
}

#[test]
fn a_trace_with_nothing_to_replay_says_why() {
    let path = file("none.swf", "1 0 0 -1 4 -1 -1 4 10\n2 1 0 5 -1 -1 -1 -1 10\n");
    let e = Trace::load(&path, replay(1.0)).unwrap_err();
    assert!(e.message.contains("2 skipped (1 cancelled, 1 without processors, 0 wider than any node)"), "{e}");
    assert!(Estimates::parse("exactly").unwrap_err().message.contains("did you mean 'exact'"));
}

#[test]
fn gzipped_traces_read_the_same() {
    let path = DIR.path().join("b.swf.gz");
    let mut gz = flate2::write::GzEncoder::new(std::fs::File::create(&path).unwrap(), flate2::Compression::fast());
    gz.write_all(SWF.as_bytes()).unwrap();
    gz.finish().unwrap();
    let plain = Trace::load(&file("b.swf", SWF), replay(1.0)).unwrap();
    let zipped = Trace::load(&path, replay(1.0)).unwrap();
    assert_eq!((zipped.jobs, zipped.work, zipped.span), (plain.jobs, plain.work, plain.span));
}

#[test]
fn csv_columns_by_name_with_optional_cells() {
    let path = file("c.csv", "size,arrival,cores,estimate\n2.5,0,,\n1,0.5,3,1.5\n");
    let trace = Trace::load(&path, replay(1.0)).unwrap();
    let mut r = trace.reader().unwrap();
    let a = r.next_job().unwrap().unwrap();
    let b = r.next_job().unwrap().unwrap();
    assert_eq!(a, TraceJob { submit: 0.0, size: 2.5, estimate: None, cores: None, memory: None, limit: None });
    assert_eq!(b, TraceJob { submit: 0.5, size: 1.0, estimate: Some(1.5), cores: Some(3), memory: None, limit: None });
    assert!(r.next_job().unwrap().is_none());
    // Quoted fields, as spreadsheets write them.
    let quoted = file("q.csv", "\"arrival\",\"size\"\n\"1.5\",\"2\"\n");
    let job = Trace::load(&quoted, replay(1.0)).unwrap().reader().unwrap().next_job().unwrap().unwrap();
    assert_eq!((job.submit, job.size), (1.5, 2.0));
}

/// Every error names the file and line, and the field, and says what was expected.
#[test]
fn bad_traces_name_the_file_line_and_field() {
    let cases = [
        ("d.swf", "1 100 0 x 1\n", ":1: field 4 (run time): expected a number, got 'x'"),
        ("e.swf", "; h\n1 100 0 5\n", ":2: expected at least 5"),
        ("f.swf", "1 100 0 5 1\n2 90 0 5 1\n", ":2: submit times go backwards"),
        (
            "g.csv",
            "arival,size\n",
            ":1: column 1: unknown column 'arival'; did you mean 'arrival'? (expected one of: arrival,",
        ),
        ("h.csv", "arrival,size\n1,-2\n", ":2: column 2 (size): expected a number >= 0, got '-2'"),
        ("i.csv", "arrival\n", "the header has no column 'size'"),
        ("j.swf", "; only a header\n", "holds no job to replay"),
        ("k.txt", "1\n", "expected a trace file ending in .swf or .csv"),
    ];
    for (name, text, expected) in cases {
        let err = Trace::load(&file(name, text), replay(1.0)).unwrap_err();
        assert_eq!(err.path, "path");
        assert!(err.message.contains(expected), "{name}: {}", err.message);
        if name != "k.txt" {
            assert!(err.message.contains(name), "{name}: {}", err.message);
        }
    }
    assert!(err_contains(Trace::load(&file("l.csv", "arrival,size\n1,1\n"), replay(0.0)), "scale"));
}

fn err_contains(r: Result<Trace, FieldError>, path: &str) -> bool {
    r.is_err_and(|e| e.path == path)
}
