//! Serde's reading errors turned into located [`ScenarioError`]s.
//!
//! A mistake serde finds while reading the file into the raw structs (syntax, unknown
//! fields, wrong types) comes with a byte range; [`from_toml`] finds the field at that
//! place with the [`Locator`] and rewords serde's message in the file's words.

use super::locator::{path_string, Locator, Seg};
use crate::diagnostic::{did_you_mean, unknown, ScenarioError};
use crate::workload::arrival::ARRIVAL_NAMES;
use crate::workload::dist::DIST_NAMES;
use std::path::Path;
use toml_edit::Value;

/// How serde describes a value in "invalid type" messages (`serde::de::Unexpected`):
/// `string "x"`, `integer `3``, `floating point `1.5``, `boolean `true``, `map`,
/// `sequence`. Used to find which key of a table a message is about when the message
/// carries no span of its own.
fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("string {:?}", s.value()),
        Value::Integer(i) => format!("integer `{}`", i.value()),
        Value::Float(f) => format!("floating point `{}`", serde_float(*f.value())),
        Value::Boolean(b) => format!("boolean `{}`", b.value()),
        Value::Datetime(_) => "map".to_string(),
        Value::Array(_) => "sequence".to_string(),
        Value::InlineTable(_) => "map".to_string(),
    }
}

/// A float as serde's `Unexpected::Float` prints it (`1.0`, not `1`).
fn serde_float(f: f64) -> String {
    let s = f.to_string();
    if f.is_finite() && !s.contains('.') {
        s + ".0"
    } else {
        s
    }
}

/// Builds the error for `path` (with its place in `text`) in `file`.
pub(super) fn located(file: &Path, locator: &Locator<'_>, path: &[Seg], message: impl Into<String>) -> ScenarioError {
    let (line, column) = locator.line_col(locator.offset_of(path));
    ScenarioError::new(file, message).at(line, column).with_field(path_string(path))
}

/// Turns an error from reading the file into the raw structs (TOML syntax, or a serde
/// shape error such as an unknown field or a wrong type) into a located error with a
/// field path, rewording serde's message and adding the closest valid name.
pub(super) fn from_toml(err: &toml::de::Error, text: &str, file: &Path) -> ScenarioError {
    let locator = Locator::new(text);
    let message = err.message().trim();
    let Some(span) = err.span() else {
        return ScenarioError::new(file, tidy(message));
    };
    if !locator.is_toml() {
        // A syntax error: there is no tree to find a field in, only the parser's place.
        let (line, column) = locator.line_col(span.start);
        return ScenarioError::new(file, format!("invalid toml: {}", tidy(message))).at(line, column);
    }
    let mut path = locator.path_at(span.start);
    let mut kind = SerdeMessage::classify(message);
    refine(&locator, &mut path, &kind);
    // Serde sees a TOML date-time as a map; say what the user wrote.
    if let SerdeMessage::Invalid { found, .. } = &mut kind {
        if found == "map" && locator.is_datetime(&path) {
            *found = "a date-time".to_string();
        }
    }
    located(file, &locator, &path, kind.reword(&path, message))
}

/// The serde messages we reword, taken apart.
#[derive(Debug)]
enum SerdeMessage {
    /// "unknown field `x`, expected one of `a`, `b`"
    UnknownField { name: String, expected: Vec<String> },
    /// "unknown variant `x`, expected `a` or `b`"
    UnknownVariant { name: String, expected: Vec<String> },
    /// "missing field `x`"
    MissingField(String),
    /// "invalid type: string \"x\", expected f64" (or "invalid value: ...")
    Invalid { found: String, expected: String },
    /// "invalid length 3, expected 2 elements in sequence"
    InvalidLength { len: usize, expected: String },
    /// Anything else, shown as is.
    Other,
}

impl SerdeMessage {
    fn classify(message: &str) -> SerdeMessage {
        let quoted = backticked(message);
        let first = quoted.first().cloned().unwrap_or_default();
        let rest = quoted.get(1..).unwrap_or_default().to_vec();
        if message.starts_with("unknown field") {
            SerdeMessage::UnknownField { name: first, expected: rest }
        } else if message.starts_with("unknown variant") {
            SerdeMessage::UnknownVariant { name: first, expected: rest }
        } else if message.starts_with("missing field") {
            SerdeMessage::MissingField(first)
        } else if let Some(body) =
            message.strip_prefix("invalid type: ").or_else(|| message.strip_prefix("invalid value: "))
        {
            match body.rsplit_once(", expected ") {
                Some((found, expected)) => {
                    SerdeMessage::Invalid { found: found.to_string(), expected: expected.to_string() }
                }
                None => SerdeMessage::Other,
            }
        } else if let Some((len, expected)) =
            message.strip_prefix("invalid length ").and_then(|b| b.split_once(", expected "))
        {
            match len.parse() {
                Ok(len) => SerdeMessage::InvalidLength { len, expected: expected.to_string() },
                Err(_) => SerdeMessage::Other,
            }
        } else {
            SerdeMessage::Other
        }
    }

    /// The message shown to the user. `path` is the refined field path.
    fn reword(&self, path: &[Seg], original: &str) -> String {
        let last_key = path.iter().rev().find_map(|s| match s {
            Seg::Key(k) => Some(k.as_str()),
            Seg::Index(_) => None,
        });
        match self {
            SerdeMessage::UnknownField { name, expected } => {
                let list = if expected.is_empty() {
                    "this table takes no fields".to_string()
                } else {
                    format!("expected one of: {}", expected.join(", "))
                };
                format!("unknown field '{name}'{} ({list})", did_you_mean(name, &refs(expected)))
            }
            SerdeMessage::UnknownVariant { name, expected } => {
                let noun = match last_key {
                    Some("dist") => "distribution",
                    Some("process") => "arrival process",
                    Some("mode") => "mode",
                    _ => "value",
                };
                unknown(noun, name, &refs(expected))
            }
            SerdeMessage::MissingField(name) => match name.as_str() {
                "dist" => format!("missing field 'dist': expected a distribution name ({})", names(DIST_NAMES)),
                "process" => format!("missing field 'process': expected an arrival process ({})", names(ARRIVAL_NAMES)),
                _ => format!("missing field '{name}'"),
            },
            SerdeMessage::Invalid { found, expected } => {
                let mut text = format!("expected {}, got {}", expected_words(expected), found_words(found));
                // `[nodes]` where `[[nodes]]` was meant: say how to write an array of tables.
                if (found.as_str(), expected.as_str()) == ("map", "a sequence") {
                    text.push_str(&format!("; write [[{}]] for each entry", path_string(path)));
                }
                text
            }
            SerdeMessage::InvalidLength { len, expected } => {
                format!("expected {}, got {len} elements", expected.trim_end_matches(" in sequence"))
            }
            SerdeMessage::Other => tidy(original),
        }
    }
}

/// Serde's span is sometimes a whole table rather than the field: values inside an
/// internally tagged enum (`{ dist = "lognormal", cvv = 2 }`) are buffered before they
/// are read, and lose their own place. The message still names the field (or shows
/// its value), so look for it in that table.
fn refine(locator: &Locator<'_>, path: &mut Vec<Seg>, kind: &SerdeMessage) {
    let child = match kind {
        SerdeMessage::UnknownField { name, .. } if path.last() != Some(&Seg::Key(name.clone())) => {
            locator.has_key(path, name).then(|| vec![Seg::Key(name.clone())])
        }
        SerdeMessage::UnknownVariant { name, .. } => {
            let found = format!("string {name:?}");
            locator.descendant(path, &|v| describe(v) == found)
        }
        SerdeMessage::Invalid { found, .. } => locator.descendant(path, &|v| describe(v) == *found),
        SerdeMessage::InvalidLength { len, .. } => {
            locator.descendant(path, &|v| v.as_array().is_some_and(|a| a.len() == *len))
        }
        // A missing field is not in the file; the locator then points at its table.
        SerdeMessage::MissingField(name) => Some(vec![Seg::Key(name.clone())]),
        _ => None,
    };
    path.extend(child.into_iter().flatten());
}

/// The names as the string slices [`did_you_mean`] and [`unknown`] take.
fn refs(names: &[String]) -> Vec<&str> {
    names.iter().map(String::as_str).collect()
}

fn names(table: &[(&str, &str)]) -> String {
    format!("one of: {}", table.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "))
}

/// Every `quoted` part of a serde message.
fn backticked(message: &str) -> Vec<String> {
    message.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

/// Serde's name for the expected type, in the scenario file's words.
fn expected_words(expected: &str) -> String {
    match expected {
        "f64" | "f32" => "a number".to_string(),
        "i64" | "i32" | "i16" | "i8" | "u64" | "u32" | "u16" | "u8" | "usize" => "an integer".to_string(),
        "a sequence" => "an array".to_string(),
        "internally tagged enum DistSpec" => {
            "a distribution table such as { dist = \"exponential\", mean = 1.0 }".to_string()
        }
        "internally tagged enum ArrivalSpec" => {
            "an arrival table such as { process = \"poisson\", rate = 10.0 }".to_string()
        }
        e if e.starts_with("struct ") || e.starts_with("a map") => "a table".to_string(),
        e => e.to_string(),
    }
}

/// Serde's description of the value found (`serde::de::Unexpected`), in the file's words.
fn found_words(found: &str) -> String {
    match found {
        "map" => "a table".to_string(),
        "sequence" => "an array".to_string(),
        f => f.replace("floating point", "number").replace('`', ""),
    }
}

/// A parser message on one line, starting in lower case.
fn tidy(message: &str) -> String {
    let one_line = message.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("; ");
    let mut chars = one_line.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => "invalid toml".to_string(),
    }
}
