"""Disturbance direction: is a dip or swell upstream or downstream of the meter? (issue 3)

Method: the change of power flow at the event (the "disturbance power" criterion). With the
fundamental phasors of voltage and current just before the event (V0, I0) and at its start
(V1, I1), ΔV = V1 − V0 and ΔI = I1 − I0 are the phasors of the disturbance alone. The meter
sees the network on one side and the load on the other:

- a fault or a large load switched on *downstream* draws its current through the source
  impedance Zs upstream, so ΔV = −Zs·ΔI and the disturbance power ΔP = Re(ΔV·conj(ΔI)) =
  −Re(Zs)·|ΔI|² < 0 (energy flows from the network to the disturbance, past the meter);
- a disturbance *upstream* changes the voltage the (passive) load sees, so ΔV = Zload·ΔI and
  ΔP = Re(Zload)·|ΔI|² > 0.

Positive means "towards the load" (the meter's delivered direction), so the sign convention holds
with the configured CT polarity applied to the samples. A second, independent reading is the
trajectory of the magnitudes: a downstream dip raises the current (|V| and |I| move in opposite
directions), an upstream one lowers it with the voltage. The confidence [0..1] is how far the
current change stands above noise (``min_current_change``, relative to the pre-event current),
halved when the two readings disagree (constant-power loads, motors feeding a fault). With no
measurable current change the direction is "unknown" with confidence 0.

Per phase events use their own voltage and current (wye); polyphase events and line-to-line
channels use the sum over the three phases (the total disturbance power does not depend on the
voltage reference when the line currents sum to zero, Blondel).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np

from engine.pq.events import Event

__all__ = ["Direction", "DirectionFinder", "disturbance_direction"]

#: Cycles of steady pre-event signal used, and how far before the event's time stamp they end:
#: the time stamp is the end of the first Urms(1/2) cycle past the threshold, so the change
#: began within the cycle before it.
PRE_CYCLES, PRE_GAP_CYCLES = 2.0, 1.5
#: Cycles of the event used, from its time stamp (shorter events: their length, at least one).
DURING_CYCLES = 2.0


@dataclass(frozen=True)
class Direction:
    """``direction``: "upstream" | "downstream" | "unknown"; ``confidence`` in [0, 1];
    ``power_change``: ΔP [W] (the disturbance power; negative downstream)."""

    direction: str
    confidence: float
    power_change: float = 0.0


UNKNOWN = Direction("unknown", 0.0)


def fundamental_phasors(x: np.ndarray, sample_rate: float, frequency: float) -> np.ndarray:
    """Fundamental phasors (rms, complex) of each row of ``x`` over its whole length.

    ``x``: (rows, n) samples [V or A]; ``sample_rate``, ``frequency`` [Hz]. Exact for a whole
    number of cycles at ``frequency`` (the projection on e^{−jωt}).
    """
    n = x.shape[-1]
    if n == 0:
        raise ValueError("no samples to take a phasor of")
    w = 2 * np.pi * frequency / sample_rate
    basis = np.exp(-1j * w * np.arange(n))
    return np.sqrt(2) / n * (x @ basis)


def disturbance_direction(
    voltage: np.ndarray,
    current: np.ndarray,
    sample_rate: float,
    frequency: float,
    onset: int,
    during: int | None = None,
    min_current_change: float = 0.05,
) -> Direction:
    """The direction of a disturbance starting at sample ``onset`` of the arrays.

    ``voltage``, ``current``: (phases, n) samples [V], [A], same phases in the same order
    (the rows summed; one row for a single phase); ``sample_rate``, ``frequency`` [Hz];
    ``onset``: sample index of the event's time stamp (end of the first Urms(1/2) cycle past
    its threshold); ``during``: samples of the event to use (default ``DURING_CYCLES``);
    ``min_current_change``: |ΔI| below this fraction of the pre-event current (or of the
    largest current when there was none) counts as no change.

    The pre-event cycles (``PRE_CYCLES``, ending ``PRE_GAP_CYCLES`` before ``onset``) and the
    event's cycles must lie within the arrays (``ValueError`` otherwise).
    """
    if voltage.shape != current.shape or voltage.ndim != 2:
        raise ValueError(
            f"voltage {voltage.shape} and current {current.shape} must be (phases, n) arrays"
        )
    if not (sample_rate > 0 and frequency > 0):
        raise ValueError(
            f"sample_rate and frequency must be > 0 Hz, got {sample_rate}, {frequency}"
        )
    cycle = sample_rate / frequency
    pre_end = onset - round(PRE_GAP_CYCLES * cycle)
    pre_start = pre_end - round(PRE_CYCLES * cycle)
    length = round(DURING_CYCLES * cycle) if during is None else max(during, round(cycle))
    length = round(round(length / cycle) * cycle) or round(cycle)  # whole cycles: exact phasors
    if pre_start < 0 or onset + length > voltage.shape[1]:
        raise ValueError(
            f"need samples {pre_start}..{onset + length} around the onset,"
            f" have 0..{voltage.shape[1]}"
        )
    both = np.concatenate([voltage, current])
    before = fundamental_phasors(both[:, pre_start:pre_end], sample_rate, frequency)
    # A phasor taken over a window starting at sample m carries a phase of ω·m: refer the
    # event's phasors to the pre-event window's start so that the two compare.
    after = fundamental_phasors(both[:, onset : onset + length], sample_rate, frequency)
    after = after * np.exp(-2j * np.pi * frequency * (onset - pre_start) / sample_rate)
    k = voltage.shape[0]
    dv, di = after[:k] - before[:k], after[k:] - before[k:]
    power_change = float(np.sum((dv * np.conj(di)).real))
    i_before = float(np.sqrt(np.sum(np.abs(before[k:]) ** 2)))
    i_after = float(np.sqrt(np.sum(np.abs(after[k:]) ** 2)))
    change = float(np.sqrt(np.sum(np.abs(di) ** 2)))
    scale = i_before if i_before > 0 else i_after
    if scale <= 0 or change < min_current_change * scale:
        return UNKNOWN
    direction = "downstream" if power_change < 0 else "upstream"
    # The magnitude trajectory: downstream, |V| and |I| move in opposite directions.
    v_change = float(np.sum(np.abs(after[:k])) - np.sum(np.abs(before[:k])))
    i_change = i_after - i_before
    trajectory = "downstream" if v_change * i_change < 0 else "upstream"
    strength = min(1.0, (change / scale - min_current_change) / min_current_change + 0.5)
    confidence = strength if trajectory == direction else 0.5 * strength
    return Direction(direction, round(confidence, 3), power_change)


class DirectionFinder:
    """The direction of each dip, swell and interruption of a stream, from its samples.

    Feed every block's voltage and current samples (rows V1..V3, I1..I3, in the meter's
    delivered direction: ``signs`` multiplies the rows, e.g. -1 for an inverted CT) with
    ``add``; ``watch`` an event as soon as it is seen (in progress or ended); ``resolved(event)``
    returns the event with ``direction`` and ``confidence`` filled once the samples after its
    start have arrived (``None`` before). The blocks themselves are kept, not copied (a few
    cycles plus two blocks), so memory does not grow and feeding costs nothing. ``phases``:
    the names of the rows ("A", "B", "C").
    """

    def __init__(
        self,
        sample_rate: float,
        frequency: float,
        phases: Sequence[str] = ("A", "B", "C"),
        line_to_neutral: bool = True,
        signs: Sequence[float] | None = None,
    ) -> None:
        self.sample_rate, self.frequency = sample_rate, frequency
        self.phases = tuple(phases)
        self.line_to_neutral = line_to_neutral
        k = len(self.phases)
        self._signs = np.ones((2 * k, 1)) if signs is None else np.asarray(signs, float)[:, None]
        self._blocks: list[tuple[int, np.ndarray, np.ndarray]] = []  # (first index, v, i)
        self._end = 0  # absolute index one past the last sample held
        self._origin: datetime | None = None  # time of absolute sample 0
        self._largest_block = 0
        self._waiting: dict[tuple, int] = {}  # event key -> onset sample, waiting for samples
        self._found: dict[tuple, Direction] = {}

    def add(self, start: datetime, first_index: int, voltage: np.ndarray, current: np.ndarray):
        """Hold one block: ``voltage``, ``current`` (phases, n) [V], [A] from ``first_index``
        (absolute sample index) at time ``start``. A gap restarts the history."""
        n = voltage.shape[1]
        if self._origin is None or first_index != self._end:
            self._blocks.clear()
            self._origin = start - timedelta(seconds=first_index / self.sample_rate)
        self._blocks.append((first_index, voltage, current))
        self._end = first_index + n
        self._largest_block = max(self._largest_block, n)
        self._resolve()
        cycle = self.sample_rate / self.frequency
        keep = round((PRE_CYCLES + PRE_GAP_CYCLES + 1) * cycle) + 2 * self._largest_block
        while len(self._blocks) > 1 and self._end - self._blocks[1][0] >= keep:
            self._blocks.pop(0)

    @property
    def held(self) -> int:
        """Samples held."""
        return self._end - self._blocks[0][0] if self._blocks else 0

    def watch(self, event: Event) -> None:
        """Find ``event``'s direction as soon as its samples are here (RVCs are not watched)."""
        key = _key(event)
        if event.type == "rvc" or key in self._found or key in self._waiting:
            return
        if self._origin is None:
            self._found[key] = UNKNOWN
            return
        seconds = (event.start - self._origin).total_seconds()
        self._waiting[key] = round(seconds * self.sample_rate)
        self._resolve()

    def resolved(self, event: Event) -> Event | None:
        """``event`` with its direction, once known; RVCs unchanged."""
        if event.type == "rvc":
            return event
        found = self._found.get(_key(event))
        if found is None:
            return None
        return replace(event, direction=found.direction, confidence=found.confidence)

    def forget(self, event: Event) -> None:
        self._found.pop(_key(event), None)
        self._waiting.pop(_key(event), None)

    def _resolve(self) -> None:
        cycle = self.sample_rate / self.frequency
        need_after = round(DURING_CYCLES * cycle)
        for key, onset in list(self._waiting.items()):
            if onset + need_after > self._end:
                continue  # not yet all here
            del self._waiting[key]
            k = len(self.phases)
            phase = key[1]
            rows = [self.phases.index(phase)] if (
                self.line_to_neutral and phase in self.phases
            ) else list(range(k))  # fmt: skip
            first = self._blocks[0][0]
            both = np.hstack([np.vstack([v[:k], i[:k]]) for _, v, i in self._blocks])
            both *= self._signs
            try:
                self._found[key] = disturbance_direction(
                    both[rows], both[[k + r for r in rows]], self.sample_rate, self.frequency,
                    onset - first,
                )  # fmt: skip
            except ValueError:  # the pre-event samples are gone (a gap, the stream's start)
                self._found[key] = UNKNOWN


def _key(event: Event) -> tuple:
    return (event.type, event.phase, event.start)
