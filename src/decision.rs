//! Break-even volumes: for each trial and each pair of deployments, the
//! monthly volume at which the two cost the same, found on that trial's own
//! randomness (paired, common random numbers), so the distribution of
//! break-even volumes is honest.
//!
//! The volume is the scenario's traffic level (`tokens_per_month` or
//! `requests_per_month`): a trial at volume `v` is the trial with that one
//! parameter set to `v`; every other draw (parameters, traffic noise,
//! deployment noise) comes from the same named streams as before.

use crate::analysis::{quantile_mcse, quantile_sorted};
use crate::deploy::Fidelity;
use crate::engine;
use crate::error::{Error, Result};
use crate::report::volume_text;
use crate::scenario::{ParamId, Scenario};
use crate::traffic::{Level, TrialTraffic};

/// The volume axis of a scenario: which parameter is the monthly level and
/// in what unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VolumeAxis {
    /// The parameter holding the level.
    pub param: ParamId,
    /// `tokens_per_month` or `requests_per_month` (per 720-hour month).
    pub unit: &'static str,
    /// The level's median in the scenario, in `unit`.
    pub median: f64,
}

impl VolumeAxis {
    /// The axis of `s`; a trace replayed at its recorded volume has none.
    pub fn of(s: &Scenario) -> Result<VolumeAxis> {
        let (param, unit) = match s.traffic.level {
            Level::TokensPerMonth(id) => (id, "tokens_per_month"),
            Level::RequestsPerMonth(id) => (id, "requests_per_month"),
            Level::AsRecorded => {
                return Err(Error::Usage(format!(
                    "{}: break-even volumes and sweeps need a traffic level to vary: give \
                     [traffic] tokens_per_month or requests_per_month (the trace is then \
                     scaled to it)",
                    s.path.display()
                )));
            }
        };
        Ok(VolumeAxis {
            param,
            unit,
            median: s.params.list[param.0].dist.quantile(0.5),
        })
    }

    /// A human label of the unit, e.g. "tokens per month".
    pub fn label(&self) -> String {
        self.unit.replace('_', " ")
    }
}

/// A range of monthly volumes (in the axis unit), `low < high`, both > 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VolumeRange {
    /// Lowest volume.
    pub low: f64,
    /// Highest volume.
    pub high: f64,
}

impl VolumeRange {
    /// Parse `LOW..HIGH`, e.g. `1e8..1e11`.
    pub fn parse(text: &str) -> Result<VolumeRange> {
        let bad = |why: &str| {
            Error::Usage(format!(
                "--volume {text:?}: {why}; write LOW..HIGH in the scenario's level unit, \
                 e.g. 1e8..1e11"
            ))
        };
        let (lo, hi) = text
            .split_once("..")
            .ok_or_else(|| bad("no `..` between the two ends"))?;
        let parse = |t: &str| {
            t.trim()
                .replace('_', "")
                .parse::<f64>()
                .map_err(|_| bad(&format!("{:?} is not a number", t.trim())))
        };
        let (low, high) = (parse(lo)?, parse(hi)?);
        if !(low.is_finite() && high.is_finite() && low > 0.0 && high > low) {
            return Err(bad("both ends must be positive and finite, LOW below HIGH"));
        }
        Ok(VolumeRange { low, high })
    }

    /// The default range around a scenario's level: its median rounded to
    /// a power of ten, ÷ 100 to × 100 (1e9 → 1e7..1e11).
    pub fn around(axis: &VolumeAxis) -> VolumeRange {
        let centre = axis.median.log10().round();
        VolumeRange {
            low: 10f64.powf(centre - 2.0),
            high: 10f64.powf(centre + 2.0),
        }
    }

    /// `points` volumes spaced evenly in log from `low` to `high` inclusive
    /// (one point: `low`).
    pub fn log_grid(&self, points: usize) -> Vec<f64> {
        if points <= 1 {
            return vec![self.low];
        }
        // Powers of ten land exactly on round volumes (1e9, not 999.99…e6).
        let (a, b) = (self.low.log10(), self.high.log10());
        (0..points)
            .map(|k| match k {
                0 => self.low,
                k if k == points - 1 => self.high,
                k => 10f64.powf(a + (b - a) * k as f64 / (points - 1) as f64),
            })
            .collect()
    }

    /// `points` volumes spaced evenly from `low` to `high` inclusive.
    pub fn linear_grid(&self, points: usize) -> Vec<f64> {
        if points <= 1 {
            return vec![self.low];
        }
        (0..points)
            .map(|k| self.low + (self.high - self.low) * k as f64 / (points - 1) as f64)
            .collect()
    }
}

/// How break-even volumes are searched.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakEvenSettings {
    /// The volume axis.
    pub axis: VolumeAxis,
    /// The range searched.
    pub range: VolumeRange,
    /// Grid volumes per decade at which every deployment is priced to find
    /// sign changes of each pair's cost difference: the powers
    /// 10^(j / points_per_decade) inside the range, plus its two ends. The
    /// grid does not depend on the range, so two ranges find the same
    /// crossings where they overlap.
    pub points_per_decade: u32,
    /// At most this many prices of the pair to refine the first crossing
    /// inside its grid interval (Illinois steps in log volume, safeguarded
    /// by bisection, stopping at a bracket narrower than 1%; the answer is
    /// the bracket's middle).
    pub refine_steps: u32,
    /// Trials whose break-even is searched: the first `trials` of the run
    /// (each costs about the grid's size + pairs × `refine_steps` prices).
    pub trials: u64,
}

/// Width in log volume (≈ relative width) at which a bracket is narrow
/// enough: 1%, well inside the Monte Carlo error of break-even quantiles.
pub const REFINE_TOLERANCE: f64 = 1e-2;

impl BreakEvenSettings {
    /// The grid volumes, ascending: the range's ends and every
    /// 10^(j / points_per_decade) strictly between them.
    pub fn grid(&self) -> Vec<f64> {
        let per = f64::from(self.points_per_decade.max(1));
        let (lo, hi) = (self.range.low, self.range.high);
        let first = (lo.log10() * per).floor() as i64 + 1;
        let last = (hi.log10() * per).ceil() as i64 - 1;
        let mut grid = vec![lo];
        grid.extend(
            (first..=last)
                .map(|j| 10f64.powf(j as f64 / per))
                // Keep interior points clear of the ends (no near-duplicates).
                .filter(|&v| v > lo * 1.001 && v < hi / 1.001),
        );
        grid.push(hi);
        grid
    }

    /// The defaults: 4 grid points per decade (each interval × 1.78), up to
    /// 10 refining steps (enough to close an interval to 1% by bisection
    /// alone), on the first `trials` trials.
    pub fn new(axis: VolumeAxis, range: VolumeRange, trials: u64) -> Self {
        BreakEvenSettings {
            axis,
            range,
            points_per_decade: 4,
            refine_steps: 10,
            trials,
        }
    }
}

/// Where, in one trial, one pair's costs cross.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrossingKind {
    /// The costs cross inside the range.
    Crossing,
    /// The first deployment is cheaper at every grid volume.
    ACheaperThroughout,
    /// The second deployment is cheaper (or equal) at every grid volume.
    BCheaperThroughout,
}

impl CrossingKind {
    /// Name used in CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            CrossingKind::Crossing => "crossing",
            CrossingKind::ACheaperThroughout => "a_cheaper_throughout",
            CrossingKind::BCheaperThroughout => "b_cheaper_throughout",
        }
    }
}

/// One trial's break-even of one pair `(a, b)`, scenario order, `a` first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairCrossing {
    /// Whether and how the costs cross.
    pub kind: CrossingKind,
    /// Where they cross (axis unit), NaN without a crossing: the crossing
    /// inside the first grid interval whose ends differ in which deployment
    /// is cheaper, to 1%. Where a cost is a staircase (whole replicas) the
    /// costs can cross and cross back inside one interval; such pairs of
    /// crossings are not seen, so this is the first crossing the grid sees.
    pub volume: f64,
    /// Just above `volume`, `a` is the cheaper one.
    pub a_cheaper_above: bool,
    /// Sign changes seen on the grid (more than one: the costs cross again).
    /// A lower bound on the crossings: two inside one interval cancel.
    pub sign_changes: u32,
}

/// Price the deployments `which` of trial `trial` at `volume`.
#[allow(clippy::too_many_arguments)]
pub fn costs_at_volume(
    s: &Scenario,
    seed: u64,
    trial: u64,
    fidelity: Fidelity,
    params: &mut [f64],
    axis: &VolumeAxis,
    volume: f64,
    which: &[usize],
    traffic: &mut TrialTraffic,
) -> Vec<f64> {
    params[axis.param.0] = volume;
    engine::price_deployments(s, seed, trial, fidelity, params, traffic, which)
        .iter()
        .map(|o| o.cost_usd)
        .collect()
}

/// Every pair `(i, j)`, `i < j`, of `n` deployments in scenario order.
pub fn pairs(n: usize) -> Vec<(usize, usize)> {
    (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .collect()
}

/// Find trial `trial`'s break-even volume of every pair, with the trial's
/// own parameters `params` (its level is replaced by each volume tried).
pub fn trial_breakeven(
    s: &Scenario,
    seed: u64,
    trial: u64,
    fidelity: Fidelity,
    params: &[f64],
    settings: &BreakEvenSettings,
    traffic: &mut TrialTraffic,
) -> Vec<PairCrossing> {
    let mut p = params.to_vec();
    let all: Vec<usize> = (0..s.deployments.len()).collect();
    let grid = settings.grid();
    let costs: Vec<Vec<f64>> = grid
        .iter()
        .map(|&v| {
            costs_at_volume(
                s,
                seed,
                trial,
                fidelity,
                &mut p,
                &settings.axis,
                v,
                &all,
                traffic,
            )
        })
        .collect();
    pairs(all.len())
        .into_iter()
        .map(|(a, b)| {
            let cheaper: Vec<bool> = costs.iter().map(|c| c[a] < c[b]).collect();
            let sign_changes = cheaper.windows(2).filter(|w| w[0] != w[1]).count() as u32;
            let Some(k) = cheaper.windows(2).position(|w| w[0] != w[1]) else {
                let kind = if cheaper[0] {
                    CrossingKind::ACheaperThroughout
                } else {
                    CrossingKind::BCheaperThroughout
                };
                return PairCrossing {
                    kind,
                    volume: f64::NAN,
                    a_cheaper_above: cheaper[0],
                    sign_changes: 0,
                };
            };
            let below = cheaper[k];
            // Illinois (modified regula falsi) on the cost difference in
            // log volume: few prices for smooth costs, and never leaves the
            // bracket, so step-shaped costs (whole replicas) converge too.
            let diff_at = |x: f64, p: &mut [f64], traffic: &mut TrialTraffic| {
                let c = costs_at_volume(
                    s,
                    seed,
                    trial,
                    fidelity,
                    p,
                    &settings.axis,
                    x.exp(),
                    &[a, b],
                    traffic,
                );
                c[0] - c[1]
            };
            let (mut lo, mut hi) = (grid[k].ln(), grid[k + 1].ln());
            let (mut f_lo, mut f_hi) =
                (costs[k][a] - costs[k][b], costs[k + 1][a] - costs[k + 1][b]);
            let mut side = 0i8;
            // Widths of the bracket before each step: when two steps have
            // not halved it (a cost with steps, such as whole replicas),
            // the next step bisects, so the bracket always closes in.
            let mut widths = vec![hi - lo];
            for _ in 0..settings.refine_steps {
                if hi - lo < REFINE_TOLERANCE {
                    break;
                }
                let stalled = widths.len() >= 3 && hi - lo > 0.5 * widths[widths.len() - 3];
                let secant = lo - f_lo * (hi - lo) / (f_hi - f_lo);
                // A secant step lands at least 0.4 of the tolerance inside
                // the bracket: when one end already sits on the root (the
                // secant creeping towards it), the next price falls just
                // beyond the root and closes the bracket.
                let margin = 0.4 * REFINE_TOLERANCE;
                let x = if !stalled && secant > lo && secant < hi {
                    secant.clamp(lo + margin, hi - margin)
                } else {
                    0.5 * (lo + hi)
                };
                let f = diff_at(x, &mut p, traffic);
                if (f < 0.0) == below {
                    lo = x;
                    f_lo = f;
                    if side == -1 {
                        f_hi *= 0.5;
                    }
                    side = -1;
                } else {
                    hi = x;
                    f_hi = f;
                    if side == 1 {
                        f_lo *= 0.5;
                    }
                    side = 1;
                }
                widths.push(hi - lo);
            }
            let root = 0.5 * (lo + hi);
            PairCrossing {
                kind: CrossingKind::Crossing,
                volume: root.exp(),
                a_cheaper_above: !below,
                sign_changes,
            }
        })
        .collect()
}

/// The distribution of one pair's break-even volume over all trials.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakEvenSummary {
    /// First deployment of the pair.
    pub a: String,
    /// Second deployment.
    pub b: String,
    /// Unit of the volumes (`tokens_per_month` or `requests_per_month`).
    pub unit: &'static str,
    /// The range searched.
    pub range: VolumeRange,
    /// In most crossing trials `a` is the cheaper one above the break-even
    /// (so P(a < b) rises with volume).
    pub a_cheaper_above: bool,
    /// p5, p50, p95 of the break-even volume over all trials. Trials without
    /// a crossing count as below the range (the deployment that wins above
    /// the break-even wins throughout) or above it; a quantile that falls
    /// among them is −∞ (below the range) or +∞ (above it).
    pub quantiles: [f64; 3],
    /// Monte Carlo standard errors of those quantiles (NaN when unbounded).
    pub quantiles_mcse: [f64; 3],
    /// Share of trials whose costs cross inside the range.
    pub crossing_share: f64,
    /// Share of trials where `a` is cheaper throughout the range.
    pub a_cheaper_throughout_share: f64,
    /// Share of trials where `b` is cheaper (or equal) throughout.
    pub b_cheaper_throughout_share: f64,
    /// Share of trials whose costs cross more than once on the grid (a lower
    /// bound: crossings inside one grid interval can cancel).
    pub multiple_crossings_share: f64,
    /// Trials summarised.
    pub trials: u64,
}

impl BreakEvenSummary {
    /// Summarise one pair's crossings (trial order).
    pub fn of(
        a: &str,
        b: &str,
        settings: &BreakEvenSettings,
        crossings: &[PairCrossing],
    ) -> BreakEvenSummary {
        let n = crossings.len() as f64;
        let count = |k: CrossingKind| crossings.iter().filter(|c| c.kind == k).count() as f64;
        let crossing = count(CrossingKind::Crossing);
        let rising = crossings
            .iter()
            .filter(|c| c.kind == CrossingKind::Crossing && c.a_cheaper_above)
            .count() as f64;
        let a_cheaper_above = 2.0 * rising >= crossing;
        // The deployment that wins above the break-even winning throughout
        // means the break-even lies below the range.
        let mut volumes: Vec<f64> = crossings
            .iter()
            .map(|c| match (c.kind, a_cheaper_above) {
                (CrossingKind::Crossing, _) => c.volume,
                (CrossingKind::ACheaperThroughout, true) => f64::NEG_INFINITY,
                (CrossingKind::ACheaperThroughout, false) => f64::INFINITY,
                (CrossingKind::BCheaperThroughout, true) => f64::INFINITY,
                (CrossingKind::BCheaperThroughout, false) => f64::NEG_INFINITY,
            })
            .collect();
        volumes.sort_by(f64::total_cmp);
        let qs = [0.05, 0.5, 0.95];
        BreakEvenSummary {
            a: a.to_string(),
            b: b.to_string(),
            unit: settings.axis.unit,
            range: settings.range,
            a_cheaper_above,
            quantiles: qs.map(|q| quantile_sorted(&volumes, q)),
            quantiles_mcse: qs.map(|q| quantile_mcse(&volumes, q)),
            crossing_share: crossing / n,
            a_cheaper_throughout_share: count(CrossingKind::ACheaperThroughout) / n,
            b_cheaper_throughout_share: count(CrossingKind::BCheaperThroughout) / n,
            multiple_crossings_share: crossings.iter().filter(|c| c.sign_changes > 1).count()
                as f64
                / n,
            trials: crossings.len() as u64,
        }
    }

    /// The deployment that is cheaper above the break-even.
    pub fn winner_above(&self) -> &str {
        if self.a_cheaper_above {
            &self.a
        } else {
            &self.b
        }
    }

    /// The deployment that is cheaper below the break-even.
    pub fn winner_below(&self) -> &str {
        if self.a_cheaper_above {
            &self.b
        } else {
            &self.a
        }
    }

    /// A volume for text: the number, or "below LOW" / "above HIGH".
    pub fn describe_volume(&self, v: f64) -> String {
        if v == f64::NEG_INFINITY {
            format!("below {}", volume_text(self.range.low))
        } else if v == f64::INFINITY {
            format!("above {}", volume_text(self.range.high))
        } else {
            volume_text(v)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(low: f64, high: f64) -> BreakEvenSettings {
        let axis = VolumeAxis {
            param: ParamId(0),
            unit: "tokens_per_month",
            median: 1e9,
        };
        BreakEvenSettings::new(axis, VolumeRange { low, high }, 1)
    }

    #[test]
    fn the_grid_is_the_same_powers_whatever_the_range() {
        let wide = settings(1e7, 1e11).grid();
        assert_eq!(wide.len(), 17);
        assert_eq!(wide[4], 1e8);
        let narrow = settings(3e8, 2e10).grid();
        assert_eq!(narrow[0], 3e8);
        assert_eq!(*narrow.last().unwrap(), 2e10);
        // Every interior point of the narrow grid is a point of the wide one.
        for v in &narrow[1..narrow.len() - 1] {
            assert!(wide.iter().any(|w| (w / v - 1.0).abs() < 1e-12), "{v}");
        }
        assert!(narrow.windows(2).all(|w| w[1] > w[0]));
    }

    #[test]
    fn volume_ranges_parse_and_refuse() {
        assert_eq!(
            VolumeRange::parse(" 1e8 .. 1_000e8 ").unwrap(),
            VolumeRange {
                low: 1e8,
                high: 1e11
            }
        );
        for bad in ["1e8", "1e9..1e8", "0..1e9", "1e8..inf", "a..b", "1e8..1e8"] {
            assert!(VolumeRange::parse(bad).is_err(), "{bad}");
        }
    }
}
