"""The learner interface every backend implements.

A learner is configured by its parameter model and turns data into a fitted model; a fitted
model samples new data and evaluates itself against held-out human data and the truth. Both work
on a batch of R replicas at once (R = 1 in the ecosystem), so loop mode vectorises over replicas
without the caller knowing how.

Learners whose fit depends on the data only through additive sufficient statistics (counts;
n, mean and scatter; XᵀX and Xᵀy) also implement :class:`StatsLearner`: accumulating strategies
keep running statistics instead of refitting on every row ever seen, and their fitted models may
draw the statistics of a synthetic sample directly from its exact law (``sample_stats``).
A learner may also run a strategy's whole loop in closed form (``closed_form_loop``, see
:class:`ClosedFormLoop`): the data pipeline uses it as its fastest path.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

from ecosystem.config.learners import DecodingParams
from ecosystem.core.data import Data
from ecosystem.core.rng import ReplicaRNG

Metrics = dict[str, np.ndarray]


@runtime_checkable
class Fitted(Protocol):
    """A batch of R fitted models."""

    n_replicas: int

    def sample(self, n: np.ndarray, rng: ReplicaRNG, decoding: DecodingParams) -> Data:
        """Draw ``n[r]`` samples (documents, vectors or rows) for each replica r."""
        ...

    def evaluate(self, test: Data, truth: Any) -> Metrics:
        """Quality against held-out human ``test`` data (one replica) and the truth: (R,) arrays."""
        ...


@runtime_checkable
class Learner(Protocol):
    """Turns data of R replicas into R fitted models."""

    def fit(self, data: Data, rng: ReplicaRNG, previous: Fitted | None = None) -> Fitted:
        """Fit one model per replica; ``previous`` lets a learner continue training."""
        ...


class Stats(Protocol):
    """Additive sufficient statistics of R replicas' data."""

    def __add__(self, other: Stats) -> Stats: ...

    def size(self) -> np.ndarray:
        """Samples behind the statistics, per replica."""
        ...


@runtime_checkable
class StatsLearner(Learner, Protocol):
    """A learner whose fit depends on the data only through additive sufficient statistics."""

    def stats(self, data: Data) -> Stats:
        """The sufficient statistics of ``data``."""
        ...

    def fit_stats(self, stats: Stats) -> Fitted:
        """Fit from sufficient statistics alone."""
        ...


@runtime_checkable
class ClosedFormLoop(Protocol):
    """A learner that runs every generation of a strategy on statistics in batched calls."""

    def closed_form_loop(
        self,
        fitted0: Fitted,
        n0: np.ndarray,
        sizes: np.ndarray,
        rule: Any,
        human_share: float,
        truth: Any,
        decoding: DecodingParams,
        rng: ReplicaRNG,
        fresh_rng: ReplicaRNG,
    ) -> Metrics | None:
        """(G+1, R) metrics, ``train_size`` and ``train_ai_share`` of generations 0..G for the
        strategy ``rule`` (human part ``human_share`` of each of ``sizes``), or None where this
        learner has no closed form for it."""
        ...


def supports_stat_sampling(fitted: Fitted) -> bool:
    """Whether ``fitted.sample_stats(n, rng, decoding)`` draws exact sufficient statistics."""
    return callable(getattr(fitted, "sample_stats", None))
