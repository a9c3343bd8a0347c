"""Waveform: the last two cycles of the inputs (snapshot.waveform), voltages on page 1 and
currents on page 2 (with I4 when it carries current).

In delta the voltage inputs are measured to a common reference that is not a neutral, so the
screen draws the line-to-line differences V1−V2, V2−V3, V3−V1 (what Vab, Vbc, Vca mean). The
vertical axis is symmetric and auto-scaled to a round value above the highest peak; the peak
itself is printed in the header. Time runs in ms from the first sample (a rising crossing).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect
from PySide6.QtGui import QPainter

from engine.snapshot import Snapshot, Waveform
from screens.base import Context, DataScreen
from screens.canvas import BODY, MISSING, draw_chrome, draw_message, format_value
from screens.charts import (
    COLOURS,
    RIGHT,
    channel_label,
    current_channels,
    draw_header,
    draw_legend,
    draw_text,
    draw_trace,
    draw_x_ticks,
    draw_y_axis,
    nice_ceiling,
    page_text,
    phase_colour,
    tick_text,
    voltage_channels,
)

PAGES = 2
#: Plot area [px]: left of it the amplitude labels, under it the time labels.
PLOT = QRect(44, BODY.top() + 40, 268, 120)
#: Full-scale steps: finer than 1-2-5 so a 325 V peak gets a 400 V axis, not 500 V.
SCALE_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
#: I4 is drawn when its peak exceeds this fraction of the largest phase-current peak.
I4_THRESHOLD = 0.005
_LINE_TO_LINE = ((0, 1), (1, 2), (2, 0))


class WaveformScreen(DataScreen):
    """Two cycles of voltages (page 1) or currents (page 2)."""

    id = "pq.waveform"
    title_key = "pq.title.waveform"

    def page_count(self, snapshot: Snapshot, ctx: Context) -> int:
        return PAGES

    def traces(self, wave: Waveform, ctx: Context) -> list[tuple[str, np.ndarray]]:
        """(channel id, samples [V or A]) drawn on this page."""
        wiring = ctx.config.wiring
        if ctx.page % PAGES == 0:
            chans = voltage_channels(wiring)
            if wiring == "3W-DELTA":
                rows = [wave.voltage[a] - wave.voltage[b] for a, b in _LINE_TO_LINE]
            else:
                rows = list(wave.voltage[: len(chans)])
            return list(zip(chans, rows, strict=True))
        chans = current_channels(wiring)
        found = list(zip(chans, wave.current[: len(chans)], strict=True))
        phase_peak = max((float(np.max(np.abs(x))) for _, x in found), default=0.0)
        neutral = wave.current[3]
        peak_n = float(np.max(np.abs(neutral))) if neutral.size else 0.0
        if peak_n > 0 and peak_n > I4_THRESHOLD * phase_peak:
            found.append(("I_N", neutral))
        return found

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        tr = ctx.tr
        draw_chrome(painter, tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        voltage = ctx.page % PAGES == 0
        unit = "V" if voltage else "A"
        wave = snapshot.waveform
        traces = self.traces(wave, ctx) if wave is not None and wave.voltage.size else []
        peak = max((float(np.max(np.abs(x))) for _, x in traces if x.size), default=0.0)
        peak_text, peak_unit = format_value(peak if traces else None, unit, 1)
        name = tr("pq.waveform.voltage" if voltage else "pq.waveform.current")
        head = f"{name}   {tr('pq.waveform.peak')} {peak_text} {tr(f'unit.{peak_unit}')}"
        draw_header(painter, head, page_text(ctx.page, PAGES))
        legend = QRect(PLOT.left(), PLOT.top() - 20, PLOT.width(), 14)
        draw_legend(
            painter, legend, [(channel_label(ctx, ch), phase_colour(ch)) for ch, _ in traces]
        )
        if not traces or not peak > 0:
            draw_y_axis(painter, PLOT, [])
            draw_x_ticks(painter, PLOT, [])
            draw_message(painter, f"{MISSING}   {tr('pq.waveform.none')}", PLOT)
            return
        full = nice_ceiling(peak, SCALE_STEPS)
        full_text, full_unit = format_value(full, unit)
        # One unit prefix for the axis: the one the full scale takes (400 V, 1.2 kV).
        scale = full / float(full_text)
        ticks = [(0.0, tick_text(-full / scale)), (0.5, "0"), (1.0, tick_text(full / scale))]
        draw_y_axis(painter, PLOT, ticks)
        draw_text(
            painter,
            QRect(BODY.left() + 2, PLOT.top() - 20, 40, 14),
            tr(f"unit.{full_unit}"),
            10,
            colour=COLOURS.axis,
        )
        duration = 1000.0 * traces[0][1].size / wave.sample_rate  # [ms]
        ms = np.arange(0.0, duration + 1e-9, 10.0 if duration <= 50 else 20.0)
        draw_x_ticks(painter, PLOT, [(t / duration, tick_text(t)) for t in ms])
        draw_text(
            painter,
            QRect(PLOT.right() - 30, PLOT.bottom() + 15, 30, 12),
            tr("pq.unit.ms"),
            10,
            colour=COLOURS.axis,
            align=RIGHT,
        )
        for ch, samples in traces:
            draw_trace(painter, PLOT, samples, full, phase_colour(ch))


SCREENS = (WaveformScreen(),)
