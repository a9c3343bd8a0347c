"""The display menu tree, as data (front-panel.md §4), and the NORM / ALT screen lists (§5).

A ``Menu`` is a list the operator moves through with ▲/▼ and opens with ✓; a ``Group`` is a
leaf: a set of data screens paged with ▲/▼. Labels are catalogue keys; screens are screen ids
(``screens.registry``). The navigation state machine in ``hmi/navigation.py`` walks this tree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    """A leaf of the tree: data screens shown one at a time."""

    id: str
    label_key: str
    screens: tuple[str, ...]


@dataclass(frozen=True)
class Menu:
    """A list of entries, each a sub-menu or a group."""

    id: str
    label_key: str
    entries: tuple[Menu | Group, ...]


def _group(gid: str, *screens: str) -> Group:
    return Group(gid, f"menu.{gid}", screens)


SETUP = Menu(
    "setup",
    "menu.setup",
    (
        _group("setup_meter", "setup.meter"),
        _group("setup_comms", "setup.comms"),
        _group("setup_alarms", "setup.alarms"),
        _group("setup_datetime", "setup.datetime", "setup.clock"),
        _group("setup_display", "setup.display"),
        _group("setup_language", "setup.language"),
        _group("setup_demand", "setup.demand", "setup.pulsing"),
        _group("setup_password", "setup.password"),
        _group("setup_resets", "setup.resets"),
        _group("setup_test", "setup.test"),
    ),
)

ROOT = Menu(
    "main",
    "menu.main",
    (
        _group("alarms", "alarms.active", "alarms.history"),
        _group(
            "basic_reading",
            "basic.summary",
            "basic.volts_ll",
            "basic.volts_ln",
            "basic.amps",
            "basic.frequency",
            "basic.power",
        ),
        _group("power", "power.active", "power.reactive", "power.apparent", "power.pf"),
        _group("energy", "energy.active", "energy.reactive", "energy.apparent"),
        _group("demand", "demand.present", "demand.predicted", "demand.peak"),
        _group(
            "power_quality",
            "pq.harmonics",
            "pq.phasors",
            "pq.waveform",
            "pq.unbalance",
            "pq.flicker",
            "pq.sagswell",
            "pq.en50160",
        ),
        _group("minmax", "minmax.voltage", "minmax.current", "minmax.power"),
        _group("inputs_outputs", "io.digital_inputs", "io.outputs", "io.analog", "io.board"),
        _group("nameplate", "nameplate.info"),
        _group("events", "events.log"),
        _group("trend", "trend.graph"),
        SETUP,
    ),
)

#: The screen shown after power-up and after the inactivity timeout.
DEFAULT_SCREEN = "basic.summary"

#: Everyday operator screens, auto-scrolled in NORM mode.
NORM_SCREENS = (
    "basic.summary", "basic.volts_ll", "basic.amps", "power.active", "energy.active",
    "demand.peak",
)  # fmt: skip

#: The longer alternate list for utility and technician use (ALT mode).
ALT_SCREENS = (
    "basic.summary", "basic.volts_ln", "basic.volts_ll", "basic.amps", "basic.frequency",
    "power.active", "power.reactive", "power.apparent", "power.pf", "energy.active",
    "energy.reactive", "energy.apparent", "demand.present", "demand.peak", "pq.harmonics",
    "pq.phasors", "pq.unbalance", "nameplate.info",
)  # fmt: skip


def groups(menu: Menu = ROOT) -> list[Group]:
    """Every group under ``menu``, depth first."""
    found: list[Group] = []
    for entry in menu.entries:
        found.extend(groups(entry) if isinstance(entry, Menu) else [entry])
    return found


def screen_ids(menu: Menu = ROOT) -> list[str]:
    """Every screen id reachable from ``menu``, in menu order, each once."""
    seen: dict[str, None] = {}
    for group in groups(menu):
        for sid in group.screens:
            seen.setdefault(sid, None)
    return list(seen)


def group_of(screen_id: str, menu: Menu = ROOT) -> Group:
    """The group a screen belongs to (its first one)."""
    for group in groups(menu):
        if screen_id in group.screens:
            return group
    raise KeyError(f"screen {screen_id!r} is in no menu group")
