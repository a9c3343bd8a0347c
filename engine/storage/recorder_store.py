"""Recorder definitions and sample rows in the database: define, list, write, read.

A recorder keeps its database id while its definition stays the same. A changed definition
retires the old id (its rows stay, under the old channels) and starts a new one, so a stored row
always means what its recorder's definition said when it was written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from engine.errors import InputError
from engine.storage.database import VALUE_COLUMNS, from_ms
from engine.storage.recorders import RecorderDef, validate_recorders

__all__ = ["StoredRecorder", "find_recorder", "insert_rows", "iter_samples", "last_times",
           "list_recorders", "sync_recorders"]  # fmt: skip

_INSERT = (
    f"INSERT OR IGNORE INTO samples(recorder, t_ms, n, partial, "
    f"{', '.join(f'v{k}' for k in range(VALUE_COLUMNS))}) VALUES "
    f"({', '.join('?' * (4 + VALUE_COLUMNS))})"
)


@dataclass(frozen=True)
class StoredRecorder:
    """A recorder as stored: ``id``, its definition, when it was defined and retired [ms]."""

    id: int
    definition: RecorderDef
    created_ms: int
    retired_ms: int | None


def list_recorders(conn: sqlite3.Connection, *, retired: bool = False) -> list[StoredRecorder]:
    """The active recorders (and the retired ones with ``retired``), by id. A definition that
    cannot be read is skipped (it is never deleted)."""
    sql = "SELECT id, definition, created_ms, retired_ms FROM recorders"
    if not retired:
        sql += " WHERE retired_ms IS NULL"
    out = []
    for rid, text, created, gone in conn.execute(sql + " ORDER BY id"):
        try:
            out.append(StoredRecorder(rid, RecorderDef.from_json(text), created, gone))
        except InputError:
            continue
    return out


def sync_recorders(
    conn: sqlite3.Connection, wanted: Sequence[RecorderDef], t_ms: int
) -> tuple[list[tuple[int, RecorderDef]], list[str]]:
    """Make ``wanted`` the active recorders (in the caller's transaction): an unchanged one
    keeps its id, a changed or dropped one is retired. Returns the ``(id, definition)`` pairs
    and notes ("defined pq", "changed pq", "retired x") for the event log."""
    wanted = validate_recorders(wanted)
    active = {r.definition.name: r for r in list_recorders(conn)}
    out, notes = [], []
    for d in wanted:
        have = active.pop(d.name, None)
        if have is not None and have.definition.to_json() == d.to_json():
            out.append((have.id, d))
            continue
        if have is not None:
            conn.execute("UPDATE recorders SET retired_ms=? WHERE id=?", (t_ms, have.id))
        cur = conn.execute(
            "INSERT INTO recorders(name, definition, created_ms) VALUES (?,?,?)",
            (d.name, d.to_json(), t_ms),
        )
        out.append((int(cur.lastrowid), d))
        notes.append(f"{'changed' if have is not None else 'defined'} {d.name}")
    for gone in active.values():
        conn.execute("UPDATE recorders SET retired_ms=? WHERE id=?", (t_ms, gone.id))
        notes.append(f"retired {gone.definition.name}")
    return out, notes


def find_recorder(conn: sqlite3.Connection, name: str) -> StoredRecorder:
    """The active recorder called ``name`` (else the newest retired one); ``InputError``
    naming the recorders there are."""
    rows = [r for r in list_recorders(conn, retired=True) if r.definition.name == name]
    if not rows:
        known = sorted({r.definition.name for r in list_recorders(conn, retired=True)})
        raise InputError(
            f"no recorder {name!r}; recorders: {', '.join(known) if known else '(none)'}"
        )
    active = [r for r in rows if r.retired_ms is None]
    return (active or rows)[-1]


def insert_rows(conn: sqlite3.Connection, rows: Sequence[tuple]) -> None:
    """Write sample rows ``(recorder, end [ms], n, partial, values...)`` (padded to 16)."""
    pad = (None,) * VALUE_COLUMNS
    conn.executemany(_INSERT, [r + pad[: 4 + VALUE_COLUMNS - len(r)] for r in rows])


def last_times(conn: sqlite3.Connection) -> dict[int, int]:
    """The end [ms] of each recorder's newest row."""
    return dict(conn.execute("SELECT recorder, MAX(t_ms) FROM samples GROUP BY recorder"))


def iter_samples(
    conn: sqlite3.Connection,
    recorder: StoredRecorder,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Iterator[tuple[datetime, bool, list[float | None]]]:
    """Rows of ``recorder`` with ``start`` < time ≤ ``end``, oldest first: (interval end (UTC),
    partial, one value per channel [the channel's unit], None where nothing was measured)."""
    n = len(recorder.definition.channels)
    cols = ", ".join(f"v{k}" for k in range(n))
    lo = -(2**62) if start is None else (start.timestamp() * 1000)
    hi = 2**62 if end is None else (end.timestamp() * 1000)
    cur = conn.execute(
        f"SELECT t_ms, partial, {cols} FROM samples WHERE recorder=? AND t_ms > ? AND t_ms <= ? "
        "ORDER BY t_ms",
        (recorder.id, lo, hi),
    )
    for row in cur:
        yield from_ms(row[0]), bool(row[1]), list(row[2:])
