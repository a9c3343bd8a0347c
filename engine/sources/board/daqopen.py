"""The DaqOpen Arduino-Due acquisition firmware as a board profile (``profile=daqopen``).

What the firmware does (docs/board-protocol.md, last section): ASCII command lines
(``SETPRESCAL p``, ``SETCHANNEL cher``, ``SETDMABUFFERSIZE n``, ``SETMODE``, ``SETGAIN``,
``SETOFFSET``, ``START``, ``STOP``) with no answer; then blocks of ``FF FF``, a u32 block number
(little-endian) and the DMA buffer of u16 12-bit samples, sample-major in ascending SAM3X ADC
channel number. There is no CRC: a block is accepted when it starts with ``FF FF`` and every
sample fits in 12 bits; lost blocks show in the block number.
"""

from __future__ import annotations

import numpy as np

from engine.errors import InputError
from engine.sources.board.framing import LinkCounters
from engine.sources.board.link import SerialSpec
from engine.sources.board.protocol import SampleFrame

MCLK = 84_000_000  # [Hz] SAM3X master clock
CYCLES_PER_CONVERSION = 21
#: Arduino Due pin -> SAM3X ADC channel (the firmware's table: A7..A0 are AD0..AD7).
PIN_CHANNEL = {"A0": 7, "A1": 6, "A2": 5, "A3": 4, "A4": 3, "A5": 2, "A6": 1, "A7": 0,
               "A8": 10, "A9": 11, "A10": 12, "A11": 13}  # fmt: skip
DMA_RANGE = (1000, 20000)  # samples of all channels per block the firmware accepts
MARKER = b"\xff\xff"
HEAD = 6  # marker + u32 block number
MID_SCALE = 2048  # single-ended counts about which the signal swings


def sample_rate_for(prescaler: int, channels: int) -> float:
    """[Hz] per channel for ADC prescaler ``prescaler`` (1..255) and ``channels`` enabled."""
    return MCLK / ((1 + prescaler) * 2 * CYCLES_PER_CONVERSION * channels)


def prescaler_for(rate: float, channels: int) -> int:
    """The prescaler (1..255) whose rate is nearest to ``rate`` [Hz per channel]."""
    best = round(MCLK / (rate * 2 * CYCLES_PER_CONVERSION * channels) - 1)
    return int(min(255, max(1, best)))


class DaqOpenDecoder:
    """Streaming decoder of DaqOpen blocks of ``n`` samples per channel, ``nch`` channels."""

    def __init__(self, n: int, nch: int) -> None:
        self.n, self.nch = n, nch
        self.size = HEAD + 2 * n * nch
        self.counters = LinkCounters()
        self._buf = bytearray()
        self._skipping = False
        self._next: int | None = None

    def clear(self) -> None:
        self._buf.clear()
        self._skipping = False
        self._next = None

    def _skip(self, k: int) -> None:
        if k > 0:
            self.counters.bytes_skipped += k
            self._skipping = True

    def feed(self, data: bytes) -> list[tuple[int, np.ndarray, int]]:
        """(block number, counts (n, nch) uint16, blocks lost before it) per complete block."""
        c = self.counters
        c.bytes_total += len(data)
        buf = self._buf
        buf += data
        out = []
        pos = 0
        while True:
            i = buf.find(MARKER, pos)
            if i < 0:
                keep = len(buf) - 1 if len(buf) > pos and buf[-1] == 0xFF else len(buf)
                self._skip(keep - pos)
                pos = keep
                break
            self._skip(i - pos)
            pos = i
            if len(buf) - pos < self.size:
                break
            # a copy: a view would pin ``buf``, which is resized below
            counts = np.frombuffer(buf, "<u2", self.n * self.nch, pos + HEAD).copy()
            if counts.max() > 0x0FFF:  # not 12-bit samples: not a block boundary
                self._skip(1)
                pos += 1
                continue
            if self._skipping:
                c.resyncs += 1
                self._skipping = False
            number = int.from_bytes(buf[pos + 2 : pos + 6], "little")
            lost = 0
            if self._next is not None and number != self._next:
                lost = (number - self._next) & 0xFFFFFFFF
                if lost > 1 << 20:
                    c.restarts += 1
                    lost = -1
                else:
                    c.gaps += 1
                    c.frames_lost += lost
            self._next = (number + 1) & 0xFFFFFFFF
            c.frames_good += 1
            out.append((number, counts.reshape(self.n, self.nch), lost))
            pos += self.size
        del buf[:pos]
        return out


class DaqOpenProfile:
    """Configures the Due from the spec, starts it and turns its blocks into ``SampleFrame``s."""

    name = "daqopen"

    def __init__(self, spec: SerialSpec) -> None:
        pins = [p.strip().upper() for p in spec.channels.split(",") if p.strip()]
        bad = [p for p in pins if p not in PIN_CHANNEL]
        if bad or not 1 <= len(pins) <= 8 or len(set(pins)) != len(pins):
            raise InputError(
                f"serial source: channels must be 1 to 8 distinct Due pins A0..A11, got "
                f"{spec.channels!r}"
            )
        self.spec = spec
        nch = len(pins)
        rate = spec.rate or 512 * (spec.f or 50.0)
        self.prescaler = prescaler_for(rate, nch)
        self.sample_rate = sample_rate_for(self.prescaler, nch)
        n = spec.block or max(DMA_RANGE[0] // nch + 1, round(0.01 * self.sample_rate))
        if not DMA_RANGE[0] <= n * nch <= DMA_RANGE[1]:
            raise InputError(
                f"serial source: block={n} x {nch} channels is outside the firmware's DMA "
                f"buffer of {DMA_RANGE[0]}..{DMA_RANGE[1]} samples"
            )
        self.n, self.nch = n, nch
        self.cher = sum(1 << PIN_CHANNEL[p] for p in pins)
        # Stream columns come in ascending ADC channel; pin k of the spec is row k (V1..I4).
        row_of_pin = {p: k for k, p in enumerate(pins)}
        stream_pins = sorted(pins, key=PIN_CHANNEL.get)
        rows = [row_of_pin[p] for p in stream_pins]
        self._order = np.argsort(rows)  # stream columns in row order
        self.mask = sum(1 << r for r in rows)
        self.scales = np.array([spec.scale_v if r < 4 else spec.scale_i for r in sorted(rows)])
        self.decoder = DaqOpenDecoder(n, nch)
        self._pending: list[SampleFrame] = []

    @property
    def counters(self) -> LinkCounters:
        return self.decoder.counters

    def commands(self) -> list[bytes]:
        """The configuration lines, in order, ending with START."""
        lines = [
            "STOP",
            f"SETPRESCAL {self.prescaler}",
            f"SETCHANNEL {self.cher}",
            f"SETDMABUFFERSIZE {self.n * self.nch}",
            "SETMODE 0",
            "SETOFFSET 0",
            "SETGAIN 0",
            "START",
        ]
        return [f"{line}\n".encode() for line in lines]

    def reset(self) -> None:
        self.decoder.clear()
        self._pending.clear()

    def handshake(self, port, deadline: float) -> dict:
        """The firmware does not answer: configure and start; the caller waits for a block."""
        port.reset_input_buffer()
        for line in self.commands():
            port.write(line)
        port.flush()
        self.decoder.clear()
        return {
            "model": "Arduino Due (DaqOpen firmware)",
            "sample_rate": self.sample_rate,
            "frame_samples": self.n,
            "prescaler": self.prescaler,
            "channel_enable": self.cher,
        }

    def take_pending(self) -> list[SampleFrame]:
        out, self._pending = self._pending, []
        return out

    def feed(self, data: bytes) -> list[SampleFrame]:
        frames = []
        for number, counts, lost in self.decoder.feed(data):
            x = (counts[:, self._order].T.astype(np.float64) - MID_SCALE) * self.scales[:, None]
            frames.append(
                SampleFrame(number, self.sample_rate, self.mask, 0, 0, 0, 0, self.scales, x, lost)
            )
        return frames

    def set_outputs(self, port, outputs) -> None:
        """The DaqOpen firmware has no outputs."""

    def stop(self, port) -> None:
        port.write(b"STOP\n")
