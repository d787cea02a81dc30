//! Scale-out: run a scenario's trials as N shards on separate machines
//! (`breakeven run --shard K/N`), then merge the shard folders into exactly
//! the files one machine would have written (`breakeven merge`).
//!
//! Trial `i` draws only from streams named by `(seed, i, ...)`, so a shard
//! computes its trials exactly as a whole run would. A shard writes its rows
//! of `trials.csv`, `params.csv` and `breakeven.csv` and a `shard.json`
//! with the run's settings and its wait histograms (summed in fixed point,
//! so they add up exactly). The merge concatenates the rows in trial order,
//! rebuilds every summary from them, and runs the tornado (which prices its
//! own fixed trials), so its CSVs are byte-identical to a single run's.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::analysis::Collector;
use crate::decision::{BreakEvenSettings, CrossingKind, PairCrossing, VolumeAxis, VolumeRange};
use crate::deploy::{Fidelity, Outcome};
use crate::engine::{RunOptions, TrialResult};
use crate::error::{Error, Result};
use crate::report::{self, Staged};
use crate::scenario::Scenario;
use crate::{DecisionOptions, RunResult};

/// The file a shard writes beside its CSVs.
pub const SHARD_FILE: &str = "shard.json";

/// Shard `index` of `count` (1-based): a contiguous slice of the trials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, 1 to `count`.
    pub index: u64,
    /// How many shards.
    pub count: u64,
}

impl Shard {
    /// Parse `K/N`, e.g. `2/8`.
    pub fn parse(text: &str) -> Result<Shard> {
        let bad = |why: &str| {
            Error::Usage(format!(
                "--shard {text:?}: {why}; write K/N with 1 <= K <= N, e.g. 2/8 (an array \
                 job's index, from 1)"
            ))
        };
        let (k, n) = text.split_once('/').ok_or_else(|| bad("no `/`"))?;
        let num = |t: &str| {
            t.trim()
                .parse::<u64>()
                .map_err(|_| bad(&format!("{:?} is not a whole number", t.trim())))
        };
        let (index, count) = (num(k)?, num(n)?);
        if index == 0 || index > count {
            return Err(bad("K must be between 1 and N"));
        }
        Ok(Shard { index, count })
    }

    /// This shard's trials out of `trials`: `[(K−1)·T/N, K·T/N)`.
    pub fn trials(&self, trials: u64) -> std::ops::Range<u64> {
        let at = |k: u64| (u128::from(trials) * u128::from(k) / u128::from(self.count)) as u64;
        at(self.index - 1)..at(self.index)
    }
}

/// `shard.json` as bytes.
pub fn shard_json(
    s: &Scenario,
    opts: &RunOptions,
    decisions: &DecisionOptions,
    shard: Shard,
    waits: &[Vec<u128>],
) -> Vec<u8> {
    let range = shard.trials(opts.trials);
    let v = serde_json::json!({
        "scenario": s.name,
        "scenario_file": s.path.display().to_string(),
        "scenario_sha256": s.sha256,
        "seed": opts.seed,
        "trials": opts.trials,
        "fidelity": opts.fidelity.as_str(),
        "shard": shard.index,
        "shards": shard.count,
        "first_trial": range.start,
        "end_trial": range.end,
        "breakeven": decisions.breakeven.map(|b| serde_json::json!({
            "range_low": b.range.low,
            "range_high": b.range.high,
            "points_per_decade": b.points_per_decade,
            "refine_steps": b.refine_steps,
            "trials": b.trials,
        })),
        "tornado_trials": decisions.tornado_trials,
        // Fixed-point sums as decimal strings (u128 does not fit JSON numbers).
        "waits": waits
            .iter()
            .map(|d| d.iter().map(|w| w.to_string()).collect::<Vec<_>>())
            .collect::<Vec<_>>(),
        "version": env!("CARGO_PKG_VERSION"),
    });
    let mut bytes = serde_json::to_vec_pretty(&v).expect("JSON of plain values");
    bytes.push(b'\n');
    bytes
}

/// One shard folder as read back.
struct ShardDir {
    dir: PathBuf,
    json: serde_json::Value,
    index: u64,
}

fn bad_shard(dir: &Path, why: impl std::fmt::Display) -> Error {
    Error::Usage(format!("{}: {why}", dir.display()))
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|cause| Error::ReadInput {
        path: path.to_path_buf(),
        cause,
    })
}

fn read_shard(dir: &Path) -> Result<ShardDir> {
    let path = dir.join(SHARD_FILE);
    let json: serde_json::Value = serde_json::from_str(&read_text(&path)?)
        .map_err(|e| bad_shard(&path, format!("not a shard file: {e}")))?;
    let index = json["shard"]
        .as_u64()
        .ok_or_else(|| bad_shard(&path, "no shard index"))?;
    Ok(ShardDir {
        dir: dir.to_path_buf(),
        json,
        index,
    })
}

/// The same setting in every shard, or an error naming the first that differs.
fn same<'a>(shards: &'a [ShardDir], key: &str) -> Result<&'a serde_json::Value> {
    let first = &shards[0].json[key];
    for s in &shards[1..] {
        if s.json[key] != *first {
            return Err(bad_shard(
                &s.dir,
                format!(
                    "`{key}` is {} here but {} in {}: these shards are not of one run",
                    s.json[key],
                    first,
                    shards[0].dir.display()
                ),
            ));
        }
    }
    Ok(first)
}

/// A CSV's rows as maps from column name to cell, with its header line.
fn rows(text: &str, path: &Path) -> Result<(String, Vec<Vec<String>>, Vec<String>)> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r
        .headers()
        .map_err(|e| bad_shard(path, e))?
        .iter()
        .map(String::from)
        .collect();
    let body = r
        .records()
        .map(|rec| {
            rec.map(|rec| rec.iter().map(String::from).collect())
                .map_err(|e| bad_shard(path, e))
        })
        .collect::<Result<Vec<Vec<String>>>>()?;
    let first_line = text.lines().next().unwrap_or("").to_string();
    Ok((first_line, body, header))
}

fn num(cell: &str) -> f64 {
    // Empty cells are NaN (what `csv_num` writes for it).
    cell.parse().unwrap_or(f64::NAN)
}

/// Merge the shard folders `dirs` (any order) into `out_dir`: the files a
/// single run of all the trials writes, rebuilt from the shards' rows.
/// `threads` runs the tornado; `progress` gets its finished trials.
pub fn merge(dirs: &[PathBuf], out_dir: &Path, threads: usize) -> Result<RunResult> {
    let start = Instant::now();
    if dirs.is_empty() {
        return Err(Error::Usage("merge: give the shard folders".into()));
    }
    let mut shards = dirs
        .iter()
        .map(|d| read_shard(d))
        .collect::<Result<Vec<_>>>()?;
    shards.sort_by_key(|s| s.index);
    for key in [
        "scenario_sha256",
        "seed",
        "trials",
        "fidelity",
        "shards",
        "breakeven",
        "tornado_trials",
        "version",
    ] {
        same(&shards, key)?;
    }
    let count = shards[0].json["shards"].as_u64().unwrap_or(0);
    for (k, s) in shards.iter().enumerate() {
        if s.index != k as u64 + 1 {
            return Err(bad_shard(
                &s.dir,
                format!(
                    "shard {} found where shard {} of {count} was expected: give every shard \
                     once",
                    s.index,
                    k + 1
                ),
            ));
        }
    }
    if shards.len() as u64 != count {
        return Err(Error::Usage(format!(
            "merge: {} shard folders given but the run has {count} shards",
            shards.len()
        )));
    }
    let j = &shards[0].json;
    let file = PathBuf::from(j["scenario_file"].as_str().unwrap_or_default());
    let s = Scenario::load(&file)?;
    if Some(s.sha256.as_str()) != j["scenario_sha256"].as_str() {
        return Err(bad_shard(
            &file,
            "the scenario file changed since the shards ran (its SHA-256 differs)",
        ));
    }
    let opts = RunOptions {
        trials: j["trials"].as_u64().unwrap_or(0),
        seed: j["seed"].as_u64().unwrap_or(0),
        threads,
        fidelity: j["fidelity"]
            .as_str()
            .and_then(Fidelity::parse)
            .unwrap_or(s.run.fidelity),
    };
    let breakeven = match &j["breakeven"] {
        serde_json::Value::Null => None,
        b => Some(BreakEvenSettings {
            axis: VolumeAxis::of(&s)?,
            range: VolumeRange {
                low: b["range_low"].as_f64().unwrap_or(f64::NAN),
                high: b["range_high"].as_f64().unwrap_or(f64::NAN),
            },
            points_per_decade: b["points_per_decade"].as_u64().unwrap_or(4) as u32,
            refine_steps: b["refine_steps"].as_u64().unwrap_or(10) as u32,
            trials: b["trials"].as_u64().unwrap_or(0),
        }),
    };
    let decisions = DecisionOptions {
        breakeven,
        tornado_trials: j["tornado_trials"].as_u64().unwrap_or(0),
        precision: None,
        plots: false,
        shard: None,
    };

    let mut out = Staged::new(out_dir)?;
    let mut collector = Collector::new(&s);
    if let Some(b) = breakeven {
        collector = collector.with_breakeven(b);
    }
    let names: Vec<String> = s.deployments.iter().map(|d| d.name().to_string()).collect();
    let param_index = |name: &str| s.params.list.iter().position(|p| p.name == name);
    let mut files: Vec<(&str, String)> =
        vec![("trials.csv", String::new()), ("params.csv", String::new())];
    if breakeven.is_some() {
        files.push(("breakeven.csv", String::new()));
    }
    let mut expected_first = 0;
    for sh in &shards {
        let (first, end) = (
            sh.json["first_trial"].as_u64().unwrap_or(u64::MAX),
            sh.json["end_trial"].as_u64().unwrap_or(0),
        );
        if first != expected_first {
            return Err(bad_shard(
                &sh.dir,
                format!("its trials start at {first}, not {expected_first}"),
            ));
        }
        expected_first = end;
        // Concatenate each file's rows in shard order (headers once).
        let mut texts = Vec::new();
        for (name, acc) in files.iter_mut() {
            let path = sh.dir.join(name);
            let text = read_text(&path)?;
            match text.split_once('\n') {
                Some((head, body)) if !acc.is_empty() => {
                    if !acc.starts_with(head) {
                        return Err(bad_shard(
                            &path,
                            "its columns differ from the first shard's",
                        ));
                    }
                    acc.push_str(body);
                }
                _ => acc.push_str(&text),
            }
            texts.push((path, text));
        }
        // Rebuild the shard's trials for the summaries.
        let (_, trial_rows, header) = rows(&texts[0].1, &texts[0].0)?;
        let col = |name: &str| header.iter().position(|h| h == name);
        let need = |name: &str| {
            col(name).ok_or_else(|| bad_shard(&texts[0].0, format!("no {name} column")))
        };
        let (c_trial, c_cost, c_tokens, c_requests, c_util, c_over, c_cold, c_cold_w, c_queue) = (
            need("trial")?,
            need("cost_usd")?,
            need("tokens")?,
            need("requests")?,
            need("utilization")?,
            need("overflow_tokens")?,
            need("cold_starts")?,
            need("cold_start_waits")?,
            need("queue_waits")?,
        );
        let (_, param_rows, param_header) = rows(&texts[1].1, &texts[1].0)?;
        let param_cols: Vec<Option<usize>> = param_header.iter().map(|h| param_index(h)).collect();
        let crossings: Vec<Vec<String>> = match texts.get(2) {
            Some((path, text)) => {
                let (_, body, header) = rows(text, path)?;
                if header != report::BREAKEVEN_COLUMNS {
                    return Err(bad_shard(path, "not a breakeven.csv of this version"));
                }
                body
            }
            None => Vec::new(),
        };
        let n = (end - first) as usize;
        if trial_rows.len() != n * names.len() || param_rows.len() != n {
            return Err(bad_shard(
                &sh.dir,
                format!(
                    "trials.csv or params.csv does not hold trials {first}..{end} of {} \
                     deployments (cut short?)",
                    names.len()
                ),
            ));
        }
        let mut crossing_at = 0;
        let n_pairs = names.len() * names.len().saturating_sub(1) / 2;
        for (t, prow) in (first..end).zip(&param_rows) {
            let mut params = vec![f64::NAN; s.params.list.len()];
            for (cell, idx) in prow.iter().zip(&param_cols).skip(1) {
                if let Some(i) = idx {
                    params[*i] = num(cell);
                }
            }
            let d0 = ((t - first) as usize) * names.len();
            let outcomes: Vec<Outcome> = (0..names.len())
                .map(|d| {
                    let row = &trial_rows[d0 + d];
                    let utilization = num(&row[c_util]);
                    Outcome {
                        cost_usd: num(&row[c_cost]),
                        tokens: num(&row[c_tokens]),
                        requests: num(&row[c_requests]),
                        // utilization() = busy ÷ billed: keep the written value.
                        busy_gpu_s: if utilization.is_nan() {
                            0.0
                        } else {
                            utilization
                        },
                        billed_gpu_s: if utilization.is_nan() { 0.0 } else { 1.0 },
                        overflow_tokens: num(&row[c_over]),
                        cold_starts: num(&row[c_cold]),
                        cold_start_waits: num(&row[c_cold_w]),
                        queue_waits: num(&row[c_queue]),
                        ..Outcome::default()
                    }
                })
                .collect();
            if trial_rows[d0][c_trial] != t.to_string() {
                return Err(bad_shard(
                    &texts[0].0,
                    format!("trial {t} is missing or out of order"),
                ));
            }
            let mut breakeven = Vec::new();
            if crossing_at < crossings.len() && crossings[crossing_at][0] == t.to_string() {
                let Some(pair_rows) = crossings.get(crossing_at..crossing_at + n_pairs) else {
                    return Err(bad_shard(&sh.dir, "breakeven.csv is cut short"));
                };
                for row in pair_rows {
                    let kind = match row[3].as_str() {
                        "crossing" => CrossingKind::Crossing,
                        "a_cheaper_throughout" => CrossingKind::ACheaperThroughout,
                        _ => CrossingKind::BCheaperThroughout,
                    };
                    breakeven.push(PairCrossing {
                        kind,
                        volume: num(&row[4]),
                        a_cheaper_above: match kind {
                            CrossingKind::Crossing => row[6] == row[1],
                            k => k == CrossingKind::ACheaperThroughout,
                        },
                        sign_changes: row[7].parse().unwrap_or(0),
                    });
                }
                crossing_at += n_pairs;
            }
            collector.add(&TrialResult {
                trial: t,
                params,
                outcomes,
                breakeven,
            });
        }
        let waits: Vec<Vec<u128>> = sh.json["waits"]
            .as_array()
            .map(|ds| {
                ds.iter()
                    .map(|d| {
                        d.as_array()
                            .map(|bins| {
                                bins.iter()
                                    .map(|b| b.as_str().and_then(|x| x.parse().ok()).unwrap_or(0))
                                    .collect()
                            })
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .unwrap_or_default();
        collector.add_waits(&waits);
    }
    if expected_first != opts.trials {
        return Err(Error::Usage(format!(
            "merge: the shards cover trials 0 to {expected_first}, not all {}",
            opts.trials
        )));
    }
    for (name, text) in &files {
        out.write(name, text.as_bytes())?;
    }
    let result = crate::summarise(
        &s,
        &opts,
        &decisions,
        collector,
        &mut out,
        start.elapsed().as_secs_f64(),
        None,
    )?;
    out.commit()?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_trial_once() {
        for (trials, count) in [(10, 3), (7, 7), (1000, 8), (5, 1)] {
            let mut next = 0;
            for index in 1..=count {
                let r = Shard { index, count }.trials(trials);
                assert_eq!(r.start, next);
                next = r.end;
            }
            assert_eq!(next, trials);
        }
        assert!(Shard::parse("0/3").is_err() && Shard::parse("4/3").is_err());
        assert_eq!(Shard::parse("2/3").unwrap(), Shard { index: 2, count: 3 });
    }
}
