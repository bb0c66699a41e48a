"""Text drawn when read: counter-based uniforms, and the laws of the text they give."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from ecosystem.config.truth import TokensTruthParams
from ecosystem.core.counter_uniforms import counter_key, document_uniforms, uniforms
from ecosystem.core.rng import Stream
from ecosystem.truth.tokens import TokensTruth
from ecosystem.world.content import ContentStore
from ecosystem.world.writers import TruthWriter


def test_uniforms_are_a_pure_function_of_their_address():
    key = counter_key(5, Stream.ECOSYSTEM, 19)
    assert key == counter_key(5, Stream.ECOSYSTEM, 19) != counter_key(6, Stream.ECOSYSTEM, 19)
    u = document_uniforms(key, np.array([7, 3]), np.array([4, 2]), lanes=2)
    assert u.shape == (2, 6) and ((u >= 0) & (u < 1)).all()
    alone = document_uniforms(key, np.array([3]), np.array([2]), lanes=2)
    assert np.array_equal(u[:, 4:], alone), "a document's uniforms do not depend on the others"
    longer = document_uniforms(key, np.array([7]), np.array([6]), lanes=2)
    assert np.array_equal(longer[:, :4], u[:, :4]), "position j is position j whatever the length"
    assert len(np.unique(u)) == u.size


def test_uniforms_are_uniform_and_independent():
    key = counter_key(1, Stream.ECOSYSTEM, 19)
    u = document_uniforms(key, np.arange(5000), np.full(5000, 40), lanes=2)
    assert stats.kstest(u[0], "uniform").pvalue > 1e-3
    assert stats.kstest(u[1], "uniform").pvalue > 1e-3
    assert abs(np.corrcoef(u[0], u[1])[0, 1]) < 0.01, "lanes"
    assert abs(np.corrcoef(u[0][:-1], u[0][1:])[0, 1]) < 0.01, "neighbouring positions"
    cells = np.histogram2d(u[0][:-1], u[0][1:], bins=10)[0].ravel()  # pairs: 100 cells
    assert stats.chisquare(cells).pvalue > 1e-3
    sequential = uniforms(key, np.arange(200_000, dtype=np.uint64))
    assert stats.kstest(sequential, "uniform").pvalue > 1e-3


def test_uniforms_refuse_addresses_outside_their_space():
    with pytest.raises(ValueError, match="lanes"):
        document_uniforms(1, np.array([0]), np.array([3]), lanes=5)
    with pytest.raises(ValueError, match="document ids"):
        document_uniforms(1, np.array([-1]), np.array([3]), lanes=1)


@pytest.fixture(scope="module")
def truth() -> TokensTruth:
    params = TokensTruthParams(vocab_size=60, topics=2, doc_length_min=3, doc_length_max=5)
    return TokensTruth(params, seed=11)


def _human_store(truth: TokensTruth, n: int) -> tuple[ContentStore, np.ndarray]:
    store = ContentStore(truth.vocab_size, seed=4)
    writer = store.writer("truth", lambda: TruthWriter(truth))
    topics = np.zeros(n, dtype=np.int64)
    ids = store.append(
        topic=topics,
        length=truth.document_lengths(n, np.random.default_rng(0)),
        writer=writer,
        site=np.zeros(n, dtype=np.int64),
        author=np.zeros(n, dtype=np.int64),
        step=0,
        watermark=np.zeros(n, dtype=bool),
    )
    return store, ids


def _chisquare(observed: np.ndarray, p: np.ndarray) -> float:
    """p-value of counts against probabilities, rare cells pooled (expected >= 5)."""
    expected = p * observed.sum()
    rare = expected < 5
    obs = np.r_[observed[~rare], observed[rare].sum()]
    exp = np.r_[expected[~rare], expected[rare].sum()]
    keep = exp > 0
    return stats.chisquare(obs[keep], exp[keep] * obs[keep].sum() / exp[keep].sum()).pvalue


def test_text_drawn_on_read_follows_the_truths_exact_law(truth):
    """First tokens against the topic's unigram law; the token after the commonest first token
    against the exact transition (1 - λ) S(u, ·) + λ q(·); 30,000 documents read in two
    orders give the same text."""
    store, ids = _human_store(truth, 30_000)
    docs = store.take(ids)
    first = docs.tokens[docs.offsets[:-1]]
    V = truth.vocab_size
    assert _chisquare(np.bincount(first, minlength=V), truth.topic_unigram[0]) > 1e-3
    u = int(np.bincount(first).argmax())
    after = docs.tokens[docs.offsets[:-1][first == u] + 1]
    exact = truth.background * truth.topic_unigram[0].copy()
    np.add.at(exact, truth.successors[0, u], (1 - truth.background) * truth.successor_weights[0, u])
    assert _chisquare(np.bincount(after, minlength=V), exact) > 1e-3
    again, _ = _human_store(truth, 30_000)
    back = again.take(ids[::-1])
    assert np.array_equal(back.tokens[: back.offsets[1]], docs.tokens[docs.offsets[-2] :])


class _Eager:
    """A writer that writes at publication (as a transformer does)."""

    trainer, generation, lanes, lazy = 0, 1, 1, False


def test_a_checkpoint_keeps_eager_text_and_redraws_lazy_text_the_same(truth):
    """Pickled, the store drops the text drawn from uniforms and keeps what eager writers
    wrote; read after loading, every document has the text it had before."""
    import pickle

    from ecosystem.core.data import TokenDocs

    store, ids = _human_store(truth, 500)
    eager = store.writer("eager", _Eager)
    written = TokenDocs.from_arrays(np.arange(9) % 60, [4, 5], [0, 1], np.zeros(2), 1)
    eager_ids = store.append(
        topic=written.topics,
        length=written.lengths,
        writer=eager,
        site=np.zeros(2, dtype=np.int64),
        author=np.zeros(2, dtype=np.int64),
        step=0,
        watermark=np.zeros(2, dtype=bool),
    )
    store.keep_text(eager_ids, written)
    everything = np.r_[ids[::7], eager_ids, ids[:40]]
    before = store.take(everything)
    assert store.cached_docs == len(np.unique(everything))
    loaded = pickle.loads(pickle.dumps(store))
    assert loaded.cached_docs == 2  # only the eager writer's text travelled
    after = loaded.take(everything)
    np.testing.assert_array_equal(after.tokens, before.tokens)
    np.testing.assert_array_equal(after.offsets, before.offsets)
    np.testing.assert_array_equal(loaded.take(eager_ids).tokens, written.tokens)
