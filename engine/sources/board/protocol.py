"""The ION board protocol, version 1: byte layout of every frame (docs/board-protocol.md).

Every frame, in either direction, is

    header (8 bytes) | body (``length`` bytes) | CRC-32 (4 bytes)

all little-endian. The header is the sync word ``A5 5A``, the protocol version, the frame type,
the body length and a 16-bit header check (the low half of the CRC-32 of the first six bytes),
so a receiver can trust the length before it waits for the body. The trailing CRC-32
(``zlib.crc32``: IEEE 802.3, reflected, init and final XOR ``FFFFFFFF``) covers header and body.

A sample frame's body carries a sequence counter, the sample rate, the channel layout, the
sample format, the per-channel scale to volts / amps, the digital-input bits and the samples,
sample-major (for each instant, each present channel in mask order). Pure functions; decoding
is vectorised with numpy.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import numpy as np

SYNC = b"\xa5\x5a"
VERSION = 1
HEADER_SIZE = 8
CRC_SIZE = 4
MAX_BODY = 65535

# Frame types
T_SAMPLES = 0x01  # board -> host
T_ACK = 0x02  # board -> host, answer to a command
T_COMMAND = 0x10  # host -> board
FRAME_TYPES = (T_SAMPLES, T_ACK, T_COMMAND)

# Sample formats: code -> (name, bytes per value)
FORMATS = {1: ("int16", 2), 2: ("int24", 3), 3: ("float32", 4)}
FORMAT_CODES = {name: code for code, (name, _) in FORMATS.items()}

#: Channel-mask bits 0..7, in the order the samples of one instant are sent.
CHANNEL_BITS = ("V1", "V2", "V3", "V4", "I1", "I2", "I3", "I4")
ALL_CHANNELS = 0xFF
MAX_DIGITAL = 16

_HEADER = struct.Struct("<2sBBHH")
_SAMPLE_HEAD = struct.Struct("<IfHBBHBB")  # seq, rate, n, mask, format, digital, n_dig, flags
SAMPLE_HEAD_SIZE = _SAMPLE_HEAD.size  # 16


def crc32(data: bytes | bytearray | memoryview) -> int:
    """CRC-32 (IEEE 802.3) of ``data``, as ``zlib.crc32``."""
    return zlib.crc32(data) & 0xFFFFFFFF


def header_check(first6: bytes | bytearray | memoryview) -> int:
    """The 16-bit header check: low half of the CRC-32 of header bytes 0..5."""
    return zlib.crc32(first6) & 0xFFFF


def frame(frame_type: int, body: bytes) -> bytes:
    """A complete frame of ``frame_type`` around ``body``; ValueError if the body is too long."""
    if len(body) > MAX_BODY:
        raise ValueError(f"frame body of {len(body)} bytes exceeds {MAX_BODY}")
    first6 = SYNC + bytes((VERSION, frame_type)) + struct.pack("<H", len(body))
    head = first6 + struct.pack("<H", header_check(first6))
    data = head + body
    return data + struct.pack("<I", crc32(data))


def parse_header(head: bytes | bytearray | memoryview) -> tuple[int, int] | None:
    """(frame type, body length) of an 8-byte header, or None when it is not a valid header
    (wrong sync, version, type or header check)."""
    sync, version, ftype, length, check = _HEADER.unpack(bytes(head[:HEADER_SIZE]))
    if sync != SYNC or version != VERSION or ftype not in FRAME_TYPES:
        return None
    if check != header_check(head[:6]):
        return None
    return ftype, length


def channel_count(mask: int) -> int:
    """Number of channels present in a channel mask."""
    return bin(mask & 0xFF).count("1")


def channel_rows(mask: int) -> list[int]:
    """Rows 0..7 (V1..V4, I1..I4) of the channels present in ``mask``, in stream order."""
    return [b for b in range(8) if mask >> b & 1]


@dataclass
class SampleFrame:
    """A decoded sample frame.

    ``samples``: shape (number of channels in ``mask``, n) [V] / [A], already scaled;
    ``sample_rate`` [Hz]; ``digital``: input bits (bit k = input k+1) at the frame's first
    sample; ``lost_before``: frames missing just before this one (set by the framing decoder
    from the sequence counter).
    """

    seq: int
    sample_rate: float
    mask: int
    fmt: int
    digital: int
    n_digital: int
    flags: int
    scales: np.ndarray
    samples: np.ndarray
    lost_before: int = 0

    @property
    def n_samples(self) -> int:
        return self.samples.shape[1]


def to_counts(values: np.ndarray, scales: np.ndarray, fmt: int) -> np.ndarray:
    """Quantise ``values`` (channels × n) [V]/[A] to the integers (or float32) a board sends,
    ``scales`` [V or A per count]; clipped to the format's range."""
    name, _ = FORMATS[fmt]
    if name == "float32":
        return (values / scales[:, None]).astype(np.float32)
    top = 32767 if name == "int16" else 8388607
    counts = np.rint(values / scales[:, None])
    return np.clip(counts, -top - 1, top).astype(np.int16 if name == "int16" else np.int32)


def encode_samples(
    seq: int,
    sample_rate: float,
    mask: int,
    fmt: int,
    scales: np.ndarray,
    counts: np.ndarray,
    digital: int = 0,
    n_digital: int = 0,
    flags: int = 0,
) -> bytes:
    """A sample frame of ``counts`` (channels × n, as from ``to_counts``); ``sample_rate`` [Hz],
    ``scales`` [V or A per count] one per channel present in ``mask``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown sample format {fmt}")
    nch, n = counts.shape
    if nch != channel_count(mask) or len(scales) != nch:
        raise ValueError(f"{nch} channel rows and {len(scales)} scales for mask {mask:#04x}")
    head = _SAMPLE_HEAD.pack(
        seq & 0xFFFFFFFF, sample_rate, n, mask, fmt, digital & 0xFFFF, n_digital, flags
    )
    inter = np.ascontiguousarray(counts.T)  # sample-major: each instant, every channel
    if FORMATS[fmt][0] == "int24":
        payload = inter.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
    else:
        payload = inter.astype(inter.dtype.newbyteorder("<")).tobytes()
    return frame(T_SAMPLES, head + np.asarray(scales, "<f4").tobytes() + payload)


def decode_samples(body: bytes | bytearray | memoryview) -> SampleFrame:
    """Decode a sample frame's body; ValueError naming the inconsistency if it is malformed."""
    if len(body) < SAMPLE_HEAD_SIZE:
        raise ValueError(f"sample body of {len(body)} bytes is shorter than its header")
    seq, rate, n, mask, fmt, digital, n_dig, flags = _SAMPLE_HEAD.unpack_from(body)
    if fmt not in FORMATS:
        raise ValueError(f"unknown sample format {fmt}")
    nch = channel_count(mask)
    width = FORMATS[fmt][1]
    if nch == 0 or not (rate > 0 and np.isfinite(rate)) or n_dig > MAX_DIGITAL:
        raise ValueError(f"bad layout: mask {mask:#04x}, rate {rate}, {n_dig} digital inputs")
    expected = SAMPLE_HEAD_SIZE + 4 * nch + n * nch * width
    if len(body) != expected:
        raise ValueError(f"sample body is {len(body)} bytes, its layout needs {expected}")
    scales = np.frombuffer(body, "<f4", nch, SAMPLE_HEAD_SIZE).astype(np.float64)
    start = SAMPLE_HEAD_SIZE + 4 * nch
    if width == 3:
        raw = np.frombuffer(body, np.uint8, n * nch * 3, start).reshape(-1, 3)
        wide = np.zeros((raw.shape[0], 4), np.uint8)
        wide[:, 1:] = raw  # the 24 bits in the top of an int32, then an arithmetic shift
        counts = wide.view("<i4")[:, 0] >> 8
    else:
        counts = np.frombuffer(body, "<i2" if width == 2 else "<f4", n * nch, start)
    samples = counts.reshape(n, nch).T * scales[:, None]
    return SampleFrame(seq, float(rate), mask, fmt, digital, n_dig, flags, scales, samples)


def samples_frame_size(n: int, mask: int, fmt: int) -> int:
    """[bytes] on the wire of a sample frame of ``n`` samples per channel."""
    nch = channel_count(mask)
    return HEADER_SIZE + SAMPLE_HEAD_SIZE + 4 * nch + n * nch * FORMATS[fmt][1] + CRC_SIZE
