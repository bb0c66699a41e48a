"""Outcomes: one number per member and outcome, read from the member's run folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from ecosystem.sweeps.spec import OutcomeSpec

TIME_AXIS = {"steps": "step", "generations": "generation", "firms": "step"}


def direction(outcome: OutcomeSpec) -> str | None:
    """Which way is better: the spec's, else the outcome catalog's (lower, higher, one)."""
    if outcome.better is not None:
        return outcome.better
    from dashboard.catalog import quantity

    return quantity(outcome.column).better


def definition(name: str, outcome: OutcomeSpec) -> dict[str, Any]:
    """The outcome as recorded in sweep.json."""
    return {
        "name": name,
        "table": outcome.table,
        "column": outcome.column,
        "at": outcome.at,
        "window": outcome.window,
        "filter": dict(outcome.filter),
        "better": direction(outcome),
    }


def outcome_value(frame: pl.DataFrame, outcome: OutcomeSpec) -> float:
    """The outcome of one run's table.

    Rows are filtered, rows sharing a step or generation are averaged (replicas of a loop,
    several firms), then the series is reduced: its last value, its max, or its mean over
    the last ``window`` entries.

    Raises:
        ValueError: a column is missing or no row is left after filtering.
    """
    time = TIME_AXIS[outcome.table]
    for column in (outcome.column, time, *outcome.filter):
        if column not in frame.columns:
            raise ValueError(
                f"{outcome.table}.parquet has no column {column!r} "
                f"(it has: {', '.join(frame.columns)})"
            )
    for column, value in outcome.filter.items():
        frame = frame.filter(pl.col(column) == value)
    series = (
        frame.group_by(time)
        .agg(pl.col(outcome.column).cast(pl.Float64).mean())
        .sort(time)
        .get_column(outcome.column)
        .drop_nulls()
    )
    if series.is_empty():
        shown = ", ".join(f"{k}={v}" for k, v in outcome.filter.items()) or "none"
        raise ValueError(
            f"no {outcome.table} rows with a value of {outcome.column} (filter: {shown})"
        )
    if outcome.at == "last":
        return float(series[-1])
    if outcome.at == "max":
        return float(series.max())  # type: ignore[arg-type]
    tail = series if outcome.window is None else series.tail(outcome.window)
    return float(tail.mean())  # type: ignore[arg-type]


SUMMARY_OF = {"generations": "generations_summary"}
"""A loop run that kept statistics over replicas only has this table instead."""


def replica_means(summary: pl.DataFrame, column: str) -> pl.DataFrame:
    """A loop run's ``generations_summary`` as the per-replica table would be averaged: its key
    columns and ``column`` holding the mean over replicas (no ``replica`` column).

    Every group holds all replicas, so averaging these means over strategies equals averaging
    the replica rows.
    """
    keys = [c for c in summary.columns if c in ("strategy", "generation")]
    return summary.filter(pl.col("metric") == column).select(*keys, pl.col("mean").alias(column))


def _table(folder: Path, table: str, column: str) -> pl.DataFrame:
    path = folder / f"{table}.parquet"
    summary = folder / f"{SUMMARY_OF.get(table, table)}.parquet"
    if not path.is_file() and table in SUMMARY_OF and summary.is_file():
        return replica_means(pl.read_parquet(summary), column)
    return pl.read_parquet(path)


def member_outcomes(folder: Path, outcomes: dict[str, OutcomeSpec]) -> dict[str, float]:
    """Every outcome of one finished run folder (each table read once; a loop run that kept
    statistics over replicas only is read from its means over replicas)."""
    tables: dict[tuple[str, str], pl.DataFrame] = {}
    values = {}
    for name, outcome in outcomes.items():
        sliced = outcome.table in SUMMARY_OF and not (folder / f"{outcome.table}.parquet").is_file()
        key = (outcome.table, outcome.column if sliced else "")  # a summary: one slice a column
        if key not in tables:
            tables[key] = _table(folder, outcome.table, outcome.column)
        frame = tables[key]
        if "replica" in outcome.filter and "replica" not in frame.columns:
            raise ValueError(
                f"{outcome.table}.parquet was not written (the run kept statistics over "
                "replicas only), so rows cannot be filtered by replica; set "
                "metrics.replica_rows: true in the sweep's `set`"
            )
        values[name] = outcome_value(frame, outcome)
    return values
