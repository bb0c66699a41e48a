"""Growable numpy columns: append in amortised O(1), read a view of the filled part."""

from __future__ import annotations

import numpy as np


class Column:
    """A numpy array that grows by doubling; ``view`` is the filled prefix.

    Args:
        dtype: element type.
        width: None for a 1-D column, else the length of each row (a 2-D column).
        capacity: initial room, in rows.
    """

    def __init__(self, dtype: np.dtype | type, width: int | None = None, capacity: int = 1024):
        shape = (max(capacity, 1),) if width is None else (max(capacity, 1), width)
        self._data = np.empty(shape, dtype=dtype)
        self.size = 0

    def __getstate__(self) -> dict:
        """A checkpoint keeps the filled rows only (the spare room is regrown on append)."""
        return {"_data": self._data[: self.size], "size": self.size}

    @property
    def view(self) -> np.ndarray:
        """The filled rows (a view: writes go to the column)."""
        return self._data[: self.size]

    def append(self, values: np.ndarray) -> slice:
        """Append rows; returns the slice they occupy."""
        values = np.asarray(values, dtype=self._data.dtype)
        n = values.shape[0]
        need = self.size + n
        if need > self._data.shape[0]:
            grown = np.empty(
                (max(need, 2 * self._data.shape[0]), *self._data.shape[1:]), dtype=self._data.dtype
            )
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size : need] = values
        start, self.size = self.size, need
        return slice(start, need)
