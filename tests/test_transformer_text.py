"""The text truth (folder, shipped plays, HF source errors) and the loop on real text."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing here may download

import sys
import types

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from ecosystem.cli import app
from ecosystem.config import load_scenario
from ecosystem.config.text import TextTruthParams
from ecosystem.core.errors import RunSetupError
from ecosystem.core.rng import ReplicaRNG, Stream
from ecosystem.corpora import corpus_folder
from ecosystem.lab.loop import run_loop
from ecosystem.truth import build_truth
from ecosystem.truth.corpus import split_text
from ecosystem.truth.text import TextTruth
from tests.conftest import SCENARIOS

LINES = [f"line {i}: the quick brown fox jumps over the lazy dog number {i}.\n" for i in range(400)]


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture
def text_folder(tmp_path):
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("".join(LINES[:200]))
    (folder / "sub" / "b.txt").write_text("".join(LINES[200:]))
    (folder / "ignored.md").write_text("not text")
    return folder


def rng(stream: Stream, replicas: int = 1) -> ReplicaRNG:
    return ReplicaRNG.for_replicas(0, stream, list(range(replicas)))


def test_folder_truth_blocks_split_and_spelling(text_folder):
    params = TextTruthParams(
        source="folder", path=str(text_folder), bpe_vocab_size=300, block_length=16
    )
    truth = build_truth(params, seed=0)
    assert isinstance(truth, TextTruth) and truth.modality == "text" and truth.topics == 1
    assert 257 <= truth.vocab_size <= 300
    assert not hasattr(truth, "log_prob") and not hasattr(truth, "cross_entropy")
    docs = truth.sample(np.array([30, 50]), rng(Stream.INITIAL, 2))
    assert docs.docs_per_replica().tolist() == [30, 50]
    assert np.all(docs.lengths == 16) and np.all(docs.topics == 0)
    assert docs.tokens.max() < truth.vocab_size
    # without replacement: no block twice within a replica
    first = docs.for_replica(0).tokens.reshape(30, 16)
    assert len({tuple(row) for row in first}) == 30
    # blocks decode to text of the training part of the corpus, never the held-out part
    corpus = "".join(LINES)
    texts = truth.spell_docs(docs, limit=5)
    assert len(texts) == 5 and all(text in corpus for text in texts)
    held_out = truth.spell_docs(truth.test_sample(np.array([10**6]), rng(Stream.TEST)))
    train_text = "".join(truth.spell_docs(truth.sample(np.array([1]), rng(Stream.INITIAL))))
    assert held_out and train_text not in "".join(held_out)
    assert "line 199:" in "".join(held_out) or "line 399:" in "".join(held_out)


def test_test_sample_covers_the_held_out_split(text_folder):
    truth = TextTruth(
        TextTruthParams(source="folder", path=str(text_folder), bpe_vocab_size=300, block_length=8)
    )
    everything = truth.test_sample(np.array([10**6]), rng(Stream.TEST))
    assert everything.n_docs == len(truth.test_blocks)
    np.testing.assert_array_equal(everything.tokens, truth.test_blocks.ravel())
    some = truth.test_sample(np.array([5]), rng(Stream.TEST))
    assert some.n_docs == 5


def test_text_truth_is_deterministic(text_folder):
    params = TextTruthParams(source="folder", path=str(text_folder), bpe_vocab_size=300)
    a, b = TextTruth(params), TextTruth(params)
    np.testing.assert_array_equal(a.train_blocks, b.train_blocks)
    draw_a = a.sample(np.array([20]), rng(Stream.INITIAL))
    draw_b = b.sample(np.array([20]), rng(Stream.INITIAL))
    np.testing.assert_array_equal(draw_a.tokens, draw_b.tokens)


def test_asking_for_more_blocks_than_exist_cycles_through_them(text_folder):
    truth = TextTruth(
        TextTruthParams(source="folder", path=str(text_folder), bpe_vocab_size=300, block_length=64)
    )
    n_blocks = len(truth.train_blocks)
    docs = truth.sample(np.array([2 * n_blocks]), rng(Stream.INITIAL))
    rows = {tuple(r) for r in docs.tokens.reshape(-1, 64)}
    assert len(rows) == len({tuple(r) for r in truth.train_blocks})


def test_split_text_cuts_at_a_line_break():
    head, tail = split_text("aaaa\nbbbb\ncccc\ndddd\n", 0.25)
    assert head + tail == "aaaa\nbbbb\ncccc\ndddd\n"
    assert head.endswith("\n") and tail == "dddd\n"


def test_shipped_plays_are_package_data():
    folder = corpus_folder("shakespeare")
    plays = sorted(p.name for p in folder.glob("*.txt"))
    assert "hamlet.txt" in plays and (folder / "README.md").exists()
    assert sum(p.stat().st_size for p in folder.glob("*.txt")) < 2_000_000
    text = (folder / "hamlet.txt").read_text(encoding="utf-8")
    assert "Gutenberg" not in text  # license boilerplate stripped
    with pytest.raises(FileNotFoundError, match="shipped"):
        corpus_folder("no_such_corpus")


def test_bad_text_sources_are_validation_errors(tmp_path):
    with pytest.raises(ValueError, match="not a folder"):
        TextTruthParams(source="folder", path=str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="no .txt files"):
        TextTruthParams(source="folder", path=str(tmp_path))
    with pytest.raises(ValueError, match="needs path"):
        TextTruthParams(source="folder")
    with pytest.raises(ValueError, match="hf_dataset"):
        TextTruthParams(source="hf")
    with pytest.raises(ValueError, match="tokenizer_path"):
        TextTruthParams(tokenizer="pretrained")


def test_hf_source_without_datasets_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "datasets", None)  # import datasets -> ImportError
    params = TextTruthParams(source="hf", hf_dataset="wikitext", hf_config="wikitext-2-raw-v1")
    with pytest.raises(RunSetupError, match=r"pip install 'ecosim\[hf\]'"):
        TextTruth(params)


def test_hf_source_reads_both_splits_through_datasets(monkeypatch):
    """A stand-in ``datasets`` module: rows are lines, as in wikitext."""
    calls = []

    def load_dataset(name, config, split):
        calls.append((name, config, split))
        lines = LINES[:300] if split == "train" else LINES[300:]
        return {"text": [line.rstrip("\n") for line in lines]}

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=load_dataset))
    params = TextTruthParams(
        source="hf",
        hf_dataset="wikitext",
        hf_config="wikitext-2-raw-v1",
        bpe_vocab_size=300,
        block_length=8,
    )
    truth = TextTruth(params)
    assert calls == [
        ("wikitext", "wikitext-2-raw-v1", "train"),
        ("wikitext", "wikitext-2-raw-v1", "test"),
    ]
    held_out = "".join(truth.spell_docs(truth.test_sample(np.array([10**6]), rng(Stream.TEST))))
    assert "line 350:" in held_out and "line 10:" not in held_out


def test_hf_source_failure_names_the_dataset(monkeypatch):
    def load_dataset(name, config, split):
        raise ConnectionError("offline")

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=load_dataset))
    params = TextTruthParams(source="hf", hf_dataset="wikitext", hf_config="wikitext-2-raw-v1")
    with pytest.raises(RunSetupError, match="'wikitext/wikitext-2-raw-v1' split 'train'"):
        TextTruth(params)


LOOP_TEXT = """\
kind: loop
name: tiny_text
seed: 5
truth:
  modality: text
  source: folder
  path: {folder}
  bpe_vocab_size: 300
  block_length: 12
learner:
  kind: transformer
  n_layer: 1
  n_head: 2
  n_embd: 16
  block_size: 16
  batch_size: 16
  max_steps: 8
  device: cpu
  threads: 1
decoding:
  top_p: 0.9
loop:
  replicas: 2
  generations: 2
  samples_per_generation: 40
  strategies: [replace, fresh_fraction]
  test_samples: 30
metrics:
  sample_size: 10
"""


def test_loop_on_text_runs_end_to_end_through_the_cli(text_folder, tmp_path):
    scenario = tmp_path / "tiny_text.yaml"
    scenario.write_text(LOOP_TEXT.format(folder=text_folder))
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    table = pl.read_parquet(out / "generations.parquet")
    assert table.height == 2 * 2 * 3
    assert "excess_cross_entropy" not in table.columns  # real text: the truth's law is unknown
    assert table["perplexity"].is_finite().all() and (table["perplexity"] > 1).all()
    fresh = table.filter(pl.col("strategy") == "fresh_fraction", pl.col("generation") > 0)
    assert fresh["train_ai_share"].to_list() == pytest.approx([0.9] * 4)
    samples = pl.read_parquet(out / "samples.parquet")
    assert samples["model_text"].str.len_chars().min() > 0
    sequences = pl.read_parquet(out / "sequences.parquet")
    assert (sequences["perplexity_gen0"] > 1).all()


def test_loop_on_text_is_deterministic(text_folder, tmp_path):
    scenario = tmp_path / "tiny_text.yaml"
    scenario.write_text(LOOP_TEXT.format(folder=text_folder))
    loaded = load_scenario(scenario, ["loop.strategies=[replace]", "loop.generations=1"])
    first, second = run_loop(loaded), run_loop(loaded)
    assert first["generations"].equals(second["generations"])
    assert first["samples"].equals(second["samples"])


def test_transformer_on_synthetic_tokens_reports_excess_cross_entropy():
    scenario = load_scenario(
        SCENARIOS / "loop_tokens.yaml",
        [
            "loop.strategies=[replace]",
            "learner={kind: transformer, n_layer: 1, n_head: 2, n_embd: 16, block_size: 64, "
            "max_steps: 5, threads: 1}",
            "loop.replicas=1",
            "loop.generations=1",
            "loop.samples_per_generation=50",
            "loop.test_samples=50",
            "metrics.sample_size=20",
        ],
    )
    table = run_loop(scenario)["generations"]
    assert {"excess_cross_entropy", "tail_mass_ratio", "distinct_2"} <= set(table.columns)
    assert (table["excess_cross_entropy"] > 0).all()
