"""Golden-image comparison for screens, with an approve mode and diff images on failure.

Set ION7400_APPROVE_GOLDEN=1 to write the current renderings as the new golden images (after
looking at them); otherwise a screen whose pixels differ beyond the tolerance fails, and the
actual image and a diff (differing pixels red over a faded copy) are written to
tests/screens/failures/.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

GOLDEN = Path(__file__).parent / "golden"
FAILURES = Path(__file__).parent / "failures"
#: A pixel differs when a colour channel moves by more than this (anti-aliasing noise stays under).
CHANNEL_TOLERANCE = 24
#: A screen fails when more than this fraction of its pixels differ.
PIXEL_FRACTION = 0.002


def to_array(image: QImage) -> np.ndarray:
    """RGB pixels of ``image`` as uint8, shape (height, width, 3)."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    h, w, stride = image.height(), image.width(), image.bytesPerLine()
    raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * h).reshape(h, stride)
    return raw[:, : 3 * w].reshape(h, w, 3).copy()


def from_array(pixels: np.ndarray) -> QImage:
    h, w, _ = pixels.shape
    data = np.ascontiguousarray(pixels)
    return QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def compare(name: str, image: QImage) -> str | None:
    """None when ``image`` matches golden/``name``.png, else a message (diffs written)."""
    golden_path = GOLDEN / f"{name}.png"
    if os.environ.get("ION7400_APPROVE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        image.save(str(golden_path), "PNG")
        return None
    if not golden_path.exists():
        return f"no golden image {golden_path}: look at the screen, then approve it"
    expected = to_array(QImage(str(golden_path)))
    actual = to_array(image)
    if expected.shape != actual.shape:
        return f"{name}: size {actual.shape[:2]} differs from the golden {expected.shape[:2]}"
    differs = np.abs(expected.astype(int) - actual.astype(int)).max(axis=2) > CHANNEL_TOLERANCE
    fraction = differs.mean()
    if fraction <= PIXEL_FRACTION:
        return None
    FAILURES.mkdir(exist_ok=True)
    image.save(str(FAILURES / f"{name}.actual.png"), "PNG")
    diff = (actual // 3 + 170).astype(np.uint8)
    diff[differs] = (255, 0, 0)
    from_array(diff).save(str(FAILURES / f"{name}.diff.png"), "PNG")
    return (
        f"{name}: {100 * fraction:.2f} % of pixels differ (limit {100 * PIXEL_FRACTION:.2f} %); "
        f"see {FAILURES}/{name}.diff.png"
    )
