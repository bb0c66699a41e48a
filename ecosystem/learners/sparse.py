"""Sparse count helpers: sum weights by integer key, find segments of sorted keys."""

from __future__ import annotations

import numpy as np

BINCOUNT_LIMIT = 1 << 25
INT32_KEYS = 1 << 31


def sum_by_key(
    keys: np.ndarray, weights: np.ndarray | None, space: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique keys (int64) and the summed weights (or counts) of each, as float64.

    Counting (no weights) takes one bincount when the key space ``space`` is known and at most
    half the number of keys, else one sort: a bincount over a space much larger than the keys
    spends its time zeroing and scanning the space, and a sort of int32 keys (used whenever
    ``space`` says they fit) is about twice as fast as one of int64. Counts are integers, so
    both give the same values. Weighted sums are accumulated in the order of ``keys`` (by a
    bincount over the space when it is small, else over the unique keys).
    """
    if weights is None:
        n = len(keys)
        if space is not None and 2 * space <= n and space <= BINCOUNT_LIMIT:
            dense = np.bincount(np.asarray(keys, dtype=np.int64), minlength=space)
            nz = np.flatnonzero(dense)
            return nz.astype(np.int64), dense[nz].astype(np.float64)
        narrow = space is not None and space <= INT32_KEYS
        return count_sorted(np.sort(np.asarray(keys, dtype=np.int32 if narrow else np.int64)))
    keys = np.asarray(keys, dtype=np.int64)
    if space is not None and space <= min(BINCOUNT_LIMIT, 4 * len(keys) + 4096):
        dense = np.bincount(keys, weights=weights, minlength=space)
        nz = np.flatnonzero(dense)
        return nz.astype(np.int64), dense[nz].astype(np.float64)
    uniq, inverse = np.unique(keys, return_inverse=True)
    sums = np.bincount(inverse, weights=weights, minlength=len(uniq)).astype(np.float64)
    nz = sums != 0
    return uniq[nz], sums[nz]


def count_sorted(sorted_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique values (int64) of a sorted array and how often each occurs (float64)."""
    n = len(sorted_keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    counts = np.diff(starts, append=n).astype(np.float64)
    return sorted_keys[starts].astype(np.int64), counts


def segment_starts(sorted_ids: np.ndarray) -> np.ndarray:
    """Start index of each run of equal values in a sorted array."""
    if len(sorted_ids) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])


def search(sorted_array: np.ndarray, values: np.ndarray, side: str = "left") -> np.ndarray:
    """``np.searchsorted`` for many unsorted values into a large array.

    numpy narrows each binary search with the previous value's result, so searching the
    values in sorted order touches memory in order; on arrays larger than the cache this is
    about twice as fast. Results come back in the original order. Equal values get equal
    answers, so the sort need not be stable (numpy's default sort is several times faster).
    """
    if len(values) < 256:
        return np.searchsorted(sorted_array, values, side=side)
    order = np.argsort(values)
    out = np.empty(len(values), dtype=np.int64)
    out[order] = np.searchsorted(sorted_array, values[order], side=side)
    return out
