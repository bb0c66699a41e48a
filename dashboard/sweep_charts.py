"""Altair charts of sweeps and replications: verdict dots with intervals, heatmaps of an
outcome over two parameters, sensitivity indices (the line charts are in ``charts``)."""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard.catalog import quantity
from dashboard.charts import BAND_STEP, HEIGHT, INTERVAL_COLORS, OFFSET_STEP, PALETTE


def interval_dots(
    frame: pl.DataFrame, *, metric: str, label: str, color: str = "verdict"
) -> alt.LayerChart:
    """A dot at each row's ``mean`` with a line from ``ci_low`` to ``ci_high``, one row a line.

    Used for replications: each group's final value over seeds with its 95% interval.
    """
    q = quantity(metric)
    shown = frame.drop_nulls("mean")
    y = alt.Y(f"{label}:N", title=None, sort=None, axis=alt.Axis(labelLimit=400))
    color_enc = alt.Color(
        f"{color}:N",
        title=None,
        scale=alt.Scale(domain=list(INTERVAL_COLORS), range=list(INTERVAL_COLORS.values())),
        legend=alt.Legend(orient="bottom"),
    )
    tips = [alt.Tooltip(f"{label}:N"), alt.Tooltip("n:Q", title="seeds")]
    tips += [alt.Tooltip(f"{c}:Q", format=q.fmt) for c in ("mean", "ci_low", "ci_high")]
    base = alt.Chart(shown).encode(y=y, color=color_enc, tooltip=tips)
    rule = base.mark_rule(strokeWidth=3).encode(
        x=alt.X("ci_low:Q", title=f"{q.title}: mean and 95% interval over seeds"),
        x2="ci_high:Q",
    )
    dots = base.mark_point(filled=True, size=90).encode(x="mean:Q")
    return alt.layer(rule, dots).properties(height=alt.Step(BAND_STEP))


def heatmap(
    frame: pl.DataFrame,
    *,
    x: str,
    y: str,
    value: str = "mean",
    title: str,
    fmt: str = ".3~g",
    reverse: bool = False,
    x_title: str | None = None,
    y_title: str | None = None,
    height: int = HEIGHT,
) -> alt.Chart:
    """``value`` over two parameters: cells when each takes few values, dots otherwise.

    Hovering shows the mean, its 95% interval, the interval's width and the seeds behind it.

    Args:
        frame: one row per point, with ``x``, ``y``, ``value``, ``ci_low``, ``ci_high``,
            ``width`` and ``n``.
        x: the parameter across.
        y: the parameter up.
        value: the column coloured.
        title: the colour legend's title (the outcome with its unit).
        fmt: the outcome's number format.
        reverse: reverse the colour scale (so that dark means good for lower-is-better outcomes).
        x_title: the x axis title (``x`` by default).
        y_title: the y axis title (``y`` by default).
        height: chart height in pixels.
    """
    few = max(frame[x].n_unique(), frame[y].n_unique()) <= MAX_CELLS
    kind = "O" if few else "Q"
    x_title, y_title = x_title or x, y_title or y
    tips = [alt.Tooltip(f"{x}:{kind}", title=x_title), alt.Tooltip(f"{y}:{kind}", title=y_title)]
    tips += [alt.Tooltip(f"{c}:Q", format=fmt) for c in (value, "ci_low", "ci_high")]
    tips += [alt.Tooltip("width:Q", title="interval width", format=fmt)]
    tips += [alt.Tooltip("n:Q", title="seeds")]
    color = alt.Color(
        f"{value}:Q",
        title=title,
        scale=alt.Scale(scheme="viridis", reverse=reverse),
        legend=alt.Legend(orient="right", titleLimit=300),
    )
    base = alt.Chart(frame).encode(
        x=alt.X(f"{x}:{kind}", title=x_title, sort="ascending"),
        y=alt.Y(f"{y}:{kind}", title=y_title, sort="descending"),
        color=color,
        tooltip=tips,
    )
    marks = base.mark_rect() if few else base.mark_circle(size=140, opacity=0.9)
    return marks.properties(height=height)


MAX_CELLS = 12
"""A parameter with at most this many values is drawn as heatmap cells (more: as dots)."""

INDEX_NAMES = {
    "S1": "first-order (S1)",
    "ST": "total (ST)",
    "mu_star": "mean |effect| (μ*)",
    "sigma": "spread of effects (σ)",
}


def sensitivity_bars(frame: pl.DataFrame, *, title: str) -> alt.LayerChart:
    """Sensitivity indices as bars per parameter, with error bars from their intervals.

    Args:
        frame: long form: ``parameter``, ``index`` (S1, ST, mu_star or sigma), ``value`` and
            ``conf`` (half-width of the 95% interval; null when there is none).
        title: the x axis title (what the indices are of).
    """
    shown = frame.with_columns(
        pl.col("index").replace_strict(INDEX_NAMES, default=pl.col("index")).alias("index_name"),
        (pl.col("value") - pl.col("conf")).alias("low"),
        (pl.col("value") + pl.col("conf")).alias("high"),
    )
    order = [INDEX_NAMES.get(i, i) for i in shown["index"].unique(maintain_order=True)]
    base = alt.Chart(shown).encode(
        y=alt.Y("parameter:N", title=None, sort=None, axis=alt.Axis(labelLimit=400)),
        yOffset=alt.YOffset("index_name:N", sort=order),
        color=alt.Color(
            "index_name:N",
            title=None,
            sort=order,
            scale=alt.Scale(scheme=PALETTE),
            legend=alt.Legend(orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("parameter:N"),
            alt.Tooltip("index_name:N", title="index"),
            alt.Tooltip("value:Q", format=".3f"),
            alt.Tooltip("conf:Q", title="± (95%)", format=".3f"),
        ],
    )
    bars = base.mark_bar(cornerRadius=2).encode(x=alt.X("value:Q", title=title))
    errors = (
        base.transform_filter("isValid(datum.conf)")
        .mark_rule(color="#333", strokeWidth=1.5)
        .encode(x="low:Q", x2="high:Q")
    )
    return alt.layer(bars, errors).properties(height=alt.Step(OFFSET_STEP))
