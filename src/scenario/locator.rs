//! [`Locator`]: the map between field paths and places in a scenario's text.
//!
//! Two kinds of mistakes reach the user: those serde finds while reading the file into
//! the raw structs (syntax, unknown fields, wrong types), which come with a byte range,
//! and those `validate.rs` finds afterwards (ranges, references), which come with a
//! field path such as `workload.classes[1].size.cv`. Both are reported the same way, so
//! both are translated through one [`Locator`]: [`Locator::path_at`] turns a byte
//! offset into the innermost field path containing it, and [`Locator::offset_of`] turns
//! a path into the byte offset to show. The locator walks a `toml_edit` document,
//! which keeps the span of every key and value.

use std::ops::Range;
use toml_edit::{ImDocument, Item, Table, Value};

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
    pub(super) fn descendant(&self, path: &[Seg], pred: &dyn Fn(&Value) -> bool) -> Option<Vec<Seg>> {
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
    pub(super) fn is_datetime(&self, path: &[Seg]) -> bool {
        matches!(self.node(path).and_then(Node::resolve), Some(Node::Value(Value::Datetime(_))))
    }

    fn node(&self, path: &[Seg]) -> Option<Node<'_>> {
        let mut node = Node::Table(self.doc.as_ref()?.as_table());
        for seg in path {
            node = node.child(seg)?.2;
        }
        Some(node)
    }

    /// Whether the text parsed as TOML (else only the parser's own offsets can be shown).
    pub(super) fn is_toml(&self) -> bool {
        self.doc.is_some()
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
    fn columns_count_characters() {
        let loc = Locator::new("name = \"é\" # é\nx = 1\n");
        assert_eq!(loc.line_col(13), (1, 13));
        assert_eq!(loc.line_col(1000), (3, 1));
    }
}
