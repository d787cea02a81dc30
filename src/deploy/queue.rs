//! The fast path's queue: work beyond a fleet's capacity waits as a fluid,
//! minute by minute, and carries across hours (serverless beyond
//! `max_workers`, dedicated beyond its replicas).

use super::Outcome;
use crate::sim::WaitHistogram;

/// Work queued beyond a fleet's capacity on the fast path, as a fluid. Each
/// minute the fleet, at its most workers (a serverless deployment's
/// `max_workers`, a dedicated one's replicas), does up to 60 worker-seconds
/// of work per worker; the minute's work above that waits, and the
/// backlog carries to the next minute and hour. A request waits while
/// there is a backlog, for the backlog ahead of it divided by the workers.
/// Given the workers' batch slots, requests also queue by chance within a
/// minute whose mean work fits ([`Backlog::hour`]); without them, that is
/// not counted.
#[derive(Debug, Default)]
pub(super) struct Backlog {
    /// Queued work, worker-seconds at full batch.
    pub(super) work_s: f64,
    /// How long the chance queue has been building, seconds: a run of
    /// minutes at or beyond capacity, or so near it that the queue takes
    /// longer to settle ([`Slots::diffusion_wait_s`] grows with it).
    full_s: f64,
    /// For each count of slots asked about (the first few dozen), the load
    /// (erlangs) below which a Poisson occupancy is [`rarely_full`] for
    /// sure: most hours are, and need no logarithm to say so.
    rare_below: Vec<(f64, f64)>,
    /// The last count of slots [`Backlog::rare_below`] was asked about and
    /// its answer: a fleet of fixed size asks about the same one every
    /// hour, answered inline without the search.
    last_rare_below: Option<(f64, f64)>,
}

impl Backlog {
    /// One hour of `work_s` worker-seconds of work (at full batch) and
    /// `requests`, spread over its minutes by `minute_weights` (`None`:
    /// evenly), on at most `max_workers` workers (`u32::MAX`: no limit,
    /// no queue; 0: none, and the backlog stays); adds the requests that
    /// wait and their mean waits (seconds, one per minute) to `o`.
    ///
    /// With `slots` (the workers' batch slots and slot times), the
    /// requests of a minute without a backlog also wait when every slot is
    /// busy ([`waiting_share`]), for an exponential time with mean `(1 +
    /// cs²) / 2 × S(cap) / (c − a)`: `c` slots, `a = λ S(cap)` erlangs,
    /// `S(cap)` the full-batch service that a request admitted from the
    /// queue gets, `cs²` its squared coefficient of variation (the M/M/c
    /// mean wait, scaled for general services as Allen and Cunneen's
    /// approximation of M/G/c does). That mean grows without bound as `a`
    /// nears `c`, where a queue takes longer than an hour to settle: there
    /// it is at most [`Slots::diffusion_wait_s`], which is also the least
    /// wait of a minute with a backlog (so the wait does not fall from one
    /// to the other at capacity).
    #[inline]
    pub(super) fn hour(
        &mut self,
        max_workers: u32,
        slots: Option<Slots>,
        minute_weights: Option<&[f64; 60]>,
        work_s: f64,
        requests: f64,
        o: &mut Outcome,
    ) {
        let per_worker = slots.map(|s| s.per_worker);
        if minute_weights.is_none() && self.is_calm(max_workers, per_worker, work_s, requests) {
            return;
        }
        self.hour_queued(max_workers, slots, minute_weights, work_s, requests, o);
    }

    /// Whether an even hour leaves nothing to price: no backlog, its work
    /// within what `max_workers` workers do, and (with `slots_per_worker`
    /// batch slots and requests) its chance queue negligible. Most hours,
    /// inline and without a division.
    #[inline]
    pub(super) fn is_calm(
        &mut self,
        max_workers: u32,
        slots_per_worker: Option<f64>,
        work_s: f64,
        requests: f64,
    ) -> bool {
        if self.work_s > 0.0 || max_workers == 0 {
            return false;
        }
        if max_workers == u32::MAX {
            return true;
        }
        let workers = max_workers as f64;
        // (The load in erlangs is the hour's work times the slots per
        // 3,600 s.)
        let chance_negligible = slots_per_worker
            .filter(|&b| b.is_finite() && b >= 1.0 && requests > 0.0)
            .is_none_or(|b| {
                let (m, c) = (work_s * b * (1.0 / 3600.0), workers * b);
                // (Beyond the cached load, the minute loop's own load.)
                m <= self.rare_below(c) || rarely_full(work_s / 60.0 * b / 60.0, c)
            });
        work_s <= workers * 3600.0 && chance_negligible
    }

    /// The load (erlangs) up to which a Poisson occupancy is
    /// [`rarely_full`] at `c` slots, less a relative 1e-9 (the test's
    /// rounding): found once per count of slots by bisection, as the test
    /// holds for every load below one where it holds.
    #[inline]
    fn rare_below(&mut self, c: f64) -> f64 {
        if let Some((slots, load)) = self.last_rare_below
            && slots == c
        {
            return load;
        }
        let load = self.rare_below_searched(c);
        self.last_rare_below = Some((c, load));
        load
    }

    /// [`Backlog::rare_below`] from its cache of counts, or found and
    /// cached (the same answer for the same count each time it is asked).
    #[inline(never)]
    fn rare_below_searched(&mut self, c: f64) -> f64 {
        match self.rare_below.iter().find(|(slots, _)| *slots == c) {
            Some(&(_, load)) => load,
            // (An autoscaled fleet of more sizes than the cache holds: the
            // test itself, without a bisection each hour.)
            None if self.rare_below.len() >= RARE_LOADS_CACHED => -1.0,
            None => {
                let (mut rare, mut not) = (0.0, c);
                if !rarely_full(rare, c) {
                    not = 0.0;
                }
                for _ in 0..64 {
                    let mid = 0.5 * (rare + not);
                    if rarely_full(mid, c) {
                        rare = mid;
                    } else {
                        not = mid;
                    }
                }
                let load = if rarely_full(rare, c) {
                    rare * (1.0 - 1e-9)
                } else {
                    -1.0
                };
                // (An autoscaled fleet asks about a count per size.)
                self.rare_below.push((c, load));
                load
            }
        }
    }

    /// [`Backlog::hour`] beyond its common case.
    #[inline(never)]
    fn hour_queued(
        &mut self,
        max_workers: u32,
        slots: Option<Slots>,
        minute_weights: Option<&[f64; 60]>,
        work_s: f64,
        requests: f64,
        o: &mut Outcome,
    ) {
        if max_workers == u32::MAX || max_workers == 0 {
            return;
        }
        let workers = max_workers as f64;
        let per_minute_s = workers * 60.0;
        let total = minute_weights.map_or(60.0, |w| w.iter().sum());
        if total <= 0.0 || total.is_nan() {
            // No arrivals: the workers spend the hour on the queue.
            self.work_s = (self.work_s - 60.0 * per_minute_s).max(0.0);
            return;
        }
        let peak = minute_weights.map_or(1.0, |w| w.iter().fold(0.0, |a: f64, &x| a.max(x)));
        // The chance queue: its slots, and whether the busiest minute's
        // occupancy can reach them (it is at most Poisson with mean
        // `λ S(cap)`, as no request holds its slot longer).
        let slots = slots.filter(|s| s.per_worker.is_finite() && s.per_worker >= 1.0);
        let busiest_work_s = work_s * peak / total;
        let chance_queue = slots.is_some_and(|s| {
            requests > 0.0
                && !rarely_full(busiest_work_s * s.per_worker / 60.0, workers * s.per_worker)
        });
        if self.work_s <= 0.0 && busiest_work_s <= per_minute_s && !chance_queue {
            return;
        }
        // An even hour within capacity and without a backlog: its minutes
        // are alike. Unless its chance queue is still building in some
        // minute (its settled wait beyond the diffusion's of a minute),
        // one minute is priced for all 60.
        if let (true, Some(s)) = (
            // (Below capacity as the minute loop's own test has it.)
            minute_weights.is_none()
                && self.work_s <= 0.0
                && work_s * (1.0 / 60.0) - per_minute_s < -1e-9 * per_minute_s,
            slots.filter(|_| chance_queue),
        ) {
            let (waiting, steady_s) = s.chance_queue(workers, requests / 3600.0);
            if waiting == 0.0 || steady_s <= s.diffusion_wait_s(workers, requests / 3600.0, 0.0) {
                o.queue_waits += requests * waiting;
                add_waits(
                    &mut o.waits,
                    exponential_waits(),
                    steady_s,
                    requests * waiting,
                );
                self.full_s = 0.0;
                return;
            }
        }
        // The last minute's chance queue (arrivals, waiting share, mean
        // wait), as minutes often repeat; and the waits not yet added to
        // the histogram (mean wait, requests), added once a run of equal
        // minutes ends.
        let mut last: Option<(f64, f64, f64)> = None;
        let mut pending = (0.0, 0.0, exponential_waits());
        for m in 0..60 {
            let share = minute_weights.map_or(1.0, |w| w[m]) / total;
            let arriving = requests * share;
            let start = self.work_s;
            // (A minute at capacity to a rounding, as one whose overflow
            // spills to an API: no growth.)
            let growth = match work_s * share - per_minute_s {
                g if g.abs() <= 1e-9 * per_minute_s => 0.0,
                g => g,
            };
            // The share of the minute with a backlog, and its mean over
            // that share (linear in between).
            // (A minute at capacity keeps a backlog it starts with, and
            // starts none.)
            let (queued, mean_backlog) = if growth > 0.0 {
                (1.0, start + growth / 2.0)
            } else if start > 0.0 {
                let t = if growth < 0.0 {
                    (start / -growth).min(1.0)
                } else {
                    1.0
                };
                (t, start + growth * t / 2.0)
            } else {
                (0.0, 0.0)
            };
            // Whether the chance queue is still building (at or beyond
            // capacity, or below it where it would take longer to settle
            // than it has run): its run of minutes goes on.
            let mut building = growth >= 0.0;
            if queued > 0.0 && arriving > 0.0 {
                // The fluid queue's wait (all its requests at the mean);
                // with the slots known, where the chance queue at capacity
                // is longer, that one's (half-normal).
                let fluid_s = mean_backlog / workers;
                let diffusion_s = slots.map_or(0.0, |s| {
                    s.diffusion_wait_s(workers, arriving / 60.0, self.full_s)
                });
                o.queue_waits += arriving * queued;
                if fluid_s >= diffusion_s {
                    o.waits.add(fluid_s, arriving * queued);
                } else {
                    add_waits(
                        &mut o.waits,
                        half_normal_waits(),
                        diffusion_s,
                        arriving * queued,
                    );
                }
            }
            if let (true, Some(slots)) = (chance_queue && queued < 1.0 && arriving > 0.0, slots) {
                let (_, waiting, steady_s) = match last {
                    Some(l) if l.0 == arriving => l,
                    _ => {
                        let (waiting, steady_s) = slots.chance_queue(workers, arriving / 60.0);
                        let l = (arriving, waiting, steady_s);
                        last = Some(l);
                        l
                    }
                };
                let waits = arriving * (1.0 - queued) * waiting;
                if waits > 0.0 {
                    // Exponential (M/M/c); near capacity, where that
                    // would not have settled yet, the diffusion's so far.
                    let diffusion_s = slots.diffusion_wait_s(workers, arriving / 60.0, self.full_s);
                    building |= steady_s > diffusion_s;
                    let (mean_wait_s, law) = if steady_s > diffusion_s {
                        (diffusion_s, half_normal_waits())
                    } else {
                        (steady_s, exponential_waits())
                    };
                    o.queue_waits += waits;
                    if pending.0 != mean_wait_s || !std::ptr::eq(pending.2, law) {
                        add_waits(&mut o.waits, pending.2, pending.0, pending.1);
                        pending = (mean_wait_s, 0.0, law);
                    }
                    pending.1 += waits;
                }
            }
            self.work_s = (start + growth).max(0.0);
            self.full_s = if building { self.full_s + 60.0 } else { 0.0 };
        }
        add_waits(&mut o.waits, pending.2, pending.0, pending.1);
    }
}

/// Whether a Poisson(`m`) occupancy reaches `c` slots with probability
/// below [`CHANCE_QUEUE_NEGLIGIBLE`], by the Chernoff bound `P(Q >= c) <=
/// exp(-m) (e m / c)^c`: then fewer than a millionth of the requests could
/// find every slot busy, and the chance queue is not priced.
/// Mostly without the logarithm: the bound's is at most `-(c - m)² / (c +
/// m)`, as `ln y <= 2 (y - 1) / (y + 1)` for `y = m / c < 1`.
fn rarely_full(m: f64, c: f64) -> bool {
    // (Not a number: not rare.)
    if c.partial_cmp(&m) != Some(std::cmp::Ordering::Greater) {
        return false;
    }
    let gap = c - m;
    let ln_negligible = CHANCE_QUEUE_NEGLIGIBLE.ln();
    gap * gap > -ln_negligible * (c + m) || gap + c * (m / c).ln() < ln_negligible
}

/// Counts of slots whose rare load [`Backlog`] keeps.
const RARE_LOADS_CACHED: usize = 64;

/// The waiting share below which the chance queue is left out (fewer than
/// a millionth of a minute's requests wait).
const CHANCE_QUEUE_NEGLIGIBLE: f64 = 1e-6;

/// The batch slots of a fleet's workers, for the chance queue of
/// [`Backlog::hour`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Slots {
    /// Requests a worker serves at once (a whole number; infinite: no
    /// chance queue).
    pub(super) per_worker: f64,
    /// Seconds a request holds its slot at batch `b`: `fixed_s +
    /// per_batch_s × b`, for the hour's mean tokens.
    pub(super) fixed_s: f64,
    /// What each request in the batch adds to that, seconds.
    pub(super) per_batch_s: f64,
    /// Squared coefficient of variation of a request's full-batch service
    /// over its tokens (1 for exponential services).
    pub(super) service_scv: f64,
}

impl Slots {
    /// Seconds a request admitted at batch `b` holds its slot.
    fn at(&self, b: f64) -> f64 {
        self.fixed_s + self.per_batch_s * b
    }

    /// The chance queue of `workers` offered `lambda` requests/s below
    /// their capacity: the share of requests that wait ([`waiting_share`],
    /// 0 below [`CHANCE_QUEUE_NEGLIGIBLE`]) and the M/M/c mean wait,
    /// seconds, scaled for the services' spread, `(1 + cs²) / 2 × S(cap) /
    /// (c − λ S(cap))` (infinite from `λ S(cap) >= c`).
    fn chance_queue(&self, workers: f64, lambda: f64) -> (f64, f64) {
        let c = workers * self.per_worker;
        let full_batch_s = self.at(self.per_worker);
        let waiting = if rarely_full(lambda * full_batch_s, c) {
            0.0
        } else {
            let p = waiting_share(workers, *self, lambda);
            if p < CHANCE_QUEUE_NEGLIGIBLE { 0.0 } else { p }
        };
        // (At capacity, to a rounding, it does not settle.)
        let steady_s = if c > lambda * full_batch_s {
            0.5 * (1.0 + self.service_scv) * full_batch_s / (c - lambda * full_batch_s)
        } else {
            f64::INFINITY
        };
        (waiting, steady_s)
    }

    /// The mean wait at capacity, seconds, of `workers` offered `lambda`
    /// requests/s in a minute after `full_s` seconds at capacity: the mean
    /// queue of a driftless diffusion of the arrivals and services from
    /// empty, `√(2 τ σ² / π)` requests at time `τ` (`full_s` and this
    /// minute) with `σ² = λ (1 + cs²)`, served at `c / S(cap)` requests a
    /// second.
    fn diffusion_wait_s(&self, workers: f64, lambda: f64, full_s: f64) -> f64 {
        let tau_s = full_s + 60.0;
        let queue = (2.0 * tau_s * lambda * (1.0 + self.service_scv) / std::f64::consts::PI).sqrt();
        queue * self.at(self.per_worker) / (workers * self.per_worker)
    }
}

/// The share of requests that find every slot busy, at `lambda` requests/s
/// on `workers` packed workers (a request joins the busiest with room and
/// holds its slot `S(b)` for the batch `b` it joins).
///
/// The occupancy `n` is a birth-death chain: births at `λ`, deaths at
/// `μ_n = q cap / S(cap) + r / S(r)` with `n = q cap + r` (`q` workers
/// full, one with `r`; each request taken to leave at the rate of its
/// worker's batch now). Beyond `c = workers × cap` requests queue and leave
/// at `μ_c`, so with `ρ = λ / μ_c` and `B = π_c / P(n <= c)` (by the
/// Erlang loss recursion, `π_(n-1) / π_n = μ_n / λ`) the share is `B / (1 −
/// ρ (1 − B))`. With `S(b)` the same at every batch it is the Erlang C
/// formula; 1 from `ρ >= 1`; 0 once the share is sure to be below
/// [`CHANCE_QUEUE_NEGLIGIBLE`] (it is at most `B / (1 − ρ)`), which the
/// sum from the top shows after a few dozen levels where it is.
fn waiting_share(workers: f64, slots: Slots, lambda: f64) -> f64 {
    let cap = slots.per_worker;
    let full_rate = cap / slots.at(cap);
    let rho = lambda / (workers * full_rate);
    // (A load that is not a number waits too, rather than loop.)
    if rho >= 1.0 || rho.is_nan() {
        return 1.0;
    }
    let inv_lambda = 1.0 / lambda;
    // The sum of 1 / B beyond which the share is negligible.
    let negligible_sum = 1.0 / (CHANCE_QUEUE_NEGLIGIBLE * (1.0 - rho));
    // 1 / B = sum over i of prod_{k < i} μ_(c - k) / λ.
    let (mut term, mut sum) = (1.0, 1.0);
    let mut full = workers - 1.0;
    let mut r = cap;
    while full >= 0.0 && r >= 1.0 {
        term *= (full * full_rate + r / slots.at(r)) * inv_lambda;
        sum += term;
        if sum > negligible_sum {
            return 0.0;
        }
        if term < 1e-17 * sum {
            break;
        }
        r -= 1.0;
        if r < 1.0 && full > 0.0 {
            full -= 1.0;
            r = cap;
        }
    }
    let b = 1.0 / sum;
    b / (1.0 - rho * (1.0 - b))
}

/// Probabilities cutting a wait law into the pieces [`add_waits`] adds: 20
/// of equal probability, the last split at 0.99, 0.995 and 0.999 for the
/// tail that p95 and p99 read.
fn wait_cuts() -> impl Iterator<Item = f64> {
    (0..20)
        .map(|i| f64::from(i) * 0.05)
        .chain([0.99, 0.995, 0.999, 1.0])
}

/// A law of waits with mean 1, as the pieces [`add_waits`] adds: each
/// piece's quantile at its middle probability, and its probability.
type WaitLaw = Vec<(f64, f64)>;

/// The pieces of `quantile` (a law with mean 1) between [`wait_cuts`].
fn wait_law(quantile: impl Fn(f64) -> f64) -> WaitLaw {
    let cuts: Vec<f64> = wait_cuts().collect();
    cuts.windows(2)
        .map(|c| (quantile(0.5 * (c[0] + c[1])), c[1] - c[0]))
        .collect()
}

/// The exponential law with mean 1 (the waits of an M/M/c queue).
fn exponential_waits() -> &'static WaitLaw {
    static LAW: std::sync::OnceLock<WaitLaw> = std::sync::OnceLock::new();
    LAW.get_or_init(|| wait_law(|p| -(-p).ln_1p()))
}

/// The half-normal law with mean 1 (a driftless reflected diffusion from
/// empty, at a fixed time).
fn half_normal_waits() -> &'static WaitLaw {
    static LAW: std::sync::OnceLock<WaitLaw> = std::sync::OnceLock::new();
    let mean = (2.0 / std::f64::consts::PI).sqrt();
    LAW.get_or_init(|| wait_law(|p| crate::uncertain::normal_quantile(0.5 + 0.5 * p) / mean))
}

/// Add `weight` requests whose waits follow `law` scaled to the mean
/// `mean_s` seconds to `waits`.
fn add_waits(waits: &mut WaitHistogram, law: &WaitLaw, mean_s: f64, weight: f64) {
    if weight <= 0.0 {
        return;
    }
    for &(point, probability) in law {
        waits.add(mean_s * point, weight * probability);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Slots that each take `s` seconds whatever the batch.
    fn fixed_slots(per_worker: f64, s: f64, service_scv: f64) -> Slots {
        Slots {
            per_worker,
            fixed_s: s,
            per_batch_s: 0.0,
            service_scv,
        }
    }

    #[test]
    fn the_waiting_share_is_erlang_c_where_slots_take_the_same_time() {
        // Erlang C(10, 8) = 0.409180: ten one-slot workers, or one with ten
        // slots, offered 8 erlangs (0.8 requests/s of 10 s each).
        for (workers, per_worker) in [(10.0, 1.0), (1.0, 10.0), (2.0, 5.0)] {
            let p = waiting_share(workers, fixed_slots(per_worker, 10.0, 1.0), 0.8);
            assert!(
                (p - 0.409_180).abs() < 5e-7,
                "{workers} x {per_worker}: {p}"
            );
        }
        // Overloaded: everyone waits.
        assert_eq!(waiting_share(1.0, fixed_slots(10.0, 10.0, 1.0), 1.0), 1.0);
    }

    #[test]
    fn the_waiting_share_solves_the_packed_birth_death_chain() {
        // Two workers of 3 slots, S(b) = 1 + 0.5 b, 1.4 requests/s: the
        // chain's stationary law summed forwards, with the queue's
        // geometric tail beyond the 6 slots.
        let slots = Slots {
            per_worker: 3.0,
            fixed_s: 1.0,
            per_batch_s: 0.5,
            service_scv: 1.0,
        };
        let lambda = 1.4;
        let death = |n: usize| {
            let (full, r) = ((n - 1) / 3, (n - 1) % 3 + 1);
            full as f64 * 3.0 / slots.at(3.0) + r as f64 / slots.at(r as f64)
        };
        let mut pi = vec![1.0];
        for n in 1..=6 {
            pi.push(pi[n - 1] * lambda / death(n));
        }
        let rho = lambda / death(6);
        let queued = pi[6] * rho / (1.0 - rho);
        let total: f64 = pi.iter().sum::<f64>() + queued;
        let expected = (pi[6] + queued) / total;
        let p = waiting_share(2.0, slots, lambda);
        assert!((p / expected - 1.0).abs() < 1e-12, "{p} vs {expected}");
        assert!(p > 0.05 && p < 0.95, "{p}");
    }

    #[test]
    fn a_busy_minute_queues_by_chance_with_erlang_c_waits() {
        // One worker of 10 slots, 10 s a request, 0.8 requests/s in every
        // minute: 8 erlangs, 2,880 requests, 28,800 worker-seconds of slot
        // time, that is 2,880 at full batch.
        let mut backlog = Backlog::default();
        let mut o = Outcome::default();
        let slots = fixed_slots(10.0, 10.0, 0.5);
        backlog.hour(1, Some(slots), None, 2880.0, 2880.0, &mut o);
        assert_eq!(backlog.work_s, 0.0);
        assert!((o.queue_waits / 2880.0 - 0.409_180).abs() < 1e-6, "{o:?}");
        // Exponential waits with mean (1 + 0.5) / 2 × 10 / (10 − 8) = 3.75 s:
        // the median 2.6 s, within a bin of the histogram (20 a decade).
        let median = o.waits.quantile(0.5);
        assert!((median / (3.75 * 2f64.ln()) - 1.0).abs() < 0.13, "{median}");
        let p99 = o.waits.quantile(0.99);
        assert!((p99 / (3.75 * 100f64.ln()) - 1.0).abs() < 0.13, "{p99}");
        // Half the load: 4 erlangs on 10 slots, C(10, 4) = 0.0088147; a
        // tenth of it, C(10, 0.8) = 1.4e-8, below a millionth: none.
        for (requests, share) in [(1440.0, 0.008_814_7), (288.0, 0.0)] {
            let mut o = Outcome::default();
            backlog.hour(1, Some(slots), None, requests, requests, &mut o);
            assert!(
                (o.queue_waits / requests - share).abs() < 1e-7,
                "{requests}: {o:?}"
            );
        }
        // Without slots, no chance queue.
        let mut o = Outcome::default();
        backlog.hour(1, None, None, 2880.0, 2880.0, &mut o);
        assert_eq!(o.queue_waits, 0.0);
    }

    #[test]
    fn the_wait_at_capacity_neither_jumps_nor_runs_away() {
        // Three workers of 8 slots, 10 s a request: 2.4 requests/s fill
        // them. A millionth below, the M/M/c wait would be 10 / (24 ×
        // 1e-6) s, some 5 days; a millionth above, the fluid queue's is
        // nil. Both now take the diffusion's, about 1.3 s a request ahead.
        let slots = fixed_slots(8.0, 10.0, 1.0);
        let median_at = |load: f64| {
            let mut o = Outcome::default();
            let requests = 2.4 * 3600.0 * load;
            Backlog::default().hour(
                3,
                Some(slots),
                None,
                requests * 10.0 / 8.0,
                requests,
                &mut o,
            );
            (o.queue_waits / requests, o.waits.quantile(0.5))
        };
        // At capacity, or past it by a rounding, the settled wait is not
        // a number below zero (it once came out negative, and such minutes
        // added negative waits).
        for lambda in [2.4, 2.4 * (1.0 + 1e-15)] {
            let (waiting, steady_s) = slots.chance_queue(3.0, lambda);
            assert!(
                waiting > 0.999 && steady_s == f64::INFINITY,
                "{lambda}: {waiting} {steady_s}"
            );
        }
        let (below, above) = (median_at(1.0 - 1e-6), median_at(1.0 + 1e-6));
        assert!(below.0 > 0.99 && above.0 > 0.99, "{below:?} {above:?}");
        assert!(below.1 < 300.0 && above.1 < 300.0, "{below:?} {above:?}");
        assert!((below.1 / above.1 - 1.0).abs() < 0.5, "{below:?} {above:?}");
        // Hours on end at capacity (an API taking the rest): the queue
        // grows as the square root of the time.
        let mut backlog = Backlog::default();
        let mut medians = Vec::new();
        for _ in 0..16 {
            let mut o = Outcome::default();
            backlog.hour(3, Some(slots), None, 3.0 * 3600.0, 2.4 * 3600.0, &mut o);
            medians.push(o.waits.quantile(0.5));
        }
        let ratio = medians[15] / medians[3];
        assert!((ratio / 2.0 - 1.0).abs() < 0.25, "{medians:?}");
    }

    #[test]
    fn the_last_rare_load_asked_is_the_caches_answer() {
        // Asked again, alternately or on end, a count gets its first
        // answer, as a fresh backlog finds it.
        let mut backlog = Backlog::default();
        let counts = [8.0, 8.0, 128.0, 8.0, 128.0, 128.0, 5120.0, 8.0];
        let answers: Vec<f64> = counts.iter().map(|&c| backlog.rare_below(c)).collect();
        for (c, answer) in counts.iter().zip(&answers) {
            assert_eq!(Backlog::default().rare_below(*c), *answer, "{c}");
        }
    }

    #[test]
    fn the_rare_load_bound_is_the_tests_own() {
        // Below the cached load the test holds everywhere, and just above
        // it, it does not: the cache saves the logarithm, not the answer.
        let mut backlog = Backlog::default();
        for c in [1.0, 8.0, 13.0, 14.0, 128.0, 384.0, 5120.0] {
            let below = backlog.rare_below(c);
            for i in 0..=2000 {
                let m = below * f64::from(i) / 2000.0;
                assert!(m < 0.0 || rarely_full(m, c), "c {c}, m {m}");
            }
            assert!(!rarely_full(below * 1.001 + 1e-9, c), "c {c}: {below}");
        }
    }

    #[test]
    fn work_beyond_max_workers_queues_as_a_fluid_across_hours() {
        let mut backlog = Backlog::default();
        let mut o = Outcome::default();
        // Half the fleet's capacity: no queue.
        backlog.hour(2, None, None, 3600.0, 1000.0, &mut o);
        assert_eq!((o.queue_waits, backlog.work_s), (0.0, 0.0));
        // Twice it: every request waits, behind a backlog growing by 120
        // worker-seconds a minute (60 s a minute on 2 workers).
        backlog.hour(2, None, None, 4.0 * 3600.0, 3600.0, &mut o);
        assert!((o.queue_waits - 3600.0).abs() < 1e-9);
        assert!((backlog.work_s - 7200.0).abs() < 1e-9);
        let mean_wait_s: f64 = (0..60)
            .map(|m| (120.0 * m as f64 + 60.0) / 2.0)
            .sum::<f64>()
            / 60.0;
        assert!((o.waits.total() - 3600.0).abs() < 1e-9);
        assert!(
            (o.waits.quantile(0.5) / mean_wait_s - 1.0).abs() < 0.1,
            "{o:?}"
        );
        // An idle hour drains it (120 worker-seconds a minute), and so
        // does an hour whose minutes all weigh nothing (an off stretch of
        // the regime), which once kept it for the next busy hour.
        backlog.hour(2, None, None, 0.0, 0.0, &mut o);
        assert_eq!(backlog.work_s, 0.0);
        backlog.work_s = 600.0;
        backlog.hour(2, None, Some(&[0.0; 60]), 0.0, 0.0, &mut o);
        assert_eq!(backlog.work_s, 0.0);
        // In a quiet hour after a spike, only the requests before the queue
        // drains wait: 600 worker-seconds queued, 60 spare a minute, so the
        // first 10 minutes' requests.
        backlog.work_s = 600.0;
        let before = o.queue_waits;
        backlog.hour(2, None, None, 3600.0, 600.0, &mut o);
        assert!((o.queue_waits - before - 100.0).abs() < 1e-9, "{o:?}");
        // No limit: no queue.
        let mut unlimited = Backlog::default();
        unlimited.hour(u32::MAX, None, None, 1e12, 1e6, &mut o);
        assert_eq!(unlimited.work_s, 0.0);
    }
}
