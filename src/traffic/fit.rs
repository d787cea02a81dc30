//! Fit a scenario's `[traffic]` section to a trace, and check the fit by
//! simulating the fitted model.
//!
//! The level, the daily and weekly profiles and the token distributions are
//! read off the trace directly. The variability parameters (`idle_share`,
//! `burst_hours`, `hourly_cv`, `minute_cv`) are calibrated by simulation:
//! each is solved in turn so that traffic simulated from the fit shows the
//! trace's idle-window share, mean active run, hourly CV and window CV
//! (with common random numbers, so each is a smooth function of its
//! parameter). Peak/mean and the diurnal ratio are not fitted; they are the
//! check.

use std::fmt::Write as _;

use super::stats::{WindowStats, quantile};
use super::trace::Trace;
use super::{Level, Pattern, Spikes, Traffic, simulate_windows};
use crate::error::Error;
use crate::scenario::{Bound, HOURS_PER_MONTH, Params};
use crate::uncertain::Dist;

/// Share of idle windows from which a fit is spiky (below it, idle windows
/// are left to chance and gaps).
pub const SPIKY_FROM_IDLE_SHARE: f64 = 0.05;

/// A fitted traffic section and how well it reproduces the trace.
#[derive(Debug, Clone)]
pub struct Fit {
    /// The trace's statistics at its natural window.
    pub trace_stats: WindowStats,
    /// Mean statistics of traffic simulated from the fit, over replicates
    /// as long as the trace.
    pub simulated: SimulatedStats,
    /// Requests per 720-hour month.
    pub requests_per_month: f64,
    /// Daily profile (mean 1), when the trace covers two days.
    pub daily: Option<[f64; 24]>,
    /// Weekly profile (mean 1), when the trace covers two weeks.
    pub weekly: Option<[f64; 7]>,
    /// Hour-to-hour gamma CV.
    pub hourly_cv: f64,
    /// Minute-to-minute gamma CV.
    pub minute_cv: f64,
    /// (idle share, mean active stretch in hours), when spiky.
    pub spiky: Option<(f64, f64)>,
    /// (factor, share of time, mean minutes) of spikes, when the trace's
    /// peaks need them.
    pub spikes: Option<(f64, f64, f64)>,
    /// Input and output token distributions, when the trace records tokens.
    pub tokens: Option<(Dist, Dist)>,
    /// Recorded token medians and 99th percentiles: (input, output) × (p50, p99).
    pub token_quantiles: Option<[[f64; 2]; 2]>,
    /// Replicates simulated for the check.
    pub replicates: u32,
    /// Things the user should know (what could not be estimated, and why).
    pub notes: Vec<String>,
}

/// Mean statistics over simulated replicates.
#[derive(Debug, Clone, Default)]
pub struct SimulatedStats {
    /// Window CV.
    pub window_cv: f64,
    /// Window peak over mean (median over replicates, as are the other
    /// peak and ratio statistics: they are heavy-tailed).
    pub window_peak_to_mean: f64,
    /// Share of idle windows.
    pub idle_share: f64,
    /// Mean run of non-idle windows, in windows.
    pub active_run: f64,
    /// Hourly CV, when defined.
    pub hourly_cv: Option<f64>,
    /// Hourly peak over mean.
    pub hourly_peak_to_mean: Option<f64>,
    /// Diurnal busiest/quietest ratio.
    pub diurnal_ratio: Option<f64>,
}

/// One line of the goodness-of-fit table.
#[derive(Debug, Clone)]
pub struct FitRow {
    /// What is compared.
    pub statistic: String,
    /// The trace's value.
    pub trace: f64,
    /// The fitted model's (mean over replicates).
    pub simulated: f64,
    /// The bound, in words.
    pub bound: &'static str,
    /// Whether the simulated value is within the bound.
    pub within: bool,
}

/// Mean length of runs of non-idle windows (gaps end a run), in windows.
pub fn mean_active_run(counts: &[Option<f64>]) -> f64 {
    let (mut runs, mut active, mut in_run) = (0usize, 0usize, false);
    for c in counts {
        match c {
            Some(x) if *x > 0.0 => {
                active += 1;
                if !in_run {
                    runs += 1;
                    in_run = true;
                }
            }
            _ => in_run = false,
        }
    }
    if runs == 0 {
        0.0
    } else {
        active as f64 / runs as f64
    }
}

/// The fitted parameters in a form the simulator takes.
#[derive(Debug, Clone, Copy)]
struct Knobs {
    hourly_cv: f64,
    minute_cv: f64,
    idle_share: f64,
    burst_hours: f64,
    spike_factor: f64,
}

struct Problem {
    base: Traffic,
    params: Vec<f64>,
    ids: [usize; 5],
    hours: u32,
    window_s: f64,
    windows: usize,
    replicates: u32,
    seed: u64,
}

impl Problem {
    fn simulate(&self, k: Knobs) -> SimulatedStats {
        let mut p = self.params.clone();
        p[self.ids[0]] = k.hourly_cv;
        p[self.ids[1]] = k.minute_cv;
        p[self.ids[2]] = k.idle_share;
        p[self.ids[3]] = k.burst_hours;
        p[self.ids[4]] = k.spike_factor;
        let mut acc = SimulatedStats::default();
        let mut hourly_n = 0.0;
        let mut hcv = 0.0;
        let (mut peaks, mut hourly_peaks, mut diurnal) = (Vec::new(), Vec::new(), Vec::new());
        for r in 0..self.replicates {
            let mut counts = simulate_windows(
                &self.base,
                &p,
                self.hours,
                self.window_s,
                self.seed,
                r as u64,
            );
            counts.truncate(self.windows);
            let Some(s) = WindowStats::of(&counts, self.window_s) else {
                continue;
            };
            acc.window_cv += s.window_cv;
            peaks.push(s.window_peak_to_mean);
            acc.idle_share += s.idle_share;
            acc.active_run += mean_active_run(&counts);
            if let Some(h) = s.hourly {
                hourly_n += 1.0;
                hcv += h.cv;
                hourly_peaks.push(h.peak_to_mean);
                diurnal.push(h.diurnal_ratio.unwrap_or(f64::INFINITY));
            }
        }
        let n = self.replicates as f64;
        acc.window_cv /= n;
        acc.window_peak_to_mean = quantile(&peaks, 0.5);
        acc.idle_share /= n;
        acc.active_run /= n;
        if hourly_n > 0.0 {
            acc.hourly_cv = Some(hcv / hourly_n);
            acc.hourly_peak_to_mean = Some(quantile(&hourly_peaks, 0.5));
            // A replicate whose quietest hour of the day is empty has an
            // infinite ratio; the median still says what is typical.
            acc.diurnal_ratio = Some(quantile(&diurnal, 0.5)).filter(|d| d.is_finite());
        }
        acc
    }
}

/// Find `x` in `[lo, hi]` with `f(x) = target` for an increasing `f`, by
/// bisection (on a log scale when `log`); the nearer bound if out of reach.
fn solve(lo: f64, hi: f64, log: bool, target: f64, mut f: impl FnMut(f64) -> f64) -> f64 {
    let (mut a, mut b) = if log { (lo.ln(), hi.ln()) } else { (lo, hi) };
    let x = |v: f64| if log { v.exp() } else { v };
    if f(x(a)) >= target {
        return x(a);
    }
    if f(x(b)) <= target {
        return x(b);
    }
    for _ in 0..14 {
        let m = 0.5 * (a + b);
        if f(x(m)) < target {
            a = m;
        } else {
            b = m;
        }
    }
    x(0.5 * (a + b))
}

/// Fit a traffic section to `trace`; `seed` fixes the simulations.
pub fn fit(trace: &Trace, seed: u64) -> Result<Fit, Error> {
    let window_s = trace.natural_window_s();
    let minutes = window_s / 60.0;
    if minutes.fract() != 0.0 || minutes < 1.0 || 60.0 % minutes != 0.0 {
        return Err(Error::Usage(format!(
            "{}: windows of {window_s} s; fit needs windows of whole minutes that divide an \
             hour (60, 300, 600, 3600 s, ...)",
            trace.path.display()
        )));
    }
    let counts = trace.window_counts(window_s);
    let trace_stats = WindowStats::of(&counts, window_s).ok_or_else(|| {
        Error::Usage(format!(
            "{}: the trace has no whole {}-second window to fit",
            trace.path.display(),
            window_s
        ))
    })?;
    let mut notes = Vec::new();
    if trace.gap_windows > 0 {
        notes.push(format!(
            "{} windows in which every file of the folder reads zero were treated as \
             collection gaps and left out",
            trace.gap_windows
        ));
    }
    let hours_covered = counts.len() as f64 * window_s / 3600.0;
    let per_hour = (3600.0 / window_s).round().max(1.0) as usize;
    // Profiles: mean rate by hour of day and by day of week (trace time 0 =
    // Monday 00:00), known windows only.
    let by = |period: usize, slot: &dyn Fn(usize) -> usize| -> Vec<f64> {
        let mut sum = vec![0.0; period];
        let mut n = vec![0.0; period];
        for (i, c) in counts.iter().enumerate() {
            if let Some(c) = c {
                sum[slot(i)] += c;
                n[slot(i)] += 1.0;
            }
        }
        let means: Vec<f64> = sum
            .iter()
            .zip(&n)
            .map(|(s, n)| if *n > 0.0 { s / n } else { 0.0 })
            .collect();
        let mean = means.iter().sum::<f64>() / period as f64;
        means.iter().map(|m| m / mean).collect()
    };
    let windows_per_day = per_hour * 24;
    let daily: Option<[f64; 24]> = if hours_covered >= 48.0 && window_s <= 3600.0 {
        let v = by(24, &|i| (i / per_hour) % 24);
        Some(std::array::from_fn(|h| v[h]))
    } else {
        notes.push("the trace covers under two days: the daily profile is flat".to_string());
        None
    };
    let weekly: Option<[f64; 7]> = if hours_covered >= 24.0 * 14.0 {
        let v = by(7, &|i| (i / windows_per_day) % 7);
        Some(std::array::from_fn(|d| v[d]))
    } else {
        if daily.is_some() {
            notes.push("the trace covers under two weeks: the weekly profile is flat".to_string());
        }
        None
    };
    let tokens = trace
        .token_lists()
        .map(|(i, o)| (super::token_dist(i), super::token_dist(o)));
    let token_quantiles = trace.token_lists().map(|(i, o)| {
        [
            [quantile(i, 0.5), quantile(i, 0.99)],
            [quantile(o, 0.5), quantile(o, 0.99)],
        ]
    });
    if tokens.is_none() {
        notes.push("the trace has no token counts: add input_tokens and output_tokens".to_string());
    }

    // The model to calibrate.
    let mut params = Params::default();
    let rpm = trace_stats.requests_per_hour * HOURS_PER_MONTH;
    let level = params.add("level".into(), Dist::Fixed(rpm), Bound::Positive);
    let growth = params.add("growth".into(), Dist::Fixed(0.0), Bound::Growth);
    let hourly_cv = params.add("hourly_cv".into(), Dist::Fixed(0.0), Bound::Proportion);
    let minute_cv = params.add("minute_cv".into(), Dist::Fixed(0.0), Bound::Proportion);
    let idle_share = params.add("idle".into(), Dist::Fixed(0.5), Bound::OpenFraction);
    let burst_hours = params.add("burst".into(), Dist::Fixed(1.0), Bound::Positive);
    let spike_factor = params.add("spike_factor".into(), Dist::Fixed(1.0), Bound::AtLeastOne);
    // About two spikes a trace, each one window long.
    let spike_minutes = window_s / 60.0;
    let spike_share = (2.0 * window_s / (counts.len() as f64 * window_s)).min(0.2);
    let spike_share_id = params.add(
        "spike_share".into(),
        Dist::Fixed(spike_share),
        Bound::OpenFraction,
    );
    let spike_minutes_id = params.add(
        "spike_minutes".into(),
        Dist::Fixed(spike_minutes),
        Bound::Positive,
    );
    let base = Traffic {
        level: Level::RequestsPerMonth(level),
        growth_per_month: growth,
        hourly_cv,
        minute_cv,
        daily: daily.unwrap_or([1.0; 24]),
        daily_name: "fitted".into(),
        weekly: weekly.unwrap_or([1.0; 7]),
        weekly_name: "fitted".into(),
        input_tokens: Dist::Fixed(1.0),
        output_tokens: Dist::Fixed(1.0),
        pattern: Pattern::Steady,
        spikes: Some(Spikes {
            factor: spike_factor,
            share: spike_share_id,
            minutes: spike_minutes_id,
        }),
        shape: None,
        replay: None,
    };
    let p0: Vec<f64> = params.list.iter().map(|p| p.dist.mean()).collect();
    let hours = (counts.len() as f64 * window_s / 3600.0).ceil().max(1.0) as u32;
    // Enough replicates for about 60 simulated days (at least 8).
    let replicates = ((60.0 * 24.0 / hours as f64).ceil() as u32).clamp(8, 400);
    let mut problem = Problem {
        base,
        params: p0,
        ids: [
            hourly_cv.0,
            minute_cv.0,
            idle_share.0,
            burst_hours.0,
            spike_factor.0,
        ],
        hours,
        window_s,
        windows: counts.len(),
        replicates,
        seed,
    };
    let target_run = mean_active_run(&counts);
    let mut k = Knobs {
        hourly_cv: 0.0,
        minute_cv: 0.0,
        idle_share: trace_stats.idle_share.clamp(0.01, 0.99),
        burst_hours: (target_run * window_s / 3600.0).max(1.0 / 60.0),
        spike_factor: 1.0,
    };
    // Idle windows the profiles alone explain (hours of the day or days of
    // the week without traffic); beyond those, the traffic is spiky.
    let profile_idle = problem.simulate(k).idle_share;
    let spiky = trace_stats.idle_share - profile_idle >= SPIKY_FROM_IDLE_SHARE;
    if spiky {
        problem.base.pattern = Pattern::Spiky {
            idle_share,
            burst_hours,
        };
    }
    let mut spikes = false;
    for round in 0..3 {
        // The active stretch is read off the trace (its mean run of busy
        // windows); the idle share is solved, as the profiles' own idle
        // hours add to the chain's.
        if spiky {
            k.burst_hours = target_run * window_s / 3600.0;
            k.idle_share = solve(0.005, 0.995, false, trace_stats.idle_share, |x| {
                problem.simulate(Knobs { idle_share: x, ..k }).idle_share
            });
        }
        if let Some(h) = &trace_stats.hourly {
            k.hourly_cv = solve(0.0, 6.0, false, h.cv, |x| {
                let s = problem.simulate(Knobs { hourly_cv: x, ..k });
                s.hourly_cv.unwrap_or(0.0)
            });
        }
        if window_s < 3600.0 {
            k.minute_cv = solve(0.0, 6.0, false, trace_stats.window_cv, |x| {
                problem.simulate(Knobs { minute_cv: x, ..k }).window_cv
            });
        }
        // Peaks the noise cannot make: short spikes, one window long,
        // about two a trace, as high as the trace's peak asks.
        if round < 2
            && (spikes
                || problem.simulate(k).window_peak_to_mean < 0.9 * trace_stats.window_peak_to_mean)
        {
            spikes = true;
            k.spike_factor = solve(1.0, 100.0, true, trace_stats.window_peak_to_mean, |x| {
                problem
                    .simulate(Knobs {
                        spike_factor: x,
                        ..k
                    })
                    .window_peak_to_mean
            });
        }
    }
    if trace_stats.hourly.is_none() {
        notes.push(
            "the trace covers under a day: hourly_cv cannot be estimated and is 0".to_string(),
        );
    }
    let simulated = problem.simulate(k);
    Ok(Fit {
        trace_stats,
        simulated,
        requests_per_month: rpm,
        daily,
        weekly,
        hourly_cv: k.hourly_cv,
        minute_cv: k.minute_cv,
        spiky: spiky.then_some((k.idle_share, k.burst_hours)),
        spikes: (k.spike_factor > 1.0).then_some((k.spike_factor, spike_share, spike_minutes)),
        tokens,
        token_quantiles,
        replicates,
        notes,
    })
}

fn within_rel(trace: f64, sim: f64, rel: f64) -> bool {
    (sim - trace).abs() <= rel * trace.abs()
}

fn fmt(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 1.0 {
        format!("{x:.3}")
    } else {
        format!("{x:.4}")
    }
}

impl Fit {
    /// The goodness-of-fit rows: the trace's statistics beside the fit's.
    pub fn rows(&self) -> Vec<FitRow> {
        let t = &self.trace_stats;
        let s = &self.simulated;
        let w = match t.window_s as u32 {
            60 => "per-minute".to_string(),
            600 => "10-minute".to_string(),
            3600 => "hourly".to_string(),
            n => format!("{n}-s"),
        };
        let relative = |statistic: String, trace: f64, simulated: f64, percent: u32| FitRow {
            statistic,
            trace,
            simulated,
            bound: if percent == 10 {
                "within 10%"
            } else {
                "within 20%"
            },
            within: within_rel(trace, simulated, f64::from(percent) / 100.0),
        };
        let mut rows = vec![
            relative(format!("{w} CV"), t.window_cv, s.window_cv, 20),
            relative(
                format!("{w} peak/mean"),
                t.window_peak_to_mean,
                s.window_peak_to_mean,
                20,
            ),
            FitRow {
                statistic: format!("idle {w} windows"),
                trace: t.idle_share,
                simulated: s.idle_share,
                bound: "within 0.05",
                within: (t.idle_share - s.idle_share).abs() <= 0.05,
            },
        ];
        if let (Some(h), Some(cv), Some(pk)) = (&t.hourly, s.hourly_cv, s.hourly_peak_to_mean) {
            if t.window_s < 3600.0 {
                rows.push(relative("hourly CV".into(), h.cv, cv, 20));
                rows.push(relative("hourly peak/mean".into(), h.peak_to_mean, pk, 20));
            }
            if let (Some(d), Some(sd)) = (h.diurnal_ratio, s.diurnal_ratio) {
                rows.push(relative("diurnal busiest/quietest".into(), d, sd, 20));
            }
        }
        if let (Some((di, dout)), Some(q)) = (&self.tokens, &self.token_quantiles) {
            for (name, d, q) in [("input", di, q[0]), ("output", dout, q[1])] {
                rows.push(relative(
                    format!("{name} tokens median"),
                    q[0],
                    d.quantile(0.5),
                    10,
                ));
                rows.push(FitRow {
                    statistic: format!("{name} tokens p99"),
                    trace: q[1],
                    simulated: d.quantile(0.99),
                    bound: "(shown)",
                    within: true,
                });
            }
        }
        rows
    }

    /// The fitted `[traffic]` section as TOML, with the goodness-of-fit
    /// table and notes as comments, ready to paste into a scenario.
    pub fn to_toml(&self, trace: &Trace, seed: u64) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# Fitted by `breakeven fit` to {} ({} trace, {:.1} h, {} windows of {} s; seed {seed})",
            trace.path.display(),
            trace.format.as_str(),
            self.trace_stats.windows as f64 * self.trace_stats.window_s / 3600.0,
            self.trace_stats.windows,
            self.trace_stats.window_s
        );
        let _ = writeln!(out, "[traffic]");
        let _ = writeln!(
            out,
            "requests_per_month = {:.6e}   # {} requests/hour as recorded",
            self.requests_per_month,
            fmt(self.requests_per_month / HOURS_PER_MONTH)
        );
        let list = |xs: &[f64]| {
            xs.iter()
                .map(|x| format!("{x:.3}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if let Some(d) = &self.daily {
            let _ = writeln!(out, "daily_profile = [{}]", list(d));
        }
        if let Some(w) = &self.weekly {
            let _ = writeln!(
                out,
                "weekly_profile = [{}]   # the trace's day 0 taken as Monday",
                list(w)
            );
        }
        let _ = writeln!(out, "hourly_cv = {:.4}", self.hourly_cv);
        let _ = writeln!(out, "minute_cv = {:.4}", self.minute_cv);
        match self.spiky {
            Some((idle, burst)) => {
                let _ = writeln!(out, "pattern = \"spiky\"");
                let _ = writeln!(out, "idle_share = {idle:.4}");
                let _ = writeln!(
                    out,
                    "burst_hours = {burst:.4}   # mean active stretch: {:.1} minutes",
                    burst * 60.0
                );
            }
            None => {
                let _ = writeln!(out, "pattern = \"steady\"");
            }
        }
        if let Some((f, share, minutes)) = self.spikes {
            let _ = writeln!(out, "spike_factor = {f:.3}");
            let _ = writeln!(out, "spike_share = {share:.5}");
            let _ = writeln!(out, "spike_minutes = {minutes:.1}");
        }
        match &self.tokens {
            Some((i, o)) => {
                for (k, d) in [("input_tokens", i), ("output_tokens", o)] {
                    match d {
                        Dist::Fixed(v) => {
                            let _ = writeln!(out, "{k} = {}", fmt(*v));
                        }
                        _ => {
                            let _ = writeln!(
                                out,
                                "{k} = {{ median = {}, mean = {} }}",
                                fmt(d.quantile(0.5)),
                                fmt(d.mean())
                            );
                        }
                    }
                }
            }
            None => {
                let _ = writeln!(
                    out,
                    "# input_tokens = ...    # not in the trace: give per-request distributions"
                );
                let _ = writeln!(out, "# output_tokens = ...");
            }
        }
        let _ = writeln!(out, "#");
        let _ = writeln!(
            out,
            "# Goodness of fit: the trace beside traffic simulated from this section"
        );
        let _ = writeln!(
            out,
            "# (mean of {} replicates as long as the trace).",
            self.replicates
        );
        let _ = writeln!(
            out,
            "# {:<28} {:>10} {:>10}  {:<11} within",
            "statistic", "trace", "fit", "bound"
        );
        for r in self.rows() {
            let _ = writeln!(
                out,
                "# {:<28} {:>10} {:>10}  {:<11} {}",
                r.statistic,
                fmt(r.trace),
                fmt(r.simulated),
                r.bound,
                if r.within { "yes" } else { "NO" }
            );
        }
        for n in &self.notes {
            let _ = writeln!(out, "# note: {n}");
        }
        out
    }
}
