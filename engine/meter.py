"""The Meter: consumes sample blocks, runs dsp and metering, and publishes Snapshots.

Per block it
1. scales the inputs to primary units (PT/CT), applies polarity and transformer corrections;
2. finds the fundamental zero crossings of the reference voltage (``dsp.crossings``);
3. cuts contiguous windows of exactly 10 (50 Hz) or 12 (60 Hz) cycles between rising crossings
   (IEC 61000-4-30 §4.4) and one-cycle windows refreshed every half cycle (Urms(1/2), §5.4.2);
4. measures every quantity of each window (``engine.measure``), feeds the 10-s frequency
   (§5.1), energy, demand and min/max;
5. swaps in a new immutable ``Snapshot``.

With no usable reference (dead bus, current only) windows are timed from the nominal frequency
and FREQ is NaN. A gap in the sample indices restarts the window timing; the first window after
it is flagged. ``run`` drives a source paced to the wall clock or as fast as possible through the
same ``process`` path.
Other threads change the meter only by requests (``engine.control``), applied at the next block.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from types import MappingProxyType

import numpy as np

from engine.alarms.meter_link import MeterAlarms
from engine.alarms.outputs import RelayOutputs
from engine.blocks import SampleBlock
from engine.buffer import SampleBuffer
from engine.config import MeterConfig, validate
from engine.control import EngineEvent, MeterControl, RevenueLocked, TestRegisters
from engine.dsp.frequency import FrequencyState, ten_second_frequency
from engine.dsp.integrate import window_means
from engine.measure import Layout, instantaneous_rows, layout_for, measure_windows
from engine.metering import DemandSet, EnergyRegisters, MinMaxTracker
from engine.metering.windows import WindowMetering
from engine.pq.live import LivePowerQuality
from engine.runtime import limit_blas_threads, tune_allocator
from engine.snapshot import Snapshot, Waveform
from engine.sources.base import Source
from engine.transducers import TransducerCorrection
from engine.windows import WindowClock
from engine.wiring import WiringPlan, plan_for

__all__ = ["MINMAX_IDS", "BlockResult", "EngineEvent", "Meter", "RevenueLocked"]

#: Events in the snapshot (the panel's Event Log), newest first.
EVENTS_SHOWN = 100

#: [s] IEC 61000-4-30 Class A: the 10/12-cycle windows resynchronise at each 10-min tick.
RESYNC_SECONDS = 600.0

#: Quantities whose minimum and maximum are kept.
MINMAX_IDS = (
    "V_A", "V_B", "V_C", "V_AB", "V_BC", "V_CA", "V_LN_AVG", "V_LL_AVG", "I_A", "I_B", "I_C",
    "I_N", "I_AVG", "FREQ", "P_TOT", "Q_TOT", "S_TOT", "PF_TOT", "DPF_TOT", "THD_V_A", "THD_V_B",
    "THD_V_C", "THD_V_AB", "THD_V_BC", "THD_V_CA", "THD_I_A", "THD_I_B", "THD_I_C", "U2_V",
    "U2_I",
)  # fmt: skip


@dataclass(frozen=True)
class BlockResult:
    """What one block completed.

    ``windows``: rows of ``layout.ids`` values, one per 10/12-cycle window; ``window_start`` /
    ``window_end``: their start and end times; ``flagged``: True where a window follows a gap.
        ``half_cycle_time`` / ``half_cycle``: Urms(1/2) values [V, A] (rows = ``layout.plan.rms``)
        at the end of each half cycle, times as UTC ``datetime64[us]`` (100 or 120 a second).
    ``frequency``: 10-s frequency values (tick time, [Hz]).
    """

    layout: Layout
    windows: np.ndarray
    window_end: list[datetime]
    flagged: np.ndarray
    half_cycle_time: np.ndarray = field(default_factory=lambda: np.empty(0, "datetime64[us]"))
    half_cycle: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    frequency: list[tuple[datetime, float]] = field(default_factory=list)
    window_start: list[datetime] = field(default_factory=list)


class Meter:
    """The measurement pipeline and its state. Only the thread that runs ``process`` changes
    it; ``snapshot``, the requests and their properties are safe from any thread."""

    def __init__(
        self,
        config: MeterConfig | None = None,
        *,
        power_quality: bool = False,
        capture_dir: Path | None = None,
        live: bool = True,
    ) -> None:
        """``power_quality``: also measure voltage events and flicker for the snapshot (the
        live panel); reports run them through ``engine.analysis`` instead. ``capture_dir``:
        with ``power_quality``, where waveform captures are written (none without it).
        ``live``: keep energy, demand and min/max and publish a snapshot per block; False for
        the analysis of a recording, which reads only the ``BlockResult`` of each block."""
        self.config = validate(config or MeterConfig())
        self._live = live
        #: The Trend screen's series, set by the data logger (``engine.storage``) in this thread.
        self.trend: tuple = ()
        self._pq_enabled = power_quality
        self._capture_dir = None if capture_dir is None else Path(capture_dir)
        self._pq: LivePowerQuality | None = None
        tune_allocator()
        limit_blas_threads()
        self.energy = EnergyRegisters()
        d = self.config.demand
        self.demand = DemandSet(d.method, d.interval, d.subintervals)
        self.minmax = MinMaxTracker(MINMAX_IDS)
        self.test: TestRegisters | None = None  # the registers of test mode while it is on
        self._control = MeterControl(self.config)
        self.alarm_state = MeterAlarms(self.config)  # alarms, their book and the relays
        self._snapshot = Snapshot(time=datetime.fromtimestamp(0, UTC))
        self._sample_rate: float | None = None
        self._layout: Layout | None = None
        self._reset_stream()
        self._layout_key: tuple | None = None
        self._last_row: np.ndarray | None = None
        self._last_half: dict[str, float] = {}
        self._freq_10s = float("nan")
        #: Called at the end of every block with (BlockResult, Snapshot), in the worker thread
        #: (the storage logger); add before ``run``.
        self.listeners: list[Callable[[BlockResult, Snapshot], None]] = []

    # -- public --------------------------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot:
        """The latest snapshot (an atomic reference; safe to read from any thread)."""
        return self._snapshot

    @property
    def layout(self) -> Layout | None:
        return self._layout

    # -- requests from any thread, applied at the start of the next block (engine.control) --

    def reconfigure(self, config: MeterConfig) -> None:
        """Use ``config`` from the next block; ``ValueError`` / ``RevenueLocked`` if refused."""
        self._control.reconfigure(config)

    def reset(self, kind: str) -> None:
        """Reset ``kind`` (``engine.control.RESET_KINDS``); ``RevenueLocked`` if refused."""
        self._control.reset(kind)

    def set_test_mode(self, on: bool) -> None:
        """Enter or leave test mode; ``RevenueLocked`` to enter while locked."""
        self._control.set_test_mode(on)

    def set_revenue_lock(self, active: bool) -> None:
        """Put the revenue lock in force or lift it (refusals follow at once)."""
        self._control.set_revenue_lock(active)

    def acknowledge(self, alarm_id: str | None = None) -> None:
        """Acknowledge alarm ``alarm_id`` (None: all) at the start of the next block."""
        self._control.acknowledge(alarm_id)

    def force_relay(self, relay: int, on: bool) -> None:
        """Switch relay ``relay`` (1-based) on or off by hand at the next block."""
        self._control.force_relay(relay, on)

    @property
    def outputs(self) -> RelayOutputs:
        """The relay outputs as the alarms drive them (``bits`` for a board)."""
        return self.alarm_state.outputs

    def record_event(self, time: datetime, kind: str, what: str, old=None, new=None) -> None:
        """Record an engine event (worker thread only; see ``engine.control.EVENT_KINDS``)."""
        self._control.record(time, kind, what, old, new)

    def capture_waveform(self) -> None:
        """Capture the waveforms around the start of the next block (a manual trigger);
        ``ValueError`` when the meter has no capture directory."""
        if not (self._pq_enabled and self._capture_dir is not None):
            raise ValueError("waveform capture is off: no capture directory")
        self._control.capture()

    @property
    def capture_dir(self) -> Path | None:
        """Where waveform captures are written (None: no capture)."""
        return self._capture_dir if self._pq_enabled else None

    @property
    def power_quality(self) -> LivePowerQuality | None:
        """The live power-quality state (worker thread only; None without power_quality)."""
        return self._pq

    @property
    def revenue_locked(self) -> bool:
        return self._control.revenue_locked

    @property
    def test_mode(self) -> bool:
        """Test mode as requested (applied: the snapshot's ``TEST_MODE`` flag)."""
        return self._control.test_mode

    @property
    def events(self) -> deque[EngineEvent]:
        """The last ``engine.control.MAX_EVENTS`` applied changes and resets, newest last."""
        return self._control.events

    def preload_events(self, events: list[EngineEvent]) -> None:
        """Put earlier events (oldest first, e.g. from the event log of a previous run) into
        ``events`` before the meter runs; they do not count in ``event_count`` (not new)."""
        self._control.events.extend(events)

    @property
    def event_count(self) -> int:
        """Engine events recorded since construction (to find the new ones in ``events``)."""
        return self._control.event_count

    def restart_measurement(self, clear: bool) -> None:
        """Rebuild scaling and window timing at the next block (worker thread only);
        ``clear``: also drop the last readings (other quantities or window length)."""
        self._layout_key = None
        if clear:
            self._last_row = None
            self._last_half = {}
            self._freq_10s = float("nan")

    def process(self, block: SampleBlock) -> BlockResult:
        """Consume one block; return what it completed."""
        self._control.apply(self, block.start)
        self._prepare(block)
        plan = self._layout.plan
        if self._next_index is not None and block.first_index != self._next_index:
            self._reset_stream()
            self._gap = True
        if self._next_index is None:
            self._t0 = block.start - timedelta(seconds=block.first_index / block.sample_rate)
            self._buf_start = block.first_index
            self._clock.restart(block.first_index)
            self._clock.set_ticks(
                self._tick_after(block.first_index, RESYNC_SECONDS),
                RESYNC_SECONDS * self._sample_rate,
            )
            self._freq_state = FrequencyState(tick=self._tick_after(block.first_index))
            self._metering = WindowMetering(block.sample_rate, self._time_at, MINMAX_IDS)
        self._next_index = block.first_index + block.n_samples
        self._metering.sync_pulses(block, self.config.demand_sync)

        x = self._inputs.append(block.n_samples)
        self._corrector.apply(block.voltage, block.current, out=x)
        instantaneous_rows(plan, x, out=self._integrands.append(block.n_samples))

        rising = self._clock.feed(self._reference(x))
        last_sample = self._buf_start + len(self._inputs) - 1
        starts, ends, cycles, known = self._clock.windows(self._buf_start, last_sample)
        hc_starts, hc_ends = self._clock.half_cycles(self._buf_start)
        # One pass over the integrands gives the means of every window and half cycle.
        offset = self._buf_start
        means = window_means(
            self._integrands.data,
            np.concatenate([starts, hc_starts]) - offset,
            np.concatenate([ends, hc_ends]) - offset,
        )
        n_win, n_rms = len(starts), len(plan.rms)
        rows = measure_windows(
            self._layout, self._inputs.data, means[:, :n_win], starts - offset, ends - offset,
            cycles, self._sample_rate, self.config.tdd_current, known,
        )  # fmt: skip
        flagged = np.zeros(n_win, dtype=bool)
        if n_win and self._gap:
            flagged[0], self._gap = True, False
        half_v = np.sqrt(np.maximum(means[:n_rms, n_win:], 0.0))
        half_t = self._datetimes(hc_ends)
        ticks, self._freq_state = ten_second_frequency(
            rising, self._freq_state, self._sample_rate, 10.0 * self._sample_rate,
            upto=self._next_index - 1,
        )  # fmt: skip
        if ticks:
            self._freq_10s = ticks[-1][1]
        window_end = [self._time_at(e) for e in ends]
        result = BlockResult(
            self._layout, rows, window_end, flagged, half_t, half_v,
            [(self._time_at(t), f) for t, f in ticks],
            [self._time_at(s) for s in starts],
        )  # fmt: skip
        ended = None
        if self._pq is not None:
            ended = self._pq.add(block, x, result)  # before _trim: x is a view of the buffer
            for name in self._pq.new_captures():  # listed with their event in the event log
                self._control.record(block.start, "capture", "event", None, name)
        if not self._live:
            self._trim()
            return result
        self._meter(rows, starts, ends, window_end)
        self.alarm_state.block(self, block, result, ended)
        self._trim()
        if len(rows):
            self._last_row = rows[-1]
        if len(half_t):
            self._last_half = {
                f"{q[:1]}_HALF_{q[2:]}": float(v)
                for (q, _), v in zip(plan.rms, half_v[:, -1], strict=True)
                if q[2:] in ("A", "B", "C", "AB", "BC", "CA")
            }
        self._publish(block.start + timedelta(seconds=block.duration), block)
        self.alarm_state.after_publish(self)
        for listener in self.listeners:  # after the alarms: their events are in by now
            listener(result, self._snapshot)
        return result

    def run(
        self,
        source: Source,
        *,
        paced: bool,
        seconds: float | None = None,
        stop: threading.Event | None = None,
        on_result: Callable[[BlockResult], None] | None = None,
    ) -> None:
        """Process ``source`` until it ends, ``seconds`` of signal have passed or ``stop`` is set.

        ``paced``: keep signal time in step with the wall clock (live display); otherwise as
        fast as the CPU allows (analysis, tests, fast-forward training). Same code path.
        """
        wall0 = time.monotonic()
        done = 0.0
        for block in source.blocks():
            if stop is not None and stop.is_set():
                break
            if seconds is not None and done >= seconds - 1e-9:
                break
            if seconds is not None and done + block.duration > seconds + 1e-9:
                keep = round((seconds - done) * block.sample_rate)
                block = _head(block, keep)
            result = self.process(block)
            done += block.duration
            if on_result is not None:
                on_result(result)
            if paced:
                lag = done - (time.monotonic() - wall0)
                if lag > 0:
                    (stop.wait if stop is not None else time.sleep)(lag)

    # -- set-up ----------------------------------------------------------------------------

    def _prepare(self, block: SampleBlock) -> None:
        key = (block.sample_rate, block.v4_measured, block.i4_measured, block.scale)
        if key == self._layout_key:
            return
        cfg = self.config
        self._layout_key = key
        self._sample_rate = block.sample_rate
        plan: WiringPlan = plan_for(
            cfg.wiring, v4_measured=block.v4_measured, i4_measured=block.i4_measured
        )
        self._layout = layout_for(plan)
        self._pq = (
            LivePowerQuality(plan, cfg, self._capture_dir, self._layout.ids)
            if self._pq_enabled
            else None
        )
        ll = cfg.wiring == "3W-DELTA"
        # Hysteresis: 5 % of the nominal reference peak; below that there is no usable signal.
        level = 0.05 * np.sqrt(2.0) * cfg.nominal_voltage
        self._clock = WindowClock(
            block.sample_rate, cfg.nominal_frequency, cfg.cycles_per_window, level
        )
        self._reference_pair = (0, 1) if ll else (0, None)
        gain = np.ones(8)
        if block.scale == "secondary":
            gain[:4] = cfg.pt_ratio
            gain[4:7] = cfg.ct_ratio
            gain[7] = cfg.i4_ct_ratio
        self._corrector = TransducerCorrection(cfg, block.sample_rate, gain)
        self._reset_stream()

    def _reset_stream(self) -> None:
        self._next_index: int | None = None
        # Inputs (rows wiring.INPUTS) and their measure.instantaneous_rows, from _buf_start on.
        if self._layout is not None:
            self._inputs = SampleBuffer(8)
            n_rows = len(self._layout.plan.rms) + len(self._layout.plan.power)
            self._integrands = SampleBuffer(n_rows)
        self._buf_start = 0
        self._gap = False
        if getattr(self, "_corrector", None) is not None:
            self._corrector.reset()

    def _reference(self, x: np.ndarray) -> np.ndarray:
        a, b = self._reference_pair
        return x[a] if b is None else x[a] - x[b]

    def _tick_after(self, index: int, period: float = 10.0) -> float:
        """Position of the first clock tick (every ``period`` [s], 10-s by default) after
        absolute sample ``index``."""
        t = self._t0 + timedelta(seconds=index / self._sample_rate)
        epoch = t.timestamp()
        tick = (np.floor(epoch / period) + 1) * period
        return index + (tick - epoch) * self._sample_rate

    def _time_at(self, position: float) -> datetime:
        return self._t0 + timedelta(seconds=float(position) / self._sample_rate)

    def _datetimes(self, positions: np.ndarray) -> np.ndarray:
        """UTC ``datetime64[us]`` of absolute sample positions (vectorised ``_time_at``)."""
        t0 = np.datetime64(self._t0.replace(tzinfo=None), "us")
        return t0 + np.rint(positions / self._sample_rate * 1e6).astype("timedelta64[us]")

    def _trim(self) -> None:
        """Drop samples no window or half cycle still needs."""
        last_sample = self._buf_start + len(self._inputs) - 1
        cut = int(np.floor(self._clock.keep_from(last_sample))) - 1 - self._buf_start
        if cut > 0:
            self._inputs.drop(cut)
            self._integrands.drop(cut)
            self._buf_start += cut

    # -- metering and publishing -------------------------------------------------------------

    def _meter(self, rows: np.ndarray, starts, ends, window_end: list[datetime]) -> None:
        # In test mode the test registers count instead of the billing ones.
        test = self.test
        self._metering.meter(
            rows, self._layout.index, starts, ends, window_end,
            self.energy if test is None else test.energy,
            self.demand if test is None else test.demand,
            self.minmax,
        )  # fmt: skip

    def _waveform(self) -> Waveform | None:
        """The last two whole cycles held, from a rising crossing (for the waveform screen)."""
        rising = self._clock.recent_rising
        if len(rising) < 3 or rising[0] < self._buf_start:
            return None
        a = int(np.ceil(rising[0])) - self._buf_start
        b = int(np.ceil(rising[2])) - self._buf_start
        data = self._inputs.data
        if b > data.shape[1]:
            return None
        return Waveform(
            start=self._time_at(a + self._buf_start),
            sample_rate=self._sample_rate,
            voltage=data[:3, a:b].copy(),
            current=data[4:8, a:b].copy(),
        )

    def _publish(self, now: datetime, block: SampleBlock) -> None:
        values: dict[str, float] = {}
        if self._last_row is not None:
            values.update(zip(self._layout.ids, self._last_row.tolist(), strict=True))
        values.update(self._last_half)
        if not np.isnan(self._freq_10s):
            values["FREQ"] = self._freq_10s
        values["FREQ_CYCLE"] = self._clock.last_cycle
        values.update(self.energy.values())
        values.update(self.demand.values())
        if self._pq is not None:
            values.update(self._pq.values())
        flags = set()
        if self.test is not None:
            values.update(self.test.values())
            flags.add("TEST_MODE")
        rot = values.get("PHASE_ROTATION", 0.0)
        expected = 1.0 if self.config.phase_rotation == "ABC" else -1.0
        if rot not in (0.0, expected) and not np.isnan(rot):
            flags.add("PHASE_REVERSAL")
        if np.isnan(values.get("FREQ", np.nan)):
            flags.add("NO_REFERENCE")
        summary, active, history = self.alarm_state.published()
        self._snapshot = Snapshot(
            time=now,
            values=MappingProxyType(values),
            stamps=MappingProxyType(self.demand.peak_times()),
            minimum=MappingProxyType(self.minmax.minimum()),
            maximum=MappingProxyType(self.minmax.maximum()),
            flags=frozenset(flags),
            waveform=self._waveform(),
            digital_inputs=()
            if block.digital is None or block.digital.size == 0
            else tuple(bool(v) for v in block.digital[:, -1]),
            alarms=summary,
            alarm_list=active,
            alarm_history=history,
            relays=self.alarm_state.outputs.states,
            trend=self.trend,
            events=tuple(islice(reversed(self._control.events), EVENTS_SHOWN)),
        )


def _head(block: SampleBlock, n: int) -> SampleBlock:
    """The first ``n`` samples of ``block``."""
    return SampleBlock(
        start=block.start,
        sample_rate=block.sample_rate,
        first_index=block.first_index,
        voltage=block.voltage[:, :n],
        current=block.current[:, :n],
        scale=block.scale,
        v4_measured=block.v4_measured,
        i4_measured=block.i4_measured,
        digital=None if block.digital is None else block.digital[:, :n],
    )
