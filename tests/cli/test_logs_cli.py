"""``events export`` and ``logs list | export``: CSV out of the storage database, one clear line
and status 2 for a bad recorder name or a missing database."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from logging_child import VOLTS, constant_source

from engine.meter import Meter
from engine.storage.logger import MeterLogger
from engine.storage.recorders import RecorderDef
from hmi.cli import main

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    meter = Meter()
    logger = MeterLogger.open(d, recorders=[RecorderDef("volts", ("V_A", "V_A:max"), 1.0)])
    logger.attach(meter)
    meter.reset("minmax")
    meter.run(constant_source(T0), paced=False, seconds=5)
    logger.close()
    return d


def test_events_export_csv_file(data_dir, tmp_path):
    out = tmp_path / "events.csv"
    assert main(["events", "export", "--csv", str(out), "--data-dir", str(data_dir)]) == 0
    rows = list(csv.DictReader(out.open()))
    what = [(r["kind"], r["what"], r["new"]) for r in rows]
    assert what[0] == ("storage", "recorder", "defined volts")
    assert ("reset", "minmax", "") in what and ("power", "power_up", "") in what
    assert what[-1] == ("power", "power_down", "clean")
    times = [r["time"] for r in rows]
    assert times == sorted(times) and times[0].endswith("Z") and len(times[0]) == 24


def test_logs_export_to_stdout(data_dir, capsys):
    assert main(["logs", "export", "volts", "--data-dir", str(data_dir)]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["time", "partial", "V_A", "V_A:max"]
    assert [r[0] for r in rows[1:]] == [f"2026-01-01T00:00:0{k}.000Z" for k in range(1, 5)]
    assert all(float(r[2]) == pytest.approx(VOLTS, rel=1e-5) for r in rows[1:])
    assert main(["logs", "list", "--data-dir", str(data_dir)]) == 0
    assert "volts" in capsys.readouterr().out


def test_bad_recorder_or_missing_database_is_one_line_and_status_2(data_dir, tmp_path, capsys):
    assert main(["logs", "export", "nope", "--data-dir", str(data_dir)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no recorder 'nope'" in err and "volts" in err
    assert main(["events", "export", "--data-dir", str(tmp_path / "empty")]) == 2
    assert "no database" in capsys.readouterr().err


def test_logs_trend_prints_statistics_and_the_forecast(tmp_path, capsys):
    """A 3-day history of P = 1000 W + 100 W × hour of day: the hourly averages and the
    next hours' forecast follow the profile."""
    from datetime import timedelta

    from engine.storage.database import Database, to_ms
    from engine.storage.recorder_store import insert_rows, sync_recorders
    from engine.storage.recorders import DEFAULT_RECORDERS

    now = datetime.now(UTC).replace(second=0, microsecond=0)
    db = Database.in_dir(tmp_path)
    with db.transaction():
        recs, _ = sync_recorders(db.conn, DEFAULT_RECORDERS, to_ms(now - timedelta(days=3)))
        rid = next(i for i, d in recs if d.name == "trend")
        t, rows = now - timedelta(days=3), []
        while t < now:
            t += timedelta(minutes=1)
            rows.append((rid, to_ms(t), 60, 0, 1000.0 + 100.0 * t.hour, 230.0, 10.0, 50.0))
        insert_rows(db.conn, rows)
    db.close()
    assert main(["logs", "trend", "trend", "P_TOT", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    forecast = lines[lines.index(next(x for x in lines if "next 4 hours" in x)) + 1 :][:4]
    for line in forecast:
        stamp, avg = line.split()[:2]
        hour = datetime.fromisoformat(stamp.replace("Z", "+00:00")).hour
        assert float(avg) == pytest.approx(1000.0 + 100.0 * hour, rel=0.01)
    assert "by month" in out and "next 4 days" in out
    assert main(["logs", "trend", "trend", "V_X", "--data-dir", str(tmp_path)]) == 2
