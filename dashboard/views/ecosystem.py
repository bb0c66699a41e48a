"""The Runs page for ecosystem runs: the web, authors, models, firms and the moat gap."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import figures, loaders, summaries
from dashboard.catalog import LOOP_METRICS, offered, quantity
from dashboard.views.tables import table_downloads
from dashboard.widgets import chart_with_data

MOAT_NOTE = (
    "**Moat gap: not in this run.** The moat gap compares the model quality of firms that hold "
    "proprietary human data with firms that only scrape the web. It appears here once a run "
    "records it: a `moat_gap` column in steps.parquet, or a boolean `holds_data` column in "
    "firms.parquet (companies holding data come with the data-moat scenarios)."
)


def headline(steps: pl.DataFrame, generations: pl.DataFrame) -> None:
    """Four numbers with their change since the first step (or generation)."""
    cells = st.columns(4)
    if steps.height:
        first, last = steps.row(0, named=True), steps.row(-1, named=True)
        shown = offered(steps.columns, ["ai_share_new", "ai_share_web", "human_authors_active"])
        for cell, column in zip(cells, shown, strict=False):
            q = quantity(column)
            change = q.show(last[column] - first[column], signed=True)
            cell.metric(
                q.label,
                q.show(last[column]),
                delta=f"{change} since step {first['step']}",
                delta_color="normal" if column == "human_authors_active" else "off",
                help=f"At step {last['step']}, the last of the run.",
                border=True,
            )
    if "excess_cross_entropy" in generations.columns and generations.height:
        worst_model(cells[3], generations)


def worst_model(cell, generations: pl.DataFrame) -> None:
    """The trainer whose latest model is furthest from the truth, and its change."""
    q = quantity("excess_cross_entropy")
    latest = generations.sort("generation").group_by("trainer").last()
    worst = latest.sort("excess_cross_entropy").row(-1, named=True)
    start = generations.filter(
        (pl.col("trainer") == worst["trainer"]) & (pl.col("generation") == 0)
    )["excess_cross_entropy"]
    change = worst["excess_cross_entropy"] - start[0] if start.len() else None
    cell.metric(
        f"Worst model: {worst['trainer']}",
        q.show(worst["excess_cross_entropy"]),
        delta=f"{q.show(change, signed=True)} since generation 0" if change is not None else None,
        delta_color="inverse",
        help=f"{q.title} of the latest generation ({worst['generation']}); {q.help}",
        border=True,
    )


def show(figure: figures.Figure, key: str) -> None:
    """A figure under its heading, with its data and downloads."""
    st.markdown(f"##### {figure.title}")
    chart_with_data(figure.chart, figure.data, figure.stem, key)


def web_and_authors(run: loaders.Run, steps: pl.DataFrame) -> None:
    """AI share of new documents and of the web; active human authors and AI adopters."""
    left, right = st.columns(2, gap="large")
    with left:
        show(figures.ecosystem_web(run.meta, steps), "runs_web")
    with right:
        show(figures.ecosystem_authors(run.meta, steps), "runs_authors")


def models_and_firms(
    run: loaders.Run, steps: pl.DataFrame, generations: pl.DataFrame, firms: pl.DataFrame | None
) -> None:
    """Each trainer's quality per generation; each company's market share over time."""
    left, right = st.columns(2, gap="large")
    with left:
        metrics = offered(generations.columns, LOOP_METRICS)
        metric = st.selectbox(
            "Model metric",
            metrics,
            key="runs_eco_metric",
            format_func=lambda m: quantity(m).label,
            help="Measured on held-out human text after each retraining.",
        )
        figure = figures.ecosystem_models(run.meta, steps, generations, metric)
        show(figure, "runs_models")
        st.caption("One point per generation, placed at the step it was trained.")
    with right:
        if firms is None or firms.height == 0:
            st.markdown("##### Who wins the users")
            st.info("This run has no firms table.")
            return
        show(figures.ecosystem_firms(run.meta, firms), "runs_firms")


def moat(run: loaders.Run, steps: pl.DataFrame, firms: pl.DataFrame | None) -> None:
    """The moat gap over time, or a note saying why it is not shown."""
    gap = summaries.moat_gap(steps, firms)
    if gap is None or gap.height == 0:
        st.markdown("##### The data moat")
        st.info(MOAT_NOTE, icon=":material/info:")
        return
    show(figures.ecosystem_moat(run.meta, gap), "runs_moat")


def render(run: loaders.Run) -> None:
    """The whole ecosystem view."""
    steps = loaders.load_table(run, "steps")
    generations = loaders.load_table(run, "generations")
    firms = loaders.load_table(run, "firms") if run.has_table("firms") else None
    headline(steps, generations)
    web_and_authors(run, steps)
    models_and_firms(run, steps, generations, firms)
    moat(run, steps, firms)
    table_downloads(run, "runs_tables")
