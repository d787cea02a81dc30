//! Probe of the hours of a batching fleet with long boots at counts below
//! one: `longboot_probe B LAMBDA C...` prints the bill and cold starts of
//! `Fleet::hour` (500 input and 200 output tokens a request) at each `C`.
use breakeven::deploy::serverless::Fleet;
use breakeven::throughput::BatchCurve;
use breakeven::traffic::HourLoad;
fn main() {
    let a: Vec<f64> = std::env::args()
        .skip(1)
        .map(|x| x.parse().unwrap())
        .collect();
    let (b, lambda) = (a[0], a[1]);
    for &c in &a[2..] {
        let mut curve = BatchCurve::new(50.0, 2000.0, 8000.0, None, None);
        curve.batch_cap = b;
        let fleet = Fleet {
            curve,
            cold_start_s: c,
            cold_start_cv: 0.5,
            keep_alive_s: 600.0,
            min_workers: 0,
            max_workers: u32::MAX,
            billing_unit_s: 1.0,
            bill_cold_start: true,
        };
        let n = lambda * 3600.0;
        let h = fleet.hour(&HourLoad {
            requests: n,
            input_tokens: 500.0 * n,
            output_tokens: 200.0 * n,
        });
        let at = fleet.hour_at(lambda, 4.0, Some(n));
        println!(
            "b {b} λ {lambda} C {c}: bill {:.1} cold {:.4} waits {:.4}; hour_at(S 4) bill {:.1} cold {:.4}",
            h.flex_worker_s, h.cold_starts, h.cold_start_waits, at.flex_worker_s, at.cold_starts
        );
    }
}
