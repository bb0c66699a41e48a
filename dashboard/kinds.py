"""What each kind of run shows first: its own headline metrics, in its own units (the lists
live in ``ecosystem.outcomes.modalities``)."""

from __future__ import annotations

from dashboard.catalog import LOOP_METRICS, offered, quantity
from ecosystem.outcomes.modalities import HEADLINES, SCALING_METRICS, unit

__all__ = ["HEADLINES", "SCALING_METRICS", "metric_menu", "title", "unit"]


def metric_menu(modality: str | None, columns: list[str], menu: list[str] = LOOP_METRICS):
    """The metrics of ``menu`` that ``columns`` has, the modality's headline metrics first."""
    present = offered(columns, menu)
    first = [m for m in HEADLINES.get(modality or "", []) if m in present]
    return first + [m for m in present if m not in first]


def title(metric: str, modality: str | None) -> str:
    """Axis title of ``metric`` for data of ``modality``: its label and unit."""
    shown = unit(metric, modality)
    label = quantity(metric).label
    return f"{label} ({shown})" if shown else label
