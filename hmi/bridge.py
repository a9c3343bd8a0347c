"""Runs the measurement engine in a background thread so the GUI never waits for it, and
``MeterLink``, the way the panel's Setup changes reach that engine and the configuration file.

The GUI pulls ``snapshot()`` on its own timer (the meter publishes immutable snapshots, an
atomic reference swap), so nothing crosses threads except that reference and the two signals.
Requests to the meter (``Meter.reconfigure``, ``reset`` …) are thread-safe mailbox calls
(``engine.control``), applied at the next block.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from engine.config import MeterConfig, save_config, validate
from engine.control import LOCKED_RESETS, RESET_KINDS, RevenueLocked
from engine.meter import Meter
from engine.snapshot import Snapshot
from engine.sources.base import Source

log = logging.getLogger(__name__)

#: How long ``stop()`` waits for the engine thread [s]: one block (0.1 s) plus slack.
STOP_TIMEOUT = 2.0


class EngineBridge(QObject):
    """Feeds ``source`` to ``meter`` in a daemon thread, paced to the wall clock.

    The bridge owns ``source`` from ``start()`` on and closes it when the thread ends. Runs once:
    a stopped bridge is not restarted (make a new one).

    Signals (emitted from the engine thread; Qt queues them to receivers in the GUI thread):
    ``failed(str)``: the engine raised; the message names the error. ``finished()``: the
    source ran out (a recording played to its end) without ``stop()``.
    """

    failed = Signal(str)
    finished = Signal()

    def __init__(
        self, meter: Meter, source: Source, *, paced: bool = True, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._meter = meter
        self._source = source
        self._paced = paced
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the engine thread (returns at once)."""
        if self._thread is not None:
            raise RuntimeError("EngineBridge.start() called twice")
        # Daemon: a hung source must never keep the process alive after the window closed.
        self._thread = threading.Thread(target=self._run, name="engine", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = STOP_TIMEOUT) -> bool:
        """Ask the engine to stop and wait up to ``timeout`` [s]; True if the thread ended."""
        self._stop.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        alive = self._thread.is_alive()
        if alive:
            log.warning("engine thread still running %.1f s after stop()", timeout)
        return not alive

    def running(self) -> bool:
        """True while the engine thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def snapshot(self) -> Snapshot:
        """The meter's latest snapshot (safe from any thread)."""
        return self._meter.snapshot

    def request_outputs(self, relays: int | None = None, ky_pulses: int = 0) -> None:
        """Drive the board's relays / KY output (nothing when the source is not a board)."""
        request = getattr(self._source, "request_outputs", None)
        if request is not None:
            request(relays=relays, ky_pulses=ky_pulses)

    def link(self):
        """The acquisition board's ``LinkStatus`` read live from the source (an atomic
        reference, safe from any thread), or None when the source is not a board."""
        return getattr(self._source, "link", None)

    @property
    def meter(self) -> Meter:
        """The meter the bridge runs: its requests (``reconfigure``, ``reset``, test mode, the
        revenue lock) are safe to call from the GUI thread."""
        return self._meter

    def _run(self) -> None:
        relays = [0]  # the relay bits last sent to a board

        def follow_relays(_result) -> None:
            # Alarm actions drive the meter's relays; a board source switches its own to match.
            bits = self._meter.outputs.bits
            if bits != relays[0]:
                relays[0] = bits
                self.request_outputs(relays=bits)

        try:
            self._meter.run(
                self._source, paced=self._paced, stop=self._stop, on_result=follow_relays
            )
        except Exception as exc:  # the display must survive any engine error and show it
            log.exception("engine stopped on an error")
            self.failed.emit(f"Engine stopped: {type(exc).__name__}: {exc}")
        else:
            if not self._stop.is_set():
                self.finished.emit()
        finally:
            try:
                self._source.close()
            except Exception:  # closing is best effort; the run's outcome is already reported
                log.exception("closing the source failed")


class MeterLink:
    """The configuration in force, and where a change of it goes: the running ``meter`` (if
    any: a window fed recorded snapshots has none), the file ``path`` (if any) and the
    ``listeners`` (the window: display settings, language). Qt-free.

    The revenue lock lives in ``config.revenue_lock``: the bezel switch sets ``switch`` (the
    change is pending, the LED flashes) and a power cycle makes it ``active``, which is what the
    meter is told and what the Setup refusals follow. A file that cannot be written is reported
    through ``on_error(message)``; the change stays in force.
    """

    def __init__(
        self,
        config: MeterConfig,
        meter: Meter | None = None,
        path: Path | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.config, self.meter, self.path = config, meter, path
        self.on_error = on_error
        self.listeners: list[Callable[[MeterConfig], None]] = []
        self._test_mode = False  # without a meter
        if meter is not None:  # a meter starts unlocked: tell it what the file says
            meter.set_revenue_lock(config.revenue_lock.active)

    @property
    def revenue_locked(self) -> bool:
        return self.config.revenue_lock.active

    @property
    def test_mode(self) -> bool:
        """Test mode as requested (the snapshot's TEST_MODE flag follows at the next block)."""
        return self.meter.test_mode if self.meter is not None else self._test_mode

    def change(self, config: MeterConfig) -> None:
        """Put ``config`` in force: the meter first (``RevenueLocked`` or ``ValueError`` if it
        refuses; nothing changes then), then the listeners and the file."""
        if self.meter is not None:
            self.meter.reconfigure(config)
        else:
            validate(config)
        self.config = config
        for listener in self.listeners:
            listener(config)
        self.save()

    def reset(self, kind: str) -> None:
        """Reset ``kind`` (``engine.control.RESET_KINDS``); ``RevenueLocked`` if refused."""
        if self.meter is not None:
            self.meter.reset(kind)
        elif kind not in RESET_KINDS:
            raise ValueError(f"reset: {kind!r} is not one of {', '.join(RESET_KINDS)}")
        elif self.revenue_locked and kind in LOCKED_RESETS:
            raise RevenueLocked(f"revenue lock is on: the {kind} reset is not allowed")

    def acknowledge(self, alarm_id: str | None) -> None:
        """Acknowledge alarm ``alarm_id`` (None: all) at the meter's next block; ``ValueError``
        for an alarm the configuration does not define. Nothing to do without a meter."""
        if self.meter is not None:
            self.meter.acknowledge(alarm_id)

    def force_relay(self, relay: int, on: bool) -> None:
        """Switch a relay output by hand (nothing to do without a meter)."""
        if self.meter is not None:
            self.meter.force_relay(relay, on)

    def set_test_mode(self, on: bool) -> None:
        """Enter or leave test mode; ``RevenueLocked`` to enter while locked."""
        if self.meter is not None:
            self.meter.set_test_mode(on)
        elif on and self.revenue_locked:
            raise RevenueLocked("revenue lock is on: test mode is not allowed")
        else:
            self._test_mode = bool(on)

    def capture(self) -> Path | None:
        """A manual waveform capture; the directory it will be written to, or None (the error
        goes to ``on_error``: no meter, or no capture directory)."""
        try:
            if self.meter is None:
                raise ValueError("no meter is running")
            self.meter.capture_waveform()
        except ValueError as exc:
            if self.on_error is not None:
                self.on_error(f"waveform capture: {exc}")
            return None
        return self.meter.capture_dir

    def set_lock_switch(self, on: bool) -> None:
        """The bezel's revenue-lock switch moved: pending until the next ``power_cycle``."""
        lock = replace(self.config.revenue_lock, switch=bool(on))
        self.config = replace(self.config, revenue_lock=lock)
        self.save()

    def power_cycle(self) -> None:
        """The meter restarts: the switch position comes into force and test mode ends."""
        self.config = replace(self.config, revenue_lock=self.config.revenue_lock.power_cycled())
        if self.meter is not None:
            self.meter.set_revenue_lock(self.revenue_locked)
            self.meter.set_test_mode(False)
        self._test_mode = False
        self.save()

    def save(self) -> None:
        if self.path is None:
            return
        try:
            save_config(self.config, self.path)
        except OSError as exc:
            if self.on_error is not None:
                self.on_error(f"cannot save {self.path}: {exc.strerror or exc}")
