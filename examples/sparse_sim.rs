//! The request-level simulation (`breakeven::sim::Pool`) of a sparse
//! serverless hour beside the fast path's price of it:
//!
//!     cargo run --release --example sparse_sim -- LAMBDA T C S BATCH [HOURS] [CV] [COUNT] [MAX_WORKERS] [SEED]
//!
//! Each request is served `S` s at any batch up to `BATCH`; boots gamma of
//! mean `C` s and CV `CV` (0.3 by default), billed; keep-alive `T` s; at
//! most `MAX_WORKERS` workers (unlimited by default); billing unit 1e-6 s.
//! With `COUNT` 0 (the default) arrivals are Poisson at `LAMBDA`/s and the
//! fast path's hour is `Fleet::hour_at(λ, S, None)` (a rate); with `COUNT`
//! n > 0 every hour holds exactly n arrivals, uniform and independent
//! within it, and the fast path's hour is `hour_at(n / 3600, S, Some(n))`
//! (a whole count; `LAMBDA` is then ignored). `HOURS` (4,000 by default)
//! are measured in 40 independent runs (for the standard errors), each
//! after its own hour of burn-in and billed to its end. It prints an
//! hour's billed worker-seconds, cold starts and requests that waited on a
//! boot, each with its standard error, and the fast path's.
#[path = "common/mean_se.rs"]
mod mean_se;
use mean_se::mean_se;

use breakeven::deploy::TrialRng;
use breakeven::deploy::serverless::Fleet;
use breakeven::sim::{Arrival, Pool, PoolConfig};
use breakeven::throughput::BatchCurve;
use rand::{RngExt, SeedableRng};

fn main() {
    let a: Vec<f64> = std::env::args()
        .skip(1)
        .map(|x| x.parse().expect("numbers"))
        .collect();
    if a.len() < 5 {
        eprintln!("usage: sparse_sim LAMBDA T C S BATCH [HOURS] [CV] [COUNT] [MAX_WORKERS] [SEED]");
        std::process::exit(2);
    }
    let (t, c, s, b) = (a[1], a[2], a[3], a[4]);
    let hours = a.get(5).copied().unwrap_or(4000.0).max(40.0) as usize;
    let cv = a.get(6).copied().unwrap_or(0.3);
    let count = a.get(7).copied().unwrap_or(0.0).round() as usize;
    let most = a.get(8).copied().unwrap_or(1e9).min(4e9) as u32;
    let seed = a.get(9).copied().unwrap_or(1.0) as u64;
    let lambda = if count > 0 {
        count as f64 / 3600.0
    } else {
        a[0]
    };
    let curve = BatchCurve {
        t0_s: s,
        t1_s: 0.0,
        batch_cap: b,
        prefill_tps: f64::INFINITY,
    };
    let cfg = PoolConfig {
        curve,
        cold_start_s: c,
        cold_start_cv: cv,
        keep_alive_s: t,
        pinned_workers: 0,
        max_workers: most,
        billing_unit_s: 1e-6,
        bill_cold_start: true,
    };
    let runs = 40;
    let run_hours = (hours / runs).max(1);
    let burn_in_s = 3600.0;
    let end_s = burn_in_s + run_hours as f64 * 3600.0;
    let mut figures: Vec<[f64; 3]> = Vec::new();
    for run in 0..runs {
        let mut rng = TrialRng::seed_from_u64(seed.wrapping_mul(1000).wrapping_add(run as u64));
        let mut pool = Pool::new(cfg, 0.0);
        // The arrival times of the run, burn-in hour included.
        let mut times: Vec<f64> = Vec::new();
        if count > 0 {
            for hour in 0..=run_hours {
                let mut hour_times: Vec<f64> = (0..count)
                    .map(|_| (hour as f64 + rng.random::<f64>()) * 3600.0)
                    .collect();
                hour_times.sort_by(f64::total_cmp);
                times.extend(hour_times);
            }
        } else {
            let mut time = 0.0;
            loop {
                time +=
                    rand_distr::Distribution::<f64>::sample(&rand_distr::Exp1, &mut rng) / lambda;
                if time >= end_s {
                    break;
                }
                times.push(time);
            }
        }
        let mut measuring = false;
        for &time in &times {
            if !measuring && time >= burn_in_s {
                pool.measure_from(burn_in_s);
                measuring = true;
            }
            pool.arrive(
                Arrival {
                    time_s: time,
                    input_tokens: 0.0,
                    output_tokens: 1.0,
                },
                &mut rng,
            );
        }
        if !measuring {
            pool.measure_from(burn_in_s);
        }
        pool.finish(end_s);
        let st = &pool.stats;
        let h = run_hours as f64;
        figures.push([
            (st.flex_worker_s + st.unserved_work_s) / h,
            st.cold_starts / h,
            st.cold_start_waits / h,
        ]);
    }
    let column = |k: usize| mean_se(&figures.iter().map(|f| f[k]).collect::<Vec<_>>());
    let (bill, cold, waits) = (column(0), column(1), column(2));

    let mut fcurve = BatchCurve::new(50.0, 2000.0, 8000.0, None, None);
    fcurve.batch_cap = b;
    let fleet = Fleet {
        curve: fcurve,
        cold_start_s: c,
        cold_start_cv: cv,
        keep_alive_s: t,
        min_workers: 0,
        max_workers: most,
        billing_unit_s: 1e-9,
        bill_cold_start: true,
    };
    let h = fleet.hour_at(lambda, s, (count > 0).then_some(count as f64));
    let total = h.flex_worker_s + h.overflow_share * lambda * s * 3600.0;
    let what = if count > 0 {
        format!("{count} arrivals an hour")
    } else {
        format!("λ {lambda}")
    };
    println!(
        "{what} T {t} C {c} S {s} b {b} CV {cv} max_workers {most}, {hours} h seed {seed}\n\
         sim : bill {:.1} ± {:.1}, cold {:.3} ± {:.3}, waits {:.3} ± {:.3}\n\
         fast: bill {total:.1} ({:+.2}% ± {:.2}%), cold {:.3}, waits {:.3}",
        bill.0,
        bill.1,
        cold.0,
        cold.1,
        waits.0,
        waits.1,
        100.0 * (total / bill.0 - 1.0),
        100.0 * total / bill.0 * bill.1 / bill.0,
        h.cold_starts,
        h.cold_start_waits,
    );
}
