"""The filter stage: documents a crawl collected but a trainer will not train on.

:data:`NO_FILTERS` is a trainer's chain unless a policy lever adds a :class:`Filter`: the
AI-text detector and the watermark check (:mod:`.detector`), the provenance-label filter
(:mod:`.provenance`); ``ecosystem.world.policies.Policies.filters`` builds each trainer's chain.
With no filter :func:`apply_filters` returns the crawl itself. A filter that needs randomness
(a detector's error rates) draws it from its own named stream of the run seed, never from the
crawl's. The lab's source (a model's own samples) is synthetic by construction and unfiltered.
A company's proprietary documents (its own platform's posts, licensed archives, a snapshot) go
through the same chain as its trainers' crawls (``agents/trainers.py``), so once posts carry
provenance labels an owner can drop the labelled AI posts of its own platform.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class DocumentColumns(Protocol):
    """What a filter may read about documents: the content store's metadata columns."""

    def column(self, name: str) -> np.ndarray:
        """A metadata column (origin, site, step, watermark, ...) indexed by document id."""
        ...

    def values(self, name: str, doc_ids: np.ndarray) -> np.ndarray:
        """Column ``name`` of the documents ``doc_ids`` (also trainer and generation)."""
        ...


class Filter(Protocol):
    """One rule that drops crawled documents before they reach a training set."""

    name: str

    def keep(self, doc_ids: np.ndarray, store: DocumentColumns, generation: int) -> np.ndarray:
        """A boolean mask over ``doc_ids``: True for documents the trainer may train on."""
        ...


NO_FILTERS: tuple[Filter, ...] = ()
"""The default chain: keep every crawled document."""


def apply_filters(
    doc_ids: np.ndarray,
    store: DocumentColumns,
    generation: int,
    filters: tuple[Filter, ...] = NO_FILTERS,
) -> np.ndarray:
    """The crawled ``doc_ids`` that pass every filter of the chain, in crawl order."""
    for rule in filters:
        doc_ids = doc_ids[rule.keep(doc_ids, store, generation)]
    return doc_ids
