//! Writes the tables of `docs/validation.md` to standard output:
//!
//!     cargo run --release --example validate > docs/validation.md
//!
//! It compares the hourly fast path with the request-level simulation over
//! the validation grid, and the simulation with the AWS Lambda measurements
//! in `../shared/data/traces/simfaas_exp.csv`.

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
    out.push_str(&format!(
        "{within} of {} grid points are within the bounds (mean cost within 3%, cold-start \
         share within max(10% relative, 0.005 absolute)); the largest cost error is {:.2}%.\n\n",
        results.len(),
        worst_cost * 100.0
    ));
    out.push_str("| λ (req/s) | keep-alive (s) | cold start (s) | service (s) | batch | requests | cost fast | cost sim | cost error | cold share fast | cold share sim | within |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for a in &results {
        let g = a.point;
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {:.0} | {:.2} | {:.2} | {:+.2}% | {:.4} | {:.4} | {} |\n",
            g.lambda,
            g.keep_alive_s,
            g.cold_start_s,
            g.service_s,
            g.batch,
            a.requests,
            a.fast_cost,
            a.event_cost,
            a.cost_error() * 100.0,
            a.fast_cold_share,
            a.event_cold_share,
            if a.within_bounds() { "yes" } else { "**no**" }
        ));
    }
    print!("{out}");
    Ok(())
}
