"""Per-channel calibration of the board's inputs: gain, offset and phase.

corrected = gain × (raw − offset), then advanced by ``phase`` [deg] at the nominal frequency
with the windowed-sinc fractional-delay filter of ``engine.transducers`` (advances made causal
by delaying every channel by the largest advance, as the meter's transformer correction does).
``measure_corrections`` finds the corrections from a known sinusoidal reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import signal

from engine.transducers import fractional_delay_taps

CHANNELS = ("V1", "V2", "V3", "V4", "I1", "I2", "I3", "I4")
SETTLE_SECONDS = 0.2  # [s] skipped at the start of a calibration measurement


@dataclass(frozen=True)
class Calibration:
    """``gain`` [1], ``offset`` [V or A, in raw units], ``phase`` [deg]: one value per channel
    V1..V4, I1..I4."""

    gain: tuple[float, ...] = (1.0,) * 8
    offset: tuple[float, ...] = (0.0,) * 8
    phase: tuple[float, ...] = (0.0,) * 8
    _state: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("gain", "offset", "phase"):
            values = getattr(self, name)
            if len(values) != 8 or not all(np.isfinite(values)):
                raise ValueError(f"calibration {name}: 8 finite values needed, got {values!r}")
        if any(g <= 0 for g in self.gain):
            raise ValueError(f"calibration gain must be > 0, got {self.gain!r}")

    @property
    def identity(self) -> bool:
        return self == Calibration()

    def to_settings(self):
        return to_settings(self)

    def apply(self, x: np.ndarray, sample_rate: float, nominal_frequency: float) -> np.ndarray:
        """Corrected (8, n) samples [V, A]; the phase filter keeps its state between calls
        (for one ``sample_rate`` [Hz] and ``nominal_frequency`` [Hz])."""
        y = (x - np.asarray(self.offset)[:, None]) * np.asarray(self.gain)[:, None]
        if not any(self.phase):
            return y
        key = (sample_rate, nominal_frequency)
        st = self._state
        if st.get("key") != key:
            advance = np.asarray(self.phase) / 360.0 * sample_rate / nominal_frequency
            delay = advance.max() - advance
            taps = []
            for d in delay:
                whole = int(np.floor(d))
                taps.append(np.concatenate([np.zeros(whole), fractional_delay_taps(d - whole)]))
            st.clear()
            st.update(key=key, taps=taps, zi=[np.zeros(len(t) - 1) for t in taps])
        for ch, t in enumerate(st["taps"]):
            y[ch], st["zi"][ch] = signal.lfilter(t, 1.0, y[ch], zi=st["zi"][ch])
        return y


def measure_corrections(
    x: np.ndarray,
    sample_rate: float,
    frequency: float,
    reference_v: float,
    reference_i: float,
) -> tuple[Calibration, tuple[bool, ...]]:
    """Corrections that make ``x`` (8, n) [V, A], a steady reference of ``reference_v`` [V rms]
    on the voltages and ``reference_i`` [A rms] on the currents at ``frequency`` [Hz], read
    exactly, and which channels carried it.

    offset = the mean, gain = reference / measured rms of the fundamental, phase = the angle
    that brings each channel onto V1's angle + 0°/−120°/+120° of a balanced positive sequence at
    unity power factor (V1..V3, I1..I3: A, B, C; V4, I4 with A). V1 is the angle reference, so
    its own phase stays 0. A channel reading under 5 % of its reference is taken as not wired:
    it keeps gain 1, offset 0, phase 0. Whole cycles of ``x`` are used. ValueError if fewer than
    10 cycles are given or V1 does not carry the reference.
    """
    cycles = int(np.floor(x.shape[1] * frequency / sample_rate))
    if cycles < 10:
        raise ValueError(f"calibration needs at least 10 cycles, got {cycles}")
    n = round(cycles * sample_rate / frequency)
    seg = x[:, :n]
    basis = np.exp(-2j * np.pi * frequency * np.arange(n) / sample_rate)
    offset = seg.mean(axis=1)
    phasor = np.sqrt(2.0) * ((seg - offset[:, None]) @ basis) / n  # rms phasor per channel
    expected = np.radians([0.0, -120.0, 120.0, 0.0] * 2)
    gain, off, phase = [1.0] * 8, [0.0] * 8, [0.0] * 8
    wired = []
    for ch in range(8):
        ref = reference_v if ch < 4 else reference_i
        rms = abs(phasor[ch])
        wired.append(bool(rms >= 0.05 * ref))
        if not wired[ch]:
            continue
        gain[ch] = float(ref / rms)
        off[ch] = float(offset[ch])
        err = np.angle(phasor[ch] * np.conj(phasor[0]) * np.exp(-1j * expected[ch]))
        phase[ch] = float(-np.degrees(err))  # a lagging channel is advanced
    if not wired[0]:
        raise ValueError(
            f"V1 reads {abs(phasor[0]) / np.sqrt(2):.4g} V: it must carry the reference"
        )
    return Calibration(tuple(gain), tuple(off), tuple(phase)), tuple(wired)


def from_settings(board) -> Calibration:
    """The calibration of the configuration's ``[board]`` section (``BoardCalibration``)."""
    pick = [
        [getattr(board, f"{c.lower()}_{k}") for c in CHANNELS] for k in ("gain", "offset", "phase")
    ]
    return Calibration(*(tuple(float(v) for v in values) for values in pick))


def to_settings(cal: Calibration):
    """The configuration's ``[board]`` section holding ``cal``."""
    from engine.config import BoardCalibration

    values = {}
    for k, c in enumerate(CHANNELS):
        for name in ("gain", "offset", "phase"):
            values[f"{c.lower()}_{name}"] = round(float(getattr(cal, name)[k]), 9)
    return BoardCalibration(**values)


def calibrate_from_source(
    source, reference_v: float, reference_i: float, seconds: float, nominal_frequency: float
) -> tuple[Calibration, tuple[bool, ...]]:
    """Measure ``seconds`` [s] of contiguous samples from ``source`` (a reference of
    ``reference_v`` [V rms] and ``reference_i`` [A rms] at ``nominal_frequency`` [Hz]) and
    return ``measure_corrections``' result. The first ``SETTLE_SECONDS`` are skipped (a board's
    filters and ADC settle after start); a gap in the samples starts the collection again."""
    parts: list[np.ndarray] = []
    expected = None
    have = 0
    for block in source.blocks():
        if expected is None or block.first_index != expected:
            parts, have = [], 0  # lost data: only a contiguous stretch is measured
            skip = round(SETTLE_SECONDS * block.sample_rate)
        expected = block.first_index + block.n_samples
        x = np.concatenate([block.voltage, block.current])
        drop = min(skip, x.shape[1])
        skip -= drop
        if drop < x.shape[1]:
            parts.append(x[:, drop:])
            have += x.shape[1] - drop
        need = round(seconds * block.sample_rate)
        if have >= need:
            x = np.concatenate(parts, axis=1)[:, :need]
            return measure_corrections(
                x, block.sample_rate, nominal_frequency, reference_v, reference_i
            )
    raise ValueError("the source ended before the reference was measured")
