"""Streamlit pieces every page uses: the runs folder, run pickers, downloads, readable errors."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import altair as alt
import polars as pl
import streamlit as st

from dashboard import loaders
from ecosystem.core.errors import RunDirError

ROOT_KEY = "runs_root"
"""Session-state key of the runs folder (the sidebar's text box)."""


def runs_root() -> Path:
    """The runs folder chosen in the sidebar (or the default)."""
    return Path(st.session_state.get(ROOT_KEY) or loaders.default_root())


@contextmanager
def readable_errors(what: str = "run") -> Iterator[None]:
    """Turn a ``RunDirError`` raised inside the block into an error box; stop the page there."""
    try:
        yield
    except RunDirError as exc:
        st.error(f"**Cannot read this {what}.** {exc}", icon=":material/folder_off:")
        st.stop()


def keep_valid(key: str, options: list, fallback=None) -> None:
    """Give a widget a valid value before it is drawn: ``fallback`` (else the first option) when
    it has none yet or its value is no longer among its options (another run was chosen).

    Setting the value through session state also tells the browser, which keeps showing a stale
    choice when the value is merely forgotten.
    """
    if st.session_state.get(key) not in options:
        st.session_state[key] = fallback if fallback in options else options[0]


def sticky_multiselect(label: str, options: list, key: str, default: list, **kwargs) -> list:
    """A multiselect that keeps its choice across reruns, minus options that went away."""
    kept = [v for v in st.session_state.get(key) or [] if v in options]
    if not kept and not (key in st.session_state and st.session_state[key] == []):
        kept = [v for v in default if v in options]  # first time, or every choice went away
    st.session_state[key] = kept
    return st.multiselect(label, options, key=key, **kwargs)


def run_label(folder: Path, root: Path) -> str:
    """How a run folder is named in menus: its path under the root, its scenario and kind."""
    try:
        rel = folder.relative_to(root)
    except ValueError:
        rel = folder
    run = readable(folder)
    if run is None:
        return f"{rel} · unreadable"
    state = f" · {run.status}" if run.unfinished else ""
    return f"{rel} · {run.name} ({run.kind}){state}"


def readable(folder: str | Path) -> loaders.Run | None:
    """The opened run, or None when it cannot be read."""
    try:
        return loaders.open_run(folder)
    except RunDirError:
        return None


def default_pair(options: list[str]) -> list[str]:
    """Two runs worth comparing: the newest readable run and the newest other run of the same
    kind and scenario (else of the same kind; else the next readable one)."""
    runs = [(f, r) for f in options if (r := readable(f)) is not None]
    if not runs:
        return options[:2]
    first, run = runs[0]
    rest = runs[1:]
    for same in (
        lambda r: r.kind == run.kind and r.name == run.name,
        lambda r: r.kind == run.kind,
        lambda r: True,
    ):
        match = next((f for f, r in rest if same(r)), None)
        if match is not None:
            return [first, match]
    return [first]


def no_runs_message(root: Path) -> None:
    """What to do when the runs folder holds no run."""
    where = "does not exist yet" if not root.exists() else "holds no run folders"
    st.info(
        f"The runs folder `{root}` {where}. Start a run on the **New run** page, or from a "
        f"terminal: `ecosim run scenarios/loop_tokens.yaml --out {root / 'loop_tokens'}`. "
        "You can change the folder in the sidebar.",
        icon=":material/info:",
    )


def is_run_folder(folder: Path) -> bool:
    """Whether ``folder`` holds a run.json."""
    return (folder / loaders.RUN_FILE).is_file()


def pick_run(key: str, label: str = "Run", table: str | None = None) -> loaders.Run:
    """A run chosen in a select box (optionally only runs that have ``table``).

    A run folder already set in ``st.session_state[key]`` is offered even when it is not under
    the runs folder (a sweep member opened from the Sweeps page, or a ``?run=PATH`` link).
    Stops the page with a message when there is no run, or the chosen one cannot be read.
    """
    root = runs_root()
    folders = loaders.find_runs(root)
    asked = st.session_state.get(key)
    if isinstance(asked, str) and Path(asked) not in folders and is_run_folder(Path(asked)):
        folders.insert(0, Path(asked))  # opened from elsewhere (a sweep's member, a link)
    if table is not None:
        folders = [f for f in folders if (f / f"{table}.parquet").is_file()]
    if not folders:
        no_runs_message(root)
        st.stop()
    options = [str(f) for f in folders]
    newest_readable = next((f for f in options if readable(f) is not None), None)
    keep_valid(key, options, fallback=newest_readable)
    chosen = st.selectbox(label, options, key=key, format_func=lambda f: run_label(Path(f), root))
    with readable_errors():
        run = loaders.open_run(chosen)
    if run.unfinished:
        st.info(loaders.unfinished_message(run), icon=":material/pause_circle:")
        st.stop()
    return run


def pick_runs(key: str, label: str = "Runs") -> list[loaders.Run]:
    """Several finished runs chosen in a multiselect (by default the newest run and the newest
    other run of the same kind and scenario). A chosen run that cannot be read gets its message
    in an error box; the others are returned."""
    root = runs_root()
    options = [str(f) for f in loaders.find_runs(root) if _finished(f)]
    if not options:
        no_runs_message(root)
        st.stop()
    chosen = sticky_multiselect(
        label, options, key, default_pair(options), format_func=lambda f: run_label(Path(f), root)
    )
    runs = []
    for folder in chosen:
        try:
            runs.append(loaders.open_run(folder))
        except RunDirError as exc:
            st.error(f"**Left out: cannot read this run.** {exc}", icon=":material/folder_off:")
    return runs


def _finished(folder: Path) -> bool:
    try:
        return not loaders.open_run(folder).unfinished
    except RunDirError:
        return True  # listed, and explained when chosen


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    """A frame as Parquet file contents."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def downloads(frame: pl.DataFrame, stem: str, key: str) -> None:
    """Two buttons that download ``frame`` as CSV and as Parquet."""
    left, right = st.columns(2)
    left.download_button(
        "CSV",
        frame.write_csv(),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
        icon=":material/download:",
    )
    right.download_button(
        "Parquet",
        parquet_bytes(frame),
        file_name=f"{stem}.parquet",
        mime="application/vnd.apache.parquet",
        key=f"{key}_parquet",
        on_click="ignore",
        icon=":material/download:",
    )


def chart_with_data(chart: alt.TopLevelMixin, frame: pl.DataFrame, stem: str, key: str) -> None:
    """A chart, then a collapsed box with the data it shows and its downloads."""
    st.altair_chart(chart, width="stretch")
    with st.expander("Data", icon=":material/table:"):
        st.dataframe(frame, hide_index=True, height=220)
        downloads(frame, stem, key)


def run_header(run: loaders.Run) -> None:
    """Title, description and the facts of a run (kind, seed, status, wall time)."""
    meta = run.meta
    st.subheader(run.name)
    if run.description:
        st.caption(run.description)
    facts = [
        f"**kind** {run.kind}",
        f"**seed** {meta.get('seed', '?')}",
        f"**status** {meta.get('status', '?')}",
        f"**wall time** {meta.get('wall_seconds', '?')} s",
        f"**folder** `{run.folder}`",
    ]
    if meta.get("overrides"):
        facts.append("**overrides** " + ", ".join(f"`{o}`" for o in meta["overrides"]))
    st.markdown(" · ".join(facts))
    if meta.get("status") != "complete":
        st.warning(
            f"This run's status is {meta.get('status')!r}, not 'complete': its tables may be "
            "partial.",
            icon=":material/warning:",
        )
