"""The board link diagnostics screen (io.board): its rows from a known LinkStatus, its message
without a board, and every string fitting in every language."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from screen_tests import Recording, render

from engine.snapshot import Snapshot
from engine.sources.board.link import STATES, LinkStatus
from i18n import LANGUAGES, catalogue, translator
from screens import registry, textfit
from screens.base import Context
from screens.board import BoardScreen, board_items
from screens.menu import groups

WHEN = datetime(2026, 3, 2, 14, 5, 9, tzinfo=UTC)
COUNTERS = {"frames_good": 600123, "frames_bad": 12, "frames_lost": 17, "gaps": 15}


def link(spc: float = 512.0, state: str = "streaming") -> LinkStatus:
    return LinkStatus(state=state, port="/dev/ttyACM0", sample_rate=spc * 50.0,
                      samples_per_cycle=spc, counters=COUNTERS, reconnects=2)  # fmt: skip


def test_rows_show_the_link_as_it_is():
    rows = dict(board_items(Snapshot(WHEN), Context(tr=translator("en"), link=link())))
    assert rows == {
        "Link": "Receiving",
        "Sample rate": "25600 Hz",
        "Samples/cycle": "512",
        "Frames good": "600123",
        "Frames bad": "12",
        "Frames lost": "17",
        "Gaps": "15",
        "Reconnects": "2",
        "Harmonics to": "63",
        "Flicker": "Available",
    }


def test_a_slow_link_shows_what_it_cannot_carry():
    rows = dict(board_items(Snapshot(WHEN), Context(tr=translator("en"), link=link(16.0))))
    assert rows["Harmonics to"] == "7"  # engine.dsp.harmonics.max_order(16)
    assert rows["Flicker"] == "Unavailable"


def test_without_a_board_the_screen_says_so(qapp):
    recording = Recording("en")
    render(BoardScreen(), Snapshot(WHEN), Context(tr=recording))
    assert "info.board.none" in recording.keys
    assert board_items(Snapshot(WHEN), Context(tr=recording)) == []


def test_the_screen_is_in_the_inputs_outputs_menu():
    (io,) = [g for g in groups() if g.label_key == "menu.inputs_outputs"]
    assert "io.board" in io.screens and registry.get("io.board").title_key == "info.title.board"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_state_and_row_fits_and_is_catalogued(qapp, lang):
    tr = translator(lang)
    screen = registry.get("io.board")
    found = []
    keys = Recording(lang)
    with textfit.collecting() as overflows:
        for state in STATES:
            for spc in (16.0, 512.0):
                ctx = Context(tr=tr, link=link(spc, state))
                for row in range(screen.item_count(Snapshot(WHEN), ctx)):
                    render(screen, Snapshot(WHEN), replace(ctx, selection=row))
                render(screen, Snapshot(WHEN), replace(ctx, tr=keys))
        render(screen, Snapshot(WHEN), Context(tr=tr))
        found = [f"{o.text!r} needs {o.needed} px, has {o.available}" for o in overflows]
    assert found == []
    assert set(keys.keys) <= set(catalogue(lang))
