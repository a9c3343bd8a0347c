"""What the panel shows about the board link, and the serial spec's options.

``LinkStatus`` is immutable: the serial source swaps in a new one whenever something changes,
so another thread (the panel's diagnostics screen, the status LED) can read it at any time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from engine.dsp.harmonics import max_order
from engine.errors import InputError

#: Link states: opening the port / waiting for the board; frames arriving; no byte for a
#: while (the stream may resume); the port is gone (reconnecting with back-off); closed.
STATES = ("connecting", "streaming", "stalled", "no link", "closed")
PROFILES = ("ion", "daqopen")
FLICKER_MIN_SPC = 32  # IEC 61000-4-15 filter chain as implemented in engine.dsp.flicker
HARMONIC_ORDERS = 63


@dataclass(frozen=True)
class LinkStatus:
    state: str = "connecting"
    port: str = ""
    profile: str = "ion"
    sample_rate: float = 0.0  # [Hz]
    samples_per_cycle: float = 0.0
    counters: dict = field(default_factory=dict)  # LinkCounters.as_dict()
    reconnects: int = 0
    unavailable: tuple[str, ...] = ()
    message: str = ""
    identity: dict = field(default_factory=dict)

    @property
    def linked(self) -> bool:
        return self.state in ("streaming", "stalled")


def unavailable_features(samples_per_cycle: float) -> tuple[str, ...]:
    """What the link's rate cannot carry, as short phrases (empty at >= 128 samples/cycle).

    Harmonics above ``max_order`` (IEC 61000-4-7 subgroups below the Nyquist frequency) are not
    measured (NaN), and flicker below 32 samples/cycle is not computed: unavailable, not wrong.
    """
    out = []
    top = max_order(samples_per_cycle, HARMONIC_ORDERS)
    if top < HARMONIC_ORDERS:
        out.append(f"harmonics above order {top}")
    if samples_per_cycle < FLICKER_MIN_SPC * (1 - 1e-9):
        out.append(f"flicker (needs {FLICKER_MIN_SPC} samples/cycle)")
    return tuple(out)


@dataclass(frozen=True)
class SerialSpec:
    """``serial:PORT?key=value&...``: the port and the link options.

    ``profile`` ion | daqopen; ``baud`` [bit/s] (ignored by USB virtual COM ports);
    ``rate`` [Hz] asked of the board (default: the board's own); ``format`` int16 | int24 |
    float32 asked of an ION board; ``timeout`` [s] for the board's first answer; ``f`` nominal
    frequency [Hz] when the board does not say; ``channels``, ``scale_v``, ``scale_i`` and
    ``block`` the DaqOpen options (docs/board-protocol.md).
    """

    port: str
    profile: str = "ion"
    baud: int = 921600
    rate: float | None = None
    format: str | None = None
    timeout: float = 3.0
    f: float | None = None
    channels: str = "A0,A1,A2,A3,A4,A5,A6,A7"
    scale_v: float = 0.25  # [V/count] DaqOpen: volts per ADC count of the V channels
    scale_i: float = 0.01  # [A/count]
    block: int = 0  # DaqOpen: samples per channel per frame (0: the driver's choice)


_FLOATS = ("rate", "timeout", "f", "scale_v", "scale_i")
_INTS = ("baud", "block")


def parse_serial_spec(text: str) -> SerialSpec:
    """The spec of ``serial:`` without the kind; InputError naming a bad option."""
    port, _, query = text.partition("?")
    if not port:
        raise InputError("serial source needs a port: serial:PORT[?profile=ion&baud=921600]")
    known = set(SerialSpec.__dataclass_fields__) - {"port"}
    values: dict = {}
    for key, value in parse_qsl(query, keep_blank_values=True, strict_parsing=False):
        if key not in known:
            names = ", ".join(sorted(known))
            raise InputError(f"serial source: unknown option {key!r} (known: {names})")
        try:
            if key in _FLOATS:
                v = float(value)
                if not v > 0 or v != v or v == float("inf"):
                    raise ValueError
                values[key] = v
            elif key in _INTS:
                values[key] = int(value)
                if values[key] < 0 or (key == "baud" and values[key] == 0):
                    raise ValueError
            else:
                values[key] = value
        except ValueError:
            raise InputError(f"serial source: bad value {value!r} for {key}") from None
    if values.get("profile", "ion") not in PROFILES:
        raise InputError(f"serial source: profile must be one of {', '.join(PROFILES)}")
    if values.get("format") not in (None, "int16", "int24", "float32"):
        raise InputError("serial source: format must be int16, int24 or float32")
    if values.get("f") not in (None, 50.0, 60.0):
        raise InputError("serial source: f (nominal frequency) must be 50 or 60")
    return SerialSpec(port=port, **values)
