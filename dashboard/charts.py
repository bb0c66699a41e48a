"""Altair charts shared by the pages: lines with replica bands, run-to-run deltas, densities.

Every chart carries hover tooltips and axis titles with units (from ``catalog``). They take
plain polars frames, so Compare and a future Sweeps page draw with the same functions.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard.catalog import TIME_AXES, quantity

HEIGHT = 360
"""Chart height in pixels, axes and legend included (Streamlit fits the whole chart in it)."""
VERDICT_COLORS = {
    "better": "#2a9d8f",
    "worse": "#e76f51",
    "same": "#8d99ae",
    "changed": "#457b9d",
    "no match": "#d9d9d9",
}
INTERVAL_COLORS = {
    "better": VERDICT_COLORS["better"],
    "worse": VERDICT_COLORS["worse"],
    "no clear difference": VERDICT_COLORS["same"],
    "changed": VERDICT_COLORS["changed"],
    "baseline": "#264653",
}
"""Colours of the replication verdicts: a difference is called only when its interval excludes 0."""


def axis_title(column: str) -> str:
    """Axis title of a column: the time axes by name, anything else from the catalog."""
    return TIME_AXES.get(column) or quantity(column).title


PALETTE = "tableau10"
BAND_STEP = 30
"""Pixels per row of a chart with one row per category (a fixed height is not kept by
Streamlit for such charts; a step is)."""
OFFSET_STEP = 16
"""Pixels per bar when each row holds several bars side by side (sensitivity indices)."""


def _x(
    x: str, domain: tuple[float, float] | None = None, fmt: str = "d", title: str | None = None
) -> alt.X:
    scale = alt.Scale(domain=list(domain)) if domain else alt.Undefined
    axis = alt.Axis(format=fmt, tickMinStep=1) if fmt == "d" else alt.Axis(format=fmt)
    return alt.X(f"{x}:Q", title=title or axis_title(x), axis=axis, scale=scale)


def _y_scale(log: bool) -> alt.Scale | alt.UndefinedType:
    return alt.Scale(type="symlog") if log else alt.Undefined


def _y(y: str, title: str, fmt: str, log: bool = False) -> alt.Y:
    """A y axis whose title sits horizontally above the plot, so long titles are not cut.

    ``log`` uses a symmetric log scale (defined at 0 and below, unlike a log scale).
    """
    axis = alt.Axis(
        format=fmt,
        title=title,
        titleAngle=0,
        titleAlign="left",
        titleAnchor="end",
        titleBaseline="bottom",
        titleX=0,
        titleY=-10,
        titleLimit=600,
        titleFontWeight="normal",
    )
    return alt.Y(f"{y}:Q", axis=axis, scale=_y_scale(log))


def _legend(title: str | None, symbol: str = "circle") -> alt.Legend:
    stroke = {"symbolStrokeColor": "#555", "symbolStrokeWidth": 2} if symbol == "stroke" else {}
    return alt.Legend(orient="bottom", title=title, symbolOpacity=1, symbolType=symbol, **stroke)


def _tooltip(series, x, dash, y, label, fmt, band, extra, x_fmt="d") -> list[alt.Tooltip]:
    tips = [alt.Tooltip(f"{series}:N"), alt.Tooltip(f"{x}:Q", format=x_fmt)]
    tips += [alt.Tooltip(f"{dash}:N")] if dash else []
    tips += [alt.Tooltip(f"{y}:Q", title=label, format=fmt)]
    tips += [alt.Tooltip(f"{c}:Q", format=fmt) for c in band or ()]
    return tips + [alt.Tooltip(c) for c in extra or []]


def metric_lines(
    frame: pl.DataFrame,
    *,
    x: str,
    y: str,
    metric: str,
    series: str,
    dash: str | None = None,
    band: tuple[str, str] | None = None,
    y_title: str | None = None,
    y_format: str | None = None,
    extra_tooltip: list[str] | None = None,
    x_domain: tuple[float, float] | None = None,
    legend_title: str | None = "",
    log_y: bool = False,
    height: int = HEIGHT,
    x_format: str = "d",
    x_title: str | None = None,
) -> alt.LayerChart:
    """One line per ``series`` (and ``dash``) of ``y`` over ``x``, with an optional band.

    Hovering shows the values of every line at the nearest ``x``.

    Args:
        frame: long-form data, one row per point.
        x: the time column (generation or step).
        y: the column drawn (the metric itself, or ``mean`` of a bands frame).
        metric: the quantity ``y`` holds; gives the axis title, unit and number format.
        series: the column that colours the lines (strategy, trainer, run, company).
        dash: a second column that sets the line dash (Compare: run colour, strategy dash).
        band: (low, high) columns shaded around each line (10% and 90% over replicas).
        y_title: replaces the catalog's axis title.
        y_format: replaces the catalog's number format.
        extra_tooltip: more columns shown on hover.
        x_domain: fixes the x range (so charts of one run share it).
        legend_title: the colour legend's title ("" means the series name, None none).
        log_y: a symmetric log scale on y (for metrics that grow by orders of magnitude).
        height: chart height in pixels.
        x_format: the d3 format of ``x`` (integers by default: generations and steps).
        x_title: replaces the x axis title (a sweep parameter's field path).
    """
    q = quantity(metric)
    fmt = y_format or q.fmt
    title = series.replace("_", " ") if legend_title == "" else legend_title
    color = alt.Color(f"{series}:N", scale=alt.Scale(scheme=PALETTE), legend=_legend(title))
    x_enc = _x(x, x_domain, x_format, x_title)
    base = alt.Chart(frame).encode(x=x_enc, color=color)
    y_enc = _y(y, y_title or q.title, fmt, log_y)
    hover = alt.selection_point(
        fields=[x], nearest=True, on="pointerover", empty=False, clear="pointerout"
    )
    line = base.mark_line(strokeWidth=2.4).encode(y=y_enc)
    if dash:
        line = line.encode(strokeDash=alt.StrokeDash(f"{dash}:N", legend=_legend(dash, "stroke")))
    tooltip = _tooltip(series, x, dash, y, q.label, fmt, band, extra_tooltip, x_format)
    selectors = base.mark_point(size=90).encode(y=y_enc, opacity=alt.value(0), tooltip=tooltip)
    points = line.mark_point(filled=True, size=60).encode(
        opacity=alt.when(hover).then(alt.value(1)).otherwise(alt.value(0))
    )
    rule = base.mark_rule(color="#9aa0a6", strokeDash=[3, 3]).encode(x=x_enc)
    layers = [line, points, rule.transform_filter(hover), selectors.add_params(hover)]
    if band:
        area = base.mark_area(opacity=0.16).encode(
            y=alt.Y(f"{band[0]}:Q", scale=_y_scale(log_y)), y2=f"{band[1]}:Q"
        )
        layers.insert(0, area.encode(detail=f"{dash}:N") if dash else area)
    return alt.layer(*layers).properties(height=height)


def wide_lines(
    frame: pl.DataFrame,
    *,
    x: str,
    columns: list[str],
    y_title: str,
    y_format: str | None = None,
    height: int = HEIGHT,
) -> alt.LayerChart:
    """Several columns of one table as lines over ``x``, named by their catalog labels."""
    long = frame.select(x, *columns).unpivot(index=x, variable_name="quantity")
    labels = {c: quantity(c).label for c in columns}
    long = long.with_columns(pl.col("quantity").replace_strict(labels))
    return metric_lines(
        long,
        x=x,
        y="value",
        metric=columns[0],
        series="quantity",
        legend_title=None,
        y_title=y_title,
        y_format=y_format,
        height=height,
    )


def delta_bars(deltas: pl.DataFrame, *, metric: str, series: str) -> alt.Chart:
    """Horizontal bars of each run's final value minus the baseline's, coloured by verdict."""
    q = quantity(metric)
    frame = deltas.drop_nulls("delta").with_columns(
        pl.concat_str(pl.col("run"), pl.lit(" · "), pl.col(series)).alias("line")
    )
    bars = (
        alt.Chart(frame)
        .mark_bar(cornerRadius=3)
        .encode(
            x=alt.X("delta:Q", title=f"Final value minus baseline's ({q.unit or 'units'})"),
            y=alt.Y("line:N", title=None, sort=None),
            color=alt.Color(
                "verdict:N",
                title="compared with baseline",
                scale=alt.Scale(domain=list(VERDICT_COLORS), range=list(VERDICT_COLORS.values())),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("run:N"),
                alt.Tooltip(f"{series}:N"),
                alt.Tooltip("last:Q", title=q.label, format=q.fmt),
                alt.Tooltip("baseline:Q", format=q.fmt),
                alt.Tooltip("delta:Q", format="+.3~g"),
                alt.Tooltip("relative:Q", format="+.1%"),
                alt.Tooltip("verdict:N"),
            ],
        )
    )
    zero = alt.Chart(pl.DataFrame({"zero": [0.0]})).mark_rule(color="#555").encode(x="zero:Q")
    return (bars + zero).properties(height=alt.Step(BAND_STEP))


def density_chart(frame: pl.DataFrame, *, value: str, group: str, height: int = HEIGHT):
    """Smoothed distributions of ``value``, one curve per ``group`` (e.g. per generation)."""
    q = quantity(value)
    return (
        alt.Chart(frame)
        .transform_density(value, as_=[value, "density"], groupby=[group])
        .mark_area(opacity=0.35, line=True)
        .encode(
            x=alt.X(f"{value}:Q", title=q.title),
            y=_y("density", "Density (share of documents per unit of perplexity)", ".2f").stack(
                None
            ),
            color=alt.Color(f"{group}:O", scale=alt.Scale(scheme="viridis"), legend=_legend(group)),
            tooltip=[alt.Tooltip(f"{group}:O"), alt.Tooltip(f"{value}:Q", format=".3~g")],
        )
        .properties(height=height)
    )


def with_marker(chart: alt.TopLevelMixin, x: str, value: float, label: str) -> alt.LayerChart:
    """``chart`` with a labelled vertical line at ``x == value`` (e.g. when AI tools launch)."""
    mark = pl.DataFrame({x: [value], "label": [label]})
    rule = alt.Chart(mark).mark_rule(color="#6c757d", strokeDash=[6, 4]).encode(x=_x(x))
    text = (
        alt.Chart(mark)
        .mark_text(align="left", dx=4, dy=6, baseline="top", color="#6c757d", fontSize=11)
        .encode(x=_x(x), y=alt.value(0), text="label:N")
    )
    return alt.layer(chart, rule, text)


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
