"""The mix stage: human data that joins a generation's source.

Four kinds, each optional:

- fresh human text drawn from the truth (``fresh_fraction``: licensed or commissioned text);
- retained original data, drawn anew each generation from generation 0's human data
  (``original_fraction``; in the world, documents of the trainer's generation-0 crawl);
- a company's proprietary data (:meth:`agents.companies.Company.proprietary_data`): ids of
  content-store documents (its own platforms' posts, licensed archives, a snapshot; see
  ``ecosystem.world.holdings``), which join every generation's training set as they are and
  are never pooled. Documents the strategy already selected are not added twice;
- documents of a public verified-human archive bought with a levy (``policies.levy``), which
  join every generation like proprietary data and are never pooled.

The fresh and original parts are the strategy's human part, sized by its share of the budget
(:meth:`~ecosystem.pipeline.strategies.StrategyRule.split`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ecosystem.core.data import TokenDocs


@dataclass(frozen=True)
class WorldMix:
    """Documents a trainer adds to its crawl this generation, besides store documents.

    Attributes:
        fresh: fresh human documents from the truth, or None.
        proprietary: store ids of its company's proprietary documents (filtered), or None.
        archive: documents of a public verified-human archive (a levy's commons), or None.
    """

    fresh: TokenDocs | None = None
    proprietary: np.ndarray | None = None
    archive: TokenDocs | None = None

    def parts(self) -> list[TokenDocs]:
        """The documents present that are not store documents: fresh text, then the archive."""
        return [d for d in (self.fresh, self.archive) if d is not None]

    def own(self, selected: np.ndarray) -> np.ndarray:
        """The proprietary ids not already in ``selected`` (a boolean mask over store ids, or
        ids), in id order; empty when there are none."""
        if self.proprietary is None:
            return np.zeros(0, dtype=np.int64)
        ids = np.asarray(self.proprietary, dtype=np.int64)
        if selected.dtype == bool:
            inside = np.zeros(len(ids), dtype=bool)
            known = ids < len(selected)
            inside[known] = selected[ids[known]]
            return ids[~inside]
        return ids[~np.isin(ids, selected)]


def fresh_documents(truth: Any, n: int, rng: np.random.Generator) -> TokenDocs:
    """``n`` fresh human documents of uniformly drawn topics (the world's fresh text)."""
    topics = rng.integers(0, truth.topics, size=n)
    return truth.sample_topics(topics, rng)


def original_documents(original: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` ids drawn without replacement from generation 0's ``original`` ids (all of them
    when there are fewer), sorted."""
    size = min(n, len(original))
    return np.sort(rng.choice(original, size=size, replace=False))
