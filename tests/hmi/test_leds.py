"""The LED models on exact times (no Qt, no clock)."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import pytest

from engine.snapshot import AlarmSummary, Snapshot
from hmi.leds import (
    MAX_BACKLOG,
    MIN_FLASH_GAP,
    STALE_AFTER,
    AlarmLed,
    EnergyPulseLed,
    LedPanel,
    RevenueLockLed,
    StatusLed,
    flashing,
)

T0 = datetime(2026, 1, 1, 12, tzinfo=UTC)


def snap(second: float, **values: float) -> Snapshot:
    """A snapshot ``second`` s after T0 holding ``values``."""
    return Snapshot(T0 + timedelta(seconds=second), MappingProxyType(values))


def energy_at(second: float, power: float, reactive: float = 0.0) -> Snapshot:
    """Registers after ``second`` s at ``power`` [W] and ``reactive`` [var] delivered."""
    return snap(
        second,
        E_P_DEL=power * second / 3600.0,
        E_P_REC=0.0,
        E_Q_DEL=reactive * second / 3600.0,
        E_Q_REC=0.0,
    )


def simulate(led, readings, until: float, step: float = 0.001) -> list[float]:
    """Run time [s] from 0 to ``until`` in ``step``s, feeding each ``(time, snapshot)`` of
    ``readings`` when its time comes and sampling ``led.lit``; the times it lights up."""
    pending = sorted(readings, key=lambda r: r[0])
    edges, before = [], False
    for i in range(round(until / step) + 1):
        t = i * step
        while pending and pending[0][0] <= t + 1e-9:
            led.update(pending.pop(0)[1], t)
        lit = led.lit(t)
        if lit and not before:
            edges.append(round(t, 3))
        before = lit
    return edges


# -- flashing ------------------------------------------------------------------------------------


def test_flashing_is_1_hz_half_duty_from_its_start():
    times = (10.0, 10.49, 10.5, 10.99, 11.0, 11.49, 11.5)
    assert [flashing(t, since=10.0) for t in times] == [True, True, False, False, True, True, False]


def test_alarm_led_flashes_until_acknowledged_then_steady_then_off():
    led = AlarmLed()
    led.update(AlarmSummary(), 0.0)
    assert not led.lit(0.0) and not led.lit(0.7)
    led.update(AlarmSummary(active_unacknowledged=1, priority="high"), 10.2)
    # Lit at once, then the 1 Hz beat counted from the alarm.
    assert [led.lit(t) for t in (10.2, 10.69, 10.7, 11.19, 11.2)] == [
        True,
        True,
        False,
        False,
        True,
    ]
    led.update(AlarmSummary(active_unacknowledged=1, priority="high"), 11.5)  # same state
    assert led.lit(12.2) and not led.lit(12.7)  # the beat did not restart
    led.update(AlarmSummary(active_acknowledged=1, priority="high"), 13.0)
    assert all(led.lit(13.0 + k * 0.1) for k in range(20))
    led.update(AlarmSummary(historic_unacknowledged=1, priority="high"), 15.0)
    assert not any(led.lit(15.0 + k * 0.1) for k in range(20))  # a historic alarm: dark


def test_status_led_green_while_data_arrives_red_flashing_when_stale():
    led = StatusLed(started=0.0)
    empty = Snapshot(datetime.fromtimestamp(0, UTC))  # the engine's first, before any data
    led.update(empty, 0.5)
    assert led.colour(1.0) is None and not led.lit(1.0)  # starting up
    assert led.colour(STALE_AFTER + 0.01) == "red"
    assert led.lit(STALE_AFTER + 0.01) and not led.lit(STALE_AFTER + 0.6)
    for k in range(5):  # data every second from t = 4 s
        led.update(snap(k, V_A=230.0), 4.0 + k)
        assert led.colour(4.0 + k) == "green" and led.lit(4.3 + k)
    led.update(snap(4, V_A=230.0), 10.0)  # the same snapshot again: nothing new
    assert led.colour(8.0 + STALE_AFTER - 0.01) == "green"
    stale = 8.0 + STALE_AFTER
    assert led.colour(stale + 0.01) == "red"
    assert led.lit(stale + 0.01) and not led.lit(stale + 0.51) and led.lit(stale + 1.01)
    led.update(snap(5, V_A=230.0), 20.0)
    assert led.colour(20.0) == "green"


def test_status_led_red_flashing_after_engine_failure():
    led = StatusLed()
    led.update(snap(0, V_A=230.0), 1.0)
    led.fail(2.0)
    led.update(snap(1, V_A=230.0), 2.5)  # the last good values are still readable
    assert led.colour(2.5) == "red"
    assert [led.lit(t) for t in (2.0, 2.4, 2.6, 3.0)] == [True, True, False, True]


def test_revenue_lock_led():
    led = RevenueLockLed()
    assert not led.lit(0.0)
    led.request(True, 5.0)  # switch moved: pending until the next power cycle
    assert [led.lit(t) for t in (5.0, 5.6, 6.0)] == [True, False, True]
    led.power_cycle()
    assert led.locked and led.pending is None and led.lit(7.3) and led.lit(7.8)
    led.request(True, 8.0)  # already locked: nothing pending
    assert led.pending is None and led.lit(8.6)


def test_revenue_lock_switch_moved_back_before_a_power_cycle_cancels_the_change():
    led = RevenueLockLed(locked=True)
    assert led.switch and led.lit(0.3) and led.lit(0.8)  # locked and applied: steady
    led.request(False, 1.0)
    assert not led.switch and led.locked  # still in force until the power cycle
    assert [led.lit(t) for t in (1.0, 1.6, 2.2)] == [True, False, True]
    led.request(True, 3.0)  # back where it was: nothing to apply
    assert led.pending is None and led.switch and led.lit(3.6)
    led.power_cycle()  # a cycle with nothing pending changes nothing
    assert led.locked and led.lit(4.6)
    led.request(False, 5.0)
    led.power_cycle()
    assert not led.locked and not led.switch and not any(led.lit(t) for t in (5.0, 5.3, 5.8))


def lock_colours(panel: LedPanel, times: list[float]) -> list[str | None]:
    return [panel.states(t)["lock"] for t in times]


def test_led_panel_lock_off_pending_steady_and_back():
    panel = LedPanel(kt=1.8, width=0.05)
    assert lock_colours(panel, [0.0, 0.5, 0.9]) == [None] * 3  # unlocked: off
    panel.lock.request(True, 1.0)  # pending: flashes green at 1 Hz from the move on
    assert lock_colours(panel, [1.0, 1.4, 1.6, 2.0, 2.7]) == ["green", "green", None, "green", None]
    panel.lock.power_cycle()  # applied: steady
    assert lock_colours(panel, [3.0, 3.5, 3.7, 10.0]) == ["green"] * 4
    panel.lock.request(False, 11.0)  # unlocking is pending too, while the lock stays in force
    assert lock_colours(panel, [11.2, 11.7]) == ["green", None] and panel.lock.locked
    panel.lock.power_cycle()
    assert lock_colours(panel, [12.0, 12.5, 13.0]) == [None] * 3


# -- energy pulses -------------------------------------------------------------------------------


def test_3_6_kw_at_kt_1_8_wh_pulses_every_1_8_s():
    # 3.6 kW = 1 Wh/s: 2000 pulses an hour of 1.8 Wh, one every 1.8 s.
    led = EnergyPulseLed.watt(kt=1.8, width=0.05)
    edges = simulate(led, [(s, energy_at(s, 3600.0)) for s in range(19)], until=20.0)
    assert led.pulses == 10 and led.skipped == 0
    # Due at 1.8, 3.6, ... s; learned at the next whole second, shown one interval later.
    assert edges == pytest.approx([2.8 + 1.8 * k for k in range(10)], abs=0.0015)


def test_two_pulses_per_second_seen_at_a_1_s_snapshot_cadence():
    # 12.96 kW = 3.6 Wh/s: two 1.8 Wh pulses a second, both within each 1-s snapshot.
    led = EnergyPulseLed.watt(kt=1.8, width=0.05)
    assert [led.update(energy_at(s, 12960.0), float(s)) for s in range(3)] == [0, 2, 2]
    led = EnergyPulseLed.watt(kt=1.8, width=0.05)
    lit_at = []

    class Probe:  # samples 1 ms after each rising edge and 1 ms after it should end
        def update(self, snapshot, now):
            led.update(snapshot, now)

        def lit(self, t):
            lit_at.append((round(t, 3), led.lit(t)))
            return led.lit(t)

    edges = simulate(Probe(), [(s, energy_at(s, 12960.0)) for s in range(6)], until=7.0)
    assert led.pulses == 10
    # Spread over the interval (at its half and its end), never bunched on the snapshot.
    assert edges == pytest.approx([1.5 + 0.5 * k for k in range(10)], abs=0.0015)
    lit = dict(lit_at)
    assert all(lit[round(t + 0.049, 3)] and not lit[round(t + 0.051, 3)] for t in edges)


def test_energy_pulses_counted_over_5_s_at_the_engine_cadence():
    # 5 s of snapshots every 0.1 s at 12.96 kW: every pulse counted and shown once.
    led = EnergyPulseLed.watt(kt=1.8, width=0.05)
    readings = [(k / 10, energy_at(k / 10, 12960.0)) for k in range(51)]
    edges = simulate(led, readings, until=6.0)
    assert led.pulses == 10 and led.skipped == 0 and len(edges) == 10


def test_var_pair_counts_reactive_energy_absolute():
    led = EnergyPulseLed.var(kt=1.0, width=0.05)
    led.update(snap(0, E_Q_DEL=10.0, E_Q_REC=5.0), 0.0)
    # 2 varh delivered + 3 varh received: absolute, 5 pulses.
    assert led.update(snap(1, E_Q_DEL=12.0, E_Q_REC=8.0), 1.0) == 5


def test_pulses_faster_than_the_width_allows_are_capped_and_counted():
    led = EnergyPulseLed.watt(kt=1.8, width=0.05)
    # 10 s at 100 kW: 15.4 pulses/s, more than the 10/s a 50 ms LED can show apart.
    readings = [(k / 10, energy_at(k / 10, 100_000.0)) for k in range(101)]
    shown = simulate(led, readings, until=12.0)
    assert led.pulses == math.floor(100_000.0 * 10.0 / 3600.0 / 1.8 + 1e-9)
    assert led.skipped + len(shown) == led.pulses and led.skipped > 0
    gaps = [b - a for a, b in itertools.pairwise(shown)]
    assert min(gaps) >= MIN_FLASH_GAP - 0.0015  # every flash has its dark gap
    assert shown[-1] <= 10.0 + 0.1 + MAX_BACKLOG + 0.0015  # never more than the backlog late


def test_reset_missing_and_repeated_readings_give_no_pulses():
    led = EnergyPulseLed.watt(kt=1.0, width=0.05)
    led.update(snap(0, E_P_DEL=100.0, E_P_REC=0.0), 0.0)
    assert led.update(snap(1, E_P_DEL=0.0, E_P_REC=0.0), 1.0) == 0  # registers reset
    assert led.update(snap(2, E_P_DEL=float("nan"), E_P_REC=0.0), 2.0) == 0
    assert led.update(snap(3, E_P_DEL=3.0, E_P_REC=0.0), 3.0) == 0  # starts over from here
    assert led.update(snap(4, E_P_DEL=5.0, E_P_REC=0.0), 4.0) == 2
    assert led.update(snap(4, E_P_DEL=5.0, E_P_REC=0.0), 4.5) == 0  # same snapshot again
    assert led.pulses == 2


def test_a_display_polling_every_50_ms_sees_every_10_ms_pulse():
    led = EnergyPulseLed.watt(kt=1.8, width=0.01)
    readings = [(float(s), energy_at(s, 12960.0)) for s in range(6)]
    seen, before, last = 0, False, 0.0
    for k in range(140):  # a timer out of step with the pulses
        t = 0.013 + 0.05 * k
        while readings and readings[0][0] <= t:
            led.update(readings.pop(0)[1], t)
        now = led.lit_during(last, t)
        seen += now and not before
        before, last = now, t
    assert seen == 10


def test_led_panel_names_match_the_bezel():
    from hmi.bezel import LEDS

    panel = LedPanel(kt=1.8, width=0.05)
    assert set(panel.states(0.0)) == {spec.name for spec in LEDS}
    panel.update(energy_at(0, 12960.0, 12960.0), 0.0)
    panel.update(energy_at(1, 12960.0, 12960.0), 1.0)
    states = panel.states(1.5)
    assert states["watt"] == states["watt_ir"] == "red"  # a pair shares one model
    assert states["var"] == states["var_ir"] == "red"
    assert states["status"] == "green" and states["alarm"] is None and states["lock"] is None


def test_the_pulse_source_chooses_the_registers_counted():
    """Energy pulsing source (Setup): "kWh del" counts delivered energy only; a reactive source
    moves to the VAR pair, and the other pair keeps its absolute default."""
    from hmi.leds import PULSE_SOURCES

    assert EnergyPulseLed.watt(1.0, 0.05, "kWh del").quantities == ("E_P_DEL",)
    assert EnergyPulseLed.watt(1.0, 0.05, "kVAh").quantities == ("E_S_DEL", "E_S_REC")
    assert EnergyPulseLed.watt(1.0, 0.05, "kvarh rec").quantities == ("E_P_DEL", "E_P_REC")
    assert EnergyPulseLed.var(1.0, 0.05, "kvarh rec").quantities == ("E_Q_REC",)
    assert EnergyPulseLed.var(1.0, 0.05, "kWh del").quantities == ("E_Q_DEL", "E_Q_REC")
    assert set(PULSE_SOURCES) == {
        "kWh del",
        "kWh rec",
        "kWh del+rec",
        "kvarh del",
        "kvarh rec",
        "kVAh",
    }
