"""Replay a COMTRADE recording as a sample source.

Analog channels are mapped onto the meter's inputs V1..V4, I1..I4 from their phase field and
unit (IEEE C37.111 §7.4.3: ``ph``, ``uu``) or their id ("VA", "UL1", "IN" ...), or by an explicit
mapping. Values are delivered as primary quantities in V and A.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import numpy as np

from engine.blocks import CURRENT_CHANNELS, VOLTAGE_CHANNELS, SampleBlock
from engine.comtrade import AnalogChannel, Recording, read_comtrade
from engine.errors import InputError

INPUTS = VOLTAGE_CHANNELS + CURRENT_CHANNELS
#: Unit → (quantity, factor to V or A). Case matters for m/M; "KV"/"KA" are common misspellings.
_UNITS = {
    "V": ("V", 1.0),
    "kV": ("V", 1e3),
    "KV": ("V", 1e3),
    "mV": ("V", 1e-3),
    "MV": ("V", 1e6),
    "A": ("A", 1.0),
    "kA": ("A", 1e3),
    "KA": ("A", 1e3),
    "mA": ("A", 1e-3),
}
_PHASE_NAMES = {
    "A": ("A", "L1", "R", "1", "AN", "L1N"),
    "B": ("B", "L2", "S", "2", "BN", "L2N"),
    "C": ("C", "L3", "T", "3", "CN", "L3N"),
    "N": ("N", "0", "L0", "NG"),
    "AB": ("AB", "L1L2", "L12", "12", "RS"),
    "BC": ("BC", "L2L3", "L23", "23", "ST"),
    "CA": ("CA", "L3L1", "L31", "31", "TR"),
}
_PAIRS_REVERSED = {
    "AB": ("BA", "L2L1", "L21", "21", "SR"),
    "BC": ("CB", "L3L2", "L32", "32", "TS"),
    "CA": ("AC", "L1L3", "L13", "13", "RT"),
}
#: Phase designation → (phase, sign); a pair written backwards has sign −1 (VBA = −VAB).
_PHASES = {name: (phase, 1) for phase, names in _PHASE_NAMES.items() for name in names} | {
    name: (phase, -1) for phase, names in _PAIRS_REVERSED.items() for name in names
}
_ID_RE = re.compile(r"^(V|U|I)(?:PH)?(.+)$")

Term = tuple[float, int]  # (coefficient, analog channel position)


def _quantity(ch: AnalogChannel) -> tuple[str | None, float]:
    """("V" | "A" | None, factor to V or A) from the unit, else from the id's first letter."""
    unit = ch.unit.strip()
    if unit in _UNITS:
        return _UNITS[unit]
    lowered = {k.lower(): v for k, v in _UNITS.items() if k not in ("MV", "mA")}
    if unit.lower() in lowered:
        return lowered[unit.lower()]
    head = ch.id.strip()[:1].upper()
    return ("V", 1.0) if head in ("V", "U") else ("A", 1.0) if head == "I" else (None, 1.0)


def _phase(ch: AnalogChannel) -> tuple[str, int] | None:
    """The channel's phase and sign, from the ph field or else from the id ("UL1", "IA", "VAB")."""
    ph = re.sub(r"[\s_\-./]", "", ch.phase).upper()
    if ph in _PHASES:
        return _PHASES[ph]
    m = _ID_RE.match(re.sub(r"[\s_\-./]", "", ch.id).upper())
    return _PHASES.get(m.group(2)) if m else None


def _negated(terms: list) -> list[Term]:
    return [(-c, p) for c, p in terms]


def auto_mapping(channels: tuple[AnalogChannel, ...]) -> tuple[dict[str, list[Term]], str | None]:
    """Map channels onto V1..V4, I1..I4 by phase and unit; the first match of each input wins.

    With line-to-line voltages only, phase B is taken as the reference: V1 = V_AB, V2 = 0,
    V3 = −V_BC, which keeps V_AB, V_BC and V_CA right; a missing pair is completed from
    V_AB + V_BC + V_CA = 0. Returns the mapping as signed sums of channels and a note.
    """
    plan: dict[str, list[Term]] = {}
    line: dict[str, Term] = {}
    for pos, ch in enumerate(channels):
        quantity, _ = _quantity(ch)
        phase = _phase(ch)
        if quantity is None or phase is None:
            continue
        name, sign = phase
        if quantity == "V" and len(name) == 2:
            line.setdefault(name, (float(sign), pos))
            continue
        key = {"A": 1, "B": 2, "C": 3, "N": 4}[name]
        plan.setdefault(f"{'V' if quantity == 'V' else 'I'}{key}", [(float(sign), pos)])
    if any(k in plan for k in ("V1", "V2", "V3")) or not line:
        return plan, None
    ab, bc, ca = (line.get(p) for p in ("AB", "BC", "CA"))
    v_ab = [ab] if ab else _negated([bc, ca]) if bc and ca else []  # V_AB = −(V_BC + V_CA)
    v_bc = [bc] if bc else _negated([ab, ca]) if ab and ca else []  # V_BC = −(V_AB + V_CA)
    if v_ab:
        plan["V1"] = v_ab
    if v_bc:
        plan["V3"] = _negated(v_bc)
    v1 = _describe_terms(v_ab, channels) if v_ab else "0"
    v3 = _describe_terms(plan["V3"], channels) if v_bc else "0"
    return plan, f"line-to-line voltages only: V1 = {v1}, V2 = 0, V3 = {v3} (reference at phase B)"


def _describe_terms(terms: list[Term], channels: tuple[AnalogChannel, ...]) -> str:
    text = "".join(f"{'-' if c < 0 else '+'}{channels[p].id}" for c, p in terms)
    return text[1:] if text.startswith("+") else text


def _find_channel(value: str, channels: tuple[AnalogChannel, ...]) -> int | None:
    """Position of a channel given by id (exact, then case-insensitive) or 1-based number."""
    ids = [ch.id for ch in channels]
    if value in ids:
        return ids.index(value)
    folded = [i for i, ch_id in enumerate(ids) if ch_id.lower() == value.lower()]
    if len(folded) == 1:
        return folded[0]
    if value.strip().isdigit():
        number = int(value)
        by_index = [i for i, ch in enumerate(channels) if ch.index == number]
        if by_index:
            return by_index[0]
        if 1 <= number <= len(channels):
            return number - 1
    return None


class ComtradeSource:
    """A ``Source`` that replays a COMTRADE file (.cfg + .dat, or .cff) in blocks.

    ``mapping`` maps meter inputs ("V1".."V4", "I1".."I4") to channel ids or 1-based channel
    numbers (an empty string leaves the input unmapped); it overrides the automatic mapping.
    Blocks hold primary values [V], [A]: kV/kA are converted, and a channel recorded as
    secondary (PS = S) is multiplied by its primary/secondary ratio (IEEE C37.111 §7.4.3).
    """

    def __init__(
        self, path: str | Path, mapping: dict[str, str] | None = None, block_seconds: float = 1.0
    ):
        self.path = Path(path)
        if not block_seconds > 0:
            raise InputError(f"block_seconds must be > 0 s, got {block_seconds!r}", self.path)
        self._recording: Recording | None = read_comtrade(self.path)
        rec = self._recording
        self.block_seconds = float(block_seconds)
        self.nominal_frequency = float(rec.config.line_frequency)  # [Hz]
        self.sample_rate = self._sample_rate(rec)  # [Hz]
        self._plan, self._note = self._mapping(rec.config.analog, mapping)

    def _sample_rate(self, rec: Recording) -> float:
        """[Hz] from the .cfg (§7.4.6), or from the timestamps when nrates = 0."""
        config = rec.config
        if config.nrates > 0:
            rates = sorted({samp for samp, _ in config.sample_rates}, reverse=True)
            if len(rates) > 1:
                listed = ", ".join(f"{r:g} Hz" for r in rates)
                raise InputError(f"multiple sampling rates ({listed}) not supported", self.path)
            return float(rates[0])
        t = rec.time
        if t.size < 2 or not np.all(np.isfinite(t)):
            raise InputError(
                "nrates = 0 but the timestamps are missing or fewer than two", self.path
            )
        # Least-squares step: the timestamps are quantised, so the end points alone are not enough.
        k = np.arange(t.size) - (t.size - 1) / 2
        period = float(np.dot(k, t - t.mean()) / np.dot(k, k))
        # Allow one timestamp unit (timemult × base) of quantisation on top of 0.1 %.
        tolerance = 1e-3 * period + config.timemult * config.time_base
        worst = float(np.max(np.abs(np.diff(t) - period))) if period > 0 else np.inf
        if not worst <= tolerance:
            raise InputError(
                f"nrates = 0 and the timestamps are not uniform within 0.1 % "
                f"(mean step {period * 1e6:.3f} µs, worst deviation {worst * 1e6:.3f} µs)",
                self.path,
            )
        return 1.0 / period

    def _mapping(self, channels, mapping):
        plan, note = auto_mapping(channels)
        if mapping:
            explicit: dict[str, list[Term]] = {}
            for key, value in mapping.items():
                if key not in INPUTS:
                    raise InputError(
                        f"unknown meter input {key!r} in mapping (expected one of "
                        f"{', '.join(INPUTS)})",
                        self.path,
                    )
                if str(value).strip() == "":
                    explicit[key] = []
                    continue
                pos = _find_channel(str(value).strip(), channels)
                if pos is None:
                    listed = ", ".join(f"{i + 1}:{ch.id}" for i, ch in enumerate(channels))
                    raise InputError(
                        f"unknown channel {value!r} for {key} in mapping; available "
                        f"channels: {listed or 'none'}",
                        self.path,
                    )
                explicit[key] = [(1.0, pos)]
            used = {p for terms in explicit.values() for _, p in terms}
            if note and any(k in explicit for k in ("V1", "V2", "V3")):
                plan = {k: v for k, v in plan.items() if k not in ("V1", "V3")}
                note = None
            plan = {k: v for k, v in plan.items() if not used & {p for _, p in v}}
            plan.update(explicit)
            plan = {k: v for k, v in plan.items() if v}
        if not plan:
            listed = ", ".join(f"{i + 1}:{ch.id} [{ch.unit}]" for i, ch in enumerate(channels))
            raise InputError(
                f"no voltage or current channel mapped (channels: {listed or 'none'}); map one "
                f"explicitly, e.g. V1=<channel id>",
                self.path,
            )
        if not any(k in plan for k in VOLTAGE_CHANNELS):
            # A current-only recording (a fault recorder's, say) is still worth reading: the
            # meter times its windows from the nominal frequency.
            note = "no voltage channel: frequency, power and voltage readings are not available"
        return {k: plan[k] for k in INPUTS if k in plan}, note

    def _factor(self, ch: AnalogChannel) -> float:
        """Multiplier to primary V or A: unit prefix × (primary/secondary when PS = S)."""
        factor = _quantity(ch)[1]
        if ch.ps == "S" and ch.primary and ch.secondary:
            factor *= ch.primary / ch.secondary
        return factor

    def _rows(self, rec: Recording, start: int, stop: int) -> dict[str, np.ndarray]:
        channels = rec.config.analog
        return {
            key: sum(c * self._factor(channels[p]) * rec.analog[p, start:stop] for c, p in terms)
            for key, terms in self._plan.items()
        }

    def blocks(self) -> Iterator[SampleBlock]:
        """Blocks of ``block_seconds`` [s] (the last may be shorter); missing samples are NaN."""
        rec = self._recording
        if rec is None:
            return
        size = max(1, round(self.block_seconds * self.sample_rate))
        start_utc = rec.start
        digital = rec.digital if rec.digital.shape[0] else None
        for first in range(0, rec.n_samples, size):
            stop = min(first + size, rec.n_samples)
            rows = self._rows(rec, first, stop)
            n = stop - first
            voltage = np.zeros((4, n))
            current = np.zeros((4, n))
            for i, key in enumerate(VOLTAGE_CHANNELS):
                if key in rows:
                    voltage[i] = rows[key]
            for i, key in enumerate(CURRENT_CHANNELS):
                if key in rows:
                    current[i] = rows[key]
            yield SampleBlock(
                start=start_utc + timedelta(seconds=float(rec.time[first])),
                sample_rate=self.sample_rate,
                first_index=first,
                voltage=voltage,
                current=current,
                scale="primary",
                v4_measured="V4" in rows,
                i4_measured="I4" in rows,
                digital=None if digital is None else digital[:, first:stop].copy(),
            )

    def describe(self) -> dict:
        """JSON-ready summary: file, revision, format, rates, times and the channel mapping."""
        rec = self._recording
        if rec is None:
            return {"kind": "comtrade", "file": str(self.path), "closed": True}
        channels = rec.config.analog
        info = {
            "kind": "comtrade",
            "file": str(self.path),
            "revision": rec.config.revision,
            "format": rec.config.file_type,
            "sample_rate": self.sample_rate,
            "nominal_frequency": self.nominal_frequency,
            "samples": rec.n_samples,
            "start": rec.start.isoformat(),
            "trigger": rec.trigger.isoformat(),
            "mapping": {k: _describe_terms(v, channels) for k, v in self._plan.items()},
            "digital": [ch.id for ch in rec.config.digital],
            "missing_values": int(np.isnan(rec.analog).sum()),
        }
        if self._note:
            info["note"] = self._note
        return info

    def close(self) -> None:
        """Release the recording; ``blocks()`` yields nothing afterwards."""
        self._recording = None
