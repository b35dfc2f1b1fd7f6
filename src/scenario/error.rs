//! [`ScenarioError`], and the map between field paths and places in the file.
//!
//! Two kinds of mistakes reach the user: those serde finds while reading the file into
//! the raw structs (syntax, unknown fields, wrong types), which come with a byte range,
//! and those `validate.rs` finds afterwards (ranges, references), which come with a
//! field path such as `workload.classes[1].size.cv`. Both are reported the same way, so
//! both are translated through one [`Locator`]: [`Locator::path_at`] turns a byte
//! offset into the innermost field path containing it, and [`Locator::offset_of`] turns
//! a path into the byte offset to show. The locator walks a `toml_edit` document,
//! which keeps the span of every key and value.

use crate::workload::arrival::ARRIVAL_NAMES;
use crate::workload::dist::DIST_NAMES;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml_edit::{ImDocument, Item, Table, Value};

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

/// One step of a field path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Seg {
    /// `.name`
    Key(String),
    /// `[3]`
    Index(usize),
}

/// Splits `workload.classes[1].size` into segments. Keys of the schema never hold a
/// `.` or `[`, so no quoting is needed; a user's own key that does (a quoted policy
/// parameter such as `"a.b"`) splits wrongly, and the error then points at the
/// enclosing table instead, which is still the right line.
pub(super) fn parse_path(path: &str) -> Vec<Seg> {
    let mut segs = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            segs.push(Seg::Key(key.to_string()));
        }
        // `rest` is like `1]` or `1][2]`.
        while let Some((index, after)) = rest.split_once(']') {
            match index.parse() {
                Ok(i) => segs.push(Seg::Index(i)),
                Err(_) => segs.push(Seg::Key(index.to_string())),
            }
            rest = after.strip_prefix('[').unwrap_or(after);
        }
    }
    segs
}

/// Writes segments as a dotted path; a key that is not a bare TOML key is quoted, so
/// that an unknown field such as `"a.b"` is shown as the user wrote it.
pub(super) fn path_string(segs: &[Seg]) -> String {
    let mut out = String::new();
    for seg in segs {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                let bare = !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if bare {
                    out.push_str(k);
                } else {
                    out.push_str(&format!("{k:?}"));
                }
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// A place in the document tree: `toml_edit` stores standard tables, values and
/// array elements in three types, and the walk treats them alike.
#[derive(Clone, Copy)]
enum Node<'a> {
    Item(&'a Item),
    Table(&'a Table),
    Value(&'a Value),
}

/// A child of a node: its segment, the span of its key (none for array elements) and
/// the node itself.
type Child<'a> = (Seg, Option<Range<usize>>, Node<'a>);

impl<'a> Node<'a> {
    /// Looks through an `Item` wrapper to the table or value inside.
    fn resolve(self) -> Option<Node<'a>> {
        match self {
            Node::Item(Item::Table(t)) => Some(Node::Table(t)),
            Node::Item(Item::Value(v)) => Some(Node::Value(v)),
            Node::Item(Item::ArrayOfTables(_)) | Node::Table(_) | Node::Value(_) => Some(self),
            Node::Item(Item::None) => None,
        }
    }

    /// The span of the node itself: a value, or a table's header. Dotted and implicit
    /// tables have none.
    fn span(self) -> Option<Range<usize>> {
        match self.resolve()? {
            Node::Item(item) => item.span(),
            Node::Table(t) => t.span(),
            Node::Value(v) => v.span(),
        }
    }

    /// The child at `seg`, if there is one.
    fn child(self, seg: &Seg) -> Option<Child<'a>> {
        let (key_span, node) = match (self.resolve()?, seg) {
            (Node::Table(t), Seg::Key(k)) => {
                let (key, item) = t.get_key_value(k)?;
                (key.span(), Node::Item(item))
            }
            (Node::Value(Value::InlineTable(t)), Seg::Key(k)) => {
                let (key, item) = t.get_key_value(k)?;
                (key.span(), Node::Item(item))
            }
            (Node::Value(Value::Array(a)), Seg::Index(i)) => (None, Node::Value(a.get(*i)?)),
            (Node::Item(Item::ArrayOfTables(a)), Seg::Index(i)) => (None, Node::Table(a.get(*i)?)),
            _ => return None,
        };
        Some((seg.clone(), key_span, node))
    }

    /// Every child, in file order.
    fn children(self) -> Vec<Child<'a>> {
        let segs: Vec<Seg> = match self.resolve() {
            Some(Node::Table(t)) => t.iter().map(|(k, _)| Seg::Key(k.to_string())).collect(),
            Some(Node::Value(Value::InlineTable(t))) => t.iter().map(|(k, _)| Seg::Key(k.to_string())).collect(),
            Some(Node::Value(Value::Array(a))) => (0..a.len()).map(Seg::Index).collect(),
            Some(Node::Item(Item::ArrayOfTables(a))) => (0..a.len()).map(Seg::Index).collect(),
            _ => Vec::new(),
        };
        segs.iter().filter_map(|s| self.child(s)).collect()
    }
}

/// Maps field paths to places in a scenario's text and back.
pub(super) struct Locator<'a> {
    text: &'a str,
    /// The parsed document, or `None` if the text is not valid TOML (then only byte
    /// offsets from the parser itself can be shown).
    doc: Option<ImDocument<&'a str>>,
}

impl<'a> Locator<'a> {
    /// A locator over `text`.
    pub(super) fn new(text: &'a str) -> Self {
        Locator { text, doc: ImDocument::parse(text).ok() }
    }

    /// The byte offset to show for `path`. For a field in the file: its key (`rate` in
    /// `rate = -1`), whatever is wrong with it, so that every error about a field
    /// points at the same place; the `[` of its header for a standard table; the value
    /// itself for an array element, which has no key. For a missing field: the
    /// nearest enclosing table in the file (its header, or the `{` of an inline table),
    /// since that is where the field would go; the start of the file if there is none.
    pub(super) fn offset_of(&self, path: &[Seg]) -> usize {
        let Some(doc) = &self.doc else { return 0 };
        // Candidate offsets from the deepest node that exists back to the root.
        let mut trail: Vec<Option<usize>> = Vec::new();
        let mut node = Node::Table(doc.as_table());
        let mut found = true;
        for seg in path {
            match node.child(seg) {
                Some((_, key_span, child)) => {
                    let value = child.span().map(|s| s.start);
                    let key = key_span.map(|s| s.start);
                    let is_table = matches!(child.resolve(), Some(Node::Table(_)));
                    trail.push(if is_table { value.or(key) } else { key.or(value) });
                    node = child;
                }
                None => {
                    found = false;
                    break;
                }
            }
        }
        if !found {
            if let Some(span) = node.span() {
                return span.start;
            }
        }
        trail.into_iter().rev().flatten().next().unwrap_or(0)
    }

    /// The innermost field path whose key or value contains byte `offset`; empty if
    /// none does (or the text is not valid TOML).
    pub(super) fn path_at(&self, offset: usize) -> Vec<Seg> {
        let mut path = Vec::new();
        if let Some(doc) = &self.doc {
            find(Node::Table(doc.as_table()), offset, &mut path);
        }
        path
    }

    /// Whether the value at `path` is a table (standard or inline) that has key `key`.
    pub(super) fn has_key(&self, path: &[Seg], key: &str) -> bool {
        self.node(path).and_then(|n| n.child(&Seg::Key(key.to_string()))).is_some()
    }

    /// The path, relative to `path`, of the first value below it (in file order) for
    /// which `pred` holds.
    fn descendant(&self, path: &[Seg], pred: &dyn Fn(&Value) -> bool) -> Option<Vec<Seg>> {
        fn search(node: Node<'_>, pred: &dyn Fn(&Value) -> bool, rel: &mut Vec<Seg>) -> bool {
            for (seg, _, child) in node.children() {
                rel.push(seg);
                if matches!(child.resolve(), Some(Node::Value(v)) if pred(v)) || search(child, pred, rel) {
                    return true;
                }
                rel.pop();
            }
            false
        }
        let mut rel = Vec::new();
        search(self.node(path)?, pred, &mut rel).then_some(rel)
    }

    /// Whether the value at `path` is a TOML date-time.
    fn is_datetime(&self, path: &[Seg]) -> bool {
        matches!(self.node(path).and_then(Node::resolve), Some(Node::Value(Value::Datetime(_))))
    }

    fn node(&self, path: &[Seg]) -> Option<Node<'_>> {
        let mut node = Node::Table(self.doc.as_ref()?.as_table());
        for seg in path {
            node = node.child(seg)?.2;
        }
        Some(node)
    }

    /// Line and column (both from 1, the column in characters) of byte `offset`.
    pub(super) fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut end = offset.min(self.text.len());
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let before = &self.text[..end];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }
}

/// Depth-first search for the innermost node whose key or span contains `offset`,
/// pushing its path. Standard tables are searched even when their header does not
/// contain the offset, because their body is not part of their span.
fn find(node: Node<'_>, offset: usize, path: &mut Vec<Seg>) -> bool {
    let contains = |span: &Option<Range<usize>>| span.as_ref().is_some_and(|s| s.start <= offset && offset < s.end);
    for (seg, key_span, child) in node.children() {
        path.push(seg);
        if find(child, offset, path) || contains(&key_span) || contains(&child.span()) {
            return true;
        }
        path.pop();
    }
    false
}

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
    if locator.doc.is_none() {
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
                format!("unknown field '{name}'{} ({list})", suggestion(name, expected))
            }
            SerdeMessage::UnknownVariant { name, expected } => {
                let noun = match last_key {
                    Some("dist") => "distribution",
                    Some("process") => "arrival process",
                    Some("mode") => "mode",
                    _ => "value",
                };
                format!(
                    "unknown {noun} '{name}'{} (expected one of: {})",
                    suggestion(name, expected),
                    expected.join(", ")
                )
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

/// "; did you mean 'x'?" for the candidate nearest to `name`, or nothing.
fn suggestion(name: &str, candidates: &[String]) -> String {
    let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
    crate::policy::registry::closest(name, &refs).map(|c| format!("; did you mean '{c}'?")).unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name = \"x\"\n\n[run]\ntasks = 10\n\n[[nodes]]\ncount = 2\n\n[[nodes]]\nspeed = 2.0\n\n\
                        [workload]\narrival = { process = \"poisson\", rate = 1.0 }\nsizes = [1, 2.5]\n";

    #[test]
    fn paths_round_trip() {
        let p = parse_path("workload.classes[1].size.cv");
        assert_eq!(
            p,
            vec![
                Seg::Key("workload".into()),
                Seg::Key("classes".into()),
                Seg::Index(1),
                Seg::Key("size".into()),
                Seg::Key("cv".into())
            ]
        );
        assert_eq!(path_string(&p), "workload.classes[1].size.cv");
        assert_eq!(path_string(&parse_path("a.rates[0]")), "a.rates[0]");
        assert_eq!(path_string(&[Seg::Key("a.b".into())]), "\"a.b\"");
    }

    #[test]
    fn offsets_map_to_paths_and_back() {
        let loc = Locator::new(TEXT);
        let rate = TEXT.find("rate").unwrap();
        assert_eq!(path_string(&loc.path_at(rate + 1)), "workload.arrival.rate");
        assert_eq!(loc.offset_of(&parse_path("workload.arrival.rate")), rate);
        assert_eq!(loc.line_col(rate), (13, 34));
        let speed = TEXT.find("speed").unwrap();
        assert_eq!(path_string(&loc.path_at(speed)), "nodes[1].speed");
        let elem = TEXT.find("2.5").unwrap();
        assert_eq!(path_string(&loc.path_at(elem)), "workload.sizes[1]");
        assert_eq!(loc.offset_of(&parse_path("workload.sizes[1]")), elem);
    }

    #[test]
    fn missing_fields_point_at_their_table() {
        let loc = Locator::new(TEXT);
        let header = TEXT.find("[run]").unwrap();
        assert_eq!(loc.offset_of(&parse_path("run.horizon")), header);
        let brace = TEXT.find("{ process").unwrap();
        assert_eq!(loc.offset_of(&parse_path("workload.arrival.mean")), brace);
        assert_eq!(loc.offset_of(&parse_path("policies.balancers")), 0);
    }

    #[test]
    fn display_leaves_out_unknown_parts() {
        let e = ScenarioError::new("a.toml", "boom");
        assert_eq!(e.to_string(), "a.toml: boom");
        let e = e.at(3, 7).with_field("run.tasks");
        assert_eq!(e.to_string(), "a.toml:3:7: run.tasks: boom");
    }

    #[test]
    fn columns_count_characters() {
        let loc = Locator::new("name = \"é\" # é\nx = 1\n");
        assert_eq!(loc.line_col(13), (1, 13));
        assert_eq!(loc.line_col(1000), (3, 1));
    }
}
