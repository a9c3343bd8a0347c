"""Recorder definitions and the interval accumulation, against constant and stepped inputs whose
interval statistics are known in closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.errors import InputError
from engine.storage.recorders import (
    DEFAULT_RECORDERS,
    MAX_RECORDERS,
    RecorderDef,
    RecorderSet,
    Trigger,
    parse_channel,
    validate_recorders,
)

T0 = 1_767_225_600_000  # [ms] 2026-01-01T00:00:00Z, a whole day


def feed(rs: RecorderSet, times_ms, values):
    """Feed one id (column 0 .. n) per sample; return every closed row."""
    rows = []
    cols = np.arange(len(rs.ids))
    for t, v in zip(times_ms, values, strict=True):
        rows.extend(rs.add(int(t), cols, np.full(len(cols), float(v))))
    return rows


def test_channel_parsing_defaults_and_errors():
    assert parse_channel("V_A") == ("V_A", "avg")
    assert parse_channel("E_P_DEL") == ("E_P_DEL", "last")
    assert parse_channel("FREQ:max") == ("FREQ", "max")
    with pytest.raises(InputError, match="unknown quantity"):
        parse_channel("V_Z")
    with pytest.raises(InputError, match="statistic"):
        parse_channel("V_A:median")


def test_definitions_are_checked():
    ok = RecorderDef("a", ("V_A",), 1.0)
    with pytest.raises(InputError, match="divide a day"):
        validate_recorders([RecorderDef("a", ("V_A",), 7.0)])
    with pytest.raises(InputError, match="divide a day"):
        validate_recorders([RecorderDef("a", ("V_A",), 0.05)])
    with pytest.raises(InputError, match="1 to 16"):
        validate_recorders([RecorderDef("a", ("V_A",) * 17, 1.0)])
    with pytest.raises(InputError, match="unique"):
        validate_recorders([ok, ok])
    with pytest.raises(InputError, match="at most 64"):
        validate_recorders([RecorderDef(f"r{k}", ("V_A",), 1.0) for k in range(MAX_RECORDERS + 1)])
    assert RecorderDef.from_json(ok.to_json()) == ok
    trig = RecorderDef("t", ("V_A",), 1.0, Trigger("V_A", 250.0, 10.0))
    assert RecorderDef.from_json(trig.to_json()) == trig
    # The defaults of issue 7: 15-min revenue, 10-min PQ, 1-min min/max, all valid; and the
    # 1-min averages the Trend screen draws.
    assert [(r.name, r.interval) for r in validate_recorders(DEFAULT_RECORDERS)] == [
        ("revenue", 900.0), ("pq", 600.0), ("minmax", 60.0), ("trend", 60.0)
    ]  # fmt: skip


def test_constant_signal_every_statistic_is_the_constant_and_rows_align():
    rs = RecorderSet(
        [(1, RecorderDef("c", ("V_A", "V_A:min", "V_A:max", "V_A:last", "P_TOT"), 1.0))]
    )
    rs.covered_from = T0  # logging began on a boundary: no partial interval
    times = T0 + 200 * np.arange(1, 26)  # every 0.2 s for 5 s
    rows = feed(rs, times, [230.0] * len(times))
    assert [r[1] for r in rows] == [T0 + 1000 * k for k in range(1, 5)]  # 5th interval still open
    for r in rows:
        assert r[0] == 1 and r[2] == 5 and r[3] == 0  # 5 values, whole interval
        assert r[4:] == pytest.approx([230.0] * 5, rel=1e-15)


def test_step_inside_an_interval_gives_the_analytic_statistics():
    # 100 V for 2 values then 200 V for 3 values in one 1-s interval (values at 0.2 s steps).
    spec = ("V_A", "V_A:min", "V_A:max", "V_A:last", "P_TOT", "E_P_DEL")
    rs = RecorderSet([(7, RecorderDef("s", spec, 1.0))])
    rs.covered_from = T0
    times = T0 + 200 * np.arange(1, 7)  # 0.2 .. 1.2 s: the value at 1.2 s closes (0, 1]
    rows = feed(rs, times, [100, 100, 200, 200, 200, 999])
    (row,) = rows
    v = [100, 100, 200, 200, 200]
    rms = math.sqrt(sum(x * x for x in v) / 5)  # V: IEC 61000-4-30 rms aggregation
    assert row[1] == T0 + 1000
    assert row[4:] == pytest.approx([rms, 100, 200, 200, sum(v) / 5, 200])  # P: arithmetic mean


def test_nan_values_are_skipped_and_an_all_nan_interval_is_empty():
    rs = RecorderSet([(1, RecorderDef("n", ("V_A", "V_A:max"), 1.0))])
    rows = feed(
        rs, T0 + np.array([200, 400, 1200, 1400, 2200]), [50, math.nan, math.nan, math.nan, 1]
    )
    assert rows[0][4:] == pytest.approx([50, 50])
    assert all(math.isnan(x) for x in rows[1][4:])


def test_start_inside_an_interval_is_partial_and_alignment_follows_the_utc_clock():
    rs = RecorderSet([(1, RecorderDef("m", ("V_A",), 60.0)), (2, RecorderDef("s", ("V_A",), 1.0))])
    start = T0 + 37_300  # 00:00:37.3
    times = start + 100 * np.arange(1, 1000)  # 100 s at 0.1 s
    rows = feed(rs, times, np.ones(len(times)))
    minute = [r for r in rows if r[0] == 1]
    second = [r for r in rows if r[0] == 2]
    # Data from 00:00:37.3 to 00:02:17.2: 00:01:00 (partial) and 00:02:00; 00:03 still open.
    assert [(r[1], r[3]) for r in minute] == [(T0 + 60_000, 1), (T0 + 120_000, 0)]
    assert second[0][1] == T0 + 38_000 and second[0][3] == 1  # 00:00:38, partial
    assert all(r[3] == 0 for r in second[1:])
    assert np.all(np.diff([r[1] for r in second]) == 1000)


def test_triggered_recorder_logs_only_its_span():
    rs = RecorderSet([(3, RecorderDef("t", ("V_A",), 1.0, Trigger("V_A", 250.0, 2.5)))])
    cols = np.arange(1)
    rows, started = [], []
    for k in range(1, 101):  # 10 s at 0.1 s; a swell to 260 V at 3.05 s..3.45 s
        t = T0 + 100 * k
        v = 260.0 if 3050 < t - T0 < 3450 else 230.0
        started += rs.check_triggers(t, {"V_A": v})
        rows += rs.add(t, cols, np.array([v]))
    assert started == ["t"]  # once: no retrigger while logging
    # Triggered at 3.1 s, stops 2.5 s later (5.6 s): intervals ending 4, 5 and 6 s overlap.
    assert [r[1] - T0 for r in rows] == [4000, 5000, 6000]


def test_open_interval_survives_a_restart():
    spec = RecorderDef("q", ("V_A", "V_A:max"), 900.0)
    a = RecorderSet([(1, spec)])
    feed(a, T0 + 1000 * np.arange(1, 301), [100.0] * 300)  # 0..5 min at 100 V
    blob = a.open_state(1001)[900_000]
    b = RecorderSet([(1, spec)])  # restarted at 10 min: the 15-min interval goes on
    assert b.resume(900_000, blob, T0 + 600_000) == []
    rows = feed(b, T0 + 600_000 + 1000 * np.arange(1, 302), [200.0] * 301)
    (row,) = rows
    assert row[1] == T0 + 900_000 and row[2] == 600 and row[3] == 1  # partial: 5 min missing
    assert row[4:] == pytest.approx([math.sqrt((100**2 + 200**2) / 2), 200.0])
    c = RecorderSet([(1, spec)])  # restarted after the interval ended: its row comes out
    (late,) = c.resume(900_000, blob, T0 + 1_000_000)
    assert late[1] == T0 + 900_000 and late[2] == 300 and late[3] == 1
    assert RecorderSet([(2, spec)]).resume(900_000, blob, T0) == []  # another recorder's
