"""Run one scenario into one run folder: run.json plus Parquet tables (docs/OUTPUTS.md)."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import mesa
import numpy as np
import polars as pl
import scipy
from pydantic import ValidationError

from ecosystem import __version__
from ecosystem.config import load_scenario
from ecosystem.config.schema import SCENARIO_KINDS, LoopScenario, Scenario
from ecosystem.core.checkpoint import Checkpointer, fingerprint
from ecosystem.core.errors import OutputError, RunSetupError
from ecosystem.core.io import write_parquet
from ecosystem.core.outdir import RunFolder, check_out, clear_stale
from ecosystem.outcomes import conform
from ecosystem.summary import SUMMARIES, Summary
from ecosystem.world.run import progress_total as ecosystem_total
from ecosystem.world.run import run_ecosystem

if TYPE_CHECKING:
    from ecosystem.lab.loop import Progress

ECOSYSTEM_CHECKPOINT_EVERY = 10
"""Default steps between an ecosystem run's checkpoints (see bench/bench_checkpoint.py)."""
DEFAULT_CHECKPOINT_SECONDS = 30.0
"""With the default ``checkpoint_every``, a checkpoint is written only once this many seconds
have passed since the last one: a run shorter than that writes none (it would redo as little
as it saves); an explicit ``--checkpoint-every`` saves at every multiple."""


@dataclass(frozen=True)
class RunSpec:
    """Everything needed to run a scenario: picklable, so a process pool can take it.

    Attributes:
        scenario_path: the YAML file.
        out: the run folder to create.
        overrides: ``key.path=value`` strings, applied as ``--set``.
        seed: replaces the scenario's seed when given.
        overwrite: replace an existing run folder (only a run folder or an empty folder).
        checkpoint_every: steps (ecosystem) or generations (loop) between checkpoints; None:
            :func:`default_checkpoint_every`.
    """

    scenario_path: Path
    out: Path
    overrides: list[str] = field(default_factory=list)
    seed: int | None = None
    overwrite: bool = False
    checkpoint_every: int | None = None

    def all_overrides(self) -> list[str]:
        extra = [f"seed={self.seed}"] if self.seed is not None else []
        return [*self.overrides, *extra]


def versions() -> dict[str, str]:
    """Versions of the interpreter and the libraries that shape results."""
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
        simulate: runs a validated scenario in memory (resuming from and saving to the
            checkpointer when given); returns its tables by file stem.
        progress_total: units of work ``simulate`` reports through its progress callback.
        summary: what ``ecosim run`` prints about a finished run folder.
    """

    simulate: Callable[[Scenario, Progress | None, Checkpointer | None], dict[str, pl.DataFrame]]
    progress_total: Callable[[Scenario], int]
    summary: Callable[[Path], Summary]


# The lab's kinds import their modules when they run: an ecosystem run loads none of them.
def _loop_tables(
    scenario: LoopScenario, progress: Progress | None, checkpoint: Checkpointer | None = None
) -> dict[str, pl.DataFrame]:
    from ecosystem.lab.loop import run_loop

    return run_loop(scenario, progress, checkpoint)


def _scaling_tables(scenario, progress: Progress | None, checkpoint: Checkpointer | None = None):
    from ecosystem.lab.scaling import run_scaling

    return run_scaling(scenario, progress)  # seconds long: an interrupted one restarts


def _loop_total(scenario: LoopScenario) -> int:
    return len(scenario.loop.strategies) * (scenario.loop.generations + 1)


def _scaling_total(scenario) -> int:
    from ecosystem.lab.scaling import scaling_total

    return scaling_total(scenario)


KINDS: dict[str, KindRunner] = {
    "loop": KindRunner(_loop_tables, _loop_total, SUMMARIES["loop"]),
    "ecosystem": KindRunner(run_ecosystem, ecosystem_total, SUMMARIES["ecosystem"]),
    "scaling": KindRunner(_scaling_tables, _scaling_total, SUMMARIES["scaling"]),
}


def simulate(
    scenario: Scenario, progress: Progress | None = None, checkpoint: Checkpointer | None = None
) -> dict[str, pl.DataFrame]:
    """Run a validated scenario in memory; returns its tables by file stem, each conformed to
    the outcome catalog (column order and dtypes)."""
    tables = KINDS[scenario.kind].simulate(scenario, progress, checkpoint)
    return {name: conform(frame, name, scenario.kind) for name, frame in tables.items()}


def progress_total(scenario: Scenario) -> int:
    """Units of work the progress callback will be called with."""
    return KINDS[scenario.kind].progress_total(scenario)


def summarize(folder: Path, kind: str) -> Summary:
    """The terminal summary of a finished run folder."""
    return KINDS[kind].summary(folder)


def default_checkpoint_every(scenario: Scenario) -> int:
    """Steps (ecosystem) or generations (loop) between checkpoints when not given: every
    ``ECOSYSTEM_CHECKPOINT_EVERY`` steps; every generation for a transformer loop; other loops
    checkpoint after each strategy only (0), scaling runs not at all (they restart)."""
    if scenario.kind == "ecosystem":
        return ECOSYSTEM_CHECKPOINT_EVERY
    if scenario.kind == "loop" and scenario.learner.kind == "transformer":
        return 1
    return 0


def execute(
    spec: RunSpec, scenario: Scenario | None = None, progress: Progress | None = None
) -> Path:
    """Check the output folder, validate (unless given), run and write the run folder.

    The folder appears at once with ``run.json`` saying ``status: interrupted`` and holds the
    run's checkpoint while it runs; it says ``complete`` only once every table is written.

    Raises:
        OutputError: ``spec.out`` may not be written or replaced (checked before anything runs).
        ScenarioError: the scenario is invalid.
        RunSetupError: the scenario cannot run here (nothing is written).
    """
    check_out(Path(spec.out), spec.overwrite)
    if scenario is None:
        scenario = load_scenario(spec.scenario_path, spec.all_overrides())
    every, min_seconds = spec.checkpoint_every, 0.0
    if every is None:
        every, min_seconds = default_checkpoint_every(scenario), DEFAULT_CHECKPOINT_SECONDS
    scenario_json = scenario.model_dump(mode="json")
    clear_stale(Path(spec.out))
    folder = RunFolder.create(
        Path(spec.out),
        {
            "kind": scenario.kind,
            "name": scenario.name,
            "seed": scenario.seed,
            "scenario_file": str(spec.scenario_path),
            "overrides": spec.all_overrides(),
            "scenario": scenario_json,
            "versions": versions(),
            "started_at": datetime.now(UTC).isoformat(),
            "checkpoint_every": every,
            "checkpoint_min_seconds": min_seconds,
            "progress": {"done": 0, "total": progress_total(scenario)},
            "pid": os.getpid(),
            "host": os.uname().nodename,
        },
        overwrite=spec.overwrite,
    )
    return _run(folder, scenario, progress, resumed=False)


def resume(
    folder: Path, progress: Progress | None = None, scenario: Scenario | None = None
) -> Path:
    """Continue the unfinished run in ``folder`` from its checkpoint to completion.

    Args:
        folder: a run folder whose run.json says ``interrupted`` (or ``failed``).
        progress: called with units of work done (first with those done before).
        scenario: run.json's scenario, when already read with :func:`resumed_scenario`.

    Raises:
        OutputError: ``folder`` is not an unfinished run folder, or its checkpoint is unusable.
    """
    run = RunFolder.reopen(Path(folder))
    if scenario is None:
        scenario = resumed_scenario(run.path)
    clear_stale(run.path)
    run.update(status="interrupted", pid=os.getpid(), host=os.uname().nodename)
    run.meta.pop("error", None)
    return _run(run, scenario, progress, resumed=True)


def resumed_scenario(folder: Path) -> Scenario:
    """The resolved scenario recorded in an unfinished run folder's run.json.

    Raises:
        OutputError: ``folder`` is not an unfinished run folder.
    """
    run = RunFolder.reopen(Path(folder))
    recorded = run.meta.get("scenario")
    cls = SCENARIO_KINDS.get(run.meta.get("kind", ""))
    if not isinstance(recorded, dict) or cls is None:
        raise OutputError(f"--resume {folder}: run.json holds no scenario")
    try:
        return cls.model_validate(recorded)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise OutputError(
            f"--resume {folder}: run.json's scenario is not valid here ({where}: {first['msg']})"
        ) from None


def _run(folder: RunFolder, scenario: Scenario, progress: Progress | None, resumed: bool) -> Path:
    """Simulate into ``folder`` with checkpoints; record how the run ended."""
    total = progress_total(scenario)
    earlier = float(folder.meta.get("wall_seconds") or 0.0) if resumed else 0.0
    t0 = time.perf_counter()
    checkpoint = Checkpointer(
        folder.checkpoint_dir,
        int(folder.meta.get("checkpoint_every", 0)),
        fingerprint(folder.meta["scenario"]),
        min_seconds=float(folder.meta.get("checkpoint_min_seconds", 0.0)),
        on_save=lambda done: folder.update(
            progress={"done": done, "total": total},
            wall_seconds=round(earlier + time.perf_counter() - t0, 3),
        ),
    )
    try:
        tables = simulate(scenario, progress, checkpoint)
    except RunSetupError:
        if resumed:
            folder.stop("interrupted")
        else:
            folder.abandon()
        raise
    except Exception as exc:
        folder.stop("failed", error=f"{type(exc).__name__}: {exc}"[:500])
        raise
    except BaseException:  # KeyboardInterrupt, SIGTERM: resumable from the last checkpoint
        folder.stop("interrupted")
        raise
    wall = earlier + time.perf_counter() - t0

    def write_tables(path: Path) -> None:
        for name, frame in tables.items():
            write_parquet(path / f"{name}.parquet", frame)

    folder.finish(
        write_tables,
        finished_at=datetime.now(UTC).isoformat(),
        wall_seconds=round(wall, 3),
        checkpoints={
            "every": checkpoint.every,
            "saved": checkpoint.saves,
            "seconds": round(checkpoint.save_seconds, 3),
            "last_bytes": checkpoint.last_bytes,
        },
        resumed=bool(resumed or folder.meta.get("resumed")),
        tables={name: frame.height for name, frame in tables.items()},
    )
    return folder.path


def run_one(spec: RunSpec) -> Path:
    """Picklable entry point for executors: run ``spec`` and return its folder."""
    return execute(spec)
