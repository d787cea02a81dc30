//! Writes the tables of `docs/validation.md` to standard output:
//!
//!     cargo run --release --example validate > docs/validation.md
//!
//! It compares the hourly fast path with the request-level simulation over
//! the validation grid, the simulation with the AWS Lambda measurements in
//! `../shared/data/traces/simfaas_exp.csv`, and traffic fitted to each trace
//! with the trace.

use std::path::Path;

use breakeven::validation::{self, Agreement};

fn main() -> anyhow::Result<()> {
    let mut out = String::new();
    out.push_str(include_str!("validation_intro.md"));

    // AWS Lambda.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/traces/simfaas_exp.csv");
    let rows = validation::read_lambda_rows(&path)?;
    out.push_str("\n## AWS Lambda measurements\n\n");
    out.push_str(
        "Source: `../shared/data/traces/simfaas_exp.csv` (pacslab/simfaas, Mahmoudi & Khazaei, \
         CLOSER 2021; MIT). Each experiment ran Poisson arrivals against a real Lambda function \
         with a 10-minute idle timeout. Simulated: one request per instance, instances without \
         limit, cold start = cold − warm service time, 20,000 hours of arrivals (standard error \
         from 100-hour batches).\n\n",
    );
    out.push_str("| experiment | λ (req/s) | λT | measured P(cold) | ± SE | simulated | ± SE | e^(−λT) | within 2 SE |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for (i, row) in rows.iter().enumerate() {
        let (sim, sim_se) = validation::simulate_lambda(row, 20_000, 1000 + i as u64);
        let lt = row.lambda * row.keep_alive_s;
        let within = (sim - row.measured).abs() <= 2.0 * row.measured_se;
        out.push_str(&format!(
            "| {} | {:.5} | {:.2} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {} |\n",
            row.name,
            row.lambda,
            lt,
            row.measured,
            row.measured_se,
            sim,
            sim_se,
            (-lt).exp(),
            if within { "yes" } else { "**no**" }
        ));
    }

    // Fast path vs simulation.
    out.push_str("\n## Hourly fast path vs request-level simulation\n\n");
    let grid = validation::grid();
    let mut results: Vec<Agreement> = Vec::new();
    for g in &grid {
        let (hours, trials) = validation::grid_budget(g.lambda);
        results.push(validation::compare(g, hours, trials, 7)?);
    }
    let within = results.iter().filter(|a| a.within_bounds()).count();
    let worst_cost = results
        .iter()
        .map(|a| a.cost_error().abs())
        .fold(0.0, f64::max);
    let (busiest, fewest) = grid
        .iter()
        .map(|g| (g.lambda, validation::grid_budget(g.lambda).1))
        .min_by_key(|&(_, trials)| trials)
        .unwrap_or((f64::NAN, 0));
    let mut standard_errors: Vec<f64> = results.iter().map(|a| a.cost_error_se).collect();
    standard_errors.sort_by(f64::total_cmp);
    out.push_str(&format!(
        "{within} of {} grid points are within the bounds (mean cost within 3%, cold-start \
         share within max(10% relative, 0.005 absolute)); the largest cost error is {:.2}%. \
         A cost error's standard error (the simulation's noise: the paired per-trial \
         differences' standard error over the simulated mean) is {:.2}% at the median \
         point and {:.2}% at the largest; a point is judged on its error as measured. \
         The fewest trials a point gets is {fewest} (λ = {busiest}/s), where that standard \
         error is itself a rough figure.\n\n",
        results.len(),
        worst_cost * 100.0,
        standard_errors
            .get(standard_errors.len() / 2)
            .copied()
            .unwrap_or(f64::NAN)
            * 100.0,
        standard_errors.last().copied().unwrap_or(f64::NAN) * 100.0,
    ));
    out.push_str("| λ (req/s) | keep-alive (s) | cold start (s) | service (s) | batch | requests | cost fast | cost sim | cost error | cost error SE | cold share fast | cold share sim | within |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for a in &results {
        let g = a.point;
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {:.0} | {:.2} | {:.2} | {:+.2}% | ±{:.2}% | {:.4} | {:.4} | {} |\n",
            g.lambda,
            g.keep_alive_s,
            g.cold_start_s,
            g.service_s,
            g.batch,
            a.requests,
            a.fast_cost,
            a.event_cost,
            a.cost_error() * 100.0,
            a.cost_error_se * 100.0,
            a.fast_cold_share,
            a.event_cold_share,
            if a.within_bounds() { "yes" } else { "**no**" }
        ));
    }
    bundled_scenarios(&mut out)?;
    traffic_fits(&mut out)?;
    print!("{out}");
    Ok(())
}

/// The bundled scenarios' serverless deployments at the three fidelities.
fn bundled_scenarios(out: &mut String) -> anyhow::Result<()> {
    const TRIALS: u64 = 40;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    out.push_str("\n## Bundled scenarios at the three fidelities\n\n");
    out.push_str(&format!(
        "Each serverless deployment of `scenarios/*.toml`, priced on the same {TRIALS} trials \
         (seed 42) at every fidelity, without the break-even search. The difference is paired \
         trial by trial; ± is its standard error. \"Waited\" is the share of requests that \
         waited on a cold start or in the queue beyond `max_workers`.\n\n"
    ));
    out.push_str("| scenario | deployment | mean cost hourly (USD) | auto (USD) | request (USD) | hourly − request (% of request) | cold starts hourly | auto | request | waited hourly | request |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for path in &paths {
        let s = breakeven::scenario::Scenario::load(path)?;
        for c in validation::compare_fidelities(&s, TRIALS, 42, &|_| {})? {
            let [hourly, auto, request] = c.cost_usd;
            out.push_str(&format!(
                "| {} | {} | {:.0} | {:.0} | {:.0} | {:+.1}% ± {:.1}% | {:.0} | {:.0} | {:.0} | {:.1}% | {:.1}% |\n",
                s.name,
                c.deployment,
                hourly,
                auto,
                request,
                (hourly / request - 1.0) * 100.0,
                c.hourly_minus_request_se_usd / request * 100.0,
                c.cold_starts[0],
                c.cold_starts[1],
                c.cold_starts[2],
                c.waited[0] / c.requests * 100.0,
                c.waited[2] / c.requests * 100.0,
            ));
        }
    }
    Ok(())
}

/// The traffic section: `breakeven fit` on every trace, the trace's
/// statistics beside those of traffic simulated from the fit.
fn traffic_fits(out: &mut String) -> anyhow::Result<()> {
    use breakeven::traffic::fit::fit;
    use breakeven::traffic::trace::Trace;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/traces");
    out.push_str("\n## Traffic fitted to real traces\n\n");
    out.push_str(
        "`breakeven fit TRACE` (seed 1) on each trace; \"fit\" is the mean (for peak and ratio \
         statistics the median) over replicates of traffic simulated from the fitted section, \
         each as long as the trace. Bounds: CVs, peak/mean and the diurnal ratio within 20%, \
         idle-window share within 0.05 absolute, token medians within 10%. Sources: Azure LLM \
         inference traces (Patel et al., Splitwise, ISCA 2024; CC-BY 4.0) and ServeGen m-small \
         (Xiang et al., arXiv:2505.09999; Apache-2.0). The tests in `tests/traffic.rs` hold \
         the six traces of the first table.\n\n",
    );
    out.push_str(
        "| trace | statistic | trace | fit | bound | within |\n|---|---|---|---|---|---|\n",
    );
    let named = [
        ("Azure chat (conv)", "AzureLLMInferenceTrace_conv.csv"),
        ("Azure code", "AzureLLMInferenceTrace_code.csv"),
        ("ServeGen aggregate", "servegen-m-small"),
        (
            "ServeGen client 5 (busy)",
            "servegen-m-small/chunk-5-trace.csv",
        ),
        (
            "ServeGen client 27 (15% idle)",
            "servegen-m-small/chunk-27-trace.csv",
        ),
        (
            "ServeGen client 10 (98% idle)",
            "servegen-m-small/chunk-10-trace.csv",
        ),
    ];
    for (label, rel) in named {
        let trace = Trace::load(&dir.join(rel), None)?;
        let f = fit(&trace, 1)?;
        for r in f.rows() {
            out.push_str(&format!(
                "| {label} | {} | {:.4} | {:.4} | {} | {} |\n",
                r.statistic,
                r.trace,
                r.simulated,
                r.bound,
                if r.within { "yes" } else { "**no**" }
            ));
        }
    }
    out.push_str(
        "\nEvery ServeGen client (43 files), one line each: the statistics outside their \
         bounds.\n\n| client | idle 10-min share | 10-min CV | hourly CV | fitted pattern | \
         outside the bounds |\n|---|---|---|---|---|---|\n",
    );
    let (mut all_within, mut n) = (0, 0);
    for i in 0..43 {
        let rel = format!("servegen-m-small/chunk-{i}-trace.csv");
        let trace = Trace::load(&dir.join(&rel), None)?;
        let f = fit(&trace, 1)?;
        let misses: Vec<String> = f
            .rows()
            .iter()
            .filter(|r| !r.within)
            .map(|r| format!("{} ({:.3} vs {:.3})", r.statistic, r.simulated, r.trace))
            .collect();
        n += 1;
        if misses.is_empty() {
            all_within += 1;
        }
        out.push_str(&format!(
            "| {i} | {:.3} | {:.3} | {} | {} | {} |\n",
            f.trace_stats.idle_share,
            f.trace_stats.window_cv,
            f.trace_stats
                .hourly
                .as_ref()
                .map_or("-".to_string(), |h| format!("{:.3}", h.cv)),
            match (f.spiky, f.spikes) {
                (Some(_), Some(_)) => "spiky + spikes",
                (Some(_), None) => "spiky",
                (None, Some(_)) => "steady + spikes",
                (None, None) => "steady",
            },
            if misses.is_empty() {
                "none".to_string()
            } else {
                misses.join("; ")
            }
        ));
    }
    out.push_str(&format!(
        "\n{all_within} of {n} clients are within every bound.\n"
    ));
    Ok(())
}
