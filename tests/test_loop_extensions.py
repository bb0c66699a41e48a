"""Loop pieces added for the paper reproductions: the original_fraction strategy, vocabulary
metrics of count models, the token survival table and the precision-like sample metric."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ecosystem.config import load_scenario, validate_text
from ecosystem.core.errors import ScenarioError
from ecosystem.lab.loop import run_loop
from ecosystem.metrics.vocabulary import TokenSurvival, vocabulary_metrics

GAUSSIAN = """
kind: loop
seed: 2
truth: {modality: vectors, dim: 1, mean: 1.0, std: 2.0}
learner: {kind: gaussian}
loop:
  replicas: 3
  generations: 4
  samples_per_generation: 50
  strategies: [replace, original_fraction]
"""

UNIGRAM = """
kind: loop
seed: 5
truth:
  modality: tokens
  vocab_size: 30
  topics: 1
  zipf_exponent: 1.2
  branching: 1
  background_weight: 1.0
  topic_spread: 0.0
  doc_length_min: 1
  doc_length_max: 1
learner: {kind: ngram, order: 1, add_k: 0.0}
loop:
  replicas: 4
  generations: 12
  samples_per_generation: 40
  strategies: [replace]
  test_samples: 50
metrics: {sample_size: 10, text_samples: 0, token_survival: true}
"""


def gaussian(*overrides):
    return validate_text(GAUSSIAN, "gaussian.yaml", list(overrides))


def test_all_of_the_original_data_every_generation_refits_generation_zero():
    frame = run_loop(gaussian("loop.original_fraction=1.0"))["generations"]
    kept = frame.filter(pl.col("strategy") == "original_fraction")
    for column in ("w2", "sigma_ratio", "mean_error"):
        per_generation = kept.pivot(on="generation", index="replica", values=column)
        values = per_generation.drop("replica").to_numpy()
        np.testing.assert_allclose(values, values[:, :1].repeat(values.shape[1], axis=1))
    assert kept["train_ai_share"].to_list() == [0.0] * kept.height


def test_original_fraction_mixes_shares_and_keeps_the_training_size():
    frame = run_loop(gaussian("loop.original_fraction=0.2"))["generations"]
    kept = frame.filter(pl.col("strategy") == "original_fraction", pl.col("generation") > 0)
    assert kept["train_size"].unique().to_list() == [50]
    assert kept["train_ai_share"].unique().to_list() == [pytest.approx(0.8)]
    again = run_loop(gaussian("loop.original_fraction=0.2"))["generations"]
    assert_frame_equal(frame, again)


def test_original_fraction_needs_explicit_samples():
    with pytest.raises(ScenarioError, match="original_fraction"):
        gaussian("loop.sampling=statistics")


def test_vocabulary_metrics_of_hand_counts():
    marginal = np.array([0.5, 0.3, 0.2])
    replica = np.array([0, 0, 1])
    token = np.array([0, 2, 1])
    count = np.array([3.0, 1.0, 5.0])
    out = vocabulary_metrics(replica, token, count, 2, marginal)
    np.testing.assert_allclose(out["unigram_collision"], [(0.75**2 + 0.25**2), 1.0])
    np.testing.assert_allclose(out["unseen_mass"], [0.3, 0.7])


def test_survival_records_the_first_generation_without_the_token():
    survival = TokenSurvival(1, np.array([0.6, 0.3, 0.1]))
    survival.update(0, np.array([0, 0]), np.array([0, 1]))
    survival.update(1, np.array([0]), np.array([0]))
    survival.update(2, np.array([0, 0]), np.array([0, 1]))
    frame = survival.frame("replace")
    assert frame["extinct_generation"].to_list() == [None, 1, 0]
    assert frame["truth_rank"].to_list() == [1, 2, 3]


def test_unigram_loop_reports_collisions_and_a_survival_table(tmp_path):
    path = tmp_path / "unigram.yaml"
    path.write_text(UNIGRAM)
    tables = run_loop(load_scenario(path))
    frame, survival = tables["generations"], tables["survival"]
    assert survival.height == 4 * 30
    extinct = survival["extinct_generation"].drop_nulls()
    assert extinct.min() >= 0 and extinct.max() <= 12
    # Σp² of a unigram fit is at least 1/(number of seen tokens) and never exceeds 1
    assert frame["unigram_collision"].is_between(1 / 30, 1.0).all()
    # with add_k 0 a lost token never returns: lost tokens carry no unseen-mass decrease
    per_replica = frame.sort("generation").group_by("replica").agg(pl.col("unseen_mass"))
    for masses in per_replica["unseen_mass"].to_list():
        assert np.all(np.diff(masses) >= -1e-12)
    assert (frame["sample_truth_nll"] > 0).all()


def test_token_loops_without_survival_have_no_survival_table(small_tokens_yaml):
    tables = run_loop(load_scenario(small_tokens_yaml))
    assert "survival" not in tables
    frame = tables["generations"]
    assert {"unseen_mass", "unigram_collision", "sample_truth_nll"} <= set(frame.columns)
