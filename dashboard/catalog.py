"""Names, units and directions of the quantities a run records, for axes, tables and deltas.

A thin adapter over the outcome catalog (``ecosystem.outcomes``), where every column is defined.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecosystem import outcomes
from ecosystem.outcomes import Better
from ecosystem.outcomes.entries import SHARE

__all__ = [
    "LOOP_METRICS",
    "QUANTITIES",
    "SHARE",
    "STEP_METRICS",
    "TIME_AXES",
    "Better",
    "Quantity",
    "offered",
    "quantity",
    "verdict",
]


@dataclass(frozen=True)
class Quantity(outcomes.Quantity):
    """How the dashboard shows one column: the outcome catalog's entry (label, unit, fmt,
    better, meaning; ``title`` and ``show``) plus what Streamlit needs."""

    @property
    def help(self) -> str:
        """One sentence on what it measures (the catalog's meaning)."""
        return self.meaning

    @property
    def delta_color(self) -> str:
        """How ``st.metric`` colours a change: red when it goes the bad way."""
        return {"lower": "inverse", "higher": "normal"}.get(self.better or "", "off")


def _shown(q: outcomes.Quantity) -> Quantity:
    return Quantity(q.label, q.unit, q.fmt, q.better, q.meaning)


QUANTITIES: dict[str, Quantity] = {
    **{name: _shown(q) for name, q in outcomes.QUANTITIES.items()},
    # derived by dashboard.summaries.moat_gap from what a run records (no table has it yet)
    "moat_gap": Quantity(
        "Moat gap",
        "quality difference, nats/token",
        meaning="Quality of data-holding firms minus scrape-only firms.",
    ),
}
"""Every column the catalog knows, as the dashboard shows it, plus quantities it derives."""

TIME_AXES = {
    "generation": "Generation (0 = trained on human data)",
    "step": "Step (months)",
}

LOOP_METRICS = [
    "excess_cross_entropy",
    "cross_entropy",
    "perplexity",
    "tail_mass_ratio",
    "distinct_2",
    "entropy",
    "w2",
    "sigma_ratio",
    "test_risk",
    "train_ai_share",
]
"""Per-generation metrics offered in menus, in this order, when a run has them."""

STEP_METRICS = [
    "ai_share_new",
    "ai_share_web",
    "human_authors_active",
    "ai_adopters",
    "adopter_share",
    "docs_total",
    "farm_pagerank_share",
    "best_quality",
    "market_hhi",
    "moat_gap",
]
"""Per-step quantities offered in menus, when a run has them."""


def quantity(column: str) -> Quantity:
    """The catalog entry of ``column`` (a readable fallback for columns it does not know)."""
    return QUANTITIES.get(column) or Quantity(column.replace("_", " ").capitalize())


def offered(columns: list[str], menu: list[str]) -> list[str]:
    """The entries of ``menu`` that ``columns`` has, in menu order."""
    present = set(columns)
    return [c for c in menu if c in present]


def verdict(column: str, before: float | None, after: float | None) -> str:
    """Whether ``after`` is better, worse or the same as ``before`` for ``column``."""
    better = quantity(column).better
    if before is None or after is None or better is None:
        return "changed" if before != after else "same"
    if better == "one":
        before, after = -abs(before - 1.0), -abs(after - 1.0)
    elif better == "lower":
        before, after = -before, -after
    if abs(after - before) <= 1e-12 * max(1.0, abs(before)):
        return "same"
    return "better" if after > before else "worse"
