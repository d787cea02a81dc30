//! Traffic: hourly loads drawn from a level, a daily and weekly shape,
//! growth, a pattern (steady or spiky) and per-request token lengths.
//!
//! Hour 0 of a horizon is Monday 00:00. An hour's request count is Poisson
//! around the hour's rate (optionally over-dispersed by a gamma multiplier);
//! its token sums are drawn exactly for small counts and by the central limit
//! theorem for large ones, so an hour costs O(1), not O(requests).

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Poisson, StandardNormal};

use crate::error::ScenarioError;
use crate::scenario::{Bound, HOURS_PER_MONTH, ParamId, Params, Table};
use crate::uncertain::Dist;

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
}

/// How the monthly traffic level is stated.
#[derive(Debug, Clone, Copy)]
pub enum Level {
    /// Tokens (input + output) per 720-hour month.
    TokensPerMonth(ParamId),
    /// Requests per 720-hour month.
    RequestsPerMonth(ParamId),
}

/// The hour-to-hour pattern of the load.
#[derive(Debug, Clone, Copy)]
pub enum Pattern {
    /// Every hour at its profile rate.
    Steady,
    /// On/off hours (a two-state Markov chain): idle in a share of hours,
    /// active runs lasting `burst_hours` on average; active hours carry the
    /// whole volume, so the monthly mean is kept.
    Spiky {
        /// Long-run share of idle hours (fraction, 0–1 exclusive).
        idle_share: ParamId,
        /// Mean length of an active run, hours (at least 1: the chain steps
        /// hour by hour).
        burst_hours: ParamId,
    },
}

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
    /// Within-hour clustering for the request-level simulation: coefficient
    /// of variation of gamma weights on the hour's 60 minutes (0 = arrivals
    /// uniform in the hour, a Poisson process).
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
}

const TRAFFIC_KEYS: &[&str] = &[
    "tokens_per_month",
    "requests_per_month",
    "growth_per_month",
    "hourly_cv",
    "minute_cv",
    "daily_profile",
    "weekly_profile",
    "input_tokens",
    "output_tokens",
    "pattern",
    "idle_share",
    "burst_hours",
];

impl Traffic {
    pub(crate) fn from_table(t: &Table<'_>, params: &mut Params) -> Result<Traffic, ScenarioError> {
        t.check_keys(TRAFFIC_KEYS)?;
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
        let hourly_cv = t.param(params, "hourly_cv", Bound::Proportion, Some(0.0))?;
        let minute_cv = t.param(params, "minute_cv", Bound::Proportion, Some(0.0))?;
        let (daily, daily_name) = profile(t, "daily_profile", DAILY_PRESETS)?;
        let (weekly, weekly_name) = profile(t, "weekly_profile", WEEKLY_PRESETS)?;
        let input_tokens = t.dist("input_tokens", Bound::NonNegative, None)?;
        let output_tokens = t.dist("output_tokens", Bound::NonNegative, None)?;
        if input_tokens.mean() + output_tokens.mean() <= 0.0 {
            return Err(t.error_at(
                t.span_of("output_tokens"),
                "output_tokens",
                "a request must carry some tokens on average",
            ));
        }
        let pattern = match t.string("pattern")? {
            None | Some(("steady", _)) => {
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
            }
            Some(("spiky", _)) => Pattern::Spiky {
                idle_share: t.param(params, "idle_share", Bound::OpenFraction, None)?,
                burst_hours: t.param(params, "burst_hours", Bound::AtLeastOne, None)?,
            },
            Some((other, span)) => {
                return Err(t.error_at(
                    span,
                    "pattern",
                    format!("unknown pattern \"{other}\"; valid: \"steady\", \"spiky\""),
                ));
            }
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
        })
    }

    /// Mean requests per hour of a month at this trial's level, before shape.
    pub fn base_requests_per_hour(&self, p: &[f64]) -> f64 {
        match self.level {
            Level::RequestsPerMonth(id) => p[id.0] / HOURS_PER_MONTH,
            Level::TokensPerMonth(id) => {
                p[id.0] / (HOURS_PER_MONTH * (self.input_tokens.mean() + self.output_tokens.mean()))
            }
        }
    }

    /// Draw the hourly loads of one trial into `out` (cleared first).
    /// `p` is the trial's parameter vector; `rng` is the trial's traffic stream.
    pub fn fill_hours<R: Rng + ?Sized>(
        &self,
        p: &[f64],
        horizon_hours: u32,
        rng: &mut R,
        out: &mut Vec<HourLoad>,
    ) {
        out.clear();
        let base = self.base_requests_per_hour(p);
        let growth_per_hour = (1.0 + p[self.growth_per_month.0]).ln() / HOURS_PER_MONTH;
        let cv = p[self.hourly_cv.0];
        let gamma = crate::uncertain::gamma_with_cv(1.0, cv);
        // Spiky: two-state chain, idle in the stated share of hours when it
        // can switch that often, mean on-run = burst hours.
        let spiky = match self.pattern {
            Pattern::Steady => None,
            Pattern::Spiky {
                idle_share,
                burst_hours,
            } => {
                let idle = p[idle_share.0];
                let on_to_off = 1.0 / p[burst_hours.0];
                // A short idle share with short bursts can ask for more than
                // one switch an hour; the chain then idles less often than
                // stated, and active hours are scaled by the share it keeps,
                // so the volume is kept either way.
                let off_to_on = (on_to_off * (1.0 - idle) / idle).min(1.0);
                let active_share = off_to_on / (on_to_off + off_to_on);
                Some((active_share, on_to_off, off_to_on))
            }
        };
        let mut on = match spiky {
            Some((active_share, ..)) => rng.random::<f64>() < active_share,
            None => true,
        };
        let tokens = TokenSummer::new(&self.input_tokens, &self.output_tokens);
        for h in 0..horizon_hours {
            let mut rate = base
                * self.daily[(h % 24) as usize]
                * self.weekly[((h / 24) % 7) as usize]
                * (growth_per_hour * h as f64).exp();
            if let Some((active_share, on_to_off, off_to_on)) = spiky {
                if h > 0 {
                    let u: f64 = rng.random();
                    on = if on { u >= on_to_off } else { u < off_to_on };
                }
                rate = if on { rate / active_share } else { 0.0 };
            }
            if let Some(g) = &gamma {
                rate *= g.sample(rng);
            }
            let requests = poisson(rate, rng);
            let (input_tokens, output_tokens) = tokens.sums(requests, rng);
            out.push(HourLoad {
                requests,
                input_tokens,
                output_tokens,
            });
        }
    }
}

/// A Poisson count with mean `rate` (0 for a non-positive rate).
pub fn poisson<R: Rng + ?Sized>(rate: f64, rng: &mut R) -> f64 {
    if rate <= 0.0 {
        0.0
    } else {
        Poisson::new(rate).map(|d| d.sample(rng)).unwrap_or(rate)
    }
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
) -> Result<([f64; N], String), ScenarioError> {
    let names: Vec<String> = presets.iter().map(|(n, _)| format!("\"{n}\"")).collect();
    let valid = format!(
        "a preset ({}) or an array of {N} non-negative weights",
        names.join(", ")
    );
    let Some(v) = t.get(key) else {
        return Ok(([1.0; N], "flat".to_string()));
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
