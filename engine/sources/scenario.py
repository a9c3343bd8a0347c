"""Scenario of the simulated source: the settings, their TOML form and their validation.

A scenario describes the power system the simulated source generates; docs/simulated-inputs.md
documents every key with its unit and default. ``load_scenario`` reads a TOML file,
``scenario_from_dict`` validates an already parsed mapping, ``scenario_to_dict`` gives the
settings back in the same shape (TOML/JSON-ready, so ``scenario_from_dict(scenario_to_dict(s))
== s``). Every bad value raises ``InputError`` naming the file, the line when it can be found,
and the dotted key (``voltage.harmonics[1].order``).
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, NoReturn

from engine.errors import InputError

WIRINGS = ("4W-WYE", "3W-DELTA", "3W-WYE", "1P-2W", "SPLIT-3W")
#: Wirings without a neutral conductor: the three line currents must sum to zero.
THREE_WIRE = ("3W-DELTA", "3W-WYE")
ROTATIONS = ("ABC", "ACB")
PF_SENSES = ("lag", "lead")
NOMINAL_FREQUENCIES = (50.0, 60.0)
SAMPLES_PER_CYCLE_RANGE = (16, 1024)
MAX_ORDER = 63
MAX_PERCENT = 1000.0  # [%] upper bound of harmonic / interharmonic magnitudes
DEFAULT_START = datetime(2026, 1, 1, tzinfo=UTC)

Triple = tuple[float, float, float]
Key = tuple[str | int, ...]


@dataclass(frozen=True)
class Harmonic:
    """Harmonic ``order`` 2..63 on ``phases`` ("ABC", "A" ...); magnitude [% of the fundamental
    rms]; angle [deg] in the "h × fundamental" sense: √2·Y_h·cos(h·θ(t) + h·φ1 + angle)."""

    order: int
    magnitude: float
    angle: float = 0.0
    phases: str = "ABC"


@dataclass(frozen=True)
class Interharmonic:
    """A component at a fixed frequency [Hz] (not following the drift); magnitude [% of the
    fundamental rms]; angle [deg] at t = 0, the same on every phase named in ``phases``."""

    frequency: float
    magnitude: float
    angle: float = 0.0
    phases: str = "ABC"


@dataclass(frozen=True)
class FrequencySettings:
    """f(t) = actual + drift_rate·min(t, drift_duration) + swing_amplitude·sin(2π·t/swing_period)
    [Hz], t [s] from the first sample. nominal [Hz] 50 or 60; actual [Hz] (None: nominal);
    drift_rate [Hz/s]; drift_duration [s] (None: forever); swing_amplitude [Hz]; swing_period [s].
    """

    nominal: float = 50.0
    actual: float | None = None
    drift_rate: float = 0.0
    drift_duration: float | None = None
    swing_amplitude: float = 0.0
    swing_period: float = 60.0

    @property
    def start_frequency(self) -> float:
        """[Hz] the frequency at t = 0."""
        return self.nominal if self.actual is None else self.actual


@dataclass(frozen=True)
class Unbalance:
    """Sequence components added to the voltage phasors (phase-A values): negative, zero [% of
    the positive sequence]; their angles [deg] relative to it. "Positive" follows the rotation."""

    negative: float = 0.0
    negative_angle: float = 0.0
    zero: float = 0.0
    zero_angle: float = 0.0


@dataclass(frozen=True)
class VoltageSettings:
    """Phase voltages V1..V3 to the reference point. rms [V] fundamental, per phase; angle [deg]
    per phase (None: from the rotation and wiring); noise [% of the channel's rms]."""

    rms: Triple = (230.0, 230.0, 230.0)
    angle: Triple | None = None
    harmonics: tuple[Harmonic, ...] = ()
    interharmonics: tuple[Interharmonic, ...] = ()
    unbalance: Unbalance = field(default_factory=Unbalance)
    noise: float = 0.0


DEFAULT_CURRENT_HARMONICS = (Harmonic(3, 4.0), Harmonic(5, 3.0), Harmonic(7, 1.5))


@dataclass(frozen=True)
class CurrentSettings:
    """Line currents I1..I3. rms [A] fundamental, per phase; either angle [deg] per phase, or the
    displacement power_factor (−1..1, negative = power flowing back) with pf_sense "lag"/"lead"
    per phase, relative to the phase's voltage; noise [% of the channel's rms]."""

    rms: Triple = (100.0, 100.0, 100.0)
    angle: Triple | None = None
    power_factor: Triple = (0.9, 0.9, 0.9)
    pf_sense: tuple[str, str, str] = ("lag", "lag", "lag")
    harmonics: tuple[Harmonic, ...] = DEFAULT_CURRENT_HARMONICS
    interharmonics: tuple[Interharmonic, ...] = ()
    noise: float = 0.0


@dataclass(frozen=True)
class NeutralSettings:
    """I4 measured (= −(i1+i2+i3) sample by sample) or zeros; V4 neutral-ground measured or zeros,
    a fundamental-frequency sine of voltage_rms [V] at voltage_angle [deg]."""

    current_measured: bool = True
    voltage_measured: bool = False
    voltage_rms: float = 1.0
    voltage_angle: float = 0.0


@dataclass(frozen=True)
class Scenario:
    """Everything the simulated source generates. Defaults: 4W-WYE 230/400 V 50 Hz, 100 A per
    phase at PF 0.9 lagging with 4 % / 3 % / 1.5 % 3rd/5th/7th current harmonics, no noise."""

    name: str = "default"
    description: str = ""
    wiring: str = "4W-WYE"
    rotation: str = "ABC"
    samples_per_cycle: int = 256
    start: datetime = DEFAULT_START
    frequency: FrequencySettings = field(default_factory=FrequencySettings)
    voltage: VoltageSettings = field(default_factory=VoltageSettings)
    current: CurrentSettings = field(default_factory=CurrentSettings)
    neutral: NeutralSettings = field(default_factory=NeutralSettings)

    @property
    def sample_rate(self) -> float:
        """[Hz] samples_per_cycle × nominal frequency."""
        return self.samples_per_cycle * self.frequency.nominal


# --------------------------------------------------------------------------- loading


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file; raises ``InputError`` (file, line, key)."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InputError(f"cannot read scenario: {exc.strerror or exc}", path) from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11 puts the position only in the message: "... (at line 3, column 7)".
        msg = str(exc)
        line = text.count("\n") + 1 if msg.endswith("(at end of document)") else None
        if m := re.search(r" \(at line (\d+), column (\d+)\)$", msg):
            line, msg = int(m.group(1)), f"{msg[: m.start()]} (column {m.group(2)})"
        raise InputError(f"malformed TOML: {msg}", path, line) from exc
    return _Reader(path, text).scenario(data)


def scenario_from_dict(data: Mapping[str, Any], *, path: str | Path | None = None) -> Scenario:
    """Validate a parsed mapping (the TOML shape) into a ``Scenario``; ``path`` names the origin
    in errors."""
    return _Reader(None if path is None else Path(path), None).scenario(data)


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The settings in the TOML shape (None-valued settings left out), JSON-ready."""

    def plain(x: Any) -> Any:
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items() if v is not None}
        if isinstance(x, tuple | list):
            return [plain(v) for v in x]
        return x.isoformat().replace("+00:00", "Z") if isinstance(x, datetime) else x

    out = plain(asdict(scenario))
    if scenario.current.angle is not None:  # the angle replaces the power factor
        del out["current"]["power_factor"], out["current"]["pf_sense"]
    return out


# --------------------------------------------------------------------------- validation


def _dotted(key: Key) -> str:
    text = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in key)
    return text.lstrip(".") or "scenario"


def _kind(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
        date: "a date",
        time: "a time",
    }.get(type(value), type(value).__name__)


def _find_line(text: str, key: Key) -> int | None:
    """Best-effort line of ``key`` in TOML text: the exact key, else the line holding its
    nearest enclosing value (an inline table or array)."""
    header: Key = ()
    counts: dict[Key, int] = {}
    best: tuple[int, int] | None = None  # (matched length, line)
    for lineno, line in enumerate(text.splitlines(), 1):
        s = line.split("#", 1)[0].strip()
        if m := re.fullmatch(r"\[\[\s*([^\[\]]+?)\s*\]\]", s):
            name = tuple(p.strip().strip("\"'") for p in m.group(1).split("."))
            counts[name] = counts.get(name, -1) + 1
            header, full = (*name, counts[name]), (*name, counts[name])
        elif m := re.fullmatch(r"\[\s*([^\[\]]+?)\s*\]", s):
            header = full = tuple(p.strip().strip("\"'") for p in m.group(1).split("."))
        elif m := re.match(r"([A-Za-z0-9_\-.\"' ]+?)\s*=", s):
            full = (*header, *(p.strip().strip("\"'") for p in m.group(1).split(".")))
        else:
            continue
        if full == key:
            return lineno
        if full and key[: len(full)] == full and (best is None or len(full) > best[0]):
            best = (len(full), lineno)
    return None if best is None else best[1]


class _Reader:
    """Walks the parsed TOML and fails with the file, line and key of the first bad value."""

    def __init__(self, path: Path | None, text: str | None):
        self.path, self.text = path, text

    def fail(self, key: Key, problem: str) -> NoReturn:
        line = None if self.text is None else _find_line(self.text, key)
        raise InputError(f"{_dotted(key)}: {problem}", self.path, line)

    def table(self, value: Any, key: Key, allowed: tuple[str, ...]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(key, f"must be a table, got {_kind(value)}")
        for k in value:
            if k not in allowed:
                self.fail((*key, k), f"unknown key (known: {', '.join(allowed)})")
        return value

    def number(
        self,
        value: Any,
        key: Key,
        lo: float = -math.inf,
        hi: float = math.inf,
        *,
        lo_open: bool = False,
        hi_open: bool = False,
    ) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, f"must be a number, got {_kind(value)}")
        x = float(value)
        if (
            not math.isfinite(x)
            or x < lo
            or x > hi
            or (lo_open and x == lo)
            or (hi_open and x == hi)
        ):
            span = f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
            self.fail(key, f"must be in {span}, got {value!r}")
        return x

    def choice(self, value: Any, key: Key, options: tuple[str, ...]) -> str:
        if not isinstance(value, str) or value not in options:
            self.fail(key, f"must be one of {', '.join(options)}, got {value!r}")
        return value

    def typed(self, value: Any, key: Key, kind: type) -> Any:
        """``value`` if it is a ``kind`` (str or bool), else an error naming what it is."""
        if not isinstance(value, kind):
            self.fail(key, f"must be {_kind(kind())}, got {_kind(value)}")
        return value

    def per_phase(self, value: Any, key: Key, one: Any) -> tuple[Any, Any, Any]:
        """A scalar for all three phases or an array of three; ``one(value, key)`` checks each."""
        if isinstance(value, list | tuple):
            if len(value) != 3:
                self.fail(key, f"must be one value or an array of 3 (A, B, C), got {len(value)}")
            return tuple(one(v, (*key, i)) for i, v in enumerate(value))  # type: ignore[return-value]
        x = one(value, key)
        return (x, x, x)

    def phases(self, value: Any, key: Key) -> str:
        if (
            not isinstance(value, str)
            or not value
            or set(value) - set("ABC")
            or len(set(value)) != len(value)
        ):
            self.fail(key, f'must name phases, e.g. "ABC" or "A", got {value!r}')
        return "".join(p for p in "ABC" if p in value)

    def start(self, value: Any, key: Key) -> datetime:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                self.fail(key, f"must be an ISO-8601 date-time, got {value!r}")
        if not isinstance(value, datetime):  # a bare date or time is not a start instant
            self.fail(key, f"must be a date-time, got {_kind(value)}")
        # A local date-time (no offset) is taken as UTC: the meter's clock runs in UTC.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def numbers(self, t: Mapping[str, Any], key: Key) -> Callable[..., Any]:
        """``num(name, default, lo, hi, ...)``: the number ``t[name]`` checked, or the default
        (None stays None: an optional setting left out)."""

        def num(
            name: str,
            default: float | None,
            lo: float = -math.inf,
            hi: float = math.inf,
            **kw: bool,
        ) -> Any:
            v = t.get(name, default)
            return None if v is None else self.number(v, (*key, name), lo, hi, **kw)

        return num

    # ----------------------------------------------------------------------- sections

    def scenario(self, data: Any) -> Scenario:
        top = self.table(data, (), tuple(vars(Scenario())))
        d = Scenario()
        spc = top.get("samples_per_cycle", d.samples_per_cycle)
        lo, hi = SAMPLES_PER_CYCLE_RANGE
        if isinstance(spc, bool) or not isinstance(spc, int) or not lo <= spc <= hi:
            self.fail(("samples_per_cycle",), f"must be an integer from {lo} to {hi}, got {spc!r}")
        wiring = self.choice(top.get("wiring", d.wiring), ("wiring",), WIRINGS)
        freq = self.frequency(top.get("frequency", {}))
        # Harmonics are checked against Nyquist at the start frequency (drift is the user's call).
        limits = (freq.start_frequency, spc * freq.nominal / 2)
        return Scenario(
            name=self.typed(top.get("name", d.name), ("name",), str),
            description=self.typed(top.get("description", d.description), ("description",), str),
            wiring=wiring,
            rotation=self.choice(top.get("rotation", d.rotation), ("rotation",), ROTATIONS),
            samples_per_cycle=spc,
            start=self.start(top.get("start", d.start), ("start",)),
            frequency=freq,
            voltage=self.voltage(top.get("voltage", {}), limits, wiring),
            current=self.current(top.get("current", {}), limits),
            neutral=self.neutral(top.get("neutral", {})),
        )

    def frequency(self, value: Any) -> FrequencySettings:
        k: Key = ("frequency",)
        t = self.table(value, k, tuple(vars(FrequencySettings())))
        nominal = t.get("nominal", 50.0)
        if isinstance(nominal, bool) or nominal not in NOMINAL_FREQUENCIES:
            self.fail((*k, "nominal"), f"must be 50 or 60, got {nominal!r}")
        f, num = float(nominal), self.numbers(t, k)
        return FrequencySettings(
            nominal=f,
            actual=num("actual", None, 0.8 * f, 1.2 * f),  # beyond ±20 % no meter locks on
            drift_rate=num("drift_rate", 0.0, -f, f),
            drift_duration=num("drift_duration", None, 0.0, lo_open=True),
            swing_amplitude=num("swing_amplitude", 0.0, 0.0, 0.5 * f),
            swing_period=num("swing_period", 60.0, 0.0, lo_open=True),
        )

    def waves(self, value: Any, key: Key, limits: tuple[float, float], inter: bool) -> tuple:
        """Harmonics or interharmonics; ``limits`` = (start frequency, Nyquist frequency) [Hz]."""
        f1, nyquist = limits
        if not isinstance(value, list):
            self.fail(key, f"must be an array of tables, got {_kind(value)}")
        out: list[Harmonic | Interharmonic] = []
        seen: set[tuple[int, str]] = set()
        for i, item in enumerate(value):
            k: Key = (*key, i)
            first = "frequency" if inter else "order"
            t = self.table(item, k, (first, "magnitude", "angle", "phases"))
            for req in (first, "magnitude"):
                if req not in t:
                    self.fail((*k, req), "missing")
            num = self.numbers(t, k)
            mag, angle = num("magnitude", None, 0.0, MAX_PERCENT), num("angle", 0.0)
            phases = self.phases(t.get("phases", "ABC"), (*k, "phases"))
            if inter:
                f = num("frequency", None, 0.0, nyquist, lo_open=True, hi_open=True)
                out.append(Interharmonic(f, mag, angle, phases))
                continue
            h = t["order"]
            if isinstance(h, bool) or not isinstance(h, int) or not 2 <= h <= MAX_ORDER:
                self.fail((*k, "order"), f"must be an integer from 2 to {MAX_ORDER}, got {h!r}")
            if h * f1 >= nyquist:
                self.fail(
                    (*k, "order"),
                    f"order {h} at {f1:g} Hz is at or above the Nyquist "
                    f"frequency {nyquist:g} Hz (raise samples_per_cycle)",
                )
            if seen & {(h, p) for p in phases}:
                self.fail((*k, "order"), f"harmonic {h} given twice for the same phase")
            seen |= {(h, p) for p in phases}
            out.append(Harmonic(h, mag, angle, phases))
        return tuple(out)

    def channel(
        self,
        t: Mapping[str, Any],
        k: Key,
        limits: tuple[float, float],
        defaults: VoltageSettings | CurrentSettings,
    ) -> dict[str, Any]:
        """The keys voltage and current share: rms [V]/[A], angle [deg], (inter)harmonics, noise."""
        angle = t.get("angle")
        harmonics = defaults.harmonics
        if "harmonics" in t:  # given, even empty, it replaces the defaults
            harmonics = self.waves(t["harmonics"], (*k, "harmonics"), limits, False)
        return dict(
            rms=self.per_phase(
                t.get("rms", defaults.rms[0]),
                (*k, "rms"),
                lambda v, kk: self.number(v, kk, 0.0, 1e7),
            ),
            angle=None if angle is None else self.per_phase(angle, (*k, "angle"), self.number),
            harmonics=harmonics,
            interharmonics=self.waves(
                t.get("interharmonics", []), (*k, "interharmonics"), limits, True
            ),
            noise=self.numbers(t, k)("noise", 0.0, 0.0, 100.0),
        )

    def voltage(self, value: Any, limits: tuple[float, float], wiring: str) -> VoltageSettings:
        k: Key = ("voltage",)
        t = self.table(value, k, tuple(vars(VoltageSettings())))
        ku: Key = (*k, "unbalance")
        num = self.numbers(self.table(t.get("unbalance", {}), ku, tuple(vars(Unbalance()))), ku)
        unb = Unbalance(
            negative=num("negative", 0.0, 0.0, 100.0),
            negative_angle=num("negative_angle", 0.0),
            zero=num("zero", 0.0, 0.0, 100.0),
            zero_angle=num("zero_angle", 0.0),
        )
        if wiring in ("1P-2W", "SPLIT-3W") and (unb.negative or unb.zero):
            self.fail(
                (*ku, "negative" if unb.negative else "zero"),
                f"sequence unbalance needs a three-phase wiring, not {wiring}",
            )
        return VoltageSettings(**self.channel(t, k, limits, VoltageSettings()), unbalance=unb)

    def current(self, value: Any, limits: tuple[float, float]) -> CurrentSettings:
        k: Key = ("current",)
        t = self.table(value, k, tuple(vars(CurrentSettings())))
        for other in ("power_factor", "pf_sense"):
            if "angle" in t and other in t:
                self.fail((*k, other), "give either angle or power_factor/pf_sense, not both")
        return CurrentSettings(
            **self.channel(t, k, limits, CurrentSettings()),
            power_factor=self.per_phase(
                t.get("power_factor", 0.9),
                (*k, "power_factor"),
                lambda v, kk: self.number(v, kk, -1.0, 1.0),
            ),
            pf_sense=self.per_phase(
                t.get("pf_sense", "lag"),
                (*k, "pf_sense"),
                lambda v, kk: self.choice(v, kk, PF_SENSES),
            ),
        )

    def neutral(self, value: Any) -> NeutralSettings:
        k: Key = ("neutral",)
        t = self.table(value, k, tuple(vars(NeutralSettings())))
        d, num = NeutralSettings(), self.numbers(t, k)
        return NeutralSettings(
            current_measured=self.typed(
                t.get("current_measured", d.current_measured), (*k, "current_measured"), bool
            ),
            voltage_measured=self.typed(
                t.get("voltage_measured", d.voltage_measured), (*k, "voltage_measured"), bool
            ),
            voltage_rms=num("voltage_rms", d.voltage_rms, 0.0, 1e7),
            voltage_angle=num("voltage_angle", d.voltage_angle),
        )
