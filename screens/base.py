"""The interface between the navigation (hmi/) and the screens: what a screen is given to draw,
and what its four soft keys do.

A screen is a small object with an ``id``, a ``title_key``, the soft keys it shows, how many
pages it has (the "more" key steps through them, e.g. one harmonics page per channel) and how
far its cursor goes (◄/► move it, e.g. the harmonic order read out under a bar chart), and a
``render`` that paints the whole 320 × 240 TFT. Screens never reach into the engine: they read
the ``Snapshot`` by quantity id, the configuration, and the navigation state in ``Context``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from engine.config import DisplaySettings, MeterConfig
from engine.snapshot import Snapshot

if TYPE_CHECKING:  # the navigation imports this module and stays free of Qt
    from PySide6.QtGui import QPainter

#: Catalogue lookup a screen draws its strings with (``i18n.translator(language)``).
Translate = Callable[[str], str]

#: What a soft key can do; the navigation (hmi/navigation.py) carries these out.
ACTIONS = (
    "up",  # previous item in a list / previous screen of a group
    "down",  # next item / next screen
    "left",  # cursor left (charts) or previous digit (editors)
    "right",  # cursor right / next digit
    "select",  # open the highlighted item, confirm
    "back",  # up one level
    "more",  # next page of this screen
    "ack",  # acknowledge the selected alarm (alarm screens)
    "ack_all",  # acknowledge every alarm (alarm screens)
    "edit",  # edit the highlighted setting (setup screens)
    "cancel",  # leave an editor without saving
)


@dataclass(frozen=True)
class SoftKey:
    """One of the four keys under the display: the ``action`` it triggers and the ``icon``
    drawn above it (an icon name from ``ACTIONS``; ``None`` draws nothing and does nothing)."""

    action: str | None
    icon: str | None = None

    def __post_init__(self) -> None:
        if self.action is not None and self.action not in ACTIONS:
            raise ValueError(f"unknown soft-key action {self.action!r}")
        if self.icon is None:
            object.__setattr__(self, "icon", self.action)


NO_KEY = SoftKey(None)
#: The usual keys of a data screen in a group: previous, next, more pages, back.
DATA_KEYS = (SoftKey("up"), SoftKey("down"), SoftKey("more"), SoftKey("back"))
#: Keys of a data screen with a cursor (charts): cursor left/right, next page, back.
CURSOR_KEYS = (SoftKey("left"), SoftKey("right"), SoftKey("more"), SoftKey("back"))
#: Keys of a list (menus, alarm and event lists, setup parameters): up, down, select, back.
LIST_KEYS = (SoftKey("up"), SoftKey("down"), SoftKey("select"), SoftKey("back"))


@dataclass(frozen=True)
class Bell:
    """The alarm bell in the title bar: colour from ``priority`` ("low" | "medium" | "high"),
    filled for an active alarm, outline for a historic unacknowledged one."""

    priority: str
    filled: bool


@dataclass(frozen=True)
class Status:
    """What the title bar shows besides the title (front-panel.md §2)."""

    mode: str = "NORM"  # "NORM" | "ALT" | "TEST"
    locked: bool = False  # revenue lock: green closed padlock, else grey open
    bell: Bell | None = None
    clock: datetime | None = None  # local display time; None clears it (no data)


@dataclass(frozen=True)
class Context:
    """Everything besides the snapshot that a screen needs to draw itself."""

    tr: Translate
    config: MeterConfig = field(default_factory=MeterConfig)
    status: Status = Status()
    page: int = 0  # which page ("more" steps through them)
    cursor: int = 0  # cursor position (charts), 0 .. cursor_count - 1
    selection: int = 0  # highlighted row (lists and menus)
    items: tuple[str, ...] = ()  # menu screens: catalogue keys of the entries
    title_key: str | None = None  # menu screens: the title of the menu shown
    # the acquisition board's link (engine.sources.board.link.LinkStatus), read live from the
    # source: None when the inputs are not a board (simulated, a recording)
    link: object | None = None

    @property
    def settings(self) -> DisplaySettings:
        return self.config.display


class Screen(Protocol):
    """The interface every screen implements."""

    id: str
    title_key: str

    def softkeys(self, snapshot: Snapshot, ctx: Context) -> tuple[SoftKey, ...]:
        """The four soft keys, left to right."""

    def page_count(self, snapshot: Snapshot, ctx: Context) -> int:
        """Pages the "more" key steps through (1 for most screens)."""

    def cursor_count(self, snapshot: Snapshot, ctx: Context) -> int:
        """Cursor positions (0: no cursor)."""

    def item_count(self, snapshot: Snapshot, ctx: Context) -> int:
        """Rows of a list screen that ▲/▼ highlight (0: not a list; ▲/▼ then page through
        the group's screens, and on a list "more" does)."""

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        """Paint the whole TFT (``canvas.WIDTH`` × ``canvas.HEIGHT``)."""


class DataScreen:
    """Defaults for a plain data screen: one page, no cursor, the usual data keys."""

    id: str = ""
    title_key: str = ""

    def softkeys(self, snapshot: Snapshot, ctx: Context) -> tuple[SoftKey, ...]:
        return (
            DATA_KEYS
            if self.page_count(snapshot, ctx) > 1
            else (*DATA_KEYS[:2], NO_KEY, DATA_KEYS[3])
        )

    def page_count(self, snapshot: Snapshot, ctx: Context) -> int:
        return 1

    def cursor_count(self, snapshot: Snapshot, ctx: Context) -> int:
        return 0

    def item_count(self, snapshot: Snapshot, ctx: Context) -> int:
        return 0
