//! Deployments: one trait, one file per kind (`api`, `dedicated`, `serverless`).
//!
//! Every deployment of a trial prices the *same* hourly loads (common random
//! numbers), so comparisons between deployments are paired.

pub mod api;
pub mod dedicated;
mod queue;
mod scan;
pub mod serverless;

use rand::rngs::Xoshiro256PlusPlus;

use crate::error::ScenarioError;
use crate::scenario::{Bound, ParamId, Params, Table};
use crate::sim::{Arrival, WaitHistogram};
use crate::traffic::{HourLoad, Traffic, TrialTraffic};

pub use api::{Api, ApiPricing};
pub use dedicated::Dedicated;
pub use serverless::Serverless;

/// The generator every trial stream uses (portable, named: output never
/// depends on the platform's default generator).
pub type TrialRng = Xoshiro256PlusPlus;

/// The kind of a deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A hosted per-token API.
    Api,
    /// Rented GPUs, always on.
    Dedicated,
    /// GPUs billed per second that scale to zero.
    Serverless,
}

impl Kind {
    /// The name used in scenario files and outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Api => "api",
            Kind::Dedicated => "dedicated",
            Kind::Serverless => "serverless",
        }
    }
}

/// How closely self-hosted deployments are simulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fidelity {
    /// The per-hour fast path everywhere.
    Hourly,
    /// The request-level event simulation everywhere.
    Request,
    /// The event simulation for hours with at most
    /// [`AUTO_EVENT_MAX_REQUESTS`] requests, the fast path elsewhere.
    Auto,
}

/// Hours with at most this many requests use the event simulation under
/// [`Fidelity::Auto`]: sparse hours, where cold starts and keep-alive tails
/// across hour boundaries matter most and simulating them is cheap. Below
/// 30 arrivals the fast path prices one-request workers with its occupancy
/// model, which bills up to 12% short with 300 s boots (`docs/validation.md`),
/// so `auto` simulates up to there.
pub const AUTO_EVENT_MAX_REQUESTS: f64 = 30.0;

impl Fidelity {
    /// The name used in scenario files, on the command line and in `run.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Fidelity::Hourly => "hourly",
            Fidelity::Request => "request",
            Fidelity::Auto => "auto",
        }
    }
    /// Parse `hourly`, `request` or `auto`.
    pub fn parse(s: &str) -> Option<Fidelity> {
        match s {
            "hourly" => Some(Fidelity::Hourly),
            "request" => Some(Fidelity::Request),
            "auto" => Some(Fidelity::Auto),
            _ => None,
        }
    }
    /// Whether an hour with `requests` arrivals is simulated request by request.
    pub fn simulates(self, requests: f64) -> bool {
        match self {
            Fidelity::Hourly => false,
            Fidelity::Request => true,
            Fidelity::Auto => requests <= AUTO_EVENT_MAX_REQUESTS,
        }
    }
}

/// What a deployment needs to know about the trial beyond its parameters.
#[derive(Debug, Clone, Copy)]
pub struct TrialContext<'a> {
    /// The run's seed.
    pub seed: u64,
    /// The trial index.
    pub trial: u64,
    /// The scenario's traffic model (per-request token distributions).
    pub traffic: &'a Traffic,
    /// The trial's traffic draw (its regime steps shape arrivals in an hour).
    pub draw: &'a TrialTraffic,
    /// The trial's parameter vector.
    pub params: &'a [f64],
    /// How closely to simulate.
    pub fidelity: Fidelity,
}

impl TrialContext<'_> {
    /// The noise stream of deployment `deployment` in hour `hour`.
    pub fn noise(&self, deployment: &str, hour: usize) -> TrialRng {
        crate::engine::deployment_hour_stream(self.seed, self.trial, deployment, hour as u64)
    }

    /// Whether any hour's minutes can differ: the traffic replays a trace,
    /// has regime steps, or minute-to-minute noise. When not, every
    /// hour's arrivals are uniform and no minute weights are drawn.
    pub fn minutes_may_vary(&self) -> bool {
        self.traffic.replay.is_some()
            || !self.draw.steps.is_empty()
            || self.params[self.traffic.minute_cv.0] > 0.0
    }

    /// The minute weights as a fleet can follow them, for the fast path,
    /// or `None` when arrivals are uniform over the hour. The weights are
    /// those the simulation's arrivals follow ([`TrialContext::arrivals`]:
    /// the regime's steps or the trace's minutes, times the gamma
    /// minute-to-minute noise, drawn from the same stream in the same
    /// order), with the noise shrunk towards the steps' (or trace's)
    /// weights by `a = cv²n / (1 + cv²n)`. That is the gamma–Poisson
    /// credibility weight: a minute's count has variance `n + cv²n²`, so
    /// with few arrivals a minute the noise hides in their Poisson scatter,
    /// and a fleet reacts to arrivals, not to the rate behind them. `n` is
    /// the hour's mean arrivals per minute (`requests / 60`), not each
    /// minute's: an approximation in hours whose steps make minutes differ.
    /// A trace replayed request by request brings its own minutes, without
    /// the noise.
    pub fn followed_minute_weights(&self, hour: usize, requests: f64) -> Option<[f64; 60]> {
        if !self.minutes_may_vary() {
            return None;
        }
        let trace = self.traffic.replay.as_deref();
        let replayed = trace.is_some_and(|t| t.token_lists().is_some());
        let cv = if replayed {
            0.0
        } else {
            self.params[self.traffic.minute_cv.0]
        };
        let base = self.draw.base_minute_weights(trace, hour);
        if cv <= 0.0 {
            return base;
        }
        // The same draws as the hour's arrivals.
        let mut rng = crate::engine::substream(self.seed, self.trial, "arrivals", hour as u64);
        let noisy = crate::traffic::with_minute_noise(base, cv, &mut rng)?;
        let visible = cv * cv * requests / 60.0;
        let a = visible / (1.0 + visible);
        let base = base.unwrap_or([1.0; 60]);
        Some(std::array::from_fn(|m| base[m] + a * (noisy[m] - base[m])))
    }

    /// The minute weights hour `hour`'s arrivals follow in the simulation
    /// (`None`: uniform over the hour), drawn as [`TrialContext::arrivals`]
    /// draws them; for a trace replayed request by request, its minutes'
    /// counts.
    pub fn arrival_minute_weights(&self, hour: usize) -> Option<[f64; 60]> {
        if !self.minutes_may_vary() {
            return None;
        }
        let trace = self.traffic.replay.as_deref();
        if trace.is_some_and(|t| t.token_lists().is_some()) {
            return self.draw.base_minute_weights(trace, hour);
        }
        let mut rng = crate::engine::substream(self.seed, self.trial, "arrivals", hour as u64);
        self.minute_weights_from(hour, &mut rng)
    }

    /// Hour `hour`'s minute weights, drawn from its arrival stream `rng`
    /// (the first draws of [`TrialContext::arrivals`]).
    fn minute_weights_from(&self, hour: usize, rng: &mut TrialRng) -> Option<[f64; 60]> {
        self.draw.minute_weights(
            self.traffic.replay.as_deref(),
            hour,
            self.params[self.traffic.minute_cv.0],
            rng,
        )
    }

    /// The arrivals of the burn-in hour before the horizon that ends
    /// `back` hours before it (0: the hour just before the start, from
    /// -3,600 s to 0): `load`'s requests uniform in the hour, tokens drawn
    /// from the traffic's distributions (a trace's own token lists are not
    /// replayed) and scaled to `load`'s sums, from a stream of its own (the
    /// same for every deployment, whatever its burn-in's length).
    pub fn burn_in_arrivals(&self, back: u32, load: &HourLoad, out: &mut Vec<Arrival>) {
        let mut rng = crate::engine::substream(self.seed, self.trial, "burn-in", u64::from(back));
        crate::sim::hour_arrivals(
            -f64::from(back + 1) * 3600.0,
            load,
            &self.traffic.input_tokens,
            &self.traffic.output_tokens,
            None,
            &mut rng,
            out,
        );
    }

    /// The random stream of `deployment`'s draws in a burn-in before the
    /// horizon (its boots), apart from those of its hours.
    pub fn burn_in_noise(&self, deployment: &str) -> TrialRng {
        crate::engine::deployment_hour_stream(self.seed, self.trial, deployment, u64::MAX)
    }

    /// The arrivals of hour `hour` (the same for every deployment of the
    /// trial: common random numbers down to the request).
    pub fn arrivals(&self, hour: usize, load: &HourLoad, out: &mut Vec<Arrival>) {
        let mut rng = crate::engine::substream(self.seed, self.trial, "arrivals", hour as u64);
        let start = hour as f64 * 3600.0;
        let trace = self.traffic.replay.as_deref();
        if let Some(t) = trace.filter(|t| t.token_lists().is_some()) {
            let k = self
                .traffic
                .replay_factor(self.params, self.draw.scale, hour);
            crate::traffic::replay_arrivals(t, (self.seed, self.trial), hour, k, &mut rng, out);
            crate::sim::finish_hour(out, load);
            return;
        }
        let weights = self.minute_weights_from(hour, &mut rng);
        crate::sim::hour_arrivals(
            start,
            load,
            &self.traffic.input_tokens,
            &self.traffic.output_tokens,
            weights.as_ref(),
            &mut rng,
            out,
        );
    }
}

/// What one deployment costs and does over one trial's horizon.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Total cost, USD (compute + operations + overflow spilled elsewhere).
    pub cost_usd: f64,
    /// GPU bill (self-hosted) or token bill (API), USD.
    pub compute_usd: f64,
    /// Operations cost, USD.
    pub ops_usd: f64,
    /// Cost of overflow spilled to an API deployment, USD.
    pub spill_usd: f64,
    /// Requests in the horizon.
    pub requests: f64,
    /// Tokens (input + output) in the horizon.
    pub tokens: f64,
    /// GPU-seconds of work demanded (at full batch); 0 for an API.
    pub busy_gpu_s: f64,
    /// GPU-seconds paid for; 0 for an API.
    pub billed_gpu_s: f64,
    /// Tokens beyond capacity (or an API's rate limit).
    pub overflow_tokens: f64,
    /// Cold starts (expected count on the hourly fast path).
    pub cold_starts: f64,
    /// Requests that waited on a cold start (expected count on the fast path).
    pub cold_start_waits: f64,
    /// Requests that waited in a queue because every slot was busy.
    pub queue_waits: f64,
    /// The added waits (cold start or queue) of the requests that waited.
    pub waits: WaitHistogram,
}

impl Outcome {
    /// Cost per million tokens, USD (NaN with no tokens).
    pub fn usd_per_mtok(&self) -> f64 {
        if self.tokens > 0.0 {
            self.cost_usd / self.tokens * 1e6
        } else {
            f64::NAN
        }
    }
    /// Work demanded ÷ GPU time paid for (NaN for an API).
    pub fn utilization(&self) -> f64 {
        if self.billed_gpu_s > 0.0 {
            self.busy_gpu_s / self.billed_gpu_s
        } else {
            f64::NAN
        }
    }
}

/// One way of serving the model.
pub trait Deployment: Send + Sync + std::fmt::Debug {
    /// The deployment's name from the scenario file.
    fn name(&self) -> &str;
    /// Its kind.
    fn kind(&self) -> Kind;
    /// Price one trial: `ctx` holds the trial's parameters and settings,
    /// `hours` its hourly loads; random noise comes from
    /// [`TrialContext::noise`].
    fn price(&self, ctx: &TrialContext<'_>, hours: &[HourLoad]) -> Outcome;
    /// For an API, its prices (so a dedicated fleet can spill overflow to it).
    fn api_pricing(&self) -> Option<ApiPricing> {
        None
    }
    /// The API deployment this one spills overflow to, if any.
    fn overflow_target(&self) -> Option<&str> {
        None
    }
    /// Hand the spill target's prices to this deployment.
    fn set_overflow_pricing(&mut self, _pricing: ApiPricing) {}
    /// Lines describing the settings that are not uncertain parameters
    /// (those are listed with their quantiles by `check`).
    fn settings(&self) -> Vec<String>;
}

/// Build a deployment from its `[deployment.<name>]` table.
pub(crate) fn from_table(
    t: &Table<'_>,
    name: &str,
    all_names: &[String],
    params: &mut Params,
) -> Result<Box<dyn Deployment>, ScenarioError> {
    let kinds = "\"api\", \"dedicated\" or \"serverless\"";
    let Some((kind, span)) = t.string("kind")? else {
        return Err(t.error_at(
            t.span.clone(),
            "kind",
            format!("missing `kind`; valid: {kinds}"),
        ));
    };
    Ok(match kind {
        "api" => Box::new(Api::from_table(t, name, params)?),
        "dedicated" => Box::new(Dedicated::from_table(t, name, all_names, params)?),
        "serverless" => Box::new(Serverless::from_table(t, name, params)?),
        other => {
            let prefix: String = other.chars().take(3).collect();
            let hint = ["api", "dedicated", "serverless"]
                .iter()
                .find(|k| !prefix.is_empty() && k.starts_with(&prefix))
                .map(|k| format!(" (did you mean \"{k}\"?)"))
                .unwrap_or_default();
            return Err(t.error_at(
                span,
                "kind",
                format!("unknown deployment kind \"{other}\"{hint}; valid: {kinds}"),
            ));
        }
    })
}

/// Connect each `overflow_to` to the API deployment it names.
pub(crate) fn resolve_links(
    deployments: &mut [Box<dyn Deployment>],
    specs: &[Table<'_>],
) -> Result<(), ScenarioError> {
    for i in 0..deployments.len() {
        let Some(target) = deployments[i].overflow_target().map(str::to_string) else {
            continue;
        };
        let pricing = deployments
            .iter()
            .find(|d| d.name() == target)
            .and_then(|d| d.api_pricing());
        match pricing {
            Some(pr) => deployments[i].set_overflow_pricing(pr),
            None => {
                let t = &specs[i];
                return Err(t.error_at(
                    t.span_of("overflow_to"),
                    "overflow_to",
                    format!("\"{target}\" is not an api deployment of this scenario; overflow can only spill to a deployment with kind = \"api\""),
                ));
            }
        }
    }
    Ok(())
}

/// Keys of the operations cost, shared by self-hosted kinds.
pub const OPS_KEYS: &[&str] = &["ops_monthly_usd", "ops_multiplier"];

/// Operations cost of a self-hosted deployment: a fixed amount per month
/// and a multiplier on the GPU bill (1 = none; the article's 3–5x rule of
/// thumb is an upper anchor, not a default).
#[derive(Debug, Clone, Copy)]
pub struct Operations {
    /// USD per 720-hour month.
    pub monthly_usd: ParamId,
    /// Multiplier on the GPU bill (>= 1).
    pub multiplier: ParamId,
}

impl Operations {
    pub(crate) fn from_table(
        t: &Table<'_>,
        params: &mut Params,
    ) -> Result<Operations, ScenarioError> {
        Ok(Operations {
            monthly_usd: t.param(params, "ops_monthly_usd", Bound::NonNegative, Some(0.0))?,
            multiplier: t.param(params, "ops_multiplier", Bound::AtLeastOne, Some(1.0))?,
        })
    }

    /// Operations cost, USD, for a GPU bill over `hours` hours.
    pub fn cost(&self, p: &[f64], gpu_usd: f64, hours: usize) -> f64 {
        gpu_usd * (p[self.multiplier.0] - 1.0)
            + p[self.monthly_usd.0] * hours as f64 / crate::scenario::HOURS_PER_MONTH
    }
}

/// Keys every deployment table accepts.
pub const COMMON_KEYS: &[&str] = &["kind", "description"];

/// The union of key lists, for `check_keys`.
pub(crate) fn keys(lists: &[&[&'static str]]) -> Vec<&'static str> {
    lists.iter().flat_map(|l| l.iter().copied()).collect()
}
