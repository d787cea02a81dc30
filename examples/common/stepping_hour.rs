//! The stepping hour the `steps_sim` and `steps_scan` examples price: a
//! flat-curve fleet and an hour given as runs of minutes at fixed rates.

use breakeven::deploy::serverless::Fleet;
use breakeven::throughput::BatchCurve;
use breakeven::traffic::HourLoad;

/// The whole number in the environment variable `name` (a worker count:
/// `MINW` pins workers, `MAXW` caps them), or `unset` where it is unset or
/// empty; panics on anything else, naming the variable.
fn env_workers(name: &str, unset: u32) -> u32 {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .map_or(unset, |v| v.parse().expect(name))
}

/// A fleet whose requests each take `service_s` seconds at any batch up to
/// `batch` (a flat curve), booting `cold_start_s` seconds (gamma, CV
/// `cold_start_cv`), scaling down `keep_alive_s` seconds after its last
/// completion, billed by the millisecond with its boots; `MINW` and `MAXW`
/// in the environment pin and cap its workers (unset: none and no cap).
pub fn flat_fleet(
    keep_alive_s: f64,
    cold_start_s: f64,
    service_s: f64,
    cold_start_cv: f64,
    batch: f64,
) -> Fleet {
    Fleet {
        curve: BatchCurve {
            t0_s: service_s,
            t1_s: 0.0,
            batch_cap: batch,
            prefill_tps: f64::INFINITY,
        },
        cold_start_s,
        cold_start_cv,
        keep_alive_s,
        min_workers: env_workers("MINW", 0),
        max_workers: env_workers("MAXW", u32::MAX),
        billing_unit_s: 1e-3,
        bill_cold_start: true,
    }
}

/// The 60 minutes' rates (requests/s) of runs of `(minutes, rate)`, which
/// must add up to 60 minutes.
pub fn minute_rates(runs: &[(usize, f64)]) -> [f64; 60] {
    let mut rates = [0.0; 60];
    let mut m = 0;
    for &(minutes, rate) in runs {
        rates[m..m + minutes].fill(rate);
        m += minutes;
    }
    assert_eq!(m, 60, "the runs must add up to 60 minutes");
    rates
}

/// The runs `MINUTES:RATE` of the command line.
pub fn parse_runs(args: &[String]) -> Vec<(usize, f64)> {
    args.iter()
        .map(|r| {
            let (m, x) = r.split_once(':').expect("MINUTES:RATE");
            (
                m.parse().expect("whole minutes"),
                x.parse().expect("a rate"),
            )
        })
        .collect()
}

/// The hour's load at those rates: each request one output token (the
/// flat curve's service time is the request's).
pub fn hour_load(rates: &[f64; 60]) -> HourLoad {
    let requests: f64 = rates.iter().map(|r| r * 60.0).sum();
    HourLoad {
        requests,
        input_tokens: 0.0,
        output_tokens: requests,
    }
}
