"""Write a COMTRADE recording: .cfg + .dat, or a single 2013 .cff.

IEEE C37.111-1999/2013: the 1999 or 2013 .cfg layout (§7.4), ASCII / BINARY / BINARY32 / FLOAT32
data (§8), and the .cff container (2013 §9). Integer formats get a per-channel scaling a, b that
spreads the channel's range over the whole symmetric code range, so the quantisation step is as
small as the format allows.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from engine.comtrade.cff import build_cff
from engine.comtrade.config import (
    FILE_TYPES,
    AnalogChannel,
    ComtradeConfig,
    DigitalChannel,
)
from engine.comtrade.data import MISSING_ASCII, MISSING_INT16, MISSING_INT32, binary_dtype

#: Largest code used per integer format: symmetric, keeping the missing-data codes free (§8).
CODE_LIMITS = {"ASCII": 99998, "BINARY": 32767, "BINARY32": 2**31 - 1}
_MISSING_CODES = {"ASCII": MISSING_ASCII, "BINARY": MISSING_INT16, "BINARY32": MISSING_INT32}
_MAX_TIMESTAMP = 2**32 - 2  # 0xFFFFFFFF means "missing" (§8.3)


@dataclass(frozen=True)
class ChannelSpec:
    """What the writer needs to know about one analog channel (values are given in ``unit``).

    ``primary``/``secondary`` are the transformer ratio's two sides and ``ps`` says whether the
    values written are primary ("P") or secondary ("S") quantities (§7.4.3). ``skew`` [µs].
    """

    id: str
    unit: str
    phase: str = ""
    circuit: str = ""
    primary: float = 1.0
    secondary: float = 1.0
    ps: str = "P"
    skew: float = 0.0


def choose_scaling(values: np.ndarray, file_type: str) -> tuple[float, float]:
    """Scaling ``(a, b)`` so that ``a·code + b`` covers ``values`` with codes in ±limit (§7.4.3).

    b is the middle of the range and a the half-range over the format's largest code, so the
    step is (max − min)/(2·limit): 32767 codes each side for BINARY, 2³¹−1 for BINARY32 and
    99998 for ASCII (99999 is the missing-value code). FLOAT32 stores values as they are: (1, 0).
    """
    if file_type == "FLOAT32":
        return 1.0, 0.0
    limit = CODE_LIMITS[file_type]
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return 1.0, 0.0
    lo, hi = float(finite.min()), float(finite.max())
    b = (hi + lo) / 2.0
    half = (hi - lo) / 2.0
    if half == 0.0:  # a constant: code 0 everywhere, and a non-zero a
        return (abs(b) / limit if b else 1.0), b
    return half / limit, b


def _encode_channel(values: np.ndarray, file_type: str, a: float, b: float) -> np.ndarray:
    """Codes of one channel: round((x − b)/a), the missing code where x is NaN."""
    if file_type == "FLOAT32":
        return values.astype(np.float32)  # NaN stays NaN
    limit = CODE_LIMITS[file_type]
    with np.errstate(invalid="ignore"):
        codes = np.clip(np.rint((values - b) / a), -limit, limit)
    codes[~np.isfinite(values)] = _MISSING_CODES[file_type]
    return codes.astype(np.int64)


def _number(x: float) -> str:
    """Shortest text that reads back as the same float ("1" rather than "1.0")."""
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def _time(t: datetime, nanoseconds: bool = False) -> str:
    """§7.4.7: dd/mm/yyyy,hh:mm:ss.ssssss; nine digits select the nanosecond time base."""
    return t.strftime("%d/%m/%Y,%H:%M:%S.%f") + ("000" if nanoseconds else "")


def _offset_code(offset: timedelta) -> str:
    """A UTC offset as a 2013 time code (§7.4.11): "0", "+1", "-5h30"."""
    minutes = round(offset.total_seconds() / 60)
    if minutes == 0:
        return "0"
    hours, rest = divmod(abs(minutes), 60)
    return ("-" if minutes < 0 else "+") + str(hours) + (f"h{rest:02d}" if rest else "")


def _check_text(text: str, what: str) -> str:
    if "," in text or "\n" in text or "\r" in text:
        raise ValueError(f"{what} {text!r} must not contain commas or line breaks (§7.3)")
    return text


def format_cfg(config: ComtradeConfig) -> str:
    """The .cfg text of ``config`` in its revision's layout (§7.4), CR/LF line ends."""
    rows = [f"{config.station},{config.device},{config.revision}"]
    n_a, n_d = len(config.analog), len(config.digital)
    rows.append(f"{n_a + n_d},{n_a}A,{n_d}D")
    for ch in config.analog:
        fields = [
            str(ch.index),
            ch.id,
            ch.phase,
            ch.circuit,
            ch.unit,
            _number(ch.a),
            _number(ch.b),
            _number(ch.skew),
            _number(ch.min),
            _number(ch.max),
        ]
        if config.revision != 1991:
            fields += [_number(ch.primary), _number(ch.secondary), ch.ps]
        rows.append(",".join(fields))
    rows += [f"{ch.index},{ch.id},{ch.phase},{ch.circuit},{ch.normal}" for ch in config.digital]
    rows.append(_number(config.line_frequency))
    rows.append(str(config.nrates))
    rows += [f"{_number(samp)},{endsamp}" for samp, endsamp in config.sample_rates]
    ns = config.time_base < 1e-6
    rows += [_time(config.start, ns), _time(config.trigger, ns), config.file_type]
    if config.revision != 1991:
        rows.append(_number(config.timemult))
    if config.revision == 2013:
        rows.append(f"{config.time_code or '0'},{config.local_code or 'x'}")
        leap = "" if config.leap_second is None else str(config.leap_second)
        rows.append(f"{config.tmq_code or ''},{leap}")
    return "\r\n".join(rows) + "\r\n"


def encode_dat(
    config: ComtradeConfig, codes: np.ndarray, digital: np.ndarray, timestamps: np.ndarray
) -> bytes:
    """The .dat bytes (§8): codes (n_analog, n), digital bool (n_digital, n), timestamps (n,)."""
    n = timestamps.shape[0]
    numbers = np.arange(1, n + 1, dtype=np.int64)
    if config.file_type == "ASCII":
        table = np.column_stack([numbers, timestamps, codes.T, digital.T.astype(np.int64)])
        buf = io.StringIO()
        np.savetxt(buf, table.astype(np.int64), fmt="%d", delimiter=",", newline="\r\n")
        return buf.getvalue().encode("ascii")
    records = np.zeros(n, dtype=binary_dtype(config))
    records["n"] = numbers
    records["t"] = timestamps
    if config.analog:
        records["a"] = codes.T
    if config.digital:
        words = records["d"].shape[1]
        bits = np.zeros((n, 16 * words), dtype=np.uint8)
        bits[:, : digital.shape[0]] = digital.T
        # LSB-first bytes read as little-endian uint16: channel k is bit k%16 of word k//16.
        records["d"] = np.packbits(bits, axis=1, bitorder="little").view("<u2").reshape(n, words)
    return records.tobytes()


def _base_path(path: str | Path) -> Path:
    path = Path(path)
    return path.with_suffix("") if path.suffix.lower() in (".cfg", ".dat", ".cff") else path


def write_comtrade(
    path: str | Path,
    analog: np.ndarray,
    channels: Sequence[ChannelSpec],
    sample_rate: float,
    start: datetime,
    *,
    digital: np.ndarray | None = None,
    digital_channels: Sequence[str] = (),
    trigger: datetime | None = None,
    revision: int = 2013,
    file_type: str = "BINARY",
    cff: bool = False,
    station: str = "ION7400",
    device: str = "ION7400-HMI",
    line_frequency: float = 50.0,
    header: str | None = None,
    info: str | None = None,
    timestamps_critical: bool = False,
) -> Path:
    """Write a recording and return the path of the .cfg (or .cff) written.

    ``analog`` (n_analog, n) holds values in each channel's unit (NaN = missing); ``digital``
    (n_digital, n) bool states named by ``digital_channels``; ``sample_rate`` [Hz]; ``start`` and
    ``trigger`` are the first-sample and trigger times (naive = UTC). A 1999 file states times
    in UTC; a 2013 file states them in ``start``'s own zone with that offset as time_code
    (§7.4.11). ``timestamps_critical`` writes nrates = 0 so readers use the timestamps (§7.4.6).
    ``cff`` (2013 only) writes one .cff instead of .cfg + .dat (+ .hdr/.inf when given).
    """
    file_type = file_type.upper()
    if revision not in (1999, 2013):
        raise ValueError(f"revision must be 1999 or 2013, got {revision}")
    if file_type not in FILE_TYPES or (revision == 1999 and file_type in ("BINARY32", "FLOAT32")):
        raise ValueError(f"file type {file_type!r} is not available in the {revision} revision")
    if cff and revision != 2013:
        raise ValueError("the .cff single-file format exists in the 2013 revision only")
    if not sample_rate > 0:
        raise ValueError(f"sample_rate must be > 0 Hz, got {sample_rate!r}")
    analog = np.atleast_2d(np.asarray(analog, dtype=np.float64))
    n = analog.shape[1]
    if analog.shape[0] != len(channels):
        raise ValueError(f"{analog.shape[0]} analog rows but {len(channels)} channel specs")
    digital = (
        np.zeros((0, n), dtype=bool) if digital is None else np.atleast_2d(digital).astype(bool)
    )
    if digital.shape != (len(digital_channels), n):
        raise ValueError(
            f"digital shape {digital.shape} does not match {len(digital_channels)} names"
        )

    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    trigger = (
        start if trigger is None else trigger if trigger.tzinfo else trigger.replace(tzinfo=UTC)
    )
    zone = start.utcoffset() if revision == 2013 else timedelta(0)
    local_start = (start.astimezone(UTC) + zone).replace(tzinfo=None)
    local_trigger = (trigger.astimezone(UTC) + zone).replace(tzinfo=None)

    specs, codes = [], []
    for k, (spec, values) in enumerate(zip(channels, analog, strict=True), start=1):
        a, b = choose_scaling(values, file_type)
        code = _encode_channel(values, file_type, a, b)
        valid = code[np.isfinite(values)]
        lo, hi = (float(valid.min()), float(valid.max())) if valid.size else (0.0, 0.0)
        ps = spec.ps.upper()
        if ps not in ("P", "S"):
            raise ValueError(f"ps of channel {spec.id!r} must be 'P' or 'S'")
        specs.append(
            AnalogChannel(
                k,
                _check_text(spec.id, "channel id"),
                _check_text(spec.phase, "phase"),
                _check_text(spec.circuit, "circuit"),
                _check_text(spec.unit, "unit"),
                a,
                b,
                spec.skew,
                lo,
                hi,
                spec.primary,
                spec.secondary,
                ps,
            )
        )
        codes.append(code)

    # Timestamps count µs; a 2013 file whose sample period is not a whole number of µs counts
    # ns instead (§7.4.7), so authoritative timestamps do not jitter. They must fit in uint32
    # (§8.3): timemult grows for long recordings.
    per_us = 1e6 / sample_rate
    time_base = 1e-9 if revision == 2013 and abs(per_us - round(per_us)) > 1e-9 else 1e-6
    span = (n - 1) / sample_rate / time_base if n else 0.0
    timemult = float(max(1, math.ceil(span / _MAX_TIMESTAMP)))
    timestamps = np.rint(np.arange(n) / sample_rate / time_base / timemult).astype(np.int64)

    config = ComtradeConfig(
        station=_check_text(station, "station"),
        device=_check_text(device, "device"),
        revision=revision,
        analog=tuple(specs),
        digital=tuple(
            DigitalChannel(k, _check_text(d, "digital id"), "", "", 0)
            for k, d in enumerate(digital_channels, start=1)
        ),
        line_frequency=line_frequency,
        nrates=0 if timestamps_critical else 1,
        sample_rates=((0.0 if timestamps_critical else float(sample_rate), n),),
        start=local_start,
        trigger=local_trigger,
        file_type=file_type,
        timemult=timemult,
        time_base=time_base,
        time_code=_offset_code(zone) if revision == 2013 else None,
        local_code=_offset_code(zone) if revision == 2013 else None,
        tmq_code=None,
        leap_second=0 if revision == 2013 else None,
    )
    dtype = np.float32 if file_type == "FLOAT32" else np.int64
    code_array = np.array(codes, dtype=dtype).reshape(len(specs), n)
    cfg_text = format_cfg(config)
    dat = encode_dat(config, code_array, digital, timestamps)

    base = _base_path(path)
    if cff:
        out = base.with_name(base.name + ".cff")
        out.write_bytes(build_cff(cfg_text, dat, file_type, info, header))
        return out
    out = base.with_name(base.name + ".cfg")
    out.write_bytes(cfg_text.encode("utf-8"))
    base.with_name(base.name + ".dat").write_bytes(dat)
    for suffix, text in ((".hdr", header), (".inf", info)):
        if text is not None:
            base.with_name(base.name + suffix).write_text(text, encoding="utf-8")
    return out
