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

    /// Open `name` for writing under a temporary name.
    pub fn create(&mut self, name: &str) -> Result<(BufWriter<File>, PathBuf)> {
        let final_path = self.dir.join(name);
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

    /// Rename every file into place.
    pub fn commit(mut self) -> Result<()> {
        for (tmp, dest) in std::mem::take(&mut self.files) {
            std::fs::rename(&tmp, &dest).map_err(|cause| Error::WriteOutput {
                path: dest.clone(),
                cause,
            })?;
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
    names: Vec<(String, &'static str)>,
    uncertain: Vec<usize>,
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
    /// Open both files in `out` and write their headers.
    pub fn new(out: &mut Staged, s: &Scenario) -> Result<TrialWriter> {
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
            names: s
                .deployments
                .iter()
                .map(|d| (d.name().to_string(), d.kind().as_str()))
                .collect(),
            uncertain,
        })
    }

    /// Append trials (in trial order).
    pub fn write(&mut self, results: &[TrialResult]) -> Result<()> {
        for r in results {
            let trial = r.trial.to_string();
            for (o, (name, kind)) in r.outcomes.iter().zip(&self.names) {
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
        })
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

/// Columns of `pairs.csv`.
pub const PAIR_COLUMNS: &[&str] = &[
    "a",
    "b",
    "p_a_cheaper",
    "p_lo95",
    "p_hi95",
    "mean_diff_usd",
    "mcse_diff_usd",
];

/// `pairs.csv` as bytes: P(a < b) per pair with its interval.
pub fn pairs_csv(summary: &Summary) -> Vec<u8> {
    to_csv(
        PAIR_COLUMNS,
        summary.pairs.iter().map(|p| {
            vec![
                p.a.clone(),
                p.b.clone(),
                csv_num(p.p_a_cheaper),
                csv_num(p.ci.0),
                csv_num(p.ci.1),
                csv_num(p.mean_diff_usd),
                csv_num(p.mcse_diff_usd),
            ]
        }),
    )
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
        "version": env!("CARGO_PKG_VERSION"),
    });
    let mut bytes = serde_json::to_vec_pretty(&v).expect("JSON of plain values");
    bytes.push(b'\n');
    bytes
}

/// Dollars for people: `$73.51`, `$2,588`, `-$1,261`, `$1.25M`.
fn money(x: f64) -> String {
    if !x.is_finite() {
        return "-".to_string();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    if a >= 1e7 {
        format!("{sign}${:.2}M", a / 1e6)
    } else if a >= 100.0 {
        let digits = format!("{a:.0}");
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{sign}${grouped}")
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

/// A plain-text table laid out in columns.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
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

/// The terminal summary of a run.
pub fn summary_text(s: &Scenario, summary: &Summary) -> String {
    let months = s.horizon_months();
    let horizon = if (months - 1.0).abs() < 1e-9 {
        "one 30-day month".to_string()
    } else {
        format!("{} hours ({} months)", s.run.horizon_hours, fmt_num(months))
    };
    let mut out = format!(
        "{} — {} trials, cost over {horizon}\n\n",
        s.name, summary.trials
    );
    let rows: Vec<Vec<String>> = summary
        .deployments
        .iter()
        .map(|d| {
            let q = &d.quantiles_usd;
            let pm = &d.quantiles_usd_per_mtok;
            vec![
                d.deployment.clone(),
                d.kind.as_str().to_string(),
                format!("{} ±{}", money(d.mean_usd), money(d.mcse_mean_usd)),
                money(q[0]),
                money(q[2]),
                money(q[4]),
                format!("{} ({}–{})", money(pm[2]), money(pm[0]), money(pm[4])),
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
                format!("{:.3}", d.p_cheapest),
            ]
        })
        .collect();
    out.push_str(&table(
        &[
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
        ],
        &rows,
    ));
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
                    money(p.mean_diff_usd),
                ]
            })
            .collect();
        out.push_str(&table(
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
                _ => "were beyond its capacity: not served, and not in its cost".to_string(),
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
    let rows: Vec<Vec<String>> = s
        .params
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
        .collect();
    out.push_str(&table(
        &["input", "p5", "p50", "p95", "distribution"],
        &rows,
    ));
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_well() {
        assert_eq!(money(73.514), "$73.51");
        assert_eq!(money(2588.4), "$2,588");
        assert_eq!(money(-1261.0), "-$1,261");
        assert_eq!(money(12_512_000.0), "$12.51M");
        assert_eq!(money(1_234_567.0), "$1,234,567");
    }
}
