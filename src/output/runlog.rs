//! The run log: a shard's per-run results, appended as each run ends, so that a
//! killed process loses only the runs under way and `--resume` goes on from the rest.
//!
//! A log is one line of header (`schedsim runs 1 plan=HASH shard=I/K runs=N`) and then
//! one record per finished run: its length and CRC-32 (4 bytes each, little-endian)
//! and the record itself in postcard, a compact serde format that keeps every `f64`
//! as its 8 bytes, so results read back are the bits computed (a decimal text format
//! would have to promise round-tripping, JSON cannot hold a NaN). A record cut short
//! by a kill, or damaged, fails its length or checksum: it and anything after it
//! are dropped, and the log is cut back to the last whole record before appending.
//! One record is written with one `write` call, so records from the threads of one
//! process never interleave.

use crate::metrics::RunOutput;
use crate::runner::shard::Shard;
use crate::sim::TaskRecord;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What a log says of itself in its first line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogHeader {
    /// The plan's fingerprint ([`Plan::fingerprint`](crate::runner::Plan::fingerprint)).
    pub plan: String,
    /// The shard whose runs it holds.
    pub shard: Shard,
    /// How many runs the shard has.
    pub runs: usize,
}

impl LogHeader {
    fn line(&self) -> String {
        format!("schedsim runs 1 plan={} shard={} runs={}\n", self.plan, self.shard, self.runs)
    }

    fn parse(line: &str) -> Option<LogHeader> {
        let rest = line.strip_prefix("schedsim runs 1 ")?;
        let mut fields = rest.split(' ');
        let plan = fields.next()?.strip_prefix("plan=")?.to_string();
        let shard = fields.next()?.strip_prefix("shard=")?.parse().ok()?;
        let runs = fields.next()?.strip_prefix("runs=")?.parse().ok()?;
        fields.next().is_none().then_some(LogHeader { plan, shard, runs })
    }
}

/// A run's `jobs.csv` rows and first tasks, as the job files keep them
/// ([`JobFiles`](super::jobs::JobFiles)).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobData {
    /// Its `jobs.csv` rows, as CSV text without the header (`None`: it writes none).
    pub rows: Option<Vec<u8>>,
    /// Its first tasks for a Gantt chart (`None`: it draws none).
    pub first: Option<Vec<TaskRecord>>,
    /// Its first measured job of many tasks, for `job_gantt.csv` (`None`: none).
    pub job: Option<Vec<TaskRecord>>,
}

/// What a run left: its results (and job data), or why it failed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecord {
    /// Index of the run in the plan's jobs.
    pub job: usize,
    /// Its results, or the failure's message.
    pub outcome: Result<(RunOutput, JobData), String>,
}

/// A log open for appending, locked against a second process running the same shard.
#[derive(Debug)]
pub struct RunLog {
    path: PathBuf,
    file: Mutex<File>,
}

/// What reading a log found.
#[derive(Debug)]
pub struct LogContents {
    /// Its header.
    pub header: LogHeader,
    /// Its whole records, in the order written.
    pub records: Vec<RunRecord>,
    /// Where the whole records end (a longer file has a torn or damaged tail).
    pub valid_len: u64,
    /// The file's length.
    pub file_len: u64,
}

/// Reads the log at `path`.
///
/// # Errors
/// A message naming the file if it cannot be read or does not start with a log header.
pub fn read(path: &Path) -> Result<LogContents, String> {
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read '{}': {e}", path.display()))?;
    let line_end = bytes.iter().position(|&b| b == b'\n').map(|p| p + 1);
    let header = line_end
        .and_then(|end| std::str::from_utf8(&bytes[..end - 1]).ok())
        .and_then(LogHeader::parse)
        .ok_or_else(|| format!("'{}' is not a schedsim run log (its first line is not one)", path.display()))?;
    let mut at = line_end.unwrap_or(0);
    let mut records = Vec::new();
    while let Some(record) = record_at(&bytes, at) {
        let (record, next) = record.map_err(|e| {
            format!(
                "'{}': the run record at byte {at} is whole but cannot be read ({e}): written by another \
                 version of schedsim?",
                path.display()
            )
        })?;
        records.push(record);
        at = next;
    }
    Ok(LogContents { header, records, valid_len: at as u64, file_len: bytes.len() as u64 })
}

/// The record at `at` and where the next starts, if a whole, intact one is there
/// (`None`: none, or one cut short or damaged). A whole record that does not decode is
/// an error, not a torn tail: cutting it off would drop a finished run.
fn record_at(bytes: &[u8], at: usize) -> Option<Result<(RunRecord, usize), postcard::Error>> {
    let head = bytes.get(at..at + 8)?;
    let len = u32::from_le_bytes(head[..4].try_into().ok()?) as usize;
    let crc = u32::from_le_bytes(head[4..].try_into().ok()?);
    let body = bytes.get(at + 8..(at + 8).checked_add(len)?)?;
    if crc32fast::hash(body) != crc {
        return None;
    }
    Some(postcard::from_bytes(body).map(|record| (record, at + 8 + len)))
}

impl RunLog {
    /// Starts the log at `path` anew, or, if `resume`, goes on with the one there
    /// (cut back to its last whole record) when it is of the same plan and shard.
    /// Returns the log and the records it already holds.
    ///
    /// # Errors
    /// A message naming the file: it cannot be written, another process holds it, or
    /// (resuming) it belongs to another plan or shard.
    pub fn open(path: &Path, header: &LogHeader, resume: bool) -> Result<(RunLog, Vec<RunRecord>), String> {
        let shown = |e: io::Error| format!("cannot write '{}': {e}", path.display());
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(shown)?;
        }
        let file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path).map_err(shown)?;
        lock(&file).map_err(|e| {
            format!("'{}' is held by another schedsim process running shard {} ({e})", path.display(), header.shard)
        })?;
        let mut records = Vec::new();
        let mut keep = 0;
        if resume && file.metadata().map_err(shown)?.len() > 0 {
            let found = read(path)?;
            if found.header != *header {
                return Err(format!(
                    "'{}' holds runs of another plan or shard ({}); remove it, or run without --resume",
                    path.display(),
                    found.header.line().trim_end()
                ));
            }
            keep = found.valid_len;
            records = found.records;
        }
        let mut file = file;
        if keep == 0 {
            file.set_len(0).map_err(shown)?;
            file.write_all(header.line().as_bytes()).map_err(shown)?;
        } else {
            // Whatever follows the last whole record is a run cut short: drop it.
            file.set_len(keep).map_err(shown)?;
        }
        file.seek(SeekFrom::End(0)).map_err(shown)?;
        file.sync_data().map_err(shown)?;
        Ok((RunLog { path: path.to_path_buf(), file: Mutex::new(file) }, records))
    }

    /// Appends `record`, in one write.
    ///
    /// # Errors
    /// A message naming the file.
    pub fn append(&self, record: &RunRecord) -> Result<(), String> {
        let body = postcard::to_stdvec(record).map_err(|e| format!("cannot encode run {}: {e}", record.job))?;
        let len =
            u32::try_from(body.len()).map_err(|_| format!("run {} left more than 4 GB of results", record.job))?;
        let mut bytes = Vec::with_capacity(8 + body.len());
        bytes.extend_from_slice(&len.to_le_bytes());
        bytes.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
        bytes.extend_from_slice(&body);
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.write_all(&bytes).map_err(|e| format!("cannot write '{}': {e}", self.path.display()))
    }

    /// Flushes the log to the disk (a shard that ends says its results are safe).
    ///
    /// # Errors
    /// A message naming the file.
    pub fn sync(&self) -> Result<(), String> {
        let file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.sync_all().map_err(|e| format!("cannot write '{}': {e}", self.path.display()))
    }

    /// The log's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Takes an exclusive advisory lock on `file`, released when it is closed: two
/// processes running one shard into one folder would append each other's runs twice.
fn lock(file: &File) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::io::AsRawFd;
        // SAFETY: flock on a descriptor this function borrows; no memory is touched.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> LogHeader {
        LogHeader { plan: "0123456789abcdef".into(), shard: Shard { index: 2, count: 3 }, runs: 5 }
    }

    #[test]
    fn headers_read_back() {
        assert_eq!(LogHeader::parse(header().line().trim_end()), Some(header()));
        assert_eq!(LogHeader::parse("schedsim runs 1 plan=x shard=0/3 runs=5"), None);
    }

    #[test]
    fn a_torn_record_is_dropped_and_cut_on_resume() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.runs");
        let (log, found) = RunLog::open(&path, &header(), false).unwrap();
        assert!(found.is_empty());
        for job in 0..3 {
            log.append(&RunRecord { job, outcome: Err(format!("failure {job}")) }).unwrap();
        }
        drop(log);
        // A fourth record cut short, as a kill leaves it.
        let whole = std::fs::metadata(&path).unwrap().len();
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&[200, 0, 0, 0, 1, 2, 3, 4, 9, 9]).unwrap();
        drop(f);
        let read_back = read(&path).unwrap();
        assert_eq!(read_back.records.len(), 3);
        assert_eq!(read_back.valid_len, whole);
        let (log, found) = RunLog::open(&path, &header(), true).unwrap();
        assert_eq!(found.iter().map(|r| r.job).collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), whole);
        log.append(&RunRecord { job: 3, outcome: Err("x".into()) }).unwrap();
        drop(log);
        assert_eq!(read(&path).unwrap().records.len(), 4);
    }

    #[test]
    fn a_log_of_another_plan_is_not_resumed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.runs");
        drop(RunLog::open(&path, &header(), false).unwrap());
        let other = LogHeader { runs: 6, ..header() };
        assert!(RunLog::open(&path, &other, true).unwrap_err().contains("another plan"));
    }
}
