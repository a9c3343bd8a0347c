"""The registry of every measured value: id, unit, group, label key and default resolution.

Screens, logs, alarms, Modbus registers and the analysis CLI all name values by these ids.
Form: ``MEASURAND_PHASE[_ORDER]``, upper case (see DESIGN.md).

- ``V_A``             rms line-to-neutral voltage of phase A [V]
- ``V_A_1``           rms of the fundamental of V_A [V] (the phasor magnitude)
- ``HA_V_A_1``        phase angle of that fundamental [deg], V_A fundamental = 0 deg
- ``H_V_A_5``         5th-harmonic subgroup of V_A [% of fundamental] (IEC 61000-4-7)
- ``HA_V_A_5``        angle of the 5th harmonic [deg], referred to the V_A fundamental: the
                      signal is read as sum of sqrt(2)·Y_h·cos(h·ω·t + HA_h) with HA_V_A_1 = 0
- ``V_HALF_A``        Urms(1/2): rms over one cycle refreshed every half cycle [V]
                      (IEC 61000-4-30 §5.4.2.1)
- ``T_E_P_DEL``       test-mode energy register (every ``E_`` id with a ``T_`` prefix) [Wh]
- ``T_D_P``           test-mode present demand (also ``T_D_Q``, ``T_D_S``) [W]
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

MAX_HARMONIC = 63

PHASES_LN = ("A", "B", "C")
PHASES_LL = ("AB", "BC", "CA")
#: The channels harmonics are reported for: wye voltages, delta voltages, currents.
HARMONIC_CHANNELS = (
    tuple(f"V_{p}" for p in PHASES_LN)
    + tuple(f"V_{p}" for p in PHASES_LL)
    + tuple(f"I_{p}" for p in PHASES_LN)
    + ("I_N",)
)


@dataclass(frozen=True)
class Quantity:
    """One measured value.

    ``resolution`` is the default number of decimals shown in the unit given (before any
    auto-ranging to k/M on the display).
    """

    id: str
    unit: str
    group: str
    label_key: str
    resolution: int


def _build() -> dict[str, Quantity]:
    q: dict[str, Quantity] = {}

    def add(qid: str, unit: str, group: str, resolution: int) -> None:
        q[qid] = Quantity(qid, unit, group, f"quantity.{qid}", resolution)

    # Voltage, current, frequency
    for p in PHASES_LN:
        add(f"V_{p}", "V", "voltage", 1)
    add("V_LN_AVG", "V", "voltage", 1)
    for p in PHASES_LL:
        add(f"V_{p}", "V", "voltage", 1)
    add("V_LL_AVG", "V", "voltage", 1)
    add("V_NG", "V", "voltage", 2)
    for p in PHASES_LN:
        add(f"I_{p}", "A", "current", 3)
    add("I_N", "A", "current", 3)
    add("I_AVG", "A", "current", 3)
    add("FREQ", "Hz", "frequency", 3)
    add("FREQ_CYCLE", "Hz", "frequency", 3)
    for p in PHASES_LN:
        add(f"V_HALF_{p}", "V", "voltage", 1)
        add(f"I_HALF_{p}", "A", "current", 3)
    for p in PHASES_LL:
        add(f"V_HALF_{p}", "V", "voltage", 1)

    # Power (IEEE 1459), per phase and total
    for p in (*PHASES_LN, "TOT"):
        add(f"P_{p}", "W", "power", 1)
        add(f"Q_{p}", "var", "power", 1)
        add(f"S_{p}", "VA", "power", 1)
        add(f"PF_{p}", "", "power_factor", 3)
        add(f"DPF_{p}", "", "power_factor", 3)

    # Phasors, harmonics and distortion
    for ch in HARMONIC_CHANNELS:
        unit = "V" if ch.startswith("V") else "A"
        add(f"{ch}_1", unit, "phasor", 2)
        add(f"HA_{ch}_1", "deg", "phasor", 1)
        add(f"THD_{ch}", "%", "harmonics", 2)
        add(f"CF_{ch}", "", "harmonics", 2)
        for h in range(2, MAX_HARMONIC + 1):
            add(f"H_{ch}_{h}", "%", "harmonics", 2)
            add(f"HA_{ch}_{h}", "deg", "harmonics", 1)
        if ch.startswith("I"):
            add(f"TDD_{ch}", "%", "harmonics", 2)
            add(f"KF_{ch}", "", "harmonics", 2)

    # Symmetrical components and unbalance (IEC 61000-4-30 §5.7)
    for m, unit in (("V", "V"), ("I", "A")):
        add(f"{m}_SEQ_POS", unit, "unbalance", 2)
        add(f"{m}_SEQ_NEG", unit, "unbalance", 2)
        add(f"{m}_SEQ_ZERO", unit, "unbalance", 2)
        add(f"U2_{m}", "%", "unbalance", 2)
        add(f"U0_{m}", "%", "unbalance", 2)
    add("PHASE_ROTATION", "", "status", 0)  # +1 = ABC, -1 = ACB, 0 = unknown

    # Power quality (IEC 61000-4-15 flicker, IEC 61000-4-30 events) of the live stream
    for p in PHASES_LN:
        add(f"PST_{p}", "", "pq", 2)
        add(f"PLT_{p}", "", "pq", 2)
    for counter in ("DIP_COUNT", "SWELL_COUNT", "INTERRUPTION_COUNT", "CAPTURE_COUNT"):
        add(counter, "", "pq", 0)
    add("LAST_EVENT_MAGNITUDE", "%", "pq", 1)
    # EN 50160 shares of the week so far [% of valid values within the limit] (live_en50160)
    for part in ("FREQUENCY", "VOLTAGE", "FLICKER", "UNBALANCE", "THD", "HARMONICS"):
        add(f"EN50160_{part}", "%", "pq", 1)
    add("LAST_EVENT_DURATION", "s", "pq", 3)

    # Energy registers
    for m, unit in (("P", "Wh"), ("Q", "varh"), ("S", "VAh")):
        for kind in ("DEL", "REC", "NET", "TOT"):
            add(f"E_{m}_{kind}", unit, "energy", 1)

    # Demand
    for m, unit in (("P", "W"), ("Q", "var"), ("S", "VA"), ("I", "A")):
        for kind in ("", "_PEAK", "_PRED"):
            add(f"D_{m}{kind}", unit, "demand", 1 if m != "I" else 3)

    # Test mode (engine.control): energy and present demand counted while the billing
    # registers stand still; published only while test mode is on.
    for m, unit in (("P", "Wh"), ("Q", "varh"), ("S", "VAh")):
        for kind in ("DEL", "REC", "NET", "TOT"):
            add(f"T_E_{m}_{kind}", unit, "test", 1)
    for m, unit in (("P", "W"), ("Q", "var"), ("S", "VA")):
        add(f"T_D_{m}", unit, "test", 1)
    return q


QUANTITIES: MappingProxyType[str, Quantity] = MappingProxyType(_build())


def aggregation_rule(qid: str) -> str:
    """How ``qid`` aggregates over time (IEC 61000-4-30 §4.5): "rms" (voltages, currents,
    harmonic and unbalance percentages: the square root of the mean of squares), "angle"
    (circular mean), "pf" (mean P / mean S of the same interval) or "mean" (frequency, powers,
    the rest)."""
    unit = QUANTITIES[qid].unit if qid in QUANTITIES else ""
    if qid.startswith("PF_"):
        return "pf"
    if unit == "deg":
        return "angle"
    if unit in ("V", "A", "%"):
        return "rms"
    return "mean"


def quantity(qid: str) -> Quantity:
    """The registry entry for ``qid``; ``KeyError`` naming the id if there is none."""
    try:
        return QUANTITIES[qid]
    except KeyError:
        raise KeyError(f"unknown quantity id {qid!r}") from None
