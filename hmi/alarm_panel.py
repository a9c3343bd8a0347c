"""The details page of the Alarms lists, Qt-free (front-panel.md §6 acknowledge procedure):
✓ on a row of Active Alarms or Alarm History opens the details of that occurrence; there ACK
acknowledges that alarm, ALL every alarm, back (or Esc) returns to the list, Home goes home.

The acknowledgement itself (with the password when Password Setup asks for one to
acknowledge) is ``hmi.setup_controller.SetupController.acknowledge``; this class only keeps
which occurrence is open and turns keys into what to do.
"""

from __future__ import annotations

from engine.snapshot import Snapshot
from screens.alarm_lists import AlarmDetailsScreen

SOFT_KEYS = ("soft1", "soft2", "soft3", "soft4")
ALARM_LISTS = ("alarms.active", "alarms.history")


class AlarmPanel:
    """Which occurrence's details are open, over which list (None: none)."""

    def __init__(self) -> None:
        self.screen_id: str | None = None
        self.number: int | None = None
        self.alarm_id: str | None = None

    @property
    def open(self) -> bool:
        return self.number is not None

    def show(self, screen_id: str, record) -> None:
        """Open the details of ``record`` (an ``AlarmRecord``) shown on list ``screen_id``."""
        self.screen_id, self.number, self.alarm_id = screen_id, record.number, record.alarm_id

    def close(self) -> None:
        self.screen_id = self.number = self.alarm_id = None

    def screen(self) -> AlarmDetailsScreen:
        assert self.number is not None
        return AlarmDetailsScreen(self.number)

    def action(self, key: str, snapshot: Snapshot) -> str | None:
        """What ``key`` does on the open details: "ack" (this alarm), "ack_all", "back"
        (closes them, as Esc does), "home" (closes them; the navigation goes home), or None."""
        if key in ("home", "home_long"):
            self.close()
            return "home"
        if key in ("back", "cancel"):
            self.close()
            return "back"
        keys = self.screen().softkeys(snapshot, None)  # type: ignore[arg-type]
        if key in SOFT_KEYS:
            action = keys[SOFT_KEYS.index(key)].action
        else:
            action = key if key in {k.action for k in keys} else None
        if action == "back":
            self.close()
        return action
