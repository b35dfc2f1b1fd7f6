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

/// Writes `bytes` to `path` atomically: to a temporary file beside it, then renamed
/// over it, so a reader (or a crash) never sees a half-written file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// [`write_atomic`] for a file too large to hold in memory: `fill` writes it, in
/// pieces, to the temporary file (buffered), which then replaces `path`. If `fill`
/// fails, `path` is left as it was and the temporary file is removed.
pub fn write_atomic_with(path: &Path, fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{}.tmp", path.file_name().and_then(|n| n.to_str()).unwrap_or("out")));
    let written = (|| {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        fill(&mut f)?;
        f.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    match written {
        Ok(()) => std::fs::rename(&tmp, path),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}
