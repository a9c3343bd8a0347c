"""Power quality of the live stream, for the snapshot and the panel's PQ screens.

The Meter feeds it each block's corrected voltages and its Urms(1/2) values; it keeps the event
counters since start, the last event, and flicker (Pst on the 10-min clock, Plt every 2 h),
and gives them as snapshot values by quantity id (PST_A … PLT_C, DIP_COUNT, SWELL_COUNT,
INTERRUPTION_COUNT, LAST_EVENT_MAGNITUDE [% of Udin], LAST_EVENT_DURATION [s], CAPTURE_COUNT).

With a capture directory, each polyphase dip, swell and interruption (the event of the whole
disturbance, not one per phase) is captured as COMTRADE there, and ``capture_now`` captures by
hand (``engine.pq.event_capture``). The EN 50160 week so far (``engine.pq.live_en50160``)
gives the EN50160_* shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from engine.blocks import SampleBlock
from engine.compliance import En50160Settings
from engine.config import MeterConfig
from engine.pq import Event, VoltageEventMonitor
from engine.pq.event_capture import EventCapturer
from engine.pq.flagging import flag_touched
from engine.pq.flicker_meter import FlickerMeter, lamp_for, voltages_of
from engine.pq.live_en50160 import LiveEn50160
from engine.pq.settings import declared_voltage, event_settings, rvc_settings

if TYPE_CHECKING:
    from engine.meter import BlockResult

#: Snapshot names of the voltage channels, in the wiring's order (the PQ screens label them).
PHASE_NAMES = ("A", "B", "C")


class LivePowerQuality:
    """Events and flicker of one stream (rebuilt when the wiring or the settings change)."""

    def __init__(
        self,
        plan,
        config: MeterConfig,
        capture_dir: Path | None = None,
        layout_ids: Sequence[str] = (),
    ) -> None:
        """``plan``: the wiring plan; ``layout_ids``: the ids of the meter's window rows (for
        the EN 50160 week); ``capture_dir``: where captures go (None: no capture)."""
        self.plan = plan
        self.monitor = VoltageEventMonitor.for_plan(
            plan, event_settings(config), rvc_settings(config),
            nominal_frequency=config.nominal_frequency,
        )  # fmt: skip
        names = plan.line_to_neutral or plan.line_to_line
        self.flicker: FlickerMeter | None = FlickerMeter(
            config.nominal_frequency, lamp_for(config.nominal_voltage),
            tuple(q[2:] for q in names),
        )  # fmt: skip
        self.counts = {"dip": 0, "swell": 0, "interruption": 0}
        self.last: Event | None = None
        self.en50160: LiveEn50160 | None = None
        try:
            settings = En50160Settings(declared_voltage(config), config.nominal_frequency)
            self.en50160 = LiveEn50160(layout_ids, settings)
        except ValueError:  # above 36 kV: EN 50160 does not apply, the screen shows "----"
            pass
        self.captures: EventCapturer | None = None
        self._reported = 0  # captures already returned by new_captures
        if capture_dir is not None:
            one_channel = len(names) == 1  # its events carry the channel's phase, not POLY
            self.captures = EventCapturer(
                capture_dir,
                config,
                select=lambda e: one_channel or e.phase == "POLY",
                continue_numbering=True,
            )

    def add(self, block: SampleBlock, inputs: np.ndarray, result: BlockResult) -> list[Event]:
        """One block: ``inputs`` (8, n) corrected samples [V, A] and what the meter measured of
        it (``engine.meter.BlockResult``); returns the events that ended in it."""
        if self.captures is not None:
            self.captures.add(block)
        ended = self.monitor.feed(result.half_cycle_time, result.half_cycle)
        if self.captures is not None:
            self.captures.events(ended, self.monitor.in_progress())
        for event in ended:
            if event.type in self.counts and event.phase == "POLY":
                self.counts[event.type] += 1
                self.last = event
        if self.flicker is not None:
            try:
                self.flicker.add(block, voltages_of(self.plan, inputs[:4]))
            except ValueError:  # e.g. fewer than 32 samples a cycle: no flicker here
                self.flicker = None
        if self.en50160 is not None:
            result = flag_touched(result, [*ended, *self.monitor.in_progress()])
            self.en50160.add(
                result.windows, result.window_start, result.window_end, result.flagged,
                result.frequency, self.flicker.plt if self.flicker is not None else [],
            )  # fmt: skip
        return ended

    def new_captures(self) -> list[str]:
        """The event-triggered capture files (.cfg names) written since the last call (a
        manual capture is logged when it is asked for)."""
        if self.captures is None:
            return []
        written = self.captures.written
        new, self._reported = written[self._reported :], len(written)
        return [name for name in new if name.startswith("event-")]

    def capture_now(self, time: datetime) -> str:
        """Capture around ``time`` by hand; the .cfg name it will be written as. ``ValueError``
        without a capture directory or before the first block."""
        if self.captures is None:
            raise ValueError("waveform capture is off: no capture directory")
        return self.captures.manual(time)

    def reset_counters(self) -> None:
        """The disturbance reset: event counters and the last event start again."""
        self.counts = dict.fromkeys(self.counts, 0)
        self.last = None

    def values(self) -> dict[str, float]:
        out = {
            "DIP_COUNT": float(self.counts["dip"]),
            "SWELL_COUNT": float(self.counts["swell"]),
            "INTERRUPTION_COUNT": float(self.counts["interruption"]),
        }
        if self.captures is not None:
            out["CAPTURE_COUNT"] = float(len(self.captures.written))
        if self.en50160 is not None:
            out.update(self.en50160.values())
        if self.last is not None:
            out["LAST_EVENT_MAGNITUDE"] = self.last.extreme_pct
            out["LAST_EVENT_DURATION"] = self.last.duration_s
        if self.flicker is not None:
            for kind, records in (("PST", self.flicker.pst), ("PLT", self.flicker.plt)):
                if records:
                    latest = records[-1]
                    for name, phase in zip(PHASE_NAMES, self.flicker.phases, strict=False):
                        out[f"{kind}_{name}"] = latest[f"{kind}_{phase}"]
        return out
