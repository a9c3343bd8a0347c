"""Start the emulator: the QApplication, the engine bridge and the main window."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from engine.config import MeterConfig
from engine.errors import InputError
from engine.meter import Meter
from engine.sources.spec import open_source
from hmi.bridge import EngineBridge
from hmi.window import MainWindow

#: How long the engine runs before a screenshot is taken [ms]: past the first display update.
SCREENSHOT_DELAY_MS = 1500


def run_window(
    source_spec: str = "sim",
    config: MeterConfig | None = None,
    scale: int = 2,
    screenshot: Path | None = None,
) -> int:
    """Open the emulator window on ``source_spec`` (``sim``, ``sim:FILE.toml``,
    ``comtrade:FILE.cfg``) and run until it is closed; return the exit status.

    With ``screenshot``: run ``SCREENSHOT_DELAY_MS``, save the whole window to that PNG and quit
    (for docs and tests). A bad source or configuration prints the error and returns 2; a failed
    screenshot returns 1.
    """
    app = QApplication.instance() or QApplication(sys.argv[:1])
    try:
        meter = Meter(config)
        # A live simulated meter keeps the wall-clock time, as a real one does.
        source = open_source(source_spec, start=datetime.now(UTC))
    except InputError as exc:
        print(f"ion7400-hmi: {exc}", file=sys.stderr)
        return 2
    bridge = EngineBridge(meter, source)
    window = MainWindow(bridge, scale=scale)
    bridge.failed.connect(window.show_error)
    window.show()
    bridge.start()
    status = {"code": 0}
    if screenshot is not None:

        def grab() -> None:
            window.refresh()  # the very latest values, not those of the last timer tick
            if not window.grab().save(str(screenshot), "PNG"):
                print(f"ion7400-hmi: cannot write screenshot {screenshot}", file=sys.stderr)
                status["code"] = 1
            window.close()
            app.quit()  # even if other top-level windows are open (tests)

        QTimer.singleShot(SCREENSHOT_DELAY_MS, grab)
    try:
        code = app.exec()
    finally:
        bridge.stop()
    return status["code"] or code
