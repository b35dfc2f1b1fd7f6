//! Job traces: arrivals (and sizes, estimates, cores) replayed from a log.
//!
//! Two formats, chosen by the file's extension (`.swf`, `.csv`, either `.gz`):
//! - **SWF**, the Standard Workload Format of the Parallel Workloads Archive (Chapin et
//!   al., "Benchmarks and standards for the evaluation of parallel job schedulers",
//!   JSSPP 1999): one job a line, whitespace-separated fields, `;` header lines.
//!   A job arrives at its submit time (field 2), its size is its run time (field 4:
//!   seconds on the traced machine, so work units on a node of speed 1), its cores the
//!   processors it requested (field 8), or was allocated (field 5) when that is -1, and
//!   its size estimate the time it requested (field 9) when the log has one. Cancelled
//!   jobs (run time -1) are skipped and counted; memory fields are not read (their
//!   units differ between logs).
//! - **CSV** with a header: `arrival` and `size` (required), `estimate`, `cores`,
//!   `memory` (optional; empty cells mean "not given").
//!
//! What a trace does not give comes from `[workload]` as for generated arrivals
//! (classes, priorities, deadlines, and cores, memory and estimates it lacks).
//!
//! A trace is checked whole when the scenario is read (every error names the file, the
//! line and the field), then streamed during each run: memory does not grow with its
//! length. Arrival times are shifted so the first job arrives at 0, and multiplied by
//! `scale` (below 1 compresses the trace: a higher load).

use crate::diagnostic::{unknown, FieldError};
use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// One job of a trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TraceJob {
    /// Arrival time in the file's own clock (before shifting and scaling).
    pub submit: f64,
    /// Work units (run time at speed 1), >= 0.
    pub size: f64,
    /// The size the scheduler believes, if the trace gives one (> 0).
    pub estimate: Option<f64>,
    /// Cores, if the trace gives them (>= 1).
    pub cores: Option<u32>,
    /// Memory, if the trace gives it (>= 0).
    pub memory: Option<f64>,
}

/// The format of a trace file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceFormat {
    /// Standard Workload Format.
    Swf,
    /// Comma-separated values with a header.
    Csv,
}

/// A checked trace: where it is and what it holds. Cheap to clone.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: TraceFormat,
    /// Arrival times are multiplied by this (> 0).
    pub scale: f64,
    /// Jobs replayed.
    pub jobs: u64,
    /// Jobs skipped (SWF: cancelled, run time -1).
    pub skipped: u64,
    /// The first job's submit time (arrivals are shifted by it).
    pub first_submit: f64,
    /// Last submit minus first, in the file's clock.
    pub span: f64,
    /// Sum over jobs of size x cores (for the offered load); cores a job does not
    /// give count as 1.
    pub work: f64,
    /// Sum of the jobs' sizes.
    pub total_size: f64,
}

impl Trace {
    /// Reads and checks the whole trace at `path`. Errors name the file, the line and
    /// the field, and say what was expected.
    pub fn load(path: &Path, scale: f64) -> Result<Trace, FieldError> {
        if !(scale.is_finite() && scale > 0.0) {
            return Err(FieldError::new("scale", format!("expected a number > 0, got {scale}")));
        }
        let format = format_of(path)?;
        let mut reader = TraceReader::open(path, format)?;
        let mut trace = Trace {
            path: path.to_path_buf(),
            format,
            scale,
            jobs: 0,
            skipped: 0,
            first_submit: 0.0,
            span: 0.0,
            work: 0.0,
            total_size: 0.0,
        };
        let mut last = f64::NEG_INFINITY;
        while let Some(job) = reader.next_job()? {
            if job.submit < last {
                return Err(At { path, line: reader.line }.error(format!(
                    "submit times go backwards ({} after {last}): a trace must be sorted by submit time \
                     (for SWF: `grep -v '^;' FILE | sort -s -n -k2`)",
                    job.submit
                )));
            }
            if trace.jobs == 0 {
                trace.first_submit = job.submit;
            }
            last = job.submit;
            trace.jobs += 1;
            trace.work += job.size * f64::from(job.cores.unwrap_or(1));
            trace.total_size += job.size;
        }
        trace.skipped = reader.skipped;
        if trace.jobs == 0 {
            return Err(FieldError::new("path", format!("'{}' holds no jobs", path.display())));
        }
        trace.span = last - trace.first_submit;
        Ok(trace)
    }

    /// Jobs per second of the replayed (scaled) clock; infinite if every job arrives
    /// at once.
    pub fn mean_rate(&self) -> f64 {
        if self.span > 0.0 {
            self.jobs as f64 / (self.span * self.scale)
        } else {
            f64::INFINITY
        }
    }

    /// Mean size per job.
    pub fn mean_size(&self) -> f64 {
        self.total_size / self.jobs as f64
    }

    /// Mean size x cores per job.
    pub fn mean_work(&self) -> f64 {
        self.work / self.jobs as f64
    }

    /// A reader of the jobs from the start, for one run.
    pub fn reader(&self) -> Result<TraceReader, FieldError> {
        TraceReader::open(&self.path, self.format)
    }
}

/// The format named by `path`'s extension, after an optional `.gz`.
fn format_of(path: &Path) -> Result<TraceFormat, FieldError> {
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    if name.ends_with(".swf") {
        Ok(TraceFormat::Swf)
    } else if name.ends_with(".csv") {
        Ok(TraceFormat::Csv)
    } else {
        Err(FieldError::new(
            "path",
            format!("expected a trace file ending in .swf or .csv (either may be .gz), got '{}'", path.display()),
        ))
    }
}

/// Reads a trace's jobs in file order, one at a time.
pub struct TraceReader {
    path: PathBuf,
    source: Source,
    /// The line of the job just read (from 1).
    line: u64,
    skipped: u64,
}

/// Where a [`TraceReader`] takes its lines from.
enum Source {
    /// SWF: whitespace-separated fields, read a line at a time into `buf`.
    Swf { lines: Box<dyn BufRead + Send>, buf: String },
    /// CSV, by the `csv` crate; `columns` are the positions of `CSV_COLUMNS`.
    Csv { reader: csv::Reader<Box<dyn Read + Send>>, record: csv::StringRecord, columns: [Option<usize>; 5] },
}

impl std::fmt::Debug for TraceReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceReader").field("path", &self.path).field("line", &self.line).finish()
    }
}

/// CSV columns, in the order of `Source::Csv::columns`.
const CSV_COLUMNS: [&str; 5] = ["arrival", "size", "estimate", "cores", "memory"];

impl TraceReader {
    fn open(path: &Path, format: TraceFormat) -> Result<TraceReader, FieldError> {
        let file =
            File::open(path).map_err(|e| FieldError::new("path", format!("cannot read '{}': {e}", path.display())))?;
        let gz = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"));
        let read: Box<dyn Read + Send> = if gz { Box::new(MultiGzDecoder::new(file)) } else { Box::new(file) };
        let source = match format {
            TraceFormat::Swf => Source::Swf { lines: Box::new(BufReader::new(read)), buf: String::new() },
            TraceFormat::Csv => {
                let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(read);
                let header = reader.headers().map_err(|e| csv_error(path, 1, e))?;
                let at = At { path, line: header.position().map_or(1, |p| p.line()) };
                let columns = csv_columns(header, &at)?;
                Source::Csv { reader, record: csv::StringRecord::new(), columns }
            }
        };
        Ok(TraceReader { path: path.to_path_buf(), source, line: 0, skipped: 0 })
    }

    /// The next job, or `None` at the end of the file.
    pub fn next_job(&mut self) -> Result<Option<TraceJob>, FieldError> {
        loop {
            let job = match &mut self.source {
                Source::Swf { lines, buf } => {
                    buf.clear();
                    let n = lines.read_line(buf).map_err(|e| {
                        FieldError::new("path", format!("{}:{}: cannot read: {e}", self.path.display(), self.line + 1))
                    })?;
                    self.line += 1;
                    if n == 0 {
                        return Ok(None);
                    }
                    let text = buf.trim();
                    if text.is_empty() || text.starts_with(';') {
                        continue;
                    }
                    swf_job(text, &At { path: &self.path, line: self.line })?
                }
                Source::Csv { reader, record, columns } => {
                    let more = reader.read_record(record);
                    match more {
                        Ok(false) => return Ok(None),
                        Ok(true) => self.line = record.position().map_or(self.line + 1, |p| p.line()),
                        Err(e) => return Err(csv_error(&self.path, self.line + 1, e)),
                    }
                    Some(csv_job(record, columns, &At { path: &self.path, line: self.line })?)
                }
            };
            match job {
                Some(job) => return Ok(Some(job)),
                None => self.skipped += 1,
            }
        }
    }
}

/// A place in a trace, for errors: `file:line: message`.
struct At<'a> {
    path: &'a Path,
    line: u64,
}

impl At<'_> {
    fn error(&self, message: impl std::fmt::Display) -> FieldError {
        FieldError::new("path", format!("{}:{}: {message}", self.path.display(), self.line))
    }
}

/// A CSV reading error (bad UTF-8, I/O), at the line the `csv` crate gives (else
/// `line`).
fn csv_error(path: &Path, line: u64, e: csv::Error) -> FieldError {
    let line = e.position().map_or(line, |p| p.line());
    FieldError::new("path", format!("{}:{line}: cannot read: {e}", path.display()))
}

/// Where each of `CSV_COLUMNS` is in a CSV header; `arrival` and `size` must be.
fn csv_columns(header: &csv::StringRecord, at: &At<'_>) -> Result<[Option<usize>; 5], FieldError> {
    let mut columns = [None; 5];
    for (i, name) in header.iter().enumerate() {
        match CSV_COLUMNS.iter().position(|c| *c == name) {
            Some(k) => columns[k] = Some(i),
            None => return Err(at.error(format!("column {}: {}", i + 1, unknown("column", name, &CSV_COLUMNS)))),
        }
    }
    for (column, name) in columns.iter().zip(CSV_COLUMNS).take(2) {
        if column.is_none() {
            return Err(at.error(format!("the header has no column '{name}'")));
        }
    }
    Ok(columns)
}

/// One SWF line: `None` for a cancelled job.
fn swf_job(line: &str, at: &At<'_>) -> Result<Option<TraceJob>, FieldError> {
    const NAMES: [&str; 9] = [
        "job number",
        "submit time",
        "wait time",
        "run time",
        "allocated processors",
        "average CPU time",
        "used memory",
        "requested processors",
        "requested time",
    ];
    let fields: Vec<&str> = line.split_whitespace().collect();
    if fields.len() < 5 {
        return Err(at.error(format!(
            "expected at least 5 whitespace-separated fields (job, submit, wait, run time, processors), got {}",
            fields.len()
        )));
    }
    let field = |k: usize| -> Result<Option<f64>, FieldError> {
        let Some(text) = fields.get(k - 1) else { return Ok(None) };
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(at.error(format!("field {k} ({}): expected a number, got '{text}'", NAMES[k - 1]))),
        }
    };
    let submit = field(2)?.unwrap_or(-1.0);
    if submit < 0.0 {
        return Err(at.error(format!("field 2 (submit time): expected a time >= 0, got {submit}")));
    }
    let run = field(4)?.unwrap_or(-1.0);
    if run < 0.0 {
        // Cancelled before it ran: nothing to replay.
        return Ok(None);
    }
    let positive = |v: Option<f64>| v.filter(|&v| v > 0.0);
    let cores = positive(field(8)?).or(positive(field(5)?)).map(|p| p.ceil().min(u32::MAX as f64) as u32);
    let estimate = positive(field(9)?);
    Ok(Some(TraceJob { submit, size: run, estimate, cores, memory: None }))
}

/// One CSV record.
fn csv_job(record: &csv::StringRecord, columns: &[Option<usize>; 5], at: &At<'_>) -> Result<TraceJob, FieldError> {
    let cell = |k: usize, min: f64| -> Result<Option<f64>, FieldError> {
        let Some(i) = columns[k] else { return Ok(None) };
        match record.get(i).unwrap_or("") {
            "" => Ok(None),
            text => match text.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= min => Ok(Some(v)),
                _ => Err(at.error(format!(
                    "column {} ({}): expected a number >= {min}, got '{text}'",
                    i + 1,
                    CSV_COLUMNS[k]
                ))),
            },
        }
    };
    let required = |k: usize| -> Result<f64, FieldError> {
        cell(k, 0.0)?.ok_or_else(|| at.error(format!("column {} is empty", CSV_COLUMNS[k])))
    };
    let estimate = cell(2, 0.0)?;
    if estimate == Some(0.0) {
        return Err(at.error("column estimate: expected a number > 0, got 0"));
    }
    Ok(TraceJob {
        submit: required(0)?,
        size: required(1)?,
        estimate,
        cores: cell(3, 1.0)?.map(|c| c.ceil().min(u32::MAX as f64) as u32),
        memory: cell(4, 0.0)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("schedsim-trace-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
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
    fn swf_jobs_shift_skip_cancelled_and_fall_back_to_allocated_processors() {
        let path = file("a.swf", SWF);
        let trace = Trace::load(&path, 0.5).unwrap();
        assert_eq!((trace.jobs, trace.skipped, trace.first_submit, trace.span), (3, 1, 100.0, 30.0));
        assert_eq!(trace.work, 50.0 * 4.0 + 20.0 * 8.0);
        assert_eq!(trace.mean_rate(), 3.0 / 15.0);
        let mut r = trace.reader().unwrap();
        let jobs: Vec<TraceJob> = std::iter::from_fn(|| r.next_job().unwrap()).collect();
        assert_eq!(jobs[0], TraceJob { submit: 100.0, size: 50.0, estimate: Some(60.0), cores: Some(4), memory: None });
        assert_eq!(jobs[1], TraceJob { submit: 110.0, size: 20.0, estimate: None, cores: Some(8), memory: None });
        assert_eq!(jobs[2].size, 0.0);
    }

    #[test]
    fn gzipped_traces_read_the_same() {
        let path = std::env::temp_dir().join(format!("schedsim-trace-{}-b.swf.gz", std::process::id()));
        let mut gz = flate2::write::GzEncoder::new(File::create(&path).unwrap(), flate2::Compression::fast());
        gz.write_all(SWF.as_bytes()).unwrap();
        gz.finish().unwrap();
        let plain = Trace::load(&file("b.swf", SWF), 1.0).unwrap();
        let zipped = Trace::load(&path, 1.0).unwrap();
        assert_eq!((zipped.jobs, zipped.work, zipped.span), (plain.jobs, plain.work, plain.span));
    }

    #[test]
    fn csv_columns_by_name_with_optional_cells() {
        let path = file("c.csv", "size,arrival,cores,estimate\n2.5,0,,\n1,0.5,3,1.5\n");
        let trace = Trace::load(&path, 1.0).unwrap();
        let mut r = trace.reader().unwrap();
        let a = r.next_job().unwrap().unwrap();
        let b = r.next_job().unwrap().unwrap();
        assert_eq!(a, TraceJob { submit: 0.0, size: 2.5, estimate: None, cores: None, memory: None });
        assert_eq!(b, TraceJob { submit: 0.5, size: 1.0, estimate: Some(1.5), cores: Some(3), memory: None });
        assert!(r.next_job().unwrap().is_none());
        // Quoted fields, as spreadsheets write them.
        let quoted = file("q.csv", "\"arrival\",\"size\"\n\"1.5\",\"2\"\n");
        let job = Trace::load(&quoted, 1.0).unwrap().reader().unwrap().next_job().unwrap().unwrap();
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
            ("j.swf", "; only a header\n", "holds no jobs"),
            ("k.txt", "1\n", "expected a trace file ending in .swf or .csv"),
        ];
        for (name, text, expected) in cases {
            let err = Trace::load(&file(name, text), 1.0).unwrap_err();
            assert_eq!(err.path, "path");
            assert!(err.message.contains(expected), "{name}: {}", err.message);
            if name != "k.txt" {
                assert!(err.message.contains(name), "{name}: {}", err.message);
            }
        }
        assert!(err_contains(Trace::load(&file("l.csv", "arrival,size\n1,1\n"), 0.0), "scale"));
    }

    fn err_contains(r: Result<Trace, FieldError>, path: &str) -> bool {
        r.is_err_and(|e| e.path == path)
    }
}
