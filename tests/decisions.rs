//! Decision outputs held to what they must show: break-even volumes where
//! the article puts them, agreement of the per-trial break-even with the
//! sweep, a tornado that names the real drivers and ignores file order, and
//! a precision target that stops where it should.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use breakeven::decision::{BreakEvenSettings, VolumeAxis, VolumeRange};
use breakeven::engine::RunOptions;
use breakeven::{DecisionOptions, Scenario};

mod common;
use common::{run_ok, scenario};

/// Rows of a CSV as maps from column name to cell.
fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).expect("CSV opens");
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn num(row: &HashMap<String, String>, col: &str) -> f64 {
    row[col].parse().unwrap_or(f64::NAN)
}

/// The sweep's P(a < b) per volume for one pair, ascending volume.
fn sweep_p(rows: &[HashMap<String, String>], a: &str, b: &str) -> Vec<(f64, f64, f64)> {
    rows.iter()
        .filter(|r| r["deployment"] == a && r["versus"] == b && r["statistic"] == "p_cheaper")
        .map(|r| (num(r, "volume"), num(r, "value"), num(r, "mcse")))
        .collect()
}

/// On steady-1b's volumes, P(dedicated < cheap API) rises with volume and
/// the median break-even sits in the article's 10–50B band (hidden costs
/// counted as ops_monthly_usd); against a premium API it is far lower.
#[test]
fn breakeven_sits_where_the_article_puts_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    run_ok(&[
        "sweep",
        scenario("article.toml").to_str().unwrap(),
        "--volume",
        "1e8..1e11",
        "--points",
        "7",
        "--trials",
        "600",
        "--breakeven-trials",
        "600",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let rows = read_csv(&out.join("sweep.csv"));
    let p = sweep_p(&rows, "open-api", "a100x2-dedicated");
    assert_eq!(p.len(), 7);
    // P(dedicated < API) = 1 − P(API < dedicated): from ~0 at 100M to well
    // above 0 at 100B. Each step may not rise beyond its Monte Carlo error.
    let dedicated: Vec<(f64, f64)> = p.iter().map(|&(_, p, se)| (1.0 - p, se)).collect();
    assert!(dedicated[0].0 < 0.01, "at 100M: {:?}", dedicated[0]);
    let last = dedicated[6];
    assert!(
        last.0 - dedicated[0].0 > 4.0 * last.1.max(0.01),
        "{dedicated:?}"
    );
    for w in dedicated.windows(2) {
        let se = (w[0].1.powi(2) + w[1].1.powi(2)).sqrt().max(0.005);
        assert!(
            w[1].0 >= w[0].0 - 3.0 * se,
            "P falls with volume: {dedicated:?}"
        );
    }

    let be = read_csv(&out.join("breakeven.csv"));
    let median = |a: &str, b: &str| {
        // Censored trials count as below (the winner above wins
        // throughout) or above the range, as in pairs.csv.
        let mut v: Vec<f64> = be
            .iter()
            .filter(|r| r["a"] == a && r["b"] == b)
            .map(|r| match r["outcome"].as_str() {
                "crossing" => num(r, "breakeven_volume"),
                "a_cheaper_throughout" => f64::INFINITY,
                _ => f64::NEG_INFINITY,
            })
            .collect();
        assert_eq!(v.len(), 600);
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let vs_cheap = median("open-api", "a100x2-dedicated");
    assert!(
        (1e10..=5e10).contains(&vs_cheap),
        "break-even vs the cheap API: {vs_cheap:e}"
    );
    let vs_premium = median("premium-api", "a100x2-dedicated");
    assert!(
        (2e8..=2e9).contains(&vs_premium),
        "break-even vs a premium API: {vs_premium:e}"
    );
}

/// The median of the per-trial break-evens in `breakeven.csv` (from `run`)
/// lies where the sweep's P(a < b) over the same trials crosses 0.5: within
/// the grid interval of the crossing. With common random numbers the sweep's
/// P at a volume is the share of trials whose break-even is below it, so
/// only the grid and the refinement's 1% can separate the two.
#[test]
fn breakeven_median_matches_the_sweep_crossing() {
    let tmp = tempfile::tempdir().unwrap();
    let (run_dir, sweep_dir) = (tmp.path().join("run"), tmp.path().join("sweep"));
    let path = scenario("steady-1b.toml");
    let common = ["--trials", "400", "--seed", "7", "--volume", "1e9..1e11"];
    let mut args = vec!["run", path.to_str().unwrap()];
    args.extend(common);
    args.extend([
        "--breakeven-trials",
        "400",
        "--tornado-trials",
        "0",
        "--quiet",
        "--out",
        run_dir.to_str().unwrap(),
    ]);
    run_ok(&args);
    let mut args = vec!["sweep", path.to_str().unwrap()];
    args.extend(common);
    args.extend([
        "--points",
        "41",
        "--breakeven-trials",
        "0",
        "--quiet",
        "--out",
        sweep_dir.to_str().unwrap(),
    ]);
    run_ok(&args);

    let pairs = read_csv(&run_dir.join("pairs.csv"));
    let sweep = read_csv(&sweep_dir.join("sweep.csv"));
    let mut checked = 0;
    for pair in &pairs {
        let (a, b) = (pair["a"].as_str(), pair["b"].as_str());
        let median = num(pair, "breakeven_p50");
        let p = sweep_p(&sweep, a, b);
        // Where P(a < b) passes 0.5 (first time, ascending volume).
        let Some(k) = p
            .windows(2)
            .position(|w| (w[0].1 - 0.5) * (w[1].1 - 0.5) <= 0.0)
        else {
            assert!(
                !median.is_finite(),
                "{a} vs {b}: median {median:e} but no crossing"
            );
            continue;
        };
        let (lo, hi) = (p[k].0, p[k + 1].0);
        let step = hi / lo;
        assert!(
            median >= lo / step && median <= hi * step,
            "{a} vs {b}: break-even median {median:e} outside the sweep crossing [{lo:e}, {hi:e}]"
        );
        checked += 1;
    }
    assert!(checked >= 2, "at least two pairs cross in 1B–100B");
}

/// The tornado and rank correlations name the inputs that drive the
/// decision on steady-10b: traffic level and API price before the serverless
/// cold-start time.
#[test]
fn sensitivity_names_the_real_drivers_on_steady_10b() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("s10");
    run_ok(&[
        "run",
        scenario("steady-10b.toml").to_str().unwrap(),
        "--trials",
        "500",
        "--breakeven-trials",
        "0",
        "--tornado-trials",
        "64",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let rows = read_csv(&out.join("sensitivity.csv"));
    let rank = |a: &str, b: &str, input: &str| -> usize {
        rows.iter()
            .find(|r| r["a"] == a && r["b"] == b && r["input"] == input)
            .map(|r| r["rank"].parse().unwrap())
            .unwrap_or_else(|| panic!("no row for {a} vs {b}, {input}"))
    };
    let (api, serverless, dedicated) = ("open-api", "a100x2-serverless", "a100x2-dedicated");
    let cold = rank(api, serverless, "deployment.a100x2-serverless.cold_start_s");
    let level = rank(api, serverless, "traffic.tokens_per_month");
    let price = rank(api, serverless, "deployment.open-api.usd_per_mtok");
    assert!(
        level < cold && price < cold,
        "tokens {level}, price {price}, cold start {cold}"
    );
    assert!(price <= 3, "API price ranks {price} for API vs serverless");
    assert!(rank(api, dedicated, "deployment.open-api.usd_per_mtok") <= 3);
    // An input a pair's costs do not use has no swing and no correlation
    // beyond Monte Carlo error.
    let unused = rows
        .iter()
        .find(|r| {
            r["a"] == api
                && r["b"] == dedicated
                && r["input"] == "deployment.a100x2-serverless.cold_start_s"
        })
        .unwrap();
    assert_eq!(num(unused, "swing_usd"), 0.0);
    let se = 1.06 / (500.0f64 - 3.0).sqrt();
    assert!(num(unused, "spearman").abs() < 4.0 * se);
}

/// A scenario with its tables and keys in another order.
fn shuffled(text: &str) -> String {
    let doc: toml::Table = text.parse().unwrap();
    let mut out = String::new();
    // Tables in reverse order, each table's keys reversed; deployments too.
    let mut keys: Vec<&String> = doc.keys().collect();
    keys.reverse();
    for key in keys.iter().filter(|k| !doc[k.as_str()].is_table()) {
        out.push_str(&format!("{key} = {}\n", doc[key.as_str()]));
    }
    let write_table = |out: &mut String, name: &str, t: &toml::Table| {
        out.push_str(&format!("\n[{name}]\n"));
        let mut ks: Vec<&String> = t.keys().collect();
        ks.reverse();
        for k in ks {
            out.push_str(&format!("{k} = {}\n", t[k.as_str()]));
        }
    };
    for key in keys.iter().filter(|k| doc[k.as_str()].is_table()) {
        let t = doc[key.as_str()].as_table().unwrap();
        if key.as_str() == "deployment" {
            let mut names: Vec<&String> = t.keys().collect();
            names.reverse();
            for n in names {
                write_table(
                    &mut out,
                    &format!("deployment.{n}"),
                    t[n.as_str()].as_table().unwrap(),
                );
            }
        } else {
            write_table(&mut out, key, t);
        }
    }
    out
}

/// Shuffling the scenario file (tables, deployments and keys in another
/// order) gives the same sensitivity: every (pair, input) row has the same
/// ρ and swing (negated when the pair's order flips) and the same rank.
#[test]
fn sensitivity_does_not_depend_on_the_order_of_the_file() {
    let path = scenario("steady-10b.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let other = shuffled(&text);
    assert_ne!(text, other);
    let tmp = tempfile::tempdir().unwrap();
    let results: Vec<_> = [text, other]
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let s = Scenario::parse(&path, t).unwrap();
            let opts = RunOptions {
                trials: 300,
                seed: 11,
                threads: 2,
                fidelity: s.run.fidelity,
            };
            let decisions = DecisionOptions {
                tornado_trials: 24,
                ..DecisionOptions::default()
            };
            let dir = tmp.path().join(i.to_string());
            breakeven::run_scenario(&s, &opts, &decisions, &dir, &|_| {}).unwrap()
        })
        .collect();
    let (first, second) = (&results[0].sensitivity, &results[1].sensitivity);
    assert_eq!(first.effects.len(), second.effects.len());
    // The deployments' order was reversed, so the pair order flips.
    assert_eq!(first.effects[0].a, second.effects.last().unwrap().b.clone());
    for e in &first.effects {
        let (f, flipped) = match second
            .effects
            .iter()
            .find(|o| o.a == e.a && o.b == e.b && o.input == e.input)
        {
            Some(o) => (o, false),
            None => (
                second
                    .effects
                    .iter()
                    .find(|o| o.a == e.b && o.b == e.a && o.input == e.input)
                    .expect("the same rows"),
                true,
            ),
        };
        let sign = if flipped { -1.0 } else { 1.0 };
        assert!(
            (f.spearman * sign - e.spearman).abs() < 1e-12,
            "{} vs {} {}: ρ {} vs {}",
            e.a,
            e.b,
            e.input,
            e.spearman,
            f.spearman
        );
        assert!((f.swing_usd * sign - e.swing_usd).abs() <= 1e-9 * e.swing_usd.abs().max(1.0));
        let rank_of = |s: &breakeven::sensitivity::Sensitivity,
                       x: &breakeven::sensitivity::InputEffect| {
            s.of_pair(&x.a, &x.b)
                .position(|y| y.input == x.input)
                .unwrap()
        };
        assert_eq!(rank_of(first, e), rank_of(second, f), "{}", e.input);
    }
}

/// `--precision` stops at the first block of 1,000 trials whose worst
/// relative MCSE of a mean cost is below the target: the block before it
/// was above. The count depends only on the seed and the target.
#[test]
fn precision_target_stops_at_the_first_block_that_meets_it() {
    let path = scenario("spiky-100m.toml");
    let s = Scenario::load(&path).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let target = 0.006;
    let run = |trials: u64, precision: Option<f64>, threads: usize, dir: &str| {
        let opts = RunOptions {
            trials,
            seed: 3,
            threads,
            fidelity: s.run.fidelity,
        };
        let decisions = DecisionOptions {
            breakeven: None,
            tornado_trials: 0,
            precision,
            ..DecisionOptions::default()
        };
        breakeven::run_scenario(&s, &opts, &decisions, &tmp.path().join(dir), &|_| {}).unwrap()
    };
    let worst = |r: &breakeven::RunResult| {
        r.summary
            .deployments
            .iter()
            .map(|d| d.mcse_mean_usd / d.mean_usd)
            .fold(0.0, f64::max)
    };
    let met = run(100_000, Some(target), 2, "met");
    let n = met.summary.trials;
    assert!(n % 1000 == 0 && n >= 2000, "stopped at {n}");
    assert!(worst(&met) <= target, "{}", worst(&met));
    let (reached, ok) = met.precision_reached.unwrap();
    assert!(ok && (reached - worst(&met)).abs() < 1e-12);
    let before = run(n - 1000, None, 2, "before");
    assert!(
        worst(&before) > target,
        "{} trials already met it",
        n - 1000
    );
    let again = run(100_000, Some(target), 1, "again");
    // Summaries hold NaN (no utilisation for an API), so compare files.
    assert_eq!(again.summary.trials, n, "same seed and target, one thread");
    // The files match too.
    for f in ["summary.csv", "trials.csv"] {
        assert_eq!(
            std::fs::read(tmp.path().join("met").join(f)).unwrap(),
            std::fs::read(tmp.path().join("again").join(f)).unwrap()
        );
    }
}

/// The break-even search agrees with pricing at its answer: just below the
/// found volume one deployment is cheaper, just above the other (for trials
/// with one crossing).
#[test]
fn breakeven_volume_is_where_the_costs_cross() {
    let s = Scenario::load(&scenario("steady-1b.toml")).unwrap();
    let axis = VolumeAxis::of(&s).unwrap();
    let settings = BreakEvenSettings::new(axis, VolumeRange::around(&axis), 40);
    let mut traffic = Default::default();
    let mut checked = 0;
    for trial in 0..40 {
        let params = breakeven::engine::draw_params(&s, 5, trial);
        let crossings = breakeven::decision::trial_breakeven(
            &s,
            5,
            trial,
            s.run.fidelity,
            &params,
            &settings,
            &mut traffic,
        );
        // open-api (0) vs a100x2-dedicated (1).
        let c = crossings[0];
        if c.kind != breakeven::decision::CrossingKind::Crossing || c.sign_changes != 1 {
            continue;
        }
        let mut p = params.clone();
        let mut cheaper = |v: f64| {
            let costs = breakeven::decision::costs_at_volume(
                &s,
                5,
                trial,
                s.run.fidelity,
                &mut p,
                &axis,
                v,
                &[0, 1],
                &mut traffic,
            );
            costs[0] < costs[1]
        };
        // The answer is the middle of a bracket narrower than 1% (the
        // staircase of whole replicas can cross again just beyond it).
        assert_eq!(
            cheaper(c.volume * 0.994),
            !c.a_cheaper_above,
            "trial {trial}"
        );
        assert_eq!(
            cheaper(c.volume * 1.006),
            c.a_cheaper_above,
            "trial {trial}"
        );
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} single crossings");
}

/// A sweep's files are byte-identical whatever the thread count.
#[test]
fn sweep_csv_is_byte_identical_for_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let path = scenario("spiky-100m.toml");
    let dirs: Vec<PathBuf> = ["1", "2"]
        .iter()
        .map(|threads| {
            let dir = tmp.path().join(threads);
            run_ok(&[
                "sweep",
                path.to_str().unwrap(),
                "--points",
                "5",
                "--trials",
                "300",
                "--breakeven-trials",
                "60",
                "--threads",
                threads,
                "--plots",
                "--quiet",
                "--out",
                dir.to_str().unwrap(),
            ]);
            dir
        })
        .collect();
    for file in ["sweep.csv", "breakeven.csv", "probability.svg"] {
        let a = std::fs::read(dirs[0].join(file)).unwrap();
        assert!(a.len() > 100, "{file} is written");
        assert!(
            a == std::fs::read(dirs[1].join(file)).unwrap(),
            "{file} differs"
        );
    }
}

/// Common random numbers across volumes: a 0.1% higher level keeps the
/// regime path, moves each trial's tokens by about 0.1% and changes almost
/// no hour's count by more than a request or two (before the per-hour
/// streams, the same change moved one spiky trial's tokens by 32%).
#[test]
fn a_small_level_change_moves_no_other_draw() {
    let s = Scenario::load(&scenario("spiky-100m.toml")).unwrap();
    let axis = VolumeAxis::of(&s).unwrap();
    let (mut low, mut high) = (Default::default(), Default::default());
    let (mut hours, mut jumps) = (0, 0);
    for trial in 0..40 {
        let mut p = breakeven::engine::draw_params(&s, 1, trial);
        let v = p[axis.param.0];
        breakeven::engine::draw_traffic(&s, 1, trial, &p, &mut low);
        p[axis.param.0] = v * 1.001;
        breakeven::engine::draw_traffic(&s, 1, trial, &p, &mut high);
        let low: &breakeven::traffic::TrialTraffic = &low;
        let high: &breakeven::traffic::TrialTraffic = &high;
        assert_eq!(
            low.steps, high.steps,
            "trial {trial}: the regime path moved"
        );
        let tokens = |t: &breakeven::traffic::TrialTraffic| -> f64 {
            t.hours.iter().map(|h| h.tokens()).sum()
        };
        let ratio = tokens(high) / tokens(low);
        assert!(
            (ratio - 1.001).abs() < 0.003,
            "trial {trial}: tokens × {ratio}"
        );
        for (a, b) in low.hours.iter().zip(&high.hours) {
            hours += 1;
            jumps += usize::from((b.requests - a.requests).abs() > 2.0);
        }
    }
    assert!(jumps * 200 < hours, "{jumps} of {hours} hours jumped");
}
