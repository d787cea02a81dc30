//! Scans one input of a stepping hour's price (`Fleet::hour_with_steps`)
//! for steps: the bill and cold starts at `N` points from `LO` to `HI`,
//! printing the largest change between neighbours as a share of the bill
//! (a continuous price leaves changes of the order of its slope times the
//! spacing):
//!
//!     cargo run --release --example steps_scan -- T C S CV BATCH KEY LO HI N MINUTES:RATE...
//!
//! `KEY` is `t`, `c`, `s` or `cv`, or `rK` for the rate of the pattern's
//! run `K` (from 0); the pattern as in `steps_sim`.

#[path = "common/stepping_hour.rs"]
mod stepping_hour;
use stepping_hour::{flat_fleet, hour_load, minute_rates, parse_runs};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 10 {
        eprintln!("usage: steps_scan T C S CV BATCH KEY LO HI N MINUTES:RATE...");
        std::process::exit(2);
    }
    let num = |i: usize| -> f64 { args[i].parse().expect("a number") };
    let key = args[5].clone();
    let (lo, hi, n) = (num(6), num(7), num(8) as usize);
    let runs = parse_runs(&args[9..]);
    let price = |x: f64| {
        let (mut t, mut c, mut s, mut cv) = (num(0), num(1), num(2), num(3));
        let mut runs = runs.clone();
        match key.as_str() {
            "t" => t = x,
            "c" => c = x,
            "s" => s = x,
            "cv" => cv = x,
            k => runs[k[1..].parse::<usize>().expect("rK")].1 = x,
        }
        let rates = minute_rates(&runs);
        let fleet = flat_fleet(t, c, s, cv, num(4));
        let load = hour_load(&rates);
        fleet.hour_with_steps(&load, &rates, f64::INFINITY)
    };
    let (mut worst_bill, mut worst_cold) = ((0.0, lo), (0.0, lo));
    let mut last = price(lo);
    for i in 1..n {
        let x = lo + (hi - lo) * i as f64 / (n - 1) as f64;
        let h = price(x);
        let db = (h.flex_worker_s / last.flex_worker_s - 1.0).abs();
        let dc = (h.cold_starts / last.cold_starts - 1.0).abs();
        if db > worst_bill.0 {
            worst_bill = (db, x);
        }
        if dc > worst_cold.0 {
            worst_cold = (dc, x);
        }
        last = h;
    }
    println!(
        "{key} {lo}..{hi} ({n} points): largest bill change {:.5}% at {}, cold starts {:.5}% at {}",
        100.0 * worst_bill.0,
        worst_bill.1,
        100.0 * worst_cold.0,
        worst_cold.1
    );
}
