//! `dedicated`: rented GPUs, always on, paid every hour busy or idle.
//!
//! A replica is `gpus_per_replica` GPUs serving with the batching curve of
//! [`crate::throughput`]. The replica count is fixed (`replicas`), sized once
//! per trial to a percentile of that trial's hourly demand with headroom
//! (`size_to_percentile`, `headroom`), or autoscaled every hour to a target
//! utilisation (`autoscale = true`, whole hours billed; the autoscaler is
//! taken to know the hour's demand, so it is an optimistic bound). Demand
//! above capacity is overflow: reported, and spilled to an API deployment
//! when `overflow_to` names one, else queued.
//!
//! Requests wait when every batch slot is busy. At `request` fidelity the
//! event simulation queues them; on the fast path (`deploy::queue`) the
//! work beyond a minute's capacity queues as a fluid across minutes and
//! hours, and within a minute that fits, requests wait by chance as in a
//! birth-death chain of the packed slots.

use rand::RngExt;

use super::queue::{Backlog, Slots};
use super::{
    ApiPricing, COMMON_KEYS, Deployment, Fidelity, Kind, OPS_KEYS, Operations, Outcome,
    TrialContext, keys,
};
use crate::error::ScenarioError;
use crate::scenario::{Bound, ParamId, Params, Table};
use crate::sim::{Pool, PoolConfig};
use crate::throughput::{THROUGHPUT_KEYS, ThroughputSpec};
use crate::traffic::HourLoad;
use crate::uncertain::fmt_num;

/// How many replicas run in an hour.
#[derive(Debug, Clone, Copy)]
pub enum Scaling {
    /// Always this many.
    Fixed(u32),
    /// Sized per trial: the `percentile` of the trial's hourly demand
    /// (replica-hours) times `1 + headroom`, rounded up, within `[1, max]`.
    Sized {
        /// Percentile of hourly demand to cover (0–1).
        percentile: f64,
        /// Extra capacity on top (fraction).
        headroom: ParamId,
        /// Upper limit on replicas.
        max: u32,
    },
    /// Per hour: demand ÷ target utilisation, rounded up, within `[min, max]`.
    Autoscale {
        /// Fewest replicas.
        min: u32,
        /// Most replicas.
        max: u32,
        /// Target utilisation (fraction, 0–1 exclusive).
        target_utilization: ParamId,
    },
}

/// Rented GPUs, always on.
#[derive(Debug, Clone)]
pub struct Dedicated {
    name: String,
    /// USD per GPU-hour.
    pub gpu_hour_usd: ParamId,
    /// GPUs in one replica.
    pub gpus_per_replica: u32,
    /// Replica count rule.
    pub scaling: Scaling,
    /// Batching curve of one replica.
    pub throughput: ThroughputSpec,
    /// Operations cost.
    pub ops: Operations,
    overflow_to: Option<String>,
    overflow_pricing: Option<ApiPricing>,
}

const DEDICATED_KEYS: &[&str] = &[
    "gpu_hour_usd",
    "gpus_per_replica",
    "replicas",
    "size_to_percentile",
    "headroom",
    "autoscale",
    "min_replicas",
    "max_replicas",
    "target_utilization",
    "overflow_to",
];

impl Dedicated {
    pub(crate) fn from_table(
        t: &Table<'_>,
        name: &str,
        all_names: &[String],
        params: &mut Params,
    ) -> Result<Dedicated, ScenarioError> {
        t.check_keys(&keys(&[
            COMMON_KEYS,
            DEDICATED_KEYS,
            THROUGHPUT_KEYS,
            OPS_KEYS,
        ]))?;
        let gpu_hour_usd = t.param(params, "gpu_hour_usd", Bound::Positive, None)?;
        let gpus_per_replica = t.integer("gpus_per_replica", 1, 4096)?.unwrap_or(1) as u32;
        let modes: Vec<&str> = ["replicas", "size_to_percentile", "autoscale"]
            .into_iter()
            .filter(|k| t.get(k).is_some())
            .collect();
        let only = |allowed: &[&str], mode: &str| -> Result<(), ScenarioError> {
            for k in [
                "headroom",
                "min_replicas",
                "max_replicas",
                "target_utilization",
            ] {
                if t.get(k).is_some() && !allowed.contains(&k) {
                    return Err(t.error_at(
                        t.span_of(k),
                        k,
                        format!("`{k}` does not apply with {mode}"),
                    ));
                }
            }
            Ok(())
        };
        let scaling = match modes.as_slice() {
            ["replicas"] => {
                only(&[], "a fixed replica count")?;
                Scaling::Fixed(t.integer("replicas", 1, 100_000)?.unwrap_or(1) as u32)
            }
            ["size_to_percentile"] => {
                only(&["headroom", "max_replicas"], "size_to_percentile")?;
                Scaling::Sized {
                    percentile: t
                        .number("size_to_percentile", Bound::Fraction)?
                        .unwrap_or(0.95),
                    headroom: t.param(params, "headroom", Bound::Proportion, Some(0.0))?,
                    max: t.integer("max_replicas", 1, 100_000)?.unwrap_or(100_000) as u32,
                }
            }
            ["autoscale"] => {
                if t.boolean("autoscale")? != Some(true) {
                    return Err(t.error_at(
                        t.span_of("autoscale"),
                        "autoscale",
                        "autoscale = false means nothing; give replicas = N for a fixed fleet",
                    ));
                }
                only(
                    &["min_replicas", "max_replicas", "target_utilization"],
                    "autoscale",
                )?;
                let min = t.integer("min_replicas", 0, 100_000)?.unwrap_or(1) as u32;
                let max = t.integer("max_replicas", 1, 100_000)?.ok_or_else(|| {
                    t.error_at(
                        t.span_of("autoscale"),
                        "max_replicas",
                        "autoscale needs max_replicas (a whole number >= 1)",
                    )
                })? as u32;
                if max < min {
                    return Err(t.error_at(
                        t.span_of("max_replicas"),
                        "max_replicas",
                        format!("max_replicas ({max}) is below min_replicas ({min})"),
                    ));
                }
                Scaling::Autoscale {
                    min,
                    max,
                    target_utilization: t.param(
                        params,
                        "target_utilization",
                        Bound::OpenFraction,
                        Some(0.7),
                    )?,
                }
            }
            [] => {
                return Err(t.error_at(
                    t.span.clone(),
                    "replicas",
                    "say how many replicas run: replicas = N (fixed), size_to_percentile = 0.95 \
                     (sized per trial, with optional headroom), or autoscale = true \
                     (with min_replicas, max_replicas, target_utilization)",
                ));
            }
            many => {
                return Err(t.error_at(
                    t.span_of(many[1]),
                    many[1],
                    format!(
                        "choose one of replicas, size_to_percentile and autoscale; found {}",
                        many.join(" and ")
                    ),
                ));
            }
        };
        let overflow_to = match t.string("overflow_to")? {
            Some((target, span)) => {
                if !all_names.iter().any(|n| n == target) || target == name {
                    return Err(t.error_at(
                        span,
                        "overflow_to",
                        format!(
                            "\"{target}\" is not another deployment of this scenario; valid: {}",
                            all_names
                                .iter()
                                .filter(|n| *n != name)
                                .cloned()
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
                Some(target.to_string())
            }
            None => None,
        };
        Ok(Dedicated {
            name: name.to_string(),
            gpu_hour_usd,
            gpus_per_replica,
            scaling,
            throughput: ThroughputSpec::from_table(t, params)?,
            ops: Operations::from_table(t, params)?,
            overflow_to,
            overflow_pricing: None,
        })
    }
}

impl Deployment for Dedicated {
    fn name(&self) -> &str {
        &self.name
    }
    fn kind(&self) -> Kind {
        Kind::Dedicated
    }
    fn price(&self, ctx: &TrialContext<'_>, hours: &[HourLoad]) -> Outcome {
        let p = ctx.params;
        let curve = self.throughput.curve(p);
        // (Its capacity once for the trial's hours: `busy_seconds_at`.)
        let capacity_tps = curve.capacity_tps();
        // Request by request only at `request` fidelity: queueing on an
        // always-on fleet matters in busy hours, which `auto` leaves to the
        // fast path.
        let mut pool = (ctx.fidelity == Fidelity::Request)
            .then(|| Pool::new(PoolConfig::always_on(curve), 0.0));
        let mut arrivals = Vec::new();
        let gpus = self.gpus_per_replica as f64;
        let sized = match self.scaling {
            Scaling::Sized {
                percentile,
                headroom,
                max,
            } => {
                let mut demand: Vec<f64> = hours
                    .iter()
                    .map(|h| curve.busy_seconds_at(capacity_tps, h.input_tokens, h.output_tokens))
                    .collect();
                let q = percentile_in_place(&mut demand, percentile);
                Some(
                    (q * (1.0 + p[headroom.0]) / 3600.0)
                        .ceil()
                        .clamp(1.0, max as f64),
                )
            }
            _ => None,
        };
        let mut o = Outcome::default();
        let mut replica_hours = 0.0;
        // The fast path's queue: work beyond the replicas' capacity, minute
        // by minute, waits and carries to the next minute and hour.
        let mut backlog = Backlog::default();
        let minutes_vary = ctx.minutes_may_vary();
        // The spread of a request's full-batch service, `cap × input /
        // prefill_tps + output × t(cap)`, over the per-request token laws.
        let service_scv = {
            let (input, output) = (&ctx.traffic.input_tokens, &ctx.traffic.output_tokens);
            let per_input_s = curve.batch_cap / curve.prefill_tps;
            let per_output_s = curve.step_s(curve.batch_cap);
            let mean = per_input_s * input.mean() + per_output_s * output.mean();
            let variance =
                per_input_s.powi(2) * input.variance() + per_output_s.powi(2) * output.variance();
            if mean > 0.0 && variance.is_finite() {
                variance / (mean * mean)
            } else {
                1.0
            }
        };
        for (i, h) in hours.iter().enumerate() {
            let demand_s = curve.busy_seconds_at(capacity_tps, h.input_tokens, h.output_tokens);
            let replicas = match self.scaling {
                Scaling::Fixed(n) => n as f64,
                Scaling::Sized { .. } => sized.unwrap_or(1.0),
                Scaling::Autoscale {
                    min,
                    max,
                    target_utilization,
                } => (demand_s / (3600.0 * p[target_utilization.0]))
                    .ceil()
                    .clamp(min as f64, max as f64),
            };
            let capacity_s = replicas * 3600.0;
            replica_hours += replicas;
            o.requests += h.requests;
            o.tokens += h.tokens();
            o.busy_gpu_s += demand_s.min(capacity_s) * gpus;
            // The share of the hour's work beyond its capacity, and of it
            // what the API takes.
            let beyond = if demand_s > capacity_s {
                1.0 - capacity_s / demand_s
            } else {
                0.0
            };
            let mut spilled = 0.0;
            if beyond > 0.0 {
                o.overflow_tokens += h.tokens() * beyond;
                if let Some(pr) = &self.overflow_pricing {
                    spilled = beyond;
                    o.spill_usd += pr.cost(
                        p,
                        h.input_tokens * beyond,
                        h.output_tokens * beyond,
                        h.requests * beyond,
                    );
                }
            }
            if let Some(pool) = &mut pool {
                pool.set_pinned(replicas as u32, i as f64 * 3600.0);
                ctx.arrivals(i, h, &mut arrivals);
                let mut rng = ctx.noise(&self.name, i);
                for a in &arrivals {
                    // The spilled share goes to the API: each request with
                    // that probability (drawn only in hours that spill).
                    if spilled > 0.0 && rng.random::<f64>() < spilled {
                        continue;
                    }
                    pool.arrive(*a, &mut rng);
                }
            } else if !backlog.is_calm(
                replicas as u32,
                Some(curve.batch_cap),
                // Where the minutes may differ, calm whatever they are: as
                // if the hour's work all came in one of its minutes.
                demand_s * (1.0 - spilled) * if minutes_vary { 60.0 } else { 1.0 },
                h.requests * (1.0 - spilled),
            ) {
                // What the replicas serve queues where a minute's work is
                // more than they do in it (without `overflow_to`, all the
                // hour's work, and the queue carries the overflow to the
                // hours after, as the simulation's does). A fixed fleet
                // does not follow the minutes: its queue sees the rate
                // the arrivals follow, noise and all.
                let minutes = if minutes_vary {
                    ctx.arrival_minute_weights(i)
                } else {
                    None
                };
                // A request's slot time at batch b, for the hour's mean tokens.
                let slots = (h.requests > 0.0).then(|| {
                    let (input, output) =
                        (h.input_tokens / h.requests, h.output_tokens / h.requests);
                    Slots {
                        per_worker: curve.batch_cap,
                        fixed_s: output * curve.t0_s,
                        per_batch_s: input / curve.prefill_tps + output * curve.t1_s,
                        service_scv,
                    }
                });
                backlog.hour(
                    replicas as u32,
                    slots,
                    minutes.as_ref(),
                    demand_s * (1.0 - spilled),
                    h.requests * (1.0 - spilled),
                    &mut o,
                );
            }
        }
        if let Some(mut pool) = pool {
            pool.finish(hours.len() as f64 * 3600.0);
            o.queue_waits = pool.stats.queue_waits;
            o.waits = pool.stats.waits;
        }
        // (The fast path's sums can pass the requests by a rounding.)
        o.queue_waits = o.queue_waits.min(o.requests);
        o.billed_gpu_s = replica_hours * 3600.0 * gpus;
        o.compute_usd = replica_hours * gpus * p[self.gpu_hour_usd.0];
        o.ops_usd = self.ops.cost(p, o.compute_usd, hours.len());
        o.cost_usd = o.compute_usd + o.ops_usd + o.spill_usd;
        o
    }
    fn overflow_target(&self) -> Option<&str> {
        self.overflow_to.as_deref()
    }
    fn set_overflow_pricing(&mut self, pricing: ApiPricing) {
        self.overflow_pricing = Some(pricing);
    }
    fn settings(&self) -> Vec<String> {
        let mut s = vec![format!("{} GPU(s) per replica", self.gpus_per_replica)];
        s.push(match self.scaling {
            Scaling::Fixed(n) => format!("{n} replica(s), always on"),
            Scaling::Sized {
                percentile, max, ..
            } => format!(
                "replicas sized per trial to the p{} hourly demand plus headroom (at most {max})",
                fmt_num(percentile * 100.0)
            ),
            Scaling::Autoscale { min, max, .. } => {
                format!("autoscaled hourly between {min} and {max} replicas, whole hours billed")
            }
        });
        if let Some(b) = self.throughput.max_batch {
            s.push(format!("batch capped at {b} by memory"));
        }
        if let Some(t) = &self.overflow_to {
            s.push(format!("overflow spills to \"{t}\""));
        } else {
            s.push("overflow is reported and queues".to_string());
        }
        s
    }
}

/// The `q`-quantile (0–1) of `xs` by the nearest-rank rule; reorders `xs`.
pub fn percentile_in_place(xs: &mut [f64], q: f64) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    let rank = ((q * xs.len() as f64).ceil() as usize).clamp(1, xs.len()) - 1;
    let (_, v, _) = xs.select_nth_unstable_by(rank, f64::total_cmp);
    *v
}
