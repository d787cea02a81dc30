//! `api`: a hosted per-token API. No infrastructure, no idle bill.
//!
//! Cost = input tokens × input price + output tokens × output price (or all
//! tokens × one blended price), less a batch discount, plus a per-request fee.
//! A rate limit (tokens per minute) is checked per hour as a fluid bound:
//! tokens above it are reported as overflow (they are still billed, as a
//! client would retry them).

use super::{COMMON_KEYS, Deployment, Kind, Outcome, TrialContext, keys};
use crate::error::ScenarioError;
use crate::scenario::{Bound, ParamId, Params, Table};
use crate::traffic::HourLoad;
use crate::uncertain::fmt_num;

/// The prices of an API deployment (parameter ids).
#[derive(Debug, Clone, Copy)]
pub struct ApiPricing {
    /// USD per million input tokens.
    pub input_usd_per_mtok: ParamId,
    /// USD per million output tokens.
    pub output_usd_per_mtok: ParamId,
    /// USD per request.
    pub request_fee_usd: ParamId,
    /// Discount on token prices (fraction; batch APIs often give 0.5).
    pub batch_discount: ParamId,
}

impl ApiPricing {
    /// USD for the given tokens and requests under one trial's parameters.
    pub fn cost(&self, p: &[f64], input_tokens: f64, output_tokens: f64, requests: f64) -> f64 {
        (input_tokens * p[self.input_usd_per_mtok.0]
            + output_tokens * p[self.output_usd_per_mtok.0])
            * 1e-6
            * (1.0 - p[self.batch_discount.0])
            + requests * p[self.request_fee_usd.0]
    }
}

/// A hosted per-token API.
#[derive(Debug, Clone)]
pub struct Api {
    name: String,
    /// Its prices.
    pub pricing: ApiPricing,
    /// Rate limit, tokens per minute (`None`: unlimited).
    pub rate_limit_tpm: Option<f64>,
}

const API_KEYS: &[&str] = &[
    "usd_per_mtok",
    "input_usd_per_mtok",
    "output_usd_per_mtok",
    "request_fee_usd",
    "batch_discount",
    "rate_limit_tpm",
];

impl Api {
    pub(crate) fn from_table(
        t: &Table<'_>,
        name: &str,
        params: &mut Params,
    ) -> Result<Api, ScenarioError> {
        t.check_keys(&keys(&[COMMON_KEYS, API_KEYS]))?;
        let blended = t.get("usd_per_mtok").is_some();
        let split = t.get("input_usd_per_mtok").is_some() || t.get("output_usd_per_mtok").is_some();
        let (input, output) = match (blended, split) {
            (true, true) => {
                return Err(t.error_at(
                    t.span_of("usd_per_mtok"),
                    "usd_per_mtok",
                    "give one blended usd_per_mtok or input_usd_per_mtok and output_usd_per_mtok, not both",
                ));
            }
            (true, false) => {
                let id = t.param(params, "usd_per_mtok", Bound::Positive, None)?;
                (id, id)
            }
            (false, true) => (
                t.param(params, "input_usd_per_mtok", Bound::Positive, None)?,
                t.param(params, "output_usd_per_mtok", Bound::Positive, None)?,
            ),
            (false, false) => {
                return Err(t.error_at(
                    t.span.clone(),
                    "usd_per_mtok",
                    "an api needs a price: usd_per_mtok (blended, USD per million tokens) or \
                     input_usd_per_mtok and output_usd_per_mtok",
                ));
            }
        };
        Ok(Api {
            name: name.to_string(),
            pricing: ApiPricing {
                input_usd_per_mtok: input,
                output_usd_per_mtok: output,
                request_fee_usd: t.param(
                    params,
                    "request_fee_usd",
                    Bound::NonNegative,
                    Some(0.0),
                )?,
                batch_discount: t.param(params, "batch_discount", Bound::Fraction, Some(0.0))?,
            },
            rate_limit_tpm: t.number("rate_limit_tpm", Bound::Positive)?,
        })
    }
}

impl Deployment for Api {
    fn name(&self) -> &str {
        &self.name
    }
    fn kind(&self) -> Kind {
        Kind::Api
    }
    fn price(&self, ctx: &TrialContext<'_>, hours: &[HourLoad]) -> Outcome {
        let p = ctx.params;
        let mut o = Outcome::default();
        let (mut input, mut output) = (0.0, 0.0);
        let hourly_limit = self.rate_limit_tpm.map(|tpm| tpm * 60.0);
        for h in hours {
            input += h.input_tokens;
            output += h.output_tokens;
            o.requests += h.requests;
            if let Some(limit) = hourly_limit {
                o.overflow_tokens += (h.tokens() - limit).max(0.0);
            }
        }
        o.tokens = input + output;
        o.compute_usd = self.pricing.cost(p, input, output, o.requests);
        o.cost_usd = o.compute_usd;
        o
    }
    fn api_pricing(&self) -> Option<ApiPricing> {
        Some(self.pricing)
    }
    fn settings(&self) -> Vec<String> {
        match self.rate_limit_tpm {
            Some(r) => vec![format!("rate limit {} tokens/min", fmt_num(r))],
            None => vec!["no rate limit".to_string()],
        }
    }
}
