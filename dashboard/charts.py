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


def axis_title(column: str) -> str:
    """Axis title of a column: the time axes by name, anything else from the catalog."""
    return TIME_AXES.get(column) or quantity(column).title


PALETTE = "tableau10"


def _x(x: str, domain: tuple[float, float] | None = None) -> alt.X:
    scale = alt.Scale(domain=list(domain)) if domain else alt.Undefined
    axis = alt.Axis(format="d", tickMinStep=1)
    return alt.X(f"{x}:Q", title=axis_title(x), axis=axis, scale=scale)


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


def _tooltip(series, x, dash, y, label, fmt, band, extra) -> list[alt.Tooltip]:
    tips = [alt.Tooltip(f"{series}:N"), alt.Tooltip(f"{x}:Q", format="d")]
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
    """
    q = quantity(metric)
    fmt = y_format or q.fmt
    title = series.replace("_", " ") if legend_title == "" else legend_title
    color = alt.Color(f"{series}:N", scale=alt.Scale(scheme=PALETTE), legend=_legend(title))
    x_enc = _x(x, x_domain)
    base = alt.Chart(frame).encode(x=x_enc, color=color)
    y_enc = _y(y, y_title or q.title, fmt, log_y)
    hover = alt.selection_point(
        fields=[x], nearest=True, on="pointerover", empty=False, clear="pointerout"
    )
    line = base.mark_line(strokeWidth=2.4).encode(y=y_enc)
    if dash:
        line = line.encode(strokeDash=alt.StrokeDash(f"{dash}:N", legend=_legend(dash, "stroke")))
    tooltip = _tooltip(series, x, dash, y, q.label, fmt, band, extra_tooltip)
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
    return (bars + zero).properties(height=120 + 30 * frame.height)


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
