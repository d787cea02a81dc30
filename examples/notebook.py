# %% [markdown]
# # Break-even between deployments, redrawn from a `breakeven sweep` folder
#
# A notebook-style script: each `# %%` marks a cell (VS Code, PyCharm and
# Jupytext open it as a notebook), and it also runs top to bottom as a plain
# script. It reads the CSVs that `breakeven sweep` writes, prints the key
# tables, and redraws the break-even figure with matplotlib.
#
# Requirements (only these three libraries):
#
#     pip install pandas matplotlib        # numpy comes with pandas
#
# Produce the input, then run the script on it:
#
#     cargo build --release
#     ./target/release/breakeven sweep scenarios/article.toml \
#         --volume 1e8..1e11 --points 13 --trials 500 --breakeven-trials 500 \
#         --out /tmp/nb-sweep --quiet
#     python3 examples/notebook.py /tmp/nb-sweep [figure.png]
#
# Arguments: the sweep folder (default `output/article/sweep`, where
# `breakeven sweep scenarios/article.toml` writes without `--out`) and,
# optionally, where to save the figure (default
# `<folder>/breakeven_figure.png`).

# %%
import json
import math
import sys
from pathlib import Path

import matplotlib

# Headless: render to files only. (Inside a Jupyter kernel, keep its own
# inline backend so the figure also shows in the notebook.)
if "ipykernel" not in sys.modules:
    matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

pd.set_option("display.width", 200)
pd.set_option("display.max_columns", 20)


def fail(message: str) -> None:
    """Stop with a clear message and a non-zero exit status."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def fmt_volume(v: float) -> str:
    """A volume for humans: 100M, 1.78B; "below range"/"above range" for ±inf."""
    if v == -math.inf:
        return "below range"
    if v == math.inf:
        return "above range"
    if not math.isfinite(v):
        return "n/a"
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= scale:
            return f"{v / scale:.3g}{suffix}"
    return f"{v:.3g}"


def fmt_money(v: float) -> str:
    return f"${v:,.2f}" if abs(v) < 100 else f"${v:,.0f}"


# %% [markdown]
# ## 1. Where the sweep is
#
# First argument: the sweep folder; second (optional): the figure's path.
# In a notebook kernel `sys.argv` holds the kernel's own arguments, so the
# defaults are used there; edit `FOLDER` / `FIGURE` by hand if needed.

# %%
args = [] if "ipykernel" in sys.modules else sys.argv[1:]
if len(args) > 2:
    fail("usage: python3 examples/notebook.py [SWEEP_FOLDER] [FIGURE.png]")
FOLDER = Path(args[0] if args else "output/article/sweep")
FIGURE = Path(args[1]) if len(args) > 1 else FOLDER / "breakeven_figure.png"

if not FOLDER.is_dir():
    fail(
        f"sweep folder {FOLDER} not found; produce it with "
        f"`breakeven sweep SCENARIO.toml --out {FOLDER}`"
    )

# %% [markdown]
# ## 2. Load the two CSVs
#
# * `sweep.csv` is tidy (long) format: one statistic per row. Rows with an
#   empty `versus` describe one deployment at one volume (mean cost,
#   percentiles, P(cheapest)); rows with `versus` set describe a pair,
#   e.g. `p_cheaper` = P(cost(deployment) < cost(versus)) within a trial,
#   with its 95% interval in `ci95_low`/`ci95_high`.
# * `breakeven.csv` has one row per trial and pair: where the two costs
#   cross (`breakeven_volume`), or that one of them is cheaper throughout.
#
# Everything is read as text first (so a deployment called "NA" or "None"
# stays a name, and an empty `versus` stays ""), then the numeric columns
# are converted explicitly.

# %%
SWEEP_COLUMNS = [
    "volume", "volume_unit", "deployment", "versus", "statistic",
    "value", "mcse", "ci95_low", "ci95_high", "trials",
]
BREAKEVEN_COLUMNS = [
    "trial", "a", "b", "outcome", "breakeven_volume", "volume_unit",
    "cheaper_above", "sign_changes",
]
OUTCOMES = {"crossing", "a_cheaper_throughout", "b_cheaper_throughout"}


def load_csv(name: str, columns: list[str], numeric: list[str]) -> pd.DataFrame:
    path = FOLDER / name
    if not path.is_file():
        hint = " (was the sweep run with --breakeven-trials 0?)" if name == "breakeven.csv" else ""
        fail(f"{path} not found{hint}")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        fail(f"{path} is not a readable CSV: {e}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        fail(
            f"{path} lacks the column(s) {', '.join(missing)}; "
            f"expected {', '.join(columns)}, found {', '.join(map(str, df.columns))}"
        )
    if df.empty:
        fail(f"{path} has a header but no rows")
    for c in numeric:
        # Empty cells (no break-even, no interval) become NaN; anything
        # else that is not a number is an error.
        converted = pd.to_numeric(df[c].replace("", np.nan), errors="coerce")
        bad = converted.isna() & (df[c] != "")
        if bad.any():
            fail(f"{path}: column {c} has non-numeric value {df.loc[bad, c].iloc[0]!r}")
        df[c] = converted
    return df


sweep = load_csv(
    "sweep.csv", SWEEP_COLUMNS, ["volume", "value", "mcse", "ci95_low", "ci95_high", "trials"]
)
be = load_csv("breakeven.csv", BREAKEVEN_COLUMNS, ["trial", "breakeven_volume", "sign_changes"])

# sweep.json is optional: it only gives the scenario's name for the title.
try:
    info = json.loads((FOLDER / "sweep.json").read_text())
except (OSError, ValueError):
    info = {}
SCENARIO = info.get("scenario", FOLDER.parent.name or str(FOLDER))

# %% [markdown]
# A few sanity checks, so a folder from another tool (or another version)
# fails here with a clear message rather than with an odd figure.

# %%
units = set(sweep["volume_unit"]) | set(be["volume_unit"])
if len(units) != 1:
    fail(f"expected one volume unit across both CSVs, found {sorted(units)}")
UNIT = units.pop()
UNIT_LABEL = UNIT.replace("_", " ")

if sweep["volume"].isna().any() or (sweep["volume"] <= 0).any():
    fail("sweep.csv: every volume must be a positive number")
per_deployment = sweep[sweep["versus"] == ""]
per_pair = sweep[sweep["versus"] != ""]
for frame, stat in ((per_deployment, "mean_usd"), (per_pair, "p_cheaper")):
    if not (frame["statistic"] == stat).any():
        fail(f"sweep.csv has no {stat!r} rows")

bad_outcomes = set(be["outcome"]) - OUTCOMES
if bad_outcomes:
    fail(f"breakeven.csv: unknown outcome(s) {sorted(bad_outcomes)}; expected {sorted(OUTCOMES)}")
crossing_rows = be[be["outcome"] == "crossing"]
if (crossing_rows["breakeven_volume"].isna() | (crossing_rows["breakeven_volume"] <= 0)).any():
    fail("breakeven.csv: a 'crossing' row has no positive breakeven_volume")
if not (
    (crossing_rows["cheaper_above"] == crossing_rows["a"])
    | (crossing_rows["cheaper_above"] == crossing_rows["b"])
).all():
    fail("breakeven.csv: cheaper_above must name a or b of its row")

# Scenario order (order of first appearance), not alphabetical.
DEPLOYMENTS = list(dict.fromkeys(per_deployment["deployment"]))
PAIRS = list(dict.fromkeys(zip(per_pair["deployment"], per_pair["versus"])))
VOLUMES = np.sort(sweep["volume"].unique())
LOW, HIGH = VOLUMES[0], VOLUMES[-1]

missing_pairs = set(dict.fromkeys(zip(be["a"], be["b"]))) ^ set(PAIRS)
if missing_pairs:
    fail(f"the pairs of sweep.csv and breakeven.csv differ: {sorted(missing_pairs)}")

print(
    f"{SCENARIO}: {len(DEPLOYMENTS)} deployments, {len(VOLUMES)} volumes "
    f"from {fmt_volume(LOW)} to {fmt_volume(HIGH)} {UNIT_LABEL}, "
    f"{int(sweep['trials'].max())} trials per volume, "
    f"{be['trial'].nunique()} break-even trials"
)

# %% [markdown]
# ## 3. Mean monthly cost per deployment at each volume
#
# Rows: volume; columns: deployment. The mean is over the Monte Carlo
# trials; `sweep.csv` also has p5…p95 for the spread.

# %%
mean_cost = (
    per_deployment[per_deployment["statistic"] == "mean_usd"]
    .pivot(index="volume", columns="deployment", values="value")
    .reindex(columns=DEPLOYMENTS)
)
print(f"\nMean cost, USD per month (rows: {UNIT_LABEL})")
print(
    mean_cost.rename(index=fmt_volume).rename_axis(index=None, columns=None)
    .map(fmt_money)
    .to_string()
)

# %% [markdown]
# ## 4. P(cheaper) for each pair at each volume
#
# `P(a < b)` is the share of trials in which `a` costs less than `b` *in
# the same trial* (same traffic, same prices): the probability that
# choosing `a` over `b` saves money, not a comparison of two averages.

# %%
p_cheaper = per_pair[per_pair["statistic"] == "p_cheaper"].copy()
p_cheaper["pair"] = "P(" + p_cheaper["deployment"] + " < " + p_cheaper["versus"] + ")"
p_table = p_cheaper.pivot(index="volume", columns="pair", values="value").reindex(
    columns=[f"P({a} < {b})" for a, b in PAIRS]
)
print(f"\nP(cheaper in the same trial) (rows: {UNIT_LABEL})")
print(
    p_table.rename(index=fmt_volume).rename_axis(index=None, columns=None)
    .map(lambda p: f"{p:.3f}")
    .to_string()
)

# %% [markdown]
# ## 5. Distribution of the break-even volume, per pair
#
# For each trial the engine searched the volume range for the point where
# the two costs cross. Some trials never cross inside the range; dropping
# them would bias the answer, so they are kept as being outside it:
#
# * the pair's *direction* is the deployment cheaper **above** the
#   break-even in most crossing trials (`cheaper_above`, ties → `a`);
# * a trial where that deployment wins throughout → break-even below the
#   range (−∞); the other one winning throughout → above the range (+∞).
#
# The p5/p50/p95 are then taken over all trials (linear interpolation
# between neighbours, never with an infinite one), the same rule as the
# `breakeven` CLI, so the numbers match its text.


# %%
def quantile_censored(sorted_values: np.ndarray, q: float) -> float:
    """Linear-interpolated quantile that never interpolates with ±inf."""
    n = len(sorted_values)
    if n == 0:
        return math.nan
    h = q * (n - 1)
    lo = int(math.floor(h))
    hi = min(lo + 1, n - 1)
    frac = h - lo
    if frac == 0 or sorted_values[lo] == -math.inf:
        return float(sorted_values[lo])
    if sorted_values[hi] == math.inf:
        return float(sorted_values[hi])
    return float(sorted_values[lo] + frac * (sorted_values[hi] - sorted_values[lo]))


rows = []
for a, b in PAIRS:
    t = be[(be["a"] == a) & (be["b"] == b)]
    crossing = t["outcome"] == "crossing"
    a_above = 2 * (t.loc[crossing, "cheaper_above"] == a).sum() >= crossing.sum()
    winner_above, winner_below = (a, b) if a_above else (b, a)
    below_range = {True: "a_cheaper_throughout", False: "b_cheaper_throughout"}[bool(a_above)]
    volumes = np.where(
        crossing,
        t["breakeven_volume"],
        np.where(t["outcome"] == below_range, -np.inf, np.inf),
    )
    volumes.sort()
    rows.append(
        {
            "a": a,
            "b": b,
            "cheaper_above": winner_above,
            "cheaper_below": winner_below,
            "p5": quantile_censored(volumes, 0.05),
            "p50": quantile_censored(volumes, 0.50),
            "p95": quantile_censored(volumes, 0.95),
            "no_crossing": 1 - crossing.mean(),
            "below_range": np.mean(volumes == -np.inf),
            "above_range": np.mean(volumes == np.inf),
            "multiple_crossings": (t["sign_changes"] > 1).mean(),
            "trials": len(t),
        }
    )
breakeven = pd.DataFrame(rows)

shown = pd.DataFrame(
    {
        "pair (cheaper above vs below)": breakeven["cheaper_above"] + " vs " + breakeven["cheaper_below"],
        "p5": breakeven["p5"].map(fmt_volume),
        "p50": breakeven["p50"].map(fmt_volume),
        "p95": breakeven["p95"].map(fmt_volume),
        "no crossing": breakeven["no_crossing"].map("{:.1%}".format),
        "of which below": breakeven["below_range"].map("{:.1%}".format),
        "of which above": breakeven["above_range"].map("{:.1%}".format),
        "trials": breakeven["trials"],
    }
)
print(f"\nBreak-even volume ({UNIT_LABEL}), range {fmt_volume(LOW)}..{fmt_volume(HIGH)}")
print(shown.to_string(index=False))

# %% [markdown]
# ## 6. Cross-check: where does P(cheaper) cross 0.5?
#
# If each trial's costs cross at most once, P(winner-above < other) at a
# volume v is the share of trials whose break-even is below v, so the
# curve crosses 0.5 at the median break-even. Linear interpolation in
# log10(volume) between grid points; the two should agree to within about
# one grid step (the curve is only known on the grid, and its trials are
# not the same as the break-even trials).


# %%
def half_crossings(volumes: np.ndarray, p: np.ndarray) -> list[float]:
    """Volumes where p crosses 0.5, interpolated linearly in log10(volume)."""
    out = []
    x = np.log10(volumes)
    for k in range(1, len(p)):
        p0, p1 = p[k - 1] - 0.5, p[k] - 0.5
        if p0 == 0:
            out.append(volumes[k - 1])
        elif p0 * p1 < 0:
            out.append(10 ** (x[k - 1] + (x[k] - x[k - 1]) * p0 / (p0 - p1)))
    if len(p) and p[-1] == 0.5:
        out.append(volumes[-1])
    return out


def grid_position(v: float) -> float:
    """Fractional index of v on the sweep grid (log10 interpolation)."""
    if not math.isfinite(v):
        return v
    return float(np.interp(math.log10(v), np.log10(VOLUMES), np.arange(len(VOLUMES))))


curves = {}
check = []
for r in breakeven.itertuples():
    pc = p_cheaper[(p_cheaper["deployment"] == r.a) & (p_cheaper["versus"] == r.b)].sort_values("volume")
    flip = r.cheaper_above != r.a
    # Orient every curve as P(the deployment cheaper above the break-even
    # < the other), so it rises with volume; flip the interval with it.
    curve = pd.DataFrame(
        {
            "volume": pc["volume"].to_numpy(),
            "p": (1 - pc["value"] if flip else pc["value"]).to_numpy(),
            "low": (1 - pc["ci95_high"] if flip else pc["ci95_low"]).to_numpy(),
            "high": (1 - pc["ci95_low"] if flip else pc["ci95_high"]).to_numpy(),
        }
    )
    label = f"P({r.cheaper_above} < {r.cheaper_below})"
    curves[label] = (curve, r)
    found = half_crossings(curve["volume"].to_numpy(), curve["p"].to_numpy())
    first = found[0] if found else math.nan
    if len(VOLUMES) < 2:
        verdict, detail = "n/a (needs 2+ volumes)", "-"
    elif found and math.isfinite(r.p50):
        steps = abs(grid_position(first) - grid_position(r.p50))
        verdict = "agree" if steps <= 1 else "DIFFER"
        detail = f"{steps:.2f}"
    elif not found and not math.isfinite(r.p50):
        verdict, detail = "agree (both outside range)", "-"
    else:
        verdict, detail = "DIFFER", "-"
    check.append(
        {
            "curve": label,
            "P crosses 0.5 at": fmt_volume(first) if found else "never in range",
            "crossings": len(found),
            "median break-even": fmt_volume(r.p50),
            "gap (grid steps)": detail,
            "": verdict,
        }
    )
print("\nP(cheaper) = 0.5 versus the median break-even")
print(pd.DataFrame(check).to_string(index=False))

# %% [markdown]
# ## 7. The break-even figure
#
# One colour per pair:
#
# * solid line: P(the deployment cheaper above the break-even < the other),
#   at each swept volume, with its 95% interval as a ribbon;
# * shaded band: p5–p95 of the break-even volume across trials (clipped to
#   the range where a quantile lies outside it), dashed line: its median.
#   A pair whose median lies outside the range gets no band, as in the CLI;
# * dotted line: P = 0.5, a coin flip. Left of the band the other
#   deployment is almost surely cheaper; right of it, this one is.

# %%
# The x range: the swept volumes, widened to any finite break-even (only
# needed for a one-point sweep, whose break-even range is not in the CSVs).
finite = breakeven[["p5", "p50", "p95"]].to_numpy().ravel()
finite = finite[np.isfinite(finite)]
x_low, x_high = min([LOW, *finite]), max([HIGH, *finite])
if x_low == x_high:
    x_low, x_high = x_low / 10, x_high * 10

fig, ax = plt.subplots(figsize=(11, 7), layout="constrained")
colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
handles = []
for i, (label, (curve, r)) in enumerate(curves.items()):
    colour = colours[i % len(colours)]
    ax.fill_between(curve["volume"], curve["low"], curve["high"], color=colour, alpha=0.25, lw=0)
    (line,) = ax.plot(curve["volume"], curve["p"], color=colour, lw=2, marker="o", ms=3.5)
    if math.isfinite(r.p50):
        ax.axvspan(max(r.p5, x_low), min(r.p95, x_high), color=colour, alpha=0.12, lw=0)
        ax.axvline(r.p50, color=colour, ls="--", lw=1.3)
        note = f"median break-even {fmt_volume(r.p50)} (p5–p95 {fmt_volume(r.p5)} – {fmt_volume(r.p95)})"
    else:
        note = f"break-even {fmt_volume(r.p50)} in most trials"
    line.set_label(f"{label}: {note}")
    handles.append(line)

ax.axhline(0.5, color="0.3", ls=":", lw=1.2)
handles += [
    Patch(color="0.5", alpha=0.35, label="95% interval of P"),
    Patch(color="0.5", alpha=0.15, label="break-even p5–p95 across trials"),
    Line2D([], [], color="0.3", ls="--", lw=1.3, label="median break-even"),
    Line2D([], [], color="0.3", ls=":", lw=1.2, label="P = 0.5"),
]

ax.set_xscale("log")
ax.set_xlim(x_low, x_high)
ax.set_ylim(-0.02, 1.02)
ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_volume(v)))
ax.set_xlabel(f"volume ({UNIT_LABEL})")
ax.set_ylabel("P(cheaper in the same trial)")
ax.set_title(f"{SCENARIO}: probability of being cheaper, by volume")
ax.grid(True, which="major", alpha=0.3)
# The legend goes under the plot, where it can hide no curve: the pairs in
# the first column, the key to the line styles in the second.
rows = max(len(curves), 4)
blank = Line2D([], [], alpha=0, label=" ")
pairs_column = handles[: len(curves)] + [blank] * (rows - len(curves))
key_column = handles[len(curves):] + [blank] * (rows - 4)
fig.legend(
    handles=pairs_column + key_column,
    loc="outside lower center",
    ncols=2,
    fontsize=8.5,
    frameon=False,
)

FIGURE.parent.mkdir(parents=True, exist_ok=True)
fig.savefig(FIGURE, dpi=150)
print(f"\nwrote {FIGURE}")
