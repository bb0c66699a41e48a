"""Decoding an n-gram model's rows: temperature, top-k and top-p applied once, then O(1) draws.

:meth:`DecodedRows.build` reweights every row of a fitted model (``ecosystem.learners.ngram``)
by its decoding and keeps the observed tokens that survive top-k / top-p with their cumulative
weights (a guide table over them: ``ecosystem.core.guide_tables``), and how many unseen tokens
(the add-k mass) each row keeps; :meth:`DecodedRows.draw` turns one uniform per (row, draw) into
a token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ecosystem.config.learners import DecodingParams
from ecosystem.core.guide_tables import GuideTable
from ecosystem.learners.sparse import search

if TYPE_CHECKING:
    from ecosystem.learners.ngram import NgramFitted


@dataclass
class DecodedRows:
    """Rows after decoding: kept observed tokens with cumulative weights, and the unseen block."""

    vocab_size: int
    kept_token: np.ndarray
    kept_cum: np.ndarray  # inclusive cumulative weights over all kept entries
    row_cum_start: np.ndarray  # cumulative weight before each row's kept entries
    row_kept_start: np.ndarray
    row_kept_end: np.ndarray
    row_seen_mass: np.ndarray  # kept observed mass
    row_unseen_kept: np.ndarray  # unseen tokens kept
    unseen_weight: float
    select_key: np.ndarray = field(repr=False)  # rank-select keys of observed tokens
    row_seen_start: np.ndarray = field(repr=False)
    guide: GuideTable = field(repr=False)  # O(1) inverse-CDF over the kept entries

    @classmethod
    def build(cls, fitted: NgramFitted, decoding: DecodingParams) -> DecodedRows:
        rows, V, k = fitted.rows, fitted.learner.vocab_size, fitted.add_k
        inv_t = 1.0 / decoding.temperature
        weight = (rows.entry_count + k) ** inv_t
        unseen_w = k**inv_t if k > 0 else 0.0
        n_seen = rows.end - rows.start
        n_unseen = V - n_seen
        seen_total = np.add.reduceat(weight, rows.start) if len(rows.start) else np.zeros(0)
        total = seen_total + n_unseen * unseen_w
        keep = np.ones(len(weight), dtype=bool)
        unseen_kept = n_unseen.astype(np.float64) if unseen_w > 0 else np.zeros(len(n_seen))
        if decoding.top_k is not None or decoding.top_p < 1.0:
            order = np.lexsort((-weight, rows.entry_row))
            w_sorted = weight[order]
            cum = np.cumsum(w_sorted)
            row_before = np.repeat(cum[rows.start] - w_sorted[rows.start], n_seen)
            before = cum - w_sorted - row_before  # mass of heavier entries in the same row
            rank = np.arange(len(order)) - np.repeat(rows.start, n_seen)
            keep_sorted = before < decoding.top_p * np.repeat(total, n_seen)
            if decoding.top_k is not None:
                keep_sorted &= rank < decoding.top_k
            keep[order] = keep_sorted
            kept_n = np.add.reduceat(keep.astype(np.int64), rows.start) if len(keep) else n_seen
            all_seen = kept_n == n_seen
            budget = np.full(len(n_seen), np.inf)
            if decoding.top_k is not None:
                budget = np.minimum(budget, decoding.top_k - n_seen)
            if decoding.top_p < 1.0 and unseen_w > 0:
                with np.errstate(over="ignore"):  # a tiny k: more unseen tokens than exist
                    need = np.ceil((decoding.top_p * total - seen_total) / unseen_w)
                budget = np.minimum(budget, np.maximum(need, 0))
            unseen_kept = np.where(all_seen, np.clip(budget, 0, unseen_kept), 0.0)
        kept_w = np.where(keep, weight, 0.0)
        kept_cum = np.cumsum(kept_w)
        row_cum_start = kept_cum[rows.start] - kept_w[rows.start] if len(kept_w) else kept_cum
        seen_mass = np.add.reduceat(kept_w, rows.start) if len(kept_w) else np.zeros(0)
        within = np.arange(len(weight)) - np.repeat(rows.start, n_seen)
        select_key = rows.entry_row * (V + 1) + (rows.entry_token - within)
        return cls(
            vocab_size=V,
            kept_token=rows.entry_token,
            kept_cum=kept_cum,
            row_cum_start=row_cum_start,
            row_kept_start=rows.start,
            row_kept_end=rows.end,
            row_seen_mass=seen_mass,
            row_unseen_kept=unseen_kept,
            unseen_weight=unseen_w,
            select_key=select_key,
            row_seen_start=rows.start,
            guide=GuideTable(kept_cum, rows.start, rows.end),
        )

    def draw(self, row: np.ndarray, u: np.ndarray) -> np.ndarray:
        """One token per (row, uniform) pair; row -1 (no data at all) draws uniformly."""
        V = self.vocab_size
        missing = row < 0
        row = np.maximum(row, 0)
        seen = self.row_seen_mass[row]
        total = seen + self.row_unseen_kept[row] * self.unseen_weight
        x = u * total
        # = clip(searchsorted(kept_cum, target, "right"), start, end - 1), in O(1) per draw
        idx = self.guide.index(row, self.row_cum_start[row] + x)
        idx = np.minimum(idx, self.row_kept_end[row] - 1)
        tok = self.kept_token[idx]
        in_unseen = x >= seen
        if self.unseen_weight > 0 and in_unseen.any():
            r_u = row[in_unseen]
            j = np.floor((x[in_unseen] - seen[in_unseen]) / self.unseen_weight)
            j = np.clip(j, 0, np.maximum(self.row_unseen_kept[r_u] - 1, 0)).astype(np.int64)
            pos = search(self.select_key, r_u * (V + 1) + j, side="right")
            tok[in_unseen] = j + (pos - self.row_seen_start[r_u])
        if missing.any():
            tok[missing] = np.minimum((u[missing] * V).astype(np.int64), V - 1)
        return tok
