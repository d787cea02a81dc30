//! breakeven: a Monte Carlo engine for the cost of serving an open LLM —
//! a per-token API, dedicated GPUs, or serverless GPUs that scale to zero.
//!
//! Read a [`Scenario`], run it with [`run_scenario`] (or drive
//! [`engine::run`] yourself), and read the [`analysis::Summary`]. Money is
//! in USD, time in hours (horizon) and seconds (within an hour), volumes in
//! tokens or requests per 720-hour month.
//!
//! ```
//! use std::path::Path;
//! use breakeven::{Scenario, analysis::Collector, engine::{self, RunOptions}};
//!
//! let text = r#"
//! [traffic]
//! tokens_per_month = 1e9
//! input_tokens = "200 to 3000"
//! output_tokens = "50 to 800"
//!
//! [deployment.api]
//! kind = "api"
//! usd_per_mtok = "0.59 to 0.90"
//!
//! [deployment.gpu]
//! kind = "dedicated"
//! gpu_hour_usd = "1.39 to 2.00"
//! gpus_per_replica = 2
//! replicas = 1
//! single_stream_tps = "40 to 60"
//! max_tps = "1000 to 3000"
//! "#;
//! let scenario = Scenario::parse(Path::new("inline.toml"), text)?;
//! let mut collector = Collector::new(&scenario);
//! let opts = RunOptions { trials: 500, seed: 1, threads: 1, fidelity: scenario.run.fidelity };
//! engine::run(&scenario, &opts, &|_| {}, |chunk| {
//!     chunk.iter().for_each(|r| collector.add(r));
//!     Ok(())
//! })?;
//! let summary = collector.finish();
//! let api = &summary.deployments[0];
//! // 1B tokens at $0.59-0.90 per million: about $590-900 a month.
//! assert!(api.quantiles_usd[2] > 590.0 && api.quantiles_usd[2] < 900.0);
//! // Two A100s around the clock cost more at this volume.
//! assert!(summary.pairs[0].p_a_cheaper > 0.99);
//! # Ok::<(), breakeven::Error>(())
//! ```

#![warn(missing_docs)]

pub mod analysis;
pub mod decision;
pub mod deploy;
pub mod engine;
pub mod error;
pub mod html;
pub mod plots;
pub mod report;
pub mod scenario;
pub mod sensitivity;
pub mod shard;
pub mod sim;
pub mod sweep;
pub mod throughput;
pub mod traffic;
pub mod uncertain;
pub mod validation;

use std::path::Path;
use std::time::Instant;

pub use error::{Error, Result, ScenarioError};
pub use scenario::Scenario;

use analysis::{Collector, Summary};
use engine::RunOptions;
use report::{RunInfo, Staged, TrialWriter};

/// What a run decides besides the cost distributions.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionOptions {
    /// Search each trial's break-even volume of every pair (writes
    /// `breakeven.csv`); `None` skips it.
    pub breakeven: Option<decision::BreakEvenSettings>,
    /// Trials each end of the tornado is averaged over (0: rank
    /// correlations only).
    pub tornado_trials: u64,
    /// Run until every deployment's mean cost has a Monte Carlo standard
    /// error below this share of the mean (0.01 = 1%), in blocks of
    /// [`PRECISION_BLOCK_TRIALS`], up to the run's trial count; `None` runs
    /// exactly the trial count.
    pub precision: Option<f64>,
    /// Also write SVG plots (`cost_ecdf.svg`, `tornado.svg`, `traffic.svg`).
    pub plots: bool,
    /// Run only this shard's trials and write its rows and `shard.json`
    /// for [`shard::merge`] instead of the summaries.
    pub shard: Option<shard::Shard>,
}

impl Default for DecisionOptions {
    fn default() -> Self {
        DecisionOptions {
            breakeven: None,
            tornado_trials: 256,
            precision: None,
            plots: false,
            shard: None,
        }
    }
}

/// Trials per block when running to a precision: the stopping rule is
/// checked only after whole blocks, so the trial count depends only on the
/// seed and the target.
pub const PRECISION_BLOCK_TRIALS: u64 = 1000;

/// What [`run_scenario`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    /// The summary of the trials.
    pub summary: Summary,
    /// Which inputs move each pair's cost difference.
    pub sensitivity: sensitivity::Sensitivity,
    /// Each deployment's cost in every trial, USD (`[deployment][trial]`).
    pub costs: Vec<Vec<f64>>,
    /// With a precision target: the largest relative MCSE of a mean cost
    /// reached, and whether it met the target.
    pub precision_reached: Option<(f64, bool)>,
}

/// Run a scenario and write `trials.csv`, `params.csv`, `summary.csv`,
/// `pairs.csv`, `sensitivity.csv`, `run.json` (and `breakeven.csv` when
/// break-even volumes are searched) into `out_dir`, each renamed into place
/// only once everything succeeded. `opts.trials` is the trial count, or
/// the most trials a precision target may take. `progress` gets the number
/// of finished trials.
pub fn run_scenario(
    s: &Scenario,
    opts: &RunOptions,
    decisions: &DecisionOptions,
    out_dir: &Path,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunResult> {
    let mut out = Staged::new(out_dir)?;
    let result = run_into(s, opts, decisions, &mut out, progress)?;
    out.commit()?;
    Ok(result)
}

/// [`run_scenario`], writing into files already being staged.
fn run_into(
    s: &Scenario,
    opts: &RunOptions,
    decisions: &DecisionOptions,
    out: &mut Staged,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunResult> {
    if opts.trials == 0 {
        return Err(Error::Usage("trials must be at least 1".to_string()));
    }
    if let Some(p) = decisions.precision
        && !(p > 0.0 && p.is_finite())
    {
        return Err(Error::Usage(format!(
            "--precision {}: give a positive percentage, e.g. 0.5",
            p * 100.0
        )));
    }
    if decisions.shard.is_some() && (decisions.precision.is_some() || decisions.plots) {
        return Err(Error::Usage(
            "--shard runs a fixed slice of the trials: --precision and --plots apply to the \
             merged run (draw plots from the merged CSVs)"
                .to_string(),
        ));
    }
    let start = Instant::now();
    let breakeven = decisions.breakeven.as_ref();
    let mut writer = TrialWriter::new(out, s, breakeven.map(|b| b.axis.unit))?;
    let mut collector = Collector::new(s);
    if let Some(b) = breakeven {
        collector = collector.with_breakeven(*b);
    }
    let block = match decisions.precision {
        Some(_) => PRECISION_BLOCK_TRIALS,
        None => opts.trials,
    };
    let trials = match decisions.shard {
        Some(shard) => shard.trials(opts.trials),
        None => 0..opts.trials,
    };
    let mut first = trials.start;
    let mut precision_reached = None;
    while first < trials.end {
        let last = (first + block).min(trials.end);
        // Trials with a break-even search cost about 25 times the others:
        // small chunks spread them over the threads.
        let chunk = match breakeven {
            Some(b) if first < b.trials => 16,
            _ => engine::CHUNK_TRIALS,
        };
        engine::map_trials(
            first..last,
            chunk,
            opts.threads,
            &|n| progress(first - trials.start + n),
            |i, traffic| {
                let mut r = engine::run_trial(s, opts.seed, i, opts.fidelity, traffic);
                if let Some(b) = breakeven.filter(|b| i < b.trials) {
                    r.breakeven = decision::trial_breakeven(
                        s,
                        opts.seed,
                        i,
                        opts.fidelity,
                        &r.params,
                        b,
                        traffic,
                    );
                }
                r
            },
            |chunk| {
                writer.write(chunk)?;
                for r in chunk {
                    collector.add(r);
                }
                Ok(())
            },
        )?;
        first = last;
        if let Some(target) = decisions.precision {
            let reached = collector.worst_relative_mcse();
            precision_reached = Some((reached, reached <= target));
            if reached <= target {
                break;
            }
        }
    }
    writer.finish()?;
    if let Some(shard) = decisions.shard {
        out.write(
            shard::SHARD_FILE,
            &shard::shard_json(s, opts, decisions, shard, &collector.waits()),
        )?;
        let costs: Vec<Vec<f64>> = collector.costs().iter().map(|c| c.to_vec()).collect();
        return Ok(RunResult {
            summary: collector.finish(),
            sensitivity: sensitivity::Sensitivity {
                tornado_trials: 0,
                base_diff_usd: Vec::new(),
                effects: Vec::new(),
            },
            costs,
            precision_reached: None,
        });
    }
    let result = summarise(
        s,
        opts,
        decisions,
        collector,
        out,
        start.elapsed().as_secs_f64(),
        precision_reached,
    )?;
    if decisions.plots {
        for (name, svg) in report::run_plots(s, &result, opts.seed)? {
            out.write(&name, svg.as_bytes())?;
        }
    }
    Ok(result)
}

/// Finish a run from its collected trials: the tornado, `summary.csv`,
/// `pairs.csv`, `sensitivity.csv` and `run.json` (`wall_time_s` so far).
pub(crate) fn summarise(
    s: &Scenario,
    opts: &RunOptions,
    decisions: &DecisionOptions,
    collector: Collector,
    out: &mut Staged,
    wall_time_s: f64,
    precision_reached: Option<(f64, bool)>,
) -> Result<RunResult> {
    let costs: Vec<Vec<f64>> = collector.costs().iter().map(|c| c.to_vec()).collect();
    let sensitivity = sensitivity::sensitivity(
        s,
        opts.seed,
        opts.fidelity,
        opts.threads,
        collector.inputs(),
        &costs,
        decisions.tornado_trials,
    )?;
    let summary = collector.finish();
    out.write("summary.csv", &report::summary_csv(&summary))?;
    out.write("pairs.csv", &report::pairs_csv(&summary))?;
    out.write(
        "sensitivity.csv",
        &report::sensitivity_csv(&summary, &sensitivity),
    )?;
    let info = RunInfo {
        trials: summary.trials,
        seed: opts.seed,
        threads: if opts.threads == 0 {
            rayon::current_num_threads()
        } else {
            opts.threads
        },
        wall_time_s,
        fidelity: opts.fidelity,
        decisions: decisions.clone(),
        precision_reached,
    };
    out.write("run.json", &report::run_json(s, &info))?;
    Ok(RunResult {
        summary,
        sensitivity,
        costs,
        precision_reached,
    })
}

/// Run a scenario and a volume sweep of it and write everything
/// [`run_scenario`] writes (with plots), `sweep.csv`, `probability.svg` and
/// `report.html`, one self-contained page, into `out_dir`; nothing is
/// renamed into place unless all succeeded. The break-even search is the
/// run's (`decisions.breakeven`, over the sweep's range); `sweep.breakeven`
/// is ignored, and the sweep runs as many trials as the run did (fewer than
/// `sweep_opts.trials` when a precision target stopped it early).
/// `progress` gets finished trials of each phase in turn.
pub fn run_report(
    s: &Scenario,
    opts: &RunOptions,
    decisions: &DecisionOptions,
    sweep_opts: &sweep::SweepOptions,
    out_dir: &Path,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(RunResult, sweep::Sweep)> {
    let mut out = Staged::new(out_dir)?;
    let decisions = DecisionOptions {
        plots: false,
        ..decisions.clone()
    };
    let result = run_into(s, opts, &decisions, &mut out, progress)?;
    let mut sw = sweep::sweep(
        s,
        &sweep::SweepOptions {
            breakeven: None,
            trials: result.summary.trials,
            ..sweep_opts.clone()
        },
        progress,
    )?;
    sw.breakeven = result.summary.breakeven.clone();
    out.write("sweep.csv", &sweep::sweep_csv(&sw))?;
    let probability = report::probability_plot(s, &sw)?;
    out.write("probability.svg", probability.as_bytes())?;
    let mut plots = vec![(
        "Probability of being cheaper against monthly volume (same trials at every volume), \
         with each pair's break-even band (p5–p95 of the per-trial break-even, median dashed)"
            .to_string(),
        probability,
    )];
    for (name, svg) in report::run_plots(s, &result, opts.seed)? {
        out.write(&name, svg.as_bytes())?;
        let caption = if name == "cost_ecdf.svg" {
            "Cost per trial: share of trials at or below each cost".to_string()
        } else if name == "traffic.svg" {
            "Hourly traffic of the first three trials".to_string()
        } else {
            format!("Tornado ({name}): each input at its p5 and p95, the others at their medians")
        };
        plots.push((caption, svg));
    }
    let command = html::report_command(s, opts, &decisions, sweep_opts);
    let note = report::precision_note(&decisions, &result);
    let page = html::report_page(s, &result, &sw, &command, note.as_deref(), &plots);
    out.write("report.html", page.as_bytes())?;
    out.commit()?;
    Ok((result, sw))
}
