//! A standalone simulation of a fleet of one-request workers (batch 1) at a
//! constant rate, to measure the law of the frees (completions) in a window
//! of the keep-alive `T`, which sets the cold share where `T <= S`:
//!
//!     cargo run --release --example frees_sim -- LAMBDA T C S [HOURS] [CV]
//!
//! Poisson arrivals at `LAMBDA`/s, each served `S` s (fixed); a request
//! takes the ready idle worker freed most recently, else boots its own
//! (gamma of mean `C` s and CV `CV`, 0.5 as on the grid) and starts on it
//! once it is up; a worker scales down `T` s after its last completion.
//! One hour of burn-in is left out. Over consecutive windows of `T` s it
//! prints the mean and the variance over the mean of the arrivals `A`, the
//! cold arrivals `K`, the service starts and the frees, `Cov(A, K)`, the
//! cold share, and the ballot sum `Σ P(A = a) P(F = f) (a - f + 1) / (a +
//! 1)` from the measured law of the frees.

#[path = "common/sim_args.rs"]
mod sim_args;
#[path = "common/sim_rng.rs"]
mod sim_rng;
use sim_rng::Rng;

/// Mean and variance of a sample of counts.
fn moments(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    (m, v)
}

fn main() {
    let (lambda, t, c, s, hours, cv) = sim_args::fleet_args("frees_sim", 100.0);
    let burn_in_s = 3600.0;
    let end_s = burn_in_s + hours * 3600.0;
    let windows = ((end_s - burn_in_s) / t) as usize;

    let mut rng = Rng(2_718_281);
    // Service starts and completions still to come (times), kept as a
    // min-heap of ordered floats; idle workers as a stack of free times.
    let mut starts: std::collections::BinaryHeap<std::cmp::Reverse<u64>> =
        std::collections::BinaryHeap::new();
    let mut idle: std::collections::VecDeque<f64> = std::collections::VecDeque::new();
    let key = |x: f64| x.to_bits();
    let mut counts = vec![[0.0f64; 4]; windows];
    let (mut requests, mut colds) = (0.0, 0.0);
    let mut next_arrival = rng.exponential(1.0 / lambda);
    // Pending completions (free times) in a min-heap.
    let mut frees: std::collections::BinaryHeap<std::cmp::Reverse<u64>> =
        std::collections::BinaryHeap::new();
    let slot = |x: f64| -> Option<usize> {
        if x < burn_in_s || x >= end_s {
            None
        } else {
            Some((((x - burn_in_s) / t) as usize).min(windows - 1))
        }
    };
    loop {
        let next_start = starts.peek().map_or(f64::INFINITY, |r| f64::from_bits(r.0));
        let next_free = frees.peek().map_or(f64::INFINITY, |r| f64::from_bits(r.0));
        let now = next_arrival.min(next_start).min(next_free);
        if now > end_s {
            break;
        }
        if next_free <= now {
            frees.pop();
            if let Some(i) = slot(now) {
                counts[i][3] += 1.0;
            }
            idle.push_back(now);
        } else if next_start <= now {
            starts.pop();
            if let Some(i) = slot(now) {
                counts[i][2] += 1.0;
            }
            frees.push(std::cmp::Reverse(key(now + s)));
        } else {
            next_arrival = now + rng.exponential(1.0 / lambda);
            // Scale down the workers idle for `T` (the oldest at the front).
            while idle.front().is_some_and(|&f| f + t <= now) {
                idle.pop_front();
            }
            let cold = idle.pop_back().is_none();
            if let Some(i) = slot(now) {
                counts[i][0] += 1.0;
                requests += 1.0;
                if cold {
                    counts[i][1] += 1.0;
                    colds += 1.0;
                }
            }
            if cold {
                let up = now + rng.gamma(c, cv);
                starts.push(std::cmp::Reverse(key(up)));
            } else {
                starts.push(std::cmp::Reverse(key(now)));
            }
        }
    }
    let col = |j: usize| counts.iter().map(|w| w[j]).collect::<Vec<f64>>();
    let (a, k, st, f) = (col(0), col(1), col(2), col(3));
    let (ma, va) = moments(&a);
    let (mk, vk) = moments(&k);
    let (ms, vs) = moments(&st);
    let (mf, vf) = moments(&f);
    let n = a.len() as f64;
    let cov_ak = a
        .iter()
        .zip(&k)
        .map(|(x, y)| (x - ma) * (y - mk))
        .sum::<f64>()
        / (n - 1.0);
    // Ballot sum from the measured law of the frees, arrivals Poisson(λT).
    let most = f.iter().cloned().fold(0.0, f64::max) as usize;
    let mut law = vec![0.0; most + 1];
    for x in &f {
        law[*x as usize] += 1.0 / n;
    }
    let mu = lambda * t;
    let mut ballot = 0.0;
    let mut pa = (-mu).exp();
    for a in 0..(mu + 20.0 * mu.sqrt() + 40.0) as usize {
        if a > 0 {
            pa *= mu / a as f64;
        }
        for (fv, pf) in law.iter().enumerate().take(a + 1) {
            ballot += pa * pf * (a - fv + 1) as f64 / (a + 1) as f64;
        }
    }
    println!(
        "λ {lambda} T {t} C {c} S {s} cv {cv}, {hours} h: cold share {:.5} ({} requests)",
        colds / requests,
        requests
    );
    println!(
        "window means A {ma:.4} K {mk:.4} starts {ms:.4} frees {mf:.4}; var/mean A {:.4} K {:.4} starts {:.4} frees {:.4}",
        va / ma,
        vk / mk,
        vs / ms,
        vf / mf
    );
    println!(
        "Cov(A,K)/E[A] {:.4}, Var(A-K)/E[A] {:.4}; ballot sum from the frees' law {ballot:.5}",
        cov_ak / ma,
        (va + vk - 2.0 * cov_ak) / ma
    );
}
