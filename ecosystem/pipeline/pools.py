"""The lab's pools: what a strategy remembers of the samples seen, as rows or as statistics.

:class:`RowPool` keeps every sample (the explicit path; any learner, every strategy).
:class:`StatsPool` keeps only additive sufficient statistics (the fast path of learners whose fit
depends on the data through them, for rules with ``on_statistics``). Both implement the
:class:`~ecosystem.pipeline.strategies.Pool` protocol, so one strategy stage serves both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ecosystem.config.learners import DecodingParams
from ecosystem.core.data import Data, Labeled, TokenDocs, Vectors
from ecosystem.core.rng import ReplicaRNG

RowPart = tuple[Data, np.ndarray]
"""Samples of R replicas and their per-item AI flags (documents for tokens)."""
StatsPart = tuple[Any, int]
"""Sufficient statistics of a sample and its synthetic items per replica."""


@dataclass(frozen=True)
class TrainingSet:
    """What a generation trains on.

    Attributes:
        data: rows (a Data container) or sufficient statistics of R replicas.
        size: (R,) samples behind it.
        ai_share: (R,) share of them made by a model.
    """

    data: Any
    size: np.ndarray
    ai_share: np.ndarray


def concat(parts: list[Data]) -> Data:
    """Concatenate same-modality containers sample-wise, replica by replica."""
    return type(parts[0]).concat(parts)


def n_items(data: Data) -> int:
    """Items per replica along the sample axis (documents for tokens: all replicas' docs)."""
    if isinstance(data, TokenDocs):
        return data.n_docs
    return data.x.shape[1] if isinstance(data, Vectors) else data.X.shape[1]


def subsample(
    data: Data, synthetic: np.ndarray, budget: int, rng: ReplicaRNG
) -> tuple[Data, np.ndarray]:
    """Draw ``budget`` items per replica without replacement from a pool.

    Args:
        data: the pool.
        synthetic: per-item flag (documents for tokens) marking AI-made items.
        budget: items per replica to keep (all when the pool is smaller).
        rng: per-replica generators.

    Returns:
        The subsample and its AI share per replica.
    """
    if isinstance(data, TokenDocs):
        per_rep = data.docs_per_replica()
        first = np.concatenate([[0], np.cumsum(per_rep)[:-1]])
        picks = [
            first[r] + np.sort(g.choice(per_rep[r], size=min(budget, per_rep[r]), replace=False))
            for r, g in enumerate(rng)
        ]
        shares = np.array([synthetic[p].mean() if len(p) else 0.0 for p in picks])
        return data.take(np.concatenate(picks)), shares
    n = n_items(data)
    k = min(budget, n)
    idx = np.stack([np.sort(g.choice(n, size=k, replace=False)) for g in rng])
    shares = synthetic[idx].mean(axis=1)
    taken = data.take(idx) if isinstance(data, Vectors | Labeled) else data
    return taken, shares


def flags(data: Data, value: float) -> np.ndarray:
    """Per-item AI flags of ``data``, all ``value`` (documents for tokens)."""
    n = data.n_docs if isinstance(data, TokenDocs) else data.size_per_replica()[0]
    return np.full(n, value)


def merge(parts: list[RowPart]) -> RowPart:
    """Concatenate containers and their per-item AI flags, keeping them aligned."""
    merged = concat([data for data, _ in parts])
    flag = np.concatenate([f for _, f in parts])
    if isinstance(merged, TokenDocs):
        order = np.argsort(np.concatenate([data.replica for data, _ in parts]), kind="stable")
        flag = flag[order]
    return merged, flag


def ai_share(data: Data, flag: np.ndarray) -> np.ndarray:
    """AI share per replica: of documents for tokens, of items otherwise."""
    if isinstance(data, TokenDocs):
        per = np.bincount(data.replica, weights=flag, minlength=data.n_replicas)
        return per / np.maximum(data.docs_per_replica(), 1)
    n_replicas = len(data.size_per_replica())
    return np.full(n_replicas, flag.mean() if flag.size else 0.0)


class RowPool:
    """Every sample seen, with AI flags: the explicit path (any learner, every strategy).

    Args:
        initial: generation 0's human data (R replicas); the pool starts with it.
    """

    def __init__(self, initial: Data):
        self.initial = initial
        self.rows: RowPart = (initial, flags(initial, 0.0))

    def first(self, learner: Any, rng: ReplicaRNG) -> tuple[Any, TrainingSet]:
        """Generation 0: the fit on the initial human data."""
        size = self.initial.size_per_replica()
        return learner.fit(self.initial, rng), TrainingSet(self.initial, size, np.zeros(len(size)))

    def source(self, fitted: Any, n: int, rng: ReplicaRNG, decoding: DecodingParams) -> RowPart:
        """``n`` samples per replica from the previous generation's model."""
        synthetic = fitted.sample(np.full(fitted.n_replicas, n), rng, decoding)
        return synthetic, flags(synthetic, 1.0)

    def fresh(self, truth: Any, n: int, n_replicas: int, rng: ReplicaRNG) -> RowPart:
        """``n`` fresh human samples per replica from the truth."""
        human = truth.sample(np.full(n_replicas, n), rng)
        return human, flags(human, 0.0)

    def original(self, n: int, rng: ReplicaRNG) -> RowPart:
        """``n`` samples per replica drawn anew from generation 0's human data."""
        human = subsample(self.initial, flags(self.initial, 0.0), n, rng)[0]
        return human, flags(human, 0.0)

    def combine(self, parts: list[RowPart]) -> TrainingSet:
        """This generation's parts together."""
        data, flag = merge(parts)
        return TrainingSet(data, data.size_per_replica(), ai_share(data, flag))

    def add(self, parts: list[RowPart]) -> None:
        """Append this generation's parts to the pool."""
        self.rows = merge([self.rows, *parts])

    def everything(self) -> TrainingSet:
        """The whole pool."""
        data, flag = self.rows
        return TrainingSet(data, data.size_per_replica(), ai_share(data, flag))

    def subsample(self, budget: int, rng: ReplicaRNG) -> TrainingSet:
        """A uniform subsample of ``budget`` items per replica."""
        data, share = subsample(*self.rows, budget, rng)
        return TrainingSet(data, data.size_per_replica(), share)

    def fit(self, learner: Any, train: TrainingSet, rng: ReplicaRNG, previous: Any) -> Any:
        """Fit the rows (the learner may continue from ``previous``)."""
        return learner.fit(train.data, rng, previous=previous)


class StatsPool:
    """Additive sufficient statistics instead of rows: the fast path of a ``StatsLearner``
    whose fitted models draw a sample's statistics from their exact law (``sample_stats``).

    Identical in distribution to :class:`RowPool` for rules with ``on_statistics``; O(1) per
    replica and generation instead of O(samples).

    Args:
        learner: the stats learner.
        initial: generation 0's human data.
    """

    def __init__(self, learner: Any, initial: Data):
        self.learner = learner
        self.stats = learner.stats(initial)
        self.synthetic = np.zeros(len(self.stats.size()))

    def first(self, learner: Any, rng: ReplicaRNG) -> tuple[Any, TrainingSet]:
        """Generation 0: the fit on the initial data's statistics."""
        size = self.stats.size()
        return learner.fit_stats(self.stats), TrainingSet(self.stats, size, np.zeros(len(size)))

    def source(self, fitted: Any, n: int, rng: ReplicaRNG, decoding: DecodingParams) -> StatsPart:
        """The statistics of ``n`` model samples per replica, drawn from their exact law."""
        return fitted.sample_stats(np.full(fitted.n_replicas, n), rng, decoding), n

    def fresh(self, truth: Any, n: int, n_replicas: int, rng: ReplicaRNG) -> StatsPart:
        """The statistics of ``n`` fresh human samples per replica."""
        return self.learner.stats(truth.sample(np.full(n_replicas, n), rng)), 0

    def original(self, n: int, rng: ReplicaRNG) -> StatsPart:
        """Not on statistics: a draw from a pool needs its rows (``on_statistics`` is False)."""
        raise ValueError("drawing from generation 0's data needs its rows (explicit samples)")

    def combine(self, parts: list[StatsPart]) -> TrainingSet:
        """This generation's parts' statistics, summed."""
        stats, synthetic = parts[0]
        for more, n in parts[1:]:
            stats, synthetic = stats + more, synthetic + n
        size = stats.size()
        return TrainingSet(stats, size, synthetic / size)

    def add(self, parts: list[StatsPart]) -> None:
        """Add this generation's statistics to the pool's."""
        for stats, n in parts:
            self.stats = self.stats + stats
            self.synthetic += n

    def everything(self) -> TrainingSet:
        """The pool's statistics."""
        size = self.stats.size()
        return TrainingSet(self.stats, size, self.synthetic / size)

    def subsample(self, budget: int, rng: ReplicaRNG) -> TrainingSet:
        """Not on statistics: a subsample of a pool needs its rows."""
        raise ValueError("a subsample of the pool needs its rows (explicit samples)")

    def fit(self, learner: Any, train: TrainingSet, rng: ReplicaRNG, previous: Any) -> Any:
        """Fit from the statistics alone."""
        return learner.fit_stats(train.data)
