"""Names, units and directions of the quantities a run records, for axes, tables and deltas."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Better = Literal["lower", "higher", "one"] | None


@dataclass(frozen=True)
class Quantity:
    """How to show one column.

    Attributes:
        label: a short name for people.
        unit: the unit (or what the number means), shown in axis titles.
        fmt: a d3 number format for axes and tooltips (``%`` formats are shares in [0, 1]).
        better: which way is better: ``lower``, ``higher``, ``one`` (closest to 1), or None.
        help: one sentence on what it measures.
    """

    label: str
    unit: str = ""
    fmt: str = ".3~g"
    better: Better = None
    help: str = ""

    @property
    def title(self) -> str:
        """Axis title: the label with its unit."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    def show(self, value: float | None, signed: bool = False) -> str:
        """A value as text for people (shares as percentages)."""
        if value is None:
            return "n/a"
        sign = "+" if signed else ""
        if self.fmt.endswith("%"):
            return f"{100 * value:+.1f} pts" if signed else f"{value:.1%}"
        if self.fmt.startswith(","):
            return f"{value:{sign},.0f}"
        return f"{value:{sign}.3g}"

    @property
    def delta_color(self) -> str:
        """How ``st.metric`` colours a change: red when it goes the bad way."""
        return {"lower": "inverse", "higher": "normal"}.get(self.better or "", "off")


SHARE = ".0%"

QUANTITIES: dict[str, Quantity] = {
    # model quality (generations.parquet)
    "excess_cross_entropy": Quantity(
        "Excess cross-entropy",
        "nats/token",
        better="lower",
        help="Cross-entropy over the truth's own: an estimate of KL(truth ‖ model); 0 is perfect.",
    ),
    "cross_entropy": Quantity(
        "Cross-entropy", "nats/token", better="lower", help="Loss on held-out human text."
    ),
    "perplexity": Quantity(
        "Perplexity", "choices per token", better="lower", help="exp(cross-entropy)."
    ),
    "truth_cross_entropy": Quantity("Truth's cross-entropy", "nats/token"),
    "tail_mass_ratio": Quantity(
        "Tail mass ratio",
        "model ÷ truth, 1 = tail kept",
        better="one",
        help="Model mass on the truth's rarest tokens over the truth's; below 1 the tail is cut.",
    ),
    "distinct_2": Quantity(
        "Distinct bigrams",
        "share of sampled bigrams",
        fmt=".3f",
        better="higher",
        help="Diversity of the model's samples.",
    ),
    "entropy": Quantity("Sample entropy", "nats", better="higher"),
    "w2": Quantity("W2 distance to truth", "data units", better="lower"),
    "sigma_ratio": Quantity("σ ratio", "model ÷ truth, 1 = right", better="one"),
    "test_risk": Quantity("Test excess risk", "‖ŵ − w*‖²", better="lower"),
    "train_ai_share": Quantity("AI share of training data", "share", fmt=SHARE),
    "crawled_ai_share": Quantity("AI share of crawled documents", "share", fmt=SHARE),
    "train_size": Quantity("Training set size", "samples", fmt=",.0f"),
    "train_docs": Quantity("Training documents", "documents", fmt=",.0f"),
    "train_tokens": Quantity("Training tokens", "tokens", fmt=",.0f"),
    "crawled_docs": Quantity("Crawled documents", "documents", fmt=",.0f"),
    "perplexity_gen0": Quantity("Perplexity under generation 0", "choices per token"),
    # the web (steps.parquet)
    "ai_share_new": Quantity("AI share of new documents", "share", fmt=SHARE),
    "ai_share_web": Quantity("AI share of the web", "share", fmt=SHARE),
    "docs_total": Quantity("Documents on the web", "documents", fmt=",.0f"),
    "docs_new": Quantity("New documents", "documents per step", fmt=",.0f"),
    "human_docs_new": Quantity("New human documents", "documents per step", fmt=",.0f"),
    "ai_docs_new": Quantity("New AI documents", "documents per step", fmt=",.0f"),
    "farm_docs_new": Quantity("New content-farm documents", "documents per step", fmt=",.0f"),
    "human_authors_active": Quantity("Active human authors", "authors", fmt=",.0f"),
    "ai_adopters": Quantity("AI adopters", "authors", fmt=",.0f"),
    "adopter_share": Quantity("Adopters among active authors", "share", fmt=SHARE),
    "farm_pagerank_share": Quantity("PageRank on content farms", "share", fmt=SHARE),
    "opted_out_share": Quantity("Sites opted out of crawling", "share", fmt=SHARE),
    "best_quality": Quantity(
        "Best model on offer", "−excess cross-entropy, nats/token", better="higher"
    ),
    "market_hhi": Quantity("Market concentration (HHI)", "0 to 1", fmt=".2f"),
    "moat_gap": Quantity(
        "Moat gap",
        "quality difference, nats/token",
        help="Quality of data-holding firms minus scrape-only firms.",
    ),
    # companies (firms.parquet)
    "market_share": Quantity("Market share", "share of AI users", fmt=SHARE),
    "user_share": Quantity("User share", "share of AI users", fmt=SHARE),
    "quality": Quantity("Model quality", "−excess cross-entropy, nats/token", better="higher"),
}

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
