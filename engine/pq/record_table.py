"""Aggregate records kept compactly: one float array instead of one dict per record.

The aggregation emits records as dicts ``{"t", "flagged", id: value, ...}``. A day of 3-s
records with the few hundred harmonic ids IEEE 519 needs is 28 800 of them: as dicts that is
the better part of a gigabyte, as rows of one array 70 MB. ``RecordTable`` keeps them as rows
and hands out read-only ``Mapping`` views, so the compliance evaluations read them like the
dicts they expect.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime

import numpy as np

__all__ = ["RecordTable"]

_CHUNK = 4096  # rows added at a time when the array grows


class RecordView(Mapping):
    """One row of a ``RecordTable`` as a read-only mapping."""

    __slots__ = ("_row", "_table")

    def __init__(self, table: RecordTable, row: int) -> None:
        self._table, self._row = table, row

    def __getitem__(self, key: str):
        table = self._table
        if key == "t":
            return table._times[self._row]
        if key == "flagged":
            return bool(table._flagged[self._row])
        return float(table._values[self._row, table._index[key]])

    def __iter__(self) -> Iterator[str]:
        yield "t"
        yield "flagged"
        yield from self._table.ids

    def __len__(self) -> int:
        return 2 + len(self._table.ids)


class RecordTable(Sequence):
    """Records of the quantity ``ids`` (values [as the ids' units]), appended in time order."""

    def __init__(self, ids: Sequence[str]) -> None:
        self.ids = tuple(ids)
        self._index = {q: i for i, q in enumerate(self.ids)}
        self._times: list[datetime] = []
        self._flagged = np.zeros(0, dtype=bool)
        self._values = np.empty((0, len(self.ids)))

    def append(self, record: Mapping) -> None:
        """Add a record ``{"t": datetime, "flagged": bool, id: value, ...}``; ids it lacks are
        NaN, ids not of this table are ignored."""
        n = len(self._times)
        if n == len(self._values):
            grown = np.empty((n + _CHUNK, len(self.ids)))
            grown[:n] = self._values[:n]
            self._values = grown
            self._flagged = np.concatenate([self._flagged, np.zeros(_CHUNK, dtype=bool)])
        self._values[n] = [record.get(q, np.nan) for q in self.ids]
        self._flagged[n] = bool(record.get("flagged", False))
        self._times.append(record["t"])

    def __len__(self) -> int:
        return len(self._times)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"record {i} of {n}")
        return RecordView(self, i % n)

    def column(self, qid: str) -> np.ndarray:
        """The values of ``qid`` (a copy), one per record."""
        return self._values[: len(self), self._index[qid]].copy()
