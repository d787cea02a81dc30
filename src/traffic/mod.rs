//! Traffic: hourly loads drawn from a level, a daily and weekly shape,
//! growth, regimes (idle stretches, spikes) and per-request token lengths,
//! or replayed from a real trace.
//!
//! Hour 0 of a horizon is Monday 00:00. An hour's request count is Poisson
//! around the hour's rate (optionally over-dispersed by a gamma multiplier);
//! its token sums are drawn exactly for small counts and by the central limit
//! theorem for large ones, so an hour costs O(1), not O(requests). Regimes
//! run in continuous time, so bursts can last minutes as well as hours;
//! the request-level simulation and the traffic statistics see the same
//! within-hour shape ([`TrialTraffic::minute_weights`]).

pub mod fit;
pub mod stats;
pub mod trace;

use std::path::Path;
use std::sync::Arc;

use rand::{Rng, RngExt};
use rand_distr::{Binomial, Distribution, StandardNormal};

use crate::error::ScenarioError;
use crate::scenario::{Bound, HOURS_PER_MONTH, ParamId, Params, Table};
use crate::uncertain::{Dist, gamma_with_cv};
use trace::{Trace, TraceData, TraceFormat};

/// Requests and tokens arriving in one hour.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HourLoad {
    /// Requests arriving in the hour.
    pub requests: f64,
    /// Input (prompt) tokens of those requests.
    pub input_tokens: f64,
    /// Output (generated) tokens of those requests.
    pub output_tokens: f64,
}

impl HourLoad {
    /// Input plus output tokens.
    pub fn tokens(&self) -> f64 {
        self.input_tokens + self.output_tokens
    }

    /// The same hour with requests and tokens times `factor` (the same
    /// tokens per request).
    pub fn scaled(&self, factor: f64) -> HourLoad {
        HourLoad {
            requests: self.requests * factor,
            input_tokens: self.input_tokens * factor,
            output_tokens: self.output_tokens * factor,
        }
    }
}

/// How the monthly traffic level is stated.
#[derive(Debug, Clone, Copy)]
pub enum Level {
    /// Tokens (input + output) per 720-hour month.
    TokensPerMonth(ParamId),
    /// Requests per 720-hour month.
    RequestsPerMonth(ParamId),
    /// A replayed trace at its own volume.
    AsRecorded,
}

/// Idle stretches: a two-state (on/off) Markov chain in continuous time.
#[derive(Debug, Clone, Copy)]
pub enum Pattern {
    /// Never idle by design (counts can still be zero by chance).
    Steady,
    /// Idle for a share of the time in stretches; active stretches last
    /// `burst_hours` on average and carry the whole volume, so the monthly
    /// mean is kept (active rate = mean / (1 - idle share)).
    Spiky {
        /// Long-run share of time idle (fraction, 0–1 exclusive).
        idle_share: ParamId,
        /// Mean length of an active stretch, hours (> 0; 0.33 = 20 minutes).
        burst_hours: ParamId,
    },
}

/// Short spikes on top of the pattern: a second on/off chain that
/// multiplies the rate by `factor` while on; the volume is kept.
#[derive(Debug, Clone, Copy)]
pub struct Spikes {
    /// Rate during a spike over the rate outside one (at least 1).
    pub factor: ParamId,
    /// Long-run share of time in spikes (fraction, 0–1 exclusive).
    pub share: ParamId,
    /// Mean length of a spike, minutes (> 0).
    pub minutes: ParamId,
}

/// A named traffic shape: defaults for the shape keys of `[traffic]`.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// The name used in scenario files (`shape = "..."`).
    pub name: &'static str,
    /// What it stands for.
    pub about: &'static str,
    /// Daily profile preset.
    pub daily: &'static str,
    /// Weekly profile preset.
    pub weekly: &'static str,
    /// Hour-to-hour gamma CV.
    pub hourly_cv: f64,
    /// Minute-to-minute gamma CV within an hour.
    pub minute_cv: f64,
    /// (idle share, mean active stretch in hours) for a spiky pattern.
    pub spiky: Option<(f64, f64)>,
    /// (factor, share of time, mean minutes) of spikes.
    pub spikes: Option<(f64, f64, f64)>,
}

/// The named shapes. Their statistics are in the README (from
/// `breakeven traffic scenarios/shapes`).
pub const SHAPES: &[Shape] = &[
    Shape {
        name: "steady-fleet",
        about: "many tenants pooled: a gentle day (busiest/quietest hour 2.3), every day \
                alike, mild noise",
        daily: "fleet",
        weekly: "flat",
        hourly_cv: 0.1,
        minute_cv: 0.1,
        spiky: None,
        spikes: None,
    },
    Shape {
        name: "business-hours",
        about: "one organisation's staff: busy 08-17 on weekdays, quiet nights and weekends",
        daily: "business",
        weekly: "weekdays",
        hourly_cv: 0.25,
        minute_cv: 0.3,
        spiky: None,
        spikes: None,
    },
    Shape {
        name: "spiky-tenant",
        about: "a single tenant: idle 60% of the time, active stretches of ~1 h in \
                working hours, 15-minute spikes at 5x",
        daily: "business",
        weekly: "weekdays",
        hourly_cv: 0.5,
        minute_cv: 0.5,
        spiky: Some((0.6, 1.0)),
        spikes: Some((5.0, 0.05, 15.0)),
    },
    Shape {
        name: "nightly-batch",
        about: "batch jobs between 01:00 and 05:00, nothing by day",
        daily: "nightly",
        weekly: "flat",
        hourly_cv: 0.3,
        minute_cv: 0.2,
        spiky: None,
        spikes: None,
    },
];

/// Named daily profiles (24 weights, hour 0 = midnight).
pub const DAILY_PRESETS: &[(&str, [f64; 24])] = &[
    ("flat", [1.0; 24]),
    (
        "business",
        [
            0.3, 0.25, 0.2, 0.2, 0.2, 0.3, 0.5, 0.9, 1.5, 1.9, 2.0, 2.0, 1.8, 1.9, 2.0, 1.9, 1.7,
            1.3, 0.9, 0.7, 0.6, 0.5, 0.4, 0.35,
        ],
    ),
    (
        "consumer",
        [
            0.7, 0.5, 0.4, 0.3, 0.3, 0.3, 0.4, 0.6, 0.8, 0.9, 1.0, 1.1, 1.2, 1.2, 1.1, 1.1, 1.1,
            1.2, 1.3, 1.5, 1.7, 1.8, 1.6, 1.1,
        ],
    ),
    (
        "fleet",
        [
            0.75, 0.65, 0.6, 0.55, 0.55, 0.6, 0.7, 0.85, 1.0, 1.1, 1.2, 1.25, 1.25, 1.25, 1.2, 1.2,
            1.2, 1.2, 1.2, 1.25, 1.2, 1.1, 1.0, 0.85,
        ],
    ),
    (
        "nightly",
        [
            0.0, 5.0, 6.0, 6.0, 5.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        ],
    ),
];

/// Named weekly profiles (7 weights, Monday first).
pub const WEEKLY_PRESETS: &[(&str, [f64; 7])] = &[
    ("flat", [1.0; 7]),
    ("weekdays", [1.2, 1.2, 1.2, 1.2, 1.1, 0.55, 0.55]),
];

/// The traffic model of a scenario.
#[derive(Debug, Clone)]
pub struct Traffic {
    /// Monthly level.
    pub level: Level,
    /// Growth of the level per month (fraction; 0.05 = +5%/month), compounded hourly.
    pub growth_per_month: ParamId,
    /// Extra hour-to-hour variability: coefficient of variation of a gamma
    /// multiplier on each hour's rate (0 = pure Poisson counts).
    pub hourly_cv: ParamId,
    /// Within-hour clustering: coefficient of variation of gamma weights on
    /// the hour's 60 minutes (0 = arrivals uniform in the hour, a Poisson
    /// process).
    pub minute_cv: ParamId,
    /// Daily profile, normalised to mean 1.
    pub daily: [f64; 24],
    /// Name of the daily profile (a preset name or `custom`).
    pub daily_name: String,
    /// Weekly profile, normalised to mean 1.
    pub weekly: [f64; 7],
    /// Name of the weekly profile.
    pub weekly_name: String,
    /// Input tokens per request (a per-request distribution, drawn as noise).
    pub input_tokens: Dist,
    /// Output tokens per request (a per-request distribution, drawn as noise).
    pub output_tokens: Dist,
    /// Steady or spiky.
    pub pattern: Pattern,
    /// Spikes on top, if any.
    pub spikes: Option<Spikes>,
    /// The named shape the defaults came from, if any.
    pub shape: Option<&'static str>,
    /// A trace that drives the hours instead of the model, looped over the
    /// horizon and scaled to the level when one is given.
    pub replay: Option<Arc<Trace>>,
}

/// Keys of `[traffic]` besides the shape keys.
const LEVEL_KEYS: &[&str] = &[
    "tokens_per_month",
    "requests_per_month",
    "growth_per_month",
    "input_tokens",
    "output_tokens",
    "trace",
    "trace_format",
];

/// Keys that describe a modelled shape, which a replayed trace replaces.
const SHAPE_KEYS: &[&str] = &[
    "shape",
    "hourly_cv",
    "minute_cv",
    "daily_profile",
    "weekly_profile",
    "pattern",
    "idle_share",
    "burst_hours",
    "spike_factor",
    "spike_share",
    "spike_minutes",
];

impl Traffic {
    pub(crate) fn from_table(t: &Table<'_>, params: &mut Params) -> Result<Traffic, ScenarioError> {
        t.check_keys(&crate::deploy::keys(&[LEVEL_KEYS, SHAPE_KEYS]))?;
        let replay = match t.string("trace")? {
            None => {
                if let Some(v) = t.get("trace_format") {
                    return Err(t.error_at(
                        v.span(),
                        "trace_format",
                        "`trace_format` needs `trace = \"path/to/trace\"` beside it",
                    ));
                }
                None
            }
            Some((rel, span)) => {
                for k in SHAPE_KEYS {
                    if let Some(v) = t.get(k) {
                        return Err(t.error_at(
                            v.span(),
                            k,
                            format!(
                                "`{k}` does not apply to a replayed trace: the trace gives the \
                                 shape; remove `{k}`, or remove `trace` to model the shape"
                            ),
                        ));
                    }
                }
                let format = match t.string("trace_format")? {
                    None => None,
                    Some((f, fspan)) => Some(TraceFormat::parse(f).ok_or_else(|| {
                        t.error_at(
                            fspan,
                            "trace_format",
                            format!(
                                "unknown trace format \"{f}\"; valid: \"azure\", \"servegen\", \
                                 \"hourly\" (or leave it out to detect it)"
                            ),
                        )
                    })?),
                };
                let dir = t.src.file.parent().unwrap_or(Path::new(""));
                let path = dir.join(rel);
                let trace = Trace::load(&path, format).map_err(|e| match e {
                    crate::error::Error::Scenario(se) => se,
                    other => t.error_at(
                        span.clone(),
                        "trace",
                        format!("{other} (paths are relative to the scenario file's folder)"),
                    ),
                })?;
                Some(Arc::new(trace))
            }
        };
        let level = match (t.get("tokens_per_month"), t.get("requests_per_month")) {
            (Some(_), Some(v)) => {
                return Err(t.error_at(
                    v.span(),
                    "requests_per_month",
                    "give tokens_per_month or requests_per_month, not both",
                ));
            }
            (Some(_), None) => {
                Level::TokensPerMonth(t.param(params, "tokens_per_month", Bound::Positive, None)?)
            }
            (None, Some(_)) => Level::RequestsPerMonth(t.param(
                params,
                "requests_per_month",
                Bound::Positive,
                None,
            )?),
            (None, None) if replay.is_some() => Level::AsRecorded,
            (None, None) => {
                return Err(t.error_at(
                    t.span.clone(),
                    "tokens_per_month",
                    "missing traffic level: give tokens_per_month (input + output tokens per \
                     720-hour month) or requests_per_month",
                ));
            }
        };
        let growth_per_month = t.param(params, "growth_per_month", Bound::Growth, Some(0.0))?;
        let shape = match t.string("shape")? {
            None => None,
            Some((name, span)) => {
                Some(SHAPES.iter().find(|s| s.name == name).ok_or_else(|| {
                    let names: Vec<String> =
                        SHAPES.iter().map(|s| format!("\"{}\"", s.name)).collect();
                    t.error_at(
                        span,
                        "shape",
                        format!("unknown shape \"{name}\"; valid: {}", names.join(", ")),
                    )
                })?)
            }
        };
        let hourly_cv = t.param(
            params,
            "hourly_cv",
            Bound::Proportion,
            Some(shape.map_or(0.0, |s| s.hourly_cv)),
        )?;
        let minute_cv = t.param(
            params,
            "minute_cv",
            Bound::Proportion,
            Some(shape.map_or(0.0, |s| s.minute_cv)),
        )?;
        let (daily, daily_name) = profile(
            t,
            "daily_profile",
            DAILY_PRESETS,
            shape.map_or("flat", |s| s.daily),
        )?;
        let (weekly, weekly_name) = profile(
            t,
            "weekly_profile",
            WEEKLY_PRESETS,
            shape.map_or("flat", |s| s.weekly),
        )?;
        let trace_tokens = replay
            .as_ref()
            .and_then(|r| r.token_lists().map(|_| r.clone()));
        let (input_tokens, output_tokens) = match &trace_tokens {
            Some(trace) => {
                for k in ["input_tokens", "output_tokens"] {
                    if let Some(v) = t.get(k) {
                        return Err(t.error_at(
                            v.span(),
                            k,
                            "the trace records each request's tokens; remove this key",
                        ));
                    }
                }
                let (i, o) = trace.token_lists().expect("checked");
                (token_dist(i), token_dist(o))
            }
            None => {
                // An hourly trace with token sums: its mean per request is
                // the default shape of a request (hour sums stay as recorded).
                let recorded = replay.as_ref().and_then(|r| r.tokens_per_request());
                (
                    t.dist("input_tokens", Bound::NonNegative, recorded.map(|r| r.0))?,
                    t.dist("output_tokens", Bound::NonNegative, recorded.map(|r| r.1))?,
                )
            }
        };
        if input_tokens.mean() + output_tokens.mean() <= 0.0 {
            return Err(t.error_at(
                t.span_of("output_tokens"),
                "output_tokens",
                "a request must carry some tokens on average",
            ));
        }
        let pattern_name = match t.string("pattern")? {
            None => shape
                .and_then(|s| s.spiky.map(|_| "spiky"))
                .unwrap_or("steady"),
            Some((p @ ("steady" | "spiky"), _)) => p,
            Some((other, span)) => {
                return Err(t.error_at(
                    span,
                    "pattern",
                    format!("unknown pattern \"{other}\"; valid: \"steady\", \"spiky\""),
                ));
            }
        };
        let pattern = if pattern_name == "steady" {
            for k in ["idle_share", "burst_hours"] {
                if let Some(v) = t.get(k) {
                    return Err(t.error_at(
                        v.span(),
                        k,
                        format!("`{k}` belongs to pattern = \"spiky\"; this traffic is steady"),
                    ));
                }
            }
            Pattern::Steady
        } else {
            let defaults = shape.and_then(|s| s.spiky);
            Pattern::Spiky {
                idle_share: t.param(
                    params,
                    "idle_share",
                    Bound::OpenFraction,
                    defaults.map(|d| d.0),
                )?,
                burst_hours: t.param(
                    params,
                    "burst_hours",
                    Bound::Positive,
                    defaults.map(|d| d.1),
                )?,
            }
        };
        let spike_keys = ["spike_factor", "spike_share", "spike_minutes"];
        let given = spike_keys.iter().filter(|k| t.get(k).is_some()).count();
        let spikes = if given == 0 && shape.and_then(|s| s.spikes).is_none() {
            None
        } else {
            if given > 0 && given < 3 && shape.and_then(|s| s.spikes).is_none() {
                let missing = spike_keys
                    .iter()
                    .find(|k| t.get(k).is_none())
                    .expect("one is");
                return Err(t.error_at(
                    t.span.clone(),
                    missing,
                    format!(
                        "spikes need spike_factor (rate in a spike over the rate outside, >= 1), \
                         spike_share (share of time, 0-1) and spike_minutes (mean length); \
                         `{missing}` is missing"
                    ),
                ));
            }
            let d = shape.and_then(|s| s.spikes);
            Some(Spikes {
                factor: t.param(params, "spike_factor", Bound::AtLeastOne, d.map(|d| d.0))?,
                share: t.param(params, "spike_share", Bound::OpenFraction, d.map(|d| d.1))?,
                minutes: t.param(params, "spike_minutes", Bound::Positive, d.map(|d| d.2))?,
            })
        };
        Ok(Traffic {
            level,
            growth_per_month,
            hourly_cv,
            minute_cv,
            daily,
            daily_name,
            weekly,
            weekly_name,
            input_tokens,
            output_tokens,
            pattern,
            spikes,
            shape: shape.map(|s| s.name),
            replay,
        })
    }

    /// Mean requests per hour of a month at this trial's level, before shape.
    pub fn base_requests_per_hour(&self, p: &[f64]) -> f64 {
        let tokens_per_request = match self.replay.as_ref().and_then(|r| r.tokens_per_request()) {
            Some((i, o)) => i + o,
            None => self.input_tokens.mean() + self.output_tokens.mean(),
        };
        match self.level {
            Level::RequestsPerMonth(id) => p[id.0] / HOURS_PER_MONTH,
            Level::TokensPerMonth(id) => p[id.0] / (HOURS_PER_MONTH * tokens_per_request),
            Level::AsRecorded => self.replay.as_ref().map_or(0.0, |r| r.requests_per_hour()),
        }
    }

    /// The factor a replayed trace is scaled by in hour `hour`: the trial's
    /// `scale` (level over recorded volume) times growth.
    pub fn replay_factor(&self, p: &[f64], scale: f64, hour: usize) -> f64 {
        let growth_per_hour = (1.0 + p[self.growth_per_month.0]).ln() / HOURS_PER_MONTH;
        scale * (growth_per_hour * hour as f64).exp()
    }

    /// A one-line description for `check` and reports.
    pub fn describe(&self) -> String {
        if let Some(r) = &self.replay {
            return format!(
                "replay of {} ({} trace, {} h per pass, {} requests/h as recorded)",
                r.path.display(),
                r.format.as_str(),
                crate::uncertain::fmt_num(r.period_s / 3600.0),
                crate::uncertain::fmt_num(r.requests_per_hour())
            );
        }
        let mut s = format!(
            "{} pattern, daily profile {}, weekly profile {}",
            match self.pattern {
                Pattern::Steady => "steady",
                Pattern::Spiky { .. } => "spiky",
            },
            self.daily_name,
            self.weekly_name
        );
        if self.spikes.is_some() {
            s.push_str(", with spikes");
        }
        if let Some(shape) = self.shape {
            s.push_str(&format!(" (shape {shape})"));
        }
        s
    }

    /// Draw the hourly loads (and the within-hour regime) of one trial into
    /// `out`. `p` is the trial's parameter vector; `rng` is the trial's
    /// traffic stream, which draws only the regime path (it does not depend
    /// on the level); `seed` and `trial` name the per-hour sub-streams that
    /// draw each hour's multiplier, count and token sums, so a change of
    /// level moves no other hour's draws.
    pub fn fill<R: Rng + ?Sized>(
        &self,
        p: &[f64],
        horizon_hours: u32,
        rng: &mut R,
        (seed, trial): (u64, u64),
        out: &mut TrialTraffic,
    ) {
        out.hours.clear();
        out.steps.clear();
        out.scale = 1.0;
        let growth_per_hour = (1.0 + p[self.growth_per_month.0]).ln() / HOURS_PER_MONTH;
        let tokens = TokenSummer::new(&self.input_tokens, &self.output_tokens);
        let hour_streams = hour_streams(seed, trial);
        if let Some(trace) = &self.replay {
            out.scale = self.base_requests_per_hour(p) / trace.requests_per_hour();
            for h in 0..horizon_hours {
                let grow = (growth_per_hour * h as f64).exp();
                let (a, b) = (h as f64 * 3600.0, (h + 1) as f64 * 3600.0);
                let span = trace.span(a, b);
                let load = match &trace.data {
                    TraceData::Requests { .. } => {
                        let mut r = replay_stream(seed, trial, h as usize);
                        let (whole, extra) = replay_copies(span.requests, out.scale * grow, &mut r);
                        let n = whole * span.requests + extra;
                        let (i, o) = span.tokens.unwrap_or((0.0, 0.0));
                        let share = if span.requests > 0.0 {
                            n / span.requests
                        } else {
                            0.0
                        };
                        HourLoad {
                            requests: n,
                            input_tokens: i * share,
                            output_tokens: o * share,
                        }
                    }
                    TraceData::Rates { .. } => {
                        let mut hour_rng = hour_streams.at(u64::from(h));
                        let n = poisson(span.requests * out.scale * grow, &mut hour_rng);
                        let (input_tokens, output_tokens) = match span.tokens {
                            Some((i, o)) if span.requests > 0.0 => {
                                (i / span.requests * n, o / span.requests * n)
                            }
                            _ => tokens.sums(n, &mut hour_rng),
                        };
                        HourLoad {
                            requests: n,
                            input_tokens,
                            output_tokens,
                        }
                    }
                };
                out.hours.push(load);
            }
            return;
        }
        let base = self.base_requests_per_hour(p);
        let gamma = gamma_with_cv(1.0, p[self.hourly_cv.0]);
        let mut regime = Regime::new(self, p, rng);
        if let Some(r) = &regime {
            out.steps.push(RegimeStep {
                start_s: 0.0,
                multiplier: r.value(),
            });
        }
        for h in 0..horizon_hours {
            let mut rate =
                base * self.daily[(h % 24) as usize] * self.weekly[((h / 24) % 7) as usize];
            if growth_per_hour != 0.0 {
                rate *= (growth_per_hour * h as f64).exp();
            }
            if let Some(r) = &mut regime {
                rate *= r.hour_mean(h as f64 * 3600.0, rng, &mut out.steps);
            }
            let mut hour_rng = hour_streams.at(u64::from(h));
            if let Some(g) = &gamma {
                rate *= g.sample(&mut hour_rng);
            }
            let requests = poisson(rate, &mut hour_rng);
            let (input_tokens, output_tokens) = tokens.sums(requests, &mut hour_rng);
            out.hours.push(HourLoad {
                requests,
                input_tokens,
                output_tokens,
            });
        }
    }
}

/// How a replayed request trace is scaled by `k`: every request kept
/// `floor(k)` times (the first return value), plus `Binomial(n, frac(k))`
/// of them (the second), chosen uniformly, once more. The draw comes first
/// on the hour's replay stream, so the hourly path and the arrivals agree.
fn replay_copies<R: Rng + ?Sized>(n: f64, k: f64, rng: &mut R) -> (f64, f64) {
    let whole = k.floor();
    let frac = k - whole;
    let extra = if frac > 0.0 && n > 0.0 {
        Binomial::new(n as u64, frac).map_or(0.0, |b| b.sample(rng) as f64)
    } else {
        0.0
    };
    (whole, extra)
}

/// The per-hour sub-streams of the modelled traffic of one trial: the
/// `h`-th draws hour `h`'s gamma multiplier, then its count (one uniform,
/// see [`poisson`]), then its token sums. Nothing after the count depends
/// on it within the hour, so a change of level moves no other draw.
fn hour_streams(seed: u64, trial: u64) -> crate::engine::Substreams {
    crate::engine::Substreams::new(seed, trial, "traffic:hour")
}

fn replay_stream(seed: u64, trial: u64, hour: usize) -> crate::deploy::TrialRng {
    crate::engine::substream(seed, trial, "replay", hour as u64)
}

/// The arrivals of hour `hour` of a replayed request trace scaled by `k`
/// (see `replay_copies`): originals at their recorded times, extra copies
/// at a uniform time in the same minute, tokens as recorded.
pub fn replay_arrivals<R: Rng + ?Sized>(
    trace: &Trace,
    (seed, trial): (u64, u64),
    hour: usize,
    k: f64,
    rng: &mut R,
    out: &mut Vec<crate::sim::Arrival>,
) {
    out.clear();
    let Some((input, output)) = trace.token_lists() else {
        return;
    };
    let (a, b) = (hour as f64 * 3600.0, (hour + 1) as f64 * 3600.0);
    let mut rows: Vec<(usize, f64)> = Vec::new();
    trace.for_each_request(a, b, |i, t| rows.push((i, t)));
    let mut r = replay_stream(seed, trial, hour);
    let (whole, extra) = replay_copies(rows.len() as f64, k, &mut r);
    // Choose `extra` distinct rows (a partial Fisher-Yates shuffle).
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let extra = extra as usize;
    for j in 0..extra {
        let pick = j + r.random_range(0..rows.len() - j);
        order.swap(j, pick);
    }
    let mut copies = vec![whole as usize; rows.len()];
    for &j in &order[..extra] {
        copies[j] += 1;
    }
    for (&(i, t), &c) in rows.iter().zip(&copies) {
        for copy in 0..c {
            let time_s = if copy == 0 {
                t
            } else {
                (t / 60.0).floor() * 60.0 + rng.random::<f64>() * 60.0
            };
            out.push(crate::sim::Arrival {
                time_s,
                input_tokens: input[i],
                output_tokens: output[i],
            });
        }
    }
}

/// A lognormal keeping the median and mean of recorded token lengths (a
/// fixed value if they are not skewed right).
pub(crate) fn token_dist(xs: &[f64]) -> Dist {
    let mean = xs.iter().sum::<f64>() / xs.len().max(1) as f64;
    let median = stats::quantile(xs, 0.5);
    if median > 0.0 && mean > median {
        Dist::lognormal_median_mean(median, mean)
    } else {
        Dist::Fixed(mean)
    }
}

/// The regime multiplier from `start_s` until the next step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegimeStep {
    /// Start, seconds from the horizon's start.
    pub start_s: f64,
    /// Rate multiplier (mean 1 over the long run).
    pub multiplier: f64,
}

/// One trial's traffic: its hours, and what shapes arrivals within them.
#[derive(Debug, Clone, Default)]
pub struct TrialTraffic {
    /// The hourly loads.
    pub hours: Vec<HourLoad>,
    /// The regime's steps (empty for steady traffic without spikes).
    pub steps: Vec<RegimeStep>,
    /// Scale of a replayed trace (1 when not replaying).
    pub scale: f64,
}

/// A two-state chain in continuous time with exponential sojourns.
#[derive(Debug, Clone, Copy)]
struct Layer {
    on: bool,
    next_s: f64,
    mean_on_s: f64,
    mean_off_s: f64,
    high: f64,
    low: f64,
}

fn exponential<R: Rng + ?Sized>(mean: f64, rng: &mut R) -> f64 {
    -mean * (1.0 - rng.random::<f64>()).ln()
}

impl Layer {
    fn new<R: Rng + ?Sized>(p_on: f64, mean_on_s: f64, high: f64, low: f64, rng: &mut R) -> Layer {
        let mean_off_s = mean_on_s * (1.0 - p_on) / p_on;
        let on = rng.random::<f64>() < p_on;
        let next_s = exponential(if on { mean_on_s } else { mean_off_s }, rng);
        Layer {
            on,
            next_s,
            mean_on_s,
            mean_off_s,
            high,
            low,
        }
    }
    fn value(&self) -> f64 {
        if self.on { self.high } else { self.low }
    }
    fn switch<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        self.on = !self.on;
        self.next_s += exponential(
            if self.on {
                self.mean_on_s
            } else {
                self.mean_off_s
            },
            rng,
        );
    }
}

/// The product of the idle and spike layers (mean 1).
#[derive(Debug, Clone)]
struct Regime {
    layers: Vec<Layer>,
}

impl Regime {
    fn new<R: Rng + ?Sized>(t: &Traffic, p: &[f64], rng: &mut R) -> Option<Regime> {
        let mut layers = Vec::new();
        if let Pattern::Spiky {
            idle_share,
            burst_hours,
        } = t.pattern
        {
            let active = 1.0 - p[idle_share.0];
            layers.push(Layer::new(
                active,
                p[burst_hours.0] * 3600.0,
                1.0 / active,
                0.0,
                rng,
            ));
        }
        if let Some(s) = t.spikes {
            let (f, share) = (p[s.factor.0], p[s.share.0]);
            let norm = 1.0 + share * (f - 1.0);
            layers.push(Layer::new(
                share,
                p[s.minutes.0] * 60.0,
                f / norm,
                1.0 / norm,
                rng,
            ));
        }
        (!layers.is_empty()).then_some(Regime { layers })
    }

    fn value(&self) -> f64 {
        self.layers.iter().map(Layer::value).product()
    }

    /// Mean multiplier over `[start, start + 1 h)`, recording each change.
    fn hour_mean<R: Rng + ?Sized>(
        &mut self,
        start_s: f64,
        rng: &mut R,
        steps: &mut Vec<RegimeStep>,
    ) -> f64 {
        let end = start_s + 3600.0;
        let mut t = start_s;
        let mut integral = 0.0;
        loop {
            let next = self.layers.iter().map(|l| l.next_s).fold(end, f64::min);
            integral += self.value() * (next - t);
            t = next;
            if t >= end {
                break;
            }
            for l in &mut self.layers {
                if l.next_s <= t {
                    l.switch(rng);
                }
            }
            steps.push(RegimeStep {
                start_s: t,
                multiplier: self.value(),
            });
        }
        integral / 3600.0
    }
}

impl TrialTraffic {
    /// The regime's multiplier integrated over each of hour `hour`'s 60
    /// minutes (multiplier × seconds; 60 × the minute's mean multiplier), or
    /// `None` when the traffic has no regime steps.
    pub fn step_minutes(&self, hour: usize) -> Option<[f64; 60]> {
        if self.steps.is_empty() {
            return None;
        }
        let start = hour as f64 * 3600.0;
        let mut i = self.steps.partition_point(|s| s.start_s <= start).max(1) - 1;
        // Most hours lie within one step: every minute is its multiplier ×
        // 60 s (as the sum below gives it, exactly).
        let step = self.steps[i];
        let until = self.steps.get(i + 1).map_or(f64::INFINITY, |n| n.start_s);
        if step.start_s <= start && until >= start + 3600.0 {
            return Some([step.multiplier * 60.0; 60]);
        }
        let mut weights = [0.0; 60];
        let mut m = 0;
        while m < 60 {
            let a = start + 60.0 * m as f64;
            let step = self.steps[i];
            let until = self.steps.get(i + 1).map_or(f64::INFINITY, |n| n.start_s);
            if step.start_s <= a && until >= a + 60.0 {
                // Minutes wholly within one step take its multiplier × 60
                // s, as the sum below gives them, exactly. The run m..end
                // of them ends by `until`: found from the quotient, then
                // checked against the exact minute ends (defensive: over
                // every minute end ±1 ulp of 20,000 hours a reviewing
                // helper found the quotient never off, as `until - start`
                // is exact there).
                let mut end = ((until - start) / 60.0).floor().clamp((m + 1) as f64, 60.0) as usize;
                while end < 60 && until >= start + 60.0 * (end + 1) as f64 {
                    end += 1;
                }
                while end > m + 1 && until < start + 60.0 * end as f64 {
                    end -= 1;
                }
                weights[m..end].fill(step.multiplier * 60.0);
                m = end;
                continue;
            }
            // A minute with a step in it: the steps' shares of it.
            let b = a + 60.0;
            let mut acc = 0.0;
            while i < self.steps.len() {
                let s = self.steps[i];
                let until = self.steps.get(i + 1).map_or(f64::INFINITY, |n| n.start_s);
                acc += s.multiplier * (until.min(b) - s.start_s.max(a)).max(0.0);
                if until >= b {
                    break;
                }
                i += 1;
            }
            weights[m] = acc;
            m += 1;
        }
        Some(weights)
    }

    /// Relative weights of hour `hour`'s 60 minutes from the regime's steps
    /// or the replayed trace's minutes alone (without the minute-to-minute
    /// noise), or `None` when they are uniform.
    pub fn base_minute_weights(&self, trace: Option<&Trace>, hour: usize) -> Option<[f64; 60]> {
        let start = hour as f64 * 3600.0;
        match trace {
            Some(trace) => Some(std::array::from_fn(|m| {
                let a = start + 60.0 * m as f64;
                trace.span(a, a + 60.0).requests
            })),
            None => self.step_minutes(hour),
        }
    }

    /// Relative weights of hour `hour`'s 60 minutes, or `None` when arrivals
    /// are uniform over the hour. Combines the regime's steps (or the
    /// trace's minutes, [`TrialTraffic::base_minute_weights`]) with gamma
    /// weights of CV `minute_cv` drawn from `rng` (the hour's arrival stream).
    pub fn minute_weights<R: Rng + ?Sized>(
        &self,
        trace: Option<&Trace>,
        hour: usize,
        minute_cv: f64,
        rng: &mut R,
    ) -> Option<[f64; 60]> {
        with_minute_noise(self.base_minute_weights(trace, hour), minute_cv, rng)
    }
}

/// Minute weights `base` (`None`: uniform) times gamma weights of CV
/// `minute_cv` drawn from `rng`, one per minute in order; `base` itself
/// when `minute_cv` is 0.
pub fn with_minute_noise<R: Rng + ?Sized>(
    base: Option<[f64; 60]>,
    minute_cv: f64,
    rng: &mut R,
) -> Option<[f64; 60]> {
    let Some(g) = gamma_with_cv(1.0, minute_cv) else {
        return base;
    };
    let base = base.unwrap_or([1.0; 60]);
    Some(std::array::from_fn(|m| base[m] * g.sample(rng)))
}

/// Request counts in consecutive windows of `window_s` seconds (60, 600 or
/// 3600) over `hours` hours of one trial of `traffic`, drawn exactly as the
/// engine and the request-level simulation draw them (trial `trial` of
/// `seed`, parameters `p`).
pub fn simulate_windows(
    traffic: &Traffic,
    p: &[f64],
    hours: u32,
    window_s: f64,
    seed: u64,
    trial: u64,
) -> Vec<Option<f64>> {
    let mut draw = TrialTraffic::default();
    let mut rng = crate::engine::stream(seed, trial, "traffic");
    traffic.fill(p, hours, &mut rng, (seed, trial), &mut draw);
    let per_window = ((window_s / 60.0).round() as usize).clamp(1, 60);
    let minute_cv = p[traffic.minute_cv.0];
    let trace = traffic.replay.as_deref();
    let mut out = Vec::with_capacity(hours as usize * 60 / per_window);
    let mut arrivals = Vec::new();
    for (h, load) in draw.hours.iter().enumerate() {
        let mut rng = crate::engine::substream(seed, trial, "arrivals", h as u64);
        let minutes: [u64; 60] = match trace.filter(|t| t.token_lists().is_some()) {
            Some(t) => {
                let k = traffic.replay_factor(p, draw.scale, h);
                replay_arrivals(t, (seed, trial), h, k, &mut rng, &mut arrivals);
                let mut m = [0u64; 60];
                for a in &arrivals {
                    m[(((a.time_s - h as f64 * 3600.0) / 60.0) as usize).min(59)] += 1;
                }
                m
            }
            None => {
                let w = draw
                    .minute_weights(trace, h, minute_cv, &mut rng)
                    .unwrap_or([1.0; 60]);
                split_minutes(load.requests, &w, &mut rng)
            }
        };
        for chunk in minutes.chunks(per_window) {
            out.push(Some(chunk.iter().sum::<u64>() as f64));
        }
    }
    out
}

/// Split `n` requests over 60 minutes in proportion to `weights`
/// (a multinomial draw by sequential binomials).
pub fn split_minutes<R: Rng + ?Sized>(n: f64, weights: &[f64; 60], rng: &mut R) -> [u64; 60] {
    let mut left = n.max(0.0) as u64;
    let mut weight_left: f64 = weights.iter().sum();
    let mut out = [0u64; 60];
    for (m, &w) in weights.iter().enumerate() {
        if left == 0 {
            break;
        }
        if m == 59 || weight_left <= 0.0 {
            out[m] = left;
            break;
        }
        let p = (w / weight_left).clamp(0.0, 1.0);
        let c = Binomial::new(left, p).map_or(0, |b| b.sample(rng));
        out[m] = c;
        left -= c;
        weight_left -= w;
    }
    out
}

/// A Poisson count (requests) with mean `rate` (requests in the period),
/// drawn by inverting ONE uniform `u` (one `rng.random::<f64>()`; none when
/// `rate <= 0`, which gives 0, or when `rate` is not finite, returned as
/// is). Both branches are quantile functions of the same `u`, so on the
/// same stream a higher rate gives a lower count only across the rate-30
/// threshold, on 6.9e-6 of `u` (common random numbers stay monotone in the
/// traffic level), and every draw takes exactly one uniform.
///
/// - Below [`POISSON_INVERSION_MAX`]: exact inversion, walking the pmf from
///   0 (O(rate), ~40 ns at rates 1–29).
/// - From it up: `floor` of the Cornish–Fisher expansion of the Poisson
///   quantile with continuity correction, to order λ^(-3/2), at
///   `z = Φ⁻¹(u)` (`std_normal_quantile`); see `poisson_quantile`.
///   O(1): ~20 ns (rand_distr's `Poisson` with a new rate each draw,
///   which this replaces, ~23–30 ns; `cargo bench --bench samplers`). Its
///   count differs from the exact quantile on a share of `u` (an upper
///   bound on the total-variation distance to the Poisson) of 1.4e-5 at
///   rate 30, 4.7e-6 at 50, 1.1e-6 at 100, 1.5e-7 at 300 and below 5e-8
///   from 1,000 up (measured on 2·10⁷ strata of `u`). It is non-decreasing
///   in the rate for a fixed `u` (its derivative in λ is at least 0.18 for
///   every `z` it can see), so only where it errs can a rate just above 30
///   draw fewer than one just below (6.9e-6 of `u`).
pub fn poisson<R: Rng + ?Sized>(rate: f64, rng: &mut R) -> f64 {
    if rate <= 0.0 {
        0.0
    } else if !rate.is_finite() {
        rate
    } else {
        poisson_quantile(rate, rng.random())
    }
}

/// Rates below this are drawn by exact inversion in [`poisson`]; from it up,
/// by the closed-form quantile approximation.
pub const POISSON_INVERSION_MAX: f64 = 30.0;

/// Smallest uniform the large-rate branch inverts: half the smallest
/// positive `rng.random::<f64>()` (2⁻⁵³), so `u = 0` maps to `z ≈ -8.3`
/// rather than `-∞` (the expansion and its monotonicity hold for
/// `|z| <= 8.3`; `u < 1` always, so `z <= 8.2`).
const POISSON_U_MIN: f64 = 1.0 / (1u64 << 54) as f64;

/// The Poisson(`rate`) count at uniform `u` in [0, 1), for a finite
/// `rate > 0`: the smallest `k` with `P(N <= k) >= u` below
/// [`POISSON_INVERSION_MAX`], an approximation of it from there up.
///
/// The approximation: `P(N <= k) = Q(k + 1, λ)` (regularised upper
/// incomplete gamma), and the `x` solving `Φ⁻¹(Q(x, λ)) = z` has the
/// expansion in powers of `λ^(-1/2)`
///
/// ```text
/// x = λ + √λ z + (z² + 2)/6 − z(z² + 2)/(72 √λ) + (3z⁴ + 7z² − 16)/(810 λ)
///       + z(2684 − 548z² − 207z⁴)/(155520 λ^(3/2)) + O(λ⁻²)
/// ```
///
/// The count is `floor(x)` clamped at 0: it jumps from `k` to `k + 1` where
/// `u = P(N <= k)`, i.e. where `x = k + 1`. The terms to `λ^(-1/2)` are the
/// Cornish–Fisher expansion for cumulants κᵣ = λ with the continuity
/// (+1/2) and Sheppard (variance − 1/12) corrections of a lattice; they and
/// the constant −8/405 agree with the leading terms of Giles' inverse
/// (ACM TOMS Algorithm 955). The λ⁻¹ and λ^(-3/2) coefficients were
/// identified by fitting the exact `x` (incomplete gamma at 90 digits) at
/// λ = 10⁸ and 10¹⁰ (the fits match these rationals to six digits).
/// Stopping after the λ⁻¹ term gives 6–13× the mismatch share at
/// λ = 30–100 (see [`poisson`]), after the λ^(-1/2) term 50–200×.
fn poisson_quantile(rate: f64, u: f64) -> f64 {
    if rate < POISSON_INVERSION_MAX {
        let mut term = (-rate).exp();
        let mut cdf = term;
        let mut k = 0.0;
        // The tail beyond rate + 40 standard deviations is below 1e-300.
        let limit = rate + 40.0 * rate.sqrt() + 40.0;
        while u > cdf && k < limit {
            k += 1.0;
            term *= rate / k;
            cdf += term;
        }
        k
    } else {
        let z = std_normal_quantile(u.max(POISSON_U_MIN));
        // One square root and one division (the divider is the bottleneck:
        // the constant divisors are multiplied as reciprocals).
        let r = 1.0 / rate.sqrt();
        let s = rate * r;
        let z2 = z * z;
        let x = rate
            + s * z
            + (z2 + 2.0) * (1.0 / 6.0)
            + r * (-z * (z2 + 2.0) * (1.0 / 72.0)
                + r * ((3.0 * z2 * z2 + 7.0 * z2 - 16.0) * (1.0 / 810.0)
                    + r * z * (2684.0 - 548.0 * z2 - 207.0 * z2 * z2) * (1.0 / 155_520.0)));
        // The floor, at least 0: `as` truncates, which is the floor for
        // the counts below 2^52 (`floor` is a library call on x86-64's
        // baseline, which has no rounding instruction). Through `i64`, not
        // `u64`: the same value below 2^63, by one instruction each way
        // (the baseline converts only signed integers, and `u64` takes a
        // branch and a fix-up each way).
        if x >= 1.0 {
            if x < 4e15 {
                (x as i64) as f64
            } else {
                x.floor()
            }
        } else {
            0.0
        }
    }
}

/// Standard normal quantile Φ⁻¹(`p`) for `0 < p < 1`, by Wichura's
/// algorithm AS241 (PPND16, Applied Statistics 37, 1988): rational
/// approximations with a relative error about 1e-16. Used instead of
/// [`crate::uncertain::normal_quantile`] (statrs' `erfc_inv`, as accurate)
/// because it takes ~8 ns a call against ~14 ns.
fn std_normal_quantile(p: f64) -> f64 {
    // Coefficients of the rational approximations, highest power first:
    // central region |p - 0.5| <= 0.425 in r = 0.180625 - (p - 0.5)²,
    // then the tails in r = √(-ln(min(p, 1 - p))) - 1.6 (r <= 5) or - 5.
    /// Central numerator.
    const CENTRAL_NUM: [f64; 8] = [
        2509.0809287301227,
        33430.57558358813,
        67265.7709270087,
        45921.95393154987,
        13731.69376550946,
        1971.5909503065513,
        133.14166789178438,
        3.3871328727963665,
    ];
    /// Central denominator.
    const CENTRAL_DEN: [f64; 8] = [
        5226.495278852546,
        28729.085735721943,
        39307.89580009271,
        21213.794301586597,
        5394.196021424751,
        687.1870074920579,
        42.31333070160091,
        1.0,
    ];
    /// Near-tail numerator.
    const NEAR_NUM: [f64; 8] = [
        0.0007745450142783414,
        0.022723844989269184,
        0.2417807251774506,
        1.2704582524523684,
        3.6478483247632045,
        5.769497221460691,
        4.630337846156546,
        1.4234371107496835,
    ];
    /// Near-tail denominator.
    const NEAR_DEN: [f64; 8] = [
        1.0507500716444169e-9,
        0.0005475938084995345,
        0.015198666563616457,
        0.14810397642748008,
        0.6897673349851,
        1.6763848301838038,
        2.053191626637759,
        1.0,
    ];
    /// Far-tail numerator.
    const FAR_NUM: [f64; 8] = [
        2.0103343992922881e-7,
        2.7115555687434876e-5,
        0.0012426609473880784,
        0.026532189526576124,
        0.29656057182850487,
        1.7848265399172913,
        5.463784911164114,
        6.657904643501103,
    ];
    /// Far-tail denominator.
    const FAR_DEN: [f64; 8] = [
        2.0442631033899397e-15,
        1.421511758316446e-7,
        1.8463183175100548e-5,
        0.0007868691311456133,
        0.014875361290850615,
        0.1369298809227358,
        0.599832206555888,
        1.0,
    ];
    fn horner(c: &[f64; 8], x: f64) -> f64 {
        c[1..].iter().fold(c[0], |acc, &c| acc * x + c)
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * horner(&CENTRAL_NUM, r) / horner(&CENTRAL_DEN, r);
    }
    let r = (-(if q < 0.0 { p } else { 1.0 - p }).ln()).sqrt();
    let val = if r <= 5.0 {
        let r = r - 1.6;
        horner(&NEAR_NUM, r) / horner(&NEAR_DEN, r)
    } else {
        let r = r - 5.0;
        horner(&FAR_NUM, r) / horner(&FAR_DEN, r)
    };
    if q < 0.0 { -val } else { val }
}

/// Largest request count whose token sums are drawn request by request.
pub const EXACT_SUM_MAX: f64 = 30.0;

/// Draws the token sums of `n` requests: one draw per request up to
/// [`EXACT_SUM_MAX`], a normal with the exact mean and variance above.
#[derive(Debug, Clone)]
pub struct TokenSummer<'a> {
    input: &'a Dist,
    output: &'a Dist,
    input_mean: f64,
    input_sd: f64,
    output_mean: f64,
    output_sd: f64,
}

impl<'a> TokenSummer<'a> {
    /// Prepare for the given per-request distributions.
    pub fn new(input: &'a Dist, output: &'a Dist) -> Self {
        TokenSummer {
            input,
            output,
            input_mean: input.mean(),
            input_sd: input.variance().sqrt(),
            output_mean: output.mean(),
            output_sd: output.variance().sqrt(),
        }
    }

    /// (input, output) token sums of `n` requests.
    pub fn sums<R: Rng + ?Sized>(&self, n: f64, rng: &mut R) -> (f64, f64) {
        if n <= 0.0 {
            (0.0, 0.0)
        } else if n <= EXACT_SUM_MAX {
            let (mut i, mut o) = (0.0, 0.0);
            for _ in 0..n as u32 {
                i += self.input.sample(rng).max(0.0);
                o += self.output.sample(rng).max(0.0);
            }
            (i, o)
        } else {
            let root = n.sqrt();
            let zi: f64 = rng.sample(StandardNormal);
            let zo: f64 = rng.sample(StandardNormal);
            (
                (n * self.input_mean + root * self.input_sd * zi).max(0.0),
                (n * self.output_mean + root * self.output_sd * zo).max(0.0),
            )
        }
    }
}

fn profile<const N: usize>(
    t: &Table<'_>,
    key: &str,
    presets: &[(&str, [f64; N])],
    default: &str,
) -> Result<([f64; N], String), ScenarioError> {
    let names: Vec<String> = presets.iter().map(|(n, _)| format!("\"{n}\"")).collect();
    let valid = format!(
        "a preset ({}) or an array of {N} non-negative weights",
        names.join(", ")
    );
    let Some(v) = t.get(key) else {
        let (name, w) = presets
            .iter()
            .find(|(n, _)| *n == default)
            .expect("shapes name existing presets");
        let mean = w.iter().sum::<f64>() / N as f64;
        return Ok((w.map(|x| x / mean), name.to_string()));
    };
    let (raw, name) = match v.get_ref() {
        toml::de::DeValue::String(s) => match presets.iter().find(|(n, _)| *n == s.as_ref()) {
            Some((n, w)) => (*w, n.to_string()),
            None => {
                return Err(t.error_at(
                    v.span(),
                    key,
                    format!("unknown profile \"{s}\"; expected {valid}"),
                ));
            }
        },
        toml::de::DeValue::Array(arr) => {
            if arr.len() != N {
                return Err(t.error_at(
                    v.span(),
                    key,
                    format!("the profile has {} weights; expected {valid}", arr.len()),
                ));
            }
            let mut w = [0.0; N];
            for (i, x) in arr.iter().enumerate() {
                let n = match x.get_ref() {
                    toml::de::DeValue::Integer(i) => {
                        i.as_str().replace('_', "").parse::<f64>().ok()
                    }
                    toml::de::DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
                    _ => None,
                };
                match n {
                    Some(n) if n >= 0.0 && n.is_finite() => w[i] = n,
                    _ => {
                        return Err(t.error_at(
                            x.span(),
                            key,
                            format!(
                                "weight {} is not a non-negative number; expected {valid}",
                                i + 1
                            ),
                        ));
                    }
                }
            }
            (w, "custom".to_string())
        }
        _ => return Err(t.error_at(v.span(), key, format!("expected {valid}"))),
    };
    let mean = raw.iter().sum::<f64>() / N as f64;
    if mean <= 0.0 {
        return Err(t.error_at(
            v.span(),
            key,
            "all weights are zero; at least one must be > 0",
        ));
    }
    Ok((raw.map(|x| x / mean), name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn step_minutes_match_the_integral_of_the_steps_minute_by_minute() {
        // Each minute's weight, summed step by step over that minute alone
        // (the sum step_minutes once took for every minute), must come out
        // bit for bit from its shortcuts for whole hours and runs of whole
        // minutes within one step: steps at random times (many within a
        // minute, some on minute ends), and hours with none.
        use rand::RngExt;
        let mut rng = crate::deploy::TrialRng::seed_from_u64(3);
        for case in 0..200 {
            let mut steps = vec![RegimeStep {
                start_s: 0.0,
                multiplier: 1.0,
            }];
            let mut t: f64 = 0.0;
            let mean_gap_s = [20.0, 300.0, 5000.0][case % 3];
            while t < 10.0 * 3600.0 {
                // A fifth of the steps fall on the next minute's end.
                t += if rng.random::<f64>() < 0.2 {
                    60.0 - t % 60.0
                } else {
                    -mean_gap_s * (1.0 - rng.random::<f64>()).ln()
                };
                steps.push(RegimeStep {
                    start_s: t,
                    multiplier: rng.random::<f64>() * 3.0,
                });
            }
            let draw = TrialTraffic {
                hours: Vec::new(),
                steps,
                scale: 1.0,
            };
            for hour in 0..10 {
                let start = hour as f64 * 3600.0;
                let expected: [f64; 60] = std::array::from_fn(|m| {
                    let (a, b) = (start + 60.0 * m as f64, start + 60.0 * (m + 1) as f64);
                    let mut i = draw.steps.partition_point(|s| s.start_s <= a).max(1) - 1;
                    let mut acc = 0.0;
                    while i < draw.steps.len() {
                        let s = draw.steps[i];
                        let until = draw.steps.get(i + 1).map_or(f64::INFINITY, |n| n.start_s);
                        acc += s.multiplier * (until.min(b) - s.start_s.max(a)).max(0.0);
                        if until >= b {
                            break;
                        }
                        i += 1;
                    }
                    acc
                });
                let got = draw.step_minutes(hour).expect("the draw has steps");
                for m in 0..60 {
                    assert_eq!(
                        got[m].to_bits(),
                        expected[m].to_bits(),
                        "case {case}, hour {hour}, minute {m}: {} vs {}",
                        got[m],
                        expected[m]
                    );
                }
            }
        }
    }

    #[test]
    fn poisson_by_inversion_has_the_right_mean_and_variance() {
        let mut rng = crate::deploy::TrialRng::seed_from_u64(9);
        let n = 200_000;
        for rate in [0.3, 5.0, 29.0, 30.0, 75.0, 1e4, 1e6] {
            let xs: Vec<f64> = (0..n).map(|_| poisson(rate, &mut rng)).collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            // SE of the mean √(λ/n); of the variance ≈ λ·√(2/n) (+ the
            // excess kurtosis 1/λ, small).
            let se_mean = (rate / n as f64).sqrt();
            let se_var = rate * ((2.0 + 1.0 / rate) / n as f64).sqrt();
            assert!(
                (mean - rate).abs() < 4.0 * se_mean,
                "rate {rate}: mean {mean}"
            );
            assert!(
                (var - rate).abs() < 4.0 * se_var,
                "rate {rate}: variance {var}"
            );
        }
    }

    #[test]
    fn a_higher_rate_never_draws_fewer_on_the_same_stream() {
        // Below the threshold, across it, and at large rates (steps larger
        // than the approximation's error: see the exact-inversion test for
        // the share of `u` where a step across 30 can go down).
        let pairs = [
            (7.0, 7.3),
            (29.0, 31.0),
            (30.0, 30.2),
            (120.0, 120.5),
            (5e3, 5e3 + 1.0),
            (1e6, 1e6 + 1.0),
        ];
        for seed in 0..2000 {
            let draw = |rate: f64| {
                let mut rng = crate::deploy::TrialRng::seed_from_u64(seed);
                poisson(rate, &mut rng)
            };
            for (lo, hi) in pairs {
                assert!(draw(lo) <= draw(hi), "seed {seed}: {lo} vs {hi}");
            }
        }
    }

    #[test]
    fn every_poisson_draw_takes_exactly_one_uniform() {
        for rate in [0.5, 29.9, 30.0, 1e3, 1e7] {
            let mut a = crate::deploy::TrialRng::seed_from_u64(3);
            let mut b = a.clone();
            poisson(rate, &mut a);
            let _: f64 = b.random();
            assert_eq!(a.random::<u64>(), b.random::<u64>(), "rate {rate}");
        }
    }

    #[test]
    fn std_normal_quantile_matches_known_values() {
        let close = |got: f64, want: f64, rel: f64| {
            assert!(
                (got - want).abs() <= rel * want.abs().max(1e-300),
                "got {got:e}, want {want:e}"
            );
        };
        // Reference values from the inverse error function at 30 digits.
        close(std_normal_quantile(0.975), 1.959963984540054, 1e-15);
        close(std_normal_quantile(0.025), -1.959963984540054, 1e-15);
        close(std_normal_quantile(0.9), 1.2815515655446004, 1e-15);
        close(std_normal_quantile(1e-5), -4.264890793922825, 1e-15);
        close(std_normal_quantile(1e-10), -6.361340902404056, 1e-15);
        assert_eq!(std_normal_quantile(0.5), 0.0);
        // Symmetry (1 - p is exact for these p) and agreement with statrs'
        // erfc_inv (the crate's `normal_quantile`) on all three branches,
        // down to p = 2⁻⁶⁴ and 1e-300.
        for i in 1..4096 {
            let p = i as f64 / 4096.0;
            assert_eq!(
                std_normal_quantile(p),
                -std_normal_quantile(1.0 - p),
                "p {p}"
            );
            close(
                std_normal_quantile(p),
                crate::uncertain::normal_quantile(p),
                4e-15,
            );
        }
        for k in 1..=64 {
            let p = 0.5f64.powi(k);
            close(
                std_normal_quantile(p),
                crate::uncertain::normal_quantile(p),
                4e-15,
            );
        }
        close(
            std_normal_quantile(1e-300),
            crate::uncertain::normal_quantile(1e-300),
            4e-15,
        );
        // The floor the large-rate branch applies at u = 0.
        close(
            std_normal_quantile(POISSON_U_MIN),
            -8.292361075813595,
            1e-14,
        );
    }

    /// `P(N <= k)` of a Poisson(`rate`) for `k = 0..` up to 60 standard
    /// deviations above the mean: the pmf by its ratio recurrence out from
    /// the mode (no special functions), normalised to sum 1, then summed
    /// from 0. Rounding moves the boundaries by ~1e-13, far below the 5e-6
    /// between strata in the tests.
    fn exact_poisson_cdf(rate: f64) -> Vec<f64> {
        let mode = rate.floor() as usize;
        let hi = (rate + 60.0 * rate.sqrt() + 60.0) as usize;
        let mut pmf = vec![0.0; hi + 1];
        pmf[mode] = 1.0;
        for k in mode + 1..=hi {
            pmf[k] = pmf[k - 1] * rate / k as f64;
        }
        for k in (0..mode).rev() {
            pmf[k] = pmf[k + 1] * (k + 1) as f64 / rate;
            if pmf[k] < 1e-300 {
                break;
            }
        }
        let total: f64 = pmf.iter().sum();
        let mut cdf = 0.0;
        pmf.iter()
            .map(|p| {
                cdf += p / total;
                cdf
            })
            .collect()
    }

    #[test]
    fn large_rate_poisson_matches_exact_inversion() {
        // u at the midpoints of N equal strata of (0, 1): the share of them
        // where the count differs from the exact quantile bounds the
        // total-variation distance to the Poisson (up to the strata width).
        // Bounds: measured on 2e7 strata, the share is 1.4e-5 at 30, 4.7e-6
        // at 50, 1.1e-6 at 100 and below 5e-8 from 1,000 up (here 3, 0, 1,
        // 0, 0, 0 strata of 200,000); the error after the λ^(-3/2) term is
        // O(λ⁻²). Stopping after the λ^(-1/2) term would give 8e-4, 5e-4,
        // 2e-4 and 1.5e-5: every bound below fails.
        const N: usize = 200_000;
        for (rate, bound) in [
            (30.0, 5e-5),
            (50.0, 2.5e-5),
            (100.0, 1e-5),
            (1e3, 1e-5),
            (1e4, 1e-5),
            (1e5, 1e-5),
        ] {
            let cdf = exact_poisson_cdf(rate);
            let mut k = 0;
            let mut differ = 0;
            // Moments about the rate (no cancellation), of the sampler's
            // counts and of the exact quantiles.
            let (mut s1, mut s2, mut e1, mut e2) = (0.0, 0.0, 0.0, 0.0);
            let (mut min, mut max) = (f64::INFINITY, 0.0f64);
            for i in 0..N {
                let u = (i as f64 + 0.5) / N as f64;
                while cdf[k] < u {
                    k += 1;
                }
                let got = poisson_quantile(rate, u);
                if got != k as f64 {
                    differ += 1;
                }
                (min, max) = (min.min(got), max.max(got));
                let (d, e) = (got - rate, k as f64 - rate);
                s1 += d;
                s2 += d * d;
                e1 += e;
                e2 += e * e;
            }
            let share = differ as f64 / N as f64;
            println!("rate {rate}: count differs from the exact quantile on {share:.2e} of u");
            assert!(share < bound, "rate {rate}: share {share:e} >= {bound:e}");
            // Not vacuous: the counts span about ±4.4 standard deviations.
            assert!(max - min > 8.0 * rate.sqrt(), "rate {rate}: {min}..{max}");
            // Stratified moments about the rate, within what the midpoint
            // rule itself can err for the exact quantiles.
            let mean = s1 / N as f64;
            let tol_mean = midpoint_error_bound(&cdf, N, |k| k - rate);
            let tol_var = midpoint_error_bound(&cdf, N, |k| (k - rate).powi(2)) + tol_mean.powi(2);
            println!(
                "  mean - rate {mean:+.1e} (tolerance {tol_mean:.1e}), variance - rate {:+.1e} \
                 (tolerance {tol_var:.1e}); exact quantiles: {:+.1e}, {:+.1e}",
                s2 / N as f64 - mean * mean - rate,
                e1 / N as f64,
                e2 / N as f64 - (e1 / N as f64).powi(2) - rate,
            );
            for (what, m1, m2) in [("sampler", s1, s2), ("exact", e1, e2)] {
                let mean = m1 / N as f64;
                let var = m2 / N as f64 - mean * mean;
                assert!(
                    mean.abs() <= tol_mean,
                    "rate {rate}: {what} mean off by {mean:e} > {tol_mean:e}"
                );
                assert!(
                    (var - rate).abs() <= tol_var,
                    "rate {rate}: {what} variance off by {:e} > {tol_var:e}",
                    var - rate
                );
            }
        }
    }

    /// A bound on how far the mean of `h(Q(uᵢ))` over the midpoints `uᵢ`
    /// of `n` equal strata of (0, 1) can be from `E h(N)`, for `Q` the exact
    /// quantile of the Poisson whose CDF is `cdf`. On each stratum the
    /// midpoint errs by at most the stratum's width times the spread of `h`
    /// over the counts `Q` takes there. On the interior strata `Q` runs
    /// through consecutive counts, so those spreads add up to at most
    /// `Σ |h(k + 1) - h(k)|` from `Q(1/n)` to `Q(1 - 1/n)`; on the two outer
    /// strata the bound is `∫ |h(Q(u)) - h(Q(midpoint))| du`, summed from
    /// the table.
    fn midpoint_error_bound(cdf: &[f64], n: usize, h: impl Fn(f64) -> f64) -> f64 {
        let last = cdf.len() - 1;
        let q = |u: f64| cdf.partition_point(|&c| c < u).min(last);
        let w = 1.0 / n as f64;
        let interior = (q(w)..q(1.0 - w))
            .map(|k| (h(k as f64 + 1.0) - h(k as f64)).abs())
            .sum::<f64>()
            * w;
        let outer = |a: f64, b: f64| {
            let at_mid = h(q((a + b) / 2.0) as f64);
            (q(a)..=q(b))
                .map(|k| {
                    let from = if k == 0 { 0.0 } else { cdf[k - 1] }.max(a);
                    let to = if k == last { 1.0 } else { cdf[k] }.min(b);
                    (h(k as f64) - at_mid).abs() * (to - from).max(0.0)
                })
                .sum::<f64>()
        };
        interior + outer(0.0, w) + outer(1.0 - w, 1.0)
    }

    #[test]
    fn large_rate_poisson_is_monotone_in_the_rate() {
        // For fixed u (a grid, plus u = 0, the smallest positive uniform
        // and the largest below 1), the count never decreases over rates
        // from 30 to 1e7 in steps of 0.1%, nor over steps of 0.01 on
        // [30, 40].
        let mut us: Vec<f64> = (1..1000).map(|i| i as f64 / 1000.0).collect();
        us.extend([
            0.0,
            0.5f64.powi(53),
            1.0 - 0.5f64.powi(53),
            1e-6,
            1.0 - 1e-6,
        ]);
        let mut rates = Vec::new();
        let mut rate = POISSON_INVERSION_MAX;
        while rate < 1e7 {
            rates.push(rate);
            rate *= 1.001;
        }
        let fine: Vec<f64> = (0..=1000).map(|i| 30.0 + i as f64 * 0.01).collect();
        for grid in [&rates, &fine] {
            for &u in &us {
                let mut last = 0.0;
                for &rate in grid {
                    let n = poisson_quantile(rate, u);
                    assert!(n >= last, "u {u}: rate {rate} draws {n} < {last}");
                    last = n;
                }
                // Not vacuous: the counts climb with the rate.
                let top = grid[grid.len() - 1];
                assert!(last > top - 9.0 * top.sqrt(), "u {u}: ends at {last}");
            }
        }
    }
}
