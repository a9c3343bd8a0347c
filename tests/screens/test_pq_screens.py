"""The graphic power-quality screens: harmonics, phasors, waveform and the PQ summaries."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime
from types import MappingProxyType

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage
from screen_tests import Recording, ink, render

from engine.config import DisplaySettings, MeterConfig
from engine.meter import Meter
from engine.snapshot import Snapshot, Waveform
from engine.sources.scenario import scenario_from_dict
from engine.sources.simulated import SimulatedSource
from i18n import catalogue, tr
from screens import harmonics, phasors, pq_summary, waveform
from screens.base import Context
from screens.canvas import BODY, MISSING, PALETTE, WIDTH
from screens.charts import COLOURS, nice_ceiling, polar_point

WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WYE, DELTA = MeterConfig(), MeterConfig(wiring="3W-DELTA", nominal_voltage=400.0)
SCREENS = [s for m in (harmonics, phasors, waveform, pq_summary) for s in m.SCREENS]
HARMONICS = harmonics.HarmonicsScreen()
PHASORS = phasors.PhasorScreen()
WAVEFORM = waveform.WaveformScreen()


def snap(values: dict[str, float], wave: Waveform | None = None) -> Snapshot:
    return Snapshot(time=WHEN, values=MappingProxyType(values), waveform=wave)


@pytest.fixture(scope="module")
def measured() -> dict[str, tuple[MeterConfig, Snapshot]]:
    """Real snapshots of the simulated installation, wired wye and delta."""
    out = {}
    for name, config, scenario in (("wye", WYE, {}), ("delta", DELTA, {"wiring": "3W-DELTA"})):
        meter = Meter(config)
        meter.run(SimulatedSource(scenario_from_dict(scenario)), paced=False, seconds=1.0)
        out[name] = (config, meter.snapshot)
    out["empty"] = (WYE, snap({}))
    return out


def near(image: QImage, x: float, y: float, colour: str, tol: int = 60) -> bool:
    """True when a pixel within 1 px of (x, y) has about ``colour``."""
    want = QColor(colour)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            got = QColor(image.pixel(round(x) + dx, round(y) + dy))
            diff = abs(got.red() - want.red()) + abs(got.green() - want.green())
            if diff + abs(got.blue() - want.blue()) < tol:
                return True
    return False


# -- every screen, every page, real and empty snapshots -------------------------------------------


@pytest.mark.parametrize("state", ["wye", "delta", "empty"])
def test_every_screen_renders_and_asks_only_catalogued_strings(qapp, measured, state):
    config, snapshot = measured[state]
    # IEC phase labels once (wye) is enough: they change label texts only.
    for labels in ("ABC", "123") if state == "wye" else ("ABC",):
        cfg = replace(config, display=DisplaySettings(phase_labels=labels))
        for screen in SCREENS:
            used = Recording()
            for page in range(screen.page_count(snapshot, Context(tr=tr, config=cfg))):
                image = render(screen, snapshot, Context(tr=used, config=cfg, page=page))
                assert ink(image, 0, BODY.top() + 2, WIDTH, BODY.bottom()) > 200, screen.id
            assert used.keys, screen.id
            assert sorted(set(used.keys) - set(catalogue("en"))) == [], screen.id


# -- harmonics -------------------------------------------------------------------------------------

HAND = {"V_A_1": 230.0, "HA_V_A_1": 0.0, "THD_V_A": 4.5, "H_V_A_3": 2.0, "H_V_A_5": 4.0,
        "HA_V_A_5": -30.0, "H_V_A_7": 0.0}  # fmt: skip


def test_harmonics_readout_at_the_cursor():
    ctx = Context(tr=tr, config=WYE, cursor=4)  # cursor position i is order i + 1
    assert HARMONICS.cursor_count(snap(HAND), ctx) == 7
    r = HARMONICS.readout(snap(HAND), ctx)
    assert (r.order, r.percent, r.rms, r.angle) == ("H5", "4.00 %", "9.20 V", "-30.0°")
    first = HARMONICS.readout(snap(HAND), replace(ctx, cursor=0))
    assert (first.order, first.percent, first.rms) == ("H1", "100.00 %", "230.00 V")
    # Past the highest order present the cursor stays on it; an angle not measured is dashes.
    last = HARMONICS.readout(snap(HAND), replace(ctx, cursor=40))
    assert (last.order, last.angle) == ("H7", MISSING)
    assert HARMONICS.readout(snap({}), ctx).percent == MISSING


def test_harmonics_pages_follow_the_wiring():
    assert HARMONICS.channels(Context(tr=tr, config=WYE)) == (
        "V_A", "V_B", "V_C", "I_A", "I_B", "I_C",
    )  # fmt: skip
    assert HARMONICS.channels(Context(tr=tr, config=DELTA))[:3] == ("V_AB", "V_BC", "V_CA")
    assert HARMONICS.channel(Context(tr=tr, config=DELTA, page=3)) == "I_A"
    assert HARMONICS.cursor_count(snap({}), Context(tr=tr)) == 0
    assert HARMONICS.cursor_count(snap({"V_A_1": 230.0}), Context(tr=tr)) == 1


@pytest.mark.parametrize(("top", "full"), [(4.0, 5.0), (0.0, 1.0), (0.3, 1.0), (12.0, 20.0)])
def test_harmonics_scale_fits_the_largest_harmonic(top, full):
    percents = [100.0, top, None]
    assert HARMONICS.full_scale(percents) == full
    assert HARMONICS.full_scale([100.0, 4e16]) == harmonics.MAX_FULL_SCALE


def test_harmonics_cursor_bar_is_highlighted(qapp):
    plot = harmonics.PLOT
    x5 = plot.left() + 1 + 4 * 4 + 1  # the 5th bar: 4 px pitch
    y = plot.bottom() - 10
    at_5 = render(HARMONICS, snap(HAND), Context(tr=tr, cursor=4))
    at_1 = render(HARMONICS, snap(HAND), Context(tr=tr, cursor=0))
    assert near(at_5, x5, y, COLOURS.cursor) and near(at_1, x5, y, COLOURS.bar)
    # 4 % on a 5 % scale: the bar is 4/5 of the plot high, the fundamental is clipped at the top.
    assert near(at_1, x5, plot.bottom() - 0.75 * plot.height(), COLOURS.bar)
    assert not near(at_1, x5, plot.bottom() - 0.85 * plot.height(), COLOURS.bar)
    assert not near(at_5, plot.left() + 2, plot.top() + 2, PALETTE.background, tol=10)
    # Only the chart and the read-out change with the cursor, not the header.
    assert at_5.copy(0, 0, WIDTH, BODY.top() + 18) == at_1.copy(0, 0, WIDTH, BODY.top() + 18)
    readout = (0, plot.bottom() + 20, WIDTH, BODY.bottom())
    assert at_5.copy(*readout[:2], WIDTH, 40) != at_1.copy(*readout[:2], WIDTH, 40)


# -- phasors ---------------------------------------------------------------------------------------


def test_phasor_vb_at_minus_120_points_down_left(qapp):
    image = render(PHASORS, snap({"V_B_1": 230.0, "HA_V_B_1": -120.0}), Context(tr=tr))
    red = COLOURS.phase[1]
    c, r = phasors.CENTRE, 30.0
    assert near(image, *_xy(polar_point(c, r, -120.0)), red)
    assert c.x() > polar_point(c, r, -120).x() and polar_point(c, r, -120).y() > c.y()
    for elsewhere in (120.0, -60.0, 60.0, 0.0, 180.0):
        assert not near(image, *_xy(polar_point(c, r, elsewhere)), red), elsewhere


def test_phasor_lengths_are_relative_within_voltages_and_within_currents(qapp):
    values = {"I_A_1": 100.0, "HA_I_A_1": 0.0, "I_B_1": 50.0, "HA_I_B_1": 90.0,
              "V_A_1": 230.0, "HA_V_A_1": 180.0}  # fmt: skip
    image = render(PHASORS, snap(values), Context(tr=tr))
    c, full = phasors.CENTRE, phasors.CURRENT_LENGTH
    assert near(image, *_xy(polar_point(c, 0.8 * full, 0.0)), COLOURS.phase[0])
    assert near(image, *_xy(polar_point(c, 0.4 * full, 90.0)), COLOURS.phase[1])
    assert not near(image, *_xy(polar_point(c, 0.7 * full, 90.0)), COLOURS.phase[1])
    # The only voltage is the largest voltage: full voltage length, whatever the currents.
    assert near(image, *_xy(polar_point(c, 0.9 * phasors.VOLTAGE_LENGTH, 180.0)), "#1b1b1b")


def test_phasor_table_rows():
    rows = PHASORS.rows(snap({"V_A_1": 230.0, "HA_V_A_1": 0.0, "HA_I_B_1": 200.0}),
                        Context(tr=tr))  # fmt: skip
    assert rows[0] == ["Va", "230.00 V", "0.0°"]
    assert rows[4] == ["Ib", MISSING, "-160.0°"]  # angles shown in (-180, 180]
    assert [r[0] for r in PHASORS.rows(snap({}), Context(tr=tr, config=DELTA))][:3] == [
        "Vab", "Vbc", "Vca",
    ]  # fmt: skip


def _xy(p: QPointF) -> tuple[float, float]:
    return p.x(), p.y()


# -- waveform --------------------------------------------------------------------------------------


def test_waveform_pages_differ(qapp, measured):
    config, snapshot = measured["wye"]
    volts = render(WAVEFORM, snapshot, Context(tr=tr, config=config, page=0))
    amps = render(WAVEFORM, snapshot, Context(tr=tr, config=config, page=1))
    plot = waveform.PLOT
    assert volts.copy(plot) != amps.copy(plot)
    assert ink(volts, plot.left() + 2, plot.top(), plot.right(), plot.bottom()) > 500


def _wave(neutral: float) -> Waveform:
    t = np.arange(256) / 6400.0
    v = np.array([325 * np.cos(2 * np.pi * 50 * t - k * 2 * np.pi / 3) for k in range(3)])
    i = np.vstack([v / 3.25, neutral * np.cos(2 * np.pi * 150 * t)[None, :]])
    return Waveform(WHEN, 6400.0, v, i)


def test_waveform_traces_by_wiring():
    wave = _wave(neutral=0.0)
    wye = WAVEFORM.traces(wave, Context(tr=tr, config=WYE))
    assert [ch for ch, _ in wye] == ["V_A", "V_B", "V_C"]
    delta = WAVEFORM.traces(wave, Context(tr=tr, config=DELTA))
    assert [ch for ch, _ in delta] == ["V_AB", "V_BC", "V_CA"]
    assert np.allclose(delta[0][1], wave.voltage[0] - wave.voltage[1])
    assert math.isclose(np.max(delta[0][1]), 325 * math.sqrt(3), rel_tol=1e-3)
    currents = WAVEFORM.traces(wave, Context(tr=tr, config=WYE, page=1))
    assert [ch for ch, _ in currents] == ["I_A", "I_B", "I_C"]  # I4 carries nothing
    with_n = WAVEFORM.traces(_wave(neutral=12.0), Context(tr=tr, config=WYE, page=1))
    assert [ch for ch, _ in with_n][-1] == "I_N"


def test_waveform_without_samples_says_so(qapp):
    used = Recording()
    render(WAVEFORM, snap({}), Context(tr=used))
    assert "pq.waveform.none" in used.keys
    used = Recording()
    render(WAVEFORM, snap({}, _wave(0.0)), Context(tr=used))
    assert "pq.waveform.none" not in used.keys
    assert nice_ceiling(325.3, waveform.SCALE_STEPS) == 400.0


# -- summaries -------------------------------------------------------------------------------------


def test_unbalance_rows():
    screen = pq_summary.UnbalanceScreen()
    rows = screen.rows(snap({"U2_V": 1.234, "V_SEQ_POS": 230.0}), Context(tr=tr))
    assert (rows[0].label, rows[0].value, rows[0].unit) == ("V unbal. u2", "1.23", "%")
    assert rows[1].value == MISSING  # u0 not measured
    assert (rows[3].value, rows[3].unit) == ("230.00", "V")


def test_flicker_sags_and_en50160_show_dashes_until_measured():
    empty = snap({})
    flicker = pq_summary.FlickerScreen().rows(empty, Context(tr=tr))
    assert [r.label for r in flicker][:3] == ["Pst Va", "Pst Vb", "Pst Vc"]
    assert [r.label for r in pq_summary.FlickerScreen().rows(empty, Context(tr=tr, config=DELTA))][
        3:
    ] == ["Plt Vab", "Plt Vbc", "Plt Vca"]
    for screen in (pq_summary.FlickerScreen(), pq_summary.SagSwellScreen(),
                   pq_summary.En50160Screen()):  # fmt: skip
        assert {r.value for r in screen.rows(empty, Context(tr=tr))} == {MISSING}
    assert pq_summary.FlickerScreen().rows(snap({"PST_B": 0.42}), Context(tr=tr))[1].value == "0.42"
