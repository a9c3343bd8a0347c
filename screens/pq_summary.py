"""Power-quality summaries as value tables: unbalance, flicker, sags/swells and EN 50160.

Unbalance reads the symmetrical components the engine publishes (IEC 61000-4-30 §5.7:
u2 = |U2|/|U1|, u0 = |U0|/|U1|). Flicker (IEC 61000-4-15), the dip/swell/interruption counters
and the EN 50160 shares of the week so far come from the live PQ engine (``engine.pq.live``,
``engine.pq.live_en50160``); a value not measured yet shows "----".
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QPainter

from engine.snapshot import Snapshot
from screens.base import Context, DataScreen
from screens.canvas import BODY, Row, TableStyle, draw_chrome, draw_value_table, format_value
from screens.charts import channel_label, voltage_channels

#: Wider labels than the default table: these rows name things ("V neg. sequence").
STYLE = TableStyle(label_share=0.52, unit_share=0.12)
PHASES = ("A", "B", "C")


@dataclass(frozen=True)
class Line:
    """One row: catalogue key of the label, quantity id, unit symbol, decimals."""

    label_key: str
    qid: str
    unit: str = ""
    decimals: int = 2


#: Units that are not metered quantities (units.toml holds those): their own keys.
OWN_UNITS = {"s": "pq.unit.s"}


def value_row(snapshot: Snapshot, ctx: Context, label: str, line: Line) -> Row:
    """A table row for ``line`` with an already translated ``label``."""
    text, unit = format_value(snapshot.values.get(line.qid), line.unit, line.decimals)
    return Row(label, text, ctx.tr(OWN_UNITS.get(unit, f"unit.{unit}")) if unit else "")


class SummaryScreen(DataScreen):
    """A value table filling the body; subclasses list the rows."""

    lines: tuple[Line, ...] = ()

    def rows(self, snapshot: Snapshot, ctx: Context) -> list[Row]:
        return [value_row(snapshot, ctx, ctx.tr(ln.label_key), ln) for ln in self.lines]

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        draw_chrome(painter, ctx.tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
        draw_value_table(painter, BODY.adjusted(4, 4, -4, -4), self.rows(snapshot, ctx), STYLE)


class UnbalanceScreen(SummaryScreen):
    id = "pq.unbalance"
    title_key = "pq.title.unbalance"
    lines = (
        Line("pq.unbalance.u2_v", "U2_V", "%"),
        Line("pq.unbalance.u0_v", "U0_V", "%"),
        Line("pq.unbalance.u2_i", "U2_I", "%"),
        Line("pq.unbalance.v_pos", "V_SEQ_POS", "V"),
        Line("pq.unbalance.v_neg", "V_SEQ_NEG", "V"),
        Line("pq.unbalance.v_zero", "V_SEQ_ZERO", "V"),
    )


class FlickerScreen(SummaryScreen):
    """Pst (10 min) and Plt (2 h) per voltage channel; ids PST_A/B/C and PLT_A/B/C."""

    id = "pq.flicker"
    title_key = "pq.title.flicker"

    def rows(self, snapshot: Snapshot, ctx: Context) -> list[Row]:
        rows = []
        chans = voltage_channels(ctx.config.wiring)
        for kind in ("PST", "PLT"):
            for phase, ch in zip(PHASES, chans, strict=False):
                label = f"{ctx.tr(f'pq.flicker.{kind.lower()}')} {channel_label(ctx, ch)}"
                rows.append(value_row(snapshot, ctx, label, Line("", f"{kind}_{phase}")))
        return rows


class SagSwellScreen(SummaryScreen):
    """Event counters since the last reset, the last event and the waveform captures."""

    id = "pq.sagswell"
    title_key = "pq.title.sagswell"
    lines = (
        Line("pq.sagswell.dips", "DIP_COUNT", decimals=0),
        Line("pq.sagswell.swells", "SWELL_COUNT", decimals=0),
        Line("pq.sagswell.interruptions", "INTERRUPTION_COUNT", decimals=0),
        Line("pq.sagswell.last_magnitude", "LAST_EVENT_MAGNITUDE", "%", 1),
        Line("pq.sagswell.last_duration", "LAST_EVENT_DURATION", "s", 3),
        Line("pq.sagswell.captures", "CAPTURE_COUNT", decimals=0),
    )


class En50160Screen(SummaryScreen):
    """EN 50160 over the week so far [% of valid values within the limit that holds for most
    of the week]: frequency (10-s values), supply voltage, Plt, u2, THD, harmonics 2-25."""

    id = "pq.en50160"
    title_key = "pq.title.en50160"
    lines = tuple(
        Line(f"pq.en50160.{name}", f"EN50160_{name.upper()}", "%", 1)
        for name in ("frequency", "voltage", "flicker", "unbalance", "thd", "harmonics")
    )


SCREENS = (UnbalanceScreen(), FlickerScreen(), SagSwellScreen(), En50160Screen())
