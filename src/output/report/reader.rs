//! The files of a results folder, read: a CSV file by header name (its records with
//! their line numbers, cells as labels, numbers or a mean with its interval, each error
//! naming the file, line and column), and what `scenario.toml` says about the run.

use std::path::{Path, PathBuf};

use super::OutputError;

/// One CSV file: its header and records, with their line numbers.
pub(super) struct Table {
    path: PathBuf,
    headers: Vec<String>,
    records: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    /// Reads `path`; `Ok(None)` when the file does not exist or is empty (a table of
    /// no rows, such as the quantiles of a run that measured no task).
    pub(super) fn read(path: &Path) -> Result<Option<Table>, OutputError> {
        let bytes = match std::fs::read(path) {
            Ok(b) if b.is_empty() => return Ok(None),
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(OutputError::Io { path: path.to_path_buf(), error: e }),
        };
        let csv_error = |e: csv::Error| {
            let line = e.position().map(|p| p.line()).unwrap_or(1);
            let message = match e.kind() {
                csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                    format!("found {len} fields where the header has {expected_len}")
                }
                csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".to_string(),
                _ => e.to_string(),
            };
            OutputError::Csv { path: path.to_path_buf(), line, message }
        };
        let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(bytes.as_slice());
        let headers: Vec<String> = reader.headers().map_err(csv_error)?.iter().map(str::to_string).collect();
        if headers.iter().all(|h| h.is_empty()) {
            return Err(OutputError::Csv { path: path.to_path_buf(), line: 1, message: "no header row".into() });
        }
        let mut records = Vec::new();
        for rec in reader.records() {
            let rec = rec.map_err(csv_error)?;
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            records.push((line, rec));
        }
        Ok(Some(Table { path: path.to_path_buf(), headers, records }))
    }

    fn index(&self, column: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == column)
    }

    /// Whether the file has `column`.
    pub(super) fn has(&self, column: &str) -> bool {
        self.index(column).is_some()
    }

    /// An error unless every one of `columns` is present.
    pub(super) fn require(&self, columns: &[&str]) -> Result<(), OutputError> {
        match columns.iter().find(|c| !self.has(c)) {
            Some(c) => Err(OutputError::MissingColumn { path: self.path.clone(), column: c.to_string() }),
            None => Ok(()),
        }
    }

    /// The records, in file order.
    pub(super) fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.records.iter().map(move |(line, rec)| Row { table: self, line: *line, rec })
    }
}

/// One record of a [`Table`].
pub(super) struct Row<'a> {
    table: &'a Table,
    line: u64,
    rec: &'a csv::StringRecord,
}

impl<'a> Row<'a> {
    /// The cell of `column`; `None` when the file has no such column.
    pub(super) fn text(&self, column: &str) -> Option<&'a str> {
        self.table.index(column).and_then(|i| self.rec.get(i))
    }

    /// The cell of `column`, which must be present and not empty.
    pub(super) fn label(&self, column: &str) -> Result<&'a str, OutputError> {
        match self.text(column) {
            Some(s) if !s.is_empty() => Ok(s),
            Some(_) => Err(self.error(column, "empty cell")),
            None => Err(OutputError::MissingColumn { path: self.table.path.clone(), column: column.into() }),
        }
    }

    /// The number in `column`: `None` for an absent column or an empty cell.
    pub(super) fn num(&self, column: &str) -> Result<Option<f64>, OutputError> {
        match self.text(column) {
            None | Some("") => Ok(None),
            Some(s) => match s.parse::<f64>() {
                Ok(v) if v.is_nan() => Ok(None),
                Ok(v) => Ok(Some(v)),
                Err(_) => Err(self.error(column, &format!("'{s}' is not a number"))),
            },
        }
    }

    /// Like [`Row::num`], but the cell must hold a number.
    pub(super) fn req_num(&self, column: &str) -> Result<f64, OutputError> {
        self.num(column)?.ok_or_else(|| self.error(column, "a number is needed"))
    }

    /// The value of `column` and its `_ci95` half-width.
    pub(super) fn stat(&self, column: &str) -> Result<Stat, OutputError> {
        Ok(Stat { mean: self.num(column)?, ci: self.num(&format!("{column}_ci95"))? })
    }

    /// The sweep value of this row, if the file has one.
    pub(super) fn sweep(&self) -> Option<String> {
        self.text("sweep_value").filter(|s| !s.is_empty()).map(str::to_string)
    }

    pub(super) fn error(&self, column: &str, message: &str) -> OutputError {
        OutputError::Value {
            path: self.table.path.clone(),
            line: self.line,
            column: column.to_string(),
            message: message.to_string(),
        }
    }
}

/// A figure over replications: its mean and the half-width of its 95% CI.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Stat {
    pub mean: Option<f64>,
    pub ci: Option<f64>,
}

impl Stat {
    /// `(mean, ci)` for a bar chart.
    pub(super) fn bar(self) -> Option<(f64, Option<f64>)> {
        self.mean.map(|m| (m, self.ci))
    }
}

/// What `scenario.toml` says about the run.
#[derive(Debug, Clone, Default)]
pub(super) struct ScenarioInfo {
    pub name: Option<String>,
    pub description: Option<String>,
    pub seed: Option<String>,
    pub replications: Option<String>,
    /// The file, verbatim.
    pub text: Option<String>,
}

/// Reads `scenario.toml` (the copy kept with the results); a missing file says nothing.
pub(super) fn read_scenario(path: &Path) -> Result<ScenarioInfo, OutputError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ScenarioInfo::default()),
        Err(e) => return Err(OutputError::Io { path: path.to_path_buf(), error: e }),
    };
    let value: toml::Value = toml::from_str(&text)
        .map_err(|e| OutputError::Scenario { path: path.to_path_buf(), message: e.message().to_string() })?;
    let get = |key: &str| -> Option<String> {
        match value.get(key)? {
            toml::Value::String(s) => Some(s.clone()),
            toml::Value::Integer(i) => Some(i.to_string()),
            toml::Value::Float(f) => Some(f.to_string()),
            other => Some(other.to_string()),
        }
    };
    Ok(ScenarioInfo {
        name: get("name"),
        description: get("description"),
        seed: get("seed"),
        replications: get("replications"),
        text: Some(text),
    })
}
