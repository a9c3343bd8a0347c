"""The event log: engine events (configuration changes, resets, test mode, revenue lock,
captures, alarms), power-up / power-down, source connect / loss, clock changes and storage
notes, each time-stamped to 1 ms, read newest first.

Kinds written here besides ``engine.control.EVENT_KINDS`` (and the alarms' ``"alarm"``):

- ``"power"``: ``what`` ``"power_up"`` / ``"power_down"`` of the emulated meter (``new`` says
  ``"clean"`` or ``"unexpected"`` for a power-down found at the next start);
- ``"source"``: ``"connect"`` / ``"loss"`` of the input source (``new``: its description);
- ``"clock"``: the meter's clock stepped (``old`` / ``new``: ISO times);
- ``"storage"``: ``"pruned"`` (size cap), ``"database"`` (a damaged file kept aside),
  ``"recorder"`` (a recorder defined, changed or triggered).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from engine.storage.database import from_ms, to_ms

__all__ = ["LoggedEvent", "append_events", "count_events", "event_row", "iter_events",
           "query_events"]  # fmt: skip

#: A row as written: (t [ms since epoch], kind, what, old, new).
EventRow = tuple[int, str, str, str | None, str | None]


@dataclass(frozen=True)
class LoggedEvent:
    """One stored event: ``id`` (insertion order), ``time`` (UTC, 1 ms resolution), ``kind``,
    ``what``, ``old`` / ``new`` (text or None)."""

    id: int
    time: datetime
    kind: str
    what: str
    old: str | None
    new: str | None


def event_row(
    time: datetime, kind: str, what: str, old: object = None, new: object = None
) -> EventRow:
    """A row for ``append_events``; values other than None are stored as text."""
    return (
        to_ms(time), str(kind), str(what),
        None if old is None else str(old), None if new is None else str(new),
    )  # fmt: skip


def append_events(conn: sqlite3.Connection, rows: Iterable[EventRow]) -> None:
    """Insert event rows (inside the caller's transaction)."""
    conn.executemany("INSERT INTO events(t_ms, kind, what, old, new) VALUES (?,?,?,?,?)", rows)


def _where(kinds: Sequence[str] | None) -> tuple[str, list]:
    if not kinds:
        return "", []
    return f" WHERE kind IN ({','.join('?' * len(kinds))})", list(kinds)


def query_events(
    conn: sqlite3.Connection,
    *,
    limit: int = 50,
    offset: int = 0,
    kinds: Sequence[str] | None = None,
) -> list[LoggedEvent]:
    """A page of events, newest first (by time, then by insertion for equal times): skip
    ``offset``, return at most ``limit``; only ``kinds`` when given (the Events screen)."""
    where, args = _where(kinds)
    rows = conn.execute(
        f"SELECT id, t_ms, kind, what, old, new FROM events{where} "
        "ORDER BY t_ms DESC, id DESC LIMIT ? OFFSET ?",
        [*args, max(0, int(limit)), max(0, int(offset))],
    ).fetchall()
    return [LoggedEvent(r[0], from_ms(r[1]), r[2], r[3], r[4], r[5]) for r in rows]


def count_events(conn: sqlite3.Connection, kinds: Sequence[str] | None = None) -> int:
    """How many events are stored (of ``kinds`` when given)."""
    where, args = _where(kinds)
    return int(conn.execute(f"SELECT COUNT(*) FROM events{where}", args).fetchone()[0])


def iter_events(conn: sqlite3.Connection, *, newest_first: bool = False) -> Iterator[LoggedEvent]:
    """Every stored event, oldest first (exports) or newest first."""
    order = "DESC" if newest_first else "ASC"
    cur = conn.execute(
        f"SELECT id, t_ms, kind, what, old, new FROM events ORDER BY t_ms {order}, id {order}"
    )
    for r in cur:
        yield LoggedEvent(r[0], from_ms(r[1]), r[2], r[3], r[4], r[5])
