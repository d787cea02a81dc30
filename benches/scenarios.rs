//! One full trial of each example scenario, one sweep point, one trial's
//! break-even search, each scenario's 2-core scaling, and one trial of
//! each at `request` fidelity.
//!
//! Throughput is in hour-steps (one hour of one deployment with that hour's
//! traffic draw: a trial is `horizon_hours × deployments` of them), except
//! `request_fidelity_trial`, in arrivals simulated (a trial's requests times
//! its serverless and dedicated deployments), and `breakeven_search`, timed
//! per trial.
//!
//! Run with `cargo bench --bench scenarios`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use breakeven::Scenario;
use breakeven::decision::{self, BreakEvenSettings, VolumeAxis, VolumeRange};
use breakeven::deploy::{Fidelity, Kind};
use breakeven::engine;
use breakeven::sweep::{self, SweepOptions};
use breakeven::traffic::TrialTraffic;
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

mod common;

fn scenarios() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("scenarios/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

fn load(path: &Path) -> Scenario {
    Scenario::load(path).expect("example scenario loads")
}

fn bench_full_trials(c: &mut Criterion) {
    let mut group = c.benchmark_group("full_trial");
    group.sample_size(20);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for path in scenarios() {
        let s = load(&path);
        let steps = u64::from(s.run.horizon_hours) * s.deployments.len() as u64;
        group.throughput(Throughput::Elements(steps));
        let mut traffic = TrialTraffic::default();
        // Cycle over trials so the figure averages over parameter draws.
        let mut trial = 0u64;
        group.bench_function(s.name.clone(), |b| {
            b.iter(|| {
                let r = engine::run_trial(&s, s.run.seed, trial, s.run.fidelity, &mut traffic);
                trial = (trial + 1) % 1000;
                black_box(r)
            })
        });
    }
    group.finish();
}

fn bench_sweep_point(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/article.toml");
    let s = load(&path);
    let axis = VolumeAxis::of(&s).expect("article has a level");
    let trials = 256;
    let opts = SweepOptions {
        axis,
        range: VolumeRange {
            low: 1e10,
            high: 2e10,
        },
        volumes: vec![1e10],
        trials,
        seed: s.run.seed,
        threads: 1,
        fidelity: s.run.fidelity,
        breakeven: None,
    };
    let mut group = c.benchmark_group("sweep_point");
    group.sample_size(10);
    group.throughput(Throughput::Elements(
        trials * u64::from(s.run.horizon_hours) * s.deployments.len() as u64,
    ));
    group.bench_function("article_10b_256_trials", |b| {
        b.iter(|| black_box(sweep::sweep(&s, &opts, &|_| {}).expect("sweep runs")))
    });
    group.finish();
}

fn bench_breakeven(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/steady-1b.toml");
    let s = load(&path);
    let axis = VolumeAxis::of(&s).expect("steady-1b has a level");
    let settings = BreakEvenSettings::new(axis, VolumeRange::around(&axis), 1000);
    let mut traffic = TrialTraffic::default();
    let mut trial = 0u64;
    let mut group = c.benchmark_group("breakeven_search");
    group.sample_size(20);
    group.bench_function("steady-1b_one_trial", |b| {
        b.iter(|| {
            let params = engine::draw_params(&s, s.run.seed, trial);
            let r = decision::trial_breakeven(
                &s,
                s.run.seed,
                trial,
                s.run.fidelity,
                &params,
                &settings,
                &mut traffic,
            );
            trial = (trial + 1) % 1000;
            black_box(r)
        })
    });
    group.finish();
}

/// 2,000 trials (8 chunks) of each scenario through `engine::run` (chunks, threads and
/// the ordered merge included) on 1 and 2 threads: the 2-core scaling.
fn bench_scaling(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine_run_2000_trials");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(4));
    let trials = 2000;
    for path in scenarios() {
        let s = load(&path);
        let steps = u64::from(s.run.horizon_hours) * s.deployments.len() as u64;
        group.throughput(Throughput::Elements(trials * steps));
        for threads in [1usize, 2] {
            let name = format!("{}/threads_{threads}", s.name);
            common::bench_engine_run(&mut group, name, &s, trials, threads);
        }
    }
    group.finish();
}

/// One trial of each scenario at `request` fidelity (every hour simulated
/// request by request, for every serverless and dedicated deployment), in
/// arrivals simulated: the trial's requests times those deployments.
fn bench_request_fidelity(c: &mut Criterion) {
    let mut group = c.benchmark_group("request_fidelity_trial");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for path in scenarios() {
        let s = load(&path);
        let simulated = s
            .deployments
            .iter()
            .filter(|d| d.kind() != Kind::Api)
            .count() as f64;
        if simulated == 0.0 {
            continue;
        }
        let mut traffic = TrialTraffic::default();
        // The trial's requests are its traffic's, the same at any fidelity:
        // count them on the fast path, so that setting up this group costs
        // little when a filter runs only another.
        let r = engine::run_trial(&s, s.run.seed, 0, Fidelity::Hourly, &mut traffic);
        let requests: f64 = r.outcomes[0].requests;
        group.throughput(Throughput::Elements((requests * simulated) as u64));
        group.bench_function(s.name.clone(), |b| {
            b.iter(|| {
                black_box(engine::run_trial(
                    &s,
                    s.run.seed,
                    0,
                    Fidelity::Request,
                    &mut traffic,
                ))
            })
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    bench_full_trials,
    bench_sweep_point,
    bench_breakeven,
    bench_scaling,
    bench_request_fidelity
);
criterion_main!(benches);
