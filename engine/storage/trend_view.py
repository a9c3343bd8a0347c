"""What the Trend screen shows: for each trended quantity, the hourly statistics of the last
24 hours and the forecast of the next 4 (``engine.storage.trend``), read from the "trend"
recorder's history and handed to the snapshot (``engine.snapshot.TrendSeries``)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from engine.errors import InputError
from engine.snapshot import TrendSeries
from engine.storage.trend import forecast_hours, period_stats, recorder_history

__all__ = ["FORECAST_HOURS", "HISTORY_HOURS", "TREND_RECORDER", "trend_series"]

TREND_RECORDER = "trend"
HISTORY_HOURS = 24
FORECAST_HOURS = 4


def trend_series(conn: sqlite3.Connection, now: datetime) -> tuple[TrendSeries, ...]:
    """The Trend screen's series at ``now`` (UTC), one per channel of the trend recorder (at
    most 4); empty when there is no such recorder. The history is read once for all channels
    (the engine thread does this once a minute)."""
    since = now - timedelta(hours=HISTORY_HOURS + 24 * 28)  # the forecast's 28-day profile
    try:
        channels, times, values = recorder_history(conn, TREND_RECORDER, since=since)
    except InputError:
        return ()
    recent = now - timedelta(hours=HISTORY_HOURS)
    out = []
    for k, channel in enumerate(channels[:4]):
        history = tuple(
            (s.start, s.average, s.minimum, s.maximum)
            for s in period_stats(times, values[:, k], "hour")
            if s.end > recent
        )
        forecast = tuple(
            (f.start, f.average, f.minimum, f.maximum)
            for f in forecast_hours(times, values[:, k], now, hours=FORECAST_HOURS)
        )
        out.append(TrendSeries(channel.partition(":")[0], history, forecast))
    return tuple(out)
