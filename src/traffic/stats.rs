//! Statistics of a traffic series: what a trace shows and what a fitted or
//! described traffic model reproduces (variability, peaks, idleness, the
//! daily rhythm, token lengths).

/// Statistics of request counts in consecutive windows.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowStats {
    /// Window length, seconds.
    pub window_s: f64,
    /// Windows counted (collection gaps left out).
    pub windows: usize,
    /// Mean requests per hour.
    pub requests_per_hour: f64,
    /// Coefficient of variation of the window counts.
    pub window_cv: f64,
    /// Largest window count over the mean one.
    pub window_peak_to_mean: f64,
    /// Share of windows with no request (fraction).
    pub idle_share: f64,
    /// Hour-level statistics, when the series covers at least a day.
    pub hourly: Option<HourlyStats>,
}

/// Statistics of hourly request counts.
#[derive(Debug, Clone, PartialEq)]
pub struct HourlyStats {
    /// Whole hours counted.
    pub hours: usize,
    /// Coefficient of variation of the hourly counts.
    pub cv: f64,
    /// Busiest hour over the mean hour.
    pub peak_to_mean: f64,
    /// Mean count of the busiest hour of the day over that of the quietest
    /// (hour 0 = midnight), when the series covers two days and no hour of
    /// the day is empty on average.
    pub diurnal_ratio: Option<f64>,
}

fn mean_cv_peak(xs: &[f64]) -> (f64, f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    let peak = xs.iter().copied().fold(0.0, f64::max);
    if mean > 0.0 {
        (mean, var.sqrt() / mean, peak / mean)
    } else {
        (0.0, 0.0, 0.0)
    }
}

impl WindowStats {
    /// Statistics of `counts` (requests per window of `window_s` seconds,
    /// the first starting at midnight; `None` = a gap). `None` if no window
    /// is known. Hourly statistics need `window_s` to divide an hour.
    pub fn of(counts: &[Option<f64>], window_s: f64) -> Option<WindowStats> {
        let known: Vec<f64> = counts.iter().flatten().copied().collect();
        if known.is_empty() {
            return None;
        }
        let (mean, cv, peak) = mean_cv_peak(&known);
        let idle = known.iter().filter(|&&c| c <= 0.0).count() as f64 / known.len() as f64;
        let per_hour = (3600.0 / window_s).round() as usize;
        let hourly = if per_hour >= 1 && (per_hour as f64 * window_s - 3600.0).abs() < 1e-6 {
            let hours: Vec<Option<f64>> = counts
                .chunks_exact(per_hour)
                .map(|c| c.iter().copied().sum::<Option<f64>>())
                .collect();
            HourlyStats::of(&hours)
        } else {
            None
        };
        Some(WindowStats {
            window_s,
            windows: known.len(),
            requests_per_hour: mean * 3600.0 / window_s,
            window_cv: cv,
            window_peak_to_mean: peak,
            idle_share: idle,
            hourly,
        })
    }
}

impl HourlyStats {
    /// Statistics of hourly counts (hour 0 = midnight; `None` = a gap);
    /// `None` under 24 known hours.
    pub fn of(hours: &[Option<f64>]) -> Option<HourlyStats> {
        let known: Vec<f64> = hours.iter().flatten().copied().collect();
        if known.len() < 24 {
            return None;
        }
        let (_, cv, peak) = mean_cv_peak(&known);
        let diurnal_ratio = (hours.len() >= 48)
            .then(|| {
                let mut sum = [0.0; 24];
                let mut n = [0usize; 24];
                for (h, c) in hours.iter().enumerate() {
                    if let Some(c) = c {
                        sum[h % 24] += c;
                        n[h % 24] += 1;
                    }
                }
                let means: Vec<f64> = (0..24)
                    .filter(|&h| n[h] > 0)
                    .map(|h| sum[h] / n[h] as f64)
                    .collect();
                let lo = means.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = means.iter().copied().fold(0.0, f64::max);
                (means.len() == 24 && lo > 0.0).then_some(hi / lo)
            })
            .flatten();
        Some(HourlyStats {
            hours: known.len(),
            cv,
            peak_to_mean: peak,
            diurnal_ratio,
        })
    }
}

/// What a scenario's traffic looks like: statistics of simulated trials,
/// averaged over them (each trial's whole horizon, minute by minute).
#[derive(Debug, Clone, PartialEq)]
pub struct TrafficSummary {
    /// Trials simulated.
    pub trials: u64,
    /// Mean requests per hour.
    pub requests_per_hour: f64,
    /// CV of per-minute counts.
    pub minute_cv: f64,
    /// CV of 10-minute counts.
    pub ten_minute_cv: f64,
    /// Share of idle 10-minute windows.
    pub idle_ten_minute: f64,
    /// CV of hourly counts.
    pub hourly_cv: f64,
    /// Busiest hour over the mean hour.
    pub hourly_peak_to_mean: f64,
    /// Busiest over quietest hour of the day, when no hour of the day is
    /// empty on average in any trial.
    pub diurnal_ratio: Option<f64>,
}

impl TrafficSummary {
    /// Summarise trials `0..trials` of scenario `s` under `seed`.
    pub fn of(s: &crate::Scenario, trials: u64, seed: u64) -> TrafficSummary {
        let mut acc = [0.0; 6];
        let mut diurnal: Option<f64> = Some(0.0);
        let mut n = 0.0;
        for trial in 0..trials {
            let p = crate::engine::draw_params(s, seed, trial);
            let minutes =
                super::simulate_windows(&s.traffic, &p, s.run.horizon_hours, 60.0, seed, trial);
            let ten: Vec<Option<f64>> = minutes
                .chunks(10)
                .map(|c| c.iter().copied().sum::<Option<f64>>())
                .collect();
            let (Some(m), Some(t)) = (
                WindowStats::of(&minutes, 60.0),
                WindowStats::of(&ten, 600.0),
            ) else {
                continue;
            };
            let h = t.hourly.clone();
            n += 1.0;
            acc[0] += m.requests_per_hour;
            acc[1] += m.window_cv;
            acc[2] += t.window_cv;
            acc[3] += t.idle_share;
            acc[4] += h.as_ref().map_or(0.0, |h| h.cv);
            acc[5] += h.as_ref().map_or(0.0, |h| h.peak_to_mean);
            diurnal = diurnal
                .zip(h.and_then(|h| h.diurnal_ratio))
                .map(|(a, d)| a + d);
        }
        let n = f64::max(n, 1.0);
        TrafficSummary {
            trials,
            requests_per_hour: acc[0] / n,
            minute_cv: acc[1] / n,
            ten_minute_cv: acc[2] / n,
            idle_ten_minute: acc[3] / n,
            hourly_cv: acc[4] / n,
            hourly_peak_to_mean: acc[5] / n,
            diurnal_ratio: diurnal.map(|d| d / n),
        }
    }
}

/// The `q` quantile (type 7) of unsorted values; `NaN` if empty.
pub fn quantile(xs: &[f64], q: f64) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    crate::analysis::quantile_sorted(&v, q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_series_has_no_variability() {
        let c = vec![Some(6.0); 24 * 6 * 3];
        let s = WindowStats::of(&c, 600.0).unwrap();
        assert_eq!(s.window_cv, 0.0);
        assert_eq!(s.requests_per_hour, 36.0);
        let h = s.hourly.unwrap();
        assert_eq!((h.hours, h.cv, h.diurnal_ratio), (72, 0.0, Some(1.0)));
    }

    #[test]
    fn gaps_are_left_out_and_idle_counted() {
        let c = vec![Some(0.0), None, Some(2.0), Some(2.0)];
        let s = WindowStats::of(&c, 60.0).unwrap();
        assert_eq!(s.windows, 3);
        assert!((s.idle_share - 1.0 / 3.0).abs() < 1e-12);
        assert!((s.window_peak_to_mean - 1.5).abs() < 1e-12);
        assert!(s.hourly.is_none());
    }
}
