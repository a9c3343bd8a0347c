"""Input scaling, polarity and instrument-transformer correction of the eight channels.

A transformer's ratio error is corrected by a factor; its phase displacement by delaying or
advancing the channel in time by the same angle at the nominal frequency, with a windowed-sinc
fractional-delay filter (flat to well above the 50th harmonic). Advances are made causal by
delaying every channel by the largest advance as well: a common delay of a few samples shifts
the time stamps by microseconds and leaves every relationship between channels intact.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from engine.config import CHANNELS, MeterConfig

_TAPS = 31  # odd; the filter's own delay is (_TAPS - 1) / 2 samples


def fractional_delay_taps(delay: float, taps: int = _TAPS) -> np.ndarray:
    """FIR taps delaying by ``(taps - 1)/2 + delay`` samples, |delay| <= 1, unity gain at dc."""
    n = np.arange(taps) - (taps - 1) / 2 - delay
    h = np.sinc(n) * np.kaiser(taps, 8.0)
    return h / h.sum()


class TransducerCorrection:
    """Streaming gain, polarity and phase correction; state kept between blocks."""

    def __init__(self, config: MeterConfig, sample_rate: float, gain: np.ndarray) -> None:
        corr = [config.channels[c] for c in CHANNELS]
        self.gain = np.asarray(gain, dtype=float) * np.array(
            [(-1.0 if k.inverted else 1.0) * k.ratio_correction for k in corr]
        )
        # Advance [samples] of each channel at the nominal frequency.
        advance = (
            np.array([k.phase_correction for k in corr])
            / 360.0
            * sample_rate
            / config.nominal_frequency
        )
        self.active = bool(np.any(advance != 0.0))
        self._delay = advance.max() - advance  # >= 0: every channel delayed, none advanced
        self._filters: list[tuple[np.ndarray, int]] = []
        for d in self._delay:
            whole = int(np.floor(d))
            self._filters.append((fractional_delay_taps(d - whole), whole))
        self.reset()

    def reset(self) -> None:
        self._zi = [np.zeros(len(h) - 1 + whole) for h, whole in self._filters]

    def apply(
        self, voltage: np.ndarray, current: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        """Corrected inputs, shape (8, n): V1..V4 then I1..I4 [V, A] (in ``out`` if given)."""
        y = np.empty((8, voltage.shape[1])) if out is None else out
        np.multiply(voltage, self.gain[:4, None], out=y[:4])
        np.multiply(current, self.gain[4:, None], out=y[4:])
        if self.active:
            for ch, (h, whole) in enumerate(self._filters):
                taps = np.concatenate([np.zeros(whole), h])
                y[ch], self._zi[ch] = signal.lfilter(taps, 1.0, y[ch], zi=self._zi[ch])
        return y
