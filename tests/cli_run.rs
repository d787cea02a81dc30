//! The `breakeven` binary on valid scenarios: reproducibility across thread
//! counts, batch runs, and the files a run writes.

use std::path::Path;

mod common;
use common::{run_ok, scenario};

#[test]
fn csv_is_byte_identical_for_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["steady-1b.toml", "spiky-100m.toml"] {
        let path = scenario(name);
        let mut outputs = Vec::new();
        for threads in ["1", "2"] {
            let dir = tmp.path().join(format!("{name}-{threads}"));
            run_ok(&[
                "run",
                path.to_str().unwrap(),
                "--trials",
                // Not a multiple of the chunk size, and several windows' worth.
                "1500",
                "--seed",
                "2024",
                "--threads",
                threads,
                "--breakeven-trials",
                "200",
                "--tornado-trials",
                "24",
                "--out",
                dir.to_str().unwrap(),
                "--quiet",
            ]);
            outputs.push(dir);
        }
        for file in [
            "trials.csv",
            "summary.csv",
            "params.csv",
            "pairs.csv",
            "breakeven.csv",
            "sensitivity.csv",
        ] {
            let a = std::fs::read(outputs[0].join(file)).unwrap();
            let b = std::fs::read(outputs[1].join(file)).unwrap();
            assert!(a.len() > 100, "{file} is written");
            assert!(a == b, "{name}: {file} differs between 1 and 2 threads");
        }
        // trials.csv: one row per (trial, deployment) plus the header.
        let trials = std::fs::read_to_string(outputs[0].join("trials.csv")).unwrap();
        assert_eq!(trials.lines().count(), 1 + 1500 * 3);
    }
}

#[test]
fn a_different_seed_gives_different_draws() {
    let tmp = tempfile::tempdir().unwrap();
    let path = scenario("steady-1b.toml");
    let mut files = Vec::new();
    for seed in ["1", "2"] {
        let dir = tmp.path().join(seed);
        run_ok(&[
            "run",
            path.to_str().unwrap(),
            "--trials",
            "300",
            "--seed",
            seed,
            "--breakeven-trials",
            "0",
            "--tornado-trials",
            "0",
            "--out",
            dir.to_str().unwrap(),
            "--quiet",
        ]);
        files.push(std::fs::read(dir.join("params.csv")).unwrap());
    }
    assert_ne!(files[0], files[1]);
}

#[test]
fn run_writes_every_file_with_its_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let stdout = run_ok(&[
        "run",
        scenario("premium-api-1b.toml").to_str().unwrap(),
        "--trials",
        "400",
        "--breakeven-trials",
        "50",
        "--tornado-trials",
        "16",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        stdout.contains("P(cheapest)"),
        "summary table printed:\n{stdout}"
    );
    assert!(stdout.contains("premium-api < a100x2-dedicated"));
    let summary = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    assert_columns(
        "summary.csv",
        &summary,
        &[
            "deployment",
            "mean_usd",
            "p5_usd",
            "p50_usd",
            "p95_usd",
            "usd_per_mtok_p50",
            "p_cheapest",
            "mcse_mean_usd",
        ],
    );
    assert_eq!(summary.lines().count(), 4);
    assert_columns(
        "summary.csv",
        &summary,
        &[
            "mcse_p5_usd",
            "mcse_p50_usd",
            "mcse_p95_usd",
            "mcse_usd_per_mtok_mean",
            "mcse_p_cheapest",
        ],
    );
    let pairs = std::fs::read_to_string(dir.join("pairs.csv")).unwrap();
    assert_columns(
        "pairs.csv",
        &pairs,
        &[
            "p_a_cheaper",
            "mcse_p_a_cheaper",
            "breakeven_p5",
            "breakeven_p50",
            "breakeven_p95",
            "crossing_share",
            "cheaper_above_breakeven",
        ],
    );
    // Against a premium API, two A100s break even below 1B tokens a month.
    assert!(
        stdout.contains("a100x2-dedicated is cheaper than premium-api above"),
        "break-even sentence printed:\n{stdout}"
    );
    let breakeven = std::fs::read_to_string(dir.join("breakeven.csv")).unwrap();
    assert_columns(
        "breakeven.csv",
        &breakeven,
        &[
            "trial",
            "a",
            "b",
            "outcome",
            "breakeven_volume",
            "cheaper_above",
        ],
    );
    // 50 searched trials × 3 pairs.
    assert_eq!(breakeven.lines().count(), 1 + 50 * 3);
    let sensitivity = std::fs::read_to_string(dir.join("sensitivity.csv")).unwrap();
    assert_columns(
        "sensitivity.csv",
        &sensitivity,
        &[
            "a",
            "b",
            "input",
            "rank",
            "spearman",
            "swing_usd",
            "mcse_swing_usd",
        ],
    );
    assert!(stdout.contains("What moves each cost difference most"));
    let trials = std::fs::read_to_string(dir.join("trials.csv")).unwrap();
    assert_columns(
        "trials.csv",
        &trials,
        &[
            "trial",
            "deployment",
            "cost_usd",
            "tokens",
            "usd_per_mtok",
            "utilization",
            "overflow_tokens",
            "cold_starts",
        ],
    );
    let params = std::fs::read_to_string(dir.join("params.csv")).unwrap();
    assert!(
        params
            .lines()
            .next()
            .unwrap()
            .contains("deployment.premium-api.input_usd_per_mtok")
    );
    assert_eq!(params.lines().count(), 401);
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["trials"], 400);
    assert_eq!(run["seed"], 42);
    assert_eq!(run["horizon_hours"], 720);
    assert_eq!(run["scenario_sha256"].as_str().unwrap().len(), 64);
    assert!(run["wall_time_s"].as_f64().unwrap() > 0.0);
    // No temporary files are left behind.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name();
        assert!(
            !name.to_string_lossy().starts_with('.'),
            "leftover {name:?}"
        );
    }
}

#[test]
fn a_folder_runs_as_a_batch_with_a_side_by_side_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("batch");
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    run_ok(&[
        "run",
        scenarios.to_str().unwrap(),
        "--trials",
        "256",
        "--breakeven-trials",
        "0",
        "--tornado-trials",
        "0",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let batch = std::fs::read_to_string(out.join("batch_summary.csv")).unwrap();
    assert!(batch.starts_with("scenario,deployment,"));
    for name in [
        "premium-api-1b",
        "spiky-100m",
        "steady-100m",
        "steady-10b",
        "steady-1b",
    ] {
        assert!(
            out.join(name).join("summary.csv").exists(),
            "{name} has its own folder"
        );
        assert_eq!(
            batch
                .lines()
                .filter(|l| l.starts_with(&format!("{name},")))
                .count(),
            3
        );
        // The batch rows are the scenario's own summary rows.
        let own = std::fs::read_to_string(out.join(name).join("summary.csv")).unwrap();
        for row in own.lines().skip(1) {
            assert!(batch.contains(&format!("{name},{row}")));
        }
    }
}

#[test]
fn check_prints_each_input_with_its_quantiles() {
    let stdout = run_ok(&["check", scenario("steady-1b.toml").to_str().unwrap()]);
    assert!(stdout.contains("valid scenario"));
    let line = stdout
        .lines()
        .find(|l| l.starts_with("deployment.a100x2-dedicated.gpu_hour_usd"))
        .expect("gpu price listed");
    // p5 / p50 / p95 of "1.39 to 2.00": the median is the geometric mean.
    assert!(
        line.contains("1.39") && line.contains("1.667") && line.contains(" 2 "),
        "{line}"
    );
}

/// `breakeven fidelity` prints and writes exactly what
/// `validation::compare_fidelities` computes on the same trials, one row
/// per fidelity, and a verdict on `auto` for each serverless deployment.
#[test]
fn fidelity_compares_the_fast_path_with_the_simulation_on_the_same_trials() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario("steady-100m.toml");
    let stdout = run_ok(&[
        "fidelity",
        path.to_str().unwrap(),
        "--trials",
        "3",
        "--seed",
        "5",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let s = breakeven::Scenario::load(&path).unwrap();
    let expected = breakeven::validation::compare_fidelities(&s, 3, 5, &|_| {}).unwrap();
    assert_eq!(expected.len(), 1);
    let c = &expected[0];
    let csv = std::fs::read_to_string(dir.path().join("fidelity.csv")).unwrap();
    assert_columns(
        "fidelity.csv",
        &csv,
        &[
            "deployment",
            "fidelity",
            "mean_cost_usd",
            "minus_request_se_usd",
        ],
    );
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 3);
    for (k, (row, fidelity)) in rows.iter().zip(["hourly", "auto", "request"]).enumerate() {
        assert_eq!(row[0], c.deployment);
        assert_eq!(row[1], fidelity);
        assert_eq!(row[3], breakeven::report::csv_num(c.cost_usd[k]));
        assert_eq!(row[6], breakeven::report::csv_num(c.cold_starts[k]));
    }
    assert_eq!(
        rows[1][5],
        breakeven::report::csv_num(c.auto_minus_request_se_usd)
    );
    // The request row has no difference from itself.
    assert_eq!((rows[2][4], rows[2][5]), ("", ""));
    assert!(stdout.contains(&breakeven::report::money_text(c.cost_usd[2])));
    let verdict = format!("{}: auto (the default) is", c.deployment);
    assert!(stdout.contains(&verdict), "{stdout}");
}

/// Assert that the CSV text's header names every column in `cols`.
fn assert_columns(file: &str, csv: &str, cols: &[&str]) {
    let header = csv.lines().next().unwrap();
    for col in cols {
        assert!(header.split(',').any(|c| c == *col), "{file} lacks {col}");
    }
}
