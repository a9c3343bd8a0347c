"""IEEE 519-2014 harmonic limits as code (power-quality.md §5, which cites its sources).

Edition pinned: ``EDITION``. IEEE 519-2022 allows even current harmonics 50 % (h ≤ 6) or 100 %
(h > 6) of the odd limits; 2014 allows 25 % for every even order, and that is the rule here.

Table 1, voltage at the PCC (CONFIRMED), bus voltage V:
V ≤ 1 kV 5.0 / 8.0 %; 1 kV < V ≤ 69 kV 3.0 / 5.0 %; 69 kV < V ≤ 161 kV 1.5 / 2.5 %;
V > 161 kV 1.0 / 1.5 % (individual harmonic / THD, % of the fundamental). The 2.0 % THD allowed
for HVDC terminals above 161 kV is not applied.

Tables 2 (V ≤ 69 kV, CONFIRMED), 3 (69 kV < V ≤ 161 kV, CODE-ONLY) and 4 (V > 161 kV, CODE-ONLY):
odd current harmonics in the bands 3 ≤ h < 11, 11 ≤ h < 17, 17 ≤ h < 23, 23 ≤ h < 35,
35 ≤ h ≤ 50, and TDD, in % of IL (the maximum demand load current, fundamental), by the ratio
ISC/IL. The printed row headings are "< 20", "20 < 50", "50 < 100", "100 < 1000", "> 1000"
(Table 4: "< 25", "25 < 50", "≥ 50"). Read here as: a row "a < b" holds a ≤ ratio < b; the
ratio 1000 itself, which "> 1000" excludes, is in the 100-1000 row (the stricter one).

Decisions where the reference leaves a gap (also in docs/compliance.md):
- h = 2 is even and below the first band: it gets 25 % of the 3 ≤ h < 11 limit.
- Table 2 is headed "120 V through 69 kV"; it is applied below 120 V as well.
- The low-order allowance (limits × 1.4 when h5 and h7 are below 1 %) is not applied.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.compliance.common import check_number

__all__ = [
    "BAND_STARTS",
    "EDITION",
    "EVEN_FRACTION",
    "MAX_ORDER",
    "CurrentLimits",
    "Ieee519Settings",
    "VoltageLimits",
    "current_limits",
    "voltage_limits",
]

#: The edition these limits come from; 2022 differs for even current harmonics.
EDITION = "IEEE 519-2014"
MAX_ORDER = 50  # limits and TDD are for h <= 50 (IEEE 519-2014 §5)
#: Even current harmonics: this fraction of the odd limit of their band (IEEE 519-2014
#: Tables 2-4, note; NOT the 2022 rule).
EVEN_FRACTION = 0.25
#: First order of each odd-harmonic band; the last band ends at h = 50 inclusive.
BAND_STARTS = (3, 11, 17, 23, 35)

#: Table 1: (bus voltage up to and including [V], individual [%], THD [%]); the last row is
#: open-ended.
TABLE_1 = ((1_000.0, 5.0, 8.0), (69_000.0, 3.0, 5.0), (161_000.0, 1.5, 2.5), (None, 1.0, 1.5))

# Tables 2-4: (ISC/IL below which the row applies (None: no upper bound), row upper bound is
# inclusive?, the five band limits [% of IL], TDD [% of IL]).
_TABLE_2 = (
    (20.0, False, (4.0, 2.0, 1.5, 0.6, 0.3), 5.0),
    (50.0, False, (7.0, 3.5, 2.5, 1.0, 0.5), 8.0),
    (100.0, False, (10.0, 4.5, 4.0, 1.5, 0.7), 12.0),
    (1000.0, True, (12.0, 5.5, 5.0, 2.0, 1.0), 15.0),
    (None, False, (15.0, 7.0, 6.0, 2.5, 1.4), 20.0),
)
_TABLE_3 = (
    (20.0, False, (2.0, 1.0, 0.75, 0.3, 0.15), 2.5),
    (50.0, False, (3.5, 1.75, 1.25, 0.5, 0.25), 4.0),
    (100.0, False, (5.0, 2.25, 2.0, 0.75, 0.35), 6.0),
    (1000.0, True, (6.0, 2.75, 2.5, 1.0, 0.5), 7.5),
    (None, False, (7.5, 3.5, 3.0, 1.25, 0.7), 10.0),
)
_TABLE_4 = (
    (25.0, False, (1.0, 0.5, 0.38, 0.15, 0.1), 1.5),
    (50.0, False, (2.0, 1.0, 0.75, 0.3, 0.15), 2.5),
    (None, False, (3.0, 1.5, 1.15, 0.45, 0.22), 3.75),
)


@dataclass(frozen=True)
class Ieee519Settings:
    """The point of common coupling: ``bus_voltage`` [V] (nominal, line-to-line for a
    three-phase system, as Table 1 is), ``isc_il``: ISC/IL, the maximum short-circuit current
    over IL [1], and ``il``: IL, the maximum demand load current (fundamental) [A]."""

    bus_voltage: float
    isc_il: float
    il: float

    def __post_init__(self) -> None:
        check_number("bus_voltage [V]", self.bus_voltage)
        check_number("isc_il (ISC/IL)", self.isc_il)
        check_number("il (maximum demand load current) [A]", self.il)

    def to_dict(self) -> dict:
        return {"bus_voltage": float(self.bus_voltage), "isc_il": float(self.isc_il),
                "il": float(self.il)}  # fmt: skip


@dataclass(frozen=True)
class VoltageLimits:
    """IEEE 519-2014 Table 1 row: ``individual`` and ``thd`` [% of the fundamental voltage]."""

    individual: float
    thd: float
    table: str = "Table 1"

    def to_dict(self) -> dict:
        return {"table": self.table, "individual": self.individual, "thd": self.thd}


@dataclass(frozen=True)
class CurrentLimits:
    """IEEE 519-2014 Table 2/3/4 row: odd-harmonic ``bands`` (limits for the bands starting at
    ``BAND_STARTS``) and ``tdd``, all [% of IL]; ``table`` and ``row`` name where they come from."""

    bands: tuple[float, ...]
    tdd: float
    table: str
    row: str

    def harmonic(self, h: int) -> float:
        """The limit for order ``h`` (2..50) [% of IL]: its band's odd limit, × 0.25 when even."""
        if not (isinstance(h, int) and 2 <= h <= MAX_ORDER):
            raise ValueError(f"IEEE 519 current limits are for orders 2..{MAX_ORDER}, got {h!r}")
        band = max(i for i, first in enumerate(BAND_STARTS) if h >= first or i == 0)
        odd = self.bands[band]
        return odd if h % 2 else odd * EVEN_FRACTION

    def to_dict(self) -> dict:
        return {"table": self.table, "row": self.row, "bands": list(self.bands), "tdd": self.tdd,
                "band_starts": list(BAND_STARTS)}  # fmt: skip


def voltage_limits(bus_voltage: float) -> VoltageLimits:
    """IEEE 519-2014 Table 1 limits for a bus voltage at the PCC ``bus_voltage`` [V] > 0."""
    v = check_number("bus_voltage [V]", bus_voltage)
    for up_to, individual, thd in TABLE_1:
        if up_to is None or v <= up_to:
            return VoltageLimits(individual, thd)
    raise AssertionError("unreachable: the last row is open-ended")


def _row_name(lower: tuple | None, upper: float | None, inclusive: bool) -> str:
    """E.g. "20 <= ISC/IL < 50", "100 <= ISC/IL <= 1000", "1000 < ISC/IL"; ``lower``: the
    previous row's (upper, inclusive)."""
    lo = "" if lower is None else f"{lower[0]:g} {'<' if lower[1] else '<='} "
    hi = "" if upper is None else f" {'<=' if inclusive else '<'} {upper:g}"
    return f"{lo}ISC/IL{hi}"


def current_limits(bus_voltage: float, isc_il: float) -> CurrentLimits:
    """IEEE 519-2014 current distortion limits [% of IL] for a PCC at ``bus_voltage`` [V]:
    Table 2 (≤ 69 kV), Table 3 (69-161 kV) or Table 4 (> 161 kV), row by ``isc_il`` [1]
    (module docstring for the row edges)."""
    v = check_number("bus_voltage [V]", bus_voltage)
    ratio = check_number("isc_il (ISC/IL)", isc_il)
    table, rows = (
        ("Table 2", _TABLE_2) if v <= 69_000.0
        else ("Table 3", _TABLE_3) if v <= 161_000.0
        else ("Table 4", _TABLE_4)
    )  # fmt: skip
    lower = None
    for upper, inclusive, bands, tdd in rows:
        if upper is None or ratio < upper or (inclusive and ratio == upper):
            return CurrentLimits(bands, tdd, table, _row_name(lower, upper, inclusive))
        lower = (upper, inclusive)
    raise AssertionError("unreachable: the last row is open-ended")
