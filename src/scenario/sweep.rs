//! `[sweep]`: one scenario per value of one numeric parameter.
//!
//! Each point is the scenario's own text with the parameter's value replaced in place
//! (`toml_edit` keeps every other byte), checked like any scenario, so an error at a
//! point names the real line and field of the file, and says which point it was.

use super::error::located;
use super::locator::{parse_path, Locator, Seg};
use super::raw::RawSweep;
use super::{ScenarioError, Sweep, SweepPoint};
use crate::diagnostic::FieldError;
use std::path::Path;
use toml_edit::{DocumentMut, Item, Value};

/// The most points a sweep may have: each is a full set of runs.
const MAX_POINTS: usize = 10_000;

/// The pseudo-parameter that sets the offered load by scaling the arrival rate.
pub(super) const LOAD: &str = "load";

/// The sweep's values, checked. Errors name a field of `[sweep]`.
pub(super) fn values(raw: &RawSweep) -> Result<Vec<f64>, FieldError> {
    let err = |field: &str, msg: String| Err(FieldError::new(format!("sweep.{field}"), msg));
    let values = match (&raw.values, raw.range) {
        (Some(_), Some(_)) => return err("range", "expected either values or range, got both".into()),
        (None, None) => return err("parameter", "expected values = [...] or range = { from, to, step }".into()),
        (Some(v), None) => v.clone(),
        (None, Some(r)) => {
            if !(r.step.is_finite() && r.step > 0.0) {
                return err("range.step", format!("expected a step > 0, got {}", r.step));
            }
            if !(r.from.is_finite() && r.to.is_finite() && r.to >= r.from) {
                return err("range.to", format!("expected to >= from ({}), got {}", r.from, r.to));
            }
            let n = ((r.to - r.from) / r.step + 1e-9).floor() as usize + 1;
            if n > MAX_POINTS {
                return err("range.step", format!("{n} points; at most {MAX_POINTS}"));
            }
            // Rounded to 12 significant digits, so 0.5 + 3 x 0.05 reads 0.65, not 0.6500000000000001.
            (0..n).map(|k| round12(r.from + k as f64 * r.step)).collect()
        }
    };
    if values.is_empty() {
        return err("values", "expected at least one value".into());
    }
    if values.len() > MAX_POINTS {
        return err("values", format!("{} values; at most {MAX_POINTS}", values.len()));
    }
    if let Some((i, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return err(&format!("values[{i}]"), format!("expected a finite number, got {v}"));
    }
    Ok(values)
}

fn round12(v: f64) -> f64 {
    format!("{v:.12e}").parse().unwrap_or(v)
}

/// Expands a swept scenario: for each value, the text with the parameter set to it and
/// `[sweep]` removed, checked by `check_point`. `base_load` is the offered load of the
/// file as written, for the `load` pseudo-parameter.
pub(super) fn expand(
    text: &str,
    source: &Path,
    parameter: &str,
    values: &[f64],
    base_load: impl Fn() -> f64,
    check_point: impl Fn(&str) -> Result<super::Scenario, ScenarioError>,
) -> Result<Sweep, ScenarioError> {
    let sweep_error = |message: String| {
        let locator = Locator::new(text);
        located(source, &locator, &[Seg::Key("sweep".into()), Seg::Key("parameter".into())], message)
    };
    let mut doc: DocumentMut = text.parse().map_err(|e| sweep_error(format!("cannot edit the file: {e}")))?;
    doc.remove("sweep");
    let (path, scale) = if parameter == LOAD {
        let load = base_load();
        if !(load.is_finite() && load > 0.0) {
            return Err(sweep_error("a load sweep needs the file's own offered load to be positive".into()));
        }
        let rate = get_number(&doc, &parse_path("workload.arrival.rate")).ok_or_else(|| {
            sweep_error("a load sweep scales workload.arrival.rate, which this arrival process lacks (bursty: sweep workload.arrival.rates; trace: sweep workload.arrival.scale)".into())
        })?;
        ("workload.arrival.rate".to_string(), Some(rate / load))
    } else {
        (parameter.to_string(), None)
    };
    let segs = parse_path(&path);
    // Only a number written in the file can be swept: its value there is replaced at
    // each point, and a typo cannot silently sweep a field that does not exist.
    if get_number(&doc, &segs).is_none() {
        return Err(sweep_error(format!(
            "'{parameter}' is not a number written in this scenario; sweep a field the file sets \
             (e.g. workload.arrival.rate, nodes[0].count) or load"
        )));
    }
    let integer = matches!(get_item(&doc, &segs).and_then(Item::as_value), Some(Value::Integer(_)));
    let mut points = Vec::with_capacity(values.len());
    for &value in values {
        let set = scale.map_or(value, |k| value * k);
        let mut point = doc.clone();
        let new: Value = if integer {
            if set.fract() != 0.0 {
                return Err(sweep_error(format!("'{parameter}' takes whole numbers, got {value}")));
            }
            (set as i64).into()
        } else {
            set.into()
        };
        set_value(&mut point, &segs, new).map_err(sweep_error)?;
        let scenario = check_point(&point.to_string()).map_err(|mut e| {
            e.message = format!("at sweep point {parameter} = {value}: {}", e.message);
            e
        })?;
        points.push(SweepPoint { value, scenario });
    }
    Ok(Sweep { parameter: parameter.to_string(), points })
}

fn get_item<'a>(doc: &'a DocumentMut, segs: &[Seg]) -> Option<&'a Item> {
    let mut item = doc.as_item();
    for seg in segs {
        item = match (seg, item) {
            (Seg::Key(k), _) => item.get(k.as_str())?,
            (Seg::Index(i), Item::ArrayOfTables(a)) => a.get(*i).map(|_| item.get(*i))??,
            (Seg::Index(i), _) => item.get(*i)?,
        };
    }
    Some(item)
}

fn get_number(doc: &DocumentMut, segs: &[Seg]) -> Option<f64> {
    match get_item(doc, segs)?.as_value()? {
        Value::Integer(i) => Some(*i.value() as f64),
        Value::Float(f) => Some(*f.value()),
        _ => None,
    }
}

/// Sets the value at `segs`, keeping the surrounding formatting.
fn set_value(doc: &mut DocumentMut, segs: &[Seg], value: Value) -> Result<(), String> {
    let (last, parent) = segs.split_last().ok_or("empty parameter path")?;
    let mut item = doc.as_item_mut();
    for seg in parent {
        item = match seg {
            Seg::Key(k) => item.get_mut(k.as_str()),
            Seg::Index(i) => item.get_mut(*i),
        }
        .ok_or("the parameter's table is missing")?;
    }
    let Seg::Key(key) = last else { return Err("the parameter must end with a field name".into()) };
    match item {
        Item::Table(t) => {
            let decor = t.get(key).and_then(Item::as_value).map(|v| v.decor().clone());
            let mut value = value;
            if let Some(d) = decor {
                *value.decor_mut() = d;
            }
            t.insert(key, Item::Value(value));
        }
        Item::Value(Value::InlineTable(t)) => {
            let decor = t.get(key).map(|v| v.decor().clone());
            let mut value = value;
            if let Some(d) = decor {
                *value.decor_mut() = d;
            }
            t.insert(key, value);
        }
        _ => return Err("the parameter's parent is not a table".into()),
    }
    Ok(())
}
