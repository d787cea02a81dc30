//! SVG plots of a run: cost ECDFs, P(cheaper) against volume, tornado
//! charts and hourly traffic.
//!
//! Each function turns plain data into a self-contained SVG document (a
//! `String` starting with `<svg`) drawn by `plotters` with its SVG backend
//! only: text is emitted as `<text>` elements in the generic `sans-serif`
//! family, so the output needs no font file and no network. Money is in USD,
//! volumes in whatever unit the caller names (e.g. tokens per month), time in
//! hours. Non-finite values are skipped, as are non-positive values on a log
//! axis; degenerate ranges are widened. Nothing here panics or prints: every
//! drawing failure becomes [`Error::Plot`] naming the plot's file.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{Error, Result};

/// File name reported in errors from [`cost_ecdf_svg`].
const ECDF_FILE: &str = "cost_ecdf.svg";
/// File name reported in errors from [`probability_vs_volume_svg`].
const PROBABILITY_FILE: &str = "probability_vs_volume.svg";
/// File name reported in errors from [`tornado_svg`].
const TORNADO_FILE: &str = "tornado.svg";
/// File name reported in errors from [`traffic_svg`].
const TRAFFIC_FILE: &str = "traffic.svg";

/// Width of every plot, px.
const WIDTH: u32 = 800;
/// Height of the fixed-size plots, px.
const HEIGHT: u32 = 480;
/// Tallest tornado, px (about 2,100 bars).
const MAX_HEIGHT: u32 = 60_000;

/// Okabe–Ito colours, ordered so the first few are the most distinct lines
/// on white (yellow, the weakest, comes last).
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
    RGBColor(0xF0, 0xE4, 0x42), // yellow
];
/// Tornado colour for the part of a bar where the input is at its p5.
const P5_COLOUR: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
/// Tornado colour for the part of a bar where the input is at its p95.
const P95_COLOUR: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
/// Text colour.
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Axis line colour.
const AXIS_INK: RGBColor = RGBColor(0x55, 0x55, 0x55);

const FONT: &str = "sans-serif";
/// plotters' text sizes; the SVG gets `font-size` = size / 1.24 px.
const TITLE_SIZE: f64 = 22.0;
const DESC_SIZE: f64 = 16.0;
const TICK_SIZE: f64 = 15.0;
const LEGEND_SIZE: f64 = 16.0;
const NOTE_SIZE: f64 = 14.0;
/// Estimated width of one character of tick or legend text, px (about
/// 0.55 em of a 12.9 px sans-serif face, rounded up).
const CHAR_PX: f64 = 7.0;

/// Colour of series `i`: the palette, cycled.
fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// One deployment's per-trial costs (USD over the horizon), any order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostSeries<'a> {
    /// The deployment's name, shown in the legend.
    pub name: &'a str,
    /// Cost of each trial over the horizon, USD; non-finite values are skipped.
    pub costs_usd: &'a [f64],
}

/// ECDF of each deployment's cost, overlaid, one coloured line each, with a
/// legend; x axis "cost over the horizon (USD)", y axis "share of trials at
/// or below". Uses a log x axis when max/min of the positive costs exceeds
/// 50 (skipping costs ≤ 0 there, though they still count in the share), a
/// linear one otherwise. `title` is drawn on top. An 800×480 px SVG;
/// errors name `cost_ecdf.svg`.
pub fn cost_ecdf_svg(title: &str, series: &[CostSeries<'_>]) -> Result<String> {
    let sorted: Vec<Vec<f64>> = series
        .iter()
        .map(|s| {
            let mut v: Vec<f64> = s
                .costs_usd
                .iter()
                .copied()
                .filter(|c| c.is_finite())
                .collect();
            v.sort_by(f64::total_cmp);
            v
        })
        .collect();
    let all = || sorted.iter().flatten().copied();
    let positive = min_max(all().filter(|&c| c > 0.0));
    let log = matches!(positive, Some((lo, hi)) if hi / lo > 50.0);
    let x = match (log, positive) {
        (true, Some((lo, hi))) => Axis::log(lo, hi, NumStyle::Usd),
        _ => {
            let (lo, hi) = min_max(all()).unwrap_or((0.0, 1.0));
            Axis::linear(lo, hi, 7, NumStyle::Usd, true)
        }
    };
    let y = Axis::unit(NumStyle::Percent);
    let legend = series
        .iter()
        .enumerate()
        .map(|(i, s)| LegendEntry {
            label: s.name.to_string(),
            symbol: Symbol::Line(colour(i)),
        })
        .collect();
    let frame = Frame {
        file: ECDF_FILE,
        title,
        size: (WIDTH, HEIGHT),
        x_desc: Some("cost over the horizon (USD)"),
        y_desc: Some("share of trials at or below"),
        y_mesh: true,
        legend,
        x,
        y,
    };
    render(&frame, |chart, frame| {
        for (i, values) in sorted.iter().enumerate() {
            let points = ecdf_points(values, &frame.x);
            if points.len() >= 2 {
                let style = colour(i).stroke_width(2);
                chart
                    .plotting_area()
                    .draw(&PathElement::new(points, style))?;
            }
        }
        Ok(())
    })
}

/// The step line of one sorted ECDF in plot coordinates, from the left edge
/// of `x` to its right edge. Long series are thinned to about 1000 steps.
fn ecdf_points(sorted: &[f64], x: &Axis) -> Vec<(f64, f64)> {
    let n = sorted.len();
    if n == 0 {
        return Vec::new();
    }
    let nf = n as f64;
    let stride = n.div_ceil(1000).max(1);
    let mut points = Vec::new();
    let mut prev_y: Option<f64> = None;
    for (i, &v) in sorted.iter().enumerate() {
        let last_of_run = i + 1 == n || sorted.get(i + 1) != Some(&v);
        if !(last_of_run && (i % stride == stride - 1 || i + 1 == n)) {
            continue;
        }
        let Some(px) = x.to_plot(v) else { continue };
        let y = (i + 1) as f64 / nf;
        let y0 = match prev_y {
            Some(y0) => y0,
            None => {
                // Share of trials left of the first drawn point (costs <= 0
                // on a log axis, or the thinned-away first steps).
                let below = sorted.partition_point(|&c| x.to_plot(c).is_none_or(|p| p < px));
                let y0 = below as f64 / nf;
                points.push((x.lo, y0));
                y0
            }
        };
        points.push((px, y0));
        points.push((px, y));
        prev_y = Some(y);
    }
    if let Some(y) = prev_y {
        points.push((x.hi, y));
    }
    points
}

/// One pair's probability curve over volume.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbabilityCurve {
    /// Legend label, e.g. `"open-api cheaper than a100x2-dedicated"`.
    pub label: String,
    /// Volumes, in the caller's unit (e.g. tokens per month); > 0 to be drawn.
    pub volumes: Vec<f64>,
    /// Probability (0..1) at each volume.
    pub p: Vec<f64>,
    /// Lower end of the 95% interval of `p` at each volume (0..1).
    pub ci_low: Vec<f64>,
    /// Upper end of the 95% interval of `p` at each volume (0..1).
    pub ci_high: Vec<f64>,
}

/// A shaded break-even band for one pair: volume p5 .. p95 and the median
/// (drawn as a dashed vertical line), in the same unit as the volumes.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakEvenBand {
    /// The pair; a band whose label equals a curve's label takes its colour,
    /// others get palette colours after the curves'.
    pub label: String,
    /// 5th percentile of the break-even volume (volume unit); -inf or <= 0
    /// clips to the left edge of the axis.
    pub p5: f64,
    /// Median break-even volume (volume unit); not drawn unless finite and in range.
    pub p50: f64,
    /// 95th percentile of the break-even volume (volume unit); +inf clips
    /// to the right edge of the axis.
    pub p95: f64,
}

/// P(cheaper) against monthly volume: log x axis labelled `volume_label`
/// (e.g. "tokens per month") spanning the curves' volumes (the bands' when
/// there are no curves), y from 0 to 1 labelled "probability"; each curve a
/// line with markers and its 95% interval as a light ribbon in the same
/// colour; each band shaded as a translucent vertical rectangle across the
/// full y range (ends clipped to the axis, a band with a NaN end or
/// wholly outside the axis is skipped) with its median as a dashed line; a
/// dotted line at 0.5; legend. An 800×480 px SVG; errors name
/// `probability_vs_volume.svg`.
pub fn probability_vs_volume_svg(
    title: &str,
    volume_label: &str,
    curves: &[ProbabilityCurve],
    bands: &[BreakEvenBand],
) -> Result<String> {
    let curve_volumes = curves
        .iter()
        .flat_map(|c| c.volumes.iter().copied())
        .filter(|&v| v.is_finite() && v > 0.0);
    let x = match min_max(curve_volumes).or_else(|| {
        min_max(
            bands
                .iter()
                .flat_map(|b| [b.p5, b.p50, b.p95])
                .filter(|&v| v.is_finite() && v > 0.0),
        )
    }) {
        Some((lo, hi)) => Axis::log(lo, hi, NumStyle::Plain),
        None => Axis::log(1.0, 10.0, NumStyle::Plain),
    };
    let y = Axis::unit(NumStyle::Plain);

    let band_colour = |i: usize, b: &BreakEvenBand| {
        curves
            .iter()
            .position(|c| c.label == b.label)
            .map_or(colour(curves.len() + i), colour)
    };
    let mut legend: Vec<LegendEntry> = curves
        .iter()
        .enumerate()
        .map(|(i, c)| LegendEntry {
            label: c.label.clone(),
            symbol: Symbol::LineRibbon(colour(i)),
        })
        .collect();
    if !bands.is_empty() {
        if bands
            .iter()
            .all(|b| curves.iter().any(|c| c.label == b.label))
        {
            legend.push(LegendEntry {
                label: "break-even volume p5–p95, dashed: median".to_string(),
                symbol: Symbol::Band(RGBColor(0x77, 0x77, 0x77)),
            });
        } else {
            for (i, b) in bands.iter().enumerate() {
                legend.push(LegendEntry {
                    label: format!("{}: break-even p5–p95", b.label),
                    symbol: Symbol::Band(band_colour(i, b)),
                });
            }
        }
    }

    let frame = Frame {
        file: PROBABILITY_FILE,
        title,
        size: (WIDTH, HEIGHT),
        x_desc: Some(volume_label),
        y_desc: Some("probability"),
        y_mesh: true,
        legend,
        x,
        y,
    };
    render(&frame, |chart, frame| {
        let (x, y) = (&frame.x, &frame.y);
        let area = chart.plotting_area();
        for (i, b) in bands.iter().enumerate() {
            let c = band_colour(i, b);
            if let Some((lo, hi)) = band_span(b, x) {
                let rect = Rectangle::new([(lo, y.lo), (hi, y.hi)], c.mix(0.13).filled());
                area.draw(&rect)?;
            }
            if let Some(m) = x.to_plot(b.p50).filter(|m| x.contains(*m)) {
                let line = DashedPathElement::new(
                    vec![(m, y.lo), (m, y.hi)],
                    6,
                    4,
                    c.mix(0.9).stroke_width(2),
                );
                area.draw(&line)?;
            }
        }
        let half = DashedPathElement::new(
            vec![(x.lo, 0.5), (x.hi, 0.5)],
            2,
            4,
            RGBColor(0x44, 0x44, 0x44).stroke_width(1),
        );
        area.draw(&half)?;
        for (i, c) in curves.iter().enumerate() {
            let col = colour(i);
            let mut pts: Vec<(f64, f64, f64, f64)> = c
                .volumes
                .iter()
                .zip(&c.p)
                .enumerate()
                .filter_map(|(j, (&v, &p))| {
                    let px = x.to_plot(v)?;
                    if !p.is_finite() {
                        return None;
                    }
                    let p = p.clamp(0.0, 1.0);
                    let lo = c.ci_low.get(j).copied().filter(|l| l.is_finite());
                    let hi = c.ci_high.get(j).copied().filter(|h| h.is_finite());
                    let lo = lo.unwrap_or(p).clamp(0.0, 1.0);
                    let hi = hi.unwrap_or(p).clamp(0.0, 1.0);
                    Some((px, p, lo.min(hi), hi.max(lo)))
                })
                .collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            if pts.len() >= 2 {
                let ribbon: Vec<(f64, f64)> = pts
                    .iter()
                    .map(|&(v, _, _, hi)| (v, hi))
                    .chain(pts.iter().rev().map(|&(v, _, lo, _)| (v, lo)))
                    .collect();
                area.draw(&Polygon::new(ribbon, col.mix(0.18).filled()))?;
                let line: Vec<(f64, f64)> = pts.iter().map(|&(v, p, _, _)| (v, p)).collect();
                area.draw(&PathElement::new(line, col.stroke_width(2)))?;
            }
            for &(v, p, _, _) in &pts {
                area.draw(&Circle::new((v, p), 3, col.filled()))?;
            }
        }
        Ok(())
    })
}

/// The band's p5..p95 in plot coordinates, clipped to the axis; `None` when
/// an end is NaN or the band misses the axis.
fn band_span(b: &BreakEvenBand, x: &Axis) -> Option<(f64, f64)> {
    if b.p5.is_nan() || b.p95.is_nan() {
        return None;
    }
    let (a, c) = if b.p5 <= b.p95 {
        (b.p5, b.p95)
    } else {
        (b.p95, b.p5)
    };
    let end = |v: f64| {
        if v <= 0.0 {
            f64::NEG_INFINITY
        } else if v.is_infinite() {
            f64::INFINITY
        } else {
            v.log10()
        }
    };
    let lo = end(a).max(x.lo);
    let hi = end(c).min(x.hi);
    (lo < hi).then_some((lo, hi))
}

/// One input's bar in a tornado: the output at the input's p5 and at its p95
/// (others at their medians).
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoBar {
    /// The input's name, e.g. `"a100x2-dedicated.gpu_hour_usd"` (y-axis label).
    pub input: String,
    /// The output (output unit, e.g. USD) with this input at its p5.
    pub at_low: f64,
    /// The output (output unit, e.g. USD) with this input at its p95.
    pub at_high: f64,
    /// The input's p5, in the input's own unit (written at the bar's end).
    pub low_input: f64,
    /// The input's p95, in the input's own unit (written at the bar's end).
    pub high_input: f64,
}

/// Tornado: horizontal bars, one per input in the given order (top = first),
/// each spanning `at_low`..`at_high` around a vertical line at `base` (the
/// output with every input at its median, output unit); the part for the
/// p5 end and the p95 end are coloured differently (legend "input at p5",
/// "input at p95"), and each end is labelled with the input's value there.
/// y-axis labels are the input names (names over ~45 characters are
/// shortened in the middle with "…"); x axis labelled `output_label`.
/// 800 px wide, 151 + 28 px per bar high (at least 200 px); errors name
/// `tornado.svg`.
pub fn tornado_svg(
    title: &str,
    output_label: &str,
    base: f64,
    bars: &[TornadoBar],
) -> Result<String> {
    let n = bars.len();
    let per_bar = u32::try_from(n).unwrap_or(u32::MAX).saturating_mul(28);
    let height = per_bar.saturating_add(151).clamp(200, MAX_HEIGHT);
    let values = bars
        .iter()
        .flat_map(|b| [b.at_low, b.at_high])
        .chain(std::iter::once(base))
        .filter(|v| v.is_finite());
    let (lo, hi) = widen(min_max(values).unwrap_or((0.0, 1.0)));
    // Room beyond the bar ends for the input values written there.
    let pad = (hi - lo) * 0.14;
    let x = Axis::linear(lo - pad, hi + pad, 7, NumStyle::Plain, true);
    let max_chars = (((WIDTH as f64 * 0.42) - 24.0) / CHAR_PX) as usize;
    let names: Vec<String> = bars.iter().map(|b| shorten(&b.input, max_chars)).collect();
    let y = Axis::categories(&names);
    let mut legend = vec![
        LegendEntry {
            label: "input at p5".to_string(),
            symbol: Symbol::Swatch(P5_COLOUR),
        },
        LegendEntry {
            label: "input at p95".to_string(),
            symbol: Symbol::Swatch(P95_COLOUR),
        },
    ];
    if base.is_finite() {
        legend.push(LegendEntry {
            label: format!("all inputs at median: {}", fmt_sig(base, NumStyle::Plain)),
            symbol: Symbol::Line(BLACK),
        });
    }
    let frame = Frame {
        file: TORNADO_FILE,
        title,
        size: (WIDTH, height),
        x_desc: Some(output_label),
        y_desc: None,
        y_mesh: false,
        legend,
        x,
        y,
    };
    render(&frame, |chart, frame| {
        let area = chart.plotting_area();
        let note = TextStyle::from((FONT, NOTE_SIZE).into_font()).color(&INK);
        let px = |v: f64| chart.backend_coord(&(v, 0.0)).0;
        let label = |at: f64, yc: f64, text: String| {
            let (dx, h) = if at >= base {
                (4, HPos::Left)
            } else {
                (-4, HPos::Right)
            };
            EmptyElement::at((at, yc))
                + Text::new(text, (dx, 0), note.pos(Pos::new(h, VPos::Center)))
        };
        for (i, b) in bars.iter().enumerate() {
            if !base.is_finite() {
                break;
            }
            let yc = (n - 1 - i) as f64;
            let mut parts: Vec<(f64, f64, RGBColor)> = [
                (b.at_low, b.low_input, P5_COLOUR),
                (b.at_high, b.high_input, P95_COLOUR),
            ]
            .into_iter()
            .filter(|p| p.0.is_finite())
            .collect();
            // The longer part first so a shorter one on the same side shows.
            parts.sort_by(|a, c| (c.0 - base).abs().total_cmp(&(a.0 - base).abs()));
            for &(end, _, col) in &parts {
                let rect = Rectangle::new([(base, yc - 0.34), (end, yc + 0.34)], col.filled());
                area.draw(&rect)?;
            }
            let value = |v: f64| v.is_finite().then(|| fmt_sig(v, NumStyle::Plain));
            match parts[..] {
                [(outer, _, _), (inner, inner_input, _)] if (outer >= base) == (inner >= base) => {
                    // Both ends on one side: the inner label sits over the
                    // longer bar when there is room, else one joint label.
                    let inner_text = value(inner_input).unwrap_or_default();
                    let need = inner_text.chars().count() as f64 * CHAR_PX * 0.9 + 10.0;
                    if f64::from((px(outer) - px(inner)).abs()) >= need {
                        for &(end, input, _) in &parts {
                            if let Some(t) = value(input) {
                                area.draw(&label(end, yc, t))?;
                            }
                        }
                    } else {
                        let joint: Vec<String> = [("p5", b.low_input), ("p95", b.high_input)]
                            .into_iter()
                            .filter_map(|(tag, v)| value(v).map(|t| format!("{tag} {t}")))
                            .collect();
                        if !joint.is_empty() {
                            area.draw(&label(outer, yc, joint.join(" · ")))?;
                        }
                    }
                }
                _ => {
                    for &(end, input, _) in &parts {
                        if let Some(t) = value(input) {
                            area.draw(&label(end, yc, t))?;
                        }
                    }
                }
            }
        }
        if base.is_finite() {
            let line = PathElement::new(
                vec![(base, frame.y.lo), (base, frame.y.hi)],
                BLACK.stroke_width(2),
            );
            area.draw(&line)?;
        }
        Ok(())
    })
}

/// Hourly traffic of a few trials: one line per trial, x = hour (0-based),
/// y = `y_label` (e.g. "tokens per hour", in the caller's unit); legend with
/// each series' label. Non-finite values break the line. An 800×480 px SVG;
/// errors name `traffic.svg`.
pub fn traffic_svg(title: &str, y_label: &str, series: &[(String, Vec<f64>)]) -> Result<String> {
    let hours = series.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
    let x = if hours >= 2 {
        Axis::hours((hours - 1) as f64)
    } else {
        Axis::hours(1.0)
    };
    let (ylo, yhi) = min_max(
        series
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .filter(|v| v.is_finite()),
    )
    .unwrap_or((0.0, 1.0));
    let y = Axis::linear(ylo.min(0.0), yhi.max(0.0), 6, NumStyle::Plain, true);
    let legend = series
        .iter()
        .enumerate()
        .map(|(i, (label, _))| LegendEntry {
            label: label.clone(),
            symbol: Symbol::Line(colour(i)),
        })
        .collect();
    let frame = Frame {
        file: TRAFFIC_FILE,
        title,
        size: (WIDTH, HEIGHT),
        x_desc: Some("hour"),
        y_desc: Some(y_label),
        y_mesh: true,
        legend,
        x,
        y,
    };
    render(&frame, |chart, _| {
        let area = chart.plotting_area();
        for (i, (_, values)) in series.iter().enumerate() {
            let style = colour(i).stroke_width(if hours > 200 { 1 } else { 2 });
            let mut run: Vec<(f64, f64)> = Vec::new();
            let flush = |run: &mut Vec<(f64, f64)>| -> DrawResult<()> {
                if run.len() >= 2 {
                    area.draw(&PathElement::new(std::mem::take(run), style))?;
                } else if let Some(&p) = run.first() {
                    area.draw(&Circle::new(p, 2, colour(i).filled()))?;
                }
                run.clear();
                Ok(())
            };
            for (h, &v) in values.iter().enumerate() {
                if v.is_finite() {
                    run.push((h as f64, v));
                } else {
                    flush(&mut run)?;
                }
            }
            flush(&mut run)?;
        }
        Ok(())
    })
}

// ---------------------------------------------------------------------------
// Axes: ranges, ticks and tick labels.

/// How tick values are written.
#[derive(Debug, Clone, Copy, PartialEq)]
enum NumStyle {
    /// Compact numbers: `1,500`, `12k`, `100M`, `1B`.
    Plain,
    /// Compact dollars: `$1,500`, `$12k`.
    Usd,
    /// Shares as percentages: `20%`.
    Percent,
}

/// One axis in plot coordinates: on a log axis these are log10 of the data.
#[derive(Debug, Clone)]
struct Axis {
    lo: f64,
    hi: f64,
    log: bool,
    /// Labelled tick positions (plot coordinates).
    ticks: Vec<f64>,
    /// Unlabelled light grid lines (plot coordinates).
    minor: Vec<f64>,
    /// Label of each tick.
    labels: Vec<String>,
}

impl Axis {
    /// A linear axis over `lo..hi` (widened when degenerate) with about
    /// `n` ticks at 1/2/5 steps; `nice` extends the ends to whole steps.
    fn linear(lo: f64, hi: f64, n: usize, style: NumStyle, nice: bool) -> Axis {
        let (mut lo, mut hi) = widen((lo, hi));
        let step = nice_step(hi - lo, n);
        if nice {
            let (a, b) = ((lo / step).floor() * step, (hi / step).ceil() * step);
            if a.is_finite() && b.is_finite() && a < b {
                (lo, hi) = (a, b);
            }
        }
        let ticks = steps_in(lo, hi, step);
        let labels = linear_labels(&ticks, step, style);
        Axis {
            lo,
            hi,
            log: false,
            ticks,
            minor: Vec::new(),
            labels,
        }
    }

    /// The 0..1 axis of shares and probabilities, slightly padded so lines
    /// at 0 and 1 stay visible, ticked every 0.2.
    fn unit(style: NumStyle) -> Axis {
        let ticks: Vec<f64> = (0..=5).map(|k| f64::from(k) * 0.2).collect();
        let labels = linear_labels(&ticks, 0.2, style);
        Axis {
            lo: -0.02,
            hi: 1.02,
            log: false,
            ticks,
            minor: (0..5).map(|k| f64::from(k) * 0.2 + 0.1).collect(),
            labels,
        }
    }

    /// Hours `0..=last`, ticked at whole days when there are at least two.
    fn hours(last: f64) -> Axis {
        let step = if last >= 48.0 {
            nice_step(last / 24.0, 8).max(1.0) * 24.0
        } else {
            nice_step(last, 8).max(1.0)
        };
        let ticks = steps_in(0.0, last, step);
        let labels = linear_labels(&ticks, step, NumStyle::Plain);
        Axis {
            lo: 0.0,
            hi: last,
            log: false,
            ticks,
            minor: Vec::new(),
            labels,
        }
    }

    /// A log10 axis over the positive data range `lo..hi`, padded 3% each
    /// side, ticked at decades (or 1/2/5 steps, or linear steps, when the
    /// range is too short for decades).
    fn log(lo: f64, hi: f64, style: NumStyle) -> Axis {
        let (lo, hi) = if lo > 0.0 && hi.is_finite() && lo <= hi {
            (lo, hi)
        } else {
            (1.0, 10.0)
        };
        let (mut l0, mut l1) = (lo.log10(), hi.log10());
        if l1 - l0 < 1e-9 {
            l0 -= 0.5;
            l1 += 0.5;
        }
        let pad = (l1 - l0) * 0.03;
        let (l0, l1) = (l0 - pad, l1 + pad);
        let inside = |t: f64| t >= l0 - 1e-9 && t <= l1 + 1e-9;
        let d0 = l0.ceil() as i32;
        let d1 = l1.floor() as i32;
        let decades = (d1 - d0 + 1).max(0);
        let (ticks, minor): (Vec<f64>, Vec<f64>) = if decades >= 3 {
            let stride = (decades + 7) / 8;
            let ticks = (d0..=d1)
                .filter(|d| (d - d0) % stride == 0)
                .map(f64::from)
                .collect();
            let minor = if stride == 1 {
                (d0 - 1..=d1)
                    .flat_map(|d| (2..=9).map(move |m| f64::from(m).log10() + f64::from(d)))
                    .filter(|&t| inside(t))
                    .collect()
            } else {
                (d0..=d1)
                    .filter(|d| (d - d0) % stride != 0)
                    .map(f64::from)
                    .collect()
            };
            (ticks, minor)
        } else {
            let all = |ms: &'static [i32]| -> Vec<f64> {
                (l0.floor() as i32 - 1..=l1.ceil() as i32)
                    .flat_map(|d| ms.iter().map(move |&m| f64::from(m).log10() + f64::from(d)))
                    .filter(|&t| inside(t))
                    .collect()
            };
            let ticks = all(&[1, 2, 5]);
            if ticks.len() >= 3 {
                (ticks, all(&[3, 4, 6, 7, 8, 9]))
            } else {
                let (a, b) = (10f64.powf(l0), 10f64.powf(l1));
                let step = nice_step(b - a, 5);
                let ticks = steps_in(a, b, step)
                    .into_iter()
                    .filter(|&t| t > 0.0)
                    .map(f64::log10)
                    .filter(|&t| inside(t))
                    .collect();
                (ticks, Vec::new())
            }
        };
        let labels = ticks
            .iter()
            .map(|&t| fmt_sig(10f64.powf(t), style))
            .collect();
        Axis {
            lo: l0,
            hi: l1,
            log: true,
            ticks,
            minor,
            labels,
        }
    }

    /// Categories drawn top to bottom: the first name at the top, at plot
    /// coordinate `n - 1`, the last at 0.
    fn categories(names: &[String]) -> Axis {
        let n = names.len();
        Axis {
            lo: -0.5,
            hi: n.max(1) as f64 - 0.5,
            log: false,
            ticks: (0..n).map(|k| k as f64).collect(),
            minor: Vec::new(),
            labels: names.iter().rev().cloned().collect(),
        }
    }

    /// Plot coordinate of a data value; `None` for non-finite values and,
    /// on a log axis, for values <= 0.
    fn to_plot(&self, v: f64) -> Option<f64> {
        if !v.is_finite() {
            None
        } else if self.log {
            (v > 0.0).then(|| v.log10())
        } else {
            Some(v)
        }
    }

    /// True when plot coordinate `p` is within the axis.
    fn contains(&self, p: f64) -> bool {
        p >= self.lo && p <= self.hi
    }

    /// The label of the tick nearest plot coordinate `p`.
    fn label_at(&self, p: f64) -> String {
        self.ticks
            .iter()
            .zip(&self.labels)
            .min_by(|a, b| (a.0 - p).abs().total_cmp(&(b.0 - p).abs()))
            .map(|(_, l)| l.clone())
            .unwrap_or_default()
    }

    /// Width of the widest tick label, px (estimated).
    fn label_px(&self) -> f64 {
        self.labels
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0) as f64
            * CHAR_PX
    }

    /// The plotters coordinate with exactly these ticks.
    fn coord(&self) -> Ticked {
        Ticked {
            lo: self.lo,
            hi: self.hi,
            major: self.ticks.clone(),
            minor: self.minor.clone(),
        }
    }
}

/// A linear plotters coordinate whose key points are given: the labelled
/// ticks as bold points, the light grid lines as light points.
#[derive(Debug, Clone)]
struct Ticked {
    lo: f64,
    hi: f64,
    major: Vec<f64>,
    minor: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, (a, b): (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        if span.is_nan() || span <= 0.0 || !v.is_finite() {
            return a + (b - a) / 2;
        }
        let t = ((v - self.lo) / span).clamp(-10.0, 11.0);
        // Saturating float-to-int cast: never panics.
        (f64::from(a) + f64::from(b - a) * t).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.minor.clone()
        } else {
            self.major.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// Smallest and largest of the values, if any.
fn min_max(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// A finite, non-empty range: non-finite ends give 0..1, equal ends are
/// spread by 10% of their value (or by 1 around 0).
fn widen((lo, hi): (f64, f64)) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    if hi - lo > 1e-9 * lo.abs().max(hi.abs()) && hi > lo {
        return (lo, hi);
    }
    let c = lo / 2.0 + hi / 2.0;
    let pad = if c == 0.0 { 1.0 } else { c.abs() * 0.1 };
    let (a, b) = (c - pad, c + pad);
    if a.is_finite() && b.is_finite() && a < b {
        (a, b)
    } else {
        (0.0, 1.0)
    }
}

/// A 1, 2 or 5 × 10^k step giving about `n` steps over `span`.
fn nice_step(span: f64, n: usize) -> f64 {
    let raw = span / n.max(1) as f64;
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let nice = if norm < 1.5 {
        1.0
    } else if norm < 3.0 {
        2.0
    } else if norm < 7.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// Multiples of `step` within `lo..=hi` (at most 100).
fn steps_in(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let mut out = Vec::new();
    if !(step > 0.0 && lo.is_finite() && hi.is_finite()) {
        return out;
    }
    let eps = step * 1e-9;
    let mut k = ((lo - eps) / step).ceil();
    while out.len() < 100 {
        let t = k * step;
        if t > hi + eps {
            break;
        }
        // Avoid "-0".
        out.push(if t == 0.0 { 0.0 } else { t });
        let next = k + 1.0;
        if next == k {
            break;
        }
        k = next;
    }
    out
}

/// Divisor and suffix for compact numbers of magnitude `m`.
fn suffix_for(m: f64) -> (f64, &'static str) {
    if m >= 1e12 {
        (1e12, "T")
    } else if m >= 1e9 {
        (1e9, "B")
    } else if m >= 1e6 {
        (1e6, "M")
    } else if m >= 1e4 {
        (1e3, "k")
    } else {
        (1.0, "")
    }
}

/// Labels for evenly spaced ticks: one suffix for the whole axis, chosen by
/// its largest tick, and as many decimals as the step needs.
fn linear_labels(ticks: &[f64], step: f64, style: NumStyle) -> Vec<String> {
    let scale = if style == NumStyle::Percent {
        100.0
    } else {
        1.0
    };
    let m = ticks.iter().fold(0.0f64, |m, t| m.max((t * scale).abs()));
    if m >= 1e15 {
        return ticks.iter().map(|&t| fmt_sig(t, style)).collect();
    }
    let (div, suffix) = suffix_for(m);
    let rel = step * scale / div;
    let decimals = if rel >= 1.0 || !rel.is_finite() || rel <= 0.0 {
        0
    } else {
        ((-rel.log10()).ceil() as usize).min(8)
    };
    ticks
        .iter()
        .map(|&t| decorate(t * scale / div, decimals, suffix, style))
        .collect()
}

/// A compact number with up to 3 significant digits: `1.39`, `1,500`,
/// `12k`, `2.5B`, `$600`; very large or small magnitudes in e-notation.
fn fmt_sig(v: f64, style: NumStyle) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    let v = if style == NumStyle::Percent {
        v * 100.0
    } else {
        v
    };
    let a = v.abs();
    if a == 0.0 {
        return decorate(0.0, 0, "", style);
    }
    if !(1e-4..1e15).contains(&a) {
        let sign = if v < 0.0 { "−" } else { "" };
        let dollar = if style == NumStyle::Usd { "$" } else { "" };
        let pct = if style == NumStyle::Percent { "%" } else { "" };
        return format!("{sign}{dollar}{a:.2e}{pct}");
    }
    let (div, suffix) = suffix_for(a);
    let scaled = a / div;
    let decimals = (2 - scaled.log10().floor() as i32).clamp(0, 6) as usize;
    decorate(v / div, decimals, suffix, style)
}

/// Write `x` with `decimals` (trailing zeros trimmed), thousands
/// separators, a suffix, and the style's `$` or `%`; minus as "−".
fn decorate(x: f64, decimals: usize, suffix: &str, style: NumStyle) -> String {
    let mut digits = format!("{:.*}", decimals, x.abs());
    if digits.contains('.') {
        let trimmed = digits.trim_end_matches('0').trim_end_matches('.').len();
        digits.truncate(trimmed);
    }
    let zero = !digits.chars().any(|c| c.is_ascii_digit() && c != '0');
    let negative = x < 0.0 && !zero;
    let suffix = if zero { "" } else { suffix };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i.to_string(), format!(".{f}")),
        None => (digits.clone(), String::new()),
    };
    let grouped = crate::report::group_thousands(&int);
    let sign = if negative { "−" } else { "" };
    match style {
        NumStyle::Usd => format!("{sign}${grouped}{frac}{suffix}"),
        NumStyle::Percent => format!("{sign}{grouped}{frac}{suffix}%"),
        NumStyle::Plain => format!("{sign}{grouped}{frac}{suffix}"),
    }
}

/// `s` cut in the middle with "…" to at most `max` characters.
fn shorten(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max || max < 5 {
        return s.to_string();
    }
    let head = (max - 1) * 2 / 5;
    let tail = max - 1 - head;
    let h: String = s.chars().take(head).collect();
    let t: String = s.chars().skip(n - tail).collect();
    format!("{h}…{t}")
}

// ---------------------------------------------------------------------------
// Frame: the shared chart layout, mesh and legend.

type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<Ticked, Ticked>>;
type DrawResult<T> = std::result::Result<T, DrawingAreaErrorKind<std::io::Error>>;

/// What the legend shows next to a label.
#[derive(Debug, Clone, Copy)]
enum Symbol {
    /// A line.
    Line(RGBColor),
    /// A line with a marker over a light ribbon.
    LineRibbon(RGBColor),
    /// A filled square.
    Swatch(RGBColor),
    /// A translucent band with a dashed median.
    Band(RGBColor),
}

#[derive(Debug, Clone)]
struct LegendEntry {
    label: String,
    symbol: Symbol,
}

/// Everything about a plot but its data marks.
struct Frame<'s> {
    file: &'static str,
    title: &'s str,
    size: (u32, u32),
    x: Axis,
    y: Axis,
    x_desc: Option<&'s str>,
    y_desc: Option<&'s str>,
    /// Horizontal grid lines at the y ticks.
    y_mesh: bool,
    legend: Vec<LegendEntry>,
}

/// Legend row height, px.
const LEGEND_ROW: i32 = 22;
/// Legend symbol width, px.
const SYMBOL_PX: i32 = 26;

/// The legend's rows: entry indices and each entry's width, px.
fn legend_rows(entries: &[LegendEntry], width: i32) -> Vec<Vec<(usize, i32)>> {
    let mut rows: Vec<Vec<(usize, i32)>> = Vec::new();
    let mut used = 0;
    for (i, e) in entries.iter().enumerate() {
        let w = SYMBOL_PX + 8 + (e.label.chars().count() as f64 * CHAR_PX) as i32 + 22;
        match rows.last_mut() {
            Some(row) if used + w <= width => {
                row.push((i, w));
                used += w;
            }
            _ => {
                rows.push(vec![(i, w)]);
                used = w;
            }
        }
    }
    rows
}

/// Draw the frame (title, axes, grid, legend) and let `marks` draw the data;
/// return the SVG document.
fn render(
    frame: &Frame<'_>,
    marks: impl FnOnce(&mut Chart<'_, '_>, &Frame<'_>) -> DrawResult<()>,
) -> Result<String> {
    draw_frame(frame, marks).map_err(|e| Error::Plot {
        name: frame.file.to_string(),
        message: e.to_string(),
    })
}

fn draw_frame(
    frame: &Frame<'_>,
    marks: impl FnOnce(&mut Chart<'_, '_>, &Frame<'_>) -> DrawResult<()>,
) -> DrawResult<String> {
    let (w, h) = frame.size;
    let mut rows = legend_rows(&frame.legend, w as i32 - 40);
    // The legend takes at most a third of the height; the rest is counted.
    let max_rows = ((h as i32 / 3) / LEGEND_ROW).max(2) as usize;
    let mut hidden = 0;
    if rows.len() > max_rows {
        hidden = rows.iter().skip(max_rows - 1).map(Vec::len).sum();
        rows.truncate(max_rows - 1);
    }
    let shown_rows = rows.len() as i32 + i32::from(hidden > 0);
    let legend_h = if shown_rows == 0 {
        0
    } else {
        shown_rows * LEGEND_ROW + 10
    };
    let y_area = frame.y.label_px() + 16.0 + if frame.y_desc.is_some() { 26.0 } else { 4.0 };
    let x_area = if frame.x_desc.is_some() { 52 } else { 30 };

    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE)?;
        let (top, bottom) = root.split_vertically(h as i32 - legend_h);
        let mut chart = ChartBuilder::on(&top)
            .caption(frame.title, (FONT, TITLE_SIZE).into_font().color(&INK))
            .margin_top(8)
            .margin_left(10)
            .margin_right(28)
            .margin_bottom(4)
            .x_label_area_size(x_area)
            .y_label_area_size(y_area.round() as i32)
            .build_cartesian_2d(frame.x.coord(), frame.y.coord())?;

        let x_fmt = |v: &f64| frame.x.label_at(*v);
        let y_fmt = |v: &f64| frame.y.label_at(*v);
        let mut mesh = chart.configure_mesh();
        mesh.x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .label_style((FONT, TICK_SIZE).into_font().color(&INK))
            .axis_desc_style((FONT, DESC_SIZE).into_font().color(&INK))
            .axis_style(AXIS_INK.stroke_width(1))
            .bold_line_style(RGBColor(0xDD, 0xDD, 0xDD).stroke_width(1))
            .light_line_style(RGBColor(0xF0, 0xF0, 0xF0).stroke_width(1));
        if let Some(d) = frame.x_desc {
            mesh.x_desc(d);
        }
        if let Some(d) = frame.y_desc {
            mesh.y_desc(d);
        }
        if !frame.y_mesh {
            mesh.disable_y_mesh();
        }
        mesh.draw()?;

        marks(&mut chart, frame)?;
        draw_legend(&bottom, &frame.legend, &rows, hidden, w as i32)?;
        root.present()?;
    }
    Ok(buf)
}

/// Draw the legend centred in `area`, row by row, then "+N more" when
/// `hidden` entries did not fit.
fn draw_legend(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    entries: &[LegendEntry],
    rows: &[Vec<(usize, i32)>],
    hidden: usize,
    width: i32,
) -> DrawResult<()> {
    let max_chars = ((width - SYMBOL_PX - 60) as f64 / CHAR_PX).max(5.0) as usize;
    let text = TextStyle::from((FONT, LEGEND_SIZE).into_font())
        .color(&INK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for (r, row) in rows.iter().enumerate() {
        let total: i32 = row.iter().map(|&(_, w)| w).sum::<i32>() - 22;
        let mut x = ((width - total) / 2).max(4);
        let y = 4 + r as i32 * LEGEND_ROW + LEGEND_ROW / 2;
        for &(i, w) in row {
            let Some(e) = entries.get(i) else { continue };
            let (x0, x1) = (x, x + SYMBOL_PX);
            match e.symbol {
                Symbol::Line(c) => {
                    area.draw(&PathElement::new(vec![(x0, y), (x1, y)], c.stroke_width(3)))?;
                }
                Symbol::LineRibbon(c) => {
                    area.draw(&Rectangle::new(
                        [(x0, y - 6), (x1, y + 6)],
                        c.mix(0.18).filled(),
                    ))?;
                    area.draw(&PathElement::new(vec![(x0, y), (x1, y)], c.stroke_width(2)))?;
                    area.draw(&Circle::new((x0 + SYMBOL_PX / 2, y), 3, c.filled()))?;
                }
                Symbol::Swatch(c) => {
                    area.draw(&Rectangle::new(
                        [(x0 + 6, y - 7), (x1 - 6, y + 7)],
                        c.filled(),
                    ))?;
                }
                Symbol::Band(c) => {
                    area.draw(&Rectangle::new(
                        [(x0, y - 8), (x1, y + 8)],
                        c.mix(0.2).filled(),
                    ))?;
                    area.draw(&DashedPathElement::new(
                        vec![(x0 + SYMBOL_PX / 2, y - 8), (x0 + SYMBOL_PX / 2, y + 8)],
                        4,
                        3,
                        c.stroke_width(2),
                    ))?;
                }
            }
            area.draw_text(&shorten(&e.label, max_chars), &text, (x1 + 8, y))?;
            x += w;
        }
    }
    if hidden > 0 {
        let y = 4 + rows.len() as i32 * LEGEND_ROW + LEGEND_ROW / 2;
        let note = text.pos(Pos::new(HPos::Center, VPos::Center));
        area.draw_text(&format!("+{hidden} more"), &note, (width / 2, y))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Count of `<tag` openings in an SVG document.
    fn count(svg: &str, tag: &str) -> usize {
        svg.matches(&format!("<{tag} ")).count()
    }

    /// The text content of every `<text>` element.
    fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|s| {
                let body = s.split_once('>')?.1;
                Some(body.split_once("</text>")?.0.trim().to_string())
            })
            .collect()
    }

    fn has_text(svg: &str, t: &str) -> bool {
        texts(svg).iter().any(|x| x == t)
    }

    fn assert_svg(svg: &str, wanted: &[&str]) {
        assert!(
            svg.starts_with("<svg"),
            "not an SVG: {}",
            &svg[..svg.len().min(80)]
        );
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("font-family=\"sans-serif\""));
        for t in wanted {
            assert!(has_text(svg, t), "missing text {t:?} in {:?}", texts(svg));
        }
    }

    /// Deterministic pseudo-random numbers in 0..1 (no RNG dependency).
    fn uniform(seed: u64) -> impl FnMut() -> f64 {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    fn normal(u: &mut impl FnMut() -> f64) -> f64 {
        let (a, b) = (u().max(1e-12), u());
        (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos()
    }

    fn lognormal(seed: u64, median: f64, sigma: f64, n: usize) -> Vec<f64> {
        let mut u = uniform(seed);
        (0..n)
            .map(|_| median * (sigma * normal(&mut u)).exp())
            .collect()
    }

    fn demo_curves() -> (Vec<ProbabilityCurve>, Vec<BreakEvenBand>) {
        let volumes: Vec<f64> = (0..=12)
            .map(|k| 10f64.powf(8.0 + k as f64 * 0.25))
            .collect();
        let curve = |label: &str, mid: f64, slope: f64, w: f64| {
            let p: Vec<f64> = volumes
                .iter()
                .map(|v| 1.0 / (1.0 + (-(v.log10() - mid) * slope).exp()))
                .collect();
            ProbabilityCurve {
                label: label.to_string(),
                volumes: volumes.clone(),
                ci_low: p
                    .iter()
                    .map(|p| (p - w * (p * (1.0 - p)).sqrt()).max(0.0))
                    .collect(),
                ci_high: p
                    .iter()
                    .map(|p| (p + w * (p * (1.0 - p)).sqrt()).min(1.0))
                    .collect(),
                p,
            }
        };
        let curves = vec![
            curve("a100x2-dedicated cheaper than open-api", 9.6, 4.0, 0.12),
            curve("serverless cheaper than open-api", 10.3, -3.0, 0.15),
        ];
        let bands = vec![
            BreakEvenBand {
                label: curves[0].label.clone(),
                p5: 2.1e9,
                p50: 4.0e9,
                p95: 8.5e9,
            },
            BreakEvenBand {
                label: curves[1].label.clone(),
                p5: 1.1e10,
                p50: 2.0e10,
                p95: f64::INFINITY,
            },
        ];
        (curves, bands)
    }

    fn demo_bars() -> Vec<TornadoBar> {
        let bar =
            |input: &str, at_low: f64, at_high: f64, low_input: f64, high_input: f64| TornadoBar {
                input: input.to_string(),
                at_low,
                at_high,
                low_input,
                high_input,
            };
        vec![
            bar("a100x2-dedicated.gpu_hour_usd", -1450.0, 180.0, 1.39, 2.0),
            bar("traffic.tokens_per_month", 820.0, -1210.0, 6e8, 1.6e9),
            bar("open-api.usd_per_mtok", -980.0, 420.0, 0.59, 0.9),
            bar("a100x2-dedicated.max_tps", -240.0, -760.0, 1000.0, 3000.0),
            bar("traffic.output_tokens", -520.0, -330.0, 50.0, 800.0),
            bar(
                "a100x2-dedicated.single_stream_tps",
                -470.0,
                -410.0,
                40.0,
                60.0,
            ),
        ]
    }

    fn demo_traffic() -> Vec<(String, Vec<f64>)> {
        (0..3)
            .map(|t| {
                let mut u = uniform(100 + t);
                let level = [1.4e6, 2.1e6, 0.9e6][t as usize];
                let values = (0..720)
                    .map(|h| {
                        let hour = (h % 24) as f64;
                        let daily =
                            1.0 + 0.6 * ((hour - 14.0) / 24.0 * std::f64::consts::TAU).cos();
                        let weekly = if (h / 24) % 7 >= 5 { 0.6 } else { 1.0 };
                        level * daily * weekly * (0.85 + 0.3 * u())
                    })
                    .collect();
                (format!("trial {}", [17, 342, 2988][t as usize]), values)
            })
            .collect()
    }

    #[test]
    fn ecdf_has_title_legend_and_lines() {
        let a = lognormal(1, 900.0, 0.25, 4000);
        let b = lognormal(2, 2400.0, 0.3, 4000);
        let svg = cost_ecdf_svg(
            "Cost over 720 h",
            &[
                CostSeries {
                    name: "open-api",
                    costs_usd: &a,
                },
                CostSeries {
                    name: "a100x2-dedicated",
                    costs_usd: &b,
                },
            ],
        )
        .unwrap();
        assert_svg(
            &svg,
            &[
                "Cost over 720 h",
                "open-api",
                "a100x2-dedicated",
                "cost over the horizon (USD)",
                "share of trials at or below",
                "100%",
            ],
        );
        assert!(count(&svg, "polyline") >= 2);
        // Linear axis in dollars with separators.
        assert!(
            texts(&svg)
                .iter()
                .any(|t| t.starts_with('$') && t.contains(','))
        );
    }

    #[test]
    fn ecdf_uses_log_axis_for_wide_ranges() {
        let a = lognormal(3, 20.0, 0.3, 500);
        let b = lognormal(4, 5000.0, 0.3, 500);
        let svg = cost_ecdf_svg(
            "wide",
            &[
                CostSeries {
                    name: "cheap",
                    costs_usd: &a,
                },
                CostSeries {
                    name: "dear",
                    costs_usd: &b,
                },
            ],
        )
        .unwrap();
        assert_svg(&svg, &["wide", "$100", "$1,000"]);
    }

    #[test]
    fn ecdf_edge_cases() {
        let cases: Vec<Vec<f64>> = vec![
            vec![],
            vec![750.0],
            vec![750.0; 50],
            vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY],
            vec![0.0, -5.0, 10.0, 1e6, f64::NAN],
            vec![0.0; 3],
            vec![1e300, -1e300],
        ];
        for c in &cases {
            let svg = cost_ecdf_svg(
                "edge",
                &[CostSeries {
                    name: "x",
                    costs_usd: c,
                }],
            )
            .unwrap();
            assert_svg(&svg, &["edge", "x"]);
        }
        assert_svg(&cost_ecdf_svg("none", &[]).unwrap(), &["none"]);
    }

    #[test]
    fn probability_has_curves_bands_and_legend() {
        let (curves, bands) = demo_curves();
        let svg =
            probability_vs_volume_svg("P(cheaper)", "tokens per month", &curves, &bands).unwrap();
        assert_svg(
            &svg,
            &[
                "P(cheaper)",
                "tokens per month",
                "probability",
                "a100x2-dedicated cheaper than open-api",
                "serverless cheaper than open-api",
                "100M",
                "1B",
                "10B",
                "100B",
            ],
        );
        assert!(count(&svg, "polyline") >= 2);
        assert!(count(&svg, "polygon") >= 2);
        assert!(count(&svg, "circle") >= 26);
    }

    #[test]
    fn probability_edge_cases() {
        let one = ProbabilityCurve {
            label: "one".into(),
            volumes: vec![1e9],
            p: vec![0.4],
            ci_low: vec![0.3],
            ci_high: vec![0.5],
        };
        let odd = ProbabilityCurve {
            label: "odd".into(),
            volumes: vec![0.0, -1.0, f64::NAN, 1e9, 2e9, 3e9],
            p: vec![0.5, 0.5, 0.5, f64::NAN, 2.0, -1.0],
            ci_low: vec![],
            ci_high: vec![f64::INFINITY],
        };
        let empty = ProbabilityCurve {
            label: "empty".into(),
            volumes: vec![],
            p: vec![],
            ci_low: vec![],
            ci_high: vec![],
        };
        let bands = [
            BreakEvenBand {
                label: "b".into(),
                p5: f64::NEG_INFINITY,
                p50: f64::NAN,
                p95: f64::INFINITY,
            },
            BreakEvenBand {
                label: "c".into(),
                p5: f64::NAN,
                p50: 5e8,
                p95: 1e9,
            },
            BreakEvenBand {
                label: "d".into(),
                p5: 1e20,
                p50: 1e21,
                p95: 1e22,
            },
            BreakEvenBand {
                label: "e".into(),
                p5: 3e9,
                p50: 2e9,
                p95: 1e9,
            },
        ];
        for curves in [
            vec![],
            vec![one.clone()],
            vec![odd],
            vec![empty],
            vec![one; 10],
        ] {
            for bands in [&bands[..], &[]] {
                let svg = probability_vs_volume_svg("edge", "tokens", &curves, bands).unwrap();
                assert_svg(&svg, &["edge", "tokens", "probability"]);
            }
        }
    }

    #[test]
    fn tornado_has_bars_and_labels() {
        let bars = demo_bars();
        let svg = tornado_svg(
            "What moves the difference",
            "cost difference, USD",
            -480.0,
            &bars,
        )
        .unwrap();
        let mut wanted = vec![
            "What moves the difference",
            "cost difference, USD",
            "input at p5",
            "input at p95",
            "1.39",
        ];
        wanted.extend(bars.iter().map(|b| b.input.as_str()));
        assert_svg(&svg, &wanted);
        assert!(count(&svg, "rect") >= 12);
        assert!(count(&svg, "polyline") >= 1);
        assert!(svg.contains(&format!("height=\"{}\"", 151 + 28 * 6)));
    }

    #[test]
    fn tornado_edge_cases() {
        let long = "x".repeat(300);
        let bars = [
            TornadoBar {
                input: long,
                at_low: 1.0,
                at_high: 1.0,
                low_input: 0.0,
                high_input: 1.0,
            },
            TornadoBar {
                input: "nan".into(),
                at_low: f64::NAN,
                at_high: f64::INFINITY,
                low_input: f64::NAN,
                high_input: 2.0,
            },
        ];
        for base in [0.0, 1.0, f64::NAN] {
            for bars in [&bars[..], &bars[..1], &[]] {
                let svg = tornado_svg("edge", "usd", base, bars).unwrap();
                assert_svg(&svg, &["edge", "usd", "input at p5", "input at p95"]);
            }
        }
    }

    #[test]
    fn traffic_has_lines_and_legend() {
        let series = demo_traffic();
        let svg = traffic_svg("Hourly traffic", "tokens per hour", &series).unwrap();
        assert_svg(
            &svg,
            &[
                "Hourly traffic",
                "tokens per hour",
                "hour",
                "trial 17",
                "trial 342",
                "trial 2988",
            ],
        );
        assert!(count(&svg, "polyline") >= 3);
    }

    #[test]
    fn traffic_edge_cases() {
        let cases: Vec<Vec<(String, Vec<f64>)>> = vec![
            vec![],
            vec![("empty".into(), vec![])],
            vec![("one".into(), vec![5.0])],
            vec![("flat".into(), vec![3.0; 48])],
            vec![("zeros".into(), vec![0.0; 10])],
            vec![(
                "gaps".into(),
                vec![1.0, f64::NAN, 2.0, 3.0, f64::INFINITY, 4.0],
            )],
            vec![("negative".into(), vec![-1.0, -2.0])],
        ];
        for series in &cases {
            let svg = traffic_svg("edge", "requests per hour", series).unwrap();
            assert_svg(&svg, &["edge", "requests per hour"]);
        }
    }

    #[test]
    fn crowded_legends_are_cut() {
        let costs = [100.0, 200.0];
        let names: Vec<String> = (0..200).map(|i| format!("deployment number {i}")).collect();
        let series: Vec<CostSeries<'_>> = names
            .iter()
            .map(|name| CostSeries {
                name,
                costs_usd: &costs,
            })
            .collect();
        let svg = cost_ecdf_svg("crowded", &series).unwrap();
        assert_svg(&svg, &["crowded", "deployment number 0"]);
        assert!(texts(&svg).iter().any(|t| t.ends_with(" more")));
        let long = "y".repeat(500);
        let svg = traffic_svg("long", "x", &[(long, vec![1.0, 2.0])]).unwrap();
        assert!(texts(&svg).iter().any(|t| t.contains('…')));
    }

    #[test]
    fn numbers_are_compact() {
        assert_eq!(fmt_sig(1e8, NumStyle::Plain), "100M");
        assert_eq!(fmt_sig(1e9, NumStyle::Plain), "1B");
        assert_eq!(fmt_sig(1e10, NumStyle::Plain), "10B");
        assert_eq!(fmt_sig(2.5e9, NumStyle::Plain), "2.5B");
        assert_eq!(fmt_sig(1500.0, NumStyle::Usd), "$1,500");
        assert_eq!(fmt_sig(-1234.0, NumStyle::Usd), "−$1,234");
        assert_eq!(fmt_sig(1.39, NumStyle::Plain), "1.39");
        assert_eq!(fmt_sig(0.0, NumStyle::Plain), "0");
        assert_eq!(
            linear_labels(&[0.0, 5000.0, 10000.0, 15000.0], 5000.0, NumStyle::Usd),
            ["$0", "$5k", "$10k", "$15k"]
        );
        assert_eq!(
            linear_labels(&[0.0, 0.2, 1.0], 0.2, NumStyle::Percent),
            ["0%", "20%", "100%"]
        );
        assert_eq!(
            linear_labels(&[-500.0, 0.0, 500.0], 500.0, NumStyle::Plain),
            ["−500", "0", "500"]
        );
        assert_eq!(shorten("abcdefghijklmnopqrstuvwxyz", 10), "abc…uvwxyz");
    }

    #[test]
    fn errors_carry_the_plot_name() {
        let frame = Frame {
            file: "x.svg",
            title: "t",
            size: (WIDTH, HEIGHT),
            x: Axis::unit(NumStyle::Plain),
            y: Axis::unit(NumStyle::Plain),
            x_desc: None,
            y_desc: None,
            y_mesh: true,
            legend: Vec::new(),
        };
        let err = render(&frame, |_, _| Err(DrawingAreaErrorKind::LayoutError)).unwrap_err();
        assert!(
            matches!(err, Error::Plot { ref name, .. } if name == "x.svg"),
            "{err}"
        );
    }

    /// Writes the demo plots to /tmp/plots-demo/ for a person to look at
    /// (`cargo test --lib plots::tests::write_demo_svgs -- --ignored`).
    #[test]
    #[ignore]
    fn write_demo_svgs() {
        let dir = std::path::Path::new("/tmp/plots-demo");
        std::fs::create_dir_all(dir).unwrap();
        let api = lognormal(11, 800.0, 0.22, 10_000);
        let dedicated = lognormal(12, 2300.0, 0.12, 10_000);
        let serverless = lognormal(13, 1400.0, 0.45, 10_000);
        let ecdf = cost_ecdf_svg(
            "Cost over a 720-hour month, 10,000 trials",
            &[
                CostSeries {
                    name: "open-api",
                    costs_usd: &api,
                },
                CostSeries {
                    name: "a100x2-dedicated",
                    costs_usd: &dedicated,
                },
                CostSeries {
                    name: "h100-serverless",
                    costs_usd: &serverless,
                },
            ],
        )
        .unwrap();
        std::fs::write(dir.join("cost_ecdf.svg"), ecdf).unwrap();
        let cheap = lognormal(14, 15.0, 0.4, 2000);
        let wide = cost_ecdf_svg(
            "Cost over the horizon (wide range: log axis)",
            &[
                CostSeries {
                    name: "tiny-api",
                    costs_usd: &cheap,
                },
                CostSeries {
                    name: "a100x2-dedicated",
                    costs_usd: &dedicated,
                },
            ],
        )
        .unwrap();
        std::fs::write(dir.join("cost_ecdf_log.svg"), wide).unwrap();
        let (curves, bands) = demo_curves();
        let prob = probability_vs_volume_svg(
            "Probability of being cheaper, by monthly volume",
            "tokens per month",
            &curves,
            &bands,
        )
        .unwrap();
        std::fs::write(dir.join("probability_vs_volume.svg"), prob).unwrap();
        let tornado = tornado_svg(
            "What drives cost(open-api) − cost(a100x2-dedicated)",
            "cost(open-api) − cost(a100x2-dedicated), USD",
            -480.0,
            &demo_bars(),
        )
        .unwrap();
        std::fs::write(dir.join("tornado.svg"), tornado).unwrap();
        let traffic = traffic_svg(
            "Hourly traffic of three trials",
            "tokens per hour",
            &demo_traffic(),
        )
        .unwrap();
        std::fs::write(dir.join("traffic.svg"), traffic).unwrap();
        let nan_costs = [f64::NAN, 0.0, -3.0, 750.0];
        let one_point = ProbabilityCurve {
            label: "one point".into(),
            volumes: vec![1e9],
            p: vec![0.4],
            ci_low: vec![0.3],
            ci_high: vec![0.5],
        };
        let one_band = BreakEvenBand {
            label: "one point".into(),
            p5: f64::NEG_INFINITY,
            p50: 1e9,
            p95: f64::INFINITY,
        };
        let same_side = [TornadoBar {
            input: "a-very-long-deployment-name-indeed.some_long_parameter_name_usd".into(),
            at_low: 5.0,
            at_high: 5.0,
            low_input: 1.0,
            high_input: 2.0,
        }];
        let edges = [
            (
                "edge_ecdf_empty.svg",
                cost_ecdf_svg("No trials", &[]).unwrap(),
            ),
            (
                "edge_ecdf_constant.svg",
                cost_ecdf_svg(
                    "One finite value",
                    &[CostSeries {
                        name: "only",
                        costs_usd: &nan_costs,
                    }],
                )
                .unwrap(),
            ),
            (
                "edge_probability_one_point.svg",
                probability_vs_volume_svg(
                    "One volume",
                    "tokens per month",
                    &[one_point],
                    &[one_band],
                )
                .unwrap(),
            ),
            (
                "edge_tornado_empty.svg",
                tornado_svg("No inputs", "USD", 0.0, &[]).unwrap(),
            ),
            (
                "edge_tornado_flat.svg",
                tornado_svg("Flat", "USD", 5.0, &same_side).unwrap(),
            ),
            (
                "edge_traffic_gaps.svg",
                traffic_svg(
                    "Gaps",
                    "requests per hour",
                    &[(
                        "gappy".into(),
                        vec![1.0, f64::NAN, 2.0, 3.0, f64::INFINITY, 4.0],
                    )],
                )
                .unwrap(),
            ),
        ];
        let costs = lognormal(15, 900.0, 0.2, 300);
        let names: Vec<String> = (0..40).map(|i| format!("deployment {i}")).collect();
        let crowded: Vec<CostSeries<'_>> = names
            .iter()
            .map(|name| CostSeries {
                name,
                costs_usd: &costs,
            })
            .collect();
        let narrow = ProbabilityCurve {
            label: "narrow range".into(),
            volumes: vec![1.2e9, 1.6e9, 2.2e9, 3.0e9],
            p: vec![0.2, 0.4, 0.6, 0.7],
            ci_low: vec![0.1, 0.3, 0.5, 0.6],
            ci_high: vec![0.3, 0.5, 0.7, 0.8],
        };
        let other_band = BreakEvenBand {
            label: "unmatched pair".into(),
            p5: 1.5e9,
            p50: 1.9e9,
            p95: 2.5e9,
        };
        let more = [
            (
                "edge_crowded_legend.svg",
                cost_ecdf_svg("Forty deployments", &crowded).unwrap(),
            ),
            (
                "edge_probability_narrow.svg",
                probability_vs_volume_svg(
                    "Narrow volume range",
                    "requests per month",
                    &[narrow],
                    &[other_band],
                )
                .unwrap(),
            ),
        ];
        for (name, svg) in edges.into_iter().chain(more) {
            std::fs::write(dir.join(name), svg).unwrap();
        }
    }
}
