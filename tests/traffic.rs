//! Traffic: regimes keep their stated statistics and the volume, traces
//! replay as recorded and scale as asked, and fits reproduce the traces in
//! `../shared/data/traces` within the stated bounds.

use std::path::{Path, PathBuf};

use breakeven::Scenario;
use breakeven::deploy::{Fidelity, TrialContext};
use breakeven::engine;
use breakeven::traffic::TrialTraffic;
use breakeven::traffic::fit::fit;
use breakeven::traffic::trace::Trace;

fn traces() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/traces")
}

fn scenario(dir: &Path, traffic: &str) -> Scenario {
    let text = format!(
        "[run]\nhorizon_hours = 720\n\n[traffic]\n{traffic}\n\n\
         [deployment.api]\nkind = \"api\"\nusd_per_mtok = 1.0\n"
    );
    let path = dir.join("s.toml");
    std::fs::write(&path, text).unwrap();
    Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// A spiky pattern with 20-minute active stretches: the chain idles in the
/// stated share of time and its stretches last as stated (time-average and
/// stretch-mean tolerances from their Monte Carlo standard errors).
#[test]
fn regime_keeps_idle_share_and_stretch_length() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = scenario(
        dir.path(),
        "requests_per_month = 1e6\npattern = \"spiky\"\nidle_share = 0.6\nburst_hours = 0.3333\n\
         input_tokens = 100\noutput_tokens = 100",
    );
    s.run.horizon_hours = 20_000;
    let p = engine::draw_params(&s, 3, 0);
    let mut draw = TrialTraffic::default();
    engine::draw_traffic(&s, 3, 0, &p, &mut draw);
    let end = s.run.horizon_hours as f64 * 3600.0;
    let (mut idle, mut active_runs, mut active_time) = (0.0, 0usize, 0.0);
    for (i, st) in draw.steps.iter().enumerate() {
        let until = draw.steps.get(i + 1).map_or(end, |n| n.start_s);
        let len = until - st.start_s;
        if st.multiplier == 0.0 {
            idle += len;
        } else if i > 0 && until < end {
            // Whole stretches only (not cut by the horizon's ends).
            active_runs += 1;
            active_time += len;
        }
    }
    let share = idle / end;
    // Two-state chain: Var(time average) ~ 2 p (1 - p) tau / T, tau = 1/(a + b).
    let (on_s, off_s) = (0.3333 * 3600.0, 0.3333 * 3600.0 * 0.6 / 0.4);
    let tau = 1.0 / (1.0 / on_s + 1.0 / off_s);
    let se = (2.0 * 0.6 * 0.4 * tau / end).sqrt();
    assert!(
        (share - 0.6).abs() < 4.0 * se,
        "idle share {share} vs 0.6 (se {se})"
    );
    let mean_stretch = active_time / active_runs as f64;
    let se = on_s / (active_runs as f64).sqrt(); // exponential: sd = mean
    assert!(
        (mean_stretch - on_s).abs() < 4.0 * se,
        "stretch {mean_stretch} s vs {on_s} s (se {se})"
    );
}

/// Spikes and idle stretches keep the monthly volume: the mean hourly count
/// over many trials is the stated level, within 4 standard errors.
#[test]
fn spikes_and_idle_keep_the_volume() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario(
        dir.path(),
        "requests_per_month = 72000\nshape = \"spiky-tenant\"\ninput_tokens = 100\n\
         output_tokens = 100",
    );
    let mut draw = TrialTraffic::default();
    let totals: Vec<f64> = (0..400)
        .map(|t| {
            let p = engine::draw_params(&s, 11, t);
            engine::draw_traffic(&s, 11, t, &p, &mut draw);
            draw.hours.iter().map(|h| h.requests).sum::<f64>()
        })
        .collect();
    let n = totals.len() as f64;
    let mean = totals.iter().sum::<f64>() / n;
    let sd = (totals.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let se = sd / n.sqrt();
    assert!(
        (mean - 72000.0).abs() < 4.0 * se,
        "mean month {mean} vs 72000 (se {se})"
    );
}

/// The Azure chat trace replayed at its own volume gives each hour exactly
/// the recorded requests of that hour of the looped trace; at twice the
/// volume exactly twice; at 1.5 times, 1.5 times on average. The arrivals
/// the request-level simulation sees match the hour's count.
#[test]
fn azure_trace_replays_and_scales() {
    let dir = tempfile::tempdir().unwrap();
    let trace_path = traces().join("AzureLLMInferenceTrace_conv.csv");
    let trace = Trace::load(&trace_path, None).unwrap();
    let rel = trace_path.to_str().unwrap();
    let s = scenario(dir.path(), &format!("trace = \"{rel}\""));
    let p = engine::draw_params(&s, 1, 0);
    let mut draw = TrialTraffic::default();
    engine::draw_traffic(&s, 1, 0, &p, &mut draw);
    for (h, load) in draw.hours.iter().enumerate().take(50) {
        let span = trace.span(h as f64 * 3600.0, (h + 1) as f64 * 3600.0);
        assert_eq!(load.requests, span.requests, "hour {h}");
        let (i, o) = span.tokens.unwrap();
        assert!((load.input_tokens - i).abs() < 1e-6 && (load.output_tokens - o).abs() < 1e-6);
    }
    let recorded_tokens_per_month = {
        let (i, o) = trace.tokens_per_request().unwrap();
        trace.requests_per_hour() * 720.0 * (i + o)
    };
    for factor in [2.0, 1.5] {
        let s = scenario(
            dir.path(),
            &format!(
                "trace = \"{rel}\"\ntokens_per_month = {}",
                recorded_tokens_per_month * factor
            ),
        );
        let p = engine::draw_params(&s, 1, 0);
        engine::draw_traffic(&s, 1, 0, &p, &mut draw);
        let got: f64 = draw.hours.iter().map(|h| h.requests).sum();
        let recorded: f64 = (0..720)
            .map(|h| {
                trace
                    .span(h as f64 * 3600.0, (h + 1) as f64 * 3600.0)
                    .requests
            })
            .sum();
        // Extra copies are Binomial(n, 0.5) per hour: sd sqrt(n / 4) in all.
        let se = (recorded * 0.25).sqrt();
        assert!(
            (got - factor * recorded).abs() <= 4.0 * se + 1e-6,
            "x{factor}: {got} vs {}",
            factor * recorded
        );
        let ctx = TrialContext {
            seed: 1,
            trial: 0,
            traffic: &s.traffic,
            draw: &draw,
            params: &p,
            fidelity: Fidelity::Request,
        };
        let mut arrivals = Vec::new();
        for h in [0usize, 7, 500] {
            ctx.arrivals(h, &draw.hours[h], &mut arrivals);
            assert_eq!(arrivals.len() as f64, draw.hours[h].requests, "hour {h}");
            let a = h as f64 * 3600.0;
            assert!(
                arrivals
                    .iter()
                    .all(|x| x.time_s >= a && x.time_s < a + 3600.0)
            );
            let tokens: f64 = arrivals.iter().map(|x| x.output_tokens).sum();
            assert!((tokens - draw.hours[h].output_tokens).abs() < 1e-6 * tokens.max(1.0));
        }
    }
}

/// The minute weights the simulation's take-over reads for an hour are
/// those its arrivals follow: on `spiky-10b` (regime steps and a minute
/// CV of 0.5), over its ten busiest hours of trial 0, the arrivals' minute
/// counts fit the weights (each hour's chi-square over its minutes with
/// weight below its degrees of freedom plus 5 standard deviations; the
/// plain steps, without the noise, read 40,665 on 50 degrees of freedom),
/// and no arrival falls in a minute of no weight.
#[test]
fn the_take_overs_minute_weights_are_those_the_arrivals_follow() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/spiky-10b.toml");
    let s = breakeven::Scenario::load(&path).unwrap();
    let p = engine::draw_params(&s, 3, 0);
    let mut draw = TrialTraffic::default();
    engine::draw_traffic(&s, 3, 0, &p, &mut draw);
    let ctx = TrialContext {
        seed: 3,
        trial: 0,
        traffic: &s.traffic,
        draw: &draw,
        params: &p,
        fidelity: Fidelity::Auto,
    };
    let mut busiest: Vec<usize> = (0..draw.hours.len()).collect();
    busiest.sort_by(|&a, &b| draw.hours[b].requests.total_cmp(&draw.hours[a].requests));
    let mut arrivals = Vec::new();
    for &h in &busiest[..10] {
        let w = ctx.arrival_minute_weights(h).expect("minutes vary");
        ctx.arrivals(h, &draw.hours[h], &mut arrivals);
        let mut counts = [0.0_f64; 60];
        for a in &arrivals {
            counts[((a.time_s - h as f64 * 3600.0) / 60.0) as usize] += 1.0;
        }
        let (n, total) = (arrivals.len() as f64, w.iter().sum::<f64>());
        assert!(n > 1000.0, "hour {h}: {n}");
        let mut chi_square = 0.0;
        let mut df = -1.0_f64;
        for (c, wm) in counts.iter().zip(&w) {
            if *wm > 0.0 {
                let expected = n * wm / total;
                chi_square += (c - expected).powi(2) / expected;
                df += 1.0;
            } else {
                assert_eq!(*c, 0.0, "hour {h}: an arrival in a minute of no weight");
            }
        }
        assert!(
            chi_square <= df + 5.0 * (2.0 * df).sqrt(),
            "hour {h}: chi-square {chi_square:.1} on {df} degrees of freedom"
        );
    }
}

/// A ServeGen client replayed: the month's requests are Poisson around the
/// recorded rate (within 4 standard errors).
#[test]
fn servegen_trace_replays_at_its_rate() {
    let dir = tempfile::tempdir().unwrap();
    let path = traces().join("servegen-m-small/chunk-27-trace.csv");
    let trace = Trace::load(&path, None).unwrap();
    let s = scenario(
        dir.path(),
        &format!(
            "trace = \"{}\"\ninput_tokens = 500\noutput_tokens = 100",
            path.to_str().unwrap()
        ),
    );
    let p = engine::draw_params(&s, 5, 0);
    let mut draw = TrialTraffic::default();
    engine::draw_traffic(&s, 5, 0, &p, &mut draw);
    let expected = trace.span(0.0, 720.0 * 3600.0).requests;
    let got: f64 = draw.hours.iter().map(|h| h.requests).sum();
    assert!(
        (got - expected).abs() < 4.0 * expected.sqrt(),
        "{got} vs {expected}"
    );
}

fn assert_fit(rel: &str) {
    let trace = Trace::load(&traces().join(rel), None).unwrap();
    let f = fit(&trace, 1).unwrap();
    let rows = f.rows();
    assert!(rows.len() >= 3);
    for r in &rows {
        assert!(
            r.within,
            "{rel}: {} trace {} fit {} ({})",
            r.statistic, r.trace, r.simulated, r.bound
        );
    }
}

#[test]
fn fit_reproduces_azure_chat() {
    assert_fit("AzureLLMInferenceTrace_conv.csv");
}

#[test]
fn fit_reproduces_azure_code() {
    assert_fit("AzureLLMInferenceTrace_code.csv");
}

#[test]
fn fit_reproduces_servegen_aggregate() {
    assert_fit("servegen-m-small");
}

#[test]
fn fit_reproduces_a_busy_servegen_client() {
    assert_fit("servegen-m-small/chunk-5-trace.csv");
}

#[test]
fn fit_reproduces_an_intermittent_servegen_client() {
    assert_fit("servegen-m-small/chunk-27-trace.csv");
}

#[test]
fn fit_reproduces_a_mostly_idle_servegen_client() {
    assert_fit("servegen-m-small/chunk-10-trace.csv");
}
