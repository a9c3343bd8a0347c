"""Parse a COMTRADE configuration file (.cfg) into frozen dataclasses.

IEEE C37.111-1991/1999/2013 (IEC 60255-24:2013) §7: the .cfg lines come in a fixed order —
station/device/revision, channel counts, one line per analog and per digital channel, line
frequency, sampling rates, first-sample and trigger times, data-file type, time multiplier and,
in the 2013 revision, the time-code and time-quality lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from engine.errors import InputError

#: Data-file types (§7.4.9; BINARY32 and FLOAT32 are 2013 additions).
FILE_TYPES = ("ASCII", "BINARY", "BINARY32", "FLOAT32")
#: Revision years the reader understands (2001 is the 1999 layout under a later name).
REVISIONS = (1991, 1999, 2001, 2013)

_TIME_RE = re.compile(r"^(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?$")
_DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")
# time_code / local_code (2013 §7.4.11): sign, hours, optional "h" and minutes, e.g. "-5h30".
_OFFSET_RE = re.compile(r"^([+-]?)(\d{1,2})(?:h(\d{1,2}))?$", re.IGNORECASE)


@dataclass(frozen=True)
class AnalogChannel:
    """One analog channel line: ``An,ch_id,ph,ccbm,uu,a,b,skew,min,max,primary,secondary,PS``.

    The value in ``unit`` is ``a·raw + b`` (§7.4.3); ``skew`` is in [µs] as written (§7.4.3:
    time skew within the sample period); ``min``/``max`` are the range of raw sample codes.
    ``ps`` tells whether ``a``/``b`` give primary ("P") or secondary ("S") values; the 1991
    revision has no ratio fields and is taken as primary.
    """

    index: int
    id: str
    phase: str
    circuit: str
    unit: str
    a: float
    b: float
    skew: float
    min: float
    max: float
    primary: float = 1.0
    secondary: float = 1.0
    ps: str = "P"


@dataclass(frozen=True)
class DigitalChannel:
    """One status channel line: ``Dn,ch_id,ph,ccbm,y`` (y = normal state, 0 or 1)."""

    index: int
    id: str
    phase: str
    circuit: str
    normal: int


@dataclass(frozen=True)
class ComtradeConfig:
    """Everything in a .cfg file.

    ``start`` and ``trigger`` are naive, as written (in the zone given by ``time_code`` when the
    file has one); ``start_utc``/``trigger_utc`` convert them. ``sample_rates`` holds the
    ``(samp [Hz], endsamp)`` pairs; with ``nrates == 0`` it holds the single ``(0, endsamp)``
    line and the .dat timestamps are authoritative (§7.4.6). ``time_base`` is [s] per timestamp
    unit: 1e-6, or 1e-9 when the first-sample time has nine fractional digits.
    """

    station: str
    device: str
    revision: int
    analog: tuple[AnalogChannel, ...]
    digital: tuple[DigitalChannel, ...]
    line_frequency: float
    nrates: int
    sample_rates: tuple[tuple[float, int], ...]
    start: datetime
    trigger: datetime
    file_type: str
    timemult: float = 1.0
    time_base: float = 1e-6
    time_code: str | None = None
    local_code: str | None = None
    tmq_code: str | None = None
    leap_second: int | None = None

    @property
    def total_samples(self) -> int:
        """Number of samples in the .dat file: the last ``endsamp``."""
        return self.sample_rates[-1][1] if self.sample_rates else 0

    @property
    def utc_offset(self) -> timedelta:
        """Offset of the written times from UTC (zero when there is no usable time_code)."""
        return parse_offset(self.time_code) or timedelta(0)

    @property
    def start_utc(self) -> datetime:
        """First-sample time, timezone-aware UTC."""
        return to_utc(self.start, self.time_code)

    @property
    def trigger_utc(self) -> datetime:
        """Trigger time, timezone-aware UTC."""
        return to_utc(self.trigger, self.time_code)


def parse_offset(code: str | None) -> timedelta | None:
    """A 2013 time_code / local_code such as ``-5h30`` or ``+1`` as a timedelta, None for "x"/blank.

    IEEE C37.111-2013 §7.4.11: the code is the difference local time − UTC.
    """
    if code is None or code.strip().lower() in ("", "x"):
        return None
    m = _OFFSET_RE.match(code.strip())
    if m is None:
        raise ValueError(f"time code {code!r} is not of the form [+|-]hh[hmm]")
    sign = -1 if m.group(1) == "-" else 1
    return sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))


def to_utc(written: datetime, time_code: str | None) -> datetime:
    """A time as written in the .cfg as aware UTC; without a time_code it is taken as UTC."""
    offset = parse_offset(time_code) or timedelta(0)
    return (written - offset).replace(tzinfo=UTC)


class _Lines:
    """The .cfg lines with their line numbers, for errors that say where."""

    def __init__(self, text: str, path: str | Path | None, first_line: int):
        self.lines = text.replace("\x1a", "").splitlines()
        self.path = path
        self.first_line = first_line
        self.pos = 0

    def error(self, problem: str, offset: int = -1) -> InputError:
        return InputError(problem, self.path, self.first_line + self.pos + offset)

    def more(self) -> bool:
        return any(line.strip() for line in self.lines[self.pos :])

    def next(self, what: str) -> str:
        if self.pos >= len(self.lines):
            raise self.error(f"unexpected end of file: expected {what}", 0)
        self.pos += 1
        return self.lines[self.pos - 1]

    def fields(self, what: str, counts: tuple[int, ...], layout: str) -> list[str]:
        fields = [f.strip() for f in self.next(what).split(",")]
        if len(fields) not in counts:
            expected = " or ".join(str(c) for c in counts)
            raise self.error(f"{what} has {len(fields)} fields, expected {expected} ({layout})")
        return fields


def _number(lines: _Lines, text: str, what: str, default: float | None = None) -> float:
    if text == "" and default is not None:
        return default
    try:
        return float(text)
    except ValueError:
        raise lines.error(f"{what} is not a number: {text!r}") from None


def _integer(lines: _Lines, text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise lines.error(f"{what} is not an integer: {text!r}") from None


def _parse_time(lines: _Lines, text: str, what: str, revision: int) -> tuple[datetime, int]:
    """A ``dd/mm/yyyy,hh:mm:ss.ssssss`` line (``mm/dd/yy`` in 1991, §7.4.7) → (time, digits)."""
    fields = [f.strip() for f in text.split(",")]
    if len(fields) != 2:
        raise lines.error(f"{what} must be 'dd/mm/yyyy,hh:mm:ss.ssssss', got {text.strip()!r}")
    d, t = _DATE_RE.match(fields[0]), _TIME_RE.match(fields[1])
    if d is None or t is None:
        raise lines.error(f"{what} must be 'dd/mm/yyyy,hh:mm:ss.ssssss', got {text.strip()!r}")
    first, second, year = (int(g) for g in d.groups())
    day, month = (second, first) if revision == 1991 else (first, second)
    if len(d.group(3)) == 2:  # two-digit years appear in 1991 files only
        year += 1900 if year >= 70 else 2000
    fraction = t.group(4) or ""
    micro = int((fraction + "000000")[:6])
    hour, minute, sec = int(t.group(1)), int(t.group(2)), int(t.group(3))
    try:
        # A leap second (ss = 60) is kept as the first instant of the next minute.
        when = datetime(year, month, day, hour, minute, min(sec, 59), micro)
    except ValueError as exc:
        raise lines.error(f"{what} is not a valid date/time: {text.strip()!r} ({exc})") from None
    return when + timedelta(seconds=max(sec - 59, 0)), len(fraction)


def _analog(lines: _Lines, revision: int) -> AnalogChannel:
    layout = "An,ch_id,ph,ccbm,uu,a,b,skew,min,max" + (
        "" if revision == 1991 else ",primary,secondary,PS"
    )
    f = lines.fields("analog channel line", (10, 13) if revision == 1991 else (13,), layout)
    index = _integer(lines, f[0], "analog channel number")
    a = _number(lines, f[5], f"multiplier a of channel {f[1]!r}")
    b = _number(lines, f[6], f"offset b of channel {f[1]!r}", 0.0)
    skew = _number(lines, f[7], f"skew of channel {f[1]!r}", 0.0)
    lo = _number(lines, f[8], f"min of channel {f[1]!r}", float("nan"))
    hi = _number(lines, f[9], f"max of channel {f[1]!r}", float("nan"))
    primary = secondary = 1.0
    ps = "P"
    if len(f) == 13:
        primary = _number(lines, f[10], f"primary of channel {f[1]!r}", 1.0)
        secondary = _number(lines, f[11], f"secondary of channel {f[1]!r}", 1.0)
        ps = f[12].upper() or "P"
        if ps not in ("P", "S"):
            raise lines.error(f"PS of channel {f[1]!r} must be P or S, got {f[12]!r}")
    return AnalogChannel(index, f[1], f[2], f[3], f[4], a, b, skew, lo, hi, primary, secondary, ps)


def _digital(lines: _Lines, revision: int) -> DigitalChannel:
    counts = (3, 5) if revision == 1991 else (5,)
    f = lines.fields("digital channel line", counts, "Dn,ch_id,ph,ccbm,y")
    if len(f) == 3:  # 1991: Dn,ch_id,y
        f = [f[0], f[1], "", "", f[2]]
    index = _integer(lines, f[0], "digital channel number")
    normal = _integer(lines, f[4] or "0", f"normal state y of channel {f[1]!r}")
    if normal not in (0, 1):
        raise lines.error(f"normal state y of channel {f[1]!r} must be 0 or 1, got {normal}")
    return DigitalChannel(index, f[1], f[2], f[3], normal)


def _counts(lines: _Lines) -> tuple[int, int]:
    f = lines.fields("channel count line", (3,), "TT,##A,##D")
    total = _integer(lines, f[0], "total channel count TT")
    if not (f[1][-1:].upper() == "A" and f[2][-1:].upper() == "D"):
        raise lines.error(f"channel counts must read 'TT,##A,##D', got {','.join(f)!r}")
    n_a = _integer(lines, f[1][:-1], "analog channel count")
    n_d = _integer(lines, f[2][:-1], "digital channel count")
    if n_a < 0 or n_d < 0 or total != n_a + n_d:
        raise lines.error(f"channel counts do not add up: TT={total}, {n_a}A + {n_d}D")
    return n_a, n_d


def _rates(lines: _Lines) -> tuple[int, tuple[tuple[float, int], ...]]:
    """nrates and its ``samp,endsamp`` lines (§7.4.6); nrates = 0 still has a ``0,endsamp`` line."""
    nrates = _integer(lines, lines.next("nrates").strip(), "nrates")
    if nrates < 0:
        raise lines.error(f"nrates must be >= 0, got {nrates}")
    rates: list[tuple[float, int]] = []
    for _ in range(max(nrates, 1)):
        f = lines.fields("sample rate line", (2,), "samp,endsamp")
        samp = _number(lines, f[0], "sample rate samp")
        endsamp = _integer(lines, f[1], "endsamp")
        if nrates > 0 and not samp > 0:
            raise lines.error(f"sample rate must be > 0 Hz, got {f[0]}")
        if endsamp < 0 or (rates and endsamp < rates[-1][1]):
            raise lines.error(f"endsamp {endsamp} must be >= 0 and not decrease")
        rates.append((samp, endsamp))
    return nrates, tuple(rates)


def parse_cfg(text: str, path: str | Path | None = None, first_line: int = 1) -> ComtradeConfig:
    """Parse .cfg text (IEEE C37.111 §7.4) into a ``ComtradeConfig``.

    ``first_line`` is the file line number of the text's first line (for a .cff section).
    Raises ``InputError`` naming the file, the line and the problem.
    """
    lines = _Lines(text, path, first_line)
    head = [f.strip() for f in lines.next("station line").split(",")]
    if len(head) not in (2, 3):
        raise lines.error(
            f"station line has {len(head)} fields, expected station,device[,rev_year]"
        )
    revision = 1991
    if len(head) == 3 and head[2]:
        revision = _integer(lines, head[2], "rev_year")
        if revision not in REVISIONS:
            raise lines.error(f"unknown revision year {revision} (expected 1991, 1999 or 2013)")
    n_a, n_d = _counts(lines)
    analog = tuple(_analog(lines, revision) for _ in range(n_a))
    digital = tuple(_digital(lines, revision) for _ in range(n_d))
    lf = _number(lines, lines.next("line frequency").strip(), "line frequency lf")
    if lf < 0:
        raise lines.error(f"line frequency must be >= 0 Hz, got {lf}")
    nrates, rates = _rates(lines)
    start, digits = _parse_time(
        lines, lines.next("first-sample time"), "first-sample time", revision
    )
    trigger, _ = _parse_time(lines, lines.next("trigger time"), "trigger time", revision)
    file_type = lines.next("data file type").strip().upper()
    if file_type not in FILE_TYPES:
        raise lines.error(
            f"unknown data file type {file_type!r} (expected {', '.join(FILE_TYPES)})"
        )
    timemult = 1.0
    if revision != 1991 and lines.more():
        timemult = _number(lines, lines.next("timemult").strip(), "timemult", 1.0)
        if not timemult > 0:
            raise lines.error(f"timemult must be > 0, got {timemult}")
    codes: dict[str, str | int | None] = {}
    if revision == 2013 and lines.more():
        f = lines.fields("time code line", (2,), "time_code,local_code")
        for value in f:
            try:
                parse_offset(value)
            except ValueError as exc:
                raise lines.error(str(exc)) from None
        codes.update(time_code=f[0] or None, local_code=f[1] or None)
        if lines.more():
            f = lines.fields("time quality line", (2,), "tmq_code,leapsec")
            codes.update(tmq_code=f[0] or None)
            codes["leap_second"] = _integer(lines, f[1], "leapsec") if f[1] else None
    return ComtradeConfig(
        station=head[0],
        device=head[1],
        revision=revision,
        analog=analog,
        digital=digital,
        line_frequency=lf,
        nrates=nrates,
        sample_rates=rates,
        start=start,
        trigger=trigger,
        file_type=file_type,
        timemult=timemult,
        time_base=1e-9 if digits > 6 else 1e-6,
        **codes,  # type: ignore[arg-type]
    )


def decode_text(data: bytes) -> str:
    """COMTRADE text is ASCII in principle; accept UTF-8 and fall back to Latin-1."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_cfg(path: str | Path) -> ComtradeConfig:
    """Read and parse a .cfg file; a missing file is an ``InputError``."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read configuration file: {exc.strerror or exc}", path) from None
    return parse_cfg(decode_text(data), path)
