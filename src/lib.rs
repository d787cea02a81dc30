//! breakeven: a Monte Carlo engine for the cost of serving an open LLM —
//! a per-token API, dedicated GPUs, or serverless GPUs that scale to zero.
//!
//! Read a [`Scenario`], run it with [`run_scenario`] (or drive
//! [`engine::run`] yourself), and read the [`analysis::Summary`]. Money is
//! in USD, time in hours (horizon) and seconds (within an hour), volumes in
//! tokens or requests per 720-hour month.

#![warn(missing_docs)]

pub mod analysis;
pub mod deploy;
pub mod engine;
pub mod error;
pub mod report;
pub mod scenario;
pub mod throughput;
pub mod traffic;
pub mod uncertain;

use std::path::Path;
use std::time::Instant;

pub use error::{Error, Result, ScenarioError};
pub use scenario::Scenario;

use analysis::{Collector, Summary};
use engine::RunOptions;
use report::{RunInfo, Staged, TrialWriter};

/// Run a scenario and write `trials.csv`, `params.csv`, `summary.csv`,
/// `pairs.csv` and `run.json` into `out_dir`, each renamed into place only
/// once everything succeeded. `progress` gets the number of finished trials.
pub fn run_scenario(
    s: &Scenario,
    opts: &RunOptions,
    out_dir: &Path,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Summary> {
    if opts.trials == 0 {
        return Err(Error::Usage("trials must be at least 1".to_string()));
    }
    let start = Instant::now();
    let mut out = Staged::new(out_dir)?;
    let mut writer = TrialWriter::new(&mut out, s)?;
    let mut collector = Collector::new(s);
    engine::run(s, opts, progress, |chunk| {
        writer.write(chunk)?;
        for r in chunk {
            collector.add(r);
        }
        Ok(())
    })?;
    writer.finish()?;
    let summary = collector.finish();
    out.write("summary.csv", &report::summary_csv(&summary))?;
    out.write("pairs.csv", &report::pairs_csv(&summary))?;
    let info = RunInfo {
        trials: opts.trials,
        seed: opts.seed,
        threads: if opts.threads == 0 {
            rayon::current_num_threads()
        } else {
            opts.threads
        },
        wall_time_s: start.elapsed().as_secs_f64(),
    };
    out.write("run.json", &report::run_json(s, &info))?;
    out.commit()?;
    Ok(summary)
}
