"""Real human text as the truth: a corpus cut into fixed-length token blocks.

The corpus (see :mod:`ecosystem.truth.corpus`) is tokenized and each split's token stream is cut
into documents of ``block_length`` tokens (the remainder is dropped), as Shumailov et al. did
with wikitext-2 and 64-token blocks. Human data are blocks of the training split, drawn without
replacement (cycling through fresh permutations once a replica asks for more blocks than there
are); the held-out test split is what the loop evaluates on (:meth:`TextTruth.test_sample`).

The real distribution is unknown, so this truth has no ``log_prob``: learners report
cross-entropy and perplexity on held-out text, not an excess over the truth.
"""

from __future__ import annotations

import numpy as np

from ecosystem.config.text import TextTruthParams
from ecosystem.core.data import TokenDocs
from ecosystem.core.errors import RunSetupError
from ecosystem.core.exact_draws import cycled_indices
from ecosystem.core.rng import ReplicaRNG
from ecosystem.truth.corpus import build_tokenizer, read_corpus


class TextTruth:
    """Human text from a corpus, as one-topic token documents of ``block_length`` tokens.

    Args:
        params: the corpus, tokenizer, block length and held-out share.
        seed: the run seed (unused: reading, splitting and tokenizing are deterministic).

    Attributes:
        modality: "text".
        vocab_size: the tokenizer's vocabulary size.
        topics: 1.
        train_blocks: (n_train_blocks, block_length) int32 token ids of the training split.
        test_blocks: (n_test_blocks, block_length) int32 token ids of the held-out split.
    """

    modality = "text"
    topics = 1

    def __init__(self, params: TextTruthParams, seed: int = 0):
        self.params = params
        train_texts, test_texts = read_corpus(params)
        self.tokenizer = build_tokenizer(params, train_texts)
        self.vocab_size = int(self.tokenizer.vocab_size)
        length = params.block_length
        self.train_blocks = _blocks(self.tokenizer.encode(train_texts), length)
        self.test_blocks = _blocks(self.tokenizer.encode(test_texts), length)
        for split, blocks in (("training", self.train_blocks), ("test", self.test_blocks)):
            if len(blocks) == 0:
                raise RunSetupError(
                    f"truth: the {split} split holds fewer than block_length={length} tokens "
                    "(use a larger corpus, a larger test_fraction or shorter blocks)"
                )

    def sample(self, n: np.ndarray, rng: ReplicaRNG) -> TokenDocs:
        """``n[r]`` human documents for each replica r, blocks of the training split."""
        return _draw(self.train_blocks, n, rng)

    def test_sample(self, n: np.ndarray, rng: ReplicaRNG) -> TokenDocs:
        """Held-out documents: the whole test split (in order) when ``n`` covers it, else a draw."""
        n = np.broadcast_to(np.asarray(n, dtype=np.int64), (len(rng),))
        n_blocks = len(self.test_blocks)
        if np.all(n >= n_blocks):
            every = np.tile(np.arange(n_blocks), len(rng))
            return _docs(self.test_blocks, every, np.full(len(rng), n_blocks))
        return _draw(self.test_blocks, np.minimum(n, n_blocks), rng)

    def spell_docs(self, docs: TokenDocs, limit: int | None = None) -> list[str]:
        """The text of the first ``limit`` documents (for sample tables, not hot paths)."""
        n = docs.n_docs if limit is None else min(limit, docs.n_docs)
        return self.tokenizer.decode(
            [docs.tokens[docs.offsets[i] : docs.offsets[i + 1]] for i in range(n)]
        )


def _blocks(stream: np.ndarray, length: int) -> np.ndarray:
    n_blocks = len(stream) // length
    return stream[: n_blocks * length].reshape(n_blocks, length)


def _draw(blocks: np.ndarray, n: np.ndarray, rng: ReplicaRNG) -> TokenDocs:
    n = np.broadcast_to(np.asarray(n, dtype=np.int64), (len(rng),))
    picks = [cycled_indices(g, len(blocks), int(n[r])) for r, g in enumerate(rng)]
    return _docs(blocks, np.concatenate(picks).astype(np.int64), n)


def _docs(blocks: np.ndarray, index: np.ndarray, per_replica: np.ndarray) -> TokenDocs:
    n_docs = len(index)
    return TokenDocs.from_arrays(
        tokens=blocks[index].ravel(),
        lengths=np.full(n_docs, blocks.shape[1]),
        topics=np.zeros(n_docs),
        replica=np.repeat(np.arange(len(per_replica)), per_replica),
        n=len(per_replica),
    )
