"""The DaqOpen Arduino-Due profile against streams built from the documented format
(docs/board-protocol.md: ``FF FF``, u32 block number, u16 12-bit samples sample-major in
ascending SAM3X channel; ASCII command lines)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from engine.config import MeterConfig
from engine.errors import InputError
from engine.meter import Meter
from engine.sources.board.daqopen import DaqOpenProfile, prescaler_for, sample_rate_for
from engine.sources.board.link import parse_serial_spec
from engine.sources.serial_board import SerialSource

SPEC = "due?profile=daqopen&rate=25600&scale_v=0.5&scale_i=0.01"
# Pins A0..A7 are V1 V2 V3 V4 I1 I2 I3 I4; on the wire they come as ADC channels 0..7,
# which are pins A7 A6 ... A0: the stream's column k is row 7 - k.


class FakeDue:
    """A pyserial-like port: records the command lines, then serves ``stream`` after START."""

    def __init__(self, stream: bytes, chunk: int = 3000) -> None:
        self.stream, self.chunk, self.pos = stream, chunk, 0
        self.written = b""

    @property
    def in_waiting(self) -> int:
        return min(self.chunk, len(self.stream) - self.pos) if b"START\n" in self.written else 0

    def read(self, n: int) -> bytes:
        if self.pos >= len(self.stream):
            raise EOFError
        out = self.stream[self.pos : self.pos + min(n, self.in_waiting)]
        self.pos += len(out)
        return out

    def write(self, data: bytes) -> int:
        self.written += data
        return len(data)

    def flush(self) -> None:
        pass

    def reset_input_buffer(self) -> None:
        pass

    def close(self) -> None:
        pass


def rows_signal(n_total: int, rate: float) -> np.ndarray:
    """Rows V1..I4 [V, A]: 230 V / 5 A three-phase at 50 Hz, PF 1, V4 = I4 = 0."""
    t = np.arange(n_total) / rate
    x = np.zeros((8, n_total))
    for k in range(3):
        x[k] = 230 * math.sqrt(2) * np.cos(2 * np.pi * 50 * t - 2 * np.pi * k / 3)
        x[4 + k] = 5 * math.sqrt(2) * np.cos(2 * np.pi * 50 * t - 2 * np.pi * k / 3)
    return x


def blocks_bytes(x: np.ndarray, n: int, numbers: list[int]) -> list[bytes]:
    scales = np.array([0.5] * 4 + [0.01] * 4)
    counts = np.rint(x / scales[:, None] + 2048).astype("<u2")
    stream_cols = counts[::-1]  # column k of the stream is row 7 - k
    out = []
    for b, number in enumerate(numbers):
        part = stream_cols[:, b * n : (b + 1) * n].T  # sample-major
        out.append(b"\xff\xff" + number.to_bytes(4, "little") + part.tobytes())
    return out


def test_rate_and_prescaler_follow_the_firmware_formula():
    assert sample_rate_for(9, 8) == pytest.approx(84e6 / (10 * 2 * 21 * 8))
    assert prescaler_for(25600, 8) == 9  # 25 000 Hz is the nearest the Due can do
    assert prescaler_for(1e9, 1) == 1 and prescaler_for(1.0, 8) == 255


def test_commands_are_the_documented_lines():
    profile = DaqOpenProfile(parse_serial_spec(SPEC))
    assert [c.decode() for c in profile.commands()] == [
        "STOP\n", "SETPRESCAL 9\n", "SETCHANNEL 255\n", "SETDMABUFFERSIZE 2000\n",
        "SETMODE 0\n", "SETOFFSET 0\n", "SETGAIN 0\n", "START\n",
    ]  # fmt: skip
    assert profile.sample_rate == 25000.0 and profile.n == 250


def test_stream_decodes_to_the_true_readings_and_counts_a_lost_block():
    rate, n = 25000.0, 250
    x = rows_signal(n * 130, rate)
    numbers = list(range(1, 131))
    frames = blocks_bytes(x, n, numbers)
    del frames[60]  # block 61 never arrives
    garbage = bytes([0xFF, 0xFF, 0x00, 0x12, 0xFF, 0xFF, 0x34]) + bytes(range(0, 200))
    frames[90] = garbage + frames[90]
    port = FakeDue(b"".join(frames))
    source = SerialSource(parse_serial_spec(SPEC), opener=lambda spec: port)
    assert b"START\n" in port.written and source.sample_rate == rate
    meter, got = Meter(MeterConfig()), []
    with pytest.raises(EOFError):  # FakeDue's end of data
        for block in source.blocks():
            got.append(block)
            meter.process(block)
    idx = [(b.first_index, b.n_samples) for b in got]
    holes = [b - (a + m) for (a, m), (b, _) in itertools.pairwise(idx) if b != a + m]
    assert holes == [n]  # exactly the lost block's samples
    source.close()
    c = source.link.counters
    assert (c["frames_good"], c["frames_lost"], c["gaps"], c["resyncs"]) == (129, 1, 1, 1)
    first = got[0]
    np.testing.assert_allclose(first.voltage[0], x[0, : first.n_samples], atol=0.25)
    np.testing.assert_allclose(first.current[2], x[6, : first.n_samples], atol=0.005)
    v = meter.snapshot.values
    assert v["V_A"] == pytest.approx(230, rel=1e-3) and v["I_C"] == pytest.approx(5, rel=1e-3)
    assert v["P_TOT"] == pytest.approx(3 * 230 * 5, rel=2e-3)


def test_bad_channel_lists_are_refused():
    for bad in ("A0,A0", "A0,B1", "A0,A1,A2,A3,A4,A5,A6,A7,A8"):
        with pytest.raises(InputError, match="channels"):
            DaqOpenProfile(parse_serial_spec(f"due?profile=daqopen&channels={bad}"))


def test_a_due_that_sends_nothing_is_a_clear_error():
    port = FakeDue(b"")
    port.read = lambda n: b""  # configured and started, but silent
    with pytest.raises(InputError, match=r"sent no samples within 0\.3 s of start"):
        SerialSource(parse_serial_spec(SPEC + "&timeout=0.3"), opener=lambda spec: port)
    assert port.written.endswith(b"START\n")
