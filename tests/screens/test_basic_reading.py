"""Basic Reading screen, the shared value formatter and the English catalogue."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from types import MappingProxyType

import pytest
from PySide6.QtGui import QColor, QImage, QPainter

from engine.quantities import QUANTITIES
from engine.snapshot import Snapshot
from i18n import catalogue, tr, translator
from screens.basic_reading import LEFT, RIGHT, BasicReadingScreen
from screens.canvas import (
    BODY,
    HEIGHT,
    MISSING,
    PALETTE,
    PREFIXES,
    RANGED_UNITS,
    TITLE_HEIGHT,
    WIDTH,
    format_value,
)

NAN = float("nan")
WYE = {
    "V_A": 230.12, "V_B": 229.87, "V_C": 231.04, "V_AB": 398.6, "V_BC": 399.1, "V_CA": 397.9,
    "I_A": 100.14, "I_B": 99.5, "I_C": 101.2, "I_N": 12.0, "FREQ": 50.002, "P_TOT": 62100.0,
}  # fmt: skip
# Delta: the engine publishes no line-to-neutral voltages and no neutral current.
DELTA = {k: v for k, v in WYE.items() if k not in ("V_A", "V_B", "V_C", "I_N")}
WHEN = datetime(2026, 3, 14, 9, 26, 53, tzinfo=UTC)


def snap(values: dict[str, float], when: datetime = WHEN) -> Snapshot:
    return Snapshot(time=when, values=MappingProxyType(values))


def render(snapshot: Snapshot, tr_: Callable[[str], str] = tr) -> QImage:
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    BasicReadingScreen().render(painter, snapshot, tr_)
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

    for values in (WYE, DELTA, {}, dict.fromkeys(WYE, NAN)):
        render(snap(values), recording)
    assert used
    assert sorted(set(used) - set(catalogue("en"))) == []


def test_every_unit_the_formatter_can_produce_is_in_the_catalogue():
    units = {q.unit for q in QUANTITIES.values() if q.unit}
    symbols = {p + u for u in units & RANGED_UNITS for p in PREFIXES} | (units - RANGED_UNITS)
    assert sorted(s for s in symbols if f"unit.{s}" not in catalogue("en")) == []


def test_screen_labels_are_in_the_catalogue():
    keys = {QUANTITIES[line.qid].label_key for line in LEFT + RIGHT}
    assert sorted(keys - set(catalogue("en"))) == []


# -- rows and rendering --------------------------------------------------------------------------


def test_rows_wye():
    left, right = BasicReadingScreen().rows(snap(WYE), translator("en"))
    assert [(r.label, r.value, r.unit) for r in left[:4]] == [
        ("Van", "230.1", "V"), ("Vbn", "229.9", "V"), ("Vcn", "231.0", "V"), ("Vab", "398.6", "V"),
    ]  # fmt: skip
    assert [(r.label, r.value, r.unit) for r in right] == [
        ("Ia", "100.14", "A"), ("Ib", "99.500", "A"), ("Ic", "101.20", "A"), ("In", "12.000", "A"),
        ("Freq", "50.002", "Hz"), ("P tot", "62.100", "kW"),
    ]  # fmt: skip


def test_rows_delta_hide_line_to_neutral_and_neutral():
    left, right = BasicReadingScreen().rows(snap(DELTA), translator("en"))
    assert [r.label for r in left] == ["Vab", "Vbc", "Vca"]
    assert [r.label for r in right] == ["Ia", "Ib", "Ic", "Freq", "P tot"]
    # NaN (not measured) hides an optional row too; a required row shows dashes.
    left, right = BasicReadingScreen().rows(snap({**DELTA, "V_A": NAN, "FREQ": NAN}), tr)
    assert len(left) == 3
    assert right[3].value == MISSING


def test_render_draws_title_bar_and_table(qapp):
    image = render(snap(WYE))
    title = QColor(PALETTE.title_bar).rgb()
    assert image.pixel(WIDTH // 2, TITLE_HEIGHT // 2) == title  # between title and clock
    assert image.pixel(WIDTH // 2, TITLE_HEIGHT + 2) != title
    # Ink in every table row of both columns (30 px rows from the body's top + 4 px margin).
    for col in (0, 1):
        x0 = 4 + col * 158
        for row in range(6):
            y0 = BODY.top() + 4 + row * 30
            assert ink(image, x0 + 40, y0 + 4, x0 + 150, y0 + 26) > 50, (col, row)
    # Nothing drawn in the soft-key bar yet.
    assert ink(image, 0, BODY.bottom() + 1, WIDTH, HEIGHT) == 0


def test_render_changes_with_values_and_clock(qapp):
    base = render(snap(WYE))
    changed = render(snap({**WYE, "I_A": 250.0}))
    later = render(snap(WYE, WHEN.replace(second=54)))
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
    assert max(y for _, y in diff) < BODY.top() + 4 + 30


def test_render_without_data_blanks_the_clock(qapp):
    clock = (WIDTH // 2, 0, WIDTH, TITLE_HEIGHT)
    title = QColor(PALETTE.title_bar).rgb()
    assert set(pixels(render(snap({})), *clock)) == {title}
    assert set(pixels(render(snap(WYE)), *clock)) != {title}
