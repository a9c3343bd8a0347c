"""Waveform captures of a stream, triggered by voltage events or by hand (issue 3).

``EventCapturer`` wraps ``engine.pq.capture.WaveformCapture`` for a meter's inputs: every
voltage and current channel (V4 and I4 when measured) and the digital inputs, in primary or
secondary values as the source gives them. ``events`` triggers a capture at the start of each
dip, swell and interruption; ``manual`` triggers one now. Files are written to ``directory`` as
COMTRADE (2013 BINARY) and numbered in trigger order:

- ``event-001-dip-POLY-20260302T120001.123Z.cfg`` for an event (number, type, phase, UTC start);
- ``manual-002-20260302T120500.000Z.cfg`` for a manual trigger.

The voltage-event monitor reports an event when it ends, so a capture is triggered as soon as the
event shows up: among the events in progress after the block where it starts, or, for an event
that starts and ends in one block, among the ended ones. The capture's history holds the
pre-trigger cycles plus two blocks, so either way the pre-trigger samples are still there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np

from engine.blocks import SampleBlock
from engine.comtrade.writer import ChannelSpec
from engine.config import MeterConfig
from engine.pq.capture import WaveformCapture, capture_name, time_stamp, write
from engine.pq.events import Event

__all__ = ["EventCapturer", "manual_capture_name"]


def manual_capture_name(number: int, time: datetime) -> str:
    """``manual-002-20260302T120500.000Z``: number and UTC trigger time."""
    return f"manual-{number:03d}-{time_stamp(time)}"


def _key(event: Event) -> tuple:
    return (event.type, event.phase, event.start)


class EventCapturer:
    """Captures of one stream into ``directory``, in the COMTRADE revision and format of
    ``config.power_quality``.

    ``pre_cycles`` / ``post_cycles``: cycles kept before and after each trigger (default: the
    configuration's); ``select``:
    which events trigger a capture (default: every dip, swell and interruption; RVCs never).
    ``continue_numbering``: number on from the captures already in ``directory`` (the live
    meter, restarted). ``written``: the .cfg file names written so far, in order. Only the
    thread that feeds it may use it.
    """

    def __init__(
        self,
        directory: Path,
        config: MeterConfig,
        pre_cycles: float | None = None,
        post_cycles: float | None = None,
        select: Callable[[Event], bool] | None = None,
        continue_numbering: bool = False,
    ) -> None:
        self.directory, self.config = Path(directory), config
        pq = config.power_quality
        self.pre = pq.capture_pre_cycles if pre_cycles is None else pre_cycles
        self.post = pq.capture_post_cycles if post_cycles is None else post_cycles
        self.revision, self.file_type = pq.capture_revision, pq.capture_format
        self.select = select or (lambda e: True)
        self.capture: WaveformCapture | None = None
        self.rows: list[tuple[str, int]] = []
        self.names: dict[tuple, str] = {}  # event key -> .cfg file name
        self.pending: dict[str, str] = {}  # capture reason -> .cfg file name, waiting for samples
        self.ended: set[tuple] = set()
        self.written: list[str] = []
        existing = self.directory.glob("*.cfg") if self.directory.is_dir() else ()
        self.count = sum(1 for _ in existing) if continue_numbering else 0

    # -- feeding ----------------------------------------------------------------------------

    def add(self, block: SampleBlock) -> None:
        """Take one block's samples (before the events it completes are given to ``events``)."""
        if self.capture is None:
            self._start(block)
        samples = np.stack([getattr(block, kind)[k] for kind, k in self.rows])
        self._write(self.capture.add(block, samples))

    def events(self, ended: list[Event], in_progress: list[Event]) -> None:
        """Trigger at the start of every newly seen event (the monitor's output of a block)."""
        seen = [e for e in (*in_progress, *ended) if e.type != "rvc" and self.select(e)]
        self.ended.update(_key(e) for e in ended)
        for e in sorted(seen, key=lambda e: e.start):
            key = _key(e)
            if key in self.names:
                continue
            self.count += 1
            name = capture_name(self.count, e.type, e.phase, e.start) + ".cfg"
            self.names[key] = name
            self._trigger(e.start, f"{e.type} {e.phase} at {e.start.isoformat()}", name)

    def manual(self, time: datetime) -> str:
        """Trigger a capture around ``time`` (UTC); returns the .cfg name it will be written as.

        ``ValueError`` before the first block (nothing to capture yet)."""
        if self.capture is None:
            raise ValueError("no samples yet: a capture needs the stream to have started")
        self.count += 1
        name = manual_capture_name(self.count, time) + ".cfg"
        self._trigger(time, f"manual at {time.isoformat()}", name)
        return name

    def finish(self) -> None:
        """At the end of the data: write the captures still waiting, cut short, for manual
        triggers and events that ended. An event still open is not reported, so its capture is
        dropped if still waiting (one completed earlier has been written already)."""
        if self.capture is None:
            return
        for capture in self.capture.finish():
            name = self.pending.pop(capture.reason)
            key = next((k for k, n in self.names.items() if n == name), None)
            if key is None or key in self.ended:
                self._save(capture, name)
            else:
                del self.names[key]

    def name_of(self, event: Event) -> str | None:
        """The .cfg file name of ``event``'s capture, or None."""
        return self.names.get(_key(event))

    # -- internals --------------------------------------------------------------------------

    def _trigger(self, time: datetime, reason: str, name: str) -> None:
        self.pending[reason] = name
        self._write(self.capture.trigger(time, reason))

    def _write(self, done) -> None:
        for capture in done:
            self._save(capture, self.pending.pop(capture.reason))

    def _save(self, capture, name: str) -> None:
        write(capture, self.directory, name[: -len(".cfg")], revision=self.revision,
              file_type=self.file_type)  # fmt: skip
        self.written.append(name)

    def _start(self, block: SampleBlock) -> None:
        c = self.config
        secondary = block.scale == "secondary"
        specs: list[ChannelSpec] = []
        self.rows = []
        for k, phase in enumerate("ABC"):
            self.rows.append(("voltage", k))
            specs.append(_spec(f"V{k + 1}", "V", phase, c.pt_primary, c.pt_secondary, secondary))
        if block.v4_measured:
            self.rows.append(("voltage", 3))
            specs.append(_spec("V4", "V", "N", c.pt_primary, c.pt_secondary, secondary))
        for k, phase in enumerate("ABC"):
            self.rows.append(("current", k))
            specs.append(_spec(f"I{k + 1}", "A", phase, c.ct_primary, c.ct_secondary, secondary))
        if block.i4_measured:
            self.rows.append(("current", 3))
            specs.append(
                _spec("I4", "A", "N", c.i4_ct_primary, c.i4_ct_secondary, secondary)
            )  # fmt: skip
        n_dig = 0 if block.digital is None else np.atleast_2d(block.digital).shape[0]
        self.capture = WaveformCapture(
            block.sample_rate, c.nominal_frequency, self.pre, self.post, specs,
            tuple(f"DI{k + 1}" for k in range(n_dig)),
        )  # fmt: skip


def _spec(name, unit, phase, primary, secondary_ratio, secondary: bool) -> ChannelSpec:
    """A capture channel: values as the source gives them, primary or secondary."""
    if secondary:
        return ChannelSpec(name, unit, phase, primary=primary, secondary=secondary_ratio, ps="S")
    return ChannelSpec(name, unit, phase)
