//! The running maximum of an M/D/∞ occupancy over a look-back window, by
//! the Poisson scan statistic.
//!
//! Requests arrive as a Poisson process at `λ` per second and each stays
//! `S` seconds, so the occupancy `Q(t)` is the number of arrivals in
//! `(t - S, t]`, and `max Q` over `[t - T, t]` is the largest count of any
//! window of length `S` inside an interval of length `T + S`: the scan
//! statistic. For intervals of two and three windows its distribution has
//! exact closed forms (Naus 1982, "Approximations for distributions of scan
//! statistics", JASA 77, 177–183; also Glaz, Naus and Wallenstein, *Scan
//! Statistics*, 2001, §2.2), and for longer intervals Naus's product
//! approximation `P(max < k) ≈ Q₂(k) (Q₃(k) / Q₂(k))^(L/S - 2)` is accurate
//! to a few parts in a thousand.
//!
//! The serverless fast path uses it for a fleet of one-request workers in
//! which a request takes the worker freed most recently: the fleet is then
//! exactly the running maximum of the occupancy over the keep-alive (see
//! [`running_max`]). For a batching fleet it takes the scan at each
//! worker's level ([`WindowScan`]) for the workers beyond the first.

use super::serverless::ln_factorial;

/// Standard deviations either side of the mean beyond which the Poisson
/// pmf is treated as zero (below about `1e-11` of its peak, where the
/// fleet moves by less than `1e-9` of a worker).
const SPREAD_SDS: f64 = 7.0;

/// `1 / i` for `i` below 4,096 (`RECIPROCALS[0]` unused).
pub(super) static RECIPROCALS: [f64; 4096] = {
    let mut table = [0.0; 4096];
    let mut i = 1;
    while i < 4096 {
        table[i] = 1.0 / i as f64;
        i += 1;
    }
    table
};

/// A probability treated as zero.
const NEGLIGIBLE: f64 = 1e-16;

/// The Poisson(`psi`) pmf (`psi > 0`) on the counts within `sds`
/// standard deviations plus 12 of the mean: the first count held, and the
/// pmf from it on.
pub(super) fn poisson_pmf(psi: f64, sds: f64) -> (i64, Vec<f64>) {
    let spread = sds * psi.sqrt() + 12.0;
    let lo = (psi - spread).floor().max(0.0) as i64;
    let hi = (psi + spread).ceil() as i64;
    let mode = psi.floor() as i64;
    // (Every count is written below; the zeros only size the buffer.)
    let mut pmf = spare_buffer();
    pmf.resize((hi - lo + 1) as usize, 0.0);
    let at_mode = (mode as f64 * psi.ln() - psi - ln_factorial(mode as f64)).exp();
    // Outwards from the mode ([`pmf_chains`]).
    let (lower, upper) = pmf.split_at_mut((mode - lo) as usize);
    let (at, upper) = upper.split_at_mut(1);
    at[0] = at_mode;
    // The reciprocals of the counts above the mode: from the table below
    // 4,096 (a slice, where the whole table is below it), else divided
    // (the same value).
    let above = (mode + 1) as usize..=hi as usize;
    if (hi as usize) < RECIPROCALS.len() {
        pmf_chains(
            psi,
            mode,
            at_mode,
            upper,
            lower,
            RECIPROCALS[above].iter().copied(),
        );
    } else {
        let reciprocal = |up: usize| RECIPROCALS.get(up).copied().unwrap_or(1.0 / up as f64);
        pmf_chains(psi, mode, at_mode, upper, lower, above.map(reciprocal));
    }
    (lo, pmf)
}

/// The Poisson(`psi`) pmf outwards from the count `mode`, whose
/// probability is `at_mode`: `upper` the counts above it (from `mode + 1`,
/// with `reciprocals` their reciprocals), `lower` those below it (down to
/// the first count held).
///
/// `p(i + 1) = p(i) psi / (i + 1)` (a multiplication chain, not a
/// division chain) and `p(i - 1) = p(i) i / psi`. The two chains are
/// independent: one loop steps both while both have counts left, so
/// their multiplications overlap; then the longer one goes on alone.
/// Each chain's last value stays in a register (not read back from the
/// table), which shortens the chain's latency. (Not inlined: in its
/// caller the compiler kept `psi` and the count on the stack, 3M more
/// instructions in `steady-10b`'s 40 trials under callgrind.)
#[inline(never)]
fn pmf_chains(
    psi: f64,
    mode: i64,
    at_mode: f64,
    upper: &mut [f64],
    lower: &mut [f64],
    mut reciprocals: impl Iterator<Item = f64>,
) {
    let inv_psi = 1.0 / psi;
    // `i` as a float, from the mode down (whole numbers: exact).
    let mut count = mode as f64;
    let (mut above, mut below) = (at_mode, at_mode);
    let both = upper.len().min(lower.len());
    let (upper_both, upper_rest) = upper.split_at_mut(both);
    let (lower_rest, lower_both) = lower.split_at_mut(lower.len() - both);
    for ((u, d), inv_up) in upper_both
        .iter_mut()
        .zip(lower_both.iter_mut().rev())
        .zip(&mut reciprocals)
    {
        above = above * psi * inv_up;
        *u = above;
        below = below * count * inv_psi;
        *d = below;
        count -= 1.0;
    }
    for (u, inv_up) in upper_rest.iter_mut().zip(reciprocals) {
        above = above * psi * inv_up;
        *u = above;
    }
    for d in lower_rest.iter_mut().rev() {
        below = below * count * inv_psi;
        *d = below;
        count -= 1.0;
    }
}

thread_local! {
    /// The buffers of this thread's dropped [`PoissonTable`]s (a few at
    /// most), for the next tables: the fast path builds one or more an
    /// hour, and reusing the buffers saves 5.2% of `steady-10b`'s
    /// instructions (callgrind, 40 trials).
    static SPARE_BUFFERS: std::cell::RefCell<Vec<Vec<f64>>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Spare buffers kept at most ([`SPARE_BUFFERS`]).
const SPARE_BUFFERS_KEPT: usize = 8;

/// An empty buffer: a dropped table's where there is one, else new.
fn spare_buffer() -> Vec<f64> {
    // (`try_with`: none while the thread's locals are torn down.)
    let mut buffer = SPARE_BUFFERS
        .try_with(|spare| spare.borrow_mut().pop())
        .ok()
        .flatten()
        .unwrap_or_default();
    buffer.clear();
    buffer
}

/// Poisson(`psi`) pmf and cdf on the counts where they are not negligible.
struct PoissonTable {
    /// First count held.
    lo: i64,
    /// pmf from `lo` on.
    pmf: Vec<f64>,
    /// cdf from `lo` on.
    cdf: Vec<f64>,
}

impl Drop for PoissonTable {
    /// Keep the table's buffers for the next table ([`spare_buffer`]);
    /// none are kept while the thread's locals are torn down (`try_with`,
    /// where `with` would panic).
    fn drop(&mut self) {
        let _ = SPARE_BUFFERS.try_with(|spare| {
            let mut spare = spare.borrow_mut();
            for buffer in [&mut self.pmf, &mut self.cdf] {
                // (Not a table's of over 65,536 counts, a mean beyond
                // about 2e7: so the spares hold 4 MB at most.)
                if spare.len() < SPARE_BUFFERS_KEPT && buffer.capacity() <= 1 << 16 {
                    spare.push(std::mem::take(buffer));
                }
            }
        });
    }
}

impl PoissonTable {
    fn new(psi: f64) -> PoissonTable {
        if psi <= 0.0 {
            // No arrivals: the count is 0.
            return PoissonTable {
                lo: 0,
                pmf: vec![1.0],
                cdf: vec![1.0],
            };
        }
        let (lo, pmf) = poisson_pmf(psi, SPREAD_SDS);
        let mut acc = 0.0;
        let mut cdf = spare_buffer();
        cdf.extend(pmf.iter().map(|p| {
            acc += p;
            acc
        }));
        PoissonTable { lo, pmf, cdf }
    }

    fn hi(&self) -> i64 {
        self.lo + self.pmf.len() as i64 - 1
    }

    /// `P(N = i)`. (One unsigned comparison: below `lo` the index wraps
    /// past the table.)
    fn p(&self, i: i64) -> f64 {
        self.pmf
            .get(i.wrapping_sub(self.lo) as usize)
            .copied()
            .unwrap_or(0.0)
    }

    /// `P(N <= i)`.
    fn cdf(&self, i: i64) -> f64 {
        match self.cdf.get(i.wrapping_sub(self.lo) as usize) {
            Some(&f) => f,
            None if i < self.lo => 0.0,
            None => self.cdf[self.cdf.len() - 1],
        }
    }

    /// For this table's Poisson(`mu`) counts `A` and `D` of arrivals and
    /// departures within a window, the steps of the path `A(s) + D - D(s)`
    /// (in a random order), `G(m) = P(the path stays at or below m)` and
    /// its derivative in `mu`. By reflection, given `A = a` and `D = d`
    /// (both at most `m`), the paths that reach `m + 1` number
    /// `C(a + d, m + 1)` of `C(a + d, a)`, so that
    /// `G(m) = F(m)² - p(m + 1) (m F(m - 1) - mu F(m - 2))`
    /// (which at `mu = λS` is Naus's `Q₂(m + 1)`), and
    /// `G'(m) = -2 F(m) p(m) - (p(m) - p(m + 1)) (m F(m - 1) - mu F(m - 2))
    /// + p(m + 1) F(m - 1)`.
    fn reflected(&self, m: i64, mu: f64) -> (f64, f64) {
        if m < 0 {
            return (0.0, 0.0);
        }
        let (f, p) = (|i| self.cdf(i), |i| self.p(i));
        let inner = m as f64 * f(m - 1) - mu * f(m - 2);
        let (fm, pm, up) = (f(m), p(m), p(m + 1));
        (
            fm * fm - up * inner,
            -2.0 * fm * pm - (pm - up) * inner + up * f(m - 1),
        )
    }

    /// `Q₂(k)`: P(no window of length `S` in an interval of `2S` holds `k`
    /// or more arrivals), exact.
    fn q2(&self, k: i64, psi: f64) -> f64 {
        let (f, p) = (|i| self.cdf(i), |i| self.p(i));
        let kf = k as f64;
        f(k - 1) * f(k - 1) - (kf - 1.0) * p(k) * p(k - 2) - (kf - 1.0 - psi) * p(k) * f(k - 3)
    }

    /// `Q₃(k)`: the same for an interval of `3S`, exact.
    fn q3(&self, k: i64, psi: f64) -> f64 {
        let (f, p) = (|i| self.cdf(i), |i| self.p(i));
        let kf = k as f64;
        let pk = p(k);
        let a1 = 2.0 * pk * f(k - 1) * ((kf - 1.0) * f(k - 2) - psi * f(k - 3));
        let a2 = 0.5
            * pk
            * pk
            * ((kf - 1.0) * (kf - 2.0) * f(k - 3) - 2.0 * (kf - 2.0) * psi * f(k - 4)
                + psi * psi * f(k - 5));
        // p(2k - r) vanishes for 2k - r above the table, and F(r - 1) and
        // p(r) below it.
        let first = (2 * k - self.hi()).max(self.lo).max(1);
        let mut a3 = 0.0;
        let mut a4 = 0.0;
        // The first few terms reach below the table (bounds-checked); the
        // rest index it directly.
        let direct = (self.lo + 3).max(first);
        for r in first..direct.min(k) {
            let outer = p(2 * k - r);
            a3 += outer * f(r - 1) * f(r - 1);
            if r >= 2 {
                a4 += outer * p(r) * ((r - 1) as f64 * f(r - 2) - psi * f(r - 3));
            }
        }
        if direct < k {
            // By slices cut to the terms' count (no bounds check a term;
            // one index up, one down): for r from `direct` to k - 1,
            // p(2k - r) (the outer weights, read backwards), p(r) and
            // F(r - 1), F(r - 2), F(r - 3), with r - 1 counted as a float
            // (whole numbers: exact).
            let (lo, pmf, cdf) = (self.lo, &self.pmf, &self.cdf);
            let (start, end) = ((direct - lo) as usize, (k - lo) as usize);
            let outer = &pmf[(k + 1 - lo) as usize..=(2 * k - direct - lo) as usize];
            let mut r_less_one = (direct - 1) as f64;
            let n = end - start;
            let (pmf_r, cdf_r) = (&pmf[start..end], &cdf[start - 3..end - 1]);
            let (outer, pmf_r, cdf_r) = (&outer[..n], &pmf_r[..n], &cdf_r[..n + 2]);
            for m in 0..n {
                let outer = outer[n - 1 - m];
                let below_r = cdf_r[m + 2];
                a3 += outer * below_r * below_r;
                a4 += outer * pmf_r[m] * (r_less_one * cdf_r[m + 1] - psi * cdf_r[m]);
                r_less_one += 1.0;
            }
        }
        f(k - 1).powi(3) - a1 + a2 + a3 - a4
    }
}

/// `f.powf(d)`, or, for a whole `d` from 1 to [`POWI_MOST`], `f.powi(d)`
/// where that is on the same side of `bound` beyond its rounding: a
/// stand-in for the power in a comparison with `bound`, which it answers
/// as `powf` would, without `powf` (about 125 instructions) where the
/// answer is clear.
///
/// `powi` multiplies by squaring; every partial product is a product of
/// some of the `d` factors, so none is below `f^d` for `f` in `[0, 1]`
/// (none underflows where `f^d` is near a normal `bound`), and each of
/// its at most `2 log₂ d` roundings moves the result by at most half an
/// ulp, which the squarings carry at most `d - 1` times over: within
/// `d ε` of `f^d` relative, below `2.3e-13` for `d <= 1024`. `powf` is
/// within an ulp. Taken only where `powi` is off `bound` by more than
/// `1e-9` of it, the two lie on the same side.
fn power_beside(f: f64, d: f64, bound: f64) -> f64 {
    if (0.0..=1.0).contains(&f) && (1.0..=POWI_MOST).contains(&d) && d.fract() == 0.0 {
        let p = f.powi(d as i32);
        if p > bound * (1.0 + 1e-9) || p < bound * (1.0 - 1e-9) {
            return p;
        }
    }
    f.powf(d)
}

/// The largest whole power [`power_beside`] takes by `powi`.
const POWI_MOST: f64 = 1024.0;

/// The running maximum of the occupancy over a look-back window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RunningMax {
    /// `E[max Q(u)]` over `u` in `[t - T, t]`, requests (for the fleet
    /// below: workers).
    pub mean: f64,
    /// Its derivative in `T`, per second.
    pub growth_per_s: f64,
}

/// The tail of the running maximum of an M/D/∞ occupancy over a look-back
/// window, level by level: for Poisson arrivals at `λ` per second that
/// each stay `S` seconds, `P(max Q >= k)` over `[t - T, t]` and its
/// derivative in `T`.
pub(crate) struct WindowScan {
    /// Arrivals per second.
    lambda: f64,
    /// `S`, seconds.
    service_s: f64,
    /// `T`, seconds.
    window_s: f64,
    /// Mean occupancy `λS`, requests.
    psi: f64,
    /// Counts at which `P(max Q < k)` may be neither 0 nor 1: from `lo` to `hi`.
    lo: i64,
    hi: i64,
    kind: ScanKind,
}

/// How [`WindowScan`] takes the maximum, by the window's length.
enum ScanKind {
    /// `T >= S`: Naus's scan of an interval of `T + S`.
    Long {
        /// Poisson(`λS`).
        table: PoissonTable,
        /// Windows of `S` in `T + S` beyond the first two.
        extra: f64,
        /// Whole, disjoint windows of `S` in `T + S`.
        disjoint_windows: f64,
    },
    /// `T < S`: the occupancy at `t - T` is `R + D`, with `R` the arrivals
    /// in `(t - S, t - T]` (Poisson(`λ(S - T)`)) and `D` those in
    /// `(t - T - S, t - S]`, which depart within the window as its
    /// arrivals `A` come; `A`, `D` and `R` are independent, so
    /// `P(max Q < k) = sum over r of P(R = r) G(k - 1 - r)`
    /// ([`PoissonTable::reflected`]), exact.
    Short {
        /// `λT`.
        mu: f64,
        /// Poisson(`λT`): `A` and `D`.
        within: PoissonTable,
        /// Poisson(`λ(S - T)`): `R`.
        before: PoissonTable,
    },
}

impl WindowScan {
    /// The scan of arrivals at `lambda` requests/s that each stay
    /// `service_s` seconds, looking back `window_s` seconds (`lambda`,
    /// `service_s` and `window_s` all above 0).
    pub(crate) fn new(lambda: f64, service_s: f64, window_s: f64) -> WindowScan {
        debug_assert!(lambda > 0.0 && service_s > 0.0 && window_s > 0.0);
        let psi = lambda * service_s;
        if window_s >= service_s {
            let table = PoissonTable::new(psi);
            WindowScan {
                lambda,
                service_s,
                window_s,
                psi,
                lo: table.lo,
                hi: table.hi() + 1,
                kind: ScanKind::Long {
                    table,
                    extra: window_s / service_s - 1.0,
                    disjoint_windows: (window_s / service_s + 1.0).floor(),
                },
            }
        } else {
            let mu = lambda * window_s;
            let within = PoissonTable::new(mu);
            let before = PoissonTable::new(lambda * (service_s - window_s));
            // The maximum is at least the occupancy now, R + A, and at most
            // R + A + D.
            WindowScan {
                lambda,
                service_s,
                window_s,
                psi,
                lo: before.lo + within.lo,
                hi: before.hi() + 2 * within.hi() + 1,
                kind: ScanKind::Short { mu, within, before },
            }
        }
    }

    /// The same arrivals and stays, looked back over `window_s` seconds
    /// (above 0) instead: in place, keeping the occupancy's table, where
    /// both windows are at least `S`; else built anew.
    pub(crate) fn set_window(&mut self, window_s: f64) {
        if window_s == self.window_s {
            return;
        }
        match &mut self.kind {
            ScanKind::Long {
                extra,
                disjoint_windows,
                ..
            } if window_s >= self.service_s => {
                self.window_s = window_s;
                *extra = window_s / self.service_s - 1.0;
                *disjoint_windows = (window_s / self.service_s + 1.0).floor();
            }
            _ => *self = WindowScan::new(self.lambda, self.service_s, window_s),
        }
    }

    /// The highest level at which `P(max Q < k)` may be neither 0 nor 1.
    pub(crate) fn top_level(&self) -> i64 {
        self.hi
    }

    /// The lowest level at which `P(max Q < k)` may be above 0 (below it,
    /// [`WindowScan::below`] is 0).
    pub(crate) fn bottom_level(&self) -> i64 {
        self.lo.max(1)
    }

    /// `(P(Q >= j), P(Q = j - 1))` for the occupancy `Q ~ Poisson(λS)` at
    /// one instant, where the scan holds that law in a table (a window of
    /// at least `S`); counts beyond the table have probability 0.
    pub(crate) fn occupancy_tail(&self, j: i64) -> Option<(f64, f64)> {
        match &self.kind {
            ScanKind::Long { table, .. } => {
                Some(((1.0 - table.cdf(j - 1)).max(0.0), table.p(j - 1)))
            }
            ScanKind::Short { .. } => None,
        }
    }

    /// `P(max Q < k)` over the window and its derivative in the window
    /// (per second, at most 0), for `k >= 1`. A short window sums over the
    /// counts of `R` (about `14 sqrt(λ(S - T))` terms), so a sum over all
    /// levels, as [`running_max`] takes, grows as `λS`; the fast path asks
    /// it for a few levels an hour. Below the table's counts the
    /// maximum always reaches `k` (`(0, 0)`); where the probability is
    /// negligible it is taken as 0.
    pub(crate) fn below(&self, k: i64) -> (f64, f64) {
        if k < self.lo.max(1) {
            return (0.0, 0.0);
        }
        match &self.kind {
            ScanKind::Long {
                table,
                extra,
                disjoint_windows,
            } => {
                let t = table;
                let q2 = t.q2(k, self.psi);
                // P(max < k) is at most Q₂(k), and at most F(k - 1) to the power of
                // the disjoint windows the interval holds: where either is
                // negligible, skip Q₃'s sums.
                let reachable = if q2 <= NEGLIGIBLE {
                    false
                } else {
                    // (`min` as `q2.min(power)`: Q₂ not a number leaves
                    // the power.) The power is at least 1 - d (1 - F)
                    // (Bernoulli, d >= 1), so at least a half where
                    // that is, and then not negligible: no `powf`.
                    let (f, d) = (t.cdf(k - 1), *disjoint_windows);
                    (d >= 1.0 && d * (1.0 - f) <= 0.5)
                        || q2.min(power_beside(f, d, NEGLIGIBLE)) > NEGLIGIBLE
                };
                let q3 = if reachable { t.q3(k, self.psi) } else { 0.0 };
                if reachable && q3 > 0.0 {
                    let ratio = (q3 / q2).min(1.0);
                    let x = *extra;
                    if x < 1.0 {
                        let (below, slope) = self.first_windows(k, q2, ratio, x);
                        (below, slope / self.service_s)
                    } else {
                        let below = q2 * ratio.powf(x);
                        (below, below * ratio.ln() / self.service_s)
                    }
                } else {
                    (0.0, 0.0)
                }
            }
            ScanKind::Short { mu, within, before } => {
                // d/dT moves R's mean by -λ and A's and D's by +λ:
                // d/dT P = λ sum P(R = r) (G(m) - G(m - 1) + G'(m)), m = k - 1 - r.
                let (mut below, mut slope) = (0.0, 0.0);
                let mut r = before.lo;
                let mut m = k - 1 - r;
                let (mut g, mut g_slope) = within.reflected(m, *mu);
                while m >= 0 && r <= before.hi() {
                    let (g_lower, g_lower_slope) = within.reflected(m - 1, *mu);
                    let w = before.p(r);
                    below += w * g;
                    slope += w * (g - g_lower + g_slope);
                    (g, g_slope) = (g_lower, g_lower_slope);
                    r += 1;
                    m -= 1;
                }
                if below > NEGLIGIBLE {
                    (below, (self.lambda * slope).min(0.0))
                } else {
                    (0.0, 0.0)
                }
            }
        }
    }
}

impl WindowScan {
    /// `P(max Q < k)` over a window `T = (1 + x) S` with `x` in `[0, 1)`
    /// (an interval of `T + S` between `2S` and `3S`), and its derivative
    /// in `x` (per window of `S`, at most 0), from `q2 = Q₂(k)` and `ratio
    /// = Q₃(k) / Q₂(k)` (both exact, at `x = 0` and `x = 1`).
    ///
    /// Naus's product form beyond `3S`, `Q₂ ratio^x`, is log-linear in
    /// `x`; taken down to `x = 0` its slope there, `Q₂ ln(ratio)`, is not
    /// the exact one, which the short form (`T < S`, exact) has as `T`
    /// reaches `S`: there `R` (the arrivals in `(t - S, t - T]`) is 0, so
    /// the slope is `λ S (G(k - 1) - G(k - 2) + G'(k - 1))`
    /// ([`PoissonTable::reflected`] at `mu = λS`). The levels' cold starts
    /// are this slope, so the switch from one form to the other stepped
    /// them (by 2% at λ = 0.935/s, S = 10 s, k = 9: a level's scale-downs
    /// and the bill by +0.54%, with a keep-alive of 5 s, boots of 300 s and
    /// a batch of 8, where the level's look-back crosses `S`).
    ///
    /// Here `ln P` is the cubic Hermite on `[0, 1]` through `ln Q₂` and
    /// `ln Q₃` with the exact slope at `x = 0` and the product form's
    /// `ln(ratio)` at `x = 1`: `ln P = ln Q₂ + x ln(ratio) + e x (1 - x)²`,
    /// `e` the exact slope less `ln(ratio)`. So the law is exact at both
    /// ends, and it and its slope are continuous at `T = S` and `T = 2S`.
    /// The exact slope is held within `[3 ln(ratio), 0]` (Fritsch and
    /// Carlson's bound), so `P` falls with `x` throughout.
    fn first_windows(&self, k: i64, q2: f64, ratio: f64, x: f64) -> (f64, f64) {
        let ScanKind::Long { table, .. } = &self.kind else {
            unreachable!("the first windows are a long scan's");
        };
        let psi = self.psi;
        let (g, g_slope) = table.reflected(k - 1, psi);
        let (g_lower, _) = table.reflected(k - 2, psi);
        let delta = ratio.ln();
        // d ln P / dx at x = 0 (λ S d/dT, over P = Q₂ = G(k - 1)).
        let exact = psi * (g - g_lower + g_slope) / q2;
        let e = if exact.is_finite() {
            exact.clamp(3.0 * delta, 0.0) - delta
        } else {
            0.0
        };
        let rest = 1.0 - x;
        let below = q2 * (delta * x + e * x * rest * rest).exp();
        (below, below * (delta + e * rest * (1.0 - 3.0 * x)))
    }
}

/// `E[max Q]` over a look-back window of `window_s` seconds and its
/// derivative in the window, for Poisson arrivals at `lambda` requests/s
/// that each stay `service_s` seconds, with `window_s` and `service_s` above 0.
///
/// In a fleet of one-request workers where a request takes the worker freed
/// most recently and a worker leaves after `T` seconds idle, the idle
/// workers form a stack, and the worker at depth `d` is alive exactly when
/// the occupancy reached `Q(t) + d` within the last `T`: the fleet is
/// `max Q` over `[t - T, t]`, so `mean` is the mean fleet. Each idle spell
/// lasts `min(V, T)` for the time `V` until the worker would be reused, so
/// `d mean / dT = λ P(V > T)`, the rate of scale-downs, which in balance is
/// the rate of cold starts: `growth_per_s / lambda` is the share of
/// requests that find no idle worker.
pub(crate) fn running_max(lambda: f64, service_s: f64, window_s: f64) -> RunningMax {
    let scan = WindowScan::new(lambda, service_s, window_s);
    // Counts below the table are always exceeded: P(max < k) = 0.
    let first = scan.lo.max(1);
    let mut mean = (first - 1) as f64;
    let mut growth = 0.0;
    for k in first..=scan.hi {
        let (below, slope) = scan.below(k);
        growth -= slope;
        mean += 1.0 - below;
        if k as f64 > scan.psi && 1.0 - below < NEGLIGIBLE {
            break;
        }
    }
    RunningMax {
        mean,
        growth_per_s: growth,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_power_answers_the_comparison_as_powf_does() {
        // Bases whose powers fall about the bound (f^d within a few
        // parts in 1e9 of it, and farther), every whole power to 1,024,
        // and powers beyond it or not whole: each compared with the bound
        // as the power by powf is.
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(7);
        let bound = NEGLIGIBLE;
        for _ in 0..200_000 {
            let d: f64 = if rng.random::<f64>() < 0.9 {
                rng.random_range(1..=1100) as f64
            } else {
                rng.random_range(1.0..50.0)
            };
            // f^d = bound × e^(±10^-u), u from 0 to 12.
            let spread = 10f64.powf(-rng.random_range(0.0..12.0));
            let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
            let f = ((bound.ln() + sign * spread) / d).exp();
            let stand_in = power_beside(f, d, bound);
            assert_eq!(
                stand_in > bound,
                f.powf(d) > bound,
                "f {f:e}, d {d}: {stand_in:e} against {:e}",
                f.powf(d)
            );
        }
        for (f, d) in [
            (f64::NAN, 3.0),
            (0.5, f64::NAN),
            (1.0, 4.0),
            (0.0, 2.0),
            (1.5, 2.0),
        ] {
            assert_eq!(
                power_beside(f, d, bound) > bound,
                f.powf(d) > bound,
                "f {f}, d {d}"
            );
        }
    }

    /// The Poisson pmf as it was first written (one loop, bounds-checked
    /// stepping of both chains): the reference the faster one must match bit for bit.
    fn poisson_pmf_direct(psi: f64, sds: f64) -> (i64, Vec<f64>) {
        let spread = sds * psi.sqrt() + 12.0;
        let lo = (psi - spread).floor().max(0.0) as i64;
        let hi = (psi + spread).ceil() as i64;
        let mode = psi.floor() as i64;
        let mut pmf = vec![0.0; (hi - lo + 1) as usize];
        let at_mode = (mode as f64 * psi.ln() - psi - ln_factorial(mode as f64)).exp();
        pmf[(mode - lo) as usize] = at_mode;
        // Outwards from the mode: p(i + 1) = p(i) psi / (i + 1), with the
        // reciprocals from a table (a multiplication chain, not a division
        // chain).
        // The two chains are independent: one loop steps both, so their
        // multiplications overlap.
        // Each chain's last value stays in a register (not read back from
        // the table), which shortens the chain's latency.
        let inv_psi = 1.0 / psi;
        let (mut above, mut below) = (at_mode, at_mode);
        for step in 1..=(hi - mode).max(mode - lo) {
            let up = mode + step;
            if up <= hi {
                let inv_up = RECIPROCALS
                    .get(up as usize)
                    .copied()
                    .unwrap_or(1.0 / up as f64);
                above = above * psi * inv_up;
                pmf[(up - lo) as usize] = above;
            }
            let down = mode - step;
            if down >= lo {
                below = below * (down + 1) as f64 * inv_psi;
                pmf[(down - lo) as usize] = below;
            }
        }
        (lo, pmf)
    }

    use rand::{RngExt, SeedableRng};

    /// The largest number of `n` uniform points on `[0, length)` that any
    /// window `[x, x + 1)` holds (a maximal window starts at a point).
    fn scan_max(points: &mut [f64]) -> i64 {
        points.sort_by(f64::total_cmp);
        let mut best = 0;
        let mut end = 0;
        for start in 0..points.len() {
            while end < points.len() && points[end] < points[start] + 1.0 {
                end += 1;
            }
            best = best.max((end - start) as i64);
        }
        best
    }

    /// `Q₃(k)` as [`PoissonTable::q3`] sums it, every term through the
    /// bounds-checked `p` and `F` (as first written): the reference its
    /// sliced loop must match bit for bit.
    fn q3_direct(t: &PoissonTable, k: i64, psi: f64) -> f64 {
        let (f, p) = (|i| t.cdf(i), |i| t.p(i));
        let kf = k as f64;
        let pk = p(k);
        let a1 = 2.0 * pk * f(k - 1) * ((kf - 1.0) * f(k - 2) - psi * f(k - 3));
        let a2 = 0.5
            * pk
            * pk
            * ((kf - 1.0) * (kf - 2.0) * f(k - 3) - 2.0 * (kf - 2.0) * psi * f(k - 4)
                + psi * psi * f(k - 5));
        let first = (2 * k - t.hi()).max(t.lo).max(1);
        let (mut a3, mut a4) = (0.0, 0.0);
        for r in first..k {
            let outer = p(2 * k - r);
            a3 += outer * f(r - 1) * f(r - 1);
            if r >= 2 {
                a4 += outer * p(r) * ((r - 1) as f64 * f(r - 2) - psi * f(r - 3));
            }
        }
        f(k - 1).powi(3) - a1 + a2 + a3 - a4
    }

    #[test]
    fn the_sliced_pmf_and_q3_match_the_direct_sums_bit_for_bit() {
        // Means from 1e-3 to 3,000 (tables on both sides of the
        // reciprocals' 4,096 and clipped at 0), every level of each table.
        let mut psi = 1e-3;
        while psi < 3000.0 {
            for sds in [7.0, 8.0] {
                let (lo, pmf) = poisson_pmf(psi, sds);
                let (lo_direct, pmf_direct) = poisson_pmf_direct(psi, sds);
                assert_eq!(lo, lo_direct, "psi {psi}");
                assert_eq!(pmf.len(), pmf_direct.len(), "psi {psi}");
                for (a, b) in pmf.iter().zip(&pmf_direct) {
                    assert_eq!(a.to_bits(), b.to_bits(), "psi {psi}");
                }
            }
            let table = PoissonTable::new(psi);
            for i in table.lo - 6..=table.hi() + 6 {
                // As first written: 0 below the table, its last cdf above.
                let inside = i >= table.lo && i <= table.hi();
                let at = (i - table.lo) as usize;
                let p = if inside { table.pmf[at] } else { 0.0 };
                let f = if i < table.lo {
                    0.0
                } else if inside {
                    table.cdf[at]
                } else {
                    table.cdf[table.cdf.len() - 1]
                };
                assert_eq!(table.p(i).to_bits(), p.to_bits(), "psi {psi} i {i}");
                assert_eq!(table.cdf(i).to_bits(), f.to_bits(), "psi {psi} i {i}");
            }
            for k in 1..=table.hi() + 2 {
                let (a, b) = (table.q3(k, psi), q3_direct(&table, k, psi));
                assert_eq!(a.to_bits(), b.to_bits(), "psi {psi} k {k}: {a} vs {b}");
            }
            psi *= 1.37;
        }
    }

    #[test]
    fn tables_built_in_a_dropped_tables_buffers_match_fresh_ones() {
        // Means up and down (longer and shorter tables than the buffers
        // they reuse), several tables alive at once: each table's pmf and
        // cdf bit for bit as built in fresh buffers.
        let means = [
            3000.0, 0.5, 40.0, 1e-3, 700.0, 12.0, 250.0, 2.0, 5000.0, 1.0,
        ];
        let mut alive = Vec::new();
        for (n, &psi) in means.iter().cycle().take(40).enumerate() {
            let table = PoissonTable::new(psi);
            let (lo, pmf) = poisson_pmf_direct(psi, SPREAD_SDS);
            let mut acc = 0.0;
            let cdf: Vec<f64> = pmf
                .iter()
                .map(|p| {
                    acc += p;
                    acc
                })
                .collect();
            assert_eq!(table.lo, lo, "psi {psi}");
            assert_eq!(table.pmf.len(), pmf.len(), "psi {psi}");
            assert_eq!(table.cdf.len(), cdf.len(), "psi {psi}");
            for i in 0..pmf.len() {
                assert_eq!(table.pmf[i].to_bits(), pmf[i].to_bits(), "psi {psi}");
                assert_eq!(table.cdf[i].to_bits(), cdf[i].to_bits(), "psi {psi}");
            }
            // Keep some alive a while, drop the others at once.
            if n % 3 == 0 {
                alive.push(table);
            }
            if alive.len() > 4 {
                alive.remove(0);
            }
        }
    }

    #[test]
    fn the_long_scan_skips_the_power_only_where_it_cannot_matter() {
        // Long windows' P(max < k) and slope, bit for bit as with the bound
        // `Q₂.min(F(k - 1)^d)` taken in full at every level.
        for (lambda, s, t) in [
            (0.5, 10.0, 60.0),
            (3.0, 20.0, 60.0),
            (10.0, 8.0, 8.0),
            (2.0, 30.0, 600.0),
            (50.0, 1.0, 5.0),
        ] {
            let scan = WindowScan::new(lambda, s, t);
            let ScanKind::Long {
                table,
                extra,
                disjoint_windows,
            } = &scan.kind
            else {
                panic!("λ {lambda} S {s} T {t}: not a long window");
            };
            for k in scan.lo.max(1)..=scan.hi + 2 {
                let q2 = table.q2(k, scan.psi);
                let bound = q2.min(table.cdf(k - 1).powf(*disjoint_windows));
                let q3 = table.q3(k, scan.psi);
                let expected = if bound > NEGLIGIBLE && q3 > 0.0 {
                    let ratio = (q3 / q2).min(1.0);
                    if *extra < 1.0 {
                        let (below, slope) = scan.first_windows(k, q2, ratio, *extra);
                        (below, slope / s)
                    } else {
                        let below = q2 * ratio.powf(*extra);
                        (below, below * ratio.ln() / s)
                    }
                } else {
                    (0.0, 0.0)
                };
                let got = scan.below(k);
                assert_eq!(got.0.to_bits(), expected.0.to_bits(), "λ {lambda} k {k}");
                assert_eq!(got.1.to_bits(), expected.1.to_bits(), "λ {lambda} k {k}");
            }
        }
    }

    /// Where the window reaches the service, the short form (exact) hands
    /// over to the long one with the same `P(max Q < k)` and the same
    /// slope: windows `S (1 ∓ 1e-9)` apart agree within 1e-6 relative in
    /// both, at every level with `P` between 1e-9 and 1 - 1e-9 (beyond,
    /// the slopes are rounding). (The product form's slope
    /// was 2% off at λS = 9.35, k = 9, and up to a third elsewhere.)
    #[test]
    fn the_short_and_long_scans_meet_with_one_slope_at_the_service() {
        for (lambda, s) in [(0.93465651, 10.0), (0.1, 60.0), (3.0, 2.0), (20.0, 1.0)] {
            let short = WindowScan::new(lambda, s, s * (1.0 - 1e-9));
            let long = WindowScan::new(lambda, s, s * (1.0 + 1e-9));
            assert!(matches!(short.kind, ScanKind::Short { .. }));
            assert!(matches!(long.kind, ScanKind::Long { .. }));
            for k in 1..=long.top_level() {
                let (a, da) = short.below(k);
                let (b, db) = long.below(k);
                if a.max(b) < 1e-9 || 1.0 - a.min(b) < 1e-9 {
                    continue;
                }
                assert!(
                    (a - b).abs() <= 1e-6 * a.max(b),
                    "λ {lambda} k {k}: {a} {b}"
                );
                let within = 1e-6 * da.abs().max(db.abs());
                assert!(
                    (da - db).abs() <= within,
                    "λ {lambda} k {k}: slope {da} {db}"
                );
            }
        }
    }

    #[test]
    fn two_and_three_window_forms_agree_with_simulation() {
        // Poisson points at psi per unit window on intervals of 2 and 3
        // windows; P(max < k) simulated over 40,000 intervals each, within
        // 4 standard errors (at most 0.01) of the closed forms.
        let mut rng = crate::deploy::TrialRng::seed_from_u64(7);
        let trials = 40_000;
        for psi in [1.0, 3.0] {
            let table = PoissonTable::new(psi);
            for windows in [2.0, 3.0] {
                let counts = rand_distr::Poisson::new(psi * windows).unwrap();
                let mut below = [0u32; 9];
                for _ in 0..trials {
                    let n: f64 = rand_distr::Distribution::sample(&counts, &mut rng);
                    let mut points: Vec<f64> = (0..n as usize)
                        .map(|_| rng.random::<f64>() * windows)
                        .collect();
                    let max = scan_max(&mut points);
                    for (k, b) in below.iter_mut().enumerate() {
                        if max < k as i64 {
                            *b += 1;
                        }
                    }
                }
                for (k, &count) in below.iter().enumerate().skip(1) {
                    let simulated = count as f64 / trials as f64;
                    let formula = if windows == 2.0 {
                        table.q2(k as i64, psi)
                    } else {
                        table.q3(k as i64, psi)
                    };
                    let se = (simulated * (1.0 - simulated) / trials as f64).sqrt();
                    assert!(
                        (formula - simulated).abs() <= 4.0 * se + 1e-4,
                        "psi {psi}, {windows} windows, k {k}: {formula} vs {simulated}"
                    );
                }
            }
        }
    }

    #[test]
    fn up_to_one_window_the_fleet_is_the_reflection_closed_form() {
        // T <= S: E[max Q] = λS + E[max X] for X Skellam(λT, λT), which the
        // one-request closed form gives as 2λT P0 - (1 - e^(-2λT) I₀) / 2,
        // and a request finds no idle worker with P0 = e^(-2λT) (I₀ + I₁):
        // the mean and its derivative in T, from the scan at T = S and
        // from the short-window sum below it.
        for (lambda, s) in [
            (0.01, 1.0),
            (0.1, 1.0),
            (1.0, 1.0),
            (1.0, 10.0),
            (1.0, 60.0),
            (10.0, 5.0),
        ] {
            for share in [0.05, 0.3, 0.7, 0.999, 1.0] {
                let t = share * s;
                let r = running_max(lambda, s, t);
                let x = 2.0 * lambda * t;
                let (i0, i1) = super::super::serverless::scaled_bessel_i0_i1(x);
                let closed = lambda * s + x * (i0 + i1) - 0.5 * (1.0 - i0);
                assert!(
                    (r.mean - closed).abs() < 1e-9 * closed.max(1.0),
                    "λ {lambda} S {s} T {t}: {} vs {closed}",
                    r.mean
                );
                // Exact below one window; at it, the slope of Naus's
                // product approximation, which is up to 2.4% off.
                let cold_share = i0 + i1;
                let tolerance = if share < 1.0 { 1e-9 } else { 0.03 * cold_share };
                assert!(
                    (r.growth_per_s / lambda - cold_share).abs() < tolerance,
                    "λ {lambda} S {s} T {t}: cold share {} vs {cold_share}",
                    r.growth_per_s / lambda
                );
            }
        }
    }

    #[test]
    fn below_one_window_the_tail_joins_the_scan_and_matches_simulation() {
        // Each level's P(max Q < k) meets the scan's at T = S, and its slope
        // in T meets the slope of Naus's product approximation within 4%
        // of the steepest level's (that approximation's error, 3.5% at
        // most here); below, the
        // slope is the derivative of the probability.
        for (lambda, s) in [(0.5, 10.0), (3.0, 20.0), (10.0, 8.0)] {
            let long = WindowScan::new(lambda, s, s);
            let short = WindowScan::new(lambda, s, s * (1.0 - 1e-9));
            let levels = 1..(lambda * s * 2.0) as i64 + 20;
            let steepest = levels
                .clone()
                .map(|k| long.below(k).1.abs())
                .fold(0.0, f64::max);
            for k in levels {
                let (a, da) = long.below(k);
                let (b, db) = short.below(k);
                assert!((a - b).abs() < 1e-7, "λ {lambda} S {s} k {k}: {a} vs {b}");
                assert!(
                    (da - db).abs() < 0.04 * steepest,
                    "λ {lambda} S {s} k {k}: slope {da} vs {db}"
                );
                let t = 0.4 * s;
                let h = 1e-5 * s;
                let (up, _) = WindowScan::new(lambda, s, t + h).below(k);
                let (down, _) = WindowScan::new(lambda, s, t - h).below(k);
                let (_, slope) = WindowScan::new(lambda, s, t).below(k);
                let numeric = (up - down) / (2.0 * h);
                assert!(
                    (slope - numeric).abs() < 1e-6 * (1.0 + numeric.abs() * s),
                    "λ {lambda} S {s} k {k}: slope {slope} vs {numeric}"
                );
            }
        }
        // Against simulated M/D/∞ paths: the largest occupancy over a
        // window of 0.4 S, 40,000 windows, within 4 standard errors.
        let mut rng = crate::deploy::TrialRng::seed_from_u64(11);
        let (psi, share) = (4.0, 0.4);
        let trials = 40_000;
        let counts = rand_distr::Poisson::new(psi * (1.0 + share)).unwrap();
        let mut below = [0u32; 14];
        for _ in 0..trials {
            // Arrivals on [0, 1 + share) in units of S; the window is
            // [1, 1 + share), and Q(u) counts arrivals in (u - 1, u].
            let n: f64 = rand_distr::Distribution::sample(&counts, &mut rng);
            let mut points: Vec<f64> = (0..n as usize)
                .map(|_| rng.random::<f64>() * (1.0 + share))
                .collect();
            points.sort_by(f64::total_cmp);
            let occupancy = |u: f64| points.iter().filter(|&&p| p > u - 1.0 && p <= u).count();
            // The maximum is at the window's start or at an arrival in it.
            let max = points
                .iter()
                .filter(|&&p| p >= 1.0)
                .map(|&p| occupancy(p))
                .chain([occupancy(1.0)])
                .max()
                .unwrap_or(0) as i64;
            for (k, b) in below.iter_mut().enumerate() {
                if max < k as i64 {
                    *b += 1;
                }
            }
        }
        let scan = WindowScan::new(psi, 1.0, share);
        for (k, &count) in below.iter().enumerate().skip(1) {
            let simulated = count as f64 / trials as f64;
            let (formula, _) = scan.below(k as i64);
            let se = (simulated * (1.0 - simulated) / trials as f64).sqrt();
            assert!(
                (formula - simulated).abs() <= 4.0 * se + 1e-4,
                "k {k}: {formula} vs {simulated}"
            );
        }
    }
}
