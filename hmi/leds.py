"""The front-panel LEDs as plain models (no Qt): each answers ``lit(now)`` for a time ``now`` [s]
on one monotonic clock (the window passes ``time.monotonic()``; tests pass exact times).

Behaviour (front-panel.md §1.1): alarm off / flashing (active, unacknowledged) / steady (active,
acknowledged); status green steady while data arrives, red flashing when none came for
``STALE_AFTER`` or the engine failed; revenue lock steady when locked, flashing while a change
waits for the next power cycle; Watt and VAR energy pulses, one flash of ``width`` per ``kt``.
A visible LED and its infrared twin share one model.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable

from engine.snapshot import AlarmSummary, Snapshot

#: Flash period of the alarm, status and lock LEDs [s] (1 Hz, lit half of it).
FLASH_PERIOD = 1.0
FLASH_DUTY = 0.5
#: The status LED turns red when no new snapshot came for this long [s].
STALE_AFTER = 3.0
#: Shortest time between the starts of two energy flashes [s]: two frames of a display polled
#: every 50 ms, so that a flash and the dark gap after it are both seen.
MIN_FLASH_GAP = 0.1
#: How far behind the energy the flashes may fall when they come near the cap [s]: absorbs
#: uneven intervals; beyond it pulses are dropped from view (still counted).
MAX_BACKLOG = 1.0


def flashing(
    now: float, since: float, period: float = FLASH_PERIOD, duty: float = FLASH_DUTY
) -> bool:
    """On for the first ``duty`` of every ``period`` [s] counted from ``since`` [s]: a LED that
    starts flashing lights at once, so the change is seen without waiting for the next beat."""
    return (now - since) % period < duty * period


class AlarmLed:
    """Red alarm LED, fed the snapshot's ``AlarmSummary``. Historic alarms do not light it."""

    def __init__(self) -> None:
        self.state = "off"  # "off" | "flashing" | "steady"
        self._since = 0.0

    def update(self, alarms: AlarmSummary, now: float) -> None:
        if alarms.active_unacknowledged > 0:
            state = "flashing"
        elif alarms.active_acknowledged > 0:
            state = "steady"
        else:
            state = "off"
        if state != self.state:
            self.state, self._since = state, now

    def lit(self, now: float) -> bool:
        if self.state == "flashing":
            return flashing(now, self._since)
        return self.state == "steady"


class StatusLed:
    """Bicolour status LED: ``colour`` is "green" (steady: data arriving), "red" (flashing: no
    new snapshot for more than ``STALE_AFTER`` [s], or the engine failed) or None (starting up:
    no data yet, within ``STALE_AFTER`` of ``started``)."""

    def __init__(self, started: float = 0.0) -> None:
        self._started = started
        self._fresh_at: float | None = None  # when the last new snapshot was seen [s]
        self._last_time = None  # the snapshot time last seen
        self.failed = False
        self._red_since = started + STALE_AFTER

    def update(self, snapshot: Snapshot, now: float) -> None:
        """Note ``snapshot``; a new one (a later ``time``, with values) counts as fresh data."""
        if snapshot.values and snapshot.time != self._last_time:
            self._last_time = snapshot.time
            self._fresh_at = now

    def fail(self, now: float) -> None:
        """The engine stopped on an error: red flashing from now on."""
        if not self.failed:
            self.failed, self._red_since = True, now

    def colour(self, now: float) -> str | None:
        if self.failed:
            return "red"
        last = self._started if self._fresh_at is None else self._fresh_at
        if now - last > STALE_AFTER:
            return "red"
        return None if self._fresh_at is None else "green"

    def lit(self, now: float) -> bool:
        colour = self.colour(now)
        if colour == "red":
            since = self._red_since if self.failed else self._stale_since()
            return flashing(now, since)
        return colour == "green"

    def _stale_since(self) -> float:
        last = self._started if self._fresh_at is None else self._fresh_at
        return last + STALE_AFTER


class RevenueLockLed:
    """Green revenue-lock LED: steady when locked, off when not, flashing while a new lock state
    is pending (it takes effect at the next power cycle). Fed by the bezel's switch
    (``Bezel.lock_switch`` → ``request``) and power button (``Bezel.power_cycle`` →
    ``power_cycle``); ``locked`` is the lock in force, ``switch`` where the switch is."""

    def __init__(self, locked: bool = False) -> None:
        self.locked = locked
        self.pending: bool | None = None  # the requested state, until power_cycle()
        self._since = 0.0

    def request(self, locked: bool, now: float) -> None:
        """The lock switch moved to ``locked``."""
        self.pending = None if locked == self.locked else locked
        self._since = now

    @property
    def switch(self) -> bool:
        """The switch position: the pending state if any, else the lock in force."""
        return self.locked if self.pending is None else self.pending

    def power_cycle(self) -> None:
        """The meter restarts: a pending state comes into force."""
        if self.pending is not None:
            self.locked, self.pending = self.pending, None

    def lit(self, now: float) -> bool:
        if self.pending is not None:
            return flashing(now, self._since)
        return self.locked


class EnergyPulseLed:
    """An energy-pulse LED pair (visible + infrared) pulsing once per ``kt`` [Wh/pulse, or
    varh/pulse] of the absolute energy ``sum(snapshot[q] for q in quantities)`` [Wh].

    Snapshots arrive every so often (every 0.1 s from the engine, or once a second from a
    display timer). On each new reading the pulses that fell due since the previous one are
    placed where the energy crossed each multiple of ``kt`` (linear between the two readings)
    and shown one interval later, so they are spread over the interval as on a meter rather
    than bunched on the reading. Each is lit for ``width`` [s].

    Cap: flashes start at least ``max(2 * width, MIN_FLASH_GAP)`` apart (lit, then at least as
    long dark) so every one can be seen and counted; a flash that the cap would push more than
    ``MAX_BACKLOG`` beyond the end of the following interval is not shown and counts in
    ``skipped``. ``pulses`` always
    counts every pulse due.

    A register that goes down (energy reset) or is missing starts over from the new reading.
    """

    def __init__(self, kt: float, width: float, quantities: Iterable[str]) -> None:
        if not kt > 0 or not width > 0:
            raise ValueError(f"kt and width must be > 0, got {kt!r}, {width!r}")
        self.kt = kt
        self.width = width
        self.gap = max(2 * width, MIN_FLASH_GAP)  # [s] between flash starts
        self.quantities = tuple(quantities)
        self.pulses = 0  # pulses due since the start
        self.skipped = 0  # pulses not shown because of the cap
        self._energy: float | None = None  # the last reading [Wh]
        self._at = 0.0  # when it was read [s]
        self._time = None  # its snapshot time: the same snapshot read twice is one reading
        self._residue = 0.0  # energy since the last pulse [Wh], 0 <= residue < kt
        self._starts: list[float] = []  # start times of the recent and coming flashes [s]

    @classmethod
    def watt(cls, kt: float, width: float, source: str = "kWh del+rec") -> EnergyPulseLed:
        """The Watt pair: the configured pulse source when it is an active or apparent energy
        register, else delivered + received active energy (absolute)."""
        own = not source.startswith("kvarh")
        return cls(kt, width, PULSE_SOURCES[source] if own else ("E_P_DEL", "E_P_REC"))

    @classmethod
    def var(cls, kt: float, width: float, source: str = "kWh del+rec") -> EnergyPulseLed:
        """The VAR pair: the configured pulse source when it is a reactive energy register,
        else delivered + received reactive energy (absolute)."""
        reactive = source.startswith("kvarh")
        return cls(kt, width, PULSE_SOURCES[source] if reactive else ("E_Q_DEL", "E_Q_REC"))

    def energy(self, snapshot: Snapshot) -> float | None:
        """The energy this LED counts [Wh], or None when a register is not measured."""
        total = 0.0
        for q in self.quantities:
            v = snapshot.values.get(q)
            if v is None or not math.isfinite(v):
                return None
            total += float(v)
        return total

    def update(self, snapshot: Snapshot, now: float) -> int:
        """Read ``snapshot`` at ``now`` [s]; return how many pulses fell due since the last one."""
        if snapshot.time == self._time:
            return 0  # the same reading again: its interval has not ended yet
        self._time = snapshot.time
        energy = self.energy(snapshot)
        previous, then = self._energy, self._at
        self._energy, self._at = energy, now
        if energy is None:
            return 0
        if previous is None or energy < previous or now <= then:
            self._residue = 0.0
            return 0
        return self._count(energy - previous, then, now)

    def _count(self, delta: float, then: float, now: float) -> int:
        # A pulse falls due each time residue + the energy so far reaches kt; the small
        # tolerance keeps 2 x 1.8 Wh from landing a hair below 3.6 Wh by rounding.
        total = self._residue + delta
        n = math.floor(total / self.kt + 1e-9)
        self._residue = max(0.0, total - n * self.kt)
        interval = now - then
        last = self._starts[-1] if self._starts else -math.inf
        for k in range(1, n + 1):
            fraction = (k * self.kt - (total - delta)) / delta
            start = max(now + min(max(fraction, 0.0), 1.0) * interval, last + self.gap)
            if start > now + interval + MAX_BACKLOG:
                self.skipped += 1
                continue
            self._starts.append(start)
            last = start
        self.pulses += n
        self._forget(now)
        return n

    def _forget(self, now: float) -> None:
        # Flashes that ended a while ago are of no further use.
        del self._starts[: bisect_right(self._starts, now - self.width - 1.0)]

    def flashes(self) -> tuple[float, ...]:
        """Start times [s] of the flashes still known (the last second's and those to come)."""
        return tuple(self._starts)

    def lit(self, now: float) -> bool:
        i = bisect_right(self._starts, now)
        return i > 0 and now < self._starts[i - 1] + self.width

    def lit_during(self, t0: float, t1: float) -> bool:
        """Lit at ``t1``, or a flash began in (``t0``, ``t1``] [s]: a display polling every
        50 ms uses this so that a flash shorter than its poll period is never missed, while a
        flash already shown at ``t0`` is not stretched over the next poll."""
        return self.lit(t1) or bisect_right(self._starts, t1) > bisect_right(self._starts, t0)


#: The energy registers each pulse source of the configuration (``meter.pulse_source``) counts.
PULSE_SOURCES = {
    "kWh del": ("E_P_DEL",),
    "kWh rec": ("E_P_REC",),
    "kWh del+rec": ("E_P_DEL", "E_P_REC"),
    "kvarh del": ("E_Q_DEL",),
    "kvarh rec": ("E_Q_REC",),
    "kVAh": ("E_S_DEL", "E_S_REC"),
}


class LedPanel:
    """All the panel's LEDs, fed the latest snapshot: ``states`` gives each LED's colour at
    ``now`` [s] ("red" | "green" | None = dark) by the names of ``hmi.bezel.LEDS``. The
    infrared twins follow their visible LED."""

    def __init__(
        self,
        kt: float,
        width: float,
        now: float = 0.0,
        locked: bool = False,
        source: str = "kWh del+rec",
    ) -> None:
        self.alarm = AlarmLed()
        self.status = StatusLed(started=now)
        self.lock = RevenueLockLed(locked)
        self.watt = EnergyPulseLed.watt(kt, width, source)
        self.var = EnergyPulseLed.var(kt, width, source)
        self._polled = now  # the previous ``states`` call [s]

    def update(self, snapshot: Snapshot, now: float) -> None:
        self.alarm.update(snapshot.alarms, now)
        self.status.update(snapshot, now)
        self.watt.update(snapshot, now)
        self.var.update(snapshot, now)

    def states(self, now: float) -> dict[str, str | None]:
        """Colours at ``now``; an energy pulse that began or ended since the last call is
        shown too, so that polling every 50 ms never misses a 10 ms pulse."""
        since, self._polled = min(self._polled, now), now
        watt = "red" if self.watt.lit_during(since, now) else None
        var = "red" if self.var.lit_during(since, now) else None
        return {
            "alarm": "red" if self.alarm.lit(now) else None,
            "status": self.status.colour(now) if self.status.lit(now) else None,
            "lock": "green" if self.lock.lit(now) else None,
            "watt": watt,
            "watt_ir": watt,
            "var": var,
            "var_ir": var,
        }
