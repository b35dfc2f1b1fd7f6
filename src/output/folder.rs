//! The results folder as a transaction: each scenario's files are written into a
//! fresh staging folder beside its own and swapped in whole at the end, so a failed,
//! interrupted or concurrent run never leaves new tables beside an old report, files
//! from an earlier run do not linger, and a full disk leaves nothing behind; and a lock
//! keeps two runs out of one results folder at a time.
//!
//! Staging folders are hidden (`.NAME.staging-PID`), so neither the index nor a reader
//! listing scenarios sees them; those a killed run left are removed by the next run.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The lock file's name, in the results folder.
const LOCK: &str = ".schedsim.lock";

/// Whether process `pid` is alive (on Linux, by `/proc`; elsewhere assumed alive).
fn alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// The results folder, held by this process until dropped.
#[derive(Debug)]
pub struct OutputLock {
    path: PathBuf,
}

impl OutputLock {
    /// Takes `dir` (created if missing) for this process. A lock left by a process
    /// that is gone is taken over.
    ///
    /// # Errors
    /// A message naming the other run if one holds `dir`, or the I/O error.
    pub fn acquire(dir: &Path) -> Result<OutputLock, String> {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create output folder '{}': {e}", dir.display()))?;
        let path = dir.join(LOCK);
        let me = std::process::id();
        for _ in 0..2 {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    writeln!(f, "{me}").map_err(|e| format!("cannot write '{}': {e}", path.display()))?;
                    return Ok(OutputLock { path });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    let holder = fs::read_to_string(&path).ok().and_then(|t| t.trim().parse::<u32>().ok());
                    match holder {
                        Some(pid) if pid != me && alive(pid) => {
                            return Err(format!(
                                "another schedsim run (process {pid}) is writing into '{}'; wait for it to end, or \
                                 write elsewhere with -o",
                                dir.display()
                            ))
                        }
                        // Left by a run that is gone: take it over.
                        _ => {
                            let _ = fs::remove_file(&path);
                        }
                    }
                }
                Err(e) => return Err(format!("cannot create '{}': {e}", path.display())),
            }
        }
        Err(format!("cannot take '{}'", path.display()))
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Where this process stages scenario `name`'s files inside `output`.
pub fn staging(output: &Path, name: &str) -> PathBuf {
    output.join(format!(".{name}.staging-{}", std::process::id()))
}

/// Swaps the staged folder in as `output/name`: the old folder (if any) is moved
/// aside, the new one renamed into place, the old one removed. Between the two
/// renames `output/name` is briefly missing, never mixed.
///
/// # Errors
/// The I/O error; the staged folder is then removed and the old one kept.
pub fn commit(staged: &Path, output: &Path, name: &str) -> io::Result<PathBuf> {
    let target = output.join(name);
    let old = output.join(format!(".{name}.old-{}", std::process::id()));
    let moved_aside = target.exists();
    let swapped = (|| {
        if moved_aside {
            fs::rename(&target, &old)?;
        }
        fs::rename(staged, &target).inspect_err(|_| {
            if moved_aside {
                let _ = fs::rename(&old, &target);
            }
        })
    })();
    match swapped {
        Ok(()) => {
            if moved_aside {
                let _ = fs::remove_dir_all(&old);
            }
            Ok(target)
        }
        Err(e) => {
            discard(staged);
            Err(e)
        }
    }
}

/// Removes a staged folder that will not be committed.
pub fn discard(staged: &Path) {
    let _ = fs::remove_dir_all(staged);
}

/// Removes the staging and set-aside folders that runs now gone left in `output`.
pub fn clean_stale(output: &Path) {
    let Ok(entries) = fs::read_dir(output) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        // `.NAME.staging-PID`, `.NAME.old-PID`, and job records' `.schedsim-jobs-PID`.
        let ours = name.starts_with('.')
            && (name.contains(".staging-") || name.contains(".old-") || name.starts_with(".schedsim-jobs-"));
        if !ours {
            continue;
        }
        let pid = name.rsplit_once('-').and_then(|(_, pid)| pid.parse::<u32>().ok());
        if let Some(pid) = pid {
            if pid != std::process::id() && !alive(pid) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_replaces_the_old_folder_whole() {
        let out = tempfile::tempdir().unwrap();
        fs::create_dir_all(out.path().join("s")).unwrap();
        fs::write(out.path().join("s/events.csv"), "stale").unwrap();
        let staged = staging(out.path(), "s");
        fs::create_dir_all(&staged).unwrap();
        fs::write(staged.join("summary.csv"), "new").unwrap();
        commit(&staged, out.path(), "s").unwrap();
        let names: Vec<_> = fs::read_dir(out.path().join("s")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["summary.csv"]);
        assert_eq!(fs::read_dir(out.path()).unwrap().count(), 1, "something was left beside it");
    }

    #[test]
    fn a_second_lock_is_refused_and_a_dead_ones_taken_over() {
        let out = tempfile::tempdir().unwrap();
        let lock = OutputLock::acquire(out.path()).unwrap();
        // The same process may not hold it twice either: it reads as its own, which
        // is taken over, so check against a live other process, pid 1.
        fs::write(out.path().join(LOCK), "1\n").unwrap();
        if alive(1) {
            let e = OutputLock::acquire(out.path()).unwrap_err();
            assert!(e.contains("process 1"), "{e}");
        }
        // A pid that cannot be alive.
        fs::write(out.path().join(LOCK), format!("{}\n", u32::MAX)).unwrap();
        drop(lock);
        fs::write(out.path().join(LOCK), format!("{}\n", u32::MAX)).unwrap();
        let again = OutputLock::acquire(out.path()).unwrap();
        drop(again);
        assert!(!out.path().join(LOCK).exists());
    }
}
