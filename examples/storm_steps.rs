//! Finds steps in the serverless fast path's hourly bill along one input:
//! `cargo run --release --example storm_steps -- LAMBDA T C S BATCH CV
//! MAX_WORKERS KEY LO HI N [log|lin] [WHAT] [count]` scans `KEY` (l, t, c,
//! s, b, cv or m) over `N + 1` points from `LO` to `HI` (log-spaced with
//! any eleventh argument but `lin`); wherever the billed worker-seconds
//! (or, with `WHAT`: `total`, the bill with the queued work beyond
//! `max_workers` added as the engine adds it, `overflow_share × λS ×
//! 3600`; `cold`, the cold starts; `overflow`, the overflow share) of
//! neighbours differ by more than 0.2%, it bisects
//! (keeping the half that changes more) down to inputs 1e-7 apart and
//! prints what is left there. A continuous bill leaves nothing; a step
//! leaves its size. The last line is the largest step left. With `count`,
//! the hour is priced at its whole count (`hour_at(λ, S, Some(λ · 3600))`,
//! as `Fleet::hour` does) instead of the rate alone.
use breakeven::deploy::serverless::Fleet;
use breakeven::throughput::BatchCurve;

#[derive(Clone, Copy)]
struct Point {
    l: f64,
    t: f64,
    c: f64,
    s: f64,
    b: f64,
    cv: f64,
    m: u32,
}

/// What is scanned: the bill, the bill with the queued work, the cold
/// starts or the overflow share; and whether the hour gets its count.
#[derive(Clone, Copy)]
struct Measure {
    what: &'static str,
    count: bool,
}

/// The hour's billed worker-seconds at `p` (the grid's throughput curve,
/// no billing unit), or the other figure `w` asks for.
fn bill(p: &Point, w: Measure) -> f64 {
    let mut curve = BatchCurve::new(50.0, 2000.0, 8000.0, None, None);
    curve.batch_cap = p.b;
    let fleet = Fleet {
        curve,
        cold_start_s: p.c,
        cold_start_cv: p.cv,
        keep_alive_s: p.t,
        min_workers: 0,
        max_workers: p.m,
        billing_unit_s: 1e-9,
        bill_cold_start: true,
    };
    let h = fleet.hour_at(p.l, p.s, w.count.then_some(p.l * 3600.0));
    match w.what {
        "total" => h.flex_worker_s + h.overflow_share * p.l * p.s * 3600.0,
        "cold" => h.cold_starts,
        "overflow" => h.overflow_share,
        _ => h.flex_worker_s,
    }
}

/// `p` with input `key` set to `x`.
fn with(mut p: Point, key: &str, x: f64) -> Point {
    match key {
        "l" => p.l = x,
        "t" => p.t = x,
        "c" => p.c = x,
        "s" => p.s = x,
        "b" => p.b = x,
        "cv" => p.cv = x,
        "m" => p.m = x as u32,
        _ => panic!("unknown input {key}"),
    }
    p
}

/// Relative change from `a` to `b`.
fn rel(a: f64, b: f64) -> f64 {
    (b - a) / a.abs().max(1e-300)
}

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let f = |i: usize| a[i].parse::<f64>().expect("a number");
    let p = Point {
        l: f(0),
        t: f(1),
        c: f(2),
        s: f(3),
        b: f(4),
        cv: f(5),
        m: f(6) as u32,
    };
    let (key, lo, hi, n) = (a[7].as_str(), f(8), f(9), f(10) as usize);
    let logs = a.get(11).is_some_and(|x| x != "lin");
    let w = Measure {
        what: match a.get(12).map(String::as_str) {
            Some("total") => "total",
            Some("cold") => "cold",
            Some("overflow") => "overflow",
            None | Some("bill") => "bill",
            Some(other) => panic!("unknown WHAT {other}: bill, total, cold or overflow"),
        },
        count: match a.get(13).map(String::as_str) {
            None => false,
            Some("count") => true,
            Some(other) => panic!("unknown last argument {other}: count or nothing"),
        },
    };
    let bill = |p: &Point| bill(p, w);
    let at = |i: usize| {
        let t = i as f64 / n as f64;
        if logs {
            lo * (hi / lo).powf(t)
        } else {
            lo + (hi - lo) * t
        }
    };
    // (STEPS_TRIGGER, if set, replaces the neighbours' 0.2% that starts a
    // bisection: with many points, smaller steps show.)
    let trigger: f64 = std::env::var("STEPS_TRIGGER")
        .ok()
        .and_then(|x| x.parse().ok())
        .unwrap_or(2e-3);
    let mut worst: (f64, f64) = (0.0, f64::NAN);
    let mut prev = (at(0), bill(&with(p, key, at(0))));
    for i in 1..=n {
        let x = at(i);
        let y = bill(&with(p, key, x));
        if rel(prev.1, y).abs() > trigger {
            let (mut x0, mut y0, mut x1, mut y1) = (prev.0, prev.1, x, y);
            while x1 - x0 > 1e-7 {
                let xm = 0.5 * (x0 + x1);
                let ym = bill(&with(p, key, xm));
                if rel(y0, ym).abs() >= rel(ym, y1).abs() {
                    (x1, y1) = (xm, ym);
                } else {
                    (x0, y0) = (xm, ym);
                }
            }
            let step = rel(y0, y1);
            if step.abs() > 1e-3 {
                println!(
                    "{key} {x0:.9} -> {x1:.9}: {y0:.3} -> {y1:.3} ({:+.3}%)",
                    100.0 * step
                );
            }
            if step.abs() > worst.0.abs() {
                worst = (step, x0);
            }
        }
        prev = (x, y);
    }
    println!(
        "{key} {lo}..{hi}: {} {:.3} .. {:.3}; largest step left at 1e-7: {:+.4}% (at {:.9})",
        w.what,
        bill(&with(p, key, lo)),
        bill(&with(p, key, hi)),
        100.0 * worst.0,
        worst.1
    );
}
