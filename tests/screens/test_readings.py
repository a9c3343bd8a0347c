"""The numeric screens: Basic Reading, Power, Energy, Demand and Min/Max."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from types import MappingProxyType

import pytest
from PySide6.QtGui import QColor, QImage
from screen_tests import render

from engine.config import DisplaySettings, MeterConfig
from engine.meter import Meter
from engine.snapshot import Extreme, Snapshot
from engine.sources.simulated import SimulatedSource
from i18n import catalogue, tr
from screens import basic_reading, energy_demand, minmax, readings
from screens.base import Context, Status
from screens.canvas import BODY, HEIGHT, MISSING, PALETTE, WIDTH
from screens.menu import screen_ids
from screens.widgets import Stamped

MODULES = (readings, energy_demand, minmax)
SCREENS = {s.id: s for m in MODULES for s in m.SCREENS}
WHEN = datetime(2026, 3, 14, 9, 26, 53, tzinfo=UTC)
WYE = MeterConfig()
DELTA = MeterConfig(wiring="3W-DELTA")
EMPTY = Snapshot(time=WHEN)


@pytest.fixture(scope="module")
def real() -> dict[str, Snapshot]:
    """A few seconds of the simulated 230/400 V, ~100 A meter, wye and delta."""
    snaps = {}
    for config in (WYE, DELTA):
        meter = Meter(config)
        meter.run(SimulatedSource(), paced=False, seconds=2)
        snaps[config.wiring] = meter.snapshot
    return snaps


def ctx_for(config: MeterConfig = WYE, tr_=tr, **display) -> Context:
    config = replace(config, display=DisplaySettings(**display)) if display else config
    return Context(tr=tr_, config=config, status=Status(clock=WHEN))


def snap(**values: float) -> Snapshot:
    return Snapshot(time=WHEN, values=MappingProxyType(values))


def labels(screen, snapshot: Snapshot, ctx: Context) -> list[str]:
    return [r.label for r in screen.rows(snapshot, ctx)]


def body_ink(image: QImage) -> int:
    bg = QColor(PALETTE.background).rgb()
    return sum(
        image.pixel(x, y) != bg
        for x in range(0, WIDTH, 2)
        for y in range(BODY.top(), BODY.bottom(), 2)
    )


# -- every screen --------------------------------------------------------------------------------


def test_the_numeric_screens_of_the_menu_are_all_here():
    mine = {
        s
        for s in screen_ids()
        if s.split(".")[0] in ("basic", "power", "energy", "demand", "minmax")
    }
    assert mine == set(SCREENS)
    assert readings.SCREENS[0].id == "basic.summary"
    assert isinstance(readings.SCREENS[0], basic_reading.BasicReadingScreen)


@pytest.mark.parametrize("screen_id", sorted(SCREENS))
def test_renders_real_and_empty_snapshots_with_catalogue_strings(qapp, real, screen_id):
    screen = SCREENS[screen_id]
    used: list[str] = []

    def recording(key: str) -> str:
        used.append(key)
        return tr(key)

    for config in (WYE, DELTA):
        for phase_labels in ("ABC", "123"):
            for snapshot in (real[config.wiring], EMPTY):
                ctx = ctx_for(config, recording, phase_labels=phase_labels)
                for page in range(screen.page_count(snapshot, ctx)):
                    image = render(screen, snapshot, replace(ctx, page=page))
                    assert body_ink(image) > 20
    assert screen.title_key in used
    assert sorted(set(used) - set(catalogue("en"))) == []


def test_real_snapshot_values_reach_the_rows(real):
    ctx = ctx_for()
    rows = {r.label: (r.value, r.unit) for r in SCREENS["basic.volts_ll"].rows(real["4W-WYE"], ctx)}
    assert rows["Vab"][1] == "V" and 390 < float(rows["Vab"][0]) < 410
    rows = SCREENS["energy.active"].rows(real["4W-WYE"], ctx)
    assert rows[0].unit == "kWh" and float(rows[0].value) > 0


# -- rows ----------------------------------------------------------------------------------------


def test_phase_labels_follow_the_setting():
    s = snap(V_A=230.0, V_AB=400.0, I_N=1.0)
    assert labels(SCREENS["basic.volts_ln"], s, ctx_for()) == ["Va", "Vb", "Vc", "Vln avg"]
    assert labels(SCREENS["basic.volts_ln"], s, ctx_for(phase_labels="123"))[:3] == [
        "V1",
        "V2",
        "V3",
    ]
    assert labels(SCREENS["basic.volts_ll"], s, ctx_for(phase_labels="123"))[:3] == [
        "V12",
        "V23",
        "V31",
    ]
    assert labels(SCREENS["basic.amps"], s, ctx_for(phase_labels="123")) == [
        "I1",
        "I2",
        "I3",
        "IN",
        "I avg",
    ]
    assert labels(SCREENS["power.active"], s, ctx_for()) == ["Pa", "Pb", "Pc", "P tot"]


def test_decimals_follow_the_resolution_settings():
    s = snap(V_AB=398.6123, I_A=100.1362, P_TOT=62123.4)
    ctx = ctx_for(volts_decimals=2, current_decimals=1, power_decimals=0)
    assert SCREENS["basic.volts_ll"].rows(s, ctx)[0].value == "398.61"
    assert SCREENS["basic.amps"].rows(s, ctx)[0].value == "100.1"
    assert SCREENS["basic.power"].rows(s, ctx)[0].value == "62.123"  # 0 W decimals = 3 kW
    assert SCREENS["basic.power"].rows(s, ctx)[0].unit == "kW"
    assert SCREENS["basic.amps"].rows(s, ctx)[1].value == MISSING  # not measured


@pytest.mark.parametrize(
    ("p", "q", "symbol", "expected"),
    [
        (1.0, 0.5, "lead/lag", ("0.899", "lag")),  # current lags: P and Q of the same sign
        (1.0, -0.5, "lead/lag", ("0.899", "lead")),
        (-1.0, -0.5, "lead/lag", ("0.899", "lag")),  # received power, still lagging
        (-1.0, 0.5, "lead/lag", ("0.899", "lead")),
        (1.0, 0.5, "cap/ind", ("0.899", "ind")),
        (1.0, -0.5, "cap/ind", ("0.899", "cap")),
        (1.0, 0.5, "+/-", ("+0.899", "")),
        (1.0, -0.5, "+/-", ("-0.899", "")),
        (1.0, 0.0, "lead/lag", ("0.899", "")),  # no reactive power: no symbol
    ],
)
def test_power_factor_symbol(p, q, symbol, expected):
    pf = 0.8988 if p > 0 else -0.8988  # the engine's PF carries the sign of P
    s = snap(P_A=p, Q_A=q, PF_A=pf, P_TOT=p, Q_TOT=q, PF_TOT=pf, DPF_TOT=pf)
    rows = SCREENS["power.pf"].rows(s, ctx_for(pf_symbol=symbol))
    assert (rows[0].value, rows[0].unit) == expected
    assert (rows[3].value, rows[3].unit) == expected  # PF tot
    assert rows[4].label == "DPF tot"


def test_unity_power_factor_has_no_symbol():
    rows = SCREENS["basic.power"].rows(snap(P_TOT=1.0, Q_TOT=1e-6, PF_TOT=1.0), ctx_for())
    assert (rows[3].label, rows[3].value, rows[3].unit) == ("PF tot", "1.000", "")


def test_energy_registers_with_digit_grouping():
    s = snap(E_P_DEL=12_345_678_900.0, E_P_REC=0.0, E_P_NET=12_345_678_900.0, E_P_TOT=float("nan"))
    rows = SCREENS["energy.active"].rows(s, ctx_for(digit_grouping="comma"))
    assert [(r.label, r.value, r.unit) for r in rows] == [
        ("Del", "12,345,678.9", "kWh"), ("Rec", "0.000", "kWh"),
        ("Del-Rec", "12,345,678.9", "kWh"), ("Del+Rec", MISSING, "kWh"),
    ]  # fmt: skip
    assert SCREENS["energy.reactive"].rows(snap(E_Q_DEL=1500.0), ctx_for())[0].unit == "kvarh"


def test_demand_rows_and_peak_timestamps():
    s = replace(
        snap(D_P=61234.5, D_P_PRED=62000.0, D_P_PEAK=65521.0, D_I_PEAK=float("nan")),
        stamps=MappingProxyType({"D_P_PEAK": datetime(2026, 3, 13, 17, 45, tzinfo=UTC)}),
    )
    ctx = ctx_for()
    assert SCREENS["demand.present"].rows(s, ctx)[0].value == "61.234"
    assert SCREENS["demand.predicted"].rows(s, ctx)[0].value == "62.000"
    peak = SCREENS["demand.peak"].stamped_rows(s, ctx)
    assert [r.label for r in peak] == ["P", "Q", "S", "I avg"]
    assert peak[0].cells[0] == Stamped("65.521", "kW", "2026-03-13 17:45:00")
    assert peak[3].cells[0].value == MISSING and peak[3].cells[0].stamp == ""


def test_minmax_rows_show_extremes_with_their_times():
    low = Extreme(228.0, datetime(2026, 3, 1, 3, 0, tzinfo=UTC))
    high = Extreme(233.5, datetime(2026, 3, 2, 14, 30, tzinfo=UTC))
    s = replace(
        snap(), minimum=MappingProxyType({"V_A": low}), maximum=MappingProxyType({"V_A": high})
    )
    rows = SCREENS["minmax.voltage"].rows(s, ctx_for())
    assert rows[0].label == "Va"
    assert rows[0].cells == (
        Stamped("228.0", "V", "2026-03-01 03:00:00"),
        Stamped("233.5", "V", "2026-03-02 14:30:00"),
    )
    assert rows[1].cells[0] == Stamped(MISSING, "V", "")
    page2 = SCREENS["minmax.voltage"].rows(s, replace(ctx_for(), page=1))
    assert [r.label for r in page2] == ["Vab", "Vbc", "Vca", "Vll avg", "Freq"]


# -- wiring --------------------------------------------------------------------------------------


def test_delta_hides_what_it_must(qapp, real):
    s, ctx = real["3W-DELTA"], ctx_for(DELTA)
    assert SCREENS["basic.volts_ln"].rows(s, ctx) is None
    used: list[str] = []
    render(SCREENS["basic.volts_ln"], s, replace(ctx, tr=lambda k: used.append(k) or tr(k)))
    assert "reading.not_in_delta" in used and tr("reading.not_in_delta") == "Not available in Delta"
    assert labels(SCREENS["basic.amps"], s, ctx) == ["Ia", "Ib", "Ic", "I avg"]
    for sid, total in (
        ("power.active", "P tot"),
        ("power.reactive", "Q tot"),
        ("power.apparent", "S tot"),
    ):
        assert labels(SCREENS[sid], s, ctx) == [total]
    assert labels(SCREENS["power.pf"], s, ctx) == ["PF tot", "DPF tot"]
    assert SCREENS["minmax.voltage"].page_count(s, ctx) == 1
    assert SCREENS["minmax.voltage"].page_count(s, ctx_for()) == 2
    assert [k.action for k in SCREENS["minmax.voltage"].softkeys(s, ctx_for())][2] == "more"
    assert [r.label for r in SCREENS["minmax.current"].rows(s, ctx)] == ["Ia", "Ib", "Ic", "I avg"]


def test_single_phase_wiring():
    ctx = ctx_for(MeterConfig(wiring="1P-2W"))
    assert labels(SCREENS["basic.volts_ln"], snap(), ctx) == ["Va"]
    assert SCREENS["basic.volts_ll"].rows(snap(), ctx) is None
    assert labels(SCREENS["power.active"], snap(), ctx) == ["Pa", "P tot"]


# -- view follows the model ----------------------------------------------------------------------


def changed_rows(screen, before: Snapshot, after: Snapshot, ctx: Context, row_h: int) -> set[int]:
    """Indices of the table rows (of height ``row_h`` from the body top + 4) whose pixels differ."""
    a, b = render(screen, before, ctx), render(screen, after, ctx)
    return {
        (y - BODY.top() - 4) // row_h
        for x in range(WIDTH)
        for y in range(HEIGHT)
        if a.pixel(x, y) != b.pixel(x, y)
    }


def test_a_value_change_changes_only_its_own_row(qapp, real):
    s = real["4W-WYE"]
    after = replace(s, values=MappingProxyType({**s.values, "I_B": 250.0}))
    assert changed_rows(SCREENS["basic.amps"], s, after, ctx_for(), 36) == {1}
    after = replace(s, values=MappingProxyType({**s.values, "Q_C": -abs(s.values["Q_C"])}))
    assert changed_rows(SCREENS["power.pf"], s, after, ctx_for(), 36) == {2}  # PFc: lag -> lead
    after = replace(s, values=MappingProxyType({**s.values, "E_P_REC": 5000.0}))
    assert changed_rows(SCREENS["energy.active"], s, after, ctx_for(), 40) == {1}


def test_frequency_screen_shows_the_value_large(qapp):
    a = render(SCREENS["basic.frequency"], snap(FREQ=50.0, FREQ_CYCLE=50.01), ctx_for())
    b = render(SCREENS["basic.frequency"], snap(FREQ=49.5, FREQ_CYCLE=50.01), ctx_for())
    ys = [y for x in range(WIDTH) for y in range(HEIGHT) if a.pixel(x, y) != b.pixel(x, y)]
    assert ys and min(ys) > BODY.top() and max(ys) < BODY.top() + BODY.height() * 3 // 5
    assert max(ys) - min(ys) > 30  # large digits


def test_energy_and_demand_show_the_test_registers_in_test_mode():
    """Test mode: the billing registers are frozen; the screens show the test registers."""
    from datetime import UTC, datetime
    from types import MappingProxyType

    from engine.snapshot import Snapshot
    from screens.energy_demand import DemandScreen, EnergyScreen

    values = {"E_P_DEL": 1000.0, "T_E_P_DEL": 2.0, "D_P": 500.0, "T_D_P": 7.0, "D_I": 3.0}
    t = datetime(2026, 1, 1, tzinfo=UTC)
    billing = Snapshot(t, MappingProxyType(values))
    test = Snapshot(t, MappingProxyType(values), flags=frozenset({"TEST_MODE"}))
    ctx = Context(tr=lambda key: tr(key, "en"))
    energy = EnergyScreen("energy.active", "P")
    assert energy.rows(billing, ctx)[0].value != energy.rows(test, ctx)[0].value
    assert energy.rows(test, ctx)[0].value == "0.002"  # 2 Wh, shown in kWh
    demand = DemandScreen("demand.present", "")
    assert demand.rows(test, ctx)[0].value.startswith("7.")  # T_D_P
    assert demand.rows(test, ctx)[3].value == demand.rows(billing, ctx)[3].value  # current
