//! Writing results: CSV tables, written whole or not at all; and the per-run results
//! of shards (`runlog.rs`, `shards.rs`), from which `merge` writes the same files.

pub mod chart;
pub mod csv;
pub mod folder;
// The Gantt chart lives with the other charts (`chart/gantt.rs`); this keeps the
// path `output::gantt` that the report and its readers use.
pub use chart::gantt;
mod job_gantt;
pub mod jobs;
pub mod report;
pub mod results;
pub mod runlog;
pub mod shards;
pub mod tables;
pub mod terminal;

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically: to a temporary file of a fresh name beside it
/// (`tempfile`), synced, then renamed over it, so a reader (or a crash) never sees a
/// half-written file, and two writers of the same folder never share a temporary file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// [`write_atomic`] for a file too large to hold in memory: `fill` writes it, in
/// pieces, to the temporary file (buffered), which then replaces `path`. If `fill`
/// fails, `path` is left as it was and the temporary file is removed.
pub fn write_atomic_with(path: &Path, fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    // Hidden, and named after the file, so a leftover of a killed process says whose
    // it was; removed when dropped unless persisted.
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = tempfile::Builder::new().prefix(&format!(".{name}.")).suffix(".tmp").tempfile_in(dir)?;
    let mut f = std::io::BufWriter::new(tmp);
    fill(&mut f)?;
    let tmp = f.into_inner().map_err(|e| e.into_error())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_atomic_write_replaces_the_file_and_leaves_nothing_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let failed = write_atomic_with(&path, |f| {
            f.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"two", "a failed write changed the file");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "a temporary file was left");
    }
}
