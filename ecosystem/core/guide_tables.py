"""Inverse-CDF draws in O(1) expected time per draw: guide tables over ragged rows.

Many discrete distributions (one per row: a topic's unigram, an n-gram context's next-token
weights) are stored back to back as one inclusive cumulative array ``cum``; row r owns entries
``[start[r], end[r])`` and the mass before it is ``base[r]``. Drawing a token is the inverse
CDF: the first entry whose cumulative weight exceeds ``base[r] + x``, which a binary search
finds in O(log n) with cache misses on large tables. A guide table (Chen & Asau's indexed
search) splits each row's mass into as many equal buckets as it has entries and stores, per
bucket, the first entry that can end in it; a draw jumps to its bucket's entry and steps
forward while the cumulative weight is still <= the target: at most two comparisons on average
whatever the row's length. The index found is exactly the binary search's (same comparisons on
the same floats), so the draws, and every table downstream, are unchanged; a draw whose jump
would overshoot by floating-point rounding is detected and takes the binary search instead.

The forward steps run vectorised over the draws, one numpy pass per step, so a batch costs as
many passes as its longest walk; rows with runs of zero-weight entries (cut by top-k/top-p
decoding) make some walks long. After ``MAX_STEPS`` passes the draws still walking take the
binary search, and batches too small to repay the passes take it outright.
"""

from __future__ import annotations

import numpy as np

MAX_STEPS = 3  # vectorised forward steps before the remaining draws take the binary search
SMALL_BATCH = 4096  # below this many draws the binary search alone is faster


class GuideTable:
    """Guide table over the rows of an inclusive cumulative weight array.

    Args:
        cum: inclusive cumulative weights of all entries, non-decreasing.
        start: first entry of each row.
        end: one past the last entry of each row (``end >= start``).
    """

    def __init__(self, cum: np.ndarray, start: np.ndarray, end: np.ndarray):
        self.cum = np.asarray(cum, dtype=np.float64)
        # before[j] = cumulative weight before entry j (before[len] = the total)
        self._before = np.concatenate([[0.0], self.cum])
        self.start = np.asarray(start, dtype=np.int64)
        self.end = np.asarray(end, dtype=np.int64)
        n = self.end - self.start
        self.buckets = np.maximum(n, 1)
        self.base = self._before[self.start]
        self.mass = self._before[self.end] - self.base
        self.first_bucket = np.zeros(len(n) + 1, dtype=np.int64)
        np.cumsum(self.buckets, out=self.first_bucket[1:])
        row = np.repeat(np.arange(len(n)), self.buckets)
        within = np.arange(self.first_bucket[-1]) - self.first_bucket[:-1][row]
        lower = self.base[row] + (within / self.buckets[row]) * self.mass[row]
        guide = np.searchsorted(self.cum, lower, side="right")
        self.guide = np.clip(guide, self.start[row], self.end[row])

    def index(self, row: np.ndarray, target: np.ndarray) -> np.ndarray:
        """``clip(searchsorted(cum, target, side="right"), start[row], end[row])``, in O(1).

        Args:
            row: the row of each draw.
            target: absolute cumulative targets (``base[row] + x``).
        """
        row = np.asarray(row, dtype=np.int64)
        target = np.asarray(target, dtype=np.float64)
        if len(row) < SMALL_BATCH:  # too few to sort or walk: one plain binary search each
            found = np.searchsorted(self.cum, target, side="right")
            return np.clip(found, self.start[row], self.end[row])
        mass = self.mass[row]
        frac = np.divide(target - self.base[row], mass, out=np.zeros(len(row)), where=mass > 0)
        bucket = np.clip((frac * self.buckets[row]).astype(np.int64), 0, self.buckets[row] - 1)
        at = self.guide[self.first_bucket[row] + bucket]
        start, end, before = self.start[row], self.end[row], self._before
        top = len(self.cum)
        # the jump must not pass the answer: the weight before it must be <= target
        overshot = (at > start) & (before[at] > target)
        if overshot.any():
            exact = np.searchsorted(self.cum, target[overshot], side="right")
            at[overshot] = np.clip(exact, start[overshot], end[overshot])
        step = np.flatnonzero((at < end) & (before[np.minimum(at + 1, top)] <= target))
        for _ in range(MAX_STEPS):
            if not len(step):
                return at
            at[step] += 1
            more = (at[step] < end[step]) & (before[np.minimum(at[step] + 1, top)] <= target[step])
            step = step[more]
        if len(step):
            at[step] = self._binary(row[step], target[step])
        return at

    def _binary(self, row: np.ndarray, target: np.ndarray) -> np.ndarray:
        """The same index by binary search (small batches and long walks).

        Targets are searched in sorted order (numpy narrows each search with the previous
        result, so memory is touched in order) and the results put back.
        """
        order = np.argsort(target, kind="stable")
        found = np.empty(len(target), dtype=np.int64)
        found[order] = np.searchsorted(self.cum, target[order], side="right")
        return np.clip(found, self.start[row], self.end[row])
