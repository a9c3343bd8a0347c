"""Waveform capture: the samples around a trigger, written as COMTRADE (issue 3).

``WaveformCapture`` keeps a bounded history of the last samples of every channel (the
pre-trigger ring). ``trigger(time, reason)`` asks for a capture around ``time``: ``pre_cycles``
cycles before it and ``post_cycles`` cycles after it. Once ``add`` has seen the post-trigger
samples, the ``Capture`` is returned (by ``add``, or by ``trigger`` itself when the samples are
already there); ``finish`` returns the ones still waiting, cut short at the end of the data.

The trigger time may lie in the past (an event seen after the block that holds its start has
been added): the history keeps ``pre_cycles`` cycles plus two of the longest blocks seen, so a
trigger anywhere in the last two blocks still gets its full pre-trigger window (the meter may
stamp a half-cycle value that started in one block while processing the next). A trigger older
than the history gets the pre-trigger samples that are left.

``write(capture, directory, name)`` writes the capture as COMTRADE (2013 BINARY by default,
1999 and ASCII on request) with its first-sample time, trigger time and sample rate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from engine.blocks import SampleBlock
from engine.comtrade.writer import ChannelSpec, write_comtrade

__all__ = ["Capture", "WaveformCapture", "capture_name", "time_stamp", "write"]


@dataclass(frozen=True, eq=False)
class Capture:
    """One waveform capture.

    ``start``: time of the first sample (UTC); ``trigger``: the trigger time; ``analog``
    (channels, n) in the units of ``channels``; ``digital`` (inputs, n) bool named by
    ``digital_channels``; ``truncated``: the data ended before the post-trigger window did.
    """

    start: datetime
    trigger: datetime
    sample_rate: float
    nominal_frequency: float
    analog: np.ndarray
    channels: tuple[ChannelSpec, ...]
    digital: np.ndarray
    digital_channels: tuple[str, ...]
    reason: str = ""
    truncated: bool = False

    @property
    def n_samples(self) -> int:
        return self.analog.shape[1]


@dataclass
class _Pending:
    trigger: datetime
    index: int  # absolute sample index of the trigger
    reason: str


class WaveformCapture:
    """Pre/post-trigger waveform capture over a stream of sample blocks.

    ``sample_rate`` [Hz]; ``nominal_frequency`` [Hz] (the cycle length of ``pre_cycles`` /
    ``post_cycles``); ``channels``: one ``ChannelSpec`` per row of the ``samples`` given to
    ``add``; ``digital_channels``: names of the digital inputs (rows of ``block.digital``).
    Only the thread that feeds it may use it.
    """

    def __init__(
        self,
        sample_rate: float,
        nominal_frequency: float,
        pre_cycles: float = 10,
        post_cycles: float = 20,
        channels: Sequence[ChannelSpec] = (),
        digital_channels: Sequence[str] = (),
    ) -> None:
        if not sample_rate > 0 or not nominal_frequency > 0:
            raise ValueError("sample_rate and nominal_frequency must be > 0 Hz")
        for name, cycles in (("pre_cycles", pre_cycles), ("post_cycles", post_cycles)):
            if not (isinstance(cycles, int | float) and math.isfinite(cycles) and cycles >= 0):
                raise ValueError(f"{name} must be a number >= 0, got {cycles!r}")
        if not channels:
            raise ValueError("a capture needs at least one analog channel")
        self.sample_rate = float(sample_rate)
        self.nominal_frequency = float(nominal_frequency)
        self.pre_samples = round(pre_cycles * sample_rate / nominal_frequency)
        self.post_samples = round(post_cycles * sample_rate / nominal_frequency)
        self.channels = tuple(channels)
        self.digital_channels = tuple(digital_channels)
        self._analog = np.empty((len(self.channels), 0))
        self._digital = np.zeros((len(self.digital_channels), 0), dtype=bool)
        self._first = 0  # absolute index of the first sample held
        self._next: int | None = None  # absolute index of the next sample expected
        self._t0: datetime | None = None  # time of absolute index 0
        self._longest_block = 0
        self._pending: list[_Pending] = []

    # -- time <-> sample index ------------------------------------------------------------

    def _time(self, index: int) -> datetime:
        return self._t0 + timedelta(seconds=index / self.sample_rate)

    def _index(self, time: datetime) -> int:
        return round((time - self._t0).total_seconds() * self.sample_rate)

    @property
    def history_samples(self) -> int:
        """How many past samples are kept: the pre-trigger window plus two longest blocks."""
        return self.pre_samples + 2 * self._longest_block

    # -- feeding --------------------------------------------------------------------------

    def add(self, block: SampleBlock, samples: np.ndarray) -> list[Capture]:
        """Append ``block``'s ``samples`` (channels, n); return the captures now complete.

        A block that does not follow on from the previous one (a gap) ends the waiting
        captures where the data stops and starts a new history.
        """
        samples = np.asarray(samples, dtype=np.float64)
        n = block.n_samples
        if samples.shape != (len(self.channels), n):
            raise ValueError(
                f"samples must have shape ({len(self.channels)}, {n}), got {samples.shape}"
            )
        if abs(block.sample_rate - self.sample_rate) > 1e-9 * self.sample_rate:
            raise ValueError(f"block at {block.sample_rate} Hz, capture at {self.sample_rate} Hz")
        digital = self._digital_of(block, n)
        done: list[Capture] = []
        if self._next is None or block.first_index != self._next:
            done = self.finish()
            self._t0 = block.start - timedelta(seconds=block.first_index / self.sample_rate)
            self._first = block.first_index
            self._analog = np.empty((len(self.channels), 0))
            self._digital = np.zeros((len(self.digital_channels), 0), dtype=bool)
        self._analog = np.concatenate([self._analog, samples], axis=1)
        self._digital = np.concatenate([self._digital, digital], axis=1)
        self._next = block.first_index + n
        self._longest_block = max(self._longest_block, n)
        done += self._ready()
        self._trim()
        return done

    def _digital_of(self, block: SampleBlock, n: int) -> np.ndarray:
        k = len(self.digital_channels)
        if block.digital is None:
            return np.zeros((k, n), dtype=bool)
        d = np.atleast_2d(np.asarray(block.digital, dtype=bool))
        if d.shape != (k, n):
            raise ValueError(f"digital inputs of shape {d.shape}, expected ({k}, {n})")
        return d

    def trigger(self, time: datetime, reason: str = "") -> list[Capture]:
        """Capture around ``time`` (UTC); returns the capture at once if its samples are in."""
        if self._t0 is None:
            raise ValueError("no samples yet: add a block before triggering")
        self._pending.append(_Pending(time, self._index(time), reason))
        done = self._ready()
        self._trim()
        return done

    def finish(self) -> list[Capture]:
        """The captures still waiting, cut short where the data ends."""
        done = [self._cut(p, truncated=True) for p in self._pending]
        self._pending = []
        return done

    # -- internals ------------------------------------------------------------------------

    def _ready(self) -> list[Capture]:
        ready = [p for p in self._pending if p.index + self.post_samples <= self._next]
        self._pending = [p for p in self._pending if p not in ready]
        return [self._cut(p) for p in ready]

    def _cut(self, p: _Pending, truncated: bool = False) -> Capture:
        lo = max(self._first, p.index - self.pre_samples)
        hi = max(lo, min(self._next, p.index + self.post_samples))
        a, b = lo - self._first, hi - self._first
        return Capture(
            start=self._time(lo),
            trigger=p.trigger,
            sample_rate=self.sample_rate,
            nominal_frequency=self.nominal_frequency,
            analog=self._analog[:, a:b].copy(),
            channels=self.channels,
            digital=self._digital[:, a:b].copy(),
            digital_channels=self.digital_channels,
            reason=p.reason,
            truncated=truncated,
        )

    def _trim(self) -> None:
        keep_from = self._next - self.history_samples
        if self._pending:
            keep_from = min(keep_from, min(p.index for p in self._pending) - self.pre_samples)
        drop = keep_from - self._first
        if drop > 0:
            self._analog = self._analog[:, drop:]
            self._digital = self._digital[:, drop:]
            self._first = keep_from


def time_stamp(time: datetime) -> str:
    """``20260302T120001.123Z``: UTC to the millisecond, for file names."""
    utc = time.astimezone(UTC) if time.tzinfo else time
    return utc.strftime("%Y%m%dT%H%M%S.") + f"{utc.microsecond // 1000:03d}Z"


def capture_name(number: int, kind: str, phase: str, time: datetime) -> str:
    """``event-001-dip-A-20260302T120001.123Z``: number, event type, phase and UTC start."""
    return f"event-{number:03d}-{kind}-{phase}-{time_stamp(time)}"


def write(
    capture: Capture,
    directory: str | Path,
    name: str,
    *,
    revision: int = 2013,
    file_type: str = "BINARY",
    station: str = "ION7400",
) -> Path:
    """Write ``capture`` as ``directory/name.cfg`` + ``.dat``; return the .cfg path.

    2013 BINARY by default; ``revision=1999`` and ``file_type="ASCII"`` (or any type the
    revision allows) on request. The ``reason`` goes into the .hdr file.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    header = f"waveform capture: {capture.reason}\n" if capture.reason else None
    return write_comtrade(
        directory / name,
        capture.analog,
        capture.channels,
        capture.sample_rate,
        capture.start,
        digital=capture.digital,
        digital_channels=capture.digital_channels,
        trigger=capture.trigger,
        revision=revision,
        file_type=file_type,
        station=station,
        line_frequency=capture.nominal_frequency,
        header=header,
    )
