//! Summaries of a run: quantiles, Monte Carlo standard errors, P(cheapest),
//! P(A < B) with binomial intervals.
//!
//! A [`Collector`] takes trial results in trial order and keeps, per
//! deployment, only the per-trial cost and cost per million tokens (memory
//! grows with trials, never with hours); sums are accumulated in that fixed
//! order, so summaries are bit-identical whatever the thread count.

use crate::deploy::Kind;
use crate::engine::TrialResult;
use crate::scenario::Scenario;
use crate::sim::WaitHistogram;

/// z-score of a two-sided 95% interval.
const Z975: f64 = 1.959_963_984_540_054;

/// Summary of one deployment over all trials. Money in USD over the horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentSummary {
    /// Deployment name.
    pub deployment: String,
    /// Its kind.
    pub kind: Kind,
    /// Trials summarised.
    pub trials: u64,
    /// Mean total cost, USD.
    pub mean_usd: f64,
    /// Standard deviation of total cost across trials, USD.
    pub sd_usd: f64,
    /// Monte Carlo standard error of the mean cost, USD.
    pub mcse_mean_usd: f64,
    /// Cost quantiles p5, p25, p50, p75, p95, USD.
    pub quantiles_usd: [f64; 5],
    /// Mean cost per million tokens, USD.
    pub usd_per_mtok_mean: f64,
    /// Cost per million tokens at p5, p25, p50, p75, p95, USD.
    pub quantiles_usd_per_mtok: [f64; 5],
    /// Mean total tokens per trial.
    pub tokens_mean: f64,
    /// Mean utilisation (work ÷ GPU time paid; NaN for an API).
    pub utilization_mean: f64,
    /// Share of all tokens beyond capacity or rate limit.
    pub overflow_share: f64,
    /// Share of trials with any overflow.
    pub overflow_trial_share: f64,
    /// Mean cold starts per trial.
    pub cold_starts_mean: f64,
    /// Share of requests that waited on a cold start.
    pub cold_start_wait_share: f64,
    /// Share of requests that waited in a queue (every slot busy).
    pub queue_wait_share: f64,
    /// Share of requests that waited at all (cold start or queue).
    pub wait_share: f64,
    /// p50, p95, p99 of the added wait of the requests that waited, seconds.
    pub wait_quantiles_s: [f64; 3],
    /// Probability of being the cheapest deployment.
    pub p_cheapest: f64,
    /// 95% Wilson interval of `p_cheapest` (low, high).
    pub p_cheapest_ci: (f64, f64),
}

/// Paired comparison of two deployments.
#[derive(Debug, Clone, PartialEq)]
pub struct PairSummary {
    /// First deployment.
    pub a: String,
    /// Second deployment.
    pub b: String,
    /// Probability that `a` costs less than `b` in the same trial.
    pub p_a_cheaper: f64,
    /// 95% Wilson interval of that probability.
    pub ci: (f64, f64),
    /// Mean of cost(a) − cost(b), USD.
    pub mean_diff_usd: f64,
    /// Monte Carlo standard error of that mean, USD.
    pub mcse_diff_usd: f64,
}

/// The summary of a whole run.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Trials summarised.
    pub trials: u64,
    /// One row per deployment, in scenario order.
    pub deployments: Vec<DeploymentSummary>,
    /// Every unordered pair, in scenario order.
    pub pairs: Vec<PairSummary>,
}

#[derive(Debug, Default, Clone)]
struct Acc {
    cost: Vec<f64>,
    per_mtok: Vec<f64>,
    tokens: f64,
    util_sum: f64,
    util_n: u64,
    overflow: f64,
    overflow_trials: u64,
    cold: f64,
    cold_waits: f64,
    queue_waits: f64,
    waits: WaitHistogram,
    requests: f64,
    cheapest: f64,
}

/// Accumulates trial results, in trial order, into a [`Summary`].
#[derive(Debug, Clone)]
pub struct Collector {
    names: Vec<(String, Kind)>,
    acc: Vec<Acc>,
    // pair (i, j) with i < j: (wins of i, sum of diff, sum of diff^2)
    pairs: Vec<(usize, usize, u64, f64, f64)>,
    n: u64,
}

impl Collector {
    /// A collector for the deployments of `s`.
    pub fn new(s: &Scenario) -> Self {
        let names: Vec<(String, Kind)> = s
            .deployments
            .iter()
            .map(|d| (d.name().to_string(), d.kind()))
            .collect();
        let k = names.len();
        let mut pairs = Vec::new();
        for i in 0..k {
            for j in i + 1..k {
                pairs.push((i, j, 0, 0.0, 0.0));
            }
        }
        Collector {
            acc: vec![Acc::default(); k],
            names,
            pairs,
            n: 0,
        }
    }

    /// Add one trial.
    pub fn add(&mut self, r: &TrialResult) {
        self.n += 1;
        let mut lowest = f64::INFINITY;
        for (i, o) in r.outcomes.iter().enumerate() {
            let a = &mut self.acc[i];
            a.cost.push(o.cost_usd);
            a.per_mtok.push(o.usd_per_mtok());
            a.tokens += o.tokens;
            let u = o.utilization();
            if u.is_finite() {
                a.util_sum += u;
                a.util_n += 1;
            }
            a.overflow += o.overflow_tokens;
            a.overflow_trials += u64::from(o.overflow_tokens > 0.0);
            a.cold += o.cold_starts;
            a.cold_waits += o.cold_start_waits;
            a.queue_waits += o.queue_waits;
            a.waits.merge(&o.waits);
            a.requests += o.requests;
            lowest = lowest.min(o.cost_usd);
        }
        // Ties share the trial, so file order never decides.
        let tied = r.outcomes.iter().filter(|o| o.cost_usd == lowest).count() as f64;
        for (a, o) in self.acc.iter_mut().zip(&r.outcomes) {
            if o.cost_usd == lowest {
                a.cheapest += 1.0 / tied;
            }
        }
        for (i, j, wins, sum, sum2) in &mut self.pairs {
            let d = r.outcomes[*i].cost_usd - r.outcomes[*j].cost_usd;
            *wins += u64::from(d < 0.0);
            *sum += d;
            *sum2 += d * d;
        }
    }

    /// Finish: sort the kept values and compute every figure.
    pub fn finish(self) -> Summary {
        let n = self.n;
        let nf = n as f64;
        let deployments = self
            .acc
            .into_iter()
            .zip(&self.names)
            .map(|(mut a, (name, kind))| {
                let (mean, sd) = mean_sd(&a.cost);
                a.cost.sort_by(f64::total_cmp);
                let finite: Vec<f64> = {
                    let mut v: Vec<f64> = a
                        .per_mtok
                        .iter()
                        .copied()
                        .filter(|x| x.is_finite())
                        .collect();
                    v.sort_by(f64::total_cmp);
                    v
                };
                let (pm_mean, _) = mean_sd(&finite);
                DeploymentSummary {
                    deployment: name.clone(),
                    kind: *kind,
                    trials: n,
                    mean_usd: mean,
                    sd_usd: sd,
                    mcse_mean_usd: sd / nf.sqrt(),
                    quantiles_usd: QUANTILES.map(|q| quantile_sorted(&a.cost, q)),
                    usd_per_mtok_mean: pm_mean,
                    quantiles_usd_per_mtok: QUANTILES.map(|q| quantile_sorted(&finite, q)),
                    tokens_mean: a.tokens / nf,
                    utilization_mean: if a.util_n > 0 {
                        a.util_sum / a.util_n as f64
                    } else {
                        f64::NAN
                    },
                    overflow_share: ratio(a.overflow, a.tokens),
                    overflow_trial_share: a.overflow_trials as f64 / nf,
                    cold_starts_mean: a.cold / nf,
                    cold_start_wait_share: ratio(a.cold_waits, a.requests),
                    queue_wait_share: ratio(a.queue_waits, a.requests),
                    wait_share: ratio(a.waits.total(), a.requests),
                    wait_quantiles_s: [0.5, 0.95, 0.99].map(|q| a.waits.quantile(q)),
                    p_cheapest: a.cheapest / nf,
                    p_cheapest_ci: wilson(a.cheapest, nf),
                }
            })
            .collect();
        let pairs = self
            .pairs
            .iter()
            .map(|&(i, j, wins, sum, sum2)| {
                let mean = sum / nf;
                let var = if n > 1 {
                    ((sum2 - nf * mean * mean) / (nf - 1.0)).max(0.0)
                } else {
                    0.0
                };
                PairSummary {
                    a: self.names[i].0.clone(),
                    b: self.names[j].0.clone(),
                    p_a_cheaper: wins as f64 / nf,
                    ci: wilson(wins as f64, nf),
                    mean_diff_usd: mean,
                    mcse_diff_usd: (var / nf).sqrt(),
                }
            })
            .collect();
        Summary {
            trials: n,
            deployments,
            pairs,
        }
    }
}

/// The quantiles reported: p5, p25, p50, p75, p95.
pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

/// Mean and sample standard deviation (two-pass, in slice order).
pub fn mean_sd(xs: &[f64]) -> (f64, f64) {
    if xs.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = if xs.len() > 1 {
        xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var.sqrt())
}

/// The `q`-quantile of sorted data, interpolating linearly between order
/// statistics (type 7, as numpy and R default).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = q * (n - 1) as f64;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// 95% Wilson score interval of `k` successes in `n` trials (`k` may be
/// fractional when ties are shared).
pub fn wilson(k: f64, n: f64) -> (f64, f64) {
    if n <= 0.0 {
        return (0.0, 1.0);
    }
    let p = k / n;
    let z2 = Z975 * Z975;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z975 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        let xs = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile_sorted(&xs, 0.5), 3.0);
        assert_eq!(quantile_sorted(&xs, 0.25), 2.0);
        assert!((quantile_sorted(&xs, 0.1) - 1.4).abs() < 1e-12);
    }

    #[test]
    fn wilson_matches_a_known_value() {
        // 50 of 100: 0.4038 to 0.5962.
        let (lo, hi) = wilson(50.0, 100.0);
        assert!((lo - 0.4038).abs() < 1e-4 && (hi - 0.5962).abs() < 1e-4);
        let (lo, hi) = wilson(0.0, 100.0);
        assert!(lo.abs() < 1e-12);
        assert!(hi > 0.03 && hi < 0.04);
    }
}
