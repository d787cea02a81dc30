//! Checks of the serverless model against its references: the hourly fast
//! path against the request-level simulation over a grid, and the
//! simulation against AWS Lambda measurements. Used by the tests and by
//! `cargo run --release --example validate` (which writes
//! `docs/validation.md`).

use std::path::Path;

use rand::SeedableRng;

use crate::analysis::mean_sd;
use crate::deploy::{Fidelity, TrialRng};
use crate::engine;
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::sim::{Arrival, Pool, PoolConfig};
use crate::throughput::BatchCurve;

/// One point of the fast-path-vs-simulation grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridPoint {
    /// Arrival rate, requests per second.
    pub lambda: f64,
    /// Keep-alive, seconds.
    pub keep_alive_s: f64,
    /// Cold start, seconds.
    pub cold_start_s: f64,
    /// Service time of a request, seconds.
    pub service_s: f64,
    /// Requests a worker serves at once.
    pub batch: u32,
}

/// How the fast path and the simulation compare at one grid point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Agreement {
    /// The point.
    pub point: GridPoint,
    /// Requests simulated.
    pub requests: f64,
    /// Mean cost, fast path, USD.
    pub fast_cost: f64,
    /// Mean cost, simulation, USD.
    pub event_cost: f64,
    /// Share of requests that triggered a cold start, fast path.
    pub fast_cold_share: f64,
    /// The same, simulation.
    pub event_cold_share: f64,
    /// Standard error of [`Agreement::cost_error`] from the simulation's
    /// noise: the standard error of the mean per-trial difference (fast
    /// path − simulation, the same trials' traffic), over the simulation's
    /// mean cost. A fraction (0.01 = 1 point).
    pub cost_error_se: f64,
}

impl Agreement {
    /// Relative cost error of the fast path.
    pub fn cost_error(&self) -> f64 {
        self.fast_cost / self.event_cost - 1.0
    }
    /// Absolute error of the cold-start share.
    pub fn cold_share_error(&self) -> f64 {
        self.fast_cold_share - self.event_cold_share
    }
    /// True when within the bounds: cost within 3%, cold-start share within
    /// max(10% relative, 0.005 absolute).
    pub fn within_bounds(&self) -> bool {
        self.cost_error().abs() <= 0.03
            && self.cold_share_error().abs() <= (0.1 * self.event_cold_share).max(0.005)
    }
}

/// The scenario text of a grid point: one serverless deployment whose
/// requests take `service_s` at any batch (input 0, constant step time).
pub fn grid_scenario(g: &GridPoint, horizon_hours: u32) -> String {
    // 100 output tokens at 100 / service_s tokens/s; a saturated batch is
    // a million times faster per sequence, so t(b) stays ~ t(1).
    let single = 100.0 / g.service_s;
    format!(
        r#"
[run]
horizon_hours = {horizon_hours}

[traffic]
requests_per_month = {requests}
input_tokens = 0
output_tokens = 100

[deployment.worker]
kind = "serverless"
gpu_second_usd = 0.001
cold_start_s = {cold}
cold_start_cv = 0.5
keep_alive_s = {keep_alive}
billing_unit_s = 1
single_stream_tps = {single}
max_tps = {max}
prefill_tps = 1e9
max_batch = {batch}
"#,
        requests = g.lambda * 3600.0 * 720.0,
        cold = g.cold_start_s,
        keep_alive = g.keep_alive_s,
        max = single * 1e6,
        batch = g.batch,
    )
}

/// Run `scenario`'s trials `0..trials` (seed `seed`) at each of
/// `fidelities` in turn, handing every trial, in trial order, to `take`
/// with the fidelity's index; `progress` gets the trials finished over
/// all fidelities. Trials go to the cores one at a time (a request-level
/// trial can take seconds, and these runs are short); results never
/// depend on it.
fn run_each_fidelity(
    scenario: &Scenario,
    trials: u64,
    seed: u64,
    fidelities: &[Fidelity],
    progress: &(dyn Fn(u64) + Sync),
    mut take: impl FnMut(usize, &engine::TrialResult),
) -> Result<()> {
    for (k, &fidelity) in fidelities.iter().enumerate() {
        let before = k as u64 * trials;
        engine::map_trials(
            0..trials,
            1,
            0,
            &|n| progress(before + n),
            |i, traffic| engine::run_trial(scenario, seed, i, fidelity, traffic),
            |chunk| {
                chunk.iter().for_each(|r| take(k, r));
                Ok(())
            },
        )?;
    }
    Ok(())
}

/// Run one grid point at both fidelities on the same trials.
pub fn compare(g: &GridPoint, horizon_hours: u32, trials: u64, seed: u64) -> Result<Agreement> {
    let ([fast, event], [fast_costs, event_costs]) = grid_point_trials(
        g,
        horizon_hours,
        trials,
        seed,
        [Fidelity::Hourly, Fidelity::Request],
    )?;
    let differences: Vec<f64> = fast_costs
        .iter()
        .zip(&event_costs)
        .map(|(f, e)| f - e)
        .collect();
    let difference_se = mean_sd(&differences).1 / (trials as f64).sqrt();
    Ok(Agreement {
        point: *g,
        requests: event.requests,
        fast_cost: fast.cost_usd,
        event_cost: event.cost_usd,
        fast_cold_share: fast.cold_share,
        event_cold_share: event.cold_share,
        cost_error_se: difference_se / event.cost_usd,
    })
}

/// One grid point's deployment over a run of trials at one fidelity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridPointMeans {
    /// Mean cost per trial, USD.
    pub cost_usd: f64,
    /// Cold starts over requests, all trials together (0 without requests).
    pub cold_share: f64,
    /// Requests over all trials.
    pub requests: f64,
}

/// Run grid point `g` (trials `0..trials` of `horizon_hours`, seed `seed`)
/// at each of `fidelities` on the same trials. [`compare`] takes the fast
/// path and the simulation; `examples/grid_fast` the fast path alone.
pub fn grid_point_means<const N: usize>(
    g: &GridPoint,
    horizon_hours: u32,
    trials: u64,
    seed: u64,
    fidelities: [Fidelity; N],
) -> Result<[GridPointMeans; N]> {
    Ok(grid_point_trials(g, horizon_hours, trials, seed, fidelities)?.0)
}

/// [`grid_point_means`], with each fidelity's cost of every trial (USD,
/// in trial order) beside.
fn grid_point_trials<const N: usize>(
    g: &GridPoint,
    horizon_hours: u32,
    trials: u64,
    seed: u64,
    fidelities: [Fidelity; N],
) -> Result<([GridPointMeans; N], [Vec<f64>; N])> {
    let s = Scenario::parse(Path::new("grid.toml"), &grid_scenario(g, horizon_hours))?;
    let mut sums = [[0.0; 3]; N];
    let mut costs: [Vec<f64>; N] = std::array::from_fn(|_| Vec::new());
    run_each_fidelity(&s, trials, seed, &fidelities, &|_| {}, |k, r| {
        let o = &r.outcomes[0];
        sums[k][0] += o.cost_usd;
        sums[k][1] += o.cold_starts;
        sums[k][2] += o.requests;
        costs[k].push(o.cost_usd);
    })?;
    let means = sums.map(|[cost, cold, requests]| GridPointMeans {
        cost_usd: cost / trials as f64,
        cold_share: if requests > 0.0 { cold / requests } else { 0.0 },
        requests,
    });
    Ok((means, costs))
}

/// One serverless deployment of a scenario priced at the three fidelities
/// on the same trials. Arrays are in the order `[hourly, auto, request]`.
#[derive(Debug, Clone, PartialEq)]
pub struct FidelityComparison {
    /// Deployment name.
    pub deployment: String,
    /// Mean cost per trial (over the scenario's horizon) at each fidelity, USD.
    pub cost_usd: [f64; 3],
    /// Standard error of the mean paired difference `hourly - request`, USD.
    pub hourly_minus_request_se_usd: f64,
    /// Standard error of the mean paired difference `auto - request`, USD.
    pub auto_minus_request_se_usd: f64,
    /// Mean cold starts per trial at each fidelity.
    pub cold_starts: [f64; 3],
    /// Standard error of the mean paired difference of cold starts per
    /// trial, `hourly - request`.
    pub cold_starts_hourly_minus_request_se: f64,
    /// Mean requests per trial (the same at every fidelity).
    pub requests: f64,
    /// Mean requests per trial that waited on a cold start or in the
    /// queue, at each fidelity.
    pub waited: [f64; 3],
}

/// Price every serverless deployment of `scenario` at `hourly`, `auto` and
/// `request` fidelity over the same `trials >= 2` trials (seed `seed`),
/// without the break-even search or the tornado. The other deployments are
/// priced too (the engine prices a trial whole) and left out of the result;
/// a scenario without serverless gives an empty result at once.
/// `progress` gets the trials priced so far, out of `3 × trials`.
pub fn compare_fidelities(
    scenario: &Scenario,
    trials: u64,
    seed: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<FidelityComparison>> {
    if trials < 2 {
        return Err(Error::Usage(format!(
            "comparing fidelities needs at least 2 trials for a standard error, got {trials}"
        )));
    }
    let serverless: Vec<usize> = scenario
        .deployments
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind() == crate::deploy::Kind::Serverless)
        .map(|(i, _)| i)
        .collect();
    if serverless.is_empty() {
        return Ok(Vec::new());
    }
    // Per fidelity, per deployment: cost and cold starts per trial; waits
    // summed. Requests (the same at every fidelity) from the first.
    let mut costs = vec![vec![Vec::new(); serverless.len()]; 3];
    let mut colds = vec![vec![Vec::new(); serverless.len()]; 3];
    let mut requests = vec![0.0; serverless.len()];
    let mut waited = vec![vec![0.0; serverless.len()]; 3];
    run_each_fidelity(
        scenario,
        trials,
        seed,
        &[Fidelity::Hourly, Fidelity::Auto, Fidelity::Request],
        progress,
        |k, r| {
            for (slot, &i) in serverless.iter().enumerate() {
                costs[k][slot].push(r.outcomes[i].cost_usd);
                colds[k][slot].push(r.outcomes[i].cold_starts);
                waited[k][slot] += r.outcomes[i].cold_start_waits + r.outcomes[i].queue_waits;
                if k == 0 {
                    requests[slot] += r.outcomes[i].requests;
                }
            }
        },
    )?;
    let n = trials as f64;
    Ok(serverless
        .iter()
        .enumerate()
        .map(|(slot, &i)| {
            // Standard error of the mean paired difference of fidelity k
            // (0 hourly, 1 auto) and request.
            let paired_se_of = |per_trial: &[Vec<Vec<f64>>], k: usize| {
                let diffs: Vec<f64> = per_trial[k][slot]
                    .iter()
                    .zip(&per_trial[2][slot])
                    .map(|(h, r)| h - r)
                    .collect();
                mean_sd(&diffs).1 / n.sqrt()
            };
            FidelityComparison {
                deployment: scenario.deployments[i].name().to_string(),
                cost_usd: std::array::from_fn(|k| mean_sd(&costs[k][slot]).0),
                hourly_minus_request_se_usd: paired_se_of(&costs, 0),
                auto_minus_request_se_usd: paired_se_of(&costs, 1),
                cold_starts: std::array::from_fn(|k| mean_sd(&colds[k][slot]).0),
                cold_starts_hourly_minus_request_se: paired_se_of(&colds, 0),
                requests: requests[slot] / n,
                waited: std::array::from_fn(|k| waited[k][slot] / n),
            }
        })
        .collect())
}

/// Hours and trials that give a grid point a few thousand requests or
/// more without simulating more than about two million.
pub fn grid_budget(lambda: f64) -> (u32, u64) {
    let per_hour = lambda * 3600.0;
    let hours = ((4000.0 / per_hour).ceil() as u32).clamp(24, 720);
    let trials = ((2.0e6 / (per_hour * hours as f64)).floor() as u64).clamp(2, 16);
    (hours, trials)
}

/// The validation grid: λ from 1e-4 to 10 requests/s, keep-alive 5–600 s,
/// cold start 1–300 s, service 1–60 s, one request per worker or batches of 8.
pub fn grid() -> Vec<GridPoint> {
    let mut points = Vec::new();
    for lambda in [1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0] {
        for keep_alive_s in [5.0, 60.0, 600.0] {
            for cold_start_s in [1.0, 30.0, 300.0] {
                for service_s in [1.0, 10.0, 60.0] {
                    for batch in [1, 8] {
                        points.push(GridPoint {
                            lambda,
                            keep_alive_s,
                            cold_start_s,
                            service_s,
                            batch,
                        });
                    }
                }
            }
        }
    }
    points
}

/// One row of the AWS Lambda measurements (`simfaas_exp.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct LambdaRow {
    /// Experiment name.
    pub name: String,
    /// Arrival rate, requests per second.
    pub lambda: f64,
    /// Warm service time, seconds.
    pub warm_s: f64,
    /// Cold service time, seconds.
    pub cold_s: f64,
    /// Keep-alive, seconds.
    pub keep_alive_s: f64,
    /// Measured cold-start probability.
    pub measured: f64,
    /// Its standard error.
    pub measured_se: f64,
}

/// Read `simfaas_exp.csv`.
pub fn read_lambda_rows(path: &Path) -> Result<Vec<LambdaRow>> {
    let text = std::fs::read_to_string(path).map_err(|cause| Error::ReadInput {
        path: path.to_path_buf(),
        cause,
    })?;
    let bad = |line: usize, what: &str| Error::Usage(format!("{}:{line}: {what}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| bad(1, &format!("no column {name}")))
    };
    let (rate, warm, cold, idle, p, se) = (
        col("ArrivalRate")?,
        col("ServiceTimeWarm")?,
        col("ServiceTimeCold")?,
        col("IdleMinutesBeforeKill")?,
        col("ColdStartProbability")?,
        col("ColdStartProbabilitySE")?,
    );
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        let num = |k: usize| -> Result<f64> {
            f.get(k)
                .and_then(|x| x.trim().parse::<f64>().ok())
                .ok_or_else(|| bad(i + 2, &format!("column {} is not a number", header[k])))
        };
        rows.push(LambdaRow {
            name: f[0].to_string(),
            lambda: num(rate)?,
            warm_s: num(warm)? / 1000.0,
            cold_s: num(cold)? / 1000.0,
            keep_alive_s: num(idle)? * 60.0,
            measured: num(p)?,
            measured_se: num(se)?,
        });
    }
    Ok(rows)
}

/// Simulate a Lambda experiment: one request per instance, instances
/// without limit, the cold start taking `cold - warm` seconds, Poisson
/// arrivals for `hours` hours. Returns (cold-start probability, its
/// standard error from batches of 100 hours).
pub fn simulate_lambda(row: &LambdaRow, hours: u32, seed: u64) -> (f64, f64) {
    let curve = BatchCurve {
        t0_s: row.warm_s,
        t1_s: 0.0,
        batch_cap: 1.0,
        prefill_tps: f64::INFINITY,
    };
    let cfg = PoolConfig {
        curve,
        cold_start_s: (row.cold_s - row.warm_s).max(0.0),
        cold_start_cv: 0.0,
        keep_alive_s: row.keep_alive_s,
        pinned_workers: 0,
        max_workers: u32::MAX,
        billing_unit_s: 0.001,
        bill_cold_start: true,
    };
    let mut rng = TrialRng::seed_from_u64(seed);
    let mut pool = Pool::new(cfg, 0.0);
    let mut t = 0.0;
    let end = hours as f64 * 3600.0;
    let batch_s = 100.0 * 3600.0;
    let mut batches: Vec<(f64, f64)> = Vec::new();
    let (mut last_cold, mut last_req) = (0.0, 0.0);
    let mut next_batch = batch_s;
    loop {
        t += rand_distr::Distribution::<f64>::sample(&rand_distr::Exp1, &mut rng) / row.lambda;
        while t >= next_batch && next_batch <= end {
            pool.advance_to(next_batch);
            batches.push((
                pool.stats.cold_starts - last_cold,
                pool.stats.requests - last_req,
            ));
            last_cold = pool.stats.cold_starts;
            last_req = pool.stats.requests;
            next_batch += batch_s;
        }
        if t >= end {
            break;
        }
        // One output "token" served in t0 = the warm service time.
        pool.arrive(
            Arrival {
                time_s: t,
                input_tokens: 0.0,
                output_tokens: 1.0,
            },
            &mut rng,
        );
    }
    let ratios: Vec<f64> = batches
        .iter()
        .filter(|b| b.1 > 0.0)
        .map(|b| b.0 / b.1)
        .collect();
    let n = ratios.len() as f64;
    let mean = ratios.iter().sum::<f64>() / n;
    let var = ratios.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}
