"""Short summaries of a run's tables, for the terminal."""

from __future__ import annotations

import polars as pl

from ecosystem.outcomes import titled

HEADLINE_METRICS = [
    "excess_cross_entropy",
    "cross_entropy",
    "tail_mass_ratio",
    "distinct_2",
    "w2",
    "sigma_ratio",
    "test_risk",
]


def loop_summary(generations: pl.DataFrame) -> pl.DataFrame:
    """Mean over replicas of the headline metrics at generation 0 and the last generation,
    columns titled with the catalog's labels and units."""
    metrics = [m for m in HEADLINE_METRICS if m in generations.columns]
    last = generations["generation"].max()
    summary = (
        generations.filter(pl.col("generation").is_in([0, last]))
        .group_by("strategy", "generation", maintain_order=True)
        .agg(
            pl.len().alias("replicas"),
            pl.col("train_ai_share").mean(),
            *[pl.col(m).mean() for m in metrics],
        )
        .sort("strategy", "generation", maintain_order=True)
    )
    return titled(summary, "generations", "loop").rename({"replicas": "Replicas"})
