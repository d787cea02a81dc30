//! The engine held to DESIGN's oracles: the source article's figures and the
//! closed forms for one serverless worker. Every statistical check uses a
//! fixed seed and a tolerance derived from the Monte Carlo standard error.

use std::path::Path;

use breakeven::Scenario;
use breakeven::analysis::quantile_sorted;
use breakeven::deploy::Fidelity;
use breakeven::engine::{self, RunOptions, TrialResult};
use breakeven::uncertain::{Dist, normal_quantile};

fn scenario_file(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    Scenario::load(&path).expect("example scenario is valid")
}

fn scenario_text(text: &str) -> Scenario {
    Scenario::parse(Path::new("test.toml"), text).expect("test scenario is valid")
}

fn run(s: &Scenario, trials: u64, seed: u64) -> Vec<TrialResult> {
    run_at(s, trials, seed, Fidelity::Hourly)
}

fn run_at(s: &Scenario, trials: u64, seed: u64, fidelity: Fidelity) -> Vec<TrialResult> {
    let mut all = Vec::new();
    let opts = RunOptions {
        trials,
        seed,
        threads: 0,
        fidelity,
    };
    engine::run(s, &opts, &|_| {}, |chunk| {
        all.extend_from_slice(chunk);
        Ok(())
    })
    .expect("run succeeds");
    all
}

fn column(
    results: &[TrialResult],
    s: &Scenario,
    deployment: &str,
    f: impl Fn(&breakeven::deploy::Outcome) -> f64,
) -> Vec<f64> {
    let i = s
        .deployments
        .iter()
        .position(|d| d.name() == deployment)
        .expect("deployment exists");
    results.iter().map(|r| f(&r.outcomes[i])).collect()
}

fn sorted(mut xs: Vec<f64>) -> Vec<f64> {
    xs.sort_by(f64::total_cmp);
    xs
}

/// Standard error of the empirical `p`-quantile of `n` draws from a
/// lognormal scaled by `scale` (asymptotic: sqrt(p(1-p)/n) / density).
fn lognormal_quantile_se(d: &Dist, scale: f64, p: f64, n: usize) -> f64 {
    let Dist::LogNormal { sigma, .. } = *d else {
        panic!("expected a lognormal")
    };
    let x = d.quantile(p) * scale;
    let z = normal_quantile(p);
    let density = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt() / (x * sigma);
    (p * (1.0 - p) / n as f64).sqrt() / density
}

fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (v / n).sqrt())
}

/// The article: 1B tokens a month at $0.59–0.90/M costs $590–900.
#[test]
fn api_at_1b_tokens_costs_590_to_900() {
    let s = scenario_file("steady-1b.toml");
    let n = 4000;
    let results = run(&s, n, 11);
    let cost = sorted(column(&results, &s, "open-api", |o| o.cost_usd));
    let tokens = column(&results, &s, "open-api", |o| o.tokens);
    let (mean_tokens, _) = mean_se(&tokens);
    // The volume is fixed at 1B; Poisson counts move it by well under 1%.
    assert!(
        (mean_tokens / 1e9 - 1.0).abs() < 0.005,
        "tokens {mean_tokens}"
    );
    let price = Dist::lognormal_p5_p95(0.59, 0.90);
    for (p, expected) in [(0.05, 590.0), (0.95, 900.0)] {
        let got = quantile_sorted(&cost, p);
        // Quantile sampling error, plus the volume's own spread (< 0.3%).
        let tol = 4.0 * lognormal_quantile_se(&price, 1000.0, p, n as usize) + 0.003 * expected;
        assert!(
            (got - expected).abs() < tol,
            "p{}: ${got:.1}, expected ${expected} ± {tol:.1}",
            p * 100.0
        );
    }
}

/// The article: 2×A100 around the clock at $1.39–2.00/h ≈ $2,000–2,880 a
/// 30-day month before operations.
#[test]
fn two_a100_always_on_cost_2000_to_2880_a_month() {
    let s = scenario_file("steady-1b.toml");
    let n = 4000;
    let results = run(&s, n, 12);
    let billed = column(&results, &s, "a100x2-dedicated", |o| o.billed_gpu_s);
    // At 1B tokens one replica of two GPUs is enough in every trial.
    assert!(billed.iter().all(|&b| b == 2.0 * 720.0 * 3600.0));
    let gpu_cost = sorted(column(&results, &s, "a100x2-dedicated", |o| o.compute_usd));
    let price = Dist::lognormal_p5_p95(1.39, 2.00);
    for (p, expected) in [(0.05, 2001.6), (0.95, 2880.0)] {
        let got = quantile_sorted(&gpu_cost, p);
        let tol = 4.0 * lognormal_quantile_se(&price, 1440.0, p, n as usize);
        assert!(
            (got - expected).abs() < tol,
            "p{}: ${got:.1}, expected ${expected} ± {tol:.1}",
            p * 100.0
        );
    }
    // Operations come on top: the total is higher than the GPU bill.
    let total = column(&results, &s, "a100x2-dedicated", |o| o.cost_usd);
    assert!(total.iter().zip(&gpu_cost).all(|(t, _)| *t > 0.0));
    assert!(mean_se(&total).0 > mean_se(&gpu_cost).0 + 300.0);
}

fn one_replica_at(tokens_per_month: f64) -> String {
    format!(
        r#"
[run]
trials = 200
seed = 5
horizon_hours = 720

[traffic]
tokens_per_month = {tokens_per_month}
input_tokens = 0
output_tokens = 100

[deployment.gpu]
kind = "dedicated"
gpu_hour_usd = 2.0
replicas = 1
single_stream_tps = 50
max_tps = 1000
"#
    )
}

/// cost per token = GPU $/h ÷ (tokens/s × 3600 × utilisation): at 10%
/// utilisation it is 10× that at (nearly) full load.
#[test]
fn cost_per_token_at_10_percent_utilisation_is_10x_full_load() {
    // Capacity: 1,000 output tokens/s = 2.592B tokens a month.
    let full = 0.9 * 1000.0 * 3600.0 * 720.0;
    let mut per_mtok = Vec::new();
    for volume in [full, full / 10.0] {
        let s = scenario_text(&one_replica_at(volume));
        let results = run(&s, 200, 5);
        let util = column(&results, &s, "gpu", |o| o.utilization());
        let cost = column(&results, &s, "gpu", |o| o.usd_per_mtok());
        let (u, u_se) = mean_se(&util);
        let (c, c_se) = mean_se(&cost);
        let expected_util = volume / (1000.0 * 3600.0 * 720.0);
        assert!(
            (u - expected_util).abs() < 4.0 * u_se + 1e-9,
            "util {u} vs {expected_util}"
        );
        // The article's equation, in $ per million tokens.
        let formula = 2.0 / (1000.0 * 3600.0 * expected_util) * 1e6;
        assert!(
            (c - formula).abs() < 4.0 * c_se + 1e-9,
            "$/M {c} vs {formula}"
        );
        per_mtok.push((c, c_se));
    }
    let ratio = per_mtok[1].0 / per_mtok[0].0;
    let ratio_se = ratio
        * ((per_mtok[0].1 / per_mtok[0].0).powi(2) + (per_mtok[1].1 / per_mtok[1].0).powi(2))
            .sqrt();
    assert!(
        (ratio - 10.0).abs() < 4.0 * ratio_se + 1e-9,
        "ratio {ratio} ± {ratio_se}"
    );
}

fn one_worker(lambda: f64, keep_alive_s: f64, cold_start_s: f64) -> String {
    format!(
        r#"
[run]
horizon_hours = 720

[traffic]
requests_per_month = {requests}
input_tokens = 0
output_tokens = 100        # 100 tokens at 50 tok/s alone: S = 2 s

[deployment.worker]
kind = "serverless"
gpu_second_usd = 0.001
cold_start_s = {cold_start_s}
keep_alive_s = {keep_alive_s}
max_workers = 1
billing_unit_s = 0.000001
single_stream_tps = 50
max_tps = 5000
prefill_tps = 10000
"#,
        requests = lambda * 3600.0 * 720.0
    )
}

/// DESIGN's closed forms for one worker with Poisson arrivals, keep-alive
/// T from the last completion and cold start C, over a grid of rates,
/// keep-alives and cold starts, at both fidelities.
///
/// The request-level simulation is exact, so its tolerance is four Monte
/// Carlo standard errors, on a grid with λC up to 3. The hourly fast path
/// is unbiased when C = 0, and in sparse hours where it estimates the
/// closed forms without bias from the count (up to 64 arrivals, where that
/// sum is well conditioned, as it is on this grid); in busier
/// hours with C > 0 it also allows the path's known bias from estimating
/// λ by an hour's count inside the λC terms, at most (λC(T+S) + C) / 3600
/// relative, on a grid with λC up to 0.2.
#[test]
fn one_serverless_worker_matches_the_closed_forms() {
    let service_s = 2.0;
    let seconds = 720.0 * 3600.0;
    let mut checked = 0;
    for fidelity in [Fidelity::Hourly, Fidelity::Request] {
        for lambda in [0.002_f64, 0.01, 0.05] {
            for keep_alive in [10.0, 60.0, 300.0] {
                let colds = match fidelity {
                    Fidelity::Request => [0.0, 60.0],
                    _ => [0.0, (0.2 / lambda).min(20.0)],
                };
                for cold in colds {
                    let s = scenario_text(&one_worker(lambda, keep_alive, cold));
                    let results = run_at(&s, 48, 99, fidelity);
                    let e = (lambda * (keep_alive + service_s)).exp();
                    let lc = lambda * cold;
                    let expected = [
                        ("P(request triggers a cold start)", 1.0 / (e + lc)),
                        ("P(request waits on a boot)", (1.0 + lc) / (e + lc)),
                        ("billed fraction of wall time", (lc + e - 1.0) / (lc + e)),
                        ("cold starts per second", lambda / (lc + e)),
                    ];
                    let measured: [Vec<f64>; 4] = [
                        column(&results, &s, "worker", |o| o.cold_starts / o.requests),
                        column(&results, &s, "worker", |o| o.cold_start_waits / o.requests),
                        column(&results, &s, "worker", |o| o.billed_gpu_s / seconds),
                        column(&results, &s, "worker", |o| o.cold_starts / seconds),
                    ];
                    for ((what, want), xs) in expected.iter().zip(&measured) {
                        let (got, se) = mean_se(xs);
                        let allowance = match fidelity {
                            Fidelity::Request => 0.0,
                            _ if lambda * 3600.0 <= 40.0 => 0.0,
                            _ => (lc * (keep_alive + service_s) + cold) / 3600.0 * want,
                        };
                        let tol = 4.0 * se + allowance + 1e-12;
                        assert!(
                            (got - want).abs() < tol,
                            "{fidelity:?} λ={lambda} T={keep_alive} C={cold}: {what} = {got:.6}, \
                             closed form {want:.6} (tolerance {tol:.2e})"
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    assert_eq!(checked, 144);
}

/// Spiky traffic keeps its monthly volume, also where short bursts and a
/// small idle share ask for more switching than an hourly chain can do.
#[test]
fn spiky_traffic_keeps_its_volume() {
    for (idle, burst) in [(0.3, 1.0), (0.2, 3.0), (0.7, 2.0)] {
        let s = scenario_text(&format!(
            r#"
[traffic]
tokens_per_month = 1e9
pattern = "spiky"
idle_share = {idle}
burst_hours = {burst}
input_tokens = 0
output_tokens = 1000

[deployment.api]
kind = "api"
usd_per_mtok = 1
"#
        ));
        let results = run(&s, 400, 8);
        let tokens = column(&results, &s, "api", |o| o.tokens);
        let (m, se) = mean_se(&tokens);
        assert!(
            (m - 1e9).abs() < 4.0 * se,
            "idle {idle}, bursts {burst} h: {m:.4e} ± {se:.2e} tokens a month"
        );
    }
}
