//! [`PolicySpec`]: a policy as a scenario names it, and the checked reading of its
//! parameters that policy factories use.

use crate::diagnostic::FieldError;
use std::collections::BTreeMap;
use std::fmt;

/// A policy as named in a scenario: `"least_connections"` or `{ name = "power_of_d", d = 2 }`.
///
/// A factory in the [`Registry`](super::registry::Registry) receives the spec with
/// its parameter names checked and defaults filled in, and reads values with
/// [`param`](Self::param), [`whole`](Self::whole) or [`within`](Self::within): a value
/// they reject is an error at that parameter, which the scenario reader places at its
/// line in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicySpec {
    /// Registry name.
    pub name: String,
    /// Numeric parameters by name (sorted, so the label is canonical).
    pub params: BTreeMap<String, f64>,
}

impl PolicySpec {
    /// A spec with no parameters.
    pub fn named(name: &str) -> Self {
        PolicySpec { name: name.to_string(), params: BTreeMap::new() }
    }

    /// The value of parameter `name`. Always there for a parameter with a default or a
    /// required one; an optional one may be absent (an error here: read it from
    /// [`params`](Self::params) instead).
    ///
    /// # Errors
    /// A [`FieldError`] at `name` if the spec has no such parameter.
    pub fn param(&self, name: &str) -> Result<f64, FieldError> {
        self.params
            .get(name)
            .copied()
            .ok_or_else(|| FieldError::new(name, format!("'{}' needs parameter '{name}'", self.name)))
    }

    /// Parameter `name` as a whole number from `min` to `max`.
    ///
    /// # Errors
    /// A [`FieldError`] at `name` if it is absent, fractional or out of range.
    pub fn whole(&self, name: &str, min: u64, max: u64) -> Result<u64, FieldError> {
        let v = self.param(name)?;
        if v.fract() == 0.0 && v >= min as f64 && v <= max as f64 {
            Ok(v as u64)
        } else {
            Err(FieldError::new(name, format!("expected a whole number from {min} to {max}, got {v}")))
        }
    }

    /// Parameter `name` as a number from `low` to `high` (both included).
    ///
    /// # Errors
    /// A [`FieldError`] at `name` if it is absent or out of range.
    pub fn within(&self, name: &str, low: f64, high: f64) -> Result<f64, FieldError> {
        let v = self.param(name)?;
        if (low..=high).contains(&v) {
            Ok(v)
        } else {
            Err(FieldError::new(name, format!("expected a number from {low} to {high}, got {v}")))
        }
    }
}

/// The canonical label, used in CSV files and charts: `random`, `power_of_d(d=3)`.
impl fmt::Display for PolicySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if !self.params.is_empty() {
            let params: Vec<String> = self.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
            write!(f, "({})", params.join(","))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_read_with_errors_at_their_name() {
        let mut spec = PolicySpec::named("p");
        spec.params.insert("k".into(), 2.5);
        assert_eq!(spec.within("k", 0.0, 3.0), Ok(2.5));
        let err = spec.whole("k", 1, 4).unwrap_err();
        assert_eq!((err.path.as_str(), err.message.as_str()), ("k", "expected a whole number from 1 to 4, got 2.5"));
        assert_eq!(spec.param("j").unwrap_err().path, "j");
    }
}
