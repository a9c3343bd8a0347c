"""The front panel's timers: backlight, inactivity and auto-scroll (front-panel.md §1, §5).

Pure arithmetic on times handed in by the caller ([s], monotonic): nothing here reads a clock,
so the navigation tests are exact. ``hmi/navigation.py`` owns one ``PanelTimers`` and asks it,
on every key and tick, which timeouts have passed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from engine.config import DisplaySettings

#: No key for this long [s] returns the display to the default screen in NORM mode, which also
#: ends ALT mode (front-panel.md §5 and §11.6-7, a guess: "a few minutes", 5 min).
INACTIVITY_TIMEOUT = 300.0


@dataclass
class PanelTimers:
    """When the last key was pressed and when the next auto-scroll step is due.

    ``settings.backlight_timeout`` and ``settings.auto_scroll`` [s] (0 = never / off) are read
    on every question, so new display settings take effect at once.
    """

    settings: DisplaySettings
    last_key: float  # [s] time of the last key press (power-up counts as one for the backlight)
    idle_armed: bool = False  # a key was pressed since the last return to the default screen
    scroll_next: float | None = None  # [s] next auto-scroll step; None: not scrolling

    @property
    def scrolling(self) -> bool:
        return self.scroll_next is not None

    def key(self, now: float) -> None:
        """A key was pressed at ``now`` [s]: the backlight and inactivity timers restart."""
        self.last_key = now
        self.idle_armed = True

    def wake(self, now: float) -> None:
        """A key lit the dark display at ``now`` [s]: the timers restart, but a display left
        auto-scrolling since power-up or the last timeout stays so (no inactivity return)."""
        self.last_key = now

    def backlight_off_at(self) -> float | None:
        """When the backlight goes dark [s], or None when it stays on."""
        timeout = self.settings.backlight_timeout
        return self.last_key + timeout if timeout > 0 else None

    def backlight_on(self, now: float) -> bool:
        """True while the backlight is lit at ``now`` [s]."""
        off_at = self.backlight_off_at()
        return off_at is None or now < off_at

    def idle_due(self, now: float) -> float | None:
        """The time [s] the inactivity timeout fired if it has by ``now``, else None."""
        if not self.idle_armed:
            return None
        due = self.last_key + INACTIVITY_TIMEOUT
        return due if now >= due else None

    def idle_done(self) -> None:
        """The display went back to the default screen; wait for the next key."""
        self.idle_armed = False

    def start_scroll(self, now: float) -> None:
        """Start auto-scrolling at ``now`` [s] (does nothing when auto-scroll is off)."""
        period = self.settings.auto_scroll
        self.scroll_next = now + period if period > 0 else None

    def stop_scroll(self) -> None:
        self.scroll_next = None

    def scroll_steps(self, now: float) -> int:
        """How many auto-scroll steps fell due up to ``now`` [s]; they are consumed."""
        period = self.settings.auto_scroll
        if self.scroll_next is None:
            return 0
        if period <= 0:  # auto-scroll was switched off while running
            self.scroll_next = None
            return 0
        if now < self.scroll_next:
            return 0
        steps = math.floor((now - self.scroll_next) / period) + 1
        self.scroll_next += steps * period
        return steps
