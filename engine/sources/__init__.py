"""Where samples come from: simulated inputs, COMTRADE replay (later a serial board)."""

from engine.sources.base import Source

__all__ = ["Source"]
