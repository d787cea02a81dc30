//! Real traces: read them, look at them through windows, and loop them over
//! a horizon.
//!
//! Three formats:
//! - `azure`: one request per row, `TIMESTAMP,ContextTokens,GeneratedTokens`
//!   with a header (Azure LLM inference traces; timestamps like
//!   `2023-11-16 18:15:46.6805900`).
//! - `servegen`: one window per row, no header,
//!   `window_start_s,rate_req_per_s,...` (ServeGen's per-client files). A
//!   folder of such files is read as their sum. Windows in which every file
//!   of the folder reads zero are collection gaps, not traffic: statistics
//!   skip them, and replay fills each with the same window a day earlier
//!   (or later).
//! - `hourly`: one hour per row with a header naming a `requests` column
//!   and, optionally, `input_tokens` and `output_tokens` (the hour's sums).
//!
//! A trace of period `P` seconds repeats every `P` seconds when replayed
//! (its time 0 is the horizon's hour 0, Monday 00:00).

use std::path::{Path, PathBuf};

use crate::error::{Error, ScenarioError};

/// The layout of a trace file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceFormat {
    /// One request per row: timestamp, input tokens, output tokens.
    Azure,
    /// One 600-second (or other fixed) window per row: start, rate in requests/s.
    ServeGen,
    /// One hour per row: requests and optional token sums.
    Hourly,
}

impl TraceFormat {
    /// The name used on the command line and in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            TraceFormat::Azure => "azure",
            TraceFormat::ServeGen => "servegen",
            TraceFormat::Hourly => "hourly",
        }
    }
    /// Parse `azure`, `servegen` or `hourly`.
    pub fn parse(s: &str) -> Option<TraceFormat> {
        match s {
            "azure" => Some(TraceFormat::Azure),
            "servegen" => Some(TraceFormat::ServeGen),
            "hourly" => Some(TraceFormat::Hourly),
            _ => None,
        }
    }
}

/// What a trace records.
#[derive(Debug, Clone)]
pub enum TraceData {
    /// Individual requests, sorted by time.
    Requests {
        /// Arrival times, seconds from the first request.
        times_s: Vec<f64>,
        /// Input (prompt) tokens of each request.
        input_tokens: Vec<f64>,
        /// Output tokens of each request.
        output_tokens: Vec<f64>,
        /// Prefix sums of input tokens (`len = requests + 1`).
        input_prefix: Vec<f64>,
        /// Prefix sums of output tokens.
        output_prefix: Vec<f64>,
    },
    /// Mean arrival rates over consecutive windows of equal length.
    Rates {
        /// Window length, seconds.
        window_s: f64,
        /// Requests per second in each window (gaps already filled).
        rates: Vec<f64>,
        /// True where the window is a collection gap.
        gap: Vec<bool>,
        /// Prefix sums of input and output tokens over windows (`len =
        /// windows + 1`), when the trace gives token sums (hourly traces
        /// with token columns).
        token_prefix: Option<(Vec<f64>, Vec<f64>)>,
        /// Prefix sums of requests (`rate * window_s`), `len = windows + 1`.
        prefix: Vec<f64>,
    },
}

/// A trace read from disk.
#[derive(Debug, Clone)]
pub struct Trace {
    /// The file or folder read.
    pub path: PathBuf,
    /// Its format.
    pub format: TraceFormat,
    /// What it records.
    pub data: TraceData,
    /// Length of one pass, seconds; replay repeats the trace with this period.
    pub period_s: f64,
    /// Collection-gap windows found (ServeGen folders only).
    pub gap_windows: usize,
}

/// Requests and token sums over a span of the looped trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpanLoad {
    /// Requests (a count for request traces, an expected count for rate traces).
    pub requests: f64,
    /// Input and output token sums, when the trace records tokens.
    pub tokens: Option<(f64, f64)>,
}

fn content_error(path: &Path, line: usize, column: usize, field: &str, msg: String) -> Error {
    Error::Scenario(ScenarioError {
        file: path.to_path_buf(),
        line,
        column,
        field: field.to_string(),
        message: msg,
    })
}

fn read_text(path: &Path) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|cause| Error::ReadInput {
        path: path.to_path_buf(),
        cause,
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|e| content_error(path, 1, 1, "(file)", format!("not UTF-8 text ({e})")))?;
    // Spreadsheets often start a CSV with a byte-order mark.
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text))
}

/// A CSV cell with its 1-based line and column, for messages.
struct Cell<'a> {
    text: &'a str,
    line: usize,
    column: usize,
}

/// Split CSV text into rows of cells (plain comma-separated values, as all
/// three formats are; quotes are stripped from whole cells).
fn rows(text: &str) -> impl Iterator<Item = (usize, Vec<Cell<'_>>)> {
    text.lines().enumerate().filter_map(|(i, line)| {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            return None;
        }
        let mut col = 1;
        let cells = line
            .split(',')
            .map(|raw| {
                let cell = Cell {
                    text: raw.trim().trim_matches('"'),
                    line: i + 1,
                    column: col,
                };
                col += raw.chars().count() + 1;
                cell
            })
            .collect();
        Some((i + 1, cells))
    })
}

/// The first row of a trace with a header; an empty trace is an error
/// saying what was `expected`.
fn header<'a>(
    path: &Path,
    rows: &mut impl Iterator<Item = (usize, Vec<Cell<'a>>)>,
    expected: &str,
) -> Result<Vec<Cell<'a>>, Error> {
    rows.next().map(|(_, cells)| cells).ok_or_else(|| {
        content_error(
            path,
            1,
            1,
            "(file)",
            format!("the trace is empty; expected {expected}"),
        )
    })
}

fn number(path: &Path, cell: &Cell<'_>, field: &str, what: &str) -> Result<f64, Error> {
    match cell.text.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(content_error(
            path,
            cell.line,
            cell.column,
            field,
            format!("\"{}\" is not {what}", cell.text),
        )),
    }
}

/// Seconds since 1970-01-01 of `YYYY-MM-DD HH:MM:SS[.fraction]` (UTC).
fn parse_timestamp(s: &str) -> Option<f64> {
    let (date, time) = s.split_once([' ', 'T'])?;
    let mut d = date.split('-');
    let y: i64 = d.next()?.parse().ok()?;
    let m: i64 = d.next()?.parse().ok()?;
    let day: i64 = d.next()?.parse().ok()?;
    if d.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let mut t = time.split(':');
    let hh: f64 = t.next()?.parse().ok()?;
    let mm: f64 = t.next()?.parse().ok()?;
    let ss: f64 = t.next()?.parse().ok()?;
    if t.next().is_some() || !(0.0..24.0).contains(&hh) || !(0.0..60.0).contains(&mm) {
        return None;
    }
    if !(0.0..61.0).contains(&ss) {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days as f64 * 86_400.0 + hh * 3600.0 + mm * 60.0 + ss)
}

fn prefix(xs: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    std::iter::once(0.0)
        .chain(xs.map(|x| {
            acc += x;
            acc
        }))
        .collect()
}

impl Trace {
    /// Read a trace; `format` `None` detects it (a folder or a headerless
    /// numeric file is ServeGen, a `TIMESTAMP` header is Azure, a
    /// `requests` header is hourly).
    pub fn load(path: &Path, format: Option<TraceFormat>) -> Result<Trace, Error> {
        let format = match format {
            Some(f) => f,
            None => detect(path)?,
        };
        let trace = match format {
            TraceFormat::Azure => read_azure(path),
            TraceFormat::ServeGen => read_servegen(path),
            TraceFormat::Hourly => read_hourly(path),
        }?;
        if trace.total_requests() <= 0.0 {
            return Err(content_error(
                path,
                1,
                1,
                "(rows)",
                "the trace has no requests (every rate or count is zero, or every window \
                 is a collection gap); a trace needs some traffic to replay or fit"
                    .to_string(),
            ));
        }
        if trace
            .tokens_per_request()
            .is_some_and(|(i, o)| i + o <= 0.0)
        {
            return Err(content_error(
                path,
                1,
                1,
                "(tokens)",
                "the token columns sum to zero; give the requests' token sums, or drop \
                 the token columns to use the scenario's distributions"
                    .to_string(),
            ));
        }
        Ok(trace)
    }

    /// Expected requests in one pass of the trace.
    pub fn total_requests(&self) -> f64 {
        match &self.data {
            TraceData::Requests { times_s, .. } => times_s.len() as f64,
            TraceData::Rates { prefix, .. } => *prefix.last().unwrap_or(&0.0),
        }
    }

    /// Mean requests per hour over one pass.
    pub fn requests_per_hour(&self) -> f64 {
        self.total_requests() / self.period_s * 3600.0
    }

    /// Mean (input, output) tokens per request, when the trace records tokens.
    pub fn tokens_per_request(&self) -> Option<(f64, f64)> {
        let span = self.span(0.0, self.period_s);
        let (i, o) = span.tokens?;
        (span.requests > 0.0).then(|| (i / span.requests, o / span.requests))
    }

    /// Per-request token lengths (request traces only).
    pub fn token_lists(&self) -> Option<(&[f64], &[f64])> {
        match &self.data {
            TraceData::Requests {
                input_tokens,
                output_tokens,
                ..
            } => Some((input_tokens, output_tokens)),
            TraceData::Rates { .. } => None,
        }
    }

    /// Requests and token sums in `[0, x)` of one pass (`0 <= x <= period`).
    fn within_pass(&self, x: f64) -> (f64, Option<(f64, f64)>) {
        match &self.data {
            TraceData::Requests {
                times_s,
                input_prefix,
                output_prefix,
                ..
            } => {
                let n = times_s.partition_point(|&t| t < x);
                (n as f64, Some((input_prefix[n], output_prefix[n])))
            }
            TraceData::Rates {
                window_s,
                rates,
                token_prefix,
                prefix,
                ..
            } => {
                let w = ((x / window_s) as usize).min(rates.len());
                let partial = if w < rates.len() {
                    rates[w] * (x - w as f64 * window_s)
                } else {
                    0.0
                };
                let tokens = token_prefix.as_ref().map(|(ip, op)| {
                    // The partial window's tokens in proportion to its requests.
                    let share = if w < rates.len() && prefix[w + 1] > prefix[w] {
                        partial / (prefix[w + 1] - prefix[w])
                    } else {
                        0.0
                    };
                    let at = |p: &Vec<f64>| {
                        p[w] + if w < rates.len() {
                            share * (p[w + 1] - p[w])
                        } else {
                            0.0
                        }
                    };
                    (at(ip), at(op))
                });
                (prefix[w] + partial, tokens)
            }
        }
    }

    /// Requests and token sums in `[0, x)` of the trace looped forever.
    fn cumulative(&self, x: f64) -> (f64, Option<(f64, f64)>) {
        let passes = (x / self.period_s).floor();
        let rest = (x - passes * self.period_s).clamp(0.0, self.period_s);
        let (n_full, t_full) = self.within_pass(self.period_s);
        let (n, t) = self.within_pass(rest);
        (
            passes * n_full + n,
            t.zip(t_full)
                .map(|((i, o), (fi, fo))| (passes * fi + i, passes * fo + o)),
        )
    }

    /// Requests and token sums in `[a, b)` seconds of the looped trace.
    pub fn span(&self, a: f64, b: f64) -> SpanLoad {
        let (na, ta) = self.cumulative(a);
        let (nb, tb) = self.cumulative(b);
        SpanLoad {
            requests: (nb - na).max(0.0),
            tokens: ta
                .zip(tb)
                .map(|((ia, oa), (ib, ob))| ((ib - ia).max(0.0), (ob - oa).max(0.0))),
        }
    }

    /// Calls `f(index, time_s)` for each request of the looped trace in
    /// `[a, b)` (request traces only; `index` is the row in one pass).
    pub fn for_each_request(&self, a: f64, b: f64, mut f: impl FnMut(usize, f64)) {
        let TraceData::Requests { times_s, .. } = &self.data else {
            return;
        };
        let mut pass = (a / self.period_s).floor();
        loop {
            let base = pass * self.period_s;
            if base >= b {
                break;
            }
            let from = times_s.partition_point(|&t| t + base < a);
            for (i, &t) in times_s.iter().enumerate().skip(from) {
                if t + base >= b {
                    break;
                }
                f(i, t + base);
            }
            pass += 1.0;
        }
    }

    /// Request counts in consecutive windows of `window_s` seconds over one
    /// pass (whole windows only); `None` marks a window that overlaps a
    /// collection gap. For rate traces the count is rate × window.
    pub fn window_counts(&self, window_s: f64) -> Vec<Option<f64>> {
        let n = (self.period_s / window_s + 1e-9).floor() as usize;
        (0..n)
            .map(|k| {
                let (a, b) = (k as f64 * window_s, (k + 1) as f64 * window_s);
                if let TraceData::Rates {
                    window_s: w, gap, ..
                } = &self.data
                {
                    let first = (a / w + 1e-9).floor() as usize;
                    let last = ((b / w - 1e-9).ceil() as usize).min(gap.len());
                    if gap[first.min(gap.len() - 1)..last].iter().any(|&g| g) {
                        return None;
                    }
                }
                Some(self.span(a, b).requests)
            })
            .collect()
    }

    /// The native resolution for statistics: a minute for request traces,
    /// the window for rate traces.
    pub fn natural_window_s(&self) -> f64 {
        match &self.data {
            TraceData::Requests { .. } => 60.0,
            TraceData::Rates { window_s, .. } => *window_s,
        }
    }
}

fn detect(path: &Path) -> Result<TraceFormat, Error> {
    if path.is_dir() {
        return Ok(TraceFormat::ServeGen);
    }
    let text = read_text(path)?;
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let lower = first.to_ascii_lowercase();
    if lower.contains("timestamp") {
        Ok(TraceFormat::Azure)
    } else if lower
        .split(',')
        .any(|c| c.trim().trim_matches('"') == "requests")
    {
        Ok(TraceFormat::Hourly)
    } else if first
        .split(',')
        .next()
        .is_some_and(|c| c.trim().parse::<f64>().is_ok())
    {
        Ok(TraceFormat::ServeGen)
    } else {
        Err(content_error(
            path,
            1,
            1,
            "(format)",
            "cannot tell the trace format from the first line; give --format azure \
             (TIMESTAMP,ContextTokens,GeneratedTokens), servegen (window_start_s,rate,...) \
             or hourly (a header with a `requests` column)"
                .to_string(),
        ))
    }
}

fn read_azure(path: &Path) -> Result<Trace, Error> {
    let text = read_text(path)?;
    let mut it = rows(&text);
    let header = header(
        path,
        &mut it,
        "a header TIMESTAMP,ContextTokens,GeneratedTokens and one request per row",
    )?;
    let find = |names: &[&str]| {
        header
            .iter()
            .position(|c| names.iter().any(|n| c.text.eq_ignore_ascii_case(n)))
    };
    let (Some(ti), Some(ii), Some(oi)) = (
        find(&["TIMESTAMP"]),
        find(&["ContextTokens", "input_tokens"]),
        find(&["GeneratedTokens", "output_tokens"]),
    ) else {
        return Err(content_error(
            path,
            1,
            1,
            "(header)",
            "expected the columns TIMESTAMP, ContextTokens and GeneratedTokens".to_string(),
        ));
    };
    let mut reqs: Vec<(f64, f64, f64)> = Vec::new();
    for (line, cells) in it {
        let need = ti.max(ii).max(oi) + 1;
        if cells.len() < need {
            return Err(content_error(
                path,
                line,
                1,
                "(row)",
                format!("{} value(s); expected {need} columns", cells.len()),
            ));
        }
        let t = parse_timestamp(cells[ti].text).ok_or_else(|| {
            content_error(
                path,
                line,
                cells[ti].column,
                "TIMESTAMP",
                format!(
                    "\"{}\" is not a timestamp like 2023-11-16 18:15:46.68",
                    cells[ti].text
                ),
            )
        })?;
        let i = number(path, &cells[ii], "ContextTokens", "a token count >= 0")?;
        let o = number(path, &cells[oi], "GeneratedTokens", "a token count >= 0")?;
        reqs.push((t, i, o));
    }
    if reqs.len() < 2 {
        return Err(content_error(
            path,
            2,
            1,
            "(rows)",
            format!("{} request(s); a trace needs at least 2", reqs.len()),
        ));
    }
    reqs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let t0 = reqs[0].0;
    let span = reqs[reqs.len() - 1].0 - t0;
    if span <= 0.0 {
        return Err(content_error(
            path,
            2,
            1,
            "TIMESTAMP",
            "every request has the same timestamp; the trace spans no time".to_string(),
        ));
    }
    // One pass lasts the span plus one mean gap, so the loop does not put
    // the last and first requests on top of each other.
    let period_s = span + span / (reqs.len() - 1) as f64;
    let times_s: Vec<f64> = reqs.iter().map(|r| r.0 - t0).collect();
    let input_tokens: Vec<f64> = reqs.iter().map(|r| r.1).collect();
    let output_tokens: Vec<f64> = reqs.iter().map(|r| r.2).collect();
    Ok(Trace {
        path: path.to_path_buf(),
        format: TraceFormat::Azure,
        data: TraceData::Requests {
            input_prefix: prefix(input_tokens.iter().copied()),
            output_prefix: prefix(output_tokens.iter().copied()),
            times_s,
            input_tokens,
            output_tokens,
        },
        period_s,
        gap_windows: 0,
    })
}

/// One ServeGen file: (window start, rate) rows.
fn read_servegen_file(path: &Path) -> Result<Vec<(f64, f64)>, Error> {
    let text = read_text(path)?;
    let mut out: Vec<(f64, f64)> = Vec::new();
    for (line, cells) in rows(&text) {
        if cells.len() < 2 {
            return Err(content_error(
                path,
                line,
                1,
                "(row)",
                "expected window_start_s,rate_req_per_s[,...]".to_string(),
            ));
        }
        let start = number(path, &cells[0], "window_start_s", "a time in seconds >= 0")?;
        let rate = number(
            path,
            &cells[1],
            "rate_req_per_s",
            "a rate in requests/s >= 0",
        )?;
        if let Some(&(prev, _)) = out.last() {
            let step = out.get(1).map(|w| w.0 - out[0].0).unwrap_or(start - prev);
            if start <= prev || (out.len() >= 2 && ((start - prev) - step).abs() > 1e-6) {
                return Err(content_error(
                    path,
                    line,
                    cells[0].column,
                    "window_start_s",
                    format!(
                        "window starts must rise in equal steps; {} follows {}",
                        cells[0].text, prev
                    ),
                ));
            }
        }
        out.push((start, rate));
    }
    if out.len() < 2 {
        return Err(content_error(
            path,
            1,
            1,
            "(rows)",
            format!("{} window(s); a trace needs at least 2", out.len()),
        ));
    }
    Ok(out)
}

fn servegen_siblings(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let entries = std::fs::read_dir(dir).map_err(|cause| Error::ReadInput {
        path: dir.to_path_buf(),
        cause,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    Ok(files)
}

fn read_servegen(path: &Path) -> Result<Trace, Error> {
    let (own, siblings): (Vec<(f64, f64)>, Vec<PathBuf>) = if path.is_dir() {
        let files = servegen_siblings(path)?;
        if files.is_empty() {
            return Err(content_error(
                path,
                1,
                1,
                "(folder)",
                "no .csv files in the folder; expected ServeGen chunk-N-trace.csv files"
                    .to_string(),
            ));
        }
        let mut sum: Vec<(f64, f64)> = Vec::new();
        for f in &files {
            let w = read_servegen_file(f)?;
            if sum.is_empty() {
                sum = w;
            } else if w.len() != sum.len() || w[0].0 != sum[0].0 {
                return Err(content_error(
                    f,
                    1,
                    1,
                    "(rows)",
                    format!(
                        "{} windows from {}; the folder's other files have {} from {}",
                        w.len(),
                        w[0].0,
                        sum.len(),
                        sum[0].0
                    ),
                ));
            } else {
                for (s, x) in sum.iter_mut().zip(&w) {
                    s.1 += x.1;
                }
            }
        }
        (sum.clone(), files)
    } else {
        let own = read_servegen_file(path)?;
        let siblings = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => servegen_siblings(dir)?,
            _ => servegen_siblings(Path::new("."))?,
        };
        (own, siblings)
    };
    let window_s = own[1].0 - own[0].0;
    // Collection gaps: windows where every file of the folder reads zero.
    // A lone file (no siblings of the same length) has none we can tell.
    let mut all_zero = vec![true; own.len()];
    let mut siblings_read = 0;
    for f in &siblings {
        let Ok(w) = read_servegen_file(f) else {
            continue;
        };
        if w.len() != own.len() || w[0].0 != own[0].0 {
            continue;
        }
        siblings_read += 1;
        for (z, x) in all_zero.iter_mut().zip(&w) {
            *z &= x.1 == 0.0;
        }
    }
    let gap: Vec<bool> = if siblings_read >= 2 {
        all_zero
    } else {
        vec![false; own.len()]
    };
    let rates = fill_gaps(&own.iter().map(|w| w.1).collect::<Vec<_>>(), &gap, window_s);
    let gap_windows = gap.iter().filter(|&&g| g).count();
    let prefix = prefix(rates.iter().map(|r| r * window_s));
    Ok(Trace {
        path: path.to_path_buf(),
        format: TraceFormat::ServeGen,
        period_s: window_s * rates.len() as f64,
        data: TraceData::Rates {
            window_s,
            rates,
            gap,
            token_prefix: None,
            prefix,
        },
        gap_windows,
    })
}

/// Replace each gap window's rate by the same window a day earlier (or
/// later), else by the mean of the other windows.
fn fill_gaps(rates: &[f64], gap: &[bool], window_s: f64) -> Vec<f64> {
    let day = (86_400.0 / window_s).round() as usize;
    let known: Vec<f64> = rates
        .iter()
        .zip(gap)
        .filter(|(_, g)| !**g)
        .map(|(r, _)| *r)
        .collect();
    let mean = if known.is_empty() {
        0.0
    } else {
        known.iter().sum::<f64>() / known.len() as f64
    };
    (0..rates.len())
        .map(|i| {
            if !gap[i] {
                return rates[i];
            }
            let mut k = 1;
            while day > 0 && (k * day <= i || i + k * day < rates.len()) {
                if k * day <= i && !gap[i - k * day] {
                    return rates[i - k * day];
                }
                if i + k * day < rates.len() && !gap[i + k * day] {
                    return rates[i + k * day];
                }
                k += 1;
            }
            mean
        })
        .collect()
}

fn read_hourly(path: &Path) -> Result<Trace, Error> {
    let text = read_text(path)?;
    let mut it = rows(&text);
    let header = header(
        path,
        &mut it,
        "a header with a `requests` column and one row per hour",
    )?;
    let find = |n: &str| header.iter().position(|c| c.text.eq_ignore_ascii_case(n));
    let Some(ri) = find("requests") else {
        return Err(content_error(
            path,
            1,
            1,
            "(header)",
            "expected a `requests` column (and optionally input_tokens, output_tokens)".to_string(),
        ));
    };
    let (ii, oi) = (find("input_tokens"), find("output_tokens"));
    if ii.is_some() != oi.is_some() {
        return Err(content_error(
            path,
            1,
            1,
            "(header)",
            "give both input_tokens and output_tokens columns, or neither".to_string(),
        ));
    }
    let mut rates = Vec::new();
    let mut tokens: Vec<(f64, f64)> = Vec::new();
    for (line, cells) in it {
        let need = ri.max(ii.unwrap_or(0)).max(oi.unwrap_or(0)) + 1;
        if cells.len() < need {
            return Err(content_error(
                path,
                line,
                1,
                "(row)",
                format!("{} value(s); expected {need} columns", cells.len()),
            ));
        }
        let r = number(path, &cells[ri], "requests", "a request count >= 0")?;
        rates.push(r / 3600.0);
        if let (Some(ii), Some(oi)) = (ii, oi) {
            let i = number(path, &cells[ii], "input_tokens", "a token sum >= 0")?;
            let o = number(path, &cells[oi], "output_tokens", "a token sum >= 0")?;
            tokens.push((i, o));
        }
    }
    if rates.is_empty() || rates.iter().all(|&r| r == 0.0) {
        return Err(content_error(
            path,
            2,
            1,
            "requests",
            "the trace has no requests; expected at least one hour with requests > 0".to_string(),
        ));
    }
    let token_prefix = ii.map(|_| {
        (
            prefix(tokens.iter().map(|t| t.0)),
            prefix(tokens.iter().map(|t| t.1)),
        )
    });
    let prefix = prefix(rates.iter().map(|r| r * 3600.0));
    Ok(Trace {
        path: path.to_path_buf(),
        format: TraceFormat::Hourly,
        period_s: 3600.0 * rates.len() as f64,
        data: TraceData::Rates {
            window_s: 3600.0,
            gap: vec![false; rates.len()],
            rates,
            token_prefix,
            prefix,
        },
        gap_windows: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_parse_to_epoch_seconds() {
        assert_eq!(parse_timestamp("1970-01-01 00:00:00"), Some(0.0));
        let t = parse_timestamp("2023-11-16 18:15:46.6805900").unwrap();
        assert!((t - 1_700_158_546.680_59).abs() < 1e-4);
        assert_eq!(parse_timestamp("2023-13-01 00:00:00"), None);
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    #[test]
    fn looped_spans_add_up() {
        let times = vec![0.0, 10.0, 20.0, 30.0];
        let t = Trace {
            path: PathBuf::from("x"),
            format: TraceFormat::Azure,
            data: TraceData::Requests {
                input_prefix: prefix([1.0, 2.0, 3.0, 4.0].into_iter()),
                output_prefix: prefix([1.0; 4].into_iter()),
                times_s: times,
                input_tokens: vec![1.0, 2.0, 3.0, 4.0],
                output_tokens: vec![1.0; 4],
            },
            period_s: 40.0,
            gap_windows: 0,
        };
        // Two passes and a bit: [0, 95) holds 4 + 4 + 2 requests.
        let s = t.span(0.0, 95.0);
        assert_eq!(s.requests, 10.0);
        assert_eq!(
            s.tokens,
            Some((1.0 + 2.0 + 3.0 + 4.0) * 2.0 + 3.0).zip(Some(10.0))
        );
        let mut seen = Vec::new();
        t.for_each_request(35.0, 85.0, |i, at| seen.push((i, at)));
        assert_eq!(
            seen,
            vec![(0, 40.0), (1, 50.0), (2, 60.0), (3, 70.0), (0, 80.0)]
        );
    }

    #[test]
    fn hourly_token_sums_split_with_the_requests() {
        let rates = vec![10.0 / 3600.0, 20.0 / 3600.0];
        let t = Trace {
            path: PathBuf::from("h"),
            format: TraceFormat::Hourly,
            data: TraceData::Rates {
                window_s: 3600.0,
                prefix: prefix(rates.iter().map(|r| r * 3600.0)),
                gap: vec![false; 2],
                rates,
                token_prefix: Some((
                    prefix([1000.0, 4000.0].into_iter()),
                    prefix([200.0, 400.0].into_iter()),
                )),
            },
            period_s: 7200.0,
            gap_windows: 0,
        };
        // Half of hour 1 and all of the looped hour 0 after it.
        let s = t.span(5400.0, 10_800.0);
        assert!((s.requests - 20.0).abs() < 1e-9);
        let (i, o) = s.tokens.unwrap();
        assert!((i - 3000.0).abs() < 1e-9 && (o - 400.0).abs() < 1e-9);
        assert_eq!(t.tokens_per_request(), Some((5000.0 / 30.0, 600.0 / 30.0)));
    }

    #[test]
    fn gaps_take_the_same_window_a_day_away() {
        let w = 43_200.0; // two windows a day
        let rates = [1.0, 2.0, 0.0, 4.0, 5.0, 6.0];
        let gap = [false, false, true, false, false, false];
        assert_eq!(
            fill_gaps(&rates, &gap, w),
            vec![1.0, 2.0, 1.0, 4.0, 5.0, 6.0]
        );
    }
}
