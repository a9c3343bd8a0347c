"""What each setting of the meter configuration accepts: ``RULES`` by dotted key,
``allowed(key)`` as text for the editors, and ``validate``, which checks a whole
configuration, raising a ``ValueError`` that names the setting (``engine.config`` re-exports
all of it).
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from engine.alarms.config import check_alarms
from engine.config_model import (
    ADJUST_LIMIT,
    BAUD_RATES,
    CHANNELS,
    LANGUAGES,
    PROTOCOLS,
    PULSE_SOURCES,
    SECTIONS,
    SERIAL_FORMATS,
    WIRINGS,
    ChannelCorrection,
    MeterConfig,
    Nameplate,
)
from engine.metering.demand import METHODS


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
    "meter.demand_sync": Rule(str, ("clock", "DI1", "DI2", "DI3", "DI4")),
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
    "security.ack_password": Rule(bool),
    "revenue_lock.switch": Rule(bool),
    "revenue_lock.active": Rule(bool),
    **{f"board.{c.lower()}_gain": Rule(float, low=0.5, high=2.0) for c in CHANNELS},
    **{
        f"board.{c.lower()}_offset": Rule(float, low=-1000.0, high=1000.0, unit="V or A")
        for c in CHANNELS
    },
    **{f"board.{c.lower()}_phase": Rule(float, low=-10.0, high=10.0, unit="deg") for c in CHANNELS},
    "power_quality.declared_voltage": Rule(float, low=0, high=1e6, unit="V (0: nominal)"),
    "power_quality.dip_pct": Rule(float, low=50, high=99, unit="%"),
    "power_quality.swell_pct": Rule(float, low=101, high=200, unit="%"),
    "power_quality.interruption_pct": Rule(float, low=1, high=49, unit="%"),
    "power_quality.hysteresis_pct": Rule(float, low=0, high=5, unit="%"),
    "power_quality.rvc_pct": Rule(float, low=1, high=6, unit="%"),
    "power_quality.capture_pre_cycles": Rule(float, low=0, high=600, unit="cycles"),
    "power_quality.capture_post_cycles": Rule(float, low=1, high=6000, unit="cycles"),
    "power_quality.capture_revision": Rule(int, (1999, 2013)),
    "power_quality.capture_format": Rule(str, ("BINARY", "ASCII", "BINARY32", "FLOAT32")),
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
    pq = config.power_quality
    if pq.capture_revision != 2013 and pq.capture_format in ("BINARY32", "FLOAT32"):
        raise ValueError(
            f"power_quality.capture_format: {pq.capture_format} needs capture_revision 2013"
        )
    check_alarms(config.alarms)
    return config  # demand settings validate themselves (engine.metering.demand)
