"""The acquisition board's link on the TFT: state, rate, frames good / bad / lost, gaps,
reconnects, and what the rate carries (harmonic orders, flicker). Read from ``ctx.link``
(``engine.sources.board.link.LinkStatus``), which the window takes live from the source."""

from __future__ import annotations

from PySide6.QtGui import QPainter

from engine.dsp.harmonics import max_order
from engine.snapshot import Snapshot
from engine.sources.board.link import FLICKER_MIN_SPC, HARMONIC_ORDERS
from screens.base import NO_KEY, Context, SoftKey
from screens.canvas import MISSING, draw_chrome, draw_message
from screens.info import Items, ParameterList

STATE_KEYS = {
    "connecting": "info.board.state.connecting",
    "streaming": "info.board.state.streaming",
    "stalled": "info.board.state.stalled",
    "no link": "info.board.state.no_link",
    "closed": "info.board.state.closed",
}


def board_items(snapshot: Snapshot, ctx: Context) -> Items:
    """Label / value rows of the link in ``ctx.link`` (none without a board)."""
    link = ctx.link
    if link is None:
        return []
    tr = ctx.tr
    c = link.counters
    spc = link.samples_per_cycle
    rate = f"{link.sample_rate:g} {tr('unit.Hz')}" if link.sample_rate else MISSING
    top = max_order(spc, HARMONIC_ORDERS) if spc else None
    flicker = "info.board.available" if spc >= FLICKER_MIN_SPC else "info.board.unavailable"
    return [
        (tr("info.board.state"), tr(STATE_KEYS.get(link.state, "info.board.state.no_link"))),
        (tr("info.board.rate"), rate),
        (tr("info.board.spc"), f"{spc:g}" if spc else MISSING),
        (tr("info.board.good"), str(c.get("frames_good", 0))),
        (tr("info.board.bad"), str(c.get("frames_bad", 0))),
        (tr("info.board.lost"), str(c.get("frames_lost", 0))),
        (tr("info.board.gaps"), str(c.get("gaps", 0))),
        (tr("info.board.reconnects"), str(link.reconnects)),
        (tr("info.board.harmonics"), MISSING if top is None else str(top)),
        (tr("info.board.flicker"), tr(flicker) if spc else MISSING),
    ]


#: ▲/▼ scroll the rows (more than fit), ↵ back; nothing to choose on a diagnostics list.
KEYS = (SoftKey("up"), SoftKey("down"), NO_KEY, SoftKey("back"))


class BoardScreen(ParameterList):
    """Board link diagnostics; a message instead when the inputs are not a board."""

    def __init__(self) -> None:
        super().__init__("io.board", "info.title.board", board_items)

    def softkeys(self, snapshot: Snapshot, ctx: Context) -> tuple[SoftKey, ...]:
        return KEYS

    def render(self, painter: QPainter, snapshot: Snapshot, ctx: Context) -> None:
        if ctx.link is None:
            draw_chrome(painter, ctx.tr(self.title_key), ctx, self.softkeys(snapshot, ctx))
            draw_message(painter, ctx.tr("info.board.none"))
            return
        super().render(painter, snapshot, ctx)


SCREENS = (BoardScreen(),)
