//! A standalone simulation of a fleet of one-request workers (batch 1) at a
//! constant rate, to measure how the cold starts split between requests
//! that find no worker up (the pool empty: every worker alive is booting)
//! and requests that find every worker up serving, and the empty pool's
//! share of arrivals and its spells (the empty and busy spells' means from
//! the union of the workers' up lives, and the boots in flight as the pool
//! empties, counted at the first arrival of each empty spell):
//!
//!     cargo run --release --example bunched_sim -- LAMBDA T C S [HOURS] [CV]
//!
//! Poisson arrivals at `LAMBDA`/s, each served `S` s (fixed); a request
//! takes the ready idle worker freed most recently, else boots its own
//! (gamma of mean `C` s and CV `CV`, 0.5 as on the grid) and starts on it
//! once it is up; a worker scales down `T` s after its last completion.

#[path = "common/sim_args.rs"]
mod sim_args;
#[path = "common/sim_rng.rs"]
mod sim_rng;
use sim_rng::Rng;

fn main() {
    let (lambda, t, c, s, hours, cv) = sim_args::fleet_args("bunched_sim", 1000.0);
    let burn_in_s = 3600.0;
    let end_s = burn_in_s + hours * 3600.0;
    let mut rng = Rng(2_718_281);
    // Each worker: (up at, free at).
    let mut workers: Vec<(f64, f64)> = Vec::new();
    // Boot starts of the workers still booting, and when the pool last
    // emptied (the last up worker scaled down).
    let mut starts: Vec<f64> = Vec::new();
    let mut last_down = 0.0f64;
    // Each worker's first up time, and the up intervals of the workers gone.
    let mut first_up: Vec<f64> = Vec::new();
    let mut lives: Vec<(f64, f64)> = Vec::new();
    let mut prev = 0.0f64;
    // Empty spells seen at an arrival, and the boots in flight when each began.
    let (mut spells, mut in_flight_at_start) = (0.0, 0.0);
    let mut now = 0.0;
    let (mut n, mut cold, mut empty, mut busy_cold, mut empty_warm) = (0.0, 0.0, 0.0, 0.0, 0.0);
    // Arrivals finding the pool empty whose previous arrival found it not
    // empty (the runs' first), and the run lengths.
    let (mut runs, mut was_empty) = (0.0, false);
    // Empty arrivals by the number of boots in flight they find.
    let mut by_boots = [0.0f64; 8];
    // Arrivals finding no worker alive at all.
    let mut none_alive = 0.0;
    // Arrivals whose previous arrival was cold, and of those cold.
    let (mut after_cold, mut cold_after_cold) = (0.0, 0.0);
    let mut last_cold = false;
    // Idle workers found, mean.
    let mut idle_found = 0.0;
    loop {
        now += rng.exponential(1.0 / lambda);
        if now > end_s {
            break;
        }
        for w in workers.iter() {
            if w.1 + t <= now {
                last_down = last_down.max(w.1 + t);
            }
        }
        let mut i = 0;
        while i < workers.len() {
            if workers[i].1 + t <= now {
                if first_up[i] > burn_in_s {
                    lives.push((first_up[i], workers[i].1 + t));
                }
                workers.swap_remove(i);
                starts.swap_remove(i);
                first_up.swap_remove(i);
            } else {
                i += 1;
            }
        }
        let up = workers.iter().filter(|w| w.0 <= now).count();
        let booting = workers.len() - up;
        let idle = workers.iter().filter(|w| w.1 <= now).count();
        let best = workers
            .iter()
            .enumerate()
            .filter(|(_, w)| w.1 <= now)
            .max_by(|a, b| a.1.1.total_cmp(&b.1.1))
            .map(|(i, _)| i);
        let is_cold = best.is_none();
        let is_empty = up == 0;
        if now > burn_in_s {
            n += 1.0;
            idle_found += idle as f64;
            if last_cold {
                after_cold += 1.0;
                if is_cold {
                    cold_after_cold += 1.0;
                }
            }
            if is_cold {
                cold += 1.0;
                if is_empty {
                    empty += 1.0;
                    by_boots[booting.min(7)] += 1.0;
                    if workers.is_empty() {
                        none_alive += 1.0;
                    }
                    if !was_empty {
                        runs += 1.0;
                    }
                } else {
                    busy_cold += 1.0;
                }
            } else if is_empty {
                empty_warm += 1.0;
            }
        }
        if now > burn_in_s && is_empty && last_down > prev && workers.iter().all(|w| w.0 > now) {
            // The first arrival of a spell that began at `last_down`.
            spells += 1.0;
            in_flight_at_start += starts.iter().filter(|&&b| b < last_down).count() as f64;
        }
        prev = now;
        was_empty = is_empty;
        last_cold = is_cold;
        match best {
            Some(i) => workers[i] = (now, now + s),
            None => {
                let up_at = now + rng.gamma(c, cv);
                workers.push((up_at, up_at + s));
                starts.push(now);
                first_up.push(up_at);
            }
        }
    }
    println!("requests {n}");
    println!("cold share {:.5}", cold / n);
    println!("empty (none up) share f {:.5}", empty / n);
    println!("  none alive at all {:.5}", none_alive / n);
    println!(
        "  by boots in flight 0..7: {:?}",
        by_boots.map(|x| (x / n * 1e4).round() / 1e4)
    );
    println!(
        "  runs per request {:.5}, mean run {:.4}",
        runs / n,
        empty / runs
    );
    println!(
        "busy colds per request {:.5}, per non-empty request {:.5}",
        busy_cold / n,
        busy_cold / (n - empty)
    );
    println!(
        "P(cold | previous cold) {:.5}",
        cold_after_cold / after_cold
    );
    println!("mean idle workers found {:.5}", idle_found / n);
    println!(
        "boots in flight when the pool empties {:.5} ({spells} spells)",
        in_flight_at_start / spells
    );
    // Busy spells: the union of the workers' up lives; empty spells the gaps.
    lives.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut busy, mut gaps, mut count) = (0.0, 0.0, 0.0);
    let (mut lo, mut hi) = lives[0];
    for &(a, b) in &lives[1..] {
        if a > hi {
            busy += hi - lo;
            gaps += a - hi;
            count += 1.0;
            lo = a;
        }
        hi = hi.max(b);
    }
    println!(
        "spells {count}: mean empty {:.3} s, mean busy {:.3} s, empty time share {:.5}",
        gaps / count,
        busy / count,
        gaps / (gaps + busy)
    );
    let _ = empty_warm;
}
