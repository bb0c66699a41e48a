"""Compare for replications: means over seeds with 95% intervals, and a verdict only when the
interval of a difference excludes zero."""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pytest
from scipy import stats

from dashboard import intervals
from tests.dashboard_app import assert_clean, charts, open_app, texts
from tests.dashboard_runs import write_loop_run

PAGE = "app_pages/compare.py"
SCENARIOS = {
    "base": ([], [1, 2, 3]),
    # a fifth of the samples per generation: a clearly worse model, whatever the seed
    "starved": (["loop.samples_per_generation=60"], [4, 5, 6]),
    # the same scenario under another description: a different group, the same distribution
    "relabelled": (["description=the same scenario, relabelled"], [4, 5, 6]),
}


@pytest.fixture(scope="module")
def replicated(tmp_path_factory) -> Path:
    """Three seeds of the tiny token scenario and of two variants of it."""
    root = tmp_path_factory.mktemp("replications")
    for name, (overrides, seeds) in SCENARIOS.items():
        for seed in seeds:
            write_loop_run(root / f"{name}_{seed}", seed=seed, overrides=overrides)
    return root


def folders(root: Path, *names: str) -> list[str]:
    return [str(root / f"{name}_{seed}") for name in names for seed in SCENARIOS[name][1]]


def test_the_interval_of_a_mean_is_students_t():
    frame = pl.DataFrame({"group": ["a"] * 3 + ["b"], "value": [1.0, 2.0, 3.0, 5.0]})
    table = intervals.seed_intervals(frame, ["group"], "value")
    a, b = table.row(0, named=True), table.row(1, named=True)
    half = stats.t.ppf(0.975, 2) * 1.0 / math.sqrt(3)  # std of 1, 2, 3 is 1
    assert (a["n"], a["mean"], a["std"]) == (3, 2.0, 1.0)
    assert a["ci_low"] == pytest.approx(2 - half) and a["ci_high"] == pytest.approx(2 + half)
    assert b["n"] == 1 and b["ci_low"] is None  # one seed: no interval


def test_the_interval_of_a_difference_is_welchs():
    x, y = [1.0, 2.5, 3.0, 4.2], [2.0, 2.2, 6.0]
    expected = stats.ttest_ind(x, y, equal_var=False).confidence_interval(0.95)
    diff, low, high = intervals.difference_interval(
        float(pl.Series(x).mean()), pl.Series(x).std(), len(x),
        float(pl.Series(y).mean()), pl.Series(y).std(), len(y),
    )  # fmt: skip
    assert diff == pytest.approx(sum(x) / 4 - sum(y) / 3)
    assert (low, high) == (pytest.approx(expected.low), pytest.approx(expected.high))
    assert intervals.difference_interval(1.0, None, 1, 0.0, 0.5, 3)[1:] == (None, None)


def test_a_difference_is_called_only_when_its_interval_excludes_zero():
    assert intervals.verdict("excess_cross_entropy", 0.1, 0.3) == "better"  # goodness rose
    assert intervals.verdict("excess_cross_entropy", -0.3, -0.1) == "worse"
    assert intervals.verdict("excess_cross_entropy", -0.3, 0.1) == intervals.NO_CLEAR
    assert intervals.verdict("excess_cross_entropy", None, None) == intervals.NO_CLEAR
    assert intervals.verdict("train_size", 1.0, 2.0) == "changed"  # no better direction


def test_replications_are_runs_that_differ_only_in_their_seed():
    meta = {"kind": "loop", "name": "s", "scenario": {"seed": 1, "loop": {"replicas": 3}}}
    other_seed = {**meta, "scenario": {"seed": 2, "loop": {"replicas": 3}}}
    other_scenario = {**meta, "scenario": {"seed": 1, "loop": {"replicas": 4}}}
    key = intervals.replication_key
    assert key(meta) == key(other_seed) != key(other_scenario)
    labelled = {**meta, "overrides": ["loop.replicas=4", "seed=9"]}
    assert intervals.replication_label(labelled, "x") == "s loop.replicas=4"


def test_compare_calls_a_clear_difference_worse(replicated):
    at = open_app(replicated, PAGE, compare_runs=folders(replicated, "base", "starved"))
    assert_clean(at)
    assert len(charts(at)) == 2  # every run's lines, then the groups' intervals
    table = at.table[0].value
    assert set(table["seeds"]) == {3}
    assert all(text.startswith("[") for text in table["95% interval"])
    verdicts = texts(at.table)
    assert verdicts.count("badge[worse]") == 2  # both strategies, clearly worse
    assert verdicts.count("badge[baseline]") == 2
    assert "better" not in verdicts and "no clear difference" not in verdicts
    data = at.dataframe[-1].value
    worse = data[data["verdict"] == "worse"]
    assert (worse["delta_low"] > 0).all()  # higher excess cross-entropy, interval above 0


def test_compare_says_no_clear_difference_when_the_interval_includes_zero(replicated):
    at = open_app(replicated, PAGE, compare_runs=folders(replicated, "base", "relabelled"))
    assert_clean(at)
    verdicts = texts(at.table)
    assert verdicts.count("badge[no clear difference]") == 2
    assert "badge[worse]" not in verdicts and "badge[better]" not in verdicts
    data = at.dataframe[-1].value
    compared = data[data["verdict"] != "baseline"]
    assert ((compared["delta_low"] < 0) & (compared["delta_high"] > 0)).all()
    assert (compared["delta"].abs() > 0).all()  # a difference that looks real, but is noise


def test_compare_of_single_seeds_keeps_run_by_run_deltas(replicated):
    chosen = [str(replicated / "base_1"), str(replicated / "starved_4")]
    at = open_app(replicated, PAGE, compare_runs=chosen)
    assert_clean(at)
    assert "badge[worse]" in texts(at.table)
    assert "One seed per scenario" in texts(at.caption)
