"""The "jackrabbits" view: generated text per generation next to human text."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import loaders
from dashboard.catalog import quantity
from dashboard.widgets import downloads, keep_valid

VIEWS = ["One generation", "Across generations"]


def text_stats(text: str) -> str:
    """Length and distinct-bigram share of one document, for a caption."""
    words = text.split()
    pairs = list(zip(words, words[1:], strict=False))
    distinct = len(set(pairs)) / len(pairs) if pairs else 1.0
    return f"{len(words)} words · {distinct:.0%} distinct word pairs"


def quality_note(run: loaders.Run, series: str, generation: int) -> str:
    """The model's excess cross-entropy at ``generation`` (mean over replicas), if recorded."""
    if "excess_cross_entropy" not in loaders.columns(run, "generations"):
        return ""
    frame = loaders.bands(run, "excess_cross_entropy").filter(
        (pl.col(run.series) == series) & (pl.col("generation") == generation)
    )
    if frame.height == 0:
        return ""
    q = quantity("excess_cross_entropy")
    return f"{q.label} of this model: {q.show(frame['mean'][0])} {q.unit}."


def _card(title: str, text: str) -> None:
    with st.container(border=True):
        st.markdown(f"**{title}**")
        st.markdown(text)
        st.caption(text_stats(text))


def one_generation(run: loaders.Run, rows: pl.DataFrame, series: str) -> pl.DataFrame:
    """Every saved sample of one generation, human text on the left, the model's on the right."""
    generations = sorted(rows["generation"].unique().to_list())
    keep_valid("samples_generation", generations, fallback=generations[-1])
    generation = st.select_slider("Generation", generations, key="samples_generation")
    st.caption(quality_note(run, series, generation))
    shown = rows.filter(pl.col("generation") == generation)
    for row in shown.iter_rows(named=True):
        human, model = st.columns(2)
        with human:
            _card(f"Human, topic {row['topic']}", row["human_text"])
        with model:
            _card(f"Model of generation {generation}, topic {row['topic']}", row["model_text"])
    return shown


def across_generations(run: loaders.Run, rows: pl.DataFrame, series: str) -> pl.DataFrame:
    """One topic: the human text, then the first saved sample of each generation on it."""
    topics = sorted(rows["topic"].unique().to_list())
    counts = rows.group_by("topic").agg(pl.col("generation").n_unique()).sort("generation")
    keep_valid("samples_topic", topics, fallback=counts["topic"][-1])  # the best-covered topic
    topic = st.selectbox("Topic", topics, key="samples_topic")
    shown = (
        rows.filter(pl.col("topic") == topic)
        .sort("generation")
        .unique("generation", keep="first", maintain_order=True)
    )
    _card(f"Human text, topic {topic}", shown["human_text"][0])
    for row in shown.iter_rows(named=True):
        note = quality_note(run, series, row["generation"])
        _card(
            f"Generation {row['generation']}", row["model_text"] + (f"\n\n*{note}*" if note else "")
        )
    return shown


def render(run: loaders.Run, frame: pl.DataFrame) -> None:
    """Pick a strategy or trainer and a view; show the texts and offer them for download."""
    series_column = run.series
    options = frame[series_column].unique(maintain_order=True).to_list()
    left, right = st.columns([1, 2])
    keep_valid("samples_series", options)
    series = left.selectbox(series_column.capitalize(), options, key="samples_series")
    view = right.segmented_control("View", VIEWS, key="samples_view", default=VIEWS[0])
    rows = frame.filter(pl.col(series_column) == series)
    if rows.height == 0:
        st.info(f"No saved samples for {series}.")
        return
    if view == VIEWS[1]:
        shown = across_generations(run, rows, series)
    else:
        shown = one_generation(run, rows, series)
    with st.expander("Download these texts", icon=":material/download:"):
        downloads(shown, f"{run.folder.name}_samples_{series}", "samples_download")
