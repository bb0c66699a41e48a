"""Statistics over replicas: what a large lab run keeps instead of every replica's rows.

A loop run of R replicas x G generations x S strategies has R (G + 1) S per-replica rows; its
``generations_summary`` table has (G + 1) S rows per metric: the mean, the 10% and 90%
quantiles and the median over replicas, and how many replicas they are over. Long format (one
row per key and metric) keeps one schema for every learner and gives the dashboard's band charts
their frame with one filter (``metric == "w2"``).

Computed with numpy over (groups, R) arrays: pairwise sums and sorts, so the same values give
the same bytes whatever the thread count. Quantiles interpolate linearly between order
statistics exactly as ``np.quantile``'s default does, except next to an infinite value, where
numpy returns NaN (``inf * 0``) and this module the limit: the median of (1, 2, ∞) is 2.
"""

from __future__ import annotations

import numpy as np

QUANTILES = {"q10": 0.1, "median": 0.5, "q90": 0.9}
"""The quantiles kept (the dashboard shades the middle 80% of replicas, q10 to q90)."""
STATISTICS = ("replicas", "finite", "mean", *QUANTILES)
"""The statistics of each metric, in table order."""


def replica_statistics(values: np.ndarray, overwrite: bool = False) -> dict[str, np.ndarray]:
    """Statistics of each row of ``values`` (groups x replicas) over its replicas.

    NaN values are left out (as the dashboard's bands leave them out); infinite values count
    and carry into the mean and the quantiles they reach. With ``overwrite`` a float64
    ``values`` is sorted in place (no copy of a large array).

    Returns:
        Per row: ``replicas`` (values that are not NaN), ``finite`` (of them finite), ``mean``,
        ``q10``, ``median`` and ``q90`` (NaN for a row without values).
    """
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 2:
        raise ValueError(f"expected a (groups, replicas) array, got shape {v.shape}")
    missing = np.isnan(v)
    count = v.shape[1] - missing.sum(axis=1)
    out: dict[str, np.ndarray] = {
        "replicas": count.astype(np.int64),
        "finite": np.isfinite(v).sum(axis=1).astype(np.int64),
    }
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # a sum may pass 1e308
        total = (np.where(missing, 0.0, v) if missing.any() else v).sum(axis=1)
        out["mean"] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    ordered = _ordered(v, overwrite)  # row i's values are its first count[i]
    for name, q in QUANTILES.items():
        out[name] = _quantile(ordered, count, q)
    return out


def _ordered(v: np.ndarray, overwrite: bool) -> np.ndarray:
    """Rows sorted ascending (NaN last); rows of one value (training-set sizes) as they are."""
    if v.shape[1] == 0 or (v == v[:, :1]).all():
        return v
    if overwrite:
        v.sort(axis=1)  # numpy's vectorised sort: faster here than np.partition
        return v
    return np.sort(v, axis=1)


def _quantile(ordered: np.ndarray, count: np.ndarray, q: float) -> np.ndarray:
    """np.quantile's linear method on rows sorted ascending, row i over its first count[i]."""
    last = np.maximum(count - 1, 0)
    virtual = last * q
    previous = np.floor(virtual)
    below = previous.astype(np.int64)
    above = np.minimum(below + 1, last)
    a = np.take_along_axis(ordered, below[:, None], axis=1)[:, 0]
    b = np.take_along_axis(ordered, above[:, None], axis=1)[:, 0]
    t = virtual - previous
    with np.errstate(invalid="ignore"):
        diff = b - a
        value = np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)
    value = np.where((t == 0) | (a == b), a, value)
    value = np.where((t > 0) & (a == -np.inf) & (b != np.inf), -np.inf, value)
    value = np.where((t > 0) & (b == np.inf) & (a != -np.inf), np.inf, value)
    return np.where(count > 0, value, np.nan)
