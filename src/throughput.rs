//! The batching curve of one replica (or serverless worker).
//!
//! A batch of `b` sequences decodes one token each in step time
//! `t(b) = t0 + t1 * b` seconds (the linear step model inference simulators
//! fit). From what users know: single-stream speed `s1 = 1 / (t0 + t1)`
//! tokens/s and saturated throughput `Tmax = 1 / t1` tokens/s, so
//! `throughput(b) = b / (t0 + t1 * b)`. A latency target on the time per
//! output token caps the batch (`t(b) <= slo`), and so does memory
//! (`max_batch`). Input tokens (prefill) cost GPU time at `prefill_tps`.

use crate::error::ScenarioError;
use crate::scenario::{Bound, ParamId, Params, Table};

/// Keys a table with a batching curve accepts.
pub const THROUGHPUT_KEYS: &[&str] = &[
    "single_stream_tps",
    "max_tps",
    "prefill_tps",
    "tpot_slo_ms",
    "max_batch",
];

/// Throughput inputs of a deployment (parameter ids; values per trial).
#[derive(Debug, Clone)]
pub struct ThroughputSpec {
    /// Output tokens/s of one sequence alone on a replica.
    pub single_stream_tps: ParamId,
    /// Output tokens/s of a replica at a saturated batch.
    pub max_tps: ParamId,
    /// Input (prefill) tokens/s of a replica.
    pub prefill_tps: ParamId,
    /// Latency target: time per output token, ms (`None`: no target).
    pub tpot_slo_ms: Option<ParamId>,
    /// Largest batch memory allows (`None`: no cap), sequences.
    pub max_batch: Option<u32>,
}

impl ThroughputSpec {
    pub(crate) fn from_table(
        t: &Table<'_>,
        params: &mut Params,
    ) -> Result<ThroughputSpec, ScenarioError> {
        let single_stream_tps = t.param(params, "single_stream_tps", Bound::Positive, None)?;
        let max_tps = t.param(params, "max_tps", Bound::Positive, None)?;
        let (s1, tmax) = (
            params.list[single_stream_tps.0].dist.quantile(0.5),
            params.list[max_tps.0].dist.quantile(0.5),
        );
        if s1 >= tmax {
            return Err(t.error_at(
                t.span_of("max_tps"),
                "max_tps",
                format!(
                    "max_tps (median {}) must exceed single_stream_tps (median {}): batching \
                     raises a replica's throughput",
                    crate::uncertain::fmt_num(tmax),
                    crate::uncertain::fmt_num(s1)
                ),
            ));
        }
        // Prefill is compute-bound and runs several times faster than decode;
        // without a figure, 4x the saturated decode rate (said in `check`).
        let prefill_tps = match t.get("prefill_tps") {
            Some(_) => t.param(params, "prefill_tps", Bound::Positive, None)?,
            None => {
                let d = params.list[max_tps.0].dist.clone();
                let scaled = scale_dist(&d, 4.0);
                params.add(t.field("prefill_tps"), scaled, Bound::Positive)
            }
        };
        let tpot_slo_ms = match t.get("tpot_slo_ms") {
            Some(_) => Some(t.param(params, "tpot_slo_ms", Bound::Positive, None)?),
            None => None,
        };
        let max_batch = t.integer("max_batch", 1, 1_000_000)?.map(|b| b as u32);
        Ok(ThroughputSpec {
            single_stream_tps,
            max_tps,
            prefill_tps,
            tpot_slo_ms,
            max_batch,
        })
    }

    /// The curve for one trial's parameters.
    pub fn curve(&self, p: &[f64]) -> BatchCurve {
        BatchCurve::new(
            p[self.single_stream_tps.0],
            p[self.max_tps.0],
            p[self.prefill_tps.0],
            self.tpot_slo_ms.map(|id| p[id.0] / 1000.0),
            self.max_batch,
        )
    }
}

fn scale_dist(d: &crate::uncertain::Dist, k: f64) -> crate::uncertain::Dist {
    use crate::uncertain::Dist;
    match *d {
        Dist::Fixed(v) => Dist::Fixed(v * k),
        Dist::LogNormal { mu, sigma } => Dist::LogNormal {
            mu: mu + k.ln(),
            sigma,
        },
        Dist::Normal { mean, sd } => Dist::Normal {
            mean: mean * k,
            sd: sd * k,
        },
        Dist::Pert { min, mode, max } => Dist::Pert {
            min: min * k,
            mode: mode * k,
            max: max * k,
        },
        Dist::Triangular { min, mode, max } => Dist::Triangular {
            min: min * k,
            mode: mode * k,
            max: max * k,
        },
        Dist::Uniform { min, max } => Dist::Uniform {
            min: min * k,
            max: max * k,
        },
    }
}

/// The batching curve of one replica for one trial.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchCurve {
    /// Fixed part of a decode step, seconds (`>= 0`).
    pub t0_s: f64,
    /// Per-sequence part of a decode step, seconds.
    pub t1_s: f64,
    /// Largest batch allowed by the latency target and memory (>= 1).
    pub batch_cap: f64,
    /// Input tokens/s of prefill.
    pub prefill_tps: f64,
}

impl BatchCurve {
    /// Build from single-stream and saturated speeds (tokens/s), prefill
    /// speed (tokens/s), an optional time-per-output-token target (seconds)
    /// and an optional memory cap on the batch. A draw with
    /// `single_stream >= max` (possible when both are uncertain) is read as
    /// no batching gain: `t0 = 0`.
    pub fn new(
        single_stream_tps: f64,
        max_tps: f64,
        prefill_tps: f64,
        tpot_slo_s: Option<f64>,
        max_batch: Option<u32>,
    ) -> Self {
        let t1_s = 1.0 / max_tps;
        let t0_s = (1.0 / single_stream_tps - t1_s).max(0.0);
        let mut batch_cap = f64::INFINITY;
        if let Some(slo) = tpot_slo_s {
            batch_cap = ((slo - t0_s) / t1_s).floor();
        }
        if let Some(m) = max_batch {
            batch_cap = batch_cap.min(m as f64);
        }
        // An unreachable target still serves one sequence at a time.
        let batch_cap = batch_cap.max(1.0);
        BatchCurve {
            t0_s,
            t1_s,
            batch_cap,
            prefill_tps,
        }
    }

    /// Step time at batch `b`, seconds per output token of each sequence.
    pub fn step_s(&self, b: f64) -> f64 {
        self.t0_s + self.t1_s * b
    }

    /// Output tokens/s of the replica at batch `b`.
    pub fn throughput(&self, b: f64) -> f64 {
        b / self.step_s(b)
    }

    /// Output tokens/s at the largest allowed batch: the replica's capacity.
    pub fn capacity_tps(&self) -> f64 {
        if self.batch_cap.is_infinite() {
            1.0 / self.t1_s
        } else {
            self.throughput(self.batch_cap)
        }
    }

    /// Replica-seconds of work to serve the given tokens at full batch.
    pub fn busy_seconds(&self, input_tokens: f64, output_tokens: f64) -> f64 {
        self.busy_seconds_at(self.capacity_tps(), input_tokens, output_tokens)
    }

    /// [`BatchCurve::busy_seconds`] with the curve's [`BatchCurve::capacity_tps`]
    /// given (`capacity_tps`, output tokens/s), as a loop over a trial's
    /// hours takes it once: the same value, without its division each hour.
    pub fn busy_seconds_at(&self, capacity_tps: f64, input_tokens: f64, output_tokens: f64) -> f64 {
        output_tokens / capacity_tps + input_tokens / self.prefill_tps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_matches_its_definition() {
        let c = BatchCurve::new(50.0, 2000.0, 8000.0, None, None);
        assert!((c.throughput(1.0) - 50.0).abs() < 1e-9);
        assert!((c.capacity_tps() - 2000.0).abs() < 1e-9);
        // A 100 ms per-token target caps the batch where t(b) = 0.1 s.
        let c = BatchCurve::new(50.0, 2000.0, 8000.0, Some(0.1), Some(1000));
        assert_eq!(c.batch_cap, ((0.1 - c.t0_s) / c.t1_s).floor());
        assert!(c.step_s(c.batch_cap) <= 0.1 + 1e-12);
        assert!(c.step_s(c.batch_cap + 1.0) > 0.1);
        let c = BatchCurve::new(50.0, 2000.0, 8000.0, Some(0.1), Some(16));
        assert_eq!(c.batch_cap, 16.0);
        assert!((c.capacity_tps() - 16.0 / (c.t0_s + 16.0 * c.t1_s)).abs() < 1e-9);
    }
}
