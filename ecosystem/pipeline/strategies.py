"""The data strategies: their names, each one's rule as data, and the stage that applies them.

A strategy decides what a generation trains on, given this generation's parts (the source, plus
a human part for the fraction strategies) and a pool of everything seen before. Its rule is four
facts: does the pool keep everything seen (``accumulates``), is the training set a uniform
subsample of the pool (``subsamples``), where does a human part come from (``human``: none, fresh
text from the truth, or a redraw of generation 0's human data) and which parameter holds that
part's share of the budget (``share_field``). Every code path (the lab's explicit samples, its
sufficient-statistic fast paths, the world's trainers) reads these facts; none tests a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

if TYPE_CHECKING:  # numpy is imported where it is used: the scenario schemas read this module
    import numpy as np

HumanSource = Literal["none", "fresh", "original"]
Budget = TypeVar("Budget", int, "np.ndarray")


@dataclass(frozen=True)
class StrategyRule:
    """What one strategy trains on, as data.

    Attributes:
        name: the strategy's name.
        accumulates: the pool keeps every item ever seen, and the training set comes from it.
        subsamples: the training set is a uniform subsample of the pool, of the budget's size.
        human: the human part of each generation: none, fresh human text drawn from the truth,
            or a fresh draw from generation 0's human data ("original").
        share_field: the parameter holding the human part's share of the budget (None: none).
        summary: one line for people.
    """

    name: str
    accumulates: bool
    subsamples: bool
    human: HumanSource
    share_field: str | None
    summary: str

    @property
    def on_statistics(self) -> bool:
        """Whether the training set is a sum of whole draws, so additive sufficient statistics
        can stand for its rows (a subsample of a pool needs the rows themselves)."""
        return not self.subsamples and self.human != "original"

    @property
    def accumulates_all(self) -> bool:
        """Whether the training set is the whole pool (running statistics can stand for it)."""
        return self.accumulates and not self.subsamples

    def human_share(self, params: Any) -> float:
        """The human part's share of the budget, read from ``params`` (0 without a human part)."""
        return float(getattr(params, self.share_field)) if self.share_field else 0.0

    def split(self, budget: Budget, share: float) -> tuple[Budget, Budget]:
        """(source items, human items) of a generation's ``budget``: the human part is
        round(share · budget) items (half to even), the source the rest.

        ``budget`` may be one size or an int64 array of sizes (one per generation).
        """
        import numpy as np

        if isinstance(budget, np.ndarray):
            human = np.zeros_like(budget)
            if self.human != "none":
                human = np.round(share * budget).astype(np.int64)
            return budget - human, human
        human = round(share * budget) if self.human != "none" else 0
        return budget - human, human


STRATEGIES: dict[str, StrategyRule] = {
    rule.name: rule
    for rule in (
        StrategyRule("replace", False, False, "none", None, "this generation's source only"),
        StrategyRule(
            "accumulate", True, False, "none", None, "everything seen so far, each item once"
        ),
        StrategyRule(
            "accumulate_subsample",
            True,
            True,
            "none",
            None,
            "a uniform subsample of everything seen so far, of the subsample budget",
        ),
        StrategyRule(
            "fresh_fraction",
            False,
            False,
            "fresh",
            "fresh_fraction",
            "a share of fresh human text from the truth, the rest this generation's source",
        ),
        StrategyRule(
            "original_fraction",
            False,
            False,
            "original",
            "original_fraction",
            "a share drawn anew from generation 0's human data, the rest this generation's source",
        ),
    )
}
"""Every strategy's rule, by name: the one list of strategies."""

STRATEGY_NAMES: tuple[str, ...] = tuple(STRATEGIES)

Strategy = Literal[STRATEGY_NAMES]  # type: ignore[valid-type]
"""The strategy names a scenario may give (lab ``loop.strategies``, world
``trainers.*.strategy``), made from the registry so the schemas cannot drift from it."""


def strategy_rule(strategy: str | StrategyRule) -> StrategyRule:
    """The rule of ``strategy`` (a name or already a rule).

    Raises:
        ValueError: for an unknown name.
    """
    if isinstance(strategy, StrategyRule):
        return strategy
    try:
        return STRATEGIES[strategy]
    except KeyError:
        raise ValueError(f"unknown strategy {strategy!r} (one of {STRATEGY_NAMES})") from None


Part = TypeVar("Part")
Selection = TypeVar("Selection")


class Pool(Protocol[Part, Selection]):
    """A strategy's memory of what was seen, in one data representation (rows, statistics or
    document ids), and how parts of that representation combine into a training set."""

    def combine(self, parts: list[Part]) -> Selection:
        """This generation's parts together, as a training set."""
        ...

    def add(self, parts: list[Part]) -> None:
        """Put this generation's parts into the pool."""
        ...

    def everything(self) -> Selection:
        """The whole pool as a training set."""
        ...

    def subsample(self, budget: int, rng: Any) -> Selection:
        """A uniform subsample of ``budget`` items of the pool (all when it holds fewer)."""
        ...


def apply_strategy(
    rule: StrategyRule, pool: Pool[Part, Selection], parts: list[Part], budget: int, rng: Any
) -> Selection:
    """The strategy stage: what this generation trains on.

    Args:
        rule: the strategy's rule.
        pool: everything seen before (updated here when the rule accumulates).
        parts: this generation's parts (the source first, then the human part if any).
        budget: the subsample's size, for subsampling rules.
        rng: the subsample's random stream, for subsampling rules.
    """
    if not rule.accumulates:
        return pool.combine(parts)
    pool.add(parts)
    return pool.subsample(budget, rng) if rule.subsamples else pool.everything()
