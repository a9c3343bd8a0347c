"""The Trend screen: a trended quantity per page, history left of "now", forecast right."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtGui import QColor
from screen_tests import Recording, ink, render

from engine.snapshot import Snapshot, TrendSeries
from screens.base import Context
from screens.trend import FORECAST, HISTORY, PLOT, TrendScreen, _x

NOW = datetime(2026, 5, 13, 12, 30, tzinfo=UTC)
SCREEN = TrendScreen()


def series(qid: str, base: float) -> TrendSeries:
    hour0 = NOW.replace(minute=0)
    history = tuple(
        (hour0 - timedelta(hours=k), base + k, base + k - 5, base + k + 5) for k in range(24)
    )[::-1]
    forecast = tuple((hour0 + timedelta(hours=k), base + 3, base, base + 6) for k in range(1, 5))
    return TrendSeries(qid, history, forecast)


def colour_count(image, colour: str, x0: int, x1: int) -> int:
    want = QColor(colour).rgb()
    return sum(
        image.pixel(x, y) == want for x in range(x0, x1) for y in range(PLOT.top(), PLOT.bottom())
    )


def test_history_left_of_now_and_forecast_right_of_it(qapp):
    snap = Snapshot(NOW, trend=(series("P_TOT", 62_000.0), series("FREQ", 50.0)))
    used = Recording()
    image = render(SCREEN, snap, Context(tr=used))
    x_now = round(PLOT.left() + _x(NOW, NOW) * PLOT.width())
    assert colour_count(image, HISTORY, PLOT.left(), x_now - 2) > 100
    assert colour_count(image, HISTORY, x_now + 3, PLOT.right()) == 0
    assert colour_count(image, FORECAST, x_now + 3, PLOT.right()) > 20
    assert colour_count(image, FORECAST, PLOT.left(), x_now - 3) == 0
    # P_TOT is labelled in kW (auto-ranged like the other screens), page 1 of 2.
    assert "quantity.P_TOT" in used.keys and "unit.kW" in used.keys
    assert SCREEN.page_count(snap, Context(tr=used)) == 2


def test_second_page_is_the_second_quantity(qapp):
    snap = Snapshot(NOW, trend=(series("P_TOT", 62_000.0), series("FREQ", 50.0)))
    used = Recording()
    render(SCREEN, snap, Context(tr=used, page=1))
    assert "quantity.FREQ" in used.keys and "unit.Hz" in used.keys


def test_without_data_empty_axes_and_a_message(qapp):
    used = Recording()
    image = render(SCREEN, Snapshot(NOW), Context(tr=used))
    assert "info.trend.none" in used.keys
    assert ink(image, PLOT.left() - 2, PLOT.top(), PLOT.left() + 2, PLOT.bottom()) > 50
