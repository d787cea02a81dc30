//! A stepping hour of a one-request (or batching) fleet, priced by the
//! fast path (`Fleet::hour_with_steps`) and simulated (`sim::Pool`):
//!
//!     cargo run --release --example steps_sim -- T C S CV BATCH REPS MINUTES:RATE...
//!
//! The hour's minutes come in runs of `MINUTES` minutes at `RATE`
//! requests/s (the runs must add up to 60 minutes); arrivals are Poisson at
//! that rate, each served `S` s at any batch (a flat curve), and a worker
//! boots a gamma time of mean `C` s and CV `CV`, scales down `T` s after its
//! last completion, holds up to `BATCH` requests, no billing unit to speak
//! of (1 ms), and no worker cap or pinned worker unless the environment's
//! `MAXW` or `MINW` gives one (both sides). The simulation starts from an empty fleet
//! and is run on past the hour until every worker has scaled down, so the
//! pattern should start and end with idle minutes (rate 0), where the fast
//! path's first run is stationary at its rate and its tails are billed in
//! full (`tails_end_s` infinite).
//!
//! It prints the fast path's bill and cold starts, the runs' part alone
//! (each run an hour at its rate by `Fleet::hour_at`, for its length), and
//! the simulation's mean with its standard error over `REPS` hours.

#[path = "common/mean_se.rs"]
mod mean_se;
#[path = "common/stepping_hour.rs"]
mod stepping_hour;
use mean_se::mean_se;
use stepping_hour::{flat_fleet, hour_load, minute_rates, parse_runs};

use breakeven::sim::{Arrival, Pool, PoolConfig};
use rand::SeedableRng;
use rand_distr::Distribution;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 7 {
        eprintln!("usage: steps_sim T C S CV BATCH REPS MINUTES:RATE...");
        std::process::exit(2);
    }
    let num = |i: usize| -> f64 { args[i].parse().expect("a number") };
    let (t, c, s, cv, b, reps) = (num(0), num(1), num(2), num(3), num(4), num(5) as usize);
    let rates = minute_rates(&parse_runs(&args[6..]));
    // MINW and MAXW (environment) pin and cap the fleet, in both the fast
    // path and the simulation.
    let fleet = flat_fleet(t, c, s, cv, b);
    let load = hour_load(&rates);
    let fast = fleet.hour_with_steps(&load, &rates, f64::INFINITY);
    // The runs alone: each run of equal minutes an hour at its rate.
    let (mut runs_bill, mut runs_cold) = (0.0, 0.0);
    let mut first = 0;
    while first < 60 {
        let end = (first..60)
            .find(|&k| rates[k] != rates[first])
            .unwrap_or(60);
        if rates[first] > 0.0 {
            let h = fleet.hour_at(rates[first], s, None);
            let share = (end - first) as f64 / 60.0;
            runs_bill += h.flex_worker_s * share;
            runs_cold += h.cold_starts * share;
        }
        first = end;
    }
    let cfg = PoolConfig {
        curve: fleet.curve,
        cold_start_s: c,
        cold_start_cv: cv,
        keep_alive_s: t,
        pinned_workers: fleet.min_workers,
        max_workers: fleet.max_workers,
        billing_unit_s: fleet.billing_unit_s,
        bill_cold_start: true,
    };
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(20261129);
    let (mut bills, mut colds) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        let mut pool = Pool::new(cfg, 0.0);
        for (k, &r) in rates.iter().enumerate() {
            if r <= 0.0 {
                continue;
            }
            let mut at = k as f64 * 60.0;
            loop {
                let e: f64 = rand_distr::Exp1.sample(&mut rng);
                at += e / r;
                if at >= (k + 1) as f64 * 60.0 {
                    break;
                }
                pool.arrive(
                    Arrival {
                        time_s: at,
                        input_tokens: 0.0,
                        output_tokens: 1.0,
                    },
                    &mut rng,
                );
            }
        }
        pool.finish(3600.0 + 50.0 * c * (1.0 + cv) + t + 10.0 * s + 100.0);
        bills.push(pool.stats.flex_worker_s);
        colds.push(pool.stats.cold_starts);
    }
    let (bill, bill_se) = mean_se(&bills);
    let (cold, cold_se) = mean_se(&colds);
    println!(
        "sim   bill {bill:.1} ± {bill_se:.1}  cold {cold:.3} ± {cold_se:.3}\n\
         fast  bill {:.1} ({:+.2}% ± {:.2}%)  cold {:.3}\n\
         runs  bill {runs_bill:.1} ({:+.2}%)  cold {runs_cold:.3}",
        fast.flex_worker_s,
        100.0 * (fast.flex_worker_s / bill - 1.0),
        100.0 * bill_se / bill,
        fast.cold_starts,
        100.0 * (runs_bill / bill - 1.0),
    );
}
