"""Every screen by id. Each screen module lists its screens in a module-level ``SCREENS``."""

from __future__ import annotations

import importlib
from functools import cache
from types import MappingProxyType

from screens.base import Screen

#: The modules that define screens (``SCREENS`` in each).
MODULES = (
    "screens.lists",  # the menu list
    "screens.alarm_lists",  # active alarms, alarm history
    "screens.events",  # the event log
    "screens.readings",  # basic reading, power
    "screens.energy_demand",  # energy registers, demand
    "screens.minmax",  # minimum and maximum with their times
    "screens.info",  # inputs/outputs, nameplate
    "screens.trend",  # logged quantities against time, with the forecast
    "screens.board",  # the acquisition board's link diagnostics
    "screens.setup_lists",  # the Setup parameter lists
    "screens.harmonics",  # harmonics bar chart
    "screens.phasors",  # phasor diagram
    "screens.waveform",  # two cycles of voltages and currents
    "screens.pq_summary",  # unbalance, flicker, sag/swell, EN 50160
)


@cache
def screens() -> MappingProxyType:
    """Screen id -> screen, from every module in ``MODULES``; ids must be unique."""
    found: dict[str, Screen] = {}
    for name in MODULES:
        for screen in importlib.import_module(name).SCREENS:
            if screen.id in found:
                raise ValueError(f"screen id {screen.id!r} defined twice ({name})")
            found[screen.id] = screen
    return MappingProxyType(found)


def get(screen_id: str) -> Screen:
    try:
        return screens()[screen_id]
    except KeyError:
        raise KeyError(f"unknown screen {screen_id!r}") from None


def screen_ids() -> list[str]:
    return sorted(screens())
