//! Times the fast path's hour at one point: `cargo run --release --example
//! storm_time -- LAMBDA T C S BATCH CV MAX_WORKERS` prints the hour and the
//! mean milliseconds over 20 calls.
use breakeven::deploy::serverless::Fleet;
use breakeven::throughput::BatchCurve;
use std::time::Instant;

fn main() {
    let a: Vec<f64> = std::env::args()
        .skip(1)
        .map(|x| x.parse().expect("a number"))
        .collect();
    let mut curve = BatchCurve::new(50.0, 2000.0, 8000.0, None, None);
    curve.batch_cap = a[4];
    let fleet = Fleet {
        curve,
        cold_start_s: a[2],
        cold_start_cv: a[5],
        keep_alive_s: a[1],
        min_workers: 0,
        max_workers: a[6] as u32,
        billing_unit_s: 1e-9,
        bill_cold_start: true,
    };
    let h = fleet.hour_at(a[0], a[3], None);
    let t0 = Instant::now();
    for _ in 0..20 {
        std::hint::black_box(fleet.hour_at(a[0], a[3], None));
    }
    println!("{h:?} {:.3} ms", t0.elapsed().as_secs_f64() * 1e3 / 20.0);
}
