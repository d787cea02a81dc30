"""A vectorised NumPy baseline of breakeven's hourly model, for speed comparisons.

What it is
----------
A plain NumPy re-implementation of breakeven's hourly fast path for
``scenarios/steady-1b.toml`` (1B tokens a month; an open-model API, two
A100-80GB rented around the clock, the same GPUs serverless), written the way
a competent NumPy user would write it: arrays of shape (trials, hours), no
Python loop over hours or trials except over chunks of trials, no numba, no
multiprocessing. It mirrors the Rust code:

* parameters (``src/uncertain.rs``): ``"a to b"`` is a lognormal with p5 = a
  and p95 = b; each deployment draws its own throughput parameters;
* traffic (``src/traffic/mod.rs``, ``Traffic::fill``): the monthly level over
  the mean tokens per request, the "consumer" daily and "flat" weekly
  profiles (normalised to mean 1), a gamma multiplier if ``hourly_cv > 0``
  (it is 0 in steady-1b, and the scenario has no regime: steady pattern, no
  spikes, so ``minute_cv`` does not touch the hourly path), a Poisson count,
  and token sums (a normal with the exact mean and variance above 30
  requests, one lognormal draw per request from 1 to 30);
* api (``src/deploy/api.rs``): tokens x price;
* dedicated (``src/deploy/dedicated.rs``, ``src/throughput.rs``): replicas
  sized to the nearest-rank p95 of the trial's hourly demand plus headroom,
  always on; overflow tokens above capacity;
* serverless (``src/deploy/serverless.rs``, ``Fleet::hour``): the batch-aware
  service time (two fixed-point steps), worker 1's closed forms with the
  uniform-gap law of the hour's known count, the occupancy model for workers
  2..max_workers, one holding-time fixed-point step (HOLD_ITERATIONS = 1),
  the billing-rounding term, and the overflow share beyond max_workers;
* per trial: compute + operations cost of each deployment.

Simplifications versus the Rust code (none changes steady-1b's results
beyond Monte Carlo noise): Poisson counts come from NumPy's exact sampler
(breakeven inverts one uniform with a Cornish-Fisher quantile above rate 30);
the random streams differ (NumPy's PCG64, not breakeven's per-parameter and
per-hour Xoshiro streams), so the figures agree in distribution, not draw by
draw; ``poisson_tail`` always sums the pmf (breakeven switches to the
incomplete gamma function for means >= 200; steady-1b's mean concurrency is a
few requests); draws outside a parameter's bounds are not redrawn (every
steady-1b parameter is a lognormal on a positive bound, so none fall outside).

How to run
----------
::

    pip install numpy==2.4.6
    python3 examples/numpy_baseline.py [--trials N] [--chunk N] [--seed S]
        [--repeats R] [--no-wait] [--compare SUMMARY_CSV]

Defaults: 20,000 trials, seed 42, best of 3. Without ``--chunk`` it times
chunk sizes 250, 1,000 and 4,000 trials. ``--no-wait`` skips waiting for a
quiet machine.
``--compare`` reads a ``summary.csv`` written by ``breakeven run`` and prints
its mean costs beside these, e.g.::

    ./target/release/breakeven run scenarios/steady-1b.toml --trials 2000 \\
        --breakeven-trials 0 --tornado-trials 0 --out /tmp/np-check
    python3 examples/numpy_baseline.py --compare /tmp/np-check/summary.csv

What it measures
----------------
Single-core throughput (BLAS/OpenMP threads are pinned to 1 before NumPy is
imported) of the model itself, parameter draws included, setup excluded:
best of 3 runs per chunk size, in hour-steps per second with breakeven's
definition (one hour of one deployment: a steady-1b trial of 720 hours and 3
deployments is 2,160 hour-steps) and in trial-hours per second. Before
timing, it waits (up to 25 minutes, re-checking every 60 s) for the 1-minute
load average to drop to 1.3 or below, and says if it timed anyway.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import csv
import math
import time

import numpy as np

# --------------------------------------------------------------------------
# scenarios/steady-1b.toml, as breakeven reads it
# --------------------------------------------------------------------------

Z95 = 1.6448536269514722  # z-score of the 95th percentile
HOURS_PER_MONTH = 720.0
HORIZON_HOURS = 720
DEPLOYMENTS = ("open-api", "a100x2-dedicated", "a100x2-serverless")

TOKENS_PER_MONTH = 1e9
HOURLY_CV = 0.0  # no shape: default 0 (no gamma multiplier)
INPUT_TOKENS = (200.0, 3000.0)  # per-request lognormal p5, p95
OUTPUT_TOKENS = (50.0, 800.0)
# Daily profile "consumer" (hour 0 = midnight) and weekly "flat" (Monday first).
CONSUMER = np.array([
    0.7, 0.5, 0.4, 0.3, 0.3, 0.3, 0.4, 0.6, 0.8, 0.9, 1.0, 1.1, 1.2, 1.2, 1.1,
    1.1, 1.1, 1.2, 1.3, 1.5, 1.7, 1.8, 1.6, 1.1,
])
WEEKLY_FLAT = np.ones(7)

API_USD_PER_MTOK = (0.59, 0.90)

DED_GPU_HOUR_USD = (1.39, 2.00)
DED_GPUS = 2
DED_PERCENTILE = 0.95
DED_HEADROOM = (0.10, 0.30)
DED_MAX_REPLICAS = 100_000
DED_OPS_MONTHLY = (300.0, 2000.0)

SL_GPU_SECOND_USD = 0.00076
SL_GPUS = 2
SL_COLD_START_S = (20.0, 180.0)
SL_KEEP_ALIVE_S = 60.0
SL_MIN_WORKERS = 0
SL_MAX_WORKERS = 4
SL_BILLING_UNIT_S = 1.0
SL_BILL_COLD_START = True
SL_OPS_MONTHLY = (100.0, 500.0)

# Both self-hosted deployments: the batching curve inputs.
SINGLE_STREAM_TPS = (40.0, 60.0)
MAX_TPS = (1000.0, 3000.0)
PREFILL_TPS = (4000.0, 12000.0)
TPOT_SLO_S = 0.050
MAX_BATCH = 128

EXACT_SUM_MAX = 30  # token sums drawn request by request up to this count
NEGLIGIBLE = 1e-12
HOLD_ITERATIONS = 1
TAIL_SUM_EPSILON = 1e-17
E2 = math.e * math.e


def lognormal_p5_p95(p5, p95):
    """(mu, sigma) of the lognormal with these 5th and 95th percentiles."""
    a, b = math.log(p5), math.log(p95)
    return 0.5 * (a + b), (b - a) / (2.0 * Z95)


def lognormal_moments(p5, p95):
    mu, s = lognormal_p5_p95(p5, p95)
    mean = math.exp(mu + 0.5 * s * s)
    var = (math.exp(s * s) - 1.0) * math.exp(2.0 * mu + s * s)
    return mean, math.sqrt(var)


IN_MU, IN_SIGMA = lognormal_p5_p95(*INPUT_TOKENS)
OUT_MU, OUT_SIGMA = lognormal_p5_p95(*OUTPUT_TOKENS)
IN_MEAN, IN_SD = lognormal_moments(*INPUT_TOKENS)
OUT_MEAN, OUT_SD = lognormal_moments(*OUTPUT_TOKENS)

# Mean requests per hour, and each hour's rate (profiles normalised to mean 1).
BASE_REQUESTS_PER_HOUR = TOKENS_PER_MONTH / (HOURS_PER_MONTH * (IN_MEAN + OUT_MEAN))
_h = np.arange(HORIZON_HOURS)
HOUR_RATE = (
    BASE_REQUESTS_PER_HOUR
    * (CONSUMER / CONSUMER.mean())[_h % 24]
    * (WEEKLY_FLAT / WEEKLY_FLAT.mean())[(_h // 24) % 7]
)

# ln(k!) for k < 1024 (breakeven keeps the same table).
LN_FACT = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1.0, 1024.0)))])
_lgamma = np.frompyfunc(math.lgamma, 1, 1)


def ln_factorial(k):
    k = np.asarray(k, dtype=float)
    small = k < LN_FACT.size
    if small.all():
        return LN_FACT[k.astype(np.int64)]
    out = np.empty_like(k)
    out[small] = LN_FACT[k[small].astype(np.int64)]
    out[~small] = _lgamma(k[~small] + 1.0).astype(float)
    return out


# --------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------


def draw(rng, pair, n):
    """n draws of the lognormal `"p5 to p95"`, shape (n, 1) for broadcasting."""
    mu, sigma = lognormal_p5_p95(*pair)
    return np.exp(mu + sigma * rng.standard_normal((n, 1)))


def draw_curve(rng, n):
    """A deployment's own batching-curve draws: (t0, t1, batch_cap, prefill_tps)."""
    s1 = draw(rng, SINGLE_STREAM_TPS, n)
    tmax = draw(rng, MAX_TPS, n)
    prefill = draw(rng, PREFILL_TPS, n)
    t1 = 1.0 / tmax
    t0 = np.maximum(1.0 / s1 - t1, 0.0)
    cap = np.maximum(np.minimum(np.floor((TPOT_SLO_S - t0) / t1), MAX_BATCH), 1.0)
    return t0, t1, cap, prefill


def traffic(rng, n):
    """Requests, input and output tokens of n trials: arrays (n, hours)."""
    rate = np.broadcast_to(HOUR_RATE, (n, HORIZON_HOURS))
    if HOURLY_CV > 0.0:
        k = 1.0 / (HOURLY_CV * HOURLY_CV)
        rate = rate * rng.gamma(k, 1.0 / k, size=rate.shape)
    req = rng.poisson(rate).astype(float)
    root = np.sqrt(req)
    inp = np.maximum(req * IN_MEAN + root * IN_SD * rng.standard_normal(req.shape), 0.0)
    out = np.maximum(req * OUT_MEAN + root * OUT_SD * rng.standard_normal(req.shape), 0.0)
    # Counts of 1-30: one draw per request (never happens in steady-1b, where
    # the quietest hour's mean is ~320 requests; kept for fidelity).
    few = (req > 0) & (req <= EXACT_SUM_MAX)
    if few.any():
        for idx in zip(*np.nonzero(few)):
            k = int(req[idx])
            inp[idx] = np.exp(IN_MU + IN_SIGMA * rng.standard_normal(k)).sum()
            out[idx] = np.exp(OUT_MU + OUT_SIGMA * rng.standard_normal(k)).sum()
    return req, inp, out


def tail_is_negligible(m, j):
    """Chernoff bound: P(Q >= j) < 1e-13 for Q ~ Poisson(m) (breakeven's test)."""
    m, j = np.broadcast_arrays(m, j)
    quick = (j >= 30.0) & (j >= E2 * m)
    out = quick.copy()
    rest = ~quick & (j > m)
    if rest.any():
        mr, jr = m[rest], j[rest]
        with np.errstate(divide="ignore"):
            out[rest] = jr - mr + jr * np.log(mr / jr) < -30.0
    return out


def poisson_tail(m, j):
    """(P(Q >= j), P(Q = j - 1)) for Q ~ Poisson(m), whole j >= 1 (1-D arrays):
    the pmf summed from j - 1 outwards, as breakeven does for m < 200."""
    m = np.asarray(m, dtype=float)
    j = np.asarray(j, dtype=float)
    tail = np.zeros_like(m)
    pmf = np.zeros_like(m)
    pos = m > 0.0
    pmf[~pos] = np.where(j[~pos] <= 1.0, 1.0, 0.0)
    one = pos & (j <= 1.0)
    tail[one] = -np.expm1(-m[one])
    pmf[one] = np.exp(-m[one])
    many = pos & (j > 1.0)
    if not many.any():
        return tail, pmf
    mm, jj = m[many], j[many]
    below = jj - 1.0
    p = np.exp(below * np.log(mm) - mm - ln_factorial(below))
    t = np.zeros_like(mm)
    up = (below >= mm) & (p > 0.0)
    if up.any():  # P(Q >= j) = sum_{i >= j} pmf(i), pmf(i) = pmf(i-1) m / i
        mu_, term, i = mm[up], p[up].copy(), jj[up].copy()
        s = np.zeros_like(mu_)
        live = np.ones(mu_.shape, bool)
        while live.any():
            term = np.where(live, term * mu_ / i, term)
            s = np.where(live, s + term, s)
            live &= ~(term <= TAIL_SUM_EPSILON * s)
            i += 1.0
        t[up] = s
    lo = (below < mm) & (p > 0.0)
    if lo.any():  # P(Q <= j - 1) = sum_{i <= j-1} pmf(i), pmf(i-1) = pmf(i) i / m
        ml, term, i = mm[lo], p[lo].copy(), below[lo].copy()
        s = term.copy()
        live = i > 0.0
        while live.any():
            term = np.where(live, term * i / ml, term)
            s = np.where(live, s + term, s)
            i -= 1.0
            live &= ~(term <= TAIL_SUM_EPSILON * s) & (i > 0.0)
        t[lo] = np.maximum(1.0 - s, 0.0)
    tail[many] = t
    pmf[many] = p
    return tail, pmf


def uniform_gap_survival(x, n):
    """((1 - x/3600)^n, (1 - x/3600)^(n-1)), with 0^0 = 1."""
    s = 1.0 - x / 3600.0
    with np.errstate(divide="ignore", invalid="ignore"):
        others = np.exp((n - 1.0) * np.log1p(-x / 3600.0))
    pos = s > 0.0
    if pos.all():
        return others * s, others
    others = np.where(pos, others, np.where(n - 1.0 <= 0.0, 1.0, 0.0))
    everyone = np.where(pos, others * s, np.where(n <= 0.0, 1.0, 0.0))
    return everyone, others


def occupancy(lam, m, hold, j, n, b, lc, p_on, pmf_below):
    """The occupancy model of level Q >= j (1-D arrays): (billed fraction,
    cold starts per second, boot waits per second)."""
    t = SL_KEEP_ALIVE_S
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        nu = lam * pmf_below
        mean_off = (1.0 - p_on) / nu
        first_rate = lam + (j - 1.0) / hold
        a = lam / first_rate
        short = 1.0 / first_rate
        # Level 1 with the hour's count known: exact gap law of n uniform arrivals.
        s = max(1.0 - t / 3600.0, 0.0)
        every, released_u = uniform_gap_survival(np.full_like(n, t), n)
        kept_u = 3600.0 / (n + 1.0) * (1.0 - every * s)
        # Two-phase off periods: a short gap, then a longer excursion.
        long_ = (mean_off - a * short) / (1.0 - a)
        es, el = np.exp(-t / short), np.exp(-t / long_)
        released_2 = a * es + (1.0 - a) * el
        kept_2 = a * short * (1.0 - es) + (1.0 - a) * long_ * (1.0 - el)
        e = np.exp(-t / mean_off)
        released_1, kept_1 = e, mean_off * (1.0 - e)
    level_one = j == 1.0
    two = ~level_one & (a < 1.0) & (mean_off > a * short)
    released = np.where(level_one, released_u, np.where(two, released_2, released_1))
    kept = np.where(level_one, kept_u, np.where(two, kept_2, kept_1))
    cold = nu * released
    frac = np.minimum(p_on + nu * kept, 1.0)
    joiners = np.minimum(lc * (p_on + pmf_below), np.maximum(b - 1.0, 0.0))
    wait = cold * (1.0 + joiners)
    full = p_on > 1.0 - NEGLIGIBLE
    return (np.where(full, 1.0, frac), np.where(full, 0.0, cold), np.where(full, 0.0, wait))


def level_bill(frac, cold, wait, lam, c):
    """Billed seconds, cold starts and boot waits of one worker level in an hour."""
    billed = frac * 3600.0
    if not SL_BILL_COLD_START:
        billed = billed - cold * c * 3600.0
    billed = billed + cold * 3600.0 * 0.5 * SL_BILLING_UNIT_S  # rounding up each episode
    return np.clip(billed, 0.0, 3600.0), cold * 3600.0, np.minimum(wait * 3600.0, lam * 3600.0)


def serverless_levels(lam, service, hold, n, b, c, lc, w1):
    """One pass over the worker levels (`Fleet::levels`) at holding time
    `hold`; `w1` holds worker 1's closed-form bill (it does not depend on the
    holding time). Returns flex worker-seconds, cold starts, boot waits and
    the overflow share, arrays (trials, hours)."""
    m = lam * hold
    shape = m.shape
    b_full = np.broadcast_to(b, shape)
    lc_full = np.broadcast_to(lc, shape)
    flex = np.zeros(shape)
    cold_n = np.zeros(shape)
    waits = np.zeros(shape)
    # Levels well below the mean concurrency are always on (only when m > 100).
    first = np.ones(shape)
    if (m > 100.0).any():
        aor = np.where(m <= 100.0, 0.0, np.maximum(m - 10.0 * np.sqrt(m) - 10.0, 0.0))
        first = np.maximum(np.floor(aor / b_full), 1.0)
        always = np.maximum(np.minimum(first - 1.0, SL_MAX_WORKERS) - SL_MIN_WORKERS, 0.0)
        flex += always * 3600.0
    broken = np.zeros(shape, bool)  # the Rust loop has stopped here
    for k in range(1, SL_MAX_WORKERS + 1):
        if broken.all():
            break  # every hour's loop has stopped: no higher level counts
        if k <= SL_MIN_WORKERS:
            continue  # kept warm: billed as warm time, not here
        j = (k - 1) * b_full + 1.0
        here = (first <= k) & ~broken
        neg = tail_is_negligible(m, j) & here
        broken |= neg
        here &= ~neg
        if k == 1:
            closed = here & ((b_full > 1.0) | (lc_full <= 1.0)) & (m >= NEGLIGIBLE)
            f, cs, w = w1
            flex += np.where(closed, f, 0.0)
            cold_n += np.where(closed, cs, 0.0)
            waits += np.where(closed, w, 0.0)
            here &= ~closed
        if not here.any():
            continue
        idx = np.nonzero(here)
        p_on, pmf_below = poisson_tail(m[idx], j[idx])
        low = p_on < NEGLIGIBLE
        broken[tuple(ix[low] for ix in idx)] = True
        keep = ~low
        idx = tuple(ix[keep] for ix in idx)
        la = lam[idx]
        frac, cold, wait = occupancy(
            la, m[idx], hold[idx], j[idx], n[idx], b_full[idx], lc_full[idx],
            p_on[keep], pmf_below[keep],
        )
        f, cs, w = level_bill(frac, cold, wait, la, np.broadcast_to(c, shape)[idx])
        flex[idx] += f
        cold_n[idx] += cs
        waits[idx] += w
    # Concurrency beyond max_workers x batch_cap waits: the overflow share.
    over = np.zeros(shape)
    cap = SL_MAX_WORKERS * b_full
    cand = (m > 0.0) & ~tail_is_negligible(m, cap)
    if cand.any():
        mc, cc = m[cand], cap[cand]
        ta, _ = poisson_tail(mc, cc)
        tb, _ = poisson_tail(mc, cc + 1.0)
        over[cand] = np.clip((mc * ta - cc * tb) / mc, 0.0, 1.0)
    return flex, cold_n, waits, over


def serverless(req, inp, out, curve, c):
    """`Fleet::hour` over arrays (trials, hours): flex worker-seconds, cold
    starts, overflow share and busy worker-seconds per hour."""
    t0, t1, b, prefill_tps = curve
    t = SL_KEEP_ALIVE_S
    has = req > 0.0
    n = np.where(has, req, 1.0)  # hours without requests cost nothing
    lam = req / 3600.0
    mean_in, mean_out = inp / n, out / n
    # Holding time of a batch slot at the batch the hour's concurrency fills.
    prefill = mean_in / prefill_tps
    batch = 1.0
    for _ in range(2):
        conc = lam * (batch * prefill + mean_out * (t0 + t1 * batch))
        workers = np.maximum(np.ceil(conc / b), 1.0)
        batch = np.clip(conc / workers, 1.0, np.maximum(b, 1.0))
    service = batch * prefill + mean_out * (t0 + t1 * batch)
    # Worker 1's closed forms, with the uniform-gap law of the hour's n arrivals.
    lc = lam * c
    idle_instant, idle_gap = uniform_gap_survival(t + service, n)
    per_s = c / 3600.0
    lc_instant, lc_gap = n * per_s, (n - 1.0) * per_s
    cold = lam * idle_gap / (lc_gap * idle_gap + 1.0)
    joinable = lc + 3.0 * np.sqrt(lc) + 1.0 <= b
    joiners = np.where(joinable, lc_gap, np.minimum(lc_gap, np.maximum(b - 1.0, 0.0)))
    frac = cold * c + (1.0 - idle_instant) / (lc_instant * idle_instant + 1.0)
    wait = lam * (1.0 + joiners) * idle_gap / (lc_gap * idle_gap + 1.0)
    w1 = level_bill(frac, cold, wait, lam, c)
    # Pass 1 at hold = service, then one fixed-point step on the holding time.
    hold = service
    flex, cold_n, waits, over = serverless_levels(lam, service, hold, n, b, c, lc, w1)
    for _ in range(HOLD_ITERATIONS):
        go = (c > 0.0) & (waits > 0.0) & (lam > 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            trig = np.minimum(cold_n, waits)
            mean_wait = c * (trig + 0.5 * (waits - trig)) / waits
            target = service + waits / (lam * 3600.0) * mean_wait
        go &= ~(np.abs(target - hold) <= 1e-3 * hold)
        if not go.any():
            break
        hold = np.where(go, target, hold)
        f2, c2, w2, o2 = serverless_levels(lam, service, hold, n, b, c, lc, w1)
        flex = np.where(go, f2, flex)
        cold_n = np.where(go, c2, cold_n)
        waits = np.where(go, w2, waits)
        over = np.where(go, o2, over)
    flex = np.where(has, flex, 0.0)
    cold_n = np.where(has, cold_n, 0.0)
    over = np.where(has, over, 0.0)
    return flex, cold_n, over


def simulate(rng, n):
    """n trials: per-deployment arrays of cost and a few sanity figures."""
    # Parameters (each an independent lognormal; fixed ones are constants).
    api_price = draw(rng, API_USD_PER_MTOK, n)
    d_gpu_hour = draw(rng, DED_GPU_HOUR_USD, n)
    d_headroom = draw(rng, DED_HEADROOM, n)
    d_curve = draw_curve(rng, n)
    d_ops = draw(rng, DED_OPS_MONTHLY, n)
    s_cold = draw(rng, SL_COLD_START_S, n)
    s_curve = draw_curve(rng, n)
    s_ops = draw(rng, SL_OPS_MONTHLY, n)
    hours = HORIZON_HOURS

    req, inp, out = traffic(rng, n)
    tokens = inp + out

    # api: every token at the blended price.
    api = (tokens.sum(axis=1) * api_price[:, 0]) * 1e-6

    # dedicated: replicas for the p95 hour plus headroom, always on.
    t0, t1, cap, prefill = d_curve
    capacity_tps = cap / (t0 + t1 * cap)
    demand = out / capacity_tps + inp / prefill  # replica-seconds per hour
    rank = min(max(math.ceil(DED_PERCENTILE * hours), 1), hours) - 1
    q = np.partition(demand, rank, axis=1)[:, rank : rank + 1]
    replicas = np.clip(np.ceil(q * (1.0 + d_headroom) / 3600.0), 1.0, DED_MAX_REPLICAS)
    capacity_s = replicas * 3600.0
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(demand > capacity_s, 1.0 - capacity_s / demand, 0.0)
    d_overflow = (tokens * share).sum(axis=1)
    d_busy = np.minimum(demand, capacity_s).sum(axis=1) * DED_GPUS
    d_billed = replicas[:, 0] * hours * 3600.0 * DED_GPUS
    dedicated = (
        replicas[:, 0] * hours * DED_GPUS * d_gpu_hour[:, 0]
        + d_ops[:, 0] * hours / HOURS_PER_MONTH
    )

    # serverless: per-second workers that scale to zero.
    flex, cold_n, over = serverless(req, inp, out, s_curve, s_cold)
    st0, st1, scap, spre = s_curve
    s_busy = (out / (scap / (st0 + st1 * scap)) + inp / spre).sum(axis=1) * SL_GPUS
    flex_s = flex.sum(axis=1)
    sl = SL_GPUS * flex_s * SL_GPU_SECOND_USD + s_ops[:, 0] * hours / HOURS_PER_MONTH

    return {
        "cost": (api, dedicated, sl),
        "tokens": tokens.sum(axis=1),
        "util": (None, d_busy / d_billed, s_busy / (flex_s * SL_GPUS)),
        "overflow": (np.zeros(n), d_overflow, (over * tokens).sum(axis=1)),
        "cold_starts": cold_n.sum(axis=1),
        "min_requests": req.min(),
    }


def run(trials, chunk, seed):
    rng = np.random.default_rng(seed)
    parts = []
    done = 0
    while done < trials:
        k = min(chunk, trials - done)
        parts.append(simulate(rng, k))
        done += k
    return parts


def merge(parts):
    cat = np.concatenate
    return {
        "cost": [cat([p["cost"][d] for p in parts]) for d in range(3)],
        "tokens": cat([p["tokens"] for p in parts]),
        "util": [None] + [cat([p["util"][d] for p in parts]) for d in (1, 2)],
        "overflow": [cat([p["overflow"][d] for p in parts]) for d in range(3)],
        "cold_starts": cat([p["cold_starts"] for p in parts]),
        "min_requests": min(p["min_requests"] for p in parts),
    }


# --------------------------------------------------------------------------
# Timing and report
# --------------------------------------------------------------------------


def wait_for_quiet(limit_s=25 * 60, threshold=1.3, step_s=60):
    start = time.monotonic()
    load = os.getloadavg()[0]
    while load > threshold and time.monotonic() - start < limit_s:
        print(f"load average {load:.2f} > {threshold}: waiting {step_s} s", flush=True)
        time.sleep(step_s)
        load = os.getloadavg()[0]
    quiet = load <= threshold
    return load, quiet


def read_summary(path):
    with open(path, newline="") as f:
        return {row["deployment"]: row for row in csv.DictReader(f)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trials", type=int, default=20_000)
    ap.add_argument("--chunk", type=int, default=None,
                    help="trials per chunk (default: time 250, 1000 and 4000)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per chunk size")
    ap.add_argument("--compare", default=None,
                    help="a breakeven summary.csv to compare mean costs with")
    ap.add_argument("--no-wait", action="store_true",
                    help="time at once, whatever the load average")
    args = ap.parse_args()
    chunks = [args.chunk] if args.chunk else [250, 1000, 4000]
    steps_per_trial = HORIZON_HOURS * len(DEPLOYMENTS)

    print(f"numpy {np.__version__}, {args.trials} trials of steady-1b "
          f"({HORIZON_HOURS} h x {len(DEPLOYMENTS)} deployments = "
          f"{steps_per_trial} hour-steps each), seed {args.seed}")
    run(min(args.trials, 500), min(chunks), args.seed)  # warm-up (imports, caches)

    load_before, quiet = wait_for_quiet(limit_s=0 if args.no_wait else 25 * 60)
    if not quiet:
        print(f"load average {load_before:.2f} > 1.3 (after waiting up to "
              f"{0 if args.no_wait else 25} minutes): timing anyway")
    rows = []
    result = None
    for chunk in chunks:
        best = math.inf
        for _ in range(args.repeats):
            t = time.perf_counter()
            parts = run(args.trials, chunk, args.seed)
            best = min(best, time.perf_counter() - t)
            if result is None:
                result = merge(parts)
            del parts
        rows.append((chunk, best))
    load_after = os.getloadavg()[0]

    print(f"\nload average (1 min): {load_before:.2f} before timing, {load_after:.2f} after")
    print(f"{'chunk':>7} {'best s':>8} {'hour-steps/s':>14} {'trial-hours/s':>14} {'trials/s':>10}")
    for chunk, s in rows:
        print(f"{chunk:>7} {s:>8.3f} {args.trials * steps_per_trial / s / 1e6:>12.2f} M"
              f" {args.trials * HORIZON_HOURS / s / 1e6:>12.2f} M {args.trials / s:>10.0f}")

    r = result
    ref = read_summary(args.compare) if args.compare else {}
    print(f"\nfewest requests in any hour: {r['min_requests']:.0f} "
          f"(token sums are drawn exactly only at 30 or fewer)")
    print(f"{'deployment':<19} {'mean $':>9} {'±mcse':>6} {'p5':>7} {'p95':>7} "
          f"{'util':>6} {'overflow':>8}" + ("  breakeven mean $   diff" if ref else ""))
    for d, name in enumerate(DEPLOYMENTS):
        cost = r["cost"][d]
        mean = cost.mean()
        mcse = cost.std(ddof=1) / math.sqrt(cost.size)
        p5, p95 = np.quantile(cost, [0.05, 0.95])
        util = "-" if r["util"][d] is None else f"{r['util'][d].mean():.1%}"
        ovf = r["overflow"][d].sum() / r["tokens"].sum()
        line = (f"{name:<19} {mean:>9,.0f} {mcse:>6.1f} {p5:>7,.0f} {p95:>7,.0f} "
                f"{util:>6} {ovf:>8.2%}")
        if name in ref:
            b = float(ref[name]["mean_usd"])
            line += f"  {b:>16,.0f} {mean / b - 1.0:>+6.2%}"
        print(line)
    print(f"serverless cold starts per trial: {r['cold_starts'].mean():.1f}")


if __name__ == "__main__":
    main()
