"""Trend statistics and the profile forecast on constructed histories with known answers."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from logging_child import VOLTS, constant_source

from engine.meter import Meter
from engine.storage.database import Database, to_ms
from engine.storage.logger import MeterLogger
from engine.storage.recorders import RecorderDef
from engine.storage.trend import channel_history, forecast_days, forecast_hours, period_stats

MON = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
MIN = 60_000


def daily_sine(days: int, start=MON):
    """One value a minute: 100 + 10 sin(2π · hour-of-day / 24), hour-of-day in whole hours."""
    t = to_ms(start) + MIN * np.arange(days * 1440)
    hour = (t // 3_600_000) % 24
    return t, 100 + 10 * np.sin(2 * np.pi * hour / 24)


def test_hourly_daily_weekly_monthly_statistics():
    t, v = daily_sine(35)
    hours = period_stats(t, v, "hour")
    assert len(hours) == 35 * 24 and hours[6].count == 60
    assert hours[6].average == pytest.approx(110.0) and hours[6].std == pytest.approx(0, abs=1e-9)
    days = period_stats(t, v, "day")
    assert len(days) == 35
    # Over whole days the sine averages out; its population std is 10/√2 (24 equal samples).
    assert days[3].average == pytest.approx(100.0)
    assert days[3].std == pytest.approx(10 / math.sqrt(2))
    assert (days[3].minimum, days[3].maximum) == pytest.approx((90.0, 110.0))
    weeks = period_stats(t, v, "week")
    assert [w.start.weekday() for w in weeks] == [0] * 5 and weeks[0].count == 7 * 1440
    months = period_stats(t, v, "month")  # 5 Jan .. 8 Feb: January and February
    assert [(m.start.month, m.end.month, m.count) for m in months] == [
        (1, 2, 27 * 1440), (2, 3, 8 * 1440)
    ]  # fmt: skip
    v2 = v.copy()
    v2[:60] = np.nan  # the first hour not measured: left out
    assert period_stats(t, v2, "hour")[0].start == MON + timedelta(hours=1)
    with pytest.raises(ValueError, match="period"):
        period_stats(t, v, "year")


def test_forecast_of_a_periodic_history_is_the_profile_with_a_closed_band():
    t, v = daily_sine(10)
    now = MON + timedelta(days=10, hours=-1, minutes=30)  # day 9, 23:30
    fc = forecast_hours(t[t < to_ms(now)], v[t < to_ms(now)], now)
    assert [f.start.hour for f in fc] == [0, 1, 2, 3]
    for f in fc:
        expected = 100 + 10 * math.sin(2 * math.pi * f.start.hour / 24)
        assert f.average == pytest.approx(expected)
        assert (f.minimum, f.maximum) == pytest.approx((expected, expected))
        assert f.basis == 10  # that hour on each of the 10 days


def test_forecast_band_holds_the_spread_of_the_same_hour():
    t, v = daily_sine(7)
    v = v + np.where((t - to_ms(MON)) // 86_400_000 % 2 == 0, 5.0, -5.0)  # alternate days ±5
    now = MON + timedelta(days=7)
    (f,) = forecast_hours(t, v, now, hours=1)  # 01:00-02:00
    base = 100 + 10 * math.sin(2 * math.pi / 24)
    assert f.start.hour == 1
    assert f.average == pytest.approx(base + 5 * (4 - 3) / 7)  # 4 days +5, 3 days −5
    assert (f.minimum, f.maximum) == pytest.approx((base - 5, base + 5))


def test_day_forecast_follows_the_weekday_profile():
    t = to_ms(MON) + 3_600_000 * np.arange(21 * 24)  # hourly, three weeks
    weekday = (t // 86_400_000 - 4) % 7  # 0 = Monday
    v = 200.0 + 10.0 * weekday
    now = MON + timedelta(days=21, hours=5)  # Monday of week 4
    fc = forecast_days(t, v, now)
    assert [f.start.weekday() for f in fc] == [1, 2, 3, 4]
    assert [f.average for f in fc] == pytest.approx([210, 220, 230, 240])
    assert all(f.basis == 3 for f in fc)
    # With one week of history, every past day is the basis.
    short = forecast_days(t[: 7 * 24], v[: 7 * 24], MON + timedelta(days=7))
    assert short[0].average == pytest.approx(230.0) and short[0].basis == 7


def test_no_history_gives_nan():
    (f,) = forecast_hours([], [], MON, hours=1)
    assert math.isnan(f.average) and f.basis == 0


def test_channel_history_reads_a_recorder(tmp_path):
    meter = Meter()
    lg = MeterLogger.open(tmp_path, recorders=[RecorderDef("v", ("V_A", "V_A:max"), 1.0)])
    lg.attach(meter)
    meter.run(constant_source(MON), paced=False, seconds=4)
    lg.close()
    db = Database.in_dir(tmp_path)
    t, v = channel_history(db.conn, "v", "V_A:max")
    assert list(t) == [to_ms(MON) + 1000 * k for k in (1, 2, 3)]
    assert v == pytest.approx([VOLTS] * 3, rel=1e-5)
    with pytest.raises(KeyError, match="does not log"):
        channel_history(db.conn, "v", "I_A")
