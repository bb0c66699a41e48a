"""Reading the values the reproductions compare out of a run's tables."""

from __future__ import annotations

import numpy as np
import polars as pl

from ecosystem.papers.reproduce import Run
from ecosystem.truth import build_truth


def generation(run: Run, index: int, strategy: str | None = None) -> pl.DataFrame:
    """The rows of one generation (of one strategy) of a loop run."""
    frame = run.tables["generations"].filter(pl.col("generation") == index)
    return frame if strategy is None else frame.filter(pl.col("strategy") == strategy)


def mean_at(run: Run, column: str, index: int, strategy: str | None = None) -> float:
    """Replica mean of ``column`` at one generation."""
    return float(generation(run, index, strategy)[column].mean())


def last(run: Run) -> int:
    """G, the last generation of a loop run."""
    return run.scenario.loop.generations


def samples(run: Run) -> int:
    """M, samples per generation of a loop run."""
    return run.scenario.loop.samples_per_generation


def sizes(run: Run, upto: int) -> np.ndarray:
    """M_0..M_upto, the samples behind each fit up to generation ``upto``."""
    return np.array([run.scenario.loop.samples_at(i) for i in range(upto + 1)], dtype=float)


def truth_marginal(run: Run) -> np.ndarray:
    """The token truth's exact token shares, rank order = token order for a Zipf law."""
    return build_truth(run.scenario.truth, run.scenario.seed).token_marginal()
