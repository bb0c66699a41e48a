"""The content store: every document ever published, in columns.

Tokens of all documents sit in one growable buffer with offsets (uint16 when the vocabulary
allows, else int32); metadata sit in parallel growable columns indexed by doc_id (= the order of
publication). Nothing here is one Python object per document: appending a batch, taking a set of
documents as :class:`TokenDocs`, and summarising are all vectorised.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
import polars as pl

from ecosystem.core.buffers import Column
from ecosystem.core.data import TokenDocs

HUMAN_AUTHORLESS = -1  # author id of documents without a human author (farm documents)
NO_MODEL = -1  # trainer and generation of human documents


class Origin(IntEnum):
    """Who wrote a document."""

    HUMAN = 0
    AI = 1


class ContentStore:
    """All published documents: tokens with offsets plus metadata columns.

    Args:
        vocab_size: V of the language (chooses the token dtype).
        capacity_docs: initial room for documents.
        capacity_tokens: initial room for tokens.
    """

    META = {
        "site": np.int64,
        "author": np.int64,
        "step": np.int32,
        "origin": np.int8,
        "trainer": np.int16,
        "generation": np.int32,
        "topic": np.int32,
        "watermark": np.bool_,
        "length": np.int32,
    }

    def __init__(
        self, vocab_size: int, capacity_docs: int = 1 << 16, capacity_tokens: int = 1 << 20
    ):
        token_dtype = np.uint16 if vocab_size <= np.iinfo(np.uint16).max + 1 else np.int32
        self._tokens = Column(token_dtype, capacity=capacity_tokens)
        self._ends = Column(np.int64, capacity=capacity_docs)
        self._meta = {
            name: Column(dtype, capacity=capacity_docs) for name, dtype in self.META.items()
        }
        self.n_ai = 0

    # ------------------------------------------------------------------ sizes and columns
    @property
    def n_docs(self) -> int:
        return self._ends.size

    @property
    def n_tokens(self) -> int:
        return self._tokens.size

    @property
    def tokens(self) -> np.ndarray:
        """Tokens of every document, concatenated in doc_id order (a read-only view)."""
        view = self._tokens.view.view()
        view.flags.writeable = False
        return view

    def column(self, name: str) -> np.ndarray:
        """A metadata column (a view over the first n_docs entries)."""
        return self._meta[name].view

    @property
    def offsets(self) -> np.ndarray:
        """int64 document offsets, length n_docs + 1."""
        return np.concatenate([[0], self._ends.view])

    # ------------------------------------------------------------------ writing
    def append(
        self,
        docs: TokenDocs,
        *,
        site: np.ndarray,
        author: np.ndarray,
        step: int,
        origin: np.ndarray,
        trainer: np.ndarray,
        generation: np.ndarray,
        watermark: np.ndarray,
    ) -> np.ndarray:
        """Publish ``docs`` with their metadata (arrays of length docs.n_docs); returns doc ids."""
        n = docs.n_docs
        base = self.n_tokens
        self._tokens.append(docs.tokens)
        self._ends.append(base + docs.offsets[1:])
        values = {
            "site": site,
            "author": author,
            "step": np.full(n, step),
            "origin": origin,
            "trainer": trainer,
            "generation": generation,
            "topic": docs.topics,
            "watermark": watermark,
            "length": docs.lengths,
        }
        for name, column in self._meta.items():
            column.append(np.broadcast_to(values[name], (n,)))
        self.n_ai += int(np.count_nonzero(np.asarray(origin) == Origin.AI))
        return np.arange(self.n_docs - n, self.n_docs, dtype=np.int64)

    # ------------------------------------------------------------------ reading
    def take(self, doc_ids: np.ndarray) -> TokenDocs:
        """The documents ``doc_ids`` as a one-replica TokenDocs (in the given order)."""
        doc_ids = np.asarray(doc_ids, dtype=np.int64)
        ends = self._ends.view[doc_ids]
        lengths = self._meta["length"].view[doc_ids].astype(np.int64)
        starts = ends - lengths
        offsets = np.zeros(len(doc_ids) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        gather = np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1])
        return TokenDocs(
            tokens=self._tokens.view[gather].astype(np.int32),
            offsets=offsets,
            topics=self._meta["topic"].view[doc_ids].copy(),
            replica=np.zeros(len(doc_ids), dtype=np.int32),
            n_replicas=1,
        )

    def frame(self) -> pl.DataFrame:
        """Metadata of every document as a polars DataFrame (doc_id first)."""
        columns = {"doc_id": np.arange(self.n_docs, dtype=np.int64)}
        columns.update({name: column.view.copy() for name, column in self._meta.items()})
        return pl.DataFrame(columns)

    def ai_share(self) -> float:
        """Share of all documents written by a model."""
        return self.n_ai / self.n_docs if self.n_docs else 0.0
