//! The fast path's queue: work beyond a fleet's capacity waits as a fluid,
//! minute by minute, and carries across hours (serverless beyond
//! `max_workers`, dedicated beyond its replicas).

use super::Outcome;

/// Work queued beyond a fleet's capacity on the fast path, as a fluid. Each
/// minute the fleet, at its most workers (a serverless deployment's
/// `max_workers`, a dedicated one's replicas), does up to 60 worker-seconds
/// of work per worker; the minute's work above that waits, and the
/// backlog carries to the next minute and hour. A request waits while there is a backlog,
/// for the backlog ahead of it divided by the workers. (Queueing from
/// chance bursts above a minute's mean is not counted.)
#[derive(Debug, Default)]
pub(super) struct Backlog {
    /// Queued work, worker-seconds at full batch.
    pub(super) work_s: f64,
}

impl Backlog {
    /// One hour of `work_s` worker-seconds of work (at full batch) and
    /// `requests`, spread over its minutes by `minute_weights` (`None`:
    /// evenly), on at most `max_workers` workers (`u32::MAX`: no limit,
    /// no queue; 0: none, and the backlog stays); adds the requests that
    /// wait and their mean waits (seconds, one per minute) to `o`.
    pub(super) fn hour(
        &mut self,
        max_workers: u32,
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
        if self.work_s <= 0.0 && work_s * peak / total <= per_minute_s {
            return;
        }
        for m in 0..60 {
            let share = minute_weights.map_or(1.0, |w| w[m]) / total;
            let arriving = requests * share;
            let start = self.work_s;
            let growth = work_s * share - per_minute_s;
            // The share of the minute with a backlog, and its mean over
            // that share (linear in between).
            let (queued, mean_backlog) = if growth >= 0.0 {
                (1.0, start + growth / 2.0)
            } else if start > 0.0 {
                let t = (start / -growth).min(1.0);
                (t, start + growth * t / 2.0)
            } else {
                (0.0, 0.0)
            };
            if queued > 0.0 && mean_backlog > 0.0 && arriving > 0.0 {
                o.queue_waits += arriving * queued;
                o.waits.add(mean_backlog / workers, arriving * queued);
            }
            self.work_s = (start + growth).max(0.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_beyond_max_workers_queues_as_a_fluid_across_hours() {
        let mut backlog = Backlog::default();
        let mut o = Outcome::default();
        // Half the fleet's capacity: no queue.
        backlog.hour(2, None, 3600.0, 1000.0, &mut o);
        assert_eq!((o.queue_waits, backlog.work_s), (0.0, 0.0));
        // Twice it: every request waits, behind a backlog growing by 120
        // worker-seconds a minute (60 s a minute on 2 workers).
        backlog.hour(2, None, 4.0 * 3600.0, 3600.0, &mut o);
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
        backlog.hour(2, None, 0.0, 0.0, &mut o);
        assert_eq!(backlog.work_s, 0.0);
        backlog.work_s = 600.0;
        backlog.hour(2, Some(&[0.0; 60]), 0.0, 0.0, &mut o);
        assert_eq!(backlog.work_s, 0.0);
        // In a quiet hour after a spike, only the requests before the queue
        // drains wait: 600 worker-seconds queued, 60 spare a minute, so the
        // first 10 minutes' requests.
        backlog.work_s = 600.0;
        let before = o.queue_waits;
        backlog.hour(2, None, 3600.0, 600.0, &mut o);
        assert!((o.queue_waits - before - 100.0).abs() < 1e-9, "{o:?}");
        // No limit: no queue.
        let mut unlimited = Backlog::default();
        unlimited.hour(u32::MAX, None, 1e12, 1e6, &mut o);
        assert_eq!(unlimited.work_s, 0.0);
    }
}
