"""IEC 61000-4-30 Class A aggregation, checked against the definitions (§4.5, §4.7).

Rows are built directly with known values (no signal processing). A window's index is written
into FREQ (arithmetic mean) and index + 1 into V_A (rms), so an aggregate shows exactly which
windows it holds.
"""

import tracemalloc
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from engine.pq.aggregation import Aggregator, aggregation_rules

IDS = ("FREQ", "V_A", "I_A", "P_TOT", "S_TOT", "PF_TOT", "HA_V_A_5", "THD_V_A", "U2_V")
COL = {q: i for i, q in enumerate(IDS)}
US = 1_000_000
TEN_MIN = 600 * US
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def utc(*args) -> int:
    """µs since the epoch of a UTC date-time."""
    return int(datetime(*args, tzinfo=UTC).timestamp()) * US


def windows(t0_us: int, n: int, seconds: float):
    """Start and end times (datetime64[us]) of n contiguous windows of ``seconds``."""
    edges = t0_us + np.rint(np.arange(n + 1) * seconds * US).astype(np.int64)
    return edges[:-1].astype("datetime64[us]"), edges[1:].astype("datetime64[us]")


def index_rows(n: int) -> np.ndarray:
    rows = np.zeros((n, len(IDS)))
    rows[:, COL["FREQ"]] = np.arange(n)
    rows[:, COL["V_A"]] = np.arange(n) + 1.0
    return rows


def feed(agg, rows, starts, ends, flags=None, *, seed=0, pass_starts=True, flush=True):
    """All records by kind, fed in blocks of random sizes (empty blocks included)."""
    flags = np.zeros(len(rows), bool) if flags is None else flags
    out = {k: [] for k in agg.kinds}
    rng = np.random.default_rng(seed)
    i = 0
    while i < len(rows):
        j = min(len(rows), i + int(rng.integers(0, 40)))
        got = agg.add(rows[i:j], ends[i:j], flags[i:j], starts=starts[i:j] if pass_starts else None)
        for k, recs in got.items():
            out[k] += recs
        i = j
    if flush:
        for k, recs in agg.flush().items():
            out[k] += recs
    return out


def us(record) -> int:
    """A record's time as µs since the epoch."""
    return (record["t"] - EPOCH) // timedelta(microseconds=1)


def members(period_us: int, t_us: int, starts_us: np.ndarray) -> np.ndarray:
    """Windows of the clock interval a record stamped ``t_us`` covers: those starting in it.

    Stamped with its end tick, or (flushed before the tick) with its last window's end.
    """
    lo = (t_us - 1) // period_us * period_us
    return np.flatnonzero((starts_us >= lo) & (starts_us < lo + period_us))


def test_rules_follow_the_quantity_units():
    rules = aggregation_rules(["V_A", "I_N", "H_V_A_5", "THD_I_A", "U2_V", "FREQ", "P_TOT",
                               "Q_A", "PF_TOT", "DPF_TOT", "HA_V_A_5"])  # fmt: skip
    assert [k for k, r in rules.items() if r == "rms"] == ["V_A", "I_N", "H_V_A_5", "THD_I_A",
                                                           "U2_V"]  # fmt: skip
    assert [k for k, r in rules.items() if r == "mean"] == ["FREQ", "P_TOT", "Q_A", "DPF_TOT"]
    assert rules["PF_TOT"] == "pf" and rules["HA_V_A_5"] == "angle"


def test_constant_values_aggregate_to_themselves():
    const = [50.02, 230.1, 5.0, 1000.0, 1250.0, 0.8, -170.0, 3.2, 0.7]
    n = 7600  # 25 min of 0.2004-s windows from an arbitrary start
    starts, ends = windows(utc(2026, 3, 1, 0, 7, 31) + 345_678, n, 0.2004)
    rows = np.tile(const, (n, 1))
    out = feed(Aggregator(IDS), rows, starts, ends)
    assert [len(out[k]) > 0 for k in ("150cycle", "10min", "2h", "1s", "3s")] == [True] * 5
    for kind, records in out.items():
        for r in records:
            assert [r[q] for q in IDS] == pytest.approx(const, rel=1e-12, abs=1e-12), kind
            assert r["flagged"] is False


def test_rms_of_alternating_values_and_arithmetic_mean_of_frequency_and_power():
    n = 3000 * 3
    starts, ends = windows(utc(2026, 3, 1, 1, 0, 0), n, 0.2)  # 3000 windows per 10 min
    odd = np.arange(n) % 2 == 1
    rows = np.zeros((n, len(IDS)))
    rows[:, COL["V_A"]] = np.where(odd, 220.0, 230.0)
    rows[:, COL["FREQ"]] = np.where(odd, 49.5, 50.5)
    rows[:, COL["P_TOT"]] = np.where(odd, 500.0, 1000.0)
    rows[:, COL["S_TOT"]] = np.where(odd, 1000.0, 1250.0)
    rows[:, COL["PF_TOT"]] = rows[:, COL["P_TOT"]] / rows[:, COL["S_TOT"]]
    rows[:, COL["HA_V_A_5"]] = np.where(odd, -170.0, 170.0)
    rows[:, COL["I_A"]] = np.where(odd, 0.0, 1.0)
    ten = feed(Aggregator(IDS, ["10min"]), rows, starts, ends, flush=False)["10min"]
    assert len(ten) == 3
    for r in ten:
        assert r["V_A"] == pytest.approx(np.sqrt((230.0**2 + 220.0**2) / 2), rel=1e-13)
        assert r["I_A"] == pytest.approx(np.sqrt(0.5), rel=1e-13)
        assert r["FREQ"] == pytest.approx(50.0, abs=1e-12)  # rms would give 50.0025
        assert r["P_TOT"] == pytest.approx(750.0, rel=1e-13)
        assert r["PF_TOT"] == pytest.approx(750.0 / 1125.0, rel=1e-13)  # mean P / mean S
        assert abs(r["HA_V_A_5"]) == pytest.approx(180.0, abs=1e-9)  # circular mean


@pytest.mark.parametrize(("cycles", "freq"), [(10, 49.9), (12, 60.05)])
@pytest.mark.parametrize("pass_starts", [True, False])
def test_150_cycle_values_hold_15_windows_and_resynchronise_at_the_10_min_tick(
    cycles, freq, pass_starts
):
    dur = cycles / freq  # 0.2004 s or 0.19983 s: the tick falls inside a window
    t0 = utc(2026, 3, 1, 0, 8, 10) + 370_000
    n = int(10 * 60 / dur)  # crosses the 00:10 tick only
    starts, ends = windows(t0, n, dur)
    out = feed(Aggregator(IDS, ["150cycle"]), index_rows(n), starts, ends, pass_starts=pass_starts)
    s_us, e_us = starts.astype(np.int64), ends.astype(np.int64)
    tick = utc(2026, 3, 1, 0, 10, 0)
    j0 = int(np.flatnonzero(s_us >= tick)[0])  # first window of the new 10-min interval
    assert s_us[j0 - 1] < tick < e_us[j0 - 1]  # the previous one overlaps the tick
    expected = list(range(0, j0, 15)) + list(range(j0, n - 14, 15))
    firsts = []
    for r in out["150cycle"]:
        first = round(r["FREQ"] - 7)  # mean of i..i+14 is i + 7
        members = np.arange(first, first + 15)
        assert r["FREQ"] == pytest.approx(members.mean(), abs=1e-9)
        assert r["V_A"] == pytest.approx(np.sqrt(np.mean((members + 1.0) ** 2)), rel=1e-12)
        assert us(r) == e_us[first + 14]
        firsts.append(first)
    assert firsts == sorted(firsts) == expected
    # The value in progress at the tick went on past it: it overlaps the first new one.
    straddling = expected[len(range(0, j0, 15)) - 1]
    assert straddling < j0 < straddling + 15


def test_10_min_1_s_and_3_s_values_align_to_the_utc_clock_from_an_arbitrary_start():
    dur = 10 / 49.9
    t0 = utc(2026, 3, 1, 13, 47, 12) + 345_678
    n = int(14 * 60 / dur)
    starts, ends = windows(t0, n, dur)
    rows = index_rows(n)
    out = feed(Aggregator(IDS), rows, starts, ends, flush=False)
    s_us = starts.astype(np.int64)
    ticks = [us(r) for r in out["10min"]]
    assert ticks == [utc(2026, 3, 1, 13, 50), utc(2026, 3, 1, 14, 0)]
    for kind, period in (("10min", TEN_MIN), ("3s", 3 * US), ("1s", US)):
        assert len(out[kind]) >= 2
        for r in out[kind]:
            t = us(r)
            assert t % period == 0
            idx = members(period, t, s_us)
            assert r["FREQ"] == pytest.approx(idx.mean(), rel=1e-12)
            assert r["V_A"] == pytest.approx(np.sqrt(np.mean((idx + 1.0) ** 2)), rel=1e-12)
    # The window overlapping 14:00 counts in the interval the tick closes.
    last = members(TEN_MIN, ticks[1], s_us)[-1]
    assert s_us[last] < ticks[1] < ends.astype(np.int64)[last]
    end = int(ends.astype(np.int64)[-1])
    for kind, period in (("3s", 3 * US), ("1s", US)):  # one value at every tick passed
        assert len(out[kind]) == end // period - t0 // period == (280 if kind == "3s" else 840)


def test_two_hour_value_from_twelve_10_min_values_in_bounded_memory():
    # 00:03 -> 02:00:01: the first 10-min value holds 7 minutes only, yet weighs 1/12.
    t0 = utc(2026, 3, 1, 0, 3, 0)
    n = (117 * 60 + 1) * 5
    starts, ends = windows(t0, n, 0.2)
    s_us = starts.astype(np.int64)
    k10 = (s_us - utc(2026, 3, 1)) // TEN_MIN
    rows = np.zeros((n, len(IDS)))
    rows[:, COL["V_A"]] = 220.0 + k10
    rows[:, COL["P_TOT"]] = 100.0 * k10
    agg = Aggregator(IDS)
    kept = {"10min": [], "2h": []}
    tracemalloc.start()
    try:
        for i in range(0, n, 50):  # 10-s blocks
            got = agg.add(rows[i : i + 50], ends[i : i + 50], np.zeros(len(rows[i : i + 50])),
                          starts=starts[i : i + 50])  # fmt: skip
            kept["10min"] += got["10min"]
            kept["2h"] += got["2h"]
            if i == 20 * 60 * 5:
                early = tracemalloc.get_traced_memory()[0]
        late = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    # 10-min records kept by the test: 12 × ~1 kB; the aggregator itself must not grow.
    assert late - early < 32_000
    assert len(kept["10min"]) == 12 and [r["V_A"] for r in kept["10min"]] == pytest.approx(
        220.0 + np.arange(12), rel=1e-13
    )
    (two,) = kept["2h"]
    assert us(two) == utc(2026, 3, 1, 2, 0)
    assert two["V_A"] == pytest.approx(np.sqrt(np.mean((220.0 + np.arange(12)) ** 2)), rel=1e-13)
    assert two["P_TOT"] == pytest.approx(550.0, rel=1e-13)  # equal weights: not 7/117 for k=0
    assert two["flagged"] is False


@pytest.mark.parametrize("which", ["straddling", "first_after_tick", "middle"])
def test_one_flagged_window_flags_exactly_the_aggregates_that_contain_it(which):
    dur = 10 / 49.9
    t0 = utc(2026, 3, 1, 0, 9, 40) + 123_000
    n = int(60 / dur)
    starts, ends = windows(t0, n, dur)
    s_us, e_us = starts.astype(np.int64), ends.astype(np.int64)
    tick = utc(2026, 3, 1, 0, 10)
    j0 = int(np.flatnonzero(s_us >= tick)[0])
    f = {"straddling": j0 - 1, "first_after_tick": j0, "middle": j0 + 100}[which]
    flags = np.zeros(n, bool)
    flags[f] = True
    out = feed(Aggregator(IDS), index_rows(n), starts, ends, flags)
    for kind, period in (("10min", TEN_MIN), ("3s", 3 * US), ("1s", US)):
        for r in out[kind]:
            t = us(r)
            contains = f in members(period, t, s_us)
            assert r["flagged"] == contains, (kind, r["t"])
        assert sum(r["flagged"] for r in out[kind]) == 1
    holding = 0
    for r in out["150cycle"]:
        first = round(r["FREQ"] - 7)
        assert r["flagged"] == (first <= f <= first + 14)
        holding += first <= f <= first + 14
    assert holding == (2 if which == "first_after_tick" else 1)  # the overlap holds it twice
    assert [r["flagged"] for r in out["2h"]] == [True]
    assert e_us[-1] == us(out["2h"][0])  # flushed at the end of the data


def test_a_gap_drops_the_unfinished_150_cycle_value_and_restarts_it():
    dur = 0.2
    t0 = utc(2026, 3, 1, 0, 1, 0)
    a_s, a_e = windows(t0, 20, dur)
    b_s, b_e = windows(t0 + 5 * US + 20 * int(dur * US), 40, dur)  # 5 s later
    starts, ends = np.concatenate([a_s, b_s]), np.concatenate([a_e, b_e])
    out = feed(Aggregator(IDS, ["150cycle"]), index_rows(60), starts, ends)
    assert [round(r["FREQ"] - 7) for r in out["150cycle"]] == [0, 20, 35]


def test_missing_values_are_skipped_and_an_empty_quantity_is_nan():
    n = 15
    starts, ends = windows(utc(2026, 3, 1), n, 0.2)
    rows = index_rows(n)
    rows[:, COL["I_A"]] = np.nan
    rows[::2, COL["THD_V_A"]] = np.nan
    rows[1::2, COL["THD_V_A"]] = 4.0
    rows[:, COL["HA_V_A_5"]] = np.nan
    (r,) = feed(Aggregator(IDS, ["150cycle"]), rows, starts, ends)["150cycle"]
    assert np.isnan(r["I_A"]) and np.isnan(r["HA_V_A_5"])
    assert r["THD_V_A"] == pytest.approx(4.0, rel=1e-14)


def test_bad_input_gives_clear_errors():
    with pytest.raises(ValueError, match="unknown aggregation interval"):
        Aggregator(IDS, ["5min"])
    agg = Aggregator(IDS)
    starts, ends = windows(utc(2026, 3, 1), 4, 0.2)
    with pytest.raises(ValueError, match="shape"):
        agg.add(np.zeros((4, 3)), ends, np.zeros(4, bool))
    with pytest.raises(ValueError, match="end times"):
        agg.add(np.zeros((4, len(IDS))), ends[:3], np.zeros(4, bool))
    with pytest.raises(ValueError, match="datetime"):
        agg.add(np.zeros((1, len(IDS))), [12.5], [False])
    agg.add(np.zeros((2, len(IDS))), ends[2:], [False, False])
    with pytest.raises(ValueError, match="older"):
        agg.add(np.zeros((1, len(IDS))), ends[:1], [False], starts=starts[:1])
    assert agg.add(np.empty((0, len(IDS))), [], []) == {k: [] for k in agg.kinds}
