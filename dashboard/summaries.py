"""Pure polars queries behind the pages: bands over replicas, final values, run-to-run deltas.

They take and return polars frames and know nothing about Streamlit, so a Sweeps page and the
tests can use them directly.
"""

from __future__ import annotations

import polars as pl

from dashboard.catalog import verdict

LOW_Q, HIGH_Q = 0.1, 0.9


def bands(frame: pl.LazyFrame, metric: str, x: str, series: str) -> pl.LazyFrame:
    """Mean and 10% / 90% quantiles of ``metric`` per (``series``, ``x``), over replicas.

    Missing and NaN values are left out; ``replicas`` counts the values behind each point.
    """
    value = pl.col(metric).cast(pl.Float64).fill_nan(None)
    return (
        frame.select(pl.col(series).cast(pl.String), pl.col(x), value)
        .drop_nulls()
        .group_by(series, x)
        .agg(
            value.mean().alias("mean"),
            value.quantile(LOW_Q, "linear").alias("q10"),
            value.quantile(HIGH_Q, "linear").alias("q90"),
            pl.len().alias("replicas"),
        )
        .sort(series, x)
    )


def summary_bands(summary: pl.LazyFrame, metric: str, x: str, series: str) -> pl.LazyFrame:
    """:func:`bands` of a run that kept statistics over replicas only: its summary's rows of
    ``metric`` (one per ``series`` and ``x``; computed the same way when the run was written)."""
    return (
        summary.filter((pl.col("metric") == metric) & (pl.col("replicas") > 0))
        .select(
            pl.col(series).cast(pl.String),
            pl.col(x),
            "mean",
            "q10",
            "q90",
            pl.col("replicas").cast(pl.UInt32),
        )
        .sort(series, x)
    )


def final_values(bands: pl.DataFrame, x: str, series: str) -> pl.DataFrame:
    """The first and last point of each series of a ``bands`` frame.

    Returns:
        Columns ``series``, ``first``, ``last``, ``x_last`` (its ``x``) and ``change``.
    """
    ordered = bands.sort(series, x)
    return (
        ordered.group_by(series, maintain_order=True)
        .agg(
            pl.col("mean").first().alias("first"),
            pl.col("mean").last().alias("last"),
            pl.col(x).last().alias(f"{x}_last"),
        )
        .with_columns((pl.col("last") - pl.col("first")).alias("change"))
    )


def run_deltas(finals: pl.DataFrame, metric: str, series: str, baseline: str) -> pl.DataFrame:
    """Final values of several runs against the ``baseline`` run, per series.

    Args:
        finals: ``final_values`` frames stacked with a ``run`` column.
        metric: the metric the values are of (decides which direction is better).
        series: the series column (strategy or trainer).
        baseline: the ``run`` the others are compared with.

    Returns:
        Columns ``run``, ``series``, ``last``, ``baseline``, ``delta``, ``relative`` and
        ``verdict`` (better / worse / same / changed / no match).
    """
    base = finals.filter(pl.col("run") == baseline).select(series, pl.col("last").alias("baseline"))
    joined = finals.select("run", series, "last").join(base, on=series, how="left")
    joined = joined.with_columns(
        (pl.col("last") - pl.col("baseline")).alias("delta"),
        ((pl.col("last") - pl.col("baseline")) / pl.col("baseline").abs()).alias("relative"),
    )
    verdicts = [
        "no match" if b is None else verdict(metric, b, v)
        for b, v in zip(joined["baseline"], joined["last"], strict=True)
    ]
    return joined.with_columns(pl.Series("verdict", verdicts, dtype=pl.String))


def moat_gap(steps: pl.DataFrame | None, firms: pl.DataFrame | None) -> pl.DataFrame | None:
    """The moat gap per step, when a run records what it takes; else None.

    Runs with holdings record it per company (``firms.moat_gap``: its quality minus the best
    scrape-only trainer's); the result then has columns step, company, moat_gap. Older or
    synthetic runs: ``steps.moat_gap``, else the mean quality of firms whose ``holds_data`` is
    true minus that of the others (columns step, moat_gap).
    """
    if firms is not None and {"moat_gap", "company", "step"} <= set(firms.columns):
        holders = firms.filter(pl.col("holds_data")) if "holds_data" in firms.columns else firms
        if holders.height:  # a run without holders has no moat to show
            return firms.select("step", "company", "moat_gap").drop_nulls().sort("step")
        return None
    if steps is not None and "moat_gap" in steps.columns:
        return steps.select("step", "moat_gap").drop_nulls()
    if firms is None or not {"holds_data", "quality", "step"} <= set(firms.columns):
        return None
    by_kind = (
        firms.drop_nulls("quality")
        .group_by("step", "holds_data")
        .agg(pl.col("quality").mean())
        .pivot(on="holds_data", index="step", values="quality")
    )
    if not {"true", "false"} <= set(by_kind.columns):
        return None
    return (
        by_kind.select("step", (pl.col("true") - pl.col("false")).alias("moat_gap"))
        .drop_nulls()
        .sort("step")
    )
