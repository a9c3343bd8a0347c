"""The meter configuration's settings as frozen dataclasses: one per Setup section, and
``MeterConfig`` holding them all (``engine.config`` re-exports everything here). What each
setting accepts is ``engine.config_rules``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, make_dataclass
from types import MappingProxyType
from typing import Any

from engine.alarms.definitions import AlarmDefinition
from engine.metering.demand import DemandSettings

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
    ack_password: bool = False  # acknowledging alarms asks for the password too

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


def _board_fields() -> list[tuple[str, type, float]]:
    out: list[tuple[str, type, float]] = []
    for ch in CHANNELS:
        c = ch.lower()
        out += [(f"{c}_gain", float, 1.0), (f"{c}_offset", float, 0.0), (f"{c}_phase", float, 0.0)]
    return out


#: Calibration of the acquisition board's channels (``[board]``; ``ion7400-hmi board
#: calibrate`` writes it): per channel ``gain`` [1], ``offset`` [V or A, subtracted before the
#: gain] and ``phase`` [deg, advance at the nominal frequency], as ``v1_gain`` … ``i4_phase``.
BoardCalibration = make_dataclass(
    "BoardCalibration", _board_fields(), frozen=True, namespace={"__module__": __name__}
)


@dataclass(frozen=True)
class PowerQualitySettings:
    """Voltage events, RVC and waveform captures (IEC 61000-4-30 §5.4, §5.5, §5.11: the
    thresholds are user settings). Percentages are of the declared voltage Udin: the nominal
    voltage unless ``declared_voltage`` [V] is set (0 = the nominal voltage)."""

    declared_voltage: float = 0.0  # [V] Udin; 0: the nominal voltage
    dip_pct: float = 90.0
    swell_pct: float = 110.0
    interruption_pct: float = 10.0
    hysteresis_pct: float = 2.0
    rvc_pct: float = 3.3  # RVC threshold; its hysteresis is half of it
    capture_pre_cycles: float = 10.0
    capture_post_cycles: float = 20.0
    capture_revision: int = 2013  # COMTRADE revision of captures: 2013 or 1999
    capture_format: str = "BINARY"  # BINARY, ASCII (both revisions), BINARY32, FLOAT32 (2013)


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
    # What ends a demand sub-interval: the clock, or a sync pulse on a digital input.
    demand_sync: str = "clock"  # "clock" | "DI1" .. "DI4"
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
    board: BoardCalibration = field(default_factory=BoardCalibration)
    power_quality: PowerQualitySettings = PowerQualitySettings()
    # The [[alarms]] tables; None: the default set for the nominal values
    # (engine.alarms.config.alarm_set).
    alarms: tuple[AlarmDefinition, ...] | None = None

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
        meter = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in SECTIONS and f.name != "alarms"
        }
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
        if self.alarms is not None:
            document["alarms"] = [a.to_dict() for a in self.alarms]
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
    "board": BoardCalibration,
    "power_quality": PowerQualitySettings,
}
