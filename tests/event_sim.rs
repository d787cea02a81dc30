//! The request-level simulation held to queueing theory and to real AWS
//! Lambda measurements. Fixed seeds; tolerances from standard errors.

use std::path::Path;

use breakeven::deploy::TrialRng;
use breakeven::sim::{Arrival, Pool, PoolConfig};
use breakeven::throughput::BatchCurve;
use breakeven::validation;
use rand::SeedableRng;
use rand_distr::{Distribution, Exp, Exp1, LogNormal};

/// Poisson arrivals at `lambda`/s for `hours`, output tokens from `tokens`,
/// fed to `pool`; returns per-batch (requests, cold starts, queue waits,
/// wait seconds, busy worker-seconds) over batches of `batch_hours`.
fn drive(
    pool: &mut Pool,
    lambda: f64,
    hours: f64,
    batch_hours: f64,
    tokens: &dyn Fn(&mut TrialRng) -> f64,
    seed: u64,
) -> Vec<[f64; 5]> {
    let mut rng = TrialRng::seed_from_u64(seed);
    let end = hours * 3600.0;
    let step = batch_hours * 3600.0;
    let mut batches = Vec::new();
    let mut last = [0.0; 5];
    let snapshot = |p: &Pool| {
        [
            p.stats.requests,
            p.stats.cold_starts,
            p.stats.queue_waits,
            p.stats.wait_sum_s,
            p.stats.busy_worker_s,
        ]
    };
    let mut t = 0.0;
    let mut next = step;
    loop {
        t += Distribution::<f64>::sample(&Exp1, &mut rng) / lambda;
        while t >= next && next <= end {
            pool.advance_to(next);
            let now = snapshot(pool);
            batches.push(std::array::from_fn(|i| now[i] - last[i]));
            last = now;
            next += step;
        }
        if t >= end {
            break;
        }
        let output_tokens = tokens(&mut rng);
        pool.arrive(
            Arrival {
                time_s: t,
                input_tokens: 0.0,
                output_tokens,
            },
            &mut rng,
        );
    }
    batches
}

fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (v / n).sqrt())
}

fn one_request_per_worker(step_s: f64) -> BatchCurve {
    BatchCurve {
        t0_s: step_s,
        t1_s: 0.0,
        batch_cap: 1.0,
        prefill_tps: f64::INFINITY,
    }
}

/// M/G/∞: with a worker for every request, the mean number of busy workers
/// is λ·E[S] whatever the service distribution (here lognormal).
#[test]
fn busy_workers_follow_m_g_infinity() {
    let cfg = PoolConfig {
        curve: one_request_per_worker(0.1),
        cold_start_s: 0.0,
        cold_start_cv: 0.0,
        keep_alive_s: 0.0,
        pinned_workers: 0,
        max_workers: u32::MAX,
        billing_unit_s: 0.001,
        bill_cold_start: true,
    };
    let mut pool = Pool::new(cfg, 0.0);
    // Output tokens lognormal with mean 100: S = 0.1 s/token × tokens, E[S] = 10 s.
    let sigma: f64 = 0.8;
    let tokens: LogNormal<f64> = LogNormal::new(100f64.ln() - sigma * sigma / 2.0, sigma).unwrap();
    let lambda = 2.0;
    let batches = drive(&mut pool, lambda, 40.0, 2.0, &|r| tokens.sample(r), 17);
    let busy: Vec<f64> = batches.iter().map(|b| b[4] / 7200.0).collect();
    let (m, se) = mean_se(&busy);
    let expected = lambda * 10.0;
    assert!(
        (m - expected).abs() < 4.0 * se,
        "mean busy {m} ± {se}, λE[S] = {expected}"
    );
}

/// M/M/c: ten always-on workers of one request each, λ = 8/s, μ = 1/s:
/// Erlang C(10, 8) = 0.409180, mean queueing delay W_q = 0.204590 s.
#[test]
fn dedicated_queue_follows_erlang_c() {
    let mut pool = Pool::new(PoolConfig::always_on(one_request_per_worker(0.1)), 0.0);
    pool.set_pinned(10, 0.0);
    // Exponential service with mean 1 s: tokens ~ Exp(mean 10) at 0.1 s each.
    let tokens: Exp<f64> = Exp::new(0.1).unwrap();
    let batches = drive(&mut pool, 8.0, 42.0, 2.0, &|r| tokens.sample(r), 23);
    // The first batch starts from an empty system: drop it as warm-up.
    let p_wait: Vec<f64> = batches[1..].iter().map(|b| b[2] / b[0]).collect();
    let w_q: Vec<f64> = batches[1..].iter().map(|b| b[3] / b[0]).collect();
    let (p, p_se) = mean_se(&p_wait);
    let (w, w_se) = mean_se(&w_q);
    eprintln!("Erlang C: P(wait) {p:.4} ± {p_se:.4}, W_q {w:.4} ± {w_se:.4}");
    assert!((p - 0.409180).abs() < 4.0 * p_se, "P(wait) {p} ± {p_se}");
    assert!((w - 0.204590).abs() < 4.0 * w_se, "W_q {w} ± {w_se}");
}

/// AWS Lambda (pacslab/simfaas measurements, 10-minute keep-alive): where
/// λT ≲ 3 the simulated cold-start probability lies within two standard
/// errors of the measured one.
#[test]
fn lambda_cold_starts_match_measurements_where_lambda_t_is_small() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/traces/simfaas_exp.csv");
    let rows = validation::read_lambda_rows(&path).expect("simfaas_exp.csv is readable");
    assert_eq!(rows.len(), 20);
    let mut checked = 0;
    for (i, row) in rows.iter().enumerate() {
        if row.lambda * row.keep_alive_s > 3.5 {
            continue;
        }
        let (sim, sim_se) = validation::simulate_lambda(row, 20_000, 1000 + i as u64);
        // The simulation's own error is small beside the measurement's.
        assert!(
            sim_se < 0.25 * row.measured_se,
            "{}: simulation too short",
            row.name
        );
        assert!(
            (sim - row.measured).abs() <= 2.0 * row.measured_se,
            "{}: λT = {:.2}, simulated {sim:.4}, measured {:.4} ± {:.4}",
            row.name,
            row.lambda * row.keep_alive_s,
            row.measured,
            row.measured_se
        );
        checked += 1;
    }
    assert_eq!(checked, 6);
}

/// One-request-per-worker grid points `(λ, T, C, S)`, fast path against the
/// request-level simulation, each within the bounds (mean cost
/// within 3%, cold-start share within max(10%, 0.005)).
fn assert_one_request_points_within_bounds(points: &[(f64, f64, f64, f64)]) {
    assert_points_within_bounds(1, points);
}

/// [`assert_one_request_points_within_bounds`] for workers of batch `batch`.
fn assert_points_within_bounds(batch: u32, points: &[(f64, f64, f64, f64)]) {
    assert_points_within_bounds_and_cost(batch, points, f64::INFINITY);
}

/// [`assert_points_within_bounds`], and each cost error (a fraction) below
/// `cost_error_below` in size.
fn assert_points_within_bounds_and_cost(
    batch: u32,
    points: &[(f64, f64, f64, f64)],
    cost_error_below: f64,
) {
    assert_points_within_bounds_over(batch, points, cost_error_below, 1);
}

/// [`assert_points_within_bounds_and_cost`] with `trials_factor` times the
/// grid's trials (for a point whose 16 trials of the test's seed happen to
/// read the simulation a few standard errors off).
fn assert_points_within_bounds_over(
    batch: u32,
    points: &[(f64, f64, f64, f64)],
    cost_error_below: f64,
    trials_factor: u64,
) {
    for &(lambda, keep_alive_s, cold_start_s, service_s) in points {
        let point = validation::GridPoint {
            lambda,
            keep_alive_s,
            cold_start_s,
            service_s,
            batch,
        };
        let (hours, trials) = validation::grid_budget(lambda);
        let a = validation::compare(&point, hours, trials * trials_factor, 11).unwrap();
        assert!(
            a.within_bounds() && a.cost_error().abs() < cost_error_below,
            "{point:?}: cost {:.2} vs {:.2} ({:+.2}% ± {:.2}%), cold share {:.4} vs {:.4}",
            a.fast_cost,
            a.event_cost,
            a.cost_error() * 100.0,
            a.cost_error_se * 100.0,
            a.fast_cold_share,
            a.event_cold_share
        );
    }
}

/// The grid's cost error carries its standard error: that of the mean of
/// the per-trial differences (fast path − simulation on the same trial's
/// traffic) over the simulated mean, here recomputed trial by trial.
#[test]
fn a_grid_points_cost_error_carries_the_standard_error_of_its_paired_differences() {
    let point = validation::GridPoint {
        lambda: 0.01,
        keep_alive_s: 60.0,
        cold_start_s: 30.0,
        service_s: 1.0,
        batch: 1,
    };
    let (hours, trials, seed) = (48, 6, 5);
    let a = validation::compare(&point, hours, trials, seed).unwrap();
    let s = breakeven::scenario::Scenario::parse(
        Path::new("grid.toml"),
        &validation::grid_scenario(&point, hours),
    )
    .unwrap();
    let mut traffic = breakeven::traffic::TrialTraffic::default();
    let mut cost = |trial, fidelity| {
        breakeven::engine::run_trial(&s, seed, trial, fidelity, &mut traffic).outcomes[0].cost_usd
    };
    let (mut differences, mut simulated) = (Vec::new(), 0.0);
    for trial in 0..trials {
        let event = cost(trial, breakeven::deploy::Fidelity::Request);
        differences.push(cost(trial, breakeven::deploy::Fidelity::Hourly) - event);
        simulated += event / trials as f64;
    }
    let (mean_difference, se) = mean_se(&differences);
    assert!((a.event_cost - simulated).abs() <= 1e-9 * simulated);
    assert!((a.cost_error() - mean_difference / simulated).abs() <= 1e-9);
    assert!(se > 0.0 && (a.cost_error_se - se / simulated).abs() <= 1e-9 * se / simulated);
}

/// Workers that serve one request at a time with a keep-alive no longer than
/// the service time: the fast path's closed form for the fleet (a request
/// finds no idle worker with probability e^(-2λT)(I0 + I1)(2λT)) agrees with
/// the simulation from sparse to busy hours. `docs/validation.md` has the
/// whole grid; 52 of these 54 points pass there.
#[test]
fn one_request_workers_with_short_keep_alive_meet_the_fast_path_bounds() {
    assert_one_request_points_within_bounds(&[
        (0.01, 60.0, 300.0, 60.0),
        (0.1, 5.0, 30.0, 10.0),
        (1.0, 5.0, 1.0, 60.0),
        (1.0, 60.0, 30.0, 60.0),
        (10.0, 5.0, 30.0, 10.0),
    ]);
}

/// Keep-alives longer than the service time: the fleet is the running
/// maximum of the occupancy over the keep-alive, from the Poisson scan
/// statistic, and a request cold-starts at the rate that maximum grows
/// with the keep-alive. Each of these points missed the bounds with the
/// level model (by 3.6% to 7.6% in cost in docs/validation.md).
#[test]
fn one_request_workers_with_long_keep_alive_meet_the_fast_path_bounds() {
    assert_one_request_points_within_bounds(&[
        (0.01, 600.0, 1.0, 60.0),
        (0.1, 60.0, 1.0, 10.0),
        (1.0, 60.0, 30.0, 10.0),
        (1.0, 600.0, 30.0, 60.0),
        (10.0, 5.0, 30.0, 1.0),
        (10.0, 60.0, 1.0, 10.0),
    ]);
}

/// One-request workers with a keep-alive no longer than the service and
/// long boots: the cold requests are those that found the pool out, so the
/// frees (the starts of one service earlier: the warm arrivals and the
/// boots ending) are steadier than Poisson and fewer requests find no
/// worker freed within the keep-alive (`frees_dispersion` in
/// `deploy/serverless.rs`). With Poisson frees these points read +3.8% and
/// +4.4% in cost in docs/validation.md.
#[test]
fn one_request_workers_frees_are_steadier_than_poisson() {
    assert_one_request_points_within_bounds(&[(1.0, 5.0, 300.0, 10.0), (10.0, 5.0, 300.0, 10.0)]);
}

/// One-request workers whose boots outlast the gaps between arrivals: a
/// request that finds no ready worker holds the one it boots for the whole
/// boot, so until the first boot is up every arrival boots its own, and
/// cold starts come in runs (`Fleet::cold_share_with_boots`). Priced as
/// if each request held its worker only its service, these points read
/// −13.9%, −5.7%, −6.6% and −3.7% in cost in docs/validation.md.
#[test]
fn one_request_workers_cold_start_in_runs_while_the_pool_is_empty() {
    assert_one_request_points_within_bounds(&[
        (0.1, 60.0, 300.0, 1.0),
        (0.01, 60.0, 300.0, 10.0),
        (1.0, 5.0, 300.0, 1.0),
        (0.1, 5.0, 30.0, 1.0),
    ]);
}

/// One-request workers whose boots are shorter than the keep-alive, in a
/// pool empty about half the time: the last worker idles the keep-alive
/// before the pool empties, so no boot began in it and those shorter than
/// it are all up as the pool empties (`empty_pool_s`'s quiet lag). Taking
/// the boots in flight as begun at any time, this point read −3.31% in
/// cost (cold share 0.5662 against 0.5977) in docs/validation.md.
#[test]
fn one_request_workers_boots_shorter_than_the_keep_alive_are_up_as_the_pool_empties() {
    assert_one_request_points_within_bounds(&[(0.01, 60.0, 30.0, 1.0)]);
}

/// One-request workers whose boots outlast the keep-alive in a pool that
/// never empties: the boots in flight (κC = 4.3 and 4.4 workers here) are
/// a slowly varying extra occupancy that makes "now is the window's
/// maximum" likelier, which the fast path takes as a walk beside the
/// occupancy (`BootWalkLevels::cold_share`). Without it these points read
/// −11.0% and −4.4% in cost (cold share 0.0111 against 0.0143 and 0.1351
/// against 0.1464) in docs/validation.md.
#[test]
fn one_request_workers_boots_in_flight_make_the_window_maximum_likelier() {
    assert_one_request_points_within_bounds(&[(1.0, 60.0, 300.0, 1.0), (0.1, 60.0, 300.0, 10.0)]);
}

/// Sparse hours of one-request workers with boots far longer than the
/// service: a request that comes while worker 1 boots or serves is turned
/// away to worker 2 for the whole boot, and so on up
/// (`Fleet::setup_loss_server`). With the occupancy model above worker 1
/// each of these points missed the bounds (cost −15.4%, −13.2%, −13.3%
/// and −7.7% three times, in docs/validation.md).
#[test]
fn sparse_one_request_workers_turn_away_arrivals_during_a_boot() {
    assert_one_request_points_within_bounds(&[
        (0.001, 5.0, 300.0, 1.0),
        (0.001, 60.0, 300.0, 1.0),
        (0.001, 60.0, 300.0, 10.0),
        (0.001, 600.0, 300.0, 1.0),
        (0.001, 600.0, 300.0, 10.0),
        (0.001, 600.0, 300.0, 60.0),
    ]);
}

/// The simulation starts its horizon as if the service had been running
/// before (a burn-in at the first hour's load). Started from one warm
/// worker instead, a fleet of many workers with 300 s boots and a 600 s
/// keep-alive is built up in a storm of cold starts, and in the grid's
/// trials of 24 hours each of these points missed the bounds (cost −8.6%,
/// −23.3%, −9.4% and −12.7%, in this order, in docs/validation.md), though
/// the fast path's steady state was right.
#[test]
fn the_horizon_starts_as_if_the_service_had_been_running() {
    assert_one_request_points_within_bounds(&[
        (1.0, 600.0, 300.0, 1.0),
        (10.0, 600.0, 300.0, 1.0),
        (10.0, 600.0, 300.0, 10.0),
    ]);
    assert_points_within_bounds(8, &[(10.0, 600.0, 300.0, 1.0)]);
}

/// Batching workers (8 requests each) whose keep-alive is shorter than the
/// service or close to it: a request stays on the worker that admitted it,
/// so a worker beyond the first is up for the holding time of the last
/// request it took when the workers below were full, then the keep-alive.
/// The fast path's running maximum looks back that much further than the
/// keep-alive. Looking back the keep-alive alone, each of these points
/// missed the bounds (cost −12.0%, −5.6%, −6.0%, −7.5% and +8.0%, cold
/// share up to 2.6 times the simulation's, in docs/validation.md).
#[test]
fn batching_workers_stay_up_for_the_requests_they_hold() {
    assert_points_within_bounds(
        8,
        &[
            (0.1, 5.0, 1.0, 60.0),
            (1.0, 5.0, 1.0, 10.0),
            (1.0, 5.0, 1.0, 60.0),
            (0.1, 60.0, 1.0, 60.0),
            (10.0, 5.0, 30.0, 10.0),
        ],
    );
}

/// Batching workers whose boot takes in more arrivals than a batch holds:
/// while worker 1 boots, the arrivals beyond its batch cold-start further
/// workers, one a batch, until the first boot is up
/// (`Fleet::spill_boots`). Without those boots each of these points
/// missed the bounds (cost −16.8%, −8.1% and −18.1%, cold share a third
/// of the simulation's, in docs/validation.md).
///
/// Over 64 trials (four times the grid's): with worker 1's storms
/// (`worker_one_storm`) the first point read +3.54% ± 0.82% on 16 trials
/// of this seed, whose simulation (100.26) is 2.9% below 64 trials of the
/// same seed (103.27, +0.56% ± 0.58%) and 3.1% below
/// `examples/storm_sim.rs` over 20,000 hours (4,309.6 worker-seconds an
/// hour with the billing unit, 103.43 for the grid's 24 hours; the fast
/// path 103.81). That is a 2.9 standard-error draw of seed 11, not a
/// bias: over 200 seeds (the review's `rev_seeds`) the 24-hour
/// simulation's mean is 0.3% below the long run. The grid's seed reads
/// +0.17% on 16.
#[test]
fn a_boot_that_outlasts_its_batch_cold_starts_more_workers() {
    assert_points_within_bounds_over(
        8,
        &[
            (0.1, 60.0, 300.0, 1.0),
            (0.1, 60.0, 300.0, 10.0),
            (1.0, 5.0, 30.0, 1.0),
        ],
        f64::INFINITY,
        4,
    );
}

/// Batching workers with long boots, beyond the first: a boot holds its
/// worker up past the episode that started it, and the level's next
/// up-crossings within that time find it up, so they start no cold start
/// (`boot_extended_level`); and the arrivals that join a boot are those
/// the ready workers below turn away (the Erlang loss formula). Counting
/// the boot on top of the level's share without the merging, each of
/// these points missed the bounds (cost +22.9%, +8.6% and +4.1%, in this
/// order, in docs/validation.md). The first passes on the cold share's
/// absolute allowance only (0.0148 against 0.0181 there).
#[test]
fn a_boot_keeps_its_worker_up_through_the_crossings_it_outlasts() {
    assert_points_within_bounds(
        8,
        &[
            (0.1, 60.0, 300.0, 60.0),
            (1.0, 5.0, 30.0, 10.0),
            (1.0, 60.0, 300.0, 60.0),
        ],
    );
}

/// Batching workers whose boot's batch fills them once up: the requests
/// that waited for the boot hold its slots together for a service, and
/// the arrivals then that find them all taken boot another worker
/// (`boot_batch_overflow`). Without those boots this point missed the
/// bounds in docs/validation.md (cost −3.3%, cold share 0.1351 against
/// 0.1420) and reads −3.0% and 0.1352 against 0.1414 on this seed; with
/// them +0.1% and 0.1414, held here to 1.5% and 3%.
#[test]
fn a_boots_batch_fills_its_worker_and_boots_another() {
    let point = validation::GridPoint {
        lambda: 0.1,
        keep_alive_s: 5.0,
        cold_start_s: 30.0,
        service_s: 10.0,
        batch: 8,
    };
    let (hours, trials) = validation::grid_budget(point.lambda);
    let a = validation::compare(&point, hours, trials, 11).unwrap();
    assert!(
        a.cost_error().abs() <= 0.015
            && (a.fast_cold_share / a.event_cold_share - 1.0).abs() <= 0.03,
        "cost {:.2} vs {:.2}, cold share {:.4} vs {:.4}",
        a.fast_cost,
        a.event_cost,
        a.fast_cold_share,
        a.event_cold_share
    );
}

/// Batching workers whose boots take in more arrivals than a batch holds,
/// at a worker beyond the first: the arrivals its batch has no room for
/// start further boots, as worker 1's spill does, where the next worker
/// is down; and the requests that wait on an overflowing boot are held
/// by the storm's boots, not in the holding time's step. Without that
/// storm, each of these points missed the bounds (cost +7.7% and −4.4%
/// in docs/validation.md; before the merged crossings, +15.5% and a pass
/// at −2.95%).
#[test]
fn a_boot_beyond_the_first_worker_spills_its_overflow_onto_further_boots() {
    assert_points_within_bounds(8, &[(0.1, 5.0, 300.0, 1.0), (10.0, 60.0, 300.0, 1.0)]);
}

/// On `steady-100m` (Poisson traffic within each hour, many cold starts) and
/// `spiky-100m` (on/off stretches that start and stop mid-hour, priced piece
/// by piece) the fast path's mean serverless cost agrees with the
/// request-level simulation on the same 16 trials within 1%, and its cold
/// starts within 3% (over docs/validation.md's 40 trials they read +0.2%
/// and +0.7%, and +1.3% and +2.0%).
/// docs/validation.md has every bundled scenario.
#[test]
fn bundled_scenarios_without_minute_variation_price_serverless_as_the_simulation_does() {
    for name in ["steady-100m", "spiky-100m"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.toml"));
        let s = breakeven::scenario::Scenario::load(&path).unwrap();
        let compared = validation::compare_fidelities(&s, 16, 42, &|_| {}).unwrap();
        assert_eq!(compared.len(), 1);
        let c = &compared[0];
        let [hourly, _, request] = c.cost_usd;
        assert!(
            (hourly / request - 1.0).abs() <= 0.01
                && (c.cold_starts[0] / c.cold_starts[2] - 1.0).abs() <= 0.03,
            "{name}: hourly {hourly:.1} vs request {request:.1} (± {:.1}), cold starts {:?}",
            c.hourly_minus_request_se_usd,
            c.cold_starts
        );
    }
}

/// `spiky-100m` with keep-alives from ten minutes to days, on the same 16
/// trials: `auto` (the default) prices serverless within 3% of the
/// request-level simulation, and so does `hourly` up to an hour's
/// keep-alive (within 6% beyond: it does not carry a fleet's last
/// keep-alive from an hour with traffic into the idle hours after it).
/// Read: 600 s, +0.5% (`hourly` +1.0%); 1,800 s, +0.1% (+0.3%); 3,600 s,
/// −0.5% (−0.9%); 10⁷ s, −2.6% (−5.4%). Before, `auto` read +3.2%, +7.9%
/// and +14.0% at the first three: a simulated hour after a fast one
/// took over a worker whose last request was a random gap before the
/// hour's end, though the traffic had stopped mid-hour, and the fast hour
/// had billed that worker's keep-alive already. And `hourly` billed each
/// worker left idle at a step down its whole keep-alive: $415,254 a month
/// against the simulation's $1,493 on these trials with a keep-alive of
/// 10⁷ s (`auto` $289,267). `auto` at 10⁷ s is the closest to its bound:
/// the take-over brings one warm worker, and the step's other idle workers
/// stop at the hour's end.
#[test]
fn long_keep_alives_after_bursts_price_as_the_simulation_does() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/spiky-100m.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    for (keep_alive_s, hourly_bound) in
        [("600", 0.03), ("1800", 0.03), ("3600", 0.03), ("1e7", 0.06)]
    {
        let edited = text.replace(
            "keep_alive_s = 60\n",
            &format!("keep_alive_s = {keep_alive_s}\n"),
        );
        assert_ne!(edited, text);
        let s = breakeven::scenario::Scenario::parse(&path, &edited).unwrap();
        let c = &validation::compare_fidelities(&s, 16, 42, &|_| {}).unwrap()[0];
        let [hourly, auto, request] = c.cost_usd;
        assert!(
            (auto / request - 1.0).abs() <= 0.03 && (hourly / request - 1.0).abs() <= hourly_bound,
            "keep-alive {keep_alive_s} s: hourly {hourly:.1}, auto {auto:.1}, request {request:.1}"
        );
    }
}

/// A serverless fleet capped far below its load (`steady-1b` at 20 times
/// its volume on one worker, over a day, 8 trials): the simulation counts
/// the requests still queued at the end as waiting (until the work ahead
/// of them is done) and bills their work, as the fast path's backlog does,
/// so the two agree: cost +0.5% (paired standard error 0.2%), 98.1% of
/// requests waited in both. Before, the simulation dropped them: $143
/// against the fast path's $341, and 39.4% waited against 98.1%.
#[test]
fn an_overloaded_fleet_bills_and_counts_its_queue_as_the_fast_path_does() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/steady-1b.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    for (from, to) in [
        ("max_workers = 4\n", "max_workers = 1\n"),
        ("tokens_per_month = 1e9 ", "tokens_per_month = 2e10 "),
        ("horizon_hours = 720", "horizon_hours = 24"),
    ] {
        assert!(text.contains(from), "{from}");
        text = text.replace(from, to);
    }
    let s = breakeven::scenario::Scenario::parse(&path, &text).unwrap();
    let c = &validation::compare_fidelities(&s, 8, 42, &|_| {}).unwrap()[0];
    let [hourly, _, request] = c.cost_usd;
    let (fast, event) = (c.waited[0] / c.requests, c.waited[2] / c.requests);
    assert!(
        (hourly / request - 1.0).abs() <= 0.03 && (fast - event).abs() <= (0.1 * event).max(0.005),
        "hourly {hourly:.1} vs request {request:.1}, waited {fast:.3} vs {event:.3}"
    );
}

/// A batching fleet at constant rates where a second (λ = 2.8/s) and a
/// third (λ = 5/s) worker turn on: the fast path's cold starts, which come
/// from the running maximum of occupancy for the workers beyond the first,
/// are within max(25%, 3 standard errors) of the simulation's over 60
/// hours, and its billed workers within 4%: 7.6 cold starts an hour against
/// 8.6 ± 0.3 at 2.8/s and 7.4 against 7.4 ± 0.3 at 5/s, workers +3.2% and
/// −1.9%. (The level model, which billed
/// those workers before, gave 2.3 cold starts an hour against 8.6 at 2.8/s
/// and 15.6 against 7.2 at 5/s, and +5.2% workers at 2.8/s. At 2.4/s and
/// 8/s the fast path reads −7.9% and +5.1%: docs/validation.md.)
///
/// The same at 5/s with a 10 s keep-alive, shorter than the ~19.5 s a
/// request holds its slot, where the running maximum over a window shorter
/// than the holding time is the reflection sum of `scan::WindowScan`
/// (8.3 cold starts an hour against 9.6 ± 0.4, workers −2.1%; before, the
/// level model priced these workers: 22.1 cold starts an
/// hour against the simulation's 9.6, and −5.1% workers). At 2.8/s with
/// that keep-alive both laws bill 15% more workers than the simulation
/// (1.99 against 1.73: the packed model keeps the second worker on nearly
/// all the time): not asserted.
#[test]
fn workers_beyond_the_first_turn_on_and_off_as_in_the_simulation() {
    use breakeven::deploy::serverless::Fleet;
    use breakeven::traffic::HourLoad;
    // Batch cap 61; 1,088 input and 285 output tokens a request (exponential).
    let curve = BatchCurve::new(50.0, 2000.0, 8000.0, Some(0.05), Some(128));
    assert_eq!(curve.batch_cap, 61.0);
    let (input, output, hours) = (1088.0, 285.0, 60.0);
    for (keep_alive_s, lambda, seed) in [(60.0, 2.8, 31), (60.0, 5.0, 37), (10.0, 5.0, 41)] {
        let fleet = Fleet {
            curve,
            cold_start_s: 40.0,
            cold_start_cv: 0.5,
            keep_alive_s,
            min_workers: 0,
            max_workers: 16,
            billing_unit_s: 1.0,
            bill_cold_start: true,
        };
        let fast = fleet.hour(&HourLoad {
            requests: lambda * 3600.0,
            input_tokens: lambda * 3600.0 * input,
            output_tokens: lambda * 3600.0 * output,
        });
        let mut pool = Pool::new(
            PoolConfig {
                curve,
                cold_start_s: 40.0,
                cold_start_cv: 0.5,
                keep_alive_s,
                pinned_workers: 0,
                max_workers: 16,
                billing_unit_s: 1.0,
                bill_cold_start: true,
            },
            0.0,
        );
        let mut rng = TrialRng::seed_from_u64(seed);
        let exp = Exp::new(1.0).unwrap();
        // Cold starts in each 6-hour stretch, for their standard error.
        let mut colds = Vec::new();
        let (mut t, mut next, mut last) = (0.0, 6.0 * 3600.0, 0.0);
        let end = hours * 3600.0;
        loop {
            t += exp.sample(&mut rng) / lambda;
            while t >= next && next <= end {
                pool.advance_to(next);
                colds.push((pool.stats.cold_starts - last) / 6.0);
                last = pool.stats.cold_starts;
                next += 6.0 * 3600.0;
            }
            if t >= end {
                break;
            }
            let (i, o) = (exp.sample(&mut rng) * input, exp.sample(&mut rng) * output);
            pool.arrive(
                Arrival {
                    time_s: t,
                    input_tokens: i,
                    output_tokens: o,
                },
                &mut rng,
            );
        }
        pool.finish(end);
        let (sim_cold, se) = mean_se(&colds);
        let (fast_workers, sim_workers) =
            (fast.flex_worker_s / 3600.0, pool.stats.flex_worker_s / end);
        assert!(
            (fast.cold_starts - sim_cold).abs() <= (0.25 * sim_cold).max(3.0 * se)
                && (fast_workers / sim_workers - 1.0).abs() <= 0.04,
            "λ {lambda}, keep-alive {keep_alive_s} s: cold starts an hour {:.1} vs \
             {sim_cold:.1} ± {se:.1}, workers {fast_workers:.3} vs {sim_workers:.3}",
            fast.cold_starts
        );
    }
}

/// `steady-10b` over one week on 16 trials (Poisson traffic within each
/// hour, a fleet of one to four batching workers, often near a worker's
/// capacity): the fast path's mean serverless cost agrees with the
/// simulation within 3%, and its cold starts within max(10%, 3 standard
/// errors of the mean paired difference): +0.7% (paired standard error
/// 0.3%), and 454 cold starts against 444 (± 21). With the spread holding
/// time and the level model for every worker it read −7.2%, with 384 cold
/// starts; with the running maximum over the keep-alive alone (not the
/// last request's holding time too), +0.7% with 491 cold starts.
#[test]
fn a_batching_fleet_near_a_workers_capacity_prices_as_the_simulation_does() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/steady-10b.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("horizon_hours = 720", "horizon_hours = 168");
    let s = breakeven::scenario::Scenario::parse(&path, &text).unwrap();
    let c = &validation::compare_fidelities(&s, 16, 42, &|_| {}).unwrap()[0];
    let [hourly, _, request] = c.cost_usd;
    let (fast_cold, event_cold) = (c.cold_starts[0], c.cold_starts[2]);
    assert!(
        (hourly / request - 1.0).abs() <= 0.03
            && (fast_cold - event_cold).abs()
                <= (0.1 * event_cold).max(3.0 * c.cold_starts_hourly_minus_request_se),
        "hourly {hourly:.1} vs request {request:.1} (± {:.1}), cold starts {:?} (± {:.1})",
        c.hourly_minus_request_se_usd,
        c.cold_starts,
        c.cold_starts_hourly_minus_request_se
    );
}

/// Traffic whose rate varies from minute to minute, over one week on 16
/// trials: the fast path (which prices the minutes the simulation plays,
/// with the noise a fleet can follow, and the overflow it queues) agrees
/// with the request-level simulation within the bounds: mean
/// serverless cost within 3%, cold-start share within max(10%, 0.005),
/// and the same bound for the share of requests that waited (on a boot or
/// in the queue beyond `max_workers`); cold-start counts within max(10%,
/// 3 standard errors of the mean paired difference), except where noted.
/// - `spiky-10b` (`spiky-tenant`: on/off stretches, 5× spikes, minute CV
///   0.5, dense): +0.5% (paired standard error 0.8%); 30.6% of requests
///   waited against 32.5%. Before minute variation, queued overflow and
///   boot joiners were modelled: −28.0%, 553 cold starts against 1,924,
///   and 0.3% waited against 33.5% (10 trials over a month).
/// - `steady-100m` with the `business-hours` shape (minute CV 0.3, about two
///   requests a minute): +1.5%, 23.4% waited against 24.3%; pricing each
///   minute's noise in full read +5.6% over a month. (Ignoring the noise
///   would pass here too, at +1.0%; the next case is the one it fails.)
/// - `steady-10b` at 3B tokens with the `business-hours` shape (about 50
///   requests a minute): −1.0%; without minute variation −5.6%. Its cold
///   starts miss the count bound: 203 against 237, −14%, 3.6 standard errors
///   of the paired difference (9.4). That count is not asserted here; its
///   share (0.040% against 0.046%) is, as the issue bounds it. (The bound
///   used a single count's Poisson error, √237, before, which passed it.)
///   Its waited share (1.29% against 0.84%) is the closest to its bound.
#[test]
fn minute_to_minute_variation_prices_serverless_as_the_simulation_does() {
    /// A scenario, the edits to its text, and whether its cold-start
    /// count is held.
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], bool);
    let cases: [Case; 3] = [
        ("spiky-10b", &[], true),
        (
            "steady-100m",
            &[("daily_profile = \"consumer\"", "shape = \"business-hours\"")],
            true,
        ),
        (
            "steady-10b",
            &[
                ("daily_profile = \"consumer\"", "shape = \"business-hours\""),
                (
                    "tokens_per_month = \"7e9 to 14e9\"",
                    "tokens_per_month = 3e9",
                ),
            ],
            false,
        ),
    ];
    for (name, edits, counts_held) in cases {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.toml"));
        let mut text = std::fs::read_to_string(&path).unwrap();
        for (from, to) in edits
            .iter()
            .chain(&[("horizon_hours = 720", "horizon_hours = 168")])
        {
            assert!(text.contains(from), "{name}: {from}");
            text = text.replace(from, to);
        }
        let s = breakeven::scenario::Scenario::parse(&path, &text).unwrap();
        let c = &validation::compare_fidelities(&s, 16, 42, &|_| {}).unwrap()[0];
        let [hourly, _, request] = c.cost_usd;
        let share = |count: f64| count / c.requests;
        let close = |fast: f64, event: f64| (fast - event).abs() <= (0.1 * event).max(0.005);
        // The share's 0.005 floor is loose for dense traffic (a cold-start
        // share of 0.001), so the counts are held too: within 10% or three
        // standard errors of the mean paired difference.
        let (fast_cold, event_cold) = (c.cold_starts[0], c.cold_starts[2]);
        assert!(
            (hourly / request - 1.0).abs() <= 0.03
                && close(share(fast_cold), share(event_cold))
                && (!counts_held
                    || (fast_cold - event_cold).abs()
                        <= (0.1 * event_cold).max(3.0 * c.cold_starts_hourly_minus_request_se))
                && close(share(c.waited[0]), share(c.waited[2])),
            "{name} {edits:?}: hourly {hourly:.1} vs request {request:.1} (± {:.1}), \
             cold starts {:?} (± {:.1}), waited {:?}, of {:.0} requests",
            c.hourly_minus_request_se_usd,
            c.cold_starts,
            c.cold_starts_hourly_minus_request_se,
            c.waited,
            c.requests
        );
    }
}

/// Waited share and p50 / p95 of the waits of deployment `index` over
/// `trials` trials of `s` at `fidelity`.
fn dedicated_waits(
    s: &breakeven::Scenario,
    index: usize,
    trials: u64,
    fidelity: breakeven::deploy::Fidelity,
) -> (f64, f64, f64) {
    let mut hours = breakeven::traffic::TrialTraffic::default();
    let (mut waited, mut requests) = (0.0, 0.0);
    let mut waits = breakeven::sim::WaitHistogram::default();
    for trial in 0..trials {
        let r = breakeven::engine::run_trial(s, s.run.seed, trial, fidelity, &mut hours);
        let o = &r.outcomes[index];
        waited += o.queue_waits;
        requests += o.requests;
        waits.merge(&o.waits);
    }
    (waited / requests, waits.quantile(0.5), waits.quantile(0.95))
}

/// A dedicated fleet's queue on the fast path (`hourly`) against the
/// simulation, 6 trials of a week each (the fast path's figures, then the
/// simulation's: share of requests that wait, p50 and p95 of their waits):
/// - one 8-slot replica at 78% of its capacity, chance queueing within the
///   hour (the birth-death chain of packed slots, Allen–Cunneen waits):
///   34.1%, 3.8 s, 16.6 s against 31.4%, 3.2 s, 14.8 s;
/// - the same with `minute_cv = 0.3`, whose busiest minutes pass the
///   capacity (the fluid queue, and the diffusion at capacity): 57.4%,
///   9.4 s, 29.8 s against 47.4%, 7.8 s, 41.6 s;
/// - three 32-slot replicas loaded past theirs in the busiest hours (the
///   fluid queue across minutes and hours): 100%, 5,266 s, 10,069 s
///   against 99.98%, 5,270 s, 10,074 s;
/// - one 8-slot replica at twice its capacity with `overflow_to` an API,
///   so at capacity all week (the diffusion, growing with the time
///   there): 56.2%, 480 s, 1,732 s against 55.9%, 305 s, 1,000 s. The
///   waits at capacity read long (+37% and +45% at p50 and p99 against
///   20 trials of the simulation, docs/validation.md).
///
/// Each bound holds the error measured with some room. Before, the fast
/// path reported no queue at all; and, during this change, a wait a
/// millionth below capacity was days long (`queue::tests`).
#[test]
fn a_dedicated_fleets_queue_on_the_fast_path_follows_the_simulation() {
    use breakeven::deploy::Fidelity;
    let text = |volume: &str, replicas: u32, max_tps: u32, cap: u32, extra: &str| {
        format!(
            "name = \"queue\"\n[run]\nseed = 11\nhorizon_hours = 168\n\
             [traffic]\ntokens_per_month = {volume}\ndaily_profile = \"flat\"\n\
             weekly_profile = \"flat\"\ninput_tokens = \"200 to 3000\"\n\
             output_tokens = \"50 to 800\"\n{extra}\
             [deployment.api]\nkind = \"api\"\nusd_per_mtok = 0.7\n\
             [deployment.ded]\nkind = \"dedicated\"\ngpu_hour_usd = 2\n\
             gpus_per_replica = 1\nreplicas = {replicas}\nsingle_stream_tps = 50\n\
             max_tps = {max_tps}\nprefill_tps = 8000\nmax_batch = {cap}\n"
        )
    };
    // Extra traffic and deployment lines, and bounds on the share that
    // waits, its p50 and its p95 (relative).
    for (volume, replicas, max_tps, cap, (traffic, deployment), bounds) in [
        ("2.2e9", 1, 600, 8, ("", ""), [0.15, 0.25, 0.25]),
        (
            "2.2e9",
            1,
            600,
            8,
            ("minute_cv = 0.3\n", ""),
            [0.25, 0.25, 0.3],
        ),
        ("24e9", 3, 2000, 32, ("", ""), [0.02, 0.02, 0.02]),
        (
            "5e9",
            1,
            600,
            8,
            ("", "overflow_to = \"api\"\n"),
            [0.02, 0.7, 0.8],
        ),
    ] {
        let toml = text(volume, replicas, max_tps, cap, traffic) + deployment;
        let s = breakeven::Scenario::parse(Path::new("queue.toml"), &toml).unwrap();
        let fast = dedicated_waits(&s, 1, 6, Fidelity::Hourly);
        let event = dedicated_waits(&s, 1, 6, Fidelity::Request);
        eprintln!("{volume} {traffic:?} {deployment:?}: hourly {fast:?}, request {event:?}");
        assert!(event.0 > 0.3, "{event:?}");
        let errors = [fast.0 / event.0, fast.1 / event.1, fast.2 / event.2].map(|r| r - 1.0);
        for (error, bound) in errors.iter().zip(bounds) {
            assert!(error.abs() <= bound, "{fast:?} vs {event:?}");
        }
    }
}

/// One-request workers capped at `max_workers`: a request that finds no
/// ready worker and `max_workers` alive waits in the queue for one to free
/// instead of booting, in the empty pool's runs of cold starts and in the
/// busy pool alike (`Fleet::capped_cold_share`), and the queued work runs
/// on the capped workers. Over 48 hours, 6 trials (seed 11), cost within
/// 6% and the cold share within 20% (or 0.003). Before, these read +30.3%,
/// +36.7%, +48.4%, +48.7% and +39.2% in cost (seed 7) with cold shares of
/// 0.0737, 0.8858, 0.1667, 0.6933 and 0.0320 against the simulation's
/// 0.0502, 0.4593, 0.0030, 0.0312 and 0 (the last overloaded: 10
/// erlangs on 8 workers).
#[test]
fn a_capped_one_request_fleet_queues_instead_of_booting() {
    for &(lambda, keep_alive_s, cold_start_s, service_s, most) in &[
        (0.1, 60.0, 300.0, 1.0, 4),
        (0.01, 5.0, 300.0, 1.0, 2),
        (1.0, 5.0, 300.0, 1.0, 2),
        (0.1, 5.0, 300.0, 10.0, 2),
        (1.0, 60.0, 300.0, 10.0, 8),
    ] {
        let point = validation::GridPoint {
            lambda,
            keep_alive_s,
            cold_start_s,
            service_s,
            batch: 1,
        };
        let text = validation::grid_scenario(&point, 48)
            .replace("max_batch", &format!("max_workers = {most}\nmax_batch"));
        let s = breakeven::scenario::Scenario::parse(Path::new("capped.toml"), &text).unwrap();
        let c = &validation::compare_fidelities(&s, 6, 11, &|_| {}).unwrap()[0];
        let [hourly, _, request] = c.cost_usd;
        let (fast, event) = (c.cold_starts[0] / c.requests, c.cold_starts[2] / c.requests);
        assert!(
            (hourly / request - 1.0).abs() <= 0.06
                && (fast - event).abs() <= (0.2 * event).max(0.003),
            "{point:?} max_workers {most}: cost {hourly:.2} vs {request:.2}, cold share {fast:.4} vs {event:.4}"
        );
    }
}

/// A worker beyond the first stays down until an arrival finds the ready
/// workers below it full, at the holding time of the waits on their own
/// boots alone: nobody waits on its boot while it is down. With every
/// boot's waits in that holding time (the parent), its down spells were
/// half the simulation's and these points read +3.05% and +3.31% in
/// docs/validation.md; within 2% now (grid seed: −0.65% and −0.82%).
#[test]
fn a_level_beyond_the_first_stays_down_until_the_workers_below_fill() {
    assert_points_within_bounds_and_cost(
        8,
        &[(1.0, 60.0, 300.0, 10.0), (10.0, 5.0, 30.0, 1.0)],
        0.02,
    );
}

/// The simulation's billed worker-seconds and cold starts an hour (each a
/// mean and its standard error over `runs` independent runs of `hours`
/// hours, after an hour's burn-in) for a one-request fleet with Poisson
/// arrivals at `lambda`/s of `service_s` seconds each, keep-alive
/// `keep_alive_s`, boots of mean `cold_start_s` and CV `cv` (gamma).
fn one_request_sim_hour(
    lambda: f64,
    keep_alive_s: f64,
    cold_start_s: f64,
    service_s: f64,
    cv: f64,
    (runs, hours): (u64, f64),
) -> ((f64, f64), (f64, f64)) {
    let (mut bills, mut colds) = (Vec::new(), Vec::new());
    for run in 0..runs {
        let cfg = PoolConfig {
            // 100 output tokens of `service_s / 100` s each.
            curve: one_request_per_worker(service_s / 100.0),
            cold_start_s,
            cold_start_cv: cv,
            keep_alive_s,
            pinned_workers: 0,
            max_workers: u32::MAX,
            billing_unit_s: 1e-9,
            bill_cold_start: true,
        };
        let mut pool = Pool::new(cfg, 0.0);
        let mut rng = TrialRng::seed_from_u64(1_000 + run);
        let (start, end) = (3600.0, 3600.0 * (1.0 + hours));
        let mut t = 0.0;
        let mut measuring = false;
        loop {
            t += Distribution::<f64>::sample(&Exp1, &mut rng) / lambda;
            if !measuring && t >= start {
                pool.measure_from(start);
                measuring = true;
            }
            if t >= end {
                break;
            }
            let a = Arrival {
                time_s: t,
                input_tokens: 0.0,
                output_tokens: 100.0,
            };
            pool.arrive(a, &mut rng);
        }
        pool.finish(end);
        bills.push(pool.stats.flex_worker_s / hours);
        colds.push(pool.stats.cold_starts / hours);
    }
    (mean_se(&bills), mean_se(&colds))
}

/// A one-request fleet's sparse hour priced at a rate (`Fleet::hour_at`
/// with no count, as a run of a stepping hour is): the parent priced its
/// workers above the first by the occupancy of slots held for the service
/// and boot waits, whose on-spells are the overlap of held slots, not the
/// boot, service and keep-alive a cold-started worker is billed: 2,063
/// worker-seconds and 9.74 cold starts an hour at 0.003 requests/s (T 1 s,
/// C 300 s, S 0.5 s, boot CV 0.3), and 1,862 worker-seconds at 0.002/s
/// (T 60 s, S 5 s), where this simulation (4,000 hours) reads 3,249 ± 15
/// and 10.77 ± 0.05, and 2,375 ± 14. Now the stationary model at the rate
/// (3,247 and 10.77; 2,373 and 6.43 against 6.44 ± 0.04): within three
/// standard errors.
#[test]
fn a_sparse_one_request_hour_at_a_rate_prices_as_the_simulation_does() {
    for (lambda, t, c, s) in [(0.003, 1.0, 300.0, 0.5), (0.002, 60.0, 300.0, 5.0)] {
        let ((bill, bill_se), (cold, cold_se)) =
            one_request_sim_hour(lambda, t, c, s, 0.3, (40, 100.0));
        let mut curve = one_request_per_worker(s / 100.0);
        curve.batch_cap = 1.0;
        let fleet = breakeven::deploy::serverless::Fleet {
            curve,
            cold_start_s: c,
            cold_start_cv: 0.3,
            keep_alive_s: t,
            min_workers: 0,
            max_workers: u32::MAX,
            billing_unit_s: 1e-9,
            bill_cold_start: true,
        };
        let fast = fleet.hour_at(lambda, s, None);
        assert!(
            (fast.flex_worker_s - bill).abs() < 3.0 * bill_se
                && (fast.cold_starts - cold).abs() < 3.0 * cold_se,
            "λ {lambda} T {t} C {c} S {s}: bill {:.1} vs {bill:.1} ± {bill_se:.1}, \
             cold starts {:.3} vs {cold:.3} ± {cold_se:.3}",
            fast.flex_worker_s,
            fast.cold_starts
        );
    }
}

/// Batching workers with a short keep-alive and long boots where boots
/// overlap and come up full: the ready-worker pipeline's wanted count is
/// the settled workers' (the busiest occupancy over `S + T` of the
/// requests that do not wait), its waits Erlang's loss at the settled
/// count. With every ready worker's count in its place (the parent) these
/// missed: cost −12.5%, −5.7% and −7.4% (cold share 0.0051 against
/// 0.0061, 0.0029 against 0.0047, 0.0106 against 0.0135).
#[test]
fn overlapping_boots_refill_the_settled_workers() {
    assert_points_within_bounds(
        8,
        &[
            (10.0, 5.0, 300.0, 10.0),
            (10.0, 5.0, 300.0, 60.0),
            (1.0, 5.0, 300.0, 60.0),
        ],
    );
}

/// The storm of long boots and a short keep-alive at λ = 1/s, S = 10 s
/// (T = 5 s, C = 300 s, b = 8): the settled pipeline's caught-up boots idle
/// out their keep-alive only where its count has caught up. With them spread
/// over every state (the parent) the cost missed: −4.74% (cold share 0.0198
/// against 0.0204).
#[test]
fn caught_up_boots_idle_where_the_count_caught_up() {
    assert_points_within_bounds(8, &[(1.0, 5.0, 300.0, 10.0)]);
}
