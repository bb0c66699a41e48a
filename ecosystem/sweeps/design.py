"""Designs: which parameter points a sweep runs, and the seeds of its replications.

``grid`` takes every combination of the listed values; ``lhs`` a Latin hypercube (scipy's
quasi-Monte Carlo module); ``sobol`` and ``morris`` sample with SALib so that SALib's analysis
(``ecosystem.sweeps.sensitivity``) can read the results back in the same order.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecosystem.sweeps.spec import Parameter, SweepSpec

MORRIS_LEVELS = 4
"""Grid levels of Morris trajectories (SALib's default)."""


@dataclass(frozen=True)
class Plan:
    """The points of a design.

    Attributes:
        paths: parameter field paths, in the spec's order (levers first).
        points: one tuple of values per point, in ``paths`` order.
        unit: for sobol and morris, the sampled matrix in SALib's problem space (points x
            parameters; log-scaled parameters as logarithms), which its analysis needs.
    """

    paths: list[str]
    points: list[tuple[Any, ...]]
    unit: np.ndarray | None = None


def point_count(spec: SweepSpec) -> int:
    """How many parameter points the design has (without running anything)."""
    params = spec.parameters()
    k = len(params)
    n = spec.samples or 0
    if spec.design == "grid":
        return math.prod(len(p.values or []) for _, p in params.values())
    if spec.design == "lhs":
        return n
    if spec.design == "sobol":
        return n * (k + 2)
    return n * (k + 1)


def replication_seeds(root: int, replications: int) -> list[int]:
    """Run seeds of replications 0..R-1, spawned from the root seed.

    Replication r of every point runs with the same seed (common random numbers), so a
    difference between points is not seed noise; seed r does not depend on R.
    """
    members = np.random.SeedSequence(root).spawn(2)[1]
    states = [c.generate_state(1, np.uint64)[0] for c in members.spawn(replications)]
    return [int(state >> np.uint64(1)) for state in states]  # within a scenario's 0..2**63-1


def design_seed(root: int) -> int:
    """The seed of the design's own sampling (lhs, sobol, morris)."""
    child = np.random.SeedSequence(root).spawn(2)[0]
    return int(child.generate_state(1, np.uint32)[0])


def make_plan(spec: SweepSpec) -> Plan:
    """The design's points."""
    params = spec.parameters()
    paths = list(params)
    chosen = [p for _, p in params.values()]
    if spec.design == "grid":
        return Plan(paths, list(itertools.product(*(p.values or [] for p in chosen))))
    assert spec.samples is not None
    seed = design_seed(spec.seed)
    if spec.design == "lhs":
        unit = _latin_hypercube(len(chosen), spec.samples, seed)
        points = [tuple(_at(p, u) for p, u in zip(chosen, row, strict=True)) for row in unit]
        return Plan(paths, points)
    problem = salib_problem(paths, chosen)
    if spec.design == "sobol":
        from SALib.sample import sobol

        matrix = sobol.sample(problem, spec.samples, calc_second_order=False, seed=seed)
    else:
        from SALib.sample import morris

        matrix = morris.sample(problem, spec.samples, num_levels=MORRIS_LEVELS, seed=seed)
    points = [
        tuple(_from_problem(p, x) for p, x in zip(chosen, row, strict=True)) for row in matrix
    ]
    return Plan(paths, points, np.asarray(matrix, dtype=float))


def salib_problem(paths: list[str], params: list[Parameter]) -> dict[str, Any]:
    """SALib's problem: names and bounds (logarithms of log-scaled ranges)."""
    bounds = []
    for p in params:
        assert p.range is not None
        lo, hi = p.range.low, p.range.high
        bounds.append([math.log(lo), math.log(hi)] if p.range.log else [lo, hi])
    return {"num_vars": len(paths), "names": list(paths), "bounds": bounds}


def _latin_hypercube(k: int, n: int, seed: int) -> np.ndarray:
    from scipy.stats import qmc

    try:
        sampler = qmc.LatinHypercube(d=k, rng=np.random.default_rng(seed))
    except TypeError:  # scipy < 1.15 names it seed
        sampler = qmc.LatinHypercube(d=k, seed=np.random.default_rng(seed))
    return sampler.random(n)


def _at(param: Parameter, unit: float) -> Any:
    """The parameter's value at ``unit`` in [0, 1): a range position or one of its values."""
    if param.range is not None:
        return param.range.scale(float(unit))
    values = param.values or []
    return values[min(int(unit * len(values)), len(values) - 1)]


def _from_problem(param: Parameter, x: float) -> float | int:
    assert param.range is not None
    value = math.exp(x) if param.range.log else float(x)
    value = min(max(value, param.range.low), param.range.high)
    return round(value) if param.range.integer else value
