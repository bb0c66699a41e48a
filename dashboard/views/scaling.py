"""The Runs page for scaling runs: test error against training size, one line per share of
human data, with the closed form beside it where the run records one."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, kinds, loaders
from dashboard.catalog import quantity
from dashboard.views.tables import table_downloads
from dashboard.widgets import chart_with_data, keep_valid

X = "train_size"
CURVE = "human data"
"""The column naming each curve: the share of clean human data in the training set."""
SOURCE = "line"
MEASURED = "ecosim"
EXPECTED = "closed form"


def curve_label(real_fraction: float) -> str:
    """How a curve is named: its share of human data."""
    return f"{real_fraction:.0%} human"


def measured(run: loaders.Run, metric: str) -> pl.DataFrame:
    """Mean and 10-90% band of ``metric`` per (share of human data, training size)."""
    frame = loaders.bands(run, metric, x=X, table="scaling")
    return _labelled(frame.with_columns(pl.col(run.series).cast(pl.Float64))).with_columns(
        pl.lit(MEASURED).alias(SOURCE)
    )


def _labelled(frame: pl.DataFrame) -> pl.DataFrame:
    labels = {v: curve_label(v) for v in frame["real_fraction"].unique().to_list()}
    return frame.with_columns(
        pl.col("real_fraction").replace_strict(labels, return_dtype=pl.String).alias(CURVE)
    ).sort("real_fraction", X)


def expected(run: loaders.Run, metric: str) -> pl.DataFrame | None:
    """The run's closed form of ``metric`` in the same shape as ``measured``, or None."""
    if not run.has_table("closed_form") or metric not in loaders.columns(run, "closed_form"):
        return None
    frame = loaders.load_table(run, "closed_form", ["real_fraction", X, metric])
    return _labelled(
        frame.select(
            "real_fraction",
            X,
            pl.col(metric).alias("mean"),
            pl.col(metric).alias("q10"),
            pl.col(metric).alias("q90"),
            pl.lit(0, dtype=pl.UInt32).alias("replicas"),
        )
    ).with_columns(pl.lit(EXPECTED).alias(SOURCE))


def headline(curves: pl.DataFrame) -> None:
    """Per curve: the error at the largest training size, and the closed form's there."""
    largest = curves.filter(pl.col(X) == pl.col(X).max().over(CURVE))
    names = largest.filter(pl.col(SOURCE) == MEASURED)[CURVE].to_list()
    cells = st.columns(max(1, len(names)))
    for cell, name in zip(cells, names, strict=False):
        rows = largest.filter(pl.col(CURVE) == name)
        got = rows.filter(pl.col(SOURCE) == MEASURED).row(0, named=True)
        want = rows.filter(pl.col(SOURCE) == EXPECTED)
        cell.metric(
            f"{name}: test error at T = {got[X]:,}",
            f"{got['mean']:.3g}",
            delta=f"closed form {want['mean'][0]:.3g}" if want.height else None,
            delta_color="off",
            border=True,
        )


def render(run: loaders.Run) -> None:
    """The whole scaling view."""
    metrics = kinds.metric_menu(None, loaders.columns(run, "scaling"), kinds.SCALING_METRICS)
    if not metrics:
        st.warning(f"{run.table_path('scaling')} has no test-error column the dashboard draws.")
        table_downloads(run, "runs_tables")
        return
    keep_valid("runs_scaling_metric", metrics)
    pick, scale = st.columns([3, 1], vertical_alignment="bottom")
    metric = pick.selectbox(
        "Test error", metrics, key="runs_scaling_metric", format_func=lambda m: quantity(m).label
    )
    log = scale.toggle("Log axes", value=True, key="runs_scaling_log")
    curves = measured(run, metric)
    closed = expected(run, metric)
    if closed is not None:
        curves = pl.concat([curves, closed], how="vertical_relaxed")
    headline(curves)
    st.markdown(f"##### {quantity(metric).label} against training size")
    positive = bool((curves["q10"] > 0).all()) if curves.height else False
    replicas = int(curves["replicas"].max()) if curves.height else 0
    chart = charts.metric_lines(
        curves, x=X, y="mean", metric=metric, series=CURVE, dash=SOURCE,
        band=("q10", "q90") if replicas > 1 else None,
        log_x=log, log_y=("log" if positive else True) if log else False,
        y_title=kinds.title(metric, run.modality),
    )  # fmt: skip
    chart_with_data(chart, curves, f"{run.folder.name}_{metric}", "runs_scaling_data")
    note = (
        "Solid: ecosim, the mean over replicas. Dashed: the closed form E[error] = "
        "Σ p_i (1 − q_i)^T of a learner that memorises what it saw, for training data drawn "
        "from q = π·p + (1 − π)·(p cut at the top-k)."
        if closed is not None
        else "No closed form for this learner (it applies to a unigram without smoothing)."
    )
    shade = f" Shaded: 10% to 90% of {replicas} replicas." if replicas > 1 else " 1 replica."
    st.caption(note + shade)
    table_downloads(run, "runs_tables")
