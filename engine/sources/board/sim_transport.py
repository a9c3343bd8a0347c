"""Run a ``BoardSimulator`` on a pseudo-terminal or a serial port.

``PtyTransport`` makes a pty pair and a stable path (a symlink to the slave side) that a host
opens like a serial port; a simulated disconnect closes the pair (the host's reads fail as on
an unplugged USB port) and a new pair appears behind the same path. ``serve`` is the loop:
answer commands, stream frames paced to the wall clock times ``speed`` (None: as fast as the
host reads, with the pty's own flow control, so nothing is lost).
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import tempfile
import threading
import time
import tty
from pathlib import Path

from engine.sources.board.simulator import BoardSimulator

#: [bytes] output held for a slow host before the board drops frames (as a real board's FIFO).
BACKLOG_LIMIT = 1 << 20


class PtyTransport:
    """A pseudo-terminal pair; ``path`` is what the host opens (``link`` or a temporary name)."""

    def __init__(self, link: str | Path | None = None) -> None:
        if link is None:
            folder = tempfile.mkdtemp(prefix="ion7400-board-")
            link = Path(folder) / "tty"
        self.path = Path(link)
        self.master: int | None = None
        self._slave: int | None = None
        self.open()

    def open(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)  # binary frames: no echo, no newline translation
        os.set_blocking(master, False)
        self.master, self._slave = master, slave
        tmp = self.path.with_name(self.path.name + ".new")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        tmp.symlink_to(os.ttyname(slave))
        tmp.replace(self.path)  # atomic: the host never sees the path missing while open

    def close(self) -> None:
        for fd in (self.master, self._slave):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.master = self._slave = None

    @property
    def fd(self) -> int | None:
        return self.master

    def remove(self) -> None:
        self.close()
        with contextlib.suppress(OSError):
            self.path.unlink()


class PortTransport:
    """A real serial port (e.g. a USB-serial adapter wired to the host's port)."""

    def __init__(self, port: str, baud: int = 921600) -> None:
        import serial

        self.port, self.baud = port, baud
        self.path = Path(port)
        self._serial = serial.Serial(port, baud, timeout=0)
        os.set_blocking(self._serial.fileno(), False)

    @property
    def fd(self) -> int | None:
        return None if self._serial is None else self._serial.fileno()

    def open(self) -> None:
        import serial

        self._serial = serial.Serial(self.port, self.baud, timeout=0)
        os.set_blocking(self._serial.fileno(), False)

    def close(self) -> None:
        if self._serial is not None:
            self._serial.close()
            self._serial = None

    def remove(self) -> None:
        self.close()


def serve(
    board: BoardSimulator,
    transport: PtyTransport | PortTransport,
    *,
    speed: float | None = 1.0,
    stop: threading.Event | None = None,
    seconds: float | None = None,
) -> None:
    """Run ``board`` on ``transport`` until ``stop`` is set or ``seconds`` [s] of wall time.

    ``speed``: signal seconds per wall second (1.0 real time); None streams as fast as the host
    reads. A ``disconnect`` fault closes the transport for ``faults.down_seconds`` and resets
    the board; a ``stall`` holds the output back for ``faults.stall_seconds``.
    """
    stop = stop or threading.Event()
    t_end = None if seconds is None else time.monotonic() + seconds
    out = bytearray()
    held_until = 0.0
    t0 = time.monotonic()
    sent_signal = 0.0  # [s] of signal produced since the stream (re)started
    was_streaming = False
    while not stop.is_set() and (t_end is None or time.monotonic() < t_end):
        fd = transport.fd
        now = time.monotonic()
        if board.streaming and not was_streaming:
            t0, sent_signal = now, 0.0
        was_streaming = board.streaming
        due = board.streaming and (speed is None or sent_signal <= (now - t0) * speed)
        if due and speed is None and len(out) > 1 << 16:
            due = False  # as fast as the host reads: produce only when the host keeps up
        if due:
            slot = board.next_frame()
            sent_signal += board.frame_seconds
            if slot.fault == "disconnect":
                _disconnect(board, transport, stop)
                out.clear()
                was_streaming = False
                continue
            if slot.fault == "stall":
                held_until = now + board.faults.stall_seconds
            if len(out) < BACKLOG_LIMIT:
                out += slot.data
            continue_producing = speed is None or sent_signal <= (now - t0) * speed
        else:
            continue_producing = False
        writing = bool(out) and now >= held_until
        timeout = 0.0 if continue_producing else 0.002
        r, w, _ = select.select([fd], [fd] if writing else [], [], timeout)
        try:
            if r:
                answer = board.receive(os.read(fd, 65536))
                out += answer  # after the queued frames: never inside a half-sent one
            if writing and w:
                n = os.write(fd, out)
                del out[:n]
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
                continue
            if exc.errno != errno.EIO:  # EIO: nobody has the pty open; keep waiting
                raise
            time.sleep(0.01)


def _disconnect(board: BoardSimulator, transport, stop: threading.Event) -> None:
    """Unplug: close the transport, wait, come back as a freshly powered board."""
    transport.close()
    board.reset()
    stop.wait(board.faults.down_seconds)
    if not stop.is_set():
        transport.open()
