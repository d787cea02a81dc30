//! The Monte Carlo engine: trials, random streams, parallel chunks, ordered merge.
//!
//! Trial `i` draws every parameter from its own stream, seeded from
//! `(seed, i, parameter name)`, and its traffic from the stream named
//! `traffic`; deployment `d` gets the stream `deployment:<d>`. Adding a
//! deployment or reordering the file therefore changes no other draw.
//! Trials run on rayon in fixed-size chunks whose results are handed to the
//! caller in trial order, so output never depends on the thread count.

use std::sync::atomic::{AtomicU64, Ordering};

use rand::SeedableRng;
use rayon::prelude::*;

use crate::deploy::{Fidelity, Outcome, TrialContext, TrialRng};
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::traffic::TrialTraffic;

/// Trials per chunk of parallel work (fixed: part of what makes runs reproducible).
pub const CHUNK_TRIALS: u64 = 256;
/// Chunks run in parallel before their results are handed on; bounds memory.
pub const WINDOW_CHUNKS: u64 = 64;

/// What to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Number of trials.
    pub trials: u64,
    /// Seed of every stream.
    pub seed: u64,
    /// Worker threads (0 = one per core).
    pub threads: usize,
    /// How closely self-hosted deployments are simulated.
    pub fidelity: Fidelity,
}

/// One trial's sampled parameters and the outcome of each deployment.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialResult {
    /// Trial index (0-based).
    pub trial: u64,
    /// Every parameter's value in this trial (fixed ones included), in
    /// [`crate::scenario::Params`] order.
    pub params: Vec<f64>,
    /// One outcome per deployment, in scenario order.
    pub outcomes: Vec<Outcome>,
}

/// SplitMix64 finaliser: a bijective 64-bit mixer.
fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// FNV-1a hash of a stream name given in parts (stable across platforms
/// and versions; the parts hash as their concatenation).
fn fnv1a64(parts: &[&str]) -> u64 {
    parts
        .iter()
        .flat_map(|p| p.bytes())
        .fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01B3)
        })
}

fn stream_seed(seed: u64, trial: u64, name: &[&str]) -> u64 {
    splitmix64(splitmix64(splitmix64(seed) ^ trial) ^ fnv1a64(name))
}

/// The random stream named `name` of trial `trial` under `seed`.
pub fn stream(seed: u64, trial: u64, name: &str) -> TrialRng {
    TrialRng::seed_from_u64(stream_seed(seed, trial, &[name]))
}

/// The `index`-th sub-stream of the stream named `name` (e.g. one per hour).
pub fn substream(seed: u64, trial: u64, name: &str, index: u64) -> TrialRng {
    TrialRng::seed_from_u64(splitmix64(
        stream_seed(seed, trial, &[name]) ^ splitmix64(index),
    ))
}

/// The noise stream of a deployment. Its name, `deployment:<name>`, cannot
/// be a parameter's (those use dots, and deployment names have no colon).
fn deployment_stream(seed: u64, trial: u64, deployment: &str) -> TrialRng {
    TrialRng::seed_from_u64(stream_seed(seed, trial, &["deployment:", deployment]))
}

/// Draw trial `trial`'s parameters.
pub fn draw_params(s: &Scenario, seed: u64, trial: u64) -> Vec<f64> {
    s.params
        .list
        .iter()
        .map(|p| {
            if p.dist.is_fixed() {
                p.dist.mean()
            } else {
                p.sample(&mut stream(seed, trial, &p.name))
            }
        })
        .collect()
}

/// Draw trial `trial`'s traffic into `out` (the same draw every deployment
/// of the trial prices).
pub fn draw_traffic(s: &Scenario, seed: u64, trial: u64, params: &[f64], out: &mut TrialTraffic) {
    let mut traffic_rng = stream(seed, trial, "traffic");
    s.traffic.fill(
        params,
        s.run.horizon_hours,
        &mut traffic_rng,
        (seed, trial),
        out,
    );
}

/// Run one trial with the given parameters; `traffic` is scratch space.
pub fn run_trial_with(
    s: &Scenario,
    seed: u64,
    trial: u64,
    fidelity: Fidelity,
    params: Vec<f64>,
    traffic: &mut TrialTraffic,
) -> TrialResult {
    draw_traffic(s, seed, trial, &params, traffic);
    let hours = &traffic.hours;
    let ctx = TrialContext {
        seed,
        trial,
        traffic: &s.traffic,
        draw: traffic,
        params: &params,
        fidelity,
    };
    let outcomes = s
        .deployments
        .iter()
        .map(|d| {
            let mut rng = deployment_stream(seed, trial, d.name());
            d.price(&ctx, hours, &mut rng)
        })
        .collect();
    TrialResult {
        trial,
        params,
        outcomes,
    }
}

/// Run one trial; `traffic` is scratch space.
pub fn run_trial(
    s: &Scenario,
    seed: u64,
    trial: u64,
    fidelity: Fidelity,
    traffic: &mut TrialTraffic,
) -> TrialResult {
    let params = draw_params(s, seed, trial);
    run_trial_with(s, seed, trial, fidelity, params, traffic)
}

/// Run all trials, handing results to `sink` in trial order, a chunk at a
/// time; `progress` is called with the number of trials finished so far.
pub fn run<F>(
    s: &Scenario,
    opts: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
    mut sink: F,
) -> Result<()>
where
    F: FnMut(&[TrialResult]) -> Result<()>,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {} threads: {e}", opts.threads)))?;
    let n_chunks = opts.trials.div_ceil(CHUNK_TRIALS);
    let done = AtomicU64::new(0);
    let mut chunk = 0;
    while chunk < n_chunks {
        let window_end = (chunk + WINDOW_CHUNKS).min(n_chunks);
        let results: Vec<Vec<TrialResult>> = pool.install(|| {
            (chunk..window_end)
                .into_par_iter()
                .map(|c| {
                    let mut traffic = TrialTraffic::default();
                    let first = c * CHUNK_TRIALS;
                    let last = (first + CHUNK_TRIALS).min(opts.trials);
                    let out: Vec<TrialResult> = (first..last)
                        .map(|i| run_trial(s, opts.seed, i, opts.fidelity, &mut traffic))
                        .collect();
                    progress(done.fetch_add(last - first, Ordering::Relaxed) + last - first);
                    out
                })
                .collect()
        });
        for r in &results {
            sink(r)?;
        }
        chunk = window_end;
    }
    Ok(())
}
