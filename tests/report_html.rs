//! `breakeven report`: one self-contained HTML page, checked for what it
//! holds and rendered in headless Chromium (skipped, with a message, where
//! Chromium is not installed; CI installs it).

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| {
            std::env::var_os("PATH")
                .into_iter()
                .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
                .map(move |dir| dir.join(name))
        })
        .find(|p| p.is_file())
}

/// Chromium headless with the flags this machine needs (no sandbox as
/// root, no GPU, no background network), a fresh profile, and `args`.
fn run_chromium(browser: &Path, profile: &Path, args: &[&str]) -> std::process::Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("chromium starts")
}

#[test]
fn report_is_one_self_contained_page_that_chromium_renders() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/steady-1b.toml");
    let run = Command::new(env!("CARGO_BIN_EXE_breakeven"))
        .args(["report", scenario.to_str().unwrap()])
        .args([
            "--trials",
            "300",
            "--points",
            "9",
            "--breakeven-trials",
            "200",
        ])
        .args(["--tornado-trials", "16", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "report failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();

    // Self-contained: inline SVG and style, no scripts, nothing fetched.
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(!page.contains("<script"), "no scripts");
    assert!(!page.contains("<link"), "no linked files");
    assert!(!page.contains("src=\""), "no external sources");
    for m in page.match_indices("http") {
        let around = &page[m.0.saturating_sub(8)..(m.0 + 40).min(page.len())];
        assert!(
            around.contains("www.w3.org/"),
            "only XML namespaces may name a URL: {around}"
        );
    }
    // What a reader needs: the decision with its probability, the inputs,
    // the summary, the break-even table, the plots and the sensitivity.
    assert!(page.contains("At 1B tokens per month, open-api is the cheapest"));
    assert!(page.contains("a100x2-dedicated is cheaper than open-api above"));
    for section in ["decision", "summary", "plots", "sensitivity", "inputs"] {
        assert!(
            page.contains(&format!("<section id=\"{section}\">")),
            "{section}"
        );
    }
    assert!(page.contains("deployment.open-api.usd_per_mtok"));
    // Probability, cost ECDF, three tornadoes, traffic.
    assert_eq!(page.matches("<svg").count(), 6, "six inline plots");
    assert!(out.join("sweep.csv").exists() && out.join("breakeven.csv").exists());

    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("BREAKEVEN_REQUIRE_CHROMIUM").is_none(),
            "BREAKEVEN_REQUIRE_CHROMIUM is set (as in CI) but no chromium is on PATH"
        );
        eprintln!(
            "skipping the Chromium check: no chromium on PATH (Debian: apt-get install chromium)"
        );
        return;
    };
    let profile = tmp.path().join("profile");
    let url = format!("file://{}", out.join("report.html").display());
    // The DOM Chromium builds: the page parses, and the SVGs are elements.
    let dom = run_chromium(&browser, &profile, &["--dump-dom", &url]);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("<main>"),
        "page parsed:\n{}",
        &dom[..dom.len().min(400)]
    );
    assert_eq!(dom.matches("<svg").count(), 6);
    assert!(dom.contains("class=\"decision\""));
    // A screenshot: written, and not blank.
    let shot = tmp.path().join("report.png");
    let arg = format!("--screenshot={}", shot.display());
    let r = run_chromium(&browser, &profile, &[&arg, "--window-size=1100,3000", &url]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    // A blank 1100×3000 page compresses to a few kB; the report's text and
    // plots take far more.
    assert!(png.len() > 100_000, "screenshot is {} bytes", png.len());
    if let Ok(keep) = std::env::var("BREAKEVEN_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}
