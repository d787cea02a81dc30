//! Summaries of a run: quantiles, Monte Carlo standard errors, P(cheapest),
//! P(A < B) with binomial intervals.
//!
//! A [`Collector`] takes trial results in trial order and keeps, per
//! deployment, only the per-trial cost and cost per million tokens (memory
//! grows with trials, never with hours); sums are accumulated in that fixed
//! order, so summaries are bit-identical whatever the thread count.

use crate::decision::{BreakEvenSettings, BreakEvenSummary, PairCrossing};
use crate::deploy::Kind;
use crate::engine::TrialResult;
use crate::scenario::Scenario;
use crate::sim::WaitHistogram;

/// z-score of a two-sided 95% interval.
pub const Z975: f64 = 1.959_963_984_540_054;

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
    /// Monte Carlo standard errors of those quantiles, USD.
    pub quantiles_mcse_usd: [f64; 5],
    /// Mean cost per million tokens, USD.
    pub usd_per_mtok_mean: f64,
    /// Monte Carlo standard error of that mean, USD per million tokens.
    pub usd_per_mtok_mcse: f64,
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
    /// Monte Carlo standard error of `p_cheapest`.
    pub p_cheapest_mcse: f64,
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
    /// Monte Carlo standard error of that probability.
    pub p_mcse: f64,
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
    /// Break-even volume of every pair, in pair order (empty when not searched).
    pub breakeven: Vec<BreakEvenSummary>,
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
    // Wait histogram summed in fixed point (units of 2^-24 of a request),
    // so partial sums add up exactly in any grouping (shards merge).
    waits: Vec<u128>,
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
    uncertain: Vec<usize>,
    // inputs[k][t]: uncertain input k in trial t.
    inputs: Vec<Vec<f64>>,
    breakeven: Option<BreakEvenSettings>,
    // crossings[pair][t].
    crossings: Vec<Vec<PairCrossing>>,
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
        let uncertain: Vec<usize> = s.params.uncertain_ids().iter().map(|id| id.0).collect();
        Collector {
            acc: vec![Acc::default(); k],
            crossings: vec![Vec::new(); pairs.len()],
            names,
            pairs,
            n: 0,
            inputs: vec![Vec::new(); uncertain.len()],
            uncertain,
            breakeven: None,
        }
    }

    /// Also summarise the trials' break-even volumes, searched with `settings`.
    pub fn with_breakeven(mut self, settings: BreakEvenSettings) -> Self {
        self.breakeven = Some(settings);
        self
    }

    /// The draws of each uncertain input so far (`[input][trial]`, inputs in
    /// [`crate::scenario::Params::uncertain_ids`] order).
    pub fn inputs(&self) -> &[Vec<f64>] {
        &self.inputs
    }

    /// Each deployment's wait histogram so far, in fixed point (for
    /// [`Collector::add_waits`] of another collector: sums are exact).
    pub fn waits(&self) -> Vec<Vec<u128>> {
        self.acc.iter().map(|a| a.waits.clone()).collect()
    }

    /// Add wait histograms taken with [`Collector::waits`] from a collector
    /// of other trials (whose trials were added without their waits).
    pub fn add_waits(&mut self, waits: &[Vec<u128>]) {
        for (a, w) in self.acc.iter_mut().zip(waits) {
            if a.waits.len() < w.len() {
                a.waits.resize(w.len(), 0);
            }
            for (acc, x) in a.waits.iter_mut().zip(w) {
                *acc += x;
            }
        }
    }

    /// Each deployment's cost in every trial so far, USD (`[deployment][trial]`).
    pub fn costs(&self) -> Vec<&[f64]> {
        self.acc.iter().map(|a| a.cost.as_slice()).collect()
    }

    /// Largest Monte Carlo standard error of a deployment's mean cost, as a
    /// share of that mean (0.01 = 1%); infinite before two trials.
    pub fn worst_relative_mcse(&self) -> f64 {
        if self.n < 2 {
            return f64::INFINITY;
        }
        self.acc
            .iter()
            .map(|a| {
                let (mean, sd) = mean_sd(&a.cost);
                let se = sd / (self.n as f64).sqrt();
                if se == 0.0 { 0.0 } else { se / mean.abs() }
            })
            .fold(0.0, f64::max)
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
            if !o.waits.bins().is_empty() {
                a.waits.resize(o.waits.bins().len(), 0);
                for (acc, w) in a.waits.iter_mut().zip(o.waits.bins()) {
                    *acc += (w * WAIT_FIXED_POINT).round() as u128;
                }
            }
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
        for (k, &i) in self.uncertain.iter().enumerate() {
            self.inputs[k].push(r.params[i]);
        }
        if self.breakeven.is_some() {
            for (q, c) in r.breakeven.iter().enumerate() {
                self.crossings[q].push(*c);
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
                let (pm_mean, pm_sd) = mean_sd(&finite);
                let waits = WaitHistogram::from_bins(
                    a.waits
                        .iter()
                        .map(|&w| w as f64 / WAIT_FIXED_POINT)
                        .collect(),
                );
                DeploymentSummary {
                    deployment: name.clone(),
                    kind: *kind,
                    trials: n,
                    mean_usd: mean,
                    sd_usd: sd,
                    mcse_mean_usd: sd / nf.sqrt(),
                    quantiles_usd: QUANTILES.map(|q| quantile_sorted(&a.cost, q)),
                    quantiles_mcse_usd: QUANTILES.map(|q| quantile_mcse(&a.cost, q)),
                    usd_per_mtok_mean: pm_mean,
                    usd_per_mtok_mcse: pm_sd / (finite.len() as f64).sqrt(),
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
                    wait_share: ratio(waits.total(), a.requests),
                    wait_quantiles_s: [0.5, 0.95, 0.99].map(|q| waits.quantile(q)),
                    p_cheapest: a.cheapest / nf,
                    p_cheapest_ci: wilson(a.cheapest, nf),
                    p_cheapest_mcse: proportion_mcse(a.cheapest / nf, nf),
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
                    p_mcse: proportion_mcse(wins as f64 / nf, nf),
                    mean_diff_usd: mean,
                    mcse_diff_usd: (var / nf).sqrt(),
                }
            })
            .collect();
        let breakeven = match &self.breakeven {
            Some(settings) => self
                .pairs
                .iter()
                .zip(&self.crossings)
                .map(|(&(i, j, ..), c)| {
                    BreakEvenSummary::of(&self.names[i].0, &self.names[j].0, settings, c)
                })
                .collect(),
            None => Vec::new(),
        };
        Summary {
            trials: n,
            deployments,
            pairs,
            breakeven,
        }
    }
}

/// Units per request of the fixed-point wait sums.
const WAIT_FIXED_POINT: f64 = (1u64 << 24) as f64;

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
            let frac = h - lo as f64;
            // Unbounded values (censored break-evens) are never interpolated.
            if frac == 0.0 || sorted[lo] == f64::NEG_INFINITY {
                sorted[lo]
            } else if sorted[hi] == f64::INFINITY {
                sorted[hi]
            } else {
                sorted[lo] + frac * (sorted[hi] - sorted[lo])
            }
        }
    }
}

/// Monte Carlo standard error of the `q`-quantile of sorted data: the
/// width of the distribution-free 95% interval between order statistics
/// (ranks `nq ∓ 1.96·√(nq(1−q))`) divided by 2 × 1.96. NaN for fewer than
/// two values or when the interval reaches an unbounded value.
pub fn quantile_mcse(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n < 2 {
        return f64::NAN;
    }
    let nf = n as f64;
    let half = Z975 * (nf * q * (1.0 - q)).sqrt();
    let lo = ((nf * q - half).floor().max(0.0) as usize).min(n - 1);
    let hi = ((nf * q + half).ceil().max(0.0) as usize).min(n - 1);
    let width = sorted[hi] - sorted[lo];
    if width.is_finite() {
        width / (2.0 * Z975)
    } else {
        f64::NAN
    }
}

/// Monte Carlo standard error of a proportion `p` over `n` trials.
pub fn proportion_mcse(p: f64, n: f64) -> f64 {
    if n > 0.0 {
        (p * (1.0 - p) / n).sqrt()
    } else {
        f64::NAN
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
    fn quantile_mcse_matches_the_asymptotic_standard_error() {
        use rand::{RngExt, SeedableRng};
        // n standard normals: SE of the q-quantile ≈ √(q(1−q)/n) / φ(z_q).
        let n = 20_000;
        let mut rng = crate::deploy::TrialRng::seed_from_u64(1);
        let mut xs: Vec<f64> = (0..n)
            .map(|_| rng.sample::<f64, _>(rand_distr::StandardNormal))
            .collect();
        xs.sort_by(f64::total_cmp);
        for (q, z) in [(0.5, 0.0f64), (0.05, -1.644_853_626_951_472)] {
            let density = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
            let exact = (q * (1.0 - q) / n as f64).sqrt() / density;
            let est = quantile_mcse(&xs, q);
            // The order-statistic estimate has a relative error of about
            // 1/√(2·1.96·√(nq(1−q))), 6–10% here; allow three of those.
            assert!((est / exact - 1.0).abs() < 0.3, "q {q}: {est} vs {exact}");
        }
        assert!(quantile_mcse(&[1.0], 0.5).is_nan());
    }

    #[test]
    fn quantiles_never_interpolate_with_unbounded_values() {
        let xs = [f64::NEG_INFINITY, 1.0, 2.0, f64::INFINITY];
        assert_eq!(quantile_sorted(&xs, 0.1), f64::NEG_INFINITY);
        assert_eq!(quantile_sorted(&xs, 0.5), 1.5);
        assert_eq!(quantile_sorted(&xs, 0.9), f64::INFINITY);
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
