"""The unit of data that flows from a source into the meter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

import numpy as np

#: Channel order of ``SampleBlock.voltage``: V1..V3 to the voltage reference, V4 (neutral-ground).
VOLTAGE_CHANNELS = ("V1", "V2", "V3", "V4")
#: Channel order of ``SampleBlock.current``: I1..I3 and I4 (measured neutral).
CURRENT_CHANNELS = ("I1", "I2", "I3", "I4")


@dataclass(frozen=True, eq=False)
class SampleBlock:
    """Contiguous samples of every input channel.

    Attributes
    ----------
    start : datetime
        Time of the first sample, timezone-aware (UTC).
    sample_rate : float
        [Hz] samples per second of every channel.
    first_index : int
        Index of the first sample counted from the start of the source, so the meter can tell a
        gap (``first_index`` not following on from the previous block) from continuous data.
    voltage : ndarray, shape (4, n)
        [V] V1, V2, V3 measured to the voltage reference (neutral in wye, any common point in
        delta) and V4. Rows of channels that are not measured hold zeros.
    current : ndarray, shape (4, n)
        [A] I1, I2, I3 and I4 (measured neutral). Rows not measured hold zeros.
    scale : "primary" | "secondary"
        Whether the values are already primary (as on the network) or secondary (as at the
        meter's terminals, to be multiplied by the PT and CT ratios).
    v4_measured, i4_measured : bool
        Whether V4 / I4 carry measurements.
    digital : ndarray of bool, shape (n_inputs, n), optional
        Digital-input states per sample.
    """

    start: datetime
    sample_rate: float
    first_index: int
    voltage: np.ndarray
    current: np.ndarray
    scale: Literal["primary", "secondary"] = "primary"
    v4_measured: bool = False
    i4_measured: bool = False
    digital: np.ndarray | None = field(default=None)

    def __post_init__(self) -> None:
        if not self.sample_rate > 0:
            raise ValueError(f"sample_rate must be > 0 Hz, got {self.sample_rate!r}")
        if self.voltage.ndim != 2 or self.voltage.shape[0] != 4:
            raise ValueError(f"voltage must have shape (4, n), got {self.voltage.shape}")
        if self.current.shape != self.voltage.shape:
            raise ValueError(
                f"current shape {self.current.shape} differs from voltage {self.voltage.shape}"
            )
        if self.start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        if self.scale not in ("primary", "secondary"):
            raise ValueError(f"scale must be 'primary' or 'secondary', got {self.scale!r}")

    @property
    def n_samples(self) -> int:
        return self.voltage.shape[1]

    @property
    def duration(self) -> float:
        """[s] time covered by the block."""
        return self.n_samples / self.sample_rate

    def time_of(self, sample: float) -> datetime:
        """Wall-clock time of a (fractional) sample position within this block."""
        return self.start + timedelta(seconds=sample / self.sample_rate)
