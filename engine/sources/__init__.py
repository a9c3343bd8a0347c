"""Where samples come from: simulated inputs, COMTRADE replay (later a serial board, a remote meter)."""

from engine.sources.base import Source

__all__ = ["Source"]
