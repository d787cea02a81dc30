//! Trial-loop throughput on scenarios/steady-1b.toml.
//!
//! `engine_run` and `run_trial` count hour-steps: one hour of one
//! deployment, plus that hour's traffic draw; a trial is
//! `horizon_hours * deployments` of them. `per_hour` splits an hour-step
//! into its parts: the traffic draw, and each deployment's pricing, per
//! hour of the horizon.
//!
//! Run with `cargo bench --bench trial_loop`.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use breakeven::Scenario;
use breakeven::deploy::TrialContext;
use breakeven::engine;
use breakeven::traffic::TrialTraffic;
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

mod common;

const SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/steady-1b.toml");
/// Trials per `engine::run` call (8 chunks of 256 trials, the last partial).
const TRIALS: u64 = 2_000;

fn load() -> Scenario {
    Scenario::load(Path::new(SCENARIO)).expect("scenarios/steady-1b.toml loads")
}

/// Hour-steps in one trial.
fn steps_per_trial(s: &Scenario) -> u64 {
    u64::from(s.run.horizon_hours) * s.deployments.len() as u64
}

fn bench_run(c: &mut Criterion) {
    let s = load();
    let mut group = c.benchmark_group("engine_run");
    // One iteration is ~0.1-0.5 s, so take a fixed number of iterations per
    // sample rather than criterion's linear ramp (which would need 55).
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(6));
    group.throughput(Throughput::Elements(TRIALS * steps_per_trial(&s)));
    for threads in [1usize, 2] {
        let name = format!("{TRIALS}_trials/threads_{threads}");
        common::bench_engine_run(&mut group, name, &s, TRIALS, threads);
    }
    group.finish();
}

fn bench_trial(c: &mut Criterion) {
    let s = load();
    let seed = s.run.seed;
    let mut group = c.benchmark_group("run_trial");
    group.sample_size(20);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Elements(steps_per_trial(&s)));
    let mut hours = TrialTraffic::default();
    // Cycle over the same trial indices as the run benchmark so the figure
    // averages over their parameter draws rather than one trial's.
    let mut trial = 0u64;
    group.bench_function("single_trial", |b| {
        b.iter(|| {
            let r = engine::run_trial(&s, seed, trial, s.run.fidelity, &mut hours);
            trial = (trial + 1) % TRIALS;
            black_box(r)
        })
    });
    group.finish();
}

/// Where an hour-step's time goes: drawing one trial's traffic, and pricing
/// it with each deployment alone (per hour of the horizon).
fn bench_parts(c: &mut Criterion) {
    let s = load();
    let seed = s.run.seed;
    let hours = u64::from(s.run.horizon_hours);
    let mut group = c.benchmark_group("per_hour");
    group.sample_size(20);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Elements(hours));
    // The same 64 trials for every part.
    let trials: Vec<(u64, Vec<f64>, TrialTraffic)> = (0..64)
        .map(|trial| {
            let params = engine::draw_params(&s, seed, trial);
            let mut traffic = TrialTraffic::default();
            engine::draw_traffic(&s, seed, trial, &params, &mut traffic);
            (trial, params, traffic)
        })
        .collect();
    let mut next = 0;
    let mut scratch = TrialTraffic::default();
    group.bench_function("traffic", |b| {
        b.iter(|| {
            let (trial, params, _) = &trials[next % trials.len()];
            next += 1;
            engine::draw_traffic(&s, seed, *trial, params, &mut scratch);
            black_box(scratch.hours.len())
        })
    });
    for d in &s.deployments {
        group.bench_function(d.name().to_string(), |b| {
            b.iter(|| {
                let (trial, params, traffic) = &trials[next % trials.len()];
                next += 1;
                let ctx = TrialContext {
                    seed,
                    trial: *trial,
                    traffic: &s.traffic,
                    draw: traffic,
                    params,
                    fidelity: s.run.fidelity,
                };
                black_box(d.price(&ctx, &traffic.hours))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_run, bench_trial, bench_parts);
criterion_main!(benches);
