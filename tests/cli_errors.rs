//! The real `breakeven` binary on bad scenario files: every mistake must end
//! with exit status 2, a message `<file>:<line>:<column>: <field>: ...` that
//! says what would be valid, no panic, and no output written.
//!
//! Each bad file is the minimal valid scenario of [`base_scenario`] with one
//! small edit, so the expected positions can be read off [`BASE_LINES`]. The
//! hand-computed positions are also checked against the text itself
//! ([`assert_points_at`]) so a mistake in a test cannot pass for one in the
//! binary.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_breakeven");

/// The minimal valid scenario, one entry per line (line numbers in comments).
const BASE_LINES: [&str; 18] = [
    r#"name = "mini""#,                  // 1
    "",                                  // 2
    "[run]",                             // 3
    "trials = 200",                      // 4
    "seed = 7",                          // 5
    "",                                  // 6
    "[traffic]",                         // 7
    "tokens_per_month = 1e8",            // 8
    r#"daily_profile = "flat""#,         // 9
    r#"input_tokens = "200 to 3000""#,   // 10
    r#"output_tokens = "50 to 800""#,    // 11
    "",                                  // 12
    "[deployment.gpu]",                  // 13
    r#"kind = "dedicated""#,             // 14
    r#"gpu_hour_usd = "1.39 to 2.00""#,  // 15
    "replicas = 2",                      // 16
    r#"single_stream_tps = "40 to 60""#, // 17
    r#"max_tps = "1000 to 3000""#,       // 18
];

/// The minimal valid scenario as file text.
fn base_scenario() -> String {
    let mut text = BASE_LINES.join("\n");
    text.push('\n');
    text
}

/// The base scenario with the one occurrence of `old` replaced by `new`.
fn edit(old: &str, new: &str) -> String {
    let base = base_scenario();
    assert_eq!(
        base.matches(old).count(),
        1,
        "test bug: `{old}` must occur exactly once in the base scenario"
    );
    base.replacen(old, new, 1)
}

/// Check a hand-computed 1-based position (column in characters) against
/// the text: it must point at `snippet`.
fn assert_points_at(text: &str, line: usize, column: usize, snippet: &str) {
    let l = text
        .split('\n')
        .nth(line - 1)
        .unwrap_or_else(|| panic!("test bug: the text has no line {line}"));
    let rest: String = l.chars().skip(column - 1).collect();
    assert!(
        rest.starts_with(snippet),
        "test bug: {line}:{column} points at `{rest}`, not at `{snippet}`"
    );
}

/// A temporary folder holding the scenario files and the output folder; the
/// binary runs inside it, so a stray default `output/` would land here too.
struct Sandbox {
    dir: TempDir,
}

impl Sandbox {
    fn new() -> Self {
        Sandbox {
            dir: tempfile::tempdir().expect("create temp dir"),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path().join(name);
        fs::write(&p, text).expect("write scenario");
        p
    }

    fn out(&self) -> PathBuf {
        self.path().join("out")
    }

    fn breakeven(&self, args: &[&std::ffi::OsStr]) -> Output {
        Command::new(BIN)
            .current_dir(self.path())
            .args(args)
            .output()
            .expect("run breakeven")
    }

    /// `breakeven run <file> --out <sandbox>/out`.
    fn run(&self, file: &Path) -> Output {
        let out = self.out();
        self.breakeven(&[
            "run".as_ref(),
            file.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ])
    }

    /// `breakeven check <file>`.
    fn check(&self, file: &Path) -> Output {
        self.breakeven(&["check".as_ref(), file.as_os_str()])
    }

    /// `breakeven fit <trace>`.
    fn fit(&self, trace: &Path) -> Output {
        self.breakeven(&["fit".as_ref(), trace.as_os_str()])
    }

    /// `breakeven traffic <file> --trials <trials> --out <sandbox>/out`.
    fn traffic(&self, file: &Path, trials: &str) -> Output {
        let out = self.out();
        self.breakeven(&[
            "traffic".as_ref(),
            file.as_os_str(),
            "--trials".as_ref(),
            trials.as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
        ])
    }

    /// Nothing was written: the `--out` folder is missing or empty, and no
    /// default `output/` folder appeared.
    fn assert_no_output(&self) {
        let out = self.out();
        if out.exists() {
            let names: Vec<String> = fs::read_dir(&out)
                .expect("read out dir")
                .map(|e| {
                    e.expect("dir entry")
                        .file_name()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect();
            assert!(
                names.is_empty(),
                "partial output in {}: {names:?}",
                out.display()
            );
        }
        assert!(
            !self.path().join("output").exists(),
            "a default output/ folder was created"
        );
    }
}

/// Exit status exactly 2 and no panic; returns standard error.
fn assert_user_error(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit status {:?}, expected 2\nstderr:\n{stderr}",
        out.status
    );
    assert!(!stderr.contains("panicked"), "panic:\n{stderr}");
    stderr
}

/// A bad scenario and what its message must say.
struct Bad<'a> {
    /// File name inside the sandbox.
    name: &'a str,
    /// Its text.
    text: String,
    /// 1-based line of the offending text.
    line: usize,
    /// 1-based column (characters) of the offending text.
    column: usize,
    /// What the position points at in `text` (checks the test itself).
    at: &'a str,
    /// Dotted field name in the message.
    field: &'a str,
    /// Words of what is valid (or what is wrong) the message must contain.
    words: &'a [&'a str],
}

impl Bad<'_> {
    /// Check the message of `stderr` for this case.
    fn assert_message(&self, file: &Path, stderr: &str) {
        let pos = format!("{}:{}:{}:", file.display(), self.line, self.column);
        assert!(
            stderr.contains(&pos),
            "expected position `{pos}` in:\n{stderr}"
        );
        let field = format!(": {}: ", self.field);
        assert!(
            stderr.contains(&field),
            "expected field `{}` in:\n{stderr}",
            self.field
        );
        let full = format!("{pos} {}: ", self.field);
        assert!(stderr.contains(&full), "expected `{full}` in:\n{stderr}");
        for w in self.words {
            assert!(stderr.contains(w), "expected `{w}` in:\n{stderr}");
        }
    }

    /// Run it with `run --out`: exit 2, the message, no output. Returns the
    /// sandbox, the file and standard error.
    fn assert_rejected(&self) -> (Sandbox, PathBuf, String) {
        if !self.at.is_empty() {
            assert_points_at(&self.text, self.line, self.column, self.at);
        }
        let sb = Sandbox::new();
        let file = sb.write(self.name, &self.text);
        let out = sb.run(&file);
        let stderr = assert_user_error(&out);
        self.assert_message(&file, &stderr);
        sb.assert_no_output();
        (sb, file, stderr)
    }

    /// As [`Bad::assert_rejected`], then `check` on the same file: exit 2
    /// and the very same message.
    fn assert_rejected_by_run_and_check(&self) {
        let (sb, file, run_stderr) = self.assert_rejected();
        let out = sb.check(&file);
        let check_stderr = assert_user_error(&out);
        self.assert_message(&file, &check_stderr);
        assert_eq!(check_stderr, run_stderr, "`check` and `run` disagree");
        sb.assert_no_output();
    }
}

#[test]
fn base_scenario_is_valid() {
    let sb = Sandbox::new();
    let file = sb.write("mini.toml", &base_scenario());
    let out = sb.check(&file);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("valid scenario \"mini\""));
}

// 1. An unknown key, with a suggestion of the right one.
#[test]
fn unknown_key_is_named_and_the_right_key_suggested() {
    Bad {
        name: "unknown-key.toml",
        text: edit("gpu_hour_usd = ", "gpu_hour_ud = "),
        line: 15,
        column: 1,
        at: "gpu_hour_ud",
        field: "deployment.gpu.gpu_hour_ud",
        words: &[
            "unknown key `gpu_hour_ud`",
            "did you mean `gpu_hour_usd`?",
            "valid keys here:",
        ],
    }
    .assert_rejected_by_run_and_check();
}

// 2. A misspelt deployment kind.
#[test]
fn misspelt_kind_lists_the_valid_kinds() {
    Bad {
        name: "kind.toml",
        text: edit(r#"kind = "dedicated""#, r#"kind = "dedicate""#),
        line: 14,
        column: 8,
        at: r#""dedicate""#,
        field: "deployment.gpu.kind",
        words: &[
            r#"unknown deployment kind "dedicate""#,
            r#"did you mean "dedicated"?"#,
            r#""api", "dedicated" or "serverless""#,
        ],
    }
    .assert_rejected_by_run_and_check();
}

// 3a. A wrong type: a string where a whole number goes (deployment).
#[test]
fn string_for_replicas_is_a_type_error() {
    Bad {
        name: "replicas.toml",
        text: edit("replicas = 2", r#"replicas = "two""#),
        line: 16,
        column: 12,
        at: r#""two""#,
        field: "deployment.gpu.replicas",
        words: &[
            "expected a whole number from 1 to",
            r#"found the string "two""#,
        ],
    }
    .assert_rejected();
}

// 3b. A wrong type: a string where a whole number goes ([run]).
#[test]
fn string_for_trials_is_a_type_error() {
    Bad {
        name: "trials.toml",
        text: edit("trials = 200", r#"trials = "many""#),
        line: 4,
        column: 10,
        at: r#""many""#,
        field: "run.trials",
        words: &[
            "expected a whole number from 1 to",
            r#"found the string "many""#,
        ],
    }
    .assert_rejected_by_run_and_check();
}

// 4. A range written backwards.
#[test]
fn backwards_range_suggests_the_right_order() {
    Bad {
        name: "backwards.toml",
        text: edit(r#""1.39 to 2.00""#, r#""5 to 2""#),
        line: 15,
        column: 16,
        at: r#""5 to 2""#,
        field: "deployment.gpu.gpu_hour_usd",
        words: &["low end must be below the high end", r#""2 to 5""#],
    }
    .assert_rejected_by_run_and_check();
}

// 5a. A negative price.
#[test]
fn negative_price_is_out_of_range() {
    Bad {
        name: "negative.toml",
        text: edit(r#""1.39 to 2.00""#, "-1.5"),
        line: 15,
        column: 16,
        at: "-1.5",
        field: "deployment.gpu.gpu_hour_usd",
        words: &["-1.5 is out of range", "> 0"],
    }
    .assert_rejected();
}

// 5b. A zero price.
#[test]
fn zero_price_is_out_of_range() {
    Bad {
        name: "zero.toml",
        text: edit(r#""1.39 to 2.00""#, "0.0"),
        line: 15,
        column: 16,
        at: "0.0",
        field: "deployment.gpu.gpu_hour_usd",
        words: &["out of range", "> 0"],
    }
    .assert_rejected();
}

// 6. A daily profile of 23 weights instead of 24.
#[test]
fn daily_profile_of_23_weights_is_rejected() {
    let weights = vec!["1"; 23].join(", ");
    Bad {
        name: "profile.toml",
        text: edit(
            r#"daily_profile = "flat""#,
            &format!("daily_profile = [{weights}]"),
        ),
        line: 9,
        column: 17,
        at: "[1, 1",
        field: "traffic.daily_profile",
        words: &[
            "23 weights",
            "an array of 24 non-negative weights",
            r#""flat""#,
        ],
    }
    .assert_rejected();
}

// 7a. No deployment at all: nothing to point at, so the start of the file.
#[test]
fn scenario_without_deployment_is_rejected() {
    let base = base_scenario();
    let cut = base.find("\n[deployment.gpu]").expect("deployment table");
    Bad {
        name: "no-deployment.toml",
        text: base[..cut + 1].to_string(),
        line: 1,
        column: 1,
        at: "name",
        field: "deployment",
        words: &[
            "no deployment",
            "[deployment.<name>]",
            r#""api", "dedicated" or "serverless""#,
        ],
    }
    .assert_rejected_by_run_and_check();
}

// 7b. An empty [deployment] table: the message points at its header.
#[test]
fn empty_deployment_table_is_rejected() {
    let base = base_scenario();
    let cut = base.find("\n[deployment.gpu]").expect("deployment table");
    Bad {
        name: "empty-deployment.toml",
        text: format!("{}\n[deployment]\n", &base[..cut]),
        line: 13,
        column: 1,
        at: "[deployment]",
        field: "deployment",
        words: &["no deployment", r#""api", "dedicated" or "serverless""#],
    }
    .assert_rejected();
}

// 8. An empty file.
#[test]
fn empty_file_is_rejected() {
    Bad {
        name: "empty.toml",
        text: String::new(),
        line: 1,
        column: 1,
        at: "",
        field: "(file)",
        words: &["empty", "[traffic]", "[deployment.<name>]"],
    }
    .assert_rejected_by_run_and_check();
}

// 9a. A file that is not TOML at all.
#[test]
fn not_toml_is_rejected() {
    Bad {
        name: "not-toml.toml",
        text: "this is = = not toml\n".to_string(),
        line: 1,
        column: 6,
        at: "is = =",
        field: "(file)",
        words: &["not valid TOML", "expected `=`"],
    }
    .assert_rejected_by_run_and_check();
}

// 9b. A TOML syntax error inside an otherwise valid scenario.
#[test]
fn toml_syntax_error_in_scenario_is_rejected() {
    Bad {
        name: "syntax.toml",
        text: edit("seed = 7", "seed 7"),
        line: 5,
        column: 6,
        at: "7",
        field: "(file)",
        words: &["not valid TOML", "expected `=`"],
    }
    .assert_rejected();
}

// 10. A path that does not exist: the message names it.
#[test]
fn missing_path_is_named() {
    let sb = Sandbox::new();
    let file = sb.path().join("no-such-scenario.toml");
    for out in [sb.run(&file), sb.check(&file)] {
        let stderr = assert_user_error(&out);
        let expected = format!("{}: cannot read", file.display());
        assert!(
            stderr.contains(&expected),
            "expected `{expected}` in:\n{stderr}"
        );
        sb.assert_no_output();
    }
}

// Positive control: a valid scenario runs and writes every output, with no
// temporary files left behind.
#[test]
fn valid_scenario_writes_all_outputs() {
    let sb = Sandbox::new();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/steady-1b.toml");
    let out_dir = sb.out();
    let out = sb.breakeven(&[
        "run".as_ref(),
        scenario.as_os_str(),
        "--trials".as_ref(),
        "300".as_ref(),
        "--out".as_ref(),
        out_dir.as_os_str(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "panic:\n{stderr}");

    let mut names: Vec<String> = fs::read_dir(&out_dir)
        .expect("read out dir")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "breakeven.csv",
            "pairs.csv",
            "params.csv",
            "run.json",
            "sensitivity.csv",
            "summary.csv",
            "trials.csv"
        ],
        "unexpected files (leftover temporaries start with '.')"
    );
    for name in &names {
        let len = fs::metadata(out_dir.join(name)).expect("metadata").len();
        assert!(len > 0, "{name} is empty");
    }
    // One row per trial and deployment (three in steady-1b), plus a header.
    let trials = fs::read_to_string(out_dir.join("trials.csv")).expect("trials.csv");
    assert_eq!(trials.lines().count(), 1 + 300 * 3);
    let params = fs::read_to_string(out_dir.join("params.csv")).expect("params.csv");
    assert_eq!(params.lines().count(), 1 + 300);
    let run_json = fs::read_to_string(out_dir.join("run.json")).expect("run.json");
    assert!(
        run_json.contains("\"trials\": 300"),
        "run.json:\n{run_json}"
    );
}

// Regressions found by probing: a non-ASCII or empty kind gets the usual
// message (no panic, no wrong hint).
#[test]
fn non_ascii_and_empty_kinds_are_rejected_cleanly() {
    let (_, _, stderr) = Bad {
        name: "kind-accents.toml",
        text: edit(r#"kind = "dedicated""#, r#"kind = "ééé""#),
        line: 14,
        column: 8,
        at: "\"ééé\"",
        field: "deployment.gpu.kind",
        words: &[
            "unknown deployment kind",
            "\"api\", \"dedicated\" or \"serverless\"",
        ],
    }
    .assert_rejected();
    assert!(!stderr.contains("did you mean"), "{stderr}");
    let (_, _, stderr) = Bad {
        name: "kind-empty.toml",
        text: edit(r#"kind = "dedicated""#, r#"kind = """#),
        line: 14,
        column: 8,
        at: "\"\"",
        field: "deployment.gpu.kind",
        words: &["unknown deployment kind"],
    }
    .assert_rejected();
    assert!(!stderr.contains("did you mean"), "{stderr}");
}

// A boot longer than a day (a slip of units): the fast path's sums grow
// with the boot, so a boot of 1e12 s would run for ever.
#[test]
fn a_cold_start_longer_than_a_day_is_out_of_range() {
    let text = with_serverless().replace("cold_start_s = 30", "cold_start_s = 1e12");
    Bad {
        name: "long-boot.toml",
        text,
        line: 23,
        column: 16,
        at: "1e12",
        field: "deployment.flex.cold_start_s",
        words: &["out of range", "from 0 to 86400 (a day)"],
    }
    .assert_rejected_by_run_and_check();
    // A range reaching past a day is rejected the same way.
    Bad {
        name: "long-boot-range.toml",
        text: with_serverless().replace("cold_start_s = 30", r#"cold_start_s = "60 to 1e6""#),
        line: 23,
        column: 16,
        at: r#""60 to 1e6""#,
        field: "deployment.flex.cold_start_s",
        words: &["outside the valid range", "from 0 to 86400 (a day)"],
    }
    .assert_rejected();
}

// A boot CV or a billing unit past any real service: the fast path's sums
// go wrong there (a CV of 5e4 made every request a cold start; a billing
// unit of 1e300 s billed every one of u32::MAX workers).
#[test]
fn a_boot_cv_over_ten_or_a_billing_unit_over_an_hour_is_out_of_range() {
    // (Line 27: after the deployment's last line.)
    let serverless = |line: &str| format!("{}{line}\n", with_serverless());
    Bad {
        name: "wild-cv.toml",
        text: serverless("cold_start_cv = 5e4"),
        line: 27,
        column: 17,
        at: "5e4",
        field: "deployment.flex.cold_start_cv",
        words: &["out of range", "from 0 to 10"],
    }
    .assert_rejected_by_run_and_check();
    Bad {
        name: "long-unit.toml",
        text: serverless("billing_unit_s = 7200"),
        line: 27,
        column: 18,
        at: "7200",
        field: "deployment.flex.billing_unit_s",
        words: &["out of range", "at most 3600"],
    }
    .assert_rejected();
    // At the ends themselves, valid.
    let sb = Sandbox::new();
    for (name, line) in [
        ("cv-10.toml", r#"cold_start_cv = "1000%""#),
        ("unit-hour.toml", "billing_unit_s = 3600"),
    ] {
        let file = sb.write(name, &serverless(line));
        let out = sb.check(&file);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

// A cv so small that its square underflows is simply no extra variability.
#[test]
fn a_tiny_hourly_cv_runs() {
    let sb = Sandbox::new();
    let file = sb.write(
        "tiny-cv.toml",
        &edit(
            "tokens_per_month = 1e8",
            "tokens_per_month = 1e8\nhourly_cv = 1e-200",
        ),
    );
    let out = sb.run(&file);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// The cause of an I/O error is said once.
#[test]
fn a_missing_path_names_its_cause_once() {
    let sb = Sandbox::new();
    let missing = sb.path().join("nope.toml");
    let out = sb.breakeven(&["check".as_ref(), missing.as_os_str()]);
    let stderr = assert_user_error(&out);
    assert_eq!(stderr.matches("No such file").count(), 1, "{stderr}");
}

// The traffic inputs: named shapes, replayed traces, spikes, the
// `{ median, mean }` form, and the `fit` and `traffic` subcommands.

/// A valid Azure-format trace, one row per line (line numbers in comments).
const AZURE_LINES: [&str; 5] = [
    "TIMESTAMP,ContextTokens,GeneratedTokens", // 1
    "2023-11-16 18:15:46.6805900,374,44",      // 2
    "2023-11-16 18:15:50.4800000,396,109",     // 3
    "2023-11-16 18:15:55.1000000,150,20",      // 4
    "2023-11-16 18:16:01.2500000,820,310",     // 5
];

/// The valid Azure trace as file text.
fn azure_trace() -> String {
    let mut text = AZURE_LINES.join("\n");
    text.push('\n');
    text
}

/// The Azure trace with a token count that is not a number on line 3: the
/// ContextTokens cell, column 29 (after the 27-character timestamp and a
/// comma).
fn bad_azure_trace() -> String {
    let good = azure_trace();
    let row = "18:15:50.4800000,396,";
    assert_eq!(good.matches(row).count(), 1, "test bug: `{row}` not unique");
    good.replacen(row, "18:15:50.4800000,abc,", 1)
}

/// The bad cell of [`bad_azure_trace`], as a [`Bad`] whose position is in
/// the trace file (`name`).
fn bad_azure_cell(name: &str) -> Bad<'_> {
    Bad {
        name,
        text: bad_azure_trace(),
        line: 3,
        column: 29,
        at: "abc,109",
        field: "ContextTokens",
        words: &[r#""abc" is not a token count >= 0"#],
    }
}

/// The base scenario replaying a trace: the shape and token keys (lines
/// 9-11) give way to `lines`, which start on line 9.
fn trace_scenario(lines: &str) -> String {
    edit(
        "daily_profile = \"flat\"\ninput_tokens = \"200 to 3000\"\noutput_tokens = \"50 to 800\"\n",
        lines,
    )
}

// Positive control for the trace cases: the trace and the scenario built
// around it are valid, so each case below has exactly one fault.
#[test]
fn trace_scenario_with_a_valid_azure_trace_is_valid() {
    let sb = Sandbox::new();
    sb.write("trace.csv", &azure_trace());
    let file = sb.write("replay.toml", &trace_scenario("trace = \"trace.csv\"\n"));
    let out = sb.check(&file);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("replay of"), "stdout:\n{stdout}");
    assert!(stdout.contains("azure trace"), "stdout:\n{stdout}");
}

// 11. An unknown named shape lists the valid ones.
#[test]
fn unknown_shape_lists_the_valid_shapes() {
    Bad {
        name: "shape.toml",
        text: edit(
            r#"daily_profile = "flat""#,
            "daily_profile = \"flat\"\nshape = \"spikey\"",
        ),
        line: 10,
        column: 9,
        at: r#""spikey""#,
        field: "traffic.shape",
        words: &[
            r#"unknown shape "spikey""#,
            r#""steady-fleet", "business-hours", "spiky-tenant", "nightly-batch""#,
        ],
    }
    .assert_rejected_by_run_and_check();
}

// 12. A shape key beside a replayed trace: the trace gives the shape. (No
// trace.csv is written here or in 13: these keys are checked before the
// trace is read.)
#[test]
fn daily_profile_beside_a_trace_is_rejected() {
    Bad {
        name: "trace-profile.toml",
        text: trace_scenario("trace = \"trace.csv\"\ndaily_profile = \"flat\"\n"),
        line: 10,
        column: 17,
        at: r#""flat""#,
        field: "traffic.daily_profile",
        words: &[
            "does not apply to a replayed trace",
            "remove `daily_profile`",
        ],
    }
    .assert_rejected_by_run_and_check();
}

// 13. An unknown trace format lists the valid ones.
#[test]
fn unknown_trace_format_lists_the_valid_formats() {
    Bad {
        name: "trace-format.toml",
        text: trace_scenario("trace = \"trace.csv\"\ntrace_format = \"csv\"\n"),
        line: 10,
        column: 16,
        at: r#""csv""#,
        field: "traffic.trace_format",
        words: &[
            r#"unknown trace format "csv""#,
            r#""azure", "servegen", "hourly""#,
        ],
    }
    .assert_rejected_by_run_and_check();
}

// 14. A trace that does not exist: the scenario's `trace` value is pointed
// at, and the message names the path looked for.
#[test]
fn missing_trace_file_is_located_at_the_trace_key() {
    let (sb, _, stderr) = Bad {
        name: "trace-missing.toml",
        text: trace_scenario("trace = \"missing.csv\"\n"),
        line: 9,
        column: 9,
        at: r#""missing.csv""#,
        field: "traffic.trace",
        words: &["cannot read", "relative to the scenario file's folder"],
    }
    .assert_rejected();
    let expected = format!("{}: cannot read", sb.path().join("missing.csv").display());
    assert!(
        stderr.contains(&expected),
        "expected `{expected}` in:\n{stderr}"
    );
}

// 15. A bad cell in a replayed trace: the message is located in the trace
// file (line, column and column name), not in the scenario.
#[test]
fn bad_cell_in_a_replayed_trace_is_located_in_the_trace() {
    let bad = bad_azure_cell("bad.csv");
    assert_points_at(&bad.text, bad.line, bad.column, bad.at);
    let sb = Sandbox::new();
    let trace = sb.write(bad.name, &bad.text);
    let file = sb.write("trace-bad.toml", &trace_scenario("trace = \"bad.csv\"\n"));
    let run_stderr = assert_user_error(&sb.run(&file));
    bad.assert_message(&trace, &run_stderr);
    sb.assert_no_output();
    let check_stderr = assert_user_error(&sb.check(&file));
    bad.assert_message(&trace, &check_stderr);
    assert_eq!(check_stderr, run_stderr, "`check` and `run` disagree");
    sb.assert_no_output();
}

// 16. Spikes given in part: the first missing key is named.
#[test]
fn spike_factor_alone_names_the_missing_key() {
    Bad {
        name: "spikes.toml",
        text: edit(
            r#"daily_profile = "flat""#,
            "daily_profile = \"flat\"\nspike_factor = 3",
        ),
        line: 7,
        column: 1,
        at: "[traffic]",
        field: "traffic.spike_share",
        words: &[
            "`spike_share` is missing",
            "spike_factor",
            "spike_share",
            "spike_minutes",
        ],
    }
    .assert_rejected_by_run_and_check();
}

// 17. A trace format without a trace.
#[test]
fn trace_format_without_trace_is_rejected() {
    Bad {
        name: "format-alone.toml",
        text: edit(
            r#"daily_profile = "flat""#,
            "daily_profile = \"flat\"\ntrace_format = \"azure\"",
        ),
        line: 10,
        column: 16,
        at: r#""azure""#,
        field: "traffic.trace_format",
        words: &["`trace_format` needs `trace = \"path/to/trace\"` beside it"],
    }
    .assert_rejected_by_run_and_check();
}

// 18. A lognormal by median and mean with the mean below the median.
#[test]
fn median_above_mean_is_rejected() {
    Bad {
        name: "median-mean.toml",
        text: edit(
            r#"input_tokens = "200 to 3000""#,
            "input_tokens = { median = 500, mean = 300 }",
        ),
        line: 10,
        column: 16,
        at: "{ median = 500",
        field: "traffic.input_tokens",
        words: &[
            "median = 500, mean = 300",
            "0 < median < mean",
            "{ median = .., mean = .. }",
        ],
    }
    .assert_rejected_by_run_and_check();
}

// 19. `fit` on a trace with a bad cell: the trace's line and column, and
// nothing printed.
#[test]
fn fit_on_a_bad_trace_locates_the_cell() {
    let bad = bad_azure_cell("bad.csv");
    assert_points_at(&bad.text, bad.line, bad.column, bad.at);
    let sb = Sandbox::new();
    let trace = sb.write(bad.name, &bad.text);
    let out = sb.fit(&trace);
    let stderr = assert_user_error(&out);
    bad.assert_message(&trace, &stderr);
    assert!(out.stdout.is_empty(), "fit printed a partial fit");
    sb.assert_no_output();
}

// 20. `fit` on a path that does not exist.
#[test]
fn fit_on_a_missing_path_is_named() {
    let sb = Sandbox::new();
    let missing = sb.path().join("no-such-trace.csv");
    let out = sb.fit(&missing);
    let stderr = assert_user_error(&out);
    let expected = format!("{}: cannot read", missing.display());
    assert!(
        stderr.contains(&expected),
        "expected `{expected}` in:\n{stderr}"
    );
    assert!(out.stdout.is_empty(), "fit printed a partial fit");
    sb.assert_no_output();
}

// 21. `traffic --trials 0` is a usage error and writes nothing; one trial
// is fine.
#[test]
fn traffic_with_zero_trials_is_rejected() {
    let sb = Sandbox::new();
    let file = sb.write("mini.toml", &base_scenario());
    let stderr = assert_user_error(&sb.traffic(&file, "0"));
    assert!(
        stderr.contains("--trials must be at least 1"),
        "expected the valid range in:\n{stderr}"
    );
    sb.assert_no_output();

    let out = sb.traffic(&file, "1");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
    assert!(sb.out().join("mini").join("traffic.csv").is_file());
}

// The decision options: volume ranges, precision targets, sweep points,
// and a sweep of a trace with no level to vary.

/// `breakeven <args...> <file> --out <sandbox>/out` must exit 2 with a
/// message holding every one of `words`, and write nothing.
fn assert_option_rejected(sub: &str, extra: &[&str], words: &[&str]) {
    let sb = Sandbox::new();
    let file = sb.write("mini.toml", &base_scenario());
    let out = sb.out();
    let mut args: Vec<&std::ffi::OsStr> = vec![sub.as_ref(), file.as_os_str()];
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    args.extend([std::ffi::OsStr::new("--out"), out.as_os_str()]);
    let stderr = assert_user_error(&sb.breakeven(&args));
    for w in words {
        assert!(
            stderr.contains(w),
            "{sub} {extra:?}: message lacks `{w}`:\n{stderr}"
        );
    }
    sb.assert_no_output();
}

#[test]
fn a_volume_range_that_is_not_low_to_high_is_rejected() {
    for sub in ["run", "sweep", "report"] {
        assert_option_rejected(sub, &["--volume", "1e8-1e11"], &["--volume", "LOW..HIGH"]);
        assert_option_rejected(
            sub,
            &["--volume", "1e11..1e8"],
            &["LOW below HIGH", "e.g. 1e8..1e11"],
        );
        assert_option_rejected(
            sub,
            &["--volume", "1e8..lots"],
            &["\"lots\" is not a number"],
        );
    }
}

#[test]
fn a_precision_target_must_be_positive() {
    for p in ["--precision=0", "--precision=-1", "--precision=nan"] {
        assert_option_rejected("run", &[p], &["--precision", "positive percentage"]);
    }
}

#[test]
fn a_sweep_needs_at_least_one_point() {
    assert_option_rejected(
        "sweep",
        &["--points", "0"],
        &["--points must be at least 1"],
    );
    assert_option_rejected(
        "report",
        &["--points", "0"],
        &["--points must be at least 1"],
    );
}

/// The base scenario with a serverless deployment added.
fn with_serverless() -> String {
    base_scenario()
        + "\n[deployment.flex]\nkind = \"serverless\"\ngpu_second_usd = 0.00076\n\
           cold_start_s = 30\nkeep_alive_s = 60\nsingle_stream_tps = 50\nmax_tps = 2000\n"
}

// An endless keep-alive or bound (`inf`, a TOML float) is named as not finite.
#[test]
fn an_infinite_keep_alive_is_not_finite() {
    let text = with_serverless().replace("keep_alive_s = 60", "keep_alive_s = inf");
    let line = text
        .lines()
        .position(|l| l.starts_with("keep_alive_s"))
        .unwrap()
        + 1;
    Bad {
        name: "endless.toml",
        text,
        line,
        column: 16,
        at: "inf",
        field: "deployment.flex.keep_alive_s",
        words: &["expected a number >= 0, found the number inf, which is not finite"],
    }
    .assert_rejected_by_run_and_check();
    // In a distribution's array, the item itself is pointed at.
    Bad {
        name: "endless-pert.toml",
        text: edit(
            "tokens_per_month = 1e8",
            "tokens_per_month = { pert = [1e6, inf, 2e6] }",
        ),
        line: 8,
        column: 35,
        at: "inf",
        field: "traffic.tokens_per_month.pert",
        words: &[
            "expected an array of 3 finite numbers, found the number inf, which is not finite",
        ],
    }
    .assert_rejected_by_run_and_check();
}

#[test]
fn fidelity_needs_two_trials_and_a_serverless_deployment() {
    // Without serverless, the fidelity changes nothing: say so, naming the file.
    assert_option_rejected(
        "fidelity",
        &[],
        &[
            "mini.toml",
            "no serverless deployment",
            "nothing to compare",
        ],
    );
    // One trial has no standard error.
    let sb = Sandbox::new();
    let file = sb.write("mini.toml", &with_serverless());
    let out = sb.out();
    let args: Vec<&std::ffi::OsStr> = vec![
        "fidelity".as_ref(),
        file.as_os_str(),
        "--trials".as_ref(),
        "1".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    let stderr = assert_user_error(&sb.breakeven(&args));
    assert!(stderr.contains("--trials must be at least 2"), "{stderr}");
    sb.assert_no_output();
}

/// The base scenario with its traffic replaced by `trace.csv` played at
/// its recorded volume, and `extra` appended.
fn recorded_trace_scenario(extra: &str) -> String {
    let base = base_scenario();
    let traffic_start = base.find("tokens_per_month").unwrap();
    let traffic_end = base.find("\n\n[deployment").unwrap();
    format!(
        "{}trace = \"trace.csv\"{}{extra}",
        &base[..traffic_start],
        &base[traffic_end..]
    )
}

#[test]
fn a_trace_at_its_recorded_volume_cannot_be_swept() {
    let sb = Sandbox::new();
    sb.write("trace.csv", &azure_trace());
    let file = sb.write("mini.toml", &recorded_trace_scenario(""));
    let out = sb.out();
    let stderr = assert_user_error(&sb.breakeven(&[
        "sweep".as_ref(),
        file.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]));
    assert!(
        stderr.contains("need a traffic level to vary")
            && stderr.contains("tokens_per_month or requests_per_month"),
        "{stderr}"
    );
    sb.assert_no_output();
}

#[test]
fn a_trace_at_its_recorded_volume_runs_without_break_even_unless_asked() {
    let sb = Sandbox::new();
    sb.write("trace.csv", &azure_trace());
    // Two deployments, so there is a pair to break even.
    let file = sb.write(
        "mini.toml",
        &recorded_trace_scenario("\n[deployment.api]\nkind = \"api\"\nusd_per_mtok = 0.5\n"),
    );
    let out = sb.run(&file);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
    assert!(sb.out().join("pairs.csv").is_file());
    assert!(!sb.out().join("breakeven.csv").exists());
    // Asked for explicitly, the search is refused with the reason.
    let other = sb.path().join("other");
    let stderr = assert_user_error(&sb.breakeven(&[
        "run".as_ref(),
        file.as_os_str(),
        "--breakeven-trials".as_ref(),
        "10".as_ref(),
        "--out".as_ref(),
        other.as_os_str(),
    ]));
    assert!(stderr.contains("need a traffic level to vary"), "{stderr}");
    assert!(!other.exists());
}
