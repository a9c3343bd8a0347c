"""Energy registers, demand (with its peaks) and min/max, persisted and restored.

The logger saves them in every commit, at most ``SAVE_PERIOD`` seconds of signal time apart,
so a killed process loses at most that much accumulation. Test-mode registers are not saved: a
power cycle ends test mode (``hmi.bridge.MeterLink.power_cycle``).
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from engine.errors import InputError
from engine.metering import DemandSet, EnergyRegisters, MinMaxTracker

if TYPE_CHECKING:
    from engine.meter import Meter

__all__ = ["SAVE_PERIOD", "load_registers", "restore_registers", "save_registers"]

#: [s] longest time between two saves (issue 7: lose at most 1 s of accumulation).
SAVE_PERIOD = 1.0
_KEY = "registers"


def registers_state(meter: Meter) -> dict[str, Any]:
    """The billing energy, demand and min/max state of ``meter`` (JSON-ready)."""
    return {
        "energy": meter.energy.to_dict(),
        "demand": meter.demand.to_dict(),
        "minmax": meter.minmax.to_dict(),
    }


def save_registers(conn: sqlite3.Connection, t_ms: int, meter: Meter) -> None:
    """Store ``meter``'s registers as of signal time ``t_ms`` [ms] (in the caller's transaction)."""
    conn.execute(
        "INSERT OR REPLACE INTO state(key, t_ms, value) VALUES (?,?,?)",
        (_KEY, t_ms, json.dumps(registers_state(meter))),
    )


def load_registers(conn: sqlite3.Connection) -> tuple[int, dict[str, Any]] | None:
    """(time [ms], state) of the last save, or None if there is none or it is unreadable."""
    row = conn.execute("SELECT t_ms, value FROM state WHERE key=?", (_KEY,)).fetchone()
    if row is None:
        return None
    try:
        data = json.loads(row[1])
    except (TypeError, ValueError):
        return None
    return (int(row[0]), data) if isinstance(data, dict) else None


def restore_registers(meter: Meter, state: dict[str, Any]) -> list[str]:
    """Put saved registers back into ``meter`` (before it runs). Each part that cannot be
    restored is left as it is and named in the returned notes. Demand saved with other
    settings than the meter's keeps only its peaks."""
    from engine.control import _demand_keeping_peaks

    notes = []
    try:
        meter.energy = EnergyRegisters.from_dict(state["energy"])
    except (KeyError, TypeError, InputError) as exc:
        notes.append(f"energy registers not restored: {exc}")
    try:
        saved = DemandSet.from_dict(state["demand"])
        if saved.settings == meter.demand.settings:
            meter.demand = saved
        else:
            meter.demand = _demand_keeping_peaks(saved, meter.config.demand)
            notes.append("demand settings changed: only the peaks restored")
    except (KeyError, TypeError, InputError) as exc:
        notes.append(f"demand not restored: {exc}")
    try:
        meter.minmax = MinMaxTracker.from_dict(state["minmax"], ids=meter.minmax.ids)
    except (KeyError, TypeError, InputError) as exc:
        notes.append(f"min/max not restored: {exc}")
    return notes
