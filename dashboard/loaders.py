"""Find run folders and read them lazily; every read is cached on (path, modification time).

A run folder is ``run.json`` plus Parquet tables (the data contract: docs/OUTPUTS.md). Tables are
opened with ``pl.scan_parquet`` and only the columns and aggregates a page shows are collected.
Results are cached with ``st.cache_data`` keyed on the file's path and its modification time in
nanoseconds, so a rewritten run (``--overwrite``) is read again and an unchanged one never is.
Anything wrong with a folder raises ``RunDirError`` with a message meant for people.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from dashboard import summaries
from dashboard.launch import ROOT_ENV
from ecosystem.core.errors import RunDirError

RUN_FILE = "run.json"
DEFAULT_ROOT = "runs"
SEARCH_DEPTH = 3
"""How deep under the runs folder to look for run folders (sweeps nest one level)."""
SERIES = {"loop": "strategy", "ecosystem": "trainer", "scaling": "real_fraction"}
"""The column that names a line of a run's main table, by run kind."""
KIND_TABLES = {
    "loop": {"generations": ["strategy", "replica", "generation"]},
    "ecosystem": {"steps": ["step"], "generations": ["trainer", "generation"]},
    "scaling": {"scaling": ["real_fraction", "train_size"]},
}
"""The tables (and their key columns) every run of a kind has."""
SUMMARIES = {"generations": ("generations_summary", ["strategy", "generation", "metric"])}
"""A loop run that kept statistics over replicas only (``metrics.replica_rows``) has, instead
of a per-replica table, its summary: per key and metric the mean, 10/50/90% quantiles."""
REPLICA_ROWS_HINT = (
    "`metrics.replica_rows: true` in the scenario (or `--set metrics.replica_rows=true`) keeps "
    "every replica's rows"
)
WHAT_TABLE_HOLDS = {
    "generations": "one row per replica or trainer and generation",
    "steps": "one row per simulated month",
    "scaling": "one row per share of human data, training size and replica",
}


def default_root() -> Path:
    """The runs folder: ``$ECOSIM_RUNS_DIR`` when set, else ``runs`` in the working directory."""
    return Path(os.environ.get(ROOT_ENV) or DEFAULT_ROOT)


@dataclass(frozen=True, eq=False)
class Run:
    """An opened run folder: its path and the contents of its run.json.

    Attributes:
        folder: the run folder.
        meta: run.json as a dict (status, kind, name, seed, scenario, tables, ...).
    """

    folder: Path
    meta: dict[str, Any] = field(repr=False)

    @property
    def kind(self) -> str:
        """``loop`` or ``scaling`` (lab mode), or ``ecosystem``."""
        return str(self.meta.get("kind", "loop"))

    @property
    def name(self) -> str:
        """The scenario's name (the folder's name when run.json has none)."""
        return str(self.meta.get("name") or self.folder.name)

    @property
    def status(self) -> str:
        """``complete``, or ``interrupted`` (stopped, or still running) or ``failed``."""
        return str(self.meta.get("status", "complete"))

    @property
    def unfinished(self) -> bool:
        """Whether the run has not finished: its tables are not written yet."""
        return self.status != "complete"

    @property
    def series(self) -> str:
        """The column naming each line: strategy, trainer, or real_fraction (scaling)."""
        return SERIES.get(self.kind, "strategy")

    @property
    def modality(self) -> str | None:
        """The truth's modality (tokens, vectors, labeled, text), when run.json records it."""
        truth = (self.meta.get("scenario") or {}).get("truth") or {}
        value = truth.get("modality") if isinstance(truth, dict) else None
        return str(value) if value else None

    @property
    def description(self) -> str:
        """The scenario's one-line description."""
        return str((self.meta.get("scenario") or {}).get("description", ""))

    def table_path(self, table: str) -> Path:
        """Where the Parquet file of ``table`` (e.g. ``steps``) is, or would be."""
        return self.folder / f"{table}.parquet"

    def has_table(self, table: str) -> bool:
        """Whether the run wrote ``table``."""
        return self.table_path(table).is_file()


def _stamp(path: Path) -> int:
    """Modification time in ns: the cache key that changes when a file is rewritten."""
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        raise RunDirError(f"{path}: missing") from None


def find_runs(root: Path, depth: int = SEARCH_DEPTH) -> list[Path]:
    """Run folders (folders holding run.json) under ``root``, newest first.

    Hidden folders (the ``.NAME.partial-*`` staging folders of runs in progress) are skipped.
    """
    root = Path(root)
    if not root.is_dir():
        return []
    found: list[Path] = []
    level = [root]
    for _ in range(depth + 1):
        below: list[Path] = []
        for folder in level:
            if (folder / RUN_FILE).is_file():
                found.append(folder)
                continue
            try:
                children = sorted(p for p in folder.iterdir() if p.is_dir())
            except OSError:
                continue
            below.extend(p for p in children if not p.name.startswith("."))
        level = below
    return sorted(found, key=lambda p: (-_newest(p / RUN_FILE), str(p)))


def _newest(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:  # removed since it was found
        return 0


@st.cache_data(show_spinner=False, max_entries=256)
def _read_json(path: str, mtime_ns: int) -> dict[str, Any]:
    text = Path(path).read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return data


def open_run(folder: str | Path) -> Run:
    """Open a run folder: check it exists and read its run.json.

    Raises:
        RunDirError: the folder is missing, is not a run folder, or its run.json is corrupt.
    """
    folder = Path(folder)
    if not folder.exists():
        raise RunDirError(f"{folder}: no such folder.")
    if not folder.is_dir():
        raise RunDirError(f"{folder}: is a file, not a run folder.")
    meta_path = folder / RUN_FILE
    if not meta_path.is_file():
        raise RunDirError(
            f"{folder}: not a run folder (it has no {RUN_FILE}). Make one with "
            f"`ecosim run SCENARIO.yaml --out {folder}` or on the New run page."
        )
    try:
        meta = _read_json(str(meta_path), _stamp(meta_path))
    except (ValueError, UnicodeDecodeError) as exc:
        raise RunDirError(
            f"{meta_path}: corrupt ({exc}). The run was probably interrupted or the file was "
            "edited; run the scenario again with --overwrite."
        ) from None
    kind = meta.get("kind")
    if kind not in SERIES:
        raise RunDirError(
            f"{meta_path}: unknown run kind {kind!r} (expected one of: {', '.join(SERIES)})."
        )
    run = Run(folder, meta)
    if not run.unfinished:  # an interrupted run has no tables yet: its page says how to resume
        check_tables(run)
    return run


def _again(run: Run) -> str:
    """The command that writes ``run`` again."""
    scenario = run.meta.get("scenario_file") or "SCENARIO.yaml"
    return f"`ecosim run {scenario} --out {run.folder} --overwrite`"


def check_tables(run: Run) -> None:
    """Check that the folder holds the tables (and key columns) its kind writes.

    Raises:
        RunDirError: a table is missing (naming the file and what to do), or the tables are
            those of another kind of run.
    """
    other = _kind_of_tables(run.folder)
    if other and other != run.kind:
        raise RunDirError(_mismatch(run, other))
    for table, keys in KIND_TABLES[run.kind].items():
        if summary_only(run, table):
            table, keys = SUMMARIES[table]
        path = run.table_path(table)
        if not path.is_file():
            raise RunDirError(
                f"{path.name} is missing from {run.folder}: this {run.kind} run's {table} "
                f"table ({WHAT_TABLE_HOLDS[table]}). The run was interrupted or the file was "
                f"moved; write the run again with {_again(run)}."
            )
        have = _schema(str(path), _stamp(path))
        if not set(keys) <= set(have):
            raise RunDirError(
                f"{path}: has no column {', '.join(repr(k) for k in keys if k not in have)}, "
                f"which every {run.kind} run's {table} table has (columns: {', '.join(have)}). "
                f"Write the run again with {_again(run)}."
            )


def _kind_of_tables(folder: Path) -> str | None:
    """The kind whose tables and key columns ``folder`` holds, if exactly one matches."""
    found = []
    for kind, listed in KIND_TABLES.items():
        tables = {}
        for table, keys in listed.items():
            summary, summary_keys = SUMMARIES.get(table, (table, keys))
            if kind == "loop" and not (folder / f"{table}.parquet").is_file():
                table, keys = summary, summary_keys
            tables[table] = keys
        paths = [folder / f"{t}.parquet" for t in tables]
        if not all(p.is_file() for p in paths):
            continue
        try:
            ok = all(
                set(keys) <= set(_schema(str(p), _stamp(p)))
                for p, keys in zip(paths, tables.values(), strict=True)
            )
        except RunDirError:
            continue
        if ok:
            found.append(kind)
    return found[0] if len(found) == 1 else None


def _mismatch(run: Run, other: str) -> str:
    files = ", ".join(f"{t}.parquet" for t in KIND_TABLES[other])
    return (
        f"{run.folder / RUN_FILE}: says kind {run.kind!r}, but the folder holds the tables of "
        f"{'an' if other[0] in 'aeiou' else 'a'} {other} run ({files}). run.json was "
        f"probably copied from another run; write the run again with {_again(run)}."
    )


def unfinished_message(run: Run) -> str:
    """What an unfinished run's page says: how far it got and how to continue it."""
    progress = run.meta.get("progress") or {}
    done, total = progress.get("done"), progress.get("total")
    units = "steps" if run.kind == "ecosystem" else "units of work"
    got = f" after {done} of {total} {units} were checkpointed" if total else ""
    resume = f"Continue it with `ecosim run --resume {run.folder}`."
    if run.status == "failed":
        error = str(run.meta.get("error") or "unknown error")
        return f"This run failed{got}: {error}. Its tables were not written. {resume}"
    return (
        f"This run was interrupted{got}, or is still running. Its tables are written when it "
        f"finishes. {resume}"
    )


def scan(run: Run, table: str) -> pl.LazyFrame:
    """A lazy scan of one table of ``run``; reads only the Parquet footer now.

    Raises:
        RunDirError: the table file is missing or is not readable Parquet.
    """
    return _scan_file(_existing(run, table))


def _existing(run: Run, table: str) -> Path:
    path = run.table_path(table)
    if not path.is_file():
        raise RunDirError(
            f"{path.name} is missing from {run.folder}: this {run.kind} run has no {table} "
            f"table. It may be incomplete; write it again with {_again(run)}."
        )
    return path


def _scan_file(path: Path) -> pl.LazyFrame:
    frame = pl.scan_parquet(path)
    try:
        frame.collect_schema()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise RunDirError(f"{path}: not readable Parquet ({_first_line(exc)}).") from None
    return frame


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _collect(path: Path, query: pl.LazyFrame) -> pl.DataFrame:
    try:
        return query.collect()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise RunDirError(f"{path}: unreadable ({_first_line(exc)}).") from None


@st.cache_data(show_spinner=False, max_entries=256)
def _schema(path: str, mtime_ns: int) -> list[str]:
    return _scan_file(Path(path)).collect_schema().names()


def summary_only(run: Run, table: str = "generations") -> bool:
    """Whether ``run`` kept statistics over replicas of ``table`` only: a loop run written with
    ``metrics.replica_rows`` false (or auto above its limit)."""
    return (
        run.kind == "loop"
        and table in SUMMARIES
        and not run.has_table(table)
        and run.has_table(SUMMARIES[table][0])
    )


def main_table(run: Run, table: str = "generations") -> str:
    """The file stem that holds ``table``'s data: ``table``, or its summary when only that was
    kept."""
    return SUMMARIES[table][0] if summary_only(run, table) else table


@st.cache_data(show_spinner=False, max_entries=128)
def _summary_metrics(path: str, mtime_ns: int) -> list[str]:
    frame = _collect(Path(path), _scan_file(Path(path)).select(pl.col("metric").unique()))
    return sorted(frame["metric"].to_list())


def columns(run: Run, table: str) -> list[str]:
    """The column names of one table (empty when the run has no such table).

    For a loop run that kept statistics over replicas only: the columns its per-replica table
    would have had that the pages can draw, i.e. the summary's key columns and metrics.
    """
    if summary_only(run, table):
        summary, keys = SUMMARIES[table]
        path = run.table_path(summary)
        return [k for k in keys if k != "metric"] + _summary_metrics(str(path), _stamp(path))
    if not run.has_table(table):
        return []
    path = run.table_path(table)
    return _schema(str(path), _stamp(path))


def _need(run: Run, table: str, wanted: list[str]) -> None:
    path = _existing(run, table)
    have = _schema(str(path), _stamp(path))
    missing = [c for c in wanted if c not in have]
    if missing:
        raise RunDirError(
            f"{run.table_path(table)}: has no column {', '.join(map(repr, missing))} "
            f"(columns: {', '.join(have)})."
        )


@st.cache_data(show_spinner=False, max_entries=128)
def _table(path: str, mtime_ns: int, cols: tuple[str, ...] | None) -> pl.DataFrame:
    query = _scan_file(Path(path))
    return _collect(Path(path), query.select(cols) if cols else query)


def load_table(run: Run, table: str, cols: list[str] | None = None) -> pl.DataFrame:
    """One table of ``run`` (only ``cols`` when given), cached on (path, mtime, cols).

    Raises:
        RunDirError: the table is missing, unreadable or lacks one of ``cols``.
    """
    _need(run, table, cols or [])
    path = run.table_path(table)
    return _table(str(path), _stamp(path), tuple(cols) if cols else None)


@st.cache_data(show_spinner=False, max_entries=256)
def _bands(path: str, mtime_ns: int, metric: str, x: str, series: str) -> pl.DataFrame:
    return _collect(Path(path), summaries.bands(_scan_file(Path(path)), metric, x, series))


@st.cache_data(show_spinner=False, max_entries=256)
def _summary_bands(path: str, mtime_ns: int, metric: str, x: str, series: str) -> pl.DataFrame:
    query = summaries.summary_bands(_scan_file(Path(path)), metric, x, series)
    frame = _collect(Path(path), query)
    if frame.height == 0:
        raise RunDirError(f"{path}: holds no statistics of {metric!r}.")
    return frame


def bands(run: Run, metric: str, x: str = "generation", table: str = "generations"):
    """Mean and 10-90% quantiles of ``metric`` over replicas, per series and ``x``: computed
    from the replica rows, or read from the run's summary when it kept only that.

    Returns:
        A frame with the series column (strategy or trainer), ``x``, ``mean``, ``q10``,
        ``q90`` and ``replicas``. Ecosystem runs have one value per point (q10 = q90 = mean).

    Raises:
        RunDirError: the table is missing, unreadable or lacks a needed column.
    """
    if summary_only(run, table):
        summary, keys = SUMMARIES[table]
        _need(run, summary, keys)
        path = run.table_path(summary)
        return _summary_bands(str(path), _stamp(path), metric, x, run.series)
    _need(run, table, [run.series, x, metric])
    path = run.table_path(table)
    return _bands(str(path), _stamp(path), metric, x, run.series)
