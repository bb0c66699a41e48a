"""Token documents as the rows a causal language model trains on and scores.

Every document becomes one row (or, when longer than the context, several pieces of at most
``block_size - 1`` tokens): its start token followed by its tokens, right-padded to the longest
row of a batch. The model predicts every token of the row from the ones before it, the first from
the start token alone; padding is masked out of the loss and never seen by real positions (the
attention is causal and padding only ever follows them), so no attention mask is needed. This is
the "pad" choice rather than concatenating documents and chunking the stream: it keeps documents
whole, matches how documents are sampled (from the start token, to the human documents' length)
and makes per-document scores exact.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ecosystem.core.data import TokenDocs


@dataclass(frozen=True)
class TokenSpace:
    """How the truth's tokens and documents map onto the model's ids.

    Attributes:
        vocab_size: V, the truth's tokens (ids 0..V-1 are shared with the model).
        start_ids: the start token of each topic (length K; all equal when not per topic).
        pad_id: the id padding rows and generation (the first start id: padding is never
            attended to or scored, and a pad id that is not the model's own keeps
            ``transformers`` from guessing that inputs need an attention mask).
        suppress: ids generation must never produce (start, special and out-of-truth ids).
        context: the most tokens a training or scoring row holds, the start token included.
        max_positions: the most positions generation may use (start, prompt and document).
    """

    vocab_size: int
    start_ids: np.ndarray
    pad_id: int
    suppress: list[int]
    context: int
    max_positions: int

    def starts(self, topics: np.ndarray) -> np.ndarray:
        """Start token of documents with these topics."""
        return self.start_ids[np.minimum(topics, self.start_ids.shape[0] - 1)]


@dataclass(frozen=True)
class Pieces:
    """Documents cut into start-token-prefixed rows.

    Attributes:
        rows: (n_pieces, 1 + width) int64 token ids: the start token, the piece, then padding.
        lengths: (n_pieces,) tokens of each piece (the start token not counted).
        token_index: (n_pieces, width) index into ``docs.tokens`` of each predicted token,
            -1 on padding.
        doc: (n_pieces,) the document each piece comes from.
    """

    rows: np.ndarray
    lengths: np.ndarray
    token_index: np.ndarray
    doc: np.ndarray

    @property
    def n_pieces(self) -> int:
        return int(self.lengths.shape[0])


def split_pieces(docs: TokenDocs, start_tokens: np.ndarray, max_length: int, pad_id: int) -> Pieces:
    """Cut ``docs`` into rows of a start token plus at most ``max_length`` tokens.

    Args:
        docs: the documents (any number of replicas; replica labels are ignored).
        start_tokens: (n_docs,) the token each document's pieces start with.
        max_length: most tokens per piece (the context minus the start token).
        pad_id: the id filling rows past their piece.
    """
    lengths = docs.lengths.astype(np.int64)
    per_doc = -(-lengths // max_length)  # empty documents give no piece
    doc = np.repeat(np.arange(docs.n_docs), per_doc)
    first_piece = np.repeat(np.cumsum(per_doc) - per_doc, per_doc)
    k = np.arange(doc.shape[0]) - first_piece  # piece number within its document
    start = docs.offsets[:-1][doc] + k * max_length
    piece_len = np.minimum(max_length, lengths[doc] - k * max_length)
    width = int(piece_len.max()) if piece_len.size else 0
    col = np.arange(width)
    inside = col[None, :] < piece_len[:, None]
    token_index = np.where(inside, start[:, None] + col[None, :], -1)
    rows = np.full((doc.shape[0], width + 1), pad_id, dtype=np.int64)
    rows[:, 0] = start_tokens[doc]
    rows[:, 1:][inside] = docs.tokens[token_index[inside]]
    return Pieces(rows=rows, lengths=piece_len, token_index=token_index, doc=doc)


def training_batches(
    n_rows: int, batch_size: int, steps: int, rng: np.random.Generator
) -> Iterator[np.ndarray]:
    """Row indices of ``steps`` batches: epochs of fresh permutations, each cut into batches."""
    per_epoch = -(-n_rows // batch_size)
    made = 0
    while made < steps:
        order = rng.permutation(n_rows)
        for b in range(min(per_epoch, steps - made)):
            yield order[b * batch_size : (b + 1) * batch_size]
        made += per_epoch


def scoring_batches(lengths: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """Row indices in batches of similar length (longest first), to keep padding small."""
    order = np.argsort(-lengths, kind="stable")
    return [order[i : i + batch_size] for i in range(0, order.shape[0], batch_size)]
