"""The shared chrome (title bar status, soft-key icons), the formatters and the body widgets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QPointF, QRect
from PySide6.QtGui import QColor, QImage, QPainter

from engine.config import DisplaySettings, MeterConfig
from i18n import catalogue, tr
from screens.base import ACTIONS, NO_KEY, Bell, Context, SoftKey, Status
from screens.canvas import (
    BODY,
    HEIGHT,
    KEY_CELL,
    PALETTE,
    SOFTKEY_BAR,
    TITLE_HEIGHT,
    WIDTH,
    draw_chrome,
)
from screens.icons import KEY_ICONS, draw_key_icon
from screens.widgets import (
    ListRow,
    Stamped,
    StampedRow,
    draw_list,
    draw_stamped_table,
    first_visible,
)

WHEN = datetime(2026, 3, 14, 21, 6, 3, tzinfo=UTC)
KEYS = (SoftKey("up"), SoftKey("down"), SoftKey("more"), SoftKey("back"))
TITLE_BAR = (0, 0, WIDTH, TITLE_HEIGHT)


class Recorder:
    """A ``tr`` that remembers the keys it was asked for."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    def __call__(self, key: str) -> str:
        self.keys.append(key)
        return tr(key)


class TextPainter(QPainter):
    """A painter that remembers every string drawn through ``drawText``."""

    def __init__(self, device) -> None:
        super().__init__(device)
        self.texts: list[str] = []

    def drawText(self, *args) -> None:
        self.texts.extend(a for a in args if isinstance(a, str))
        super().drawText(*args)


def chrome(
    status: Status | None = None,
    title: str = "Basic Reading",
    keys=KEYS,
    settings: DisplaySettings | None = None,
    tr_=tr,
) -> tuple[QImage, list[str]]:
    status = status or Status()
    settings = settings or DisplaySettings()
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
    painter = TextPainter(image)
    ctx = Context(tr=tr_, config=MeterConfig(display=settings), status=status)
    draw_chrome(painter, title, ctx, keys)
    painter.end()
    return image, painter.texts


def count(image: QImage, colour: str, box: tuple[int, int, int, int], tol: int = 40) -> int:
    """Pixels in ``box`` (x0, y0, x1, y1) within ``tol`` per channel of ``colour``."""
    want = QColor(colour)
    n = 0
    for x in range(box[0], box[2]):
        for y in range(box[1], box[3]):
            c = QColor(image.pixel(x, y))
            diff = max(abs(c.red() - want.red()), abs(c.green() - want.green()))
            n += max(diff, abs(c.blue() - want.blue())) <= tol
    return n


# -- title bar -----------------------------------------------------------------------------------


def test_title_bar_shows_clock_mode_and_title(qapp):
    _, texts = chrome(Status(clock=WHEN))
    assert texts[:3] == ["2026-03-14", "21:06:03", "NORM"]
    assert "Basic Reading" in texts
    _, texts = chrome(Status(clock=None))
    assert not any(t[:1].isdigit() for t in texts)  # no date, no time


def test_clock_follows_date_and_time_format(qapp):
    settings = DisplaySettings(date_format="DD/MM/YYYY", time_format="12h")
    recorder = Recorder()
    _, texts = chrome(Status(clock=WHEN), settings=settings, tr_=recorder)
    assert texts[:2] == ["14/03/2026", "9:06:03 PM"]
    assert "chrome.pm" in recorder.keys
    _, texts = chrome(Status(clock=WHEN), settings=DisplaySettings(date_format="MM/DD/YYYY"))
    assert texts[0] == "03/14/2026"


@pytest.mark.parametrize("mode", ["NORM", "ALT", "TEST"])
def test_mode_indicator(qapp, mode):
    recorder = Recorder()
    image, texts = chrome(Status(mode=mode, clock=WHEN), tr_=recorder)
    assert f"chrome.mode.{mode}" in recorder.keys
    assert mode in texts
    # Only TEST is highlighted (amber tag).
    amber = count(image, PALETTE.test_bg, TITLE_BAR, tol=20)
    assert (amber > 60) == (mode == "TEST")


def near(image: QImage, x: int, y: int, colour: str, tol: int = 30) -> bool:
    return count(image, colour, (x, y, x + 1, y + 1), tol) == 1


def test_padlock_colour_follows_revenue_lock(qapp):
    unlocked, _ = chrome(Status(locked=False))
    locked, _ = chrome(Status(locked=True))
    # The pixels that change with the lock are the padlock's: grey when open, green when closed.
    changed = [
        (x, y) for x in range(WIDTH) for y in range(TITLE_HEIGHT)
        if unlocked.pixel(x, y) != locked.pixel(x, y)
    ]  # fmt: skip
    assert len(changed) > 40
    assert all(x > WIDTH // 2 for x, _ in changed)
    assert sum(near(locked, x, y, PALETTE.lock_on) for x, y in changed) > 40
    assert sum(near(unlocked, x, y, PALETTE.lock_off) for x, y in changed) > 25
    assert not any(near(unlocked, x, y, PALETTE.lock_on) for x, y in changed)
    assert not any(near(locked, x, y, PALETTE.lock_off, 15) for x, y in changed)
    # Open and closed shackles differ in shape, not only in colour.
    shape = [{(x, y) for x, y in changed if not near(img, x, y, PALETTE.title_bar, 60)}
             for img in (unlocked, locked)]  # fmt: skip
    assert shape[0] != shape[1]


@pytest.mark.parametrize(
    ("priority", "colour"),
    [("high", PALETTE.bell_high), ("medium", PALETTE.bell_medium), ("low", PALETTE.bell_low)],
)
def test_bell_colour_follows_priority(qapp, priority, colour):
    filled, _ = chrome(Status(bell=Bell(priority, filled=True)))
    outline, _ = chrome(Status(bell=Bell(priority, filled=False)))
    none, _ = chrome(Status(bell=None))
    assert count(filled, colour, TITLE_BAR, tol=30) > 60
    assert 15 < count(outline, colour, TITLE_BAR, tol=30) < count(filled, colour, TITLE_BAR, tol=30)
    for other in {PALETTE.bell_high, PALETTE.bell_medium, PALETTE.bell_low} - {colour}:
        assert count(filled, other, TITLE_BAR, tol=20) == 0
    assert count(none, colour, TITLE_BAR, tol=30) == 0


def test_title_is_elided_only_when_it_cannot_fit(qapp):
    full = Status(mode="TEST", locked=True, bell=Bell("high", True), clock=WHEN)
    for title in ("Date/Time/Clock Setup", "Communications Setup", "Min/Max Voltage"):
        _, texts = chrome(full, title=title)
        assert title in texts
    long = "A title far too long to fit in the bar beside the status icons"
    _, texts = chrome(full, title=long)
    shown = [t for t in texts if t.startswith("A title")]
    assert shown and shown[0].endswith("…") and len(shown[0]) < len(long)


# -- soft keys -----------------------------------------------------------------------------------


def cell_ink(image: QImage, i: int) -> int:
    bar = QColor(PALETTE.softkey_bar).rgb()
    box = QRect(i * KEY_CELL + 4, SOFTKEY_BAR.top() + 4, KEY_CELL - 8, SOFTKEY_BAR.height() - 8)
    return sum(
        image.pixel(x, y) != bar
        for x in range(box.left(), box.right())
        for y in range(box.top(), box.bottom())
    )


def test_softkey_icons_are_drawn_over_their_keys(qapp):
    image, texts = chrome(keys=(SoftKey("up"), NO_KEY, SoftKey("select"), SoftKey("back")))
    assert [cell_ink(image, i) > 20 for i in range(4)] == [True, False, True, True]
    assert texts == [t for t in texts if t]  # icons are shapes, not text
    assert not {"▲", "✓", "↩"} & set(texts)


def test_every_action_has_an_icon_or_a_catalogue_label(qapp):
    for action in ACTIONS:
        recorder = Recorder()
        image, _ = chrome(keys=(SoftKey(action), NO_KEY, NO_KEY, NO_KEY), tr_=recorder)
        assert cell_ink(image, 0) > 15, action
        if action not in KEY_ICONS:
            assert f"chrome.key.{action}" in recorder.keys
            assert f"chrome.key.{action}" in catalogue("en")


def test_icons_differ_and_stay_in_their_cell(qapp):
    seen = set()
    for name in KEY_ICONS:
        image = QImage(40, 40, QImage.Format.Format_RGB32)
        image.fill(QColor("black"))
        painter = QPainter(image)
        assert draw_key_icon(painter, name, QPointF(20, 20), 14, QColor("white"))
        painter.end()
        lit = frozenset(
            (x, y) for x in range(40) for y in range(40) if image.pixel(x, y) != 0xFF000000
        )
        assert lit, name
        assert all(9 <= x <= 31 and 9 <= y <= 31 for x, y in lit), name
        seen.add(lit)
    assert len(seen) == len(KEY_ICONS)
    assert not draw_key_icon(QPainter(), "ack", QPointF(0, 0), 14, QColor("white"))


def test_chrome_strings_are_in_the_catalogue(qapp):
    recorder = Recorder()
    for mode in ("NORM", "ALT", "TEST"):
        for fmt in ("24h", "12h"):
            status = Status(mode=mode, clock=WHEN.replace(hour=9), bell=Bell("low", True))
            keys = (SoftKey("ack"), SoftKey("edit"), SoftKey("cancel"), SoftKey("select"))
            chrome(status, keys=keys, settings=DisplaySettings(time_format=fmt), tr_=recorder)
    assert sorted(set(recorder.keys) - set(catalogue("en"))) == []


# -- list and timestamped table ------------------------------------------------------------------


def test_first_visible_keeps_the_selection_in_view():
    assert first_visible(5, 4, 7) == 0
    assert first_visible(12, 0, 7) == 0
    assert first_visible(12, 6, 7) == 3
    assert first_visible(12, 11, 7) == 5
    for sel in range(12):
        top = first_visible(12, sel, 7)
        assert top <= sel < top + 7


def test_list_highlights_the_selection_and_scrolls(qapp):
    rows = [ListRow(f"Item {i}", submenu=i == 2) for i in range(12)]
    for selection, top in ((0, 0), (11, 5)):
        image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
        image.fill(QColor(PALETTE.background))
        painter = QPainter(image)
        assert draw_list(painter, BODY, rows, selection) == top
        painter.end()
        row_y = BODY.top() + (selection - top) * 26 + 13
        assert QColor(image.pixel(WIDTH // 2, row_y)) == QColor(PALETTE.selection)
        other_y = BODY.top() + 13 if selection != top else BODY.top() + 26 + 13
        assert QColor(image.pixel(WIDTH // 2, other_y)) == QColor(PALETTE.background)
        # A scroll bar runs down the right edge.
        assert (
            count(image, PALETTE.scrollbar, (WIDTH - 5, BODY.top(), WIDTH, BODY.bottom()), 10) > 20
        )


def test_stamped_table_draws_values_and_stamps(qapp):
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
    painter = TextPainter(image)
    cell = Stamped("65.521", "kW", "2026-03-13 17:45:00")
    row = StampedRow("P", (cell, cell))
    draw_stamped_table(painter, BODY, [row], ("Minimum", "Maximum"), "1/2")
    painter.end()
    assert painter.texts.count("2026-03-13 17:45:00") == 2
    assert {"Minimum", "Maximum", "1/2", "P", "65.521", "kW"} <= set(painter.texts)
