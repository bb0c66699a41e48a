"""A trainer's pipeline in the world: its crawl, mixed and selected by the strategy's rule.

Source: the crawl (:func:`ecosystem.world.crawl.crawl`, sized by :meth:`CrawlPipeline.split`).
Filters: :mod:`ecosystem.pipeline.filters` (the policy levers' chain; empty by default). Mix:
fresh human documents, documents redrawn from the trainer's generation-0 training set
(``original_fraction``), its company's proprietary documents and a levy-funded archive
(:class:`~ecosystem.pipeline.mix.WorldMix`). Strategy:
:func:`~ecosystem.pipeline.strategies.apply_strategy` over a :class:`StorePool` of every
document the trainer crawled (each once). Fit: the learner's; with ``init: continue`` a stats
learner adds the new data's counts to the previous generation's, any other learner gets the
previous model as ``previous``.

Fast path: a stats learner (n-grams) under a rule that trains on the whole pool keeps running
counts of the documents entering the pool instead of refitting on all of them (equal counts);
the mix joins those counts each generation without entering them.
Fresh documents are not store documents; proprietary documents are store ids (index sets of
the company's holdings, taken from the store when fitting). Both join the strategy's selection
(a rule with a human part never pools, so joining it before or after the strategy is the same);
a proprietary document the selection (or, on the fast path, the pool) already has is not added
twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ecosystem.config.ecosystem import TrainerParams
from ecosystem.core.data import TokenDocs
from ecosystem.core.rng import ReplicaRNG
from ecosystem.learners.base import StatsLearner
from ecosystem.pipeline.filters import NO_FILTERS, Filter
from ecosystem.pipeline.mix import WorldMix, original_documents
from ecosystem.pipeline.strategies import apply_strategy, strategy_rule
from ecosystem.world.content import ContentStore, Origin


@dataclass(frozen=True)
class Selection:
    """Store documents a generation trains on.

    Attributes:
        ids: the documents the strategy selected.
        new: the documents that entered the pool this generation (accumulating rules; else
            ``ids``): running statistics of the whole pool add only these.
    """

    ids: np.ndarray
    new: np.ndarray


class StorePool:
    """Every document a trainer crawled, each once (a mask over the content store's ids)."""

    def __init__(self):
        self.seen = np.zeros(0, dtype=bool)
        self.new = np.zeros(0, dtype=np.int64)

    def combine(self, parts: list[np.ndarray]) -> Selection:
        """This generation's documents (the crawl, then any redrawn original documents)."""
        ids = parts[0] if len(parts) == 1 else np.concatenate(parts)
        return Selection(ids, ids)

    def add(self, parts: list[np.ndarray]) -> None:
        """Mark this generation's documents as seen."""
        ids = parts[0] if len(parts) == 1 else np.concatenate(parts)
        size = int(ids.max()) + 1 if len(ids) else 0
        if len(self.seen) < size:
            self.seen = np.concatenate([self.seen, np.zeros(size - len(self.seen), dtype=bool)])
        self.new = ids[~self.seen[ids]]
        self.seen[self.new] = True

    def everything(self) -> Selection:
        """Every document seen, in id order."""
        return Selection(np.flatnonzero(self.seen), self.new)

    def subsample(self, budget: int, rng: np.random.Generator) -> Selection:
        """``budget`` documents drawn uniformly without replacement from those seen."""
        pool = np.flatnonzero(self.seen)
        ids = np.sort(rng.choice(pool, size=min(budget, len(pool)), replace=False))
        return Selection(ids, self.new)


@dataclass(frozen=True)
class Trained:
    """A fitted generation and what it was trained on.

    Attributes:
        fitted: the fitted model (R = 1).
        train_docs: documents behind the fit.
        train_tokens: tokens behind the fit.
        train_ai_share: share of those documents written by a model.
        selection: the store documents the strategy selected this generation.
        proprietary: the company's documents added besides the selection (store ids).
        proprietary_tokens: their tokens.
    """

    fitted: Any
    train_docs: int
    train_tokens: int
    train_ai_share: float
    selection: Selection
    proprietary: np.ndarray
    proprietary_tokens: int


class CrawlPipeline:
    """One trainer's training data across generations.

    Args:
        params: the trainer's parameters (strategy, shares, budgets, init).
        learner: the learner it fits.
        filters: the filter chain applied to each crawl (none by default).
    """

    def __init__(
        self, params: TrainerParams, learner: Any, filters: tuple[Filter, ...] = NO_FILTERS
    ):
        self.params = params
        self.rule = strategy_rule(params.strategy)
        self.learner = learner
        self.filters = filters
        self.uses_stats = isinstance(learner, StatsLearner)
        self.pool = StorePool()
        self.original: np.ndarray | None = None  # generation 0's training documents
        self._stats = None  # running statistics (whole-pool rules, or init: continue)
        self._totals = np.zeros(3, dtype=np.int64)  # docs, tokens, AI docs behind _stats

    def split(self, generation: int) -> tuple[int, int]:
        """(documents to crawl, human documents to mix in) of ``generation``.

        Generation 0 of ``original_fraction`` crawls its whole budget: it is the original.
        """
        if self.rule.human == "original" and generation == 0:
            return self.params.crawl_budget, 0
        return self.rule.split(self.params.crawl_budget, self.rule.human_share(self.params))

    def original_part(self, n: int, rng: np.random.Generator) -> list[np.ndarray]:
        """``n`` documents redrawn from generation 0's training set (original_fraction)."""
        if self.original is None:
            raise ValueError("generation 0 is the original: it draws no original documents")
        return [original_documents(self.original, n, rng)]

    def next_generation(
        self,
        crawled: np.ndarray,
        store: ContentStore,
        rng: np.random.Generator,
        previous: Any = None,
        mix: WorldMix = WorldMix(),
        original: list[np.ndarray] | None = None,
    ) -> Trained:
        """Select this generation's training data by the strategy's rule and fit it.

        Args:
            crawled: the filtered crawl (store ids).
            store: the content store.
            rng: the crawl's stream (continued: subsamples, then the learner's randomness).
            previous: the previous generation's fitted model.
            mix: fresh and proprietary documents.
            original: redrawn generation-0 documents (:meth:`original_part`).
        """
        p = self.params
        parts = [crawled, *(original or [])]
        budget = p.subsample_budget or p.crawl_budget
        selection = apply_strategy(self.rule, self.pool, parts, budget, rng)
        if self.rule.human == "original" and self.original is None:
            self.original = selection.ids
        if self.uses_stats and self.rule.accumulates_all:
            own = mix.own(self.pool.seen)
            fitted, totals = self._fit_pool_counts(store, selection.new, mix, own)
        else:
            own = mix.own(selection.ids)
            owned = [store.take(own)] if len(own) else []
            data = TokenDocs.concat([store.take(selection.ids), *mix.parts(), *owned])
            n_ai = _ai_docs(store, selection.ids) + _ai_docs(store, own)
            totals = np.array([data.n_docs, data.n_tokens, n_ai], dtype=np.int64)
            if self.uses_stats and p.init == "continue":  # the previous counts plus this data's
                fitted, totals = self._add_counts(data, totals), self._totals
            else:
                prior = previous if p.init == "continue" else None
                fitted = self.learner.fit(data, ReplicaRNG([rng]), previous=prior)
        docs, tokens, ai = (int(v) for v in totals)
        own_tokens = int(store.column("length")[own].sum())
        share = ai / docs if docs else 0.0
        return Trained(fitted, docs, tokens, share, selection, own, own_tokens)

    def _add_counts(self, data: TokenDocs, totals: np.ndarray) -> Any:
        """Add ``data``'s statistics (and its totals) to the running ones; fit those."""
        stats = self.learner.stats(data)
        self._stats = stats if self._stats is None else self._stats + stats
        self._totals += totals
        return self.learner.fit_stats(self._stats)

    def _fit_pool_counts(
        self, store: ContentStore, new: np.ndarray, mix: WorldMix, own: np.ndarray
    ) -> tuple[Any, np.ndarray]:
        """The whole-pool fast path: running counts of the pool (only the documents new to it
        are counted), plus this generation's mix (fresh text and the proprietary documents
        ``own``), which is not pooled."""
        docs = TokenDocs.concat([store.take(new)])
        n_ai = _ai_docs(store, new)
        self._add_counts(docs, np.array([docs.n_docs, docs.n_tokens, n_ai], dtype=np.int64))
        stats, totals = self._stats, self._totals.copy()
        extra = mix.parts() + ([store.take(own)] if len(own) else [])
        if extra:
            added = TokenDocs.concat(extra)
            stats = stats + self.learner.stats(added)
            n_ai = _ai_docs(store, own)
            totals += np.array([added.n_docs, added.n_tokens, n_ai], dtype=np.int64)
        return self.learner.fit_stats(stats), totals


def _ai_docs(store: ContentStore, ids: np.ndarray) -> int:
    """How many of the documents ``ids`` a model wrote."""
    return int(np.count_nonzero(store.column("origin")[ids] == Origin.AI))
