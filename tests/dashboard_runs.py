"""Run folders for the dashboard tests: a real lab-mode run and synthetic ecosystem runs.

The synthetic ecosystem folders follow the data contract (docs/OUTPUTS.md, the
ecosystem runner's schemas) with made-up numbers, so page tests run in milliseconds and can
add columns that later issues bring (``holds_data``) before the simulator writes them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl

from ecosystem.core.io import write_json, write_parquet
from ecosystem.runner import RunSpec, execute
from tests.conftest import ROOT, SMALL_TOKENS

TRAINERS = {"alpha": "Alpha", "beta": "Beta", "control": None}


def write_loop_run(folder: Path, seed: int = 3, overrides: list[str] | None = None) -> Path:
    """A real lab-mode run of the tiny token scenario (two strategies, 3 replicas, 4 refits),
    with ``overrides`` applied as ``--set``."""
    scenario = folder.parent / ".scenarios" / f"{folder.name}.yaml"  # hidden: not a run
    scenario.parent.mkdir(parents=True, exist_ok=True)
    scenario.write_text(SMALL_TOKENS)
    return execute(RunSpec(scenario, folder, list(overrides or []), seed=seed))


TINY_SCALING = [
    "truth.vocab_size=300",
    "scaling.train_sizes=[100,1000]",
    "scaling.generator_samples=3000",
    "scaling.replicas=2",
    "scaling.test_samples=200",
]
"""The shipped tail-of-tails scenario at a size that runs in a fraction of a second."""


def write_scaling_run(folder: Path, seed: int = 5) -> Path:
    """A real, tiny run of the shipped ``kind: scaling`` scenario (with its closed form)."""
    scenario = ROOT / "scenarios" / "papers" / "dohmatob_tail.yaml"
    return execute(RunSpec(scenario, folder, TINY_SCALING, seed=seed))


def write_real_ecosystem_run(folder: Path) -> Path:
    """A real, tiny run of the shipped baseline ecosystem (7 steps, 600 authors)."""
    spec = RunSpec(ROOT / "scenarios" / "baseline.yaml", folder, ["steps=7", "authors.count=600"])
    return execute(spec)


def _steps(n: int) -> pl.DataFrame:
    step = np.arange(n)
    ai_new = np.clip((step - 2) / n, 0, 1)
    return pl.DataFrame(
        {
            "step": step.astype(np.int32),
            "docs_new": np.full(n, 1000),
            "docs_total": 20_000 + 1000 * (step + 1),
            "ai_share_new": ai_new,
            "ai_share_web": np.cumsum(ai_new * 1000) / (20_000 + 1000 * (step + 1)),
            "human_authors_active": 5000 - 10 * step,
            "ai_adopters": 40 * step,
            "adopter_share": 40 * step / (5000 - 10 * step),
        }
    )


def _generations(n: int) -> pl.DataFrame:
    rows = []
    for t, (trainer, company) in enumerate(TRAINERS.items()):
        for g, step in enumerate(range(0, n, 4)):
            excess = 0.1 + 0.02 * g * (t + 1) if company else 0.1
            rows.append(
                {
                    "trainer": trainer,
                    "company": company,
                    "generation": g,
                    "step": step,
                    "strategy": "replace",
                    "train_docs": 1000,
                    "train_tokens": 30_000,
                    "train_ai_share": 0.1 * g if company else 0.0,
                    "cross_entropy": 2.0 + excess,
                    "perplexity": float(np.exp(2.0 + excess)),
                    "excess_cross_entropy": excess,
                    "tail_mass_ratio": 1.0 - 0.05 * g,
                    "distinct_2": 0.2 - 0.01 * g,
                    "entropy": 4.5 - 0.1 * g,
                }
            )
    return pl.DataFrame(rows).with_columns(pl.col("generation", "step").cast(pl.Int32))


def _firms(n: int, holds_data: bool) -> pl.DataFrame:
    rows = []
    for step in range(n):
        for i, company in enumerate(["Alpha", "Beta"]):
            row = {
                "company": company,
                "step": step,
                "market_share": 0.6 - 0.2 * i,
                "quality": -0.1 - 0.05 * i - 0.001 * step,
                "users": 100,
                "user_share": 0.5,
            }
            if holds_data:  # the holdings and money columns of firms
                row["holds_data"] = i == 0
                row["human_share"] = 0.9 - 0.02 * step * (i + 1)
                row["revenue"] = 100.0 + 5 * step * (1 - i)
                row["licence_spend"] = 20.0 if i == 0 and step % 6 == 0 else 0.0
                row["moat_gap"] = 0.05 * (1 - i) - 0.001 * step
            rows.append(row)
    return pl.DataFrame(rows).with_columns(pl.col("step").cast(pl.Int32))


def _samples(n: int) -> pl.DataFrame:
    rows = [
        {
            "trainer": trainer,
            "generation": g,
            "step": 4 * g,
            "topic": k,
            "model_text": f"{trainer} gen {g} says ba " + "ba " * g + f"topic {k}",
            "human_text": f"human words on topic {k} bo di fa",
        }
        for trainer in TRAINERS
        for g in range(len(range(0, n, 4)))
        for k in range(2)
    ]
    return pl.DataFrame(rows).with_columns(pl.col("generation", "step", "topic").cast(pl.Int32))


def write_ecosystem_run(folder: Path, steps: int = 12, holds_data: bool = False) -> Path:
    """A synthetic ecosystem run folder (steps, generations, firms, samples, run.json)."""
    folder.mkdir(parents=True)
    tables = {
        "steps": _steps(steps),
        "generations": _generations(steps),
        "firms": _firms(steps, holds_data),
        "samples": _samples(steps),
    }
    for name, frame in tables.items():
        write_parquet(folder / f"{name}.parquet", frame)
    meta = {
        "status": "complete",
        "kind": "ecosystem",
        "name": folder.name,
        "seed": 1,
        "scenario": {"kind": "ecosystem", "description": "synthetic", "launch_step": 3},
        "wall_seconds": 0.1,
        "tables": {name: frame.height for name, frame in tables.items()},
    }
    write_json(folder / "run.json", meta)
    return folder


def write_broken_runs(root: Path) -> dict[str, Path]:
    """Folders that are wrong in each way a run folder can be wrong, by what is wrong."""
    broken = {
        "corrupt_json": root / "corrupt_json",
        "bad_parquet": root / "bad_parquet",
        "missing_table": root / "missing_table",
        "unknown_kind": root / "unknown_kind",
        "kind_mismatch": root / "kind_mismatch",
    }
    broken["corrupt_json"].mkdir(parents=True)
    (broken["corrupt_json"] / "run.json").write_text('{"status": "complete", "kind": ')
    write_ecosystem_run(broken["bad_parquet"])
    (broken["bad_parquet"] / "steps.parquet").write_bytes(b"not parquet at all")
    write_ecosystem_run(broken["missing_table"])
    (broken["missing_table"] / "generations.parquet").unlink()
    broken["unknown_kind"].mkdir()
    (broken["unknown_kind"] / "run.json").write_text(json.dumps({"kind": "sweep?"}))
    write_ecosystem_run(broken["kind_mismatch"])  # an ecosystem folder whose run.json says loop
    meta = json.loads((broken["kind_mismatch"] / "run.json").read_text())
    (broken["kind_mismatch"] / "run.json").write_text(json.dumps({**meta, "kind": "loop"}))
    return broken
