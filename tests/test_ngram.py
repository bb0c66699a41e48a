"""The n-gram learner: recovers its truth, samples its own law, decodes as configured."""

from __future__ import annotations

import numpy as np
import pytest

from ecosystem.config.learners import DecodingParams, NgramParams
from ecosystem.config.truth import TokensTruthParams
from ecosystem.core.rng import ReplicaRNG, Stream
from ecosystem.learners.ngram import NgramLearner
from ecosystem.metrics.tokens import token_sample_metrics
from ecosystem.truth.tokens import TokensTruth

PLAIN = DecodingParams()


@pytest.fixture(scope="module")
def truth() -> TokensTruth:
    return TokensTruth(TokensTruthParams(vocab_size=40, topics=2, doc_length_max=32), 11)


def human(truth, n, replicas=(0,), stream=Stream.INITIAL):
    return truth.sample(np.full(len(replicas), n), ReplicaRNG.for_replicas(1, stream, replicas))


def rng(replicas=(0,), index=0):
    return ReplicaRNG.for_replicas(2, Stream.LOOP, replicas, index)


def test_excess_cross_entropy_vanishes_as_data_grows(truth):
    test = human(truth, 1500, stream=Stream.TEST)
    learner = NgramLearner(NgramParams(order=2, add_k=0.01), truth.vocab_size, truth.topics)
    excess = [
        learner.fit(human(truth, n)).evaluate(test, truth)["excess_cross_entropy"][0]
        for n in (100, 1000, 10000)
    ]
    assert excess[0] > excess[1] > excess[2]
    assert excess[2] < 0.02
    # a unigram model cannot express a Markov chain: its excess stays large
    uni = NgramLearner(NgramParams(order=1), truth.vocab_size, truth.topics).fit(
        human(truth, 10000)
    )
    assert uni.evaluate(test, truth)["excess_cross_entropy"][0] > 0.3


def test_stats_are_additive(truth):
    learner = NgramLearner(NgramParams(order=3), truth.vocab_size, truth.topics)
    a, b = human(truth, 200, (0, 1)), human(truth, 150, (0, 1), Stream.FRESH)
    both = type(a).concat([a, b])
    summed, direct = learner.stats(a) + learner.stats(b), learner.stats(both)
    assert np.array_equal(summed.keys, direct.keys)
    assert np.array_equal(summed.counts, direct.counts)
    assert np.array_equal(summed.topic_counts, direct.topic_counts)
    assert np.array_equal(summed.length_counts, direct.length_counts)


def test_batched_fit_equals_separate_fits(truth):
    learner = NgramLearner(NgramParams(order=2, add_k=0.05), truth.vocab_size, truth.topics)
    data = human(truth, 300, (0, 1, 2))
    test = human(truth, 200, stream=Stream.TEST)
    batched = learner.fit(data).log_prob(test)
    alone = learner.fit(data.for_replica(1)).log_prob(test)[0]
    assert np.allclose(batched[1], alone)


def test_samples_follow_the_fitted_law(truth):
    """Refitting on many samples of a model gives back that model's probabilities."""
    learner = NgramLearner(NgramParams(order=2, add_k=0.5), truth.vocab_size, truth.topics)
    model = learner.fit(human(truth, 300))
    test = human(truth, 300, stream=Stream.TEST)
    again = learner.fit(model.sample(np.array([30000]), rng(), PLAIN))
    p, q = np.exp(model.log_prob(test)[0]), np.exp(again.log_prob(test)[0])
    assert np.abs(p - q).mean() < 0.01


def test_mle_never_samples_unseen_transitions(truth):
    learner = NgramLearner(NgramParams(order=2, add_k=0.0), truth.vocab_size, truth.topics)
    data = human(truth, 50)
    model = learner.fit(data)
    V = truth.vocab_size
    seen = learner.stats(data).keys
    sampled = learner.stats(model.sample(np.array([500]), rng(), PLAIN)).keys
    # contexts seen in training only continue as in training (unseen ones back off)
    known_context = np.isin(sampled // V, seen // V)
    assert known_context.mean() > 0.9
    assert np.isin(sampled[known_context], seen).all()


def test_top_k_one_is_greedy(truth):
    learner = NgramLearner(NgramParams(order=2, add_k=0.01), truth.vocab_size, truth.topics)
    model = learner.fit(human(truth, 500))
    samples = model.sample(np.array([200]), rng(), DecodingParams(top_k=1))
    keys = learner.stats(samples).keys
    rows = keys // truth.vocab_size
    assert len(np.unique(rows)) == len(rows)  # one successor per context


def test_truncation_and_temperature_cut_the_tail(truth):
    learner = NgramLearner(NgramParams(order=2, add_k=0.01), truth.vocab_size, truth.topics)
    model = learner.fit(human(truth, 2000))
    n = np.array([2000])

    def metrics(decoding):
        s = model.sample(n, rng(), decoding)
        return token_sample_metrics(s, truth, 0.1)

    plain = metrics(PLAIN)
    for cut in (
        DecodingParams(top_p=0.7),
        DecodingParams(top_k=3),
        DecodingParams(temperature=0.6),
    ):
        m = metrics(cut)
        assert m["tail_mass_ratio"][0] < 0.9 * plain["tail_mass_ratio"][0], cut
        assert m["entropy"][0] < plain["entropy"][0]
    assert 0.7 < plain["tail_mass_ratio"][0] < 1.3  # an unbiased model keeps the tail


def test_high_temperature_raises_entropy(truth):
    model = NgramLearner(NgramParams(order=2, add_k=0.01), truth.vocab_size, truth.topics).fit(
        human(truth, 2000)
    )
    hot = model.sample(np.array([1000]), rng(), DecodingParams(temperature=2.0))
    cold = model.sample(np.array([1000]), rng(), PLAIN)
    assert (
        token_sample_metrics(hot, truth, 0.1)["entropy"][0]
        > token_sample_metrics(cold, truth, 0.1)["entropy"][0]
    )


def test_sampling_is_deterministic_and_replica_independent(truth):
    model = NgramLearner(NgramParams(order=3), truth.vocab_size, truth.topics).fit(
        human(truth, 300, (0, 1))
    )
    a = model.sample(np.array([40, 40]), rng((0, 1)), PLAIN)
    b = model.sample(np.array([40, 40]), rng((0, 1)), PLAIN)
    assert np.array_equal(a.tokens, b.tokens)
    single = NgramLearner(NgramParams(order=3), truth.vocab_size, truth.topics).fit(
        human(truth, 300, (0,))
    )
    c = single.sample(np.array([40]), rng((0,)), PLAIN)
    assert np.array_equal(a.for_replica(0).tokens, c.tokens)
