"""The Runs page for lab-mode runs: each metric per generation by strategy, with replica bands."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, figures, kinds, loaders, summaries
from dashboard.catalog import quantity
from dashboard.views.tables import table_downloads
from dashboard.widgets import chart_with_data, keep_valid

BAND_NOTE = "Lines: mean over {r} replicas. Shaded: the middle 80% of replicas (10% to 90%)."
ONE_REPLICA = "1 replica: one run of each line, so there is no spread to shade."


def replica_note(replicas: int) -> str:
    """The caption under a chart of bands: how many replicas, and what the shading means."""
    return ONE_REPLICA if replicas <= 1 else BAND_NOTE.format(r=replicas)


def headline(run: loaders.Run, metric: str) -> None:
    """One ``st.metric`` per strategy: the last generation's mean and its change since gen 0."""
    q = quantity(metric)
    finals = summaries.final_values(loaders.bands(run, metric), "generation", run.series)
    cells = st.columns(max(1, finals.height))
    unit = kinds.unit(metric, run.modality)
    for cell, row in zip(cells, finals.iter_rows(named=True), strict=False):
        cell.metric(
            f"{row[run.series]}: {q.label}, generation {row['generation_last']}",
            q.show(row["last"]),
            delta=f"{q.show(row['change'], signed=True)} since generation 0",
            delta_color=q.delta_color,
            help=f"{q.label} ({unit}). {q.help}" if unit else q.help or None,
            border=True,
        )


def metric_chart(run: loaders.Run, metric: str, key: str, log_y: bool = False) -> None:
    """The metric's mean per generation, one line per strategy, with the 10-90% band."""
    figure = figures.loop_metric(
        loaders.bands(run, metric), metric, run.series, log_y, run.modality
    )
    chart_with_data(figure.chart, figure.data, f"{run.folder.name}_{metric}", key)
    replicas = int(figure.data["replicas"].max()) if figure.data.height else 0
    st.caption(replica_note(replicas))


def perplexity_histograms(run: loaders.Run, strategy: str) -> None:
    """Shumailov's histograms: perplexity under generation 0 of documents sampled later."""
    seq = loaders.load_table(run, "sequences", ["strategy", "generation", "perplexity_gen0"])
    seq = seq.filter(pl.col("strategy") == strategy)
    generations = sorted(seq["generation"].unique().to_list())
    if not generations:
        st.info(f"No sampled sequences for {strategy}.")
        return
    pick = sorted({generations[0], generations[len(generations) // 2], generations[-1]})
    shown = seq.filter(pl.col("generation").is_in(pick))
    # the far tail would squash the curves: draw up to the 99th percentile
    shown = shown.filter(pl.col("perplexity_gen0") <= shown["perplexity_gen0"].quantile(0.99))
    chart = charts.density_chart(shown, value="perplexity_gen0", group="generation")
    chart_with_data(chart, shown, f"{run.folder.name}_perplexity_{strategy}", "runs_loop_ppl")
    st.caption(
        "Each curve: the documents a generation's model wrote, scored by the generation-0 model. "
        "Collapse piles text up at low perplexity and grows a long high-perplexity tail."
    )


def strategies_of(run: loaders.Run) -> list[str]:
    """The run's strategies in the scenario's order (the order people wrote them in)."""
    table = loaders.main_table(run)
    present = set(loaders.load_table(run, table, [run.series])[run.series].to_list())
    declared = ((run.meta.get("scenario") or {}).get("loop") or {}).get("strategies") or []
    return [s for s in declared if s in present] + sorted(present - set(declared))


def summary_only_note(run: loaders.Run) -> str:
    """What the page says about a run that kept statistics over replicas only."""
    return (
        "This run kept per-generation statistics over replicas only (mean, median, 10% and 90% "
        f"quantiles: {loaders.main_table(run)}.parquet), not every replica's rows: the charts "
        f"draw them as usual. To look at single replicas, run it again with "
        f"{loaders.REPLICA_ROWS_HINT}."
    )


def render(run: loaders.Run) -> None:
    """The whole loop view."""
    if loaders.summary_only(run):
        st.info(summary_only_note(run), icon=":material/info:")
    metrics = kinds.metric_menu(run.modality, loaders.columns(run, "generations"))
    if not metrics:
        drawn = kinds.HEADLINES.get(run.modality or "", ["excess_cross_entropy"])
        st.warning(
            f"{run.table_path(loaders.main_table(run))} has none of the metrics the dashboard "
            f"draws ({', '.join(drawn)}, ...). Its columns are in the downloads below."
        )
        table_downloads(run, "runs_tables")
        return
    headline(run, metrics[0])
    left, right = st.columns([3, 2], gap="large")
    with left:
        pick, scale = st.columns([3, 1], vertical_alignment="bottom")
        keep_valid("runs_loop_metric", metrics)
        metric = pick.selectbox(
            "Metric",
            metrics,
            key="runs_loop_metric",
            format_func=lambda m: quantity(m).label,
            help="Each metric per generation; hover a line for values.",
        )
        log_y = scale.toggle("Log y", key="runs_loop_log", help="Symmetric log y axis.")
        st.markdown(f"##### {quantity(metric).label} per generation")
        metric_chart(run, metric, "runs_loop_metric_data", log_y)
        if quantity(metric).help:
            st.caption(quantity(metric).help)
    with right:
        st.markdown("##### AI share of the training data")
        metric_chart(run, "train_ai_share", "runs_loop_share_data")
    if run.has_table("sequences"):
        st.markdown("##### Perplexity of generated text under the first model")
        strategies = strategies_of(run)
        keep_valid("runs_loop_strategy", strategies)
        strategy = st.segmented_control("Strategy", strategies, key="runs_loop_strategy")
        perplexity_histograms(run, strategy or strategies[0])
    table_downloads(run, "runs_tables")
