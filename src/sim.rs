//! Request-level event simulation of a pool of workers: the ground truth the
//! hourly fast path is held to.
//!
//! A worker serves up to `slots` requests at once (its batch cap). A request
//! admitted as the `b`-th active one on its worker holds its slot for
//! `S(b) = b × input / prefill_tps + output × t(b)` seconds (the same slot
//! time as the fast path). Arrivals go to the busiest ready worker with a
//! free slot (among equally busy ones, the one freed most recently), else
//! to a booting worker with room (they wait for the boot),
//! else start a new worker (a cold start of sampled duration) while fewer
//! than `max_workers` run, else wait in a FIFO queue. A worker scales down
//! `keep_alive_s` after its last completion; each episode from boot start to
//! scale-down is billed, rounded up to the billing unit (boot time excluded
//! if the platform does not bill it). Workers kept warm (`min_workers`)
//! never scale down; a dedicated fleet is a pool of such workers. State
//! carries across hour boundaries.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Gamma};

use crate::throughput::BatchCurve;
use crate::uncertain::gamma_with_cv;

/// Log-spaced histogram of added waits (seconds), mergeable and exact enough
/// for p50/p95/p99: 20 bins per decade from 1 ms to 10^5 s.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WaitHistogram {
    /// Weight per bin; bin 0 holds waits under 1 ms. Empty when nothing waited.
    bins: Vec<f64>,
}

const WAIT_MIN_S: f64 = 1e-3;
const BINS_PER_DECADE: f64 = 20.0;
const WAIT_BINS: usize = 1 + 8 * 20;

impl WaitHistogram {
    fn bin(wait_s: f64) -> usize {
        if wait_s < WAIT_MIN_S {
            0
        } else {
            (1 + ((wait_s / WAIT_MIN_S).log10() * BINS_PER_DECADE) as usize).min(WAIT_BINS - 1)
        }
    }

    /// Lower edge of bin `i`, seconds.
    fn edge(i: usize) -> f64 {
        if i == 0 {
            0.0
        } else {
            WAIT_MIN_S * 10f64.powf((i - 1) as f64 / BINS_PER_DECADE)
        }
    }

    /// Add a wait of `wait_s` seconds with weight `w` (a count, or an expected count).
    pub fn add(&mut self, wait_s: f64, w: f64) {
        if w <= 0.0 {
            return;
        }
        if self.bins.is_empty() {
            self.bins = vec![0.0; WAIT_BINS];
        }
        self.bins[Self::bin(wait_s)] += w;
    }

    /// The weight of every bin (empty when nothing waited).
    pub fn bins(&self) -> &[f64] {
        &self.bins
    }

    /// A histogram with these bin weights (as [`WaitHistogram::bins`] gives).
    pub fn from_bins(bins: Vec<f64>) -> WaitHistogram {
        if bins.iter().all(|&w| w == 0.0) {
            WaitHistogram::default()
        } else {
            WaitHistogram { bins }
        }
    }

    /// Add every wait of `other`.
    pub fn merge(&mut self, other: &WaitHistogram) {
        if other.bins.is_empty() {
            return;
        }
        if self.bins.is_empty() {
            self.bins = vec![0.0; WAIT_BINS];
        }
        for (a, b) in self.bins.iter_mut().zip(&other.bins) {
            *a += b;
        }
    }

    /// Total weight (requests that waited).
    pub fn total(&self) -> f64 {
        // fold from +0.0: an empty f64 sum is -0.0
        self.bins.iter().fold(0.0, |a, b| a + b)
    }

    /// The `q`-quantile of the waits, seconds (geometric interpolation
    /// within a bin); NaN when nothing waited.
    pub fn quantile(&self, q: f64) -> f64 {
        let total = self.total();
        if total <= 0.0 {
            return f64::NAN;
        }
        let target = q * total;
        let mut acc = 0.0;
        for (i, &w) in self.bins.iter().enumerate() {
            if w > 0.0 && acc + w >= target {
                let frac = ((target - acc) / w).clamp(0.0, 1.0);
                if i == 0 {
                    return WAIT_MIN_S * frac;
                }
                let (lo, hi) = (Self::edge(i), Self::edge(i + 1));
                return lo * (hi / lo).powf(frac);
            }
            acc += w;
        }
        Self::edge(WAIT_BINS)
    }
}

/// One request of the event simulation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arrival {
    /// Arrival time, seconds from the start of the horizon.
    pub time_s: f64,
    /// Input tokens.
    pub input_tokens: f64,
    /// Output tokens.
    pub output_tokens: f64,
}

/// Settings of a pool of workers.
#[derive(Debug, Clone, Copy)]
pub struct PoolConfig {
    /// Batching curve of one worker.
    pub curve: BatchCurve,
    /// Mean cold-start duration, seconds.
    pub cold_start_s: f64,
    /// Coefficient of variation of a cold start's duration (gamma; 0 = fixed).
    pub cold_start_cv: f64,
    /// Idle time before scale-down, seconds (`INFINITY`: never).
    pub keep_alive_s: f64,
    /// Workers that never scale down (booted before the horizon).
    pub pinned_workers: u32,
    /// Most workers at once.
    pub max_workers: u32,
    /// Billing granularity, seconds.
    pub billing_unit_s: f64,
    /// Whether boot time is billed.
    pub bill_cold_start: bool,
}

impl PoolConfig {
    /// An always-on fleet (a dedicated deployment): no boots, no scale-down,
    /// workers added with [`Pool::set_pinned`].
    pub fn always_on(curve: BatchCurve) -> PoolConfig {
        PoolConfig {
            curve,
            cold_start_s: 0.0,
            cold_start_cv: 0.0,
            keep_alive_s: f64::INFINITY,
            pinned_workers: 0,
            max_workers: 0,
            billing_unit_s: 1.0,
            bill_cold_start: true,
        }
    }
}

/// What a pool did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PoolStats {
    /// Worker-seconds billed for workers that scale (pinned ones excluded).
    pub flex_worker_s: f64,
    /// Cold starts.
    pub cold_starts: f64,
    /// Requests that waited on a boot.
    pub cold_start_waits: f64,
    /// Requests that waited in the queue (every slot busy, no worker to add).
    pub queue_waits: f64,
    /// Requests counted: those served, and those still waiting (in the
    /// queue or on a boot) when the pool finished.
    pub requests: f64,
    /// Added waits (boot or queue) of the requests that waited.
    pub waits: WaitHistogram,
    /// Sum of those added waits, seconds.
    pub wait_sum_s: f64,
    /// Integral of busy workers (with at least one active request) over time, worker-seconds.
    pub busy_worker_s: f64,
    /// Work of the requests still waiting when the pool finished, at full
    /// batch, worker-seconds: served after the end, so billed (or queued)
    /// by the pool's owner, not here.
    pub unserved_work_s: f64,
    /// The part of `unserved_work_s` queued beyond `max_workers` (the rest
    /// waited on boots), worker-seconds.
    pub queued_work_s: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum EventKind {
    Completion,
    Ready,
    Expire(u64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Event {
    time_s: f64,
    seq: u64,
    worker: usize,
    kind: EventKind,
}

impl Eq for Event {}
impl Ord for Event {
    fn cmp(&self, other: &Self) -> Ordering {
        // Min-heap on (time, seq): the earliest first, ties in creation order.
        other
            .time_s
            .total_cmp(&self.time_s)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}
impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug, Clone, Default)]
struct Worker {
    alive: bool,
    pinned: bool,
    ready_at: f64,
    boot_s: f64,
    episode_start: f64,
    active: u32,
    waiting: Vec<(Arrival, bool)>,
    epoch: u64,
    busy_since: f64,
    /// When the worker last went idle, seconds: its last completion (0
    /// before its first; for a warm worker taken over, its keep-alive's
    /// start). Among equally busy workers the latest is used first.
    idle_since: f64,
    draining: bool,
}

/// A pool of workers driven by arrivals in time order.
#[derive(Debug)]
pub struct Pool {
    cfg: PoolConfig,
    slots: u32,
    workers: Vec<Worker>,
    alive: u32,
    queue: VecDeque<Arrival>,
    events: BinaryHeap<Event>,
    seq: u64,
    cold: Option<Gamma<f64>>,
    /// Requests that arrived before this time, seconds, are served but not
    /// counted (they belong to a burn-in; see [`Pool::measure_from`]).
    counted_from_s: f64,
    /// Everything measured so far.
    pub stats: PoolStats,
}

impl Pool {
    /// A pool at time `start_s` with its pinned workers ready.
    pub fn new(cfg: PoolConfig, start_s: f64) -> Pool {
        let slots = if cfg.curve.batch_cap.is_finite() {
            cfg.curve.batch_cap.max(1.0) as u32
        } else {
            u32::MAX
        };
        let cold = gamma_with_cv(cfg.cold_start_s, cfg.cold_start_cv);
        let mut pool = Pool {
            cfg,
            slots,
            workers: Vec::new(),
            alive: 0,
            queue: VecDeque::new(),
            events: BinaryHeap::new(),
            seq: 0,
            cold,
            counted_from_s: f64::NEG_INFINITY,
            stats: PoolStats::default(),
        };
        for _ in 0..cfg.pinned_workers {
            pool.spawn(Worker {
                pinned: true,
                ready_at: start_s,
                episode_start: start_s,
                ..Worker::default()
            });
        }
        pool
    }

    fn push(&mut self, time_s: f64, worker: usize, kind: EventKind) {
        self.seq += 1;
        self.events.push(Event {
            time_s,
            seq: self.seq,
            worker,
            kind,
        });
    }

    /// Process every event up to and including `t`.
    pub fn advance_to(&mut self, t: f64) {
        while let Some(e) = self.events.peek().copied() {
            if e.time_s > t {
                break;
            }
            self.events.pop();
            match e.kind {
                EventKind::Completion => self.complete(e.worker, e.time_s),
                EventKind::Ready => self.ready(e.worker, e.time_s),
                EventKind::Expire(epoch) => self.expire(e.worker, e.time_s, epoch),
            }
        }
    }

    /// Start measuring at `t`: everything before it (a burn-in that has
    /// brought the pool to the state of a service running for a while) is
    /// forgotten, but the workers up at `t`, their requests, boots and
    /// keep-alives carry on. Workers up at `t` are billed from `t` (and
    /// where boots are not billed, only what is left of a boot after `t`
    /// is not); requests that arrived before `t` are served but not
    /// counted, nor are their waits. The queue beyond `max_workers` is
    /// dropped: a burn-in of an overloaded load builds one in proportion to
    /// its own length, which the requests after `t` would wait behind.
    pub fn measure_from(&mut self, t: f64) {
        self.advance_to(t);
        self.stats = PoolStats::default();
        self.counted_from_s = t;
        self.queue.clear();
        for w in self.workers.iter_mut().filter(|w| w.alive) {
            w.episode_start = w.episode_start.max(t);
            w.boot_s = (w.ready_at - t).clamp(0.0, w.boot_s);
            if w.active > 0 {
                w.busy_since = w.busy_since.max(t);
            }
        }
    }

    /// A worker already warm at `time_s` whose keep-alive runs out at
    /// `expires_s` (used when the event simulation takes over from the fast
    /// path); billed from `time_s`.
    pub fn add_warm_worker(&mut self, time_s: f64, expires_s: f64) {
        if self.alive >= self.cfg.max_workers || expires_s <= time_s {
            return;
        }
        let w = self.spawn(Worker {
            ready_at: time_s,
            episode_start: time_s,
            idle_since: expires_s - self.cfg.keep_alive_s,
            ..Worker::default()
        });
        let epoch = self.workers[w].epoch;
        self.push(expires_s, w, EventKind::Expire(epoch));
    }

    /// Bring up `worker` in a free place (its epoch continues the place's,
    /// so stale events for the place's earlier worker are ignored).
    fn spawn(&mut self, worker: Worker) -> usize {
        let i = match self.workers.iter().position(|w| !w.alive) {
            Some(i) => i,
            None => {
                self.workers.push(Worker::default());
                self.workers.len() - 1
            }
        };
        let epoch = self.workers[i].epoch + 1;
        self.workers[i] = Worker {
            alive: true,
            epoch,
            ..worker
        };
        self.alive += 1;
        i
    }

    /// Set the number of workers that never scale down to `n` at time
    /// `t` (a dedicated fleet resized at an hour boundary). New ones are
    /// ready at once; surplus ones stop taking new work and leave when idle.
    /// `max_workers` follows, so no other worker is ever started.
    pub fn set_pinned(&mut self, n: u32, t: f64) {
        self.advance_to(t);
        // set_pinned keeps max_workers equal to the pinned count (a pool
        // built with PoolConfig::always_on starts at 0 and 0).
        if self.cfg.max_workers == n {
            return;
        }
        self.cfg.max_workers = n;
        let mut pinned: Vec<usize> = (0..self.workers.len())
            .filter(|&i| self.workers[i].alive && self.workers[i].pinned)
            .collect();
        while (pinned.len() as u32) < n {
            let i = self.spawn(Worker {
                pinned: true,
                ready_at: t,
                episode_start: t,
                ..Worker::default()
            });
            pinned.push(i);
            self.pull_queue(i, t);
        }
        // Release the least busy surplus workers.
        pinned.sort_by_key(|&i| self.workers[i].active);
        for &i in pinned.iter().take(pinned.len().saturating_sub(n as usize)) {
            self.workers[i].pinned = false;
            self.workers[i].draining = true;
            if self.workers[i].active == 0 {
                self.close_episode(i, t);
            }
        }
    }

    /// One arrival (arrivals must come in time order).
    pub fn arrive<R: Rng + ?Sized>(&mut self, a: Arrival, rng: &mut R) {
        self.advance_to(a.time_s);
        let t = a.time_s;
        // The busiest ready worker with a free slot; among equally busy
        // ones, the one freed most recently (so the longest idle expire).
        let mut best: Option<usize> = None;
        for (i, w) in self.workers.iter().enumerate() {
            if w.alive
                && !w.draining
                && w.ready_at <= t
                && w.active < self.slots
                && best.is_none_or(|b| {
                    let b = &self.workers[b];
                    w.active > b.active || (w.active == b.active && w.idle_since > b.idle_since)
                })
            {
                best = Some(i);
            }
        }
        if let Some(i) = best {
            self.start(i, a, t, false);
            return;
        }
        // A booting worker with room.
        if let Some(i) = self
            .workers
            .iter()
            .position(|w| w.alive && w.ready_at > t && (w.waiting.len() as u32) < self.slots)
        {
            self.workers[i].waiting.push((a, true));
            return;
        }
        if self.alive < self.cfg.max_workers {
            let boot = match &self.cold {
                Some(g) => g.sample(rng),
                None => self.cfg.cold_start_s,
            };
            let i = self.spawn(Worker {
                ready_at: t + boot,
                boot_s: boot,
                episode_start: t,
                waiting: vec![(a, true)],
                ..Worker::default()
            });
            self.stats.cold_starts += 1.0;
            if boot > 0.0 {
                self.push(t + boot, i, EventKind::Ready);
            } else {
                self.ready(i, t);
            }
            return;
        }
        self.queue.push_back(a);
    }

    /// Count request `a`, admitted (or still waiting, at the end) at `t`
    /// after waiting on a boot (`boot_wait`) or in the queue; a burn-in's
    /// request is not counted. Returns whether it was.
    fn count(&mut self, a: &Arrival, t: f64, boot_wait: bool) -> bool {
        if a.time_s < self.counted_from_s {
            return false;
        }
        let wait = t - a.time_s;
        if wait > 0.0 {
            self.stats.waits.add(wait, 1.0);
            self.stats.wait_sum_s += wait;
            if boot_wait {
                self.stats.cold_start_waits += 1.0;
            } else {
                self.stats.queue_waits += 1.0;
            }
        } else if boot_wait {
            // Admitted at the instant its worker came up: still a boot wait of 0.
            self.stats.cold_start_waits += 1.0;
        }
        self.stats.requests += 1.0;
        true
    }

    fn start(&mut self, i: usize, a: Arrival, t: f64, boot_wait: bool) {
        self.count(&a, t, boot_wait);
        let c = self.cfg.curve;
        let w = &mut self.workers[i];
        if w.active == 0 {
            w.busy_since = t;
        }
        w.active += 1;
        w.epoch += 1; // cancels a pending scale-down
        let b = w.active as f64;
        let service = b * a.input_tokens / c.prefill_tps + a.output_tokens * c.step_s(b);
        self.push(t + service, i, EventKind::Completion);
    }

    fn ready(&mut self, i: usize, t: f64) {
        let waiting = std::mem::take(&mut self.workers[i].waiting);
        for (a, _) in waiting {
            self.start(i, a, t, true);
        }
        self.pull_queue(i, t);
        self.maybe_schedule_expiry(i, t);
    }

    fn pull_queue(&mut self, i: usize, t: f64) {
        while !self.workers[i].draining && self.workers[i].active < self.slots {
            match self.queue.pop_front() {
                Some(a) => self.start(i, a, t, false),
                None => break,
            }
        }
    }

    fn complete(&mut self, i: usize, t: f64) {
        let w = &mut self.workers[i];
        w.active -= 1;
        if w.active == 0 {
            self.stats.busy_worker_s += t - w.busy_since;
            w.idle_since = t;
        }
        self.pull_queue(i, t);
        self.maybe_schedule_expiry(i, t);
    }

    fn maybe_schedule_expiry(&mut self, i: usize, t: f64) {
        if self.workers[i].draining && self.workers[i].active == 0 {
            self.close_episode(i, t);
            return;
        }
        let w = &mut self.workers[i];
        if w.active == 0 && w.waiting.is_empty() && !w.pinned && self.cfg.keep_alive_s.is_finite() {
            w.epoch += 1;
            let epoch = w.epoch;
            self.push(t + self.cfg.keep_alive_s, i, EventKind::Expire(epoch));
        }
    }

    fn expire(&mut self, i: usize, t: f64, epoch: u64) {
        let w = &self.workers[i];
        if !w.alive || w.epoch != epoch || w.active > 0 || !w.waiting.is_empty() {
            return;
        }
        self.close_episode(i, t);
    }

    fn close_episode(&mut self, i: usize, end_s: f64) {
        let w = &mut self.workers[i];
        let mut billed = end_s - w.episode_start;
        if !self.cfg.bill_cold_start {
            billed -= w.boot_s.min(billed);
        }
        let unit = self.cfg.billing_unit_s;
        let billed = (billed / unit - 1e-9).ceil().max(0.0) * unit;
        // Pinned (and draining) workers are billed by their owner.
        if !(w.pinned || w.draining) {
            self.stats.flex_worker_s += billed;
        }
        w.alive = false;
        w.epoch += 1;
        w.waiting.clear();
        self.alive -= 1;
    }

    /// End the simulation at `end_s`: every worker still up is billed to
    /// `end_s` (requests in service are left to finish unbilled beyond it).
    /// Requests still waiting are counted with the waits they will have: on
    /// a boot, until it is up; in the queue, until the workers up at the
    /// end have done the work ahead of them (what is left of the requests
    /// in service, spread over a worker's slots, then the queued requests'
    /// at full batch: the fast path's fluid backlog; exact for one request
    /// per worker). Their work at full batch goes to
    /// [`PoolStats::unserved_work_s`], the queued part also to
    /// [`PoolStats::queued_work_s`].
    pub fn finish(&mut self, end_s: f64) {
        self.advance_to(end_s);
        let curve = self.cfg.curve;
        let queue = std::mem::take(&mut self.queue);
        let servers = f64::from(self.alive.max(1));
        let slots = f64::from(self.slots.max(1));
        let mut ahead_s: f64 = self
            .events
            .iter()
            .filter(|e| e.kind == EventKind::Completion && e.time_s > end_s)
            .map(|e| (e.time_s - end_s) / slots)
            .sum();
        for a in &queue {
            let work_s = curve.busy_seconds(a.input_tokens, a.output_tokens);
            if self.count(a, end_s + ahead_s / servers, false) {
                self.stats.unserved_work_s += work_s;
                self.stats.queued_work_s += work_s;
            }
            ahead_s += work_s;
        }
        for i in 0..self.workers.len() {
            if self.workers[i].alive {
                let ready_at = self.workers[i].ready_at;
                for (a, _) in std::mem::take(&mut self.workers[i].waiting) {
                    if self.count(&a, ready_at.max(end_s), true) {
                        self.stats.unserved_work_s +=
                            curve.busy_seconds(a.input_tokens, a.output_tokens);
                    }
                }
            }
        }
        for i in 0..self.workers.len() {
            if self.workers[i].alive {
                let w = &self.workers[i];
                if w.active > 0 {
                    self.stats.busy_worker_s += end_s - w.busy_since;
                }
                self.close_episode(i, end_s);
            }
        }
        self.queue.clear();
        self.events.clear();
    }

    /// Events scheduled so far (completions, boots, scale-downs).
    pub fn events_scheduled(&self) -> u64 {
        self.seq
    }
}

/// The arrivals of one hour: its `load.requests` requests spread over the
/// hour by `minute_weights` (uniform when `None`: a Poisson process given
/// its count; see [`crate::traffic::TrialTraffic::minute_weights`]), with
/// per-request tokens drawn from the traffic's distributions, then scaled so
/// the hour's sums are exactly those the other deployments see.
pub fn hour_arrivals<R: Rng + ?Sized>(
    hour_start_s: f64,
    load: &crate::traffic::HourLoad,
    input: &crate::uncertain::Dist,
    output: &crate::uncertain::Dist,
    minute_weights: Option<&[f64; 60]>,
    rng: &mut R,
    out: &mut Vec<Arrival>,
) {
    out.clear();
    let n = load.requests as usize;
    if n == 0 {
        return;
    }
    // Arrival k's time takes exactly two uniforms (minute by inversion on
    // the weights, then the second within it) and its tokens come from a
    // stream of their own, so the first k arrivals of an hour are the same
    // whatever n is: one request more adds an arrival and moves no other
    // (common random numbers across traffic levels). Given n, minutes are
    // i.i.d. with the weights: the same multinomial as a split of n.
    use rand::SeedableRng;
    let mut token_rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(rng.random::<u64>());
    let cumulative: Option<[f64; 60]> = minute_weights.map(|w| {
        let mut c = [0.0; 60];
        let mut sum = 0.0;
        for (ci, wi) in c.iter_mut().zip(w) {
            sum += wi;
            *ci = sum;
        }
        c
    });
    for _ in 0..n {
        let (u_minute, u_time): (f64, f64) = (rng.random(), rng.random());
        let time_s = match &cumulative {
            Some(c) if c[59] > 0.0 => {
                let target = u_minute * c[59];
                let m = c.partition_point(|&x| x <= target).min(59);
                hour_start_s + (m as f64 + u_time) * 60.0
            }
            _ => hour_start_s + u_time * 3600.0,
        };
        out.push(Arrival {
            time_s,
            input_tokens: input.sample(&mut token_rng).max(0.0),
            output_tokens: output.sample(&mut token_rng).max(0.0),
        });
    }
    finish_hour(out, load);
}

/// Seconds from the end of an hour back to the last of its `n` arrivals,
/// spread over the hour by `minute_weights` as [`hour_arrivals`] spreads
/// them (uniform when `None`, or when the weights' sum is not a positive
/// finite number), drawn by
/// inversion from `u` in (0, 1]: with `F` the share of the hour's weight
/// up to a time, the last of `n` i.i.d. arrivals is at or before `t` with
/// probability `F(t)^n`, so the weight after it is `1 - u^(1/n)` of the
/// hour's. `None` when `n` is 0.
pub fn since_last_arrival_s(n: usize, minute_weights: Option<&[f64; 60]>, u: f64) -> Option<f64> {
    if n == 0 {
        return None;
    }
    // 1 - u^(1/n), accurate when it is small (large n).
    let after = -(u.ln() / n as f64).exp_m1();
    let total: f64 = minute_weights.map_or(0.0, |w| w.iter().sum());
    let Some(weights) = minute_weights.filter(|_| total > 0.0 && total.is_finite()) else {
        return Some(after * 3600.0);
    };
    let target = after * total;
    let mut later = 0.0;
    for (back, &w) in weights.iter().rev().enumerate() {
        if w > 0.0 && later + w >= target {
            return Some((back as f64 + ((target - later) / w).min(1.0)) * 60.0);
        }
        later += w;
    }
    // (Rounding left the backward sum just short of the total: the start
    // of the first minute with weight.)
    let first = weights.iter().position(|&w| w > 0.0).unwrap_or(0);
    Some((60 - first) as f64 * 60.0)
}

/// Scale the arrivals' tokens so the hour's sums are `load`'s, and sort
/// them by time.
pub fn finish_hour(out: &mut [Arrival], load: &crate::traffic::HourLoad) {
    let si: f64 = out.iter().map(|a| a.input_tokens).sum();
    let so: f64 = out.iter().map(|a| a.output_tokens).sum();
    let ki = if si > 0.0 {
        load.input_tokens / si
    } else {
        0.0
    };
    let ko = if so > 0.0 {
        load.output_tokens / so
    } else {
        0.0
    };
    for a in out.iter_mut() {
        a.input_tokens *= ki;
        a.output_tokens *= ko;
    }
    out.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_request_more_adds_an_arrival_and_moves_no_other() {
        use rand::SeedableRng;
        let input = crate::uncertain::Dist::lognormal_p5_p95(200.0, 3000.0);
        let output = crate::uncertain::Dist::lognormal_p5_p95(50.0, 800.0);
        let mut weights = [1.0; 60];
        weights[7] = 20.0;
        let times = |n: f64| {
            let load = crate::traffic::HourLoad {
                requests: n,
                input_tokens: 1000.0 * n,
                output_tokens: 300.0 * n,
            };
            let mut rng = crate::deploy::TrialRng::seed_from_u64(4);
            let mut out = Vec::new();
            hour_arrivals(
                0.0,
                &load,
                &input,
                &output,
                Some(&weights),
                &mut rng,
                &mut out,
            );
            out.iter().map(|a| a.time_s).collect::<Vec<f64>>()
        };
        let (ten, eleven) = (times(10.0), times(11.0));
        assert_eq!(eleven.len(), 11);
        for t in &ten {
            assert!(eleven.contains(t), "{t} moved: {ten:?} vs {eleven:?}");
        }
    }

    /// One request per worker, 10 s each (a one-token output at a 10 s
    /// step, no prefill).
    const TEN_SECONDS_ALONE: BatchCurve = BatchCurve {
        t0_s: 10.0,
        t1_s: 0.0,
        batch_cap: 1.0,
        prefill_tps: f64::INFINITY,
    };

    /// A request of one output token arriving at `time_s`.
    fn one_token_at(time_s: f64) -> Arrival {
        Arrival {
            time_s,
            input_tokens: 0.0,
            output_tokens: 1.0,
        }
    }

    /// A burn-in before 0: worker 1 boots for the arrival at -50 (up at
    /// -20, serving to -10), worker 2 for the one at -15 (it finds worker 1
    /// busy; up at 15), and worker 1 serves the one at -5 warm (to 5).
    /// Measured from 0, one arrival at 20 takes worker 1 again (to 30).
    fn burnt_in_pool(bill_cold_start: bool) -> Pool {
        let cfg = PoolConfig {
            curve: TEN_SECONDS_ALONE,
            cold_start_s: 30.0,
            cold_start_cv: 0.0,
            keep_alive_s: 60.0,
            pinned_workers: 0,
            max_workers: 10,
            billing_unit_s: 1.0,
            bill_cold_start,
        };
        let mut rng = <crate::deploy::TrialRng as rand::SeedableRng>::seed_from_u64(1);
        let mut pool = Pool::new(cfg, -100.0);
        for t in [-50.0, -15.0, -5.0] {
            pool.arrive(one_token_at(t), &mut rng);
        }
        assert_eq!(pool.stats.cold_starts, 2.0);
        pool.measure_from(0.0);
        pool.arrive(one_token_at(20.0), &mut rng);
        pool.finish(200.0);
        pool
    }

    /// The time back to an hour's last arrival drawn by inversion has the
    /// law of the last of the arrivals the simulation plays: over 20,000
    /// draws each, their means agree within four standard errors of the
    /// difference, and so do their shares beyond ten minutes; an hour
    /// whose last nine minutes carry no weight never ends nearer its
    /// last arrival than 540 s. Uniform hours: the mean is 3,600/(n+1).
    #[test]
    fn the_time_back_to_an_hours_last_arrival_is_the_simulations() {
        use rand::SeedableRng;
        let input = crate::uncertain::Dist::lognormal_p5_p95(200.0, 3000.0);
        let output = crate::uncertain::Dist::lognormal_p5_p95(50.0, 800.0);
        let mut weights = [1.0; 60];
        weights[7] = 20.0;
        weights[50] = 0.5;
        for w in &mut weights[51..] {
            *w = 0.0;
        }
        let draws = 20_000;
        let mean_sd = |x: &[f64]| {
            let m = x.iter().sum::<f64>() / x.len() as f64;
            let v = x.iter().map(|y| (y - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64;
            (m, (v / x.len() as f64).sqrt())
        };
        let mut rng = crate::deploy::TrialRng::seed_from_u64(11);
        for n in [1_usize, 3, 40] {
            let load = crate::traffic::HourLoad {
                requests: n as f64,
                input_tokens: 1000.0 * n as f64,
                output_tokens: 300.0 * n as f64,
            };
            let mut out = Vec::new();
            let mut played = Vec::new();
            let mut drawn = Vec::new();
            for _ in 0..draws {
                hour_arrivals(
                    0.0,
                    &load,
                    &input,
                    &output,
                    Some(&weights),
                    &mut rng,
                    &mut out,
                );
                played.push(3600.0 - out.iter().map(|a| a.time_s).fold(0.0, f64::max));
                let u = 1.0 - rng.random::<f64>();
                drawn.push(since_last_arrival_s(n, Some(&weights), u).unwrap());
            }
            assert!(
                drawn.iter().all(|&x| (540.0..=3600.0).contains(&x)),
                "n {n}"
            );
            let ((a, sa), (b, sb)) = (mean_sd(&played), mean_sd(&drawn));
            assert!(
                (a - b).abs() <= 4.0 * sa.hypot(sb),
                "n {n}: {a} ± {sa} vs {b} ± {sb}"
            );
            let beyond = |x: &[f64]| {
                x.iter()
                    .map(|&y| f64::from(u8::from(y > 600.0)))
                    .collect::<Vec<f64>>()
            };
            let ((a, sa), (b, sb)) = (mean_sd(&beyond(&played)), mean_sd(&beyond(&drawn)));
            assert!(
                (a - b).abs() <= 4.0 * sa.hypot(sb),
                "n {n}: {a} ± {sa} vs {b} ± {sb}"
            );
            let uniform: Vec<f64> = (0..draws)
                .map(|_| since_last_arrival_s(n, None, 1.0 - rng.random::<f64>()).unwrap())
                .collect();
            let (m, se) = mean_sd(&uniform);
            let exact = 3600.0 / (n as f64 + 1.0);
            assert!(
                (m - exact).abs() <= 4.0 * se,
                "n {n}: {m} ± {se} vs {exact}"
            );
        }
        assert_eq!(since_last_arrival_s(0, None, 0.5), None);
        // Weights that sum to zero are a uniform hour.
        assert_eq!(
            since_last_arrival_s(1, Some(&[0.0; 60]), 0.25),
            Some(2700.0)
        );
        // At the smallest u, the backward sum can round short of the
        // total: the draw stays within the minutes with weight.
        for _ in 0..1000 {
            let mut w: [f64; 60] = std::array::from_fn(|_| rng.random::<f64>());
            w[..10].fill(0.0);
            let x = since_last_arrival_s(1, Some(&w), f64::MIN_POSITIVE).unwrap();
            assert!(x <= 3000.0, "{x}");
        }
    }

    #[test]
    fn a_pool_measured_after_its_burn_in_bills_and_counts_from_then() {
        // Worker 1 up until 30 + 60, worker 2 until 25 + 60, billed from 0.
        let stats = burnt_in_pool(true).stats;
        assert_eq!(stats.flex_worker_s, 90.0 + 85.0);
        // Busy from 0: worker 1 to 5 and 20 to 30, worker 2 15 to 25.
        assert_eq!(stats.busy_worker_s, 5.0 + 10.0 + 10.0);
        // The burn-in's cold starts, requests and boot waits (the request of
        // -15 waits until 15) are not counted.
        assert_eq!(stats.cold_starts, 0.0);
        assert_eq!(stats.requests, 1.0);
        assert_eq!(stats.cold_start_waits, 0.0);
        assert_eq!(stats.waits.total(), 0.0);
        // Boots unbilled: only the 15 s of worker 2's boot after 0 are left out.
        assert_eq!(burnt_in_pool(false).stats.flex_worker_s, 90.0 + 85.0 - 15.0);
    }

    /// An overloaded burn-in's queue beyond `max_workers` is dropped at the
    /// start of the measurement: the first request after it waits only for
    /// the service in progress (10 s at most), not behind 29 others.
    #[test]
    fn a_burn_ins_queue_is_not_carried_into_the_measurement() {
        let cfg = PoolConfig {
            max_workers: 1,
            ..PoolConfig::always_on(TEN_SECONDS_ALONE)
        };
        let mut rng = <crate::deploy::TrialRng as rand::SeedableRng>::seed_from_u64(1);
        let mut pool = Pool::new(
            PoolConfig {
                pinned_workers: 1,
                ..cfg
            },
            -100.0,
        );
        for k in 0..30 {
            pool.arrive(one_token_at(-30.0 + f64::from(k)), &mut rng);
        }
        pool.measure_from(0.0);
        pool.arrive(one_token_at(0.5), &mut rng);
        pool.finish(100.0);
        assert_eq!(pool.stats.requests, 1.0);
        assert_eq!(pool.stats.queue_waits, 1.0);
        assert!(pool.stats.wait_sum_s <= 10.0, "{}", pool.stats.wait_sum_s);
    }

    /// Requests still waiting at the end are counted, with the waits they
    /// will have: in the queue, until the work ahead of them is done (the
    /// rest of the service in progress, then the fluid backlog); on a boot,
    /// until it is up. Their work is handed back, the queued part apart.
    #[test]
    fn requests_still_waiting_at_the_end_are_counted_with_their_waits() {
        // One worker, one request at a time, 10 s a request.
        let curve = TEN_SECONDS_ALONE;
        let mut rng = <crate::deploy::TrialRng as rand::SeedableRng>::seed_from_u64(1);
        let mut pool = Pool::new(
            PoolConfig {
                max_workers: 1,
                pinned_workers: 1,
                ..PoolConfig::always_on(curve)
            },
            0.0,
        );
        for t in [0.0, 1.0, 2.0, 3.0] {
            pool.arrive(one_token_at(t), &mut rng);
        }
        pool.finish(5.0);
        // Served at 0; then queued behind nothing, 10 s and 20 s of work.
        let stats = &pool.stats;
        assert_eq!((stats.requests, stats.queue_waits), (4.0, 3.0));
        // They start at 10, 20 and 30 s: the first request's 5 s left and
        // the queued ones' 10 s each are ahead of them.
        assert_eq!(stats.wait_sum_s, (10.0 - 1.0) + (20.0 - 2.0) + (30.0 - 3.0));
        assert_eq!((stats.unserved_work_s, stats.queued_work_s), (30.0, 30.0));
        // A 50 s boot taking two requests (a batch of 2), ended at 20 s.
        let mut pool = Pool::new(
            PoolConfig {
                cold_start_s: 50.0,
                keep_alive_s: 60.0,
                max_workers: 1,
                ..PoolConfig::always_on(BatchCurve {
                    batch_cap: 2.0,
                    ..curve
                })
            },
            0.0,
        );
        pool.arrive(one_token_at(0.0), &mut rng);
        pool.arrive(one_token_at(1.0), &mut rng);
        pool.finish(20.0);
        let stats = &pool.stats;
        assert_eq!((stats.requests, stats.cold_start_waits), (2.0, 2.0));
        assert_eq!(stats.wait_sum_s, 50.0 + 49.0);
        assert_eq!(stats.flex_worker_s, 20.0);
        // One token each at full batch: a 10 s step makes two, 5 s each;
        // none of it queued.
        assert_eq!((stats.unserved_work_s, stats.queued_work_s), (10.0, 0.0));
    }

    /// Measured from 0, a pool bills, keeps busy and cold-starts what the
    /// same run did after 0: its totals less those of the run stopped at
    /// 0, over random fleets and arrivals (a billing unit of a millisecond,
    /// so that splitting the episodes up at 0 rounds them by no more than
    /// 0.1 s in all).
    #[test]
    fn measuring_from_a_time_keeps_what_a_whole_run_did_after_it() {
        use rand::{RngExt, SeedableRng};
        let mut draw = crate::deploy::TrialRng::seed_from_u64(17);
        for case in 0..300 {
            let cfg = PoolConfig {
                curve: BatchCurve {
                    t0_s: draw.random_range(1.0..40.0),
                    t1_s: 0.0,
                    batch_cap: [1.0, 4.0, 8.0][case % 3],
                    prefill_tps: f64::INFINITY,
                },
                cold_start_s: [0.0, 5.0, 60.0, 300.0][case % 4],
                cold_start_cv: [0.0, 0.5][case % 2],
                keep_alive_s: [0.0, 5.0, 60.0, 600.0][(case / 4) % 4],
                pinned_workers: u32::from(case % 7 == 0),
                // (No queue: measure_from drops it.)
                max_workers: 1000,
                billing_unit_s: 0.001,
                bill_cold_start: case % 5 != 0,
            };
            let rate = draw.random_range(0.002..0.5);
            let mut arrivals = Vec::new();
            let mut t = -3600.0;
            loop {
                let gap: f64 = rand_distr::Exp1.sample(&mut draw);
                t += gap / rate;
                if t >= 3600.0 {
                    break;
                }
                arrivals.push(Arrival {
                    time_s: t,
                    input_tokens: 0.0,
                    output_tokens: 1.0,
                });
            }
            let run = |measure: bool, end_s: f64| {
                let mut rng = crate::deploy::TrialRng::seed_from_u64(case as u64);
                let mut pool = Pool::new(cfg, -3600.0);
                let mut measured = !measure;
                for a in arrivals.iter().filter(|a| a.time_s < end_s) {
                    if !measured && a.time_s >= 0.0 {
                        pool.measure_from(0.0);
                        measured = true;
                    }
                    pool.arrive(*a, &mut rng);
                }
                if !measured {
                    pool.measure_from(0.0);
                }
                pool.finish(end_s);
                pool.stats
            };
            let (whole, before, after) = (run(false, 3600.0), run(false, 0.0), run(true, 3600.0));
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * a.abs() + 0.1;
            assert!(
                close(
                    after.flex_worker_s,
                    whole.flex_worker_s - before.flex_worker_s
                ),
                "case {case}: billed {} vs {} - {}",
                after.flex_worker_s,
                whole.flex_worker_s,
                before.flex_worker_s
            );
            assert!(
                close(
                    after.busy_worker_s,
                    whole.busy_worker_s - before.busy_worker_s
                ),
                "case {case}: busy {} vs {} - {}",
                after.busy_worker_s,
                whole.busy_worker_s,
                before.busy_worker_s
            );
            assert_eq!(
                after.cold_starts,
                whole.cold_starts - before.cold_starts,
                "case {case}"
            );
        }
    }

    #[test]
    fn histogram_quantiles_are_close() {
        let mut h = WaitHistogram::default();
        for i in 1..=1000 {
            h.add(i as f64 * 0.1, 1.0);
        }
        // Uniform on (0, 100]: the median 50, p95 95 (bins are 12% wide).
        assert!((h.quantile(0.5) / 50.0 - 1.0).abs() < 0.12);
        assert!((h.quantile(0.95) / 95.0 - 1.0).abs() < 0.12);
        assert!(WaitHistogram::default().quantile(0.5).is_nan());
    }
}
