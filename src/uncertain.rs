//! Uncertain values: the distributions a scenario number may be.
//!
//! The vocabulary follows what people already write (Squiggle, Guesstimate,
//! PERT): `"1.39 to 2.00"` is a lognormal whose 5th and 95th percentiles are
//! the two numbers, `{ p5 = .., p95 = .. }` the same as a table,
//! `{ mean = .., sd = .. }` a normal (or, with `dist = "lognormal"`, a
//! lognormal with that mean and standard deviation), `{ pert = [min, mode, max] }`,
//! `{ triangular = [min, mode, max] }`, `{ uniform = [min, max] }`, and a plain
//! number for a fixed value. Percentages (`"5%"`, `"5% to 15%"`) stand for
//! fractions. Units are those of the field the value belongs to.

use rand::RngExt;
use rand_distr::{Distribution, Pert, StandardNormal, Triangular};
use statrs::distribution::{Beta, ContinuousCDF};

/// z-score of the 95th percentile of a standard normal.
pub const Z95: f64 = 1.644_853_626_951_472_2;

/// One uncertain (or fixed) number, in the units of the field it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    /// A fixed value.
    Fixed(f64),
    /// A lognormal: `exp(mu + sigma * Z)`.
    LogNormal {
        /// Mean of the logarithm.
        mu: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
    /// A normal (the field's bounds truncate it: see [`crate::scenario::Param`]).
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// A beta-PERT on `[min, max]` with the given mode (shape 4).
    Pert {
        /// Smallest value.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Largest value.
        max: f64,
    },
    /// A triangular distribution on `[min, max]` with the given mode.
    Triangular {
        /// Smallest value.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Largest value.
        max: f64,
    },
    /// A uniform distribution on `[min, max]`.
    Uniform {
        /// Smallest value.
        min: f64,
        /// Largest value.
        max: f64,
    },
}

impl Dist {
    /// A lognormal whose 5th and 95th percentiles are `p5` and `p95` (both > 0, `p5 < p95`).
    pub fn lognormal_p5_p95(p5: f64, p95: f64) -> Dist {
        let (a, b) = (p5.ln(), p95.ln());
        Dist::LogNormal {
            mu: 0.5 * (a + b),
            sigma: (b - a) / (2.0 * Z95),
        }
    }

    /// A lognormal with the given mean and standard deviation (mean > 0, sd > 0).
    pub fn lognormal_mean_sd(mean: f64, sd: f64) -> Dist {
        let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
        Dist::LogNormal {
            mu: mean.ln() - 0.5 * sigma2,
            sigma: sigma2.sqrt(),
        }
    }

    /// A lognormal with the given median and mean (`0 < median < mean`):
    /// both are kept exactly, which suits skewed token lengths, whose mean
    /// sets the bill and whose median is what a trace shows at a glance.
    pub fn lognormal_median_mean(median: f64, mean: f64) -> Dist {
        let sigma2 = 2.0 * (mean / median).ln();
        Dist::LogNormal {
            mu: median.ln(),
            sigma: sigma2.max(0.0).sqrt(),
        }
    }

    /// True for a fixed value (nothing to sample).
    pub fn is_fixed(&self) -> bool {
        matches!(self, Dist::Fixed(_))
    }

    /// Draw one value.
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match *self {
            Dist::Fixed(v) => v,
            Dist::LogNormal { mu, sigma } => {
                let z: f64 = rng.sample(StandardNormal);
                (mu + sigma * z).exp()
            }
            Dist::Normal { mean, sd } => {
                let z: f64 = rng.sample(StandardNormal);
                mean + sd * z
            }
            Dist::Pert { min, mode, max } => Pert::new(min, max)
                .with_mode(mode)
                .map(|d| d.sample(rng))
                .unwrap_or(mode),
            Dist::Triangular { min, mode, max } => Triangular::new(min, max, mode)
                .map(|d| d.sample(rng))
                .unwrap_or(mode),
            Dist::Uniform { min, max } => min + (max - min) * rng.random::<f64>(),
        }
    }

    /// The `p`-quantile (`0 < p < 1`).
    pub fn quantile(&self, p: f64) -> f64 {
        match *self {
            Dist::Fixed(v) => v,
            Dist::LogNormal { mu, sigma } => (mu + sigma * normal_quantile(p)).exp(),
            Dist::Normal { mean, sd } => mean + sd * normal_quantile(p),
            Dist::Pert { min, mode, max } => {
                let (alpha, beta) = pert_shape(min, mode, max);
                let x = Beta::new(alpha, beta)
                    .map(|b| b.inverse_cdf(p))
                    .unwrap_or(0.5);
                min + (max - min) * x
            }
            Dist::Triangular { min, mode, max } => {
                let f_mode = (mode - min) / (max - min);
                if p < f_mode {
                    min + (p * (max - min) * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - p) * (max - min) * (max - mode)).sqrt()
                }
            }
            Dist::Uniform { min, max } => min + p * (max - min),
        }
    }

    /// The mean.
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Fixed(v) => v,
            Dist::LogNormal { mu, sigma } => (mu + 0.5 * sigma * sigma).exp(),
            Dist::Normal { mean, .. } => mean,
            Dist::Pert { min, mode, max } => (min + 4.0 * mode + max) / 6.0,
            Dist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Dist::Uniform { min, max } => 0.5 * (min + max),
        }
    }

    /// The variance.
    pub fn variance(&self) -> f64 {
        match *self {
            Dist::Fixed(_) => 0.0,
            Dist::LogNormal { mu, sigma } => {
                let s2 = sigma * sigma;
                (s2.exp() - 1.0) * (2.0 * mu + s2).exp()
            }
            Dist::Normal { sd, .. } => sd * sd,
            Dist::Pert { min, mode, max } => {
                let (alpha, beta) = pert_shape(min, mode, max);
                let w = max - min;
                w * w * alpha * beta / ((alpha + beta).powi(2) * (alpha + beta + 1.0))
            }
            Dist::Triangular { min, mode, max } => {
                (min * min + mode * mode + max * max - min * mode - min * max - mode * max) / 18.0
            }
            Dist::Uniform { min, max } => (max - min).powi(2) / 12.0,
        }
    }

    /// Smallest value the distribution can produce (`-inf` if unbounded below).
    pub fn support_min(&self) -> f64 {
        match *self {
            Dist::Fixed(v) => v,
            Dist::LogNormal { .. } => 0.0,
            Dist::Normal { .. } => f64::NEG_INFINITY,
            Dist::Pert { min, .. } | Dist::Triangular { min, .. } | Dist::Uniform { min, .. } => {
                min
            }
        }
    }

    /// Largest value the distribution can produce (`+inf` if unbounded above).
    pub fn support_max(&self) -> f64 {
        match *self {
            Dist::Fixed(v) => v,
            Dist::LogNormal { .. } | Dist::Normal { .. } => f64::INFINITY,
            Dist::Pert { max, .. } | Dist::Triangular { max, .. } | Dist::Uniform { max, .. } => {
                max
            }
        }
    }

    /// A short human description, e.g. `lognormal p5 1.39, p95 2`.
    pub fn describe(&self) -> String {
        match *self {
            Dist::Fixed(v) => format!("fixed {}", fmt_num(v)),
            Dist::LogNormal { .. } => format!(
                "lognormal (p5 {}, p95 {})",
                fmt_num(self.quantile(0.05)),
                fmt_num(self.quantile(0.95))
            ),
            Dist::Normal { mean, sd } => {
                format!("normal (mean {}, sd {})", fmt_num(mean), fmt_num(sd))
            }
            Dist::Pert { min, mode, max } => format!(
                "pert [{}, {}, {}]",
                fmt_num(min),
                fmt_num(mode),
                fmt_num(max)
            ),
            Dist::Triangular { min, mode, max } => format!(
                "triangular [{}, {}, {}]",
                fmt_num(min),
                fmt_num(mode),
                fmt_num(max)
            ),
            Dist::Uniform { min, max } => format!("uniform [{}, {}]", fmt_num(min), fmt_num(max)),
        }
    }
}

/// A gamma distribution with the given mean and coefficient of variation;
/// `None` when `cv` is 0 (no variability) or so small that `cv²` underflows.
pub fn gamma_with_cv(mean: f64, cv: f64) -> Option<rand_distr::Gamma<f64>> {
    if cv > 0.0 && mean > 0.0 {
        rand_distr::Gamma::new(1.0 / (cv * cv), mean * cv * cv).ok()
    } else {
        None
    }
}

/// Beta shape parameters of a PERT (shape 4) on `[min, max]` with `mode`.
fn pert_shape(min: f64, mode: f64, max: f64) -> (f64, f64) {
    let w = max - min;
    (1.0 + 4.0 * (mode - min) / w, 1.0 + 4.0 * (max - mode) / w)
}

/// Standard normal cumulative distribution function.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-z / std::f64::consts::SQRT_2)
}

/// Standard normal quantile (inverse CDF) for `0 < p < 1`.
pub fn normal_quantile(p: f64) -> f64 {
    -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * p)
}

/// Formats a number for people with four significant digits: `1.39`,
/// `2880`, `0.00076`, `1.000e9`.
pub fn fmt_num(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 || !v.is_finite() {
        format!("{v}")
    } else if (1e-4..1e7).contains(&a) {
        let decimals = (3 - a.log10().floor() as i32).max(0) as usize;
        let s = format!("{v:.decimals$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    } else {
        format!("{v:.3e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;

    #[test]
    fn lognormal_p5_p95_hits_its_percentiles() {
        let d = Dist::lognormal_p5_p95(1.39, 2.0);
        assert!((d.quantile(0.05) - 1.39).abs() < 1e-9);
        assert!((d.quantile(0.95) - 2.0).abs() < 1e-9);
    }

    #[test]
    fn sample_moments_match_closed_forms() {
        let dists = [
            Dist::lognormal_p5_p95(100.0, 3000.0),
            Dist::lognormal_mean_sd(10.0, 4.0),
            Dist::Pert {
                min: 1.0,
                mode: 2.0,
                max: 6.0,
            },
            Dist::Triangular {
                min: 1.0,
                mode: 2.0,
                max: 6.0,
            },
            Dist::Uniform { min: 1.0, max: 6.0 },
            Dist::Normal { mean: 5.0, sd: 1.0 },
        ];
        let n = 200_000;
        for d in dists {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
            let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
            let m = xs.iter().sum::<f64>() / n as f64;
            let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n as f64 - 1.0);
            // Four standard errors of the mean; variance to 5% (heavy tails).
            let se = (d.variance() / n as f64).sqrt();
            assert!(
                (m - d.mean()).abs() < 4.0 * se,
                "{d:?}: mean {m} vs {}",
                d.mean()
            );
            assert!(
                (v / d.variance() - 1.0).abs() < 0.05,
                "{d:?}: var {v} vs {}",
                d.variance()
            );
            // Empirical median near the stated one.
            let mut s = xs.clone();
            s.sort_by(f64::total_cmp);
            let med = s[n / 2];
            let q = d.quantile(0.5);
            let (lo, hi) = (d.quantile(0.49), d.quantile(0.51));
            assert!(lo < med && med < hi, "{d:?}: median {med} vs {q}");
        }
    }

    #[test]
    fn normal_quantile_inverts_cdf() {
        for p in [0.001, 0.05, 0.5, 0.95, 0.999] {
            assert!((normal_cdf(normal_quantile(p)) - p).abs() < 1e-9 * p.max(1e-3));
        }
        assert!((normal_quantile(0.95) - Z95).abs() < 1e-9);
    }
}
