"""The Sweeps page: an outcome over the parameters of a sweep, its sensitivities, its members."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import polars as pl
import streamlit as st

from dashboard import sweep_figures, sweeps
from dashboard.widgets import chart_with_data, keep_valid, readable_errors, runs_root

RUNS_PAGE = "app_pages/runs.py"


@st.cache_data(show_spinner=False, max_entries=64)
def _table(folder: str, table: str, mtime_ns: int) -> pl.DataFrame:
    return sweeps.read_table(sweeps.open_sweep(folder), table)


def table(sweep: sweeps.Sweep, name: str) -> pl.DataFrame:
    """A table of ``sweep``, cached on its path and modification time."""
    path = sweep.table_path(name)
    stamp = path.stat().st_mtime_ns if path.is_file() else 0
    return _table(str(sweep.folder), name, stamp)


def pick_sweep(key: str = "sweep") -> sweeps.Sweep:
    """A sweep folder under the runs folder, chosen in a select box; stops the page when there
    is none or it cannot be read."""
    root = runs_root()
    found = [str(f) for f in sweeps.find_sweeps(root)]
    asked = st.session_state.get(key)
    if isinstance(asked, str) and asked not in found and Path(asked).is_dir():
        found.insert(0, asked)  # set from elsewhere: shown, and checked below
    if not found:
        st.info(
            f"The runs folder `{root}` holds no sweep folders (a folder with sweep.json). Make "
            f"one with `ecosim sweep SPEC.yaml --out {root / 'my_sweep'}`; you can change the "
            "folder in the sidebar.",
            icon=":material/info:",
        )
        st.stop()
    keep_valid(key, found)
    chosen = st.selectbox("Sweep folder", found, key=key, format_func=lambda f: _label(f, root))
    with readable_errors("sweep"):
        return sweeps.open_sweep(chosen)


def _label(folder: str, root: Path) -> str:
    try:
        return str(Path(folder).relative_to(root))
    except ValueError:
        return folder


def header(sweep: sweeps.Sweep, runs: pl.DataFrame) -> None:
    """The sweep's name, design, parameters and how many members finished."""
    st.subheader(sweep.name)
    counts = sweeps.status_counts(runs)
    params = ", ".join(f"`{p.path}` ({p.role})" for p in sweep.parameters) or "none"
    done = " · ".join(f"**{counts.get(s, 0)}** {s}" for s in ("complete", "failed", "pending"))
    st.markdown(f"**design** {sweep.design} · **parameters** {params} · {done}")
    if counts.get("failed") or counts.get("pending"):
        st.warning(
            "Some members did not finish: the summary covers the complete ones. Run the same "
            "`ecosim sweep` command again to complete what is missing.",
            icon=":material/warning:",
        )


def hold_fixed(summary: pl.DataFrame, others: list[str], key: str) -> dict[str, Any]:
    """One select box per other grid parameter, its value held fixed (the middle by default)."""
    fixed: dict[str, Any] = {}
    grid = sweeps.fixable(summary, others)
    if not grid:
        return fixed
    cells = st.columns(len(grid))
    for cell, parameter in zip(cells, grid, strict=True):
        values = sweeps.levels(summary, parameter)
        widget = f"{key}_{parameter}"
        keep_valid(widget, values, sweeps.middle(values))
        fixed[parameter] = cell.selectbox(f"Hold {parameter} at", values, key=widget)
    return fixed


def heatmap_section(sweep: sweeps.Sweep, summary: pl.DataFrame, outcome: str) -> None:
    """The outcome over two chosen parameters."""
    params = sweep.parameter_paths
    st.markdown("##### Over two parameters")
    if len(params) < 2:
        st.info("This sweep has one parameter: see the lines below.")
        return
    left, right = st.columns(2)
    keep_valid("sweep_x", params)
    x = left.selectbox("Across", params, key="sweep_x")
    ys = [p for p in params if p != x]
    keep_valid("sweep_y", ys)
    y = right.selectbox("Up", ys, key="sweep_y")
    fixed = hold_fixed(summary, [p for p in params if p not in (x, y)], "sweep_heat_fix")
    figure = sweep_figures.heatmap(sweep, summary, outcome, x, y, fixed)
    chart_with_data(figure.chart, figure.data, figure.stem, "sweep_heatmap")
    st.caption(figure.caption)


def lines_section(sweep: sweeps.Sweep, summary: pl.DataFrame, outcome: str) -> None:
    """The outcome along one parameter, with 95% bands, one line per value of another."""
    params = sweep.parameter_paths
    st.markdown("##### Along one parameter")
    left, right = st.columns(2)
    keep_valid("sweep_line_x", params)
    x = left.selectbox("Along", params, key="sweep_line_x")
    colors = ["(one line)", *sweeps.fixable(summary, [p for p in params if p != x])]
    keep_valid("sweep_line_color", colors, colors[1] if len(colors) > 1 else None)
    picked = right.selectbox("One line per value of", colors, key="sweep_line_color")
    color = None if picked == colors[0] else picked
    fixed = hold_fixed(summary, [p for p in params if p not in (x, color)], "sweep_line_fix")
    figure = sweep_figures.lines(sweep, summary, outcome, x, color, fixed)
    chart_with_data(figure.chart, figure.data, figure.stem, "sweep_lines")
    st.caption(figure.caption)


def sensitivity_section(sweep: sweeps.Sweep, outcome: str) -> None:
    """Sobol or Morris indices as bars, when the sweep computed them."""
    if not sweep.has_table("sensitivity"):
        return
    figure = sweep_figures.sensitivity(sweep, table(sweep, "sensitivity"), outcome)
    st.markdown("##### What drives it")
    if figure is None:
        st.info(f"sensitivity.parquet has no indices for {outcome}.")
        return
    chart_with_data(figure.chart, figure.data, figure.stem, "sweep_sensitivity")
    st.caption(figure.caption)


def members_section(sweep: sweeps.Sweep, runs: pl.DataFrame, outcomes: pl.DataFrame) -> None:
    """Every member with its status and error, and a button that opens one on the Runs page."""
    st.markdown("##### Members")
    link = "./?run=" + quote(str(sweep.folder / "runs")) + "/"  # the Runs page, this member
    frame = sweeps.members(runs, outcomes).with_columns(
        (pl.lit(link) + pl.col("member")).alias("open")
    )
    st.dataframe(
        frame,
        hide_index=True,
        height=260,
        column_config={"open": st.column_config.LinkColumn("open", display_text="Runs page")},
    )
    ids = frame["member"].to_list()
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    keep_valid("sweep_member", ids)
    member = left.selectbox(
        "Member", ids, key="sweep_member", format_func=lambda m: _member_label(frame, m)
    )
    folder = sweep.member_folder(member)
    missing = not (folder / "run.json").is_file()
    if right.button(
        "Open on the Runs page", key="sweep_open", disabled=missing, icon=":material/open_in_new:"
    ):
        st.session_state["run"] = str(folder)
        st.switch_page(RUNS_PAGE)
    if missing:
        st.caption(f"`{folder}` holds no finished run (the member failed or is pending).")


def _member_label(frame: pl.DataFrame, member: str) -> str:
    row = frame.row(by_predicate=pl.col("member") == member, named=True)
    error = f": {row['error']}" if row.get("error") else ""
    return f"{member} · {row['status']}{error}"


def render(sweep: sweeps.Sweep) -> None:
    """The whole Sweeps view of one sweep."""
    with readable_errors("sweep"):
        runs = table(sweep, "runs")
        outcomes = table(sweep, "outcomes")
        summary = table(sweep, "summary")
        names = [o.name for o in sweep.outcomes] or summary["outcome"].unique().sort().to_list()
        header(sweep, runs)
        if not names:
            st.info("This sweep records no outcome.")
            return
        keep_valid("sweep_outcome", names)
        outcome = st.selectbox(
            "Outcome", names, key="sweep_outcome", format_func=lambda n: sweep.outcome(n).title
        )
        heatmap_section(sweep, summary, outcome)
        lines_section(sweep, summary, outcome)
        sensitivity_section(sweep, outcome)
    members_section(sweep, runs, outcomes)
