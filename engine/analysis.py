"""Whole-recording analysis: run the meter over a finite source and summarise it.

Used by ``ion7400-hmi analyze`` and ``report``. The summary of the whole recording is
``engine.summary``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from engine.blocks import SampleBlock
from engine.compliance.ieee519 import needed_ids
from engine.config import CHANNELS, MeterConfig
from engine.meter import BlockResult, Meter
from engine.pq import Event, VoltageEventMonitor
from engine.pq.aggregation import Aggregator
from engine.pq.direction import DirectionFinder
from engine.pq.event_capture import EventCapturer
from engine.pq.flagging import flag_touched
from engine.pq.flicker_meter import FlickerMeter, lamp_for, voltages_of
from engine.pq.record_table import RecordTable
from engine.pq.settings import event_settings, rvc_settings
from engine.sources.base import Source
from engine.summary import RunningSummary, summarise

__all__ = ["REPORTED", "Analysis", "analyse_source", "summarise"]


@dataclass(frozen=True)
class Analysis:
    """The windows of a recording and their summary."""

    ids: tuple[str, ...]
    times: list[datetime]
    rows: np.ndarray  # (windows, ids) values
    flagged: np.ndarray  # (windows,) bool
    summary: dict[str, float]
    #: IEC 61000-4-30 aggregates by kind ("150cycle", "10min", "2h"), records as
    #: {"t": end time, "flagged": bool, id: value, ...}
    aggregates: dict[str, list[dict]] = field(default_factory=dict)
    #: dips, swells, interruptions and rapid voltage changes, in the order they ended
    events: list[Event] = field(default_factory=list)
    #: IEC 61000-4-15 flicker: {"lamp", "pst": [...], "plt": [...], "pinst_max": {...}}, or
    #: {"unavailable": reason} (e.g. fewer than 32 samples a cycle)
    flicker: dict = field(default_factory=dict)
    #: with ``capture_dir``: per event (same order as ``events``) the file name of its COMTRADE
    #: capture (.cfg), or None (RVCs are not captured)
    captures: list[str | None] = field(default_factory=list)
    #: 10-s frequency values (IEC 61000-4-30 §5.1): (tick time, [Hz])
    frequency_10s: list[tuple[datetime, float]] = field(default_factory=list)
    #: with ``three_second``: the 3-s records of the ids IEEE 519 reads (compactly kept)
    three_second: RecordTable | None = None
    #: how many 10/12-cycle windows were measured (``times``/``rows`` hold them only with
    #: ``keep_windows``)
    n_windows: int = 0


#: The aggregation intervals ``analyze`` reports besides the 10/12-cycle values.
REPORTED = ("150cycle", "10min", "2h")


def analyse_source(
    source: Source,
    config: MeterConfig,
    progress: Callable[[float], None] | None = None,
    total_seconds: float | None = None,
    lamp: str | None = None,
    capture_dir: str | Path | None = None,
    pre_cycles: float | None = None,
    post_cycles: float | None = None,
    declared_voltage: float | None = None,
    three_second: bool = False,
    keep_windows: bool = True,
) -> Analysis:
    """Run ``config``'s meter over all of ``source`` as fast as possible.

    ``progress`` is called with the fraction done when ``total_seconds`` is known. With
    ``capture_dir``, every dip, swell and interruption triggers a waveform capture at its start
    (``pre_cycles`` before, ``post_cycles`` after), written there as COMTRADE (the
    configured revision and format, 2013 BINARY by default).
    ``declared_voltage``: Udin [V] of the voltage events; it, ``pre_cycles`` and
    ``post_cycles`` default to the configuration's ``[power_quality]`` settings.
    ``three_second``: also keep the 3-s values IEEE 519 needs (``Analysis.three_second``).
    ``keep_windows``: keep every 10/12-cycle window (``Analysis.times``, ``rows``) and the
    150/180-cycle values; without them memory does not grow with the length of the recording
    (but for the 10-min and longer aggregates, the events and, with ``three_second``, the 3-s
    values).
    """
    events_settings = event_settings(config, declared_voltage)
    captures = EventCapturer(Path(capture_dir), config, pre_cycles, post_cycles) if (
        capture_dir is not None
    ) else None  # fmt: skip
    meter = Meter(config, live=False)  # the results are read from each BlockResult
    aggregator: Aggregator | None = None
    monitor: VoltageEventMonitor | None = None
    events: list[Event] = []
    directions: _Directions | None = None
    flicker: FlickerMeter | None = None
    flicker_note: str | None = None
    # The 150/180-cycle values come every 3 s: kept, like the windows, only when asked.
    kinds = REPORTED if keep_windows else tuple(k for k in REPORTED if k != "150cycle")
    aggregates: dict[str, list[dict]] = {kind: [] for kind in kinds}
    frequency_10s: list[tuple[datetime, float]] = []
    short: _ThreeSecond | None = None
    summary: RunningSummary | None = None
    n_windows = 0
    rows: list[np.ndarray] = []
    times: list[datetime] = []
    flags: list[np.ndarray] = []
    seen = 0.0
    layout = None

    def collect(result: BlockResult) -> None:
        nonlocal layout, aggregator, monitor, directions, short, summary, n_windows
        if aggregator is None or result.layout is not layout:
            if aggregator is not None:
                merge(aggregator.flush())
            aggregator = Aggregator(result.layout.ids, kinds=kinds)
            summary = RunningSummary(result.layout.ids)
            if three_second:
                short = _ThreeSecond(result.layout.ids, short)
            monitor = VoltageEventMonitor.for_plan(
                result.layout.plan, events_settings, rvc_settings(config),
                nominal_frequency=config.nominal_frequency,
            )  # fmt: skip
            directions = _Directions(result.layout.plan, config, source.sample_rate)
        layout = result.layout
        ended = monitor.feed(result.half_cycle_time, result.half_cycle)
        directions.watch(ended, monitor.in_progress(), len(events))
        events.extend(ended)
        if captures is not None:
            captures.events(ended, monitor.in_progress())
        # IEC 61000-4-30 §4.7: a window touched by a dip, swell or interruption is flagged,
        # and so is every aggregate built from it.
        result = flag_touched(result, [*ended, *monitor.in_progress()])
        summary.add(result.windows)
        n_windows += len(result.windows)
        if keep_windows:
            rows.append(result.windows)
            times.extend(result.window_end)
            flags.append(result.flagged)
        merge(
            aggregator.add(
                result.windows, result.window_end, result.flagged, starts=result.window_start
            )
        )
        frequency_10s.extend(result.frequency)
        if short is not None:
            short.add(result)

    def merge(done: dict[str, list[dict]]) -> None:
        for kind, records in done.items():
            aggregates[kind].extend(records)

    for block in source.blocks():
        if captures is not None:
            captures.add(block)
        result = meter.process(block)
        if directions is not None:
            directions.add(block, events)
        collect(result)
        if flicker is None and flicker_note is None:
            flicker, flicker_note = _flicker_for(result.layout.plan, config, lamp)
        if flicker is not None:
            try:
                flicker.add(block, voltages_of(result.layout.plan, block.voltage))
            except ValueError as exc:  # e.g. fewer than 32 samples a cycle
                flicker, flicker_note = None, str(exc)
        seen += block.duration
        if progress is not None and total_seconds:
            progress(min(1.0, seen / total_seconds))
    if layout is None:
        return Analysis((), [], np.empty((0, 0)), np.empty(0, dtype=bool), {})
    merge(aggregator.flush())
    if short is not None:
        short.flush()
    directions.finish(events)
    if captures is not None:
        captures.finish()
    data = np.concatenate(rows) if rows else np.empty((0, len(layout.ids)))
    return Analysis(
        ids=layout.ids,
        times=times,
        rows=data,
        flagged=np.concatenate(flags) if flags else np.empty(0, dtype=bool),
        summary=summary.values(),
        aggregates=aggregates,
        events=events,
        flicker=_flicker_report(flicker, flicker_note),
        captures=[captures.name_of(e) for e in events] if captures is not None else [],
        frequency_10s=frequency_10s,
        three_second=None if short is None else short.table,
        n_windows=n_windows,
    )


class _ThreeSecond:
    """3-s aggregates of the ids IEEE 519 reads, kept as a ``RecordTable`` (continuing
    ``previous``'s table when the layout changes midway, on the ids both have)."""

    def __init__(self, ids: tuple[str, ...], previous: _ThreeSecond | None) -> None:
        keep = needed_ids(ids)
        if previous is not None:
            previous.flush()
            keep = [q for q in keep if q in previous.table.ids]
        self.table = previous.table if previous is not None else RecordTable(keep)
        self.columns = np.array([ids.index(q) for q in self.table.ids], dtype=int)
        self.aggregator = Aggregator(self.table.ids, kinds=("3s",))

    def add(self, result: BlockResult) -> None:
        self._keep(self.aggregator.add(
            result.windows[:, self.columns], result.window_end, result.flagged,
            starts=result.window_start,
        ))  # fmt: skip

    def flush(self) -> None:
        self._keep(self.aggregator.flush())

    def _keep(self, done: dict[str, list[dict]]) -> None:
        for record in done["3s"]:
            self.table.append(record)


class _Directions:
    """The disturbance direction of each dip, swell and interruption (``engine.pq.direction``).

    An event is reported when it ends, but its direction comes from the samples around its
    start: the finder watches it from the block where it is first seen in progress, and the
    ended event's place in the list is filled in once the samples after its start are in.
    """

    def __init__(self, plan, config: MeterConfig, sample_rate: float) -> None:
        from engine.pq import voltage_channels

        wye = bool(plan.line_to_neutral)
        phases = tuple(p for p, _ in voltage_channels(plan)) if wye else ("A", "B", "C")
        self.k = len(phases)
        # Polarity as configured, so that "downstream" is the meter's delivered direction.
        sign = [-1.0 if config.channels[c].inverted else 1.0 for c in CHANNELS]
        signs = sign[: self.k] + sign[4 : 4 + self.k]
        self.finder = DirectionFinder(sample_rate, config.nominal_frequency, phases, wye, signs)
        self.unresolved: list[int] = []  # places in the event list still without a direction

    def add(self, block: SampleBlock, events: list[Event]) -> None:
        self.finder.add(block.start, block.first_index, block.voltage, block.current)
        self._fill(events)

    def watch(self, ended: list[Event], in_progress: list[Event], first: int) -> None:
        for e in (*in_progress, *ended):
            self.finder.watch(e)
        self.unresolved += [first + k for k, e in enumerate(ended) if e.type != "rvc"]

    def _fill(self, events: list[Event], final: bool = False) -> None:
        left = []
        for k in self.unresolved:
            done = self.finder.resolved(events[k])
            if done is None and not final:
                left.append(k)
                continue
            if done is not None:
                events[k] = done
            self.finder.forget(events[k])
        self.unresolved = left

    def finish(self, events: list[Event]) -> None:
        """Fill what can be; an event whose start is too near the end stays "unknown"."""
        self._fill(events, final=True)


def _flicker_for(plan, config: MeterConfig, lamp: str | None):
    """A flicker meter on the wiring's voltages, or (None, why not)."""
    names = plan.line_to_neutral or plan.line_to_line
    meter = FlickerMeter(
        config.nominal_frequency, lamp or lamp_for(config.nominal_voltage),
        tuple(q[2:] for q in names),
    )  # fmt: skip
    return meter, None


def _flicker_report(meter: FlickerMeter | None, note: str | None) -> dict:
    if meter is None:
        return {"unavailable": note or "no voltage"}

    def stamp(records):
        return [{**r, "t": r["t"].isoformat()} for r in records]

    return {
        "lamp": meter.lamp,
        "pst": stamp(meter.pst),
        "plt": stamp(meter.plt),
        "pinst_max": {p: float(v) for p, v in zip(meter.phases, meter.pinst_max, strict=True)},
    }
