//! Outputs: CSV files, `run.json`, and text for the terminal (returned as
//! strings; the library never prints).
//!
//! Every file is written under a temporary name in its folder and renamed
//! into place only when the whole run has succeeded, so a failed run never
//! leaves a partly written output.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::analysis::{DeploymentSummary, Summary};
use crate::engine::TrialResult;
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::uncertain::fmt_num;

/// Files being written into one folder, renamed into place by [`Staged::commit`].
#[derive(Debug)]
pub struct Staged {
    dir: PathBuf,
    files: Vec<(PathBuf, PathBuf)>,
    created_dir: bool,
}

impl Staged {
    /// Start writing into `dir` (created if missing; removed again if the
    /// run fails before [`Staged::commit`]).
    pub fn new(dir: &Path) -> Result<Staged> {
        let created_dir = !dir.exists();
        std::fs::create_dir_all(dir).map_err(|cause| Error::WriteOutput {
            path: dir.to_path_buf(),
            cause,
        })?;
        Ok(Staged {
            dir: dir.to_path_buf(),
            files: Vec::new(),
            created_dir,
        })
    }

    /// Open `name` for writing under a temporary name; a name already
    /// being written is refused.
    pub fn create(&mut self, name: &str) -> Result<(BufWriter<File>, PathBuf)> {
        let final_path = self.dir.join(name);
        if self.files.iter().any(|(_, dest)| *dest == final_path) {
            return Err(Error::Usage(format!(
                "{}: two outputs would share this file name (deployment names like \
                 \"a_vs\" and \"vs_b\" make tornado plots collide); rename a deployment",
                final_path.display()
            )));
        }
        let tmp = self.dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let f = File::create(&tmp).map_err(|cause| Error::WriteOutput {
            path: tmp.clone(),
            cause,
        })?;
        self.files.push((tmp, final_path.clone()));
        Ok((BufWriter::new(f), final_path))
    }

    /// Write a whole small file.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let (mut w, path) = self.create(name)?;
        w.write_all(bytes)
            .and_then(|_| w.flush())
            .map_err(|cause| Error::WriteOutput { path, cause })
    }

    /// Rename every file into place. If a rename fails, the files not yet
    /// renamed are removed (by drop), and the error says which failed.
    pub fn commit(mut self) -> Result<()> {
        while let Some((tmp, dest)) = self.files.first().cloned() {
            std::fs::rename(&tmp, &dest).map_err(|cause| Error::WriteOutput {
                path: dest.clone(),
                cause,
            })?;
            self.files.remove(0);
        }
        self.created_dir = false;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        for (tmp, _) in &self.files {
            let _ = std::fs::remove_file(tmp);
        }
        if self.created_dir {
            // Only succeeds if empty: nothing but our own files was there.
            let _ = std::fs::remove_dir(&self.dir);
        }
    }
}

/// Format a number for CSV: shortest round-trip form, in exponent form
/// outside 1e-6..1e15; NaN and infinities as an empty cell.
pub fn csv_num(x: f64) -> String {
    let a = x.abs();
    if !x.is_finite() {
        String::new()
    } else if a != 0.0 && !(1e-6..1e15).contains(&a) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// Columns of `trials.csv`.
pub const TRIALS_COLUMNS: &[&str] = &[
    "trial",
    "deployment",
    "kind",
    "cost_usd",
    "compute_usd",
    "ops_usd",
    "spill_usd",
    "tokens",
    "requests",
    "usd_per_mtok",
    "utilization",
    "billed_gpu_hours",
    "busy_gpu_hours",
    "overflow_tokens",
    "cold_starts",
    "cold_start_waits",
    "queue_waits",
    "wait_p50_s",
    "wait_p95_s",
    "wait_p99_s",
];

/// Streams `trials.csv` and `params.csv` while a run goes on.
pub struct TrialWriter {
    trials: csv::Writer<BufWriter<File>>,
    trials_path: PathBuf,
    params: csv::Writer<BufWriter<File>>,
    params_path: PathBuf,
    names: Vec<String>,
    kinds: Vec<&'static str>,
    uncertain: Vec<usize>,
    breakeven: Option<(csv::Writer<BufWriter<File>>, PathBuf, &'static str)>,
}

impl std::fmt::Debug for TrialWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrialWriter")
            .field("trials", &self.trials_path)
            .finish()
    }
}

fn csv_err(path: &Path) -> impl Fn(csv::Error) -> Error + '_ {
    move |cause| Error::Csv {
        path: path.to_path_buf(),
        cause,
    }
}

impl TrialWriter {
    /// Open `trials.csv` and `params.csv` in `out` (and `breakeven.csv`
    /// when `breakeven_unit`, the volume unit, is given) and write their headers.
    pub fn new(
        out: &mut Staged,
        s: &Scenario,
        breakeven_unit: Option<&'static str>,
    ) -> Result<TrialWriter> {
        let breakeven = match breakeven_unit {
            Some(unit) => {
                let (w, path) = out.create("breakeven.csv")?;
                let mut w = csv::Writer::from_writer(w);
                w.write_record(BREAKEVEN_COLUMNS).map_err(csv_err(&path))?;
                Some((w, path, unit))
            }
            None => None,
        };
        let (tw, trials_path) = out.create("trials.csv")?;
        let (pw, params_path) = out.create("params.csv")?;
        let mut trials = csv::Writer::from_writer(tw);
        let mut params = csv::Writer::from_writer(pw);
        trials
            .write_record(TRIALS_COLUMNS)
            .map_err(csv_err(&trials_path))?;
        let uncertain: Vec<usize> = s
            .params
            .uncertain_ids()
            .into_iter()
            .map(|id| id.0)
            .collect();
        let mut header = vec!["trial".to_string()];
        header.extend(uncertain.iter().map(|&i| s.params.list[i].name.clone()));
        params
            .write_record(&header)
            .map_err(csv_err(&params_path))?;
        Ok(TrialWriter {
            trials,
            trials_path,
            params,
            params_path,
            names: s.deployments.iter().map(|d| d.name().to_string()).collect(),
            kinds: s.deployments.iter().map(|d| d.kind().as_str()).collect(),
            uncertain,
            breakeven,
        })
    }

    /// Append trials (in trial order).
    pub fn write(&mut self, results: &[TrialResult]) -> Result<()> {
        for r in results {
            let trial = r.trial.to_string();
            for ((o, name), kind) in r.outcomes.iter().zip(&self.names).zip(&self.kinds) {
                let row = [
                    trial.clone(),
                    name.clone(),
                    kind.to_string(),
                    csv_num(o.cost_usd),
                    csv_num(o.compute_usd),
                    csv_num(o.ops_usd),
                    csv_num(o.spill_usd),
                    csv_num(o.tokens),
                    csv_num(o.requests),
                    csv_num(o.usd_per_mtok()),
                    csv_num(o.utilization()),
                    csv_num(o.billed_gpu_s / 3600.0),
                    csv_num(o.busy_gpu_s / 3600.0),
                    csv_num(o.overflow_tokens),
                    csv_num(o.cold_starts),
                    csv_num(o.cold_start_waits),
                    csv_num(o.queue_waits),
                    csv_num(o.waits.quantile(0.5)),
                    csv_num(o.waits.quantile(0.95)),
                    csv_num(o.waits.quantile(0.99)),
                ];
                self.trials
                    .write_record(&row)
                    .map_err(csv_err(&self.trials_path))?;
            }
            let mut row = vec![trial];
            row.extend(self.uncertain.iter().map(|&i| csv_num(r.params[i])));
            self.params
                .write_record(&row)
                .map_err(csv_err(&self.params_path))?;
            if let Some((w, path, unit)) = &mut self.breakeven {
                for row in breakeven_rows(&self.names, unit, r.trial, &r.breakeven) {
                    w.write_record(&row).map_err(csv_err(path))?;
                }
            }
        }
        Ok(())
    }

    /// Flush both files.
    pub fn finish(mut self) -> Result<()> {
        self.trials.flush().map_err(|cause| Error::WriteOutput {
            path: self.trials_path.clone(),
            cause,
        })?;
        self.params.flush().map_err(|cause| Error::WriteOutput {
            path: self.params_path.clone(),
            cause,
        })?;
        if let Some((mut w, path, _)) = self.breakeven {
            w.flush()
                .map_err(|cause| Error::WriteOutput { path, cause })?;
        }
        Ok(())
    }
}

/// Columns of `summary.csv` (and, after a `scenario` column, of `batch_summary.csv`).
pub const SUMMARY_COLUMNS: &[&str] = &[
    "deployment",
    "kind",
    "trials",
    "mean_usd",
    "sd_usd",
    "mcse_mean_usd",
    "p5_usd",
    "p25_usd",
    "p50_usd",
    "p75_usd",
    "p95_usd",
    "usd_per_mtok_mean",
    "usd_per_mtok_p5",
    "usd_per_mtok_p50",
    "usd_per_mtok_p95",
    "tokens_mean",
    "utilization_mean",
    "overflow_share",
    "overflow_trial_share",
    "cold_starts_mean",
    "cold_start_wait_share",
    "queue_wait_share",
    "wait_share",
    "wait_p50_s",
    "wait_p95_s",
    "wait_p99_s",
    "p_cheapest",
    "p_cheapest_lo95",
    "p_cheapest_hi95",
    "mcse_p5_usd",
    "mcse_p50_usd",
    "mcse_p95_usd",
    "mcse_usd_per_mtok_mean",
    "mcse_p_cheapest",
];

/// One `summary.csv` row.
pub fn summary_row(d: &DeploymentSummary) -> Vec<String> {
    let q = &d.quantiles_usd;
    let pm = &d.quantiles_usd_per_mtok;
    vec![
        d.deployment.clone(),
        d.kind.as_str().to_string(),
        d.trials.to_string(),
        csv_num(d.mean_usd),
        csv_num(d.sd_usd),
        csv_num(d.mcse_mean_usd),
        csv_num(q[0]),
        csv_num(q[1]),
        csv_num(q[2]),
        csv_num(q[3]),
        csv_num(q[4]),
        csv_num(d.usd_per_mtok_mean),
        csv_num(pm[0]),
        csv_num(pm[2]),
        csv_num(pm[4]),
        csv_num(d.tokens_mean),
        csv_num(d.utilization_mean),
        csv_num(d.overflow_share),
        csv_num(d.overflow_trial_share),
        csv_num(d.cold_starts_mean),
        csv_num(d.cold_start_wait_share),
        csv_num(d.queue_wait_share),
        csv_num(d.wait_share),
        csv_num(d.wait_quantiles_s[0]),
        csv_num(d.wait_quantiles_s[1]),
        csv_num(d.wait_quantiles_s[2]),
        csv_num(d.p_cheapest),
        csv_num(d.p_cheapest_ci.0),
        csv_num(d.p_cheapest_ci.1),
        csv_num(d.quantiles_mcse_usd[0]),
        csv_num(d.quantiles_mcse_usd[2]),
        csv_num(d.quantiles_mcse_usd[4]),
        csv_num(d.usd_per_mtok_mcse),
        csv_num(d.p_cheapest_mcse),
    ]
}

fn to_csv(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    w.write_record(header).expect("in-memory CSV");
    for r in rows {
        w.write_record(&r).expect("in-memory CSV");
    }
    w.into_inner().expect("in-memory CSV")
}

/// `summary.csv` as bytes.
pub fn summary_csv(summary: &Summary) -> Vec<u8> {
    to_csv(SUMMARY_COLUMNS, summary.deployments.iter().map(summary_row))
}

/// Columns of `pairs.csv`. The break-even columns are empty when break-even
/// volumes were not searched; a break-even quantile below the searched range
/// is written `-inf`, above it `inf`.
pub const PAIR_COLUMNS: &[&str] = &[
    "a",
    "b",
    "p_a_cheaper",
    "p_lo95",
    "p_hi95",
    "mcse_p_a_cheaper",
    "mean_diff_usd",
    "mcse_diff_usd",
    "volume_unit",
    "cheaper_above_breakeven",
    "breakeven_p5",
    "breakeven_p50",
    "breakeven_p95",
    "mcse_breakeven_p5",
    "mcse_breakeven_p50",
    "mcse_breakeven_p95",
    "crossing_share",
    "a_cheaper_throughout_share",
    "b_cheaper_throughout_share",
    "multiple_crossings_share",
    "range_low",
    "range_high",
];

/// A volume for CSV: like [`csv_num`], but −∞ and +∞ (below and above the
/// searched range) as `-inf` and `inf`, which pandas and R read as numbers.
pub fn csv_volume(x: f64) -> String {
    if x == f64::INFINITY {
        "inf".to_string()
    } else if x == f64::NEG_INFINITY {
        "-inf".to_string()
    } else {
        csv_num(x)
    }
}

/// `pairs.csv` as bytes: P(a < b) per pair with its interval, and the
/// break-even volume's distribution when it was searched.
pub fn pairs_csv(summary: &Summary) -> Vec<u8> {
    to_csv(
        PAIR_COLUMNS,
        summary.pairs.iter().enumerate().map(|(k, p)| {
            let mut row = vec![
                p.a.clone(),
                p.b.clone(),
                csv_num(p.p_a_cheaper),
                csv_num(p.ci.0),
                csv_num(p.ci.1),
                csv_num(p.p_mcse),
                csv_num(p.mean_diff_usd),
                csv_num(p.mcse_diff_usd),
            ];
            match summary.breakeven.get(k) {
                Some(b) => row.extend([
                    b.unit.to_string(),
                    b.winner_above().to_string(),
                    csv_volume(b.quantiles[0]),
                    csv_volume(b.quantiles[1]),
                    csv_volume(b.quantiles[2]),
                    csv_num(b.quantiles_mcse[0]),
                    csv_num(b.quantiles_mcse[1]),
                    csv_num(b.quantiles_mcse[2]),
                    csv_num(b.crossing_share),
                    csv_num(b.a_cheaper_throughout_share),
                    csv_num(b.b_cheaper_throughout_share),
                    csv_num(b.multiple_crossings_share),
                    csv_num(b.range.low),
                    csv_num(b.range.high),
                ]),
                None => row.extend(std::iter::repeat_n(String::new(), PAIR_COLUMNS.len() - 8)),
            }
            row
        }),
    )
}

/// Columns of `breakeven.csv`: one row per trial and pair.
pub const BREAKEVEN_COLUMNS: &[&str] = &[
    "trial",
    "a",
    "b",
    "outcome",
    "breakeven_volume",
    "volume_unit",
    "cheaper_above",
    "sign_changes",
];

/// The `breakeven.csv` rows of one trial: `names` are the deployments'
/// names (scenario order) and `crossings` the trial's pairs (pair order).
pub fn breakeven_rows<N: AsRef<str>>(
    names: &[N],
    unit: &str,
    trial: u64,
    crossings: &[crate::decision::PairCrossing],
) -> Vec<[String; 8]> {
    crate::decision::pairs(names.len())
        .into_iter()
        .zip(crossings)
        .map(|((a, b), c)| {
            let above = if c.a_cheaper_above { a } else { b };
            [
                trial.to_string(),
                names[a].as_ref().to_string(),
                names[b].as_ref().to_string(),
                c.kind.as_str().to_string(),
                csv_num(c.volume),
                unit.to_string(),
                if c.kind == crate::decision::CrossingKind::Crossing {
                    names[above].as_ref().to_string()
                } else {
                    String::new()
                },
                c.sign_changes.to_string(),
            ]
        })
        .collect()
}

/// `breakeven.csv` as bytes from trials' crossings.
pub fn breakeven_csv<N: AsRef<str>>(
    names: &[N],
    unit: &str,
    crossings: &[(u64, Vec<crate::decision::PairCrossing>)],
) -> Vec<u8> {
    to_csv(
        BREAKEVEN_COLUMNS,
        crossings
            .iter()
            .flat_map(|(t, c)| breakeven_rows(names, unit, *t, c))
            .map(|r| r.to_vec()),
    )
}

/// Columns of `sensitivity.csv`: one row per pair and uncertain input.
pub const SENSITIVITY_COLUMNS: &[&str] = &[
    "a",
    "b",
    "input",
    "rank",
    "spearman",
    "spearman_lo95",
    "spearman_hi95",
    "input_p5",
    "input_p95",
    "diff_at_median_usd",
    "diff_at_p5_usd",
    "diff_at_p95_usd",
    "swing_usd",
    "mcse_swing_usd",
    "tornado_trials",
];

/// `sensitivity.csv` as bytes (diffs are cost(a) − cost(b), USD).
pub fn sensitivity_csv(summary: &Summary, sens: &crate::sensitivity::Sensitivity) -> Vec<u8> {
    let mut rank = 0;
    let mut last: Option<(&str, &str)> = None;
    let rows: Vec<Vec<String>> = sens
        .effects
        .iter()
        .map(|e| {
            if last != Some((e.a.as_str(), e.b.as_str())) {
                rank = 0;
                last = Some((e.a.as_str(), e.b.as_str()));
            }
            rank += 1;
            let base = summary
                .pairs
                .iter()
                .position(|p| p.a == e.a && p.b == e.b)
                .and_then(|q| sens.base_diff_usd.get(q).copied())
                .unwrap_or(f64::NAN);
            vec![
                e.a.clone(),
                e.b.clone(),
                e.input.clone(),
                rank.to_string(),
                csv_num(e.spearman),
                csv_num(e.spearman_ci.0),
                csv_num(e.spearman_ci.1),
                csv_num(e.input_p5),
                csv_num(e.input_p95),
                csv_num(base),
                csv_num(e.diff_at_p5_usd),
                csv_num(e.diff_at_p95_usd),
                csv_num(e.swing_usd),
                csv_num(e.swing_mcse_usd),
                sens.tornado_trials.to_string(),
            ]
        })
        .collect();
    to_csv(SENSITIVITY_COLUMNS, rows)
}

/// `batch_summary.csv` as bytes: every scenario's summary rows side by side.
pub fn batch_summary_csv(runs: &[(String, Summary)]) -> Vec<u8> {
    let mut header = vec!["scenario"];
    header.extend_from_slice(SUMMARY_COLUMNS);
    to_csv(
        &header,
        runs.iter().flat_map(|(name, s)| {
            s.deployments.iter().map(move |d| {
                let mut row = vec![name.clone()];
                row.extend(summary_row(d));
                row
            })
        }),
    )
}

/// What `run.json` records.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// Trials run.
    pub trials: u64,
    /// Seed used.
    pub seed: u64,
    /// Threads used (does not affect results).
    pub threads: usize,
    /// Wall time of the run, seconds.
    pub wall_time_s: f64,
    /// Fidelity of the run.
    pub fidelity: crate::deploy::Fidelity,
    /// What was decided besides costs.
    pub decisions: crate::DecisionOptions,
    /// With a precision target: the worst relative MCSE reached and whether
    /// it met the target.
    pub precision_reached: Option<(f64, bool)>,
}

/// `run.json` as bytes.
pub fn run_json(s: &Scenario, info: &RunInfo) -> Vec<u8> {
    let v = serde_json::json!({
        "scenario": s.name,
        "scenario_file": s.path.display().to_string(),
        "scenario_sha256": s.sha256,
        "seed": info.seed,
        "trials": info.trials,
        "horizon_hours": s.run.horizon_hours,
        "fidelity": info.fidelity.as_str(),
        "threads": info.threads,
        "wall_time_s": info.wall_time_s,
        "breakeven": info.decisions.breakeven.map(|b| serde_json::json!({
            "volume_unit": b.axis.unit,
            "range_low": b.range.low,
            "range_high": b.range.high,
            "points_per_decade": b.points_per_decade,
            "refine_steps": b.refine_steps,
            "trials": b.trials.min(info.trials),
        })),
        "tornado_trials": info.decisions.tornado_trials,
        "precision_target_relative_mcse": info.decisions.precision,
        "precision_reached_relative_mcse": info.precision_reached.map(|p| p.0),
        "precision_met": info.precision_reached.map(|p| p.1),
        "version": env!("CARGO_PKG_VERSION"),
    });
    let mut bytes = serde_json::to_vec_pretty(&v).expect("JSON of plain values");
    bytes.push(b'\n');
    bytes
}

/// Whole-number digits with a comma every three: `1234567` → `1,234,567`.
pub fn group_thousands(digits: &str) -> String {
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    grouped
}

/// Dollars for people: `$73.51`, `$2,588`, `-$1,261`, `$1.25M`.
pub fn money_text(x: f64) -> String {
    if !x.is_finite() {
        return "-".to_string();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    if a >= 1e7 {
        format!("{sign}${:.2}M", a / 1e6)
    } else if a >= 100.0 {
        format!("{sign}${}", group_thousands(&format!("{a:.0}")))
    } else {
        format!("{sign}${a:.2}")
    }
}

fn seconds(x: f64) -> String {
    if !x.is_finite() {
        "-".to_string()
    } else if x >= 100.0 {
        format!("{x:.0} s")
    } else {
        format!("{x:.1} s")
    }
}

fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1}%", x * 100.0)
    } else {
        "-".to_string()
    }
}

/// A plain-text table laid out in columns (first column left-aligned).
pub fn table_text(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    format!("{c:<w$}", w = widths[i])
                } else {
                    format!("{c:>w$}", w = widths[i])
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = line(header.iter().map(|h| h.to_string()).collect());
    out.push('\n');
    for r in rows {
        out.push_str(&line(r.clone()));
        out.push('\n');
    }
    out
}

/// Column heads of [`deployment_rows`].
pub const DEPLOYMENT_HEADER: [&str; 12] = [
    "deployment",
    "kind",
    "mean ±mcse",
    "p5",
    "p50",
    "p95",
    "$/M tok p50 (p5–p95)",
    "util",
    "overflow",
    "cold starts",
    "waited (p95)",
    "P(cheapest)",
];

/// One row per deployment of the summary table, as text.
pub fn deployment_rows(summary: &Summary) -> Vec<Vec<String>> {
    summary
        .deployments
        .iter()
        .map(|d| {
            let q = &d.quantiles_usd;
            let pm = &d.quantiles_usd_per_mtok;
            vec![
                d.deployment.clone(),
                d.kind.as_str().to_string(),
                format!(
                    "{} ±{}",
                    money_text(d.mean_usd),
                    money_text(d.mcse_mean_usd)
                ),
                money_text(q[0]),
                money_text(q[2]),
                money_text(q[4]),
                format!(
                    "{} ({}–{})",
                    money_text(pm[2]),
                    money_text(pm[0]),
                    money_text(pm[4])
                ),
                pct(d.utilization_mean),
                pct(d.overflow_share),
                if d.kind == crate::deploy::Kind::Serverless {
                    format!("{:.0}", d.cold_starts_mean)
                } else {
                    "-".to_string()
                },
                if d.wait_share > 0.0 {
                    format!("{} ({})", pct(d.wait_share), seconds(d.wait_quantiles_s[1]))
                } else if d.kind == crate::deploy::Kind::Api {
                    "-".to_string()
                } else {
                    "0.0%".to_string()
                },
                format!("{:.3} ±{:.3}", d.p_cheapest, d.p_cheapest_mcse),
            ]
        })
        .collect()
}

/// The terminal summary of a run.
pub fn summary_text(s: &Scenario, summary: &Summary) -> String {
    let horizon = horizon_text(s);
    let mut out = format!(
        "{} — {} trials, cost over {horizon}\n\n",
        s.name, summary.trials
    );
    out.push_str(&table_text(&DEPLOYMENT_HEADER, &deployment_rows(summary)));
    if !summary.pairs.is_empty() {
        out.push('\n');
        let rows: Vec<Vec<String>> = summary
            .pairs
            .iter()
            .map(|p| {
                vec![
                    format!("{} < {}", p.a, p.b),
                    format!("{:.3}", p.p_a_cheaper),
                    format!("{:.3}–{:.3}", p.ci.0, p.ci.1),
                    money_text(p.mean_diff_usd),
                ]
            })
            .collect();
        out.push_str(&table_text(
            &["pair (same trial)", "P", "95% interval", "mean difference"],
            &rows,
        ));
    }
    if let Some(best) = summary
        .deployments
        .iter()
        .max_by(|a, b| a.p_cheapest.total_cmp(&b.p_cheapest))
    {
        out.push_str(&format!(
            "\nCheapest most often: {} (P = {:.2}, 95% interval {:.2}–{:.2}).\n",
            best.deployment, best.p_cheapest, best.p_cheapest_ci.0, best.p_cheapest_ci.1
        ));
    }
    for (d, dep) in summary.deployments.iter().zip(&s.deployments) {
        if d.overflow_share > 0.001 {
            let what = match (d.kind, dep.overflow_target()) {
                (crate::deploy::Kind::Api, _) => {
                    "were over its rate limit (billed: clients retry them)".to_string()
                }
                (_, Some(target)) => {
                    format!("were beyond its capacity and spilled to \"{target}\" (in its cost)")
                }
                (crate::deploy::Kind::Serverless, _) => {
                    "were beyond its max_workers: they waited for a free slot and were \
                     served later (in its cost)"
                        .to_string()
                }
                _ => "were beyond its capacity in their hour: they queued for its replicas and \
                      were served later (see its waits)"
                    .to_string(),
            };
            out.push_str(&format!(
                "Note: {} of the tokens of {} {what}; overflow in {} of trials.\n",
                pct(d.overflow_share),
                d.deployment,
                pct(d.overflow_trial_share)
            ));
        }
    }
    out
}

/// Column heads of [`input_rows`].
pub const INPUT_HEADER: [&str; 5] = ["input", "p5", "p50", "p95", "distribution"];

/// One row per input of the scenario: name, p5, p50, p95 and its
/// distribution (fixed inputs: the value, then `fixed`).
pub fn input_rows(s: &Scenario) -> Vec<Vec<String>> {
    s.params
        .list
        .iter()
        .map(|p| {
            if p.dist.is_fixed() {
                vec![
                    p.name.clone(),
                    fmt_num(p.dist.mean()),
                    String::new(),
                    String::new(),
                    "fixed".into(),
                ]
            } else {
                vec![
                    p.name.clone(),
                    fmt_num(p.dist.quantile(0.05)),
                    fmt_num(p.dist.quantile(0.5)),
                    fmt_num(p.dist.quantile(0.95)),
                    p.dist.describe(),
                ]
            }
        })
        .collect()
}

/// What `breakeven check` shows: the scenario as the engine reads it.
pub fn check_text(s: &Scenario) -> String {
    let mut out = format!("{}: valid scenario \"{}\"\n", s.path.display(), s.name);
    if !s.description.is_empty() {
        out.push_str(&format!("  {}\n", s.description));
    }
    out.push_str(&format!(
        "run: {} trials, seed {}, horizon {} hours ({} months of 720 h)\n",
        s.run.trials,
        s.run.seed,
        s.run.horizon_hours,
        fmt_num(s.horizon_months())
    ));
    let t = &s.traffic;
    out.push_str(&format!("traffic: {}\n", t.describe()));
    out.push_str(&format!(
        "  per request: input tokens {} (mean {}), output tokens {} (mean {})\n",
        t.input_tokens.describe(),
        fmt_num(t.input_tokens.mean()),
        t.output_tokens.describe(),
        fmt_num(t.output_tokens.mean())
    ));
    for d in &s.deployments {
        out.push_str(&format!(
            "deployment {} ({}):\n",
            d.name(),
            d.kind().as_str()
        ));
        for line in d.settings() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out.push_str("\ninputs (p5 / p50 / p95):\n");
    let rows = input_rows(s);
    out.push_str(&table_text(&INPUT_HEADER, &rows));
    out
}

/// The horizon of `s` for people: `one 30-day month`, `8760 hours (12 months)`.
fn horizon_text(s: &Scenario) -> String {
    let months = s.horizon_months();
    if (months - 1.0).abs() < 1e-9 {
        "one 30-day month".to_string()
    } else {
        format!("{} hours ({} months)", s.run.horizon_hours, fmt_num(months))
    }
}

/// Difference from the request-level simulation beyond which
/// [`fidelity_text`] says the fast path is off for a scenario (the issue's
/// bound on the mean serverless cost): 3%.
pub const FIDELITY_COST_BOUND: f64 = 0.03;

/// Column heads of [`fidelity_text`]'s table.
const FIDELITY_HEADER: [&str; 6] = [
    "deployment",
    "fidelity",
    "mean cost",
    "vs request ± se",
    "cold starts",
    "waited",
];

/// The names of `[hourly, auto, request]`, as in the scenario file.
const FIDELITY_NAMES: [&str; 3] = ["hourly", "auto", "request"];

/// Standard error of the paired mean cost difference of fidelity `k` (0
/// hourly, 1 auto) and request, USD.
fn gap_se_usd(c: &crate::validation::FidelityComparison, k: usize) -> f64 {
    [c.hourly_minus_request_se_usd, c.auto_minus_request_se_usd][k]
}

/// `(mean cost difference from request, its paired standard error)` of
/// fidelity `k` (0 hourly, 1 auto) as fractions of the request-level
/// mean cost.
fn fidelity_gap(c: &crate::validation::FidelityComparison, k: usize) -> (f64, f64) {
    let request = c.cost_usd[2];
    (c.cost_usd[k] / request - 1.0, gap_se_usd(c, k) / request)
}

/// [`fidelity_gap`] for people: `+0.8% ± 0.3%`.
fn fidelity_gap_text(c: &crate::validation::FidelityComparison, k: usize) -> String {
    let (d, se) = fidelity_gap(c, k);
    format!("{:+.1}% ± {:.1}%", d * 100.0, se * 100.0)
}

/// The serverless deployments of `s` priced at the three fidelities on the
/// same `trials` trials ([`crate::validation::compare_fidelities`]), as a
/// table, and per deployment whether `auto` (the default) is within
/// [`FIDELITY_COST_BOUND`] of the request-level simulation: within it
/// (with its 95% interval, by Student's t on `trials - 1` degrees of
/// freedom, inside it too), beyond it with the interval outside, or not
/// resolved at this many trials. The costs include each deployment's
/// operations costs, which the fidelity does not change.
pub fn fidelity_text(
    s: &Scenario,
    comparisons: &[crate::validation::FidelityComparison],
    trials: u64,
) -> String {
    let mut out = format!(
        "{} — serverless at the three fidelities on the same {trials} trials, cost over {}\n\n",
        s.name,
        horizon_text(s)
    );
    let mut rows = Vec::new();
    for c in comparisons {
        for (k, fidelity) in FIDELITY_NAMES.iter().enumerate() {
            let gap = if k < 2 {
                fidelity_gap_text(c, k)
            } else {
                "-".to_string()
            };
            rows.push(vec![
                if k == 0 {
                    c.deployment.clone()
                } else {
                    String::new()
                },
                fidelity.to_string(),
                money_text(c.cost_usd[k]),
                gap,
                if c.cold_starts[k] < 100.0 {
                    format!("{:.1}", c.cold_starts[k].max(0.0))
                } else {
                    group_thousands(&format!("{:.0}", c.cold_starts[k]))
                },
                pct(c.waited[k] / c.requests),
            ]);
        }
    }
    out.push_str(&table_text(&FIDELITY_HEADER, &rows));
    out.push('\n');
    let bound = FIDELITY_COST_BOUND * 100.0;
    // The two-sided 95% point of Student's t with trials - 1 degrees of
    // freedom (12.7 at 2 trials, 2.09 at 20): few trials widen the band.
    let spread = statrs::distribution::StudentsT::new(0.0, 1.0, trials.max(2) as f64 - 1.0).map_or(
        2.0,
        |t| {
            use statrs::distribution::ContinuousCDF;
            t.inverse_cdf(0.975)
        },
    );
    for c in comparisons {
        let (d, se) = fidelity_gap(c, 1);
        let gap = fidelity_gap_text(c, 1);
        let verdict = if d.abs() + spread * se <= FIDELITY_COST_BOUND {
            format!(
                "auto (the default) is within {bound:.0}% of the request-level simulation ({gap})."
            )
        } else if d.abs() - spread * se > FIDELITY_COST_BOUND {
            format!(
                "auto (the default) is {gap} from the request-level simulation, beyond \
                 {bound:.0}%: for this scenario run with --fidelity request."
            )
        } else {
            format!(
                "auto (the default) is {gap} from the request-level simulation: not resolved \
                 against {bound:.0}% at {trials} trials; run more (--trials)."
            )
        };
        out.push_str(&format!("{}: {verdict}\n", c.deployment));
    }
    out
}

/// [`fidelity_text`]'s figures as CSV, one row per deployment and
/// fidelity: `deployment, fidelity, trials, mean_cost_usd,
/// minus_request_usd, minus_request_se_usd` (empty for `request`),
/// `cold_starts` (mean per trial), `waited_share` (of requests, on a cold
/// start or in the queue).
pub fn fidelity_csv(comparisons: &[crate::validation::FidelityComparison], trials: u64) -> Vec<u8> {
    let rows = comparisons.iter().flat_map(|c| {
        FIDELITY_NAMES.iter().enumerate().map(move |(k, fidelity)| {
            let (gap, se) = if k < 2 {
                (
                    csv_num(c.cost_usd[k] - c.cost_usd[2]),
                    csv_num(gap_se_usd(c, k)),
                )
            } else {
                (String::new(), String::new())
            };
            vec![
                c.deployment.clone(),
                fidelity.to_string(),
                trials.to_string(),
                csv_num(c.cost_usd[k]),
                gap,
                se,
                csv_num(c.cold_starts[k]),
                csv_num(c.waited[k] / c.requests),
            ]
        })
    });
    to_csv(
        &[
            "deployment",
            "fidelity",
            "trials",
            "mean_cost_usd",
            "minus_request_usd",
            "minus_request_se_usd",
            "cold_starts",
            "waited_share",
        ],
        rows,
    )
}

/// The hourly loads of trials `0..trials` of `s` as CSV: `trial, hour,
/// weekday (0 = Monday), hour_of_day, requests, input_tokens, output_tokens`.
pub fn traffic_csv(s: &Scenario, trials: u64, seed: u64) -> Vec<u8> {
    let mut out =
        String::from("trial,hour,weekday,hour_of_day,requests,input_tokens,output_tokens\n");
    let mut draw = crate::traffic::TrialTraffic::default();
    for trial in 0..trials {
        let p = crate::engine::draw_params(s, seed, trial);
        crate::engine::draw_traffic(s, seed, trial, &p, &mut draw);
        for (h, l) in draw.hours.iter().enumerate() {
            out.push_str(&format!(
                "{trial},{h},{},{},{},{},{}\n",
                (h / 24) % 7,
                h % 24,
                csv_num(l.requests),
                csv_num(l.input_tokens),
                csv_num(l.output_tokens)
            ));
        }
    }
    out.into_bytes()
}

/// Column heads of [`traffic_line`].
pub fn traffic_header() -> String {
    format!(
        "{:<24} {:>10} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "scenario", "req/hour", "min CV", "10min CV", "idle 10m", "hour CV", "peak/mean", "diurnal"
    )
}

/// One scenario's traffic statistics, aligned under [`traffic_header`].
pub fn traffic_line(name: &str, t: &crate::traffic::stats::TrafficSummary) -> String {
    format!(
        "{:<24} {:>10} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.2} {:>9}",
        name,
        fmt_num(t.requests_per_hour),
        t.minute_cv,
        t.ten_minute_cv,
        t.idle_ten_minute,
        t.hourly_cv,
        t.hourly_peak_to_mean,
        t.diurnal_ratio
            .map_or("-".to_string(), |d| format!("{d:.2}"))
    )
}

/// A volume for people, three significant digits with a suffix: `950M`,
/// `1.2B`, `24.3B`, `1.5T`; −∞/+∞ as `below`/`above` the range.
pub fn volume_text(v: f64) -> String {
    if v == f64::NEG_INFINITY {
        return "below range".to_string();
    }
    if v == f64::INFINITY {
        return "above range".to_string();
    }
    if !v.is_finite() {
        return "-".to_string();
    }
    // Round to three significant digits first, so 999.99M reads 1B.
    let v = if v == 0.0 {
        0.0
    } else {
        let magnitude = 10f64.powi(v.abs().log10().floor() as i32 - 2);
        (v / magnitude).round() * magnitude
    };
    let (scaled, suffix) = match v.abs() {
        a if a >= 1e12 => (v / 1e12, "T"),
        a if a >= 1e9 => (v / 1e9, "B"),
        a if a >= 1e6 => (v / 1e6, "M"),
        a if a >= 1e3 => (v / 1e3, "k"),
        _ => (v, ""),
    };
    let digits = if scaled.abs() >= 100.0 {
        0
    } else if scaled.abs() >= 10.0 {
        1
    } else {
        2
    };
    let text = format!("{scaled:.digits$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    format!("{text}{suffix}")
}

/// One sentence per break-even pair: who wins above and below, the median
/// break-even with its 90% range, and how often the costs never cross.
pub fn breakeven_sentences(breakeven: &[crate::decision::BreakEvenSummary]) -> Vec<String> {
    breakeven
        .iter()
        .map(|b| {
            let unit = b.unit.replace('_', " ");
            let [p5, p50, p95] = b.quantiles;
            let none = 1.0 - b.crossing_share;
            if b.crossing_share == 0.0 {
                let (a_share, b_share) =
                    (b.a_cheaper_throughout_share, b.b_cheaper_throughout_share);
                let (winner, loser, share) = if a_share >= b_share {
                    (&b.a, &b.b, a_share)
                } else {
                    (&b.b, &b.a, b_share)
                };
                return format!(
                    "{winner} is cheaper than {loser} at every volume from {} to {} {unit} in {} \
                     of trials; they never cross.",
                    volume_text(b.range.low),
                    volume_text(b.range.high),
                    pct(share)
                );
            }
            let mut text = if p50.is_finite() {
                format!(
                    "{} is cheaper than {} above {} {unit} (median break-even; 90% of trials \
                     between {} and {})",
                    b.winner_above(),
                    b.winner_below(),
                    volume_text(p50),
                    b.describe_volume(p5),
                    b.describe_volume(p95),
                )
            } else if p50 == f64::INFINITY {
                format!(
                    "{} stays cheaper than {} up to {} {unit} in most trials",
                    b.winner_below(),
                    b.winner_above(),
                    volume_text(b.range.high)
                )
            } else {
                format!(
                    "{} is cheaper than {} from {} {unit} on in most trials",
                    b.winner_above(),
                    b.winner_below(),
                    volume_text(b.range.low)
                )
            };
            if b.multiple_crossings_share >= 0.05 {
                text.push_str(&format!(
                    "; the costs cross again higher up in at least {} of trials",
                    pct(b.multiple_crossings_share)
                ));
            }
            if none > 0.0 {
                text.push_str(&format!(
                    "; no crossing between {} and {} in {} of trials",
                    volume_text(b.range.low),
                    volume_text(b.range.high),
                    pct(none)
                ));
            }
            text.push('.');
            text
        })
        .collect()
}

/// Column heads of [`breakeven_rows_text`].
pub const BREAKEVEN_HEADER: [&str; 7] = [
    "pair",
    "cheaper above",
    "p5",
    "p50",
    "p95",
    "no crossing in range",
    "trials",
];

/// One row per pair of the break-even table, as text.
pub fn breakeven_rows_text(breakeven: &[crate::decision::BreakEvenSummary]) -> Vec<Vec<String>> {
    breakeven
        .iter()
        .map(|b| {
            vec![
                format!("{} vs {}", b.a, b.b),
                b.winner_above().to_string(),
                volume_text(b.quantiles[0]),
                volume_text(b.quantiles[1]),
                volume_text(b.quantiles[2]),
                pct(1.0 - b.crossing_share),
                b.trials.to_string(),
            ]
        })
        .collect()
}

/// The decision part of the terminal summary: break-even volumes and the
/// inputs that move each pair most.
pub fn decision_text(result: &crate::RunResult) -> String {
    let summary = &result.summary;
    let mut out = String::new();
    if !summary.breakeven.is_empty() {
        let rows = breakeven_rows_text(&summary.breakeven);
        let unit = summary.breakeven[0].unit.replace('_', " ");
        out.push_str(&format!(
            "Break-even volume, {unit}, per trial (searched {}–{}):\n",
            volume_text(summary.breakeven[0].range.low),
            volume_text(summary.breakeven[0].range.high)
        ));
        out.push_str(&table_text(&BREAKEVEN_HEADER, &rows));
        for line in breakeven_sentences(&summary.breakeven) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    let sens = &result.sensitivity;
    if !sens.effects.is_empty() {
        out.push_str(if sens.tornado_trials > 0 {
            "\nWhat moves each cost difference most (tornado swing, p5 → p95 of the input; Spearman ρ):\n"
        } else {
            "\nWhat moves each cost difference most (Spearman ρ):\n"
        });
        for p in &summary.pairs {
            let top: Vec<String> = sens
                .of_pair(&p.a, &p.b)
                .take(3)
                .map(|e| {
                    if sens.tornado_trials > 0 {
                        format!(
                            "{} ({}, ρ {:+.2})",
                            e.input,
                            money_text(e.swing_usd),
                            e.spearman
                        )
                    } else {
                        format!("{} (ρ {:+.2})", e.input, e.spearman)
                    }
                })
                .collect();
            if !top.is_empty() {
                out.push_str(&format!("  {} − {}: {}\n", p.a, p.b, top.join(", ")));
            }
        }
    }
    out
}

/// The hourly tokens of the first `trials` trials, labelled `trial N`.
pub fn traffic_series(s: &Scenario, trials: u64, seed: u64) -> Vec<(String, Vec<f64>)> {
    let mut draw = crate::traffic::TrialTraffic::default();
    (0..trials)
        .map(|trial| {
            let p = crate::engine::draw_params(s, seed, trial);
            crate::engine::draw_traffic(s, seed, trial, &p, &mut draw);
            (
                format!("trial {trial}"),
                draw.hours.iter().map(|h| h.tokens()).collect(),
            )
        })
        .collect()
}

/// The plots of a run, as (file name, SVG): `cost_ecdf.svg`,
/// `tornado_<a>_vs_<b>.svg` for every pair (with a tornado) and
/// `traffic.svg` (hourly tokens of the first three trials).
pub fn run_plots(
    s: &Scenario,
    result: &crate::RunResult,
    seed: u64,
) -> Result<Vec<(String, String)>> {
    use crate::plots;
    let mut out = Vec::new();
    let series: Vec<plots::CostSeries<'_>> = s
        .deployments
        .iter()
        .zip(&result.costs)
        .map(|(d, c)| plots::CostSeries {
            name: d.name(),
            costs_usd: c,
        })
        .collect();
    out.push((
        "cost_ecdf.svg".to_string(),
        plots::cost_ecdf_svg(
            &format!(
                "{}: cost per trial ({} trials)",
                s.name, result.summary.trials
            ),
            &series,
        )?,
    ));
    if result.sensitivity.tornado_trials > 0 {
        for q in 0..result.summary.pairs.len() {
            out.push(tornado_plot(s, result, q)?);
        }
    }
    out.push((
        "traffic.svg".to_string(),
        plots::traffic_svg(
            &format!("{}: hourly traffic of three trials", s.name),
            "tokens per hour",
            &traffic_series(s, 3, seed),
        )?,
    ));
    Ok(out)
}

/// The tornado of pair `q` (pair order) as (file name, SVG): the eight
/// inputs with the largest swing.
pub fn tornado_plot(s: &Scenario, result: &crate::RunResult, q: usize) -> Result<(String, String)> {
    let p = &result.summary.pairs[q];
    let bars: Vec<crate::plots::TornadoBar> = result
        .sensitivity
        .of_pair(&p.a, &p.b)
        .take(8)
        .map(|e| crate::plots::TornadoBar {
            input: e.input.clone(),
            at_low: e.diff_at_p5_usd,
            at_high: e.diff_at_p95_usd,
            low_input: e.input_p5,
            high_input: e.input_p95,
        })
        .collect();
    let svg = crate::plots::tornado_svg(
        &format!("{}: what moves cost({}) − cost({})", s.name, p.a, p.b),
        &format!("cost({}) − cost({}), USD", p.a, p.b),
        result.sensitivity.base_diff_usd[q],
        &bars,
    )?;
    Ok((
        // Deployment names use only letters, digits, '-', '_' and '.'.
        format!("tornado_{}_vs_{}.svg", p.a, p.b),
        svg,
    ))
}

/// P(cheaper) against volume for every pair of a sweep, with each pair's
/// break-even band (p5–p95, median dashed) shaded.
pub fn probability_plot(s: &Scenario, sw: &crate::sweep::Sweep) -> Result<String> {
    use crate::plots;
    let Some(first) = sw.points.first() else {
        return plots::probability_vs_volume_svg(&s.name, &sw.axis.label(), &[], &[]);
    };
    let curves: Vec<plots::ProbabilityCurve> = (0..first.pairs.len())
        .map(|q| {
            // Plot P(the deployment cheaper above the break-even wins), so
            // every curve rises with volume where it can.
            let flip = sw.breakeven.get(q).is_some_and(|b| !b.a_cheaper_above);
            let p0 = &first.pairs[q];
            let label = if flip {
                format!("P({} < {})", p0.b, p0.a)
            } else {
                format!("P({} < {})", p0.a, p0.b)
            };
            let get = |f: &dyn Fn(&crate::analysis::PairSummary) -> f64| -> Vec<f64> {
                sw.points.iter().map(|pt| f(&pt.pairs[q])).collect()
            };
            if flip {
                plots::ProbabilityCurve {
                    label,
                    volumes: sw.volumes.clone(),
                    p: get(&|p| 1.0 - p.p_a_cheaper),
                    ci_low: get(&|p| 1.0 - p.ci.1),
                    ci_high: get(&|p| 1.0 - p.ci.0),
                }
            } else {
                plots::ProbabilityCurve {
                    label,
                    volumes: sw.volumes.clone(),
                    p: get(&|p| p.p_a_cheaper),
                    ci_low: get(&|p| p.ci.0),
                    ci_high: get(&|p| p.ci.1),
                }
            }
        })
        .collect();
    // Pairs whose median break-even lies outside the range have no band.
    let bands: Vec<plots::BreakEvenBand> = sw
        .breakeven
        .iter()
        .filter(|b| b.quantiles[1].is_finite())
        .map(|b| plots::BreakEvenBand {
            // The curve's own label, so the band takes the curve's colour.
            label: format!("P({} < {})", b.winner_above(), b.winner_below()),
            p5: b.quantiles[0],
            p50: b.quantiles[1],
            p95: b.quantiles[2],
        })
        .collect();
    plots::probability_vs_volume_svg(
        &format!("{}: probability of being cheaper, by volume", s.name),
        &sw.axis.label(),
        &curves,
        &bands,
    )
}

/// When a precision target was set and not met within the trial cap, a
/// line saying so (for the terminal and the report).
pub fn precision_note(
    decisions: &crate::DecisionOptions,
    result: &crate::RunResult,
) -> Option<String> {
    let target = decisions.precision?;
    match result.precision_reached {
        Some((reached, false)) => Some(format!(
            "note: precision target {}% not met after {} trials (the cap): the worst \
             relative MCSE of a mean cost is {}%; raise --trials to go on",
            fmt_num(target * 100.0),
            result.summary.trials,
            fmt_num(reached * 100.0)
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A comparison whose `auto` reads `gap` of the request-level mean
    /// cost with standard error `se` (fractions).
    fn compared(gap: f64, se: f64) -> crate::validation::FidelityComparison {
        crate::validation::FidelityComparison {
            deployment: "flex".into(),
            cost_usd: [1000.0 * (1.0 + gap), 1000.0 * (1.0 + gap), 1000.0],
            hourly_minus_request_se_usd: 1000.0 * se,
            auto_minus_request_se_usd: 1000.0 * se,
            cold_starts: [10.0, 10.0, 11.0],
            cold_starts_hourly_minus_request_se: 1.0,
            requests: 100.0,
            waited: [5.0, 5.0, 6.0],
        }
    }

    #[test]
    fn the_fidelity_verdict_trusts_auto_only_with_its_interval_inside_the_bound() {
        let s = Scenario::load(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/steady-100m.toml"
        )))
        .unwrap();
        let verdict = |gap, se| fidelity_text(&s, &[compared(gap, se)], 20);
        // Within: 0.5% + 2.09 × 0.2% <= 3% (t at 19 degrees of freedom).
        let within = verdict(0.005, 0.002);
        assert!(
            within.contains(
                "flex: auto (the default) is within 3% of the request-level \
                 simulation (+0.5% ± 0.2%)."
            ),
            "{within}"
        );
        // Beyond: 6% - 2.09 × 1% > 3%, in either direction.
        for gap in [0.06, -0.06] {
            let beyond = verdict(gap, 0.01);
            assert!(beyond.contains("beyond 3%: for this scenario run with --fidelity request"));
        }
        // Neither: 2% ± 1% may be 0% or 4%.
        let open = verdict(0.02, 0.01);
        assert!(
            open.contains("+2.0% ± 1.0%") && open.contains("not resolved against 3% at 20 trials")
        );
        // With two trials the band is 12.7 standard errors wide: 0.5% ± 0.2%
        // is not yet resolved.
        let few = fidelity_text(&s, &[compared(0.005, 0.002)], 2);
        assert!(few.contains("not resolved against 3% at 2 trials"), "{few}");
        // The table has the three fidelities, the request row without a gap.
        assert!(within.contains("hourly") && within.contains("request"));
        assert!(within.contains("waited") && within.contains("6.0%"));
    }

    #[test]
    fn staged_refuses_a_name_twice_and_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        {
            let mut staged = Staged::new(&dir).unwrap();
            staged.write("a.svg", b"one").unwrap();
            let err = staged.write("a.svg", b"two").unwrap_err();
            assert!(err.is_user_input() && err.to_string().contains("share this file name"));
        }
        assert!(!dir.exists(), "a failed output leaves no folder behind");
    }

    #[test]
    fn money_reads_well() {
        assert_eq!(money_text(73.514), "$73.51");
        assert_eq!(money_text(2588.4), "$2,588");
        assert_eq!(money_text(-1261.0), "-$1,261");
        assert_eq!(money_text(12_512_000.0), "$12.51M");
        assert_eq!(money_text(1_234_567.0), "$1,234,567");
    }
}
