//! Cost of the random draws behind one hour of traffic, per draw, on the
//! trial generator ([`TrialRng`], Xoshiro256++). Throughput is in draws:
//! criterion reports draws/s, and the time per iteration over
//! [`DRAWS`] is the time per draw × [`DRAWS`].
//!
//! - `u64`: one raw 64-bit output of the generator.
//! - `uniform_f64`: one uniform in [0, 1) (`rng.random::<f64>()`).
//! - `standard_normal`: rand_distr's `StandardNormal` (ziggurat).
//! - `rand_distr_poisson/new_rate_50..5000`: `Poisson::new(rate)` then one
//!   sample, a new rate each draw (rates cycle over 50..5000, as hourly
//!   rates change every hour): what the crate paid above 30 before its own
//!   large-rate sampler.
//! - `traffic_poisson/new_rate_1..29`: [`breakeven::traffic::poisson`]
//!   below its inversion threshold (a pmf walk, O(rate)).
//! - `traffic_poisson/new_rate_50..5000`: the same above the threshold.
//! - `traffic_poisson/new_rate_1e4..1e6`: the same at large rates.
//! - `gamma_hourly_multiplier/cv_0.25`: one draw of the hourly gamma
//!   multiplier as the traffic model draws it: the distribution is built
//!   once per trial ([`breakeven::uncertain::gamma_with_cv`]) and sampled
//!   once per hour.
//! - `hour_substream`: seeding the hour's stream
//!   ([`breakeven::engine::Substreams::at`]), done once per hour before the
//!   multiplier and the count.
//!
//! Run with `cargo bench --bench samplers`.

use std::hint::black_box;
use std::time::Duration;

use breakeven::deploy::TrialRng;
use breakeven::engine::Substreams;
use breakeven::traffic::poisson;
use breakeven::uncertain::gamma_with_cv;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::{Rng, RngExt, SeedableRng};
use rand_distr::{Distribution, Poisson, StandardNormal};

/// Draws per benchmark iteration.
const DRAWS: usize = 4096;

/// `DRAWS` rates spread geometrically over `[lo, hi]`, in a scrambled order
/// so consecutive draws do not have close rates.
fn rates(lo: f64, hi: f64) -> Vec<f64> {
    let ratio = (hi / lo).ln();
    (0..DRAWS)
        .map(|i| {
            // 1497 is odd, so i ↦ i·1497 mod DRAWS is a permutation.
            let j = (i * 1497) % DRAWS;
            lo * (ratio * j as f64 / (DRAWS - 1) as f64).exp()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("samplers");
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    group.throughput(Throughput::Elements(DRAWS as u64));
    let mut rng = TrialRng::seed_from_u64(1);

    group.bench_function("u64", |b| {
        b.iter(|| {
            let mut acc = 0u64;
            for _ in 0..DRAWS {
                acc ^= rng.next_u64();
            }
            black_box(acc)
        })
    });
    group.bench_function("uniform_f64", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for _ in 0..DRAWS {
                acc += rng.random::<f64>();
            }
            black_box(acc)
        })
    });
    group.bench_function("standard_normal", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for _ in 0..DRAWS {
                let z: f64 = StandardNormal.sample(&mut rng);
                acc += z;
            }
            black_box(acc)
        })
    });

    let mid = rates(50.0, 5000.0);
    group.bench_function("rand_distr_poisson/new_rate_50..5000", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for &rate in &mid {
                let d = Poisson::new(black_box(rate)).expect("rate > 0");
                acc += d.sample(&mut rng);
            }
            black_box(acc)
        })
    });
    for (name, lo, hi) in [
        ("new_rate_1..29", 1.0, 29.0),
        ("new_rate_50..5000", 50.0, 5000.0),
        ("new_rate_1e4..1e6", 1e4, 1e6),
    ] {
        let rs = rates(lo, hi);
        group.bench_function(format!("traffic_poisson/{name}"), |b| {
            b.iter(|| {
                let mut acc = 0.0;
                for &rate in &rs {
                    acc += poisson(black_box(rate), &mut rng);
                }
                black_box(acc)
            })
        });
    }

    let gamma = gamma_with_cv(1.0, 0.25).expect("cv > 0");
    group.bench_function("gamma_hourly_multiplier/cv_0.25", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for _ in 0..DRAWS {
                acc += gamma.sample(&mut rng);
            }
            black_box(acc)
        })
    });

    let streams = Substreams::new(1, 0, "traffic:hour");
    group.bench_function("hour_substream", |b| {
        b.iter(|| {
            let mut acc = 0u64;
            for h in 0..DRAWS as u64 {
                acc ^= streams.at(black_box(h)).next_u64();
            }
            black_box(acc)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
