"""Compare: several runs on the same axes, and their final values against a baseline run."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, kinds, loaders, summaries
from dashboard.catalog import LOOP_METRICS, STEP_METRICS, quantity
from dashboard.views import replications, scaling
from dashboard.widgets import chart_with_data, downloads, keep_valid, sticky_multiselect

SERIES = "series"
"""The common name of the strategy / trainer column once runs of both kinds are stacked."""
BADGES = {
    "better": ":green-badge[better]",
    "worse": ":red-badge[worse]",
    "same": ":gray-badge[same]",
    "changed": ":blue-badge[changed]",
    "no match": ":gray-badge[no match]",
}
"""Markdown badges that highlight each line's verdict in the delta table."""


def run_labels(runs: list[loaders.Run]) -> list[str]:
    """Short unique names: the folder name, or the whole path where two names clash."""
    names = [r.folder.name for r in runs]
    return [n if names.count(n) == 1 else str(r.folder) for n, r in zip(names, runs, strict=True)]


def stacked_bands(runs: list[loaders.Run], labels: list[str], metric: str) -> pl.DataFrame:
    """Every run's bands of ``metric`` in one frame, with ``run`` and ``series`` columns."""
    frames = [
        loaders.bands(run, metric)
        .rename({run.series: SERIES})
        .with_columns(pl.lit(label).alias("run"))
        for run, label in zip(runs, labels, strict=True)
    ]
    return pl.concat(frames, how="vertical_relaxed").select(
        "run", SERIES, pl.exclude("run", SERIES)
    )


def common(runs: list[loaders.Run], table: str, menu: list[str]) -> list[str]:
    """Entries of ``menu`` that every run's ``table`` has."""
    found = [set(loaders.columns(run, table)) for run in runs]
    shared = set.intersection(*found) if found else set()
    return [m for m in menu if m in shared]


def delta_table(deltas: pl.DataFrame, metric: str, baseline: str) -> None:
    """The final values and their differences from the baseline, with a verdict badge per line."""
    q = quantity(metric)
    rows = [
        {
            "run": f"**{row['run']}**" if row["run"] == baseline else row["run"],
            "strategy / trainer": row[SERIES],
            f"final {q.label}": q.show(row["last"]),
            "difference": q.show(row["delta"], signed=True) if row["delta"] is not None else "",
            "relative": f"{row['relative']:+.1%}" if row["relative"] is not None else "",
            "compared with baseline": BADGES.get(row["verdict"], row["verdict"]),
        }
        for row in deltas.iter_rows(named=True)
    ]
    st.table(pl.DataFrame(rows), hide_index=True)
    with st.expander("Data", icon=":material/table:"):
        st.dataframe(deltas, hide_index=True)
        downloads(deltas, f"compare_final_{metric}", "compare_deltas")


def generations_section(runs: list[loaders.Run], labels: list[str]) -> None:
    """A per-generation metric of every run on one chart, then the delta of final values."""
    modalities = {run.modality for run in runs}
    modality = modalities.pop() if len(modalities) == 1 else None
    metrics = kinds.metric_menu(modality, common(runs, "generations", LOOP_METRICS))
    if not metrics:
        st.warning("These runs share no per-generation metric.")
        return
    left, right, scale = st.columns([3, 3, 1], vertical_alignment="bottom")
    metric = left.selectbox(
        "Metric", metrics, key="compare_metric", format_func=lambda m: quantity(m).label
    )
    keep_valid("compare_baseline", labels)
    baseline = right.selectbox("Baseline run", labels, key="compare_baseline")
    log_y = scale.toggle("Log y", key="compare_log", help="Symmetric log y axis.")
    frame = stacked_bands(runs, labels, metric)
    names = frame[SERIES].unique(maintain_order=True).to_list()
    picked = sticky_multiselect(
        "Strategies / trainers", names, "compare_series", names,
        help="Lines to show and compare; the same name is matched across runs.",
    )  # fmt: skip
    if not picked:
        st.info("Pick at least one strategy or trainer.")
        return
    frame = frame.filter(pl.col(SERIES).is_in(picked))
    st.markdown(f"##### {quantity(metric).label} per generation")
    replicas = int(frame["replicas"].max()) if frame.height else 0
    chart = charts.metric_lines(
        frame, x="generation", y="mean", metric=metric, series="run", dash=SERIES,
        band=("q10", "q90") if replicas > 1 else None, log_y=log_y,
        y_title=kinds.title(metric, modality), dash_title="strategy / trainer",
    )  # fmt: skip
    chart_with_data(chart, frame, f"compare_{metric}", "compare_lines")
    shade = "Shaded: 10% to 90% of replicas." if replicas > 1 else "1 replica: no band."
    st.caption(f"Colour: run; dash: strategy or trainer (legends below the chart). {shade}")
    finals = pl.concat(
        [
            summaries.final_values(part, "generation", SERIES).with_columns(
                pl.lit(run).alias("run")
            )
            for (run,), part in frame.group_by("run", maintain_order=True)
        ]
    )
    groups = replications.groups_of(runs, labels)
    if replications.has_replications(groups):
        replications.render(finals, groups, metric, SERIES, baseline)
        return
    deltas = summaries.run_deltas(finals, metric, SERIES, baseline)
    st.markdown(f"##### Final values against the baseline, {baseline}")
    others = deltas.filter((pl.col("run") != baseline) & pl.col("delta").is_not_null())
    if others.height:
        st.altair_chart(charts.delta_bars(others, metric=metric, series=SERIES), width="stretch")
    delta_table(deltas, metric, baseline)
    st.caption(
        "One seed per scenario: a difference includes seed-to-seed noise. Run each scenario "
        "with several seeds (`--seed`) to get intervals."
    )


def steps_section(runs: list[loaders.Run], labels: list[str]) -> None:
    """A per-step quantity of every ecosystem run on one chart."""
    metrics = common(runs, "steps", STEP_METRICS)
    if not metrics:
        return
    st.markdown("##### The web, step by step")
    metric = st.selectbox(
        "Quantity", metrics, key="compare_step_metric", format_func=lambda m: quantity(m).label
    )
    frame = pl.concat(
        [
            loaders.load_table(run, "steps", ["step", metric]).with_columns(
                pl.lit(label).alias("run")
            )
            for run, label in zip(runs, labels, strict=True)
        ],
        how="vertical_relaxed",
    )
    chart = charts.metric_lines(frame, x="step", y=metric, metric=metric, series="run")
    chart_with_data(chart, frame, f"compare_{metric}", "compare_steps")


def moat_section(runs: list[loaders.Run], labels: list[str]) -> None:
    """The moat gap of every company of every run that records one, side by side."""
    frames = []
    for run, label in zip(runs, labels, strict=True):
        if "moat_gap" not in loaders.columns(run, "firms"):
            continue
        firms = loaders.load_table(run, "firms")
        gap = summaries.moat_gap(None, firms)
        if gap is not None and gap.height:
            frames.append(gap.with_columns(pl.lit(label).alias("run")))
    if not frames:
        return
    st.markdown("##### The data moat, run by run")
    frame = pl.concat(frames, how="vertical_relaxed")
    chart = charts.metric_lines(
        frame, x="step", y="moat_gap", metric="moat_gap", series="company", dash="run"
    )
    chart_with_data(chart, frame, "compare_moat_gap", "compare_moat")
    st.caption(
        "Each company's model quality minus the best scrape-only trainer's; colour: company, "
        "dash: run."
    )


def scaling_section(runs: list[loaders.Run], labels: list[str]) -> None:
    """Test error against training size of every scaling run on one chart (colour: run; dash:
    share of human data), then each curve's error at its largest training size."""
    metrics = common(runs, "scaling", kinds.SCALING_METRICS)
    if not metrics:
        st.warning("These scaling runs share no test-error column.")
        return
    metric = st.selectbox(
        "Test error", metrics, key="compare_scaling_metric", format_func=lambda m: quantity(m).label
    )
    frame = pl.concat(
        [
            scaling.measured(run, metric).with_columns(pl.lit(label).alias("run"))
            for run, label in zip(runs, labels, strict=True)
        ],
        how="vertical_relaxed",
    ).select("run", scaling.CURVE, pl.exclude("run", scaling.CURVE, scaling.SOURCE))
    positive = bool((frame["q10"] > 0).all())
    st.markdown(f"##### {quantity(metric).label} against training size")
    chart = charts.metric_lines(
        frame, x=scaling.X, y="mean", metric=metric, series="run", dash=scaling.CURVE,
        band=("q10", "q90"), log_x=True, log_y="log" if positive else True,
        y_title=kinds.title(metric, runs[0].modality),
        y_format=".2~%" if quantity(metric).fmt.endswith("%") else None,
    )  # fmt: skip
    chart_with_data(chart, frame, f"compare_scaling_{metric}", "compare_scaling")
    st.caption("Colour: run; dash: share of human data. Shaded: 10% to 90% of replicas.")
    largest = frame.filter(pl.col(scaling.X) == pl.col(scaling.X).max().over("run"))
    q = quantity(metric)
    st.table(
        largest.select(
            "run",
            scaling.CURVE,
            pl.col(scaling.X).alias("training size"),
            pl.col("mean").map_elements(q.show, return_dtype=pl.String).alias(q.label),
        ),
        hide_index=True,
    )


KIND_GROUPS = {"loop": "generations", "ecosystem": "generations", "scaling": "scaling"}
"""Runs that can share a chart: loop and ecosystem runs per generation, scaling runs per size."""


def render(runs: list[loaders.Run]) -> None:
    """The whole Compare view: like with like (per-generation runs together, scaling runs
    together), a note for a run that has nothing to be compared with."""
    if len(runs) < 2:
        st.info("Pick two or more runs to compare.", icon=":material/info:")
        return
    labels = dict(zip(runs, run_labels(runs), strict=True))
    groups: dict[str, list[loaders.Run]] = {}
    for run in runs:
        groups.setdefault(KIND_GROUPS[run.kind], []).append(run)
    for group, members in groups.items():
        if len(members) < 2:
            others = ", ".join(sorted({r.kind for r in runs if KIND_GROUPS[r.kind] != group}))
            st.info(
                f"**{labels[members[0]]}** is a {members[0].kind} run and the others are "
                f"{others} runs: it is left out. Pick another {members[0].kind} run to "
                "compare it with.",
                icon=":material/info:",
            )
    shown = {g: m for g, m in groups.items() if len(m) >= 2}
    if not shown:
        return
    if "generations" in shown:
        members = shown["generations"]
        generations_section(members, [labels[r] for r in members])
        if all(run.kind == "ecosystem" for run in members):
            steps_section(members, [labels[r] for r in members])
            moat_section(members, [labels[r] for r in members])
    if "scaling" in shown:
        members = shown["scaling"]
        scaling_section(members, [labels[r] for r in members])
