"""Min/max tracker against numpy's own reductions over the same data."""

import json
import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from engine.errors import InputError
from engine.metering.minmax import MinMaxTracker
from engine.snapshot import Extreme

T0 = datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
SEC = timedelta(seconds=0.2)


def test_keeps_extremes_with_their_times_and_ignores_nan_and_absent_ids():
    mm = MinMaxTracker(["V_A", "I_A", "FREQ"])
    mm.update(T0, {"V_A": 230.0, "I_A": math.nan, "P_TOT": 1e9})
    mm.update(T0 + SEC, {"V_A": 228.5, "I_A": 5.0})
    mm.update(T0 + 2 * SEC, {"V_A": 231.0, "I_A": math.nan})
    mm.update(T0 + 3 * SEC, {"V_A": 228.5, "I_A": 4.0})  # equal to the minimum: time stays
    assert mm.minimum() == {"V_A": Extreme(228.5, T0 + SEC), "I_A": Extreme(4.0, T0 + 3 * SEC)}
    assert mm.maximum() == {"V_A": Extreme(231.0, T0 + 2 * SEC), "I_A": Extreme(5.0, T0 + SEC)}
    # FREQ never had a value; P_TOT is not tracked.


def test_matches_numpy_on_random_data_with_nans():
    rng = np.random.default_rng(7)
    ids = [f"X_{k}" for k in range(100)]
    data = rng.normal(size=(500, 100))
    data[rng.random(data.shape) < 0.1] = np.nan
    data[:, 5] = np.nan  # one id never measured
    mm = MinMaxTracker(ids)
    times = [T0 + k * SEC for k in range(len(data))]
    for t, row in zip(times, data, strict=True):
        mm.update(t, dict(zip(ids, row, strict=True)))
    lo, hi = mm.minimum(), mm.maximum()
    assert "X_5" not in lo and "X_5" not in hi and len(lo) == len(hi) == 99
    cols = [k for k in range(100) if k != 5]
    for k in cols:
        col = data[:, k]
        assert lo[ids[k]] == Extreme(np.nanmin(col), times[np.nanargmin(col)])
        assert hi[ids[k]] == Extreme(np.nanmax(col), times[np.nanargmax(col)])


def test_update_array_is_the_same_as_update():
    ids = ["A", "B", "C"]
    a, b = MinMaxTracker(ids), MinMaxTracker(ids)
    for k, row in enumerate(([1.0, np.nan, 3.0], [0.5, 2.0, 4.0], [2.0, -1.0, np.nan])):
        a.update(T0 + k * SEC, dict(zip(ids, row, strict=True)))
        b.update_array(T0 + k * SEC, np.array(row))
    assert a.minimum() == b.minimum() and a.maximum() == b.maximum()


def test_infinities_are_ignored():
    mm = MinMaxTracker(["A"])
    mm.update(T0, {"A": math.inf})
    mm.update(T0 + SEC, {"A": -math.inf})
    mm.update(T0 + 2 * SEC, {"A": 1.0})
    assert mm.minimum() == mm.maximum() == {"A": Extreme(1.0, T0 + 2 * SEC)}


def test_reset():
    mm = MinMaxTracker(["A"])
    mm.update(T0, {"A": 1.0})
    mm.reset()
    assert mm.minimum() == mm.maximum() == {}
    mm.update(T0 + SEC, {"A": 2.0})
    assert mm.minimum() == {"A": Extreme(2.0, T0 + SEC)}


def test_duplicate_ids_are_tracked_once():
    assert MinMaxTracker(["A", "B", "A"]).ids == ("A", "B")


def test_naive_time_raises():
    with pytest.raises(ValueError, match="timezone-aware"):
        MinMaxTracker(["A"]).update(datetime(2024, 1, 1), {"A": 1.0})


def test_round_trip_through_json():
    mm = MinMaxTracker(["V_A", "I_A", "FREQ"])
    mm.update(T0 + timedelta(microseconds=123_457), {"V_A": 230.123456789, "I_A": 4.0})
    mm.update(T0 + SEC, {"V_A": 229.0, "I_A": 6.5})
    copy = MinMaxTracker.from_dict(json.loads(json.dumps(mm.to_dict())))
    assert copy.minimum() == mm.minimum() and copy.maximum() == mm.maximum()
    assert copy.ids == ("V_A", "I_A")  # FREQ had no extremes to save
    # Restoring into a new set of ids keeps the common ones only.
    other = MinMaxTracker.from_dict(mm.to_dict(), ids=["I_A", "U2_V"])
    assert other.ids == ("I_A", "U2_V")
    assert other.maximum() == {"I_A": Extreme(6.5, T0 + SEC)}


@pytest.mark.parametrize(
    "data",
    [
        {"version": 2, "extremes": {}},
        {"version": 1, "extremes": []},
        {"version": 1, "extremes": {"A": [1.0, "2024-01-01T00:00:00+00:00", 2.0]}},
        {"version": 1, "extremes": {"A": [1.0, "yesterday", 2.0, "2024-01-01T00:00:00+00:00"]}},
        {"version": 1, "extremes": {"A": [1.0, "2024-01-01T00:00:00", 2.0, "2024-01-01T00:00"]}},
    ],
)
def test_malformed_state_raises_input_error(data):
    with pytest.raises(InputError, match="min/max"):
        MinMaxTracker.from_dict(data)


def test_returned_dicts_are_fresh_copies():
    mm = MinMaxTracker(["A", "B"])
    mm.update(T0, {"A": 1.0, "B": 2.0})
    first = mm.minimum()
    first.clear()
    assert mm.minimum() == {"A": Extreme(1.0, T0), "B": Extreme(2.0, T0)}
    mm.update(T0 + SEC, {"A": 0.5, "B": 3.0})
    assert mm.minimum()["A"] == Extreme(0.5, T0 + SEC)
    assert mm.maximum()["B"] == Extreme(3.0, T0 + SEC)
