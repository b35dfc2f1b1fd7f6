//! Writing results: CSV tables, written whole or not at all.

pub mod chart;
pub mod csv;
pub mod report;
pub mod tables;

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically: to a temporary file beside it, then renamed
/// over it, so a reader (or a crash) never sees a half-written file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{}.tmp", path.file_name().and_then(|n| n.to_str()).unwrap_or("out")));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}
