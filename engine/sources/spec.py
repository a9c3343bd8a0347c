"""Open a source from a command-line spec: ``sim``, ``sim:FILE.toml``, ``comtrade:FILE.cfg``,
``serial:PORT[?options]``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from engine.errors import InputError
from engine.sources.base import Source

KINDS = ("sim", "comtrade", "serial")


def open_source(
    spec: str,
    *,
    mapping: dict[str, str] | None = None,
    seed: int = 0,
    start: datetime | None = None,
    calibration=None,
) -> Source:
    """The source a spec names.

    - ``sim``: the default simulated 3-phase system; ``sim:FILE.toml``: a scenario file
      (see docs/simulated-inputs.md);
    - ``comtrade:FILE.cfg`` (or ``.cff``): replay a recording; ``mapping`` overrides the channel
      assignment (meter input -> COMTRADE channel id).

    - ``serial:PORT?profile=ion|daqopen&baud=N&...``: an acquisition board on a serial port
      (docs/board-protocol.md); ``calibration`` (``engine.sources.board.calibration``) corrects
      its channels.

    ``start`` sets a simulated source's clock (the live emulator passes the wall clock); a
    recording keeps its own time.

    Raises ``InputError`` for an unknown kind or a bad file.
    """
    kind, _, arg = spec.partition(":")
    if kind == "sim":
        from engine.sources.scenario import load_scenario
        from engine.sources.simulated import SimulatedSource

        scenario = load_scenario(arg) if arg else None
        return SimulatedSource(scenario, seed=seed, start=start)
    if kind == "comtrade":
        from engine.sources.comtrade import ComtradeSource

        if not arg:
            raise InputError("comtrade source needs a file: comtrade:FILE.cfg")
        return ComtradeSource(Path(arg), mapping=mapping)
    if kind == "serial":
        from engine.sources.board.link import parse_serial_spec
        from engine.sources.serial_board import SerialSource

        return SerialSource(parse_serial_spec(arg), calibration=calibration)
    raise InputError(
        f"unknown source {spec!r}: use sim, sim:FILE.toml, comtrade:FILE.cfg or serial:PORT"
    )
