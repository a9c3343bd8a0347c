"""The pickup / dropout state machine of one alarm, timed to the values it is fed.

Times are seconds since the epoch (UTC) as floats; values in the unit of the quantity.

Two ways of feeding it:

- ``feed_samples``: measured values at the end of each half cycle (high speed) or of each
  second (standard: 1-s values). An alarm picks up at the first sample at which its value has
  been beyond the pickup threshold at every sample for ``pickup_delay`` [s] (delay 0: the
  first sample beyond), and drops out at the first sample at which it has been back past the
  dropout threshold at every sample for ``dropout_delay``. So pickup and dropout fall on the
  sample (the half cycle) at which the delay is fulfilled. NaN (no value) holds no condition:
  a run of beyond or back samples starts again after it.
- ``feed_levels``: a condition that holds between its changes (a digital input, the state of
  other alarms): the delay runs in continuous time, so a pickup falls exactly ``pickup_delay``
  after the condition became true, even between two changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: [s] Half-cycle and window times come from interpolated zero crossings rounded to the
#: microsecond: a delay counts as fulfilled this close to its end (far below a half cycle).
TIME_TOLERANCE = 1e-4


@dataclass
class Tracker:
    """Explicit state of one alarm's condition: ``active``; ``pending``, the time [s] the
    current run towards the other state started (None: no run); ``condition``, the level last
    fed to ``feed_levels``."""

    active: bool = False
    pending: float | None = None
    condition: bool = False


@dataclass(frozen=True)
class Transition:
    """A pickup (``active`` True) or dropout of one alarm at ``time`` [s]; ``value`` the value
    that completed it (NaN for levels)."""

    time: float
    active: bool
    value: float = float("nan")


def beyond(value: float, direction: str, threshold: float) -> bool:
    """``value`` is past ``threshold`` in ``direction`` ("over": above it, "under": below)."""
    return value > threshold if direction == "over" else value < threshold


def feed_samples(
    tr: Tracker,
    times: np.ndarray,
    values: np.ndarray,
    direction: str,
    pickup: float,
    dropout: float,
    pickup_delay: float,
    dropout_delay: float,
) -> list[Transition]:
    """Run ``tr`` over samples ``values`` at ``times`` [s, increasing]; returns the
    transitions (``value``: the sample that completed each)."""
    out: list[Transition] = []
    for t, v in zip(times.tolist(), values.tolist(), strict=True):
        if v != v:  # NaN: no value, no run
            tr.pending = None
            continue
        if not tr.active:
            if beyond(v, direction, pickup):
                if tr.pending is None:
                    tr.pending = t
                if t - tr.pending >= pickup_delay - TIME_TOLERANCE:
                    tr.active, tr.pending = True, None
                    out.append(Transition(t, True, v))
            else:
                tr.pending = None
        else:
            # Back past the dropout threshold: at it counts as back (so with no hysteresis,
            # pickup == dropout, a value at the threshold is not beyond either way).
            if not beyond(v, direction, dropout):
                if tr.pending is None:
                    tr.pending = t
                if t - tr.pending >= dropout_delay - TIME_TOLERANCE:
                    tr.active, tr.pending = False, None
                    out.append(Transition(t, False, v))
            else:
                tr.pending = None
    return out


def feed_levels(
    tr: Tracker,
    changes: Sequence[tuple[float, bool]],
    end: float,
    pickup_delay: float,
    dropout_delay: float,
) -> list[Transition]:
    """Run ``tr`` over a condition that holds ``tr.condition`` until the first of ``changes``
    ``(time [s], value)`` (increasing), each value holding until the next, up to ``end`` [s];
    returns the transitions."""
    out: list[Transition] = []

    def advance(t: float) -> None:
        if tr.pending is None:
            return
        due = tr.pending + (dropout_delay if tr.active else pickup_delay)
        if due <= t + TIME_TOLERANCE:
            tr.active, tr.pending = not tr.active, None
            out.append(Transition(due, tr.active))

    for t, value in changes:
        advance(t)
        tr.condition = bool(value)
        if tr.condition == tr.active:
            tr.pending = None
        elif tr.pending is None:
            tr.pending = t
        advance(t)  # delay 0: at once
    advance(end)
    return out
