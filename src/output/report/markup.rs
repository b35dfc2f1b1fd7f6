//! Markup shared by the pages: the template environment (every template embedded in
//! the binary, so a fresh clone renders without files at run time), the escaping of
//! each format, relative URLs and the policies' swatches.
//!
//! HTML templates (`*.html`) are escaped as HTML by the engine; Markdown templates
//! (`*.md`) by [`md_escape`], which backslash-escapes what Markdown would read as
//! markup (`|` in table cells, `*`, `_`, brackets...). A value is written unescaped
//! only where a template says `|safe` (an inline SVG chart, a code block).

use std::sync::OnceLock;

use minijinja::syntax::SyntaxConfig;
use minijinja::{default_auto_escape_callback, escape_formatter, AutoEscape, Environment, Value};

use super::OutputError;
use crate::output::chart::swatch_svg;

/// The templates, by name: the name's extension sets the escaping.
const TEMPLATES: [(&str, &str); 6] = [
    ("page.html", include_str!("templates/page.html")),
    ("style.css", include_str!("templates/style.css")),
    ("table.html", include_str!("templates/table.html")),
    ("report.html", include_str!("templates/report.html")),
    ("report.md", include_str!("templates/report.md")),
    ("index.html", include_str!("templates/index.html")),
];

/// The custom auto-escape of Markdown templates.
const MARKDOWN: &str = "markdown";

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        let syntax = SyntaxConfig::builder().trim_blocks(true).lstrip_blocks(true).keep_trailing_newline(true).build();
        env.set_syntax(syntax.expect("the default delimiters"));
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".md") {
                AutoEscape::Custom(MARKDOWN.into())
            } else {
                default_auto_escape_callback(name)
            }
        });
        env.set_formatter(|out, state, value| match state.auto_escape() {
            AutoEscape::Custom(name) if name == MARKDOWN => {
                let text = value.to_string();
                let text = if value.is_safe() { text } else { md_escape(&text) };
                out.write_str(&text).map_err(minijinja::Error::from)
            }
            _ => escape_formatter(out, state, value),
        });
        env.add_filter("url", |s: &str| url(s));
        env.add_function("swatch", |i: usize| Value::from_safe_string(swatch_svg(i)));
        env.add_global("version", env!("CARGO_PKG_VERSION"));
        for (name, source) in TEMPLATES {
            env.add_template(name, source).expect("the embedded templates parse (checked by the tests)");
        }
        env
    })
}

/// Renders template `name` with `context`.
///
/// # Errors
/// [`OutputError::Template`] if the template cannot be rendered (a bug: the templates
/// are fixed and every value they read is given).
pub(super) fn render(name: &str, context: Value) -> Result<String, OutputError> {
    let failed = |e: minijinja::Error| OutputError::Template { name: name.to_string(), message: format!("{e:#}") };
    environment().get_template(name).map_err(failed)?.render(context).map_err(failed)
}

/// Escapes what Markdown would read as markup (CommonMark backslash escapes); a line
/// break becomes a space, so a value never breaks a table row.
pub(super) fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '|' | '*' | '_' | '<' | '>' | '[' | ']' | '`' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A folder or file name as a relative URL (spaces and the like percent-encoded).
pub(super) fn url(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        for (name, _) in TEMPLATES {
            environment().get_template(name).unwrap();
        }
    }

    #[test]
    fn markdown_and_urls_are_escaped() {
        assert_eq!(md_escape("a|b *c* <d>\nx"), "a\\|b \\*c\\* \\<d\\> x");
        assert_eq!(url("my scenario/ü"), "my%20scenario%2F%C3%BC");
    }
}
