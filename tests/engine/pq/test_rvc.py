"""Rapid voltage changes (IEC 61000-4-30 Ed. 3 §5.11) from stepped-rms signals.

Urms(1/2) values are written out from the definition as in test_events.py: a level change at a
zero crossing gives one straddling value sqrt((L1² + L2²)/2), time stamps at the end of each
half cycle. RVC threshold 2 %, hysteresis 1 % (of Udin), N = 100 values (50 Hz) unless stated;
the steady-state rule and ΔUmax / ΔUss are those of power-quality.md §2 row "RVC (Ed. 3)".
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from engine.pq import (
    EventSettings,
    RvcSettings,
    VoltageEventMonitor,
    detect_rvc,
    initial_rvc_state,
    rvc_in_progress,
    values_per_window,
)

UDIN = 230.0
T0 = np.datetime64("2026-03-01T12:00:00", "us")
START = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
EVENTS = EventSettings(UDIN)
RVC = RvcSettings(threshold_pct=2.0, hysteresis_pct=1.0)


def urms_half(levels: np.ndarray, half_us: int = 10_000) -> tuple[np.ndarray, np.ndarray]:
    """(times, values [V]) of Urms(1/2) for per-half-cycle rms levels [p.u.] (channels, K)."""
    e = np.asarray(levels, float) ** 2
    before = np.concatenate([e[:, :1], e[:, :-1]], axis=1)
    times = T0 + (np.arange(e.shape[1]) + 1) * np.timedelta64(half_us, "us")
    return times, UDIN * np.sqrt((before + e) / 2)


def levels(k: int, *steps: tuple[int, int, int, float], channels: int = 3) -> np.ndarray:
    """``k`` half cycles at 1 p.u., with (channel, first, stop half cycle, level) changes."""
    lv = np.ones((channels, k))
    for ch, a, b, level in steps:
        lv[ch, a:b] = level
    return lv


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=round(seconds, 6))


def straddle(a: float, b: float) -> float:
    """[%] the Urms(1/2) value whose cycle holds one half cycle at a and one at b [p.u.]."""
    return 100.0 * np.sqrt((a * a + b * b) / 2)


def pre_mean(a: float, b: float, n: int = 100) -> float:
    """[%] mean of the N values before an RVC that starts right after a step a -> b: N - 1
    values at a and the straddle, which stays within the threshold (steady)."""
    return ((n - 1) * 100.0 * a + straddle(a, b)) / n


#: ΔUmax = ΔUss [%] of a 3 % step down after a steady 100 %: |97 - pre-event mean|.
STEP = round(pre_mean(1.0, 0.97) - 97.0, 6)  # 2.985114: the straddle is in the pre-event mean


def run(lv, chunks=None, frequency=50.0, half_us=10_000, settings=RVC):
    times, values = urms_half(lv, half_us)
    state = initial_rvc_state(("A", "B", "C")[: len(lv)], frequency, EVENTS)
    found = []
    edges = [0, *(chunks or []), len(times)]
    for a, b in itertools.pairwise(edges):
        new, state = detect_rvc(times[a:b], values[:, a:b], state, settings, EVENTS)
        found += new
    return found


def summary(events):
    return [(e.phase, e.start, round(e.duration_s, 6), round(e.delta_umax_pct, 6),
             round(e.delta_uss_pct, 6), round(e.extreme_pct, 6)) for e in events]  # fmt: skip


def test_three_percent_step_down_on_all_phases():
    # 100 % for 2 s, then 97 % from half cycle 200 on. Value 200 straddles at 98.51 %: 1.47 %
    # from the mean of its window (< 2 %), still steady. Value 201 (2.020 s) is 97 %: 2.96 %
    # from its window's mean, the RVC starts. The window of values 201..300 is the first within
    # 1 % of its mean again: the RVC is reported then and ends where that window begins (value
    # 201: duration 0, an ideal step). The pre-event mean (values 101..200) is 99.985 %:
    # ΔUss = ΔUmax = 2.985 % for the 3 % applied.
    events = run(levels(500, *[(c, 200, 500, 0.97) for c in range(3)]))
    row = (at(2.020), 0.0, STEP, STEP, 97.0)
    assert summary(events) == [(p, *row) for p in ("A", "B", "C", "POLY")]
    assert {(e.type, e.itic, e.semi_f47) for e in events} == {("rvc", "no-interruption", "n/a")}


def test_three_percent_step_up():
    events = run(levels(500, *[(c, 200, 500, 1.03) for c in range(3)]))
    up = round(103.0 - pre_mean(1.0, 1.03), 6)  # 2.984864
    assert summary(events)[-1] == ("POLY", at(2.020), 0.0, up, up, 103.0)


def test_step_is_reported_when_the_new_steady_state_is_complete():
    lv = levels(500, *[(c, 200, 500, 0.97) for c in range(3)])
    times, values = urms_half(lv)
    state = initial_rvc_state(("A", "B", "C"), 50.0, EVENTS)
    # Values 0..299: the new level has 99 values (201..299), one short of N = 100.
    done, state = detect_rvc(times[:300], values[:, :300], state, RVC, EVENTS)
    assert done == []
    view = rvc_in_progress(state, EVENTS)
    assert [e.phase for e in view] == ["A", "B", "C", "POLY"]
    assert view[-1].start == at(2.020) and view[-1].delta_umax_pct == pytest.approx(STEP)
    assert view[-1].duration_s == pytest.approx(0.98)  # 2.020 s to the last value, 3.000 s
    done, state = detect_rvc(times[300:301], values[:, 300:301], state, RVC, EVENTS)
    assert len(done) == 4 and rvc_in_progress(state, EVENTS) == []


def test_sixty_hertz_uses_120_values():
    assert (values_per_window(50), values_per_window(60)) == (100, 120)
    # 120 values per second at 60 Hz (8333 µs half cycles); step at half cycle 240.
    lv = levels(600, *[(c, 240, 600, 0.97) for c in range(3)])
    times, values = urms_half(lv, 8_333)
    state = initial_rvc_state(("A", "B", "C"), 60.0, EVENTS)
    # Value 241 starts it; the steady window 241..360 completes with value 360.
    done, state = detect_rvc(times[:360], values[:, :360], state, RVC, EVENTS)
    assert done == []
    done, _ = detect_rvc(times[360:], values[:, 360:], state, RVC, EVENTS)
    uss = pre_mean(1.0, 0.97, 120) - 97.0  # 2.987595
    assert [(e.phase, e.delta_uss_pct) for e in done][-1] == ("POLY", pytest.approx(uss))


def test_change_below_the_threshold_is_not_an_rvc():
    assert run(levels(500, *[(c, 200, 500, 0.985) for c in range(3)])) == []


def test_short_excursion_gives_its_duration_and_no_steady_change():
    # 97 % over half cycles 200, 201 only. Values: 200 98.51 %, 201 97 % (2.020 s: start),
    # 202 98.51 %, then 100 %. The new steady window begins with value 203 (2.040 s): duration
    # 20 ms, ΔUmax 2.985 %, ΔUss = 100 % - the pre-event mean = 0.015 %.
    events = run(levels(500, *[(c, 200, 202, 0.97) for c in range(3)]))
    uss = round(100.0 - pre_mean(1.0, 0.97), 6)
    assert summary(events)[-1] == ("POLY", at(2.020), 0.020, STEP, uss, 97.0)


def test_step_on_one_phase_gives_that_phase_and_the_polyphase_event():
    events = run(levels(500, (1, 200, 500, 0.97)))
    assert summary(events) == [
        ("B", at(2.020), 0.0, STEP, STEP, 97.0),
        ("POLY", at(2.020), 0.0, STEP, STEP, 97.0),
    ]


def by_the_definition(u: np.ndarray, n: int = 100, thr: float = 2.0, hyst: float = 1.0):
    """One channel's first RVC [%], value by value straight from the written rule: start at the
    first value whose window of n is not within thr of its mean; steady again at the first
    window within thr - hyst; the duration is n half cycles shorter than the time between the
    steady states (Metrel MI 2885 p. 200), never below 0; (start, end, ΔUmax, ΔUss) as value
    indices and %."""

    def spread(k: int) -> float:
        w = u[k - n + 1 : k + 1]
        return float(np.max(np.abs(w - w.mean())))

    start = next(k for k in range(n, len(u)) if spread(k) > thr)
    pre = u[start - n : start].mean()
    back = next(k for k in range(start + 1, len(u)) if spread(k) <= thr - hyst)
    du_max = float(np.max(np.abs(u[start:back] - pre)))
    return start, max(back - n + 1, start), du_max, abs(u[back - n + 1 : back + 1].mean() - pre)


def test_ramp_is_one_rvc_spanning_the_change():
    # 100 % to 97 % in a straight line over half cycles 200..249 (0.5 s).
    lv = np.ones((3, 600))
    lv[:, 200:250] = np.linspace(1.0, 0.97, 51)[1:]
    lv[:, 250:] = 0.97
    (event,) = [e for e in run(lv) if e.phase == "POLY"]
    start, end, du_max, du_ss = by_the_definition(100.0 * urms_half(lv)[1][0] / UDIN)
    assert event.start == at((start + 1) * 0.01)
    assert event.duration_s == pytest.approx((end - start) * 0.01)
    assert (event.delta_umax_pct, event.delta_uss_pct) == pytest.approx((du_max, du_ss))
    # The window mean follows the ramp, so the RVC starts late (value 243, 97.4 %) with a
    # pre-event mean of 99.45 %: ΔUss = 2.35 % for the 3 % applied. The window that restores the
    # steady state begins at value 232, before the start: duration 0.
    assert at(2.0) < event.start < at(2.5)
    assert 2.0 < event.delta_uss_pct < 3.0 and event.duration_s == 0.0
    # The oracle agrees with the closed forms of the step test.
    step = np.full(500, 100.0)
    step[200:] = 97.0
    step[200] = straddle(1.0, 0.97)
    assert by_the_definition(step) == (201, 201, pytest.approx(STEP), pytest.approx(STEP))


def test_crossing_the_dip_threshold_makes_it_a_dip_not_an_rvc():
    # To 88 % (below the 90 % dip threshold) for 0.3 s and back.
    assert run(levels(600, *[(c, 200, 230, 0.88) for c in range(3)])) == []
    # 100 % -> 96 %, and before the new steady state is complete a dip to 80 % for 0.1 s,
    # back to 96 %: the RVC is discarded, and the steady state found later is no RVC either.
    lv = levels(800, *[(c, 200, 800, 0.96) for c in range(3)])
    lv[:, 230:240] = 0.80
    assert run(lv) == []
    # The monitor reports the dip (dips first, then RVCs).
    times, values = urms_half(lv)
    monitor = VoltageEventMonitor(("A", "B", "C"), EVENTS, RVC)
    assert {e.type for e in monitor.feed(times, values)} == {"dip"}


def test_no_rvc_before_the_first_steady_state():
    # A step 0.5 s after the start: no 100 values of steady state yet. A second one at 3 s is
    # an RVC.
    lv = levels(600, *[(c, 50, 600, 0.97) for c in range(3)])
    lv[:, 300:] = 1.0
    events = run(lv)
    back = round(100.0 - pre_mean(0.97, 1.0), 6)  # 2.984886
    assert summary(events)[-1] == ("POLY", at(3.020), 0.0, back, back, 100.0)
    assert len(events) == 4


def test_rvcs_across_block_boundaries():
    lv = levels(800, *[(c, 200, 800, 0.97) for c in range(3)])
    lv[:, 500:502] = 1.0  # a 20 ms blip back to 100 %
    # The blip starts with value 501 (100 %); its pre-event window (values 401..500) holds the
    # straddle 98.51 % (value 500): mean 97.015 %, ΔUmax = 100 - 97.015 %, ΔUss = 0.015 %.
    blip = pre_mean(0.97, 1.0)
    expected = [
        ("POLY", at(2.020), 0.0, STEP, STEP, 97.0),
        ("POLY", at(5.020), 0.020, round(100.0 - blip, 6), round(blip - 97.0, 6), 100.0),
    ]
    assert summary(run(lv))[3::4] == expected
    rng = np.random.default_rng(11)
    for _ in range(4):
        cuts = sorted(set(rng.integers(1, 799, size=rng.integers(1, 60)).tolist()))
        assert summary(run(lv, chunks=cuts))[3::4] == expected
    assert summary(run(lv, chunks=list(range(1, 800))))[3::4] == expected


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"threshold_pct": 0.0}, "threshold_pct"),
        ({"threshold_pct": float("inf")}, "threshold_pct"),
        ({"threshold_pct": 2.0, "hysteresis_pct": 2.0}, "less than the threshold"),
        ({"hysteresis_pct": -0.5}, "hysteresis_pct"),
    ],
)
def test_bad_settings_are_refused_clearly(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RvcSettings(**kwargs)


def test_only_50_or_60_hz():
    with pytest.raises(ValueError, match="50 or 60"):
        initial_rvc_state(("A",), 400.0, EVENTS)
