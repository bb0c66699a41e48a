"""Writing documents position by position: every token slot visited exactly once, in order."""

from __future__ import annotations

import numpy as np

from ecosystem.core.data import ByPosition


def test_positions_visit_every_token_once_with_the_active_documents_a_prefix():
    lengths = np.array([3, 0, 1, 5, 3, 2])
    layout = ByPosition(lengths)
    seen = np.zeros(lengths.sum(), dtype=int)
    actives = []
    for t, n_active, where in layout.positions():
        actives.append(n_active)
        assert n_active == np.count_nonzero(lengths > t)
        docs = layout.order[:n_active]
        np.testing.assert_array_equal(where, layout.offsets[docs] + t)
        seen[where] += 1
    assert actives == [5, 4, 3, 1, 1] and (seen == 1).all()
    assert len(layout.empty_tokens()) == 14
    assert list(ByPosition(np.zeros(0, dtype=np.int64)).positions()) == []
