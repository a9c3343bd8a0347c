"""Meter configuration: wiring, instrument transformers, nominal values, demand.

Loaded from a versioned TOML file into frozen dataclasses; every bad value is reported as an
``InputError`` naming the file, the line and the key. (Display, communications, alarms and the
rest of the front-panel setup join this file in later versions.)

Example::

    version = 1
    [meter]
    wiring = "4W-WYE"            # 4W-WYE, 3W-WYE, 3W-DELTA, 1P-2W, SPLIT-3W
    nominal_voltage = 230.0      # [V] line-to-neutral (line-to-line in 3W-DELTA)
    nominal_frequency = 50       # [Hz] 50 or 60
    phase_rotation = "ABC"       # expected; the other one raises the phase-reversal flag
    pt_primary = 230.0           # [V]
    pt_secondary = 230.0         # [V]
    ct_primary = 5.0             # [A]
    ct_secondary = 5.0           # [A]
    i4_ct_primary = 5.0          # [A] neutral CT
    i4_ct_secondary = 5.0        # [A]
    demand_current = 5.0         # [A] I_L for TDD (IEEE 519); default ct_primary

    [meter.channels.I2]          # per-channel: polarity and transformer correction
    polarity = "inverted"
    ratio_correction = 1.002     # multiply by this (ratio error compensation)
    phase_correction = 0.05      # [deg] advance the channel by this angle

    [demand]
    method = "sliding"           # block | sliding
    interval = 900               # [s]
    subintervals = 3
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from engine.errors import InputError
from engine.metering.demand import DemandSettings

CONFIG_VERSION = 1
WIRINGS = ("4W-WYE", "3W-WYE", "3W-DELTA", "1P-2W", "SPLIT-3W")
CHANNELS = ("V1", "V2", "V3", "V4", "I1", "I2", "I3", "I4")


@dataclass(frozen=True)
class ChannelCorrection:
    """Polarity and instrument-transformer correction of one input channel.

    ``ratio_correction``: factor applied to the measured value; ``phase_correction`` [deg]:
    angle by which the channel is advanced (compensates a transformer's phase displacement).
    """

    inverted: bool = False
    ratio_correction: float = 1.0
    phase_correction: float = 0.0


@dataclass(frozen=True)
class DisplaySettings:
    """How the front panel shows things (Display Setup; the screens read these).

    Resolutions are the decimals shown in the base unit (V, A, W …) before auto-ranging.
    """

    language: str = "en"
    backlight_timeout: float = 300.0  # [s] 0 = always on
    auto_scroll: float = 5.0  # [s] per screen in the NORM/ALT lists; 0 = off
    update_rate: float = 1.0  # [s] between display refreshes
    contrast: int = 50  # [%]
    brightness: int = 80  # [%]
    volts_decimals: int = 1
    current_decimals: int = 3
    power_decimals: int = 1
    digit_grouping: str = "none"  # "none" | "comma" | "space"
    pf_symbol: str = "lead/lag"  # "lead/lag" | "+/-" | "cap/ind"
    phase_labels: str = "ABC"  # "ABC" | "123"
    date_format: str = "YYYY-MM-DD"  # "YYYY-MM-DD" | "DD/MM/YYYY" | "MM/DD/YYYY"
    time_format: str = "24h"  # "24h" | "12h"


@dataclass(frozen=True)
class Nameplate:
    """What the Nameplate screen shows."""

    model: str = "ION7400"
    serial_number: str = "MN-1940A123-01"
    owner: str = ""
    tag: str = ""


@dataclass(frozen=True)
class MeterConfig:
    """What the measurement needs to know about the installation."""

    wiring: str = "4W-WYE"
    nominal_voltage: float = 230.0  # [V] L-N (L-L for 3W-DELTA)
    nominal_frequency: float = 50.0  # [Hz]
    phase_rotation: str = "ABC"
    pt_primary: float = 1.0  # [V]
    pt_secondary: float = 1.0  # [V]
    ct_primary: float = 5.0  # [A]
    ct_secondary: float = 5.0  # [A]
    i4_ct_primary: float = 5.0  # [A]
    i4_ct_secondary: float = 5.0  # [A]
    demand_current: float | None = None  # [A] I_L for TDD; None: ct_primary
    channels: MappingProxyType = field(
        default_factory=lambda: MappingProxyType({c: ChannelCorrection() for c in CHANNELS})
    )
    demand: DemandSettings = field(default_factory=lambda: DemandSettings("sliding", 900, 3))
    display: DisplaySettings = DisplaySettings()
    nameplate: Nameplate = Nameplate()
    # [Wh/pulse] energy per pulse of the Watt and VAR LEDs, on primary energy: 10 Wh gives about
    # two pulses a second on the default simulated 60 kW installation, countable by eye.
    pulse_kt: float = 10.0
    pulse_width: float = 0.05  # [s] how long an energy LED stays lit per pulse

    @property
    def pt_ratio(self) -> float:
        return self.pt_primary / self.pt_secondary

    @property
    def ct_ratio(self) -> float:
        return self.ct_primary / self.ct_secondary

    @property
    def i4_ct_ratio(self) -> float:
        return self.i4_ct_primary / self.i4_ct_secondary

    @property
    def tdd_current(self) -> float:
        """[A] I_L used for TDD."""
        return self.demand_current if self.demand_current is not None else self.ct_primary

    @property
    def cycles_per_window(self) -> int:
        """10 cycles at 50 Hz, 12 at 60 Hz (IEC 61000-4-30 §4.4)."""
        return 10 if self.nominal_frequency == 50 else 12

    def to_dict(self) -> dict[str, Any]:
        """JSON/TOML-ready form (as written under ``[meter]`` and ``[demand]``)."""
        meter = {f.name: getattr(self, f.name) for f in fields(self)}
        for table in ("demand", "display", "nameplate"):
            meter.pop(table)
        meter["channels"] = {
            c: {
                "polarity": "inverted" if k.inverted else "normal",
                "ratio_correction": k.ratio_correction,
                "phase_correction": k.phase_correction,
            }
            for c, k in self.channels.items()
        }
        if meter["demand_current"] is None:
            meter.pop("demand_current")

        def table(obj) -> dict[str, Any]:
            return {f.name: getattr(obj, f.name) for f in fields(obj)}

        return {
            "version": CONFIG_VERSION,
            "meter": meter,
            "demand": table(self.demand),
            "display": table(self.display),
            "nameplate": table(self.nameplate),
        }


_POSITIVE = (
    "pt_primary",
    "pt_secondary",
    "ct_primary",
    "ct_secondary",
    "i4_ct_primary",
    "i4_ct_secondary",
    "nominal_voltage",
    "demand_current",
)


def validate(config: MeterConfig) -> MeterConfig:
    """Check every setting; ``ValueError`` naming the setting and the allowed values."""
    if config.wiring not in WIRINGS:
        raise ValueError(f"wiring: {config.wiring!r} is not one of {', '.join(WIRINGS)}")
    if config.nominal_frequency not in (50, 60):
        raise ValueError(f"nominal_frequency: must be 50 or 60 Hz, got {config.nominal_frequency}")
    if config.phase_rotation not in ("ABC", "ACB"):
        raise ValueError(f"phase_rotation: must be ABC or ACB, got {config.phase_rotation!r}")
    for name in _POSITIVE:
        value = getattr(config, name)
        if value is None and name == "demand_current":
            continue
        if not isinstance(value, int | float) or isinstance(value, bool) or not value > 0:
            raise ValueError(f"{name}: must be a number > 0, got {value!r}")
    for ch, corr in config.channels.items():
        if ch not in CHANNELS:
            raise ValueError(f"channels: unknown channel {ch!r} (use {', '.join(CHANNELS)})")
        if not 0.5 <= corr.ratio_correction <= 2.0:
            raise ValueError(
                f"channels.{ch}.ratio_correction: must be 0.5 to 2, got {corr.ratio_correction}"
            )
        if not -10.0 <= corr.phase_correction <= 10.0:
            raise ValueError(
                f"channels.{ch}.phase_correction: must be -10 to 10 deg, "
                f"got {corr.phase_correction}"
            )
    if not 0.01 <= config.pulse_kt <= 1e9:
        raise ValueError(f"pulse_kt: must be 0.01 to 1e9 Wh per pulse, got {config.pulse_kt!r}")
    if not 0.01 <= config.pulse_width <= 1.0:
        raise ValueError(f"pulse_width: must be 0.01 to 1 s, got {config.pulse_width!r}")
    return config  # demand settings validate themselves (engine.metering.demand)


def _line_of(text: str, key: str) -> int | None:
    """Line number of the first ``key =`` in a TOML text (for error messages)."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=", re.MULTILINE)
    m = pattern.search(text)
    return None if m is None else text.count("\n", 0, m.start()) + 1


def _from_tables(data: dict[str, Any]) -> MeterConfig:
    """Build a config from parsed TOML tables; ValueError/KeyError name the bad key."""
    known = {"version", "meter", "demand", "display", "nameplate"}
    for key in data:
        if key not in known:
            raise KeyError(key)
    version = data.get("version", CONFIG_VERSION)
    if version != CONFIG_VERSION:
        raise ValueError(
            f"version: this program reads version {CONFIG_VERSION}, the file has {version!r}"
        )
    meter = dict(data.get("meter", {}))
    channels_in = meter.pop("channels", {})
    simple = {f.name for f in fields(MeterConfig)} - {"channels", "demand", "display", "nameplate"}
    for key in meter:
        if key not in simple:
            raise KeyError(key)
    channels = {c: ChannelCorrection() for c in CHANNELS}
    for ch, table in channels_in.items():
        if ch not in CHANNELS:
            raise KeyError(ch)
        table = dict(table)
        polarity = table.pop("polarity", "normal")
        if polarity not in ("normal", "inverted"):
            raise ValueError(f"polarity: must be normal or inverted, got {polarity!r}")
        for key in table:
            if key not in ("ratio_correction", "phase_correction"):
                raise KeyError(key)
        channels[ch] = ChannelCorrection(
            inverted=polarity == "inverted",
            ratio_correction=float(table.get("ratio_correction", 1.0)),
            phase_correction=float(table.get("phase_correction", 0.0)),
        )
    demand_in = dict(data.get("demand", {}))
    for key in demand_in:
        if key not in ("method", "interval", "subintervals"):
            raise KeyError(key)
    try:
        demand = replace(MeterConfig().demand, **demand_in)
    except ValueError as exc:  # "demand interval must be ...": name the key for the line
        key = str(exc).split()[1] if str(exc).startswith("demand ") else "demand"
        raise ValueError(f"demand.{key}: {exc}") from None
    sub = {}
    for name, cls in (("display", DisplaySettings), ("nameplate", Nameplate)):
        given = dict(data.get(name, {}))
        for key in given:
            if key not in {f.name for f in fields(cls)}:
                raise KeyError(key)
        sub[name] = replace(cls(), **given)
    config = replace(
        MeterConfig(), **meter, channels=MappingProxyType(channels), demand=demand, **sub
    )
    return validate(config)


def default_config_path() -> Path:
    """Where the configuration lives unless ``--config`` says otherwise: the user's
    configuration directory ($XDG_CONFIG_HOME or ~/.config)/ion7400-hmi/config.toml."""
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "ion7400-hmi" / "config.toml"


def save_config(config: MeterConfig, path: str | Path) -> None:
    """Write ``config`` to ``path`` atomically: a temporary file in the same folder, flushed to
    disk, then renamed over the old one, so a crash leaves either the old or the new file and
    never half of one."""
    import tomli_w

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = tomli_w.dumps(config.to_dict())
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_config(path: str | Path) -> MeterConfig:
    """Read and validate a configuration file.

    Raises ``InputError`` naming the file, the line and the key for a missing file, malformed
    TOML, an unknown key or an invalid value. The file is only read, never changed.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read configuration: {exc.strerror}", path) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InputError(f"not valid TOML: {exc}", path, int(m.group(1)) if m else None) from None
    try:
        return _from_tables(data)
    except KeyError as exc:
        key = exc.args[0]
        raise InputError(f"unknown setting {key!r}", path, _line_of(text, key)) from None
    except (ValueError, TypeError) as exc:
        key = str(exc).split(":")[0].split(".")[-1]
        raise InputError(str(exc), path, _line_of(text, key)) from None
