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
pub mod deploy;
pub mod engine;
pub mod error;
pub mod plots;
pub mod report;
pub mod scenario;
pub mod sim;
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
        fidelity: opts.fidelity,
    };
    out.write("run.json", &report::run_json(s, &info))?;
    out.commit()?;
    Ok(summary)
}
