"""What each wiring mode measures: which signals are formed from the eight input channels.

Inputs (rows of the meter's sample buffer): V1 V2 V3 V4 I1 I2 I3 I4. V1..V3 are measured to a
common reference; every line-to-line voltage is a difference of two of them, right for any
reference. In 3W-DELTA the reference is not the neutral, so line-to-neutral values and per-phase
powers are not published; total power Σ v_k·i_k is still right because the three line currents
sum to zero (Blondel's theorem).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INPUTS = ("V1", "V2", "V3", "V4", "I1", "I2", "I3", "I4")
_ROW = {name: i for i, name in enumerate(INPUTS)}


def _mix(**weights: float) -> np.ndarray:
    row = np.zeros(len(INPUTS))
    for name, w in weights.items():
        row[_ROW[name]] = w
    return row


def row_picks(mix: np.ndarray) -> np.ndarray | None:
    """The input row of each row of ``mix`` when every one is a single input as it is (a
    selection: take those rows, no arithmetic), else None."""
    if np.count_nonzero(mix) != len(mix) or np.count_nonzero(mix == 1.0) != len(mix):
        return None
    return np.flatnonzero(mix == 1.0) % mix.shape[1]


@dataclass(frozen=True)
class WiringPlan:
    """Signals formed for one wiring mode.

    ``rms``: (quantity id, mix over inputs) of every signal whose rms is reported.
    ``power``: (phase label, pairs of (voltage input, current input)) whose product sum is the
    instantaneous power of that phase ("TOT" only in 3W-DELTA).
    ``spectral``: (channel id, mix) of the signals analysed for harmonics; the first one is the
    angle reference (V_A fundamental = 0 deg; V_AB in delta).
    ``phases``: phases with per-phase P, Q, S, PF.
    ``sequence_v`` / ``sequence_i``: spectral channel ids for symmetrical components, or ().
    """

    wiring: str
    rms: tuple[tuple[str, np.ndarray], ...]
    power: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    spectral: tuple[tuple[str, np.ndarray], ...]
    phases: tuple[str, ...]
    sequence_v: tuple[str, ...]
    sequence_i: tuple[str, ...]
    line_to_neutral: tuple[str, ...]
    line_to_line: tuple[str, ...]
    line_currents: tuple[str, ...]

    @property
    def rms_mix(self) -> np.ndarray:
        return np.array([m for _, m in self.rms])

    @property
    def spectral_mix(self) -> np.ndarray:
        return np.array([m for _, m in self.spectral])


def plan_for(wiring: str, *, v4_measured: bool = False, i4_measured: bool = False) -> WiringPlan:
    """The plan for ``wiring`` (one of ``engine.config.WIRINGS``)."""
    va, vb, vc = _mix(V1=1), _mix(V2=1), _mix(V3=1)
    vab, vbc, vca = _mix(V1=1, V2=-1), _mix(V2=1, V3=-1), _mix(V3=1, V1=-1)
    ia, ib, ic = _mix(I1=1), _mix(I2=1), _mix(I3=1)
    # Neutral current: measured by the 4th CT, or the residual of the phase currents.
    i_n = _mix(I4=1) if i4_measured else _mix(I1=1, I2=1, I3=1)
    i_n_split = _mix(I4=1) if i4_measured else _mix(I1=1, I2=1)
    extra = (("V_NG", _mix(V4=1)),) if v4_measured else ()

    if wiring in ("4W-WYE", "3W-WYE"):
        return WiringPlan(
            wiring,
            rms=(
                ("V_A", va),
                ("V_B", vb),
                ("V_C", vc),
                ("V_AB", vab),
                ("V_BC", vbc),
                ("V_CA", vca),
                *extra,
                ("I_A", ia),
                ("I_B", ib),
                ("I_C", ic),
                ("I_N", i_n),
            ),
            power=(("A", (("V1", "I1"),)), ("B", (("V2", "I2"),)), ("C", (("V3", "I3"),))),
            spectral=(
                ("V_A", va),
                ("V_B", vb),
                ("V_C", vc),
                ("I_A", ia),
                ("I_B", ib),
                ("I_C", ic),
                ("I_N", i_n),
            ),
            phases=("A", "B", "C"),
            sequence_v=("V_A", "V_B", "V_C"),
            sequence_i=("I_A", "I_B", "I_C"),
            line_to_neutral=("V_A", "V_B", "V_C"),
            line_to_line=("V_AB", "V_BC", "V_CA"),
            line_currents=("I_A", "I_B", "I_C"),
        )
    if wiring == "3W-DELTA":
        return WiringPlan(
            wiring,
            rms=(
                ("V_AB", vab),
                ("V_BC", vbc),
                ("V_CA", vca),
                ("I_A", ia),
                ("I_B", ib),
                ("I_C", ic),
            ),
            power=(("TOT", (("V1", "I1"), ("V2", "I2"), ("V3", "I3"))),),
            spectral=(
                ("V_AB", vab),
                ("V_BC", vbc),
                ("V_CA", vca),
                ("I_A", ia),
                ("I_B", ib),
                ("I_C", ic),
            ),
            phases=(),
            sequence_v=("V_AB", "V_BC", "V_CA"),
            sequence_i=("I_A", "I_B", "I_C"),
            line_to_neutral=(),
            line_to_line=("V_AB", "V_BC", "V_CA"),
            line_currents=("I_A", "I_B", "I_C"),
        )
    if wiring == "1P-2W":
        return WiringPlan(
            wiring,
            rms=(("V_A", va), *extra, ("I_A", ia)),
            power=(("A", (("V1", "I1"),)),),
            spectral=(("V_A", va), ("I_A", ia)),
            phases=("A",),
            sequence_v=(),
            sequence_i=(),
            line_to_neutral=("V_A",),
            line_to_line=(),
            line_currents=("I_A",),
        )
    if wiring == "SPLIT-3W":
        return WiringPlan(
            wiring,
            rms=(
                ("V_A", va),
                ("V_B", vb),
                ("V_AB", vab),
                *extra,
                ("I_A", ia),
                ("I_B", ib),
                ("I_N", i_n_split),
            ),
            power=(("A", (("V1", "I1"),)), ("B", (("V2", "I2"),))),
            spectral=(("V_A", va), ("V_B", vb), ("I_A", ia), ("I_B", ib), ("I_N", i_n_split)),
            phases=("A", "B"),
            sequence_v=(),
            sequence_i=(),
            line_to_neutral=("V_A", "V_B"),
            line_to_line=("V_AB",),
            line_currents=("I_A", "I_B"),
        )
    raise ValueError(f"unknown wiring {wiring!r}")
