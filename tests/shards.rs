//! Scale-out: `run --shard K/N` on every K, then `merge`, writes exactly the
//! files of a single run (byte-identical CSVs, the same run.json but for its
//! wall time), and bad shard sets are refused.

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;

fn breakeven(args: &[&str]) -> Output {
    common::bin().args(args).output().expect("binary runs")
}

fn ok(args: &[&str]) {
    common::run_ok(args);
}

fn scenario(name: &str) -> String {
    common::scenario(name).display().to_string()
}

/// Run `name` whole into `<tmp>/single` and as three shards into
/// `<tmp>/s1..s3`, with the same settings.
fn run_whole_and_sharded(tmp: &Path, name: &str) -> (PathBuf, Vec<PathBuf>) {
    let path = scenario(name);
    let common = [
        "--trials",
        "500",
        "--seed",
        "9",
        "--breakeven-trials",
        "200",
        "--tornado-trials",
        "12",
        "--quiet",
    ];
    let single = tmp.join("single");
    let mut args = vec!["run", &path, "--out", single.to_str().unwrap()];
    args.extend(common);
    ok(&args);
    let shards: Vec<PathBuf> = (1..=3).map(|k| tmp.join(format!("s{k}"))).collect();
    for (k, dir) in shards.iter().enumerate() {
        let shard = format!("{}/3", k + 1);
        let mut args = vec![
            "run",
            &path,
            "--shard",
            &shard,
            "--out",
            dir.to_str().unwrap(),
        ];
        args.extend(common);
        ok(&args);
    }
    (single, shards)
}

#[test]
fn three_shards_merge_into_the_files_of_one_run() {
    for name in ["spiky-100m.toml", "steady-1b.toml"] {
        let tmp = tempfile::tempdir().unwrap();
        let (single, shards) = run_whole_and_sharded(tmp.path(), name);
        let merged = tmp.path().join("merged");
        // Shards in any order.
        ok(&[
            "merge",
            shards[2].to_str().unwrap(),
            shards[0].to_str().unwrap(),
            shards[1].to_str().unwrap(),
            "--out",
            merged.to_str().unwrap(),
            "--quiet",
        ]);
        for file in [
            "trials.csv",
            "params.csv",
            "breakeven.csv",
            "summary.csv",
            "pairs.csv",
            "sensitivity.csv",
        ] {
            let a = std::fs::read(single.join(file)).unwrap();
            let b = std::fs::read(merged.join(file)).unwrap();
            assert!(a.len() > 100, "{name}: {file} is written");
            assert!(
                a == b,
                "{name}: {file} differs between one run and the merge"
            );
        }
        let json = |dir: &Path| -> serde_json::Value {
            let mut v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(dir.join("run.json")).unwrap()).unwrap();
            v["wall_time_s"] = serde_json::Value::Null;
            v["threads"] = serde_json::Value::Null;
            v
        };
        assert_eq!(json(&single), json(&merged), "{name}: run.json");
        // A shard holds only its own trials (500 split 166/167/167).
        let rows = std::fs::read_to_string(shards[0].join("params.csv")).unwrap();
        assert_eq!(rows.lines().count(), 1 + 166);
        assert!(!shards[0].join("summary.csv").exists());
    }
}

#[test]
fn incomplete_or_mixed_shards_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, shards) = run_whole_and_sharded(tmp.path(), "steady-1b.toml");
    let out = tmp.path().join("merged");
    let refused = |args: &[&str], words: &str| {
        let o = breakeven(args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(words),
            "{args:?}: expected `{words}` in {stderr}"
        );
        assert!(!out.exists(), "nothing written");
    };
    let s = |k: usize| shards[k].to_str().unwrap();
    refused(
        &["merge", s(0), s(1), "--out", out.to_str().unwrap()],
        "2 shard folders given but the run has 3 shards",
    );
    refused(
        &["merge", s(0), s(1), s(1), "--out", out.to_str().unwrap()],
        "give every shard once",
    );
    // A shard of another seed.
    let other = tmp.path().join("other");
    let path = scenario("steady-1b.toml");
    ok(&[
        "run",
        &path,
        "--trials",
        "500",
        "--seed",
        "10",
        "--breakeven-trials",
        "200",
        "--tornado-trials",
        "12",
        "--shard",
        "2/3",
        "--quiet",
        "--out",
        other.to_str().unwrap(),
    ]);
    refused(
        &[
            "merge",
            s(0),
            other.to_str().unwrap(),
            s(2),
            "--out",
            out.to_str().unwrap(),
        ],
        "`seed` is 10 here but 9",
    );
    refused(
        &[
            "run",
            &path,
            "--shard",
            "4/3",
            "--out",
            out.to_str().unwrap(),
        ],
        "K must be between 1 and N",
    );
    // A shard whose trials.csv was cut short (a copy lost its tail).
    let cut = tmp.path().join("cut");
    std::fs::create_dir(&cut).unwrap();
    for f in ["trials.csv", "params.csv", "breakeven.csv", "shard.json"] {
        std::fs::copy(shards[1].join(f), cut.join(f)).unwrap();
    }
    let trials = std::fs::read_to_string(cut.join("trials.csv")).unwrap();
    let head: Vec<&str> = trials.lines().take(100).collect();
    std::fs::write(cut.join("trials.csv"), head.join("\n") + "\n").unwrap();
    refused(
        &[
            "merge",
            s(0),
            cut.to_str().unwrap(),
            s(2),
            "--out",
            out.to_str().unwrap(),
        ],
        "cut short",
    );
}
