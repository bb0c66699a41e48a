"""The content store: every document ever published, as metadata columns; text when read.

Publishing a document records its metadata (site, author, step, topic, length, who wrote it)
in growable columns indexed by doc_id (= the order of publication). Its text is not drawn then:
a document's tokens are a pure function of the run seed, its id and its writer (the truth for
human text, a deployed model for AI text), drawn by :meth:`ContentStore.take` when a crawler or
a sample view reads it (``ecosystem.world.writers``). The web publishes far more than trainers
read, so the run pays for what is read. Writers that cannot draw from given uniforms (a
transformer samples through ``transformers.generate``) write at publication, and the store keeps
those tokens. Nothing here is one Python object per document.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
import polars as pl

from ecosystem.core.buffers import Column
from ecosystem.core.counter_uniforms import counter_key, document_uniforms
from ecosystem.core.data import TokenDocs
from ecosystem.core.rng import Stream
from ecosystem.world.streams import Draw
from ecosystem.world.writers import TextWriter, WritingPlan

HUMAN_AUTHORLESS = -1  # author id of documents without a human author (farm documents)
NO_MODEL = -1  # trainer and generation of human documents


class Origin(IntEnum):
    """Who wrote a document."""

    HUMAN = 0
    AI = 1


class _TextCache:
    """Text of documents already drawn (or written at publication), appended as it comes.

    ``slot`` has one entry per stored document: -1 until its text is kept, then the index of its
    text's start in ``starts`` (4 bytes a document; the tokens themselves only for documents
    somebody read).
    """

    def __init__(self, token_dtype: np.dtype):
        self.slot = Column(np.int32, capacity=1 << 16)
        self.starts = Column(np.int64, capacity=1 << 14)
        self.tokens = Column(token_dtype, capacity=1 << 20)

    @property
    def n_docs(self) -> int:
        return self.starts.size

    def grow(self, n: int) -> None:
        """Room for ``n`` newly published documents (none kept yet)."""
        self.slot.append(np.full(n, -1, dtype=np.int32))

    def add(self, ids: np.ndarray, docs: TokenDocs) -> None:
        """Keep the text ``docs`` of the documents ``ids`` (none kept yet)."""
        first = self.starts.size
        self.starts.append(self.tokens.size + docs.offsets[:-1])
        self.tokens.append(docs.tokens)
        self.slot.view[ids] = np.arange(first, first + len(ids), dtype=np.int32)

    def subset(self, ids: np.ndarray, lengths: np.ndarray) -> _TextCache:
        """A cache for the same documents holding only the text of ``ids`` (all kept)."""
        out = _TextCache(self.tokens.view.dtype)
        out.grow(self.slot.size)
        if len(ids):
            tokens = self.text(ids, lengths)
            offsets = np.zeros(len(ids) + 1, dtype=np.int64)
            np.cumsum(lengths, out=offsets[1:])
            out.add(
                ids, TokenDocs(tokens, offsets, np.zeros(len(ids), np.int32), 0 * offsets[1:], 1)
            )
        return out

    def kept(self, ids: np.ndarray) -> np.ndarray:
        """Which of ``ids`` have their text kept (a mask)."""
        return self.slot.view[ids] >= 0

    def text(self, ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The kept tokens of ``ids`` (of the given lengths), back to back, as int32."""
        starts = self.starts.view[self.slot.view[ids]]
        return self.tokens.view[_spans(starts, lengths)].astype(np.int32)


class ContentStore:
    """All published documents: metadata columns, and each document's writer.

    Args:
        vocab_size: V of the language (the dtype of kept tokens).
        seed: the run seed (the text streams).
        max_step: the last step (chooses the step column's width).
        max_length: the longest document (chooses the length column's width).
        max_writers: how many writers there may be (chooses the writer column's width).
        capacity_docs: initial room for documents.
    """

    STORED = ("site", "author", "step", "origin", "topic", "watermark", "length", "writer")
    DERIVED = ("trainer", "generation")  # looked up through the writer

    def __init__(
        self,
        vocab_size: int,
        seed: int = 0,
        max_step: int = 1 << 15,
        max_length: int = 1 << 15,
        max_writers: int = 1 << 15,
        capacity_docs: int = 1 << 16,
    ):
        small = np.iinfo(np.int16).max
        dtypes = {
            "site": np.int32,
            "author": np.int32,
            "step": np.int16 if max_step < small else np.int32,
            "origin": np.int8,
            "topic": np.int16,
            "watermark": np.bool_,
            "length": np.int16 if max_length <= small else np.int32,
            "writer": np.int16 if max_writers <= small else np.int32,
        }
        self._meta = {name: Column(dtypes[name], capacity=capacity_docs) for name in self.STORED}
        self._key = counter_key(seed, Stream.ECOSYSTEM, Draw.TEXT)
        self.writers: list[TextWriter] = []
        self._plan = WritingPlan()
        self._writer_index: dict[object, int] = {}
        self._writer_model = np.zeros((0, 2), dtype=np.int64)  # (trainer, generation) per writer
        self._cache = _TextCache(
            np.uint16 if vocab_size <= np.iinfo(np.uint16).max + 1 else np.int32
        )
        self.n_ai = 0
        self.n_tokens = 0
        self.site_tokens = np.zeros(0, dtype=np.int64)  # tokens published on each site
        self._step_docs = np.zeros(0, dtype=np.int64)  # documents published at step - 1

    def __getstate__(self) -> dict:
        """What a checkpoint keeps: everything but caches. The writing plan's stacks go, and so
        does the text of documents whose writer draws it from uniforms (drawn again, the same,
        when read after a resume); the text eager writers wrote at publication stays."""
        state = dict(self.__dict__)
        state["_plan"] = WritingPlan()
        eager = np.array([not w.lazy for w in self.writers], dtype=bool)
        if eager.any():
            ids = np.flatnonzero(eager[self._meta["writer"].view])
            ids = ids[self._cache.kept(ids)]
        else:
            ids = np.zeros(0, dtype=np.int64)
        lengths = self._meta["length"].view[ids].astype(np.int64)
        state["_cache"] = self._cache.subset(ids, lengths)
        return state

    # ------------------------------------------------------------------ writers
    def writer(self, key: object, make) -> int:
        """The id of the writer registered under ``key`` (``make()`` builds it the first time).

        The store keeps every writer that wrote anything, so any document's text can be drawn
        at any later time.
        """
        if key not in self._writer_index:
            writer: TextWriter = make()
            self._writer_index[key] = len(self.writers)
            self.writers.append(writer)
            model = np.array([[writer.trainer, writer.generation]], dtype=np.int64)
            self._writer_model = np.concatenate([self._writer_model, model])
        return self._writer_index[key]

    # ------------------------------------------------------------------ sizes and columns
    @property
    def n_docs(self) -> int:
        return self._meta["site"].size

    def column(self, name: str) -> np.ndarray:
        """A metadata column (a view over the first n_docs entries; trainer and generation
        are looked up through each document's writer, NO_MODEL for human text)."""
        if name in self.DERIVED:
            return self.values(name, np.arange(self.n_docs))
        return self._meta[name].view

    def values(self, name: str, doc_ids: np.ndarray) -> np.ndarray:
        """Column ``name`` of the documents ``doc_ids`` only (cheap for derived columns)."""
        if name in self.DERIVED:
            writer = self._meta["writer"].view[doc_ids]
            return self._writer_model[writer, self.DERIVED.index(name)]
        return self._meta[name].view[doc_ids]

    # ------------------------------------------------------------------ writing
    def append(
        self,
        *,
        topic: np.ndarray,
        length: np.ndarray,
        writer: np.ndarray,
        site: np.ndarray,
        author: np.ndarray,
        step: int,
        watermark: np.ndarray,
    ) -> np.ndarray:
        """Publish documents by their metadata (arrays of one entry per document, or scalars);
        returns their doc ids. Text of writers that draw from uniforms is drawn when read;
        :meth:`keep_text` stores the text of the others."""
        n = len(topic)
        writer = np.broadcast_to(np.asarray(writer, dtype=np.int64), (n,))
        origin = np.where(self._writer_model[writer, 0] == NO_MODEL, Origin.HUMAN, Origin.AI)
        values = {
            "site": site,
            "author": author,
            "step": step,
            "origin": origin,
            "topic": topic,
            "watermark": watermark,
            "length": length,
            "writer": writer,
        }
        for name, column in self._meta.items():
            column.append(np.broadcast_to(values[name], (n,)))
        self.n_ai += int(np.count_nonzero(origin == Origin.AI))
        self._count_step(step, n)
        self._cache.grow(n)
        length = np.asarray(length, dtype=np.int64)
        self.n_tokens += int(length.sum())
        site = np.asarray(site, dtype=np.int64)
        if len(site):
            top = int(site.max()) + 1
            if top > len(self.site_tokens):
                grown = np.zeros(max(top, 2 * len(self.site_tokens)), dtype=np.int64)
                grown[: len(self.site_tokens)] = self.site_tokens
                self.site_tokens = grown
            self.site_tokens += np.bincount(site, weights=length, minlength=len(self.site_tokens))[
                : len(self.site_tokens)
            ].astype(np.int64)
        return np.arange(self.n_docs - n, self.n_docs, dtype=np.int64)

    def _count_step(self, step: int, n: int) -> None:
        at = step + 1
        if len(self._step_docs) and at < len(self._step_docs) - 1:
            raise ValueError(f"documents of step {step} come after later steps' documents")
        if at >= len(self._step_docs):
            grown = np.zeros(at + 1, dtype=np.int64)
            grown[: len(self._step_docs)] = self._step_docs
            self._step_docs = grown
        self._step_docs[at] += n

    def docs_per_step(self) -> np.ndarray:
        """Documents published at each step from -1 (the backlog) on; documents are stored in
        step order, so step s's are the ids after those of the steps before it."""
        return self._step_docs

    def keep_text(self, doc_ids: np.ndarray, docs: TokenDocs) -> None:
        """Keep the text ``docs`` an eager writer wrote for the new documents ``doc_ids``."""
        self._cache.add(np.asarray(doc_ids, dtype=np.int64), docs)

    # ------------------------------------------------------------------ reading
    def take(self, doc_ids: np.ndarray) -> TokenDocs:
        """The documents ``doc_ids`` as a one-replica TokenDocs (in the given order).

        Documents not drawn yet are drawn by their writers from their own uniforms and cached
        (a document is drawn at most once); then every document's text is gathered from the
        cache in one pass.
        """
        doc_ids = np.asarray(doc_ids, dtype=np.int64)
        need = doc_ids[~self._cache.kept(doc_ids)]
        if len(need):
            self._draw(np.unique(need))
        lengths = self._meta["length"].view[doc_ids].astype(np.int64)
        offsets = np.zeros(len(doc_ids) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        tokens = self._cache.text(doc_ids, lengths)
        topics = self._meta["topic"].view[doc_ids].astype(np.int32)
        return TokenDocs(tokens, offsets, topics, np.zeros(len(doc_ids), dtype=np.int32), 1)

    def _draw(self, ids: np.ndarray) -> None:
        """Draw and cache the text of the documents ``ids`` (unique, none cached yet)."""
        lengths = self._meta["length"].view[ids].astype(np.int64)
        topics = self._meta["topic"].view[ids].astype(np.int64)
        writer = self._meta["writer"].view[ids]
        for pick, source in self._plan.batches(self.writers, writer):
            n = lengths[pick]
            u = document_uniforms(self._key, ids[pick], n, source.lanes)
            text = source.text(topics[pick], n, u)
            self._cache.add(ids[pick], TokenDocs.from_arrays(text, n, topics[pick], 0 * n, 1))

    @property
    def cached_docs(self) -> int:
        """Documents whose text is held (drawn once read, or written at publication)."""
        return self._cache.n_docs

    def frame(self) -> pl.DataFrame:
        """Metadata of every document as a polars DataFrame (doc_id first)."""
        columns = {"doc_id": np.arange(self.n_docs, dtype=np.int64)}
        columns.update({name: column.view.copy() for name, column in self._meta.items()})
        columns.update({name: self.column(name) for name in self.DERIVED})
        return pl.DataFrame(columns)

    def ai_share(self) -> float:
        """Share of all documents written by a model."""
        return self.n_ai / self.n_docs if self.n_docs else 0.0


def _spans(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Indices ``starts[i] .. starts[i] + lengths[i] - 1`` of every span, back to back."""
    before = np.cumsum(lengths) - lengths
    return np.repeat(starts - before, lengths) + np.arange(int(lengths.sum()))
