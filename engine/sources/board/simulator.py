"""A board that does not need hardware: the ION protocol spoken by the simulated source.

``BoardSimulator`` is the board's behaviour without any transport: bytes from the host go in
through ``receive`` (answers come back as bytes), frames come out of ``next_frame`` with the
configured faults injected at ``fault_rate`` per frame. ``engine.sources.board.sim_transport``
runs it on a pseudo-terminal or a serial port, in real time or faster.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from engine.sources.board import commands as cmd
from engine.sources.board.calibration import Calibration
from engine.sources.board.framing import FrameDecoder
from engine.sources.board.protocol import (
    FORMAT_CODES,
    FORMATS,
    channel_rows,
    encode_samples,
    to_counts,
)
from engine.sources.scenario import DEFAULT_SCENARIO, SAMPLES_PER_CYCLE_RANGE, Scenario
from engine.sources.simulated import SimulatedSource

FAULT_KINDS = ("bitflip", "drop-bytes", "drop-frames", "stall", "disconnect")
N_DIGITAL = 4
FIRMWARE = "ion-board-sim 1.0"


@dataclass(frozen=True)
class Faults:
    """Fault injection: each frame is faulted with probability ``rate`` [0..1], by one of
    ``kinds`` drawn at random; ``seed`` makes the draws repeatable. ``stall_seconds`` [s]: how
    long a stall holds the output back; ``down_seconds`` [s]: how long a disconnect lasts;
    ``window``: faults only on frame slots first..last-1, counted since the simulator was made
    (across restarts; None: every slot)."""

    rate: float = 0.0
    kinds: tuple[str, ...] = ()
    seed: int = 1
    stall_seconds: float = 0.3
    down_seconds: float = 1.0
    window: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if not (0.0 <= self.rate <= 1.0):
            raise ValueError(f"fault rate must be in 0..1, got {self.rate}")
        bad = [k for k in self.kinds if k not in FAULT_KINDS]
        if bad:
            raise ValueError(f"unknown fault {bad[0]!r}; choose from {', '.join(FAULT_KINDS)}")
        if self.rate > 0 and not self.kinds:
            raise ValueError("a fault rate needs at least one fault kind")


@dataclass
class Emitted:
    """One frame slot: the bytes to send (b"" when dropped) and the fault applied, if any."""

    seq: int
    data: bytes
    fault: str | None = None


@dataclass
class SimStats:
    frames: int = 0  # frame slots produced (sequence numbers used)
    faults: Counter = field(default_factory=Counter)
    faulted: list[tuple[int, str]] = field(default_factory=list)  # (seq, kind)
    commands: Counter = field(default_factory=Counter)


def _nice_range(peak: float) -> float:
    """[V or A] the next 1-2-5 step at or above twice ``peak``: the channel's full scale."""
    target = max(2.0 * peak, 1e-3)
    decade = 10.0 ** math.floor(math.log10(target))
    for step in (1.0, 2.0, 5.0, 10.0):
        if step * decade >= target:
            return step * decade
    return 10.0 * decade


class BoardSimulator:
    """The board: streams ``scenario`` (default: the default installation) at its samples per
    cycle in ``fmt`` (int16 | int24 | float32), obeys commands, injects ``faults``.

    ``frame_samples``: samples per channel per frame (default half a cycle, at least 32).
    ``front_end``: the board's own channel errors, (gain [1], offset [V or A], lag [deg]) per
    channel V1..I4: raw = gain × true + offset, delayed by lag at the nominal frequency — a
    board to calibrate (``ion7400-hmi board calibrate``).
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        fmt: str = "int16",
        faults: Faults | None = None,
        frame_samples: int | None = None,
        seed: int = 0,
        front_end: tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]] | None = None,
    ) -> None:
        if fmt not in FORMAT_CODES:
            raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMAT_CODES)}")
        self.scenario = DEFAULT_SCENARIO if scenario is None else scenario
        self.fmt = FORMAT_CODES[fmt]
        self.faults = faults or Faults()
        self.seed = seed
        self._frame_samples = frame_samples
        self._rng = np.random.default_rng(self.faults.seed)
        self.stats = SimStats()
        self.outputs = cmd.Outputs()
        self.ky_pulses_total = 0
        self.digital = 0
        self.streaming = False
        self.calibration = np.tile([1.0, 0.0, 0.0], (8, 1))
        self._decoder = FrameDecoder()
        self._front_end = None
        if front_end is not None:
            gain, offset, lag = (tuple(float(v) for v in values) for values in front_end)
            # Calibration.apply computes gain × (x − offset), advanced by phase: the errors
            # expressed that way.
            shift = tuple(-o / g for o, g in zip(offset, gain, strict=True))
            self._front_end = Calibration(gain, shift, tuple(-v for v in lag))
        self._setup()

    # -- configuration -----------------------------------------------------------------------

    def _setup(self) -> None:
        sc = self.scenario
        self.sample_rate = sc.sample_rate
        spc = sc.samples_per_cycle
        self.frame_samples = self._frame_samples or max(32, spc // 2)
        self.source = SimulatedSource(
            sc, seed=self.seed, block_seconds=self.frame_samples / self.sample_rate
        )
        first = next(SimulatedSource(sc, seed=self.seed, block_seconds=1.0).blocks())
        v_range = _nice_range(float(np.abs(first.voltage).max()))
        i_range = _nice_range(float(np.abs(first.current).max()))
        self.ranges = np.array([v_range] * 4 + [i_range] * 4)  # [V] [A] full scale
        # V4 and I4 are sent only when the scenario measures them (as a board without them)
        n = sc.neutral
        self.mask = 0x77 | (0x08 if n.voltage_measured else 0) | (0x80 if n.current_measured else 0)
        self.set_format(self.fmt)
        self._blocks: Iterator | None = None
        self.seq = 0

    def set_format(self, fmt: int) -> None:
        self.fmt = fmt
        top = {"int16": 32767.0, "int24": 8388607.0, "float32": 1.0}[FORMATS[fmt][0]]
        self.scales = self.ranges / top if top > 1 else np.ones(8)

    def set_rate(self, sample_rate: float) -> None:
        """[Hz]; ValueError unless it is a whole number of samples per cycle in range."""
        spc = sample_rate / self.scenario.frequency.nominal
        lo, hi = SAMPLES_PER_CYCLE_RANGE
        if abs(spc - round(spc)) > 1e-6 or not lo <= round(spc) <= hi:
            raise ValueError(f"rate {sample_rate} Hz is not {lo}..{hi} samples per cycle")
        self.scenario = dataclasses.replace(self.scenario, samples_per_cycle=round(spc))
        self._setup()

    def identity(self) -> dict:
        return {
            "model": "ION-ADC8 simulator",
            "firmware": FIRMWARE,
            "protocol": 1,
            "channels": self.mask,
            "sample_rate": self.sample_rate,
            "frame_samples": self.frame_samples,
            "format": FORMATS[self.fmt][0],
            "digital_inputs": N_DIGITAL,
            "relays": 2,
            "analog_outputs": 2,
            "nominal_frequency": self.scenario.frequency.nominal,
        }

    # -- commands ------------------------------------------------------------------------

    def reset(self) -> None:
        """Power-up state (after a disconnect): stopped, sequence and signal from the start."""
        self.streaming = False
        self._blocks = None
        self.seq = 0
        self._decoder.clear()

    def receive(self, data: bytes) -> bytes:
        """Bytes from the host; returns the acknowledgements to send back."""
        out = bytearray()
        for item in self._decoder.feed(data):
            if isinstance(item, cmd.Command):
                out += self._answer(item)
        return bytes(out)

    def _answer(self, c: cmd.Command) -> bytes:
        self.stats.commands[cmd.NAMES.get(c.code, hex(c.code))] += 1
        payload = b""
        try:
            if c.code == cmd.START:
                self.streaming, self.seq, self._blocks = True, 0, None
            elif c.code == cmd.STOP:
                self.streaming = False
            elif c.code == cmd.SET_RATE:
                self.set_rate(cmd.parse_rate(c.args))
            elif c.code == cmd.SET_FORMAT:
                if len(c.args) != 1 or c.args[0] not in FORMATS:
                    raise ValueError("bad format")
                self.set_format(c.args[0])
            elif c.code == cmd.SET_OUTPUTS:
                self.outputs = cmd.parse_outputs(c.args)
                self.ky_pulses_total += self.outputs.ky_pulses
            elif c.code == cmd.IDENTIFY:
                payload = cmd.identity_payload(self.identity())
            elif c.code == cmd.READ_CALIBRATION:
                payload = cmd.calibration_payload(self.calibration)
            else:
                return cmd.encode_ack(c.code, c.tag, cmd.UNKNOWN_COMMAND)
        except ValueError:
            return cmd.encode_ack(c.code, c.tag, cmd.BAD_ARGUMENT)
        return cmd.encode_ack(c.code, c.tag, cmd.OK, payload)

    # -- the stream ------------------------------------------------------------------------

    @property
    def frame_seconds(self) -> float:
        """[s] signal time one frame carries."""
        return self.frame_samples / self.sample_rate

    def next_frame(self) -> Emitted:
        """The next frame slot (call only while ``streaming``), faults applied."""
        if self._blocks is None:
            self._blocks = self.source.blocks()
        block = next(self._blocks)
        values = np.concatenate([block.voltage, block.current])
        if self._front_end is not None:
            values = self._front_end.apply(
                values, self.sample_rate, self.scenario.frequency.nominal
            )
        rows = channel_rows(self.mask)
        counts = to_counts(values[rows], self.scales[rows], self.fmt)
        seq, slot = self.seq, self.stats.frames
        self.seq = (self.seq + 1) & 0xFFFFFFFF
        self.stats.frames += 1
        data = encode_samples(
            seq, self.sample_rate, self.mask, self.fmt, self.scales[rows], counts,
            self.digital, N_DIGITAL,
        )  # fmt: skip
        f = self.faults
        if f.window is not None and not f.window[0] <= slot < f.window[1]:
            return Emitted(seq, data)
        if f.rate <= 0 or self._rng.random() >= f.rate:
            return Emitted(seq, data)
        kind = f.kinds[int(self._rng.integers(len(f.kinds)))]
        self.stats.faults[kind] += 1
        self.stats.faulted.append((seq, kind))
        if kind == "bitflip":
            bit = int(self._rng.integers(8 * len(data)))
            flipped = bytearray(data)
            flipped[bit // 8] ^= 1 << (bit % 8)
            data = bytes(flipped)
        elif kind == "drop-bytes":
            n = int(self._rng.integers(1, 17))
            at = int(self._rng.integers(len(data) - n))
            data = data[:at] + data[at + n :]
        elif kind == "drop-frames":
            data = b""
        return Emitted(seq, data, kind)
