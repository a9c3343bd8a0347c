"""What the Meter calls for its alarms: build each block's ``AlarmInputs`` from what it
measured, run the ``AlarmEngine``, record every change as an ``EngineEvent`` (kind "alarm")
and carry out the pickup actions (waveform capture, relay, a snapshot of the readings).

Event wording (``EngineEvent(time, "alarm", alarm id, old, new)``): pickup "inactive" ->
"active", dropout "active" -> "ended", acknowledgement "unacknowledged" -> "acknowledged";
``time`` is the transition's own time (the half cycle or window it happened on). Priority None
records nothing. Actions record "capture" (file name), "relay" (relayN off -> on) and
"snapshot" (the readings as ``ID=value`` text) events.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from engine.alarms.config import alarm_set
from engine.alarms.engine import AlarmEngine, AlarmInputs, Change, Disturbance
from engine.alarms.engine import seconds as to_seconds
from engine.alarms.outputs import RelayOutputs
from engine.alarms.seconds import OneSecondValues
from engine.snapshot import AlarmSummary

if TYPE_CHECKING:
    from engine.blocks import SampleBlock
    from engine.meter import BlockResult, Meter

#: The readings a "snapshot" action logs (those the meter has).
SNAPSHOT_IDS = (
    "V_A", "V_B", "V_C", "V_AB", "V_BC", "V_CA", "I_A", "I_B", "I_C", "I_N", "FREQ", "P_TOT",
    "Q_TOT", "S_TOT", "PF_TOT", "THD_V_A", "THD_V_B", "THD_V_C", "U2_V", "D_P",
)  # fmt: skip


class MeterAlarms:
    """The alarms of one Meter (worker thread only), and what it publishes of them."""

    def __init__(self, config) -> None:
        self._config = config
        self.engine = AlarmEngine(alarm_set(config))
        self.outputs = RelayOutputs()
        self._events_seen = 0
        self._monitor = None  # own dip/swell monitor when the meter runs without live PQ
        self._monitor_layout = None
        self._snapshots: list[Change] = []
        self._published: tuple = (None, (), ())
        self._version = -1
        self._seconds = self._one_second()

    # -- per block ----------------------------------------------------------------------------

    def block(self, meter: Meter, block: SampleBlock, result: BlockResult, pq_ended) -> None:
        """Evaluate the alarms on one block (after metering, before publishing)."""
        start = block.start.timestamp()
        if meter.config is not self._config:  # reconfigured at this block's start
            self._config = meter.config
            self._apply(meter, self.engine.configure(alarm_set(meter.config), start))
            needed = self._one_second()
            if needed.quantities != self._seconds.quantities:
                self._seconds = needed
        inputs = self._inputs(meter, block, result, pq_ended, start)
        self._apply(meter, self.engine.step(inputs))

    def acknowledge(self, meter: Meter, alarm_id: str | None, time: datetime) -> None:
        """Acknowledge (mailbox request applied at a block's start)."""
        self._apply(meter, self.engine.acknowledge(alarm_id, time.timestamp()))

    def after_publish(self, meter: Meter) -> None:
        """Log the readings for the "snapshot" actions of this block's pickups."""
        values = meter.snapshot.values
        for c in self._snapshots:
            text = " ".join(f"{q}={values[q]:.6g}" for q in SNAPSHOT_IDS if q in values)
            meter.record_event(c.time, "snapshot", c.definition.id, None, text)
        self._snapshots = []
        self._events_seen = meter.event_count

    def published(self) -> tuple[AlarmSummary, tuple, tuple]:
        """(summary, active list, history) for the snapshot, rebuilt only after a change."""
        book = self.engine.book
        if book.version != self._version:
            self._version = book.version
            self._published = (book.summary(), book.active_list(), book.history_list())
        return self._published

    # -- inputs ---------------------------------------------------------------------------------

    def _one_second(self) -> OneSecondValues:
        """1-s aggregation of the quantities the enabled standard-speed alarms read."""
        return OneSecondValues(
            q
            for d in self.engine.definitions
            if d.kind == "setpoint" and d.speed == "standard" and d.enabled
            for q in d.quantities
        )

    def _inputs(self, meter, block, result, pq_ended, start: float) -> AlarmInputs:
        layout = result.layout
        end = start + block.duration
        half = {q: result.half_cycle[i] for i, (q, _) in enumerate(layout.plan.rms)}
        idx = layout.index
        ends = np.array([t.timestamp() for t in result.window_end])
        windows = {q: result.windows[:, idx[q]] for q in self._seconds.quantities if q in idx}
        second_time, seconds = self._seconds.add(ends, windows)
        values = {**meter.demand.values()}
        digital = None
        if block.digital is not None and block.digital.size:
            n = block.digital.shape[1]
            digital = (start + np.arange(n) / block.sample_rate, block.digital)
        unary = []
        new = meter.event_count - self._events_seen
        if new > 0:
            recent = list(meter.events)[-new:]
            unary = [("config_changed", e.time.timestamp()) for e in recent if e.kind == "config"]
        return AlarmInputs(
            start, end, to_seconds(result.half_cycle_time), half, second_time, seconds, values,
            digital,
            self._disturbances(meter, result, pq_ended), unary,
            "NO_REFERENCE" in meter.snapshot.flags,
        )  # fmt: skip

    def _disturbances(self, meter, result, pq_ended) -> list[Disturbance]:
        if not any(d.kind == "disturbance" and d.enabled for d in self.engine.definitions):
            return []
        pq = meter.power_quality
        if pq is not None:
            monitor, ended = pq.monitor, pq_ended or []
        else:
            if self._monitor is None or self._monitor_layout is not result.layout:
                from engine.pq import VoltageEventMonitor
                from engine.pq.settings import event_settings

                # The configured thresholds; no RVC detection (no alarm reads it).
                self._monitor = VoltageEventMonitor.for_plan(
                    result.layout.plan, event_settings(meter.config), rvc=None,
                    nominal_frequency=meter.config.nominal_frequency,
                )  # fmt: skip
                self._monitor_layout = result.layout
            monitor = self._monitor
            try:
                ended = monitor.feed(result.half_cycle_time, result.half_cycle)
            except ValueError:  # a gap restarted the half-cycle times: start a new monitor
                self._monitor = None
                return []
        names = result.layout.plan.line_to_neutral or result.layout.plan.line_to_line
        one = len(names) == 1  # a single channel's events carry its phase, not POLY
        out = []
        for e, done in [*((e, True) for e in ended), *((e, False) for e in monitor.in_progress())]:
            if e.type in ("dip", "swell", "interruption") and (one or e.phase == "POLY"):
                s = e.start.timestamp()
                out.append(Disturbance(e.type, s, s + e.duration_s if done else None,
                                       e.extreme_pct))  # fmt: skip
        return out

    # -- changes -> events and actions -----------------------------------------------------------

    def _apply(self, meter: Meter, changes: list[Change]) -> None:
        for c in changes:
            d = c.definition
            if not d.logged:
                old_new = None
            elif c.what == "pickup":
                old_new = ("inactive", "active")
            elif c.what == "dropout":
                old_new = ("active", "ended")
            else:
                old_new = ("unacknowledged", "acknowledged")
            if old_new is not None:
                meter.record_event(c.time, "alarm", d.id, *old_new)
            if c.what not in ("pickup", "dropout"):
                continue
            on = c.what == "pickup"
            for action in d.actions:
                if action.startswith("relay"):
                    relay = int(action[5:])
                    if self.outputs.hold(relay, d.id, on):
                        meter.record_event(c.time, "relay", f"relay{relay}",
                                           *(("off", "on") if on else ("on", "off")))  # fmt: skip
                elif on and action == "capture":
                    self._capture(meter, c)
                elif on and action == "snapshot":
                    self._snapshots.append(c)

    def _capture(self, meter: Meter, c: Change) -> None:
        pq = meter.power_quality
        try:
            if pq is None:
                raise ValueError("waveform capture is off")
            name = pq.capture_now(c.time)
        except ValueError as exc:  # refused: say why in the event log, the meter goes on
            meter.record_event(c.time, "capture", f"alarm {c.definition.id}", None,
                               f"not captured: {exc}")  # fmt: skip
            return
        meter.record_event(c.time, "capture", f"alarm {c.definition.id}", None, name)
