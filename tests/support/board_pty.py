"""A board simulator served on a pseudo-terminal in a thread, for the serial tests."""

from __future__ import annotations

import contextlib
import threading

from engine.sources.board.sim_transport import PtyTransport, serve
from engine.sources.board.simulator import BoardSimulator


@contextlib.contextmanager
def board_on_pty(tmp_path, board: BoardSimulator, speed: float | None = None):
    """Yield the ``PtyTransport`` (``.path`` to open) while ``board`` serves it; ``speed`` None
    streams as fast as the reader reads."""
    transport = PtyTransport(tmp_path / "board")
    stop = threading.Event()
    thread = threading.Thread(
        target=serve, args=(board, transport), kwargs={"speed": speed, "stop": stop}, daemon=True
    )
    thread.start()
    try:
        yield transport
    finally:
        stop.set()
        thread.join(5)
        transport.remove()
