"""The scenario as complex rms coefficients: the fundamental phasors of the voltages and
currents (rotation, unbalance, power factor, wiring) and the harmonic and interharmonic
coefficients of every channel that ``engine.sources.synthesis`` turns into samples (the signal
model is described there).
"""

from __future__ import annotations

import math

import numpy as np

from engine.sources.scenario import THREE_WIRE, Scenario

_A = complex(math.cos(2 * math.pi / 3), math.sin(2 * math.pi / 3))  # the operator a = 1∠120°


def _rect(rms: float, deg: float) -> complex:
    return complex(rms * math.cos(math.radians(deg)), rms * math.sin(math.radians(deg)))


def _default_angles(sc: Scenario) -> tuple[float, float, float]:
    """[deg] phase angles when the scenario gives none."""
    if sc.wiring == "1P-2W":
        return (0.0, 0.0, 0.0)
    if sc.wiring == "SPLIT-3W":
        return (0.0, 180.0, 0.0)  # the two halves of a centre-tapped winding
    return (0.0, -120.0, 120.0) if sc.rotation == "ABC" else (0.0, 120.0, -120.0)


def _used(sc: Scenario) -> np.ndarray:
    """Which of phases A, B, C carry signals in the scenario's wiring."""
    return np.array({"1P-2W": (1, 0, 0), "SPLIT-3W": (1, 1, 0)}.get(sc.wiring, (1, 1, 1)), bool)


def voltage_phasors(sc: Scenario) -> np.ndarray:
    """Fundamental rms phasors of V1..V3 [V] after the sequence unbalance, shape (3,)."""
    v = sc.voltage
    angles = v.angle if v.angle is not None else _default_angles(sc)
    ph = np.array([_rect(r, a) for r, a in zip(v.rms, angles, strict=True)])
    u = v.unbalance
    if u.negative or u.zero:
        # "Positive" follows the rotation: for ACB the roles of a and a² swap.
        a = _A if sc.rotation == "ABC" else _A.conjugate()
        pos = (ph[0] + a * ph[1] + a * a * ph[2]) / 3
        ref = math.degrees(np.angle(pos))
        neg = _rect(abs(pos) * u.negative / 100, ref + u.negative_angle)
        zero = _rect(abs(pos) * u.zero / 100, ref + u.zero_angle)
        ph = ph + neg * np.array([1, a, a * a]) + zero
    return np.where(_used(sc), ph, 0)


def current_phasors(sc: Scenario, volts: np.ndarray) -> np.ndarray:
    """Fundamental rms phasors of I1..I3 [A] before any 3-wire projection, shape (3,).

    With a power factor, the angle is the voltage's angle minus acos(pf) when lagging (current
    behind voltage, Q > 0) or plus acos(pf) when leading; pf < 0 means P < 0.
    """
    c = sc.current
    if c.angle is not None:
        angles = list(c.angle)
    else:
        angles = [
            math.degrees(np.angle(vp)) + (-1 if sense == "lag" else 1) * math.degrees(math.acos(pf))
            for vp, pf, sense in zip(volts, c.power_factor, c.pf_sense, strict=True)
        ]
    ph = np.array([_rect(r, a) for r, a in zip(c.rms, angles, strict=True)])
    return np.where(_used(sc), ph, 0)


def coefficients(sc: Scenario) -> tuple[list[int], np.ndarray, list[float], np.ndarray]:
    """Complex rms coefficients of every channel (rows V1..V4, I1..I4; the I4 row stays zero,
    I4 is computed from the samples): harmonic orders and (8, H), interharmonic frequencies
    [Hz] and (8, F)."""
    volts = voltage_phasors(sc)
    amps = current_phasors(sc, volts)
    settings = ((0, volts, sc.voltage), (4, amps, sc.current))
    orders = sorted({1} | {h.order for _, _, s in settings for h in s.harmonics})
    freqs = sorted({i.frequency for _, _, s in settings for i in s.interharmonics})
    harm = np.zeros((8, len(orders)), complex)
    inter = np.zeros((8, len(freqs)), complex)
    harm[0:3, 0], harm[4:7, 0] = volts, amps
    n = sc.neutral
    if n.voltage_measured:
        harm[3, 0] = _rect(n.voltage_rms, n.voltage_angle)
    for row0, fund, s in settings:
        for h in s.harmonics:
            for p in ("ABC".index(x) for x in h.phases):
                harm[row0 + p, orders.index(h.order)] += (
                    abs(fund[p])
                    * h.magnitude
                    / 100
                    * (np.exp(1j * (h.order * np.angle(fund[p]) + math.radians(h.angle))))
                )
        for i in s.interharmonics:
            for p in ("ABC".index(x) for x in i.phases):
                inter[row0 + p, freqs.index(i.frequency)] += _rect(
                    abs(fund[p]) * i.magnitude / 100, i.angle
                )
    if sc.wiring in THREE_WIRE:
        for m in (harm, inter):  # per frequency the phasors add like the samples do
            m[4:7] -= m[4:7].mean(axis=0)
    return orders, harm, freqs, inter
