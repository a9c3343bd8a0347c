"""The navigation state machine: keys and time in, the view out (no Qt application, no clock)."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.config import DisplaySettings, MeterConfig
from engine.snapshot import Snapshot
from hmi.navigation import KEYS, MENU_SCREEN, Navigator
from hmi.timing import INACTIVITY_TIMEOUT
from screens.base import (
    ACTIONS,
    CURSOR_KEYS,
    DATA_KEYS,
    LIST_KEYS,
    NO_KEY,
    Context,
    SoftKey,
    Status,
)
from screens.menu import ALT_SCREENS, DEFAULT_SCREEN, NORM_SCREENS, ROOT, Menu

SNAP = Snapshot(datetime(2026, 1, 1, 12, tzinfo=UTC))
ROOT_DIR = Path(__file__).resolve().parents[2]


@dataclass
class FakeScreen:
    """A screen with a chosen number of pages and cursor positions; records its contexts."""

    id: str
    pages: int = 1
    cursors: int = 0
    rows: int = 0
    keys: tuple[SoftKey, ...] = DATA_KEYS
    seen: list[Context] = field(default_factory=list)
    title_key: str = "fake.title"

    def softkeys(self, snapshot: Snapshot, ctx: Context) -> tuple[SoftKey, ...]:
        self.seen.append(ctx)
        return self.keys

    def page_count(self, snapshot: Snapshot, ctx: Context) -> int:
        return self.pages

    def cursor_count(self, snapshot: Snapshot, ctx: Context) -> int:
        return self.cursors

    def item_count(self, snapshot: Snapshot, ctx: Context) -> int:
        return self.rows


class FakeRegistry:
    """Every screen id answers with a plain FakeScreen unless given one."""

    def __init__(self, *special: FakeScreen) -> None:
        self.screens = {s.id: s for s in special}

    def __call__(self, screen_id: str) -> FakeScreen:
        return self.screens.setdefault(screen_id, FakeScreen(screen_id))


def make(*special: FakeScreen, now: float = 0.0, **settings) -> Navigator:
    return Navigator(FakeRegistry(*special), DisplaySettings(**settings), now=now)


def press(nav: Navigator, *keys: str, now: float = 1.0) -> list[bool]:
    return [nav.press(key, SNAP, now) for key in keys]


def open_group(nav: Navigator, entry: int, now: float = 1.0) -> None:
    press(nav, "home", *["down"] * entry, "select", now=now)


# -- menus and groups ----------------------------------------------------------------------


def test_power_up_shows_the_default_screen_in_norm_auto_scrolling():
    view = make().view
    assert (view.screen_id, view.mode, view.backlight, view.scrolling) == (
        DEFAULT_SCREEN, "NORM", True, True,
    )  # fmt: skip


def test_home_down_down_select_down_reaches_the_second_power_screen():
    nav = make()
    assert press(nav, "home", "down", "down", "select", "down") == [True] * 5
    assert nav.view.screen_id == "power.reactive"
    # the same with the soft keys (menu: ▲ ▼ ✓ back; data screen: ▲ ▼ more back)
    nav = make()
    press(nav, "home", "soft2", "soft2", "soft3", "soft2")
    assert nav.view.screen_id == "power.reactive"


def test_menu_view_lists_the_entries_of_the_menu_shown():
    nav = make()
    press(nav, "home", "up")  # wraps to the last entry: Setup
    view = nav.view
    assert view.screen_id == MENU_SCREEN and view.title_key == "menu.main"
    assert view.items == tuple(e.label_key for e in ROOT.entries)
    assert view.selection == len(ROOT.entries) - 1
    press(nav, "select", "down", "down", "down")
    assert nav.view.title_key == "menu.setup" and nav.view.items[3] == "menu.setup_datetime"


def test_back_returns_to_the_entry_each_level_was_left_at():
    nav = make()
    press(nav, "home", "up", "select", "down", "down", "down", "select", "down")
    assert nav.view.screen_id == "setup.clock"
    press(nav, "back")
    assert (nav.view.title_key, nav.view.selection) == ("menu.setup", 3)
    press(nav, "back")
    assert (nav.view.title_key, nav.view.selection) == ("menu.main", len(ROOT.entries) - 1)
    press(nav, "back")  # from the main menu: the default screen, auto-scroll stays off
    assert (nav.view.screen_id, nav.view.scrolling) == (DEFAULT_SCREEN, False)


def test_group_screens_wrap_both_ways():
    nav = make()
    open_group(nav, 1)  # Basic Reading: six screens
    press(nav, "up")
    assert nav.view.screen_id == "basic.power"
    press(nav, "down")
    assert nav.view.screen_id == "basic.summary"


def test_back_from_the_mode_list_opens_the_menu_of_the_screens_group():
    nav = make()
    press(nav, "back")
    assert (nav.view.title_key, nav.view.selection) == ("menu.main", 1)  # Basic Reading


def test_a_key_stops_auto_scroll_and_arrows_then_page_the_norm_list():
    nav = make()
    nav.tick(SNAP, 5.0)
    press(nav, "down", now=7.0)
    assert (nav.view.screen_id, nav.view.scrolling) == (NORM_SCREENS[2], False)
    assert nav.tick(SNAP, 100.0) is False
    press(nav, "up", "up", "up", now=101.0)
    assert nav.view.screen_id == NORM_SCREENS[-1]


# -- pages, cursor, soft keys --------------------------------------------------------------


def test_more_steps_pages_with_wrap_and_a_new_screen_starts_on_page_one():
    nav = make(FakeScreen("power.active", pages=3))
    open_group(nav, 2)
    assert [press(nav, "more")[0] and nav.view.page for _ in range(3)] == [1, 2, 0]
    press(nav, "more", "down", "up")
    assert (nav.view.screen_id, nav.view.page) == ("power.active", 0)


def test_one_page_screen_ignores_more_and_blank_soft_keys():
    nav = make()
    open_group(nav, 2)
    assert press(nav, "more", "soft3") == [False, False]


def test_cursor_wraps_and_resets_with_the_screen():
    keys = (SoftKey("left"), SoftKey("right"), SoftKey("down"), SoftKey("back"))
    nav = make(FakeScreen("pq.harmonics", cursors=4, keys=keys))
    open_group(nav, 5)
    press(nav, "left")
    assert nav.view.cursor == 3
    press(nav, *["right"] * 5)
    assert nav.view.cursor == 0
    assert press(nav, "right", "up") == [True, False]  # no soft key shows "up" here
    assert nav.view.cursor == 1
    press(nav, "soft3")
    assert (nav.view.screen_id, nav.view.cursor) == ("pq.phasors", 0)


def test_keyboard_action_without_a_soft_key_does_nothing():
    nav = make(FakeScreen("pq.harmonics", cursors=4, keys=CURSOR_KEYS))
    open_group(nav, 5)
    assert press(nav, "up", "down", "select") == [False] * 3
    assert nav.view.screen_id == "pq.harmonics"


def test_edit_ack_cancel_are_passed_on_and_cleared_by_the_next_key():
    keys = (SoftKey("edit"), SoftKey("ack"), NO_KEY, SoftKey("back"))
    nav = make(FakeScreen("alarms.active", keys=keys))
    open_group(nav, 0)
    assert press(nav, "soft1", "soft1") == [True, True]
    assert (nav.view.screen_id, nav.view.pending_action) == ("alarms.active", "edit")
    press(nav, "ack")
    assert nav.view.pending_action == "ack"
    assert press(nav, "cancel") == [True]  # not shown: clears the request only
    assert nav.view.pending_action is None


def test_soft_keys_are_asked_with_the_context_last_drawn():
    screen = FakeScreen("power.active", pages=2)
    nav = make(screen)
    open_group(nav, 2)
    config = MeterConfig(wiring="3W-DELTA")
    tr = str.upper
    drawn = nav.context(tr, config, Status(locked=True))
    press(nav, "soft1")
    asked = screen.seen[-1]
    assert (asked.tr, asked.config, asked.status.locked) == (tr, config, True)
    assert (drawn.page, drawn.cursor, drawn.title_key, drawn.items) == (0, 0, None, ())


def test_context_carries_menu_state_and_mode_unless_the_meter_is_in_test():
    nav = make()
    press(nav, "home", "down", "down")
    ctx = nav.context(str, MeterConfig(), Status(mode="NORM"))
    assert (ctx.selection, ctx.title_key, ctx.items[2]) == (2, "menu.main", "menu.power")
    press(nav, "home_long")
    assert nav.context(str, MeterConfig(), Status()).status.mode == "ALT"
    assert nav.context(str, MeterConfig(), Status(mode="TEST")).status.mode == "TEST"


# -- NORM / ALT, timeouts, backlight --------------------------------------------------------


def test_auto_scroll_steps_at_exact_times_and_wraps():
    nav = make()
    assert nav.tick(SNAP, 4.999) is False
    assert nav.tick(SNAP, 5.0) is True and nav.view.screen_id == NORM_SCREENS[1]
    nav.tick(SNAP, 17.0)  # two steps due (10 s, 15 s) in one tick
    assert nav.view.screen_id == NORM_SCREENS[3]
    nav.tick(SNAP, 5.0 * len(NORM_SCREENS))
    assert nav.view.screen_id == NORM_SCREENS[0]


def test_auto_scroll_off():
    nav = make(auto_scroll=0, backlight_timeout=0)
    assert not nav.view.scrolling and nav.tick(SNAP, 1000.0) is False


def test_long_home_toggles_alt_and_auto_scroll_follows_the_alt_list():
    nav = make()
    open_group(nav, 2, now=3.0)
    press(nav, "home_long", now=10.0)
    assert (nav.view.mode, nav.view.screen_id, nav.view.scrolling) == ("ALT", ALT_SCREENS[0], True)
    nav.tick(SNAP, 15.0)
    nav.tick(SNAP, 20.0)
    assert nav.view.screen_id == ALT_SCREENS[2]
    press(nav, "home_long", now=21.0)
    assert (nav.view.mode, nav.view.screen_id, nav.view.scrolling) == ("NORM", DEFAULT_SCREEN, True)


def test_alt_falls_back_to_norm_after_the_inactivity_timeout():
    nav = make()
    press(nav, "home_long", "down", now=10.0)  # ALT, scrolling stopped on ALT_SCREENS[1]
    assert nav.tick(SNAP, 10.0 + INACTIVITY_TIMEOUT - 0.001) is False
    assert nav.tick(SNAP, 10.0 + INACTIVITY_TIMEOUT) is True
    assert (nav.view.mode, nav.view.screen_id, nav.view.scrolling) == ("NORM", DEFAULT_SCREEN, True)
    nav.tick(SNAP, 10.0 + INACTIVITY_TIMEOUT + 5.0)  # auto-scroll restarted at the timeout
    assert nav.view.screen_id == NORM_SCREENS[1]


def test_inactivity_in_a_menu_returns_home_but_never_interrupts_power_up_scrolling():
    nav = make(auto_scroll=7.0)
    nav.tick(SNAP, 301.0)  # 43 steps since power-up, no restart at 300 s
    assert nav.view.screen_id == NORM_SCREENS[43 % len(NORM_SCREENS)]
    press(nav, "home", "down", now=400.0)
    assert nav.tick(SNAP, 699.0) is False
    nav.tick(SNAP, 700.0)
    assert (nav.view.screen_id, nav.view.mode, nav.view.scrolling) == (DEFAULT_SCREEN, "NORM", True)


def test_backlight_times_out_and_a_key_in_the_dark_only_wakes():
    nav = make(backlight_timeout=60.0)
    open_group(nav, 2, now=10.0)
    assert nav.tick(SNAP, 69.999) is False
    assert nav.tick(SNAP, 70.0) is True and nav.view.backlight is False
    dark = nav.view
    assert press(nav, "down", now=80.0) == [True]
    assert nav.view == replace(dark, backlight=True)
    nav.tick(SNAP, 139.999)
    assert nav.view.backlight is True
    nav.tick(SNAP, 140.0)
    assert nav.view.backlight is False


def test_waking_keeps_auto_scroll_running():
    nav = make(backlight_timeout=30.0)
    nav.tick(SNAP, 30.0)
    press(nav, "down", now=31.0)
    assert (nav.view.backlight, nav.view.scrolling) == (True, True)


def test_backlight_never_times_out_when_zero():
    nav = make(backlight_timeout=0)
    nav.tick(SNAP, 1e6)
    assert nav.view.backlight is True


def test_new_settings_apply_from_the_next_tick():
    nav = make()
    nav.settings = DisplaySettings(auto_scroll=0, backlight_timeout=10.0)
    nav.tick(SNAP, 11.0)
    assert (nav.view.scrolling, nav.view.backlight) == (False, False)


# -- the real menu tree, errors, layering ---------------------------------------------------


def test_every_top_level_entry_opens_from_home():
    for index, entry in enumerate(ROOT.entries):
        nav = make()
        open_group(nav, index)
        if isinstance(entry, Menu):
            assert nav.view.title_key == entry.label_key
        else:
            assert nav.view.screen_id == entry.screens[0]
            press(nav, "back")
            assert nav.view.selection == index


def test_unregistered_screen_behaves_as_a_plain_data_screen():
    def registry(screen_id: str):
        raise KeyError(screen_id)

    nav = Navigator(registry, DisplaySettings())
    press(nav, "down", "down", "down", "more", "back")  # NORM list: power.active
    assert (nav.view.title_key, nav.view.selection) == ("menu.main", 2)  # its group: Power


def test_unknown_key_is_refused_and_every_action_is_a_key():
    with pytest.raises(ValueError, match="unknown key 'enter'"):
        make().press("enter", SNAP, 1.0)
    assert set(ACTIONS) <= set(KEYS)


def test_navigation_imports_no_qt_of_its_own():
    for name in ("navigation.py", "timing.py"):
        tree = ast.parse((ROOT_DIR / "hmi" / name).read_text())
        imported = {
            (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        assert not imported & {"PySide6", "shiboken6", "i18n"}, name
    # Whatever Qt arrives comes through screens.base alone, and no Qt application is needed.
    code = (
        "import sys, screens.base\n"
        "before = {m for m in sys.modules if m.startswith('PySide6')}\n"
        "from datetime import datetime\n"
        "from engine.config import DisplaySettings\n"
        "from engine.snapshot import Snapshot\n"
        "from hmi.navigation import Navigator\n"
        "from screens.base import DataScreen\n"
        "nav = Navigator(lambda i: DataScreen(), DisplaySettings())\n"
        "for k in ('home', 'down', 'select', 'more', 'back'):\n"
        "    nav.press(k, Snapshot(datetime(2026, 1, 1)), 1.0)\n"
        "print(sorted({m for m in sys.modules if m.startswith('PySide6')} - before))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT_DIR
    )
    assert out.stdout.strip() == "[]"


def test_list_screens_move_their_highlight_and_more_shows_the_next_list():
    """Alarm, event and setup lists: ▲/▼ move the highlighted row, "more" the next screen."""
    alarms = FakeScreen("alarms.active", rows=3, keys=(*LIST_KEYS[:3], SoftKey("more")))
    history = FakeScreen("alarms.history", rows=2)
    nav = Navigator(FakeRegistry(alarms, history), DisplaySettings())
    nav.press("home", SNAP, 1.0)
    nav.press("select", SNAP, 2.0)  # Alarms is the first entry
    assert nav.view.screen_id == "alarms.active" and nav.view.selection == 0
    nav.press("down", SNAP, 3.0)
    nav.press("down", SNAP, 4.0)
    nav.press("down", SNAP, 5.0)
    assert nav.view.screen_id == "alarms.active" and nav.view.selection == 0  # wrapped
    nav.press("up", SNAP, 6.0)
    assert nav.view.selection == 2
    nav.press("soft4", SNAP, 7.0)  # "more"
    assert nav.view.screen_id == "alarms.history" and nav.view.selection == 0
