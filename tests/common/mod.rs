//! Helpers the binary-level test files share.
// Each test file uses only some of them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The `breakeven` binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_breakeven"))
}

/// A bundled example scenario, by file name.
pub fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// Run the binary; it must succeed. Returns standard output.
pub fn run_ok(args: &[&str]) -> String {
    let out = bin().args(args).output().expect("binary runs");
    assert!(
        out.status.success(),
        "breakeven {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}
