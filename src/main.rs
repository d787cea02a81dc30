//! The `breakeven` command line: parses arguments and calls the library.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use breakeven::decision::{BreakEvenSettings, VolumeAxis, VolumeRange};
use breakeven::deploy::Fidelity;
use breakeven::engine::RunOptions;
use breakeven::shard::Shard;
use breakeven::sweep::{SweepOptions, run_sweep, sweep_text};
use breakeven::traffic::stats::TrafficSummary;
use breakeven::traffic::trace::{Trace, TraceFormat};
use breakeven::{DecisionOptions, Error, Scenario, report};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Monte Carlo cost of serving an open LLM: per-token API vs dedicated GPUs
/// vs serverless GPUs, as distributions and probabilities.
#[derive(Parser, Debug)]
#[command(name = "breakeven", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run scenarios: print a summary, write CSVs and run.json.
    Run {
        /// Scenario files (.toml), or folders of them.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        #[command(flatten)]
        run: RunArgs,
        /// Output folder. One scenario: its files go here (default
        /// output/<name>). Several: each goes to <out>/<name> and
        /// batch_summary.csv to <out> (default output).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Do not print the summary table.
        #[arg(long)]
        quiet: bool,
        /// Run only shard K of N of the trials (K from 1) and write its rows
        /// and shard.json; `breakeven merge` then writes the whole run's files.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        #[command(flatten)]
        decide: DecideArgs,
    },
    /// Merge the folders of `run --shard K/N` (every K of one run) into the
    /// files one machine would have written (byte-identical CSVs).
    Merge {
        /// Shard output folders, in any order.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Worker threads for the tornado (default: one per core).
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// Do not print the summary table.
        #[arg(long)]
        quiet: bool,
    },
    /// Price the same trials at a grid of monthly volumes: cost quantiles,
    /// P(cheapest) and P(a < b) per volume (sweep.csv), and where each pair
    /// breaks even.
    Sweep {
        /// Scenario file (.toml).
        scenario: PathBuf,
        /// Volumes, LOW..HIGH in the scenario's level unit (default: its
        /// median level ÷ 100 to × 100).
        #[arg(long, value_name = "LOW..HIGH")]
        volume: Option<String>,
        /// Number of volumes.
        #[arg(long, default_value_t = 25)]
        points: usize,
        /// Space the volumes evenly instead of evenly in log.
        #[arg(long)]
        linear: bool,
        #[command(flatten)]
        run: RunArgs,
        /// Trials whose break-even volume is searched over the same range
        /// (the shaded band of the plot); 0 skips the search.
        #[arg(long, default_value_t = 1000)]
        breakeven_trials: u64,
        /// Output folder (default output/<name>/sweep).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also write probability.svg: P(cheaper) against volume.
        #[arg(long)]
        plots: bool,
        /// Do not print the table.
        #[arg(long)]
        quiet: bool,
    },
    /// Run a scenario and a sweep of it and write report.html: one
    /// self-contained page with the inputs, the summary, the decision, the
    /// plots and the tables (plus every CSV and SVG beside it).
    Report {
        /// Scenario file (.toml).
        scenario: PathBuf,
        #[command(flatten)]
        run: RunArgs,
        /// Volumes of the sweep, log-spaced (default: median ÷ 100 to × 100).
        #[arg(long, default_value_t = 25)]
        points: usize,
        /// Output folder (default output/<name>/report).
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        decide: DecideArgs,
    },
    /// Fit a [traffic] section to a trace and print it as TOML, with a
    /// goodness-of-fit table (the trace's statistics beside the fit's).
    Fit {
        /// The trace: an Azure-format CSV, a ServeGen file or folder, or an
        /// hourly CSV.
        trace: PathBuf,
        /// Trace format (default: detected from the file).
        #[arg(long, value_parser = ["azure", "servegen", "hourly"])]
        format: Option<String>,
        /// Seed of the simulations that calibrate and check the fit.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Write the hourly loads of a few trials to CSV and print what the
    /// scenario's traffic looks like (variability, peaks, idle share).
    Traffic {
        /// Scenario files (.toml), or folders of them.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Trials to draw.
        #[arg(long, default_value_t = 3)]
        trials: u64,
        /// Seed (overrides [run] seed).
        #[arg(long)]
        seed: Option<u64>,
        /// Output folder: traffic.csv goes to <out>/<name>/ (default output).
        #[arg(long, default_value = "output")]
        out: PathBuf,
    },
    /// Price each serverless deployment at hourly, auto and request
    /// fidelity on the same trials and print how far the fast path is from
    /// the request-level simulation, and whether to trust `auto` here
    /// (writes fidelity.csv).
    Fidelity {
        /// Scenario file (.toml).
        scenario: PathBuf,
        /// Trials, each priced three times (at least 2; the request-level
        /// simulation of a busy month takes about a second).
        #[arg(long, default_value_t = 20)]
        trials: u64,
        /// Seed (overrides [run] seed).
        #[arg(long)]
        seed: Option<u64>,
        /// Output folder (default output/<name>/fidelity).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Validate a scenario and print what it means.
    Check {
        /// Scenario files (.toml), or folders of them.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
}

/// Options of the decision outputs (break-even, sensitivity, precision).
#[derive(clap::Args, Debug, Clone)]
struct DecideArgs {
    /// Range of monthly volumes, LOW..HIGH in the scenario's level unit
    /// (tokens or requests per month), searched for each trial's break-even
    /// (default: the scenario's median level ÷ 100 to × 100).
    #[arg(long, value_name = "LOW..HIGH")]
    volume: Option<String>,
    /// Trials whose break-even volume is searched (the first N of the run,
    /// default 1,000; each is priced at about 25 volumes); 0 skips the search.
    /// A trace played at its recorded volume has no level to vary, so there
    /// the search is skipped unless asked for.
    #[arg(long)]
    breakeven_trials: Option<u64>,
    /// Trials each end of the tornado is averaged over (0: rank
    /// correlations only).
    #[arg(long, default_value_t = 256)]
    tornado_trials: u64,
    /// Run until the Monte Carlo standard error of every deployment's mean
    /// cost is below this percentage of the mean (e.g. 0.5), in blocks of
    /// 1,000 trials; --trials then caps the count (default 1,000,000).
    #[arg(long, value_name = "PERCENT")]
    precision: Option<f64>,
    /// Also write SVG plots next to the CSVs.
    #[arg(long)]
    plots: bool,
}

impl DecideArgs {
    fn options(&self, s: &Scenario) -> anyhow::Result<DecisionOptions> {
        // Checked even where unused (one deployment), so a typo never passes.
        let range = self.volume.as_deref().map(VolumeRange::parse).transpose()?;
        let asked = self.volume.is_some() || self.breakeven_trials.is_some();
        let trials = self.breakeven_trials.unwrap_or(1000);
        let breakeven = if trials == 0 || s.deployments.len() < 2 {
            None
        } else {
            match VolumeAxis::of(s) {
                Ok(axis) => Some(BreakEvenSettings::new(
                    axis,
                    range.unwrap_or_else(|| VolumeRange::around(&axis)),
                    trials,
                )),
                // A trace at its recorded volume: nothing to vary.
                Err(_) if !asked => None,
                Err(e) => return Err(e.into()),
            }
        };
        Ok(DecisionOptions {
            breakeven,
            tornado_trials: self.tornado_trials,
            precision: self.precision.map(|p| p / 100.0),
            plots: self.plots,
            shard: None,
        })
    }
}

/// The run settings every simulating command takes.
#[derive(clap::Args, Debug, Clone)]
struct RunArgs {
    /// Trials (overrides [run] trials).
    #[arg(long)]
    trials: Option<u64>,
    /// Seed (overrides [run] seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: one per core); results do not depend on it.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Simulation fidelity (overrides [run] fidelity): hourly (fast path),
    /// request (event simulation of every request), auto (event
    /// simulation for sparse hours).
    #[arg(long, value_parser = ["hourly", "request", "auto"])]
    fidelity: Option<String>,
}

impl RunArgs {
    /// The run settings of `s`: the command line's, else the file's. With a
    /// precision target the trial count is only a cap (default 1,000,000).
    fn options(&self, s: &Scenario, decisions: &DecisionOptions) -> RunOptions {
        let default_trials = if decisions.precision.is_some() {
            1_000_000
        } else {
            s.run.trials
        };
        RunOptions {
            trials: self.trials.unwrap_or(default_trials),
            seed: self.seed.unwrap_or(s.run.seed),
            threads: self.threads,
            fidelity: self
                .fidelity
                .as_deref()
                .and_then(Fidelity::parse)
                .unwrap_or(s.run.fidelity),
        }
    }
}

/// The volume range `--volume` gives, else the default around the level.
fn volume_range(volume: &Option<String>, axis: &VolumeAxis) -> anyhow::Result<VolumeRange> {
    Ok(match volume {
        Some(v) => VolumeRange::parse(v)?,
        None => VolumeRange::around(axis),
    })
}

/// Print a line to standard output. When the reader has gone (`| head`),
/// stop quietly with status 0 instead of panicking on the broken pipe; on
/// any other write failure, say so and exit 1.
fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{line}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let user = e
                .downcast_ref::<Error>()
                .map(Error::is_user_input)
                .unwrap_or(false);
            eprintln!("error: {e:#}");
            ExitCode::from(if user { 2 } else { 1 })
        }
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Fidelity {
            scenario,
            trials,
            seed,
            out,
        } => {
            if trials < 2 {
                return Err(Error::Usage(format!(
                    "--trials must be at least 2 (the paired standard error needs two), got {trials}"
                ))
                .into());
            }
            let s = Scenario::load(&scenario)?;
            if !s
                .deployments
                .iter()
                .any(|d| d.kind() == breakeven::deploy::Kind::Serverless)
            {
                return Err(Error::Usage(format!(
                    "{}: no serverless deployment, so there is nothing to compare (the \
                     fidelity changes only how serverless hours are priced)",
                    scenario.display()
                ))
                .into());
            }
            let seed = seed.unwrap_or(s.run.seed);
            eprintln!(
                "pricing {trials} trials of {} at hourly, auto and request fidelity…",
                s.name
            );
            let started = Instant::now();
            let bar = Progress::new(3 * trials);
            let compared =
                breakeven::validation::compare_fidelities(&s, trials, seed, &|n| bar.set(n))?;
            bar.finish();
            let dir = out.unwrap_or_else(|| PathBuf::from("output").join(&s.name).join("fidelity"));
            let mut staged = report::Staged::new(&dir)?;
            staged.write("fidelity.csv", &report::fidelity_csv(&compared, trials))?;
            staged.commit()?;
            say(&report::fidelity_text(&s, &compared, trials));
            eprintln!(
                "took {:.1} s; wrote {}",
                started.elapsed().as_secs_f64(),
                dir.join("fidelity.csv").display()
            );
            Ok(())
        }
        Command::Check { scenarios } => {
            for s in load_all(&scenarios)? {
                say(&report::check_text(&s));
            }
            Ok(())
        }
        Command::Sweep {
            scenario,
            volume,
            points,
            linear,
            run,
            breakeven_trials,
            out,
            plots,
            quiet,
        } => {
            let s = Scenario::load(&scenario)?;
            let axis = VolumeAxis::of(&s)?;
            let range = volume_range(&volume, &axis)?;
            if points == 0 {
                return Err(Error::Usage("--points must be at least 1".into()).into());
            }
            let opts_run = run.options(&s, &Default::default());
            let trials = opts_run.trials;
            let opts = SweepOptions {
                axis,
                range,
                volumes: if linear {
                    range.linear_grid(points)
                } else {
                    range.log_grid(points)
                },
                trials,
                seed: opts_run.seed,
                threads: opts_run.threads,
                fidelity: opts_run.fidelity,
                breakeven: (breakeven_trials > 0 && s.deployments.len() > 1)
                    .then(|| BreakEvenSettings::new(axis, range, breakeven_trials)),
            };
            let dir = out.unwrap_or_else(|| PathBuf::from("output").join(&s.name).join("sweep"));
            let bar = Progress::new(trials);
            let sw = run_sweep(&s, &opts, &dir, plots, &|n| bar.set(n))
                .with_context(|| format!("sweeping {}", s.path.display()))?;
            bar.finish();
            if !quiet {
                say(&sweep_text(&s, &sw));
                say(&format!("wrote {}", dir.display()));
            }
            Ok(())
        }
        Command::Report {
            scenario,
            run,
            points,
            out,
            decide,
        } => {
            let s = Scenario::load(&scenario)?;
            if points == 0 {
                return Err(Error::Usage("--points must be at least 1".into()).into());
            }
            let axis = VolumeAxis::of(&s)?;
            let mut decisions = decide.options(&s)?;
            let range = volume_range(&decide.volume, &axis)?;
            let opts = run.options(&s, &decisions);
            let trials = opts.trials;
            decisions.plots = true;
            let sweep_opts = SweepOptions {
                axis,
                range,
                volumes: range.log_grid(points),
                trials,
                seed: opts.seed,
                threads: opts.threads,
                fidelity: opts.fidelity,
                breakeven: None,
            };
            let dir = out.unwrap_or_else(|| PathBuf::from("output").join(&s.name).join("report"));
            let bar = Progress::new(trials);
            let (result, _) =
                breakeven::run_report(&s, &opts, &decisions, &sweep_opts, &dir, &|n| bar.set(n))
                    .with_context(|| format!("reporting {}", s.path.display()))?;
            bar.finish();
            if let Some(note) = report::precision_note(&decisions, &result) {
                eprintln!("{note}");
            }
            say(&format!("wrote {}", dir.join("report.html").display()));
            Ok(())
        }
        Command::Merge {
            shards,
            out,
            threads,
            quiet,
        } => {
            let result = breakeven::shard::merge(&shards, &out, threads)?;
            if !quiet {
                say(&report::decision_text(&result));
                say(&format!("wrote {}", out.display()));
            }
            Ok(())
        }
        Command::Fit {
            trace,
            format,
            seed,
        } => {
            let format = format.as_deref().and_then(TraceFormat::parse);
            let t = Trace::load(&trace, format)?;
            let fit = breakeven::traffic::fit::fit(&t, seed)?;
            say(fit.to_toml(&t, seed).trim_end());
            Ok(())
        }
        Command::Traffic {
            scenarios,
            trials,
            seed,
            out,
        } => {
            if trials == 0 {
                return Err(Error::Usage("--trials must be at least 1".into()).into());
            }
            let loaded = load_all(&scenarios)?;
            say(&report::traffic_header());
            for s in &loaded {
                let seed = seed.unwrap_or(s.run.seed);
                let dir = out.join(&s.name);
                let mut staged = report::Staged::new(&dir)?;
                staged.write("traffic.csv", &report::traffic_csv(s, trials, seed))?;
                staged.commit()?;
                let summary = TrafficSummary::of(s, trials, seed);
                say(&report::traffic_line(&s.name, &summary));
                eprintln!("wrote {}", dir.join("traffic.csv").display());
            }
            Ok(())
        }
        Command::Run {
            scenarios,
            run,
            out,
            quiet,
            shard,
            decide,
        } => {
            let shard = shard.as_deref().map(Shard::parse).transpose()?;
            let loaded = load_all(&scenarios)?;
            let batch = loaded.len() > 1 || scenarios.iter().any(|p| p.is_dir());
            let base = out.clone().unwrap_or_else(|| PathBuf::from("output"));
            // Every scenario's options are checked before any runs.
            let planned = loaded
                .iter()
                .map(|s| {
                    let mut decisions = decide.options(s)?;
                    decisions.shard = shard;
                    let opts = run.options(s, &decisions);
                    Ok((s, decisions, opts))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let mut runs = Vec::new();
            for (s, decisions, opts) in planned {
                let dir = match (&out, batch) {
                    (Some(o), false) => o.clone(),
                    _ => base.join(&s.name),
                };
                let bar = Progress::new(opts.trials);
                let result = breakeven::run_scenario(s, &opts, &decisions, &dir, &|n| bar.set(n))
                    .with_context(|| format!("running {}", s.path.display()))?;
                bar.finish();
                if let Some(k) = shard {
                    let r = k.trials(opts.trials);
                    if !quiet {
                        say(&format!(
                            "{}: shard {} of {}, trials {}..{}: wrote {} (combine the shards \
                             with breakeven merge)",
                            s.name,
                            k.index,
                            k.count,
                            r.start,
                            r.end,
                            dir.display()
                        ));
                    }
                } else if !quiet {
                    say(&report::summary_text(s, &result.summary));
                    say(&report::decision_text(&result));
                    say(&format!("wrote {}", dir.display()));
                }
                if let Some(note) = report::precision_note(&decisions, &result) {
                    eprintln!("{note}");
                }
                runs.push((s.name.clone(), result.summary));
            }
            // Shards' summaries are partial: the merge writes the batch's.
            if batch && shard.is_none() {
                let mut staged = report::Staged::new(&base)?;
                staged.write("batch_summary.csv", &report::batch_summary_csv(&runs))?;
                staged.commit()?;
                if !quiet {
                    say(&format!(
                        "wrote {}",
                        base.join("batch_summary.csv").display()
                    ));
                }
            }
            Ok(())
        }
    }
}

/// Load every scenario named (folders: their `.toml` files, sorted),
/// validating all before anything runs.
fn load_all(paths: &[PathBuf]) -> anyhow::Result<Vec<Scenario>> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|cause| Error::ReadInput {
                    path: p.clone(),
                    cause,
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "toml"))
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(Error::Usage(format!(
                    "{}: no .toml scenario files in this folder",
                    p.display()
                ))
                .into());
            }
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    let mut out: Vec<Scenario> = Vec::new();
    for f in files {
        let s = Scenario::load(&f)?;
        if let Some(other) = out.iter().find(|o| o.name == s.name) {
            return Err(Error::Usage(format!(
                "{} and {} are both named \"{}\"; names choose output folders and must differ",
                other.path.display(),
                f.display(),
                s.name
            ))
            .into());
        }
        out.push(s);
    }
    Ok(out)
}

/// A progress bar on standard error, drawn only on a terminal and only once
/// a run has lasted a second.
struct Progress {
    bar: ProgressBar,
    start: Instant,
    shown: AtomicBool,
    terminal: bool,
}

impl Progress {
    fn new(total: u64) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} trials  {elapsed} (eta {eta})")
        {
            bar.set_style(style);
        }
        Progress {
            bar,
            start: Instant::now(),
            shown: AtomicBool::new(false),
            terminal: std::io::stderr().is_terminal(),
        }
    }
    fn set(&self, n: u64) {
        self.bar.set_position(n);
        if self.terminal
            && self.start.elapsed() > Duration::from_secs(1)
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
