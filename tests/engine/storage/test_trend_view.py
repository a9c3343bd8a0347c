"""The Trend screen's series: hourly history of the last 24 h and the next 4 h forecast, read
from the "trend" recorder's rows (written here with known values)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from engine.storage.database import Database, to_ms
from engine.storage.recorder_store import insert_rows, sync_recorders
from engine.storage.recorders import DEFAULT_RECORDERS
from engine.storage.trend_view import FORECAST_HOURS, trend_series

NOW = datetime(2026, 5, 13, 12, 30, tzinfo=UTC)


def p_tot(t: datetime) -> float:
    """A daily profile: 1000 W + 100 W × the hour of day (the same every day)."""
    return 1000.0 + 100.0 * t.hour


def test_history_and_forecast_of_a_daily_profile(tmp_path):
    db = Database.in_dir(tmp_path)
    with db.transaction():
        recs, _ = sync_recorders(db.conn, DEFAULT_RECORDERS, to_ms(NOW - timedelta(days=3)))
        rid = next(i for i, d in recs if d.name == "trend")
        t = NOW - timedelta(days=3)
        rows = []
        while t <= NOW:  # 1-min rows: P_TOT, V_LN_AVG, I_AVG, FREQ
            rows.append((rid, to_ms(t), 60, 0, p_tot(t), 230.0, 10.0, 50.0))
            t += timedelta(minutes=1)
        insert_rows(db.conn, rows)
    series = trend_series(db.conn, NOW)
    assert [s.qid for s in series] == ["P_TOT", "V_LN_AVG", "I_AVG", "FREQ"]
    power = series[0]
    # Every hour of the last 24 h, its average and band: the profile's value for that hour
    # (a row stamped hh:00 closes the minute before it and counts in hour hh).
    assert len(power.history) in (24, 25)
    for start, avg, low, high in power.history:
        assert start > NOW - timedelta(hours=25)
        assert low <= avg <= high
    last = power.history[-1]
    assert last[0] == datetime(2026, 5, 13, 12, tzinfo=UTC) and last[1] == 2200.0
    # The next 4 whole hours: 13:00 .. 16:00, the same-hour profile of the earlier days.
    assert [f[0].hour for f in power.forecast] == [13, 14, 15, 16][:FORECAST_HOURS]
    for start, avg, low, high in power.forecast:
        assert math.isclose(avg, p_tot(start), rel_tol=0.01)
        assert low <= avg <= high
    assert series[3].history[-1][1] == 50.0


def test_no_trend_recorder_gives_no_series(tmp_path):
    db = Database.in_dir(tmp_path)
    assert trend_series(db.conn, NOW) == ()
