//! The copy of a scenario kept with its results: its file paths made to resolve from
//! the results folder.
//!
//! A scenario names files relative to itself: a trace (`arrival = { process = "trace",
//! path = ... }`) and the values of an empirical distribution (`{ dist = "empirical",
//! path = ... }`). `results/<name>/scenario.toml` lives in another folder, so written
//! as it was read those paths would name files that are not there, and the copy would
//! not run again.

use std::path::{Component, Path, PathBuf};
use toml_edit::{DocumentMut, Item, Table, TableLike, Value};

/// `text`, a scenario named `name` read from folder `from`, as it is to be kept in
/// folder `to`: each relative file path in it rewritten to name the same file from
/// `to`, and `name` written in if the text left it to the file's name (the copy is
/// called `scenario.toml`). Everything else, comments and layout included, is kept as
/// written. Paths are compared after resolving symbolic links where the files exist;
/// a path that cannot be expressed from `to` (another drive) becomes absolute. Text
/// that does not parse as TOML is returned unchanged (a scenario that ran parses).
pub fn relocate(text: &str, name: &str, from: &Path, to: &Path) -> String {
    let Ok(mut doc) = text.parse::<DocumentMut>() else {
        return text.to_string();
    };
    let (Some(from), Some(to)) = (real(from), real(to)) else {
        return text.to_string();
    };
    let rewrite = |path: &str| -> Option<String> {
        let written = Path::new(path);
        if written.is_absolute() || written.has_root() {
            return None;
        }
        let target = real(&from.join(written))?;
        let moved = pathdiff::diff_paths(&target, &to).unwrap_or(target);
        Some(portable(&moved))
    };
    table(doc.as_table_mut(), &rewrite);
    if !doc.contains_key("name") {
        doc.insert("name", toml_edit::value(name));
    }
    doc.to_string()
}

/// Rewrites the file paths in `table` and every table below it.
fn table(table: &mut Table, rewrite: &dyn Fn(&str) -> Option<String>) {
    file_path(table, rewrite);
    for (_, item) in table.iter_mut() {
        match item {
            Item::Table(t) => self::table(t, rewrite),
            Item::ArrayOfTables(ts) => ts.iter_mut().for_each(|t| self::table(t, rewrite)),
            Item::Value(v) => value(v, rewrite),
            Item::None => {}
        }
    }
}

/// Rewrites the file paths in `v` (an inline table, or an array of them, at any depth).
fn value(v: &mut Value, rewrite: &dyn Fn(&str) -> Option<String>) {
    match v {
        Value::InlineTable(t) => {
            file_path(t, rewrite);
            for (_, v) in t.iter_mut() {
                value(v, rewrite);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|v| value(v, rewrite)),
        _ => {}
    }
}

/// Rewrites `path` in `t` if `t` is a trace or an empirical distribution, keeping the
/// spacing around the value.
fn file_path(t: &mut dyn TableLike, rewrite: &dyn Fn(&str) -> Option<String>) {
    let says = |key: &str, want: &str| t.get(key).and_then(Item::as_str) == Some(want);
    if !(says("process", "trace") || says("dist", "empirical")) {
        return;
    }
    let Some(Item::Value(v)) = t.get_mut("path") else { return };
    let Some(new) = v.as_str().and_then(rewrite) else { return };
    let decor = v.decor().clone();
    *v = Value::from(new);
    *v.decor_mut() = decor;
}

/// `path` made absolute (from the working folder; an empty path is the working
/// folder), without `.` and `..` parts, and with symbolic links resolved in the part
/// of it that exists (the results folder may not exist yet); `None` if the working
/// folder is unknown. On Windows links are left as they are: resolving them there
/// gives `\\?\` paths that do not compare with plain ones.
fn real(path: &Path) -> Option<PathBuf> {
    let path = if path.as_os_str().is_empty() { Path::new(".") } else { path };
    let absolute = std::path::absolute(path).ok()?;
    let plain = clean(&absolute);
    if cfg!(windows) {
        return Some(plain);
    }
    // Where the whole path exists the system resolves it, `..` after a link included.
    if let Ok(real) = std::fs::canonicalize(&absolute) {
        return Some(real);
    }
    let resolved = plain.ancestors().find_map(|known| {
        let real = std::fs::canonicalize(known).ok()?;
        Some(real.join(plain.strip_prefix(known).ok()?))
    });
    Some(resolved.unwrap_or(plain))
}

/// `path` without `.` and `..` parts, taken textually.
fn clean(path: &Path) -> PathBuf {
    let mut clean = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    clean
}

/// `path` with `/` between its parts, which every platform reads, so that the copy
/// reads the same everywhere.
fn portable(path: &Path) -> String {
    if path.is_absolute() {
        return path.to_string_lossy().into_owned();
    }
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_from_the_new_folder_and_nothing_else_changes() {
        let text = r#"# A comment that stays.
name = "x"
path = "not/a/file/path"

[workload]
arrival = { process = "trace", path = "traces/log.swf", scale = 2.0 }

[[workload.classes]]
size = { dist = "empirical",   path = "./sizes.txt" }   # spacing stays
other = { dist = "exponential", path = "untouched" }

[nodes]
latency = { dist = "empirical", path = "/abs/latency.txt" }
"#;
        let out = relocate(text, "x", Path::new("/home/u/project/scenarios"), Path::new("/home/u/project/results/x"));
        let want = text
            .replace("\"traces/log.swf\"", "\"../../scenarios/traces/log.swf\"")
            .replace("\"./sizes.txt\"", "\"../../scenarios/sizes.txt\"");
        assert_eq!(out, want);
    }

    #[test]
    fn parent_folders_are_followed() {
        let text = "a = { dist = \"empirical\", path = \"../data/v.txt\" }\n";
        let out = relocate(text, "v", Path::new("/p/scenarios"), Path::new("/p/results/run"));
        assert_eq!(out, "a = { dist = \"empirical\", path = \"../../data/v.txt\" }\nname = \"v\"\n");
    }

    /// The results folder behind a symbolic link: the path must hold from where the
    /// folder really is, since that is where `..` takes the system.
    #[cfg(unix)]
    #[test]
    fn a_results_folder_behind_a_link_is_followed() {
        let tmp = tempfile::Builder::new().prefix("schedsim-relocate-").tempdir().unwrap();
        let base = tmp.path();
        let (data, deep) = (base.join("data"), base.join("real/deep"));
        std::fs::create_dir_all(&data).unwrap();
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(data.join("v.txt"), "1\n").unwrap();
        let link = base.join("link");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&deep, &link).unwrap();
        let text = "name = \"v\"\na = { dist = \"empirical\", path = \"v.txt\" }\n";
        let out = relocate(text, "v", &data, &link.join("out"));
        assert!(out.contains("path = \"../../../data/v.txt\""), "{out}");
    }
}
