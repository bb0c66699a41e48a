"""Summaries of a sweep: mean and 95% interval per point, and sensitivity indices."""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import stats

from ecosystem.sweeps.design import MORRIS_LEVELS, Plan, salib_problem
from ecosystem.sweeps.spec import SweepSpec

CONFIDENCE = 0.95


def t_interval(values: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Mean, and the two ends of the Student-t interval of the mean (NaN ends when n < 2)."""
    values = np.asarray(values, dtype=float)
    n = values.size
    mean = float(values.mean()) if n else float("nan")
    if n < 2:
        return mean, float("nan"), float("nan")
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * values.std(ddof=1) / np.sqrt(n)
    return mean, mean - half, mean + half


def summarize(outcomes: pl.DataFrame, points: pl.DataFrame) -> pl.DataFrame:
    """One row per (point, outcome): the parameters, n, mean, std and the 95% t-interval.

    Args:
        outcomes: long table member, point, replication, outcome, value.
        points: point and one column per parameter.
    """
    rows = []
    if outcomes.height:
        for (point, outcome), group in outcomes.group_by(["point", "outcome"]):
            values = group.get_column("value").drop_nulls().drop_nans().to_numpy()
            mean, low, high = t_interval(values)
            std = float(values.std(ddof=1)) if values.size > 1 else float("nan")
            rows.append(
                {
                    "point": point,
                    "outcome": outcome,
                    "n": values.size,
                    "mean": mean,
                    "std": std,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
    schema = {
        "point": pl.Int64,
        "outcome": pl.String,
        "n": pl.Int64,
        "mean": pl.Float64,
        "std": pl.Float64,
        "ci_low": pl.Float64,
        "ci_high": pl.Float64,
    }
    frame = pl.DataFrame(rows, schema=schema).with_columns(
        pl.col(c).fill_nan(None) for c in ("mean", "std", "ci_low", "ci_high")
    )
    params = [c for c in points.columns if c != "point"]
    frame = frame.join(points, on="point", how="left")
    return frame.select("point", *params, "outcome", "n", "mean", "std", "ci_low", "ci_high").sort(
        "point", "outcome"
    )


SENSITIVITY_COLUMNS = ["S1", "S1_conf", "ST", "ST_conf", "mu_star", "mu_star_conf", "sigma"]


def sensitivity(
    spec: SweepSpec, plan: Plan, outcomes: pl.DataFrame, outcome_names: list[str]
) -> tuple[pl.DataFrame, list[str]]:
    """Sobol (S1, ST) or Morris (mu*, sigma) indices of each outcome, by SALib.

    Each point's value is its mean over replications. An outcome with a point that has no
    value (a failed member) is skipped: SALib needs every point.

    Returns:
        The table (outcome, parameter, indices) and the outcomes skipped.
    """
    assert plan.unit is not None
    n_points = len(plan.points)
    problem = salib_problem(plan.paths, [p for _, p in spec.parameters().values()])
    rows, skipped = [], []
    for name in outcome_names:
        y = _point_means(outcomes.filter(pl.col("outcome") == name), n_points)
        if np.isnan(y).any():
            skipped.append(name)
            continue
        rows += indices(spec.design, problem, plan.unit, y, name, seed=spec.seed)
    schema = {"outcome": pl.String, "parameter": pl.String} | dict.fromkeys(
        SENSITIVITY_COLUMNS, pl.Float64
    )
    return pl.DataFrame(rows, schema=schema), skipped


def indices(
    design: str, problem: dict, unit: np.ndarray, y: np.ndarray, outcome: str, seed: int = 0
) -> list[dict]:
    """SALib's analysis of one outcome as rows (outcome, parameter, indices)."""
    if design == "sobol":
        from SALib.analyze import sobol

        result = sobol.analyze(problem, y, calc_second_order=False, seed=seed)
        keys = ["S1", "S1_conf", "ST", "ST_conf"]
    else:
        from SALib.analyze import morris

        result = morris.analyze(problem, unit, y, num_levels=MORRIS_LEVELS, seed=seed)
        keys = ["mu_star", "mu_star_conf", "sigma"]
    rows = []
    for i, name in enumerate(problem["names"]):
        row: dict = {"outcome": outcome, "parameter": name} | dict.fromkeys(SENSITIVITY_COLUMNS)
        for key in keys:
            value = float(np.asarray(result[key])[i])
            row[key] = None if np.isnan(value) else value
        rows.append(row)
    return rows


def _point_means(frame: pl.DataFrame, n_points: int) -> np.ndarray:
    y = np.full(n_points, np.nan)
    if frame.height:
        means = frame.group_by("point").agg(pl.col("value").mean())
        y[means.get_column("point").to_numpy()] = means.get_column("value").to_numpy()
    return y
