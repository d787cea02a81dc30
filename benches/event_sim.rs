//! Speed of the request-level event simulation, in events per second (an
//! event: an arrival, a completion, a boot finishing or a scale-down).
//!
//! Run with `cargo bench --bench event_sim`.

use std::hint::black_box;
use std::time::Duration;

use breakeven::deploy::TrialRng;
use breakeven::sim::{Arrival, Pool, PoolConfig};
use breakeven::throughput::BatchCurve;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_distr::{Distribution, Exp1};

/// A serverless pool: batches of 8 on the article's A100 curve, 30 s boots
/// (cv 0.5), 60 s keep-alive.
fn config() -> PoolConfig {
    PoolConfig {
        curve: BatchCurve::new(50.0, 2000.0, 8000.0, None, Some(8)),
        cold_start_s: 30.0,
        cold_start_cv: 0.5,
        keep_alive_s: 60.0,
        pinned_workers: 0,
        max_workers: u32::MAX,
        billing_unit_s: 1.0,
        bill_cold_start: true,
    }
}

/// Poisson arrivals at `lambda`/s for `hours` hours, 1,000 input and 200
/// output tokens each.
fn arrivals(lambda: f64, hours: f64) -> Vec<Arrival> {
    let mut rng = TrialRng::seed_from_u64(5);
    let mut t = 0.0;
    let mut out = Vec::new();
    loop {
        t += Distribution::<f64>::sample(&Exp1, &mut rng) / lambda;
        if t >= hours * 3600.0 {
            return out;
        }
        out.push(Arrival {
            time_s: t,
            input_tokens: 1000.0,
            output_tokens: 200.0,
        });
    }
}

fn simulate(arrivals: &[Arrival], hours: f64) -> Pool {
    let mut rng = TrialRng::seed_from_u64(9);
    let mut pool = Pool::new(config(), 0.0);
    for a in arrivals {
        pool.arrive(*a, &mut rng);
    }
    pool.finish(hours * 3600.0);
    pool
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("event_sim");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(4));
    // Sparse (cold starts dominate) and dense (many workers busy).
    for (name, lambda, hours) in [
        ("sparse_0.01_per_s", 0.01, 720.0),
        ("dense_5_per_s", 5.0, 4.0),
    ] {
        let input = arrivals(lambda, hours);
        let events = input.len() as u64 + simulate(&input, hours).events_scheduled();
        group.throughput(Throughput::Elements(events));
        group.bench_function(name, |b| b.iter(|| black_box(simulate(&input, hours))));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
