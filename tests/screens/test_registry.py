"""Every screen of the menu tree exists once and implements the whole Screen interface."""

from screens import registry
from screens.base import Screen
from screens.menu import ALT_SCREENS, DEFAULT_SCREEN, NORM_SCREENS, screen_ids

INTERFACE = [name for name in vars(Screen) if not name.startswith("_")]


def test_every_menu_screen_is_registered():
    known = set(registry.screen_ids())
    wanted = {*screen_ids(), DEFAULT_SCREEN, *NORM_SCREENS, *ALT_SCREENS, "menu"}
    assert sorted(wanted - known) == []
    assert sorted(known - wanted) == []  # no screen unreachable from the panel


def test_every_screen_implements_the_interface():
    assert {"softkeys", "page_count", "cursor_count", "item_count", "render"} <= set(INTERFACE)
    for sid, screen in registry.screens().items():
        assert screen.id == sid
        missing = [name for name in INTERFACE if not hasattr(screen, name)]
        assert missing == [], (sid, missing)
