//! Files a scenario reads (traces, empirical distributions): where they may be, what
//! they may be, and how much of their content an error may show.
//!
//! A scenario is data someone may hand you. So a path in it must lead inside the
//! scenario file's folder tree or the folder schedsim runs in (`../../etc/passwd` is
//! refused; the copy of a scenario kept with its results, whose paths lead back to
//! the project's traces, runs from the project) unless the user says
//! `--allow-outside`; only regular files are opened (a named pipe would block for
//! ever, a device never end); no line may run past [`MAX_LINE`] bytes (a single
//! gigabyte-long line would be read whole); and an error shows at most
//! [`EXCERPT`] characters of what it read.

use crate::diagnostic::FieldError;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// The longest line a trace or values file may have, in bytes.
pub const MAX_LINE: usize = 1 << 20;

/// The most characters of a file's content an error message shows.
pub const EXCERPT: usize = 40;

/// Whether paths in a scenario may lead outside its folder (`--allow-outside`). Set
/// once by the command line before any scenario is read.
static ALLOW_OUTSIDE: AtomicBool = AtomicBool::new(false);

/// Lets (or stops) scenario paths lead outside their scenario's folder.
pub fn allow_outside(allow: bool) {
    ALLOW_OUTSIDE.store(allow, Ordering::Relaxed);
}

/// The file `path` names, relative to `base_dir` (the scenario file's folder), if it
/// is a regular file inside that folder's tree or the current folder's (or anywhere,
/// with `--allow-outside`).
///
/// # Errors
/// A [`FieldError`] on `path` saying what is wrong.
pub fn resolve(base_dir: &Path, path: &str) -> Result<PathBuf, FieldError> {
    let base = if base_dir.as_os_str().is_empty() { Path::new(".") } else { base_dir };
    let joined = base.join(path);
    let err = |m: String| FieldError::new("path", m);
    let real = joined.canonicalize().map_err(|e| err(format!("cannot read '{}': {e}", joined.display())))?;
    if !ALLOW_OUTSIDE.load(Ordering::Relaxed) {
        let root = base.canonicalize().map_err(|e| err(format!("cannot read '{}': {e}", base.display())))?;
        let here = std::env::current_dir().and_then(|d| d.canonicalize()).ok();
        if !real.starts_with(&root) && !here.is_some_and(|h| real.starts_with(h)) {
            return Err(err(format!(
                "'{path}' leads outside the scenario's folder ({}) and the current folder; a scenario reads only \
                 files inside them, unless run with --allow-outside",
                root.display()
            )));
        }
    }
    let kind = std::fs::metadata(&real).map_err(|e| err(format!("cannot read '{}': {e}", joined.display())))?;
    if !kind.is_file() {
        let what = if kind.is_dir() { "a folder" } else { "not a regular file (a pipe, socket or device)" };
        return Err(err(format!("expected a regular file, but '{}' is {what}", joined.display())));
    }
    Ok(joined)
}

/// Opens a file found by [`resolve`], every line limited to [`MAX_LINE`] bytes.
///
/// # Errors
/// A [`FieldError`] on `path` if it cannot be opened.
pub fn open(path: &Path) -> Result<LineLimit<File>, FieldError> {
    let file =
        File::open(path).map_err(|e| FieldError::new("path", format!("cannot read '{}': {e}", path.display())))?;
    Ok(LineLimit { inner: file, run: 0 })
}

/// At most [`EXCERPT`] characters of `text`, with `…` if cut.
pub fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// A reader that fails once a line runs past [`MAX_LINE`] bytes without a newline.
#[derive(Debug)]
pub struct LineLimit<R> {
    inner: R,
    /// Bytes since the last newline.
    run: usize,
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            self.run = if b == b'\n' { 0 } else { self.run + 1 };
            if self.run > MAX_LINE {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("a line is longer than {} MiB", MAX_LINE >> 20),
                ));
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_past_the_limit_fails_and_shorter_ones_pass() {
        let ok = "x".repeat(MAX_LINE) + "\n" + &"y".repeat(MAX_LINE);
        let mut text = String::new();
        LineLimit { inner: ok.as_bytes(), run: 0 }.read_to_string(&mut text).unwrap();
        assert_eq!(text.len(), ok.len());
        let long = "z".repeat(MAX_LINE + 1);
        let e = LineLimit { inner: long.as_bytes(), run: 0 }.read_to_string(&mut String::new()).unwrap_err();
        assert!(e.to_string().contains("longer than 1 MiB"), "{e}");
    }

    #[test]
    fn an_excerpt_is_cut_at_a_character() {
        assert_eq!(excerpt("short"), "short");
        let long = "é".repeat(100);
        assert_eq!(excerpt(&long).chars().count(), EXCERPT + 1);
    }
}
