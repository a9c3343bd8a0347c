"""``MeterLogger``: what the Meter produces, persisted beside it.

Attached to a Meter (``attach``), it is called at the end of every block in the engine's thread
(``Meter.listeners``) and
- writes every new engine event (``Meter.events``, found with ``Meter.event_count``), the
  power-up / power-down of the emulated meter, source connect / loss and clock steps;
- feeds the recorders (``engine.storage.recorders``) and buffers their rows (a ``logs`` reset
  deletes the rows stamped up to it; the events stay);
- commits once per ``commit_period`` seconds of signal time, in one transaction: the buffered
  events and rows, the energy / demand / min-max registers, a "last alive" mark and the open
  intervals of the recorders whose interval is longer than the commit period.

A killed process therefore loses at most one commit period of data. At the next start the logger
writes a power-down event at the last "alive" mark and a power-up at the first block, resumes the
interrupted intervals (their rows come out marked partial), and recorder rows go on aligned to
the clock: the gap in every recorder is the recorded downtime, rounded out to whole intervals.

A storage error (a full disk…) never stops the engine: the logger keeps what it could not write
and tries again at the next commit.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from engine.control import EngineEvent
from engine.storage.database import DEFAULT_CAP_BYTES, Database, from_ms, to_ms
from engine.storage.event_log import EventRow, append_events, event_row, query_events
from engine.storage.recorder_store import insert_rows, last_times, list_recorders, sync_recorders
from engine.storage.recorders import DEFAULT_RECORDERS, RecorderDef, RecorderSet
from engine.storage.registers import SAVE_PERIOD, load_registers, restore_registers, save_registers
from engine.storage.trend_view import trend_series

if TYPE_CHECKING:
    from engine.meter import BlockResult, Meter
    from engine.snapshot import Snapshot

__all__ = ["MeterLogger"]

log = logging.getLogger(__name__)

#: Rows kept in memory while the database refuses writes; beyond, the oldest are dropped.
MAX_PENDING_ROWS = 200_000
#: [ms] a step of signal time longer than this (and than 3 blocks) is a source loss.
LOSS_MS = 1000
#: The logger's own event kinds shown on the panel's Event Log as they happen.
SHOWN_KINDS = ("power", "source", "clock")
#: Events of earlier runs shown on the panel at start.
EVENTS_PRELOADED = 100
#: [ms] how often the Trend screen's series are read again from the database.
TREND_REFRESH_MS = 60_000
_ALIVE, _OPEN = "alive", "open:"


class MeterLogger:
    """Persists a Meter's events, recorder rows and registers into ``db``.

    ``recorders``: the recorders to run (None: those stored, else ``DEFAULT_RECORDERS``);
    ``source``: a description of the input for the connect event; ``commit_period`` [s] of
    signal time between commits (≤ 1 s keeps the energy-loss guarantee).
    """

    def __init__(
        self,
        db: Database,
        recorders: Sequence[RecorderDef] | None = None,
        *,
        source: str = "",
        commit_period: float = SAVE_PERIOD,
    ) -> None:
        self.db = db
        self.source = source
        self._wanted = recorders
        self._commit_ms = round(commit_period * 1000)
        self._meter: Meter | None = None
        self._recorders: RecorderSet | None = None
        self._lock = threading.Lock()
        self._noted: list[EventRow] = []  # from other threads, drained at each block
        self._events: list[EventRow] = []
        self._rows: list[tuple] = []
        self._seen = 0
        self._started = False
        self._last_t: int | None = None
        self._block_ms = 100
        self._last_commit = 0
        self._last_trend = -TREND_REFRESH_MS  # the first block reads them at once
        self._last_rows: dict[int, int] = {}
        self._layout_cache: tuple | None = None
        self._clear_logs_to: int | None = None  # [ms] a "logs" reset to apply at the commit
        self.write_errors = 0  # commits that failed (the data were kept for the next one)

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        cap_bytes: int = DEFAULT_CAP_BYTES,
        recorders: Sequence[RecorderDef] | None = None,
        source: str = "",
    ) -> MeterLogger:
        """A logger on the database of ``data_dir``; ``StorageError`` if it cannot be used."""
        return cls(Database.in_dir(data_dir, cap_bytes=cap_bytes), recorders, source=source)

    # -- wiring ------------------------------------------------------------------------------

    def attach(self, meter: Meter) -> list[str]:
        """Restore ``meter``'s saved registers and log its blocks from now on. Call before the
        meter runs. Returns notes on registers that could not be restored."""
        saved = load_registers(self.db.conn)
        notes = [] if saved is None else restore_registers(meter, saved[1])
        for note in notes:
            self._events.append((saved[0], "storage", "registers", None, note))
        self._meter = meter
        # The panel's Event Log goes on from the last run's events (not logged again).
        earlier = query_events(self.db.conn, limit=EVENTS_PRELOADED)
        meter.preload_events(
            [EngineEvent(e.time, e.kind, e.what, e.old, e.new) for e in reversed(earlier)]
        )
        self._seen = 0  # events queued before the first block are logged too
        meter.listeners.append(self.on_block)
        return notes

    def note(self, time: datetime, kind: str, what: str, old=None, new=None) -> None:
        """Log an event from any thread (written with the next commit)."""
        with self._lock:
            self._noted.append(event_row(time, kind, what, old, new))

    def close(self) -> None:
        """Write what is buffered and a clean power-down, then close the database. Call once
        the engine thread has stopped."""
        if self._meter is not None and self.on_block in self._meter.listeners:
            self._meter.listeners.remove(self.on_block)
        try:
            if self._started and self._last_t is not None:
                self._events.append((self._last_t, "power", "power_down", None, "clean"))
                self._commit(self._last_t, alive="clean")
        except sqlite3.Error as exc:
            log.error("storage: the last records could not be written: %s", exc)
        finally:
            self.db.close()

    # -- per block (engine thread) -------------------------------------------------------------

    def on_block(self, result: BlockResult, snapshot: Snapshot) -> None:
        """Log one block (``Meter.listeners``); never raises into the engine."""
        try:
            self._on_block(result, snapshot)
        except Exception:  # a logging fault must not stop the meter
            self.write_errors += 1
            log.exception("storage: logging a block failed")

    def _show(self, rows: Sequence[EventRow]) -> None:
        """The logger's own events (power cycle, source, clock) on the panel's Event Log too;
        they go into the meter's list without counting as new engine events."""
        self._meter.preload_events(
            [EngineEvent(from_ms(r[0]), *r[1:]) for r in rows if r[1] in SHOWN_KINDS]
        )

    def _on_block(self, result: BlockResult, snapshot: Snapshot) -> None:
        t = to_ms(snapshot.time)
        new_events = self._engine_events()
        if not self._started:
            up = min([t, *(e[0] for e in new_events)])
            self._start(up)
        else:
            self._check_step(t)
        self._events.extend(new_events)
        for e in new_events:  # the panel's "logs" reset clears the recorders' rows up to it
            if e[1] == "reset" and e[2] == "logs":
                self._clear_logs_to = e[0]
        rs = self._recorders
        for name in rs.check_triggers(t, snapshot.values):
            self._events.append((t, "storage", "recorder", None, f"{name} triggered"))
        rows = self._rows
        wcols, lcols, scols, sids = self._columns(result)
        if len(wcols) and len(result.window_end):
            win = result.windows[:, lcols]
            for k, end in enumerate(result.window_end):
                rows.extend(rs.add(to_ms(end), wcols, win[k]))
        if rs.half and len(result.half_cycle_time):
            names = [f"{q[:1]}_HALF_{q[2:]}" for q, _ in result.layout.plan.rms]
            times = result.half_cycle_time.astype("datetime64[ms]").astype(np.int64)
            rows.extend(rs.add_half_cycles(times, dict(zip(names, result.half_cycle, strict=True))))
        if len(scols):
            get = snapshot.values.get
            vals = np.fromiter((get(q, np.nan) for q in sids), float, len(sids))
            rows.extend(rs.add(t, scols, vals))
        self._last_t = t
        if t - self._last_commit >= self._commit_ms:
            self._commit(t)
        if t - self._last_trend >= TREND_REFRESH_MS:  # the Trend screen, once a minute
            self._last_trend = t
            self._meter.trend = trend_series(self.db.conn, snapshot.time)

    def _engine_events(self) -> list[EventRow]:
        out = []
        with self._lock:
            out, self._noted = self._noted, []
        meter = self._meter
        n = meter.event_count - self._seen
        if n > 0:
            recent = list(meter.events)[-n:]
            if n > len(recent):  # more than the deque keeps came in one block: say so
                out.append(event_row(recent[0].time, "storage", "events", None,
                                     f"{n - len(recent)} engine events lost"))  # fmt: skip
            out.extend(event_row(e.time, e.kind, e.what, e.old, e.new) for e in recent)
            self._seen = meter.event_count
        return out

    def _check_step(self, t: int) -> None:
        dt = t - self._last_t
        if dt < 0:  # the clock went back: rows up to the old time are not rewritten
            step = (t, "clock", "clock", from_ms(self._last_t).isoformat(), from_ms(t).isoformat())
            self._events.append(step)
            self._show([step])
            self._recorders.restart_coverage(t)
        elif dt > max(LOSS_MS, 3 * self._block_ms):
            resumed = t - self._block_ms
            lost = [(self._last_t, "source", "loss", None, self.source or None),
                    (resumed, "source", "connect", None, self.source or None)]  # fmt: skip
            self._events.extend(lost)
            self._show(lost)
            self._recorders.restart_coverage(resumed)
        else:
            self._block_ms = max(dt, 1)

    def _columns(self, result: BlockResult) -> tuple:
        """Recorder columns taken from the 10/12-cycle windows (and where they are in the
        block's rows), and those taken from the snapshot; cached per layout."""
        cache = self._layout_cache
        if cache is not None and cache[0] is result.layout:
            return cache[1]
        ids = self._recorders.ids
        index = result.layout.index if result.layout is not None else {}
        w = [(k, index[q]) for k, q in enumerate(ids) if q in index]
        s = [(k, q) for k, q in enumerate(ids) if q not in index]
        cols = (
            np.array([k for k, _ in w], dtype=np.intp), np.array([c for _, c in w], dtype=np.intp),
            np.array([k for k, _ in s], dtype=np.intp), [q for _, q in s],
        )  # fmt: skip
        self._layout_cache = (result.layout, cols)
        return cols

    # -- start and commit ----------------------------------------------------------------------

    def _start(self, up: int) -> None:
        """The first block: recorders, the power cycle's events, the interrupted intervals."""
        conn = self.db.conn
        wanted = self._wanted
        if wanted is None:
            wanted = [r.definition for r in list_recorders(conn)] or list(DEFAULT_RECORDERS)
        events = self._events
        with self.db.transaction():
            pairs, notes = sync_recorders(conn, wanted, up)
            self._recorders = RecorderSet(pairs)
            events.extend((up, "storage", "recorder", None, n) for n in notes)
            events.extend((up, "storage", "database", None, n) for n in self.db.notes)
            alive = conn.execute("SELECT t_ms, value FROM state WHERE key=?", (_ALIVE,)).fetchone()
            if alive is not None and alive[1] != "clean":
                events.append((alive[0], "power", "power_down", None, "unexpected"))
            if alive is not None and up < alive[0]:
                old, new = from_ms(alive[0]).isoformat(), from_ms(up).isoformat()
                events.append((up, "clock", "clock", old, new))
            events.append((up, "power", "power_up", None, None))
            events.append((up, "source", "connect", None, self.source or None))
            self._recorders.covered_from = up
            for key, blob in conn.execute("SELECT key, value FROM state WHERE key LIKE 'open:%'"):
                self._rows.extend(self._recorders.resume(int(key[len(_OPEN) :]), blob, up))
            conn.execute("DELETE FROM state WHERE key LIKE 'open:%'")
            # Alive from now on: a kill before the first commit is a power cycle at ``up``.
            conn.execute("INSERT OR REPLACE INTO state VALUES (?,?,?)", (_ALIVE, up, "running"))
            save_registers(conn, up, self._meter)
            append_events(conn, events)  # the power cycle is on record before any data
            self._last_rows = last_times(conn)
        self._show(events)
        events.clear()
        self._started = True
        self._last_commit = up

    def _commit(self, t: int, alive: str = "running") -> None:
        rows, last = [], dict(self._last_rows)
        cleared = -1 if self._clear_logs_to is None else self._clear_logs_to
        for r in self._rows:  # never a second row for an interval, never going back
            if r[1] > last.get(r[0], -1) and r[1] > cleared:
                rows.append(r)
                last[r[0]] = r[1]
        self._rows = rows
        events = self._events
        meter = self._meter
        try:
            with self.db.transaction() as c:
                append_events(c, events)
                if self._clear_logs_to is not None:
                    c.execute("DELETE FROM samples WHERE t_ms <= ?", (self._clear_logs_to,))
                insert_rows(c, rows)
                save_registers(c, t, meter)
                c.execute("INSERT OR REPLACE INTO state VALUES (?,?,?)", (_ALIVE, t, alive))
                c.execute("DELETE FROM state WHERE key LIKE 'open:%'")
                for iv, blob in self._recorders.open_state(self._commit_ms + 1).items():
                    c.execute("INSERT INTO state VALUES (?,?,?)", (f"{_OPEN}{iv}", t, blob))
                deleted, cutoff = self.db.enforce_cap()
                if deleted:
                    note = f"{deleted} records before {from_ms(cutoff).isoformat()} deleted"
                    append_events(c, [(t, "storage", "pruned", None, note)])
        except sqlite3.Error as exc:
            self.write_errors += 1
            log.warning("storage: commit failed (%s); kept for the next try", exc)
            if len(self._rows) > MAX_PENDING_ROWS:
                del self._rows[: len(self._rows) - MAX_PENDING_ROWS]
            self._last_commit = t
            return
        self._rows, self._events, self._last_rows = [], [], last
        self._clear_logs_to = None
        self._last_commit = t
