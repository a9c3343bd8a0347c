"""EN 50160 dip and swell tables and interruption counts, on each edge of each row and column
as power-quality.md §4 writes them (≥, >, ≤)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.compliance.en50160_events import (
    LONGER,
    count_interruptions,
    dip_cell,
    dip_table,
    swell_cell,
    swell_table,
)
from engine.pq.events import Event

T0 = datetime(2024, 3, 4, tzinfo=UTC)


def ev(kind, pct, duration, phase="POLY", **kw):
    return Event(kind, phase, T0, duration, pct, **kw)


@pytest.mark.parametrize(
    ("residual", "row"),
    [
        (89.999, 0), (80.0, 0),  # 90 > u >= 80
        (79.999, 1), (70.0, 1),  # 80 > u >= 70
        (69.999, 2), (40.0, 2),  # 70 > u >= 40
        (39.999, 3), (5.0, 3),  # 40 > u >= 5
        (4.999, 4), (0.0, 4),  # 5 > u
    ],
)  # fmt: skip
def test_dip_rows_at_each_edge(residual, row):
    assert dip_cell(residual, 0.1) == (row, 0)


def test_dip_at_90_pct_is_outside_the_table():
    assert dip_cell(90.0, 0.1) is None


@pytest.mark.parametrize(
    ("duration", "column"),
    [
        (0.010, 0), (0.200, 0),  # 10 ms <= t <= 200 ms
        (0.200001, 1), (0.5, 1),  # 200 ms < t <= 0.5 s
        (0.500001, 2), (1.0, 2),  # 0.5 s < t <= 1 s
        (1.000001, 3), (5.0, 3),  # 1 s < t <= 5 s
        (5.000001, 4), (60.0, 4),  # 5 s < t <= 60 s
        (60.000001, LONGER), (3600.0, LONGER),
    ],
)  # fmt: skip
def test_dip_columns_at_each_edge(duration, column):
    assert dip_cell(50.0, duration) == (2, column)


def test_dip_under_10ms_is_outside():
    assert dip_cell(50.0, 0.009999) is None


def test_durations_built_from_microseconds_land_on_the_edge():
    # The engine computes durations as (end_us - start_us) / 1e6.
    assert dip_cell(85.0, 200_000 / 1e6) == (0, 0)
    assert dip_cell(85.0, (1_700_000_000_500_000 - 1_700_000_000_000_000) / 1e6) == (0, 1)


@pytest.mark.parametrize(("maximum", "row"), [(120.0, 0), (150.0, 0), (119.999, 1), (110.001, 1)])
def test_swell_rows(maximum, row):
    assert swell_cell(maximum, 0.1) == (row, 0)


def test_swell_at_110_is_outside():
    assert swell_cell(110.0, 0.1) is None


@pytest.mark.parametrize(
    ("duration", "column"),
    [(0.010, 0), (0.5, 0), (0.500001, 1), (5.0, 1), (5.000001, 2), (60.0, 2), (60.5, LONGER)],
)
def test_swell_columns(duration, column):
    assert swell_cell(125.0, duration) == (0, column)


def test_dip_table_counts_poly_events_only_when_present():
    events = [
        ev("dip", 85.0, 0.1),
        ev("dip", 85.0, 0.1, phase="A"),
        ev("dip", 60.0, 2.0, phase="B"),
        ev("dip", 30.0, 61.0),
        ev("dip", 3.0, 0.3),
        ev("dip", 95.0, 0.3),  # above the 90 % row: a user threshold of 96 % made it
        ev("swell", 130.0, 0.1),
        ev("interruption", 2.0, 10.0),
        ev("rvc", 95.0, 0.1),
        ev("dip", 10.0, 1.0, in_progress=True),
    ]
    t = dip_table(events)
    assert t.source == "POLY"
    expected = [[1, 0, 0, 0, 0], [0] * 5, [0] * 5, [0] * 5, [0, 1, 0, 0, 0]]
    assert [list(r) for r in t.counts] == expected
    assert t.longer_than_60s == (0, 0, 0, 1, 0)
    assert t.outside == 1
    assert t.total == 4


def test_dip_table_falls_back_to_per_phase_events():
    t = dip_table([ev("dip", 85.0, 0.1, phase="A"), ev("dip", 45.0, 0.7, phase="B")])
    assert t.source == "per-phase"
    assert t.counts[0][0] == 1 and t.counts[2][2] == 1 and t.total == 2


def test_swell_table():
    events = [ev("swell", 120.0, 0.5), ev("swell", 115.0, 5.0), ev("swell", 111.0, 90.0)]
    t = swell_table([*events, ev("dip", 50.0, 1.0)])
    assert [list(r) for r in t.counts] == [[1, 0, 0], [0, 1, 0]]
    assert t.longer_than_60s == (0, 1)
    d = t.to_dict()
    assert d["rows"] == ["u>=120", "120>u>110"] and d["counts"] == [[1, 0, 0], [0, 1, 0]]


def test_interruptions_short_up_to_3_minutes():
    events = [ev("interruption", 1.0, d) for d in (0.5, 180.0, 180.000001, 4000.0)]
    counts = count_interruptions([*events, ev("dip", 1.0, 500.0)])
    assert (counts.short, counts.long) == (2, 2)
    assert counts.to_dict() == {"short": 2, "long": 2}
