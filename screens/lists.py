"""The menu list (the alarm lists: ``screens.alarm_lists``; the event log: ``screens.events``).

The menu screen draws whatever menu the navigation has open: ``ctx.title_key`` is its title,
``ctx.items`` the catalogue keys of its entries and ``ctx.selection`` the highlighted one;
entries that open a sub-menu carry a ► chevron.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QPainter

from engine.snapshot import Snapshot
from screens.base import LIST_KEYS, Context, DataScreen, SoftKey
from screens.canvas import BODY, draw_chrome
from screens.menu import ROOT, Menu
from screens.widgets import ListRow, draw_list


@cache
def submenu_keys(menu: Menu = ROOT) -> frozenset[str]:
    """Label keys of every menu (not group) in the tree: the entries that open a sub-menu."""
    keys = {menu.label_key}
    for entry in menu.entries:
        if isinstance(entry, Menu):
            keys |= submenu_keys(entry)
    return frozenset(keys)


class MenuScreen(DataScreen):
    """The open menu as a list, scrolled to keep the selection in view."""

    id = "menu"
    title_key = "menu.main"

    def softkeys(self, snapshot: Snapshot, ctx: Context) -> tuple[SoftKey, ...]:
        return LIST_KEYS

    def item_count(self, snapshot: Snapshot, ctx: Context) -> int:
        return len(ctx.items)

    def rows(self, ctx: Context) -> list[ListRow]:
        subs = submenu_keys()
        return [ListRow(ctx.tr(key), key in subs) for key in ctx.items]

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        title = ctx.tr(ctx.title_key or self.title_key)
        draw_chrome(painter, title, ctx, self.softkeys(snapshot, ctx))
        draw_list(painter, BODY, self.rows(ctx), ctx.selection)


SCREENS = (MenuScreen(),)
