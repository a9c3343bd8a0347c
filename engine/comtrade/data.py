"""Decode a COMTRADE data file (.dat) into arrays, and the in-memory ``Recording``.

IEEE C37.111-1999/2013 §8: each sample is ``n, timestamp, A1…An, D1…Dn``. ASCII files hold one
comma-separated line per sample; binary files hold little-endian records of uint32 sample number,
uint32 timestamp, the analog values (int16 BINARY, int32 BINARY32, float32 FLOAT32) and the status
bits packed into uint16 words (bit 0 = first channel of the word). Decoding is vectorised: numpy
structured dtypes for binary, ``np.loadtxt`` for ASCII.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from engine.comtrade.config import ComtradeConfig
from engine.errors import InputError

#: Analog sample dtype per data-file type (§8.3, little-endian).
ANALOG_DTYPES = {"BINARY": "<i2", "BINARY32": "<i4", "FLOAT32": "<f4"}
#: Raw codes that mean "no data" (§8.2/§8.3, 1999 and later).
MISSING_INT16 = -0x8000
MISSING_INT32 = -0x80000000
MISSING_ASCII = 99999
MISSING_TIMESTAMP = 0xFFFFFFFF

# An empty field (blank timestamp or missing value) is turned into "nan" so loadtxt can read it.
# The first field (the sample number) is never blank, so only fields after a comma are filled.
_EMPTY_FIELD = re.compile(r"(?<=,)[ \t]*(?=,|$)", re.MULTILINE)


@dataclass(frozen=True, eq=False)
class Recording:
    """A COMTRADE recording in memory.

    Attributes
    ----------
    config : ComtradeConfig
    analog : ndarray float64, shape (n_analog, n)
        Values in the channel's unit after ``a·raw + b`` (§7.4.3); missing samples are NaN.
    digital : ndarray bool, shape (n_digital, n)
    time : ndarray float64, shape (n,)
        [s] time of each sample after the first-sample time: from the sample rates, or from the
        .dat timestamps × timemult × time base when ``nrates == 0``. NaN where a needed
        timestamp is missing.
    header, info : str or None
        Contents of the .hdr and .inf files (or .cff sections) when present.
    """

    config: ComtradeConfig
    analog: np.ndarray
    digital: np.ndarray
    time: np.ndarray
    header: str | None = None
    info: str | None = None
    path: Path | None = None

    @property
    def n_samples(self) -> int:
        return self.analog.shape[1]

    @property
    def start(self) -> datetime:
        """Time of the first sample, aware UTC."""
        return self.config.start_utc

    @property
    def trigger(self) -> datetime:
        """Trigger time, aware UTC."""
        return self.config.trigger_utc


def binary_dtype(config: ComtradeConfig) -> np.dtype:
    """Record layout of one binary sample (§8.3): packed, little-endian."""
    fields: list[tuple] = [("n", "<u4"), ("t", "<u4")]
    if config.analog:
        fields.append(("a", ANALOG_DTYPES[config.file_type], (len(config.analog),)))
    words = -(-len(config.digital) // 16)
    if words:
        fields.append(("d", "<u2", (words,)))
    return np.dtype(fields)


def sample_times(config: ComtradeConfig, timestamps: np.ndarray) -> np.ndarray:
    """[s] time of each sample after the first-sample time.

    With ``nrates > 0`` the rates are authoritative (§7.4.6): each segment ``(samp, endsamp)``
    spaces its samples 1/samp apart, a new segment starting one period of the previous one after
    its last sample. With ``nrates == 0`` the timestamps are used: timestamp × timemult × base.
    """
    if config.nrates == 0:
        return timestamps * (config.timemult * config.time_base)
    n = config.total_samples
    times = np.empty(n)
    first, t0 = 0, 0.0
    for samp, endsamp in config.sample_rates:
        k = np.arange(first, min(endsamp, n))
        times[k] = t0 + (k - first) / samp
        t0 += (endsamp - first) / samp
        first = endsamp
    if first < n:  # more samples than the last endsamp: continue at the last rate
        k = np.arange(first, n)
        times[k] = t0 + (k - first) / config.sample_rates[-1][0]
    return times


def _scale(config: ComtradeConfig, raw: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """``a·raw + b`` per channel (§7.4.3), NaN where the raw code is missing. raw: (n_a, n)."""
    a = np.array([ch.a for ch in config.analog], dtype=np.float64)[:, None]
    b = np.array([ch.b for ch in config.analog], dtype=np.float64)[:, None]
    values = a * raw.astype(np.float64) + b
    values[missing] = np.nan
    return values


def _decode_binary(data: bytes, config: ComtradeConfig, path) -> tuple[np.ndarray, ...]:
    dtype = binary_dtype(config)
    n = config.total_samples
    expected = n * dtype.itemsize
    if len(data) > expected and not data[expected:].strip(b"\x1a"):
        data = data[:expected]  # an end-of-file marker (0x1A) after the last record
    if len(data) != expected:
        whole, rest = divmod(len(data), dtype.itemsize)
        extra = f" + {rest} bytes" if rest else ""
        raise InputError(
            f"{config.file_type} data has {len(data)} bytes ({whole} samples of "
            f"{dtype.itemsize} bytes{extra}) but the configuration expects {n} samples = "
            f"{expected} bytes",
            path,
        )
    rec = np.frombuffer(data, dtype=dtype, count=n)
    n_a, n_d = len(config.analog), len(config.digital)
    if n_a:
        raw = rec["a"].T
        if config.file_type == "FLOAT32":
            missing = np.isnan(raw)
        elif config.file_type == "BINARY32":
            missing = raw == MISSING_INT32
        elif config.revision != 1991:
            missing = raw == MISSING_INT16
        else:
            # 1991 names no missing-data code that every reader agrees on, and -1 (0xFFFF) is a
            # legitimate two's-complement sample near zero, so nothing is treated as missing.
            missing = np.zeros(raw.shape, dtype=bool)
        analog = _scale(config, raw, missing)
    else:
        analog = np.empty((0, n))
    if n_d:
        # Little-endian uint16 words as bytes, bits unpacked LSB first: bit k of the row is
        # channel k (§8.3: bit 0 of the first word is the first status channel).
        octets = np.ascontiguousarray(rec["d"]).view(np.uint8).reshape(n, -1)
        digital = np.unpackbits(octets, axis=1, bitorder="little")[:, :n_d].T.astype(bool)
    else:
        digital = np.zeros((0, n), dtype=bool)
    timestamps = rec["t"].astype(np.float64)
    timestamps[rec["t"] == MISSING_TIMESTAMP] = np.nan
    return analog, digital, timestamps


def _diagnose_ascii(lines: list[str], columns: int, path) -> InputError:
    """Find the first bad line of an ASCII .dat (only run when the fast parse fails)."""
    number = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        fields = line.split(",")
        if len(fields) != columns:
            return InputError(
                f"sample line has {len(fields)} fields, expected {columns}", path, number
            )
        for field in fields:
            if field.strip():
                try:
                    float(field)
                except ValueError:
                    return InputError(f"value {field.strip()!r} is not a number", path, number)
    return InputError("ASCII data could not be parsed", path, number or None)


def _decode_ascii(data: bytes, config: ComtradeConfig, path) -> tuple[np.ndarray, ...]:
    text = data.decode("latin-1").replace("\x1a", "").replace("\r\n", "\n").replace("\r", "\n")
    n_a, n_d = len(config.analog), len(config.digital)
    columns = 2 + n_a + n_d
    n = config.total_samples
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "input contained no data": see below
            table = np.loadtxt(
                io.StringIO(_EMPTY_FIELD.sub("nan", text)),
                delimiter=",",
                dtype=np.float64,
                ndmin=2,
                comments=None,
            )
    except ValueError:
        raise _diagnose_ascii(text.splitlines(), columns, path) from None
    if table.size == 0:
        table = np.empty((0, columns))
    if table.shape[1] != columns:
        raise InputError(f"sample lines have {table.shape[1]} fields, expected {columns}", path, 1)
    if table.shape[0] != n:
        raise InputError(
            f"ASCII data has {table.shape[0]} samples but the configuration expects {n}", path
        )
    raw = table[:, 2 : 2 + n_a].T
    # 99999 marks a missing value from 1999 on (§8.2); a blank field is missing in any revision.
    missing = np.isnan(raw) | ((raw == MISSING_ASCII) if config.revision != 1991 else False)
    analog = _scale(config, raw, missing) if n_a else np.empty((0, n))
    digital = np.nan_to_num(table[:, 2 + n_a :].T) != 0
    return analog, digital, table[:, 1].copy()


def parse_dat(
    data: bytes, config: ComtradeConfig, path: str | Path | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode .dat bytes per ``config.file_type``.

    Returns ``(analog, digital, time)`` as described on ``Recording`` (analog in channel units
    after a·x+b, digital bool, time [s]). Raises ``InputError`` naming the file and how many
    samples/bytes were expected and found.
    """
    if config.file_type == "ASCII":
        analog, digital, timestamps = _decode_ascii(data, config, path)
    else:
        analog, digital, timestamps = _decode_binary(data, config, path)
    return analog, digital, sample_times(config, timestamps)
