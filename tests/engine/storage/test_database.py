"""The storage database file: schema and pragmas, damaged or foreign files kept aside, clear
errors where it cannot be used, oldest-first pruning under the size cap."""

from __future__ import annotations

import sqlite3

import pytest

from engine.storage.database import (
    DB_NAME,
    MIN_CAP_BYTES,
    SCHEMA_VERSION,
    Database,
    StorageError,
)
from engine.storage.event_log import append_events, query_events
from engine.storage.recorder_store import insert_rows


def test_new_database_schema_and_pragmas(tmp_path):
    db = Database.in_dir(tmp_path / "sub" / "dir")  # the data directory is created
    c = db.conn
    assert db.schema_version() == SCHEMA_VERSION
    assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert c.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"meta", "events", "recorders", "samples", "state"} <= tables
    assert db.integrity() == "ok" and db.notes == []
    db.close()
    again = Database.in_dir(tmp_path / "sub" / "dir")  # reopened, not recreated
    assert again.notes == [] and again.schema_version() == SCHEMA_VERSION


@pytest.mark.parametrize(
    "content", [b"not a database at all " * 100, b"SQLite format 3\0" + b"\xff" * 5000]
)
def test_a_damaged_file_is_kept_aside_and_a_new_one_started(tmp_path, content):
    path = tmp_path / DB_NAME
    path.write_bytes(content)
    db = Database.in_dir(tmp_path)
    (kept,) = tmp_path.glob(f"{DB_NAME}.bad-*")
    assert kept.read_bytes() == content  # nothing stored is lost
    assert len(db.notes) == 1 and kept.name in db.notes[0]
    assert db.integrity() == "ok" and db.schema_version() == SCHEMA_VERSION


def test_a_foreign_sqlite_file_is_kept_aside(tmp_path):
    path = tmp_path / DB_NAME
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE t(x)")
    other.commit()
    other.close()
    db = Database.in_dir(tmp_path)
    assert "not an ion7400-hmi database" in db.notes[0]
    assert len(list(tmp_path.glob(f"{DB_NAME}.bad-*"))) == 1


def test_a_newer_schema_is_refused_and_left_untouched(tmp_path):
    db = Database.in_dir(tmp_path)
    db.conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    db.close()
    before = (tmp_path / DB_NAME).read_bytes()
    with pytest.raises(StorageError, match="newer version"):
        Database.in_dir(tmp_path)
    assert (tmp_path / DB_NAME).read_bytes() == before
    assert not list(tmp_path.glob("*.bad-*"))


def test_an_unusable_location_is_one_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="cannot create the data directory"):
        Database.in_dir(blocker / "data")
    (tmp_path / "d" / DB_NAME).mkdir(parents=True)  # a directory where the file should be
    with pytest.raises(StorageError, match=DB_NAME):
        Database.in_dir(tmp_path / "d")
    with pytest.raises(ValueError, match="size cap"):
        Database.in_dir(tmp_path / "e", cap_bytes=1000)


def test_enforce_cap_deletes_the_oldest_records_first(tmp_path):
    db = Database.in_dir(tmp_path, cap_bytes=MIN_CAP_BYTES)
    with db.transaction() as c:
        for k in range(100):
            insert_rows(c, [(1, 1000 * k, 1, 0, *([float(k)] * 16))])
            append_events(c, [(1000 * k + 1, "reset", "energy", None, "x" * 500)])
        assert db.used_bytes() > MIN_CAP_BYTES
        deleted, cutoff = db.enforce_cap()
    assert deleted > 0 and db.used_bytes() <= MIN_CAP_BYTES
    left = [r[0] for r in db.conn.execute("SELECT t_ms FROM samples ORDER BY t_ms")]
    assert left[0] >= cutoff and left[-1] == 99_000  # a contiguous newest part remains
    assert left == list(range(left[0], 100_000, 1000))
    assert query_events(db.conn, limit=1)[0].time.timestamp() == pytest.approx(99.001)
