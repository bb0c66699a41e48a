"""The synthetic language: a Zipfian vocabulary and one sparse Markov chain per topic.

Each topic k has a unigram law q_k (the shared Zipf law p0(r) ∝ r^-a tilted by a log-normal
factor per token) and, for every token u, ``branching`` distinct successors drawn from q_k,
with Dirichlet(1) weights S_k(u, ·). A document picks a topic uniformly, a length uniformly in
[doc_length_min, doc_length_max], its first token from q_k and every next token from

    P_k(v | u) = (1 - λ) S_k(u, v) + λ q_k(v),

so every transition has positive probability and exact log-probabilities are cheap. Sampling is
vectorised over documents, with one pass per position (never a Python loop per token).
"""

from __future__ import annotations

import numpy as np

from ecosystem.config.truth import TokensTruthParams
from ecosystem.core.data import ByPosition, TokenDocs
from ecosystem.core.guide_tables import GuideTable
from ecosystem.core.rng import ReplicaRNG, Stream, generator
from ecosystem.truth.spelling import spellings


class TokensTruth:
    """The human token distribution with exact log-probabilities.

    Args:
        params: the language's parameters.
        seed: the run seed; the language is drawn from its TRUTH stream.
    """

    modality = "tokens"
    _scored: tuple[TokenDocs, float] | None = None  # the last cross_entropy (a class default:
    # a truth pickled before it existed loads without it)

    def __init__(self, params: TokensTruthParams, seed: int):
        self.params = params
        self.vocab_size = V = params.vocab_size
        self.topics = K = params.topics
        self.background = params.background_weight
        rng = generator(seed, Stream.TRUTH)
        base = np.arange(1, V + 1, dtype=np.float64) ** (-params.zipf_exponent)
        tilt = np.exp(params.topic_spread * rng.standard_normal((K, V)))
        q = base[None, :] * tilt
        self.topic_unigram = q / q.sum(axis=1, keepdims=True)  # (K, V)
        b = params.branching
        self.successors = np.empty((K, V, b), dtype=np.int32)
        for k in range(K):
            self.successors[k] = _top_b_by_gumbel(np.log(self.topic_unigram[k]), V, b, rng)
        weights = rng.gamma(1.0, size=(K, V, b))  # Dirichlet(1) weights over successors
        self.successor_weights = weights / weights.sum(axis=2, keepdims=True)
        self.successor_cdf = np.cumsum(self.successor_weights, axis=2)
        self.successor_cdf[..., -1] = 1.0
        # the chains flat, each row padded to a power of two (cdf +inf, the last successor
        # repeated) so a draw is a branchless binary search: log2(width) gathers
        self._chain_width = width = 1 << max(b - 1, 0).bit_length()
        pad = ((0, 0), (0, 0), (0, width - b))
        self._chain_cdf = np.pad(self.successor_cdf, pad, constant_values=np.inf).ravel()
        self._chain_next = np.pad(self.successors, pad, mode="edge").ravel()
        unigram_cdf = np.cumsum(self.topic_unigram, axis=1)
        unigram_cdf[:, -1] = 1.0
        self._flat_unigram_cdf = (unigram_cdf + np.arange(K)[:, None]).ravel()
        # topic k owns entries [kV, (k+1)V) of the flat cdf, whose mass before it is exactly k
        self._unigram_table = GuideTable(
            self._flat_unigram_cdf, np.arange(K) * V, np.arange(1, K + 1) * V
        )
        self.lengths = np.arange(params.doc_length_min, params.doc_length_max + 1)
        self._spellings: np.ndarray | None = None
        self._marginal: np.ndarray | None = None

    # ------------------------------------------------------------------ sampling
    def sample(self, n: np.ndarray, rng: ReplicaRNG) -> TokenDocs:
        """Draw ``n[r]`` human documents for each replica r from its own generator."""
        n = np.broadcast_to(np.asarray(n, dtype=np.int64), (len(rng),))
        topics, lengths, uniforms = [], [], []
        for r, g in enumerate(rng):
            t = g.integers(0, self.topics, size=n[r])
            ln = g.integers(self.params.doc_length_min, self.params.doc_length_max + 1, size=n[r])
            topics.append(t)
            lengths.append(ln)
            uniforms.append(g.random((2, int(ln.sum()))))
        topic = np.concatenate(topics)
        length = np.concatenate(lengths)
        replica = np.repeat(np.arange(len(rng)), n)
        u = np.concatenate(uniforms, axis=1)
        tokens = self._generate(topic, length, u[0], u[1])
        return TokenDocs.from_arrays(tokens, length, topic, replica, len(rng))

    def sample_topics(self, topics: np.ndarray, rng: np.random.Generator) -> TokenDocs:
        """One human document per entry of ``topics`` (a one-replica batch from ``rng``).

        The ecosystem uses this to write the documents of authors on their own topics.
        """
        topic = np.asarray(topics, dtype=np.int64)
        p = self.params
        length = rng.integers(p.doc_length_min, p.doc_length_max + 1, size=len(topic))
        u = rng.random((2, int(length.sum())))
        tokens = self._generate(topic, length, u[0], u[1])
        return TokenDocs.from_arrays(tokens, length, topic, np.zeros(len(topic)), 1)

    def document_lengths(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Lengths of ``n`` new documents, uniform in [doc_length_min, doc_length_max]."""
        p = self.params
        return rng.integers(p.doc_length_min, p.doc_length_max + 1, size=n)

    def write_text(
        self, topic: np.ndarray, length: np.ndarray, u_mix: np.ndarray, u_pick: np.ndarray
    ) -> np.ndarray:
        """Tokens of documents of the given topics and lengths from two uniforms per token:
        ``u_mix`` chooses between the topic's chain and its background law, ``u_pick`` the
        token (documents back to back; the same uniforms give the same text)."""
        return self._generate(np.asarray(topic, dtype=np.int64), length, u_mix, u_pick)

    def _draw_unigram(self, topic: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Tokens from each topic's unigram law by inverse CDF: uniform ``u`` of topic k is the
        target k + u in the flat cdf, found by a guide table in O(1) (the binary search's index
        exactly, so the draws are the same)."""
        idx = self._unigram_table.index(topic, topic + u)
        return np.clip(idx - topic * self.vocab_size, 0, self.vocab_size - 1)

    def _generate(
        self, topic: np.ndarray, length: np.ndarray, u_mix: np.ndarray, u_pick: np.ndarray
    ) -> np.ndarray:
        """Fill documents position by position, vectorised over documents."""
        layout = ByPosition(length)
        tokens = layout.empty_tokens()
        doc_topic = topic[layout.order]
        prev = np.empty(len(doc_topic), dtype=np.int64)
        for t, n_active, where in layout.positions():
            k = doc_topic[:n_active]
            pick = u_pick[where]
            if t == 0:
                tok = self._draw_unigram(k, pick)
            else:  # successor j = #(cdf < pick) of the (topic, previous token) chain row
                at = (k * self.vocab_size + prev[:n_active]) * self._chain_width
                step = self._chain_width >> 1
                while step:
                    at += step * (self._chain_cdf[at + step - 1] < pick)
                    step >>= 1
                tok = self._chain_next[at].astype(np.int64)
                bg = u_mix[where] < self.background
                if bg.any():
                    tok[bg] = self._draw_unigram(k[bg], pick[bg])
            tokens[where] = tok
            prev[:n_active] = tok
        return tokens

    # ------------------------------------------------------------------ exact law
    def log_prob(self, docs: TokenDocs) -> np.ndarray:
        """Exact log-probability (nats) of every token given its document's topic and past."""
        topic = np.repeat(docs.topics, docs.lengths).astype(np.int64)
        tok = docs.tokens.astype(np.int64)
        first = np.zeros(docs.n_tokens, dtype=bool)
        first[docs.offsets[:-1][docs.lengths > 0]] = True
        prev = np.empty_like(tok)
        prev[1:] = tok[:-1]
        prev[first] = 0
        sparse = (
            (self.successors[topic, prev] == tok[:, None]) * self.successor_weights[topic, prev]
        ).sum(axis=1)
        uni = self.topic_unigram[topic, tok]
        prob = np.where(first, uni, (1.0 - self.background) * sparse + self.background * uni)
        with np.errstate(divide="ignore"):  # λ = 0: transitions off the chain are impossible
            return np.log(prob)

    def cross_entropy(self, docs: TokenDocs) -> float:
        """The truth's own cross-entropy on ``docs`` (nats per token).

        The value for the last ``docs`` object scored is kept (documents are never changed in
        place): every generation of a run is scored on the same test set.
        """
        if self._scored is not None and self._scored[0] is docs:
            return self._scored[1]
        value = float(-self.log_prob(docs).mean())
        self._scored = (docs, value)
        return value

    def token_marginal(self) -> np.ndarray:
        """Exact expected share of each token among all tokens of human documents."""
        if self._marginal is not None:
            return self._marginal
        V, lam = self.vocab_size, self.background
        lengths = self.lengths
        survive = np.array([(lengths > t).mean() for t in range(int(lengths.max()))])
        total = np.zeros(V)
        for k in range(self.topics):
            dist = self.topic_unigram[k].copy()
            acc = np.zeros(V)
            for t, w in enumerate(survive):
                if t > 0:
                    moved = np.bincount(
                        self.successors[k].ravel(),
                        weights=(dist[:, None] * self.successor_weights[k]).ravel(),
                        minlength=V,
                    )
                    dist = (1.0 - lam) * moved + lam * self.topic_unigram[k]
                acc += w * dist
            total += acc / self.topics
        self._marginal = total / total.sum()
        return self._marginal

    def tail_tokens(self, mass: float) -> np.ndarray:
        """Boolean mask of the tail: the rarest tokens that together hold at most ``mass``."""
        marginal = self.token_marginal()
        order = np.argsort(marginal, kind="stable")
        cum = np.cumsum(marginal[order])
        mask = np.zeros(self.vocab_size, dtype=bool)
        mask[order[cum <= mass]] = True
        if not mask.any():
            mask[order[0]] = True
        return mask

    # ------------------------------------------------------------------ text
    def spell(self, tokens: np.ndarray) -> str:
        """A readable rendering of a token sequence."""
        if self._spellings is None:
            self._spellings = spellings(self.vocab_size, self.params.spelling)
        return " ".join(self._spellings[np.asarray(tokens, dtype=np.int64)])

    def spell_docs(self, docs: TokenDocs, limit: int | None = None) -> list[str]:
        """Readable texts of the first ``limit`` documents (for sample tables, not hot paths)."""
        n = docs.n_docs if limit is None else min(limit, docs.n_docs)
        return [self.spell(docs.tokens[docs.offsets[i] : docs.offsets[i + 1]]) for i in range(n)]


def _top_b_by_gumbel(
    log_weights: np.ndarray, V: int, b: int, rng: np.random.Generator
) -> np.ndarray:
    """For each of V rows, b distinct successors drawn with probability ∝ exp(log_weights)."""
    out = np.empty((V, b), dtype=np.int32)
    chunk = max(1, 2_000_000 // V)
    for lo in range(0, V, chunk):
        hi = min(V, lo + chunk)
        keys = log_weights[None, :] + rng.gumbel(size=(hi - lo, V))
        out[lo:hi] = np.argpartition(-keys, b - 1, axis=1)[:, :b]
    return out
