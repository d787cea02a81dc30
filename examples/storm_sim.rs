//! An instrumented copy of the simulation's dispatch for one serverless
//! fleet at a constant rate, to measure how its boots happen (the "storms"
//! of short keep-alives and long boots with batching workers):
//!
//!     cargo run --release --example storm_sim -- LAMBDA T C S BATCH [HOURS] [CV] [LEVEL]
//!
//! Poisson arrivals at `LAMBDA`/s, each served `S` s at any batch; a worker
//! serves up to `BATCH` at once, boots a gamma time of mean `C` s and CV
//! `CV` (0.5 as on the grid; 0 fixed), and scales down `T` s after its last
//! completion. Dispatch as `sim::Pool::arrive`: the busiest ready worker
//! with a free slot (among equally busy ones the one freed most recently),
//! else the first booting worker with room (the request waits for it),
//! else a new boot. No billing unit, no `max_workers`; one hour of burn-in
//! (from an empty fleet) is left out of every figure. Its own random
//! numbers (splitmix64), so it reproduces the grid's figures only to the
//! noise of `HOURS` hours (200 by default): at λ = 1/s, T = 5 s,
//! C = 300 s, S = 1 s, b = 8 it reads 23.5k worker-seconds and 67 boots an
//! hour, a cold share of 0.0187, against the grid's 24.1k and 0.0191.
//!
//! It prints, an hour: the billed worker-seconds, boots, requests that
//! waited on a boot (those that found every ready worker full); the boots
//! by how many workers were ready (all full) and how many were booting
//! (all full) when they started, and those that started with none booting
//! ("storm starters"); the requests a boot holds when it comes up; the
//! share of time at least k workers are ready and alive; the spells with
//! at least `LEVEL` (1 by default) workers ready; and the spells without a
//! ready worker whose first request joined a boot that began before the
//! spell did (a boot of an earlier storm that still had room); the ready
//! lives that ended (from a boot up to its scale-down: how long, how many
//! requests they served beyond the boot's batch, and the share that
//! served none); the arrivals by how many workers were ready when
//! they came, with the share of those that found every one full, and the
//! same by *settled* workers (ready and done with the batch they came up
//! with), beside Erlang's loss formula `B(r b, λS)` at that count; the
//! settled count's own law, sampled each second over the first 1,000
//! hours (mean, variance, its autocorrelation at the lag `C + S`), and
//! by the count: the boots that
//! settle a second (its rises, each found at that count), the share of
//! them that stay (serve beyond their batch before they scale down), the
//! scale-downs of such stayers a second (its falls), and the boot-start
//! rate `λ B(r b, λS) / b` now and `C + S` seconds earlier; the settled
//! workers idle and part-full on average; the workers that the busiest
//! occupancy over the last `T`, `S` and `S + T` seconds needs (`ceil(max
//! Q / b)`), of the settled workers' requests and of every ready worker's,
//! against the settled count (and the fresh workers' mean and variance);
//! and the spells without a ready worker by whether a boot was in flight
//! at their start (how many an hour, how long, the boots started in them,
//! the boots in flight at their start, the share ended by an earlier
//! boot).
//! With `LEVEL`, also the spells with at least `LEVEL` workers alive
//! (booting or ready: how many an hour and how long, which against the
//! fast path's level `LEVEL` give its episodes and, from `P(alive >= k)`,
//! its down spells), and the boots that start with `LEVEL - 1` ready and
//! none booting (the level's "starters"): while each boots, the arrivals
//! that find every ready worker full (mean and variance) and the further
//! boots they start; at their start, when the first busy slot of the
//! ready workers frees, how many free with it, and the share with a ready
//! worker still serving its boot's batch; their blocked arrivals that came
//! after a worker below scaled down (and how often and how late that
//! happens, with those boots' blocked arrivals and further boots against
//! the others'); their blocked arrivals by service period since the
//! start; and, for every storm (the boots from one that starts with none
//! booting until none boots), its further boots per starter by the
//! workers ready at its start. Also: the spells with at least `LEVEL`
//! alive split by whether more were ever alive in them (count and
//! length); the requests that waited on a boot by the workers ready when
//! they came (0, 1, 2+), whether a ready worker still served its boot's
//! batch ("fresh") and whether they joined a boot in flight or started
//! one; the boots by workers ready and booting at their start and by a
//! fresh worker; the storms' further boots before their first boot up and
//! in each service period after it; the `LEVEL` starters' further boots
//! while the starter boots, with the starter's boot left at their start;
//! and the workers' whole lives (boot to scale-down) by the workers ready
//! at their boot's start, starters and further boots apart.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

#[path = "common/sim_rng.rs"]
mod sim_rng;
use sim_rng::Rng;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Completion,
    Ready,
    Expire(u64),
}

#[derive(Clone, Copy)]
struct Event {
    time_s: f64,
    worker: usize,
    kind: Kind,
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.time_s == other.time_s
    }
}

impl Eq for Event {}

impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Event {
    // Earliest first in the max-heap.
    fn cmp(&self, other: &Self) -> Ordering {
        other.time_s.total_cmp(&self.time_s)
    }
}

#[derive(Default, Clone)]
struct Worker {
    alive: bool,
    ready_at: f64,
    active: u32,
    waiting: u32,
    idle_since: f64,
    epoch: u64,
    start_s: f64,
    served: u32,
    boot_batch: u32,
    /// Workers booting (others) when this one started to boot.
    booting_at_start: usize,
    /// Workers ready when this one started to boot.
    ready_at_start: usize,
    /// Whether another boot started while this one booted.
    overlapped: bool,
    /// Completion times of the requests in service, in admission order.
    done: std::collections::VecDeque<f64>,
}

/// Counts kept by workers ready (or alive) at once, 0 to 15.
const TOP: usize = 16;

/// Seconds after the burn-in over which the settled count is sampled each
/// second (the first 1,000 hours: about 150 MB resident at most, measured
/// at 2,000 hours).
const SAMPLED_S: f64 = 1000.0 * 3600.0;

/// Counts kept by settled workers (ready, done with their boot's batch).
const WIDE: usize = 128;

/// Erlang's loss formula `B(c, x)` for `c` whole slots offered `x` erlangs.
fn erlang_loss(c: usize, x: f64) -> f64 {
    (1..=c).fold(1.0, |b, k| x * b / (k as f64 + x * b))
}

fn main() {
    let args: Vec<f64> = std::env::args()
        .skip(1)
        .map(|a| {
            a.parse()
                .expect("numbers: LAMBDA T C S BATCH [HOURS] [CV] [LEVEL]")
        })
        .collect();
    if args.len() < 5 {
        eprintln!("usage: storm_sim LAMBDA T C S BATCH [HOURS] [CV] [LEVEL]");
        std::process::exit(2);
    }
    let (lambda, keep_alive_s, cold_s, service_s) = (args[0], args[1], args[2], args[3]);
    let batch = args[4] as u32;
    let hours = args.get(5).copied().unwrap_or(200.0);
    let cv = args.get(6).copied().unwrap_or(0.5);
    let level = args.get(7).copied().unwrap_or(1.0).max(1.0) as usize;
    let burn_in_s = 3600.0;
    let end_s = burn_in_s + hours * 3600.0;

    let mut rng = Rng(12_345);
    let mut workers: Vec<Worker> = Vec::new();
    let mut events = BinaryHeap::new();
    let mut next_arrival = rng.exponential(1.0 / lambda);
    let (mut alive, mut ready) = (0usize, 0usize);
    let mut last_s: f64 = 0.0;

    let (mut requests, mut boots, mut billed, mut boot_waits) = (0.0, 0.0, 0.0, 0.0);
    let (mut by_ready, mut by_booting, mut starters) = ([0.0; TOP], [0.0; TOP], [0.0; TOP]);
    let (mut ready_time, mut alive_time) = ([0.0; TOP], [0.0; TOP]);
    let (mut ups, mut held_at_up, mut level_spells) = (0.0, 0.0, 0.0);
    // Boots up: full (holding the batch), another booting at the start,
    // both, another booting at any time of the boot, full and that.
    let mut up_kinds = [0.0_f64; 5];
    let mut level_was_up = false;
    // Spells with at least `LEVEL` workers alive (booting or ready).
    let (mut alive_spells, mut alive_was_up) = (0.0, false);
    // Those spells by whether more than `LEVEL` were alive at some time in
    // them (index 1): count and seconds; and the current one's start.
    let (mut spell_split, mut spell_start, mut spell_over) = ([[0.0_f64; 2]; 2], 0.0, false);
    // Storm starters with `LEVEL - 1` workers ready: while each boots, the
    // arrivals that find every ready worker full (sum, sum of squares) and
    // the further boots they start.
    let (mut starter_until, mut starter_n, mut starter_further) = (-1.0, 0.0, 0.0);
    let (mut first_sum, mut first_sq, mut first_with, mut fresh_n) = (0.0, 0.0, 0.0, 0.0);
    let mut first_n = 0.0;
    // The starters' blocked arrivals that came with fewer workers ready
    // than at the start (one scaled down while the boot ran).
    let mut starter_fewer = 0.0;
    // Starters during whose boot a ready worker below scaled down, and
    // the boot left then (seconds, summed).
    let (mut starter_lost, mut lost_n, mut lost_left_s) = (false, 0.0, 0.0);
    // Their blocked arrivals and further boots (the whole boot's).
    let (mut lost_blocked, mut lost_further) = (0.0, 0.0);
    // The starters' blocked arrivals by service periods since the start
    // (0: the first S seconds), and the starters whose boot reached each.
    let (mut starter_t0, mut by_period, mut period_open) = (0.0, [0.0; TOP], [0.0; TOP]);
    // Storms: the further boots (started while another boots) until no
    // boot is in flight, by the workers ready at the storm's first boot.
    let (mut storm_ready, mut storm_further) = (0usize, [0.0; TOP]);
    let (mut starts_seen, mut over_sum, mut over_sq, mut further_sum) = (0.0, 0.0, 0.0, 0.0);
    // Ready lives ended (scale-downs): count, seconds up, requests served
    // beyond the boot's batch, and those that served none beyond it.
    let (mut lives, mut life_s, mut extra, mut bare) = (0.0, 0.0, 0.0, 0.0);
    // Arrivals by workers ready when they come, and those of them that
    // found every ready worker full (and waited on a boot).
    let (mut seen_by_ready, mut full_by_ready) = ([0.0; TOP], [0.0; TOP]);
    // By settled workers: ready and done with the batch they came up with.
    let (mut seen_by_settled, mut full_by_settled) = ([0.0; WIDE], [0.0; WIDE]);
    let mut settled_now = 0usize;
    // When the last ready worker scaled down, and the last such spell whose
    // first request joined an earlier boot.
    let (mut empty_since, mut absorbed_spell, mut absorbed) = (-1.0, -2.0, 0.0);
    // No-ready spells by whether a boot was in flight at their start
    // (index 1) or not (index 0): count, seconds, boots started in them,
    // boots in flight at the start, those ended by an earlier boot.
    let (mut d_n, mut d_s, mut d_boots, mut d_flight, mut d_early) = (
        [0.0_f64; 2],
        [0.0_f64; 2],
        [0.0_f64; 2],
        [0.0_f64; 2],
        [0.0_f64; 2],
    );
    let (mut d_start, mut d_kind, mut d_cur_boots) = (-1.0_f64, 0usize, 0.0_f64);
    // The settled count sampled every second after the burn-in, and each
    // boot's settling (its boot's batch done): when, and whether it served
    // anything beyond that batch before it scaled down (a stayer).
    let (mut samples, mut next_sample) = (Vec::<usize>::new(), burn_in_s);
    let mut settles: Vec<(f64, bool)> = Vec::new();
    // The scale-downs of stayers (workers that served beyond their batch).
    let mut falls: Vec<f64> = Vec::new();
    // At the samples: settled workers idle, settled workers part-full, samples.
    let mut packing = [0.0_f64; 3];
    // At the samples: the requests in service on settled workers.
    let mut occupancy: Vec<u32> = Vec::new();
    // At the samples: the requests in service on every ready worker, and
    // the fresh workers (ready, still serving their boot's batch).
    let mut whole: Vec<(u32, usize)> = Vec::new();
    // Waits on a boot by the workers ready at the arrival (0, 1, 2+), by
    // whether a ready worker still serves its boot's batch (fresh), and by
    // whether the request joined a boot in flight (1) or started one (0).
    let mut wait_kind = [[[0.0_f64; 2]; 2]; 3];
    // Boots by workers ready (0, 1, 2+) and booting (0, 1, 2+) at the start,
    // and by whether a fresh ready worker was there.
    let mut boot_kind = [[[0.0_f64; 2]; 3]; 3];
    // The storm's first boot up (-1 before it) and the further boots by
    // storm kind (workers ready at its start, 0, 1, 2+) and by service
    // periods since that first boot up (0: before it; 1 + p: the p-th S).
    let mut storm_first_up = -1.0_f64;
    let mut after_up = [[0.0_f64; 6]; 3];
    // The level's starters' further boots while the starter boots: count
    // and the starter's boot left at their start (seconds, summed).
    let (mut residual_n, mut residual_s) = (0.0_f64, 0.0_f64);
    // Whole lives (boot start to scale-down) by workers ready at the boot's
    // start (0, 1, 2+) and whether another was booting (a further boot):
    // count, seconds, those that served nothing beyond their batch.
    let mut life_kind = [[[0.0_f64; 3]; 2]; 3];

    loop {
        let next_event = events.peek().map_or(f64::INFINITY, |e: &Event| e.time_s);
        let now = next_arrival.min(next_event);
        if now > end_s {
            break;
        }
        let dt = now - last_s.max(burn_in_s);
        if dt > 0.0 {
            for k in 0..TOP {
                if ready > k {
                    ready_time[k] += dt;
                }
                if alive > k {
                    alive_time[k] += dt;
                }
            }
        }
        last_s = now;
        while next_sample <= now.min(end_s).min(burn_in_s + SAMPLED_S) {
            let t = next_sample;
            let settled = workers
                .iter()
                .filter(|w| w.alive && w.ready_at + service_s <= t);
            let (mut count, mut idle, mut part) = (0, 0, 0);
            let mut busy = 0u32;
            for w in settled {
                count += 1;
                busy += w.active;
                if w.active == 0 {
                    idle += 1;
                } else if w.active < batch {
                    part += 1;
                }
            }
            samples.push(count);
            occupancy.push(busy);
            let (mut all_busy, mut fresh) = (0u32, 0usize);
            for w in workers.iter().filter(|w| w.alive && w.ready_at <= t) {
                all_busy += w.active;
                if w.ready_at + service_s > t {
                    fresh += 1;
                }
            }
            whole.push((all_busy, fresh));
            packing[0] += f64::from(idle);
            packing[1] += f64::from(part);
            packing[2] += 1.0;
            next_sample += 1.0;
        }
        let counted = now > burn_in_s;
        let level_up = ready >= level;
        if counted && level_up && !level_was_up {
            level_spells += 1.0;
        }
        level_was_up = level_up;
        let alive_up = alive >= level;
        if counted && alive_up && !alive_was_up {
            alive_spells += 1.0;
        }
        if alive_up && !alive_was_up {
            (spell_start, spell_over) = (now, false);
        }
        spell_over |= alive > level;
        if !alive_up && alive_was_up && spell_start > burn_in_s {
            let k = usize::from(spell_over);
            spell_split[k][0] += 1.0;
            spell_split[k][1] += now - spell_start;
        }
        alive_was_up = alive_up;
        if starter_until >= 0.0 && now >= starter_until {
            if starter_lost {
                lost_further += starter_further;
                lost_blocked += starter_n;
            }
            over_sum += starter_n;
            over_sq += starter_n * starter_n;
            further_sum += starter_further;
            starts_seen += 1.0;
            starter_until = -1.0;
        }

        if next_arrival <= next_event {
            next_arrival = now + rng.exponential(1.0 / lambda);
            if counted {
                requests += 1.0;
                seen_by_ready[ready.min(TOP - 1)] += 1.0;
                settled_now = workers
                    .iter()
                    .filter(|w| w.alive && w.ready_at + service_s <= now)
                    .count()
                    .min(WIDE - 1);
                seen_by_settled[settled_now] += 1.0;
            }
            let mut best: Option<usize> = None;
            for (i, w) in workers.iter().enumerate() {
                if w.alive
                    && w.ready_at <= now
                    && w.active < batch
                    && best.is_none_or(|b| {
                        let b = &workers[b];
                        w.active > b.active || (w.active == b.active && w.idle_since > b.idle_since)
                    })
                {
                    best = Some(i);
                }
            }
            if let Some(i) = best {
                let w = &mut workers[i];
                w.active += 1;
                w.served += 1;
                w.epoch += 1;
                w.done.push_back(now + service_s);
                events.push(Event {
                    time_s: now + service_s,
                    worker: i,
                    kind: Kind::Completion,
                });
                continue;
            }
            if counted {
                boot_waits += 1.0;
                full_by_ready[ready.min(TOP - 1)] += 1.0;
                full_by_settled[settled_now] += 1.0;
            }
            if starter_until >= 0.0 {
                starter_n += 1.0;
                if counted && ready + 1 < level {
                    starter_fewer += 1.0;
                }
                if counted {
                    let period = ((now - starter_t0) / service_s) as usize;
                    by_period[period.min(TOP - 1)] += 1.0;
                }
            }
            let fresh_here = usize::from(
                workers
                    .iter()
                    .any(|w| w.alive && w.ready_at <= now && w.ready_at + service_s > now),
            );
            let joins = workers
                .iter()
                .any(|w| w.alive && w.ready_at > now && w.waiting < batch);
            if counted {
                wait_kind[ready.min(2)][fresh_here][usize::from(joins)] += 1.0;
                if !joins {
                    boot_kind[ready.min(2)][(alive - ready).min(2)][fresh_here] += 1.0;
                }
            }
            if let Some(i) = workers
                .iter()
                .position(|w| w.alive && w.ready_at > now && w.waiting < batch)
            {
                if counted
                    && ready == 0
                    && workers[i].start_s < empty_since
                    && absorbed_spell != empty_since
                {
                    absorbed += 1.0;
                    absorbed_spell = empty_since;
                }
                workers[i].waiting += 1;
                continue;
            }
            let booting = alive - ready;
            for w in workers.iter_mut().filter(|w| w.alive && w.ready_at > now) {
                w.overlapped = true;
            }
            let boot_s = rng.gamma(cold_s, cv);
            let i = workers.iter().position(|w| !w.alive).unwrap_or_else(|| {
                workers.push(Worker::default());
                workers.len() - 1
            });
            let epoch = workers[i].epoch + 1;
            workers[i] = Worker {
                alive: true,
                ready_at: now + boot_s,
                waiting: 1,
                epoch,
                start_s: now,
                booting_at_start: booting,
                ready_at_start: ready,
                ..Worker::default()
            };
            alive += 1;
            events.push(Event {
                time_s: now + boot_s,
                worker: i,
                kind: Kind::Ready,
            });
            if d_start >= 0.0 {
                d_cur_boots += 1.0;
            }
            if counted {
                boots += 1.0;
                by_ready[ready.min(TOP - 1)] += 1.0;
                by_booting[booting.min(TOP - 1)] += 1.0;
                if booting == 0 {
                    storm_first_up = -1.0;
                    storm_ready = ready.min(TOP - 1);
                    starters[ready.min(TOP - 1)] += 1.0;
                    if ready + 1 == level && starter_until < 0.0 {
                        starter_until = now + boot_s;
                        starter_t0 = now;
                        starter_lost = false;
                        for (p, open) in period_open.iter_mut().enumerate() {
                            if p as f64 * service_s < boot_s {
                                *open += 1.0;
                            }
                        }
                        starter_n = 0.0;
                        starter_further = 0.0;
                        // The ready workers' busy slots: the first to
                        // free, how many free with it, and whether a
                        // ready worker still serves its boot's batch.
                        let mut first = f64::INFINITY;
                        let mut fresh = false;
                        for w in workers.iter().filter(|w| w.alive && w.ready_at <= now) {
                            if let Some(&f) = w.done.front() {
                                first = first.min(f);
                            }
                            fresh |= w.ready_at > now - service_s && w.boot_batch > 0;
                        }
                        let with: usize = workers
                            .iter()
                            .filter(|w| w.alive && w.ready_at <= now)
                            .map(|w| w.done.iter().filter(|&&f| f <= first + 1e-9).count())
                            .sum();
                        if first.is_finite() {
                            first_sum += first - now;
                            first_sq += (first - now).powi(2);
                            first_with += with as f64;
                            fresh_n += f64::from(u8::from(fresh));
                            first_n += 1.0;
                        }
                    }
                } else {
                    let slot = if storm_first_up < 0.0 {
                        0
                    } else {
                        (1 + ((now - storm_first_up) / service_s) as usize).min(5)
                    };
                    after_up[storm_ready.min(2)][slot] += 1.0;
                    storm_further[storm_ready] += 1.0;
                    if starter_until >= 0.0 {
                        starter_further += 1.0;
                        residual_n += 1.0;
                        residual_s += starter_until - now;
                    }
                }
            }
            continue;
        }

        let e = events.pop().expect("an event");
        let i = e.worker;
        match e.kind {
            Kind::Ready => {
                if storm_first_up < 0.0 {
                    storm_first_up = now;
                }
                if ready == 0 && d_start >= 0.0 {
                    if d_start > burn_in_s {
                        d_n[d_kind] += 1.0;
                        d_s[d_kind] += now - d_start;
                        d_boots[d_kind] += d_cur_boots;
                        if workers[i].start_s < d_start {
                            d_early[d_kind] += 1.0;
                        }
                    }
                    d_start = -1.0;
                }
                ready += 1;
                let w = &mut workers[i];
                let n = std::mem::take(&mut w.waiting);
                if counted {
                    ups += 1.0;
                    held_at_up += f64::from(n);
                    let full = n >= batch;
                    let in_flight = w.booting_at_start > 0;
                    let overlap = in_flight || w.overlapped;
                    up_kinds[0] += f64::from(u8::from(full));
                    up_kinds[1] += f64::from(u8::from(in_flight));
                    up_kinds[2] += f64::from(u8::from(full && in_flight));
                    up_kinds[3] += f64::from(u8::from(overlap));
                    up_kinds[4] += f64::from(u8::from(full && overlap));
                }
                w.active += n;
                w.boot_batch = n;
                w.epoch += 1;
                for _ in 0..n {
                    w.done.push_back(now + service_s);
                    events.push(Event {
                        time_s: now + service_s,
                        worker: i,
                        kind: Kind::Completion,
                    });
                }
            }
            Kind::Completion => {
                let w = &mut workers[i];
                w.done.pop_front();
                w.active -= 1;
                if w.active == 0 {
                    w.idle_since = now;
                    w.epoch += 1;
                    events.push(Event {
                        time_s: now + keep_alive_s,
                        worker: i,
                        kind: Kind::Expire(w.epoch),
                    });
                }
            }
            Kind::Expire(epoch) => {
                let w = &mut workers[i];
                if !w.alive || w.epoch != epoch || w.active > 0 || w.waiting > 0 {
                    continue;
                }
                w.alive = false;
                if w.ready_at + service_s > burn_in_s {
                    settles.push((w.ready_at + service_s, w.served > 0));
                }
                if w.served > 0 && now > burn_in_s {
                    falls.push(now);
                }
                if counted && w.start_s > burn_in_s {
                    let kind = &mut life_kind[w.ready_at_start.min(2)]
                        [usize::from(w.booting_at_start > 0)];
                    kind[0] += 1.0;
                    kind[1] += now - w.start_s;
                    kind[2] += f64::from(u8::from(w.served == 0));
                    lives += 1.0;
                    life_s += now - w.ready_at;
                    extra += f64::from(w.served);
                    if w.served == 0 {
                        bare += 1.0;
                    }
                }
                alive -= 1;
                ready -= 1;
                if counted && starter_until >= 0.0 && ready + 1 < level && !starter_lost {
                    starter_lost = true;
                    lost_n += 1.0;
                    lost_left_s += starter_until - now;
                }
                if ready == 0 {
                    empty_since = now;
                    d_start = now;
                    d_kind = usize::from(alive > 0);
                    d_cur_boots = 0.0;
                    if now > burn_in_s {
                        d_flight[d_kind] += alive as f64;
                    }
                }
                billed += (now - w.start_s.max(burn_in_s)).max(0.0);
            }
        }
    }
    for w in workers.iter().filter(|w| w.alive) {
        billed += end_s - w.start_s.max(burn_in_s);
    }

    settled_law(
        &samples,
        &settles,
        &falls,
        burn_in_s,
        (cold_s + service_s).round() as usize,
        |r| lambda / f64::from(batch) * erlang_loss(r * batch as usize, lambda * service_s),
    );
    println!(
        "  settled workers idle {:.3} and part-full {:.3} on average (busiest-first packs all but about one full)",
        packing[0] / packing[2],
        packing[1] / packing[2]
    );
    window_fit(&samples, &occupancy, batch, service_s, keep_alive_s);
    println!(
        "waits on a boot an hour by ready (0, 1, 2+) x fresh ready worker (no, yes): joined a boot in flight / started one"
    );
    for (r, row) in wait_kind.iter().enumerate() {
        println!(
            "  ready {r}: not fresh {:.3} / {:.3}; fresh {:.3} / {:.3}",
            row[0][1] / hours,
            row[0][0] / hours,
            row[1][1] / hours,
            row[1][0] / hours
        );
    }
    println!(
        "further boots an hour by the storm's workers ready at its start (0, 1, 2+), before its first boot up and in each service period after (the last: later):"
    );
    for (r, row) in after_up.iter().enumerate() {
        let cells: Vec<String> = row.iter().map(|x| format!("{:.3}", x / hours)).collect();
        println!("  ready {r}: {}", cells.join(" "));
    }
    println!(
        "the starters' further boots while the starter boots: {:.3} an hour, {:.1} s of the starter's boot left at their start",
        residual_n / hours,
        residual_s / residual_n.max(1.0)
    );
    println!(
        "whole lives (boot to scale-down) by workers ready at the boot's start (0, 1, 2+): starters / further boots, an hour, seconds each, share serving nothing beyond the batch"
    );
    for (r, row) in life_kind.iter().enumerate() {
        let cell = |k: &[f64; 3]| {
            format!(
                "{:.3} {:.1} {:.3}",
                k[0] / hours,
                k[1] / k[0].max(1.0),
                k[2] / k[0].max(1.0)
            )
        };
        println!("  ready {r}: {} / {}", cell(&row[0]), cell(&row[1]));
    }
    println!(
        "boots an hour by ready (0, 1, 2+) x booting (0, 1, 2+): (no fresh ready worker, a fresh one)"
    );
    for (r, row) in boot_kind.iter().enumerate() {
        println!(
            "  ready {r}: booting 0 {:.3}, {:.3}; 1 {:.3}, {:.3}; 2+ {:.3}, {:.3}",
            row[0][0] / hours,
            row[0][1] / hours,
            row[1][0] / hours,
            row[1][1] / hours,
            row[2][0] / hours,
            row[2][1] / hours
        );
    }
    let all: Vec<u32> = whole.iter().map(|w| w.0).collect();
    let fresh: Vec<f64> = whole.iter().map(|w| w.1 as f64).collect();
    let fm = fresh.iter().sum::<f64>() / fresh.len() as f64;
    let fv = fresh.iter().map(|f| (f - fm).powi(2)).sum::<f64>() / fresh.len() as f64;
    println!(
        "  every ready worker's requests (fresh workers {fm:.3} on average, variance {fv:.3}):"
    );
    window_fit(&samples, &all, batch, service_s, keep_alive_s);
    let per_hour = |x: f64| x / hours;
    let row = |xs: &[f64; TOP], scale: f64, digits: usize| {
        xs.iter()
            .map(|x| format!("{:.digits$}", x * scale))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let level_share = ready_time[level - 1] / (hours * 3600.0);
    {
        let mut line = String::from(
            "arrivals by settled workers (ready, boot batch done): r share full erlang",
        );
        let (mut found, mut erl) = (0.0, 0.0);
        for r in 0..WIDE {
            let share = seen_by_settled[r] / requests;
            if share >= 1e-4 {
                let b = erlang_loss(r * batch as usize, lambda * service_s);
                line += &format!(
                    "\n  {r}: {share:.4} {:.4} {b:.4}",
                    full_by_settled[r] / seen_by_settled[r]
                );
            }
            found += full_by_settled[r] / requests;
            erl += share * erlang_loss(r * batch as usize, lambda * service_s);
        }
        println!("{line}\n  waits a request {found:.5}; Erlang's at the settled law {erl:.5}");
    }
    println!(
        "arrivals by workers ready (0, 1, ...), share: {}",
        row(&seen_by_ready, 1.0 / requests, 3)
    );
    let full_share = std::array::from_fn::<f64, TOP, _>(|r| {
        if seen_by_ready[r] > 0.0 {
            full_by_ready[r] / seen_by_ready[r]
        } else {
            0.0
        }
    });
    println!(
        "  of which found every ready worker full: {}",
        row(&full_share, 1.0, 3)
    );
    println!(
        "ready lives ended: {:.2} an hour, {:.1} s up each, {:.2} requests beyond the boot's batch, {:.3} with none",
        per_hour(lives),
        life_s / lives,
        extra / lives,
        bare / lives
    );
    println!(
        "λ {lambda} T {keep_alive_s} C {cold_s} (CV {cv}) S {service_s} b {batch}, {hours} hours"
    );
    println!(
        "an hour: billed {:.0} worker-s, boots {:.2}, requests that waited on a boot {:.1}; \
         cold share {:.5}",
        per_hour(billed),
        per_hour(boots),
        per_hour(boot_waits),
        boots / requests
    );
    println!(
        "boots an hour by workers ready at their start (0, 1, ...): {}",
        row(&by_ready, 1.0 / hours, 2)
    );
    println!(
        "boots an hour by workers booting at their start: {}",
        row(&by_booting, 1.0 / hours, 2)
    );
    println!(
        "storm starters (none booting) an hour, {:.2}, by workers ready: {}",
        starters.iter().sum::<f64>() / hours,
        row(&starters, 1.0 / hours, 2)
    );
    println!(
        "requests a boot holds when it comes up: {:.2}",
        held_at_up / ups
    );
    println!(
        "boots up: {:.4} full, {:.4} with another booting at the start, {:.4} both; {:.4} with another booting during the boot, {:.4} and full",
        up_kinds[0] / ups,
        up_kinds[1] / ups,
        up_kinds[2] / ups,
        up_kinds[3] / ups,
        up_kinds[4] / ups
    );
    println!(
        "P(ready >= k), k = 1, 2, ...: {}",
        row(&ready_time, 1.0 / (hours * 3600.0), 3)
    );
    println!(
        "P(alive >= k): {}",
        row(&alive_time, 1.0 / (hours * 3600.0), 3)
    );
    println!(
        "spells with >= {level} ready: {:.1} an hour, {:.1} s each; between them {:.1} s",
        per_hour(level_spells),
        level_share * hours * 3600.0 / level_spells,
        (1.0 - level_share) * hours * 3600.0 / level_spells
    );
    println!(
        "spells with >= {level} alive: {:.2} an hour, {:.1} s each",
        per_hour(alive_spells),
        alive_time[level - 1] / alive_spells
    );
    println!(
        "  of which never more alive: {:.2} an hour, {:.1} s each; more alive at some time: {:.2} an hour, {:.1} s each",
        per_hour(spell_split[0][0]),
        spell_split[0][1] / spell_split[0][0].max(1.0),
        per_hour(spell_split[1][0]),
        spell_split[1][1] / spell_split[1][0].max(1.0)
    );
    let over_mean = over_sum / starts_seen;
    println!(
        "starters with {} ready: {:.2} an hour; arrivals finding ready full during the boot: mean {:.3}, variance {:.3}; further boots during it {:.3}",
        level - 1,
        per_hour(starts_seen),
        over_mean,
        over_sq / starts_seen - over_mean * over_mean,
        further_sum / starts_seen
    );
    let first_mean = first_sum / first_n;
    println!(
        "  at their start, the first busy slot below frees in {:.2} s (sd {:.2}), {:.2} slots with it; {:.3} with a ready worker still serving its boot's batch",
        first_mean,
        (first_sq / first_n - first_mean * first_mean)
            .max(0.0)
            .sqrt(),
        first_with / first_n,
        fresh_n / first_n
    );
    println!(
        "  of their blocked arrivals, with fewer ready than at the start: {:.3} a starter; a worker below scaled down in {:.4} of the boots, {:.1} s before the boot's end",
        starter_fewer / first_n,
        lost_n / first_n,
        lost_left_s / lost_n
    );
    println!(
        "  those boots: {:.2} blocked arrivals and {:.3} further boots each; the others {:.2} and {:.3}",
        lost_blocked / lost_n,
        lost_further / lost_n,
        (over_sum - lost_blocked) / (starts_seen - lost_n),
        (further_sum - lost_further) / (starts_seen - lost_n)
    );
    let period_rate = std::array::from_fn::<f64, TOP, _>(|p| {
        if period_open[p] > 0.0 {
            by_period[p] / period_open[p]
        } else {
            0.0
        }
    });
    println!(
        "  their blocked arrivals per service period (0: the first S s) of the boots that reach it: {}",
        row(&period_rate, 1.0, 3)
    );
    let per_starter = std::array::from_fn::<f64, TOP, _>(|r| {
        if starters[r] > 0.0 {
            storm_further[r] / starters[r]
        } else {
            0.0
        }
    });
    println!(
        "storms' further boots (until none boots) per starter, by workers ready at the start: {}",
        row(&per_starter, 1.0, 3)
    );
    println!(
        "spells without a ready worker whose first request joined an earlier boot: {:.2} an hour",
        per_hour(absorbed)
    );
    for (k, name) in ["none in flight", "boots in flight"].iter().enumerate() {
        println!(
            "no-ready spells with {name} at their start: {:.2} an hour, {:.1} s each, {:.2} boots started in each, {:.2} in flight at the start, {:.3} ended by an earlier boot",
            per_hour(d_n[k]),
            d_s[k] / d_n[k],
            d_boots[k] / d_n[k],
            d_flight[k] / d_n[k],
            d_early[k] / d_n[k]
        );
    }
}

/// Prints the settled count's law from its samples a second apart (mean,
/// variance, share by count), its rises by the count they find (settlings
/// per second at each count, the share of them that stay, i.e. serve
/// beyond their boot's batch), its falls of stayers per second at each
/// count, and, for the delayed feedback of boots, the mean boot-start rate
/// `blocked(R)` (requests/s over b) `lag` seconds before, given the count now.
fn settled_law(
    samples: &[usize],
    settles: &[(f64, bool)],
    falls: &[f64],
    burn_in_s: f64,
    lag: usize,
    blocked: impl Fn(usize) -> f64,
) {
    let n = samples.len() as f64;
    let mean = samples.iter().sum::<usize>() as f64 / n;
    let var = samples
        .iter()
        .map(|&r| (r as f64 - mean).powi(2))
        .sum::<f64>()
        / n;
    let top = samples.iter().copied().max().unwrap_or(0) + 2;
    let mut time = vec![0.0; top];
    for &r in samples {
        time[r] += 1.0;
    }
    let (mut up, mut stay) = (vec![0.0; top], vec![0.0; top]);
    for &(t, stays) in settles {
        let i = (t - burn_in_s).floor() as usize;
        if let Some(&r) = samples.get(i) {
            up[r] += 1.0;
            if stays {
                stay[r] += 1.0;
            }
        }
    }
    let mut down = vec![0.0; top];
    for &t in falls {
        if let Some(&r) = samples.get((t - burn_in_s).floor() as usize) {
            down[r] += 1.0;
        }
    }
    // The settlings within the sampled seconds.
    let seen: Vec<_> = settles.iter().filter(|s| s.0 - burn_in_s < n).collect();
    let mut fed = vec![0.0; top];
    for i in lag..samples.len() {
        fed[samples[i]] += blocked(samples[i - lag]);
    }
    let lag_cov = (lag..samples.len())
        .map(|i| (samples[i] as f64 - mean) * (samples[i - lag] as f64 - mean))
        .sum::<f64>()
        / (n - lag as f64);
    println!(
        "settled count (sampled each second): mean {mean:.3}, variance {var:.3}, autocorrelation at lag {lag} s {:.3}; settlings {:.1} an hour, {:.3} stay",
        lag_cov / var,
        seen.len() as f64 / n * 3600.0,
        seen.iter().filter(|s| s.1).count() as f64 / seen.len() as f64
    );
    println!("  r share settle/s stay-share stayers'-falls/s boot-rate-now boot-rate-lagged");
    for r in 0..top {
        if time[r] / n >= 1e-3 {
            println!(
                "  {r}: {:.4} {:.5} {:.3} {:.5} {:.5} {:.5}",
                time[r] / n,
                up[r] / time[r],
                stay[r] / up[r].max(1.0),
                down[r] / time[r],
                blocked(r),
                fed[r] / time[r]
            );
        }
    }
}

/// Prints, for windows of `T`, `S` and `S + T` seconds, the settled count
/// against the workers its busiest occupancy in the window needs,
/// `ceil(max Q / b)` (Q the requests in service on settled workers, sampled
/// each second): the mean and variance of that need and of the count less it.
fn window_fit(samples: &[usize], occupancy: &[u32], batch: u32, service_s: f64, keep_alive_s: f64) {
    for (name, w) in [
        ("T", keep_alive_s),
        ("S", service_s),
        ("S + T", service_s + keep_alive_s),
    ] {
        let w = (w.round() as usize).max(1);
        let mut window = std::collections::VecDeque::<(usize, u32)>::new();
        let (mut n, mut sum, mut sq, mut dsum, mut dsq) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (i, &q) in occupancy.iter().enumerate() {
            while window.back().is_some_and(|&(_, b)| b <= q) {
                window.pop_back();
            }
            window.push_back((i, q));
            while window.front().is_some_and(|&(j, _)| j + w <= i) {
                window.pop_front();
            }
            if i < w {
                continue;
            }
            let need = f64::from(window.front().map_or(0, |f| f.1).div_ceil(batch));
            let d = samples[i] as f64 - need;
            n += 1.0;
            sum += need;
            sq += need * need;
            dsum += d;
            dsq += d * d;
        }
        let (m, dm) = (sum / n, dsum / n);
        println!(
            "  window {name} ({w} s): need ceil(max Q / b) mean {m:.3} variance {:.3}; count less need mean {dm:.3} variance {:.3}",
            sq / n - m * m,
            dsq / n - dm * dm
        );
    }
}
