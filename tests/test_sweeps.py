"""Sweeps: intervals, failures, re-runs, SALib's indices, Ray against the local pool."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from ecosystem.runner import RunSpec, run_one
from ecosystem.sweeps.design import make_plan, salib_problem
from ecosystem.sweeps.executors import InlineExecutor, LocalExecutor
from ecosystem.sweeps.run import plan_sweep, run_sweep
from ecosystem.sweeps.spec import SweepSpec, load_sweep
from ecosystem.sweeps.summary import indices, summarize

BASE = """\
kind: loop
name: tiny_gaussian
seed: 1
truth: {modality: vectors, dim: 1}
learner: {kind: gaussian}
loop: {replicas: 2, generations: 3, samples_per_generation: 20, test_samples: 50}
"""

SPEC = """\
base: base.yaml
levers:
  loop.samples_per_generation: {{values: [10, 100]}}
replications: {replications}
seed: 4
outcomes:
  sigma: {{table: generations, column: sigma_ratio, at: last}}
  w2: {{table: generations, column: w2, at: mean, window: 2}}
"""


def write_spec(folder: Path, replications: int = 2, text: str = SPEC) -> Path:
    """A tiny loop base and a two-point sweep over it, written into ``folder``."""
    (folder / "base.yaml").write_text(BASE)
    path = folder / "sweep.yaml"
    path.write_text(text.format(replications=replications))
    return path


def faulty_member(spec: RunSpec) -> None:
    """Member function for fault tests: m0001 raises, m0002 kills its own process."""
    if spec.out.name == "m0001":
        raise RuntimeError("injected failure")
    if spec.out.name == "m0002":
        os._exit(3)
    run_one(spec)


def interval_width(summary: pl.DataFrame, outcome: str) -> np.ndarray:
    rows = summary.filter(pl.col("outcome") == outcome).sort("point")
    return (rows["ci_high"] - rows["ci_low"]).to_numpy()


def test_intervals_shrink_with_more_seeds(tmp_path):
    widths = {}
    for reps in (4, 32):
        folder = tmp_path / f"r{reps}"
        folder.mkdir()
        sweep = plan_sweep(load_sweep(write_spec(folder, reps)), folder / "out")
        totals = run_sweep(sweep, InlineExecutor())
        assert totals == {"complete": 2 * reps, "failed": 0, "pending": 0}
        summary = pl.read_parquet(folder / "out" / "summary.parquet")
        assert (summary["n"] == reps).all()
        assert (summary["ci_low"] <= summary["mean"]).all()
        assert (summary["mean"] <= summary["ci_high"]).all()
        widths[reps] = interval_width(summary, "w2")
    # the t-interval's width falls like t(n-1)/sqrt(n): 3.2/2 vs 2.04/5.7, about 4.5 times
    assert (widths[32] < widths[4] / 2).all()


def test_t_interval_closed_form():
    outcomes = pl.DataFrame(
        {
            "member": ["a", "b", "c"],
            "point": [0, 0, 0],
            "replication": [0, 1, 2],
            "outcome": ["x"] * 3,
            "value": [1.0, 2.0, 3.0],
        }
    )
    row = summarize(outcomes, pl.DataFrame({"point": [0], "p": [1.5]})).row(0, named=True)
    half = 4.302652729911275 * 1.0 / np.sqrt(3)  # t(0.975, 2) * sd / sqrt(n)
    assert row["p"] == 1.5 and row["n"] == 3
    assert row["mean"] == pytest.approx(2.0)
    assert row["ci_low"] == pytest.approx(2.0 - half)
    assert row["ci_high"] == pytest.approx(2.0 + half)


@pytest.fixture(scope="module")
def faulty_sweep(tmp_path_factory):
    """A 2 x 2 sweep run once on a 2-worker pool with one failing and one dying member."""
    folder = tmp_path_factory.mktemp("faulty")
    spec = write_spec(folder)
    sweep = plan_sweep(load_sweep(spec), folder / "out")
    totals = run_sweep(sweep, LocalExecutor(2), member_fn=faulty_member)
    return spec, folder / "out", totals


def test_failing_and_dying_members_are_recorded(faulty_sweep):
    _, out, totals = faulty_sweep
    assert totals == {"complete": 2, "failed": 2, "pending": 0}
    runs = pl.read_parquet(out / "runs.parquet").sort("member")
    assert runs["status"].to_list() == ["complete", "failed", "failed", "complete"]
    errors = dict(zip(runs["member"], runs["error"], strict=True))
    assert errors["m0001"] == "RuntimeError: injected failure"
    assert "worker process died" in errors["m0002"]
    assert errors["m0000"] is None and errors["m0003"] is None
    assert (out / "runs" / "m0000" / "run.json").exists()
    assert not (out / "runs" / "m0002").exists()
    outcomes = pl.read_parquet(out / "outcomes.parquet")
    assert sorted(set(outcomes["member"])) == ["m0000", "m0003"]
    assert json.loads((out / "sweep.json").read_text())["status"] == "partial"


def test_rerun_completes_only_what_is_missing(faulty_sweep):
    spec, out, _ = faulty_sweep
    before = {m: (out / "runs" / m / "run.json").stat().st_mtime_ns for m in ("m0000", "m0003")}
    sweep = plan_sweep(load_sweep(spec), out)
    totals = run_sweep(sweep, LocalExecutor(2))
    assert totals == {"complete": 4, "failed": 0, "pending": 0}
    after = {m: (out / "runs" / m / "run.json").stat().st_mtime_ns for m in before}
    assert after == before
    runs = pl.read_parquet(out / "runs.parquet")
    assert runs["status"].to_list() == ["complete"] * 4
    assert pl.read_parquet(out / "outcomes.parquet").height == 8
    assert json.loads((out / "sweep.json").read_text())["status"] == "complete"


def test_latin_hypercube_has_one_point_per_stratum():
    spec = SweepSpec.model_validate(
        {
            "base": "unused.yaml",
            "levers": {"a": {"range": {"low": 10, "high": 20}}},
            "uncertainties": {
                "b": {"range": {"low": 1, "high": 1000, "log": True}},
                "c": {"values": ["x", "y"]},
            },
            "design": "lhs",
            "samples": 10,
            "outcomes": {"y": {"table": "steps", "column": "ai_share_web"}},
        }
    )
    plan = make_plan(spec)
    assert plan.paths == ["a", "b", "c"] and len(plan.points) == 10
    a = np.array([p[0] for p in plan.points])
    b = np.array([p[1] for p in plan.points])
    assert sorted(np.floor(a - 10).astype(int)) == list(range(10))
    assert sorted(np.floor(np.log10(b) / 0.3).astype(int)) == list(range(10))
    assert sorted(p[2] for p in plan.points) == ["x"] * 5 + ["y"] * 5
    assert make_plan(spec) == plan  # the root seed fixes the design


def test_sobol_indices_of_ishigami():
    spec = SweepSpec.model_validate(
        {
            "base": "unused.yaml",
            "uncertainties": {
                name: {"range": {"low": -np.pi, "high": np.pi}} for name in ("x1", "x2", "x3")
            },
            "design": "sobol",
            "samples": 1024,
            "outcomes": {"y": {"table": "steps", "column": "ai_share_web"}},
        }
    )
    plan = make_plan(spec)
    x = np.asarray(plan.points)
    assert x.shape == (1024 * 5, 3)
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    problem = salib_problem(plan.paths, [p for _, p in spec.parameters().values()])
    rows = {r["parameter"]: r for r in indices("sobol", problem, plan.unit, y, "y")}
    for name, s1, st in (("x1", 0.314, 0.558), ("x2", 0.442, 0.442), ("x3", 0.0, 0.244)):
        assert rows[name]["S1"] == pytest.approx(s1, abs=0.05)
        assert rows[name]["ST"] == pytest.approx(st, abs=0.05)
        assert rows[name]["S1_conf"] < 0.1


def test_morris_ranks_the_influential_parameter_first():
    spec = SweepSpec.model_validate(
        {
            "base": "unused.yaml",
            "uncertainties": {
                "a": {"range": {"low": 0, "high": 1}},
                "b": {"range": {"low": 1, "high": 100, "log": True}},
            },
            "design": "morris",
            "samples": 20,
            "outcomes": {"y": {"table": "steps", "column": "ai_share_web"}},
        }
    )
    plan = make_plan(spec)
    x = np.asarray(plan.points)
    assert x.shape == (20 * 3, 2)
    assert x[:, 1].min() >= 1 and x[:, 1].max() <= 100
    y = 10 * x[:, 0] + 0.01 * np.log(x[:, 1])
    problem = salib_problem(plan.paths, [p for _, p in spec.parameters().values()])
    rows = {r["parameter"]: r for r in indices("morris", problem, plan.unit, y, "y")}
    assert rows["a"]["mu_star"] > 100 * rows["b"]["mu_star"]
    assert rows["a"]["S1"] is None


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_ray_gives_the_tables_of_the_local_pool(tmp_path):
    pytest.importorskip("ray")
    from ecosystem.sweeps.executors import RayExecutor

    spec = write_spec(tmp_path)
    tables = {}
    for name, executor in (("local", LocalExecutor(2)), ("ray", RayExecutor(2))):
        sweep = plan_sweep(load_sweep(spec), tmp_path / name)
        assert run_sweep(sweep, executor)["complete"] == 4
        tables[name] = {
            t: pl.read_parquet(tmp_path / name / f"{t}.parquet") for t in ("outcomes", "summary")
        }
        runs = pl.read_parquet(tmp_path / name / "runs.parquet")
        tables[name]["runs"] = runs.drop("wall_seconds")
    for table in ("outcomes", "summary", "runs"):
        assert tables["ray"][table].equals(tables["local"][table]), table
