//! What arrives: probability distributions, arrival processes and task classes.

pub mod arrival;
pub mod dist;
pub mod trace;

pub use arrival::{ArrivalProcess, ArrivalSpec};
pub use dist::{Dist, DistSpec};
pub use trace::{Trace, TraceJob, TraceReader};

/// A problem with one field of a scenario, found while turning the file's values into
/// the model's types. `path` is the dotted field path relative to where the value sits
/// (e.g. `cv`), and callers prefix it (`workload.size.cv`), so that the scenario
/// reader can point at the line and column of the field.
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

    /// The same error, seen from one level up: `prefix.path`.
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

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}
