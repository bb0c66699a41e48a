"""Resource estimates: within 2x of the measured peak on every shipped scenario (at sizes
where the run's data dominates), printed by ``validate``, and enforced by ``run``.

The peak is measured with ``tracemalloc``: numpy reports every array buffer to it, so the traced
peak is the run's own numpy and Python memory, free of the allocator's and the libraries' noise
that an RSS delta carries (all modules are imported before tracing starts). The transformer's
torch tensors are not traced; its estimate is checked against the built model's parameters.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from ecosystem.cli import app
from ecosystem.config import validate_text
from ecosystem.resources import estimate
from ecosystem.runner import simulate
from tests.conftest import SCENARIOS
from tests.golden import PRETRAINED, _set, reduced_text, shipped

runner = CliRunner()

# Sizes at which each shipped scenario's data is tens of MiB but the run takes seconds.
MEASURE: dict[str, dict] = {
    "baseline.yaml": {"steps": 20, "authors.count": 4000, "trainers.*.crawl_budget": 4000},
    "calibrated_web.yaml": {"steps": 20, "authors.count": 4000, "trainers.*.crawl_budget": 4000},
    "data_moat.yaml": {"steps": 20, "authors.count": 4000, "trainers.*.crawl_budget": 4000},
    **{
        f"policies/{lever}.yaml": {
            "steps": 20,
            "authors.count": 4000,
            "trainers.*.crawl_budget": 4000,
        }
        for lever in ("no_policy", "detector", "watermark", "provenance", "opt_out", "retention")
        + ("levy",)
    },
    "loop_gaussian.yaml": {"loop.replicas": 200, "loop.samples_per_generation": 2000},
    "loop_tokens.yaml": {"loop.replicas": 4, "loop.samples_per_generation": 4000},
    "transformer_tiny.yaml": {},
    "papers/alemohammad_mad.yaml": {"loop.replicas": 4, "loop.samples_per_generation": 4000},
    "papers/bertrand_fresh.yaml": {"loop.replicas": 200, "loop.samples_per_generation": 2000},
    "papers/discrete_collapse.yaml": {"loop.replicas": 200},
    "papers/dohmatob_tail.yaml": {"scaling.train_sizes": [1000, 30000]},
    "papers/gerstgrasser_linear.yaml": {"loop.replicas": 200},
    "papers/shumailov_gaussian.yaml": {"loop.replicas": 200},
    "papers/shumailov_gmm.yaml": {"loop.samples_per_generation": 20000},
    "papers/shumailov_ngram.yaml": {"loop.replicas": 4, "loop.samples_per_generation": 4000},
}


def measured_scenario(name: str):
    data = yaml.safe_load(reduced_text(name))
    for path, value in MEASURE[name].items():
        _set(data, path.split("."), value)
    return validate_text(yaml.safe_dump(data), name)


def traced_peak(scenario) -> int:
    simulate(scenario)  # first run: every lazy import and cache happens outside the trace
    tracemalloc.start()
    try:
        simulate(scenario)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    "name", [n for n in shipped() if n not in PRETRAINED and "transformer" not in n]
)
def test_estimate_within_2x_of_the_measured_peak(name):
    scenario = measured_scenario(name)
    peak, guess = traced_peak(scenario), estimate(scenario).peak_bytes
    print(f"{name}: measured {peak / 2**20:.1f} MiB, estimated {guess / 2**20:.1f} MiB")
    assert peak / 2 <= guess <= 2 * peak, (peak, guess)


def test_transformer_parameters_are_counted_exactly():
    from ecosystem.learners import build_learner
    from ecosystem.resources import transformer_params
    from ecosystem.truth import build_truth

    text = (
        "kind: loop\ntruth: {modality: tokens, vocab_size: 97, topics: 3}\n"
        "learner: {kind: transformer, n_layer: 3, n_embd: 48, n_head: 4, block_size: 40}\n"
    )
    scenario = validate_text(text, "t.yaml")
    truth = build_truth(scenario.truth, 0)
    learner = build_learner(scenario.learner, truth)
    model = learner.new_model(np.random.default_rng(0))
    built = sum(p.numel() for p in model.parameters())
    assert transformer_params(scenario.learner, 97, 3) == built
    assert estimate(scenario).peak_bytes >= 16 * built  # weights, gradients, AdamW moments


def test_validate_prints_the_estimate(small_tokens_yaml):
    res = runner.invoke(app, ["validate", str(small_tokens_yaml)])
    assert res.exit_code == 0
    assert f"{small_tokens_yaml}: estimated peak memory" in res.output


def test_run_refuses_what_does_not_fit_unless_forced(small_tokens_yaml, tmp_path, monkeypatch):
    monkeypatch.setattr("ecosystem.resources.available_memory", lambda: 100 * 2**20)
    out = tmp_path / "run"
    big = ["--set", "loop.replicas=1000000", "--set", "loop.samples_per_generation=100000000"]
    res = runner.invoke(app, ["run", str(small_tokens_yaml), "--out", str(out), *big])
    assert res.exit_code == 2 and not out.exists()
    (line,) = res.output.strip().splitlines()
    assert "estimated peak memory" in line and "TiB" in line
    assert "loop.replicas x loop.samples_per_generation" in line and "--force" in line
    huge_truth = ["--set", "truth.vocab_size=200000", "--set", "truth.topics=1000"]
    huge_truth += ["--set", "truth.branching=1000"]
    res = runner.invoke(app, ["run", str(small_tokens_yaml), "--out", str(out), *huge_truth])
    assert res.exit_code == 2 and "driven by truth.topics x truth.vocab_size" in res.output
    # the small run fits in 100 MiB only with --force (the process base alone is 600 MiB)
    res = runner.invoke(app, ["run", str(small_tokens_yaml), "--out", str(out)])
    assert res.exit_code == 2 and "more than the 100 MiB available" in res.output
    res = runner.invoke(app, ["run", str(small_tokens_yaml), "--out", str(out), "--force", "-q"])
    assert res.exit_code == 0, res.output
    assert (out / "run.json").exists()


def test_every_shipped_scenario_fits_a_16_gib_machine_at_full_size():
    for name in shipped():
        scenario = validate_text((SCENARIOS / name).read_text(encoding="utf-8"), name)
        guess = estimate(scenario)
        assert guess.total_bytes < 16 * 2**30, (name, guess.describe())
