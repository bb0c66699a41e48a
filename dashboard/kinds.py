"""What each kind of run shows first: its own headline metrics, in its own units.

A loop run on vectors is judged by the σ ratio and W2, one on labeled data by its test risk, one
on tokens or text by cross-entropy; a scaling run by its test error against training size.
"""

from __future__ import annotations

from dashboard.catalog import LOOP_METRICS, offered, quantity

HEADLINES = {
    "tokens": ["excess_cross_entropy", "cross_entropy", "tail_mass_ratio"],
    "text": ["cross_entropy", "perplexity", "excess_cross_entropy"],
    "vectors": ["sigma_ratio", "w2"],
    "labeled": ["test_risk"],
}
"""The metrics each truth modality puts first in menus and headlines."""
SCALING_METRICS = ["unseen_mass", "excess_cross_entropy", "cross_entropy", "w2", "test_risk"]
"""Test errors a scaling run may record, the memoriser's unseen mass first."""
UNITS = {
    "vectors": {"nats/token": "nats/sample", "choices per token": "exp(nats/sample)"},
    "labeled": {"nats/token": "nats/sample"},
}
"""Units that read differently when the data are vectors or labeled rows, not tokens."""


def metric_menu(modality: str | None, columns: list[str], menu: list[str] = LOOP_METRICS):
    """The metrics of ``menu`` that ``columns`` has, the modality's headline metrics first."""
    present = offered(columns, menu)
    first = [m for m in HEADLINES.get(modality or "", []) if m in present]
    return first + [m for m in present if m not in first]


def unit(metric: str, modality: str | None) -> str:
    """The unit of ``metric`` for data of ``modality``."""
    base = quantity(metric).unit
    return UNITS.get(modality or "", {}).get(base, base)


def title(metric: str, modality: str | None) -> str:
    """Axis title of ``metric`` for data of ``modality``: its label and unit."""
    shown = unit(metric, modality)
    label = quantity(metric).label
    return f"{label} ({shown})" if shown else label
