"""The papers' results hold at test size, and fail when the mechanism behind them is removed.

Every row of the reproduction registry (ecosystem.papers) runs its experiments with their
test-size overrides and must pass its quick tolerance. The second half flips the mechanism of a
result (MLE for unbiased, accumulate for replace, no tail cut, no fresh data...) and checks that
the same row then fails: the assertions discriminate.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from ecosystem import papers
from ecosystem.papers import REPRODUCTIONS
from ecosystem.papers.mixing import final_risk
from ecosystem.papers.reproduce import Experiment, Reproduction, Run, check, run_experiment

ROWS = {row.key: row for row in REPRODUCTIONS}


@pytest.fixture(scope="module")
def quick_runs():
    """Test-size runs by experiment name, each run once for the whole module."""
    cache: dict[str, Run] = {}

    def runs_for(row: Reproduction) -> dict[str, Run]:
        for experiment in row.experiments:
            if experiment.name not in cache:
                cache[experiment.name] = run_experiment(experiment, quick=True)
        return cache

    return runs_for


def test_registry_covers_the_eight_results_with_unique_keys():
    assert len(ROWS) == len(REPRODUCTIONS)
    scenarios = {e.scenario for row in REPRODUCTIONS for e in row.experiments}
    assert len(scenarios) == 8
    assert all(row.detail and row.paper_text for row in REPRODUCTIONS)


@pytest.mark.parametrize("row", REPRODUCTIONS, ids=lambda row: row.key)
def test_paper_result_holds_at_test_size(row, quick_runs):
    outcome = check(row, quick_runs(row), quick=True)
    assert outcome.passed, (
        f"{row.key}: ecosim {outcome.ecosim_value:.4g} vs paper {outcome.paper_value} "
        f"({row.tolerance_for(True).describe()})"
    )


def flipped(experiment: Experiment, *overrides: str) -> Experiment:
    """The same test-size experiment with the mechanism changed by ``overrides``."""
    return replace(experiment, quick=(*experiment.quick, *overrides))


FLIPS = [
    # unbiased -> MLE: the median σ ratio falls like exp(-n/M), not exp(-n/(2M))
    ("gaussian-median-unbiased", papers.GAUSS_LONG, ("learner.estimator=mle",)),
    # replace -> accumulate: the pooled variance stays near σ²
    ("gaussian-pooled-variance", papers.GAUSS_MOMENTS, ("loop.strategies=[accumulate]",)),
    # constant M instead of M_i ∝ i^1.5: W2 grows past the converging sum
    ("gaussian-growing-samples", papers.GAUSS_GROWING, ("loop.samples_growth_exponent=0.0",)),
    # refit on everything so far: categories are not lost, Σp² stays near its start
    ("discrete-collision", papers.DISCRETE, ("loop.strategies=[accumulate]",)),
    # no tail cut: the error does not plateau at the mass beyond rank k
    ("tail-plateau", papers.TAIL, ("decoding.top_k=null",)),
    # no fixed real set: the augmented loop is the fully synthetic one
    ("mad-augmentation", papers.MAD, ("loop.original_fraction=0.0",)),
    # no sampling bias: diversity falls no faster than unbiased
    ("mad-biased-diversity", papers.MAD_BIASED, ("decoding.temperature=1.0",)),
    # no fresh data: the mean drifts away from the stationary level
    ("stability-5", papers.STABLE_5, ("loop.fresh_fraction=0.0",)),
    # nothing kept: the "10% kept" loop degrades like replace
    ("ngram-original-kept", papers.NGRAM, ("loop.original_fraction=0.0",)),
]


@pytest.mark.parametrize(("key", "experiment", "overrides"), FLIPS, ids=[f[0] for f in FLIPS])
def test_result_fails_without_its_mechanism(key, experiment, overrides, quick_runs):
    row = ROWS[key]
    runs = dict(quick_runs(row))
    runs[experiment.name] = run_experiment(flipped(experiment, *overrides), quick=True)
    assert not check(row, runs, quick=True).passed


@pytest.mark.parametrize(
    ("key", "other_strategy"),
    [("linear-replace", "accumulate"), ("linear-accumulate", "replace")],
)
def test_linear_closed_forms_tell_replace_from_accumulate(key, other_strategy, quick_runs):
    row = ROWS[key]
    runs = quick_runs(row)
    swapped = final_risk(runs, other_strategy)
    assert not row.tolerance_for(True).passes(swapped, row.paper_value(runs))
