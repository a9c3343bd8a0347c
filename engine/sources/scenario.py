"""Scenario of the simulated source: the settings as frozen dataclasses.

A scenario describes the power system the simulated source generates; docs/simulated-inputs.md
documents every key with its unit and default. The TOML side lives in ``scenario_file`` and is
re-exported here: ``load_scenario`` reads a TOML file, ``scenario_from_dict`` validates an
already parsed mapping, ``scenario_to_dict`` gives the settings back in the same shape
(TOML/JSON-ready, so ``scenario_from_dict(scenario_to_dict(s)) == s``). Every bad value raises
``InputError`` naming the file, the line when it can be found, and the dotted key
(``voltage.harmonics[1].order``).

``Scenario()`` is a steady system (every setting at its default, constant load);
``DEFAULT_SCENARIO`` is the default installation the emulator shows: the same system with a
varying load (``DEFAULT_LOAD``), written out in scenarios/default.toml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # at run time they come from __getattr__ below (scenario_file imports us)
    from engine.sources.scenario_file import load_scenario, scenario_from_dict, scenario_to_dict

__all__ = [
    "DEFAULT_CURRENT_HARMONICS",
    "DEFAULT_LOAD",
    "DEFAULT_SCENARIO",
    "DEFAULT_START",
    "CurrentSettings",
    "FrequencySettings",
    "Harmonic",
    "Interharmonic",
    "LoadProfile",
    "NeutralSettings",
    "Scenario",
    "Unbalance",
    "VoltageSettings",
    "load_scenario",
    "scenario_from_dict",
    "scenario_to_dict",
]

WIRINGS = ("4W-WYE", "3W-DELTA", "3W-WYE", "1P-2W", "SPLIT-3W")
#: Wirings without a neutral conductor: the three line currents must sum to zero.
THREE_WIRE = ("3W-DELTA", "3W-WYE")
ROTATIONS = ("ABC", "ACB")
#: "primary": the network's values; "secondary": what the meter's terminals see through the PTs/CTs.
SCALES = ("primary", "secondary")
MAX_RATIO = 1e6  # [1] largest PT or CT ratio a scenario may give
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
class LoadProfile:
    """A varying load on the currents (all phases alike); t [s] from the first sample.

    The magnitude of every current component (fundamental, harmonics, interharmonics) is the
    set value times g(t) = 1 + swing_amplitude/100·sin(2π·t/swing_period) + s(t)/100:
    swing_amplitude [% of rms], swing_period [s]; s(t) [%] the load steps: every step_interval
    [s] on average (0: no steps; intervals uniform in [½, 1½]×step_interval, drawn from
    ``seed``) the offset moves by step_size [% of rms], from 0 to ±step_size (random sign) and
    from ±step_size back to 0. pf_swing_to (per phase, None: no swing) is the displacement PF
    reached at half a pf_swing_period [s]: the fundamental turns from ``power_factor`` (t = 0)
    to it and back, the harmonics keep their angles. All defaults: a constant load.
    """

    swing_amplitude: float = 0.0
    swing_period: float = 120.0
    step_interval: float = 0.0
    step_size: float = 0.0
    seed: int = 0
    pf_swing_to: Triple | None = None
    pf_swing_period: float = 300.0

    @property
    def varies(self) -> bool:
        """Whether the load changes at all."""
        steps = self.step_interval > 0 and self.step_size > 0
        return bool(self.swing_amplitude or steps or self.pf_swing_to is not None)


@dataclass(frozen=True)
class CurrentSettings:
    """Line currents I1..I3. rms [A] fundamental, per phase; either angle [deg] per phase, or the
    displacement power_factor (−1..1, negative = power flowing back) with pf_sense "lag"/"lead"
    per phase, relative to the phase's voltage; noise [% of the channel's rms]; load: how the
    load varies over time (constant by default)."""

    rms: Triple = (100.0, 100.0, 100.0)
    angle: Triple | None = None
    power_factor: Triple = (0.9, 0.9, 0.9)
    pf_sense: tuple[str, str, str] = ("lag", "lag", "lag")
    harmonics: tuple[Harmonic, ...] = DEFAULT_CURRENT_HARMONICS
    interharmonics: tuple[Interharmonic, ...] = ()
    noise: float = 0.0
    load: LoadProfile = field(default_factory=LoadProfile)


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
    phase at PF 0.9 lagging with 4 % / 3 % / 1.5 % 3rd/5th/7th current harmonics, no noise,
    a constant load (``DEFAULT_SCENARIO`` adds the varying one).

    Every rms value is primary (the network's). ``scale`` "secondary" makes the source yield
    what the meter's terminals see instead: voltages (V1..V4) divided by ``pt_ratio``, I1..I3
    by ``ct_ratio``, I4 by ``i4_ct_ratio`` (None: ``ct_ratio``), ratios [1] = primary /
    secondary; the blocks then say so and the meter multiplies by its own PT/CT settings."""

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
    scale: str = "primary"
    pt_ratio: float = 1.0
    ct_ratio: float = 1.0
    i4_ct_ratio: float | None = None

    @property
    def sample_rate(self) -> float:
        """[Hz] samples_per_cycle × nominal frequency."""
        return self.samples_per_cycle * self.frequency.nominal

    @property
    def ratios(self) -> tuple[float, ...]:
        """[1] primary / generated value of each channel V1..V4, I1..I4: the PT and CT ratios
        with ``scale`` "secondary", all 1 with "primary"."""
        if self.scale == "primary":
            return (1.0,) * 8
        i4 = self.ct_ratio if self.i4_ct_ratio is None else self.i4_ct_ratio
        return (self.pt_ratio,) * 4 + (self.ct_ratio,) * 3 + (i4,)


#: The default installation's load: ±15 % over 2 min, ±10 % steps about once a minute, the PF
#: moving between 0.90 (at t = 0, so the first seconds read exactly 0.9) and 0.93 over 5 min.
DEFAULT_LOAD = LoadProfile(
    swing_amplitude=15.0,
    swing_period=120.0,
    step_interval=60.0,
    step_size=10.0,
    seed=0,
    pf_swing_to=(0.93, 0.93, 0.93),
    pf_swing_period=300.0,
)

#: What ``SimulatedSource()`` generates and scenarios/default.toml writes out.
DEFAULT_SCENARIO = Scenario(
    description="4W-WYE 230/400 V 50 Hz, 100 A ±15 % with ±10 % load steps, PF 0.90-0.93 "
    "lagging, 3rd/5th/7th current harmonics",
    current=CurrentSettings(load=DEFAULT_LOAD),
)

_FILE_API = ("load_scenario", "scenario_from_dict", "scenario_to_dict")


def __getattr__(name: str) -> Any:
    # The TOML functions live in scenario_file, which imports this module: fetched on first use
    # so that either module can be imported first.
    if name in _FILE_API:
        from engine.sources import scenario_file

        return getattr(scenario_file, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
