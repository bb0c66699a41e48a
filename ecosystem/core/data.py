"""Columnar containers for the three modalities, batched over replicas.

A container holds the data of R replicas at once (R = 1 in the ecosystem, where each trainer
is one model). Tokens are one flat int32 array with document offsets; vectors and labeled
rows are dense arrays with a leading replica axis. Nothing here is one Python object per
document or per token.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TokenDocs:
    """Token documents of R replicas, flat and sorted by replica.

    Attributes:
        tokens: int32 token ids of all documents, concatenated.
        offsets: int64, length n_docs + 1; document i is tokens[offsets[i]:offsets[i+1]].
        topics: int32 topic id of each document.
        replica: int32 replica id of each document, non-decreasing.
        n_replicas: R.
    """

    tokens: np.ndarray
    offsets: np.ndarray
    topics: np.ndarray
    replica: np.ndarray
    n_replicas: int

    @property
    def n_docs(self) -> int:
        return int(self.topics.shape[0])

    @property
    def n_tokens(self) -> int:
        return int(self.tokens.shape[0])

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def doc_of_token(self) -> np.ndarray:
        """Index of the document each token belongs to."""
        return np.repeat(np.arange(self.n_docs), self.lengths)

    def position_in_doc(self) -> np.ndarray:
        """0-based position of each token within its document."""
        return np.arange(self.n_tokens) - np.repeat(self.offsets[:-1], self.lengths)

    def docs_per_replica(self) -> np.ndarray:
        return np.bincount(self.replica, minlength=self.n_replicas)

    def tokens_per_replica(self) -> np.ndarray:
        return np.bincount(self.replica, weights=self.lengths, minlength=self.n_replicas).astype(
            np.int64
        )

    def take(self, doc_index: np.ndarray) -> TokenDocs:
        """The documents at ``doc_index`` (kept in the given order; keep it replica-sorted)."""
        doc_index = np.asarray(doc_index, dtype=np.int64)
        lengths = self.lengths[doc_index]
        offsets = np.zeros(doc_index.shape[0] + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        starts = self.offsets[:-1][doc_index]
        gather = np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1])
        return TokenDocs(
            tokens=self.tokens[gather],
            offsets=offsets,
            topics=self.topics[doc_index],
            replica=self.replica[doc_index],
            n_replicas=self.n_replicas,
        )

    def for_replica(self, r: int) -> TokenDocs:
        """The documents of replica ``r``, relabelled as a one-replica container."""
        idx = np.flatnonzero(self.replica == r)
        one = self.take(idx)
        return TokenDocs(one.tokens, one.offsets, one.topics, np.zeros_like(one.replica), 1)

    @staticmethod
    def concat(parts: list[TokenDocs]) -> TokenDocs:
        """Concatenate containers of the same R, re-sorting documents by replica (stable)."""
        parts = [p for p in parts if p is not None]
        if len(parts) == 1:
            return parts[0]
        n_replicas = parts[0].n_replicas
        tokens = np.concatenate([p.tokens for p in parts])
        lengths = np.concatenate([p.lengths for p in parts])
        offsets = np.zeros(lengths.shape[0] + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        merged = TokenDocs(
            tokens=tokens,
            offsets=offsets,
            topics=np.concatenate([p.topics for p in parts]),
            replica=np.concatenate([p.replica for p in parts]),
            n_replicas=n_replicas,
        )
        order = np.argsort(merged.replica, kind="stable")
        if np.all(order == np.arange(order.shape[0])):
            return merged
        return merged.take(order)

    @staticmethod
    def from_arrays(
        tokens: np.ndarray, lengths: np.ndarray, topics: np.ndarray, replica: np.ndarray, n: int
    ) -> TokenDocs:
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return TokenDocs(
            tokens=np.asarray(tokens, dtype=np.int32),
            offsets=offsets,
            topics=np.asarray(topics, dtype=np.int32),
            replica=np.asarray(replica, dtype=np.int32),
            n_replicas=n,
        )

    def size_per_replica(self) -> np.ndarray:
        """Training-set size per replica, counted in documents."""
        return self.docs_per_replica()


@dataclass(frozen=True)
class Vectors:
    """Real vectors of R replicas: ``x`` has shape (R, n, d)."""

    x: np.ndarray

    @property
    def n_replicas(self) -> int:
        return int(self.x.shape[0])

    def size_per_replica(self) -> np.ndarray:
        return np.full(self.n_replicas, self.x.shape[1], dtype=np.int64)

    def take(self, index: np.ndarray) -> Vectors:
        """Rows ``index`` (shape (R, m)) of each replica."""
        return Vectors(np.take_along_axis(self.x, index[:, :, None], axis=1))

    @staticmethod
    def concat(parts: list[Vectors]) -> Vectors:
        return Vectors(np.concatenate([p.x for p in parts if p is not None], axis=1))


@dataclass(frozen=True)
class Labeled:
    """Regression rows of R replicas: ``X`` (R, n, d) and ``y`` (R, n)."""

    X: np.ndarray
    y: np.ndarray

    @property
    def n_replicas(self) -> int:
        return int(self.X.shape[0])

    def size_per_replica(self) -> np.ndarray:
        return np.full(self.n_replicas, self.X.shape[1], dtype=np.int64)

    def take(self, index: np.ndarray) -> Labeled:
        return Labeled(
            np.take_along_axis(self.X, index[:, :, None], axis=1),
            np.take_along_axis(self.y, index, axis=1),
        )

    @staticmethod
    def concat(parts: list[Labeled]) -> Labeled:
        parts = [p for p in parts if p is not None]
        return Labeled(
            np.concatenate([p.X for p in parts], axis=1), np.concatenate([p.y for p in parts], 1)
        )


Data = TokenDocs | Vectors | Labeled


class ByPosition:
    """Documents laid out to be written position by position, all documents at once.

    Documents are visited longest first, so those still being written at position t are a
    prefix of ``order``; :meth:`positions` yields, for each position, how many are active and
    where their token t goes in the flat token array.

    Args:
        lengths: each document's length (documents back to back in that order).
    """

    def __init__(self, lengths: np.ndarray):
        lengths = np.asarray(lengths, dtype=np.int64)
        self.offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=self.offsets[1:])
        self.order = np.argsort(-lengths, kind="stable")
        self._sorted = lengths[self.order]
        self._start = self.offsets[:-1][self.order]

    def empty_tokens(self) -> np.ndarray:
        """The flat int32 token array to fill."""
        return np.empty(int(self.offsets[-1]), dtype=np.int32)

    def positions(self) -> Iterator[tuple[int, int, np.ndarray]]:
        """(t, n_active, where) for t = 0 .. the longest length - 1."""
        n_active = len(self.order)
        for t in range(int(self._sorted[0]) if n_active else 0):
            while n_active and self._sorted[n_active - 1] <= t:
                n_active -= 1
            yield t, n_active, self._start[:n_active] + t
