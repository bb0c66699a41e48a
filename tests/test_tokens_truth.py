"""The synthetic language: exact law, sampling that follows it, determinism, spellings."""

from __future__ import annotations

import numpy as np

from ecosystem.config.truth import TokensTruthParams
from ecosystem.core.rng import ReplicaRNG, Stream
from ecosystem.truth.spelling import spellings
from ecosystem.truth.tokens import TokensTruth


def make(seed: int = 1, **kw) -> TokensTruth:
    return TokensTruth(TokensTruthParams(**{"vocab_size": 80, "topics": 3, **kw}), seed)


def draw(truth: TokensTruth, n: int, replicas=(0,), seed: int = 5):
    return truth.sample(
        np.full(len(replicas), n), ReplicaRNG.for_replicas(seed, Stream.TEST, replicas)
    )


def test_transition_rows_are_distributions():
    t = make()
    assert np.allclose(t.topic_unigram.sum(axis=1), 1.0)
    assert np.allclose(t.successor_weights.sum(axis=2), 1.0)
    # successors are distinct within every row
    s = np.sort(t.successors, axis=2)
    assert (np.diff(s, axis=2) > 0).all()


def test_samples_follow_the_exact_marginal():
    t = make()
    docs = draw(t, 6000)
    freq = np.bincount(docs.tokens, minlength=t.vocab_size) / docs.n_tokens
    assert np.abs(freq - t.token_marginal()).sum() < 0.03
    assert docs.lengths.min() >= 16 and docs.lengths.max() <= 64


def test_bigram_frequencies_match_transition_law():
    t = make(background_weight=0.2)
    docs = draw(t, 6000)
    lp = t.log_prob(docs)
    assert np.all(np.isfinite(lp)) and np.all(lp <= 0)
    # the mean log-probability of the truth's own samples is its entropy rate: another
    # language's law must score them worse (Gibbs' inequality on a large sample)
    other = make(seed=2, background_weight=0.2)
    assert -other.log_prob(docs).mean() > -lp.mean() + 0.1


def test_replica_streams_do_not_depend_on_replica_count():
    t = make()
    a = draw(t, 50, replicas=(0, 1, 2))
    b = draw(t, 50, replicas=(0,))
    first = a.for_replica(0)
    assert np.array_equal(first.tokens, b.tokens)
    assert np.array_equal(first.topics, b.topics)


def test_same_seed_same_language_other_seed_other_language():
    assert np.array_equal(make(7).successors, make(7).successors)
    assert not np.array_equal(make(7).successors, make(8).successors)


def test_tail_holds_at_most_the_requested_mass():
    t = make()
    tail = t.tail_tokens(0.05)
    mass = t.token_marginal()[tail].sum()
    assert 0 < mass <= 0.05
    assert t.token_marginal()[tail].max() <= t.token_marginal()[~tail].min()


def test_spellings_are_unique_and_frequent_tokens_short():
    words = spellings(9000, "pseudo")
    assert len(set(words)) == 9000
    assert len(words[0]) == 2 and len(words[-1]) == 6
    t = make()
    text = t.spell_docs(draw(t, 2), 2)
    assert len(text) == 2 and all(isinstance(s, str) and " " in s for s in text)


def test_chain_steps_are_the_inverse_cdf_of_each_row_for_any_branching():
    """The branchless search picks successor #(cdf < u) of the row (the last one at most),
    on random uniforms and on uniforms equal to the row's cdf steps, for widths that are and
    are not powers of two."""
    rng = np.random.default_rng(0)
    for branching in (1, 3, 5, 8):
        params = TokensTruthParams(vocab_size=50, topics=3, branching=branching)
        truth = TokensTruth(params, seed=branching)
        n = 4000
        topic = rng.integers(0, 3, size=n)
        first = rng.integers(0, 50, size=n)
        pick = rng.random(n)
        steps = truth.successor_cdf[topic, first]
        pick[:1000] = steps[np.arange(1000), rng.integers(0, branching, size=1000)]
        pick[pick >= 1.0] = np.nextafter(1.0, 0.0)
        # u_pick of the first token chosen so the first token is `first`
        cdf = np.cumsum(truth.topic_unigram, axis=1)
        u_first = (cdf[topic, first] + np.where(first > 0, cdf[topic, first - 1], 0.0)) / 2
        u_first = np.where(first > 0, u_first, cdf[topic, 0] / 2)
        u_pick = np.stack([u_first, pick], axis=1).ravel()
        u_mix = np.ones(2 * n)  # never the background law
        tokens = truth.write_text(topic, np.full(n, 2), u_mix, u_pick).reshape(n, 2)
        assert (tokens[:, 0] == first).all()
        j = np.minimum((steps < pick[:, None]).sum(axis=1), branching - 1)
        np.testing.assert_array_equal(tokens[:, 1], truth.successors[topic, first, j])
