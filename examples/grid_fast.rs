//! Re-prices the validation grid's hourly fast path in seconds, against the
//! request-level simulation's figures as `docs/validation.md` records them:
//!
//!     cargo run --release --example grid_fast          # the misses
//!     cargo run --release --example grid_fast -- all   # every point
//!
//! The simulation takes most of the 7 minutes of `cargo run --release
//! --example validate`, and a change to the fast path does not move it, so
//! this is the quick way to see what such a change does to the whole grid.
//! It runs the same trials (seed 7, `validation::grid_budget`) as `validate`,
//! so the fast-path figures are those `validate` would write. Its errors are
//! taken against the simulation's costs as the table prints them, to the
//! cent, so they can differ from the table's by about 0.1 point where a cost
//! is a few dollars (no point's verdict differed when this was written). A
//! change to the simulation needs `validate` itself, as does the final
//! table. The standard error it prints beside each error is the one the
//! table records (the simulation's noise, which a fast-path change barely
//! moves).

use std::path::Path;

use anyhow::{Context, bail};
use breakeven::deploy::Fidelity;
use breakeven::validation::{self, Agreement};

/// What `docs/validation.md` records of one grid point's simulation.
struct Recorded {
    /// Mean cost, USD.
    cost_usd: f64,
    /// Share of requests that triggered a cold start.
    cold_share: f64,
    /// Standard error of the cost error (a fraction), where the table has
    /// that column; NaN where it has not.
    cost_error_se: f64,
}

/// The simulation's figures for every grid point, in grid order, from the
/// grid table of `docs/validation.md` (its columns found by their headers).
fn recorded_simulation(doc: &str) -> anyhow::Result<Vec<Recorded>> {
    let table = doc
        .split("\n## Hourly fast path vs request-level simulation\n")
        .nth(1)
        .context("docs/validation.md has no grid section")?;
    let table = table.split("\n## ").next().unwrap_or(table);
    let header: Vec<&str> = table
        .lines()
        .find(|l| l.starts_with("| λ"))
        .context("the grid table has no header")?
        .split('|')
        .map(str::trim)
        .collect();
    let column = |name: &str| header.iter().position(|h| *h == name);
    let (cost, cold) = column("cost sim")
        .zip(column("cold share sim"))
        .context("the grid table has no \"cost sim\" or \"cold share sim\" column")?;
    let se = column("cost error SE");
    let mut rows = Vec::new();
    for line in table.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // A data row starts with a number (the rate); headers and rules do not.
        if cells.len() != header.len() || cells[1].parse::<f64>().is_err() {
            continue;
        }
        let percent = |c: &str| -> anyhow::Result<f64> {
            Ok(c.trim_start_matches('±')
                .trim_end_matches('%')
                .parse::<f64>()?
                / 100.0)
        };
        rows.push(Recorded {
            cost_usd: cells[cost].parse()?,
            cold_share: cells[cold].parse()?,
            cost_error_se: se.map_or(Ok(f64::NAN), |i| percent(cells[i]))?,
        });
    }
    Ok(rows)
}

fn main() -> anyhow::Result<()> {
    let doc_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/validation.md");
    let doc = std::fs::read_to_string(&doc_path)
        .with_context(|| format!("reading {}", doc_path.display()))?;
    let recorded = recorded_simulation(&doc)?;
    let grid = validation::grid();
    if recorded.len() != grid.len() {
        bail!(
            "docs/validation.md has {} grid rows, the grid {} points: regenerate it with \
             `cargo run --release --example validate`",
            recorded.len(),
            grid.len()
        );
    }
    let every = std::env::args().nth(1).as_deref() == Some("all");
    let (mut within, mut abs_error) = (0, 0.0);
    for (point, sim) in grid.iter().zip(&recorded) {
        let (hours, trials) = validation::grid_budget(point.lambda);
        let [fast] = validation::grid_point_means(point, hours, trials, 7, [Fidelity::Hourly])?;
        let a = Agreement {
            point: *point,
            requests: fast.requests,
            fast_cost: fast.cost_usd,
            event_cost: sim.cost_usd,
            fast_cold_share: fast.cold_share,
            event_cold_share: sim.cold_share,
            cost_error_se: sim.cost_error_se,
        };
        abs_error += a.cost_error().abs();
        if a.within_bounds() {
            within += 1;
        }
        if every || !a.within_bounds() {
            println!(
                "λ {} T {} C {} S {} b {}: cost {:.2} vs {:.2} ({:+.2}%{}), cold share {:.4} vs {:.4}{}",
                point.lambda,
                point.keep_alive_s,
                point.cold_start_s,
                point.service_s,
                point.batch,
                a.fast_cost,
                a.event_cost,
                a.cost_error() * 100.0,
                if a.cost_error_se.is_nan() {
                    String::new()
                } else {
                    format!(" ± {:.2}%", a.cost_error_se * 100.0)
                },
                a.fast_cold_share,
                a.event_cold_share,
                if a.within_bounds() { "" } else { "  MISS" }
            );
        }
    }
    println!(
        "{within} of {} within the bounds; mean |cost error| {:.2}%",
        grid.len(),
        abs_error / grid.len() as f64 * 100.0
    );
    Ok(())
}
