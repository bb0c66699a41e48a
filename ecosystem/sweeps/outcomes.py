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


def member_outcomes(folder: Path, outcomes: dict[str, OutcomeSpec]) -> dict[str, float]:
    """Every outcome of one finished run folder (each table read once)."""
    tables: dict[str, pl.DataFrame] = {}
    values = {}
    for name, outcome in outcomes.items():
        if outcome.table not in tables:
            tables[outcome.table] = pl.read_parquet(folder / f"{outcome.table}.parquet")
        values[name] = outcome_value(tables[outcome.table], outcome)
    return values
