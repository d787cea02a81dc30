//! The request-level simulation (`breakeven::sim::Pool`) of a capped
//! one-request fleet beside the fast path's hour at the same inputs:
//!
//!     cargo run --release --example capped_sim -- LAMBDA T C S MAX_WORKERS [HOURS] [CV] [SEED]
//!
//! Poisson arrivals at `LAMBDA`/s, each served `S` s alone on its worker
//! (batch 1); boots gamma of mean `C` s and CV `CV` (0.3 by default),
//! billed; keep-alive `T` s; at most `MAX_WORKERS` workers, beyond which a
//! request that finds no ready worker waits in the queue for one to free.
//! Billing unit 1e-6 s. `HOURS` (100 by default) are measured in ten
//! independent runs (for the standard errors), each after its own hour of
//! burn-in and billed to its end with the work still waiting then. It
//! prints an hour's billed worker-seconds, cold starts, the cold share
//! and the share of requests that waited in the queue, each with its
//! standard error, and the fast path's (`Fleet::hour_at` with the hour's
//! count): its bill with the queued work added as the engine adds it
//! (`overflow_share × λS × 3600`), cold starts, cold share and overflow
//! share.
#[path = "common/mean_se.rs"]
mod mean_se;
use mean_se::mean_se;

use breakeven::deploy::TrialRng;
use breakeven::deploy::serverless::Fleet;
use breakeven::sim::{Arrival, Pool, PoolConfig};
use breakeven::throughput::BatchCurve;
use rand::SeedableRng;

fn main() {
    let a: Vec<f64> = std::env::args()
        .skip(1)
        .map(|x| x.parse().expect("numbers"))
        .collect();
    if a.len() < 5 {
        eprintln!("usage: capped_sim LAMBDA T C S MAX_WORKERS [HOURS] [CV] [SEED]");
        std::process::exit(2);
    }
    let (lambda, t, c, s, most) = (a[0], a[1], a[2], a[3], a[4] as u32);
    let hours = a.get(5).copied().unwrap_or(100.0).max(10.0) as usize;
    let cv = a.get(6).copied().unwrap_or(0.3);
    let seed = a.get(7).copied().unwrap_or(1.0) as u64;
    let curve = BatchCurve {
        t0_s: s,
        t1_s: 0.0,
        batch_cap: 1.0,
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
    // Ten independent runs of a tenth of the hours each, every one after
    // its own hour of burn-in and billed to its end (`Pool::finish`).
    let runs = 10;
    let run_hours = (hours / runs).max(1) as f64;
    let burn_in_s = 3600.0;
    let end_s = burn_in_s + run_hours * 3600.0;
    let mut figures: Vec<[f64; 4]> = Vec::new();
    for run in 0..runs {
        let mut rng = TrialRng::seed_from_u64(seed.wrapping_mul(1000).wrapping_add(run as u64));
        let mut pool = Pool::new(cfg, 0.0);
        let mut time = 0.0;
        let mut measuring = false;
        loop {
            time += rand_distr::Distribution::<f64>::sample(&rand_distr::Exp1, &mut rng) / lambda;
            if !measuring && time >= burn_in_s {
                pool.measure_from(burn_in_s);
                measuring = true;
            }
            if time >= end_s {
                break;
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
        figures.push([
            (st.flex_worker_s + st.unserved_work_s) / run_hours,
            st.cold_starts / run_hours,
            st.cold_starts / st.requests,
            st.queue_waits / st.requests,
        ]);
    }
    let column = |k: usize| mean_se(&figures.iter().map(|f| f[k]).collect::<Vec<_>>());
    let (bill, cold, cold_share, queue_share) = (column(0), column(1), column(2), column(3));

    let mut fcurve = BatchCurve::new(50.0, 2000.0, 8000.0, None, None);
    fcurve.batch_cap = 1.0;
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
    let h = fleet.hour_at(lambda, s, Some(lambda * 3600.0));
    let total = h.flex_worker_s + h.overflow_share * lambda * s * 3600.0;
    println!(
        "λ {lambda} T {t} C {c} S {s} max_workers {most} CV {cv}, {hours} h seed {seed}\n\
         sim : bill {:.0} ± {:.0}, cold {:.2} ± {:.2}, cold share {:.4} ± {:.4}, queued share {:.4} ± {:.4}\n\
         fast: bill {total:.0} ({:+.1}%), cold {:.2}, cold share {:.4}, overflow share {:.4}",
        bill.0,
        bill.1,
        cold.0,
        cold.1,
        cold_share.0,
        cold_share.1,
        queue_share.0,
        queue_share.1,
        100.0 * (total / bill.0 - 1.0),
        h.cold_starts,
        h.cold_starts / (lambda * 3600.0),
        h.overflow_share,
    );
}
