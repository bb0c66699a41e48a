"""Run a ``kind: ecosystem`` scenario into its tables."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import polars as pl

from ecosystem.config.ecosystem import EcosystemScenario
from ecosystem.core.checkpoint import Checkpointer

Progress = Callable[[int], None]


def run_ecosystem(
    scenario: EcosystemScenario,
    progress: Progress | None = None,
    checkpoint: Checkpointer | None = None,
) -> dict[str, pl.DataFrame]:
    """Simulate ``scenario`` step by step; returns the tables steps, generations, firms, samples
    (and licences, when the scenario sells any).

    Args:
        scenario: a validated ecosystem scenario.
        progress: called with 1 after every step (first with the steps a resumed run had done).
        checkpoint: where the whole model is saved every ``checkpoint.every`` steps, and
            resumed from when it holds a checkpoint.
    """
    from ecosystem.world.model import EcosystemModel

    model = checkpoint.load() if checkpoint is not None else None
    if model is None:
        model = EcosystemModel(scenario)
    else:
        _continue_agent_ids(model)
        if progress is not None and model.step_index:
            progress(model.step_index)
    while model.step_index < scenario.steps:
        model.step()
        if progress is not None:
            progress(1)
        if checkpoint is not None and checkpoint.due(model.step_index, scenario.steps):
            checkpoint.save(model, model.step_index)
    return model.recorder.tables(licences=bool(scenario.licences))


def _continue_agent_ids(model) -> None:
    """Mesa numbers agents per model object in a class-level counter; an unpickled model is a
    new object, so its counter continues after the highest id (ids never repeat)."""
    import mesa

    highest = max((agent.unique_id for agent in model.agents), default=0)
    mesa.Agent._ids[model] = itertools.count(highest + 1)


def progress_total(scenario: EcosystemScenario) -> int:
    """Progress units of a run: one per step."""
    return scenario.steps
