//! What the bench files share.

use std::hint::black_box;

use breakeven::Scenario;
use breakeven::engine::{self, RunOptions};
use criterion::BenchmarkGroup;
use criterion::measurement::WallTime;

/// Add a benchmark named `name` to `group`: `trials` trials of `s` through
/// `engine::run` (chunks, threads and the ordered merge included) on
/// `threads` threads, with the results dropped.
pub fn bench_engine_run(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: String,
    s: &Scenario,
    trials: u64,
    threads: usize,
) {
    let opts = RunOptions {
        trials,
        seed: s.run.seed,
        threads,
        fidelity: s.run.fidelity,
    };
    group.bench_function(name, |b| {
        b.iter(|| {
            engine::run(s, &opts, &|_| {}, |chunk| {
                black_box(chunk);
                Ok(())
            })
            .expect("run succeeds")
        })
    });
}
