"""EN 50160:2010 event tables (voltage events, §4.3 LV / §5.3 MV): the dip classification, the
swell table and the short / long interruption counts (power-quality.md §4, CONFIRMED for dips,
SOURCED for swells and interruptions).

Dips (residual u in % of the declared voltage; duration t):

- rows: 90 > u ≥ 80 (A), 80 > u ≥ 70 (B), 70 > u ≥ 40 (C), 40 > u ≥ 5 (D), 5 > u (X);
- columns: 10 ms ≤ t ≤ 200 ms, 200 ms < t ≤ 0.5 s, 0.5 s < t ≤ 1 s, 1 s < t ≤ 5 s,
  5 s < t ≤ 60 s.

Swells (maximum u): rows u ≥ 120 %, 120 % > u > 110 %; columns 10 ms ≤ t ≤ 500 ms,
0.5 s < t ≤ 5 s, 5 s < t ≤ 60 s (the same closed-on-the-right reading as the dip table).
Events longer than 60 s are counted apart, per row; events outside every row (u ≥ 90 % for a
dip, u ≤ 110 % for a swell, e.g. from a user threshold other than 90 / 110 %) or shorter than
10 ms are counted as ``outside``.

Interruptions: short ≤ 3 min, long > 3 min (counts; EN 50160 gives no limit on any table).

Durations are compared in whole microseconds (the events' resolution), so a 200 ms dip is
exactly on the 200 ms edge.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from engine.pq.events import Event

__all__ = [
    "DIP_COLUMNS",
    "DIP_ROWS",
    "SWELL_COLUMNS",
    "SWELL_ROWS",
    "EventTable",
    "Interruptions",
    "count_interruptions",
    "dip_cell",
    "dip_table",
    "swell_cell",
    "swell_table",
]

DIP_ROWS = ("90>u>=80", "80>u>=70", "70>u>=40", "40>u>=5", "5>u")
DIP_COLUMNS = ("10ms<=t<=200ms", "200ms<t<=0.5s", "0.5s<t<=1s", "1s<t<=5s", "5s<t<=60s")
SWELL_ROWS = ("u>=120", "120>u>110")
SWELL_COLUMNS = ("10ms<=t<=500ms", "0.5s<t<=5s", "5s<t<=60s")

_MS = 1000  # [µs]
# Upper (inclusive) edges of the duration columns [µs]; the first column starts at 10 ms.
_DIP_EDGES_US = (200 * _MS, 500 * _MS, 1000 * _MS, 5000 * _MS, 60000 * _MS)
_SWELL_EDGES_US = (500 * _MS, 5000 * _MS, 60000 * _MS)
_SHORTEST_US = 10 * _MS
_SHORT_INTERRUPTION_US = 180_000 * _MS  # 3 min

LONGER = -1  # column index of an event longer than 60 s


def _us(duration_s: float) -> int:
    return round(duration_s * 1e6)


def _column(duration_s: float, edges: Sequence[int]) -> int | None:
    """Column of a duration [s]: index into ``edges``, ``LONGER`` past the last edge, None
    below 10 ms."""
    d = _us(duration_s)
    if d < _SHORTEST_US:
        return None
    for i, edge in enumerate(edges):
        if d <= edge:
            return i
    return LONGER


def dip_cell(residual_pct: float, duration_s: float) -> tuple[int, int] | None:
    """(row, column) of a dip in the EN 50160 table: ``residual_pct`` [% of Un] picks the row
    of ``DIP_ROWS`` (90 > u ≥ 80, 80 > u ≥ 70, 70 > u ≥ 40, 40 > u ≥ 5, 5 > u), ``duration_s``
    [s] the column of ``DIP_COLUMNS`` or ``LONGER`` (> 60 s). None when outside the table
    (u ≥ 90 %, or shorter than 10 ms)."""
    u = residual_pct
    if not u < 90.0:
        return None
    row = 0 if u >= 80.0 else 1 if u >= 70.0 else 2 if u >= 40.0 else 3 if u >= 5.0 else 4
    col = _column(duration_s, _DIP_EDGES_US)
    return None if col is None else (row, col)


def swell_cell(maximum_pct: float, duration_s: float) -> tuple[int, int] | None:
    """(row, column) of a swell: ``maximum_pct`` [% of Un] u ≥ 120 row 0, 120 > u > 110 row 1;
    ``duration_s`` [s] the column of ``SWELL_COLUMNS`` or ``LONGER`` (> 60 s). None when
    outside (u ≤ 110 %, or shorter than 10 ms)."""
    u = maximum_pct
    if u >= 120.0:
        row = 0
    elif u > 110.0:
        row = 1
    else:
        return None
    col = _column(duration_s, _SWELL_EDGES_US)
    return None if col is None else (row, col)


@dataclass(frozen=True)
class EventTable:
    """Event counts by magnitude (``rows``) and duration (``columns``); ``longer_than_60s``: per
    row, the events over 60 s; ``outside``: events that fit no row or are under 10 ms;
    ``source``: "POLY" (polyphase events) or "per-phase" (each channel's own, when there are
    no polyphase ones: a dip on three phases then counts three times)."""

    kind: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    longer_than_60s: tuple[int, ...]
    outside: int
    source: str

    @property
    def total(self) -> int:
        return sum(map(sum, self.counts)) + sum(self.longer_than_60s) + self.outside

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "rows": list(self.rows),
            "columns": list(self.columns),
            "counts": [list(r) for r in self.counts],
            "longer_than_60s": list(self.longer_than_60s),
            "outside": self.outside,
            "source": self.source,
        }


def _chosen(events: Iterable[Event], kind: str) -> tuple[list[Event], str]:
    """The ended events of ``kind``: the polyphase ones when there are any, else all."""
    mine = [e for e in events if e.type == kind and not e.in_progress]
    poly = [e for e in mine if e.phase == "POLY"]
    return (poly, "POLY") if poly else (mine, "per-phase")


def _table(events, kind, rows, columns, cell) -> EventTable:
    chosen, source = _chosen(events, kind)
    counts = [[0] * len(columns) for _ in rows]
    longer = [0] * len(rows)
    outside = 0
    for e in chosen:
        rc = cell(e.extreme_pct, e.duration_s)
        if rc is None:
            outside += 1
        elif rc[1] == LONGER:
            longer[rc[0]] += 1
        else:
            counts[rc[0]][rc[1]] += 1
    return EventTable(
        kind, rows, columns, tuple(map(tuple, counts)), tuple(longer), outside, source
    )


def dip_table(events: Iterable[Event]) -> EventTable:
    """The EN 50160 dip table of the "dip" events (``Event.extreme_pct`` = residual [% of Un],
    ``duration_s`` [s]); interruptions are counted by ``count_interruptions``, not here (the
    engine reports each interruption as a dip too, which lands in row "5>u")."""
    return _table(list(events), "dip", DIP_ROWS, DIP_COLUMNS, dip_cell)


def swell_table(events: Iterable[Event]) -> EventTable:
    """The EN 50160 swell table of the "swell" events (``extreme_pct`` = maximum [% of Un])."""
    return _table(list(events), "swell", SWELL_ROWS, SWELL_COLUMNS, swell_cell)


@dataclass(frozen=True)
class Interruptions:
    """Counts of supply interruptions: short (≤ 3 min) and long (> 3 min)."""

    short: int
    long: int

    def to_dict(self) -> dict:
        return {"short": self.short, "long": self.long}


def count_interruptions(events: Iterable[Event]) -> Interruptions:
    """Short (duration ≤ 180 s) and long (> 180 s) counts of the ended "interruption" events
    (EN 50160:2010 §4.3 / §5.3, indicative counts). The engine reports one interruption per
    event (polyphase, or the single channel's), so no phase selection is needed."""
    durations = [
        _us(e.duration_s) for e in events if e.type == "interruption" and not e.in_progress
    ]
    short = sum(d <= _SHORT_INTERRUPTION_US for d in durations)
    return Interruptions(short, len(durations) - short)
