"""Run one scenario into one run folder: run.json plus Parquet tables (docs/OUTPUTS.md)."""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

from ecosystem import __version__
from ecosystem.config import load_scenario
from ecosystem.config.schema import LoopScenario, Scenario
from ecosystem.core.io import staging_dir, write_json, write_parquet
from ecosystem.lab import scaling
from ecosystem.lab.loop import Progress, run_loop
from ecosystem.outcomes import conform
from ecosystem.summary import SUMMARIES, Summary
from ecosystem.world.run import progress_total as ecosystem_total
from ecosystem.world.run import run_ecosystem


@dataclass(frozen=True)
class RunSpec:
    """Everything needed to run a scenario: picklable, so a process pool can take it.

    Attributes:
        scenario_path: the YAML file.
        out: the run folder to create.
        overrides: ``key.path=value`` strings, applied as ``--set``.
        seed: replaces the scenario's seed when given.
        overwrite: replace an existing run folder.
    """

    scenario_path: Path
    out: Path
    overrides: list[str] = field(default_factory=list)
    seed: int | None = None
    overwrite: bool = False

    def all_overrides(self) -> list[str]:
        extra = [f"seed={self.seed}"] if self.seed is not None else []
        return [*self.overrides, *extra]


def versions() -> dict[str, str]:
    """Versions of the interpreter and the libraries that shape results."""
    import mesa
    import scipy

    return {
        "ecosim": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "polars": pl.__version__,
        "scipy": scipy.__version__,
        "mesa": mesa.__version__,
    }


@dataclass(frozen=True)
class KindRunner:
    """How one scenario kind runs and summarises itself.

    Attributes:
        simulate: runs a validated scenario in memory; returns its tables by file stem.
        progress_total: units of work ``simulate`` reports through its progress callback.
        summary: what ``ecosim run`` prints about a finished run folder.
    """

    simulate: Callable[[Scenario, Progress | None], dict[str, pl.DataFrame]]
    progress_total: Callable[[Scenario], int]
    summary: Callable[[Path], Summary]


def _loop_tables(scenario: LoopScenario, progress: Progress | None) -> dict[str, pl.DataFrame]:
    return run_loop(scenario, progress)


def _loop_total(scenario: LoopScenario) -> int:
    return len(scenario.loop.strategies) * (scenario.loop.generations + 1)


KINDS: dict[str, KindRunner] = {
    "loop": KindRunner(_loop_tables, _loop_total, SUMMARIES["loop"]),
    "ecosystem": KindRunner(run_ecosystem, ecosystem_total, SUMMARIES["ecosystem"]),
    "scaling": KindRunner(scaling.run_scaling, scaling.scaling_total, SUMMARIES["scaling"]),
}


def simulate(scenario: Scenario, progress: Progress | None = None) -> dict[str, pl.DataFrame]:
    """Run a validated scenario in memory; returns its tables by file stem, each conformed to
    the outcome catalog (column order and dtypes)."""
    tables = KINDS[scenario.kind].simulate(scenario, progress)
    return {name: conform(frame, name, scenario.kind) for name, frame in tables.items()}


def progress_total(scenario: Scenario) -> int:
    """Units of work the progress callback will be called with."""
    return KINDS[scenario.kind].progress_total(scenario)


def summarize(folder: Path, kind: str) -> Summary:
    """The terminal summary of a finished run folder."""
    return KINDS[kind].summary(folder)


def execute(
    spec: RunSpec, scenario: Scenario | None = None, progress: Progress | None = None
) -> Path:
    """Validate (unless given), run and write the run folder atomically; returns its path."""
    if scenario is None:
        scenario = load_scenario(spec.scenario_path, spec.all_overrides())
    if Path(spec.out).exists() and not spec.overwrite:
        raise FileExistsError(str(spec.out))
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    tables = simulate(scenario, progress)
    wall = time.perf_counter() - t0
    with staging_dir(Path(spec.out), overwrite=spec.overwrite) as scratch:
        for name, frame in tables.items():
            write_parquet(scratch / f"{name}.parquet", frame)
        write_json(
            scratch / "run.json",
            {
                "status": "complete",
                "kind": scenario.kind,
                "name": scenario.name,
                "seed": scenario.seed,
                "scenario_file": str(spec.scenario_path),
                "overrides": spec.all_overrides(),
                "scenario": scenario.model_dump(mode="json"),
                "versions": versions(),
                "started_at": started.isoformat(),
                "finished_at": datetime.now(UTC).isoformat(),
                "wall_seconds": round(wall, 3),
                "tables": {name: frame.height for name, frame in tables.items()},
            },
        )
    return Path(spec.out)


def run_one(spec: RunSpec) -> Path:
    """Picklable entry point for executors: run ``spec`` and return its folder."""
    return execute(spec)
