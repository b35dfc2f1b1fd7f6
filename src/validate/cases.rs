//! What each validation scenario predicts: the analytic value of each quantity it
//! checks, with its formula, source and stated model error.
//!
//! A scenario's case is chosen by its `name`; the formula's inputs (arrival rate,
//! nodes, cores, speed, size moments, classes, d) are read from the scenario itself,
//! so changing a file changes the prediction with it.

use super::theory::{self, PriorityClass};
use crate::metrics::{ClassResult, RunOutput};
use crate::model::Mode;
use crate::scenario::{Scenario, Stop, Warmup};
use crate::workload::JobShape;

/// How a simulated quantity is compared with its prediction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// Equal within the tolerance.
    Equal,
    /// At most the prediction plus the tolerance (the prediction is an upper bound).
    AtMost,
    /// At least the prediction minus the tolerance (a lower bound).
    AtLeast,
}

/// What a check measures in each run.
#[derive(Debug, Clone)]
pub enum Measure {
    /// A figure of the run.
    Field(fn(&RunOutput) -> f64),
    /// The mean response of the named class.
    ClassMean(String),
    /// Little's law: the time-average number in system against throughput x mean
    /// response, replication by replication (the prediction is the mean of X W).
    Little,
}

/// One expected value.
#[derive(Debug, Clone)]
pub struct Expect {
    /// What is compared (`mean response`, `p99 response`, ...).
    pub quantity: String,
    /// The formula, with its inputs.
    pub formula: String,
    /// Where it comes from.
    pub source: &'static str,
    /// The predicted value (for [`Measure::Little`], filled in from the runs).
    pub predicted: f64,
    /// Relative error allowed beyond sampling noise: what the model leaves out.
    pub model_error: f64,
    /// Why `model_error` is what it is.
    pub model_note: String,
    /// Two-sided or a bound.
    pub bound: Bound,
    /// What is measured.
    pub measure: Measure,
}

/// The inputs every case reads off its scenario.
struct Inputs {
    /// Arrival rate (per second).
    lambda: f64,
    /// Nodes.
    n: u32,
    /// Cores per node.
    cores: u32,
    /// Mean service time (size mean / speed), over all classes.
    es: f64,
    /// Coefficient of variation of `workload.size`, from the file.
    cv: f64,
    /// Length of the measured span, expected: measured tasks / lambda.
    t_meas: f64,
}

/// The warm-up bias term: a run starts empty, and a queue's distance from its
/// stationary mean decays on the relaxation time `tau`; the bias of a time average
/// over a span T is at most about `tau / T` (whatever the warm-up cut removes only
/// makes it smaller). For a single M/M/1 server at load rho,
/// `tau = 1 / (mu (1 - sqrt rho)^2)` (Morse 1955; Cohen 1982); for M/G/1 it scales
/// with `(1 + cv^2) / 2` (the heavy-traffic variance factor), and an M/M/c queue's
/// length above c moves like an M/M/1 with service rate `c mu`.
fn warmup(tau: f64, t_meas: f64) -> (f64, String) {
    let e = tau / t_meas;
    (e, format!("warm-up tau/T = {:.3}%", 100.0 * e))
}

fn relax_mm1(mu: f64, rho: f64) -> f64 {
    1.0 / (mu * (1.0 - rho.sqrt()).powi(2))
}

/// The size distribution's cv, from the scenario text at `path` (`workload.size` or
/// `workload.classes[i].size`): exponential 1, constant 0, lognormal and
/// hyperexponential as written. Other distributions have no case here.
fn cv_of(table: &toml::Table) -> Result<f64, String> {
    let dist = table.get("dist").and_then(|v| v.as_str()).unwrap_or("");
    let number = |key: &str| {
        table
            .get(key)
            .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
            .ok_or(format!("size distribution '{dist}' without a numeric '{key}'"))
    };
    match dist {
        "exponential" => Ok(1.0),
        "constant" => Ok(0.0),
        "lognormal" | "hyperexponential" => number("cv"),
        other => Err(format!("no analytic case for size distribution '{other}'")),
    }
}

fn inputs(s: &Scenario, doc: &toml::Table) -> Result<Inputs, String> {
    let g = s.node_groups.first().ok_or("no nodes")?;
    if s.node_groups.len() != 1 {
        return Err("validation cases need one group of identical nodes".into());
    }
    let lambda = s.workload.arrival.mean_rate();
    let es: f64 = s.workload.classes.iter().map(|c| c.share * c.size.mean()).sum::<f64>() / g.speed;
    let cv = match doc.get("workload").and_then(|w| w.get("size")).and_then(|v| v.as_table()) {
        Some(t) => cv_of(t)?,
        None => 1.0,
    };
    let tasks = match s.run.stop {
        Stop::Tasks(n) => n as f64,
        Stop::Horizon(h) => h * lambda,
    };
    let measured = match s.run.warmup {
        Warmup::Fraction(f) => (1.0 - f) * tasks,
        Warmup::Seconds(w) => tasks - w * lambda,
    };
    Ok(Inputs { lambda, n: g.count, cores: g.cores, es, cv, t_meas: measured / lambda })
}

fn field(f: fn(&RunOutput) -> f64) -> Measure {
    Measure::Field(f)
}

/// The expectations of scenario `s` (one sweep point), whose file text is `doc`, and
/// the mean response that Little's law's edge term is scaled by.
pub fn expectations(s: &Scenario, doc: &toml::Table) -> Result<Vec<Expect>, String> {
    let inp = inputs(s, doc)?;
    let mu = 1.0 / inp.es;
    let lambda = inp.lambda;
    let mut out = Vec::new();
    let mut push = |quantity: &str,
                    formula: String,
                    source: &'static str,
                    predicted: f64,
                    (model_error, model_note): (f64, String),
                    bound: Bound,
                    measure: Measure| {
        out.push(Expect {
            quantity: quantity.into(),
            formula,
            source,
            predicted,
            model_error,
            model_note,
            bound,
            measure,
        })
    };
    // The HDR histogram's percentiles are within 0.1% of the exact ones.
    let hdr = |(e, note): (f64, String)| (e + 1e-3, format!("{note} + HDR 0.1%"));
    let quantiles = [
        (0.5, "p50 response", field(|o| o.result.p50_response) as Measure),
        (0.95, "p95 response", field(|o| o.result.p95_response)),
        (0.99, "p99 response", field(|o| o.result.p99_response)),
    ];
    // The mean response the case predicts, for Little's law's edge term.
    let w_ref: f64;
    match s.name.as_str() {
        "mm1" => {
            let rho = lambda / mu;
            let w = warmup(relax_mm1(mu, rho), inp.t_meas);
            w_ref = theory::mm1_response(lambda, mu);
            push(
                "mean response",
                format!("1/(mu-lambda), mu={mu}, lambda={lambda:.4}"),
                "Kleinrock 1975 eq. 3.26",
                w_ref,
                w.clone(),
                Bound::Equal,
                field(|o| o.result.mean_response),
            );
            for (q, name, m) in quantiles {
                push(
                    name,
                    format!("-ln(1-{q})/(mu-lambda): response ~ Exp(mu-lambda)"),
                    "Kleinrock 1975 eq. 3.27",
                    theory::mm1_quantile(lambda, mu, q),
                    hdr(w.clone()),
                    Bound::Equal,
                    m,
                );
            }
        }
        // M/M/c four ways: c cores of one node; c single-core nodes in central mode;
        // least_work_left over c single-core nodes and min_completion_time over nodes
        // of several cores, both dispatching with exact sizes and no latency, which
        // start every task when one central FCFS queue over all cores would.
        "mmc-cores" | "mmc-central" | "least-work-left" | "min-completion-time" => {
            let name = s.name.as_str();
            let balancer = s.balancers.first().map(|b| b.name.as_str()).unwrap_or("");
            let shape_ok = match name {
                "mmc-cores" => inp.n == 1,
                "mmc-central" => s.run.mode == Mode::Central && inp.cores == 1,
                "least-work-left" => s.run.mode == Mode::Dispatch && inp.cores == 1 && balancer == "least_work_left",
                _ => s.run.mode == Mode::Dispatch && balancer == "min_completion_time",
            };
            if !shape_ok {
                return Err(format!(
                    "{name}: expected one node with c cores (mmc-cores), c single-core nodes in central mode \
                     (mmc-central), c single-core nodes under least_work_left (least-work-left), or nodes of \
                     any cores under min_completion_time (min-completion-time)"
                ));
            }
            let c = inp.n * inp.cores;
            let rho = lambda / (c as f64 * mu);
            let w = warmup(relax_mm1(c as f64 * mu, rho), inp.t_meas);
            w_ref = theory::mmc_response(c, lambda, mu);
            push(
                "mean response",
                format!(
                    "C(c,a)/(c mu-lambda)+1/mu, c={c}, a={:.4}, C={:.5}",
                    lambda / mu,
                    theory::erlang_c(c, lambda / mu)
                ),
                "Erlang C; Kleinrock 1975 eq. 3.40",
                w_ref,
                w.clone(),
                Bound::Equal,
                field(|o| o.result.mean_response),
            );
            push(
                "mean wait",
                format!("C(c,a)/(c mu-lambda), c={c}"),
                "Erlang C; Kleinrock 1975 eq. 3.40",
                theory::mmc_wait(c, lambda, mu),
                w,
                Bound::Equal,
                field(|o| o.result.mean_wait),
            );
        }
        "mg1-deterministic" | "mg1-lognormal" | "mg1-hyperexponential" => {
            let es2 = theory::second_moment(inp.es, inp.cv);
            let rho = lambda * inp.es;
            let w = warmup(relax_mm1(mu, rho) * (1.0 + inp.cv * inp.cv) / 2.0, inp.t_meas);
            w_ref = theory::pk_response(lambda, inp.es, es2);
            let cv = inp.cv;
            push(
                "mean response",
                format!("E[S]+lambda E[S^2]/(2(1-rho)), E[S]={}, E[S^2]=(1+cv^2)E[S]^2={es2:.4} (cv={cv})", inp.es),
                "Pollaczek-Khinchine; Kleinrock 1975 eq. 5.105",
                w_ref,
                w.clone(),
                Bound::Equal,
                field(|o| o.result.mean_response),
            );
            push(
                "mean wait",
                "lambda E[S^2]/(2(1-rho))".into(),
                "Pollaczek-Khinchine",
                theory::pk_wait(lambda, inp.es, es2),
                w,
                Bound::Equal,
                field(|o| o.result.mean_wait),
            );
        }
        "random-n" => {
            let l = lambda / inp.n as f64;
            let w = warmup(relax_mm1(mu, l / mu), inp.t_meas);
            w_ref = theory::mm1_response(l, mu);
            push(
                "mean response",
                format!("M/M/1 at lambda/N: 1/(mu-lambda/N), N={}", inp.n),
                "Poisson splitting; Kleinrock 1975 eq. 3.26",
                w_ref,
                w.clone(),
                Bound::Equal,
                field(|o| o.result.mean_response),
            );
            push(
                "p99 response",
                format!("-ln(0.01)/(mu-lambda/N), N={}", inp.n),
                "Poisson splitting; Kleinrock 1975 eq. 3.27",
                theory::mm1_quantile(l, mu, 0.99),
                hdr(w),
                Bound::Equal,
                field(|o| o.result.p99_response),
            );
        }
        "round-robin" => {
            // Round robin sends every N-th Poisson(lambda) arrival to a node: its gaps are
            // Erlang-N with phase rate lambda, A*(s) = (lambda/(lambda+s))^N.
            let sigma = theory::gm1_sigma_erlang(inp.n, lambda, mu);
            let w = warmup(relax_mm1(mu, lambda / inp.n as f64 / mu), inp.t_meas);
            w_ref = theory::gm1_response(sigma, mu);
            push(
                "mean response",
                format!("E_N/M/1: 1/(mu(1-sigma)), sigma=(lambda/(lambda+mu(1-sigma)))^N={sigma:.6}, N={}", inp.n),
                "G/M/1; Kleinrock 1975 eq. 6.30",
                w_ref,
                w.clone(),
                Bound::Equal,
                field(|o| o.result.mean_response),
            );
            push(
                "p99 response",
                "-ln(0.01)/(mu(1-sigma)): G/M/1 response ~ Exp".into(),
                "G/M/1; Kleinrock 1975 §6.4",
                -(0.01f64).ln() * w_ref,
                hdr(w),
                Bound::Equal,
                field(|o| o.result.p99_response),
            );
        }
        "power-of-d" => {
            let b = s.balancers.first().ok_or("no balancer")?;
            let d = b.params.get("d").copied().unwrap_or(2.0) as u32;
            let rho = lambda / (inp.n as f64 * mu);
            w_ref = theory::power_of_d_mean_field(d, rho, mu);
            // Finite N: the mean field is exact as N -> inf with an O(1/N) error
            // (Gast 2017; Gast and Van Houdt 2018 report 0.7% at N = 100, rho = 0.9,
            // d = 2); the simulator samples d *distinct* nodes, also an O(1/N) change;
            // at N = 1000 both are well under 1%, and the transient from empty lasts
            // a few mean responses, far inside the 10% warm-up of > 400 service times.
            let note = format!("finite N={} (O(1/N)) 1%", inp.n);
            push(
                "mean response",
                format!("sum_i rho^((d^i-d)/(d-1))/mu, d={d}, rho={rho:.4}"),
                "Mitzenmacher 2001; Vvedenskaya et al. 1996 (mean field)",
                w_ref,
                (0.01, note),
                Bound::Equal,
                field(|o| o.result.mean_response),
            );
        }
        "jsq" => {
            let n = inp.n;
            let l = lambda / n as f64;
            let upper = theory::mm1_response(l, mu);
            let lower = theory::mmc_response(n, lambda, mu);
            w_ref = upper;
            let rho = l / mu;
            push(
                "mean response <=",
                format!("random routing: 1/(mu-lambda/N), N={n}"),
                "JSQ beats random (Winston 1977; Weber 1978)",
                upper,
                warmup(relax_mm1(mu, rho), inp.t_meas),
                Bound::AtMost,
                field(|o| o.result.mean_response),
            );
            push(
                "mean response >=",
                format!("M/M/N: C(N,a)/(N mu-lambda)+1/mu, N={n}"),
                "central queue lower bound; Erlang C",
                lower,
                warmup(relax_mm1(n as f64 * mu, rho), inp.t_meas),
                Bound::AtLeast,
                field(|o| o.result.mean_response),
            );
        }
        "priority-nonpreemptive" | "priority-preemptive" => {
            let speed = s.node_groups[0].speed;
            let workload = doc.get("workload").and_then(|w| w.get("classes")).and_then(|c| c.as_array());
            let mut classes: Vec<(u32, String, PriorityClass, f64)> = Vec::new();
            for (i, c) in s.workload.classes.iter().enumerate() {
                let size = workload.and_then(|a| a.get(i)).and_then(|c| c.get("size")).and_then(|v| v.as_table());
                let cv = match size {
                    Some(t) => cv_of(t)?,
                    None => inp.cv,
                };
                let es = c.size.mean() / speed;
                let pc = PriorityClass { lambda: lambda * c.share, es, es2: theory::second_moment(es, cv) };
                classes.push((c.priority, c.name.clone(), pc, cv));
            }
            classes.sort_by_key(|c| c.0);
            let pcs: Vec<PriorityClass> = classes.iter().map(|c| c.2).collect();
            let preemptive = s.name == "priority-preemptive";
            let t = if preemptive { theory::preemptive_resume(&pcs) } else { theory::cobham_nonpreemptive(&pcs) };
            let rho: f64 = pcs.iter().map(|c| c.lambda * c.es).sum();
            let cv_max = classes.iter().map(|c| c.3).fold(0.0, f64::max);
            let w = warmup(relax_mm1(mu, rho) * (1.0 + cv_max * cv_max).max(2.0) / 2.0, inp.t_meas);
            w_ref = t.iter().zip(&pcs).map(|(t, c)| t * c.lambda).sum::<f64>() / lambda;
            for (k, ((_, name, pc, _), tk)) in classes.iter().zip(&t).enumerate() {
                let formula = if preemptive {
                    format!(
                        "E[S_k]/(1-s_(k-1)) + sum_(i<=k) lambda_i E[S_i^2]/2 / ((1-s_(k-1))(1-s_k)), k={}, E[S]={}",
                        k + 1,
                        pc.es
                    )
                } else {
                    format!("E[S_k] + W0/((1-s_(k-1))(1-s_k)), W0=sum lambda_i E[S_i^2]/2, k={}, E[S]={}", k + 1, pc.es)
                };
                push(
                    &format!("class {name} mean response"),
                    formula,
                    if preemptive {
                        "preemptive resume; Kleinrock 1976 eq. 3.40"
                    } else {
                        "Cobham 1954; Kleinrock 1976 eq. 3.31"
                    },
                    *tk,
                    w.clone(),
                    Bound::Equal,
                    Measure::ClassMean(name.clone()),
                );
            }
        }
        "sjf" | "srpt" => {
            if s.workload.estimate_error != 0.0 || inp.cv != 1.0 || inp.n * inp.cores != 1 {
                return Err(format!(
                    "{}: needs one single-core node, exponential sizes and estimate_error = 0",
                    s.name
                ));
            }
            let rho = lambda / mu;
            let w = warmup(relax_mm1(mu, rho), inp.t_meas);
            if s.name == "sjf" {
                w_ref = theory::sjf_exponential(lambda, inp.es);
                push(
                    "mean response",
                    "E[S] + int W0/(1-rho(x))^2 dF(x), rho(x)=lambda int_0^x t dF".into(),
                    "Phipps 1956; Kleinrock 1976 §3.7",
                    w_ref,
                    w,
                    Bound::Equal,
                    field(|o| o.result.mean_response),
                );
            } else {
                w_ref = theory::srpt_exponential(lambda, inp.es);
                push(
                    "mean response",
                    "int [lambda int_0^x t^2 dF + lambda x^2(1-F(x))]/(2(1-rho(x))^2) + int_0^x dt/(1-rho(t)) dF(x)"
                        .into(),
                    "Schrage and Miller 1966; Harchol-Balter 2013 eq. 33.2",
                    w_ref,
                    w,
                    Bound::Equal,
                    field(|o| o.result.mean_response),
                );
            }
        }
        // Jobs of k tasks, one to each of k FIFO single-core nodes: round robin over k
        // nodes sends a job's k tasks (released together, in order) one to each.
        "fork-join-2" | "fork-join-k" => {
            let k = match &s.workload.job {
                Some(job @ JobShape::ForkJoin { fixed: Some(_), .. }) => job.mean_tasks() as u32,
                _ => 0,
            };
            let balancer = s.balancers.first().map(|b| b.name.as_str()).unwrap_or("");
            if k != inp.n || k < 2 || inp.cores != 1 || balancer != "round_robin" || s.run.mode != Mode::Dispatch {
                return Err(format!(
                    "{}: expected fork-join jobs of a constant k >= 2 tasks over k single-core nodes under \
                     round_robin in dispatch mode",
                    s.name
                ));
            }
            let rho = lambda / mu;
            let w = warmup(relax_mm1(mu, rho), inp.t_meas);
            let (predicted, model, formula, source) = if k == 2 {
                let f = "(12-rho)/8/(mu-lambda)".to_string();
                (theory::fork_join2_response(lambda, mu), w, f, "Flatto and Hahn 1984; Nelson and Tantawi 1988")
            } else {
                let f = format!("[H_k/H_2+(1-H_k/H_2)4rho/11](12-rho)/8/(mu-lambda), k={k}");
                let (e, note) = w;
                let model = (e + 0.05, format!("{note} + approximation 5%"));
                (theory::fork_join_nelson_tantawi(k, lambda, mu), model, f, "Nelson and Tantawi 1988 (approx.)")
            };
            w_ref = predicted;
            let formula = format!("{formula}, rho={rho:.4}");
            push(
                "job mean response",
                formula,
                source,
                predicted,
                model,
                Bound::Equal,
                field(|o| o.result.job_mean_response),
            );
        }
        other => return Err(format!("no analytic case named '{other}'")),
    }
    // Little's law over the measured span: tasks present at its two ends (about
    // L each) are counted in L but only partly in X W, a relative difference of at
    // most about 2 W / T.
    let edge = 2.0 * w_ref / inp.t_meas;
    out.push(Expect {
        quantity: "Little: L = X W".into(),
        formula: "mean tasks in system = throughput x mean response".into(),
        source: "Little 1961",
        predicted: f64::NAN,
        model_error: edge,
        model_note: format!("edges 2W/T = {:.3}%", 100.0 * edge),
        bound: Bound::Equal,
        measure: Measure::Little,
    });
    Ok(out)
}

/// The mean response of class `name` in a run (NaN if it has none).
pub fn class_mean(o: &RunOutput, name: &str) -> f64 {
    o.detail.classes.iter().find(|c: &&ClassResult| c.class == name).map_or(f64::NAN, |c| c.mean_response)
}
