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

:class:`StackedGuide` lays several tables side by side (one per model of a group that writes
together) without touching their floats: each keeps its own cumulative weights, so a draw from
a stacked row makes exactly the comparisons it makes in its own table. Its fallback is a binary
search bounded to the draw's row.
"""

from __future__ import annotations

import numpy as np

from ecosystem.core.buffers import Column

MAX_STEPS = 3  # vectorised forward steps before the remaining draws take the binary search
SMALL_BATCH = 4096  # below this many draws the binary search alone is faster


class GuideTable:
    """Guide table over the rows of an inclusive cumulative weight array.

    Args:
        cum: inclusive cumulative weights of all entries, non-decreasing.
        start: first entry of each row.
        end: one past the last entry of each row (``end >= start``).
    """

    small_batch = SMALL_BATCH

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
        self._bucket_scale()

    def _bucket_scale(self) -> None:
        """Buckets per unit of mass (0 for rows without mass) and each row's last bucket: a
        draw's bucket is a product and a clip (any bucket at or below the answer's is exact)."""
        mass = self.mass
        self.scale = np.divide(self.buckets, mass, out=np.zeros(len(mass)), where=mass > 0)
        self.last_bucket = self.first_bucket[1:] - 1

    def index(self, row: np.ndarray, target: np.ndarray) -> np.ndarray:
        """``clip(searchsorted(cum, target, side="right"), start[row], end[row])``, in O(1).

        Args:
            row: the row of each draw.
            target: absolute cumulative targets (``base[row] + x``).
        """
        row = np.asarray(row, dtype=np.int64)
        target = np.asarray(target, dtype=np.float64)
        if len(row) < self.small_batch:  # too few to sort or walk: one binary search each
            return self._search(row, target)
        first = self.first_bucket[row]
        bucket = ((target - self.base[row]) * self.scale[row]).astype(np.int64)
        bucket += first
        np.maximum(bucket, first, out=bucket)
        np.minimum(bucket, self.last_bucket[row], out=bucket)
        at = self.guide[bucket]
        start, end, before = self.start[row], self.end[row], self._before
        top = len(before) - 1
        # the jump must not pass the answer: the weight before it must be <= target
        overshot = (at > start) & (before[at] > target)
        if overshot.any():
            at[overshot] = self._search(row[overshot], target[overshot])
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

    def _search(self, row: np.ndarray, target: np.ndarray) -> np.ndarray:
        """The index by one plain binary search each (the fallback for few draws)."""
        found = np.searchsorted(self.cum, target, side="right")
        return np.clip(found, self.start[row], self.end[row])

    def _binary(self, row: np.ndarray, target: np.ndarray) -> np.ndarray:
        """The same index by binary search (small batches and long walks).

        Targets are searched in sorted order (numpy narrows each search with the previous
        result, so memory is touched in order) and the results put back.
        """
        order = np.argsort(target, kind="stable")
        found = np.empty(len(target), dtype=np.int64)
        found[order] = np.searchsorted(self.cum, target[order], side="right")
        return np.clip(found, self.start[row], self.end[row])


class StackedGuide(GuideTable):
    """Guide tables appended side by side; row and entry indices shift, floats do not.

    Table t's entries sit at ``entries[t] .. entries[t] + n_t - 1`` followed by one gap entry
    (so each table keeps its own ``before`` array, with its total at the end), and its rows at
    ``rows[t]`` on. A stacked row's draws return the index :class:`GuideTable` would, shifted.
    """

    small_batch = 0  # the plain fallback searches row by row: the guide is always faster

    def __init__(self):
        self._columns = {
            "before": Column(np.float64),
            "start": Column(np.int64),
            "end": Column(np.int64),
            "buckets": Column(np.int64),
            "base": Column(np.float64),
            "mass": Column(np.float64),
            "first_bucket": Column(np.int64),
            "guide": Column(np.int64),
        }
        self._columns["first_bucket"].append(np.zeros(1, dtype=np.int64))
        self._refresh()

    def append(self, table: GuideTable) -> tuple[int, int]:
        """Add ``table`` after the others; returns its (entry offset, row offset)."""
        col = self._columns
        entries, rows = col["before"].size, col["start"].size
        col["before"].append(table._before)
        for name in ("start", "end", "guide"):
            col[name].append(getattr(table, name) + entries)
        for name in ("buckets", "base", "mass"):
            col[name].append(getattr(table, name))
        col["first_bucket"].append(table.first_bucket[1:] + col["first_bucket"].view[-1])
        self._refresh()
        self._bucket_scale()
        return entries, rows

    def _refresh(self) -> None:
        for name, column in self._columns.items():
            setattr(self, "_before" if name == "before" else name, column.view)
        self.cum = self._before[1:]  # each table's own inclusive weights (gaps: the next's 0)

    def _search(self, row: np.ndarray, target: np.ndarray) -> np.ndarray:
        """First entry of the row whose inclusive cumulative weight exceeds ``target`` (the
        row's end when none does): a binary search within the row, vectorised over draws."""
        lo, hi = self.start[row], self.end[row].copy()
        live = np.flatnonzero(lo < hi)
        while len(live):
            mid = (lo[live] + hi[live]) >> 1
            right = self._before[mid + 1] <= target[live]  # entry mid's inclusive weight
            lo[live] = np.where(right, mid + 1, lo[live])
            hi[live] = np.where(right, hi[live], mid)
            live = live[lo[live] < hi[live]]
        return lo

    def _binary(self, row: np.ndarray, target: np.ndarray) -> np.ndarray:
        return self._search(row, target)
