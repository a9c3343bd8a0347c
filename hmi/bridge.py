"""Runs the measurement engine in a background thread so the GUI never waits for it.

The GUI pulls ``snapshot()`` on its own timer (the meter publishes immutable snapshots, an
atomic reference swap), so nothing crosses threads except that reference and the two signals.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal

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

    def _run(self) -> None:
        try:
            self._meter.run(self._source, paced=self._paced, stop=self._stop)
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
