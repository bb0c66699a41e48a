"""Fine-tuning a pretrained causal LM: a tiny model and tokenizer saved locally by the test."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing here may download

import numpy as np
import pytest
from pydantic import ValidationError

from ecosystem.config.learners import DecodingParams, TransformerParams
from ecosystem.config.text import TextTruthParams
from ecosystem.config.truth import TokensTruthParams
from ecosystem.core.errors import RunSetupError
from ecosystem.core.rng import ReplicaRNG, Stream
from ecosystem.learners.transformer import TransformerLearner
from ecosystem.truth.text import TextTruth
from ecosystem.truth.tokens import TokensTruth

CORPUS = "To be, or not to be, that is the question:\nWhether 'tis nobler in the mind to suffer\n"


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def local_model(tmp_path_factory):
    """A tiny OPT (the paper's architecture) and a BPE tokenizer, saved as a local checkpoint."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import OPTConfig, OPTForCausalLM, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny_opt")
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator([CORPUS] * 20, vocab_size=300, show_progress=False)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe._tokenizer, bos_token="<s>", eos_token="</s>", pad_token="<pad>"
    )
    config = OPTConfig(
        vocab_size=len(tokenizer) + 5,  # like OPT-125m: a few unused embedding rows
        hidden_size=16,
        num_hidden_layers=1,
        ffn_dim=32,
        num_attention_heads=2,
        max_position_embeddings=64,
        word_embed_proj_dim=16,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    OPTForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def text_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "a.txt").write_text(CORPUS * 30)
    return folder


def learner_for(truth, model_path, **params) -> TransformerLearner:
    base = dict(pretrained=str(model_path), block_size=32, batch_size=8, device="cpu", threads=1)
    return TransformerLearner(
        TransformerParams(**{**base, **params}), truth.vocab_size, truth.topics
    )


def test_pretrained_tokenizer_and_model_fine_tune_sample_and_score(local_model, text_folder):
    truth = TextTruth(
        TextTruthParams(
            source="folder",
            path=str(text_folder),
            tokenizer="pretrained",
            tokenizer_path=str(local_model),
            block_length=8,
        )
    )
    learner = learner_for(truth, local_model, max_steps=30, learning_rate=1e-2, init="original")
    assert learner.space.max_positions == 64
    data = truth.sample(np.array([40]), ReplicaRNG.for_replicas(0, Stream.INITIAL, [0]))
    test = truth.test_sample(np.array([10]), ReplicaRNG.for_replicas(0, Stream.TEST, [0]))
    fitted = learner.fit(data, ReplicaRNG.for_replicas(0, Stream.LEARNER, [0]))
    losses = fitted.train_losses[0]
    assert losses[-5:].mean() < losses[:5].mean()
    metrics = fitted.evaluate(test, truth)
    assert set(metrics) == {"cross_entropy", "perplexity", "train_loss"}  # no known truth law
    assert metrics["perplexity"][0] < truth.vocab_size
    decoding = DecodingParams(num_beams=2, repetition_penalty=3.0)
    samples = fitted.sample(np.array([6]), ReplicaRNG.for_replicas(0, Stream.LOOP, [0]), decoding)
    assert samples.n_tokens == 6 * 8
    assert samples.tokens.max() < truth.vocab_size
    special = {t for t in learner.space.suppress if t < truth.vocab_size}
    assert special and not set(samples.tokens.tolist()) & special
    assert all(isinstance(text, str) for text in truth.spell_docs(samples))
    # init original: generation 1 starts from generation 0 and keeps pointing at it
    gen1 = learner.fit(samples, ReplicaRNG.for_replicas(0, Stream.LEARNER, [0]), previous=fitted)
    assert gen1.original is fitted


def test_pretrained_model_with_too_small_a_vocabulary_is_refused(local_model):
    truth = TokensTruth(TokensTruthParams(vocab_size=5000, topics=1), seed=0)
    with pytest.raises(RunSetupError, match="token embeddings"):
        learner_for(truth, local_model)


def test_pretrained_context_bounds_block_size(local_model):
    truth = TokensTruth(TokensTruthParams(vocab_size=50, topics=1), seed=0)
    with pytest.raises(RunSetupError, match="exceeds the context"):
        learner_for(truth, local_model, block_size=65)


def test_missing_pretrained_model_is_a_clear_error(tmp_path):
    truth = TokensTruth(TokensTruthParams(vocab_size=50, topics=1), seed=0)
    with pytest.raises(RunSetupError, match="learner.pretrained"):
        learner_for(truth, tmp_path / "no_such_model")


def test_architecture_fields_are_refused_with_pretrained():
    with pytest.raises(ValidationError, match="n_layer"):
        TransformerParams(pretrained="facebook/opt-125m", n_layer=4)
    with pytest.raises(ValidationError, match="divisible"):
        TransformerParams(n_embd=30, n_head=4)
