"""The lab's pipeline: each generation trains on its predecessor's own samples, mixed and
selected by the strategy's rule.

Source: ``M_g`` samples of generation g-1's model (minus the human part). Filters: none (the
samples are synthetic by construction). Mix: fresh human samples from the truth, or a draw from
generation 0's human data. Strategy: :func:`~ecosystem.pipeline.strategies.apply_strategy` over a
pool of rows (:class:`~ecosystem.pipeline.pools.RowPool`) or, as a fast path, of sufficient
statistics (:class:`~ecosystem.pipeline.pools.StatsPool`). Fit: the learner's.

A learner may also offer the whole loop in closed form (``closed_form_loop``, the Gaussian's
batched recursion): :func:`closed_form_generations` uses it where the rule allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ecosystem.config.learners import DecodingParams
from ecosystem.config.schema import LoopParams
from ecosystem.core.data import Data
from ecosystem.core.rng import ReplicaRNG
from ecosystem.learners.base import StatsLearner, supports_stat_sampling
from ecosystem.pipeline.pools import RowPool, StatsPool, TrainingSet
from ecosystem.pipeline.strategies import StrategyRule, apply_strategy


@dataclass(frozen=True)
class LabStreams:
    """The random streams of one strategy's loop (restarted for every strategy).

    Attributes:
        source: the model's samples.
        fresh: fresh human samples.
        subsample: subsamples of the pool and draws from generation 0's data.
        fit: the learner's own randomness.
    """

    source: ReplicaRNG
    fresh: ReplicaRNG
    subsample: ReplicaRNG
    fit: ReplicaRNG


@dataclass(frozen=True)
class Generation:
    """A fitted generation of R replicas and what it was trained on."""

    fitted: Any
    train: TrainingSet


class LabPipeline:
    """Builds and fits generation after generation of one strategy.

    Args:
        rule: the strategy's rule.
        pool: rows or statistics (the pool also sources, mixes and fits in its representation).
        learner: the learner.
        truth: the truth (fresh human samples).
        loop: the loop's parameters (sizes, shares, subsample budget).
        decoding: how models sample.
        streams: the random streams.
    """

    def __init__(
        self,
        rule: StrategyRule,
        pool: RowPool | StatsPool,
        learner: Any,
        truth: Any,
        loop: LoopParams,
        decoding: DecodingParams,
        streams: LabStreams,
    ):
        self.rule, self.pool, self.learner, self.truth = rule, pool, learner, truth
        self.loop, self.decoding, self.streams = loop, decoding, streams
        self.share = rule.human_share(loop)
        self.budget = loop.subsample_budget or loop.samples_per_generation
        fitted, train = pool.first(learner, streams.fit)
        self.generation0 = Generation(fitted, train)

    @property
    def on_statistics(self) -> bool:
        """Whether this pipeline runs on sufficient statistics."""
        return isinstance(self.pool, StatsPool)

    def next(self, previous: Generation, generation: int) -> Generation:
        """Generation ``generation`` (>= 1) from its predecessor."""
        n_source, n_human = self.rule.split(self.loop.samples_at(generation), self.share)
        parts = [self.pool.source(previous.fitted, n_source, self.streams.source, self.decoding)]
        if n_human:
            parts.append(self._human(n_human, previous.fitted.n_replicas))
        train = apply_strategy(self.rule, self.pool, parts, self.budget, self.streams.subsample)
        fitted = self.pool.fit(self.learner, train, self.streams.fit, previous.fitted)
        return Generation(fitted, train)

    def _human(self, n: int, n_replicas: int):
        """The human part: fresh from the truth, or drawn from generation 0's data."""
        if self.rule.human == "original":
            return self.pool.original(n, self.streams.subsample)
        return self.pool.fresh(self.truth, n, n_replicas, self.streams.fresh)


def use_statistics(rule: StrategyRule, learner: Any, sampling: str) -> bool:
    """Whether the statistics fast path may run ``rule`` (``sampling``: auto, explicit or
    statistics; the scenario schema rejects ``statistics`` where it cannot)."""
    if sampling == "explicit" or not rule.on_statistics:
        return False
    return isinstance(learner, StatsLearner)


def lab_pipeline(
    rule: StrategyRule,
    learner: Any,
    initial: Data,
    truth: Any,
    loop: LoopParams,
    decoding: DecodingParams,
    streams: LabStreams,
) -> LabPipeline:
    """The pipeline of one strategy: on statistics where exact, else on explicit rows."""
    if use_statistics(rule, learner, loop.sampling):
        pool = StatsPool(learner, initial)
        fast = LabPipeline(rule, pool, learner, truth, loop, decoding, streams)
        if supports_stat_sampling(fast.generation0.fitted):
            return fast
    return LabPipeline(rule, RowPool(initial), learner, truth, loop, decoding, streams)


def closed_form_generations(
    rule: StrategyRule,
    learner: Any,
    initial: Data,
    truth: Any,
    loop: LoopParams,
    decoding: DecodingParams,
    streams: LabStreams,
) -> dict[str, np.ndarray] | None:
    """Every generation at once, when the learner offers a closed-form loop for ``rule``.

    Returns:
        (G+1, R) arrays: the metrics, ``train_size`` and ``train_ai_share``; or None when the
        learner has no closed form, the rule needs explicit samples, or the learner declines.
    """
    closed_form = getattr(learner, "closed_form_loop", None)
    if closed_form is None or not use_statistics(rule, learner, loop.sampling):
        return None
    sizes = np.array([loop.samples_at(g) for g in range(1, loop.generations + 1)], dtype=np.int64)
    return closed_form(
        learner.fit_stats(learner.stats(initial)),
        np.full(initial.size_per_replica().shape[0], loop.samples_at(0)),
        sizes,
        rule,
        rule.human_share(loop),
        truth,
        decoding,
        streams.source,
        streams.fresh,
    )
