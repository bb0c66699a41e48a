"""Compare, for replications: each scenario's mean over seeds ± 95% interval, and a verdict
only when the interval of a difference excludes zero."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import intervals, loaders, sweep_charts
from dashboard.catalog import quantity
from dashboard.widgets import downloads

BADGES = {
    "better": ":green-badge[better]",
    "worse": ":red-badge[worse]",
    "changed": ":blue-badge[changed]",
    intervals.NO_CLEAR: ":gray-badge[no clear difference]",
    intervals.BASELINE: ":violet-badge[baseline]",
}


def groups_of(runs: list[loaders.Run], labels: list[str]) -> dict[str, str]:
    """Each run's replication group, by run label: runs that differ only in their seed share one.

    Groups are named by scenario and overrides; two different scenarios that would get the
    same name are told apart by a number.
    """
    names: dict[str, str] = {}
    taken: set[str] = set()
    found = {}
    for run, label in zip(runs, labels, strict=True):
        key = intervals.replication_key(run.meta)
        if key not in names:
            name = intervals.replication_label(run.meta, run.folder.name)
            if name in taken:
                name = f"{name} ({len(names) + 1})"
            names[key] = name
            taken.add(name)
        found[label] = names[key]
    return found


def has_replications(groups: dict[str, str]) -> bool:
    """Whether any scenario was run with two or more seeds."""
    values = list(groups.values())
    return any(values.count(g) >= 2 for g in set(values))


def _interval(q, low, high) -> str:
    return f"[{q.show(low)}, {q.show(high)}]" if low is not None else "one seed: none"


def _table(table: pl.DataFrame, metric: str, series: str) -> None:
    q = quantity(metric)
    rows = [
        {
            "scenario": row["group"],
            "strategy / trainer": row[series],
            "seeds": row["n"],
            f"mean {q.label}": q.show(row["mean"]),
            "95% interval": _interval(q, row["ci_low"], row["ci_high"]),
            "difference": "" if row["delta"] is None else q.show(row["delta"], signed=True),
            "its 95% interval": ""
            if row["delta"] is None
            else _interval(q, row["delta_low"], row["delta_high"]),
            "compared with baseline": BADGES.get(row["verdict"], row["verdict"]),
        }
        for row in table.iter_rows(named=True)
    ]
    st.table(pl.DataFrame(rows), hide_index=True)


def render(finals: pl.DataFrame, groups: dict[str, str], metric: str, series: str, base: str):
    """The replications section of Compare.

    Args:
        finals: final values, one row per run label (``run``) and series, in ``last``.
        groups: each run label's replication group.
        metric: the metric compared.
        series: the series column.
        base: the baseline run's label (its group is the baseline).
    """
    frame = finals.with_columns(pl.col("run").replace_strict(groups).alias("group"))
    baseline = groups[base]
    table = intervals.compare_groups(frame, metric, series, baseline)
    st.markdown(f"##### Final values over seeds against the baseline, {baseline}")
    chart_frame = table.with_columns(
        pl.concat_str(pl.col("group"), pl.lit(" · "), pl.col(series)).alias("line")
    )
    st.altair_chart(
        sweep_charts.interval_dots(chart_frame, metric=metric, label="line"), width="stretch"
    )
    _table(table, metric, series)
    st.caption(
        "Runs that differ only in their seed are replications of one scenario: shown as their "
        "mean with a 95% Student-t interval over seeds. A difference from the baseline is called "
        "better or worse only when its 95% (Welch) interval excludes zero; otherwise there is no "
        "clear difference, however large it looks."
    )
    with st.expander("Data", icon=":material/table:"):
        st.dataframe(table, hide_index=True)
        downloads(table, f"compare_replications_{metric}", "compare_replications")
