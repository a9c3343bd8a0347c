"""The menu list, the alarm and event lists, and the menu labels in the catalogue."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtGui import QColor, QImage, QPainter

from engine.snapshot import Snapshot
from i18n import catalogue, tr
from screens.alarm_lists import SCREENS as ALARM_SCREENS
from screens.base import LIST_KEYS, Context, Status
from screens.canvas import BODY, HEIGHT, PALETTE, WIDTH
from screens.lists import SCREENS, submenu_keys
from screens.menu import ROOT, SETUP, Menu, groups
from screens.widgets import LIST

WHEN = datetime(2026, 3, 14, 9, 26, 53, tzinfo=UTC)
EMPTY = Snapshot(time=WHEN)
BY_ID = {s.id: s for s in (*SCREENS, *ALARM_SCREENS)}
MAIN = tuple(e.label_key for e in ROOT.entries)


class Recorder:
    def __init__(self) -> None:
        self.keys: list[str] = []

    def __call__(self, key: str) -> str:
        self.keys.append(key)
        return tr(key)


def ctx_for(tr_=tr, **view) -> Context:
    return Context(tr=tr_, status=Status(clock=WHEN), **view)


def render(screen_id: str, ctx: Context) -> QImage:
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    BY_ID[screen_id].render(painter, EMPTY, ctx)
    painter.end()
    return image


def highlighted_rows(image: QImage) -> list[int]:
    """Visible row indices whose background is the selection colour."""
    sel = QColor(PALETTE.selection).rgb()
    rows = BODY.height() // LIST.row_height
    return [
        i
        for i in range(rows)
        if image.pixel(WIDTH // 2, BODY.top() + i * LIST.row_height + 3) == sel
    ]


def all_menus(menu: Menu = ROOT) -> list[Menu]:
    found = [menu]
    for entry in menu.entries:
        if isinstance(entry, Menu):
            found += all_menus(entry)
    return found


# -- menu ----------------------------------------------------------------------------------------


def test_every_menu_entry_and_the_main_title_are_in_the_catalogue():
    keys = {m.label_key for m in all_menus()} | {g.label_key for g in groups()}
    assert "menu.main" in keys
    assert sorted(keys - set(catalogue("en"))) == []
    assert tr("menu.setup") == "Setup Menu"


def test_menu_screen_interface():
    menu = BY_ID["menu"]
    ctx = ctx_for(items=MAIN)
    assert menu.softkeys(EMPTY, ctx) == LIST_KEYS
    assert menu.item_count(EMPTY, ctx) == len(MAIN)
    assert menu.page_count(EMPTY, ctx) == 1 and menu.cursor_count(EMPTY, ctx) == 0


def test_menu_rows_are_the_translated_items_and_mark_submenus():
    rows = BY_ID["menu"].rows(ctx_for(items=MAIN))
    assert rows[0].text == "Alarms" and not rows[0].submenu
    assert rows[-1].text == "Setup Menu" and rows[-1].submenu
    assert submenu_keys() == {"menu.main", "menu.setup"}


def test_menu_draws_its_title_items_and_catalogue_strings(qapp):
    recorder = Recorder()
    setup = tuple(e.label_key for e in SETUP.entries)
    render("menu", ctx_for(recorder, items=setup, title_key="menu.setup"))
    assert "menu.setup" in recorder.keys
    assert set(setup) <= set(recorder.keys)
    render("menu", ctx_for(recorder, items=MAIN))  # no title key: the main menu's
    assert "menu.main" in recorder.keys
    assert sorted(set(recorder.keys) - set(catalogue("en"))) == []


@pytest.mark.parametrize(("selection", "row"), [(0, 0), (3, 3), (6, 3), (11, 6)])
def test_selection_is_highlighted_and_kept_in_view(qapp, selection, row):
    image = render("menu", ctx_for(items=MAIN, selection=selection))
    assert highlighted_rows(image) == [row]


def test_moving_the_selection_changes_only_the_two_rows(qapp):
    a = render("menu", ctx_for(items=MAIN, selection=1))
    b = render("menu", ctx_for(items=MAIN, selection=2))
    ys = {y for x in range(WIDTH) for y in range(HEIGHT) if a.pixel(x, y) != b.pixel(x, y)}
    rows = {(y - BODY.top()) // LIST.row_height for y in ys}
    assert rows == {1, 2}


def test_short_list_has_no_scroll_bar(qapp):
    short = render("menu", ctx_for(items=MAIN[:3]))
    long = render("menu", ctx_for(items=MAIN))
    edge = (WIDTH - 3, BODY.top() + BODY.height() // 2)
    bg = QColor(PALETTE.background).rgb()
    assert short.pixel(*edge) == bg and long.pixel(*edge) != bg


# -- alarm and event lists -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("screen_id", "message"),
    [
        ("alarms.active", "No active alarms"),
        ("alarms.history", "No alarm history"),
    ],
)
def test_empty_lists_show_their_message_centred(qapp, screen_id, message):
    recorder = Recorder()
    image = render(screen_id, ctx_for(recorder))
    assert message in {tr(k) for k in recorder.keys}
    assert BY_ID[screen_id].title_key in recorder.keys
    assert sorted(set(recorder.keys) - set(catalogue("en"))) == []
    bg = QColor(PALETTE.background).rgb()
    ink = [
        (x, y)
        for x in range(WIDTH)
        for y in range(BODY.top(), BODY.bottom())
        if image.pixel(x, y) != bg
    ]
    xs, ys = [x for x, _ in ink], [y for _, y in ink]
    assert abs((min(xs) + max(xs)) / 2 - WIDTH / 2) < 4
    assert abs((min(ys) + max(ys)) / 2 - BODY.center().y()) < 4
    assert BY_ID[screen_id].item_count(EMPTY, ctx_for()) == 0


def test_list_screens_are_in_the_menu_tree():
    in_tree = {s for g in groups() for s in g.screens}
    assert {"alarms.active", "alarms.history", "events.log"} <= in_tree
