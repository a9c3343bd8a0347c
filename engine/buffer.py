"""A growable 2-D sample buffer that appends and drops without reallocating each block."""

from __future__ import annotations

import numpy as np


class SampleBuffer:
    """Rows × samples, appended at the end and dropped from the front.

    ``np.concatenate`` per block copies everything held each time; here new samples are written
    in place (``append``) and a drop moves only what is kept, which is short (< one window).
    """

    def __init__(self, rows: int, capacity: int = 1 << 14) -> None:
        self._data = np.empty((rows, capacity))
        self._len = 0

    def __len__(self) -> int:
        return self._len

    @property
    def data(self) -> np.ndarray:
        """View of the samples held, shape (rows, len)."""
        return self._data[:, : self._len]

    def append(self, n: int) -> np.ndarray:
        """Room for ``n`` more samples: a view of shape (rows, n) for the caller to fill."""
        need = self._len + n
        if need > self._data.shape[1]:
            grown = np.empty((self._data.shape[0], max(need, 2 * self._data.shape[1])))
            grown[:, : self._len] = self._data[:, : self._len]
            self._data = grown
        view = self._data[:, self._len : need]
        self._len = need
        return view

    def drop(self, n: int) -> None:
        """Forget the first ``n`` samples."""
        n = min(max(n, 0), self._len)
        keep = self._len - n
        if n and keep:
            self._data[:, :keep] = self._data[:, n : self._len]
        self._len = keep

    def clear(self) -> None:
        self._len = 0
