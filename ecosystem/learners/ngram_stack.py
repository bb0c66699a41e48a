"""Several fitted n-gram models, each with its decoding, drawn from as one.

The content store draws a crawl's AI text from every model that wrote any of it: dozens of
models, a few dozen documents each. Drawn one model at a time, each position of each model's
batch costs a fixed round of numpy calls, and that overhead, not the tokens, dominates.
:class:`NgramStack` lays the models' decoded rows side by side (row and entry indices shift,
weights do not: ``ecosystem.core.guide_tables.StackedGuide``) and their dense context lookups
end to end, so one pass over positions draws every document, whichever model wrote it. A
document's tokens are exactly those its own model draws from the same uniforms.

Models are added once (append-only buffers); a model stacks when it shares the stack's context
space and has a dense lookup (:meth:`NgramFitted.stack_key`).
"""

from __future__ import annotations

import numpy as np

from ecosystem.config.learners import DecodingParams
from ecosystem.core.buffers import Column
from ecosystem.core.guide_tables import StackedGuide
from ecosystem.learners.ngram import ContextSpace, NgramFitted
from ecosystem.learners.ngram_decoding import DecodedRows, generate

_ENTRY = {"kept_token": np.int64, "select_key": np.int64}
_ROW = {
    "row_cum_start": np.float64,
    "row_kept_end": np.int64,
    "row_last_token": np.int64,
    "row_seen_mass": np.float64,
    "row_unseen_kept": np.float64,
    "unseen_weight": np.float64,
    "row_total": np.float64,
    "row_unseen_from": np.float64,
    "row_seen_start": np.int64,
}


class NgramStack:
    """Models of one context space, stacked; each member is one (model, decoding).

    Args:
        space: the context space every member shares.
    """

    def __init__(self, space: ContextSpace):
        self.space = space
        self.members = 0
        self._guide = StackedGuide()
        self._columns = {name: Column(dtype) for name, dtype in {**_ENTRY, **_ROW}.items()}
        self._lookup = Column(np.int64, capacity=space.size)
        self._rows: DecodedRows | None = None

    def add(self, fitted: NgramFitted, decoding: DecodingParams) -> int:
        """Stack model 0 of ``fitted`` decoded by ``decoding``; returns its member index.

        The model's own cache of decoded rows is dropped once stacked (the stack holds them).
        """
        if fitted.stack_key() != self.space:
            raise ValueError(f"a model of {fitted.stack_key()} cannot join a stack of {self.space}")
        rows = fitted.decoded(decoding)
        V = self.space.vocab_size
        entries, first_row = self._guide.append(rows.guide)
        n_rows = len(rows.row_kept_start)
        col = self._columns
        col["kept_token"].append(np.append(rows.kept_token, 0))  # then the gap entry
        seen = col["select_key"].size  # observed entries (the unseen block's rank-select)
        gap_key = (first_row + n_rows) * (V + 1)  # above this model's keys, below the next's
        col["select_key"].append(np.append(rows.select_key + first_row * (V + 1), gap_key))
        col["row_cum_start"].append(rows.row_cum_start)
        col["row_kept_end"].append(rows.row_kept_end + entries)
        col["row_last_token"].append(rows.row_last_token)
        col["row_seen_mass"].append(rows.row_seen_mass)
        col["row_unseen_kept"].append(rows.row_unseen_kept)
        col["unseen_weight"].append(np.full(n_rows, rows.unseen_weight))
        col["row_total"].append(rows.row_total)
        col["row_unseen_from"].append(rows.row_unseen_from)
        col["row_seen_start"].append(rows.row_seen_start + seen)
        lookup = fitted.lookup(0)
        self._lookup.append(np.where(lookup >= 0, lookup + first_row, -1))
        fitted.forget_decoded(decoding)
        self._rows = None
        self.members += 1
        return self.members - 1

    def write_text(
        self, member: np.ndarray, topics: np.ndarray, lengths: np.ndarray, uniform: np.ndarray
    ) -> np.ndarray:
        """Tokens of documents written by the given members (documents back to back), from
        one uniform per token: what each member's ``write_text`` gives for its documents."""
        member = np.asarray(member, dtype=np.int64)
        lookup = self._lookup.view
        return generate(
            self.space,
            self._decoded(),
            lambda base, ctx: lookup[base + ctx],
            member * self.space.size,
            np.asarray(topics, dtype=np.int64),
            np.asarray(lengths, dtype=np.int64),
            uniform,
        )

    def _decoded(self) -> DecodedRows:
        """The stacked rows, as one DecodedRows over the buffers' current views."""
        if self._rows is None:
            view = {name: column.view for name, column in self._columns.items()}
            self._rows = DecodedRows(
                vocab_size=self.space.vocab_size,
                kept_cum=self._guide.cum,
                row_kept_start=self._guide.start,  # kept entries start where the guide's do
                guide=self._guide,
                **view,
            )
        return self._rows
