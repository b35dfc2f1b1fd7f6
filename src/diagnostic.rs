//! Diagnostics: mistakes in the fields of an input file, and the closest-name
//! suggestion for a misspelt name.
//!
//! A leaf module: it uses nothing else of the crate, so every layer may report through
//! it. A mistake is found as a [`FieldError`] (a dotted field path and a message), by
//! whichever module checks the value; the scenario reader then places it in the file
//! as a [`ScenarioError`] (file, line, column, field, message). A misspelt name gets
//! the same suggestion wherever it is checked: [`closest`], worded by [`did_you_mean`]
//! and [`unknown`].

use std::fmt;
use std::path::PathBuf;

/// A problem with one field of an input, found while turning its values into the
/// model's types. `path` is the dotted field path relative to where the value sits
/// (e.g. `cv`), and callers prefix it (`workload.size.cv`) with [`FieldError::within`],
/// so that the scenario reader can point at the line and column of the field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// Dotted path of the offending field, relative to the value being checked.
    pub path: String,
    /// What was wrong and what was expected, in lower case.
    pub message: String,
}

impl FieldError {
    /// An error about the field at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { path: path.into(), message: message.into() }
    }

    /// The same error, seen from one level up: `prefix.path` (`prefix[i]` for an
    /// index, `prefix` alone for an empty path).
    pub fn within(mut self, prefix: &str) -> Self {
        self.path = if self.path.is_empty() {
            prefix.to_string()
        } else if self.path.starts_with('[') {
            format!("{prefix}{}", self.path)
        } else {
            format!("{prefix}.{}", self.path)
        };
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// A mistake in a scenario file: where it is, which field, and what was expected.
///
/// Displayed as `file:line:column: field: message`; parts that are not known are left
/// out (`file: message` for a file that cannot be read).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct ScenarioError {
    /// The scenario file (or the path that could not be read).
    pub file: PathBuf,
    /// Line of the mistake, from 1.
    pub line: Option<usize>,
    /// Column of the mistake, from 1, counted in characters.
    pub column: Option<usize>,
    /// Dotted path of the field, such as `workload.arrival.rate` or `nodes[1].count`.
    pub field: Option<String>,
    /// What is wrong, in lower case: what was expected and what was found.
    pub message: String,
}

impl ScenarioError {
    /// An error about a whole file (or path), with no place in it.
    pub fn new(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        ScenarioError { file: file.into(), line: None, column: None, field: None, message: message.into() }
    }

    /// The same error at a line and column (both from 1).
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// The same error about a field (a dotted path; an empty path means none).
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        let field = field.into();
        self.field = if field.is_empty() { None } else { Some(field) };
        self
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The candidate nearest to `name` by edit distance (Damerau-Levenshtein), if near
/// enough to be a likely typo: at most a third of the candidate's length, and at
/// least 2, edits away. Of equally near ones, the alphabetically first.
pub fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), *c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min()
        .map(|(_, c)| c)
}

/// `"; did you mean 'x'?"` for the [`closest`] candidate to `name`, or nothing: the
/// suggestion that follows the name in a message.
pub fn did_you_mean(name: &str, candidates: &[&str]) -> String {
    closest(name, candidates).map(|c| format!("; did you mean '{c}'?")).unwrap_or_default()
}

/// The message for a name that is none of `known`:
/// `unknown <noun> '<name>'; did you mean '<x>'? (expected one of: a, b, c)`, the
/// suggestion only when one is near.
pub fn unknown(noun: &str, name: &str, known: &[&str]) -> String {
    format!("unknown {noun} '{name}'{} (expected one of: {})", did_you_mean(name, known), known.join(", "))
}

/// `v` if it is a finite number, else the error for field `path`.
pub fn finite(path: &str, v: f64) -> Result<f64, FieldError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(FieldError::new(path, format!("expected a finite number, got {v}")))
    }
}

/// `v` if it is a finite number > 0, else the error for field `path`.
pub fn positive(path: &str, v: f64) -> Result<f64, FieldError> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(FieldError::new(path, format!("expected a number > 0, got {v}")))
    }
}

/// `v` if it is a finite number >= 0, else the error for field `path`.
pub fn non_negative(path: &str, v: f64) -> Result<f64, FieldError> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(FieldError::new(path, format!("expected a number >= 0, got {v}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_name() {
        let names = ["random", "round_robin", "least_connections"];
        assert_eq!(closest("least_conections", &names), Some("least_connections"));
        assert_eq!(closest("roundrobin", &names), Some("round_robin"));
        assert_eq!(closest("zzzzzz", &names), None);
        assert_eq!(did_you_mean("randon", &names), "; did you mean 'random'?");
        assert_eq!(did_you_mean("zzzzzz", &names), "");
        assert_eq!(
            unknown("value", "crahs", &["crash", "slowdown"]),
            "unknown value 'crahs'; did you mean 'crash'? (expected one of: crash, slowdown)"
        );
    }

    #[test]
    fn paths_nest() {
        assert_eq!(FieldError::new("cv", "x").within("workload.size").path, "workload.size.cv");
        assert_eq!(FieldError::new("[2]", "x").within("rates").path, "rates[2]");
        assert_eq!(FieldError::new("", "x").within("run").path, "run");
        assert_eq!(positive("rate", -1.0).unwrap_err().to_string(), "rate: expected a number > 0, got -1");
    }

    #[test]
    fn display_leaves_out_unknown_parts() {
        let e = ScenarioError::new("a.toml", "boom");
        assert_eq!(e.to_string(), "a.toml: boom");
        let e = e.at(3, 7).with_field("run.tasks");
        assert_eq!(e.to_string(), "a.toml:3:7: run.tasks: boom");
    }
}
