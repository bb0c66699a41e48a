"""Run a ``kind: ecosystem`` scenario into its tables."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from ecosystem.config.ecosystem import EcosystemScenario

Progress = Callable[[int], None]

GENERATIONS_SCHEMA = {
    "trainer": pl.String,
    "company": pl.String,
    "generation": pl.Int32,
    "step": pl.Int32,
    "strategy": pl.String,
    "human_only": pl.Boolean,
    "train_docs": pl.Int64,
    "train_tokens": pl.Int64,
    "train_ai_share": pl.Float64,
    "crawled_docs": pl.Int64,
    "crawled_ai_share": pl.Float64,
    "cross_entropy": pl.Float64,
    "perplexity": pl.Float64,
    "excess_cross_entropy": pl.Float64,
    "tail_mass_ratio": pl.Float64,
    "distinct_2": pl.Float64,
    "entropy": pl.Float64,
}
FIRMS_SCHEMA = {
    "company": pl.String,
    "step": pl.Int32,
    "market_share": pl.Float64,
    "quality": pl.Float64,
    "users": pl.Int64,
    "user_share": pl.Float64,
    "deployed_trainer": pl.String,
    "deployed_generation": pl.Int32,
    "price": pl.Float64,
}
SAMPLES_SCHEMA = {
    "trainer": pl.String,
    "generation": pl.Int32,
    "step": pl.Int32,
    "topic": pl.Int32,
    "model_text": pl.String,
    "human_text": pl.String,
}


def run_ecosystem(
    scenario: EcosystemScenario, progress: Progress | None = None
) -> dict[str, pl.DataFrame]:
    """Simulate ``scenario`` step by step; returns the tables steps, generations, firms, samples.

    Args:
        scenario: a validated ecosystem scenario.
        progress: called with 1 after every step.
    """
    from ecosystem.world.model import STEP_REPORTERS, EcosystemModel

    model = EcosystemModel(scenario)
    for _ in range(scenario.steps):
        model.step()
        if progress is not None:
            progress(1)
    return tables(model, list(STEP_REPORTERS))


def tables(model, step_columns: list[str]) -> dict[str, pl.DataFrame]:
    """The model's records as typed polars tables (empty tables keep their columns)."""
    steps = pl.DataFrame(model.records["steps"], orient="row") if model.records["steps"] else None
    if steps is None:
        steps = pl.DataFrame({c: [] for c in step_columns})
    return {
        "steps": steps.with_columns(pl.col("step").cast(pl.Int32)),
        "generations": pl.DataFrame(model.records["generations"], schema=GENERATIONS_SCHEMA),
        "firms": pl.DataFrame(model.records["firms"], schema=FIRMS_SCHEMA),
        "samples": pl.DataFrame(model.records["samples"], schema=SAMPLES_SCHEMA),
    }


def progress_total(scenario: EcosystemScenario) -> int:
    """Progress units of a run: one per step."""
    return scenario.steps
