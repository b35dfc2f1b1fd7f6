//! Analytic results of queueing theory that the validation cases compare against.
//!
//! Times are in seconds; `mu` is a service rate (1 / mean service time), `lambda` an
//! arrival rate. Every function is checked against published figures or against an
//! independent formula in the tests at the bottom.

/// M/M/1 mean response time `1 / (mu - lambda)` (Kleinrock, *Queueing Systems I*,
/// 1975, eq. 3.26).
pub fn mm1_response(lambda: f64, mu: f64) -> f64 {
    1.0 / (mu - lambda)
}

/// The `q` quantile of M/M/1 FIFO response time: the response is exponential with
/// rate `mu - lambda` (Kleinrock 1975, eq. 3.27), so `-ln(1 - q) / (mu - lambda)`.
pub fn mm1_quantile(lambda: f64, mu: f64, q: f64) -> f64 {
    -(1.0 - q).ln() / (mu - lambda)
}

/// Erlang's C formula: the probability that an arrival to an M/M/c queue with offered
/// traffic `a = lambda / mu` (< c) waits. Computed through Erlang B's stable recursion
/// `B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1))`, then `C = B / (1 - (a/c)(1 - B))`
/// (Kleinrock 1975, eq. 3.40; Cooper, *Introduction to Queueing Theory*, 1981, §3.4).
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (k as f64 + a * b);
    }
    let rho = a / c as f64;
    b / (1.0 - rho * (1.0 - b))
}

/// M/M/c mean waiting time `C(c, a) / (c mu - lambda)`.
pub fn mmc_wait(c: u32, lambda: f64, mu: f64) -> f64 {
    erlang_c(c, lambda / mu) / (c as f64 * mu - lambda)
}

/// M/M/c mean response time: mean wait plus `1 / mu`.
pub fn mmc_response(c: u32, lambda: f64, mu: f64) -> f64 {
    mmc_wait(c, lambda, mu) + 1.0 / mu
}

/// Pollaczek–Khinchine mean response of M/G/1 FIFO:
/// `E[R] = E[S] + lambda E[S^2] / (2 (1 - rho))` with `rho = lambda E[S]`
/// (Kleinrock 1975, eq. 5.105). `es` and `es2` are the first two moments of the
/// service time.
pub fn pk_response(lambda: f64, es: f64, es2: f64) -> f64 {
    es + pk_wait(lambda, es, es2)
}

/// Pollaczek–Khinchine mean wait `lambda E[S^2] / (2 (1 - rho))`.
pub fn pk_wait(lambda: f64, es: f64, es2: f64) -> f64 {
    lambda * es2 / (2.0 * (1.0 - lambda * es))
}

/// The root `sigma` in (0, 1) of the G/M/1 equation `sigma = A*(mu (1 - sigma))`, for
/// Erlang-`k` interarrival times with phase rate `phase_rate` (mean gap
/// `k / phase_rate`), whose Laplace transform is `A*(s) = (phase_rate / (phase_rate + s))^k`
/// (Kleinrock 1975, §6.4). Iterating `sigma <- A*(mu (1 - sigma))` from 0 increases
/// monotonically to the smallest root, which is the one in (0, 1) when the load
/// `phase_rate / (k mu)` is below 1.
pub fn gm1_sigma_erlang(k: u32, phase_rate: f64, mu: f64) -> f64 {
    let transform = |s: f64| (-(k as f64) * (s / phase_rate).ln_1p()).exp();
    let mut sigma = 0.0f64;
    for _ in 0..10_000_000 {
        let next = transform(mu * (1.0 - sigma));
        if (next - sigma).abs() < 1e-15 {
            return next;
        }
        sigma = next;
    }
    sigma
}

/// Mean response of a fork-join job of 2 tasks over 2 FIFO exponential servers
/// (each task to its own server) with Poisson arrivals of jobs at `lambda` and
/// service rate `mu`: `(12 - rho) / 8 / (mu - lambda)`, `rho = lambda / mu` (exact:
/// Flatto and Hahn 1984; Nelson and Tantawi 1988, eq. 2).
pub fn fork_join2_response(lambda: f64, mu: f64) -> f64 {
    (12.0 - lambda / mu) / 8.0 / (mu - lambda)
}

/// Nelson and Tantawi's scaling approximation of the mean response of a fork-join of
/// `k` tasks over `k` such servers: `[H_k/H_2 + (1 - H_k/H_2) 4 rho / 11] R_2`, with
/// `R_2` the exact two-server response ([`fork_join2_response`]) and `H_k` the k-th
/// harmonic number; within 5% of their simulations for 2 <= k <= 32 (Nelson and
/// Tantawi, IEEE Trans. Computers 37(6), 1988; Thomasian, ACM Computing Surveys
/// 47(2), 2014, eq. 3).
pub fn fork_join_nelson_tantawi(k: u32, lambda: f64, mu: f64) -> f64 {
    let h = |n: u32| (1..=n).map(|i| 1.0 / i as f64).sum::<f64>();
    let ratio = h(k) / h(2);
    (ratio + (1.0 - ratio) * 4.0 * (lambda / mu) / 11.0) * fork_join2_response(lambda, mu)
}

/// G/M/1 FIFO mean response time `1 / (mu (1 - sigma))`; the response time is
/// exponential with that mean (Kleinrock 1975, eq. 6.30).
pub fn gm1_response(sigma: f64, mu: f64) -> f64 {
    1.0 / (mu * (1.0 - sigma))
}

/// Mean response time of the power-of-`d` choices (JSQ(d)) in the mean-field limit
/// N -> infinity at per-server load `rho`: the fraction of servers with at least `i`
/// tasks is `rho^((d^i - 1)/(d - 1))` (Mitzenmacher 2001; Vvedenskaya, Dobrushin and
/// Karpelevich 1996), so by Little's law the mean response is the mean number per
/// server divided by the arrival rate per server `rho mu`:
/// `(1 / mu) sum_{i >= 1} rho^((d^i - d)/(d - 1))`.
pub fn power_of_d_mean_field(d: u32, rho: f64, mu: f64) -> f64 {
    let d = d as f64;
    let mut sum = 0.0;
    let mut di = d; // d^i for i = 1
    loop {
        let term = rho.powf((di - d) / (d - 1.0));
        sum += term;
        if term < 1e-17 || di > 1e300 {
            break;
        }
        di *= d;
    }
    sum / mu
}

/// A class of an M/G/1 priority queue: arrival rate and the first two moments of its
/// service time.
#[derive(Debug, Clone, Copy)]
pub struct PriorityClass {
    /// Arrival rate.
    pub lambda: f64,
    /// Mean service time.
    pub es: f64,
    /// Second moment of the service time.
    pub es2: f64,
}

/// Mean response time of each class of a non-preemptive M/G/1 priority queue, classes
/// given from the highest priority down (Cobham 1954; Kleinrock, *Queueing Systems
/// II*, 1976, eq. 3.31): `T_k = E[S_k] + W0 / ((1 - sigma_{k-1}) (1 - sigma_k))` with
/// `W0 = sum_i lambda_i E[S_i^2] / 2` over all classes and `sigma_k = sum_{i <= k} rho_i`.
pub fn cobham_nonpreemptive(classes: &[PriorityClass]) -> Vec<f64> {
    let w0: f64 = classes.iter().map(|c| c.lambda * c.es2 / 2.0).sum();
    let mut sigma_prev = 0.0;
    classes
        .iter()
        .map(|c| {
            let sigma = sigma_prev + c.lambda * c.es;
            let t = c.es + w0 / ((1.0 - sigma_prev) * (1.0 - sigma));
            sigma_prev = sigma;
            t
        })
        .collect()
}

/// Mean response time of each class of a preemptive-resume M/G/1 priority queue,
/// classes from the highest priority down (Kleinrock 1976, eq. 3.40):
/// `T_k = E[S_k] / (1 - sigma_{k-1}) + (sum_{i <= k} lambda_i E[S_i^2] / 2) / ((1 - sigma_{k-1}) (1 - sigma_k))`.
pub fn preemptive_resume(classes: &[PriorityClass]) -> Vec<f64> {
    let mut sigma_prev = 0.0;
    let mut r = 0.0;
    classes
        .iter()
        .map(|c| {
            let sigma = sigma_prev + c.lambda * c.es;
            r += c.lambda * c.es2 / 2.0;
            let t = c.es / (1.0 - sigma_prev) + r / ((1.0 - sigma_prev) * (1.0 - sigma));
            sigma_prev = sigma;
            t
        })
        .collect()
}

/// Integration grid for the exponential-size integrals: `u = x / m` from 0 to
/// `U_MAX` (the weight `e^-u` leaves less than 1e-26 beyond it) in steps of `H`.
const U_MAX: f64 = 60.0;
const H: f64 = 1e-3;

/// Mean response time of non-preemptive shortest-job-first on M/M/1 with exact sizes
/// (Phipps 1956; Kleinrock 1976, eq. 3.44 in the limit of a continuum of classes): a
/// job of size x waits `W(x) = W0 / (1 - rho(x))^2`, where `W0 = lambda E[S^2] / 2` and
/// `rho(x) = lambda int_0^x t dF(t)` is the load of jobs no larger than x, so
/// `E[T] = E[S] + int_0^inf W(x) dF(x)`.
///
/// For exponential sizes of mean m, `E[S^2] = 2 m^2` and, with `u = x / m`,
/// `rho(x) = rho (1 - e^-u (1 + u))`; the integral `int_0^inf W(m u) e^-u du` is taken by
/// Simpson's rule on [0, 60] with step 1e-3 (error far below 1e-9).
pub fn sjf_exponential(lambda: f64, m: f64) -> f64 {
    let rho = lambda * m;
    let w0 = lambda * m * m;
    let rho_x = |u: f64| rho * (1.0 - (-u).exp() * (1.0 + u));
    let integrand = |u: f64| w0 / (1.0 - rho_x(u)).powi(2) * (-u).exp();
    m + simpson(integrand, 0.0, U_MAX, (U_MAX / H) as usize)
}

/// Mean response time of SRPT on M/M/1 with exact sizes (Schrage and Miller 1966;
/// Harchol-Balter, *Performance Modeling and Design of Computer Systems*, 2013,
/// eq. 33.2): a job of size x has mean response
/// `T(x) = [lambda int_0^x t^2 dF(t) + lambda x^2 (1 - F(x))] / (2 (1 - rho(x))^2) + int_0^x dt / (1 - rho(t))`
/// (waiting until it first runs, then residence while it runs, being preempted only
/// by smaller arrivals), and `E[T] = int_0^inf T(x) dF(x)`.
///
/// For exponential sizes of mean m, with `u = x / m`: `rho(x) = rho (1 - e^-u (1 + u))`,
/// `int_0^x t^2 dF = m^2 (2 - e^-u (u^2 + 2u + 2))`, `1 - F(x) = e^-u`. The inner
/// integral `int_0^x dt / (1 - rho(t))` is accumulated along the grid by the
/// trapezoidal rule and the outer one by the trapezoidal rule too (step 1e-3 on
/// [0, 60]: relative error about 1e-7).
pub fn srpt_exponential(lambda: f64, m: f64) -> f64 {
    let rho = lambda * m;
    let rho_x = |u: f64| rho * (1.0 - (-u).exp() * (1.0 + u));
    let n = (U_MAX / H) as usize;
    let mut inner = 0.0; // int_0^x dt / (1 - rho(t)), in seconds
    let mut outer = 0.0;
    let mut prev_f = 0.0;
    let mut prev_g = 1.0 / (1.0 - rho_x(0.0));
    for i in 0..=n {
        let u = i as f64 * H;
        let g = 1.0 / (1.0 - rho_x(u));
        if i > 0 {
            inner += 0.5 * (prev_g + g) * H * m;
        }
        prev_g = g;
        let e = (-u).exp();
        let second = lambda * m * m * (2.0 - e * (u * u + 2.0 * u + 2.0));
        let tail = lambda * (m * u).powi(2) * e;
        let t = (second + tail) / (2.0 * (1.0 - rho_x(u)).powi(2)) + inner;
        let f = t * e;
        if i > 0 {
            outer += 0.5 * (prev_f + f) * H;
        }
        prev_f = f;
    }
    outer
}

/// Composite Simpson's rule with `n` (made even) intervals.
fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize) -> f64 {
    let n = n + n % 2;
    let h = (b - a) / n as f64;
    let mut s = f(a) + f(b);
    for i in 1..n {
        s += f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    s * h / 3.0
}

/// The second moment of a service time with mean `es` and coefficient of variation
/// `cv`: `E[S^2] = Var[S] + E[S]^2 = (1 + cv^2) E[S]^2`. This holds for every
/// distribution, so P-K needs only the mean and cv of the file's size distribution:
///
/// - exponential: cv = 1, `E[S^2] = 2 E[S]^2`;
/// - constant: cv = 0, `E[S^2] = E[S]^2`;
/// - lognormal(mean m, cv): `sigma^2 = ln(1 + cv^2)`, `mu = ln m - sigma^2 / 2`, and
///   `E[S^2] = e^(2 mu + 2 sigma^2) = m^2 e^(sigma^2) = (1 + cv^2) m^2`;
/// - hyperexponential(mean m, cv >= 1) with balanced means: phase 1 with probability
///   p and mean `m1 = m / (2p)`, phase 2 with probability 1 - p and mean
///   `m2 = m / (2(1 - p))` (so `p m1 = (1 - p) m2 = m / 2`), hence
///   `E[S^2] = 2 p m1^2 + 2 (1 - p) m2^2 = m^2 / (2 p (1 - p))`; setting this to
///   `(1 + cv^2) m^2` gives `p = (1 - sqrt((cv^2 - 1) / (cv^2 + 1))) / 2`.
pub fn second_moment(es: f64, cv: f64) -> f64 {
    (1.0 + cv * cv) * es * es
}

/// The balanced-means hyperexponential's phase probability and means for a mean and
/// cv (see [`second_moment`]).
pub fn hyperexponential_phases(m: f64, cv: f64) -> (f64, f64, f64) {
    let c2 = cv * cv;
    let p = (1.0 - ((c2 - 1.0) / (c2 + 1.0)).sqrt()) / 2.0;
    (p, m / (2.0 * p), m / (2.0 * (1.0 - p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs()
    }

    #[test]
    fn mm1_textbook_values() {
        assert!(close(mm1_response(0.8, 1.0), 5.0, 1e-12));
        assert!(close(mm1_quantile(0.8, 1.0, 0.99), 5.0 * 100f64.ln(), 1e-12));
    }

    /// Erlang C reduces to rho for c = 1, and matches the textbook M/M/2 closed form
    /// `C = 2 rho^2 / (1 + rho)`; and a published table value: c = 10, a = 8 gives
    /// C = 0.4092 (Cooper 1981, Table; also any Erlang C calculator).
    #[test]
    fn erlang_c_known_values() {
        assert!(close(erlang_c(1, 0.7), 0.7, 1e-12));
        let rho: f64 = 0.8;
        assert!(close(erlang_c(2, 2.0 * rho), 2.0 * rho * rho / (1.0 + rho), 1e-12));
        assert!(close(erlang_c(10, 8.0), 0.4092, 1e-3));
        // M/M/c with c = 1 is M/M/1.
        assert!(close(mmc_response(1, 0.9, 1.0), 10.0, 1e-12));
    }

    /// P-K: M/M/1 (E[S^2] = 2) and M/D/1 (mean wait rho / (2 (1 - rho))).
    #[test]
    fn pollaczek_khinchine() {
        assert!(close(pk_response(0.9, 1.0, 2.0), 10.0, 1e-12));
        assert!(close(pk_wait(0.9, 1.0, 1.0), 4.5, 1e-12));
    }

    /// Published: E_100/M/1 at load 0.9 has mean response 5.227 (mu = 1); E_1/M/1 is
    /// M/M/1 (sigma = rho); E_2/M/1 has the closed form root of a quadratic.
    #[test]
    fn gm1_erlang() {
        let sigma = gm1_sigma_erlang(100, 90.0, 1.0);
        assert!((gm1_response(sigma, 1.0) - 5.227).abs() < 5e-4, "{}", gm1_response(sigma, 1.0));
        assert!(close(gm1_sigma_erlang(1, 0.8, 1.0), 0.8, 1e-9));
        // E_2 with phase rate 2 rho (mean gap 1 / rho), mu = 1: sigma = (2 rho / (2 rho + 1 - sigma))^2;
        // x (2 rho + 1 - x)^2 = 4 rho^2 has the root 1; dividing it out leaves
        // x^2 - (4 rho + 1) x + 4 rho^2 = 0, whose root in (0, 1) is
        // sigma = 2 rho + 1/2 - sqrt(2 rho + 1/4).
        let rho: f64 = 0.8;
        let expected = 2.0 * rho + 0.5 - (2.0 * rho + 0.25).sqrt();
        assert!(close(gm1_sigma_erlang(2, 2.0 * rho, 1.0), expected, 1e-9));
    }

    /// Published: po2 mean-field mean response at 0.9 is 2.614 (Mitzenmacher 2001);
    /// d = 1 would be M/M/1 (the sum becomes geometric only in the limit, so check d = 2, 3 by hand).
    #[test]
    fn power_of_d() {
        assert!((power_of_d_mean_field(2, 0.9, 1.0) - 2.614).abs() < 5e-4);
        // d = 3 at 0.5: 1 + 0.5^3 + 0.5^12 + 0.5^39 + ...
        let expected = 1.0 + 0.5f64.powi(3) + 0.5f64.powi(12) + 0.5f64.powi(39);
        assert!(close(power_of_d_mean_field(3, 0.5, 1.0), expected, 1e-12));
    }

    /// One class reduces both priority formulas to P-K; and the conservation law
    /// (Kleinrock 1965): for a non-preemptive work-conserving discipline with
    /// exponential sizes of one mean, the load-weighted mean wait equals FIFO's.
    #[test]
    fn priority_formulas() {
        let one = [PriorityClass { lambda: 0.8, es: 1.0, es2: 2.0 }];
        assert!(close(cobham_nonpreemptive(&one)[0], 5.0, 1e-12));
        assert!(close(preemptive_resume(&one)[0], 5.0, 1e-12));
        let two = [PriorityClass { lambda: 0.4, es: 1.0, es2: 2.0 }, PriorityClass { lambda: 0.5, es: 1.0, es2: 2.0 }];
        let t = cobham_nonpreemptive(&two);
        let mean = (0.4 * t[0] + 0.5 * t[1]) / 0.9;
        assert!(close(mean, 10.0, 1e-12));
        // Preemptive-resume with identical exponential classes: the overall mean is
        // still M/M/1's (memoryless sizes, work-conserving, size-blind).
        let p = preemptive_resume(&two);
        assert!(close((0.4 * p[0] + 0.5 * p[1]) / 0.9, 10.0, 1e-12));
        // The high class under preemption sees an M/M/1 of its own load.
        assert!(close(p[0], 1.0 / (1.0 - 0.4), 1e-12));
    }

    /// Phipps' integral against Cobham with many size classes: SJF is priority by
    /// size, and K classes of equal probability (size intervals of the exponential,
    /// each with its exact conditional moments) converge to it as K grows.
    #[test]
    fn sjf_matches_many_class_cobham() {
        let (lambda, m) = (0.9, 1.0);
        let k = 4000;
        let mut classes = Vec::new();
        // Interval [a, b) of the exponential(1): P = e^-a - e^-b;
        // int x e^-x = (a + 1) e^-a - (b + 1) e^-b; int x^2 e^-x = (a^2 + 2a + 2) e^-a - (b^2 + 2b + 2) e^-b.
        let cut = |i: usize| if i == k { f64::INFINITY } else { -(1.0 - i as f64 / k as f64).ln() };
        for i in 0..k {
            let (a, b) = (cut(i), cut(i + 1));
            let ea = (-a).exp();
            let eb = if b.is_infinite() { 0.0 } else { (-b).exp() };
            let bt = if b.is_infinite() { 0.0 } else { b };
            let p = ea - eb;
            let s1 = (a + 1.0) * ea - (bt + 1.0) * eb;
            let s2 = (a * a + 2.0 * a + 2.0) * ea - (bt * bt + 2.0 * bt + 2.0) * eb;
            classes.push(PriorityClass { lambda: lambda * p, es: s1 / p, es2: s2 / p });
        }
        let t = cobham_nonpreemptive(&classes);
        let mean: f64 = classes.iter().zip(&t).map(|(c, t)| c.lambda * t).sum::<f64>() / lambda;
        let phipps = sjf_exponential(lambda, m);
        assert!(close(phipps, mean, 2e-3), "Phipps {phipps}, Cobham with {k} classes {mean}");
        // SJF beats FIFO (10) at 0.9.
        assert!(phipps < 10.0);
    }

    /// SRPT: tends to E[S] at light load; it minimises the mean response over all
    /// disciplines (Schrage 1968), so it must lie below processor sharing
    /// (`m / (1 - rho)`), below SJF, and below preemptive priority by original size
    /// (PSJF; from many-class preemptive-resume), which ignores attained service.
    #[test]
    fn srpt_bounds() {
        assert!(close(srpt_exponential(1e-6, 1.0), 1.0, 1e-4));
        for rho in [0.5, 0.8, 0.9, 0.95] {
            let srpt = srpt_exponential(rho, 1.0);
            assert!(srpt < 1.0 / (1.0 - rho), "rho {rho}: {srpt}");
            assert!(srpt < sjf_exponential(rho, 1.0), "rho {rho}: {srpt}");
            let k = 2000;
            let cut = |i: usize| if i == k { f64::INFINITY } else { -(1.0 - i as f64 / k as f64).ln() };
            let mut classes = Vec::new();
            for i in 0..k {
                let (a, b) = (cut(i), cut(i + 1));
                let ea = (-a).exp();
                let (eb, bt) = if b.is_infinite() { (0.0, 0.0) } else { ((-b).exp(), b) };
                let p = ea - eb;
                let s1 = (a + 1.0) * ea - (bt + 1.0) * eb;
                let s2 = (a * a + 2.0 * a + 2.0) * ea - (bt * bt + 2.0 * bt + 2.0) * eb;
                classes.push(PriorityClass { lambda: rho * p, es: s1 / p, es2: s2 / p });
            }
            let t = preemptive_resume(&classes);
            let psjf: f64 = classes.iter().zip(&t).map(|(c, t)| c.lambda * t).sum::<f64>() / rho;
            assert!(srpt < psjf, "rho {rho}: SRPT {srpt}, PSJF {psjf}");
        }
    }

    #[test]
    fn hyperexponential_moments() {
        let (m, cv) = (1.0, 2.0);
        let (p, m1, m2) = hyperexponential_phases(m, cv);
        assert!(close(p * m1 + (1.0 - p) * m2, m, 1e-12));
        assert!(close(2.0 * p * m1 * m1 + 2.0 * (1.0 - p) * m2 * m2, second_moment(m, cv), 1e-12));
    }
}
