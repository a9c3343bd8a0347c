"""Energy registers (Wh, varh, VAh) and the energy-pulse counter of the Watt / VAR LEDs.

Sign convention: the four quadrants of IEC 62053-23 (geometric representation of active and
reactive power), seen from the meter as a load meter:

- P > 0 [W] is active energy **delivered** (imported from the utility by the load, quadrants I
  and IV); P < 0 is **received** (exported, quadrants II and III).
- Q > 0 [var] (inductive, quadrants I and II) is reactive energy delivered; Q < 0 (capacitive,
  quadrants III and IV) is received.
- S [VA] has no sign of its own: apparent energy goes to delivered when P ≥ 0 and to received
  when P < 0.
- NET = DEL − REC and TOT = DEL + REC for each of Wh, varh and VAh.

The registers keep W·s (var·s, VA·s) as Neumaier-compensated float sums (a running sum and the
running sum of its rounding errors), so years of 5-per-second increments lose nothing: the error
stays within a few units in the last place of the total however many increments were added,
whereas a plain float sum drifts by up to half an ulp of the total at every add.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from engine.errors import InputError

#: Register keys, in the order of the state lists: measurand × (delivered, received).
_KEYS = ("P_DEL", "P_REC", "Q_DEL", "Q_REC", "S_DEL", "S_REC")
_P_DEL, _P_REC, _Q_DEL, _Q_REC, _S_DEL, _S_REC = range(6)
_STATE_VERSION = 1
_SECONDS_PER_HOUR = 3600.0

#: Range of the pulse weight Kt [Wh/pulse] (ION / PM8000 energy pulser setup).
KT_MIN = 0.01
KT_MAX = 1e9


def neumaier_add(total: float, comp: float, x: float) -> tuple[float, float]:
    """Add ``x`` to the compensated sum ``(total, comp)``; the value is ``total + comp``.

    Neumaier's variant of Kahan summation: ``comp`` collects exactly the low-order part lost by
    each rounded addition, whichever of the two operands is larger. Units are the caller's.
    """
    t = total + x
    if abs(total) >= abs(x):
        comp += (total - t) + x
    else:
        comp += (x - t) + total
    return t, comp


class EnergyRegisters:
    """Wh / varh / VAh delivered, received, net and total (IEC 62053-23 quadrants, see module).

    ``accumulate`` is called once per measurement interval; ``values`` gives the registers in
    [Wh], [varh] and [VAh] keyed by the quantity ids ``E_P_DEL`` … ``E_S_TOT``.
    """

    __slots__ = ("_comp", "_sum")

    def __init__(self) -> None:
        self._sum = [0.0] * 6  # [W·s], [var·s], [VA·s]
        self._comp = [0.0] * 6  # rounding error not yet in _sum, same units

    def accumulate(self, p: float, q: float, s: float, dt: float) -> None:
        """Add one interval of total power ``p`` [W], ``q`` [var], ``s`` [VA] lasting ``dt`` [s].

        A non-finite power (NaN while nothing is measured) adds nothing to its registers (nor
        does S while P, which routes it, is not finite), so a bad reading never poisons a
        register. ``dt`` must be finite and ≥ 0 [s].
        """
        if not 0.0 <= dt < math.inf:
            raise ValueError(f"energy interval dt must be a finite duration >= 0 s, got {dt!r}")
        sums, comps = self._sum, self._comp
        # Delivered or received by the sign of P (quadrants I+IV vs II+III).
        if 0.0 < p < math.inf:
            k, x = _P_DEL, p * dt
        elif -math.inf < p < 0.0:
            k, x = _P_REC, -p * dt
        else:
            k = -1
        if k >= 0:
            sums[k], comps[k] = neumaier_add(sums[k], comps[k], x)
        # Reactive: inductive (quadrants I+II) delivered, capacitive (III+IV) received.
        if 0.0 < q < math.inf:
            k, x = _Q_DEL, q * dt
        elif -math.inf < q < 0.0:
            k, x = _Q_REC, -q * dt
        else:
            k = -1
        if k >= 0:
            sums[k], comps[k] = neumaier_add(sums[k], comps[k], x)
        # Apparent: follows the direction of active power; |S| guards a stray negative input.
        if math.isfinite(s) and math.isfinite(p) and s != 0.0:
            k = _S_DEL if p >= 0.0 else _S_REC
            sums[k], comps[k] = neumaier_add(sums[k], comps[k], abs(s) * dt)

    def register(self, key: str) -> float:
        """One delivered / received register in [Wh] / [varh] / [VAh]; key e.g. ``"P_DEL"``."""
        k = _KEYS.index(key)
        return (self._sum[k] + self._comp[k]) / _SECONDS_PER_HOUR

    def values(self) -> dict[str, float]:
        """Every register by quantity id: ``E_P_DEL`` … ``E_S_TOT`` in [Wh], [varh], [VAh]."""
        out: dict[str, float] = {}
        for m, i_del in (("P", _P_DEL), ("Q", _Q_DEL), ("S", _S_DEL)):
            i_rec = i_del + 1
            d_hi, d_lo = self._sum[i_del], self._comp[i_del]
            r_hi, r_lo = self._sum[i_rec], self._comp[i_rec]
            # Net and total from the compensated parts: the high parts first, then the errors.
            out[f"E_{m}_DEL"] = (d_hi + d_lo) / _SECONDS_PER_HOUR
            out[f"E_{m}_REC"] = (r_hi + r_lo) / _SECONDS_PER_HOUR
            out[f"E_{m}_NET"] = ((d_hi - r_hi) + (d_lo - r_lo)) / _SECONDS_PER_HOUR
            out[f"E_{m}_TOT"] = math.fsum((d_hi, r_hi, d_lo, r_lo)) / _SECONDS_PER_HOUR
        return out

    def reset(self) -> None:
        """Zero every register (the front panel's Energy reset)."""
        self._sum = [0.0] * 6
        self._comp = [0.0] * 6

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready state: each register as ``[sum, compensation]`` in [W·s] / [var·s] / [VA·s].

        Both parts are kept so that a save / restore cycle loses nothing.
        """
        return {
            "version": _STATE_VERSION,
            "unit": "W·s, var·s, VA·s",
            "registers": {key: [self._sum[k], self._comp[k]] for k, key in enumerate(_KEYS)},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EnergyRegisters:
        """Registers restored from ``to_dict`` output; ``InputError`` (a ``ValueError``) naming
        the register if the data are malformed. Registers missing from ``data`` start at 0."""
        regs = cls()
        if data.get("version") != _STATE_VERSION:
            raise InputError(f"energy registers: unsupported state version {data.get('version')!r}")
        saved = data.get("registers")
        if not isinstance(saved, Mapping):
            raise InputError("energy registers: 'registers' must be a mapping")
        for key, pair in saved.items():
            if key not in _KEYS:
                raise InputError(f"energy registers: unknown register {key!r}")
            try:
                hi, lo = (float(v) for v in pair)
            except (TypeError, ValueError):
                raise InputError(
                    f"energy register {key}: expected [sum, compensation], got {pair!r}"
                ) from None
            if not (math.isfinite(hi) and math.isfinite(lo)) or hi + lo < 0.0:
                raise InputError(
                    f"energy register {key}: expected finite values >= 0, got {pair!r}"
                )
            k = _KEYS.index(key)
            regs._sum[k], regs._comp[k] = hi, lo
        return regs


class PulseCounter:
    """Energy pulses of weight ``kt`` [Wh/pulse] (Kt, the LED / KY pulse constant).

    ``add`` takes energy increments [Wh] (or [varh] / [VAh] for the VAR / VA pulser) and returns
    how many whole pulses are due; the fraction of a pulse is carried to the next call. The
    caller picks the integration mode (forward, reverse, absolute or net) by what it passes: a
    negative increment (net mode with reverse flow) lowers the carried energy, which must then be
    made up before the next pulse, as a net-energy pulse train requires.
    """

    __slots__ = ("_kt", "_remainder", "_total")

    def __init__(self, kt: float) -> None:
        if not KT_MIN <= kt <= KT_MAX:
            raise InputError(
                f"pulse weight Kt must be from {KT_MIN} to {KT_MAX:.0f} Wh/pulse, got {kt!r}"
            )
        self._kt = float(kt)
        self._remainder = 0.0  # [Wh] energy counted but not yet pulsed
        self._total = 0  # pulses issued since construction / reset

    @property
    def kt(self) -> float:
        """Pulse weight [Wh/pulse]."""
        return self._kt

    @property
    def remainder(self) -> float:
        """Energy counted but not yet pulsed [Wh]; below ``kt`` (negative after reverse flow)."""
        return self._remainder

    @property
    def total(self) -> int:
        """Pulses issued since construction or the last ``reset``."""
        return self._total

    def add(self, energy: float) -> int:
        """Add an energy increment [Wh]; return the number of pulses now due (≥ 0).

        A non-finite increment is ignored.
        """
        if not math.isfinite(energy):
            return 0
        rem = self._remainder + energy
        if rem < self._kt:
            self._remainder = rem
            return 0
        n = int(rem // self._kt)
        # Keep the carried energy in [0, kt) whatever the float division rounded to.
        rem -= n * self._kt
        if rem < 0.0:
            n, rem = n - 1, rem + self._kt
        elif rem >= self._kt:
            n, rem = n + 1, rem - self._kt
        self._remainder = rem
        self._total += n
        return n

    def reset(self) -> None:
        """Drop the carried energy and the pulse total."""
        self._remainder = 0.0
        self._total = 0
