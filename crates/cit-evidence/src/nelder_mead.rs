//! The Nelder–Mead simplex method, with the dimension-adapted coefficients of Gao & Han (2012,
//! Comput Optim Appl 51:259-277), which keep it making progress in 20+ dimensions, and restarts
//! from the best point on a fresh simplex (the usual remedy for a collapsed simplex).
//!
//! Derivative-free, because the calibration objective comes from cohort simulations with
//! thresholds (responder shares, side-effect days) and has no useful gradient.

/// Settings of a minimisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Size of the first simplex's edges, per coordinate.
    pub initial_step: Vec<f64>,
    pub max_evaluations: usize,
    /// Stop (or restart) when the simplex's objective values span less than this.
    pub f_tolerance: f64,
    /// How many times to rebuild the simplex around the best point after convergence.
    pub restarts: usize,
}

/// Where the minimisation ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    pub x: Vec<f64>,
    pub f: f64,
    pub evaluations: usize,
    /// Best objective after each iteration (for the fit report).
    pub history: Vec<f64>,
}

/// Minimises `f` from `x0`. `f` may return `f64::INFINITY` for an infeasible point. The method
/// is deterministic: the same start and settings give the same path.
pub fn minimise(f: &mut dyn FnMut(&[f64]) -> f64, x0: &[f64], settings: &Settings) -> Minimum {
    let n = x0.len();
    let nf = n.max(1) as f64;
    // Gao & Han's adaptive coefficients (the standard 1, 2, 0.5, 0.5 when n = 2).
    let (alpha, beta, gamma, delta) = (1.0, 1.0 + 2.0 / nf, 0.75 - 1.0 / (2.0 * nf), 1.0 - 1.0 / nf);
    let mut evaluations = 0usize;
    let mut eval = |x: &[f64], evaluations: &mut usize| {
        *evaluations += 1;
        let v = f(x);
        if v.is_nan() {
            f64::INFINITY
        } else {
            v
        }
    };
    let mut best_x = x0.to_vec();
    let mut best_f = eval(x0, &mut evaluations);
    let mut history = vec![best_f];
    if n == 0 {
        return Minimum {
            x: best_x,
            f: best_f,
            evaluations,
            history,
        };
    }

    for _round in 0..=settings.restarts {
        // Simplex: the best point and one step along each axis.
        let mut simplex: Vec<(Vec<f64>, f64)> = vec![(best_x.clone(), best_f)];
        for i in 0..n {
            if evaluations >= settings.max_evaluations {
                break;
            }
            let mut x = best_x.clone();
            x[i] += settings.initial_step[i];
            let fx = eval(&x, &mut evaluations);
            simplex.push((x, fx));
        }
        if simplex.len() < n + 1 {
            break;
        }
        loop {
            simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
            history.push(simplex[0].1);
            let spread = simplex[n].1 - simplex[0].1;
            if evaluations >= settings.max_evaluations || spread.abs() < settings.f_tolerance {
                break;
            }
            let centroid: Vec<f64> = (0..n)
                .map(|j| simplex[..n].iter().map(|(x, _)| x[j]).sum::<f64>() / nf)
                .collect();
            let worst = simplex[n].clone();
            let towards =
                |t: f64| -> Vec<f64> { (0..n).map(|j| centroid[j] + t * (worst.0[j] - centroid[j])).collect() };
            let xr = towards(-alpha);
            let fr = eval(&xr, &mut evaluations);
            if fr < simplex[0].1 {
                let xe = towards(-alpha * beta);
                let fe = eval(&xe, &mut evaluations);
                simplex[n] = if fe < fr { (xe, fe) } else { (xr, fr) };
            } else if fr < simplex[n - 1].1 {
                simplex[n] = (xr, fr);
            } else {
                // Contract outside (towards the reflection) or inside (towards the worst).
                let (xc, fc) = if fr < worst.1 {
                    let xc = towards(-alpha * gamma);
                    let fc = eval(&xc, &mut evaluations);
                    (xc, fc)
                } else {
                    let xc = towards(gamma);
                    let fc = eval(&xc, &mut evaluations);
                    (xc, fc)
                };
                if fc < fr.min(worst.1) {
                    simplex[n] = (xc, fc);
                } else {
                    // Shrink towards the best point.
                    let best = simplex[0].0.clone();
                    for item in simplex.iter_mut().skip(1) {
                        let x: Vec<f64> = (0..n).map(|j| best[j] + delta * (item.0[j] - best[j])).collect();
                        let fx = eval(&x, &mut evaluations);
                        *item = (x, fx);
                    }
                }
            }
        }
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        if simplex[0].1 <= best_f {
            best_x = simplex[0].0.clone();
            best_f = simplex[0].1;
        }
        if evaluations >= settings.max_evaluations {
            break;
        }
    }
    Minimum {
        x: best_x,
        f: best_f,
        evaluations,
        history,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(n: usize, max: usize) -> Settings {
        Settings {
            initial_step: vec![0.5; n],
            max_evaluations: max,
            f_tolerance: 1e-14,
            restarts: 2,
        }
    }

    #[test]
    fn finds_the_rosenbrock_valley_minimum() {
        let mut f = |x: &[f64]| 100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2);
        let m = minimise(&mut f, &[-1.2, 1.0], &settings(2, 5000));
        assert!((m.x[0] - 1.0).abs() < 1e-4 && (m.x[1] - 1.0).abs() < 1e-4, "{:?}", m.x);
    }

    #[test]
    fn minimises_an_ill_conditioned_quadratic_in_12_dimensions() {
        let n = 12;
        let mut f = |x: &[f64]| {
            (0..n)
                .map(|i| (1.0 + i as f64) * (x[i] - 0.1 * i as f64).powi(2))
                .sum::<f64>()
        };
        let m = minimise(&mut f, &vec![1.0; n], &settings(n, 40_000));
        for (i, xi) in m.x.iter().enumerate() {
            assert!((xi - 0.1 * i as f64).abs() < 1e-3, "x[{i}] = {xi}");
        }
    }

    #[test]
    fn respects_the_evaluation_budget_and_never_gets_worse() {
        let mut calls = 0;
        let mut f = |x: &[f64]| {
            calls += 1;
            x.iter().map(|v| v.abs()).sum::<f64>()
        };
        let m = minimise(&mut f, &[3.0, -2.0, 1.0], &settings(3, 50));
        assert!(m.evaluations <= 50 + 3 + 1, "{}", m.evaluations);
        assert_eq!(calls, m.evaluations);
        assert!(m.f <= 6.0);
        assert!(m
            .history
            .windows(2)
            .all(|w| w[1] <= w[0] + 1e-12 || w[0] == f64::INFINITY));
    }

    #[test]
    fn infeasible_points_are_avoided() {
        // Minimum of (x-2)^2 restricted to x <= 1: the method must stop at the boundary.
        let mut f = |x: &[f64]| {
            if x[0] > 1.0 {
                f64::INFINITY
            } else {
                (x[0] - 2.0).powi(2)
            }
        };
        let m = minimise(&mut f, &[0.0], &settings(1, 500));
        assert!(m.x[0] <= 1.0 && m.x[0] > 0.99, "{:?}", m.x);
    }
}
