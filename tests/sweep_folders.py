"""Sweep folders made by hand for the dashboard and report tests (the ``ecosim sweep`` format).

The tables are polars frames with made-up outcome values that follow a known rule (the outcome
rises with ``authors.bass_q``), a few members are tiny real loop runs so they can be opened,
one member failed and one is pending.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import polars as pl

from dashboard.intervals import seed_intervals
from ecosystem.core.io import write_json, write_parquet
from tests.dashboard_runs import write_loop_run

LEVERS = {"authors.bass_q": [0.1, 0.3, 0.5]}
UNCERTAINTIES = {"farms.docs_per_step": [100, 200], "market.sensitivity": [1.0, 2.0]}
OUTCOMES = [
    {"name": "final_excess", "table": "generations", "column": "excess_cross_entropy",
     "at": "last", "better": "lower"},
    {"name": "ai_share", "table": "steps", "column": "ai_share_web", "at": "last",
     "better": "lower"},
]  # fmt: skip
REPLICATIONS = 2
REAL_MEMBERS = ("m0000", "m0001")
FAILED, PENDING = "m0005", "m0006"
ERROR = "ValueError: the member blew up on purpose"


def spec(design: str = "grid") -> dict:
    """The resolved spec as ``ecosim sweep`` writes it to sweep.json."""
    params = [{"path": p, "role": "lever", "values": v} for p, v in LEVERS.items()]
    params += [{"path": p, "role": "uncertainty", "values": v} for p, v in UNCERTAINTIES.items()]
    return {
        "name": "hand_made",
        "base": "scenarios/baseline.yaml",
        "design": design,
        "replications": REPLICATIONS,
        "root_seed": 7,
        "parameters": params,
        "outcomes": OUTCOMES,
    }


def runs_table() -> pl.DataFrame:
    """One row per member: point, replication, parameters, seed, status, error, wall time."""
    grid = list(itertools.product(*LEVERS.values(), *UNCERTAINTIES.values()))
    names = [*LEVERS, *UNCERTAINTIES]
    rows = []
    for point, values in enumerate(grid):
        for replication in range(REPLICATIONS):
            member = f"m{len(rows):04d}"
            status = {FAILED: "failed", PENDING: "pending"}.get(member, "complete")
            rows.append(
                {"member": member, "point": point, "replication": replication,
                 **dict(zip(names, values, strict=True)), "seed": 1000 + len(rows),
                 "status": status, "error": ERROR if status == "failed" else None,
                 "wall_seconds": None if status == "pending" else 0.5}
            )  # fmt: skip
    return pl.DataFrame(rows).with_columns(
        pl.col("point", "replication").cast(pl.Int64),
        pl.col("seed").cast(pl.Int64),
        pl.col("error").cast(pl.String),
        pl.col("wall_seconds").cast(pl.Float64),
    )


def outcomes_table(runs: pl.DataFrame) -> pl.DataFrame:
    """Made-up outcomes: final_excess = 0.1 + bass_q + noise, ai_share = 0.2 · sensitivity."""
    done = runs.filter(pl.col("status") == "complete")
    noise = np.random.default_rng(0).normal(0, 0.01, done.height)
    excess = done.select(
        "member", "point", "replication", pl.lit("final_excess").alias("outcome"),
        (0.1 + pl.col("authors.bass_q") + pl.Series(noise)).alias("value"),
    )  # fmt: skip
    share = done.select(
        "member", "point", "replication", pl.lit("ai_share").alias("outcome"),
        (0.2 * pl.col("market.sensitivity") + pl.Series(noise) / 10).alias("value"),
    )  # fmt: skip
    return pl.concat([excess, share])


def summary_table(runs: pl.DataFrame, outcomes: pl.DataFrame) -> pl.DataFrame:
    """Per point and outcome: mean, std and 95% interval over seeds, with the parameters."""
    params = runs.select("point", *LEVERS, *UNCERTAINTIES).unique("point")
    stats = seed_intervals(outcomes, ["point", "outcome"], "value")
    return params.join(stats, on="point").sort("outcome", "point")


def sensitivity_table() -> pl.DataFrame:
    """Sobol indices per outcome and parameter (Morris columns null)."""
    rows = []
    for outcome in ("final_excess", "ai_share"):
        for i, parameter in enumerate([*LEVERS, *UNCERTAINTIES]):
            s1 = [0.8, 0.05, 0.1][i] if outcome == "final_excess" else [0.05, 0.05, 0.85][i]
            rows.append(
                {"outcome": outcome, "parameter": parameter, "S1": s1, "S1_conf": 0.04,
                 "ST": s1 + 0.03, "ST_conf": 0.05, "mu_star": None, "mu_star_conf": None,
                 "sigma": None}
            )  # fmt: skip
    return pl.DataFrame(rows).with_columns(
        pl.col("mu_star", "mu_star_conf", "sigma").cast(pl.Float64)
    )


def write_sweep(folder: Path, sensitivity: bool = True, real_members: bool = True) -> Path:
    """A sweep folder: sweep.json, the four tables and the member run folders that finished."""
    folder.mkdir(parents=True)
    write_json(folder / "sweep.json", spec("sobol" if sensitivity else "grid"))
    runs = runs_table()
    outcomes = outcomes_table(runs)
    write_parquet(folder / "runs.parquet", runs)
    write_parquet(folder / "outcomes.parquet", outcomes)
    write_parquet(folder / "summary.parquet", summary_table(runs, outcomes))
    if sensitivity:
        write_parquet(folder / "sensitivity.parquet", sensitivity_table())
    for seed, member in enumerate(REAL_MEMBERS if real_members else ()):
        write_loop_run(folder / "runs" / member, seed=seed + 1)
    return folder


def write_broken_sweeps(root: Path) -> dict[str, Path]:
    """Sweep folders wrong in each way, by what is wrong."""
    broken = {
        "corrupt_spec": write_sweep(root / "corrupt_spec", real_members=False),
        "bad_summary": write_sweep(root / "bad_summary", real_members=False),
        "missing_summary": write_sweep(root / "missing_summary", real_members=False),
    }
    (broken["corrupt_spec"] / "sweep.json").write_text('{"name": "x", "parameters": [')
    (broken["bad_summary"] / "summary.parquet").write_bytes(b"PAR1 not really")
    (broken["missing_summary"] / "summary.parquet").unlink()
    return broken


def write_sampled_sweep(folder: Path, points: int = 20) -> Path:
    """A Latin-hypercube-like sweep: two parameters sampled at ``points`` distinct values each
    (too many to hold one fixed), two seeds per point, no member folders."""
    folder.mkdir(parents=True)
    params = {"authors.bass_q": (0.1, 0.5), "farms.docs_per_step": (50.0, 500.0)}
    spec_ = {
        "name": "sampled", "design": "lhs", "replications": 2,
        "parameters": [{"path": p, "role": "uncertainty", "low": lo, "high": hi}
                       for p, (lo, hi) in params.items()],
        "outcomes": OUTCOMES[:1],
    }  # fmt: skip
    write_json(folder / "sweep.json", spec_)
    rng = np.random.default_rng(1)
    values = {p: np.repeat(rng.uniform(lo, hi, points), 2) for p, (lo, hi) in params.items()}
    runs = pl.DataFrame(
        {"member": [f"m{i:04d}" for i in range(2 * points)],
         "point": np.repeat(np.arange(points), 2), "replication": np.tile([0, 1], points),
         **values, "seed": np.arange(2 * points), "status": ["complete"] * (2 * points),
         "error": [None] * (2 * points), "wall_seconds": np.full(2 * points, 0.5)},
        schema_overrides={"error": pl.String},
    )  # fmt: skip
    outcomes = runs.select(
        "member", "point", "replication", pl.lit("final_excess").alias("outcome"),
        (pl.col("authors.bass_q") + pl.col("farms.docs_per_step") / 1000).alias("value"),
    )  # fmt: skip
    stats = seed_intervals(outcomes, ["point", "outcome"], "value")
    summary = runs.select("point", *params).unique("point").join(stats, on="point")
    write_parquet(folder / "runs.parquet", runs)
    write_parquet(folder / "outcomes.parquet", outcomes)
    write_parquet(folder / "summary.parquet", summary.sort("point"))
    return folder
