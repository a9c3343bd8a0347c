"""Dips, swells and interruptions (IEC 61000-4-30 §5.4, §5.5) from stepped-rms signals.

The Urms(1/2) values are written out from the definition (§5.4.2.1: rms over one cycle, refreshed
every half cycle): for a sine whose rms level changes only at zero crossings, each half cycle
carries level² of energy, so the value ending at half cycle k is
Udin·sqrt((L[k-1]² + L[k]²)/2) and the value straddling a step is known exactly. Values are time
stamped at the end of their half cycle. Thresholds and hysteresis are those of power-quality.md
§2; every expected start, duration and residual is derived in the comments.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from engine.blocks import SampleBlock
from engine.config import MeterConfig
from engine.meter import Meter
from engine.pq import (
    Event,
    EventSettings,
    VoltageEventMonitor,
    detect_events,
    events_in_progress,
    initial_event_state,
    voltage_channels,
)
from engine.wiring import plan_for

UDIN = 230.0
HALF = 0.01  # [s] half cycle at 50 Hz
T0 = np.datetime64("2026-03-01T12:00:00", "us")
START = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def urms_half(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(times, values [V]) of Urms(1/2) for per-half-cycle rms levels [p.u.] (channels, K)."""
    e = np.asarray(levels, float) ** 2
    before = np.concatenate([e[:, :1], e[:, :-1]], axis=1)
    values = UDIN * np.sqrt((before + e) / 2)
    times = T0 + (np.arange(e.shape[1]) + 1) * np.timedelta64(10_000, "us")
    return times, values


def stepped(k: int, *steps: tuple[int, int, int, float], channels: int = 3) -> np.ndarray:
    """Levels of ``k`` half cycles at 1 p.u., with (channel, first, stop half cycle, level)."""
    lv = np.ones((channels, k))
    for ch, a, b, level in steps:
        lv[ch, a:b] = level
    return lv


def at(seconds: float) -> datetime:
    """The value ending ``seconds`` after T0 (as a datetime)."""
    return START + timedelta(seconds=round(seconds, 6))


def run(levels, settings=None, phases=("A", "B", "C"), chunks=None):
    settings = settings or EventSettings(UDIN)
    times, values = urms_half(levels)
    state = initial_event_state(phases, settings)
    found: list[Event] = []
    edges = [0, *(chunks or []), len(times)]
    for a, b in itertools.pairwise(edges):
        new, state = detect_events(times[a:b], values[:, a:b], state, settings)
        found += new
    return found


def summary(events):
    return [(e.type, e.phase, e.start, round(e.duration_s, 6), round(e.extreme_pct, 6))
            for e in events]  # fmt: skip


def test_fifty_percent_dip_of_100_ms_on_phase_a_only():
    # A at 0.5 p.u. for half cycles 100..109 (1.000-1.100 s). Value 100 (ends 1.010 s) straddles:
    # sqrt((1 + 0.25)/2) = 79.1 % < 90 %: the dip starts. Value 110 straddles back (79.1 %,
    # still < 92 %); value 111 (1.120 s) is 100 % >= 92 %: it ends. 0.110 s, one half cycle more
    # than the 100 ms applied (the one-cycle window lags by up to a cycle); residual 50 %.
    events = run(stepped(300, (0, 100, 110, 0.5)))
    assert summary(events) == [
        ("dip", "A", at(1.010), 0.110, 50.0),
        ("dip", "POLY", at(1.010), 0.110, 50.0),
    ]
    assert abs(events[0].duration_s - 0.100) <= 0.020  # within one cycle of the truth
    assert events[0].itic == "no-damage"  # 50 % for 0.11 s: below ITIC's 70 % (20 ms-0.5 s)
    assert events[0].semi_f47 == "pass"  # SEMI F47: 50 % must be ridden through up to 0.2 s


def test_three_phase_dip_starts_on_the_first_phase_and_ends_on_the_last():
    # A 60 % over half cycles 100..119, B 40 % over 104..129, C 75 % over 106..114.
    # Each phase: starts at its first straddling value (all < 90 %: 82.5 %, 76.2 %, 88.4 %),
    # ends one value after its straddle back (the straddles are < 92 %).
    events = run(stepped(300, (0, 100, 120, 0.6), (1, 104, 130, 0.4), (2, 106, 115, 0.75)))
    assert summary(events) == [
        ("dip", "C", at(1.070), 0.100, 75.0),
        ("dip", "A", at(1.010), 0.210, 60.0),
        ("dip", "B", at(1.050), 0.270, 40.0),
        ("dip", "POLY", at(1.010), 0.310, 40.0),  # first start (A) to last end (B), deepest
    ]
    by_phase = {e.phase: e for e in events}
    assert (by_phase["C"].itic, by_phase["C"].semi_f47) == ("no-interruption", "pass")
    assert (by_phase["POLY"].itic, by_phase["POLY"].semi_f47) == ("no-damage", "fail")


def test_swell_of_120_percent_for_half_a_second():
    # All phases at 1.2 p.u. over half cycles 100..149. Straddle sqrt((1 + 1.44)/2) = 110.45 %
    # > 110 % starts it at 1.010 s; the straddle back (110.45 % > 108 %) keeps it; 100 % at
    # 1.520 s ends it: 0.510 s, maximum 120 %.
    events = run(stepped(300, *[(c, 100, 150, 1.2) for c in range(3)]))
    assert summary(events) == [
        ("swell", "A", at(1.010), 0.510, 120.0),
        ("swell", "B", at(1.010), 0.510, 120.0),
        ("swell", "C", at(1.010), 0.510, 120.0),
        ("swell", "POLY", at(1.010), 0.510, 120.0),
    ]
    # 120 % for 0.51 s: over ITIC's 110 % (past 0.5 s); SEMI F47 covers sags only.
    assert {(e.itic, e.semi_f47) for e in events} == {("prohibited", "n/a")}


def test_interruption_when_all_phases_fall_below_ten_percent():
    # All phases at 5 % over half cycles 100..199 (1 s). The straddle (70.8 %) is not < 10 %:
    # the interruption starts with value 101 (1.020 s) and ends at the straddle back (70.8 % >=
    # 12 %, 2.010 s): 0.990 s, residual 5 %. The dips run from 1.010 s to 2.020 s.
    events = run(stepped(300, *[(c, 100, 200, 0.05) for c in range(3)]))
    assert summary(events) == [
        ("interruption", "POLY", at(1.020), 0.990, 5.0),
        ("dip", "A", at(1.010), 1.010, 5.0),
        ("dip", "B", at(1.010), 1.010, 5.0),
        ("dip", "C", at(1.010), 1.010, 5.0),
        ("dip", "POLY", at(1.010), 1.010, 5.0),
    ]
    assert (events[0].itic, events[0].semi_f47) == ("no-damage", "fail")


def test_no_interruption_while_one_phase_stays_above_the_threshold():
    events = run(stepped(300, (0, 100, 200, 0.15), (1, 100, 200, 0.0), (2, 100, 200, 0.0)))
    assert [e.type for e in events] == ["dip"] * 4
    assert summary(events)[-1] == ("dip", "POLY", at(1.010), 1.010, 0.0)


def test_interruption_ends_when_any_phase_recovers_past_threshold_plus_hysteresis():
    # A back to 11 % (< 12 %: not yet), then to 13 %: ends with A's first value >= 12 %.
    # A: 0 % over 100..149, 11 % over 150..159, 13 % over 160..199. Value 150 straddles 0 and
    # 11 % (7.8 %), values 151..159 are 11 %, value 160 straddles 11 and 13 % (12.04 % >= 12 %).
    lv = stepped(300, *[(c, 100, 200, 0.0) for c in range(3)])
    lv[0, 150:160], lv[0, 160:200] = 0.11, 0.13
    events = [e for e in run(lv) if e.type == "interruption"]
    assert summary(events) == [("interruption", "POLY", at(1.020), 0.590, 0.0)]


def test_hysteresis_prevents_chatter_around_the_threshold():
    # A: 89 % over 100..109, 91 % over 110..119, 89 % over 120..129, 91.5 % over 130..139,
    # then 100 %. Value 100 straddles at 94.7 % (no start); value 101 (1.020 s) is 89 % < 90 %.
    # Nothing reaches 92 % until the straddle to 100 % (value 140, 95.8 %, 1.410 s): one dip.
    lv = stepped(300, (0, 100, 110, 0.89), (0, 110, 120, 0.91), (0, 120, 130, 0.89),
                 (0, 130, 140, 0.915))  # fmt: skip
    assert summary(run(lv)) == [
        ("dip", "A", at(1.020), 0.390, 89.0),
        ("dip", "POLY", at(1.020), 0.390, 89.0),
    ]
    # Without hysteresis the same signal chatters: the straddles 89/91 % (90.01 %) and
    # 89/91.5 % (90.26 %) end the dip at values 110 and 130, and 89 % starts it again at 121.
    bare = run(lv, EventSettings(UDIN, hysteresis_pct=0.0))
    assert summary(bare)[::2] == [
        ("dip", "A", at(1.020), 0.090, 89.0),
        ("dip", "A", at(1.220), 0.090, 89.0),
    ]
    # Swells: 111 % / 109 % alternating never falls to 108 %: one swell.
    sw = stepped(300, *[(0, a, a + 10, 1.11 if a % 20 == 0 else 1.09) for a in range(100, 160, 10)])
    assert [(e.type, e.phase) for e in run(sw)] == [("swell", "A"), ("swell", "POLY")]
    # Hovering between the threshold and threshold + hysteresis starts nothing.
    assert run(stepped(300, (0, 100, 300, 0.91), (1, 100, 300, 1.09))) == []


def test_events_across_block_boundaries_are_reported_once_when_they_end():
    lv = stepped(300, (0, 100, 120, 0.6), (1, 104, 130, 0.4), (2, 106, 115, 0.75))
    expected = summary(run(lv))
    rng = np.random.default_rng(7)
    for _ in range(5):
        cuts = sorted(set(rng.integers(1, 299, size=rng.integers(1, 40)).tolist()))
        assert summary(run(lv, chunks=cuts)) == expected
    # One value per block.
    assert summary(run(lv, chunks=list(range(1, 300)))) == expected


def test_in_progress_view_shows_open_events_without_reporting_them():
    settings = EventSettings(UDIN)
    times, values = urms_half(stepped(300, (0, 100, 120, 0.6), (1, 104, 130, 0.4)))
    state = initial_event_state(("A", "B", "C"), settings)
    done, state = detect_events(times[:111], values[:, :111], state, settings)  # to 1.110 s
    assert done == []
    view = {(e.type, e.phase): e for e in events_in_progress(state, settings)}
    assert set(view) == {("dip", "A"), ("dip", "B"), ("dip", "POLY")}
    assert view["dip", "A"].start == at(1.010)
    assert view["dip", "A"].duration_s == pytest.approx(0.100)
    assert view["dip", "B"].extreme_pct == pytest.approx(40.0)
    assert all(e.in_progress and e.itic is None for e in view.values())
    done, state = detect_events(times[111:], values[:, 111:], state, settings)
    assert len(done) == 3 and events_in_progress(state, settings) == []


def test_single_channel_reports_its_own_phase_and_no_polyphase_duplicate():
    lv = stepped(300, (0, 100, 200, 0.0), channels=1)
    events = run(lv, phases=("A",))
    assert [(e.type, e.phase) for e in events] == [("interruption", "A"), ("dip", "A")]


def test_polyphase_only_when_per_phase_is_off():
    lv = stepped(300, (0, 100, 110, 0.5))
    events = run(lv, EventSettings(UDIN, per_phase=False))
    assert [(e.type, e.phase) for e in events] == [("dip", "POLY")]


def test_event_json_matches_the_analyze_contract():
    event = run(stepped(300, (0, 100, 110, 0.5)))[0]
    record = event.to_json()
    assert record == {
        "type": "dip", "phase": "A", "start": "2026-03-01T12:00:01.010000+00:00",
        "duration_s": pytest.approx(0.11), "extreme_pct": pytest.approx(50.0),
        "itic": "no-damage", "semi_f47": "pass", "direction": "unknown", "confidence": 0.0,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"declared_voltage": 0.0}, "declared_voltage"),
        ({"declared_voltage": float("nan")}, "declared_voltage"),
        ({"declared_voltage": "230"}, "declared_voltage"),
        ({"dip_pct": 101.0}, "0 < interruption < dip < 100 < swell"),
        ({"swell_pct": 99.0}, "0 < interruption < dip < 100 < swell"),
        ({"interruption_pct": 95.0}, "0 < interruption < dip < 100 < swell"),
        ({"hysteresis_pct": -1.0}, "hysteresis_pct"),
        ({"hysteresis_pct": 10.0}, "hysteresis_pct"),
        ({"per_phase": 1}, "per_phase"),
    ],
)
def test_bad_settings_are_refused_clearly(kwargs, match):
    with pytest.raises(ValueError, match=match):
        EventSettings(**{"declared_voltage": UDIN, **kwargs})


def test_bad_input_is_refused_clearly():
    settings = EventSettings(UDIN)
    state = initial_event_state(("A", "B", "C"), settings)
    times, values = urms_half(np.ones((3, 10)))
    with pytest.raises(ValueError, match="shape"):
        detect_events(times, values[:2], state, settings)
    with pytest.raises(ValueError, match="datetime64"):
        detect_events(np.arange(10.0), values, state, settings)
    with pytest.raises(ValueError, match="finite"):
        detect_events(times, np.where(values > 0, np.nan, 0), state, settings)
    _, later = detect_events(times, values, state, settings)
    with pytest.raises(ValueError, match="increase"):
        detect_events(times, values, later, settings)
    with pytest.raises(ValueError, match="distinct"):
        initial_event_state(("A", "A"), settings)


def test_event_channels_follow_the_wiring():
    assert voltage_channels(plan_for("4W-WYE")) == (("A", 0), ("B", 1), ("C", 2))
    assert voltage_channels(plan_for("3W-DELTA")) == (("AB", 0), ("BC", 1), ("CA", 2))
    assert voltage_channels(plan_for("1P-2W")) == (("A", 0),)


def test_meter_half_cycle_rows_feed_the_monitor_end_to_end():
    """A 100 ms step of phase A to 50 % through engine.meter.Meter at 64 samples/cycle."""
    fs, f = 3200.0, 50.0

    def blocks():
        for first in range(0, round(1.6 * fs), 800):
            t = (first + np.arange(800)) / fs
            level = np.where((t >= 1.0) & (t < 1.1), 0.5, 1.0)
            volts, amps = np.zeros((4, 800)), np.zeros((4, 800))
            for k, deg in enumerate((0.0, -120.0, 120.0)):
                w = 2 * np.pi * f * t + np.radians(deg)
                volts[k] = np.sqrt(2) * UDIN * (level if k == 0 else 1.0) * np.cos(w)
                amps[k] = np.sqrt(2) * 5.0 * np.cos(w)
            yield SampleBlock(START, fs, first, volts, amps)

    meter = Meter(MeterConfig(nominal_voltage=UDIN))
    monitor = None
    events: list[Event] = []
    for block in blocks():
        result = meter.process(block)
        if monitor is None:
            monitor = VoltageEventMonitor.for_plan(result.layout.plan, EventSettings(UDIN))
        events += monitor.feed(result.half_cycle_time, result.half_cycle)
    assert [(e.type, e.phase) for e in events] == [("dip", "A"), ("dip", "POLY")]
    assert monitor.feed(np.empty(0, "datetime64[us]"), np.empty((0, 0))) == []  # no half cycle
    for e in events:
        assert e.extreme_pct == pytest.approx(50.0, abs=0.1)  # ±0.1 % of Udin (Class A)
        assert e.duration_s == pytest.approx(0.100, abs=0.020)  # within one cycle
        assert at(1.0) <= e.start <= at(1.020)
