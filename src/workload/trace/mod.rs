//! Job traces: arrivals (and sizes, estimates, cores) replayed from a log.
//!
//! Two formats, chosen by the file's extension (`.swf`, `.csv`, either `.gz`):
//! - **SWF**, the Standard Workload Format of the Parallel Workloads Archive (Chapin et
//!   al., "Benchmarks and standards for the evaluation of parallel job schedulers",
//!   JSSPP 1999): one job a line, whitespace-separated fields, `;` header lines.
//!   The conventions of the field's replays (Feitelson, Tsafrir and Krakov, "Experience
//!   with using the Parallel Workloads Archive", JPDC 2014; Tsafrir, Etsion and
//!   Feitelson, "Modeling user runtime estimates", JSSPP 2005): a job arrives at its
//!   submit time (field 2); its size is its run time (field 4: seconds on the traced
//!   machine, so work units on a node of speed 1); its cores the processors it was
//!   allocated (field 5), or, when that is not given, those it requested (field 8); its
//!   estimate, by [`Estimates`], the time it requested (field 9) raised to its run time
//!   when it ran longer (the default), or its run time. Skipped, and counted by reason:
//!   jobs cancelled before they ran (run time -1), jobs with neither processor count,
//!   and jobs wider than the widest node. The header's `MaxProcs` and `MaxNodes` are
//!   kept for `check`. Memory fields are not read (their units differ between logs).
//! - **CSV** with a header: `arrival` and `size` (required), `estimate`, `cores`,
//!   `memory` (optional; empty cells mean "not given"; an estimate of 0 is an estimate).
//!   Jobs wider than the widest node are skipped and counted.
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
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// One job of a trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TraceJob {
    /// Arrival time in the file's own clock (before shifting and scaling).
    pub submit: f64,
    /// Work units (run time at speed 1), >= 0.
    pub size: f64,
    /// The size the scheduler believes, if the trace gives one (>= 0).
    pub estimate: Option<f64>,
    /// Cores, if the trace gives them (>= 1).
    pub cores: Option<u32>,
    /// Memory, if the trace gives it (>= 0).
    pub memory: Option<f64>,
    /// Work after which the job is killed (its requested time, under
    /// [`Estimates::Kill`]).
    pub limit: Option<f64>,
}

/// The format of a trace file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceFormat {
    /// Standard Workload Format.
    Swf,
    /// Comma-separated values with a header.
    Csv,
}

/// Where a replayed job's size estimate comes from (`estimates = ...` in the scenario).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Estimates {
    /// `"request"`: the time the job requested (SWF field 9), raised to its run time when
    /// it ran longer, so that no job outlives its estimate (a real controller would
    /// have killed it); a CSV's `estimate` column as it is. The default.
    #[default]
    Request,
    /// `"exact"`: the run time itself (perfect estimates).
    Exact,
    /// `"kill"`: the requested time, as a real controller enforces it: a job still
    /// running when it is reached is killed there and counted as failed.
    Kill,
}

impl Estimates {
    /// The names, as written in a scenario.
    pub const NAMES: [&'static str; 3] = ["request", "exact", "kill"];

    /// The convention named `name`.
    pub fn parse(name: &str) -> Result<Estimates, FieldError> {
        match name {
            "request" => Ok(Estimates::Request),
            "exact" => Ok(Estimates::Exact),
            "kill" => Ok(Estimates::Kill),
            _ => Err(FieldError::new("estimates", unknown("estimate convention", name, &Estimates::NAMES))),
        }
    }
}

/// How a trace is replayed on a cluster.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Replay {
    /// Arrival times are multiplied by this (> 0).
    pub scale: f64,
    /// Where estimates come from.
    pub estimates: Estimates,
    /// Cores of the widest node: a job asking for more is skipped.
    pub widest: u32,
}

/// Jobs of a trace that are not replayed, by reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Skipped {
    /// Cancelled before they ran (SWF run time -1).
    pub cancelled: u64,
    /// With neither an allocated nor a requested processor count (SWF).
    pub no_processors: u64,
    /// Asking for more cores than any node has.
    pub too_wide: u64,
}

impl Skipped {
    /// All of them.
    pub fn total(&self) -> u64 {
        self.cancelled + self.no_processors + self.too_wide
    }
}

impl std::fmt::Display for Skipped {
    /// `3 skipped (1 cancelled, 2 without processors, 0 wider than any node)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} skipped ({} cancelled, {} without processors, {} wider than any node)",
            self.total(),
            self.cancelled,
            self.no_processors,
            self.too_wide
        )
    }
}

/// A checked trace: where it is and what it holds. Cheap to clone.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: TraceFormat,
    /// How it is replayed.
    pub replay: Replay,
    /// Jobs replayed.
    pub jobs: u64,
    /// Jobs not replayed, by reason.
    pub skipped: Skipped,
    /// The SWF header's `MaxProcs` and `MaxNodes`, if it gives them.
    pub max_procs: Option<u64>,
    /// See `max_procs`.
    pub max_nodes: Option<u64>,
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
    pub fn load(path: &Path, replay: Replay) -> Result<Trace, FieldError> {
        let scale = replay.scale;
        if !(scale.is_finite() && scale > 0.0) {
            return Err(FieldError::new("scale", format!("expected a number > 0, got {scale}")));
        }
        let format = format_of(path)?;
        let mut reader = TraceReader::open(path, format, replay)?;
        let mut trace = Trace {
            path: path.to_path_buf(),
            format,
            replay,
            jobs: 0,
            skipped: Skipped::default(),
            max_procs: None,
            max_nodes: None,
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
        (trace.max_procs, trace.max_nodes) = (reader.max_procs, reader.max_nodes);
        if trace.jobs == 0 {
            return Err(FieldError::new(
                "path",
                format!("'{}' holds no job to replay: {}", path.display(), trace.skipped),
            ));
        }
        trace.span = last - trace.first_submit;
        Ok(trace)
    }

    /// Jobs per second of the replayed (scaled) clock; infinite if every job arrives
    /// at once.
    pub fn mean_rate(&self) -> f64 {
        if self.span > 0.0 {
            self.jobs as f64 / (self.span * self.replay.scale)
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
        TraceReader::open(&self.path, self.format, self.replay)
    }

    /// The arrival-time scale.
    pub fn scale(&self) -> f64 {
        self.replay.scale
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
    replay: Replay,
    skipped: Skipped,
    max_procs: Option<u64>,
    max_nodes: Option<u64>,
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
    fn open(path: &Path, format: TraceFormat, replay: Replay) -> Result<TraceReader, FieldError> {
        let file = super::input::open(path)?;
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
        let skipped = Skipped::default();
        Ok(TraceReader { path: path.to_path_buf(), source, line: 0, replay, skipped, max_procs: None, max_nodes: None })
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
                    if let Some(comment) = text.strip_prefix(';') {
                        let value = |key: &str| comment.trim().strip_prefix(key).and_then(|v| v.trim().parse().ok());
                        self.max_procs = self.max_procs.or(value("MaxProcs:"));
                        self.max_nodes = self.max_nodes.or(value("MaxNodes:"));
                        continue;
                    }
                    if text.is_empty() {
                        continue;
                    }
                    swf_job(text, &At { path: &self.path, line: self.line }, self.replay.estimates)?
                }
                Source::Csv { reader, record, columns } => {
                    let more = reader.read_record(record);
                    match more {
                        Ok(false) => return Ok(None),
                        Ok(true) => self.line = record.position().map_or(self.line + 1, |p| p.line()),
                        Err(e) => return Err(csv_error(&self.path, self.line + 1, e)),
                    }
                    Ok(csv_job(record, columns, &At { path: &self.path, line: self.line }, self.replay.estimates)?)
                }
            };
            match job {
                Ok(job) if job.cores.is_some_and(|c| c > self.replay.widest) => self.skipped.too_wide += 1,
                Ok(job) => return Ok(Some(job)),
                Err(Skip::Cancelled) => self.skipped.cancelled += 1,
                Err(Skip::NoProcessors) => self.skipped.no_processors += 1,
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

/// Why a line of a trace is not a job to replay (beyond what the cluster decides).
enum Skip {
    Cancelled,
    NoProcessors,
}

/// One SWF line: a job, or why it is skipped.
fn swf_job(line: &str, at: &At<'_>, estimates: Estimates) -> Result<Result<TraceJob, Skip>, FieldError> {
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
            _ => Err(at.error(format!(
                "field {k} ({}): expected a number, got '{}'",
                NAMES[k - 1],
                super::input::excerpt(text)
            ))),
        }
    };
    let submit = field(2)?.unwrap_or(-1.0);
    if submit < 0.0 {
        return Err(at.error(format!("field 2 (submit time): expected a time >= 0, got {submit}")));
    }
    let run = field(4)?.unwrap_or(-1.0);
    if run < 0.0 {
        // Cancelled before it ran: nothing to replay.
        return Ok(Err(Skip::Cancelled));
    }
    let positive = |v: Option<f64>| v.filter(|&v| v > 0.0);
    // Allocated first: what the job ran on; requested when the log lacks it.
    let Some(processors) = positive(field(5)?).or(positive(field(8)?)) else {
        return Ok(Err(Skip::NoProcessors));
    };
    let cores = Some(processors.ceil().min(u32::MAX as f64) as u32);
    let requested = positive(field(9)?);
    let (estimate, limit) = match estimates {
        Estimates::Request => (requested.map(|requested| requested.max(run)), None),
        Estimates::Exact => (Some(run), None),
        Estimates::Kill => (requested, requested),
    };
    Ok(Ok(TraceJob { submit, size: run, estimate, cores, memory: None, limit }))
}

/// One CSV record.
fn csv_job(
    record: &csv::StringRecord,
    columns: &[Option<usize>; 5],
    at: &At<'_>,
    estimates: Estimates,
) -> Result<TraceJob, FieldError> {
    let cell = |k: usize, min: f64| -> Result<Option<f64>, FieldError> {
        let Some(i) = columns[k] else { return Ok(None) };
        match record.get(i).unwrap_or("") {
            "" => Ok(None),
            text => match text.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= min => Ok(Some(v)),
                _ => Err(at.error(format!(
                    "column {} ({}): expected a number >= {min}, got '{}'",
                    i + 1,
                    CSV_COLUMNS[k],
                    super::input::excerpt(text)
                ))),
            },
        }
    };
    let required = |k: usize| -> Result<f64, FieldError> {
        cell(k, 0.0)?.ok_or_else(|| at.error(format!("column {} is empty", CSV_COLUMNS[k])))
    };
    let size = required(1)?;
    // A CSV's estimate is the scheduler's belief as the user wrote it, below the size
    // or not (an SJF study may want it so).
    let (estimate, limit) = match estimates {
        Estimates::Request => (cell(2, 0.0)?, None),
        Estimates::Exact => (Some(size), None),
        Estimates::Kill => (cell(2, 0.0)?, cell(2, 0.0)?),
    };
    Ok(TraceJob {
        submit: required(0)?,
        size,
        estimate,
        cores: cell(3, 1.0)?.map(|c| c.ceil().min(u32::MAX as f64) as u32),
        memory: cell(4, 0.0)?,
        limit,
    })
}

#[cfg(test)]
mod tests;
