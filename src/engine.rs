//! The Monte Carlo engine: trials, random streams, parallel chunks, ordered merge.
//!
//! Trial `i` draws every parameter from its own stream, seeded from
//! `(seed, i, parameter name)`, its traffic's regime path from the stream
//! named `traffic`, each hour's multiplier, count (one uniform, by
//! inversion) and then token sums from the hour's sub-stream of
//! `traffic:hour`; deployment `d` gets a sub-stream of `deployment:<d>` per
//! hour. Changing the traffic level therefore leaves every other draw where
//! it was (common random numbers across volumes), and adding a deployment
//! or reordering the file changes no other draw.
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
    /// Break-even of every pair in scenario pair order (empty when not searched).
    pub breakeven: Vec<crate::decision::PairCrossing>,
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
    Substreams::new(seed, trial, name).at(index)
}

/// The sub-streams of one named stream of a trial, with the name hashed
/// once (for loops that take one sub-stream per hour).
#[derive(Debug, Clone, Copy)]
pub struct Substreams(u64);

impl Substreams {
    /// The sub-streams of the stream named `name` of trial `trial`.
    pub fn new(seed: u64, trial: u64, name: &str) -> Self {
        Substreams(stream_seed(seed, trial, &[name]))
    }

    /// The `index`-th one: the same stream as [`substream`] gives.
    pub fn at(&self, index: u64) -> TrialRng {
        TrialRng::seed_from_u64(splitmix64(self.0 ^ splitmix64(index)))
    }
}

/// The noise of a deployment in one hour of a trial: the `hour`-th
/// sub-stream of the stream `deployment:<name>` (a name no parameter can
/// have: those use dots, and deployment names have no colon). One stream
/// per hour keeps the noise of every hour the same when another hour, or
/// the traffic level, changes how many draws it takes.
pub fn deployment_hour_stream(seed: u64, trial: u64, deployment: &str, hour: u64) -> TrialRng {
    TrialRng::seed_from_u64(splitmix64(
        stream_seed(seed, trial, &["deployment:", deployment]) ^ splitmix64(hour),
    ))
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

/// Price the deployments at indices `which` (scenario order) in trial
/// `trial` with the given parameters; `traffic` is scratch space and holds
/// the trial's traffic afterwards.
pub fn price_deployments(
    s: &Scenario,
    seed: u64,
    trial: u64,
    fidelity: Fidelity,
    params: &[f64],
    traffic: &mut TrialTraffic,
    which: &[usize],
) -> Vec<Outcome> {
    draw_traffic(s, seed, trial, params, traffic);
    let hours = &traffic.hours;
    let ctx = TrialContext {
        seed,
        trial,
        traffic: &s.traffic,
        draw: traffic,
        params,
        fidelity,
    };
    which
        .iter()
        .map(|&i| s.deployments[i].price(&ctx, hours))
        .collect()
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
    let all: Vec<usize> = (0..s.deployments.len()).collect();
    let outcomes = price_deployments(s, seed, trial, fidelity, &params, traffic, &all);
    TrialResult {
        trial,
        params,
        outcomes,
        breakeven: Vec::new(),
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

/// Compute `work(trial, scratch)` for every trial in `trials` on `threads`
/// threads (0 = one per core), handing the results to `sink` in trial
/// order, a chunk of `chunk_trials` at a time (smaller chunks spread
/// expensive trials better; results never depend on it); `progress` is
/// called with the number of trials finished so far in this call.
pub fn map_trials<T, W, F>(
    trials: std::ops::Range<u64>,
    chunk_trials: u64,
    threads: usize,
    progress: &(dyn Fn(u64) + Sync),
    work: W,
    mut sink: F,
) -> Result<()>
where
    T: Send,
    W: Fn(u64, &mut TrialTraffic) -> T + Sync,
    F: FnMut(&[T]) -> Result<()>,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {threads} threads: {e}")))?;
    let first_trial = trials.start;
    let chunk_trials = chunk_trials.max(1);
    let n_chunks = (trials.end.saturating_sub(first_trial)).div_ceil(chunk_trials);
    let done = AtomicU64::new(0);
    let mut chunk = 0;
    while chunk < n_chunks {
        let window_end = (chunk + WINDOW_CHUNKS).min(n_chunks);
        let results: Vec<Vec<T>> = pool.install(|| {
            (chunk..window_end)
                .into_par_iter()
                .map(|c| {
                    let mut traffic = TrialTraffic::default();
                    let first = first_trial + c * chunk_trials;
                    let last = (first + chunk_trials).min(trials.end);
                    let out: Vec<T> = (first..last).map(|i| work(i, &mut traffic)).collect();
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
    map_trials(
        0..opts.trials,
        CHUNK_TRIALS,
        opts.threads,
        progress,
        |i, traffic| run_trial(s, opts.seed, i, opts.fidelity, traffic),
        |chunk| sink(chunk),
    )
}
