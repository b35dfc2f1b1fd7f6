//! CSV serialisation.
//!
//! Numbers are written by Rust's shortest round-trip formatting, which is exact and
//! the same on every platform, so equal results give equal bytes. A value that is
//! not there (a mean of no tasks, a detection latency without failures) is an empty
//! cell, never `NaN`: one convention in every file, and what spreadsheets and pandas
//! read as missing.

use serde::Serialize;

/// Serialises rows (with a header) to CSV bytes, leaving out the columns named in
/// `drop` (for example the sweep columns of a scenario without a sweep).
pub fn to_csv<T: Serialize>(rows: &[T], drop: &[&str]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.serialize(row)?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    let has_nan = bytes.windows(3).any(|w| w == b"NaN");
    if (drop.is_empty() && !has_nan) || rows.is_empty() {
        return Ok(bytes);
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes.as_slice());
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut keep: Vec<bool> = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record?;
        if i == 0 {
            keep = record.iter().map(|name| !drop.contains(&name)).collect();
        }
        fn missing(f: &str) -> &str {
            if f == "NaN" {
                ""
            } else {
                f
            }
        }
        out.write_record(record.iter().zip(&keep).filter(|(_, k)| **k).map(|(f, _)| missing(f)))?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Row {
        a: u32,
        b: Option<f64>,
        c: &'static str,
    }

    #[test]
    fn drops_named_columns() {
        let rows = [Row { a: 1, b: None, c: "x" }, Row { a: 2, b: Some(0.5), c: "y,z" }];
        let all = String::from_utf8(to_csv(&rows, &[]).unwrap()).unwrap();
        assert_eq!(all, "a,b,c\n1,,x\n2,0.5,\"y,z\"\n");
        let some = String::from_utf8(to_csv(&rows, &["b"]).unwrap()).unwrap();
        assert_eq!(some, "a,c\n1,x\n2,\"y,z\"\n");
    }

    #[test]
    fn a_missing_value_is_an_empty_cell() {
        let rows = [Row { a: 1, b: Some(f64::NAN), c: "x" }];
        assert_eq!(String::from_utf8(to_csv(&rows, &[]).unwrap()).unwrap(), "a,b,c\n1,,x\n");
    }
}
