"""Run a ``kind: ecosystem`` scenario into its tables."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from ecosystem.config.ecosystem import EcosystemScenario

Progress = Callable[[int], None]


def run_ecosystem(
    scenario: EcosystemScenario, progress: Progress | None = None
) -> dict[str, pl.DataFrame]:
    """Simulate ``scenario`` step by step; returns the tables steps, generations, firms, samples.

    Args:
        scenario: a validated ecosystem scenario.
        progress: called with 1 after every step.
    """
    from ecosystem.world.model import EcosystemModel

    model = EcosystemModel(scenario)
    for _ in range(scenario.steps):
        model.step()
        if progress is not None:
            progress(1)
    return model.recorder.tables()


def progress_total(scenario: EcosystemScenario) -> int:
    """Progress units of a run: one per step."""
    return scenario.steps
