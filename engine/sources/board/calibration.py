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
    present: np.ndarray | None = None,
) -> Calibration:
    """Corrections that make ``x`` (8, n) [V, A], a steady reference of ``reference_v`` [V rms]
    on every voltage and ``reference_i`` [A rms] on every current at ``frequency`` [Hz], read
    exactly: offset = mean, gain = reference / measured rms of the fundamental, phase = the
    angle that brings each channel onto V1's angle + 0°/−120°/+120° of a balanced positive
    sequence at unity power factor (V1..V3, I1..I3: A, B, C; V4, I4 with A), so V1 keeps 0.
    Whole cycles of ``x`` are used.

    ``present``: bool per channel; absent channels keep gain 1, offset 0, phase 0.
    """
    cycles = int(np.floor(x.shape[1] * frequency / sample_rate))
    if cycles < 10:
        raise ValueError(f"calibration needs at least 10 cycles, got {cycles}")
    n = round(cycles * sample_rate / frequency)
    seg = x[:, :n]
    t = np.arange(n) / sample_rate
    basis = np.exp(-2j * np.pi * frequency * t)
    offset = seg.mean(axis=1)
    phasor = np.sqrt(2.0) * ((seg - offset[:, None]) @ basis) / n  # rms phasor per channel
    expected_angle = np.radians([0.0, -120.0, 120.0, 0.0] * 2)
    present = np.ones(8, bool) if present is None else np.asarray(present, bool)
    gain, off, phase = [1.0] * 8, [0.0] * 8, [0.0] * 8
    for ch in range(8):
        if not present[ch]:
            continue
        ref = reference_v if ch < 4 else reference_i
        mag = abs(phasor[ch]) / np.sqrt(2.0)
        if mag < 0.05 * ref:
            raise ValueError(f"{CHANNELS[ch]} reads {mag:.4g}, far from the reference {ref:g}")
        gain[ch] = float(ref / mag)
        off[ch] = float(offset[ch])
        err = np.angle(phasor[ch] * np.conj(phasor[0]) * np.exp(-1j * expected_angle[ch]))
        phase[ch] = float(-np.degrees(err))
    return Calibration(tuple(gain), tuple(off), tuple(phase))


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
) -> Calibration:
    """Measure ``seconds`` [s] of contiguous samples from ``source`` (a reference of
    ``reference_v`` [V rms] and ``reference_i`` [A rms] at ``nominal_frequency`` [Hz]) and
    return the corrections; a gap in the samples starts the collection again."""
    parts: list = []
    expected = None
    need = None
    for block in source.blocks():
        if expected is not None and block.first_index != expected:
            parts = []  # lost data: only a contiguous stretch is measured
        expected = block.first_index + block.n_samples
        need = round(seconds * block.sample_rate)
        parts.append(np.concatenate([block.voltage, block.current]))
        if sum(p.shape[1] for p in parts) >= need:
            rate = block.sample_rate
            present = np.array([True] * 3 + [block.v4_measured] + [True] * 3 + [block.i4_measured])
            break
    else:
        raise ValueError("the source ended before the reference was measured")
    x = np.concatenate(parts, axis=1)[:, :need]
    return measure_corrections(x, rate, nominal_frequency, reference_v, reference_i, present)
