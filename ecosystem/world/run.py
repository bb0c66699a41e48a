"""Run a ``kind: ecosystem`` scenario into its tables, and summarise a finished run."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import polars as pl

from ecosystem.config.ecosystem import EcosystemScenario
from ecosystem.core.checkpoint import Checkpointer

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
    scenario: EcosystemScenario,
    progress: Progress | None = None,
    checkpoint: Checkpointer | None = None,
) -> dict[str, pl.DataFrame]:
    """Simulate ``scenario`` step by step; returns the tables steps, generations, firms, samples.

    Args:
        scenario: a validated ecosystem scenario.
        progress: called with 1 after every step (first with the steps a resumed run had done).
        checkpoint: where the whole model is saved every ``checkpoint.every`` steps, and
            resumed from when it holds a checkpoint.
    """
    from ecosystem.world.model import STEP_REPORTERS, EcosystemModel

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
    return tables(model, list(STEP_REPORTERS))


def _continue_agent_ids(model) -> None:
    """Mesa numbers agents per model object in a class-level counter; an unpickled model is a
    new object, so its counter continues after the highest id (ids never repeat)."""
    import mesa

    highest = max((agent.unique_id for agent in model.agents), default=0)
    mesa.Agent._ids[model] = itertools.count(highest + 1)


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


def _at(frame: pl.DataFrame, column: str, rows: list[int]) -> list[float]:
    values = frame[column].to_list()
    return [float(values[i]) for i in rows]


def ecosystem_summary(folder: Path) -> pl.DataFrame:
    """Headline numbers of a run: the web at its first, middle and last step; every trainer's
    excess cross-entropy at generation 0, the middle and the last generation."""
    steps = pl.read_parquet(folder / "steps.parquet")
    generations = pl.read_parquet(folder / "generations.parquet")
    rows = []
    if steps.height:
        at = [0, steps.height // 2, steps.height - 1]
        for column in ("ai_share_new", "ai_share_web", "human_authors_active", "adopter_share"):
            rows.append((column, *_at(steps, column, at)))
    for (trainer,), frame in generations.sort("generation").group_by(
        "trainer", maintain_order=True
    ):
        at = [0, frame.height // 2, frame.height - 1]
        rows.append((f"excess_cross_entropy {trainer}", *_at(frame, "excess_cross_entropy", at)))
        rows.append((f"train_ai_share {trainer}", *_at(frame, "train_ai_share", at)))
    return pl.DataFrame(rows, schema=["quantity", "first", "middle", "last"], orient="row")
