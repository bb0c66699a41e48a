"""The main charts of a run, defined once: the Runs page draws them and ``ecosim report``
exports them.

Each builder takes plain polars frames (no Streamlit) and returns a ``Figure``: the altair
chart, the data it shows, a title and a caption for a paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt
import polars as pl

from dashboard import charts, kinds, summaries
from dashboard.catalog import offered, quantity

LAUNCH_LABEL = "AI tools launch"


@dataclass(frozen=True)
class Figure:
    """One chart with what a reader needs to understand it.

    Attributes:
        stem: a file name for it (no suffix).
        title: the heading above it.
        chart: the altair chart.
        data: the data it shows.
        caption: one or two sentences saying what it shows.
    """

    stem: str
    title: str
    chart: alt.TopLevelMixin
    data: pl.DataFrame
    caption: str


def launch_step(meta: dict[str, Any]) -> int | None:
    """The step at which AI tools launch, from a run's resolved scenario."""
    value = (meta.get("scenario") or {}).get("launch_step")
    return int(value) if isinstance(value, int | float) else None


def _marked(chart: alt.TopLevelMixin, meta: dict[str, Any]) -> alt.TopLevelMixin:
    step = launch_step(meta)
    return charts.with_marker(chart, "step", step, LAUNCH_LABEL) if step else chart


def loop_metric(
    bands: pl.DataFrame,
    metric: str,
    series: str,
    log_y: bool = False,
    modality: str | None = None,
) -> Figure:
    """A lab-mode metric per generation: mean over replicas, one line per strategy, 10-90% band
    (none for a one-replica run), titled in the unit of the truth's ``modality``."""
    replicas = int(bands["replicas"].max()) if bands.height else 0
    title = kinds.title(metric, modality)
    chart = charts.metric_lines(
        bands, x="generation", y="mean", metric=metric, series=series,
        band=("q10", "q90") if replicas > 1 else None, log_y=log_y, y_title=title,
    )  # fmt: skip
    q = quantity(metric)
    spread = (
        f"Lines: mean over {replicas} replicas. Shaded: the middle 80% of replicas (10% to 90%)."
        if replicas > 1
        else "1 replica: one run of each line, so there is no spread to shade."
    )
    caption = f"{title} per generation under each data strategy. {spread}"
    return Figure(f"{metric}_per_generation", f"{q.label} per generation", chart, bands, caption)


def ecosystem_web(meta: dict[str, Any], steps: pl.DataFrame) -> Figure:
    """AI-made share of new documents and of the web, per step."""
    cols = offered(steps.columns, ["ai_share_new", "ai_share_web"])
    chart = charts.wide_lines(
        steps, x="step", columns=cols, y_title="AI-made share of documents", y_format=".0%"
    )
    caption = (
        "Share of documents made with AI tools (authors' assisted text and content farms), "
        "among each month's new documents and on the whole web."
    )
    data = steps.select("step", *cols)
    return Figure("ai_share", "How much of the web is AI-made", _marked(chart, meta), data, caption)


def ecosystem_authors(meta: dict[str, Any], steps: pl.DataFrame) -> Figure:
    """Active human authors and AI adopters, per step."""
    cols = offered(steps.columns, ["human_authors_active", "ai_adopters"])
    chart = charts.wide_lines(steps, x="step", columns=cols, y_title="Human authors (people)")
    caption = "Human authors still publishing, and those among them who took up AI tools."
    data = steps.select("step", *cols)
    return Figure("authors", "Human authors and AI adopters", _marked(chart, meta), data, caption)


def ecosystem_models(
    meta: dict[str, Any], steps: pl.DataFrame, generations: pl.DataFrame, metric: str
) -> Figure:
    """Each trainer's model quality per generation, placed at the step it was trained."""
    extra = [c for c in ("generation", "train_ai_share") if c != metric]
    shown = generations.select("trainer", "step", *offered(generations.columns, extra), metric)
    span = (steps["step"].min(), steps["step"].max()) if steps.height else None
    chart = charts.metric_lines(
        shown, x="step", y=metric, metric=metric, series="trainer",
        extra_tooltip=offered(generations.columns, extra), x_domain=span,
    )  # fmt: skip
    q = quantity(metric)
    caption = (
        f"{q.title} of each trainer's model on held-out human text, one point per generation "
        "placed at the step it was trained."
    )
    return Figure(
        f"models_{metric}", "Each trainer's model quality", _marked(chart, meta), shown, caption
    )


def ecosystem_firms(meta: dict[str, Any], firms: pl.DataFrame) -> Figure:
    """Each company's market share among AI users, per step."""
    extra = offered(firms.columns, ["quality", "deployed_trainer", "deployed_generation"])
    shown = firms.select("company", "step", "market_share", *extra)
    chart = charts.metric_lines(
        shown, x="step", y="market_share", metric="market_share", series="company",
        extra_tooltip=extra,
    )  # fmt: skip
    caption = "Each company's share of AI-using authors (logit shares on model quality)."
    return Figure("market_share", "Who wins the users", _marked(chart, meta), shown, caption)


def ecosystem_moat(meta: dict[str, Any], gap: pl.DataFrame) -> Figure:
    """The moat gap per step: each company's model quality minus the best scrape-only
    trainer's (or, for runs without a per-company gap, data holders' minus scrapers')."""
    if "company" in gap.columns:
        chart = charts.metric_lines(
            gap, x="step", y="moat_gap", metric="moat_gap", series="company"
        )
        caption = (
            "Each company's model quality minus that of the best scrape-only trainer at each "
            "step: above 0 its data keeps it ahead."
        )
        return Figure("moat_gap", "The data moat", _marked(chart, meta), gap, caption)
    frame = gap.with_columns(pl.lit("holders − scrapers").alias("gap"))
    chart = charts.metric_lines(frame, x="step", y="moat_gap", metric="moat_gap", series="gap")
    caption = "Model quality of firms holding proprietary human data minus that of scrapers."
    return Figure("moat_gap", "The data moat", _marked(chart, meta), gap, caption)


def ecosystem_human_share(meta: dict[str, Any], firms: pl.DataFrame) -> Figure:
    """The human share of each company's deployed model's training data, per step."""
    extra = offered(firms.columns, ["proprietary_tokens"])
    shown = firms.select("company", "step", "human_share", *extra).drop_nulls("human_share")
    chart = charts.metric_lines(
        shown, x="step", y="human_share", metric="human_share", series="company",
        extra_tooltip=extra,
    )  # fmt: skip
    caption = "Share of each company's deployed model's training documents written by people."
    return Figure("human_share", "Human data in each model", _marked(chart, meta), shown, caption)


def ecosystem_money(meta: dict[str, Any], firms: pl.DataFrame) -> Figure:
    """Each company's revenue and licence spend per step."""
    flows = offered(firms.columns, ["revenue", "licence_spend"])
    shown = firms.select("company", "step", *flows).unpivot(
        index=["company", "step"], on=flows, variable_name="flow", value_name="amount"
    )
    shown = shown.with_columns(pl.col("flow").replace({f: quantity(f).label for f in flows}))
    chart = charts.metric_lines(
        shown, x="step", y="amount", metric="revenue", series="company", dash="flow",
        y_title="Money (relative units per step)",
    )  # fmt: skip
    caption = "Revenue (users and consumers × price; solid) and licence spend (dashed) per step."
    return Figure("money", "The money", _marked(chart, meta), shown, caption)


def ecosystem_figures(
    meta: dict[str, Any],
    steps: pl.DataFrame,
    generations: pl.DataFrame,
    firms: pl.DataFrame | None,
    metric: str = "excess_cross_entropy",
) -> list[Figure]:
    """The main figures of an ecosystem run, in the Runs page's order."""
    found = [ecosystem_web(meta, steps), ecosystem_authors(meta, steps)]
    if metric in generations.columns:
        found.append(ecosystem_models(meta, steps, generations, metric))
    if firms is not None and firms.height:
        found.append(ecosystem_firms(meta, firms))
    gap = summaries.moat_gap(steps, firms)
    if gap is not None and gap.height:
        found.append(ecosystem_moat(meta, gap))
        if firms is not None and {"human_share", "revenue"} <= set(firms.columns):
            found.extend([ecosystem_human_share(meta, firms), ecosystem_money(meta, firms)])
    return found


SCALING_X = "train_size"
CURVE = "human data"
"""The column naming each scaling curve: the share of clean human data in the training set."""
SOURCE = "line"
MEASURED = "ecosim"
EXPECTED = "closed form"


def curve_label(real_fraction: float) -> str:
    """How a scaling curve is named: its share of human data."""
    return f"{real_fraction:.0%} human"


def _labelled(frame: pl.DataFrame, source: str) -> pl.DataFrame:
    labels = {v: curve_label(v) for v in frame["real_fraction"].unique().to_list()}
    return (
        frame.with_columns(
            pl.col("real_fraction").replace_strict(labels, return_dtype=pl.String).alias(CURVE),
            pl.lit(source).alias(SOURCE),
        )
        .sort("real_fraction", SCALING_X)
        .select("real_fraction", CURVE, SCALING_X, "mean", "q10", "q90", "replicas", SOURCE)
    )


def scaling_curves(bands: pl.DataFrame, closed: pl.DataFrame | None, metric: str) -> pl.DataFrame:
    """A scaling run's measured curves (``bands`` over replicas, series ``real_fraction``) and,
    when given, its closed form of ``metric``, in one long frame with a ``line`` column."""
    measured = _labelled(bands.with_columns(pl.col("real_fraction").cast(pl.Float64)), MEASURED)
    if closed is None or metric not in closed.columns:
        return measured
    expected = closed.select(
        "real_fraction",
        SCALING_X,
        *[pl.col(metric).alias(c) for c in ("mean", "q10", "q90")],
        pl.lit(0, dtype=pl.UInt32).alias("replicas"),
    )
    return pl.concat([measured, _labelled(expected, EXPECTED)], how="vertical_relaxed")


def scaling_error(
    curves: pl.DataFrame, metric: str, modality: str | None = None, log: bool = True
) -> Figure:
    """Test error against training size, one line per share of human data, the closed form
    dashed beside it; log axes by default."""
    measured = curves.filter(pl.col(SOURCE) == MEASURED)
    positive = bool((curves["q10"] > 0).all()) if curves.height else False
    replicas = int(measured["replicas"].max()) if measured.height else 0
    title = kinds.title(metric, modality)
    chart = charts.metric_lines(
        curves, x=SCALING_X, y="mean", metric=metric, series=CURVE, dash=SOURCE,
        band=("q10", "q90") if replicas > 1 else None, log_x=log,
        log_y=("log" if positive else True) if log else False, y_title=title,
        # log ticks of a share need decimals: 0.5%, 0.4%, not 0%, 0%
        y_format=".2~%" if log and quantity(metric).fmt.endswith("%") else None,
    )  # fmt: skip
    closed = (curves[SOURCE] == EXPECTED).any()
    note = (
        "Solid: ecosim, the mean over replicas. Dashed: the closed form E[error] = "
        "Σ p_i (1 − q_i)^T of a learner that memorises what it saw, for training data drawn "
        "from q = π·p + (1 − π)·(p cut at the top-k)."
        if closed
        else "No closed form for this learner (it applies to a unigram without smoothing)."
    )
    shade = f" Shaded: 10% to 90% of {replicas} replicas." if replicas > 1 else " 1 replica."
    label = quantity(metric).label
    return Figure(
        f"{metric}_per_train_size",
        f"{label} against training size",
        chart,
        curves,
        f"{title} against training size, one line per share of human data. {note}{shade}",
    )
