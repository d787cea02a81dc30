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
//! table.

use std::path::Path;

use anyhow::{Context, bail};
use breakeven::deploy::Fidelity;
use breakeven::validation::{self, Agreement};

/// The simulation's mean cost (USD) and cold-start share of every grid
/// point, in grid order, from the grid table of `docs/validation.md`.
fn recorded_simulation(doc: &str) -> anyhow::Result<Vec<(f64, f64)>> {
    let table = doc
        .split("\n## Hourly fast path vs request-level simulation\n")
        .nth(1)
        .context("docs/validation.md has no grid section")?;
    let table = table.split("\n## ").next().unwrap_or(table);
    let mut rows = Vec::new();
    for line in table.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // A data row starts with a number (the rate); headers and rules do not.
        if cells.len() < 13 || cells[1].parse::<f64>().is_err() {
            continue;
        }
        rows.push((cells[8].parse()?, cells[11].parse()?));
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
    for (point, &(event_cost, event_cold_share)) in grid.iter().zip(&recorded) {
        let (hours, trials) = validation::grid_budget(point.lambda);
        let [fast] = validation::grid_point_means(point, hours, trials, 7, [Fidelity::Hourly])?;
        let a = Agreement {
            point: *point,
            requests: fast.requests,
            fast_cost: fast.cost_usd,
            event_cost,
            fast_cold_share: fast.cold_share,
            event_cold_share,
        };
        abs_error += a.cost_error().abs();
        if a.within_bounds() {
            within += 1;
        }
        if every || !a.within_bounds() {
            println!(
                "λ {} T {} C {} S {} b {}: cost {:.2} vs {:.2} ({:+.2}%), cold share {:.4} vs {:.4}{}",
                point.lambda,
                point.keep_alive_s,
                point.cold_start_s,
                point.service_s,
                point.batch,
                a.fast_cost,
                a.event_cost,
                a.cost_error() * 100.0,
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
