"""Energy registers and pulse counter against analytic truth (IEC 62053-23 quadrants)."""

import json
import math
from fractions import Fraction

import pytest

from engine.errors import InputError
from engine.metering.energy import EnergyRegisters, PulseCounter, neumaier_add
from engine.quantities import QUANTITIES

ENERGY_IDS = {q for q in QUANTITIES if q.startswith("E_")}


def test_values_are_keyed_by_the_registry_ids():
    assert set(EnergyRegisters().values()) == ENERGY_IDS


@pytest.mark.parametrize(
    ("p", "q", "p_key", "q_key", "s_key"),
    [
        (1000.0, 400.0, "P_DEL", "Q_DEL", "S_DEL"),  # quadrant I: import, inductive
        (-1000.0, 400.0, "P_REC", "Q_DEL", "S_REC"),  # quadrant II: export, inductive
        (-1000.0, -400.0, "P_REC", "Q_REC", "S_REC"),  # quadrant III: export, capacitive
        (1000.0, -400.0, "P_DEL", "Q_REC", "S_DEL"),  # quadrant IV: import, capacitive
    ],
)
def test_four_quadrants_route_to_the_right_registers(p, q, p_key, q_key, s_key):
    s = math.hypot(p, q)
    reg = EnergyRegisters()
    reg.accumulate(p, q, s, 1800.0)  # half an hour
    v = reg.values()
    expected = {f"E_{p_key}": 500.0, f"E_{q_key}": 200.0, f"E_{s_key}": s / 2}
    for key, val in v.items():
        m, kind = key[2], key[4:]
        if kind in ("DEL", "REC"):
            assert val == pytest.approx(expected.get(key, 0.0), abs=1e-12), key
    for m, e in (("P", 500.0), ("Q", 200.0), ("S", s / 2)):
        sign = 1.0 if v[f"E_{m}_DEL"] else -1.0
        assert v[f"E_{m}_NET"] == pytest.approx(sign * e)
        assert v[f"E_{m}_TOT"] == pytest.approx(e)


def test_net_and_total():
    reg = EnergyRegisters()
    reg.accumulate(3000.0, 1000.0, 3500.0, 3600.0)  # 3 kWh del, 1 kvarh del, 3.5 kVAh del
    reg.accumulate(-1000.0, -2000.0, 2500.0, 3600.0)  # 1 kWh rec, 2 kvarh rec, 2.5 kVAh rec
    v = reg.values()
    assert (v["E_P_DEL"], v["E_P_REC"], v["E_P_NET"], v["E_P_TOT"]) == (3000, 1000, 2000, 4000)
    assert (v["E_Q_DEL"], v["E_Q_REC"], v["E_Q_NET"], v["E_Q_TOT"]) == (1000, 2000, -1000, 3000)
    assert (v["E_S_DEL"], v["E_S_REC"], v["E_S_NET"], v["E_S_TOT"]) == (3500, 2500, 1000, 6000)


def test_zero_p_sends_apparent_energy_to_delivered():
    reg = EnergyRegisters()
    reg.accumulate(0.0, 500.0, 500.0, 3600.0)
    assert reg.values()["E_S_DEL"] == 500.0 and reg.values()["E_S_REC"] == 0.0


def test_non_finite_power_adds_nothing():
    reg = EnergyRegisters()
    reg.accumulate(math.nan, math.inf, 100.0, 3600.0)  # S cannot be routed without P
    reg.accumulate(100.0, math.nan, math.nan, 3600.0)
    v = reg.values()
    assert v["E_P_DEL"] == 100.0
    assert all(val == 0.0 for key, val in v.items() if not key.startswith("E_P"))


@pytest.mark.parametrize("dt", [-0.2, math.nan, math.inf])
def test_bad_dt_raises(dt):
    with pytest.raises(ValueError, match="dt"):
        EnergyRegisters().accumulate(1.0, 1.0, 1.0, dt)


def test_constant_1kw_for_one_hour_of_200ms_intervals():
    reg = EnergyRegisters()
    for _ in range(18_000):
        reg.accumulate(1000.0, 0.0, 1000.0, 0.2)
    assert reg.values()["E_P_DEL"] == pytest.approx(1000.0, rel=1e-15)


def test_compensated_sum_is_exact_where_naive_summation_drifts():
    x = 1000.0 * (10 / 49.97)  # [W·s] one interval of 10 cycles at 49.97 Hz: not a round binary
    n = 200_000
    exact = n * Fraction(x)
    naive = 0.0
    reg = EnergyRegisters()
    for _ in range(n):
        naive += x
        reg.accumulate(1000.0, 0.0, 0.0, 10 / 49.97)
    got = reg.values()["E_P_DEL"] * 3600.0
    naive_err = abs(Fraction(naive) - exact) / exact
    assert naive_err > 1e-14  # the test can see the drift of a plain float sum ...
    assert abs(Fraction(got) - exact) / exact < 4e-16  # ... and the registers have none


@pytest.mark.parametrize("dt", [0.2, 10 / 49.97, 12 / 60.02])
def test_ten_years_of_1kw_within_1e_9(dt):
    """10 years (of 365.24219 d) of ~200 ms intervals at 1 kW: 87 658.1… kWh.

    1.6e9 calls would take half an hour, so the registers are preloaded (exactly) with all but
    the last K intervals, and the last K are added: that is where a float sum is coarsest. The
    error per add measured there, times N adds, bounds the error of the whole decade. Besides
    exactly 0.2 s, the intervals of 10 cycles at 49.97 Hz and 12 at 60.02 Hz are used: with
    those a plain float sum fails the bound (200 W·s, from exactly 0.2 s, is a binary-exact
    increment that a plain sum adds exactly too).
    """
    n = round(10 * 365.24219 * 86_400 / dt)
    k = 100_000
    x = Fraction(1000.0 * dt)  # [W·s] one interval, as the registers compute it
    truth_wh = n * x / 3600
    assert float(truth_wh) / 1000 == pytest.approx(87_658.1256, abs=1e-3)  # kWh

    pre = (n - k) * x
    hi = float(pre)
    lo = float(pre - Fraction(hi))
    reg = EnergyRegisters.from_dict({"version": 1, "registers": {"P_DEL": [hi, lo]}})
    naive = hi
    for _ in range(k):
        reg.accumulate(1000.0, 0.0, 0.0, dt)
        naive += 1000.0 * dt
    got = Fraction(reg.values()["E_P_DEL"])
    assert float(got) == pytest.approx(float(truth_wh), rel=1e-9)
    assert abs(got - truth_wh) / truth_wh < 1e-15
    # The per-add error extrapolated to the whole decade (pessimistic: the compensated error
    # does not grow with the number of adds): still inside 1e-9 ...
    err_per_add = abs(got * 3600 - n * x) / k
    assert err_per_add * n / (n * x) < 1e-10
    # ... where a plain float sum is outside it.
    if dt != 0.2:
        naive_err_per_add = abs(Fraction(naive) - n * x) / k
        assert naive_err_per_add * n / (n * x) > 1e-9


def test_neumaier_add_keeps_what_a_plain_sum_loses():
    total, comp = neumaier_add(1e16, 0.0, 1.0)
    assert total == 1e16 and comp == 1.0  # 1e16 + 1 is not representable; the 1 is kept


def test_reset_and_round_trip_through_json():
    reg = EnergyRegisters()
    for p, q in ((1234.5, 321.0), (-17.25, -8.5), (0.1, -0.3)):
        reg.accumulate(p, q, math.hypot(p, q), 0.2003)
    restored = EnergyRegisters.from_dict(json.loads(json.dumps(reg.to_dict())))
    assert restored.values() == reg.values()
    assert restored.to_dict() == reg.to_dict()
    reg.reset()
    assert all(v == 0.0 for v in reg.values().values())


@pytest.mark.parametrize(
    "data",
    [
        {"version": 2, "registers": {}},
        {"version": 1},
        {"version": 1, "registers": {"P_XX": [0.0, 0.0]}},
        {"version": 1, "registers": {"P_DEL": "lots"}},
        {"version": 1, "registers": {"P_DEL": [-5.0, 0.0]}},
        {"version": 1, "registers": {"P_DEL": [math.nan, 0.0]}},
    ],
)
def test_malformed_state_raises_input_error(data):
    with pytest.raises(InputError, match="energy"):
        EnergyRegisters.from_dict(data)


def test_pulse_counter_carries_the_remainder():
    pc = PulseCounter(1.8)
    assert pc.add(1.0) == 0
    assert pc.add(1.0) == 1
    assert pc.remainder == pytest.approx(0.2)
    assert pc.add(10.0) == 5  # 10.2 Wh = 5 pulses + 1.2 Wh
    assert pc.remainder == pytest.approx(1.2)
    assert pc.total == 6


def test_pulse_counter_over_many_increments_loses_no_energy():
    pc = PulseCounter(1.8)
    inc = 1000.0 * (12 / 59.98) / 3600  # [Wh] 1 kW for 12 cycles at 59.98 Hz
    n = 100_000
    pulses = sum(pc.add(inc) for _ in range(n))
    total = n * inc
    assert pulses == pc.total == math.floor(total / 1.8)
    assert pulses * 1.8 + pc.remainder == pytest.approx(total, rel=1e-12)
    assert 0.0 <= pc.remainder < 1.8


def test_pulse_counter_net_mode_repays_reverse_energy_first():
    pc = PulseCounter(1.0)
    assert pc.add(-2.5) == 0
    assert pc.add(3.0) == 0  # net +0.5 Wh
    assert pc.add(0.6) == 1
    assert pc.add(math.nan) == 0
    pc.reset()
    assert (pc.total, pc.remainder) == (0, 0.0)


@pytest.mark.parametrize("kt", [0.0, -1.0, 0.001, 2e9, math.nan])
def test_pulse_counter_rejects_kt_out_of_range(kt):
    with pytest.raises(ValueError, match=r"Kt must be from 0\.01 to 1000000000"):
        PulseCounter(kt)
