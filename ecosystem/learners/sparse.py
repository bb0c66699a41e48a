"""Sparse count helpers: sum weights by integer key, find segments of sorted keys."""

from __future__ import annotations

import numpy as np

BINCOUNT_LIMIT = 1 << 25


def sum_by_key(
    keys: np.ndarray, weights: np.ndarray | None, space: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique keys and the summed weights (or counts) of each.

    Uses one bincount when the key space is known and small, else a sort.
    """
    keys = np.asarray(keys, dtype=np.int64)
    if space is not None and space <= BINCOUNT_LIMIT:
        dense = np.bincount(keys, weights=weights, minlength=space)
        nz = np.flatnonzero(dense)
        return nz.astype(np.int64), dense[nz].astype(np.float64)
    uniq, inverse = np.unique(keys, return_inverse=True)
    sums = np.bincount(inverse, weights=weights, minlength=len(uniq)).astype(np.float64)
    if weights is not None:
        nz = sums != 0
        return uniq[nz], sums[nz]
    return uniq, sums


def segment_starts(sorted_ids: np.ndarray) -> np.ndarray:
    """Start index of each run of equal values in a sorted array."""
    if len(sorted_ids) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])


def search(sorted_array: np.ndarray, values: np.ndarray, side: str = "left") -> np.ndarray:
    """``np.searchsorted`` for many unsorted values into a large array.

    numpy narrows each binary search with the previous value's result, so searching the
    values in sorted order touches memory in order; on arrays larger than the cache this is
    about twice as fast. Results come back in the original order.
    """
    if len(values) < 256:
        return np.searchsorted(sorted_array, values, side=side)
    order = np.argsort(values, kind="stable")
    out = np.empty(len(values), dtype=np.int64)
    out[order] = np.searchsorted(sorted_array, values[order], side=side)
    return out
