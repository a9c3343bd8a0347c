"""What each TFT screen shows and how it is drawn.

A screen is a small class with a ``title_key`` (catalogue key of its title) and
``render(painter, snapshot, tr)``, which paints the whole 320 × 240 TFT (``screens.canvas``)
from a ``Snapshot``, with every string looked up through ``tr``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtGui import QPainter

from engine.snapshot import Snapshot

#: Catalogue lookup a screen draws its strings with (``i18n.translator(language)``).
Translate = Callable[[str], str]


class Screen(Protocol):
    """The interface every screen implements."""

    title_key: str

    def render(self, painter: QPainter, snapshot: Snapshot, tr: Translate) -> None:
        """Paint the whole TFT (``canvas.WIDTH`` × ``canvas.HEIGHT``) from ``snapshot``."""
