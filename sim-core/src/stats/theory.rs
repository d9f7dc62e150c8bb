//! Closed forms from queueing theory, to validate models against.
//!
//! Notation: arrival rate λ, service rate μ per server, `c` servers, offered load `a = λ/μ`,
//! utilisation `ρ = a/c < 1`. Times are in the same unit as `1/λ`.

/// Erlang C: the probability that an arriving customer waits in an M/M/c queue.
///
/// Computed through the Erlang B recursion, which is numerically stable for large `c`.
///
/// # Panics
/// If `c == 0` or `ρ ≥ 1` (no steady state).
pub fn erlang_c(c: u32, offered_load: f64) -> f64 {
    let rho = offered_load / f64::from(c);
    assert!(
        c > 0 && rho < 1.0,
        "Erlang C needs c > 0 and rho < 1 (c = {c}, rho = {rho})"
    );
    let mut b = 1.0;
    for k in 1..=c {
        b = offered_load * b / (f64::from(k) + offered_load * b);
    }
    b / (1.0 - rho * (1.0 - b))
}

/// Mean waiting time in queue of M/M/c: `Wq = C(c, a) / (cμ − λ)`.
pub fn mmc_wq(lambda: f64, mu: f64, c: u32) -> f64 {
    erlang_c(c, lambda / mu) / (f64::from(c) * mu - lambda)
}

/// Mean waiting time in queue of M/M/1: `Wq = ρ / (μ − λ)`.
pub fn mm1_wq(lambda: f64, mu: f64) -> f64 {
    let rho = lambda / mu;
    assert!(rho < 1.0, "M/M/1 needs rho < 1 (rho = {rho})");
    rho / (mu - lambda)
}

/// Mean waiting time in queue of M/G/1 (Pollaczek–Khinchine): `Wq = λ E[S²] / (2 (1 − ρ))`.
pub fn mg1_wq(lambda: f64, mean_service: f64, second_moment_service: f64) -> f64 {
    let rho = lambda * mean_service;
    assert!(rho < 1.0, "M/G/1 needs rho < 1 (rho = {rho})");
    lambda * second_moment_service / (2.0 * (1.0 - rho))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn erlang_c_matches_the_direct_formula() {
        // Direct: [a^c / (c! (1-ρ))] / [Σ_{k<c} a^k/k! + a^c / (c! (1-ρ))]
        for (c, a) in [(1u32, 0.5), (2, 1.5), (10, 9.0), (5, 2.0)] {
            let rho = a / f64::from(c);
            let fact = |n: u32| (1..=n).map(f64::from).product::<f64>();
            let top = libm::pow(a, f64::from(c)) / (fact(c) * (1.0 - rho));
            let sum: f64 = (0..c).map(|k| libm::pow(a, f64::from(k)) / fact(k)).sum();
            assert_relative_eq!(erlang_c(c, a), top / (sum + top), max_relative = 1e-12);
        }
    }

    #[test]
    fn special_cases_agree() {
        // M/M/1 is M/M/c with c = 1 and M/G/1 with exponential service (E[S²] = 2/μ²).
        let (lambda, mu) = (0.9, 1.0);
        assert_relative_eq!(mmc_wq(lambda, mu, 1), mm1_wq(lambda, mu), max_relative = 1e-12);
        assert_relative_eq!(
            mg1_wq(lambda, 1.0 / mu, 2.0 / (mu * mu)),
            mm1_wq(lambda, mu),
            max_relative = 1e-12
        );
        assert_relative_eq!(erlang_c(1, 0.9), 0.9, max_relative = 1e-12);
    }
}
