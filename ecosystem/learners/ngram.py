"""Order-n token models (n = 1..3) with add-k smoothing, batched over replicas.

Counts live in one sparse table keyed ``(row, token)`` where a row is ``(replica, context)`` and
the context is the document's topic (when conditioned) plus the previous n-1 tokens (padded with
BOS = V at the start of a document). Rows never seen in training back off to the topic's unigram
row, for scoring and sampling alike, so the model is a proper distribution everywhere.

Row r of the model gives token v the probability (c(r, v) + k) / (c(r) + kV). Decoding reshapes
each row before sampling: weights (c + k)^(1/T), then top-k and top-p truncation. The unseen
tokens of a row share one weight k^(1/T) and are always the least likely, so they are handled as
one block and never materialised: sampling stays proportional to the observed table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecosystem.config.learners import DecodingParams, NgramParams
from ecosystem.core.data import TokenDocs
from ecosystem.core.errors import RunSetupError
from ecosystem.core.rng import ReplicaRNG
from ecosystem.learners.ngram_decoding import DecodedRows, generate
from ecosystem.learners.sparse import INT32_KEYS, search, segment_starts, sum_by_key

DENSE_LOOKUP_LIMIT = 1 << 24


@dataclass(frozen=True)
class ContextSpace:
    """How (replica, topic, previous tokens) map to row ids."""

    vocab_size: int
    order: int
    topics: int  # 1 when the model ignores topics

    @property
    def per_topic(self) -> int:
        return (self.vocab_size + 1) ** (self.order - 1)

    @property
    def size(self) -> int:
        """Contexts per replica."""
        return self.topics * self.per_topic

    def contexts(self, docs: TokenDocs, dtype: type = np.int64) -> np.ndarray:
        """The context id of every token of ``docs`` (as ``dtype``; int32 when the caller
        knows its ids fit)."""
        bos = self.vocab_size
        if self.topics > 1:
            ctx = np.repeat(docs.topics.astype(dtype), docs.lengths)
        else:
            ctx = np.zeros(docs.n_tokens, dtype=dtype)
        if self.order == 1:
            return ctx
        tok = docs.tokens
        starts = docs.offsets[:-1][docs.lengths > 0]
        for lag in range(self.order - 1, 0, -1):
            prev = np.empty(docs.n_tokens, dtype=dtype)
            prev[lag:] = tok[:-lag]
            for j in range(lag):  # the first `lag` positions of a document see BOS
                at = starts + j
                prev[at[at < docs.n_tokens]] = bos
            ctx *= self.vocab_size + 1
            ctx += prev
        return ctx

    def topic_of(self, ctx: np.ndarray) -> np.ndarray:
        return ctx // self.per_topic


@dataclass
class NgramStats:
    """Additive counts of R replicas: sparse (row, token) counts, topics and lengths."""

    keys: np.ndarray  # sorted unique int64 (replica * C + ctx) * V + token
    counts: np.ndarray  # float64
    topic_counts: np.ndarray  # (R, K)
    length_counts: np.ndarray  # (R, Lmax + 1)

    def __add__(self, other: NgramStats) -> NgramStats:
        keys, counts = sum_by_key(
            np.concatenate([self.keys, other.keys]), np.concatenate([self.counts, other.counts])
        )
        width = max(self.length_counts.shape[1], other.length_counts.shape[1])
        lengths = _pad(self.length_counts, width) + _pad(other.length_counts, width)
        return NgramStats(keys, counts, self.topic_counts + other.topic_counts, lengths)

    def size(self) -> np.ndarray:
        """Documents behind the counts, per replica."""
        return self.topic_counts.sum(axis=1).astype(np.int64)


def _pad(a: np.ndarray, width: int) -> np.ndarray:
    return np.pad(a, ((0, 0), (0, width - a.shape[1])))


@dataclass(frozen=True)
class ScoredTokens:
    """A test set's tokens as n-gram models score them, in one replica-free key order.

    Attributes:
        docs: the documents (a view is valid for this object only: documents never change).
        ctx: int64 context of every token.
        tok: int64 token ids.
        order: the tokens sorted by key ctx · V + token.
        sorted_key: those keys in that order.
    """

    docs: TokenDocs
    ctx: np.ndarray
    tok: np.ndarray
    order: np.ndarray
    sorted_key: np.ndarray


class NgramLearner:
    """Counts n-grams; fits are exact from counts, so accumulating is adding counts.

    Args:
        params: order, add-k pseudo-count, topic conditioning.
        vocab_size: V, the token ids 0..V-1 documents use.
        n_topics: K, the topic labels 0..K-1 documents carry.
    """

    _scored: ScoredTokens | None = None  # the last test set scored (a class default: a learner
    # pickled before the view existed loads without it)

    def __init__(self, params: NgramParams, vocab_size: int, n_topics: int = 1):
        self.params = params
        self.vocab_size = int(vocab_size)
        self.n_topics = int(n_topics)
        self.space = ContextSpace(
            self.vocab_size, params.order, self.n_topics if params.condition_on_topic else 1
        )

    def __getstate__(self) -> dict:
        """What a checkpoint keeps: everything but the test-set view (rebuilt when needed)."""
        return {**self.__dict__, "_scored": None}

    def scored_tokens(self, test: TokenDocs) -> ScoredTokens:
        """The view of ``test`` its models score (kept for the last test set: every generation
        of a run is scored on the same one)."""
        if self._scored is None or self._scored.docs is not test:
            ctx = self.space.contexts(test)
            tok = test.tokens.astype(np.int64)
            key = ctx * self.vocab_size + tok
            order = np.argsort(key)
            self._scored = ScoredTokens(test, ctx, tok, order, key[order])
        return self._scored

    def stats(self, data: TokenDocs) -> NgramStats:
        """Counts of ``data`` (all replicas at once: one bincount or sort)."""
        V, C = self.vocab_size, self.space.size
        if data.n_replicas * C * V >= 2**62:
            raise RunSetupError("n-gram key space too large: lower vocab_size, order or replicas")
        space = data.n_replicas * C * V
        dtype = np.int32 if space <= INT32_KEYS else np.int64  # halves the memory traffic
        keys = self.space.contexts(data, dtype)
        if data.n_replicas > 1:
            keys += np.repeat(data.replica.astype(dtype) * C, data.lengths)
        keys *= V
        keys += data.tokens
        keys, counts = sum_by_key(keys, None, space=space)
        topic_counts = np.zeros((data.n_replicas, self.n_topics))
        np.add.at(topic_counts, (data.replica, data.topics), 1.0)
        lengths = data.lengths
        width = int(lengths.max()) + 1 if len(lengths) else 1
        length_counts = np.bincount(
            data.replica.astype(np.int64) * width + lengths, minlength=data.n_replicas * width
        ).reshape(data.n_replicas, width)
        return NgramStats(keys, counts, topic_counts, length_counts.astype(np.float64))

    def fit_stats(self, stats: NgramStats) -> NgramFitted:
        """The smoothed model of the counts."""
        return NgramFitted(self, stats)

    def fit(self, data: TokenDocs, rng: ReplicaRNG | None = None, previous=None) -> NgramFitted:
        """Fit one model per replica of ``data``."""
        return self.fit_stats(self.stats(data))


@dataclass
class _Rows:
    """Row structure of a count table: row ids, entry spans, totals."""

    ids: np.ndarray  # sorted row ids (main rows, then backoff rows)
    start: np.ndarray
    end: np.ndarray
    total: np.ndarray
    entry_token: np.ndarray
    entry_count: np.ndarray
    entry_row: np.ndarray  # row index (into ids) of every entry


class NgramFitted:
    """R fitted n-gram models sharing one sparse table."""

    def __init__(self, learner: NgramLearner, stats: NgramStats):
        self.learner = learner
        self.stats = stats
        self.n_replicas = stats.topic_counts.shape[0]
        self.add_k = learner.params.add_k
        space = learner.space
        V, R, C = space.vocab_size, self.n_replicas, space.size
        row_of_entry, entry_token = np.divmod(stats.keys, V)
        keys, counts = stats.keys, stats.counts
        if space.order > 1:
            # backoff rows: the unigram of (replica, topic), ids after every main row
            rep, ctx = np.divmod(row_of_entry, C)
            uni_keys = (rep * space.topics + space.topic_of(ctx)) * V + entry_token
            uni_keys, uni_counts = sum_by_key(uni_keys, counts, R * space.topics * V)
            uni_row, uni_token = np.divmod(uni_keys, V)
            keys = np.concatenate([keys, uni_keys + R * C * V])
            counts = np.concatenate([counts, uni_counts])
            row_of_entry = np.concatenate([row_of_entry, uni_row + R * C])
            entry_token = np.concatenate([entry_token, uni_token])
        self.keys, self.counts = keys, counts
        starts = segment_starts(row_of_entry)
        ends = np.append(starts[1:], len(keys))
        ids = row_of_entry[starts]
        self.rows = _Rows(
            ids=ids,
            start=starts,
            end=ends,
            total=np.add.reduceat(counts, starts) if len(starts) else np.zeros(0),
            entry_token=entry_token,
            entry_count=counts,
            entry_row=np.repeat(np.arange(len(ids)), ends - starts),
        )
        self._lookup = self._build_lookup()
        self._decoded: dict[DecodingParams, DecodedRows] = {}

    def __getstate__(self) -> dict:
        """What a checkpoint keeps: the learner and the counts. Everything else (backoff rows,
        row structure, lookup, decoding caches) is a pure function of them, rebuilt on load:
        a third of the bytes, and checkpoints of a run with dozens of models stay cheap."""
        return {"learner": self.learner, "stats": self.stats}

    def __setstate__(self, state: dict) -> None:
        if "rows" in state:  # written before checkpoints kept the counts only
            self.__dict__.update(state)
            return
        self.__init__(state["learner"], state["stats"])

    # ------------------------------------------------------------------ rows
    def _backoff_id(self, replica: np.ndarray, topic: np.ndarray) -> np.ndarray:
        space = self.learner.space
        R, C = self.n_replicas, space.size
        if space.order == 1:
            return replica * C + topic
        return R * C + replica * space.topics + topic

    def _build_lookup(self) -> np.ndarray | None:
        space = self.learner.space
        R, C = self.n_replicas, space.size
        if R * C > DENSE_LOOKUP_LIMIT:
            return None
        row = np.arange(R * C, dtype=np.int64)
        return self._find_rows(row // C, row % C, use_lookup=False)

    def _find_rows(self, replica: np.ndarray, ctx: np.ndarray, use_lookup: bool = True):
        """Row index of (replica, ctx), falling back to the topic row (-1 if none)."""
        space = self.learner.space
        row_id = replica * space.size + ctx
        if use_lookup and self._lookup is not None:
            return self._lookup[row_id]
        ids = self.rows.ids
        pos = np.searchsorted(ids, row_id)
        pos_c = np.minimum(pos, max(len(ids) - 1, 0))
        found = (ids[pos_c] == row_id) if len(ids) else np.zeros(len(row_id), dtype=bool)
        back = self._backoff_id(replica, space.topic_of(ctx))
        bpos = np.minimum(np.searchsorted(ids, back), max(len(ids) - 1, 0))
        bfound = (ids[bpos] == back) if len(ids) else np.zeros(len(row_id), dtype=bool)
        return np.where(found, pos_c, np.where(bfound, bpos, -1)).astype(np.int64)

    # ------------------------------------------------------------------ scoring
    def log_prob(self, test: TokenDocs) -> np.ndarray:
        """Log-probability (nats) of each token of one-replica ``test`` under each model: (R, N).

        A token whose context has a row of its own is looked up by its key in the learner's
        sorted view of ``test`` (one in-order search per replica); the few that back off to
        their topic's row (or find no row) are looked up one by one.
        """
        space = self.learner.space
        V, C, k = space.vocab_size, space.size, self.add_k
        view = self.learner.scored_tokens(test)
        ctx, tok, ids = view.ctx, view.tok, self.rows.ids
        out = np.empty((self.n_replicas, len(tok)))
        last = len(self.keys) - 1
        for r in range(self.n_replicas):  # R lookups of N tokens each; keeps memory at O(N)
            row = self._find_rows(np.full(len(ctx), r, dtype=np.int64), ctx)
            at = np.maximum(row, 0)
            count = np.zeros(len(tok))
            if last >= 0:
                key = view.sorted_key + r * C * V  # the key of each token's own row, sorted
                pos = np.minimum(np.searchsorted(self.keys, key), last)
                count[view.order] = np.where(self.keys[pos] == key, self.counts[pos], 0.0)
                other = np.flatnonzero(ids[at] != r * C + ctx)  # backed off, or no row
                key = ids[at[other]] * V + tok[other]
                pos = np.minimum(search(self.keys, key), last)
                count[other] = np.where(self.keys[pos] == key, self.counts[pos], 0.0)
            total = np.where(row >= 0, self.rows.total[at], 0.0) if len(ids) else 0.0
            with np.errstate(divide="ignore", invalid="ignore"):
                out[r] = np.log((count + k) / (total + k * V))
        return out

    def training_token_counts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """How often each token occurs in each replica's training data, summed over contexts.

        Returns:
            (replica, token, count): sparse int64, int64, float64 arrays sorted by
            (replica, token), one entry per token present in a replica's training data.
        """
        space = self.learner.space
        V = space.vocab_size
        per_replica = space.size * V
        keys = (self.stats.keys // per_replica) * V + self.stats.keys % V
        keys, counts = sum_by_key(keys, self.stats.counts)
        return keys // V, keys % V, counts

    def evaluate(self, test: TokenDocs, truth) -> dict[str, np.ndarray]:
        """Cross-entropy, perplexity and excess cross-entropy over the truth on ``test``."""
        ce = -self.log_prob(test).mean(axis=1)
        truth_ce = truth.cross_entropy(test)
        with np.errstate(over="ignore"):
            ppl = np.exp(ce)
        return {
            "cross_entropy": ce,
            "perplexity": ppl,
            "excess_cross_entropy": ce - truth_ce,
            "truth_cross_entropy": np.full(self.n_replicas, truth_ce),
        }

    # ------------------------------------------------------------------ sampling
    def decoded(self, decoding: DecodingParams) -> DecodedRows:
        """The rows reshaped by ``decoding`` (cached per decoding)."""
        if decoding not in self._decoded:
            self._decoded[decoding] = DecodedRows.build(self, decoding)
        return self._decoded[decoding]

    def sample(self, n: np.ndarray, rng: ReplicaRNG, decoding: DecodingParams) -> TokenDocs:
        """Draw ``n[r]`` documents per replica: topic and length from learned laws, then text."""
        n = np.broadcast_to(np.asarray(n, dtype=np.int64), (self.n_replicas,))
        stats = self.stats
        topics, lengths, uniforms = [], [], []
        for r, g in enumerate(rng):
            tp = stats.topic_counts[r] / stats.topic_counts[r].sum()
            lp = stats.length_counts[r] / stats.length_counts[r].sum()
            topics.append(g.choice(len(tp), size=n[r], p=tp))
            ln = g.choice(len(lp), size=n[r], p=lp)
            lengths.append(ln)
            uniforms.append(g.random(int(ln.sum())))
        topic = np.concatenate(topics).astype(np.int64)
        length = np.concatenate(lengths).astype(np.int64)
        replica = np.repeat(np.arange(self.n_replicas), n)
        tokens = self._generate(replica, topic, length, np.concatenate(uniforms), decoding)
        return TokenDocs.from_arrays(tokens, length, topic, replica, self.n_replicas)

    def sample_topics(
        self,
        topics: np.ndarray,
        rng: np.random.Generator,
        decoding: DecodingParams,
        replica: int = 0,
    ) -> TokenDocs:
        """One document per entry of ``topics`` from model ``replica``, as a one-replica batch.

        Lengths follow the learned length law; the ecosystem uses this to write each author's
        AI documents on the author's own topics with one call per model.
        """
        topic = np.asarray(topics, dtype=np.int64)
        counts = self.stats.length_counts[replica]
        length = rng.choice(len(counts), size=len(topic), p=counts / counts.sum())
        uniform = rng.random(int(length.sum()))
        rep = np.full(len(topic), replica, dtype=np.int64)
        tokens = self._generate(rep, topic, length.astype(np.int64), uniform, decoding)
        return TokenDocs.from_arrays(tokens, length, topic, np.zeros(len(topic)), 1)

    def document_lengths(self, n: int, rng: np.random.Generator, replica: int = 0) -> np.ndarray:
        """Lengths of ``n`` new documents of model ``replica`` (its learned length law)."""
        counts = self.stats.length_counts[replica]
        return rng.choice(len(counts), size=n, p=counts / counts.sum())

    def write_text(
        self,
        topics: np.ndarray,
        lengths: np.ndarray,
        uniform: np.ndarray,
        decoding: DecodingParams,
        replica: int = 0,
    ) -> np.ndarray:
        """Tokens of documents of the given topics and lengths from one uniform per token
        (documents back to back; the same uniforms give the same text)."""
        topic = np.asarray(topics, dtype=np.int64)
        rep = np.full(len(topic), replica, dtype=np.int64)
        return self._generate(rep, topic, np.asarray(lengths, dtype=np.int64), uniform, decoding)

    def _generate(self, replica, topic, length, uniform, decoding) -> np.ndarray:
        rows = self.decoded(decoding)
        return generate(self.learner.space, rows, self._find_rows, replica, topic, length, uniform)

    def stack_key(self) -> ContextSpace | None:
        """What models must share to write side by side (``NgramStack``): the context space,
        and a dense row lookup (None: this model writes alone)."""
        return self.learner.space if self._lookup is not None else None

    def lookup(self, replica: int = 0) -> np.ndarray:
        """Row of every context of model ``replica`` (-1: no row at all), dense."""
        C = self.learner.space.size
        return self._lookup[replica * C : (replica + 1) * C]

    def forget_decoded(self, decoding: DecodingParams) -> None:
        """Drop the cached rows of ``decoding`` (rebuilt if needed again)."""
        self._decoded.pop(decoding, None)
