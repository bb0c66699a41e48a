"""Growable columns: appends, views, and checkpoints that keep the filled rows only."""

from __future__ import annotations

import pickle

import numpy as np

from ecosystem.core.buffers import Column


def test_a_pickled_column_keeps_its_rows_not_its_spare_room_and_grows_again():
    column = Column(np.int32, capacity=1 << 16)
    column.append(np.arange(10))
    wide = Column(np.float64, width=3, capacity=100)
    wide.append(np.ones((4, 3)))
    for original, rows in ((column, 10), (wide, 4)):
        loaded = pickle.loads(pickle.dumps(original))
        assert len(pickle.dumps(original)) < 1000  # not 64k int32 of spare room
        np.testing.assert_array_equal(loaded.view, original.view)
        assert loaded.size == rows and loaded.view.dtype == original.view.dtype
        where = loaded.append(loaded.view[:2])
        assert where == slice(rows, rows + 2) and loaded.size == rows + 2
        np.testing.assert_array_equal(loaded.view[rows:], original.view[:2])
    empty = pickle.loads(pickle.dumps(Column(np.int64)))
    assert empty.size == 0 and empty.append(np.array([7])) == slice(0, 1)
    assert empty.view.tolist() == [7]
