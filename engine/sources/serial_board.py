"""Serial source: the hardware ADC/I/O board over a serial port (pyserial).

``serial:PORT?profile=ion|daqopen&baud=...`` (``engine.sources.board.link.SerialSpec``).
Frames are gathered into ``SampleBlock``s of about ``block_seconds``; what the link loses is
never papered over:

- frames missing by the sequence counter make ``first_index`` jump by their samples, so the
  meter restarts its window timing and flags the window (IEC 61000-4-30 §4.7 flagging);
- CRC failures and garbage are dropped and counted (``link.counters``);
- an unplugged port puts the link in "no link" and the source reopens it with back-off,
  restarts the board and goes on, with the time spent away as a gap;
- a board that never answers raises ``InputError`` after ``timeout`` seconds, no hang.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np

from engine.blocks import SampleBlock
from engine.errors import InputError
from engine.sources.board.calibration import Calibration
from engine.sources.board.commands import Outputs
from engine.sources.board.ion_host import BoardRefused, BoardTimeout, IonProfile
from engine.sources.board.link import LinkStatus, SerialSpec, unavailable_features
from engine.sources.board.protocol import SampleFrame

#: [s] waits between attempts to reopen a lost port; the last one repeats.
BACKOFF = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0)
STALL_SECONDS = 1.0  # [s] without a byte: "stalled"
SILENCE_SECONDS = 5.0  # [s] without a byte: the board is treated as lost and restarted
POLL_SECONDS = 0.005  # [s] pause when the port has nothing waiting
STATUS_PERIOD = 0.25  # [s] between refreshes of ``link.counters`` while streaming


def _profile(spec: SerialSpec):
    if spec.profile == "daqopen":
        from engine.sources.board.daqopen import DaqOpenProfile

        return DaqOpenProfile(spec)
    return IonProfile(spec)


def _default_opener(spec: SerialSpec):
    import serial

    return serial.Serial(spec.port, spec.baud, timeout=0.05, write_timeout=1.0)


class SerialSource:
    """A ``Source`` reading a board; ``link`` is its current ``LinkStatus``.

    ``calibration``: per-channel gain / offset / phase applied to the samples (the
    configuration's ``[board]`` corrections); ``opener(spec)`` returns an open pyserial-like
    port (tests pass their own).
    """

    def __init__(
        self,
        spec: SerialSpec,
        *,
        calibration: Calibration | None = None,
        block_seconds: float = 0.1,
        opener=None,
        backoff: tuple[float, ...] = BACKOFF,
        silence_seconds: float = SILENCE_SECONDS,
    ) -> None:
        self.spec = spec
        self._opener = opener or _default_opener
        self._backoff = backoff
        self._silence = silence_seconds
        self._block_seconds = block_seconds
        self._calibration = calibration
        self._profile = _profile(spec)
        self._closed = False
        self._port = None
        self.link = LinkStatus(port=spec.port, profile=spec.profile)
        self._reconnects = 0
        self._connect(first=True)
        first = self._first_frame()
        self.sample_rate = first.sample_rate
        self.nominal_frequency = spec.f or float(self.link.identity.get("nominal_frequency", 50.0))
        self._update(state="streaming")
        self._held = [first, *self._profile.take_pending()]
        self._outputs_lock = threading.Lock()
        self._outputs: Outputs | None = None  # waiting to be sent by the reading thread
        self._relays = 0

    # -- outputs --------------------------------------------------------------------------------

    def request_outputs(self, relays: int | None = None, ky_pulses: int = 0) -> None:
        """Drive relays 1 and 2 (bits 0 and 1; None: as they are) and emit ``ky_pulses`` on the
        KY output. Safe from any thread: the reading thread sends it with its next read (pulses
        asked before then add up)."""
        with self._outputs_lock:
            if relays is not None:
                self._relays = relays & 0x03
            pending = self._outputs.ky_pulses if self._outputs is not None else 0
            self._outputs = Outputs(self._relays, min(0xFFFF, pending + max(0, ky_pulses)))

    def _send_outputs(self) -> None:
        with self._outputs_lock:
            outputs, self._outputs = self._outputs, None
        if outputs is not None and self._port is not None:
            self._profile.set_outputs(self._port, outputs)

    # -- connection ---------------------------------------------------------------------------

    def _connect(self, first: bool) -> None:
        """Open the port and start the board; InputError (first time) naming what failed."""
        deadline = time.monotonic() + self.spec.timeout
        self._update(state="connecting")
        try:
            self._port = self._opener(self.spec)
        except (OSError, ValueError) as exc:  # serial.SerialException is an OSError
            raise InputError(f"cannot open serial port {self.spec.port}: {exc}") from None
        self._profile.reset()
        try:
            identity = self._profile.handshake(self._port, deadline)
        except BoardTimeout as exc:
            self._drop_port()
            raise InputError(
                f"no answer from the board on {self.spec.port} within {self.spec.timeout:g} s "
                f"({exc}; check the cable, the baud rate and profile={self.spec.profile})"
            ) from None
        except (BoardRefused, ValueError) as exc:
            self._drop_port()
            raise InputError(f"board on {self.spec.port}: {exc}") from None
        self._update(identity=identity)
        self._last_byte = time.monotonic()

    def _first_frame(self) -> SampleFrame:
        deadline = time.monotonic() + self.spec.timeout
        while time.monotonic() < deadline:
            pending = self._profile.take_pending()
            if pending:
                self._profile._pending = pending[1:]
                return pending[0]
            frames = self._read_frames()
            if frames:
                self._profile._pending = frames[1:]
                return frames[0]
        self._drop_port()
        raise InputError(
            f"the board on {self.spec.port} sent no samples within {self.spec.timeout:g} s of "
            f"start (check profile={self.spec.profile}, the channels and the baud rate)"
        )

    def _read_frames(self) -> list[SampleFrame]:
        """Frames from what the port has (waits up to the port timeout for a first byte)."""
        port = self._port
        if port is None:
            raise OSError("the port is closed")
        waiting = port.in_waiting
        if not waiting:
            # Drained: let a few milliseconds of stream gather rather than wake per byte
            # (each wake-up costs system calls; this keeps the link at ~1 % of a core).
            time.sleep(POLL_SECONDS)
            waiting = port.in_waiting
        data = port.read(waiting or 1)
        if not data:
            return []
        self._last_byte = time.monotonic()
        return self._profile.feed(data)

    def _drop_port(self) -> None:
        if self._port is not None:
            with contextlib.suppress(Exception):
                self._port.close()
            self._port = None

    def _reconnect(self) -> bool:
        """Reopen the port with back-off until it works or the source is closed."""
        self._drop_port()
        self._update(state="no link")
        attempt = 0
        while not self._closed:
            time.sleep(self._backoff[min(attempt, len(self._backoff) - 1)])
            attempt += 1
            try:
                self._connect(first=False)
            except InputError as exc:
                self._update(state="no link", message=str(exc))
                continue
            self._reconnects += 1
            self._update(state="streaming", message="", reconnects=self._reconnects)
            return True
        return False

    def _update(self, **changes) -> None:
        c = self._profile.counters.as_dict()
        rate = changes.get("sample_rate", getattr(self, "sample_rate", 0.0))
        spc = rate / self.nominal_frequency if getattr(self, "nominal_frequency", 0) else 0.0
        self.link = dataclasses.replace(
            self.link, counters=c, sample_rate=rate, samples_per_cycle=spc,
            unavailable=unavailable_features(spc) if spc else (), **changes,
        )  # fmt: skip

    # -- the stream ----------------------------------------------------------------------------

    def blocks(self) -> Iterator[SampleBlock]:
        """Blocks of about ``block_seconds`` while the link lasts; reconnects by itself."""
        index = 0  # first sample index of the next frame
        t0 = datetime.now(UTC)
        rate = self.sample_rate
        parts: list[SampleFrame] = []
        part_start = 0
        last_wall = time.monotonic()
        target = max(1, round(self._block_seconds * rate))
        frames = self._held
        self._held = []
        next_status = 0.0
        while not self._closed:
            for fr in frames:
                jump = 0
                if fr.lost_before > 0:
                    jump = fr.lost_before * fr.n_samples
                elif fr.lost_before < 0:  # the board restarted: count the wall time away
                    jump = max(fr.n_samples, round((time.monotonic() - last_wall) * rate))
                layout = bool(parts) and (fr.mask, fr.n_digital) != (
                    parts[0].mask,
                    parts[0].n_digital,
                )
                if fr.sample_rate != rate or jump or layout:
                    if parts:
                        yield self._block(parts, t0, part_start, rate)
                    parts = []
                    if fr.sample_rate != rate:
                        # a new rate: a new time base, so indices stay whole samples
                        t0 = t0 + timedelta(seconds=index / rate)
                        index, rate = 0, fr.sample_rate
                        target = max(1, round(self._block_seconds * rate))
                        self.sample_rate = rate
                        self._update(sample_rate=rate)
                    index += jump
                if not parts:
                    part_start = index
                parts.append(fr)
                index += fr.n_samples
                last_wall = time.monotonic()
                if index - part_start >= target:
                    yield self._block(parts, t0, part_start, rate)
                    parts = []
            if time.monotonic() >= next_status:  # the counters, a few times a second
                self._update()
                next_status = time.monotonic() + STATUS_PERIOD
            try:
                if self._outputs is not None:
                    self._send_outputs()
                frames = self._read_frames()
            except Exception as exc:
                if self._closed:  # close() from another thread pulled the port away
                    break
                if not isinstance(exc, OSError):
                    raise
                # serial.SerialException (an OSError): the port went away
                frames = []
                lost_at = time.monotonic()
                if parts:  # what arrived before is good data: hand it on first
                    yield self._block(parts, t0, part_start, rate)
                    parts = []
                if not self._reconnect():
                    break
                index += max(1, round((time.monotonic() - lost_at) * rate))
                frames = self._profile.take_pending()  # what came with the restart
                continue
            silent = time.monotonic() - self._last_byte
            if not frames and silent > STALL_SECONDS and self.link.state == "streaming":
                self._update(state="stalled")
            elif frames and self.link.state == "stalled":
                self._update(state="streaming")
            if not frames and silent > self._silence:
                lost_at = self._last_byte
                if parts:
                    yield self._block(parts, t0, part_start, rate)
                    parts = []
                if not self._reconnect():
                    break
                index += max(1, round((time.monotonic() - lost_at) * rate))
                frames = self._profile.take_pending()

    def _block(self, parts: list[SampleFrame], t0: datetime, first: int, rate: float):
        n = sum(p.n_samples for p in parts)
        x = np.zeros((8, n))
        mask = parts[0].mask
        rows = [b for b in range(8) if mask >> b & 1]
        x[rows] = np.concatenate([p.samples for p in parts], axis=1)
        n_dig = parts[0].n_digital
        digital = None
        if n_dig:
            bits = np.repeat([p.digital for p in parts], [p.n_samples for p in parts])
            digital = (bits[None, :] >> np.arange(n_dig)[:, None] & 1).astype(bool)
        if self._calibration is not None:
            x = self._calibration.apply(x, rate, self.nominal_frequency)
            absent = [r for r in range(8) if r not in rows]
            x[absent] = 0.0  # an offset correction must not invent a channel the board lacks
        return SampleBlock(
            start=t0 + timedelta(seconds=first / rate),
            sample_rate=rate,
            first_index=first,
            voltage=x[:4],
            current=x[4:],
            scale="secondary",
            v4_measured=bool(mask & 0x08),
            i4_measured=bool(mask & 0x80),
            digital=digital,
        )

    def describe(self) -> dict:
        link = self.link
        return {
            "kind": "serial",
            "port": self.spec.port,
            "profile": self.spec.profile,
            "sample_rate": self.sample_rate,
            "nominal_frequency": self.nominal_frequency,
            "samples_per_cycle": link.samples_per_cycle,
            "unavailable": list(link.unavailable),
            "identity": link.identity,
            "link": {"state": link.state, "reconnects": link.reconnects, **link.counters},
        }

    def close(self) -> None:
        """Stop the board and close the port; running ``blocks()`` iterators end."""
        if self._closed:
            return
        self._closed = True
        if self._port is not None:
            with contextlib.suppress(Exception):
                self._profile.stop(self._port)
        self._drop_port()
        self._update(state="closed")

    def __enter__(self) -> SerialSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
