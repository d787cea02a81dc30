//! Scenario files: TOML read with positions, uncertain values, validation.
//!
//! A scenario has run settings (`[run]`), a traffic description
//! (`[traffic]`) and any number of named deployments
//! (`[deployment.<name>]` with `kind = "api" | "dedicated" | "serverless"`).
//! Every problem is reported as a [`ScenarioError`] naming the file, line,
//! column and field, and saying what would be valid.

use std::ops::Range;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::deploy::{self, Deployment, Fidelity};
use crate::error::{Error, Result, ScenarioError};
use crate::traffic::Traffic;
use crate::uncertain::{Dist, fmt_num};

/// Hours in the model's month (30 days).
pub const HOURS_PER_MONTH: f64 = 720.0;

/// Index of a sampled parameter in a trial's parameter vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamId(pub usize);

/// Where a number must lie; checked on fixed values and on the bulk (99.8%)
/// of a distribution. Draws outside the bounds are redrawn (truncation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    /// Strictly greater than zero.
    Positive,
    /// Zero or more.
    NonNegative,
    /// A fraction in `[0, 1]`; percentages are accepted.
    Fraction,
    /// A fraction strictly between 0 and 1; percentages are accepted.
    OpenFraction,
    /// A fraction of at least -1 (a growth rate); percentages are accepted.
    Growth,
    /// At least 1 (a multiplier such as an operations factor).
    AtLeastOne,
    /// Zero or more, as a fraction that may exceed 1 (headroom, a
    /// coefficient of variation); percentages are accepted.
    Proportion,
    /// Seconds from 0 to a day (86,400): a serverless boot. Longer is
    /// surely a slip of units, and the fast path's sums grow with the
    /// boot (a boot of 1e11 s took it over 20 s an hour). In range is not
    /// validated: the fast path's grid reaches 300 s (`docs/validation.md`;
    /// `breakeven fidelity` measures a scenario's own hours).
    UpToADay,
}

impl Bound {
    fn lower(self) -> (f64, bool) {
        match self {
            Bound::Positive | Bound::OpenFraction => (0.0, false),
            Bound::NonNegative | Bound::Fraction | Bound::Proportion | Bound::UpToADay => {
                (0.0, true)
            }
            Bound::Growth => (-1.0, false),
            Bound::AtLeastOne => (1.0, true),
        }
    }
    fn upper(self) -> Option<(f64, bool)> {
        match self {
            Bound::Fraction => Some((1.0, true)),
            Bound::OpenFraction => Some((1.0, false)),
            Bound::UpToADay => Some((86_400.0, true)),
            _ => None,
        }
    }
    /// True if `v` satisfies the bound.
    pub fn contains(self, v: f64) -> bool {
        let (lo, lo_inc) = self.lower();
        let above = if lo_inc { v >= lo } else { v > lo };
        let below = match self.upper() {
            Some((hi, true)) => v <= hi,
            Some((hi, false)) => v < hi,
            None => true,
        };
        v.is_finite() && above && below
    }
    fn allows_percent(self) -> bool {
        matches!(
            self,
            Bound::Fraction | Bound::OpenFraction | Bound::Growth | Bound::Proportion
        )
    }
    /// Words for an error message, e.g. `a number > 0`.
    pub fn describe(self) -> &'static str {
        match self {
            Bound::Positive => "a number > 0",
            Bound::NonNegative => "a number >= 0",
            Bound::Fraction => "a fraction from 0 to 1 (or a percentage like \"5%\")",
            Bound::OpenFraction => {
                "a fraction strictly between 0 and 1 (or a percentage like \"60%\")"
            }
            Bound::Growth => "a fraction > -1 (or a percentage like \"3%\")",
            Bound::AtLeastOne => "a number >= 1",
            Bound::Proportion => "a fraction >= 0 (or a percentage like \"20%\")",
            Bound::UpToADay => "a number of seconds from 0 to 86400 (a day)",
        }
    }
}

/// One input of the model that may be uncertain, drawn once per trial.
#[derive(Debug, Clone)]
pub struct Param {
    /// Dotted name, e.g. `traffic.tokens_per_month`; it also names the
    /// parameter's random stream, so draws do not depend on file order.
    pub name: String,
    /// Its distribution (units of the field).
    pub dist: Dist,
    /// Its bounds; draws outside are redrawn.
    pub bound: Bound,
}

impl Param {
    /// Draw the parameter, redrawing outside its bounds (validation keeps
    /// that below 0.2% of draws; after 1,000 tries the median is used).
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        for _ in 0..1000 {
            let v = self.dist.sample(rng);
            if self.bound.contains(v) {
                return v;
            }
        }
        self.dist.quantile(0.5)
    }
}

/// The registry of a scenario's parameters, in the order they were read.
#[derive(Debug, Clone, Default)]
pub struct Params {
    /// All parameters, fixed ones included.
    pub list: Vec<Param>,
}

impl Params {
    /// Register a parameter and return its id.
    pub fn add(&mut self, name: String, dist: Dist, bound: Bound) -> ParamId {
        self.list.push(Param { name, dist, bound });
        ParamId(self.list.len() - 1)
    }
    /// The ids of the parameters that are not fixed (the columns of `params.csv`).
    pub fn uncertain_ids(&self) -> Vec<ParamId> {
        (0..self.list.len())
            .filter(|&i| !self.list[i].dist.is_fixed())
            .map(ParamId)
            .collect()
    }
}

/// Run settings (`[run]`).
#[derive(Debug, Clone, PartialEq)]
pub struct RunSettings {
    /// Number of Monte Carlo trials.
    pub trials: u64,
    /// Seed of every random stream.
    pub seed: u64,
    /// Hours simulated per trial (720 = one 30-day month, 8,760 = a year).
    pub horizon_hours: u32,
    /// How closely self-hosted deployments are simulated (default `auto`).
    pub fidelity: Fidelity,
}

/// A whole validated scenario.
pub struct Scenario {
    /// Name (the `name` key, or the file stem); names the output folder.
    pub name: String,
    /// Free text from the `description` key.
    pub description: String,
    /// The file it came from.
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// Run settings.
    pub run: RunSettings,
    /// Every parameter, fixed or uncertain.
    pub params: Params,
    /// The traffic model.
    pub traffic: Traffic,
    /// The deployments to compare, in file order.
    pub deployments: Vec<Box<dyn Deployment>>,
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario")
            .field("name", &self.name)
            .field("path", &self.path)
            .field("deployments", &self.deployments.len())
            .finish()
    }
}

impl Scenario {
    /// Read and validate a scenario file.
    pub fn load(path: &Path) -> Result<Scenario> {
        let bytes = std::fs::read(path).map_err(|cause| Error::ReadInput {
            path: path.to_path_buf(),
            cause,
        })?;
        let text = String::from_utf8(bytes.clone()).map_err(|e| {
            let src = Source {
                file: path,
                text: "",
            };
            src.error(0..0, "(file)", format!("not UTF-8 text ({e})"))
        })?;
        Scenario::parse(path, &text)
    }

    /// Validate scenario text; `file` is used for messages and the default name.
    pub fn parse(file: &Path, text: &str) -> Result<Scenario> {
        let src = Source { file, text };
        if text.trim().is_empty() {
            return Err(src
                .error(
                    0..0,
                    "(file)",
                    "the file is empty; a scenario needs [traffic] and at least one \
                     [deployment.<name>] table (see scenarios/steady-1b.toml)",
                )
                .into());
        }
        let root = DeTable::parse(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            src.error(
                span,
                "(file)",
                format!("not valid TOML: {}", e.message().trim_end()),
            )
        })?;
        let top = Table::new(&src, String::new(), root.get_ref(), root.span());
        top.check_keys(&["name", "description", "run", "traffic", "deployment"])?;
        let default_name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "scenario".to_string());
        let name = match top.string("name")? {
            Some((n, span)) => {
                if n.is_empty()
                    || !n
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
                    || n.starts_with('.')
                {
                    return Err(top
                        .error_at(
                            span,
                            "name",
                            format!(
                                "`{n}` cannot name an output folder; use letters, digits, \
                                 '-', '_' and '.'"
                            ),
                        )
                        .into());
                }
                n.to_string()
            }
            None => default_name,
        };
        let description = top
            .string("description")?
            .map(|(d, _)| d.to_string())
            .unwrap_or_default();

        let run = match top.subtable("run")? {
            Some(t) => {
                t.check_keys(&["trials", "seed", "horizon_hours", "fidelity"])?;
                let fidelity = match t.string("fidelity")? {
                    None => Fidelity::Auto,
                    Some((f, span)) => Fidelity::parse(f).ok_or_else(|| {
                        t.error_at(
                            span,
                            "fidelity",
                            format!(
                                "unknown fidelity \"{f}\"; valid: \"hourly\", \"request\", \"auto\""
                            ),
                        )
                    })?,
                };
                RunSettings {
                    trials: t.integer("trials", 1, 100_000_000)?.unwrap_or(10_000) as u64,
                    seed: t.integer("seed", 0, i64::MAX)?.unwrap_or(1) as u64,
                    horizon_hours: t.integer("horizon_hours", 1, 87_600)?.unwrap_or(720) as u32,
                    fidelity,
                }
            }
            None => RunSettings {
                trials: 10_000,
                seed: 1,
                horizon_hours: 720,
                fidelity: Fidelity::Auto,
            },
        };

        let mut params = Params::default();
        let traffic_table = top.subtable("traffic")?.ok_or_else(|| {
            top.error_at(
                top.span.clone(),
                "traffic",
                "missing [traffic] table; it needs tokens_per_month or requests_per_month",
            )
        })?;
        let traffic = Traffic::from_table(&traffic_table, &mut params)?;

        let deployments_table = top.subtable("deployment")?;
        let mut deployments: Vec<Box<dyn Deployment>> = Vec::new();
        if let Some(dt) = &deployments_table {
            let mut specs = Vec::new();
            for (key, value) in dt.table.iter() {
                let dname = key.get_ref().to_string();
                let field = format!("deployment.{dname}");
                if dname.is_empty()
                    || !dname
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
                {
                    return Err(src
                        .error(
                            key.span(),
                            &field,
                            "a deployment name may use letters, digits, '-', '_' and '.'",
                        )
                        .into());
                }
                let DeValue::Table(t) = value.get_ref() else {
                    return Err(src
                        .error(
                            value.span(),
                            &field,
                            format!(
                                "expected a table [deployment.{dname}] with a `kind`, found {}",
                                value.get_ref().type_str()
                            ),
                        )
                        .into());
                };
                specs.push(Table::new(&src, field, t, value.span()));
            }
            let names: Vec<String> = specs
                .iter()
                .map(|t| t.path.trim_start_matches("deployment.").to_string())
                .collect();
            for t in &specs {
                let dname = t.path.trim_start_matches("deployment.").to_string();
                deployments.push(deploy::from_table(t, &dname, &names, &mut params)?);
            }
            deploy::resolve_links(&mut deployments, &specs)?;
        }
        if deployments.is_empty() {
            let span = deployments_table.map(|t| t.span.clone()).unwrap_or(0..0);
            return Err(src
                .error(
                    span,
                    "deployment",
                    "the scenario has no deployment; add at least one table \
                     [deployment.<name>] with kind = \"api\", \"dedicated\" or \"serverless\"",
                )
                .into());
        }
        Ok(Scenario {
            name,
            description,
            path: file.to_path_buf(),
            sha256: Sha256::digest(text.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            run,
            params,
            traffic,
            deployments,
        })
    }

    /// Hours in the horizon as months of 720 hours.
    pub fn horizon_months(&self) -> f64 {
        self.run.horizon_hours as f64 / HOURS_PER_MONTH
    }
}

/// The text of a scenario file, for turning byte offsets into positions.
pub(crate) struct Source<'a> {
    pub file: &'a Path,
    pub text: &'a str,
}

impl Source<'_> {
    /// An error at a byte span of the text.
    pub fn error(
        &self,
        span: Range<usize>,
        field: &str,
        message: impl Into<String>,
    ) -> ScenarioError {
        let offset = span.start.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = before[line_start..].chars().count() + 1;
        ScenarioError {
            file: self.file.to_path_buf(),
            line,
            column,
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// A table of the scenario being read, with its dotted path.
pub(crate) struct Table<'a> {
    pub src: &'a Source<'a>,
    pub path: String,
    pub table: &'a DeTable<'a>,
    pub span: Range<usize>,
}

type Value<'a> = Spanned<DeValue<'a>>;

impl<'a> Table<'a> {
    pub fn new(
        src: &'a Source<'a>,
        path: String,
        table: &'a DeTable<'a>,
        span: Range<usize>,
    ) -> Self {
        Table {
            src,
            path,
            table,
            span,
        }
    }

    /// Dotted path of a key of this table.
    pub fn field(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// An error at a span, naming `key` of this table.
    pub fn error_at(&self, span: Range<usize>, key: &str, msg: impl Into<String>) -> ScenarioError {
        self.src.error(span, &self.field(key), msg)
    }

    /// Reject any key not in `allowed`, suggesting the closest valid one.
    pub fn check_keys(&self, allowed: &[&str]) -> std::result::Result<(), ScenarioError> {
        for (key, _) in self.table.iter() {
            let k: &str = key.get_ref();
            if !allowed.contains(&k) {
                let hint = closest(k, allowed)
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                return Err(self.error_at(
                    key.span(),
                    k,
                    format!(
                        "unknown key `{k}`{hint}; valid keys here: {}",
                        allowed.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The value under `key`, if present.
    pub fn get(&self, key: &str) -> Option<&'a Value<'a>> {
        self.table
            .iter()
            .find(|(k, _)| {
                let kk: &str = k.get_ref();
                kk == key
            })
            .map(|(_, v)| v)
    }

    fn type_error(&self, key: &str, v: &Value<'_>, expected: &str) -> ScenarioError {
        // (`inf` and `nan` are TOML floats, but no input takes them.)
        let not_finite = match v.get_ref() {
            DeValue::Float(f) => f.as_str().parse::<f64>().is_ok_and(|x| !x.is_finite()),
            _ => false,
        };
        let found = describe_value(v.get_ref());
        let found = if not_finite {
            format!("{found}, which is not finite")
        } else {
            found
        };
        self.error_at(v.span(), key, format!("expected {expected}, found {found}"))
    }

    /// A string value.
    pub fn string(
        &self,
        key: &str,
    ) -> std::result::Result<Option<(&'a str, Range<usize>)>, ScenarioError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match v.get_ref() {
                DeValue::String(s) => Ok(Some((s.as_ref(), v.span()))),
                _ => Err(self.type_error(key, v, "a string")),
            },
        }
    }

    /// A boolean value.
    pub fn boolean(&self, key: &str) -> std::result::Result<Option<bool>, ScenarioError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match v.get_ref() {
                DeValue::Boolean(b) => Ok(Some(*b)),
                _ => Err(self.type_error(key, v, "true or false")),
            },
        }
    }

    /// A whole number in `[min, max]`.
    pub fn integer(
        &self,
        key: &str,
        min: i64,
        max: i64,
    ) -> std::result::Result<Option<i64>, ScenarioError> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let n = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
            DeValue::Float(f) => f
                .as_str()
                .replace('_', "")
                .parse::<f64>()
                .ok()
                .filter(|x| x.fract() == 0.0 && x.abs() < 9.0e15)
                .map(|x| x as i64),
            _ => None,
        };
        match n {
            Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
            Some(n) => Err(self.error_at(
                v.span(),
                key,
                format!("{n} is out of range; expected a whole number from {min} to {max}"),
            )),
            None => Err(self.type_error(key, v, &format!("a whole number from {min} to {max}"))),
        }
    }

    /// A plain (fixed) number satisfying `bound`.
    pub fn number(
        &self,
        key: &str,
        bound: Bound,
    ) -> std::result::Result<Option<f64>, ScenarioError> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let x = match v.get_ref() {
            DeValue::Integer(_) | DeValue::Float(_) => number_of(v.get_ref()),
            DeValue::String(s) if bound.allows_percent() => parse_scalar(s)
                .ok()
                .map(|(x, pct)| if pct { x / 100.0 } else { x }),
            _ => None,
        };
        match x {
            Some(x) if bound.contains(x) => Ok(Some(x)),
            Some(x) => Err(self.error_at(
                v.span(),
                key,
                format!(
                    "{} is out of range; expected {}",
                    fmt_num(x),
                    bound.describe()
                ),
            )),
            None => Err(self.type_error(key, v, bound.describe())),
        }
    }

    /// A sub-table.
    pub fn subtable(&self, key: &str) -> std::result::Result<Option<Table<'a>>, ScenarioError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match v.get_ref() {
                DeValue::Table(t) => Ok(Some(Table::new(self.src, self.field(key), t, v.span()))),
                _ => Err(self.type_error(key, v, &format!("a table [{}]", self.field(key)))),
            },
        }
    }

    /// An uncertain value under `key`, or `default` if absent (`None`: required).
    pub fn dist(
        &self,
        key: &str,
        bound: Bound,
        default: Option<f64>,
    ) -> std::result::Result<Dist, ScenarioError> {
        match self.get(key) {
            Some(v) => parse_dist(self, key, v, bound),
            None => match default {
                Some(d) => Ok(Dist::Fixed(d)),
                None => Err(self.error_at(
                    self.span.clone(),
                    key,
                    format!(
                        "missing `{key}` in [{}]; give {}, fixed or uncertain \
                         (e.g. \"1.39 to 2.00\")",
                        self.path,
                        bound.describe()
                    ),
                )),
            },
        }
    }

    /// An uncertain value registered as a parameter named `<table path>.<key>`.
    pub fn param(
        &self,
        params: &mut Params,
        key: &str,
        bound: Bound,
        default: Option<f64>,
    ) -> std::result::Result<ParamId, ScenarioError> {
        let dist = self.dist(key, bound, default)?;
        Ok(params.add(self.field(key), dist, bound))
    }

    /// The span of `key` if present, else of the table.
    pub fn span_of(&self, key: &str) -> Range<usize> {
        self.get(key).map(|v| v.span()).unwrap_or(self.span.clone())
    }
}

fn describe_value(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("the string \"{s}\""),
        DeValue::Integer(i) => format!("the integer {}", i.as_str()),
        DeValue::Float(f) => format!("the number {}", f.as_str()),
        DeValue::Boolean(b) => format!("the boolean {b}"),
        DeValue::Datetime(_) => "a date-time".to_string(),
        DeValue::Array(_) => "an array".to_string(),
        DeValue::Table(_) => "a table".to_string(),
    }
}

fn number_of(v: &DeValue<'_>) -> Option<f64> {
    match v {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .ok()
            .map(|n| n as f64),
        DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
        _ => None,
    }
    .filter(|x| x.is_finite())
}

/// Parse `"12.5"`, `"1e9"`, `"1_000"` or `"5%"`; returns (value, was a percentage).
fn parse_scalar(s: &str) -> std::result::Result<(f64, bool), String> {
    let t = s.trim();
    let (body, pct) = match t.strip_suffix('%') {
        Some(b) => (b.trim(), true),
        None => (t, false),
    };
    body.replace('_', "")
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .map(|x| (x, pct))
        .ok_or_else(|| format!("`{t}` is not a number"))
}

const UNCERTAIN_FORMS: &str = "a number, a range string like \"1.39 to 2.00\" (lognormal with \
     those 5th/95th percentiles), or a table: { p5 = .., p95 = .. }, { mean = .., sd = .. }, \
     { pert = [min, mode, max] }, { triangular = [min, mode, max] }, { uniform = [min, max] }";

fn parse_dist(
    t: &Table<'_>,
    key: &str,
    v: &Value<'_>,
    bound: Bound,
) -> std::result::Result<Dist, ScenarioError> {
    let err = |msg: String| t.error_at(v.span(), key, msg);
    let scale = |pct: bool| -> std::result::Result<f64, ScenarioError> {
        if pct && !bound.allows_percent() {
            Err(err(format!(
                "a percentage is only for fractions; expected {}",
                bound.describe()
            )))
        } else if pct {
            Ok(0.01)
        } else {
            Ok(1.0)
        }
    };
    let dist = match v.get_ref() {
        DeValue::Integer(_) | DeValue::Float(_) => Dist::Fixed(
            number_of(v.get_ref()).ok_or_else(|| err("not a finite number".to_string()))?,
        ),
        DeValue::String(s) => {
            if let Some((lo, hi)) = s.split_once(" to ") {
                let (a, pa) = parse_scalar(lo)
                    .map_err(|m| err(format!("{m}; expected {UNCERTAIN_FORMS}")))?;
                let (b, pb) = parse_scalar(hi)
                    .map_err(|m| err(format!("{m}; expected {UNCERTAIN_FORMS}")))?;
                let (a, b) = (a * scale(pa)?, b * scale(pb)?);
                if a <= 0.0 {
                    return Err(err(format!(
                        "\"{s}\": the low end of a range must be > 0 (a range is a lognormal); \
                         for ranges reaching 0 or below use {{ uniform = [min, max] }} or \
                         {{ pert = [min, mode, max] }}"
                    )));
                }
                if a >= b {
                    return Err(err(format!(
                        "\"{s}\": the low end must be below the high end, like \"{} to {}\"",
                        fmt_num(b),
                        fmt_num(a)
                    )));
                }
                Dist::lognormal_p5_p95(a, b)
            } else {
                let (x, pct) =
                    parse_scalar(s).map_err(|m| err(format!("{m}; expected {UNCERTAIN_FORMS}")))?;
                Dist::Fixed(x * scale(pct)?)
            }
        }
        DeValue::Table(tab) => {
            let inner = Table::new(t.src, t.field(key), tab, v.span());
            parse_dist_table(&inner, bound)?
        }
        other => {
            return Err(err(format!(
                "expected {UNCERTAIN_FORMS}; found {}",
                describe_value(other)
            )));
        }
    };
    check_dist_bounds(&dist, bound).map_err(err)?;
    Ok(dist)
}

fn parse_dist_table(t: &Table<'_>, bound: Bound) -> std::result::Result<Dist, ScenarioError> {
    let keys: Vec<&str> = t
        .table
        .iter()
        .map(|(k, _)| -> &str { k.get_ref() })
        .collect();
    let has = |k: &str| keys.contains(&k);
    let num = |k: &str| -> std::result::Result<f64, ScenarioError> {
        let v = t.get(k).expect("key checked");
        match v.get_ref() {
            DeValue::String(s) => {
                let (x, pct) = parse_scalar(s).map_err(|m| t.error_at(v.span(), k, m))?;
                if pct && !bound.allows_percent() {
                    return Err(t.error_at(
                        v.span(),
                        k,
                        format!(
                            "a percentage is only for fractions; expected {}",
                            bound.describe()
                        ),
                    ));
                }
                Ok(if pct { x / 100.0 } else { x })
            }
            other => number_of(other).ok_or_else(|| t.type_error(k, v, "a number")),
        }
    };
    let triple = |k: &str, n: usize| -> std::result::Result<Vec<f64>, ScenarioError> {
        let v = t.get(k).expect("key checked");
        let DeValue::Array(arr) = v.get_ref() else {
            return Err(t.type_error(k, v, &format!("an array of {n} numbers")));
        };
        let xs: Vec<f64> = arr.iter().filter_map(|x| number_of(x.get_ref())).collect();
        if arr.len() != n {
            return Err(t.error_at(
                v.span(),
                k,
                format!(
                    "expected an array of {n} numbers, found {} item(s)",
                    arr.len()
                ),
            ));
        }
        if let Some(bad) = arr.iter().find(|x| number_of(x.get_ref()).is_none()) {
            return Err(t.type_error(k, bad, &format!("an array of {n} finite numbers")));
        }
        Ok(xs)
    };
    let form_err = |msg: &str| {
        t.src.error(
            t.span.clone(),
            &t.path,
            format!(
                "{msg}; expected one of {{ p5 = .., p95 = .. }}, {{ mean = .., sd = .. }} \
                     (optional dist = \"normal\" or \"lognormal\"), {{ median = .., mean = .. }} (a lognormal), {{ pert = [min, mode, max] }}, \
                     {{ triangular = [min, mode, max] }}, {{ uniform = [min, max] }}"
            ),
        )
    };
    let only = |allowed: &[&str]| t.check_keys(allowed);
    if has("p5") || has("p95") {
        only(&["p5", "p95"])?;
        if !(has("p5") && has("p95")) {
            return Err(form_err("both p5 and p95 are needed"));
        }
        let (a, b) = (num("p5")?, num("p95")?);
        if a <= 0.0 || a >= b {
            return Err(form_err(&format!(
                "p5 = {}, p95 = {}: need 0 < p5 < p95",
                fmt_num(a),
                fmt_num(b)
            )));
        }
        Ok(Dist::lognormal_p5_p95(a, b))
    } else if has("median") {
        only(&["median", "mean"])?;
        if !has("mean") {
            return Err(form_err("a median needs a mean beside it (a lognormal)"));
        }
        let (med, m) = (num("median")?, num("mean")?);
        if med <= 0.0 || m <= med {
            return Err(form_err(&format!(
                "median = {}, mean = {}: a lognormal needs 0 < median < mean",
                fmt_num(med),
                fmt_num(m)
            )));
        }
        Ok(Dist::lognormal_median_mean(med, m))
    } else if has("mean") || has("sd") {
        only(&["mean", "sd", "dist"])?;
        if !(has("mean") && has("sd")) {
            return Err(form_err("both mean and sd are needed"));
        }
        let (m, s) = (num("mean")?, num("sd")?);
        if s <= 0.0 {
            return Err(t.error_at(t.span_of("sd"), "sd", "sd must be > 0"));
        }
        match t.string("dist")? {
            None | Some(("normal", _)) => Ok(Dist::Normal { mean: m, sd: s }),
            Some(("lognormal", _)) => {
                if m <= 0.0 {
                    return Err(t.error_at(
                        t.span_of("mean"),
                        "mean",
                        "a lognormal needs mean > 0",
                    ));
                }
                Ok(Dist::lognormal_mean_sd(m, s))
            }
            Some((other, span)) => Err(t.error_at(
                span,
                "dist",
                format!("unknown dist \"{other}\"; valid: \"normal\", \"lognormal\""),
            )),
        }
    } else if has("pert") || has("triangular") {
        let k = if has("pert") { "pert" } else { "triangular" };
        only(&[k])?;
        let xs = triple(k, 3)?;
        let (min, mode, max) = (xs[0], xs[1], xs[2]);
        if !(min <= mode && mode <= max && min < max) {
            return Err(t.error_at(
                t.span_of(k),
                k,
                format!(
                    "need min <= mode <= max and min < max, found [{}, {}, {}]",
                    fmt_num(min),
                    fmt_num(mode),
                    fmt_num(max)
                ),
            ));
        }
        Ok(if k == "pert" {
            Dist::Pert { min, mode, max }
        } else {
            Dist::Triangular { min, mode, max }
        })
    } else if has("uniform") {
        only(&["uniform"])?;
        let xs = triple("uniform", 2)?;
        if xs[0] >= xs[1] {
            return Err(t.error_at(
                t.span_of("uniform"),
                "uniform",
                format!(
                    "need min < max, found [{}, {}]",
                    fmt_num(xs[0]),
                    fmt_num(xs[1])
                ),
            ));
        }
        Ok(Dist::Uniform {
            min: xs[0],
            max: xs[1],
        })
    } else {
        let k = keys.first().copied().unwrap_or("");
        Err(form_err(&if k.is_empty() {
            "an empty table".to_string()
        } else {
            format!("unknown key `{k}`")
        }))
    }
}

/// A distribution is accepted when its fixed value lies in the bound, or when
/// at most 0.1% of its mass lies beyond each end of the bound.
fn check_dist_bounds(dist: &Dist, bound: Bound) -> std::result::Result<(), String> {
    if let Dist::Fixed(v) = dist {
        return if bound.contains(*v) {
            Ok(())
        } else {
            Err(format!(
                "{} is out of range; expected {}",
                fmt_num(*v),
                bound.describe()
            ))
        };
    }
    let (lo, _) = bound.lower();
    let low_ok = dist.support_min() >= lo || dist.quantile(0.001) > lo;
    let high_ok = match bound.upper() {
        None => true,
        Some((hi, _)) => dist.support_max() <= hi || dist.quantile(0.999) < hi,
    };
    if low_ok && high_ok {
        Ok(())
    } else {
        Err(format!(
            "{} puts more than 0.1% of its draws outside the valid range; expected {} \
             (p0.1 = {}, p99.9 = {})",
            dist.describe(),
            bound.describe(),
            fmt_num(dist.quantile(0.001)),
            fmt_num(dist.quantile(0.999))
        ))
    }
}

/// The candidate within edit distance 3 of `word`, if any.
fn closest<'b>(word: &str, candidates: &[&'b str]) -> Option<&'b str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist_of(text: &str, bound: Bound) -> std::result::Result<Dist, ScenarioError> {
        let doc = format!("x = {text}\n");
        let root = DeTable::parse(&doc).unwrap();
        let src = Source {
            file: Path::new("t.toml"),
            text: &doc,
        };
        let t = Table::new(&src, "t".into(), root.get_ref(), root.span());
        t.dist("x", bound, None)
    }

    #[test]
    fn parses_every_form() {
        assert_eq!(dist_of("2", Bound::Positive).unwrap(), Dist::Fixed(2.0));
        assert_eq!(
            dist_of("\"5%\"", Bound::Fraction).unwrap(),
            Dist::Fixed(0.05)
        );
        let d = dist_of("\"5% to 15%\"", Bound::Fraction).unwrap();
        assert!((d.quantile(0.05) - 0.05).abs() < 1e-12);
        let d = dist_of("{ p5 = 1.39, p95 = 2.0 }", Bound::Positive).unwrap();
        assert!((d.quantile(0.95) - 2.0).abs() < 1e-12);
        assert!(matches!(
            dist_of("{ pert = [1, 2, 4] }", Bound::Positive).unwrap(),
            Dist::Pert { .. }
        ));
        assert!(matches!(
            dist_of("{ mean = 10, sd = 1 }", Bound::Positive).unwrap(),
            Dist::Normal { .. }
        ));
        assert!(matches!(
            dist_of(
                "{ mean = 10, sd = 5, dist = \"lognormal\" }",
                Bound::Positive
            )
            .unwrap(),
            Dist::LogNormal { .. }
        ));
    }

    #[test]
    fn rejects_bad_values_with_positions() {
        let e = dist_of("\"5 to 2\"", Bound::Positive).unwrap_err();
        assert_eq!((e.line, e.column), (1, 5));
        assert!(e.message.contains("low end must be below"), "{}", e.message);
        assert!(dist_of("-1", Bound::Positive).is_err());
        assert!(dist_of("0", Bound::Positive).is_err());
        assert!(dist_of("\"5%\"", Bound::Positive).is_err());
        assert!(dist_of("{ mean = 1, sd = 1 }", Bound::Positive).is_err());
        assert!(dist_of("\"50% to 150%\"", Bound::Fraction).is_err());
        assert!(dist_of("true", Bound::Positive).is_err());
        assert!(dist_of("{ p5 = 1 }", Bound::Positive).is_err());
        assert!(dist_of("{ pert = [3, 2, 4] }", Bound::Positive).is_err());
    }

    #[test]
    fn suggests_close_keys() {
        assert_eq!(
            closest("gpu_hour_ud", &["gpu_hour_usd", "replicas"]),
            Some("gpu_hour_usd")
        );
        assert_eq!(closest("zzzzzzzz", &["gpu_hour_usd"]), None);
    }
}
