"""The charts of a sweep, defined once for the Sweeps page and ``ecosim report``: an outcome as
a heatmap over two parameters, as lines with 95% bands over one, and its sensitivity indices."""

from __future__ import annotations

from typing import Any

import polars as pl

from dashboard import charts, sweep_charts, sweeps
from dashboard.figures import Figure

SERIES = "series"


def _fixed_text(fixed: dict[str, Any]) -> str:
    return "; ".join(f"{p} = {v}" for p, v in fixed.items())


def _held(fixed: dict[str, Any]) -> str:
    return f" Held fixed: {_fixed_text(fixed)}." if fixed else ""


def field(path: str) -> str:
    """A parameter's column name as a chart field: Vega-Lite reads a dot as nesting."""
    return path.replace(".", "__")


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text).strip("_")


def heatmap(
    sweep: sweeps.Sweep, summary: pl.DataFrame, outcome: str, x: str, y: str,
    fixed: dict[str, Any],
) -> Figure:  # fmt: skip
    """An outcome's mean over seeds across two parameters, the others held fixed.

    Args:
        sweep: the opened sweep.
        summary: its summary table.
        outcome: the outcome's name.
        x: the parameter across.
        y: the parameter up.
        fixed: values of the other grid parameters.
    """
    spec = sweep.outcome(outcome)
    frame = sweeps.outcome_summary(summary, outcome, fixed)
    q = spec.quantity
    better = spec.better or q.better
    cells = frame.select(
        pl.col(x).alias(field(x)), pl.col(y).alias(field(y)), "mean", "ci_low", "ci_high",
        "width", "n",
    )  # fmt: skip
    chart = sweep_charts.heatmap(
        cells, x=field(x), y=field(y), title=spec.title, fmt=q.fmt, reverse=better == "higher",
        x_title=x, y_title=y,
    )  # fmt: skip
    darker = " Darker is better." if better in ("lower", "higher") else ""
    caption = (
        f"{spec.title}: mean over seeds at each point of the sweep {sweep.name}, across {x} and "
        f"{y}.{darker} Hover for the 95% interval and its width.{_held(fixed)}"
    )
    stem = f"heatmap_{_slug(outcome)}_{_slug(x)}_{_slug(y)}"
    return Figure(stem, f"{outcome} across {x} and {y}", chart, frame, caption)


def lines(
    sweep: sweeps.Sweep, summary: pl.DataFrame, outcome: str, x: str, color: str | None,
    fixed: dict[str, Any],
) -> Figure:  # fmt: skip
    """An outcome's mean over seeds along one parameter with its 95% band, one line per value
    of ``color`` (or one line), the other parameters held fixed."""
    spec = sweep.outcome(outcome)
    frame = sweeps.outcome_summary(summary, outcome, fixed).sort(x)
    label = pl.col(color).cast(pl.String) if color else pl.lit(outcome)
    frame = frame.with_columns(label.alias(SERIES))
    shown = frame.select(SERIES, x, "mean", "ci_low", "ci_high", "n")
    chart = charts.metric_lines(
        shown.rename({x: field(x)}), x=field(x), y="mean", metric=spec.column or outcome,
        series=SERIES,
        band=("ci_low", "ci_high"), y_title=spec.title, x_format=".3~g", x_title=x,
        legend_title=color, extra_tooltip=["n"],
    )  # fmt: skip
    by = f", one line per value of {color}" if color else ""
    caption = (
        f"{spec.title} along {x}{by}: mean over seeds (line) and its 95% interval (band), "
        f"sweep {sweep.name}.{_held(fixed)}"
    )
    stem = f"lines_{_slug(outcome)}_{_slug(x)}" + (f"_by_{_slug(color)}" if color else "")
    return Figure(stem, f"{outcome} along {x}", chart, shown, caption)


def sensitivity(sweep: sweeps.Sweep, table: pl.DataFrame, outcome: str) -> Figure | None:
    """Sensitivity indices of an outcome as bars with 95% error bars (None if there are none)."""
    frame = sweeps.sensitivity_long(table, outcome)
    if frame.height == 0:
        return None
    spec = sweep.outcome(outcome)
    morris = "mu_star" in frame["index"].to_list()
    what = (
        "Morris elementary effects: μ* (mean absolute effect) and σ (their spread)"
        if morris
        else "Sobol indices: first-order S1 (the share of variance a parameter explains alone) "
        "and total ST (with its interactions)"
    )
    chart = sweep_charts.sensitivity_bars(frame, title=f"Sensitivity of {spec.title}")
    caption = f"{what} of {spec.title}, sweep {sweep.name}. Error bars: 95% intervals."
    return Figure(f"sensitivity_{_slug(outcome)}", f"What drives {outcome}", chart, frame, caption)


def default_figures(
    sweep: sweeps.Sweep, summary: pl.DataFrame, sensitivity_table: pl.DataFrame | None
) -> list[Figure]:
    """Per outcome: a heatmap over the first two parameters, lines along the first, and the
    sensitivity bars; other grid parameters held at their middle value."""
    params = sweep.parameter_paths
    found: list[Figure] = []
    names = [o.name for o in sweep.outcomes] or summary["outcome"].unique(maintain_order=True)
    for outcome in names:
        rows = summary.filter(pl.col("outcome") == outcome)
        if rows.height == 0:
            continue
        grid = sweeps.fixable(rows, params)
        if len(params) >= 2:
            x, y = params[:2]
            fixed = {p: sweeps.middle(sweeps.levels(rows, p)) for p in grid if p not in (x, y)}
            found.append(heatmap(sweep, summary, outcome, x, y, fixed))
        if params:
            x = params[0]
            color = next((p for p in grid if p != x), None)
            fixed = {p: sweeps.middle(sweeps.levels(rows, p)) for p in grid if p not in (x, color)}
            found.append(lines(sweep, summary, outcome, x, color, fixed))
        if sensitivity_table is not None:
            bars = sensitivity(sweep, sensitivity_table, outcome)
            found += [bars] if bars else []
    return found
