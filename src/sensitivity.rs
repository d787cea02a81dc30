//! Which uncertain inputs move the decision.
//!
//! Two views, for every pair of deployments `(a, b)` and every uncertain
//! input:
//! - **rank correlation**: Spearman's ρ between the input's draws and the
//!   trial's cost difference `cost(a) − cost(b)` over the run's trials;
//! - **tornado**: the mean cost difference with every uncertain input at
//!   its median except this one, set to its p5 and then its p95. Each end
//!   is the mean over the same trials' traffic and deployment noise (common
//!   random numbers), so the swing between the ends is the input's effect.
//!
//! Inputs are identified by name and drawn from streams named after them,
//! and rows are ordered by effect, then name, so the result does not depend
//! on the order of inputs in the scenario file.

use crate::analysis::{Z975, mean_sd};
use crate::decision::pairs;
use crate::deploy::Fidelity;
use crate::engine;
use crate::error::Result;
use crate::scenario::Scenario;

/// Ranks of `xs` (1-based; ties share their average rank).
pub fn ranks(xs: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|&i, &j| xs[i].total_cmp(&xs[j]));
    let mut out = vec![0.0; xs.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && xs[order[end]] == xs[order[start]] {
            end += 1;
        }
        let rank = (start + end + 1) as f64 / 2.0;
        for &i in &order[start..end] {
            out[i] = rank;
        }
        start = end;
    }
    out
}

/// Pearson correlation of two equally long series (NaN when either is constant).
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let (mx, _) = mean_sd(x);
    let (my, _) = mean_sd(y);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx > 0.0 && syy > 0.0 {
        sxy / (sxx * syy).sqrt()
    } else {
        f64::NAN
    }
}

/// Spearman's rank correlation (Pearson on average ranks).
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&ranks(x), &ranks(y))
}

/// 95% interval of a Spearman ρ from `n` pairs: Fisher's z with the
/// Fieller–Hartley–Pearson standard error √(1.06/(n−3)).
pub fn spearman_ci(rho: f64, n: usize) -> (f64, f64) {
    if n <= 3 || !rho.is_finite() {
        return (f64::NAN, f64::NAN);
    }
    let z = rho.clamp(-0.999_999, 0.999_999).atanh();
    let se = (1.06 / (n - 3) as f64).sqrt();
    ((z - Z975 * se).tanh(), (z + Z975 * se).tanh())
}

/// One input's effect on one pair's cost difference.
#[derive(Debug, Clone, PartialEq)]
pub struct InputEffect {
    /// First deployment of the pair.
    pub a: String,
    /// Second deployment.
    pub b: String,
    /// The input's parameter name, e.g. `traffic.tokens_per_month`.
    pub input: String,
    /// Spearman ρ of the input with cost(a) − cost(b) over the run's trials.
    pub spearman: f64,
    /// Its 95% interval.
    pub spearman_ci: (f64, f64),
    /// The input's p5 (its unit).
    pub input_p5: f64,
    /// The input's p95.
    pub input_p95: f64,
    /// Mean cost(a) − cost(b) with the input at its p5 and the others at
    /// their medians, USD.
    pub diff_at_p5_usd: f64,
    /// The same with the input at its p95, USD.
    pub diff_at_p95_usd: f64,
    /// `diff_at_p95_usd − diff_at_p5_usd`, USD.
    pub swing_usd: f64,
    /// Monte Carlo standard error of the swing, USD.
    pub swing_mcse_usd: f64,
}

/// The sensitivity of every pair to every uncertain input.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// Trials each tornado end was averaged over.
    pub tornado_trials: u64,
    /// Mean cost(a) − cost(b) per pair with every input at its median, USD
    /// (scenario pair order).
    pub base_diff_usd: Vec<f64>,
    /// Rows grouped by pair (scenario order), within a pair by |swing|
    /// (largest first), then by input name.
    pub effects: Vec<InputEffect>,
}

impl Sensitivity {
    /// The rows of the pair `(a, b)`, largest effect first.
    pub fn of_pair<'a>(&'a self, a: &'a str, b: &'a str) -> impl Iterator<Item = &'a InputEffect> {
        self.effects.iter().filter(move |e| e.a == a && e.b == b)
    }
}

/// Compute the sensitivity of `s`: rank correlations from the run's draws
/// (`inputs[k][t]`: uncertain input `k` in trial `t`, in
/// [`crate::scenario::Params::uncertain_ids`] order; `costs[d][t]`:
/// deployment `d`'s cost in trial `t`), and a tornado over trials
/// `0..tornado_trials` (0: rank correlations only).
pub fn sensitivity(
    s: &Scenario,
    seed: u64,
    fidelity: Fidelity,
    threads: usize,
    inputs: &[Vec<f64>],
    costs: &[Vec<f64>],
    tornado_trials: u64,
) -> Result<Sensitivity> {
    let uncertain = s.params.uncertain_ids();
    let medians: Vec<f64> = s
        .params
        .list
        .iter()
        .map(|p| {
            if p.dist.is_fixed() {
                p.dist.mean()
            } else {
                p.dist.quantile(0.5)
            }
        })
        .collect();
    let ends: Vec<[f64; 2]> = uncertain
        .iter()
        .map(|id| {
            let d = &s.params.list[id.0].dist;
            [d.quantile(0.05), d.quantile(0.95)]
        })
        .collect();
    let pair_list = pairs(s.deployments.len());
    let n_pairs = pair_list.len();
    // Configurations: 0 = all medians; 1 + 2k = input k at p5; 2 + 2k = at p95.
    let n_configs = 1 + 2 * uncertain.len();
    let all: Vec<usize> = (0..s.deployments.len()).collect();
    // Per configuration and pair: sum of differences; per input and pair:
    // sum and sum of squares of the per-trial swing.
    let mut sums = vec![0.0; n_configs * n_pairs];
    let mut swing_sums = vec![(0.0, 0.0); uncertain.len() * n_pairs];
    engine::map_trials(
        0..tornado_trials,
        4,
        threads,
        &|_| {},
        |trial, traffic| {
            (0..n_configs)
                .flat_map(|c| {
                    let mut p = medians.clone();
                    if c > 0 {
                        let k = (c - 1) / 2;
                        p[uncertain[k].0] = ends[k][(c - 1) % 2];
                    }
                    let o = engine::price_deployments(s, seed, trial, fidelity, &p, traffic, &all);
                    pair_list
                        .iter()
                        .map(|&(a, b)| o[a].cost_usd - o[b].cost_usd)
                        .collect::<Vec<f64>>()
                })
                .collect::<Vec<f64>>()
        },
        |chunk| {
            for diffs in chunk {
                for (acc, d) in sums.iter_mut().zip(diffs) {
                    *acc += d;
                }
                for k in 0..uncertain.len() {
                    for q in 0..n_pairs {
                        let swing =
                            diffs[(2 + 2 * k) * n_pairs + q] - diffs[(1 + 2 * k) * n_pairs + q];
                        let (s1, s2) = &mut swing_sums[k * n_pairs + q];
                        *s1 += swing;
                        *s2 += swing * swing;
                    }
                }
            }
            Ok(())
        },
    )?;
    let m = tornado_trials as f64;
    let mean = |c: usize, q: usize| {
        if tornado_trials > 0 {
            sums[c * n_pairs + q] / m
        } else {
            f64::NAN
        }
    };
    let mut effects = Vec::new();
    for (q, &(a, b)) in pair_list.iter().enumerate() {
        let diff: Vec<f64> = (0..costs.first().map_or(0, Vec::len))
            .map(|t| costs[a][t] - costs[b][t])
            .collect();
        let mut rows: Vec<InputEffect> = uncertain
            .iter()
            .enumerate()
            .map(|(k, id)| {
                let rho = spearman(&inputs[k], &diff);
                let (s1, s2) = swing_sums[k * n_pairs + q];
                let swing_mcse = if tornado_trials > 1 {
                    let var = ((s2 - s1 * s1 / m) / (m - 1.0)).max(0.0);
                    (var / m).sqrt()
                } else {
                    f64::NAN
                };
                InputEffect {
                    a: s.deployments[a].name().to_string(),
                    b: s.deployments[b].name().to_string(),
                    input: s.params.list[id.0].name.clone(),
                    spearman: rho,
                    spearman_ci: spearman_ci(rho, diff.len()),
                    input_p5: ends[k][0],
                    input_p95: ends[k][1],
                    diff_at_p5_usd: mean(1 + 2 * k, q),
                    diff_at_p95_usd: mean(2 + 2 * k, q),
                    swing_usd: mean(2 + 2 * k, q) - mean(1 + 2 * k, q),
                    swing_mcse_usd: swing_mcse,
                }
            })
            .collect();
        rows.sort_by(|x, y| {
            let key = |e: &InputEffect| {
                if tornado_trials > 0 {
                    e.swing_usd.abs()
                } else {
                    e.spearman.abs()
                }
            };
            key(y)
                .total_cmp(&key(x))
                .then_with(|| x.input.cmp(&y.input))
        });
        effects.extend(rows);
    }
    Ok(Sensitivity {
        tornado_trials,
        base_diff_usd: (0..n_pairs).map(|q| mean(0, q)).collect(),
        effects,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[10.0, 30.0, 20.0, 20.0]), vec![1.0, 4.0, 2.5, 2.5]);
    }

    #[test]
    fn spearman_is_one_for_any_increasing_map() {
        let x: Vec<f64> = (1..50).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|v| v.powi(3) + 7.0).collect();
        assert!((spearman(&x, &y) - 1.0).abs() < 1e-12);
        let z: Vec<f64> = x.iter().map(|v| -v.ln()).collect();
        assert!((spearman(&x, &z) + 1.0).abs() < 1e-12);
    }

    #[test]
    fn spearman_matches_a_textbook_value() {
        // Ranks 1..5 against 2,1,4,3,5: ρ = 1 − 6·4/(5·24) = 0.8.
        let r = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0]);
        assert!((r - 0.8).abs() < 1e-12);
    }
}
