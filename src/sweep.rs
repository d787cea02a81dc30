//! Volume sweeps: the same trials priced at every volume of a grid (common
//! random numbers: only the traffic level changes between volumes), giving
//! each deployment's cost quantiles, P(cheapest), and P(a < b) with
//! intervals, as functions of volume.

use crate::analysis::{Collector, Summary};
use crate::decision::{self, BreakEvenSettings, PairCrossing, VolumeAxis};
use crate::deploy::Fidelity;
use crate::engine::{self, TrialResult};
use crate::error::Result;
use crate::report::{csv_num, volume_text};
use crate::scenario::Scenario;

/// What to sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepOptions {
    /// The volume axis.
    pub axis: VolumeAxis,
    /// The range the volumes span (and the break-even search's range).
    pub range: crate::decision::VolumeRange,
    /// Volumes, ascending, in the axis unit.
    pub volumes: Vec<f64>,
    /// Trials at every volume (the same trials at each).
    pub trials: u64,
    /// Seed of every stream.
    pub seed: u64,
    /// Worker threads (0 = one per core); results do not depend on it.
    pub threads: usize,
    /// How closely self-hosted deployments are simulated.
    pub fidelity: Fidelity,
    /// Break-even search on the first trials (the band of the plot).
    pub breakeven: Option<BreakEvenSettings>,
}

/// The result of a sweep.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The volume axis.
    pub axis: VolumeAxis,
    /// The volumes, ascending.
    pub volumes: Vec<f64>,
    /// The summary of all trials at each volume (same order).
    pub points: Vec<Summary>,
    /// The break-even crossings of the first trials (`[trial][pair]`).
    pub crossings: Vec<(u64, Vec<PairCrossing>)>,
    /// Their summary per pair (empty without a break-even search).
    pub breakeven: Vec<decision::BreakEvenSummary>,
}

/// Run a sweep; `progress` gets the number of finished trials.
pub fn sweep(s: &Scenario, opts: &SweepOptions, progress: &(dyn Fn(u64) + Sync)) -> Result<Sweep> {
    let all: Vec<usize> = (0..s.deployments.len()).collect();
    let mut collectors: Vec<Collector> = opts.volumes.iter().map(|_| Collector::new(s)).collect();
    let mut crossings = Vec::new();
    engine::map_trials(
        0..opts.trials,
        16,
        opts.threads,
        progress,
        |trial, traffic| {
            let params = engine::draw_params(s, opts.seed, trial);
            let at_volumes: Vec<TrialResult> = opts
                .volumes
                .iter()
                .map(|&v| {
                    let mut p = params.clone();
                    p[opts.axis.param.0] = v;
                    let outcomes = engine::price_deployments(
                        s,
                        opts.seed,
                        trial,
                        opts.fidelity,
                        &p,
                        traffic,
                        &all,
                    );
                    TrialResult {
                        trial,
                        params: p,
                        outcomes,
                        breakeven: Vec::new(),
                    }
                })
                .collect();
            let crossing = opts.breakeven.filter(|b| trial < b.trials).map(|b| {
                decision::trial_breakeven(s, opts.seed, trial, opts.fidelity, &params, &b, traffic)
            });
            (at_volumes, crossing)
        },
        |chunk| {
            for (at_volumes, crossing) in chunk {
                for (c, r) in collectors.iter_mut().zip(at_volumes) {
                    c.add(r);
                }
                if let (Some(c), Some(first)) = (crossing, at_volumes.first()) {
                    crossings.push((first.trial, c.clone()));
                }
            }
            Ok(())
        },
    )?;
    let breakeven = match &opts.breakeven {
        Some(b) => decision::pairs(s.deployments.len())
            .into_iter()
            .enumerate()
            .map(|(q, (i, j))| {
                let per_trial: Vec<PairCrossing> = crossings.iter().map(|(_, c)| c[q]).collect();
                decision::BreakEvenSummary::of(
                    s.deployments[i].name(),
                    s.deployments[j].name(),
                    b,
                    &per_trial,
                )
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(Sweep {
        axis: opts.axis,
        volumes: opts.volumes.clone(),
        points: collectors.into_iter().map(Collector::finish).collect(),
        crossings,
        breakeven,
    })
}

impl Sweep {
    /// The volumes at which P(a < b) of pair `pair` (pair order) crosses
    /// 0.5, interpolated linearly in log volume between grid points.
    pub fn half_crossings(&self, pair: usize) -> Vec<f64> {
        let p: Vec<f64> = self
            .points
            .iter()
            .map(|s| s.pairs[pair].p_a_cheaper)
            .collect();
        let mut out = Vec::new();
        for k in 1..p.len() {
            let (p0, p1) = (p[k - 1] - 0.5, p[k] - 0.5);
            if p0 == 0.0 {
                out.push(self.volumes[k - 1]);
            } else if p0 * p1 < 0.0 {
                let (x0, x1) = (self.volumes[k - 1].ln(), self.volumes[k].ln());
                out.push((x0 + (x1 - x0) * p0 / (p0 - p1)).exp());
            }
        }
        if p.last() == Some(&0.5) {
            out.push(*self.volumes.last().expect("non-empty"));
        }
        out
    }
}

/// Overflow share above which the sweep's table marks a cost.
const OVERFLOW_NOTE: f64 = 0.01;

/// Columns of `sweep.csv` (tidy long format: one statistic per row).
pub const SWEEP_COLUMNS: &[&str] = &[
    "volume",
    "volume_unit",
    "deployment",
    "versus",
    "statistic",
    "value",
    "mcse",
    "ci95_low",
    "ci95_high",
    "trials",
];

/// `sweep.csv` as bytes. Per volume and deployment: `mean_usd`,
/// `p5_usd` … `p95_usd`, `usd_per_mtok_mean`, `p_cheapest`, `overflow_share`
/// (share of tokens beyond capacity or rate limit); per volume and
/// pair (`deployment` vs `versus`): `p_cheaper` (P(deployment < versus) in
/// the same trial) and `mean_diff_usd` (cost(deployment) − cost(versus)).
pub fn sweep_csv(sw: &Sweep) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let z = crate::analysis::Z975;
    let mut rows: Vec<[String; 10]> = Vec::new();
    for (v, point) in sw.volumes.iter().zip(&sw.points) {
        let trials = point.trials.to_string();
        let mut row =
            |dep: &str, versus: &str, stat: &str, value: f64, mcse: f64, ci: (f64, f64)| {
                rows.push([
                    csv_num(*v),
                    sw.axis.unit.to_string(),
                    dep.to_string(),
                    versus.to_string(),
                    stat.to_string(),
                    csv_num(value),
                    csv_num(mcse),
                    csv_num(ci.0),
                    csv_num(ci.1),
                    trials.clone(),
                ]);
            };
        let around = |x: f64, se: f64| (x - z * se, x + z * se);
        for d in &point.deployments {
            row(
                &d.deployment,
                "",
                "mean_usd",
                d.mean_usd,
                d.mcse_mean_usd,
                around(d.mean_usd, d.mcse_mean_usd),
            );
            for (k, name) in ["p5_usd", "p25_usd", "p50_usd", "p75_usd", "p95_usd"]
                .iter()
                .enumerate()
            {
                let (q, se) = (d.quantiles_usd[k], d.quantiles_mcse_usd[k]);
                row(&d.deployment, "", name, q, se, around(q, se));
            }
            row(
                &d.deployment,
                "",
                "usd_per_mtok_mean",
                d.usd_per_mtok_mean,
                d.usd_per_mtok_mcse,
                around(d.usd_per_mtok_mean, d.usd_per_mtok_mcse),
            );
            row(
                &d.deployment,
                "",
                "p_cheapest",
                d.p_cheapest,
                d.p_cheapest_mcse,
                d.p_cheapest_ci,
            );
        }
        for p in &point.pairs {
            row(&p.a, &p.b, "p_cheaper", p.p_a_cheaper, p.p_mcse, p.ci);
            row(
                &p.a,
                &p.b,
                "mean_diff_usd",
                p.mean_diff_usd,
                p.mcse_diff_usd,
                around(p.mean_diff_usd, p.mcse_diff_usd),
            );
        }
    }
    // Writing to memory cannot fail.
    w.write_record(SWEEP_COLUMNS).expect("in-memory CSV");
    for r in rows {
        w.write_record(&r).expect("in-memory CSV");
    }
    w.into_inner().expect("in-memory CSV")
}

/// The terminal table of a sweep: per volume, each deployment's mean cost
/// and each pair's P(a < b), then where each pair's P crosses 0.5.
pub fn sweep_text(s: &Scenario, sw: &Sweep) -> String {
    let mut out = format!(
        "{} — sweep of {} over {} volumes, {} trials each\n\n",
        s.name,
        sw.axis.label(),
        sw.volumes.len(),
        sw.points.first().map_or(0, |p| p.trials)
    );
    let Some(first) = sw.points.first() else {
        return out;
    };
    let mut header: Vec<String> = vec![sw.axis.label()];
    header.extend(
        first
            .deployments
            .iter()
            .map(|d| format!("{} mean", d.deployment)),
    );
    header.extend(first.pairs.iter().map(|p| format!("P({} < {})", p.a, p.b)));
    let rows: Vec<Vec<String>> = sw
        .volumes
        .iter()
        .zip(&sw.points)
        .map(|(v, point)| {
            let mut r = vec![volume_text(*v)];
            r.extend(
                point
                    .deployments
                    .iter()
                    .map(|d| crate::report::money_text(d.mean_usd)),
            );
            r.extend(point.pairs.iter().map(|p| format!("{:.3}", p.p_a_cheaper)));
            r
        })
        .collect();
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    out.push_str(&crate::report::table_text(&header_refs, &rows));
    if sw.points.iter().any(|p| {
        p.deployments
            .iter()
            .any(|d| d.overflow_share > OVERFLOW_NOTE)
    }) {
        out.push_str(
            "* more than 1% of the tokens are beyond the deployment's capacity or rate limit \
             (see overflow_share in sweep.csv): unless it spills to another deployment, \
             they wait for it (its waits show how long) or, on an API, are retried.\n",
        );
    }
    out.push('\n');
    for (q, p) in first.pairs.iter().enumerate() {
        let at = sw.half_crossings(q);
        let text = match at.as_slice() {
            [] => "never crosses 0.5 in the range".to_string(),
            [one] => format!("crosses 0.5 at {}", volume_text(*one)),
            many => format!(
                "crosses 0.5 {} times, first at {}",
                many.len(),
                volume_text(many[0])
            ),
        };
        out.push_str(&format!("P({} < {}) {text}\n", p.a, p.b));
    }
    if !sw.breakeven.is_empty() {
        out.push('\n');
        for line in crate::report::breakeven_sentences(&sw.breakeven) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// Run a sweep and write `sweep.csv`, `breakeven.csv` (with a break-even
/// search) and `sweep.json` into `out_dir`, renamed into place only when
/// all succeeded; with `plots`, also `probability.svg`.
pub fn run_sweep(
    s: &Scenario,
    opts: &SweepOptions,
    out_dir: &std::path::Path,
    plots: bool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Sweep> {
    if opts.trials == 0 {
        return Err(crate::Error::Usage("trials must be at least 1".to_string()));
    }
    if opts.volumes.is_empty() {
        return Err(crate::Error::Usage(
            "--points must be at least 1".to_string(),
        ));
    }
    let start = std::time::Instant::now();
    let mut out = crate::report::Staged::new(out_dir)?;
    let sw = sweep(s, opts, progress)?;
    out.write("sweep.csv", &sweep_csv(&sw))?;
    if opts.breakeven.is_some() {
        let names: Vec<&str> = s.deployments.iter().map(|d| d.name()).collect();
        out.write(
            "breakeven.csv",
            &crate::report::breakeven_csv(&names, sw.axis.unit, &sw.crossings),
        )?;
    }
    if plots {
        out.write(
            "probability.svg",
            crate::report::probability_plot(s, &sw)?.as_bytes(),
        )?;
    }
    let info = serde_json::json!({
        "scenario": s.name,
        "scenario_file": s.path.display().to_string(),
        "scenario_sha256": s.sha256,
        "seed": opts.seed,
        "trials": opts.trials,
        "volume_unit": opts.axis.unit,
        "volumes": opts.volumes,
        "fidelity": opts.fidelity.as_str(),
        "breakeven_trials": opts.breakeven.map(|b| b.trials.min(opts.trials)),
        "wall_time_s": start.elapsed().as_secs_f64(),
        "version": env!("CARGO_PKG_VERSION"),
    });
    let mut bytes = serde_json::to_vec_pretty(&info).expect("JSON of plain values");
    bytes.push(b'\n');
    out.write("sweep.json", &bytes)?;
    out.commit()?;
    Ok(sw)
}
