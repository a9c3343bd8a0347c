"""Basic Reading summary screen (basic.summary), the shared formatters and the English
catalogue."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType

import pytest
from PySide6.QtGui import QColor, QImage, QPainter

from engine.config import DisplaySettings, MeterConfig
from engine.quantities import QUANTITIES
from engine.snapshot import Snapshot
from i18n import catalogue, tr, translator
from screens.base import Context, Status
from screens.basic_reading import BasicReadingScreen, columns
from screens.canvas import (
    BODY,
    HEIGHT,
    MISSING,
    PALETTE,
    PREFIXES,
    RANGED_UNITS,
    TITLE_HEIGHT,
    WIDTH,
    format_register,
    format_stamp,
    format_time,
    format_value,
    group_digits,
)

NAN = float("nan")
WYE = {
    "V_A": 230.12, "V_B": 229.87, "V_C": 231.04, "V_AB": 398.6, "V_BC": 399.1, "V_CA": 397.9,
    "I_A": 100.14, "I_B": 99.5, "I_C": 101.2, "I_N": 12.0, "FREQ": 50.002, "P_TOT": 62100.0,
}  # fmt: skip
# Delta: the engine publishes no line-to-neutral voltages and no neutral current.
DELTA = {k: v for k, v in WYE.items() if k not in ("V_A", "V_B", "V_C", "I_N")}
WHEN = datetime(2026, 3, 14, 9, 26, 53, tzinfo=UTC)
WYE_CONFIG = MeterConfig()
DELTA_CONFIG = MeterConfig(wiring="3W-DELTA")


def snap(values: dict[str, float], when: datetime = WHEN) -> Snapshot:
    return Snapshot(time=when, values=MappingProxyType(values))


def context(
    tr_: Callable[[str], str] = tr,
    config: MeterConfig = WYE_CONFIG,
    clock: datetime | None = WHEN,
) -> Context:
    return Context(tr=tr_, config=config, status=Status(clock=clock))


def render(snapshot: Snapshot, ctx: Context | None = None) -> QImage:
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    BasicReadingScreen().render(painter, snapshot, ctx or context())
    painter.end()
    return image


def pixels(image: QImage, x0: int, y0: int, x1: int, y1: int) -> list[int]:
    """The pixels in [x0, x1) × [y0, y1)."""
    return [image.pixel(x, y) for x in range(x0, x1) for y in range(y0, y1)]


def ink(image: QImage, x0: int, y0: int, x1: int, y1: int) -> int:
    """How many pixels in [x0, x1) × [y0, y1) are not background."""
    bg = QColor(PALETTE.background).rgb()
    return sum(p != bg for p in pixels(image, x0, y0, x1, y1))


# -- formatter -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "expected"),
    [
        (230.12, "V", None, ("230.12", "V")),
        (23012.0, "V", None, ("23.012", "kV")),
        (NAN, "V", None, (MISSING, "V")),
        (None, "A", None, (MISSING, "A")),
        (math.inf, "A", None, (MISSING, "A")),
        (230.12, "V", 1, ("230.1", "V")),  # the meter's resolution setting caps the decimals
        (23012.0, "V", 1, ("23.012", "kV")),  # the cap grows by 3 decimals per prefix step
        (100.1362, "A", 3, ("100.14", "A")),
        (0.0, "A", 3, ("0.000", "A")),
        (-0.0001, "A", 3, ("0.000", "A")),  # no "-0.000"
        (62100.0, "W", 1, ("62.100", "kW")),
        (-62100.0, "W", 1, ("-62.100", "kW")),  # received power keeps its sign
        (1.5e6, "var", None, ("1.5000", "Mvar")),
        (999.996, "V", None, ("1.0000", "kV")),  # ranged on the rounded value
        (50.002, "Hz", 3, ("50.002", "Hz")),
        (12345.0, "Hz", None, ("12345", "Hz")),  # Hz never takes a prefix
        (0.8988, "", 3, ("0.899", "")),
        (7.2e12, "Wh", 1, ("7200.0", "GWh")),  # beyond the last prefix: more integer digits
    ],
)
def test_format_value(value, unit, decimals, expected):
    assert format_value(value, unit, decimals) == expected


def test_format_value_significant_digits():
    assert format_value(230.12345, "V", digits=6) == ("230.123", "V")
    with pytest.raises(ValueError):
        format_value(1.0, "V", digits=7)


CLOCK = datetime(2026, 3, 14, 21, 6, 3, tzinfo=UTC)


# -- more formatters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "grouping", "expected"),
    [
        ("1234567.8", "comma", "1,234,567.8"),
        ("-1234567.8", "space", "-1 234 567.8"),
        ("123.4", "comma", "123.4"),
        ("1234", "none", "1234"),
        (MISSING, "comma", MISSING),
    ],
)
def test_group_digits(text, grouping, expected):
    assert group_digits(text, grouping) == expected


def test_format_value_grouping():
    assert format_value(7.2e12, "Wh", 1, grouping="comma") == ("7,200.0", "GWh")
    assert format_value(230.12, "V", 1, grouping="comma") == ("230.1", "V")


@pytest.mark.parametrize(
    ("wh", "grouping", "expected"),
    [
        (48.3, "none", ("0.048", "kWh")),
        (12_345_678_900.0, "comma", ("12,345,678.9", "kWh")),
        (-45_000.0, "none", ("-45.000", "kWh")),
        (-0.1, "none", ("0.000", "kWh")),
        (float("nan"), "none", (MISSING, "kWh")),
        (2.5e12, "none", ("2500000000", "kWh")),
    ],
)
def test_format_register(wh, grouping, expected):
    assert format_register(wh, "Wh", grouping) == expected


def test_format_time_and_stamp():
    settings12 = DisplaySettings(time_format="12h")
    assert format_time(CLOCK.replace(hour=0), settings12, tr) == "12:06:03 AM"
    assert format_time(CLOCK.replace(hour=12), settings12, tr) == "12:06:03 PM"
    assert format_time(CLOCK, DisplaySettings(), tr, seconds=False) == "21:06"
    assert format_stamp(None, DisplaySettings(), tr) == MISSING
    # Stamps (UTC from the engine) are shown in the display clock's time zone.
    local = CLOCK.astimezone(timezone(timedelta(hours=2)))
    assert format_stamp(CLOCK, DisplaySettings(), tr, local) == "2026-03-14 23:06:03"


# -- catalogue -----------------------------------------------------------------------------------


def test_tr_falls_back_to_english_then_to_the_key():
    assert tr("screen.basic_reading.title") == "Basic Reading"
    assert tr("screen.basic_reading.title", "xx") == "Basic Reading"  # no catalogue yet
    assert tr("no.such.key") == "no.such.key"  # visible on screen, not a crash


def test_every_string_the_screen_draws_is_in_the_catalogue(qapp):
    used: list[str] = []

    def recording(key: str) -> str:
        used.append(key)
        return tr(key)

    for values, config in ((WYE, WYE_CONFIG), (DELTA, DELTA_CONFIG), ({}, WYE_CONFIG)):
        render(snap(values), context(recording, config))
    render(snap(dict.fromkeys(WYE, NAN)), context(recording))
    assert used
    assert sorted(set(used) - set(catalogue("en"))) == []


def test_every_unit_the_formatter_can_produce_is_in_the_catalogue():
    units = {q.unit for q in QUANTITIES.values() if q.unit}
    symbols = {p + u for u in units & RANGED_UNITS for p in PREFIXES} | (units - RANGED_UNITS)
    assert sorted(s for s in symbols if f"unit.{s}" not in catalogue("en")) == []


# -- rows and rendering --------------------------------------------------------------------------


def test_screen_interface():
    screen = BasicReadingScreen()
    assert screen.id == "basic.summary"
    ctx = context()
    assert screen.page_count(snap(WYE), ctx) == 1
    assert screen.cursor_count(snap(WYE), ctx) == 0
    assert [k.action for k in screen.softkeys(snap(WYE), ctx)] == ["up", "down", None, "back"]


def test_rows_wye():
    left, right = BasicReadingScreen().rows(snap(WYE), context(translator("en")))
    assert [(r.label, r.value, r.unit) for r in left[:4]] == [
        ("Va", "230.1", "V"), ("Vb", "229.9", "V"), ("Vc", "231.0", "V"), ("Vab", "398.6", "V"),
    ]  # fmt: skip
    assert [(r.label, r.value, r.unit) for r in right] == [
        ("Ia", "100.14", "A"), ("Ib", "99.500", "A"), ("Ic", "101.20", "A"), ("In", "12.000", "A"),
        ("Freq", "50.002", "Hz"), ("P tot", "62.100", "kW"),
    ]  # fmt: skip


def test_rows_delta_hide_line_to_neutral_and_neutral():
    ctx = context(config=DELTA_CONFIG)
    left, right = BasicReadingScreen().rows(snap(DELTA), ctx)
    assert [r.label for r in left] == ["Vab", "Vbc", "Vca"]
    assert [r.label for r in right] == ["Ia", "Ib", "Ic", "Freq", "P tot"]
    # A value that is not measured (NaN or absent) shows dashes on its row.
    left, right = BasicReadingScreen().rows(snap({**DELTA, "FREQ": NAN}), ctx)
    assert right[3].value == MISSING


def test_columns_follow_the_wiring():
    assert columns(context(config=MeterConfig(wiring="1P-2W"))) == (
        ["V_A"],
        ["I_A", "FREQ", "P_TOT"],
    )
    left, right = columns(context(config=MeterConfig(wiring="SPLIT-3W")))
    assert left == ["V_A", "V_B", "V_AB"] and right == ["I_A", "I_B", "I_N", "FREQ", "P_TOT"]


def test_render_draws_title_bar_and_table(qapp):
    image = render(snap(WYE))
    title = QColor(PALETTE.title_bar).rgb()
    assert image.pixel(WIDTH // 2, TITLE_HEIGHT // 2) == title  # between title and status
    assert image.pixel(WIDTH // 2, TITLE_HEIGHT + 2) != title
    # Ink in every table row of both columns (30 px rows from the body's top + 4 px margin).
    for col in (0, 1):
        x0 = 4 + col * 158
        for row in range(6):
            y0 = BODY.top() + 4 + row * 30
            assert ink(image, x0 + 40, y0 + 4, x0 + 150, y0 + 26) > 50, (col, row)


def test_render_changes_with_values_and_clock(qapp):
    base = render(snap(WYE))
    changed = render(snap({**WYE, "I_A": 250.0}))
    later = render(snap(WYE), context(clock=WHEN.replace(second=54)))
    assert ink(base, 0, 0, WIDTH, HEIGHT) > 0
    assert base != changed and base != later
    # Only the I_A value cell differs (right column, first row).
    diff = [
        (x, y)
        for x in range(WIDTH)
        for y in range(HEIGHT)
        if base.pixel(x, y) != changed.pixel(x, y)
    ]
    assert min(x for x, _ in diff) > WIDTH // 2
    assert min(y for _, y in diff) >= BODY.top()
    assert max(y for _, y in diff) < BODY.top() + 4 + 30


def test_render_without_clock_blanks_it(qapp):
    blank = render(snap(WYE), context(clock=None))
    # The clock is the status clock, not the snapshot's time: none is drawn at any time.
    assert render(snap(WYE, WHEN.replace(hour=1)), context(clock=None)) == blank
    title = QColor(PALETTE.title_bar).rgb()
    clock = (WIDTH - 30, 0, WIDTH, TITLE_HEIGHT)  # the end of the time line
    assert set(pixels(render(snap(WYE)), *clock)) != {title}
