//! Probability distributions of sizes, times and latencies.
//!
//! A [`DistSpec`] mirrors the scenario file and takes its parameters the way people
//! think of them (a mean and a coefficient of variation); [`DistSpec::build`] checks
//! them and converts them into the generator's own parameters, giving a [`Dist`].
//! Each conversion is derived in a comment beside it.

use crate::diagnostic::{finite, non_negative, positive, FieldError};
use crate::engine::SimRng;
use rand::distr::Distribution;
use rand_distr::{LogNormal, Normal, Pareto, Weibull};
use serde::Deserialize;
use std::path::Path;
use std::sync::Arc;

/// A distribution as written in a scenario file: `{ dist = "lognormal", mean = 1.0, cv = 2.0 }`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum DistSpec {
    /// Always `value`.
    Constant {
        /// The value.
        value: f64,
    },
    /// Uniform on `[low, high)`.
    Uniform {
        /// Lower bound, inclusive.
        low: f64,
        /// Upper bound, exclusive; above `low`.
        high: f64,
    },
    /// Exponential with the given mean.
    Exponential {
        /// Mean, positive.
        mean: f64,
    },
    /// Normal with mean and standard deviation, truncated at 0 (negative draws are drawn again).
    Normal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation, non-negative.
        sd: f64,
    },
    /// Lognormal with the given mean and coefficient of variation.
    Lognormal {
        /// Mean, positive.
        mean: f64,
        /// Coefficient of variation (sd / mean), positive.
        cv: f64,
    },
    /// Pareto (type I) with the given mean and shape (tail index) above 1.
    Pareto {
        /// Mean, positive.
        mean: f64,
        /// Shape (tail index) alpha; above 1 so that the mean exists.
        shape: f64,
    },
    /// Weibull with the given mean and shape.
    Weibull {
        /// Mean, positive.
        mean: f64,
        /// Shape k, positive (k < 1 heavy-tailed, k = 1 exponential).
        shape: f64,
    },
    /// Two-phase hyperexponential with balanced means, given mean and cv >= 1.
    Hyperexponential {
        /// Mean, positive.
        mean: f64,
        /// Coefficient of variation, at least 1.
        cv: f64,
    },
    /// Resampling of values read from a file, one value a line (`#` starts a comment).
    Empirical {
        /// File path, relative to the scenario file.
        path: String,
    },
}

/// Every distribution name, for `schedsim list` and for suggesting a near name.
pub const DIST_NAMES: &[(&str, &str)] = &[
    ("constant", "value: always the same value"),
    ("uniform", "low, high: uniform on [low, high)"),
    ("exponential", "mean: memoryless, cv = 1"),
    ("normal", "mean, sd: normal truncated at 0 (negative draws redrawn)"),
    ("lognormal", "mean, cv: lognormal given its own mean and coefficient of variation"),
    ("pareto", "mean, shape > 1: heavy-tailed Pareto type I"),
    ("weibull", "mean, shape > 0: Weibull (shape < 1 heavy-tailed)"),
    ("hyperexponential", "mean, cv >= 1: two-phase hyperexponential with balanced means"),
    ("empirical", "path: resample the values in a file, one a line"),
];

/// A checked distribution, ready to sample. Cheap to clone (empirical data is shared).
#[derive(Debug, Clone)]
pub struct Dist {
    sampler: Sampler,
    mean: f64,
    min: f64,
    max: Option<f64>,
}

/// The generator behind a [`Dist`], in its own parameters.
#[derive(Debug, Clone)]
enum Sampler {
    Constant(f64),
    Uniform {
        low: f64,
        width: f64,
    },
    /// Exponential by its mean (sampled by the ziggurat method, [`SimRng::exp1`]).
    Exponential(f64),
    /// Normal truncated at 0.
    Normal(Normal<f64>),
    Lognormal(LogNormal<f64>),
    Pareto(Pareto<f64>),
    Weibull(Weibull<f64>),
    /// With probability `p` an exponential of mean `mean1`, else of mean `mean2`.
    Hyperexponential {
        p: f64,
        mean1: f64,
        mean2: f64,
    },
    Empirical(Arc<[f64]>),
}

/// The largest coefficient of variation a lognormal or hyperexponential accepts.
/// Beyond it almost all of the mean sits in draws too rare to occur in any run (a
/// lognormal of cv 1,000 has its median at 0.001 of its mean), so the run would
/// measure another distribution than the one asked for, and the conversion itself
/// overflows further on.
const MAX_CV: f64 = 1_000.0;

/// `cv`, if it is at most [`MAX_CV`].
fn heavy_tail_cv(cv: f64) -> Result<f64, FieldError> {
    if cv <= MAX_CV {
        Ok(cv)
    } else {
        Err(FieldError::new(
            "cv",
            format!(
                "expected a cv of at most {MAX_CV} (beyond it a run sees almost none of the draws that make up the \
                 mean), got {cv}"
            ),
        ))
    }
}

impl DistSpec {
    /// Checks the parameters and converts them. `base_dir` resolves an empirical path.
    /// An error names the parameter (`mean`, `cv`, ...) and what was expected.
    pub fn build(&self, base_dir: &Path) -> Result<Dist, FieldError> {
        let dist = |sampler, mean, min, max| Dist { sampler, mean, min, max };
        Ok(match *self {
            DistSpec::Constant { value } => {
                let v = non_negative("value", value)?;
                dist(Sampler::Constant(v), v, v, Some(v))
            }
            DistSpec::Uniform { low, high } => {
                let low = non_negative("low", low)?;
                finite("high", high)?;
                if high <= low {
                    return Err(FieldError::new("high", format!("expected a value above low ({low}), got {high}")));
                }
                dist(Sampler::Uniform { low, width: high - low }, (low + high) / 2.0, low, Some(high))
            }
            DistSpec::Exponential { mean } => dist(Sampler::Exponential(positive("mean", mean)?), mean, 0.0, None),
            DistSpec::Normal { mean, sd } => {
                finite("mean", mean)?;
                let sd = non_negative("sd", sd)?;
                // Truncation redraws negatives; refuse a mean so far below 0 that a
                // draw would take more than ~1,000 tries on average (P(X >= 0) < 1e-3).
                if mean < 0.0 && (sd == 0.0 || -mean / sd > 3.09) {
                    return Err(FieldError::new(
                        "mean",
                        format!("expected a mean above -3.09 sd (the distribution is truncated at 0), got {mean}"),
                    ));
                }
                // Mean of N(m, s^2) truncated to [0, inf): m + s phi(a) / (1 - Phi(a)), a = -m/s.
                let truncated_mean = if sd == 0.0 {
                    mean
                } else {
                    let a = -mean / sd;
                    let phi = (-0.5 * a * a).exp() / (2.0 * std::f64::consts::PI).sqrt();
                    mean + sd * phi / (0.5 * erfc(a / std::f64::consts::SQRT_2))
                };
                dist(Sampler::Normal(Normal::new(mean, sd).expect("sd >= 0")), truncated_mean, 0.0, None)
            }
            DistSpec::Lognormal { mean, cv } => {
                let (mean, cv) = (positive("mean", mean)?, positive("cv", cv)?);
                let cv = heavy_tail_cv(cv)?;
                // If ln X ~ N(mu, s^2): E[X] = exp(mu + s^2/2) and cv^2 = exp(s^2) - 1,
                // so s^2 = ln(1 + cv^2) and mu = ln(mean) - s^2/2.
                let s2 = (1.0 + cv * cv).ln();
                let sampler = Sampler::Lognormal(LogNormal::new(mean.ln() - s2 / 2.0, s2.sqrt()).expect("sigma > 0"));
                dist(sampler, mean, 0.0, None)
            }
            DistSpec::Pareto { mean, shape } => {
                let mean = positive("mean", mean)?;
                if !(shape > 1.0 && shape.is_finite()) {
                    return Err(FieldError::new(
                        "shape",
                        format!("expected a shape above 1 (the mean is infinite otherwise), got {shape}"),
                    ));
                }
                // Pareto I with scale x_m and shape a: E[X] = a x_m / (a - 1), so x_m = mean (a - 1) / a.
                let scale = mean * (shape - 1.0) / shape;
                dist(Sampler::Pareto(Pareto::new(scale, shape).expect("scale, shape > 0")), mean, scale, None)
            }
            DistSpec::Weibull { mean, shape } => {
                let (mean, shape) = (positive("mean", mean)?, positive("shape", shape)?);
                // E[X] = scale * Gamma(1 + 1/k), so scale = mean / Gamma(1 + 1/k).
                let scale = mean / ln_gamma(1.0 + 1.0 / shape).exp();
                let sampler = Weibull::new(scale, shape)
                    .map_err(|_| FieldError::new("shape", format!("shape {shape} is out of range")))?;
                dist(Sampler::Weibull(sampler), mean, 0.0, None)
            }
            DistSpec::Hyperexponential { mean, cv } => {
                let mean = positive("mean", mean)?;
                if !(cv >= 1.0 && cv.is_finite()) {
                    return Err(FieldError::new(
                        "cv",
                        format!(
                            "expected cv >= 1 for a hyperexponential (for cv < 1 use weibull or lognormal), got {cv}"
                        ),
                    ));
                }
                let cv = heavy_tail_cv(cv)?;
                // Balanced-means H2 (each phase carries half the mean: p1 m1 = p2 m2 = mean/2),
                // the usual two-moment fit (Whitt 1982): p1 = (1 + sqrt((cv^2 - 1)/(cv^2 + 1))) / 2,
                // m1 = mean / (2 p1), m2 = mean / (2 p2). Check: E[X] = p1 m1 + p2 m2 = mean, and
                // E[X^2] = 2 (p1 m1^2 + p2 m2^2) = mean^2 (1/(4 p1 p2)) = mean^2 (1 + cv^2)
                // because 4 p1 p2 = 1 - (cv^2 - 1)/(cv^2 + 1) = 2/(cv^2 + 1).
                let c2 = cv * cv;
                let p = 0.5 * (1.0 + ((c2 - 1.0) / (c2 + 1.0)).sqrt());
                let sampler = Sampler::Hyperexponential { p, mean1: mean / (2.0 * p), mean2: mean / (2.0 * (1.0 - p)) };
                dist(sampler, mean, 0.0, None)
            }
            DistSpec::Empirical { ref path } => {
                let values = read_values(&super::input::resolve(base_dir, path)?)?;
                let mean = values.iter().sum::<f64>() / values.len() as f64;
                let min = values.iter().cloned().fold(f64::INFINITY, f64::min);
                let max = values.iter().cloned().fold(0.0, f64::max);
                dist(Sampler::Empirical(values.into()), mean, min, Some(max))
            }
        })
    }

    /// The distribution's name as written in a file.
    pub fn name(&self) -> &'static str {
        match self {
            DistSpec::Constant { .. } => "constant",
            DistSpec::Uniform { .. } => "uniform",
            DistSpec::Exponential { .. } => "exponential",
            DistSpec::Normal { .. } => "normal",
            DistSpec::Lognormal { .. } => "lognormal",
            DistSpec::Pareto { .. } => "pareto",
            DistSpec::Weibull { .. } => "weibull",
            DistSpec::Hyperexponential { .. } => "hyperexponential",
            DistSpec::Empirical { .. } => "empirical",
        }
    }
}

impl Dist {
    /// A distribution that always gives `value` (which must be finite and >= 0).
    pub fn constant(value: f64) -> Dist {
        debug_assert!(value.is_finite() && value >= 0.0);
        Dist { sampler: Sampler::Constant(value), mean: value, min: value, max: Some(value) }
    }

    /// The value of a constant distribution, which draws nothing (`None` for any other).
    #[inline]
    pub fn as_constant(&self) -> Option<f64> {
        match self.sampler {
            Sampler::Constant(v) => Some(v),
            _ => None,
        }
    }

    /// The mean of an exponential distribution (`None` for any other): what the
    /// report needs to recognise a queue that theory solves (M/M/1).
    pub fn as_exponential(&self) -> Option<f64> {
        match self.sampler {
            Sampler::Exponential(mean) => Some(mean),
            _ => None,
        }
    }

    /// One draw. Never negative.
    #[inline(always)]
    pub fn sample(&self, rng: &mut SimRng) -> f64 {
        match &self.sampler {
            Sampler::Constant(v) => *v,
            Sampler::Uniform { low, width } => low + width * rng.open01(),
            Sampler::Exponential(mean) => rng.exp1() * mean,
            Sampler::Normal(n) => loop {
                let x = n.sample(rng);
                if x >= 0.0 {
                    break x;
                }
            },
            Sampler::Lognormal(d) => d.sample(rng),
            Sampler::Pareto(d) => d.sample(rng),
            Sampler::Weibull(d) => d.sample(rng),
            Sampler::Hyperexponential { p, mean1, mean2 } => {
                let m = if rng.open01() < *p { mean1 } else { mean2 };
                rng.exp1() * m
            }
            Sampler::Empirical(values) => values[rng.below(values.len())],
        }
    }

    /// The mean of the distribution (of the truncated one, for `normal`).
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// The smallest value a draw can take (a lower bound; 0 where unbounded below).
    pub fn min(&self) -> f64 {
        self.min
    }

    /// The largest value a draw can take, or `None` if unbounded.
    pub fn max(&self) -> Option<f64> {
        self.max
    }
}

/// ln Gamma(x) for x > 0, by the Lanczos approximation (g = 7, n = 9; Numerical
/// Recipes 3rd ed., section 6.1), relative error below 1e-13 on the range used here.
pub fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let sum = G[1..].iter().enumerate().fold(G[0], |acc, (i, g)| acc + g / (x + i as f64 + 1.0));
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The complementary error function, by the Chebyshev fit of Numerical Recipes
/// (`erfcc`, fractional error below 1.2e-7 everywhere).
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Reads one non-negative number a line; blank lines and `#` comments are skipped.
fn read_values(path: &Path) -> Result<Vec<f64>, FieldError> {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut super::input::open(path)?, &mut text)
        .map_err(|e| FieldError::new("path", format!("cannot read '{}': {e}", path.display())))?;
    let mut values = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        match line.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => values.push(v),
            _ => {
                return Err(FieldError::new(
                    "path",
                    format!(
                        "{}:{}: expected a number >= 0, got '{}'",
                        path.display(),
                        i + 1,
                        super::input::excerpt(line)
                    ),
                ))
            }
        }
    }
    if values.is_empty() {
        return Err(FieldError::new("path", format!("'{}' holds no values", path.display())));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(spec: DistSpec) -> Dist {
        spec.build(Path::new(".")).unwrap()
    }

    /// Sample mean and variance of n draws.
    fn moments(d: &Dist, n: usize, seed: u64) -> (f64, f64) {
        let mut rng = SimRng::new(seed);
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        (m, v)
    }

    #[test]
    fn gamma_function_known_values() {
        assert!((ln_gamma(5.0).exp() - 24.0).abs() < 1e-9);
        assert!((ln_gamma(0.5).exp() - std::f64::consts::PI.sqrt()).abs() < 1e-12);
        assert!((ln_gamma(1.5).exp() - 0.886_226_925_452_758).abs() < 1e-12);
    }

    #[test]
    fn erfc_known_values() {
        assert!((erfc(0.0) - 1.0).abs() < 2e-7);
        assert!((erfc(1.0) - 0.157_299_207).abs() < 2e-7);
        assert!((erfc(-1.0) - 1.842_700_793).abs() < 2e-7);
    }

    /// Each distribution's sample mean lies within 4.5 standard errors of its stated
    /// mean (standard error from the sample variance; false-alarm rate ~1e-5 per case).
    /// Pareto is checked with shape 3.5 so that its variance, and so the CLT, hold.
    #[test]
    fn sample_means_match_stated_means() {
        let specs = [
            DistSpec::Constant { value: 2.0 },
            DistSpec::Uniform { low: 1.0, high: 3.0 },
            DistSpec::Exponential { mean: 2.0 },
            DistSpec::Normal { mean: 1.0, sd: 1.0 },
            DistSpec::Lognormal { mean: 2.0, cv: 1.5 },
            DistSpec::Pareto { mean: 2.0, shape: 3.5 },
            DistSpec::Weibull { mean: 2.0, shape: 0.7 },
            DistSpec::Hyperexponential { mean: 2.0, cv: 3.0 },
        ];
        let n = 400_000;
        for (i, spec) in specs.into_iter().enumerate() {
            let d = build(spec.clone());
            let (m, v) = moments(&d, n, 100 + i as u64);
            let se = (v / n as f64).sqrt();
            assert!(
                (m - d.mean()).abs() <= 4.5 * se + 1e-12,
                "{spec:?}: sample mean {m}, stated {}, se {se}",
                d.mean()
            );
        }
    }

    /// The cv conversions: sample cv of lognormal and hyperexponential near the asked cv.
    /// The sample variance of a heavy-tailed law converges slowly; 5% is about 4 standard
    /// errors of the sample variance at n = 10^6 for cv = 2 (kurtosis-driven).
    #[test]
    fn cv_conversions_hold() {
        for spec in [DistSpec::Lognormal { mean: 1.0, cv: 0.8 }, DistSpec::Hyperexponential { mean: 1.0, cv: 2.0 }] {
            let (asked, d) = match spec {
                DistSpec::Lognormal { cv, .. } | DistSpec::Hyperexponential { cv, .. } => (cv, build(spec.clone())),
                _ => unreachable!(),
            };
            let (m, v) = moments(&d, 1_000_000, 5);
            let cv = v.sqrt() / m;
            assert!((cv - asked).abs() / asked < 0.05, "{spec:?}: cv {cv}");
        }
    }

    #[test]
    fn bad_parameters_name_the_field() {
        let err = DistSpec::Hyperexponential { mean: 1.0, cv: 0.5 }.build(Path::new(".")).unwrap_err();
        assert_eq!(err.path, "cv");
        let err = DistSpec::Exponential { mean: -1.0 }.build(Path::new(".")).unwrap_err();
        assert_eq!(err.path, "mean");
        let err = DistSpec::Pareto { mean: 1.0, shape: 1.0 }.build(Path::new(".")).unwrap_err();
        assert_eq!(err.path, "shape");
        let err = DistSpec::Uniform { low: 2.0, high: 1.0 }.build(Path::new(".")).unwrap_err();
        assert_eq!(err.path, "high");
        let err = DistSpec::Empirical { path: "no-such-file.txt".into() }.build(Path::new(".")).unwrap_err();
        assert_eq!(err.path, "path");
    }
}
