"""The crawl's path choice (:func:`_expected_points`) equals its plain formula bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from ecosystem.world.crawl import _expected_points


def reference_points(weights: np.ndarray, k: int) -> float:
    """The bisection written plainly: a new array per step."""
    stride = max(1, len(weights) // 65_536)
    sample = weights[::stride]
    scale = len(weights) / len(sample)
    total = float(weights.sum())
    lo, hi = 1e-300, 1.0 / max(float(sample[sample > 0].min(initial=1.0)), 1e-300)
    hi = max(hi, k / total) * 1e6
    for _ in range(100):
        mid = np.sqrt(lo * hi)
        if scale * float(-np.expm1(-sample * mid).sum()) < k:
            lo = mid
        else:
            hi = mid
        if hi / lo < 1.01:
            break
    return total * hi


@pytest.mark.parametrize("seed", range(40))
def test_expected_points_equal_the_plain_bisection(seed):
    g = np.random.default_rng(seed)
    n = int(g.choice([1, 17, 5000, 70_000, 140_000]))  # strides 1 and 2
    weights = g.lognormal(0.0, g.uniform(0.1, 4.0), n) * (g.random(n) < g.uniform(0.1, 1.0))
    weights[g.integers(n)] += 1.0  # the crawl asks only when some weight is positive
    k = int(g.integers(1, max(2, n)))
    assert _expected_points(weights, k) == reference_points(weights, k)
