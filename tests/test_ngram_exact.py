"""The fast count and score paths of the n-gram learner equal their plain references exactly.

Each reference below is the straightforward computation (np.unique, a stable argsort, int64
keys); the learner's faster paths must give the same arrays bit for bit, on random data with
the edge cases: no documents, empty documents, one and several replicas, orders 1 to 3, topics
conditioned or not.
"""

from __future__ import annotations

import numpy as np
import pytest

from ecosystem.config.learners import DecodingParams, NgramParams
from ecosystem.config.truth import TokensTruthParams
from ecosystem.core.data import TokenDocs
from ecosystem.core.rng import ReplicaRNG, Stream
from ecosystem.learners.ngram import NgramLearner
from ecosystem.learners.sparse import count_sorted, search, sum_by_key
from ecosystem.metrics.tokens import token_sample_metrics
from ecosystem.truth.tokens import TokensTruth

V, K = 30, 3


def random_docs(seed: int, n_docs: int, replicas: int, max_len: int = 12) -> TokenDocs:
    """Documents of skewed tokens (many repeated n-grams), some of them empty."""
    g = np.random.default_rng(seed)
    lengths = g.integers(0, max_len + 1, size=n_docs)
    tokens = np.minimum(g.zipf(1.5, size=int(lengths.sum())) - 1, V - 1)
    topics = g.integers(0, K, size=n_docs)
    replica = np.sort(g.integers(0, replicas, size=n_docs))
    return TokenDocs.from_arrays(tokens, lengths, topics, replica, replicas)


def reference_sum(keys: np.ndarray, weights: np.ndarray | None):
    """Sorted unique keys and their summed weights (or counts), by np.unique."""
    uniq, inverse = np.unique(np.asarray(keys, dtype=np.int64), return_inverse=True)
    sums = np.bincount(inverse, weights=weights, minlength=len(uniq)).astype(np.float64)
    keep = sums != 0
    return uniq[keep], sums[keep]


def reference_keys(learner: NgramLearner, data: TokenDocs) -> np.ndarray:
    """Every token's (replica, context, token) key in int64."""
    space = learner.space
    keys = (
        space.contexts(data) + np.repeat(data.replica.astype(np.int64), data.lengths) * space.size
    )
    return keys * learner.vocab_size + data.tokens


def assert_same(a: tuple, b: tuple) -> None:
    for x, y in zip(a, b, strict=True):
        assert x.dtype == y.dtype
        assert np.array_equal(x, y)


@pytest.mark.parametrize("n", [0, 1, 7, 5000])
@pytest.mark.parametrize("space", [None, 50, 3000, 1 << 20, 1 << 33])
def test_counting_equals_unique(n, space):
    g = np.random.default_rng(n)
    top = min(space or 1 << 40, 1 << 40)
    keys = g.integers(0, top, size=n) if n < 10 else np.minimum(g.zipf(1.3, n), top) - 1
    for dtype in (np.int64, np.int32) if top <= 1 << 31 else (np.int64,):
        assert_same(sum_by_key(keys.astype(dtype), None, space), reference_sum(keys, None))


@pytest.mark.parametrize("space", [None, 100, 1 << 22])
def test_weighted_sums_equal_unique(space):
    g = np.random.default_rng(3)
    keys = g.integers(0, 100, size=4000)
    for weights in (g.integers(1, 9, size=4000).astype(np.float64), g.standard_normal(4000)):
        assert_same(sum_by_key(keys, weights, space), reference_sum(keys, weights))
    cancel = sum_by_key(np.array([5, 5, 7]), np.array([1.0, -1.0, 2.0]), space)
    assert_same(cancel, (np.array([7]), np.array([2.0])))


def test_count_sorted_of_nothing_and_one():
    assert_same(count_sorted(np.zeros(0, dtype=np.int32)), (np.zeros(0, np.int64), np.zeros(0)))
    assert_same(count_sorted(np.array([4, 4, 4])), (np.array([4]), np.array([3.0])))


@pytest.mark.parametrize("side", ["left", "right"])
def test_search_equals_searchsorted(side):
    g = np.random.default_rng(5)
    table = np.unique(g.integers(0, 1000, size=300))
    for n in (10, 5000):  # below and above the sorted-search threshold, with many duplicates
        values = g.integers(-5, 1005, size=n)
        assert np.array_equal(search(table, values, side), np.searchsorted(table, values, side))


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("topics", [True, False])
@pytest.mark.parametrize("replicas", [1, 3])
@pytest.mark.parametrize("n_docs", [0, 1, 400])
def test_counts_and_backoff_rows_equal_the_reference(order, topics, replicas, n_docs):
    learner = NgramLearner(NgramParams(order=order, condition_on_topic=topics), V, K)
    data = random_docs(order * 10 + replicas + n_docs, n_docs, replicas)
    stats = learner.stats(data)
    assert_same((stats.keys, stats.counts), reference_sum(reference_keys(learner, data), None))
    fitted = learner.fit_stats(stats)
    space = learner.space
    if order > 1:  # each replica's topic unigram rows follow every main row
        R, C = replicas, space.size
        row, tok = stats.keys // V, stats.keys % V
        uni = (R * C + (row // C) * space.topics + space.topic_of(row % C)) * V + tok
        uni_keys, uni_counts = reference_sum(uni, stats.counts)
        expected = (np.r_[stats.keys, uni_keys], np.r_[stats.counts, uni_counts])
    else:
        expected = (stats.keys, stats.counts)
    assert_same((fitted.keys, fitted.counts), expected)
    rows = fitted.rows
    ids, start, inverse = np.unique(expected[0] // V, return_index=True, return_inverse=True)
    assert_same((rows.ids, rows.start, rows.entry_row), (ids, start, inverse))
    assert_same((rows.entry_token, rows.entry_count), (expected[0] % V, expected[1]))
    assert np.array_equal(rows.end, np.r_[start[1:], len(expected[0])])
    assert np.array_equal(rows.total, np.bincount(inverse, expected[1], len(ids)))


@pytest.fixture(scope="module")
def truth() -> TokensTruth:
    return TokensTruth(TokensTruthParams(vocab_size=V, topics=K, doc_length_max=20), 4)


def test_truth_cross_entropy_is_kept_per_documents_object(truth):
    a = truth.sample(np.array([50]), ReplicaRNG.for_replicas(1, Stream.TEST, (0,)))
    b = truth.sample(np.array([60]), ReplicaRNG.for_replicas(1, Stream.FRESH, (0,)))
    exact_a, exact_b = -truth.log_prob(a).mean(), -truth.log_prob(b).mean()
    assert exact_a != exact_b
    for docs, exact in ((a, exact_a), (a, exact_a), (b, exact_b), (a, exact_a)):
        assert truth.cross_entropy(docs) == exact
    copy = TokenDocs(a.tokens.copy(), a.offsets, a.topics, a.replica, 1)
    assert truth.cross_entropy(copy) == exact_a


def reference_distinct_2(samples: TokenDocs) -> np.ndarray:
    rep_tok = np.repeat(samples.replica.astype(np.int64), samples.lengths)
    tok = samples.tokens.astype(np.int64)
    has_prev = samples.position_in_doc() > 0
    bigram = (tok[:-1] * V + tok[1:])[has_prev[1:]]
    rep_b = rep_tok[1:][has_prev[1:]]
    uniq = np.unique(rep_b * (V * V) + bigram)
    distinct = np.bincount(uniq // (V * V), minlength=samples.n_replicas).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return distinct / np.bincount(rep_b, minlength=samples.n_replicas)


@pytest.mark.parametrize("replicas", [1, 3])
@pytest.mark.parametrize("n_docs", [0, 1, 300])
def test_distinct_bigrams_equal_unique(truth, replicas, n_docs):
    samples = random_docs(n_docs + replicas, n_docs, replicas)
    got = token_sample_metrics(samples, truth, 0.1)["distinct_2"]
    assert np.array_equal(got, reference_distinct_2(samples), equal_nan=True)


def test_one_token_documents_have_no_distinct_bigrams(truth):
    samples = TokenDocs.from_arrays(np.array([1, 2, 2]), np.ones(3), np.zeros(3), np.zeros(3), 1)
    assert np.isnan(token_sample_metrics(samples, truth, 0.1)["distinct_2"][0])


def test_scores_equal_the_per_token_formula(truth):
    """log_prob equals (c(row, v) + k) / (c(row) + kV) token by token, on main and backoff rows."""
    k = 0.3
    learner = NgramLearner(NgramParams(order=2, add_k=k), V, K)
    fitted = learner.fit(random_docs(9, 200, 2))
    draws = ReplicaRNG.for_replicas(2, Stream.LOOP, (0, 1))
    test = fitted.sample(np.array([40, 40]), draws, DecodingParams()).for_replica(1)
    test = TokenDocs.concat([test, random_docs(10, 30, 1)])  # contexts no model has seen
    got = fitted.log_prob(test)
    ctx = learner.space.contexts(test)
    counts = dict(zip(fitted.keys.tolist(), fitted.counts.tolist(), strict=True))
    ids = fitted.rows.ids.tolist()
    backed_off = 0
    for r in range(2):
        count, total = np.zeros(test.n_tokens), np.zeros(test.n_tokens)
        for i, (c, t) in enumerate(zip(ctx.tolist(), test.tokens.tolist(), strict=True)):
            row = r * learner.space.size + c
            if row not in ids:
                row = int(fitted._backoff_id(np.array(r), np.array(c // (V + 1))))
                backed_off += 1
            total[i] = fitted.rows.total[ids.index(row)]
            count[i] = counts.get(row * V + t, 0.0)
        assert np.array_equal(got[r], np.log((count + k) / (total + k * V)))
    assert backed_off > 0


def reference_log_prob(fitted, test: TokenDocs) -> np.ndarray:
    """Every token looked up by its row's key (its context's row, else its topic's, else the
    first row with a zero total), by plain binary search."""
    space = fitted.learner.space
    ctx, tok, k = space.contexts(test), test.tokens.astype(np.int64), fitted.add_k
    out = np.empty((fitted.n_replicas, len(tok)))
    for r in range(fitted.n_replicas):
        row = fitted._find_rows(np.full(len(ctx), r, dtype=np.int64), ctx, use_lookup=False)
        key = fitted.rows.ids[np.maximum(row, 0)] * V + tok
        pos = np.minimum(np.searchsorted(fitted.keys, key), len(fitted.keys) - 1)
        count = np.where(fitted.keys[pos] == key, fitted.counts[pos], 0.0)
        total = np.where(row >= 0, fitted.rows.total[np.maximum(row, 0)], 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[r] = np.log((count + k) / (total + k * V))
    return out


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("topics", [True, False])
@pytest.mark.parametrize("replicas", [1, 3])
@pytest.mark.parametrize("add_k", [0.0, 0.02])
def test_log_prob_equals_the_reference(order, topics, replicas, add_k):
    learner = NgramLearner(NgramParams(order=order, add_k=add_k, condition_on_topic=topics), V, K)
    data = random_docs(order + replicas, 150, replicas)
    if replicas > 1:  # replica 1 never sees topic 0: its tokens there find no row at all
        keep = ~((data.replica == 1) & (data.topics == 0))
        data = data.take(np.flatnonzero(keep))
    fitted = learner.fit(data)
    first, second = random_docs(50, 80, 1), random_docs(51, 60, 1)
    for test in (first, first, second, first):  # the learner keeps a view of the last test set
        assert np.array_equal(
            fitted.log_prob(test), reference_log_prob(fitted, test), equal_nan=True
        )


def test_a_model_of_no_documents_is_uniform():
    learner = NgramLearner(NgramParams(order=2, add_k=0.5), V, K)
    fitted = learner.fit(random_docs(1, 0, 1))
    assert np.allclose(fitted.log_prob(random_docs(2, 20, 1)), -np.log(V))
