"""Where samples come from: simulated inputs, COMTRADE replay (later a serial board)."""

from engine.sources.base import Source
from engine.sources.spec import open_source

__all__ = ["Source", "open_source"]
