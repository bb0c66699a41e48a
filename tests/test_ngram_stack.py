"""Stacked writers: several n-gram models drawn from as one write exactly what each writes alone;
decoded rows without their cut entries draw exactly what a search over every entry draws."""

from __future__ import annotations

import numpy as np
import pytest

from ecosystem.config.learners import DecodingParams, NgramParams
from ecosystem.config.truth import TokensTruthParams
from ecosystem.core.guide_tables import GuideTable, StackedGuide
from ecosystem.core.rng import ReplicaRNG, Stream
from ecosystem.learners.ngram import NgramLearner
from ecosystem.learners.ngram_decoding import DecodedRows
from ecosystem.learners.ngram_stack import NgramStack
from ecosystem.truth.tokens import TokensTruth
from tests.test_guide_tables import ragged

DECODINGS = [
    DecodingParams(),
    DecodingParams(temperature=0.8, top_p=0.9),
    DecodingParams(temperature=1.3, top_k=5),
    DecodingParams(temperature=0.5, top_p=0.5, top_k=20),
]


def models(order: int, topics: bool, add_k: float = 0.5, n: int = 4):
    """``n`` models of one space fitted on different amounts of one truth's text."""
    truth = TokensTruth(TokensTruthParams(vocab_size=40, topics=3), seed=order)
    params = NgramParams(order=order, add_k=add_k, condition_on_topic=topics)
    learner = NgramLearner(params, truth.vocab_size, truth.topics)
    out = []
    for i in range(n):
        stream = ReplicaRNG.for_replicas(i, Stream.INITIAL, [0])
        out.append(learner.fit(truth.sample(np.array([20 + 60 * i]), stream)))
    return out


def spans(lengths: np.ndarray) -> list[slice]:
    ends = np.cumsum(lengths)
    return [slice(int(e - n), int(e)) for e, n in zip(ends, lengths, strict=True)]


@pytest.mark.parametrize("order,topics,add_k", [(1, True, 0.5), (2, True, 0.5), (3, False, 0.1)])
def test_stacked_models_write_what_each_writes_alone(order, topics, add_k):
    fitted = models(order, topics, add_k)
    stack = NgramStack(fitted[0].stack_key())
    members = [stack.add(f, d) for f, d in zip(fitted, DECODINGS, strict=True)]
    assert members == [0, 1, 2, 3]
    rng = np.random.default_rng(order)
    n_docs = 600
    member = rng.integers(0, len(fitted), size=n_docs)
    topic = rng.integers(0, 3, size=n_docs)
    length = rng.integers(0, 30, size=n_docs)
    uniform = rng.random(int(length.sum()))
    uniform[:50] = 0.0  # the bottom of every row's mass
    uniform[50:100] = np.nextafter(1.0, 0.0)  # the top: the unseen block's last token
    tokens = stack.write_text(member, topic, length, uniform)
    doc_spans = spans(length)
    for m, (f, d) in enumerate(zip(fitted, DECODINGS, strict=True)):
        mine = np.flatnonzero(member == m)
        u = np.concatenate([uniform[doc_spans[i]] for i in mine])
        alone = f.write_text(topic[mine], length[mine], u, d)
        stacked = np.concatenate([tokens[doc_spans[i]] for i in mine])
        np.testing.assert_array_equal(stacked, alone)


def test_stacking_grows_and_keeps_earlier_members_exact():
    fitted = models(2, True)
    stack = NgramStack(fitted[0].stack_key())
    rng = np.random.default_rng(3)
    length = rng.integers(1, 20, size=200)
    topic = rng.integers(0, 3, size=200)
    uniform = rng.random(int(length.sum()))
    stack.add(fitted[0], DECODINGS[1])
    before = stack.write_text(np.zeros(200, dtype=np.int64), topic, length, uniform)
    for f, d in zip(fitted[1:], DECODINGS[1:], strict=True):
        stack.add(f, d)
    after = stack.write_text(np.zeros(200, dtype=np.int64), topic, length, uniform)
    np.testing.assert_array_equal(before, after)


def test_a_model_of_another_space_cannot_join():
    stack = NgramStack(models(2, True, n=1)[0].stack_key())
    with pytest.raises(ValueError, match="cannot join"):
        stack.add(models(3, True, n=1)[0], DecodingParams())


def test_stacked_guide_gives_each_tables_own_index_shifted():
    rng = np.random.default_rng(11)
    tables = [GuideTable(*ragged(rng, rows)) for rows in (300, 1, 50, 200)]
    stacked = StackedGuide()
    offsets = [stacked.append(t) for t in tables]
    for table, (entries, rows) in zip(tables, offsets, strict=True):
        n_rows = len(table.start)
        row = rng.integers(0, n_rows, size=20_000)
        x = rng.random(len(row)) * 1.2 * table.mass[row]  # some beyond the row's mass
        x[:500] = 0.0
        target = table.base[row] + x
        expected = np.clip(
            np.searchsorted(table.cum, target, side="right"), table.start[row], table.end[row]
        )
        np.testing.assert_array_equal(stacked.index(row + rows, target), expected + entries)
        few = slice(0, 10)  # a batch small enough for the plain table's binary search
        np.testing.assert_array_equal(
            stacked.index(row[few] + rows, target[few]), expected[few] + entries
        )


def uncut_draw(rows: DecodedRows, fitted, row: np.ndarray, u: np.ndarray):
    """The token a search over every observed entry (cut ones weighing 0) finds, and which
    draws land in the observed part (the unseen block is drawn the same way either way)."""
    V = fitted.learner.vocab_size
    entry_row, entry_token = fitted.rows.entry_row, fitted.rows.entry_token
    kept_row = np.repeat(
        np.arange(len(rows.row_kept_start)), rows.row_kept_end - rows.row_kept_start
    )
    kept_keys = kept_row * V + rows.kept_token
    keys = entry_row * V + entry_token
    pos = np.minimum(np.searchsorted(kept_keys, keys), len(kept_keys) - 1)
    is_kept = kept_keys[pos] == keys
    # a cut entry's cumulative weight is its row's last kept entry's (or the row's start)
    last = np.maximum.accumulate(np.where(is_kept, np.arange(len(keys)), -1))
    own_row = last >= fitted.rows.start[entry_row]
    cum = np.where(own_row, rows.kept_cum[pos[np.maximum(last, 0)]], rows.row_cum_start[entry_row])
    seen = rows.row_seen_mass[row]
    x = u * (seen + rows.row_unseen_kept[row] * rows.unseen_weight)
    idx = np.searchsorted(cum, rows.row_cum_start[row] + x, side="right")
    idx = np.clip(idx, fitted.rows.start[row], fitted.rows.end[row] - 1)
    return entry_token[idx], x < seen


@pytest.mark.parametrize("decoding", DECODINGS[1:])
def test_dropping_cut_entries_draws_what_the_full_search_draws(decoding):
    fitted = models(2, True, n=2)[1]
    rows = fitted.decoded(decoding)
    assert len(rows.kept_token) < len(fitted.rows.entry_token)  # the decoding cut something
    rng = np.random.default_rng(5)
    n_rows = len(rows.row_kept_start)
    row = np.concatenate([rng.integers(0, n_rows, size=5000), np.arange(n_rows)])
    u = np.concatenate([rng.random(5000), np.zeros(n_rows)])
    # targets just below each row's kept mass: the last kept entry's top edge
    total = rows.row_seen_mass + rows.row_unseen_kept * rows.unseen_weight
    edge = np.nextafter(rows.row_seen_mass / np.where(total > 0, total, 1.0), 0.0)
    row = np.concatenate([row, np.arange(n_rows)])
    u = np.concatenate([u, np.clip(edge, 0.0, np.nextafter(1.0, 0.0))])
    expected, in_seen = uncut_draw(rows, fitted, row, u)
    drawn = rows.draw(row, u)
    np.testing.assert_array_equal(drawn[in_seen], expected[in_seen])


def test_a_pickled_model_keeps_its_counts_and_rebuilds_the_rest_identically():
    import pickle

    fitted = models(2, True, n=2)[1]
    rows = fitted.decoded(DECODINGS[1])
    loaded = pickle.loads(pickle.dumps(fitted))
    assert set(fitted.__getstate__()) == {"learner", "stats"}
    for name in ("keys", "counts", "_lookup"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(fitted, name))
    for name in ("ids", "start", "end", "total", "entry_token", "entry_count", "entry_row"):
        np.testing.assert_array_equal(getattr(loaded.rows, name), getattr(fitted.rows, name))
    again = loaded.decoded(DECODINGS[1])
    np.testing.assert_array_equal(again.kept_cum, rows.kept_cum)
    u = np.random.default_rng(0).random(200)
    topics, lengths = np.arange(20) % 3, np.full(20, 10)
    np.testing.assert_array_equal(
        loaded.write_text(topics, lengths, u, DECODINGS[1]),
        fitted.write_text(topics, lengths, u, DECODINGS[1]),
    )
