"""The transformer learner on a tiny synthetic language: shapes, learning, determinism, decoding."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing here may download

import numpy as np
import pytest
import torch

from ecosystem.config.learners import DecodingParams, TransformerParams
from ecosystem.config.truth import TokensTruthParams
from ecosystem.core.data import TokenDocs
from ecosystem.core.errors import RunSetupError
from ecosystem.core.rng import ReplicaRNG, Stream
from ecosystem.learners import build_learner
from ecosystem.learners.transformer import TransformerFitted, TransformerLearner
from ecosystem.truth.tokens import TokensTruth

V = 30

TINY = dict(n_layer=1, n_head=2, n_embd=16, block_size=16, batch_size=16, device="cpu", threads=1)


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def truth() -> TokensTruth:
    params = TokensTruthParams(vocab_size=V, topics=2, doc_length_min=6, doc_length_max=12)
    return TokensTruth(params, seed=0)


def rngs(stream: Stream, replicas: int = 1, seed: int = 0) -> ReplicaRNG:
    return ReplicaRNG.for_replicas(seed, stream, list(range(replicas)))


def human(truth, n: int, replicas: int = 1) -> TokenDocs:
    return truth.sample(np.full(replicas, n), rngs(Stream.INITIAL, replicas))


def fit(truth, data: TokenDocs, seed: int = 0, **params) -> TransformerFitted:
    learner = TransformerLearner(
        TransformerParams(**{**TINY, **params}), truth.vocab_size, truth.topics
    )
    return learner.fit(data, rngs(Stream.LEARNER, data.n_replicas, seed))


@pytest.fixture(scope="module")
def trained(truth) -> TransformerFitted:
    """Two replicas trained long enough to be clearly better than uniform."""
    return fit(truth, human(truth, 200, replicas=2), max_steps=80, learning_rate=3e-3)


def test_build_learner_registers_transformer(truth):
    learner = build_learner(TransformerParams(**TINY), truth)
    assert isinstance(learner, TransformerLearner)


def test_shapes_and_ranges(truth, trained):
    test = truth.sample(np.array([40]), rngs(Stream.TEST))
    lp = trained.log_prob(test)
    assert lp.shape == (2, test.n_tokens)
    assert np.all(np.isfinite(lp)) and np.all(lp < 0)
    ppl = trained.sequence_perplexity(test)
    assert ppl.shape == (2, test.n_docs) and np.all(ppl >= 1.0)
    metrics = trained.evaluate(test, truth)
    for key in ("cross_entropy", "perplexity", "excess_cross_entropy", "truth_cross_entropy"):
        assert metrics[key].shape == (2,)
    assert np.all(metrics["cross_entropy"] < np.log(V))  # better than uniform
    assert np.all(metrics["excess_cross_entropy"] > 0)
    samples = trained.sample(np.array([5, 7]), rngs(Stream.LOOP, 2), DecodingParams())
    assert samples.docs_per_replica().tolist() == [5, 7]
    assert np.all(np.diff(samples.replica) >= 0)
    assert samples.tokens.min() >= 0 and samples.tokens.max() < V
    assert set(samples.lengths) <= set(range(6, 13))
    assert set(samples.topics) <= {0, 1}


def test_sample_topics_writes_on_the_given_topics(trained):
    topics = np.array([1, 0, 1, 1])
    gen = np.random.default_rng(3)
    docs = trained.sample_topics(topics, gen, DecodingParams(), replica=1)
    assert docs.n_replicas == 1 and docs.topics.tolist() == topics.tolist()
    assert set(docs.lengths) <= set(range(6, 13)) and docs.tokens.max() < V
    again = trained.sample_topics(topics, np.random.default_rng(3), DecodingParams(), replica=1)
    np.testing.assert_array_equal(docs.tokens, again.tokens)


def test_log_prob_is_a_distribution_over_the_vocabulary(truth, trained):
    """One-token documents of every token of a topic: their probabilities sum to one."""
    for topic in (0, 1):
        docs = TokenDocs.from_arrays(
            np.arange(V), np.ones(V, dtype=np.int64), np.full(V, topic), np.zeros(V), 1
        )
        total = np.exp(trained.log_prob(docs)).sum(axis=1)
        np.testing.assert_allclose(total, 1.0, rtol=1e-5)


def test_sequence_perplexity_matches_log_prob(truth, trained):
    test = truth.sample(np.array([10]), rngs(Stream.TEST))
    lp = trained.log_prob(test)[0]
    ppl = trained.sequence_perplexity(test)[0]
    a, b = test.offsets[3], test.offsets[4]
    assert ppl[3] == pytest.approx(np.exp(-lp[a:b].mean()))


def test_loss_falls_on_a_learnable_corpus(truth):
    """Documents cycling through 0..4 are learnt almost perfectly."""
    n_docs, length = 64, 10
    tokens = (np.arange(n_docs)[:, None] + np.arange(length)[None, :]) % 5
    docs = TokenDocs.from_arrays(
        tokens.ravel(), np.full(n_docs, length), np.zeros(n_docs), np.zeros(n_docs), 1
    )
    fitted = fit(truth, docs, max_steps=150, learning_rate=1e-2, warmup_steps=10)
    losses = fitted.train_losses[0]
    assert losses.shape == (150,)
    assert losses[-10:].mean() < 0.4 * losses[:10].mean()
    per_token = -fitted.log_prob(docs)[0].reshape(n_docs, length)
    assert per_token[:, 1:].mean() < 0.2  # after the first token the cycle is certain


def test_same_seed_same_models_samples_and_metrics(truth):
    data = human(truth, 60)
    test = truth.sample(np.array([30]), rngs(Stream.TEST))
    runs = []
    for _ in range(2):
        fitted = fit(truth, data, max_steps=10)
        samples = fitted.sample(np.array([20]), rngs(Stream.LOOP), DecodingParams())
        runs.append((fitted.train_losses, samples, fitted.evaluate(test, truth)))
    (loss_a, samples_a, metrics_a), (loss_b, samples_b, metrics_b) = runs
    np.testing.assert_array_equal(loss_a, loss_b)
    np.testing.assert_array_equal(samples_a.tokens, samples_b.tokens)
    np.testing.assert_array_equal(samples_a.offsets, samples_b.offsets)
    for key in metrics_a:
        np.testing.assert_array_equal(metrics_a[key], metrics_b[key])
    other = fit(truth, data, seed=1, max_steps=10)
    assert not np.array_equal(other.train_losses, loss_a)


def test_fitting_leaves_torch_global_rng_alone(truth):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    fit(truth, human(truth, 20), max_steps=2)
    np.testing.assert_array_equal(torch.rand(3).numpy(), expected.numpy())


def _entropy(docs: TokenDocs) -> float:
    p = np.bincount(docs.tokens, minlength=V) / docs.n_tokens
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def test_truncation_and_temperature_lower_sample_entropy(trained):
    def entropy(**decoding) -> float:
        samples = trained.sample(
            np.array([300, 0]), rngs(Stream.LOOP, 2), DecodingParams(**decoding)
        )
        return _entropy(samples)

    plain = entropy()
    assert entropy(top_p=0.5) < plain - 0.1
    assert entropy(top_k=2) < plain - 0.1
    assert entropy(temperature=0.5) < plain - 0.1
    assert entropy(temperature=2.0) > plain


def test_beam_search_is_deterministic_and_penalty_cuts_repeats(trained):
    beams = DecodingParams(num_beams=3)
    a = trained.sample(np.array([12, 0]), rngs(Stream.LOOP, 2, seed=1), beams)
    b = trained.sample(np.array([12, 0]), rngs(Stream.LOOP, 2, seed=2), beams)
    # beam search ignores the generator: a document depends on its (topic, length) only
    groups: dict[tuple[int, int], set[tuple[int, ...]]] = {}
    for docs in (a, b):
        for t, s, e in zip(docs.topics, docs.offsets[:-1], docs.offsets[1:], strict=True):
            groups.setdefault((int(t), int(e - s)), set()).add(tuple(docs.tokens[s:e]))
    assert all(len(texts) == 1 for texts in groups.values())

    def repeat_share(**decoding) -> float:
        docs = trained.sample(np.array([200, 0]), rngs(Stream.LOOP, 2), DecodingParams(**decoding))
        doc = docs.doc_of_token()
        first = np.unique(doc * V + docs.tokens, return_index=True)[1]
        return 1.0 - len(first) / docs.n_tokens  # tokens that repeat one earlier in their document

    assert repeat_share(repetition_penalty=3.0) < repeat_share() - 0.05


def test_init_modes_choose_the_starting_weights(truth):
    data = human(truth, 30)
    gen0 = fit(truth, data, max_steps=5, learning_rate=1e-2)
    weights = {name: p.detach().clone() for name, p in gen0.models[0].named_parameters()}

    def continued(init: str, previous: TransformerFitted) -> TransformerFitted:
        learner = TransformerLearner(
            TransformerParams(**TINY, init=init, max_steps=1, learning_rate=1e-12),
            truth.vocab_size,
            truth.topics,
        )
        return learner.fit(data, rngs(Stream.LEARNER, seed=5), previous=previous)

    def close_to_gen0(fitted: TransformerFitted) -> bool:
        return all(
            torch.allclose(p, weights[name], atol=1e-6)
            for name, p in fitted.models[0].named_parameters()
        )

    gen1_prev = continued("previous", gen0)
    assert close_to_gen0(gen1_prev) and gen1_prev.original is gen0
    assert not close_to_gen0(continued("scratch", gen0))
    # original: generation 2 restarts from generation 0, not from generation 1
    gen1_moved = fit(truth, data, seed=9, max_steps=5, learning_rate=1e-2)
    gen1_moved.original = gen0
    gen2 = continued("original", gen1_moved)
    assert close_to_gen0(gen2) and gen2.original is gen0
    assert gen0.original is gen0


def test_save_and_load_round_trip_with_safetensors(truth, trained, tmp_path):
    folder = trained.save(tmp_path / "fitted")
    files = {p.suffix for p in folder.rglob("*") if p.is_file()}
    assert ".safetensors" in files and not files & {".bin", ".pt", ".pkl"}
    loaded = trained.learner.load(folder)
    test = truth.sample(np.array([20]), rngs(Stream.TEST))
    np.testing.assert_allclose(loaded.log_prob(test), trained.log_prob(test), rtol=1e-6)
    a = loaded.sample(np.array([10, 10]), rngs(Stream.LOOP, 2), DecodingParams())
    b = trained.sample(np.array([10, 10]), rngs(Stream.LOOP, 2), DecodingParams())
    np.testing.assert_array_equal(a.tokens, b.tokens)


def test_prompts_condition_samples_on_training_text(truth):
    """With prompt_length, sampled documents continue training documents (Shumailov's setup)."""
    n_docs, length = 40, 12
    tokens = np.tile(np.arange(length) % 3, n_docs)  # every document is 0 1 2 0 1 2 ...
    docs = TokenDocs.from_arrays(
        tokens, np.full(n_docs, length), np.zeros(n_docs), np.zeros(n_docs), 1
    )
    fitted = fit(truth, docs, max_steps=120, learning_rate=1e-2, prompt_length=3, block_size=32)
    samples = fitted.sample(np.array([10]), rngs(Stream.LOOP), DecodingParams(top_k=1))
    # each prompt ends "0 1 2", so the continuation starts the cycle again
    first = samples.tokens[samples.offsets[:-1]]
    assert np.all(first == 0)
    assert samples.n_tokens == 10 * length


def test_sampling_past_the_context_is_a_clear_error(truth):
    fitted = fit(truth, human(truth, 20), max_steps=1, block_size=8)
    with pytest.raises(RunSetupError, match="block_size"):
        fitted.sample(np.array([3]), rngs(Stream.LOOP), DecodingParams())


def test_cuda_request_without_cuda_is_a_clear_error(truth):
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present")
    with pytest.raises(RunSetupError, match="no CUDA device"):
        TransformerLearner(TransformerParams(**{**TINY, "device": "cuda"}), truth.vocab_size)
