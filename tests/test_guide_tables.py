"""Guide-table draws: the binary search's index exactly, and the exact law (chi-square)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from ecosystem.core.guide_tables import GuideTable


def ragged(rng: np.random.Generator, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of 0-40 entries with heavy-tailed weights, some exactly zero."""
    n = rng.integers(0, 40, size=rows)
    w = rng.pareto(0.7, size=n.sum()) * (rng.random(n.sum()) > 0.1)
    start = np.concatenate([[0], np.cumsum(n)[:-1]])
    return np.cumsum(w), start, start + n


def test_index_equals_clipped_searchsorted_including_edges():
    rng = np.random.default_rng(0)
    cum, start, end = ragged(rng, 500)
    table = GuideTable(cum, start, end)
    row = rng.integers(0, 500, size=200_000)
    x = rng.random(len(row)) * 1.2 * table.mass[row]  # some targets beyond the row's mass
    x[:1000] = 0.0
    target = table.base[row] + x
    expected = np.clip(np.searchsorted(cum, target, side="right"), start[row], end[row])
    np.testing.assert_array_equal(table.index(row, target), expected)
    edges = np.concatenate([cum[np.maximum(end - 1, 0)], table.base])  # targets on boundaries
    edge_rows = np.concatenate([np.arange(500), np.arange(500)])
    expected = np.clip(np.searchsorted(cum, edges, side="right"), start[edge_rows], end[edge_rows])
    np.testing.assert_array_equal(table.index(edge_rows, edges), expected)


def test_draws_follow_the_exact_probabilities():
    rng = np.random.default_rng(1)
    weights = rng.pareto(1.0, size=50) + 0.01
    cum = np.cumsum(weights)
    table = GuideTable(cum, np.array([0]), np.array([50]))
    draws = table.index(np.zeros(400_000, dtype=np.int64), rng.random(400_000) * cum[-1])
    observed = np.bincount(draws, minlength=50)
    expected = weights / weights.sum() * len(draws)
    assert stats.chisquare(observed, expected).pvalue > 1e-3


def test_empty_table_and_empty_draws():
    table = GuideTable(np.zeros(0), np.array([0, 0]), np.array([0, 0]))
    assert table.index(np.array([0, 1]), np.array([0.0, 0.5])).tolist() == [0, 0]
    assert len(table.index(np.zeros(0, dtype=np.int64), np.zeros(0))) == 0


def chi_square_pvalue(draws: np.ndarray, probs: np.ndarray) -> float:
    """Chi-square p-value of ``draws`` against ``probs``, bins with < 5 expected pooled."""
    observed = np.bincount(draws, minlength=len(probs)).astype(np.float64)
    expected = probs * len(draws)
    small = expected < 5
    observed = np.append(observed[~small], observed[small].sum())
    expected = np.append(expected[~small], expected[small].sum())
    if expected[-1] == 0:
        observed, expected = observed[:-1], expected[:-1]
    return stats.chisquare(observed, expected * observed.sum() / expected.sum()).pvalue


def test_truth_first_tokens_follow_the_topic_unigram():
    from ecosystem.config.truth import TokensTruthParams
    from ecosystem.truth.tokens import TokensTruth

    truth = TokensTruth(TokensTruthParams(vocab_size=300, topics=3), seed=4)
    rng = np.random.default_rng(5)
    for topic in range(3):
        tokens = truth._draw_unigram(np.full(200_000, topic), rng.random(200_000))
        assert chi_square_pvalue(tokens, truth.topic_unigram[topic]) > 1e-3


def test_truth_unigram_draws_are_the_binary_searchs_including_edges():
    from ecosystem.config.truth import TokensTruthParams
    from ecosystem.truth.tokens import TokensTruth

    truth = TokensTruth(TokensTruthParams(vocab_size=300, topics=4), seed=3)
    V, K = truth.vocab_size, truth.topics
    rng = np.random.default_rng(7)
    cdf = np.cumsum(truth.topic_unigram, axis=1)
    edges = np.concatenate([[0.0, np.nextafter(1.0, 0.0)], cdf[:, :-1].ravel()])  # on steps
    u = np.concatenate([rng.random(100_000), np.tile(edges, K)])
    topic = np.concatenate([rng.integers(0, K, size=100_000), np.repeat(np.arange(K), len(edges))])
    binary = np.searchsorted(truth._flat_unigram_cdf, topic + u, side="right")
    expected = np.clip(binary - topic * V, 0, V - 1)
    np.testing.assert_array_equal(truth._draw_unigram(topic, u), expected)


def test_truth_documents_first_tokens_follow_the_topic_unigram():
    from ecosystem.config.truth import TokensTruthParams
    from ecosystem.core.rng import ReplicaRNG, Stream
    from ecosystem.truth.tokens import TokensTruth

    truth = TokensTruth(TokensTruthParams(vocab_size=200, topics=2), seed=8)
    docs = truth.sample(np.array([120_000]), ReplicaRNG.for_replicas(0, Stream.INITIAL, [0]))
    first = docs.tokens[docs.offsets[:-1]]
    for topic in range(truth.topics):
        drawn = first[docs.topics == topic].astype(np.int64)
        assert chi_square_pvalue(drawn, truth.topic_unigram[topic]) > 1e-3


def test_ngram_draws_follow_the_smoothed_counts():
    from ecosystem.config.learners import DecodingParams, NgramParams
    from ecosystem.config.truth import TokensTruthParams
    from ecosystem.core.rng import ReplicaRNG, Stream
    from ecosystem.learners.ngram import NgramLearner
    from ecosystem.truth.tokens import TokensTruth

    truth = TokensTruth(TokensTruthParams(vocab_size=60, topics=1), seed=2)
    docs = truth.sample(np.array([300]), ReplicaRNG.for_replicas(0, Stream.INITIAL, [0]))
    params = NgramParams(order=2, add_k=0.5, condition_on_topic=False)
    fitted = NgramLearner(params, truth.vocab_size, truth.topics).fit(docs)
    rows = fitted.decoded(DecodingParams())
    r = int(np.argmax(np.diff(np.append(rows.row_kept_start, len(rows.kept_token)))))
    s, e = rows.row_kept_start[r], rows.row_kept_end[r]
    probs = np.full(60, rows.unseen_weight)
    probs[rows.kept_token[s:e]] = np.diff(np.append(rows.row_cum_start[r], rows.kept_cum[s:e]))
    probs /= probs.sum()
    u = np.random.default_rng(6).random(300_000)
    tokens = rows.draw(np.full(len(u), r), u)
    assert chi_square_pvalue(tokens, probs) > 1e-3
