"""Find sweep folders and read them: the spec, members, outcomes, summaries and sensitivities.

A sweep folder holds ``sweep.json`` (the resolved spec: parameters with their role, design,
outcomes), ``runs/<member>/`` (ordinary run folders) and Parquet tables: ``runs`` (one row per
member), ``outcomes`` (member × outcome), ``summary`` (per point and outcome: mean and 95%
interval over seeds) and, for Sobol and Morris designs, ``sensitivity``. Pure polars, no
Streamlit: the Sweeps page and ``ecosim report`` both read sweeps here. Anything wrong with a
folder raises ``RunDirError`` with a message meant for people.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from dashboard.catalog import Quantity, quantity
from ecosystem.core.errors import RunDirError

SWEEP_FILE = "sweep.json"
SEARCH_DEPTH = 3
MAX_LEVELS = 12
"""A parameter with at most this many values can be held fixed at one of them (a grid axis)."""
NEEDED = {
    "runs": ["member", "point", "replication", "seed", "status", "error", "wall_seconds"],
    "outcomes": ["member", "point", "replication", "outcome", "value"],
    "summary": ["point", "outcome", "n", "mean", "std", "ci_low", "ci_high"],
    "sensitivity": ["outcome", "parameter"],
}
"""Columns each table must have (runs and summary also have one column per parameter)."""
INDICES = [("S1", "S1_conf"), ("ST", "ST_conf"), ("mu_star", "mu_star_conf"), ("sigma", None)]
"""Sensitivity indices and the columns of their 95% half-widths."""


@dataclass(frozen=True)
class Parameter:
    """A swept scenario field: its dotted path and its role (``lever`` or ``uncertainty``)."""

    path: str
    role: str = "uncertainty"


@dataclass(frozen=True)
class Outcome:
    """A named quantity of every member: a column of a table at a step or generation."""

    name: str
    table: str = ""
    column: str = ""
    at: str = ""
    better: str | None = None

    @property
    def quantity(self) -> Quantity:
        """The catalog entry of its column (label, unit, number format)."""
        return quantity(self.column or self.name)

    @property
    def title(self) -> str:
        """Its name with what it measures and its unit, for axes and legends."""
        q = self.quantity
        where = f", {self.at}" if self.at else ""
        return f"{self.name}: {q.label}{where}" + (f" ({q.unit})" if q.unit else "")


@dataclass(frozen=True, eq=False)
class Sweep:
    """An opened sweep folder.

    Attributes:
        folder: the sweep folder.
        spec: sweep.json as a dict.
        parameters: the swept fields, levers first as written.
        outcomes: the outcomes recorded for every member.
    """

    folder: Path
    spec: dict[str, Any] = field(repr=False)
    parameters: list[Parameter] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The sweep's name (the folder's name when the spec has none)."""
        return str(self.spec.get("name") or self.folder.name)

    @property
    def design(self) -> str:
        """grid, lhs, sobol or morris."""
        return str(self.spec.get("design", "grid"))

    @property
    def parameter_paths(self) -> list[str]:
        """The parameters' field paths (the column names in runs and summary)."""
        return [p.path for p in self.parameters]

    def outcome(self, name: str) -> Outcome:
        """The outcome called ``name`` (a bare one when the spec does not list it)."""
        return next((o for o in self.outcomes if o.name == name), Outcome(name))

    def table_path(self, table: str) -> Path:
        """Where ``table`` (runs, outcomes, summary, sensitivity) is, or would be."""
        return self.folder / f"{table}.parquet"

    def has_table(self, table: str) -> bool:
        """Whether the sweep wrote ``table``."""
        return self.table_path(table).is_file()

    def member_folder(self, member: str) -> Path:
        """The run folder of one member."""
        return self.folder / "runs" / member


def is_sweep(folder: Path) -> bool:
    """Whether ``folder`` is a sweep folder (holds sweep.json)."""
    return (Path(folder) / SWEEP_FILE).is_file()


def find_sweeps(root: Path, depth: int = SEARCH_DEPTH) -> list[Path]:
    """Sweep folders under ``root`` (and ``root`` itself), newest first; hidden ones skipped."""
    found: list[Path] = []
    level = [Path(root)] if Path(root).is_dir() else []
    for _ in range(depth + 1):
        below: list[Path] = []
        for folder in level:
            if is_sweep(folder):
                found.append(folder)
                continue
            try:
                below.extend(
                    p for p in sorted(folder.iterdir()) if p.is_dir() and not p.name.startswith(".")
                )
            except OSError:
                continue
        level = below
    return sorted(found, key=lambda p: (-(p / SWEEP_FILE).stat().st_mtime_ns, str(p)))


def _entries(spec: dict[str, Any], key: str, path: Path) -> list[dict[str, Any]]:
    value = spec.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise RunDirError(f"{path}: '{key}' should be a list of objects.")
    return value


def open_sweep(folder: str | Path) -> Sweep:
    """Open a sweep folder: read and check its sweep.json.

    Raises:
        RunDirError: the folder is missing, holds no sweep.json, or it is corrupt.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise RunDirError(f"{folder}: no such folder.")
    path = folder / SWEEP_FILE
    if not path.is_file():
        raise RunDirError(
            f"{folder}: not a sweep folder (it has no {SWEEP_FILE}). Make one with "
            f"`ecosim sweep SPEC.yaml --out {folder}`."
        )
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise RunDirError(
            f"{path}: corrupt ({exc}). The sweep was probably interrupted while writing it; run "
            "the same `ecosim sweep` command again."
        ) from None
    if not isinstance(spec, dict):
        raise RunDirError(f"{path}: corrupt (expected a JSON object).")
    try:
        parameters = [
            Parameter(str(p["path"]), str(p.get("role", "uncertainty")))
            for p in _entries(spec, "parameters", path)
        ]
        outcomes = [
            Outcome(
                str(o["name"]),
                str(o.get("table", "")),
                str(o.get("column", "")),
                str(o.get("at", "")),
                o.get("better"),
            )  # fmt: skip
            for o in _entries(spec, "outcomes", path)
        ]
    except KeyError as exc:
        raise RunDirError(f"{path}: a parameter or outcome has no {exc.args[0]!r}.") from None
    levers = [p for p in parameters if p.role == "lever"]
    others = [p for p in parameters if p.role != "lever"]
    return Sweep(folder, spec, levers + others, outcomes)


def read_table(sweep: Sweep, table: str) -> pl.DataFrame:
    """One table of ``sweep``, checked for the columns the pages need.

    Raises:
        RunDirError: the table is missing, not readable Parquet, or lacks a needed column.
    """
    path = sweep.table_path(table)
    if not path.is_file():
        raise RunDirError(
            f"{path}: missing. The sweep may still be running or was interrupted; run the same "
            "`ecosim sweep` command again to complete it."
        )
    try:
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise RunDirError(f"{path}: not readable Parquet ({first}).") from None
    wanted = NEEDED.get(table, []) + (sweep.parameter_paths if table in ("runs", "summary") else [])
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise RunDirError(
            f"{path}: has no column {', '.join(map(repr, missing))} "
            f"(columns: {', '.join(frame.columns)})."
        )
    return frame


def levels(frame: pl.DataFrame, parameter: str) -> list:
    """The values ``parameter`` takes in ``frame``, ascending."""
    return frame[parameter].drop_nulls().unique().sort().to_list()


def fixable(frame: pl.DataFrame, parameters: list[str]) -> list[str]:
    """Parameters with few enough values to hold one fixed (grid axes, not sampled ones)."""
    return [p for p in parameters if len(levels(frame, p)) <= MAX_LEVELS]


def middle(values: list):
    """The middle value of a sorted list (the default a fixed parameter is held at)."""
    return values[len(values) // 2]


def outcome_summary(summary: pl.DataFrame, outcome: str, fixed: dict[str, Any]) -> pl.DataFrame:
    """The summary rows of one outcome with the ``fixed`` parameters at their values, plus the
    interval's ``width``."""
    rows = summary.filter(pl.col("outcome") == outcome)
    for parameter, value in fixed.items():
        rows = rows.filter(pl.col(parameter) == value)
    return rows.with_columns((pl.col("ci_high") - pl.col("ci_low")).alias("width"))


def sensitivity_long(sensitivity: pl.DataFrame, outcome: str) -> pl.DataFrame:
    """The indices of one outcome in long form: ``parameter``, ``index``, ``value``, ``conf``.

    Indices the design did not compute (all null: μ* for Sobol, S1 for Morris) are left out.
    """
    rows = sensitivity.filter(pl.col("outcome") == outcome)
    parts = [
        rows.select(
            pl.col("parameter").cast(pl.String),
            pl.lit(index).alias("index"),
            pl.col(index).cast(pl.Float64).alias("value"),
            (pl.col(conf) if conf in rows.columns else pl.lit(None)).cast(pl.Float64).alias("conf"),
        )
        for index, conf in INDICES
        if index in rows.columns and rows[index].null_count() < rows.height
    ]
    if not parts:
        return pl.DataFrame(
            schema={"parameter": pl.String, "index": pl.String, "value": pl.Float64,
                    "conf": pl.Float64}
        )  # fmt: skip
    return pl.concat(parts)


def members(runs: pl.DataFrame, outcomes: pl.DataFrame) -> pl.DataFrame:
    """Every member with its parameters, seed, status, error, wall time and outcome values."""
    if outcomes.height:
        wide = outcomes.pivot(
            on="outcome", index="member", values="value", aggregate_function="first"
        )
        runs = runs.join(wide, on="member", how="left")
    return runs.sort("member")


def status_counts(runs: pl.DataFrame) -> dict[str, int]:
    """Members by status: complete, failed, pending."""
    counts = runs.group_by("status").len()
    return dict(zip(counts["status"].to_list(), counts["len"].to_list(), strict=True))
