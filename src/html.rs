//! `report.html`: one self-contained page (inline CSS and SVG, no scripts,
//! no network) with the inputs, the summary, the decision in a sentence
//! with its probability, the plots and the tables.

use crate::RunResult;
use crate::report::{
    BREAKEVEN_HEADER, DEPLOYMENT_HEADER, INPUT_HEADER, breakeven_rows_text, breakeven_sentences,
    deployment_rows, input_rows, money_text, volume_text,
};
use crate::scenario::Scenario;
use crate::sweep::Sweep;
use crate::uncertain::fmt_num;

/// Escape text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<div class=\"scroll\"><table>\n<thead><tr>");
    for h in header {
        out.push_str(&format!("<th>{}</th>", escape(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        out.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            if i == 0 {
                out.push_str(&format!("<th scope=\"row\">{}</th>", escape(c)));
            } else {
                out.push_str(&format!("<td>{}</td>", escape(c)));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n");
    out
}

/// An SVG document as an inline element (any XML declaration dropped).
fn inline_svg(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

/// The headline: which deployment is cheapest at the scenario's level and
/// how sure that is, then where the most decisive pair breaks even.
pub fn decision_sentence(s: &Scenario, result: &RunResult) -> String {
    let summary = &result.summary;
    let Some(best) = summary
        .deployments
        .iter()
        .max_by(|a, b| a.p_cheapest.total_cmp(&b.p_cheapest))
    else {
        return String::new();
    };
    let level = match crate::decision::VolumeAxis::of(s) {
        Ok(a) if s.params.list[a.param.0].dist.is_fixed() => {
            format!("At {} {}", volume_text(a.median), a.label())
        }
        Ok(a) => format!(
            "Over the scenario's uncertain volume (median {} {})",
            volume_text(a.median),
            a.label()
        ),
        Err(_) => "At the trace's recorded volume".to_string(),
    };
    let mut text = format!(
        "{level}, {} is the cheapest in {:.0}% of trials (P = {:.2}, 95% interval {:.2}–{:.2})",
        best.deployment,
        best.p_cheapest * 100.0,
        best.p_cheapest,
        best.p_cheapest_ci.0,
        best.p_cheapest_ci.1
    );
    // The runner-up pair: the best against the deployment that beats it
    // most often.
    let rival = summary
        .pairs
        .iter()
        .filter(|p| p.a == best.deployment || p.b == best.deployment)
        .map(|p| {
            let best_is_a = p.a == best.deployment;
            let p_best = if best_is_a {
                p.p_a_cheaper
            } else {
                1.0 - p.p_a_cheaper
            };
            let other = if best_is_a { &p.b } else { &p.a };
            (other.clone(), p_best, p.mean_diff_usd.abs())
        })
        .min_by(|x, y| x.1.total_cmp(&y.1));
    if let Some((other, p_best, diff)) = rival {
        text.push_str(&format!(
            "; it beats {other} in {:.1}% of trials, by {} on average",
            p_best * 100.0,
            money_text(diff)
        ));
    }
    text.push('.');
    text
}

/// The command line that writes this page again.
pub fn report_command(
    s: &Scenario,
    opts: &crate::engine::RunOptions,
    decisions: &crate::DecisionOptions,
    sweep: &crate::sweep::SweepOptions,
) -> String {
    let mut cmd = format!(
        "breakeven report {} --trials {} --seed {} --fidelity {} --points {} --volume {:e}..{:e}",
        s.path.display(),
        opts.trials,
        opts.seed,
        opts.fidelity.as_str(),
        sweep.volumes.len(),
        sweep.range.low,
        sweep.range.high,
    );
    cmd.push_str(&format!(
        " --breakeven-trials {} --tornado-trials {}",
        decisions.breakeven.map_or(0, |b| b.trials),
        decisions.tornado_trials
    ));
    if let Some(p) = decisions.precision {
        // The percentage as given (undo the rounding of ÷ 100 then × 100).
        let percent = (p * 100.0 * 1e12).round() / 1e12;
        cmd.push_str(&format!(" --precision {percent}"));
    }
    cmd
}

/// The whole page: `command` writes it again, `note` (if any) is shown
/// under it, and `plots` are (caption, SVG) in the order shown.
pub fn report_page(
    s: &Scenario,
    result: &RunResult,
    sweep: &Sweep,
    command: &str,
    note: Option<&str>,
    plots: &[(String, String)],
) -> String {
    let summary = &result.summary;
    let mut body = String::new();
    body.push_str(&format!("<h1>{}</h1>\n", escape(&s.name)));
    if !s.description.is_empty() {
        body.push_str(&format!(
            "<p class=\"lead\">{}</p>\n",
            escape(&s.description)
        ));
    }
    body.push_str(&format!(
        "<p class=\"meta\">Scenario <code>{}</code> (sha256 <code>{}</code>), {} trials, \
         horizon {} hours; sweep of {} volumes × {} trials. Reproduce: <code>{}</code></p>\n",
        escape(&s.path.display().to_string()),
        escape(s.sha256.get(..12).unwrap_or(&s.sha256)),
        summary.trials,
        s.run.horizon_hours,
        sweep.volumes.len(),
        sweep.points.first().map_or(0, |p| p.trials),
        escape(command),
    ));
    if let Some(note) = note {
        body.push_str(&format!("<p class=\"note\">{}</p>\n", escape(note)));
    }
    body.push_str("<section id=\"decision\">\n<h2>Decision</h2>\n");
    body.push_str(&format!(
        "<p class=\"decision\">{}</p>\n",
        escape(&decision_sentence(s, result))
    ));
    let sentences = breakeven_sentences(&sweep.breakeven);
    if !sentences.is_empty() {
        body.push_str("<ul class=\"breakeven\">\n");
        for line in sentences {
            body.push_str(&format!("<li>{}</li>\n", escape(&line)));
        }
        body.push_str("</ul>\n");
    }
    body.push_str("</section>\n");

    body.push_str("<section id=\"summary\">\n<h2>Cost over the horizon</h2>\n");
    body.push_str(&table(&DEPLOYMENT_HEADER, &deployment_rows(summary)));
    let pair_rows: Vec<Vec<String>> = summary
        .pairs
        .iter()
        .map(|p| {
            vec![
                format!("{} < {}", p.a, p.b),
                format!("{:.3} ±{:.3}", p.p_a_cheaper, p.p_mcse),
                format!("{:.3}–{:.3}", p.ci.0, p.ci.1),
                money_text(p.mean_diff_usd),
            ]
        })
        .collect();
    body.push_str(&table(
        &[
            "pair (same trial)",
            "P ±mcse",
            "95% interval",
            "mean difference",
        ],
        &pair_rows,
    ));
    if !sweep.breakeven.is_empty() {
        let rows = breakeven_rows_text(&sweep.breakeven);
        body.push_str(&format!(
            "<h3>Break-even volume per trial ({})</h3>\n",
            escape(&sweep.axis.label())
        ));
        body.push_str(&table(&BREAKEVEN_HEADER, &rows));
    }
    body.push_str("</section>\n");

    body.push_str("<section id=\"plots\">\n<h2>Plots</h2>\n");
    for (title, svg) in plots {
        body.push_str(&format!(
            "<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
            inline_svg(svg),
            escape(title)
        ));
    }
    body.push_str("</section>\n");

    body.push_str("<section id=\"sensitivity\">\n<h2>What moves the decision</h2>\n");
    body.push_str(&format!(
        "<p>Tornado: the mean cost difference with each input at its p5 and p95 and every \
         other at its median ({} trials each); Spearman ρ: rank correlation of the input \
         with the difference over the run's {} trials.</p>\n",
        result.sensitivity.tornado_trials, summary.trials
    ));
    for p in &summary.pairs {
        let rows: Vec<Vec<String>> = result
            .sensitivity
            .of_pair(&p.a, &p.b)
            .take(6)
            .map(|e| {
                vec![
                    e.input.clone(),
                    format!("{} – {}", fmt_num(e.input_p5), fmt_num(e.input_p95)),
                    money_text(e.diff_at_p5_usd),
                    money_text(e.diff_at_p95_usd),
                    money_text(e.swing_usd),
                    format!("{:+.2}", e.spearman),
                ]
            })
            .collect();
        body.push_str(&format!(
            "<h3>cost({}) − cost({})</h3>\n",
            escape(&p.a),
            escape(&p.b)
        ));
        body.push_str(&table(
            &[
                "input",
                "p5 – p95",
                "at p5",
                "at p95",
                "swing",
                "Spearman ρ",
            ],
            &rows,
        ));
    }
    body.push_str("</section>\n");

    body.push_str("<section id=\"inputs\">\n<h2>Inputs</h2>\n");
    body.push_str(&format!(
        "<p>Traffic: {}</p>\n",
        escape(&s.traffic.describe())
    ));
    body.push_str(&table(&INPUT_HEADER, &input_rows(s)));
    body.push_str("</section>\n");

    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>breakeven: {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n{body}\
         </main>\n</body>\n</html>\n",
        escape(&s.name)
    )
}

const STYLE: &str = "body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; \
color: #1d2330; background: #fff; margin: 0; }
main { max-width: 980px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 1.9rem; margin: 0.2em 0; }
h2 { font-size: 1.35rem; margin-top: 2em; border-bottom: 1px solid #dde1e8; padding-bottom: 4px; }
h3 { font-size: 1.05rem; margin-top: 1.4em; }
p.lead { font-size: 1.1rem; color: #3b4352; }
p.meta { font-size: 0.85rem; color: #5b6475; }
p.note { font-size: 0.9rem; color: #8a4b00; background: #fff6e8; padding: 6px 10px; }
p.decision { font-size: 1.2rem; font-weight: 600; background: #f3f6fb; border-left: 4px solid #0072b2; \
padding: 12px 16px; }
ul.breakeven li { margin: 0.4em 0; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.8em 0; width: 100%; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e6e9ef; text-align: right; white-space: nowrap; }
thead th { background: #f6f7f9; white-space: normal; vertical-align: bottom; }
div.scroll { overflow-x: auto; }
th[scope=row], thead th:first-child { text-align: left; }
figure { margin: 1.2em 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.85rem; color: #5b6475; }
code { font-size: 0.85em; }
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
