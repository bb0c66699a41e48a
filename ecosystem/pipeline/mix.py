"""The mix stage: human data that joins a generation's source.

Four kinds, each optional:

- fresh human text drawn from the truth (``fresh_fraction``: licensed or commissioned text);
- retained original data, drawn anew each generation from generation 0's human data
  (``original_fraction``; in the world, documents of the trainer's generation-0 crawl);
- a company's proprietary human data (:meth:`agents.companies.Company.proprietary_data`), which
  joins every generation's training set as it is and is never pooled. Data moats and licensing
  plug in there; today no company holds any;
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
        proprietary: its company's proprietary human documents, or None.
        archive: documents of a public verified-human archive (a levy's commons), or None.
    """

    fresh: TokenDocs | None = None
    proprietary: TokenDocs | None = None
    archive: TokenDocs | None = None

    def parts(self) -> list[TokenDocs]:
        """The documents present, fresh first."""
        return [d for d in (self.fresh, self.proprietary, self.archive) if d is not None]


def fresh_documents(truth: Any, n: int, rng: np.random.Generator) -> TokenDocs:
    """``n`` fresh human documents of uniformly drawn topics (the world's fresh text)."""
    topics = rng.integers(0, truth.topics, size=n)
    return truth.sample_topics(topics, rng)


def original_documents(original: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` ids drawn without replacement from generation 0's ``original`` ids (all of them
    when there are fewer), sorted."""
    size = min(n, len(original))
    return np.sort(rng.choice(original, size=size, replace=False))
