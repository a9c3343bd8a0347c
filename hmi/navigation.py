"""How the front panel answers keys and time: the navigation state machine (front-panel.md §3-§5).

Qt-free and clock-free: ``Navigator.press`` and ``Navigator.tick`` are handed the time [s,
monotonic], and the window turns the resulting ``View`` into a ``screens.base.Context`` and
draws the screen ``view.screen_id`` (``MENU_SCREEN`` while a menu list is shown).

Behaviour (the [G] guesses of front-panel.md, kept in one place):

- Power-up shows the default screen in NORM and auto-scrolls through the NORM list every
  ``settings.auto_scroll`` s until a key is pressed. ▲/▼ then page through that list by hand.
- Home opens the main menu (first entry highlighted) from anywhere. In a menu ▲/▼ move the
  highlight (wrap), ✓ opens a sub-menu or a group's first screen, back goes up one level; back
  from the main menu shows the default screen.
- In a group ▲/▼ page through its screens (wrap), "more" through a screen's pages (wrap),
  ◄/► move the cursor (wrap: ``CURSOR_WRAPS``), back returns to the menu with the group
  highlighted. Back from a screen of the NORM/ALT list opens the menu holding its group.
- Holding Home toggles NORM/ALT and auto-scrolls the new mode's list.
- No key for ``INACTIVITY_TIMEOUT`` s: default screen, NORM, auto-scroll again.
- The backlight goes dark ``settings.backlight_timeout`` s after the last key; a key pressed in
  the dark only lights it (and restarts the timers).
- Keyboard actions are shortcuts for the soft keys: an action no soft key shows is ignored, as
  the meter offers no way to do it. "edit", "ack", "ack_all", "cancel" only set
  ``View.pending_action``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from engine.config import DisplaySettings, MeterConfig
from engine.snapshot import Snapshot
from hmi.timing import PanelTimers
from screens.base import ACTIONS, LIST_KEYS, Context, DataScreen, Screen, Status, Translate
from screens.menu import ALT_SCREENS, DEFAULT_SCREEN, NORM_SCREENS, ROOT, Menu

#: ``View.screen_id`` while a menu list is shown (the screen that draws menu lists).
MENU_SCREEN = "menu"
SOFT_KEYS = ("soft1", "soft2", "soft3", "soft4")
#: Every key ``press`` accepts: the soft keys, Home (short and held), the keyboard actions.
KEYS = (*SOFT_KEYS, "home", "home_long", *ACTIONS)
#: Actions handed on to later features (setup editors, alarm acknowledge) through the view.
PENDING_ACTIONS = frozenset({"edit", "ack", "ack_all", "cancel"})
#: ◄/► past the last cursor position go round to the first (False: stop at the ends).
CURSOR_WRAPS = True

_STEP = {"up": -1, "down": 1, "left": -1, "right": 1}


@dataclass(frozen=True)
class View:
    """What the display shows now; compare two views to know whether to repaint."""

    screen_id: str
    mode: str = "NORM"  # "NORM" | "ALT" (TEST comes from the meter, see Navigator.context)
    title_key: str | None = None  # menu lists: the menu's label key
    items: tuple[str, ...] = ()  # menu lists: label keys of the entries
    selection: int = 0  # highlighted entry of a menu, or row of a list screen
    page: int = 0
    cursor: int = 0
    backlight: bool = True
    scrolling: bool = False  # auto-scroll running
    pending_action: str | None = None  # "edit" | "ack" | "cancel" | "select" (list row chosen)


@dataclass
class _Level:
    """A menu on the stack and its highlighted entry."""

    menu: Menu
    selection: int = 0


@dataclass
class _Sequence:
    """Data screens paged with ▲/▼: a group's screens (``from_group``) or a mode's list."""

    screens: tuple[str, ...]
    index: int = 0
    from_group: bool = False

    @property
    def current(self) -> str:
        return self.screens[self.index]


class Navigator:
    """The menu stack, the shown screen, its page and cursor, NORM/ALT, backlight and
    auto-scroll. ``screens`` maps a screen id to its screen (``screens.registry.get``)."""

    def __init__(
        self,
        screens: Callable[[str], Screen],
        settings: DisplaySettings,
        menu: Menu = ROOT,
        now: float = 0.0,
        *,
        default_screen: str = DEFAULT_SCREEN,
        norm_screens: tuple[str, ...] = NORM_SCREENS,
        alt_screens: tuple[str, ...] = ALT_SCREENS,
    ) -> None:
        self._screens = screens
        self._root = menu
        self._default = default_screen
        self._lists = {"NORM": norm_screens, "ALT": alt_screens}
        self._timers = PanelTimers(settings, last_key=now)
        self._mode = "NORM"
        self._stack: list[_Level] = []
        self._seq: _Sequence | None = None
        self._page = 0
        self._cursor = 0
        self._selection = 0  # highlighted row of a list screen (alarms, events, setup)
        self._backlight = True
        self._pending: str | None = None
        # The context the panel was last drawn with: soft keys are asked with it, so a key does
        # what the icon drawn above it says.
        self._drawn: tuple[Translate, MeterConfig, Status] = (
            lambda key: key,
            MeterConfig(display=settings),
            Status(),
        )
        self._show_list(default_screen)
        self._timers.start_scroll(now)

    # -- reading the state ------------------------------------------------------------------

    @property
    def settings(self) -> DisplaySettings:
        return self._timers.settings

    @settings.setter
    def settings(self, settings: DisplaySettings) -> None:
        """New display settings; timeouts and the auto-scroll period apply from the next tick."""
        self._timers.settings = settings

    @property
    def view(self) -> View:
        common = {
            "mode": self._mode,
            "backlight": self._backlight,
            "scrolling": self._timers.scrolling,
            "pending_action": self._pending,
        }
        if self._seq is None:
            level = self._stack[-1]
            return View(
                MENU_SCREEN,
                title_key=level.menu.label_key,
                items=tuple(entry.label_key for entry in level.menu.entries),
                selection=level.selection,
                **common,
            )
        return View(
            self._seq.current,
            page=self._page,
            cursor=self._cursor,
            selection=self._selection,
            **common,
        )

    def context(self, tr: Translate, config: MeterConfig, status: Status) -> Context:
        """The drawing context of the current view. ``status`` comes from the meter (lock,
        bell, clock); its mode is replaced by NORM/ALT unless the meter reports TEST."""
        self._drawn = (tr, config, status)
        return self._context()

    def _context(self) -> Context:
        tr, config, status = self._drawn
        view = self.view
        if status.mode != "TEST":
            status = replace(status, mode=view.mode)
        return Context(
            tr, config, status, view.page, view.cursor, view.selection, view.items, view.title_key
        )

    # -- keys and time ----------------------------------------------------------------------

    def press(self, key: str, snapshot: Snapshot, now: float) -> bool:
        """Carry out ``key`` (one of ``KEYS``) pressed at ``now`` [s]; True if the view changed."""
        if key not in KEYS:
            raise ValueError(f"unknown key {key!r}; expected one of {', '.join(KEYS)}")
        before = self.view
        self._advance(now)
        self._pending = None
        if not self._backlight:  # the first key in the dark only lights the display
            self._backlight = True
            self._timers.wake(now)
            return True
        self._timers.key(now)
        if key == "home_long":
            self._toggle_mode(now)
        else:
            self._timers.stop_scroll()
            if key == "home":
                self._stack, self._seq = [_Level(self._root)], None
            else:
                action = self._action(key, snapshot)
                if action is not None:
                    self._do(action, snapshot)
        return self._pending is not None or self.view != before

    def touch(self, now: float) -> None:
        """A key went elsewhere (an open Setup editor): restart the inactivity and backlight
        timers as any key does, and stop auto-scroll."""
        self._advance(now)
        self._backlight = True
        self._timers.key(now)
        self._timers.stop_scroll()

    def tick(self, snapshot: Snapshot, now: float) -> bool:
        """Advance the timers to ``now`` [s] (auto-scroll, inactivity, backlight); True if the
        view changed. ``snapshot`` is the one on screen (screens' page counts may read it)."""
        before = self.view
        self._advance(now)
        return self.view != before

    def _advance(self, now: float) -> None:
        fired = self._timers.idle_due(now)
        if fired is not None:
            self._timers.idle_done()
            self._mode, self._pending = "NORM", None
            self._show_list(self._default)
            self._timers.start_scroll(fired)
        steps = self._timers.scroll_steps(now)
        if steps and self._seq is not None:
            self._go(self._seq.index + steps)
            self._pending = None
        self._backlight = self._timers.backlight_on(now)

    # -- what a key does --------------------------------------------------------------------

    def _action(self, key: str, snapshot: Snapshot) -> str | None:
        """The action ``key`` triggers here, or None (no such soft key on this screen)."""
        if self._seq is None:
            shown = tuple(k.action for k in LIST_KEYS)
        else:
            shown = tuple(k.action for k in self._screen().softkeys(snapshot, self._context()))
        if key in SOFT_KEYS:
            index = SOFT_KEYS.index(key)
            return shown[index] if index < len(shown) else None
        return key if key in shown else None

    def _do(self, action: str, snapshot: Snapshot) -> None:
        if action in PENDING_ACTIONS:
            self._pending = action
        elif self._seq is None:
            self._menu_action(action)
        else:
            self._data_action(action, snapshot)

    def _menu_action(self, action: str) -> None:
        level = self._stack[-1]
        count = len(level.menu.entries)
        if action in ("up", "down") and count:
            level.selection = (level.selection + _STEP[action]) % count
        elif action == "select" and count:
            entry = level.menu.entries[level.selection]
            if isinstance(entry, Menu):
                self._stack.append(_Level(entry))
            elif entry.screens:
                self._seq = _Sequence(entry.screens, from_group=True)
                self._page = self._cursor = self._selection = 0
        elif action == "back":
            self._stack.pop()
            if not self._stack:
                self._show_list(self._default)

    def _data_action(self, action: str, snapshot: Snapshot) -> None:
        assert self._seq is not None
        screen, ctx = self._screen(), self._context()
        rows = screen.item_count(snapshot, ctx)
        if action in ("up", "down"):
            if rows > 0:  # a list screen: move the highlight
                self._selection = (self._selection + _STEP[action]) % rows
            elif len(self._seq.screens) > 1:
                self._go(self._seq.index + _STEP[action])
        elif action == "more":
            count = screen.page_count(snapshot, ctx)
            if count > 1:
                self._page = (self._page + 1) % count
            elif rows > 0 and len(self._seq.screens) > 1:  # a list: "more" shows the next one
                self._go(self._seq.index + 1)
        elif action == "select" and rows > 0:
            # The highlighted row was chosen: the window carries it out (language, resets …).
            self._pending = "select"
        elif action in ("left", "right"):
            count = self._screen().cursor_count(snapshot, self._context())
            if count > 0:
                self._cursor = _move(self._cursor, _STEP[action], count)
        elif action == "back":
            if self._seq.from_group:
                self._seq = None  # the stack still highlights the group's entry
            else:
                self._stack = _path_to(self._root, self._seq.current) or [_Level(self._root)]
                self._seq = None

    def _toggle_mode(self, now: float) -> None:
        self._mode = "ALT" if self._mode == "NORM" else "NORM"
        listed = self._lists[self._mode]
        self._show_list(listed[0] if self._mode == "ALT" and listed else self._default)
        self._timers.start_scroll(now)

    # -- helpers ----------------------------------------------------------------------------

    def _show_list(self, screen_id: str) -> None:
        """Show ``screen_id`` as part of the current mode's list (menus closed)."""
        listed = self._lists[self._mode]
        if screen_id not in listed:
            listed = (screen_id, *listed)
        self._stack = []
        self._seq = _Sequence(listed, listed.index(screen_id))
        self._page = self._cursor = self._selection = 0

    def _go(self, index: int) -> None:
        """Show screen ``index`` (wrapped) of the current sequence from its first page."""
        assert self._seq is not None
        self._seq.index = index % len(self._seq.screens)
        self._page = self._cursor = self._selection = 0

    def _screen(self) -> Screen:
        assert self._seq is not None
        try:
            return self._screens(self._seq.current)
        except KeyError:  # not written yet: behave as a plain one-page data screen
            return DataScreen()


def _move(position: int, step: int, count: int) -> int:
    """Cursor ``position`` moved by ``step`` among ``count`` positions (``CURSOR_WRAPS``)."""
    if CURSOR_WRAPS:
        return (position + step) % count
    return min(max(position + step, 0), count - 1)


def _path_to(menu: Menu, screen_id: str) -> list[_Level] | None:
    """The menu stack that leads to the group showing ``screen_id``, that group highlighted."""
    for index, entry in enumerate(menu.entries):
        if isinstance(entry, Menu):
            below = _path_to(entry, screen_id)
            if below is not None:
                return [_Level(menu, index), *below]
        elif screen_id in entry.screens:
            return [_Level(menu, index)]
    return None
