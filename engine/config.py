"""Meter configuration: the settings of the Setup menus, as frozen dataclasses.

Everything the front panel's Setup menus edit lives here: wiring, instrument transformers,
nominal values, demand, energy pulsing, display, nameplate, communications, clock, password and
the revenue lock. ``RULES`` says what each setting accepts (``allowed(key)`` as text for the
editors) and ``validate`` checks a whole configuration against it, raising a ``ValueError`` that
names the setting (``display.contrast: must be a whole number from 0 to 100 %, got 150``).

The configuration file (TOML, one table per section, see docs/configuration.md) is handled in
``engine.config_file`` and the old -> new changes for the event log in ``engine.config_changes``;
both are importable from here.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

from engine.config_changes import PASSWORD_MASK, Change, diff_configs
from engine.config_file import (
    default_config_path,
    load_config,
    load_or_default,
    save_config,
)
from engine.metering.demand import METHODS, DemandSettings

__all__ = [
    "ADJUST_LIMIT", "CHANNELS", "CONFIG_VERSION", "LANGUAGES", "PASSWORD_MASK", "RULES",
    "SECTIONS", "WIRINGS",
    "Change", "ChannelCorrection", "ClockSettings", "CommsSettings", "DisplaySettings",
    "MeterConfig", "Nameplate", "RevenueLock", "Rule", "SecuritySettings", "allowed",
    "default_config_path", "diff_configs", "load_config", "load_or_default", "save_config",
    "validate",
]  # fmt: skip

CONFIG_VERSION = 1
WIRINGS = ("4W-WYE", "3W-WYE", "3W-DELTA", "1P-2W", "SPLIT-3W")
CHANNELS = ("V1", "V2", "V3", "V4", "I1", "I2", "I3", "I4")
#: The display languages (the same codes as ``i18n.LANGUAGES``; the engine may not import i18n).
LANGUAGES = ("en", "fr", "es", "zh", "it", "de", "ru", "pt")
PULSE_SOURCES = ("kWh del", "kWh rec", "kWh del+rec", "kvarh del", "kvarh rec", "kVAh")
PROTOCOLS = ("ION", "Modbus RTU", "Modbus Master", "DNP 3.00", "DLMS", "None")
BAUD_RATES = (2400, 4800, 9600, 19200, 38400, 57600, 115200)
SERIAL_FORMATS = ("8N1", "8N2", "8E1", "8E2", "8O1", "8O2")
#: [s] How far the operator may set the clock from the source's time: ten years of 366 days,
#: so that any date of the nine years either side of the source's year can be set.
ADJUST_LIMIT = 10 * 366 * 86_400


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
class CommsSettings:
    """Communications Setup: Ethernet, the RS-485 serial port and the Modbus TCP server."""

    ip: str = "192.168.1.100"
    subnet: str = "255.255.255.0"
    gateway: str = "192.168.1.1"
    dhcp: bool = False
    protocol: str = "Modbus RTU"  # of the serial port
    baud: int = 19200
    unit_id: int = 1
    serial_format: str = "8N1"  # data bits, parity (None/Even/Odd), stop bits
    rs485_bias: bool = False
    modbus_tcp_enabled: bool = True
    modbus_tcp_port: int = 502


@dataclass(frozen=True)
class ClockSettings:
    """Clock Setup and the time-zone part of Date & Time Setup (time and date formats are
    display settings). Offsets in minutes east of UTC."""

    tz_offset: int = 0  # [min]
    dst_offset: int = 0  # [min] added while daylight saving time is in force
    clock_source: str = "internal"  # "internal" | "line" (line frequency) | "comm"
    sync_source: str = "ethernet"  # "com1" | "ethernet" | "irig-b"
    sync_type: str = "utc"  # "utc" | "local"
    # [s] the operator's setting of the clock (Date & Time Setup): local time = source time +
    # tz_offset + dst_offset + adjust (engine.clock).
    adjust: int = 0


@dataclass(frozen=True)
class SecuritySettings:
    """Password Setup: the front-panel password (1 to 8 digits) and the lockout after failures."""

    password: str = "0"
    lockout_attempts: int = 3  # wrong passwords in a row before editing is locked
    lockout_minutes: int = 5  # how long editing stays locked
    password_timeout_minutes: int = 5  # a given password stays valid this long without a key

    def password_matches(self, entered: str) -> bool:
        """Whether ``entered`` digits are the password; the meter compares numbers, so leading
        zeros do not count ("00000012" is "12")."""
        return entered.isdigit() and int(entered) == int(self.password)


@dataclass(frozen=True)
class RevenueLock:
    """The emulated revenue-lock switch on the bezel. ``switch`` is where the switch is,
    ``active`` what the meter applies: a change of the switch takes effect at the next power
    cycle, and until then it is pending (the LED flashes)."""

    switch: bool = False
    active: bool = False

    @property
    def pending(self) -> bool:
        return self.switch != self.active

    def power_cycled(self) -> RevenueLock:
        """The lock after a power cycle: the switch position becomes the active state."""
        return RevenueLock(switch=self.switch, active=self.switch)


@dataclass(frozen=True)
class MeterConfig:
    """Everything the meter is configured with; the ``[meter]`` table holds the fields that are
    not a section of their own."""

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
    pulse_source: str = "kWh del+rec"  # the energy the LEDs pulse on
    communications: CommsSettings = CommsSettings()
    clock: ClockSettings = ClockSettings()
    security: SecuritySettings = SecuritySettings()
    revenue_lock: RevenueLock = RevenueLock()

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
        """JSON/TOML-ready form, as the configuration file has it: ``version``, ``meter`` (with
        ``channels``) and one table per section of ``SECTIONS``."""
        meter = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in SECTIONS}
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
        document: dict[str, Any] = {"version": CONFIG_VERSION, "meter": meter}
        for name in SECTIONS:
            obj = getattr(self, name)
            document[name] = {f.name: getattr(obj, f.name) for f in fields(obj)}
        return document


#: The sections (tables of the file) that are a dataclass of their own, by attribute name.
SECTIONS: dict[str, type] = {
    "demand": DemandSettings,
    "display": DisplaySettings,
    "nameplate": Nameplate,
    "communications": CommsSettings,
    "clock": ClockSettings,
    "security": SecuritySettings,
    "revenue_lock": RevenueLock,
}


def _num(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class Rule:
    """What one setting accepts: a type (int, float, bool or str), then either ``choices`` or a
    range ``low``..``high`` (inclusive) and/or a ``test``; ``text`` replaces the generated
    description of the allowed values."""

    kind: type
    choices: tuple = ()
    low: float | None = None
    high: float | None = None
    unit: str = ""
    test: Callable[[Any], bool] | None = None
    text: str = ""

    def allowed(self) -> str:
        """The allowed values as the editors show them: "one of …", "a number from … to …"."""
        if self.text:
            return self.text
        if self.choices:
            return "one of " + ", ".join(str(c) for c in self.choices) + _unit(self.unit)
        if self.kind is bool:
            return "true or false"
        what = "a whole number" if self.kind is int else "a number"
        return f"{what} from {_num(self.low)} to {_num(self.high)}{_unit(self.unit)}"

    def accepts(self, value: Any) -> bool:
        if self.kind is bool:
            ok = isinstance(value, bool)
        elif self.kind is str:
            ok = isinstance(value, str)
        else:
            kinds = int if self.kind is int else int | float
            ok = isinstance(value, kinds) and not isinstance(value, bool) and math.isfinite(value)
        if ok and self.choices:
            ok = value in self.choices
        if ok and self.low is not None and self.high is not None:
            ok = self.low <= value <= self.high
        return ok and (self.test is None or bool(self.test(value)))

    def check(self, key: str, value: Any) -> None:
        """``ValueError`` naming ``key`` and the allowed values unless ``value`` is accepted."""
        if not self.accepts(value):
            raise ValueError(f"{key}: must be {self.allowed()}, got {value!r}")


def _unit(unit: str) -> str:
    return f" {unit}" if unit else ""


def _ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def _netmask(text: str) -> bool:
    if not _ipv4(text):
        return False
    bits = int(ipaddress.IPv4Address(text))
    inverted = ~bits & 0xFFFFFFFF
    return inverted & (inverted + 1) == 0  # ones then zeros


_POSITIVE = Rule(float, test=lambda v: v > 0, text="a number > 0")
_IP = "an IPv4 address such as 192.168.1.100"

#: What every setting accepts, by dotted key (section.name; channels: meter.channels.NAME).
#: Demand settings check themselves (engine.metering.demand.DemandSettings).
RULES: dict[str, Rule] = {
    "meter.wiring": Rule(str, WIRINGS),
    "meter.nominal_voltage": _POSITIVE,
    "meter.nominal_frequency": Rule(float, (50, 60), unit="Hz"),
    "meter.phase_rotation": Rule(str, ("ABC", "ACB")),
    **{f"meter.{n}": _POSITIVE for n in ("pt_primary", "pt_secondary", "ct_primary")},
    **{f"meter.{n}": _POSITIVE for n in ("ct_secondary", "i4_ct_primary", "i4_ct_secondary")},
    "meter.demand_current": _POSITIVE,  # or absent (None): the CT primary
    "meter.pulse_kt": Rule(float, low=0.01, high=1e9, unit="Wh per pulse"),
    "meter.pulse_width": Rule(float, low=0.01, high=1.0, unit="s"),
    "meter.pulse_source": Rule(str, PULSE_SOURCES),
    "meter.channels.inverted": Rule(bool),
    "meter.channels.ratio_correction": Rule(float, low=0.5, high=2.0),
    "meter.channels.phase_correction": Rule(float, low=-10.0, high=10.0, unit="deg"),
    "demand.method": Rule(str, METHODS),
    "display.language": Rule(str, LANGUAGES),
    "display.backlight_timeout": Rule(float, low=0, high=3600, unit="s"),
    "display.auto_scroll": Rule(float, low=0, high=60, unit="s"),
    "display.update_rate": Rule(float, low=0.2, high=10, unit="s"),
    "display.contrast": Rule(int, low=0, high=100, unit="%"),
    "display.brightness": Rule(int, low=0, high=100, unit="%"),
    "display.volts_decimals": Rule(int, low=0, high=4),
    "display.current_decimals": Rule(int, low=0, high=4),
    "display.power_decimals": Rule(int, low=0, high=4),
    "display.digit_grouping": Rule(str, ("none", "comma", "space")),
    "display.pf_symbol": Rule(str, ("lead/lag", "+/-", "cap/ind")),
    "display.phase_labels": Rule(str, ("ABC", "123")),
    "display.date_format": Rule(str, ("YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY")),
    "display.time_format": Rule(str, ("24h", "12h")),
    **{f"nameplate.{f.name}": Rule(str, text="a text") for f in fields(Nameplate)},
    "communications.ip": Rule(str, test=_ipv4, text=_IP),
    "communications.subnet": Rule(str, test=_netmask, text="a subnet mask such as 255.255.255.0"),
    "communications.gateway": Rule(str, test=_ipv4, text=_IP),
    "communications.dhcp": Rule(bool),
    "communications.protocol": Rule(str, PROTOCOLS),
    "communications.baud": Rule(int, BAUD_RATES),
    "communications.unit_id": Rule(int, low=1, high=247),
    "communications.serial_format": Rule(str, SERIAL_FORMATS),
    "communications.rs485_bias": Rule(bool),
    "communications.modbus_tcp_enabled": Rule(bool),
    "communications.modbus_tcp_port": Rule(int, low=1, high=65535),
    "clock.tz_offset": Rule(int, low=-720, high=840, unit="min"),
    "clock.dst_offset": Rule(int, low=-180, high=180, unit="min"),
    "clock.adjust": Rule(int, low=-ADJUST_LIMIT, high=ADJUST_LIMIT, unit="s"),
    "clock.clock_source": Rule(str, ("internal", "line", "comm")),
    "clock.sync_source": Rule(str, ("com1", "ethernet", "irig-b")),
    "clock.sync_type": Rule(str, ("utc", "local")),
    "security.password": Rule(
        str, test=lambda v: re.fullmatch(r"[0-9]{1,8}", v), text='1 to 8 digits in quotes, e.g. "0"'
    ),
    "security.lockout_attempts": Rule(int, low=1, high=10),
    "security.lockout_minutes": Rule(int, low=1, high=60, unit="min"),
    "security.password_timeout_minutes": Rule(int, low=1, high=60, unit="min"),
    "revenue_lock.switch": Rule(bool),
    "revenue_lock.active": Rule(bool),
}


def allowed(key: str) -> str:
    """What setting ``key`` (e.g. "meter.ct_primary") accepts, as text for an editor's message."""
    return RULES[key].allowed()


def validate(config: MeterConfig) -> MeterConfig:
    """Check every setting; ``ValueError`` naming the setting and the allowed values."""
    for name, cls in SECTIONS.items():
        if not isinstance(getattr(config, name), cls):
            raise ValueError(f"{name}: must be a {cls.__name__}, got {getattr(config, name)!r}")
    for key, rule in RULES.items():
        section, name = key.rsplit(".", 1)
        if section == "meter.channels":
            continue
        value = getattr(config if section == "meter" else getattr(config, section), name)
        if value is None and key == "meter.demand_current":
            continue
        rule.check(key, value)
    for ch, corr in config.channels.items():
        if ch not in CHANNELS:
            raise ValueError(f"meter.channels: unknown channel {ch!r} (use {', '.join(CHANNELS)})")
        for f in fields(ChannelCorrection):
            RULES[f"meter.channels.{f.name}"].check(
                f"meter.channels.{ch}.{f.name}", getattr(corr, f.name)
            )
    return config  # demand settings validate themselves (engine.metering.demand)
