"""What a run is judged by first, by its truth's modality, and units that read differently for
vectors or labeled rows than for tokens.

A loop run on vectors is judged by the σ ratio and W2, one on labeled data by its test risk, one
on tokens or text by cross-entropy; a scaling run by its test error against training size. The
dashboard's menus and the terminal summary read these lists.
"""

from __future__ import annotations

from ecosystem.outcomes.quantities import QUANTITIES

HEADLINES = {
    "tokens": ["excess_cross_entropy", "cross_entropy", "tail_mass_ratio"],
    "text": ["cross_entropy", "perplexity", "excess_cross_entropy"],
    "vectors": ["sigma_ratio", "w2"],
    "labeled": ["test_risk"],
}
"""The metrics each truth modality puts first."""
SCALING_METRICS = ["unseen_mass", "excess_cross_entropy", "cross_entropy", "w2", "test_risk"]
"""Test errors a scaling run may record, the memoriser's unseen mass first."""
UNITS = {
    "vectors": {"nats/token": "nats/sample", "choices per token": "exp(nats/sample)"},
    "labeled": {"nats/token": "nats/sample"},
}
"""Units that read differently when the data are vectors or labeled rows, not tokens."""


def unit(metric: str, modality: str | None) -> str:
    """The unit of ``metric`` for data of ``modality`` (the catalog's, adapted)."""
    entry = QUANTITIES.get(metric)
    base = entry.unit if entry is not None else ""
    return UNITS.get(modality or "", {}).get(base, base)
