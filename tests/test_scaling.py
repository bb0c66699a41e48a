"""Scaling mode (``kind: scaling``): test error against training size on generated data."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ecosystem.config import load_scenario, validate_text
from ecosystem.core.errors import ScenarioError
from ecosystem.lab.scaling import run_scaling, scaling_summary
from ecosystem.runner import RunSpec, execute, summarize
from ecosystem.truth import build_truth

ZIPF = """\
kind: scaling
name: small_zipf
seed: 4
truth:
  modality: tokens
  vocab_size: 200
  topics: 1
  zipf_exponent: 1.5
  branching: 1
  background_weight: 1.0
  topic_spread: 0.0
  doc_length_min: 1
  doc_length_max: 1
learner:
  kind: ngram
  order: 1
  add_k: 0.0
decoding:
  top_k: 5
scaling:
  train_sizes: [50, 500, 5000]
  real_fractions: [0.0, 1.0]
  generator_samples: 20000
  replicas: 3
  test_samples: 100
"""


@pytest.fixture
def zipf(tmp_path):
    path = tmp_path / "zipf.yaml"
    path.write_text(ZIPF)

    def make(*overrides):
        return load_scenario(path, list(overrides))

    make.path = path
    return make


def test_rows_per_point_and_replica_with_the_generated_share(zipf):
    tables = run_scaling(zipf())
    frame = tables["scaling"]
    assert frame.height == 2 * 3 * 3
    shares = frame.group_by("real_fraction").agg(pl.col("train_ai_share").first())
    assert dict(shares.iter_rows()) == {0.0: 1.0, 1.0: 0.0}
    assert tables["generator"]["train_size"].to_list() == [20000]
    assert {"unseen_mass", "unigram_collision", "cross_entropy"} <= set(frame.columns)


def test_generated_data_plateaus_at_the_mass_beyond_top_k_clean_data_does_not(zipf):
    scenario = zipf()
    summary = scaling_summary(run_scaling(scenario)["scaling"])
    p = build_truth(scenario.truth, scenario.seed).token_marginal()
    beyond_k = np.sort(p)[::-1][5:].sum()
    cut = summary.filter(pl.col("real_fraction") == 0.0)["unseen_mass"].to_numpy()
    clean = summary.filter(pl.col("real_fraction") == 1.0)["unseen_mass"].to_numpy()
    assert cut[-1] == pytest.approx(beyond_k, rel=1e-6)  # every top-k token seen by then
    assert clean[-1] < 0.5 * cut[-1] and np.all(np.diff(clean) < 0)


def test_a_memoriser_run_records_its_closed_form_beside_the_measured_error(zipf):
    scenario = zipf("scaling.replicas=40")
    tables = run_scaling(scenario)
    expected = tables["closed_form"].sort("real_fraction", "train_size")
    assert expected.columns == ["real_fraction", "train_size", "unseen_mass"]
    p = build_truth(scenario.truth, scenario.seed).token_marginal()
    assert expected["unseen_mass"][0] == pytest.approx(float(np.sum(p * (1 - np.where(
        np.argsort(np.argsort(-p)) < 5, p / np.sort(p)[::-1][:5].sum(), 0.0)) ** 50)))  # fmt: skip
    measured = scaling_summary(tables["scaling"]).sort("real_fraction", "train_size")
    assert np.allclose(measured["unseen_mass"], expected["unseen_mass"], rtol=0.15, atol=0.01)
    smoothed = run_scaling(zipf("learner.add_k=0.5"))
    assert "closed_form" not in smoothed  # the closed form is the memoriser's only


def test_same_seed_same_table_and_replicas_independent_of_their_count(zipf):
    a, b = run_scaling(zipf())["scaling"], run_scaling(zipf())["scaling"]
    assert_frame_equal(a, b)
    more = run_scaling(zipf("scaling.replicas=5"))["scaling"].filter(pl.col("replica") < 3)
    assert_frame_equal(a, more)


def test_runner_writes_the_scaling_table_and_summarises_it(zipf, tmp_path):
    folder = execute(RunSpec(zipf.path, tmp_path / "run"))
    assert (folder / "scaling.parquet").exists() and (folder / "generator.parquet").exists()
    summary = summarize(folder, "scaling")
    (table,) = summary.tables
    assert table.points == ["T = 50", "T = 500", "T = 5,000"]
    assert [r.line for r in table.rows if r.quantity == "unseen_mass"] == [
        "0% human", "0% human, closed form", "100% human", "100% human, closed form",
    ]  # fmt: skip


def test_vectors_learners_scale_too():
    scenario = validate_text(
        """
kind: scaling
truth: {modality: vectors, dim: 2}
learner: {kind: gaussian}
decoding: {temperature: 0.5}
scaling: {train_sizes: [20, 2000], real_fractions: [0.0, 1.0], generator_samples: 5000,
          replicas: 4}
""",
        "inline.yaml",
    )
    largest = scaling_summary(run_scaling(scenario)["scaling"]).filter(pl.col("train_size") == 2000)
    w2 = dict(zip(largest["real_fraction"], largest["w2"], strict=True))
    # the generator samples at temperature 0.5: its data has half the variance, a W2 floor
    assert w2[0.0] > 0.3 and w2[1.0] < 0.1


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ("scaling.train_sizes=[10, 10]", "scaling.train_sizes"),
        ("scaling.real_fractions=[1.5]", "scaling.real_fractions.0"),
        ("scaling.train_sizes=[]", "scaling.train_sizes"),
        ("learner={kind: gaussian}", "learner.kind"),
    ],
)
def test_bad_sweeps_are_reported_at_their_field(zipf, override, field):
    with pytest.raises(ScenarioError) as err:
        zipf(override)
    assert any(p.path == field for p in err.value.problems), err.value.problems
