"""Pickup and dropout timing, to the half cycle, with known step times."""

from __future__ import annotations

import numpy as np
import pytest
from steps import START, _blocks, _run

from engine.alarms.definitions import AlarmDefinition
from engine.alarms.engine import AlarmEngine, AlarmInputs
from engine.alarms.evaluate import Tracker, feed_levels, feed_samples
from engine.alarms.seconds import OneSecondValues
from engine.config import MeterConfig
from engine.meter import Meter

HALF = 0.01  # [s] a half cycle at 50 Hz


def test_pickup_falls_on_the_sample_where_the_delay_is_fulfilled():
    t = np.arange(100) * HALF
    v = np.where((t >= 0.30 - 1e-9) & (t < 0.70 - 1e-9), 260.0, 230.0)
    tr = Tracker()
    found = feed_samples(tr, t, v, "over", 250.0, 245.0, 0.10, 0.05)
    assert [(round(x.time, 6), x.active) for x in found] == [(0.40, True), (0.75, False)]


def test_a_run_shorter_than_the_delay_does_not_pick_up_and_nan_breaks_a_run():
    t = np.arange(60) * HALF
    v = np.full(60, 230.0)
    v[10:19] = 260.0  # 9 half cycles beyond: 0.08 s from first to last, delay 0.09
    v[30:40] = 260.0
    v[35] = np.nan  # no value: the run starts again at 0.36
    tr = Tracker()
    assert feed_samples(tr, t, v, "over", 250.0, 245.0, 0.09, 0.0) == []
    assert not tr.active


def test_delay_zero_picks_up_on_the_first_sample_beyond_and_under_alarms_mirror():
    t = np.arange(10) * HALF
    v = np.array([230, 230, 200, 200, 210, 215, 230, 230, 230, 230], float)
    tr = Tracker()
    found = feed_samples(tr, t, v, "under", 207.0, 212.0, 0.0, 0.0)
    # Picks up at 0.02 (< 207); 210 is not back past 212 (hysteresis); 215 at 0.05 is.
    assert [(round(x.time, 6), x.active) for x in found] == [(0.02, True), (0.05, False)]


def test_a_run_split_across_blocks_counts_as_one():
    tr = Tracker()
    t = np.arange(20) * HALF
    v = np.where(t >= 0.05 - 1e-9, 260.0, 230.0)
    first = feed_samples(tr, t[:8], v[:8], "over", 250.0, 250.0, 0.1, 0.0)
    second = feed_samples(tr, t[8:], v[8:], "over", 250.0, 250.0, 0.1, 0.0)
    assert first == [] and [round(x.time, 6) for x in second] == [0.15]


def test_levels_pick_up_exactly_the_delay_after_the_condition_even_between_changes():
    tr = Tracker()
    found = feed_levels(tr, [(1.0, True)], 1.2, 0.5, 0.25)
    assert found == []  # 0.2 s of 0.5 s so far
    found = feed_levels(tr, [(2.0, False)], 3.0, 0.5, 0.25)
    assert [(x.time, x.active) for x in found] == [(1.5, True), (2.25, False)]


def _half_inputs(t0, n, volts):
    """AlarmInputs of one block: Urms(1/2) ``volts`` (per V_A, V_B, V_C) at the ends of ``n``
    half cycles from ``t0`` [s]."""
    times = t0 + np.arange(1, n + 1) * HALF
    half = {q: np.asarray(volts(times), float) for q in ("V_A", "V_B", "V_C")}
    return AlarmInputs(t0, t0 + n * HALF, times, half)


def test_engine_times_a_high_speed_alarm_on_urms_half_cycle_steps_across_blocks():
    """Urms(1/2) of V_B is 260 V for the half cycles ending 1.00 … 1.50 s, else 230 V. Pickup
    delay 0.1 s: picks up on the half cycle ending 1.10 s; dropout 0.05 s after the first
    half cycle back (1.51 s): 1.56 s. Blocks of 0.1 s, so both runs cross block edges."""
    alarm = AlarmDefinition(
        "ov_fast", quantities=("V_A", "V_B", "V_C"), pickup=250.0, dropout=245.0,
        pickup_delay=0.1, dropout_delay=0.05, speed="high",
    )  # fmt: skip
    engine = AlarmEngine([alarm])
    changes = []
    for k in range(20):
        step = _half_inputs(0.1 * k, 10, lambda t: np.where(
            (t > 0.995) & (t < 1.505), 260.0, 230.0))  # fmt: skip
        changes += engine.step(step)
    got = [(c.what, round(c.time.timestamp(), 6)) for c in changes]
    assert got == [("pickup", 1.10), ("dropout", 1.56)]
    (rec,) = engine.book.history
    assert rec.extreme == 260.0 and rec.value == 260.0


def test_meter_high_speed_alarm_follows_a_real_step_within_the_urms_half_cycle_window():
    """V_A steps 230 -> 260 V at 1.005 s and back at 2.005 s. Urms(1/2) is the rms of one
    cycle refreshed every half cycle, so the first value wholly after the step ends between
    one cycle and one and a half cycles after it: pickup (delay 0.1 s) falls in
    [1.005 + 0.1 + 0.01, 1.005 + 0.1 + 0.03], dropout (0.05 s) in [2.065, 2.085]."""
    alarm = AlarmDefinition("ov_fast", quantities=("V_A",), pickup=250.0, dropout=245.0,
                            pickup_delay=0.1, dropout_delay=0.05, speed="high")  # fmt: skip
    meter = Meter(MeterConfig(alarms=(alarm,)))
    _run(meter, _blocks([(1.005, 260.0), (2.005, 230.0)], 3.0))
    events = [e for e in meter.events if e.kind == "alarm" and e.what == "ov_fast"]
    assert [(e.old, e.new) for e in events] == [("inactive", "active"), ("active", "ended")]
    pickup = (events[0].time - START).total_seconds()
    dropout = (events[1].time - START).total_seconds()
    assert 1.115 - 1e-4 <= pickup <= 1.135 + 1e-4
    assert 2.065 - 1e-4 <= dropout <= 2.085 + 1e-4
    (rec,) = meter.snapshot.alarm_history
    assert rec.pickup_time == events[0].time and rec.dropout_time == events[1].time
    assert rec.extreme == pytest.approx(260.0, rel=2e-3)


def test_standard_alarm_is_evaluated_on_1_s_values_timed_at_the_end_of_each_second():
    """The step to 260 V at 1.005 s, read on 1-s values: of the five 0.2 s windows ending in
    second [1, 2), at most the first has any 230 V in it, so that second's rms is at least
    √((4·260² + 230²) / 5) = 254.2 V > 250 V (and second [0, 1) is 230 V): pickup (delay 0)
    exactly at 2.000 s. With the pickup at 255 V the second [1, 2) may stay below; [2, 3) is
    260 V: pickup at 2.000 or 3.000 s, never between."""
    alarm = AlarmDefinition("ov", quantities=("V_A", "V_B", "V_C"), pickup=250.0, dropout=245.0)
    high = AlarmDefinition("ov255", quantities=("V_A",), pickup=255.0, dropout=245.0)
    meter = Meter(MeterConfig(alarms=(alarm, high)))
    _run(meter, _blocks([(1.005, 260.0)], 3.5))
    times = {e.what: (e.time - START).total_seconds() for e in meter.events if e.kind == "alarm"}
    assert times["ov"] == pytest.approx(2.0, abs=1e-6)
    assert min(abs(times["ov255"] - 2.0), abs(times["ov255"] - 3.0)) < 1e-6
    (rec,) = [r for r in meter.snapshot.alarm_list if r.alarm_id == "ov"]
    assert 254.2 <= rec.value <= 260.0 and rec.extreme == pytest.approx(260.0, rel=1e-3)


def test_one_second_values_aggregate_rms_and_mean_quantities():
    agg = OneSecondValues(["V_A", "FREQ"])
    ends = np.array([0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0])
    va = np.array([230.0, 230.0, 230.0, 230.0, 260.0, 260.0, 260.0, 260.0, 260.0, 0.0])
    freq = np.array([50.0, 50.0, 50.0, 50.0, 51.0, 49.0, 49.0, 49.0, 49.0, 50.0])
    times, values = agg.add(ends[:7], {"V_A": va[:7], "FREQ": freq[:7]})
    assert times.tolist() == [1.0]  # second [0, 1) completed by the window ending at 1.0
    assert values["V_A"][0] == pytest.approx(230.0)
    times, values = agg.add(ends[7:], {"V_A": va[7:], "FREQ": freq[7:]})
    assert times.tolist() == [2.0]
    assert values["V_A"][0] == pytest.approx(260.0)  # rms of five 260 V windows
    assert values["FREQ"][0] == pytest.approx((51 + 4 * 49) / 5)  # mean
