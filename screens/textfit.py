"""Text that does not fit its box is reported, never clipped silently.

Every place that fits a string into a width (shrinking the font a little, or eliding) goes
through ``fit_font`` / ``elide``. Normally they only do their job; inside ``collecting()``
each string that still does not fit at the smallest allowed size, or that had to be elided,
is recorded, which is how the text-fit test checks every string of every screen in every
language at the real 320 × 240 layout.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics


@dataclass(frozen=True)
class Overflow:
    """A string wider than its box: ``needed`` and ``available`` in pixels."""

    text: str
    needed: int
    available: int


_log: ContextVar[list[Overflow] | None] = ContextVar("text_overflows", default=None)


@contextmanager
def collecting() -> Iterator[list[Overflow]]:
    """Record every overflow drawn inside the ``with`` block into the yielded list."""
    found: list[Overflow] = []
    token = _log.set(found)
    try:
        yield found
    finally:
        _log.reset(token)


def report(text: str, needed: int, available: int) -> None:
    """Record that ``text`` needs ``needed`` px where ``available`` px are free."""
    found = _log.get()
    if found is not None:
        found.append(Overflow(text, needed, available))


def fit_font(base: QFont, text: str, width: int, smallest: int = 9) -> QFont:
    """``base``, shrunk a pixel at a time (not below ``smallest`` px) until ``text`` fits in
    ``width`` px; reported if it still does not."""
    f = QFont(base)
    while QFontMetrics(f).horizontalAdvance(text) > width and f.pixelSize() > smallest:
        f.setPixelSize(f.pixelSize() - 1)
    needed = QFontMetrics(f).horizontalAdvance(text)
    if needed > width:
        report(text, needed, width)
    return f


def elide(metrics: QFontMetrics, text: str, width: int) -> str:
    """``text`` cut with "…" to ``width`` px if it must be; a cut is reported."""
    needed = metrics.horizontalAdvance(text)
    if needed <= width:
        return text
    report(text, needed, width)
    return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
