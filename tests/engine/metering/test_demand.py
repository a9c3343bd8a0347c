"""Block and sliding demand against analytic truth (ANSI C12.1 demand definitions)."""

import json
import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from engine.errors import InputError
from engine.metering.demand import Demand, DemandSet, dt_to_us, to_us
from engine.metering.energy import EnergyRegisters
from engine.quantities import QUANTITIES

T0 = datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def feed(d, t_from, t_to, dt, value, watch=None):
    """Feed ``d`` updates of ``dt`` [s] from ``t_from`` to ``t_to``; ``value(t0, t1)`` is the
    average over the update. ``watch(end)`` is called after each update."""
    t = t_from
    step = timedelta(seconds=dt)
    while t < t_to:
        end = min(t + step, t_to)
        d.update(end, (end - t).total_seconds(), value(t, end))
        if watch:
            watch(end)
        t = end


def const(v):
    return lambda t0, t1: v


def test_constant_100kw_for_15_min_gives_100kw_and_25kwh():
    d, reg = Demand("block", 900), EnergyRegisters()
    seen = []

    def value(t0, t1):
        reg.accumulate(100e3, 0.0, 100e3, (t1 - t0).total_seconds())
        return 100e3

    feed(d, T0, T0 + 15 * MIN, 0.2, value, watch=lambda end: seen.append((end, d.present)))
    assert all(math.isnan(p) for end, p in seen[:-1])  # nothing before the boundary
    assert seen[-1] == (T0 + 15 * MIN, pytest.approx(100e3, rel=1e-12))
    assert d.peak.value == pytest.approx(100e3, rel=1e-12) and d.peak.time == T0 + 15 * MIN
    assert reg.values()["E_P_DEL"] == pytest.approx(25e3, rel=1e-12)  # [Wh]


@pytest.mark.parametrize("freq", [49.97, 50.0, 59.93, 60.02])
def test_unaligned_frequency_dependent_intervals_still_give_the_constant(freq):
    """Updates of 10 or 12 cycles straddle the boundaries; start at 10:00:00.123."""
    d = Demand("block", 900)
    cycles = 10 if freq < 55 else 12
    seen = []
    start = T0 + timedelta(microseconds=123_000)
    feed(
        d,
        start,
        start + 46 * MIN,
        cycles / freq,
        const(7.5e3),
        lambda e: seen.append((e, d.present)),
    )
    for k in (1, 2, 3):  # the first update that reaches each boundary publishes its demand
        edge = T0 + 15 * k * MIN
        first = next(p for e, p in seen if e >= edge)
        assert first == pytest.approx(7.5e3, rel=1e-12)
    assert math.isnan(next(p for e, p in reversed(seen) if e < T0 + 15 * MIN))


def test_ramp_gives_its_analytic_average():
    """P rises linearly 0 → 90 kW over 10:00–10:15: the block demand is 45 kW."""
    d = Demand("block", 900)
    slope = 90e3 / 900  # [W/s]

    def ramp(t0, t1):  # average of the ramp over the update = value at its midpoint
        return slope * ((t0 - T0) + (t1 - T0)).total_seconds() / 2

    feed(d, T0, T0 + 15 * MIN, 0.2, ramp)
    assert d.present == pytest.approx(45e3, rel=1e-12)


def test_sliding_window_staircase_after_a_step():
    """15 min / 3 sub-intervals: a step of X at 10:15 gives X/3, 2X/3, X at 10:20, :25, :30."""
    x = 60e3
    d = Demand("sliding", 900, 3)
    at = {}
    feed(d, T0, T0 + 15 * MIN, 1.0, const(0.0))
    feed(d, T0 + 15 * MIN, T0 + 40 * MIN, 1.0, const(x), lambda end: at.setdefault(end, d.present))
    assert at[T0 + 15 * MIN + timedelta(seconds=1)] == 0.0
    assert at[T0 + 20 * MIN] == pytest.approx(x / 3, rel=1e-12)
    assert at[T0 + 25 * MIN] == pytest.approx(2 * x / 3, rel=1e-12)
    assert at[T0 + 30 * MIN] == pytest.approx(x, rel=1e-12)
    assert at[T0 + 35 * MIN] == pytest.approx(x, rel=1e-12)
    assert d.peak.time == T0 + 30 * MIN  # first reached there, not moved by equal later values


def test_predicted_demand_halfway_through_an_interval():
    d = Demand("block", 900)
    feed(d, T0, T0 + timedelta(seconds=450), 0.2, const(80e3))
    assert d.predicted == pytest.approx(80e3, rel=1e-12)
    # Step to 20 kW halfway: prediction follows the latest rate for the rest.
    feed(d, T0 + timedelta(seconds=450), T0 + timedelta(seconds=600), 0.2, const(20e3))
    assert d.predicted == pytest.approx((80e3 * 450 + 20e3 * 450) / 900, rel=1e-12)


def test_predicted_sliding_demand_uses_the_window_that_is_open():
    x = 30e3
    d = Demand("sliding", 900, 3)
    feed(d, T0, T0 + 15 * MIN, 1.0, const(0.0))
    feed(d, T0 + 15 * MIN, T0 + 17 * MIN + timedelta(seconds=30), 1.0, const(x))
    # Window 10:05–10:20: two empty sub-intervals done, 150 s of x done, 150 s of x predicted.
    assert d.predicted == pytest.approx(x / 3, rel=1e-12)
    feed(d, T0 + 17.5 * MIN, T0 + 22 * MIN + timedelta(seconds=30), 1.0, const(x))
    assert d.predicted == pytest.approx(2 * x / 3, rel=1e-12)


def test_update_straddling_a_boundary_is_split_in_proportion_to_time():
    a, b, c = 10e3, 1e6, 40e3
    d = Demand("block", 900)
    edge = T0 + 15 * MIN
    feed(d, T0, edge - timedelta(seconds=0.1), 0.2, const(a))
    d.update(edge + timedelta(seconds=0.1), 0.2, b)  # 0.1 s before and 0.1 s after 10:15
    assert d.present == pytest.approx((a * 899.9 + b * 0.1) / 900, rel=1e-12)
    feed(d, edge + timedelta(seconds=0.1), edge + 15 * MIN, 0.2, const(c))
    assert d.present == pytest.approx((b * 0.1 + c * 899.9) / 900, rel=1e-12)


def test_gap_averages_over_the_covered_time_only():
    d = Demand("block", 900)
    feed(d, T0, T0 + 5 * MIN, 0.2, const(60e3))
    feed(d, T0 + 10 * MIN, T0 + 15 * MIN, 0.2, const(120e3))  # nothing from 10:05 to 10:10
    assert d.present == pytest.approx(90e3, rel=1e-12)
    feed(d, T0 + 30 * MIN + timedelta(seconds=1), T0 + 31 * MIN, 0.2, const(1.0))
    assert math.isnan(d.present)  # 10:15–10:30 had no data at all


def test_nan_values_count_as_a_gap():
    d = Demand("block", 900)
    feed(d, T0, T0 + 5 * MIN, 1.0, const(60e3))
    feed(d, T0 + 5 * MIN, T0 + 10 * MIN, 1.0, const(math.nan))
    feed(d, T0 + 10 * MIN, T0 + 15 * MIN, 1.0, const(120e3))
    assert d.present == pytest.approx(90e3, rel=1e-12)


def test_start_in_mid_interval_and_long_gap():
    d = Demand("sliding", 900, 3)
    feed(d, T0 + 7 * MIN, T0 + 10 * MIN, 1.0, const(5.0))
    assert d.present == pytest.approx(5.0)  # window up to 10:10 covered from 10:07 only
    # 400 days later: the windows in between were empty, none of them sets the peak.
    later = T0 + timedelta(days=400)
    d.update(later + timedelta(seconds=1), 1.0, 7.0)
    assert math.isnan(d.present)
    feed(d, later + timedelta(seconds=1), later + 5 * MIN, 1.0, const(7.0))
    assert d.present == pytest.approx(7.0)
    assert d.peak.value == pytest.approx(7.0) and d.peak.time == later + 5 * MIN


def test_peak_records_the_value_and_the_interval_end():
    d = Demand("block", 900)
    for k, v in enumerate((50e3, 80e3, 60e3)):
        feed(d, T0 + 15 * k * MIN, T0 + 15 * (k + 1) * MIN, 0.2, const(v))
    assert d.peak.value == pytest.approx(80e3) and d.peak.time == T0 + 30 * MIN
    d.reset_peak()
    assert d.peak is None
    feed(d, T0 + 45 * MIN, T0 + 60 * MIN, 1.0, const(10e3))
    assert d.peak.value == pytest.approx(10e3) and d.peak.time == T0 + 60 * MIN


def test_boundaries_are_aligned_to_the_clock():
    """5-min block started at 10:03:17.25 with 0.2 s updates (none ends on a boundary): the
    windows end at 10:05, 10:10, 10:15 and a rising ramp peaks in the last, 10:10–10:15."""
    d = Demand("block", 300)
    start = datetime(2024, 3, 5, 10, 3, 17, 250_000, tzinfo=UTC)

    def ramp(t0, t1):  # [W] 1 W per second since 10:00
        return ((t0 - T0) + (t1 - T0)).total_seconds() / 2

    feed(d, start, start + 12 * MIN, 0.2, ramp)
    assert d.peak.time == datetime(2024, 3, 5, 10, 15, tzinfo=UTC)
    assert d.peak.value == pytest.approx((600 + 900) / 2, rel=1e-9)


def test_stale_update_is_ignored_and_a_clock_step_back_restarts():
    d = Demand("block", 900)
    feed(d, T0, T0 + 5 * MIN, 1.0, const(10.0))
    d.update(T0 + 5 * MIN - timedelta(seconds=0.5), 0.2, 1e9)  # out of order: ignored
    feed(d, T0 + 5 * MIN, T0 + 15 * MIN, 1.0, const(10.0))
    assert d.present == pytest.approx(10.0)
    # Clock set back an hour: carries on from there.
    feed(d, T0 - 60 * MIN, T0 - 45 * MIN, 1.0, const(20.0))
    assert d.present == pytest.approx(20.0)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"method": "rolling"}, "method must be 'block' or 'sliding'"),
        ({"interval": 0}, "interval must be .* from 1 to 86400"),
        ({"interval": -900}, "interval"),
        ({"interval": 1000}, "interval .* divides 24 h"),  # 86400 / 1000 is not whole
        ({"interval": 900.5}, "interval"),
        ({"interval": math.nan}, "interval"),
        ({"interval": "900"}, "interval"),
        ({"method": "sliding", "interval": 900, "subintervals": 0}, "subintervals .* 1 to 900"),
        ({"method": "sliding", "interval": 900, "subintervals": 7}, "subintervals"),
        ({"method": "sliding", "interval": 900, "subintervals": 901}, "subintervals"),
        ({"method": "sliding", "interval": 900, "subintervals": 2.5}, "subintervals"),
    ],
)
def test_invalid_settings_raise_naming_the_setting(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        Demand(**kwargs)
    with pytest.raises(InputError):
        DemandSet(**kwargs)


def test_valid_settings_are_normalised():
    assert Demand("sliding", 900.0, 3.0).settings.sub_seconds == 300
    assert Demand("block", 3600, 7).settings.n_sub == 1  # sub-intervals are ignored for block


@pytest.mark.parametrize("bad", [-0.2, math.nan, math.inf])
def test_bad_dt_or_naive_time_raise(bad):
    d = Demand()
    with pytest.raises(ValueError, match="dt"):
        d.update(T0, bad, 1.0)
    with pytest.raises(ValueError, match="timezone-aware"):
        d.update(datetime(2024, 1, 1), 0.2, 1.0)


def test_demand_set_gives_the_registry_ids():
    ds = DemandSet("sliding", 900, 3)
    ids = {q for q in QUANTITIES if q.startswith("D_")}
    assert set(ds.values()) == ids
    assert all(math.isnan(v) for v in ds.values().values())
    t = T0
    while t < T0 + 15 * MIN:
        t += timedelta(seconds=0.2)
        ds.update(t, 0.2, 100e3, -20e3, 102e3, 150.0)
    v = ds.values()
    assert (v["D_P"], v["D_Q"], v["D_S"], v["D_I"]) == pytest.approx((100e3, -20e3, 102e3, 150))
    assert v["D_Q_PEAK"] == pytest.approx(-20e3)
    assert v["D_I_PRED"] == pytest.approx(150.0)
    # The first window end, 10:05, already averages the covered 5 min: that is the peak time.
    peak_ids = ("D_P_PEAK", "D_Q_PEAK", "D_S_PEAK", "D_I_PEAK")
    assert ds.peak_times() == {k: T0 + 5 * MIN for k in peak_ids}
    assert ds.peaks()["D_I_PEAK"].value == pytest.approx(150.0)
    ds.reset_peaks()
    assert ds.peak_times() == {} and math.isnan(ds.values()["D_P_PEAK"])


@pytest.mark.parametrize(("method", "n"), [("block", 1), ("sliding", 3)])
def test_round_trip_through_json_mid_interval(method, n):
    ds = DemandSet(method, 900, n)
    feed_set = [(T0 + timedelta(seconds=0.2 * k), 1e3 * (k % 7)) for k in range(1, 6000)]
    for t, v in feed_set:
        ds.update(t, 0.2, v, -v, 2 * v, v / 100)
    copy = DemandSet.from_dict(json.loads(json.dumps(ds.to_dict())))
    assert copy.values() == pytest.approx(ds.values(), nan_ok=True)
    for k in range(6000, 12000):
        t, v = T0 + timedelta(seconds=0.2 * k), 1e3 * (k % 5)
        ds.update(t, 0.2, v, -v, 2 * v, v / 100)
        copy.update(t, 0.2, v, -v, 2 * v, v / 100)
    assert copy.values() == pytest.approx(ds.values(), rel=1e-12, nan_ok=True)
    assert copy.peak_times() == ds.peak_times()
    assert json.dumps(copy.to_dict()) == json.dumps(ds.to_dict())


@pytest.mark.parametrize(
    "mutate",
    [
        lambda s: s.pop("I"),
        lambda s: s.__setitem__("version", 9),
        lambda s: s["P"].__setitem__("interval", 7),
        lambda s: s["P"].__setitem__("sub_end", "not a time"),
        lambda s: s["Q"].__setitem__("window", 5),
        lambda s: s["S"].__setitem__("interval", 300),
    ],
)
def test_malformed_saved_state_raises_input_error(mutate):
    ds = DemandSet()
    ds.update(T0, 0.2, 1.0, 1.0, 1.0, 1.0)
    state = json.loads(json.dumps(ds.to_dict()))
    mutate(state)
    with pytest.raises(InputError, match="demand"):
        DemandSet.from_dict(state)


def test_sliding_demand_matches_brute_force_integration_with_gaps():
    """Random 0.1–0.3 s updates with random values and gaps, sliding 60 s / 4 sub-intervals:
    each window's demand equals the overlap-weighted average computed directly."""
    rng = random.Random(3)
    d = Demand("sliding", 60, 4)
    fed = []  # (start, end, value) in seconds after T0
    seen = []  # (end, present after that update)
    t = 2.5
    while t < 600:
        dt = rng.uniform(0.1, 0.3)
        if rng.random() < 0.01:
            t += rng.uniform(1, 40)  # a gap
        value = rng.uniform(-50, 100)
        d.update(T0 + timedelta(seconds=t + dt), dt, value)
        end = (to_us(T0 + timedelta(seconds=t + dt)) - to_us(T0)) * 1e-6
        start = end - dt_to_us(dt) * 1e-6
        if fed:  # µs rounding can overlap the previous update by 1 µs: counted once
            start = max(start, fed[-1][1])
        fed.append((start, end, value))
        seen.append((end, d.present))
        t += dt
    checked = 0
    for boundary in range(15, 600, 15):
        acc = cov = 0.0
        for s0, s1, v in fed:
            w = max(0.0, min(s1, boundary) - max(s0, boundary - 60))
            acc, cov = acc + v * w, cov + w
        # The first update that reaches the boundary, unless a gap carries it past the next.
        got = next((p for e, p in seen if e >= boundary), None)
        if got is None or next(e for e, _ in seen if e >= boundary) >= boundary + 15:
            continue
        if cov == 0.0:
            assert math.isnan(got)
        else:
            assert got == pytest.approx(acc / cov, rel=1e-9, abs=1e-9)
            checked += 1
    assert checked > 30
