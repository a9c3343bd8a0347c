"""Power-quality events: dips, swells, interruptions (IEC 61000-4-30 §5.4, §5.5), rapid voltage
changes (§5.11) and their ITIC / SEMI F47 classification; aggregation of the 10/12-cycle
values over time (``engine.pq.aggregation``, imported from there).

The modules are pure functions with explicit streaming state (``events``, ``rvc``, ``curves``);
``VoltageEventMonitor`` strings them together for the Meter: build it once the wiring plan is
known and feed it each block's Urms(1/2) rows (``BlockResult.half_cycle_time`` /
``half_cycle``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.pq.curves import itic_limits, itic_region, semi_f47
from engine.pq.events import (
    Event,
    EventSettings,
    EventState,
    classified,
    detect_events,
    events_in_progress,
    initial_event_state,
)
from engine.pq.rvc import (
    RvcSettings,
    RvcState,
    detect_rvc,
    initial_rvc_state,
    rvc_in_progress,
    values_per_window,
)

__all__ = [
    "Event",
    "EventSettings",
    "EventState",
    "RvcSettings",
    "RvcState",
    "VoltageEventMonitor",
    "classified",
    "detect_events",
    "detect_rvc",
    "events_in_progress",
    "initial_event_state",
    "initial_rvc_state",
    "itic_limits",
    "itic_region",
    "rvc_in_progress",
    "semi_f47",
    "values_per_window",
    "voltage_channels",
]


def voltage_channels(plan) -> tuple[tuple[str, int], ...]:
    """(phase, row in ``plan.rms`` / ``BlockResult.half_cycle``) of the channels events are
    detected on: line-to-neutral where the wiring has them, else line-to-line (IEC 61000-4-30
    §5.4.1; matches ``MeterConfig.nominal_voltage``). ``plan``: an ``engine.wiring.WiringPlan``."""
    rows = {q: i for i, (q, _) in enumerate(plan.rms)}
    names = plan.line_to_neutral or plan.line_to_line
    return tuple((q[2:], rows[q]) for q in names)


#: The RVC settings a monitor uses unless told otherwise.
DEFAULT_RVC = RvcSettings()


class VoltageEventMonitor:
    """Dips, swells, interruptions and RVCs of one stream of Urms(1/2) values.

    ``phases``: the voltage channels, in the order of the rows fed (or of ``rows`` into the full
    ``BlockResult.half_cycle``); ``settings``: Udin and thresholds; ``rvc``: RVC settings
    (default ``RvcSettings()``), or None for no RVC detection; ``nominal_frequency`` [Hz]: 50
    or 60 (RVC window of 100/120 values). Only the thread that feeds it may use it.
    """

    def __init__(
        self,
        phases: Sequence[str],
        settings: EventSettings,
        rvc: RvcSettings | None = DEFAULT_RVC,
        nominal_frequency: float = 50.0,
        rows: Sequence[int] | None = None,
    ) -> None:
        self.settings = settings
        self.rvc_settings = rvc
        self.rows = None if rows is None else np.asarray(rows, dtype=int)
        self.events_state = initial_event_state(phases, settings)
        self.rvc_state = (
            None if rvc is None else initial_rvc_state(phases, nominal_frequency, settings)
        )

    @classmethod
    def for_plan(
        cls,
        plan,
        settings: EventSettings,
        rvc: RvcSettings | None = DEFAULT_RVC,
        nominal_frequency: float = 50.0,
    ) -> VoltageEventMonitor:
        """A monitor on the voltage channels of ``plan`` (``engine.wiring.WiringPlan``) that
        takes whole ``BlockResult.half_cycle`` arrays (rows = ``plan.rms``)."""
        channels = voltage_channels(plan)
        return cls(
            [p for p, _ in channels], settings, rvc, nominal_frequency, [r for _, r in channels]
        )

    def feed(self, times: np.ndarray, values: np.ndarray) -> list[Event]:
        """Feed one block: ``times`` (n,) datetime64 UTC, ``values`` [V] (all rows given to
        ``rows``, else exactly the ``phases``); return the events that ended in it, dips,
        swells and interruptions first, then RVCs, each in the order they ended."""
        values = np.asarray(values, dtype=float)
        if len(times) == 0:
            return []  # a block that completed no half cycle
        if self.rows is not None:
            if values.ndim != 2 or values.shape[0] <= self.rows.max():
                raise ValueError(
                    f"half-cycle values need rows {self.rows.tolist()}, got shape {values.shape}"
                )
            values = values[self.rows]
        found, self.events_state = detect_events(times, values, self.events_state, self.settings)
        if self.rvc_state is not None:
            more, self.rvc_state = detect_rvc(
                times, values, self.rvc_state, self.rvc_settings, self.settings
            )
            found += more
        return found

    def in_progress(self) -> list[Event]:
        """The events still open (for the display): ``in_progress=True``, not classified."""
        found = events_in_progress(self.events_state, self.settings)
        if self.rvc_state is not None:
            found += rvc_in_progress(self.rvc_state, self.settings)
        return found
