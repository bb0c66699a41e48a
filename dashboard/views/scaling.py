"""The Runs page for scaling runs: test error against training size, one line per share of
human data, with the closed form beside it where the run records one."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import figures, kinds, loaders
from dashboard.catalog import quantity
from dashboard.views.tables import table_downloads
from dashboard.widgets import chart_with_data, keep_valid

X, CURVE, SOURCE = figures.SCALING_X, figures.CURVE, figures.SOURCE
MEASURED, EXPECTED = figures.MEASURED, figures.EXPECTED


def measured(run: loaders.Run, metric: str) -> pl.DataFrame:
    """Mean and 10-90% band of ``metric`` per (share of human data, training size)."""
    return figures.scaling_curves(loaders.bands(run, metric, x=X, table="scaling"), None, metric)


def curves_of(run: loaders.Run, metric: str) -> pl.DataFrame:
    """The measured curves and, where the run records it, the closed form of ``metric``."""
    closed = None
    if run.has_table("closed_form") and metric in loaders.columns(run, "closed_form"):
        closed = loaders.load_table(run, "closed_form", ["real_fraction", X, metric])
    bands = loaders.bands(run, metric, x=X, table="scaling")
    return figures.scaling_curves(bands, closed, metric)


def _precise(metric: str, value: float) -> str:
    """Three significant digits (shares as percentages), so measured and closed form differ
    where they do."""
    return f"{100 * value:.3g}%" if quantity(metric).fmt.endswith("%") else f"{value:.3g}"


def headline(curves: pl.DataFrame, metric: str) -> None:
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
            _precise(metric, got["mean"]),
            delta=f"closed form {_precise(metric, want['mean'][0])}" if want.height else None,
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
    curves = curves_of(run, metric)
    headline(curves, metric)
    st.markdown(f"##### {quantity(metric).label} against training size")
    figure = figures.scaling_error(curves, metric, run.modality, log)
    chart_with_data(figure.chart, figure.data, f"{run.folder.name}_{metric}", "runs_scaling_data")
    st.caption(figure.caption)
    table_downloads(run, "runs_tables")
