"""Start the emulator: the QApplication, the engine bridge and the main window."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from engine.config import MeterConfig
from engine.errors import InputError
from engine.meter import Meter
from engine.sources.board.calibration import from_settings
from engine.sources.spec import open_source
from engine.storage.database import StorageError
from engine.storage.logger import MeterLogger
from hmi.bridge import EngineBridge
from hmi.window import MainWindow
from i18n import available

#: How long the engine runs before a screenshot is taken [ms]: past the first display update.
SCREENSHOT_DELAY_MS = 1500


def check_language(language: str) -> str:
    """``language`` if it has a catalogue; else ``InputError`` naming those available."""
    known = available()
    if language not in known:
        raise InputError(f"unknown language {language!r}; available: {', '.join(known)}")
    return language


def open_logger(meter: Meter, data_dir: Path | None, source_spec: str) -> MeterLogger | None:
    """The storage logger of ``meter`` in ``data_dir`` (events, recorders, registers; see
    docs/storage.md), attached before the meter runs: it restores the saved registers. None
    without a data directory, for a recording (it keeps its own time, which would interleave
    with the live meter's records) or when the database cannot be used (the reason is printed
    and the meter runs without logging)."""
    if data_dir is None or source_spec.startswith("comtrade"):
        return None
    try:
        logger = MeterLogger.open(Path(data_dir), source=source_spec)
    except StorageError as exc:
        print(f"ion7400-hmi: logging is off: {exc}", file=sys.stderr)
        return None
    logger.attach(meter)
    return logger


def run_window(
    source_spec: str = "sim",
    config: MeterConfig | None = None,
    scale: int = 2,
    language: str | None = None,
    screenshot: Path | None = None,
    config_path: Path | None = None,
    data_dir: Path | None = None,
) -> int:
    """Open the emulator window on ``source_spec`` (``sim``, ``sim:FILE.toml``,
    ``comtrade:FILE.cfg``) and run until it is closed; return the exit status.

    ``language``: the display language (default: the configuration's); ``config_path``: where
    changes made on the panel (the language) are saved; ``data_dir``: where waveform captures
    go (``data_dir/captures``; none without it) and the storage database (``open_logger``).
    With ``screenshot``:
    run ``SCREENSHOT_DELAY_MS``, save the whole window to that PNG and quit (for docs and
    tests). A bad source, configuration or language prints the error and returns 2; a failed
    screenshot returns 1.
    """
    app = QApplication.instance() or QApplication(sys.argv[:1])
    try:
        captures = None if data_dir is None else Path(data_dir) / "captures"
        meter = Meter(config, power_quality=True, capture_dir=captures)
        language = check_language(language or meter.config.display.language)
        # A live simulated meter keeps the wall-clock time, as a real one does.
        source = open_source(
            source_spec, start=datetime.now(UTC), calibration=from_settings(meter.config.board)
        )
    except InputError as exc:
        print(f"ion7400-hmi: {exc}", file=sys.stderr)
        return 2
    logger = open_logger(meter, data_dir, source_spec)
    bridge = EngineBridge(meter, source)
    window = MainWindow(
        bridge, meter.config, scale=scale, language=language, config_path=config_path
    )
    bridge.failed.connect(window.show_error)
    window.show()
    bridge.start()
    status = {"code": 0}
    # A local loop that ends when this window closes: QApplication.quit() would leave Qt's
    # "quit now" flag set and stop every later event loop of the process (tests, embedding).
    loop = QEventLoop()
    window.closed.connect(loop.quit)
    quit_on_close = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)
    if screenshot is not None:

        def grab() -> None:
            window.refresh()  # the very latest values, not those of the last timer tick
            if not window.grab().save(str(screenshot), "PNG"):
                print(f"ion7400-hmi: cannot write screenshot {screenshot}", file=sys.stderr)
                status["code"] = 1
            window.close()

        QTimer.singleShot(SCREENSHOT_DELAY_MS, grab)
    try:
        code = loop.exec()
    finally:
        stopped = bridge.stop()
        if logger is not None and stopped:  # else the engine thread may still be logging
            logger.close()
        window.stop()
        app.setQuitOnLastWindowClosed(quit_on_close)
    return status["code"] or code
