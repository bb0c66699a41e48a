"""What each generation of a crawling trainer trains on: the data strategies of DESIGN.md.

- ``replace``: this generation's crawl only;
- ``accumulate``: every document the trainer ever crawled (each once); learners with additive
  sufficient statistics (n-grams) keep running counts instead of refitting on the whole pool;
- ``accumulate_subsample``: a uniform subsample of that pool, of ``subsample_budget`` documents;
- ``fresh_fraction``: this crawl plus fresh human text (``fresh`` documents from the truth).

``extra`` human documents (a company's proprietary data: the seam for a later issue) join the
training set of any strategy. With ``init: continue`` a stats learner adds the new data's counts
to the previous generation's; any other learner gets the previous model as ``previous``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ecosystem.config.ecosystem import TrainerParams
from ecosystem.core.data import TokenDocs
from ecosystem.core.errors import RunSetupError
from ecosystem.core.rng import ReplicaRNG
from ecosystem.learners.base import StatsLearner
from ecosystem.world.content import ContentStore, Origin


@dataclass(frozen=True)
class Trained:
    """A fitted generation and what it was trained on.

    Attributes:
        fitted: the fitted model (R = 1).
        train_docs: documents behind the fit.
        train_tokens: tokens behind the fit.
        train_ai_share: share of those documents written by a model.
    """

    fitted: Any
    train_docs: int
    train_tokens: int
    train_ai_share: float


class TrainingData:
    """One trainer's data across generations.

    Args:
        params: the trainer's parameters (strategy, budgets, init).
        learner: the learner it fits.
    """

    def __init__(self, params: TrainerParams, learner: Any):
        self.params = params
        self.learner = learner
        self.uses_stats = isinstance(learner, StatsLearner)
        self.seen = np.zeros(0, dtype=bool)
        self._stats = None  # running statistics (accumulate, or continue)
        self._totals = np.zeros(3, dtype=np.int64)  # docs, tokens, AI docs behind _stats

    def crawl_budget(self) -> int:
        """Documents to crawl this generation (fresh_fraction crawls the non-fresh part)."""
        p = self.params
        if p.strategy == "fresh_fraction":
            return max(p.crawl_budget - round(p.fresh_fraction * p.crawl_budget), 0)
        return p.crawl_budget

    def fresh_docs(self) -> int:
        """Fresh human documents this generation needs (fresh_fraction only)."""
        p = self.params
        return round(p.fresh_fraction * p.crawl_budget) if p.strategy == "fresh_fraction" else 0

    def _remember(self, crawled: np.ndarray, n_docs: int) -> np.ndarray:
        """Mark ``crawled`` as seen; returns the ids not seen before."""
        if len(self.seen) < n_docs:
            self.seen = np.concatenate([self.seen, np.zeros(n_docs - len(self.seen), dtype=bool)])
        new = crawled[~self.seen[crawled]]
        self.seen[new] = True
        return new

    def next_generation(
        self,
        crawled: np.ndarray,
        store: ContentStore,
        rng: np.random.Generator,
        previous: Any = None,
        fresh: TokenDocs | None = None,
        extra: TokenDocs | None = None,
    ) -> Trained:
        """Assemble this generation's training data by strategy and fit it."""
        strategy = self.params.strategy
        new = self._remember(crawled, store.n_docs)
        if strategy == "accumulate_subsample":
            pool = np.flatnonzero(self.seen)
            size = min(self.params.subsample_budget or self.params.crawl_budget, len(pool))
            ids = np.sort(rng.choice(pool, size=size, replace=False))
        elif strategy == "accumulate":
            ids = new if self.uses_stats else np.flatnonzero(self.seen)
        else:
            ids = crawled
        parts = [store.take(ids), *(d for d in (fresh, extra) if d is not None)]
        data = TokenDocs.concat(parts)
        n_ai = int(np.count_nonzero(store.column("origin")[ids] == Origin.AI))
        totals = np.array([data.n_docs, data.n_tokens, n_ai], dtype=np.int64)
        keep_counts = strategy == "accumulate" or self.params.init == "continue"
        if self.uses_stats and keep_counts:
            stats = self.learner.stats(data)
            self._stats = stats if self._stats is None else self._stats + stats
            self._totals += totals
            self._check_not_empty(int(self._totals[0]))
            fitted = self.learner.fit_stats(self._stats)
            totals = self._totals
        else:
            prior = previous if self.params.init == "continue" else None
            self._check_not_empty(data.n_docs)
            fitted = self.learner.fit(data, ReplicaRNG([rng]), previous=prior)
        docs, tokens, ai = (int(v) for v in totals)
        return Trained(fitted, docs, tokens, ai / docs if docs else 0.0)

    def _check_not_empty(self, n_docs: int) -> None:
        """A model cannot be fitted on nothing: say which fields leave the crawl empty."""
        if n_docs == 0:
            raise RunSetupError(
                f"trainer {self.params.name!r} found no documents to train on (an empty "
                "crawl): raise authors.initial_docs or authors.count, or the trainer's "
                "recency_half_life or crawl_budget"
            )
