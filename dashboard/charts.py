"""Altair charts shared by the pages: lines with replica bands, run-to-run deltas, densities.

Every chart carries hover tooltips and axis titles with units (from ``catalog``). They take
plain polars frames, so Compare and the Sweeps page draw with the same functions; the sweeps'
own charts (intervals, heatmaps, sensitivity) are in ``sweep_charts``.
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
    x: str,
    domain: tuple[float, float] | None = None,
    fmt: str = "d",
    title: str | None = None,
    log: bool = False,
) -> alt.X:
    if log:
        axis = alt.Axis(format="~s")
        scale = alt.Scale(type="log", domain=list(domain) if domain else alt.Undefined)
        return alt.X(f"{x}:Q", title=title or axis_title(x), axis=axis, scale=scale)
    scale = alt.Scale(domain=list(domain)) if domain else alt.Undefined
    axis = alt.Axis(format=fmt, tickMinStep=1) if fmt == "d" else alt.Axis(format=fmt)
    return alt.X(f"{x}:Q", title=title or axis_title(x), axis=axis, scale=scale)


def _y_scale(log: bool | str, zero: bool = True) -> alt.Scale | alt.UndefinedType:
    """``log``: True for a symmetric log scale, "log" for a log scale (positive data); ``zero``
    False lets the axis start near the data instead of at 0."""
    if log == "log":
        return alt.Scale(type="log")
    if log:
        return alt.Scale(type="symlog")
    return alt.Undefined if zero else alt.Scale(zero=False)


def from_zero(fmt: str) -> bool:
    """Whether a quantity is drawn from a zero baseline: shares are, other metrics start near
    their data (a perplexity rising 15% must not look flat)."""
    return fmt.endswith("%")


def _y(y: str, title: str, fmt: str, log: bool | str = False, zero: bool = True) -> alt.Y:
    """A y axis whose title sits horizontally above the plot, so long titles are not cut.

    ``log`` True uses a symmetric log scale (defined at 0 and below, unlike a log scale),
    "log" a log scale; ``zero`` False starts the axis near the data.
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
    return alt.Y(f"{y}:Q", axis=axis, scale=_y_scale(log, zero))


LEGEND_LINE = 64
"""Characters of legend labels that fit on one line below a half-width chart."""


def legend_columns(labels: list[str]) -> int:
    """Legend columns so the entries below a chart wrap instead of running off its edge:
    all on one line when they fit, else as many columns as fit the longest label."""
    if not labels:
        return 1
    if sum(len(str(label)) + 4 for label in labels) <= LEGEND_LINE:
        return len(labels)
    widest = max(len(str(label)) for label in labels) + 4
    return max(1, min(len(labels), LEGEND_LINE // widest))


def _legend(
    title: str | None,
    symbol: str = "circle",
    labels: list | None = None,
    columns: int | None = None,
) -> alt.Legend:
    stroke = {"symbolStrokeColor": "#555", "symbolStrokeWidth": 2} if symbol == "stroke" else {}
    if symbol == "stroke":
        stroke["symbolSize"] = 400  # long enough to show the dash pattern
    return alt.Legend(
        orient="bottom",
        title=title,
        symbolOpacity=1,
        symbolType=symbol,
        columns=columns or legend_columns(labels or []),
        labelLimit=0,
        **stroke,
    )


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
    log_y: bool | str = False,
    log_x: bool = False,
    dash_title: str | None = None,
    height: int = HEIGHT,
    x_format: str = "d",
    x_title: str | None = None,
) -> alt.LayerChart:
    """One line per ``series`` (and ``dash``) of ``y`` over ``x``, with an optional band.

    Hovering shows the values of every line at the nearest ``x``. Shares are drawn from 0;
    other metrics on an axis that starts near their values.

    Args:
        frame: long-form data, one row per point.
        x: the time column (generation or step), or a size (train_size, with ``log_x``).
        y: the column drawn (the metric itself, or ``mean`` of a bands frame).
        metric: the quantity ``y`` holds; gives the axis title, unit and number format.
        series: the column that colours the lines (strategy, trainer, run, company).
        dash: a second column that sets the line dash (Compare: run colour, strategy dash),
            with its own legend.
        band: (low, high) columns shaded around each line (10% and 90% over replicas).
        y_title: replaces the catalog's axis title.
        y_format: replaces the catalog's number format.
        extra_tooltip: more columns shown on hover.
        x_domain: fixes the x range (so charts of one run share it).
        legend_title: the colour legend's title ("" means the series name, None none).
        log_y: True for a symmetric log y scale (metrics that grow by orders of magnitude),
            "log" for a log scale (positive values only).
        log_x: a log x scale (training sizes).
        dash_title: the dash legend's title (default: the ``dash`` column's name).
        height: chart height in pixels.
        x_format: the d3 format of ``x`` (integers by default: generations and steps).
        x_title: replaces the x axis title (a sweep parameter's field path).
    """
    q = quantity(metric)
    fmt = y_format or q.fmt
    zero = from_zero(fmt)
    title = series.replace("_", " ") if legend_title == "" else legend_title
    names = frame[series].unique(maintain_order=True).to_list() if series in frame.columns else []
    # with a dash legend beside it, each legend is one column so both fit below the chart
    color = alt.Color(
        f"{series}:N",
        scale=alt.Scale(scheme=PALETTE),
        legend=_legend(title, labels=names, columns=1 if dash else None),
    )
    x_fmt = "~s" if log_x else x_format
    x_enc = _x(x, x_domain, x_fmt, x_title, log_x)
    base = alt.Chart(frame).encode(x=x_enc, color=color)
    y_enc = _y(y, y_title or q.title, fmt, log_y, zero)
    hover = alt.selection_point(
        fields=[x], nearest=True, on="pointerover", empty=False, clear="pointerout"
    )
    line = base.mark_line(strokeWidth=2.4).encode(y=y_enc)
    if dash:
        dashes = frame[dash].unique(maintain_order=True).to_list()
        line = line.encode(
            strokeDash=alt.StrokeDash(
                f"{dash}:N",
                scale=alt.Scale(domain=dashes),  # the first line drawn solid
                legend=_legend(dash_title or dash.replace("_", " "), "stroke", dashes, columns=1),
            )
        )
    tooltip = _tooltip(series, x, dash, y, q.label, fmt, band, extra_tooltip, x_fmt)
    selectors = base.mark_point(size=90).encode(y=y_enc, opacity=alt.value(0), tooltip=tooltip)
    # not derived from ``line``: a point layer carrying the dash would blank the dash legend
    points = base.mark_point(filled=True, size=60).encode(
        y=y_enc, opacity=alt.when(hover).then(alt.value(1)).otherwise(alt.value(0))
    )
    rule = base.mark_rule(color="#9aa0a6", strokeDash=[3, 3]).encode(x=x_enc)
    layers = [line, points, rule.transform_filter(hover), selectors.add_params(hover)]
    if band:
        area = base.mark_area(opacity=0.16).encode(
            y=alt.Y(f"{band[0]}:Q", scale=_y_scale(log_y, zero)), y2=f"{band[1]}:Q"
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


LINE_BREAK = " | "
"""Joins a bar's run and series in its label; the axis breaks the label there."""


def delta_bars(deltas: pl.DataFrame, *, metric: str, series: str) -> alt.Chart:
    """Horizontal bars of each run's final value minus the baseline's, coloured by verdict."""
    q = quantity(metric)
    frame = deltas.drop_nulls("delta").with_columns(
        pl.concat_str(pl.col("run"), pl.lit(LINE_BREAK), pl.col(series)).alias("line")
    )
    bars = (
        alt.Chart(frame)
        .mark_bar(cornerRadius=3)
        .encode(
            x=alt.X("delta:Q", title=f"Final value minus baseline's ({q.unit or 'units'})"),
            y=alt.Y(
                "line:N",
                title=None,
                sort=None,
                # run on one line, strategy / trainer below it: nothing is cut
                axis=alt.Axis(labelExpr=f"split(datum.label, '{LINE_BREAK}')", labelLimit=0),
            ),
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
    return (bars + zero).properties(height=alt.Step(BAND_STEP + 14))  # two-line labels


def density_chart(frame: pl.DataFrame, *, value: str, group: str, height: int = HEIGHT):
    """Smoothed distributions of ``value``, one curve per ``group`` (e.g. per generation)."""
    q = quantity(value)
    return (
        alt.Chart(frame)
        .transform_density(value, as_=[value, "density"], groupby=[group])
        .mark_area(opacity=0.35, line=True)
        .encode(
            x=alt.X(f"{value}:Q", title=q.title),
            y=_y("density", "Density (share of documents per unit of perplexity)", ".2~g").stack(
                None
            ),
            color=alt.Color(f"{group}:O", scale=alt.Scale(scheme="viridis"), legend=_legend(group)),
            tooltip=[alt.Tooltip(f"{group}:O"), alt.Tooltip(f"{value}:Q", format=".3~g")],
        )
        .properties(height=height)
    )


def with_marker(chart: alt.TopLevelMixin, x: str, value: float, label: str) -> alt.LayerChart:
    """``chart`` with a dashed vertical line at ``x == value`` (e.g. when AI tools launch),
    named in a legend entry below the chart, so no label sits on the lines."""
    name = f"{label} ({axis_title(x).split(' (')[0].lower()} {value:g})"
    mark = pl.DataFrame({x: [value], "marker": [name]})
    rule = (
        alt.Chart(mark)
        .mark_rule(color="#6c757d", strokeWidth=1.5)
        .encode(
            x=_x(x),
            strokeDash=alt.StrokeDash(
                "marker:N",
                scale=alt.Scale(domain=[name], range=[[6, 4]]),
                legend=alt.Legend(
                    orient="bottom", title=None, symbolType="stroke", symbolStrokeColor="#6c757d",
                    symbolSize=400, labelLimit=0,
                ),
            ),
            tooltip=[alt.Tooltip("marker:N", title="marker")],
        )
    )  # fmt: skip
    return alt.layer(chart, rule)
