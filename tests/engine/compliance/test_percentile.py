"""The nearest-rank percentile and the observation periods."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from engine.compliance.common import DAY, nearest_rank, period_index, periods


@pytest.mark.parametrize(
    ("n", "pct", "expected"),
    [
        (100, 95, 95.0),  # rank ceil(95.0) = 95
        (100, 99, 99.0),
        (101, 95, 96.0),  # ceil(95.95) = 96
        (20, 95, 19.0),  # exactly rank 19, no float spill-over to 20
        (1008, 95, 958.0),  # ceil(957.6)
        (1008, 99, 998.0),  # ceil(997.92)
        (28800, 99, 28512.0),  # exactly rank 28512
        (1, 99, 1.0),
        (5, 100, 5.0),
        (10, 0.1, 1.0),  # rank at least 1
    ],
)
def test_nearest_rank_on_1_to_n(n, pct, expected):
    values = np.arange(n, 0, -1, dtype=float)  # unsorted input
    assert nearest_rank(values, pct) == expected


def test_nearest_rank_returns_a_measured_value_no_interpolation():
    assert nearest_rank([1.0, 10.0], 50) == 1.0
    assert nearest_rank([1.0, 10.0], 51) == 10.0


def test_nearest_rank_edge_cases():
    assert math.isnan(nearest_rank([], 95))
    with pytest.raises(ValueError, match="NaN"):
        nearest_rank([1.0, math.nan], 95)
    for bad in (0, 101, -5):
        with pytest.raises(ValueError, match="percentile"):
            nearest_rank([1.0], bad)


def test_periods_hold_start_exclusive_end_inclusive():
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    assert period_index(t0 + DAY, t0, DAY) == 0  # the value ending at midnight: day 0
    assert period_index(t0 + DAY + timedelta(microseconds=1), t0, DAY) == 1
    assert period_index(t0, t0, DAY) == -1
    ps = periods([t0 + DAY, t0 + 3 * DAY + timedelta(seconds=3)], t0, DAY)
    assert [p.index for p in ps] == [0, 1, 2, 3]  # the empty days 1 and 2 are kept
    assert ps[3].start == t0 + 3 * DAY and ps[3].end == t0 + 4 * DAY
    assert periods([t0], t0, DAY) == []
