"""Means over seeds with 95% intervals, and when a difference between two scenarios is clear.

A run is one draw. Replications of one scenario (same scenario and overrides, different seed)
give a mean and a Student-t interval; two scenarios differ clearly only when the Welch interval
of the difference of their means excludes zero. Pure polars / scipy, no Streamlit.
"""

from __future__ import annotations

import json
import math
from typing import Any

import polars as pl
from scipy import stats

from dashboard.catalog import quantity

LEVEL = 0.95
NO_CLEAR = "no clear difference"
BASELINE = "baseline"


def t_quantile(df: float) -> float:
    """The two-sided 95% quantile of Student's t with ``df`` degrees of freedom (NaN if df < 1)."""
    return float(stats.t.ppf(0.5 + LEVEL / 2, df)) if df >= 1 else math.nan


def seed_intervals(frame: pl.DataFrame, by: list[str], value: str) -> pl.DataFrame:
    """Mean, standard deviation and 95% interval of ``value`` over the rows of each ``by`` group.

    Returns:
        The ``by`` columns, ``n``, ``mean``, ``std``, ``ci_low`` and ``ci_high`` (intervals are
        null for a group of one).
    """
    grouped = (
        frame.drop_nulls(value)
        .group_by(by, maintain_order=True)
        .agg(
            pl.len().alias("n"),
            pl.col(value).mean().alias("mean"),
            pl.col(value).std().alias("std"),
        )
    )
    half = [
        t_quantile(n - 1) * s / math.sqrt(n) if n >= 2 and s is not None else None
        for n, s in zip(grouped["n"], grouped["std"], strict=True)
    ]
    half_col = pl.Series("half", half, dtype=pl.Float64)
    return grouped.with_columns(
        (pl.col("mean") - half_col).alias("ci_low"), (pl.col("mean") + half_col).alias("ci_high")
    )


def difference_interval(
    mean: float, std: float | None, n: int, base_mean: float, base_std: float | None, base_n: int
) -> tuple[float, float | None, float | None]:
    """``mean - base_mean`` and its Welch 95% interval (None when a side has fewer than 2 seeds).

    Welch's interval does not assume equal variances; its degrees of freedom come from the
    Welch-Satterthwaite equation.
    """
    diff = mean - base_mean
    if n < 2 or base_n < 2 or std is None or base_std is None:
        return diff, None, None
    a, b = std**2 / n, base_std**2 / base_n
    se = math.sqrt(a + b)
    if se == 0.0:
        return diff, diff, diff
    df = (a + b) ** 2 / (a**2 / (n - 1) + b**2 / (base_n - 1))
    half = t_quantile(df) * se
    return diff, diff - half, diff + half


def goodness(metric: str, values: pl.Expr) -> pl.Expr:
    """Values turned so that higher is better for ``metric`` (as is, when it has no direction)."""
    better = quantity(metric).better
    if better == "lower":
        return -values
    if better == "one":
        return -(values - 1.0).abs()
    return values


def verdict(metric: str, low: float | None, high: float | None) -> str:
    """``better`` / ``worse`` when the interval of a goodness difference excludes zero.

    Otherwise ``no clear difference`` (also when there is no interval: a side with one seed).
    A metric with no direction is ``changed`` when its interval excludes zero.
    """
    if low is None or high is None or math.isnan(low) or math.isnan(high) or low <= 0 <= high:
        return NO_CLEAR
    if quantity(metric).better is None:
        return "changed"
    return "better" if low > 0 else "worse"


def replication_key(meta: dict[str, Any]) -> str:
    """What replications of one scenario share: the resolved scenario (overrides applied) and
    its kind, everything but the seed."""
    scenario = dict(meta.get("scenario") or {})
    scenario.pop("seed", None)
    return json.dumps({"kind": meta.get("kind"), "scenario": scenario}, sort_keys=True)


def replication_label(meta: dict[str, Any], fallback: str) -> str:
    """A group's name for people: the scenario's name and its overrides other than the seed."""
    name = str(meta.get("name") or fallback)
    overrides = [o for o in meta.get("overrides") or [] if not str(o).startswith("seed=")]
    return " ".join([name, *overrides])


def compare_groups(finals: pl.DataFrame, metric: str, series: str, baseline: str) -> pl.DataFrame:
    """Each replication group's final value over seeds against the ``baseline`` group.

    Args:
        finals: one row per run and series: ``group``, ``series``, ``last``.
        metric: the metric ``last`` holds (decides which direction is better).
        series: the series column (strategy or trainer).
        baseline: the ``group`` the others are compared with.

    Returns:
        Per group and series: ``n``, ``mean``, ``std``, ``ci_low``, ``ci_high``, ``delta``,
        ``delta_low``, ``delta_high`` and ``verdict`` (better / worse / no clear difference /
        changed / baseline).
    """
    scored = finals.with_columns(goodness(metric, pl.col("last")).alias("goodness"))
    raw = seed_intervals(scored, ["group", series], "last")
    good = seed_intervals(scored, ["group", series], "goodness").select(
        "group", series, pl.col("mean").alias("g_mean"), pl.col("std").alias("g_std")
    )
    table = raw.join(good, on=["group", series], how="left", maintain_order="left")
    base = {
        row[series]: row for row in table.filter(pl.col("group") == baseline).iter_rows(named=True)
    }
    rows = []
    for row in table.iter_rows(named=True):
        ref = base.get(row[series])
        out = {"delta": None, "delta_low": None, "delta_high": None, "verdict": NO_CLEAR}
        if row["group"] == baseline:
            out["verdict"] = BASELINE
        elif ref is not None:
            args = (row["n"], ref["mean"], ref["std"], ref["n"])
            delta, low, high = difference_interval(row["mean"], row["std"], *args)
            g_args = (row["n"], ref["g_mean"], ref["g_std"], ref["n"])
            _, g_low, g_high = difference_interval(row["g_mean"], row["g_std"], *g_args)
            out = {"delta": delta, "delta_low": low, "delta_high": high}
            out["verdict"] = verdict(metric, g_low, g_high)
        rows.append(out)
    extra = pl.DataFrame(
        rows,
        schema={
            "delta": pl.Float64,
            "delta_low": pl.Float64,
            "delta_high": pl.Float64,
            "verdict": pl.String,
        },
    )
    return pl.concat([table.drop("g_mean", "g_std"), extra], how="horizontal")
