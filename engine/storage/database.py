"""The storage database: one SQLite file (WAL) in the data directory, schema-versioned, checked
on open, with a size cap.

Durability. The file is opened in WAL mode with ``synchronous=NORMAL``: a commit appends its
pages to the write-ahead log and returns without an fsync; the log is fsynced at each
checkpoint. Killing the process (``kill -9``) therefore never loses a committed transaction nor
corrupts the file, because the WAL is in the operating system's page cache and SQLite replays it
on the next open. Only a power cut or an OS crash may roll back the commits since the last
checkpoint (the file stays consistent). ``FULL`` would add one fsync per commit (one a second) to
guard against that too; the emulated meter's "power" is the process, so NORMAL is enough and
keeps the logger off the disk's latency.

Damage. Opening runs ``PRAGMA quick_check``. A file that is not a database or fails the check is
renamed ``<name>.bad-YYYYmmddTHHMMSS`` (with its ``-wal`` / ``-shm``), a new database is started
and ``Database.notes`` says so (the logger turns notes into events). A file that cannot be opened
or written (permissions, a full disk, another writer holding it) raises ``StorageError`` with one
clear line and is left as it is: nothing stored is ever deleted to get going.

Size cap. ``enforce_cap`` measures the pages in use (page count less free pages, times the page
size); above the cap it deletes the oldest samples and events, in 10 % steps of the stored time
span, until 90 % of the cap is in use. Freed pages are reused by later writes, so the file stops
growing at the cap; the WAL adds at most ``WAL_LIMIT_BYTES`` beside it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

__all__ = [
    "DB_NAME",
    "DEFAULT_CAP_BYTES",
    "MIN_CAP_BYTES",
    "SCHEMA_VERSION",
    "Database",
    "StorageError",
    "from_ms",
    "to_ms",
]

DB_NAME = "ion7400.sqlite"
SCHEMA_VERSION = 1
#: [bytes] default size cap (issue 7).
DEFAULT_CAP_BYTES = 512 * 1024 * 1024
#: [bytes] the smallest cap accepted (the empty schema takes a few pages).
MIN_CAP_BYTES = 64 * 1024
#: [bytes] the WAL is truncated to this after a checkpoint.
WAL_LIMIT_BYTES = 8 * 1024 * 1024
#: Number of value columns of a sample row (a recorder logs at most this many quantities).
VALUE_COLUMNS = 16

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)

_VALUES = ", ".join(f"v{k} REAL" for k in range(VALUE_COLUMNS))
SCHEMA = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events(
    id INTEGER PRIMARY KEY, t_ms INTEGER NOT NULL, kind TEXT NOT NULL, what TEXT NOT NULL,
    old TEXT, new TEXT);
CREATE INDEX events_time ON events(t_ms, id);
CREATE TABLE recorders(
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, definition TEXT NOT NULL,
    created_ms INTEGER NOT NULL, retired_ms INTEGER);
CREATE TABLE samples(
    recorder INTEGER NOT NULL, t_ms INTEGER NOT NULL, n INTEGER NOT NULL,
    partial INTEGER NOT NULL, {_VALUES},
    PRIMARY KEY(recorder, t_ms)) WITHOUT ROWID;
CREATE INDEX samples_time ON samples(t_ms);
CREATE TABLE state(key TEXT PRIMARY KEY, t_ms INTEGER NOT NULL, value);
"""


class StorageError(Exception):
    """The database cannot be used (one line naming the file and the reason)."""


def to_ms(time: datetime) -> int:
    """Milliseconds since 1970-01-01 UTC of an aware datetime (floored) [ms]."""
    return (time - _EPOCH) // _MS


def from_ms(ms: int) -> datetime:
    """The aware UTC datetime of ``ms`` milliseconds since 1970-01-01 UTC."""
    return _EPOCH + timedelta(milliseconds=int(ms))


def _bad_name(path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.bad-{stamp}")
    k = 1
    while target.exists():  # never overwrite an earlier bad copy
        target = path.with_name(f"{path.name}.bad-{stamp}-{k}")
        k += 1
    return target


class Database:
    """An open storage database (one connection, autocommit: callers use ``transaction``).

    ``path``: the file; ``cap_bytes``: the size cap [bytes]; ``notes``: what happened on open
    (a damaged file kept aside), for the event log. A connection is used by one thread at a
    time (the logger's); readers (exports, screens) open their own ``Database``.
    """

    def __init__(self, path: Path, *, cap_bytes: int = DEFAULT_CAP_BYTES) -> None:
        if not cap_bytes >= MIN_CAP_BYTES:
            raise ValueError(f"size cap must be >= {MIN_CAP_BYTES} bytes, got {cap_bytes!r}")
        self.path = Path(path)
        self.cap_bytes = int(cap_bytes)
        self.notes: list[str] = []
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"{self.path.parent}: cannot create the data directory ({exc.strerror or exc})"
            ) from None
        try:
            self.conn = self._connect_checked()
        except _Damaged as exc:
            kept = self._set_aside()
            self.notes.append(f"damaged database ({exc}) kept as {kept.name}; a new one started")
            self.conn = self._connect_checked()

    @classmethod
    def in_dir(cls, data_dir: Path, *, cap_bytes: int = DEFAULT_CAP_BYTES) -> Database:
        """The database ``DB_NAME`` of the data directory ``data_dir`` (created if needed)."""
        return cls(Path(data_dir) / DB_NAME, cap_bytes=cap_bytes)

    # -- opening ---------------------------------------------------------------------------------

    def _connect_checked(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=2.0
            )
        except sqlite3.Error as exc:
            raise StorageError(f"{self.path}: cannot open ({exc})") from None
        try:
            self._prepare(conn)
        except _Damaged:
            conn.close()
            raise
        except sqlite3.OperationalError as exc:  # permissions, locked, disk full: not damage
            conn.close()
            raise StorageError(f"{self.path}: cannot use the database ({exc})") from None
        except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed"
            conn.close()
            raise _Damaged(str(exc)) from None
        except StorageError:
            conn.close()
            raise
        return conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA busy_timeout=2000")
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise _Damaged(f"quick_check: {check}")
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise StorageError(f"{self.path}: WAL mode refused (journal mode {mode})")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"PRAGMA journal_size_limit={WAL_LIMIT_BYTES}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            conn.execute("BEGIN IMMEDIATE")  # executescript would commit on its own
            for stmt in SCHEMA.split(";"):
                if stmt.strip():
                    conn.execute(stmt)
            conn.execute(
                "INSERT INTO meta VALUES ('schema_version', ?), ('created', ?)",
                (str(SCHEMA_VERSION), datetime.now(UTC).isoformat()),
            )
            conn.execute("COMMIT")
            return
        if "meta" not in tables:
            raise _Damaged("no meta table: not an ion7400-hmi database")
        row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        version = int(row[0]) if row and str(row[0]).isdigit() else None
        if version is None:
            raise _Damaged("no schema version")
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"{self.path}: written by a newer version (schema {version}, this program "
                f"reads {SCHEMA_VERSION}); left untouched"
            )
        # (Older schemas would be migrated here; version 1 is the first.)

    def _set_aside(self) -> Path:
        target = _bad_name(self.path)
        try:
            os.replace(self.path, target)
            for suffix in ("-wal", "-shm"):
                side = Path(f"{self.path}{suffix}")
                if side.exists():
                    os.replace(side, Path(f"{target}{suffix}"))
        except OSError as exc:
            raise StorageError(
                f"{self.path}: damaged and cannot be moved aside ({exc.strerror or exc})"
            ) from None
        return target

    # -- use -------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self):
        """``with db.transaction():`` one write transaction, rolled back on an exception."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def used_bytes(self) -> int:
        """Bytes of the file's pages in use (page count less free pages) [bytes]."""
        c = self.conn
        pages = c.execute("PRAGMA page_count").fetchone()[0]
        free = c.execute("PRAGMA freelist_count").fetchone()[0]
        size = c.execute("PRAGMA page_size").fetchone()[0]
        return (pages - free) * size

    def enforce_cap(self) -> tuple[int, int | None]:
        """Delete the oldest samples and events while the pages in use exceed the cap (inside
        the caller's transaction). Returns (rows deleted, time [ms] before which records were
        deleted, or None when nothing was)."""
        if self.used_bytes() <= self.cap_bytes:
            return 0, None
        c = self.conn
        target = 0.9 * self.cap_bytes
        deleted, cutoff = 0, None
        while self.used_bytes() > target:
            lo_hi = [
                c.execute(f"SELECT MIN(t_ms), MAX(t_ms) FROM {t}").fetchone()
                for t in ("samples", "events")
            ]
            lows = [r[0] for r in lo_hi if r[0] is not None]
            highs = [r[1] for r in lo_hi if r[1] is not None]
            if not lows:
                break
            oldest, newest = min(lows), max(highs)
            cutoff = oldest + max(1, (newest - oldest) // 10)
            n = c.execute("DELETE FROM samples WHERE t_ms < ?", (cutoff,)).rowcount
            n += c.execute("DELETE FROM events WHERE t_ms < ?", (cutoff,)).rowcount
            deleted += n
            if n == 0 and cutoff > newest:
                break
        return deleted, cutoff

    def schema_version(self) -> int:
        row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row[0])

    def integrity(self) -> str:
        """``PRAGMA integrity_check``: "ok" or the first problem found."""
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()


class _Damaged(Exception):
    """The file is not a usable database of this program (it is set aside)."""
