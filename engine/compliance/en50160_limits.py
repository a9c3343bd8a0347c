"""EN 50160:2010 limits and event tables, as code (power-quality.md §4, which cites its sources).

Limits are on 10-min values (10-s means for frequency) and say which share of the valid values
of each week must lie within them ("95 %" of the week) and which range none may leave ("100 %").
A value exactly on a limit is within it (EN 50160 writes "Un ± 10 %", "≤ 8 %").

| parameter (clause) | limit, share of time | reference status |
|---|---|---|
| frequency, synchronous (§4.2.1 LV / §5.2.1 MV) | fn ± 1 % 99.5 %; fn +4 %/−6 % 100 % | CONFIRMED |
| frequency, island systems | fn ± 2 % 95 %; fn ± 15 % 100 % | SOURCED |
| supply voltage LV (§4.2.2) | Un ± 10 % 95 %; Un +10 %/−15 % 100 % | CONFIRMED |
| supply voltage MV (§5.2.2) | Un ± 10 % 99 %; Un ± 15 % 100 % | SOURCED |
| flicker Plt (§4.2.3) | ≤ 1, 95 % | CONFIRMED |
| unbalance u2 (§4.2.4) | ≤ 2 %, 95 % | SOURCED |
| THD h = 2…40 (§4.2.5) | ≤ 8 %, 95 % (time basis ambiguous, see below) | CONFIRMED limit |
| harmonics h = 2…25 (§4.2.5, Table 1) | ``HARMONIC_LIMITS`` [% of U1], 95 % | CONFIRMED |

Clause numbers are those of the 2010 edition's LV part (§4) and MV part (§5), not re-read
from the standard itself (only secondary sources were available).

Decisions where the reference leaves a gap (also in docs/compliance.md):
- THD: Schneider's note evaluates it over 95 % of the week, Rockwell's log over 100 %; the 95 %
  basis is used (the same as each individual harmonic).
- MV flicker, unbalance, THD and harmonics: the reference gives the LV table only; the LV limits
  are applied to MV too (UNCONFIRMED for MV).
- Synchronous frequency: EN 50160 counts 99.5 % "of a year"; it is applied to each week here,
  which is stricter than the standard over a shorter observation.
- 60 Hz: EN 50160 is written for 50 Hz; its percentages are applied to the nominal frequency.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.compliance.common import check_number

__all__ = [
    "EDITION",
    "HARMONIC_LIMITS",
    "PLT_LIMIT",
    "THD_LIMIT_PCT",
    "THD_MAX_ORDER",
    "UNBALANCE_LIMIT_PCT",
    "En50160Settings",
    "Limit",
    "frequency_limits",
    "voltage_limits",
]

#: The edition these limits come from (pinned: the 1999/2007 editions and the 2022 amendment
#: differ in places).
EDITION = "EN 50160:2010"

#: Individual harmonic voltage limits [% of the fundamental], 10-min values, 95 % of each week
#: (EN 50160:2010 §4.2.5 Table 1; power-quality.md §4). No limit above h = 25.
HARMONIC_LIMITS: dict[int, float] = {
    2: 2.0, 3: 5.0, 4: 1.0, 5: 6.0, 6: 0.5, 7: 5.0, 8: 0.5, 9: 1.5, 10: 0.5, 11: 3.5,
    12: 0.5, 13: 3.0, 14: 0.5, 15: 0.5, 16: 0.5, 17: 2.0, 18: 0.5, 19: 1.5, 20: 0.5, 21: 0.5,
    22: 0.5, 23: 1.5, 24: 0.5, 25: 1.5,
}  # fmt: skip
PLT_LIMIT = 1.0  # long-term flicker severity, 95 % of each week (§4.2.3)
UNBALANCE_LIMIT_PCT = 2.0  # u2 [%], 95 % of each week (§4.2.4)
THD_LIMIT_PCT = 8.0  # [% of U1], harmonics up to ...
THD_MAX_ORDER = 40  # ... h = 40 (§4.2.5)
WEEKLY_PCT = 95.0  # the share of a week's 10-min values that must be within the limit [%]

NETWORKS = ("LV", "MV")
SYSTEMS = ("synchronous", "island")
LV_MAX_V = 1000.0  # EN 50160 LV: Un up to 1 kV [V]
MV_MAX_V = 36000.0  # EN 50160 MV: 1 kV < Un <= 36 kV [V]; HV is not evaluated


@dataclass(frozen=True)
class En50160Settings:
    """What the EN 50160 evaluation needs to know about the supply.

    ``declared_voltage``: Un [V], in the same terms as the voltage records (line-to-neutral for
    wye channels, line-to-line for delta), at most 36 kV. ``nominal_frequency``: 50 or 60 [Hz].
    ``network``: "LV" or "MV"; None picks LV for Un <= 1 kV, else MV. ``system``:
    "synchronous" (connected to an interconnected grid) or "island" (EN 50160 §4.2.1).
    """

    declared_voltage: float
    nominal_frequency: float = 50.0
    network: str | None = None
    system: str = "synchronous"

    def __post_init__(self) -> None:
        un = check_number("declared_voltage [V]", self.declared_voltage)
        if un > MV_MAX_V:
            raise ValueError(
                f"declared_voltage {un} V is above 36 kV: EN 50160 LV/MV limits do not apply"
                " (HV is not evaluated)"
            )
        if self.nominal_frequency not in (50, 60) or isinstance(self.nominal_frequency, bool):
            raise ValueError(
                f"nominal_frequency must be 50 or 60 Hz, got {self.nominal_frequency!r}"
            )
        if self.network is None:
            object.__setattr__(self, "network", "LV" if un <= LV_MAX_V else "MV")
        elif self.network not in NETWORKS:
            raise ValueError(f"network must be 'LV' or 'MV' (or None), got {self.network!r}")
        if self.system not in SYSTEMS:
            raise ValueError(f"system must be 'synchronous' or 'island', got {self.system!r}")

    def to_dict(self) -> dict:
        return {
            "declared_voltage": float(self.declared_voltage),
            "nominal_frequency": float(self.nominal_frequency),
            "network": self.network,
            "system": self.system,
        }


@dataclass(frozen=True)
class Limit:
    """A range [low, high] (low None: no lower limit) that ``required_pct`` % of a week's valid
    values must lie within, inclusive at both ends, in ``unit``."""

    low: float | None
    high: float
    required_pct: float
    unit: str


def _of(x: float, pct: int) -> float:
    """``pct`` % of ``x``, as x·pct/100: exact where it can be (230 V · 90 / 100 is 207.0 V,
    where 230 · 0.9 is not), so that a value on a limit is seen on it."""
    return x * pct / 100


def frequency_limits(settings: En50160Settings) -> tuple[Limit, Limit]:
    """The frequency ranges [Hz] for 10-s means (EN 50160:2010 §4.2.1, §5.2.1): synchronous
    fn ± 1 % for 99.5 % and fn −6 %/+4 % for 100 %; island fn ± 2 % for 95 % and ± 15 % for
    100 %."""
    fn = float(settings.nominal_frequency)
    if settings.system == "synchronous":
        return (
            Limit(_of(fn, 99), _of(fn, 101), 99.5, "Hz"),
            Limit(_of(fn, 94), _of(fn, 104), 100.0, "Hz"),
        )
    return (
        Limit(_of(fn, 98), _of(fn, 102), 95.0, "Hz"),
        Limit(_of(fn, 85), _of(fn, 115), 100.0, "Hz"),
    )


def voltage_limits(settings: En50160Settings) -> tuple[Limit, Limit]:
    """The supply voltage ranges [V] for 10-min rms values: LV Un ± 10 % for 95 % and
    Un −15 %/+10 % for 100 % (§4.2.2); MV Un ± 10 % for 99 % and Un ± 15 % for 100 % (§5.2.2)."""
    un = float(settings.declared_voltage)
    if settings.network == "LV":
        return (
            Limit(_of(un, 90), _of(un, 110), 95.0, "V"),
            Limit(_of(un, 85), _of(un, 110), 100.0, "V"),
        )
    return (
        Limit(_of(un, 90), _of(un, 110), 99.0, "V"),
        Limit(_of(un, 85), _of(un, 115), 100.0, "V"),
    )
