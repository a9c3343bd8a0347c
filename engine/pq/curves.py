"""Equipment tolerance curves: ITIC (CBEMA, revised 2000) and SEMI F47-0706.

Both classify one event by its duration [s] and its magnitude in % of the declared voltage
(ITIC: % of nominal, rms; the curve was drawn for 120 V / 60 Hz single-phase IT equipment and is
used here in per-unit of the declared voltage, as PQ meters do). A point exactly on a boundary
counts as inside the tolerated region, and at a step the more lenient level applies.

ITIC points (power-quality.md §6, CONFIRMED: the ITIC figure's axis ticks, the OPQ
``mauka/plugins/itic_plugin.py`` polygons, spgsamerica.com and issuhub.com, all cited there):
- upper (prohibited) boundary: 500 % at 0.01 cycle (1/6000 s), 200 % at 1 ms, 140 % at 3 ms,
  straight lines between them on the log-time axis; then 120 % until 0.5 s and 110 % beyond
  (10 s and steady state). Below 0.01 cycle the curve is not drawn: 500 % is held.
- lower (no-damage) boundary: 0 % tolerated up to 20 ms, 70 % up to 0.5 s, 80 % up to 10 s,
  90 % in steady state.

SEMI F47-0706 (reapproved 0812; power-quality.md §6, CONFIRMED: powerstandards.com,
astrodynetdi.com, legalclarity.org): equipment must ride through sags to 50 % for 0.05-0.2 s,
to 70 % up to 0.5 s and to 80 % up to 1 s. Nothing is mandatory below 50 ms, and the curve past
1 s is not given, so a point there is "n/a" unless it is worse than a sag the curve does cover
(below 80 % for more than 1 s contains a 1-s sag below 80 %: "fail"; 50 % or more for less
than 50 ms is milder than 50 % for 0.2 s: "pass").
"""

from __future__ import annotations

import math

__all__ = [
    "ITIC_LOWER",
    "ITIC_UPPER",
    "SEMI_F47",
    "itic_limits",
    "itic_region",
    "semi_f47",
]

#: ITIC upper boundary: (duration [s], magnitude [%]) corners; log-time lines between the first
#: three, a step to 120 % after 3 ms, 110 % after 0.5 s (power-quality.md §6).
ITIC_UPPER = ((0.01 / 60.0, 500.0), (1e-3, 200.0), (3e-3, 140.0), (0.5, 120.0), (math.inf, 110.0))
#: ITIC lower boundary: (up to duration [s], minimum magnitude [%]) steps (power-quality.md §6).
ITIC_LOWER = ((0.02, 0.0), (0.5, 70.0), (10.0, 80.0), (math.inf, 90.0))
#: SEMI F47-0706: (up to duration [s], minimum residual [%]) that equipment must ride through,
#: defined from 0.05 s to 1 s (power-quality.md §6).
SEMI_F47 = ((0.2, 50.0), (0.5, 70.0), (1.0, 80.0))
_SEMI_FROM = 0.05  # [s] below this SEMI F47 sets no mandatory level


def _check(duration_s: float, magnitude_pct: float) -> None:
    if not (math.isfinite(duration_s) and duration_s >= 0.0):
        raise ValueError(f"event duration must be a finite number >= 0 s, got {duration_s!r}")
    if not (math.isfinite(magnitude_pct) and magnitude_pct >= 0.0):
        raise ValueError(f"event magnitude must be a finite number >= 0 %, got {magnitude_pct!r}")


def itic_limits(duration_s: float) -> tuple[float, float]:
    """The ITIC curve at ``duration_s`` [s]: (lower, upper) magnitude [% of nominal].

    A magnitude within [lower, upper] is in the no-interruption region (power-quality.md §6).
    """
    _check(duration_s, 0.0)
    (t0, y0), (t1, y1), (t2, y2) = ITIC_UPPER[:3]
    if duration_s <= t0:
        upper = y0
    elif duration_s <= t2:
        # Straight lines on the log-time axis: 500 -> 200 % over 1/6000 s..1 ms, 200 -> 140 %
        # over 1..3 ms.
        ta, ya, tb, yb = (t0, y0, t1, y1) if duration_s <= t1 else (t1, y1, t2, y2)
        upper = ya + (yb - ya) * math.log(duration_s / ta) / math.log(tb / ta)
    else:
        upper = next(y for t, y in ITIC_UPPER[3:] if duration_s <= t)
    lower = next(y for t, y in ITIC_LOWER if duration_s <= t)
    return lower, upper


def itic_region(duration_s: float, magnitude_pct: float) -> str:
    """ITIC (CBEMA, revised 2000) region of an event: "no-interruption" | "no-damage" |
    "prohibited".

    ``duration_s`` [s] >= 0; ``magnitude_pct``: residual (sags) or peak (swells) rms voltage
    [% of the declared voltage]. Above the upper curve: "prohibited"; below the lower curve:
    "no-damage"; on or between them: "no-interruption" (power-quality.md §6).
    """
    _check(duration_s, magnitude_pct)
    lower, upper = itic_limits(duration_s)
    if magnitude_pct > upper:
        return "prohibited"
    if magnitude_pct < lower:
        return "no-damage"
    return "no-interruption"


def semi_f47(duration_s: float, residual_pct: float) -> str:
    """SEMI F47-0706 verdict on a voltage sag: "pass" | "fail" | "n/a".

    ``duration_s`` [s] >= 0; ``residual_pct``: the lowest rms voltage during the sag [% of the
    declared voltage]. "pass": inside the ride-through region that SEMI F47 equipment must
    tolerate; "fail": outside it; "n/a": where the standard sets no level (shorter than 50 ms
    and deeper than 50 %, or longer than 1 s and 80 % or more). Only sags (dips and
    interruptions) are assessed; callers give "n/a" for swells and RVCs.
    """
    _check(duration_s, residual_pct)
    if duration_s < _SEMI_FROM:
        return "pass" if residual_pct >= SEMI_F47[0][1] else "n/a"
    for up_to, minimum in SEMI_F47:
        if duration_s <= up_to:
            return "pass" if residual_pct >= minimum else "fail"
    return "fail" if residual_pct < SEMI_F47[-1][1] else "n/a"
