"""Host -> board commands and the board's acknowledgements (docs/board-protocol.md).

A command frame's body is ``code (u8) | tag (u8) | arguments``; the board answers every command
with an acknowledgement frame whose body is ``code (u8) | tag (u8) | status (u8) | payload``,
echoing the code and the host-chosen tag so the host can match answers to questions.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass

import numpy as np

from engine.sources.board.protocol import T_ACK, T_COMMAND, frame

START = 0x01
STOP = 0x02
SET_RATE = 0x03  # f32 sample rate [Hz]
SET_FORMAT = 0x04  # u8 sample-format code
SET_OUTPUTS = 0x05  # u8 relay bits, u16 KY pulses to emit, f32 AO1 [mA], f32 AO2 [mA]
IDENTIFY = 0x06  # -> UTF-8 JSON object
READ_CALIBRATION = 0x07  # -> 8 x (gain, offset [V|A], phase [deg]) float32
NAMES = {
    START: "start",
    STOP: "stop",
    SET_RATE: "set-rate",
    SET_FORMAT: "set-format",
    SET_OUTPUTS: "set-outputs",
    IDENTIFY: "identify",
    READ_CALIBRATION: "read-calibration",
}

# Acknowledgement status
OK = 0
UNKNOWN_COMMAND = 1
BAD_ARGUMENT = 2
BUSY = 3
STATUS_TEXT = {OK: "ok", UNKNOWN_COMMAND: "unknown command", BAD_ARGUMENT: "bad argument",
               BUSY: "busy"}  # fmt: skip

_OUTPUTS = struct.Struct("<BHff")


@dataclass(frozen=True)
class Command:
    code: int
    tag: int
    args: bytes = b""


@dataclass(frozen=True)
class Ack:
    code: int
    tag: int
    status: int
    payload: bytes = b""

    @property
    def ok(self) -> bool:
        return self.status == OK


@dataclass(frozen=True)
class Outputs:
    """What SET_OUTPUTS drives: relays 1 and 2, KY pulses to emit, analog outputs [mA]."""

    relays: int = 0
    ky_pulses: int = 0
    ao1: float = 0.0
    ao2: float = 0.0


def encode_command(code: int, tag: int, args: bytes = b"") -> bytes:
    """A complete command frame."""
    return frame(T_COMMAND, bytes((code & 0xFF, tag & 0xFF)) + args)


def decode_command(body: bytes | bytearray | memoryview) -> Command:
    if len(body) < 2:
        raise ValueError("command body shorter than 2 bytes")
    return Command(body[0], body[1], bytes(body[2:]))


def encode_ack(code: int, tag: int, status: int, payload: bytes = b"") -> bytes:
    """A complete acknowledgement frame."""
    return frame(T_ACK, bytes((code & 0xFF, tag & 0xFF, status & 0xFF)) + payload)


def decode_ack(body: bytes | bytearray | memoryview) -> Ack:
    if len(body) < 3:
        raise ValueError("acknowledgement body shorter than 3 bytes")
    return Ack(body[0], body[1], body[2], bytes(body[3:]))


def rate_args(sample_rate: float) -> bytes:
    """SET_RATE arguments for ``sample_rate`` [Hz]."""
    return struct.pack("<f", sample_rate)


def parse_rate(args: bytes) -> float:
    """[Hz] from SET_RATE arguments; ValueError if malformed."""
    if len(args) != 4:
        raise ValueError(f"set-rate takes 4 bytes, got {len(args)}")
    (rate,) = struct.unpack("<f", args)
    if not (np.isfinite(rate) and rate > 0):
        raise ValueError(f"set-rate: bad rate {rate}")
    return float(rate)


def outputs_args(out: Outputs) -> bytes:
    return _OUTPUTS.pack(out.relays & 0x03, out.ky_pulses, out.ao1, out.ao2)


def parse_outputs(args: bytes) -> Outputs:
    if len(args) != _OUTPUTS.size:
        raise ValueError(f"set-outputs takes {_OUTPUTS.size} bytes, got {len(args)}")
    relays, ky, ao1, ao2 = _OUTPUTS.unpack(args)
    if relays & ~0x03:
        raise ValueError(f"set-outputs: relay bits {relays:#x} beyond relays 1 and 2")
    return Outputs(relays, ky, ao1, ao2)


def identity_payload(identity: dict) -> bytes:
    return json.dumps(identity, separators=(",", ":")).encode()


def parse_identity(payload: bytes) -> dict:
    """The board's identity; ValueError if it is not a JSON object."""
    try:
        value = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"identity is not UTF-8 JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError("identity is not a JSON object")
    return value


def calibration_payload(cal: np.ndarray) -> bytes:
    """READ_CALIBRATION payload of ``cal`` shape (8, 3): gain, offset [V|A], phase [deg]."""
    return np.asarray(cal, "<f4").reshape(8, 3).tobytes()


def parse_calibration(payload: bytes) -> np.ndarray:
    if len(payload) != 96:
        raise ValueError(f"calibration payload of {len(payload)} bytes, expected 96")
    return np.frombuffer(payload, "<f4").reshape(8, 3).astype(np.float64)
