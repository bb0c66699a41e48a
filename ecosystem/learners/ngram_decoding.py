"""Decoding an n-gram model's rows: temperature, top-k and top-p applied once, then O(1) draws.

:meth:`DecodedRows.build` reweights every row of a fitted model (``ecosystem.learners.ngram``)
by its decoding and keeps the observed tokens that survive top-k / top-p with their cumulative
weights (a guide table over them: ``ecosystem.core.guide_tables``), and how many unseen tokens
(the add-k mass) each row keeps; :meth:`DecodedRows.draw` turns one uniform per (row, draw) into
a token; :func:`generate` writes whole documents position by position.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ecosystem.config.learners import DecodingParams
from ecosystem.core.data import ByPosition
from ecosystem.core.guide_tables import GuideTable
from ecosystem.learners.sparse import search

if TYPE_CHECKING:
    from ecosystem.learners.ngram import ContextSpace, NgramFitted


@dataclass
class DecodedRows:
    """Rows after decoding: kept observed tokens with cumulative weights, and the unseen block."""

    vocab_size: int
    kept_token: np.ndarray  # observed tokens that survive decoding, row by row
    kept_cum: np.ndarray  # inclusive cumulative weights over all kept entries
    row_cum_start: np.ndarray  # cumulative weight before each row's kept entries
    row_kept_start: np.ndarray
    row_kept_end: np.ndarray
    row_last_token: np.ndarray  # the row's last observed token (kept or cut; see draw)
    row_seen_mass: np.ndarray  # kept observed mass
    row_unseen_kept: np.ndarray  # unseen tokens kept
    unseen_weight: float | np.ndarray  # weight of one unseen token (per row when stacked)
    row_total: np.ndarray  # kept mass: observed plus unseen
    row_unseen_from: np.ndarray  # where the unseen block starts (inf: the row keeps none)
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
        cum = np.cumsum(kept_w)
        row_cum_start = cum[rows.start] - kept_w[rows.start] if len(kept_w) else cum
        seen_mass = np.add.reduceat(kept_w, rows.start) if len(kept_w) else np.zeros(0)
        within = np.arange(len(weight)) - np.repeat(rows.start, n_seen)
        select_key = rows.entry_row * (V + 1) + (rows.entry_token - within)
        # Cut entries weigh nothing, so the inverse CDF never lands on one: drop them. The
        # kept entries' cumulative weights are the same floats (adding 0.0 changes nothing).
        kept = kept_w > 0
        n_kept = np.add.reduceat(kept.astype(np.int64), rows.start) if len(kept) else n_seen
        kept_end = np.cumsum(n_kept)
        kept_start = kept_end - n_kept
        return cls(
            vocab_size=V,
            kept_token=rows.entry_token[kept],
            kept_cum=cum[kept],
            row_cum_start=row_cum_start,
            row_kept_start=kept_start,
            row_kept_end=kept_end,
            row_last_token=rows.entry_token[rows.end - 1] if len(kept) else n_seen,
            row_seen_mass=seen_mass,
            row_unseen_kept=unseen_kept,
            unseen_weight=unseen_w,
            row_total=seen_mass + unseen_kept * unseen_w,
            row_unseen_from=np.where(unseen_w > 0, seen_mass, np.inf),
            select_key=select_key,
            row_seen_start=rows.start,
            guide=GuideTable(cum[kept], kept_start, kept_end),
        )

    def draw(self, row: np.ndarray, u: np.ndarray) -> np.ndarray:
        """One token per (row, uniform) pair; row -1 (no data at all) draws uniformly."""
        V = self.vocab_size
        missing = row < 0
        row = np.maximum(row, 0)
        x = u * self.row_total[row]
        # the first kept entry whose cumulative weight exceeds the target, in O(1) per draw
        idx = self.guide.index(row, self.row_cum_start[row] + x)
        end = self.row_kept_end[row]
        tok = self.kept_token[np.minimum(idx, end - 1)]
        beyond = idx >= end  # rounding put the target past the row's kept mass: the row's
        if beyond.any():  # last observed token, as a search over every observed entry gives
            tok[beyond] = self.row_last_token[row[beyond]]
        in_unseen = x >= self.row_unseen_from[row]
        if in_unseen.any():
            r_u = row[in_unseen]
            weight = self.unseen_weight
            w_u = weight[r_u] if isinstance(weight, np.ndarray) else weight
            j = np.floor((x[in_unseen] - self.row_seen_mass[r_u]) / w_u)
            j = np.clip(j, 0, np.maximum(self.row_unseen_kept[r_u] - 1, 0)).astype(np.int64)
            pos = search(self.select_key, r_u * (V + 1) + j, side="right")
            tok[in_unseen] = j + (pos - self.row_seen_start[r_u])
        if missing.any():
            tok[missing] = np.minimum((u[missing] * V).astype(np.int64), V - 1)
        return tok


def generate(
    space: ContextSpace,
    rows: DecodedRows,
    find_rows: Callable[[np.ndarray, np.ndarray], np.ndarray],
    key: np.ndarray,
    topic: np.ndarray,
    length: np.ndarray,
    uniform: np.ndarray,
) -> np.ndarray:
    """Documents drawn position by position, all documents at once.

    Args:
        space: how (topic, previous tokens) make a context.
        rows: the decoded rows drawn from.
        find_rows: ``find_rows(key, ctx)``, the row of each document's context (``key`` says
            whose: the replica, or a stacked model's block).
        key: each document's key for ``find_rows``.
        topic: each document's topic.
        length: each document's length.
        uniform: one uniform per token, documents back to back.

    Returns:
        int32 tokens, documents back to back.
    """
    V = space.vocab_size
    layout = ByPosition(length)
    tokens = layout.empty_tokens()
    order = layout.order
    key = key[order]
    ctx_topic = (topic[order] if space.topics > 1 else 0 * topic[order]) * space.per_topic
    history = np.full((len(order), max(space.order - 1, 1)), V, dtype=np.int64)
    for _, n_active, where in layout.positions():
        ctx = ctx_topic[:n_active].copy()
        for j in range(space.order - 1):
            ctx += history[:n_active, j] * (V + 1) ** (space.order - 2 - j)
        tok = rows.draw(find_rows(key[:n_active], ctx), uniform[where])
        tokens[where] = tok
        if space.order > 1:
            history[:n_active, :-1] = history[:n_active, 1:]
            history[:n_active, -1] = tok
    return tokens
