"""The editing overlay over the Setup lists (screens/editing.py) and the lists' setting keys
(screens/setup_lists.py): what is drawn where, and which catalogue strings are asked for."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter

from engine.config import RULES, DisplaySettings, MeterConfig
from engine.snapshot import Snapshot
from hmi.editing import editor_for
from hmi.setup_controller import CHOICE_KEYS, DIGIT_KEYS, MESSAGE_KEYS, Overlay, Range
from i18n import LANGUAGES, catalogue, translator
from screens import setup_lists, textfit
from screens.base import Context, Status
from screens.canvas import BODY, HEIGHT, PALETTE, SOFTKEY_BAR, WIDTH
from screens.editing import PANEL, EditingScreen, field_suffix, message_text, range_text
from screens.setup_lists import EDIT_KEYS, TEST_MODE, SetupList

SNAP = Snapshot(datetime(2026, 3, 2, 14, 5, 9, tzinfo=UTC))
BY_ID = {s.id: s for s in setup_lists.SCREENS}
FIELD = QRect(PANEL.left() + 10, PANEL.top() + 40, PANEL.width() - 20, 42)
SELECTION = QColor(PALETTE.selection).rgb()


class Recording:
    def __init__(self, language: str = "en") -> None:
        self.tr, self.keys = translator(language), []

    def __call__(self, key: str) -> str:
        self.keys.append(key)
        return self.tr(key)


def render(overlay: Overlay | None, ctx: Context, screen_id: str = "setup.meter") -> QImage:
    screen = BY_ID[screen_id]
    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    (screen if overlay is None else EditingScreen(screen, overlay)).render(painter, SNAP, ctx)
    painter.end()
    return image


def columns_of(image: QImage, rect: QRect, rgb: int) -> list[int]:
    """x of the columns of ``rect`` with a pixel of colour ``rgb``."""
    return [
        x
        for x in range(rect.left(), rect.right() + 1)
        if any(image.pixel(x, y) == rgb for y in range(rect.top(), rect.bottom() + 1))
    ]


CT = Overlay("editor", DIGIT_KEYS, "meter.ct_primary", "000005", 5)


def test_an_editor_is_drawn_over_the_list_with_its_own_soft_keys(qapp):
    ctx = Context(tr=Recording(), selection=3)
    plain, edited = render(None, ctx), render(CT, ctx)
    assert edited.copy(PANEL) != plain.copy(PANEL)
    assert edited.copy(SOFTKEY_BAR) != plain.copy(SOFTKEY_BAR)  # ▲ ▼ ✓ ◄ instead of ▲ ▼ ✎ ↵
    assert edited.copy(QRect(0, 0, WIDTH, BODY.top())) == plain.copy(QRect(0, 0, WIDTH, 20))
    assert EditingScreen(BY_ID["setup.meter"], CT).softkeys(SNAP, ctx) == DIGIT_KEYS
    assert "unit.A" in ctx.tr.keys and "info.meter.ct_primary" in ctx.tr.keys  # unit, heading


def test_the_highlight_follows_the_cursor(qapp):
    ctx = Context(tr=translator("en"), selection=3)
    last = columns_of(render(CT, ctx), FIELD, SELECTION)
    third = columns_of(render(replace(CT, cursor=2), ctx), FIELD, SELECTION)
    assert last and third and max(third) < min(last)


def test_a_choice_is_highlighted_whole_and_translated(qapp):
    tr = Recording()
    delta = MeterConfig(wiring="3W-DELTA")
    overlay = Overlay("editor", CHOICE_KEYS, "meter.wiring", "3W-DELTA", None, "3W-DELTA")
    image = render(overlay, Context(tr=tr, config=delta))
    assert "info.wiring.3W-DELTA" in tr.keys
    assert len(columns_of(image, FIELD, SELECTION)) > 60  # the whole word, not one character


def test_password_entry_has_its_own_heading(qapp):
    tr = Recording()
    render(Overlay("password", DIGIT_KEYS, None, "00000000", 7, message_key="edit.password"),
           Context(tr=tr))  # fmt: skip
    assert "edit.password" in tr.keys


def test_out_of_range_shows_the_allowed_range_from_the_catalogue(qapp):
    tr = Recording()
    overlay = replace(CT, key="display.contrast", text="150", cursor=0,
                      message_key="edit.out_of_range", range=Range("between", 0, 100))  # fmt: skip
    plain = render(replace(overlay, message_key="", range=None), Context(tr=tr))
    noted = render(overlay, Context(tr=tr))
    assert {"edit.out_of_range", "edit.range.between"} <= set(tr.keys)
    below = QRect(PANEL.left(), FIELD.bottom() + 1, PANEL.width(), PANEL.bottom() - FIELD.bottom())
    assert noted.copy(below) != plain.copy(below)
    assert range_text(overlay, translator("en")) == "Allowed: 0 to 100 %"
    above = replace(overlay, key="meter.pt_primary", range=Range("above", 0.0))
    assert range_text(above, translator("en")) == "Allowed: more than 0 V"
    decimals = replace(overlay, key="display.volts_decimals", range=Range("between", 0, 4))
    assert range_text(decimals, translator("en")) == "Allowed: 0 to 4"
    assert "whole number" not in range_text(overlay, translator("en"))  # not the engine's text


def test_save_question_shows_the_new_value_and_the_highlighted_answer(qapp):
    tr = Recording()
    yes = Overlay("confirm", CHOICE_KEYS, "meter.ct_primary", value=200.0,
                  message_key="edit.save_changes", yes=True)  # fmt: skip
    left = QRect(PANEL.left(), PANEL.bottom() - 42, PANEL.width() // 2, 32)
    right = left.translated(PANEL.width() // 2, 0)
    on_yes, on_no = render(yes, Context(tr=tr)), render(replace(yes, yes=False), Context(tr=tr))
    assert columns_of(on_yes, left, SELECTION) and not columns_of(on_yes, right, SELECTION)
    assert columns_of(on_no, right, SELECTION) and not columns_of(on_no, left, SELECTION)
    assert {"edit.save_changes", "edit.yes", "edit.no", "unit.A"} <= set(tr.keys)


def test_messages_fill_their_placeholders():
    tr = translator("en")
    locked = Overlay("message", MESSAGE_KEYS, message_key="edit.locked_out", args=(("m", 3),))
    assert message_text(locked, tr) == "Editing locked: 3 min"
    assert message_text(replace(locked, args=()), tr) == "Editing locked: {m} min"  # no crash


def test_a_resolution_editor_shows_the_step_it_gives():
    overlay = Overlay("editor", DIGIT_KEYS, "display.volts_decimals", "2", 0)
    assert field_suffix(overlay, translator("en")) == "= 0.01 V"
    assert field_suffix(CT, translator("en")) == "A"


# -- the lists' setting keys ---------------------------------------------------------------------


@pytest.mark.parametrize("config", [MeterConfig(), MeterConfig(wiring="3W-DELTA")])
def test_every_row_names_a_setting_its_editor_can_edit(qapp, config):
    ctx = Context(tr=translator("en"), config=config)
    for screen in setup_lists.SCREENS:
        rows = screen.rows(SNAP, ctx)
        assert [r[:2] for r in rows] == screen.build(SNAP, ctx)
        for i, (_, _, key) in enumerate(rows):
            assert screen.setting(SNAP, ctx, i) == key
            if key not in (None, TEST_MODE):
                editor_for(key, config)  # raises for a key that is no setting


def test_editable_lists_show_the_edit_key():
    ctx = Context(tr=translator("en"))
    editable = {s.id for s in setup_lists.SCREENS if s.softkeys(SNAP, ctx) == EDIT_KEYS}
    assert {"setup.meter", "setup.comms", "setup.display", "setup.test", "setup.alarms"} <= editable
    assert not editable & {"setup.language", "setup.resets"}  # ✓ chooses there


def test_the_test_mode_list_follows_the_snapshot():
    ctx = Context(tr=translator("en"))
    screen: SetupList = BY_ID["setup.test"]
    assert screen.build(SNAP, ctx) == [("Test mode", "Off")]
    testing = replace(SNAP, flags=frozenset({"TEST_MODE"}))
    assert screen.build(testing, ctx) == [("Test mode", "On")]


def test_every_choice_of_every_setting_is_written_through_the_catalogue():
    tr = translator("en")
    english = catalogue("en")
    for key, rule in RULES.items():
        for choice in rule.choices:
            text = setup_lists.choice_text(key, choice, tr)
            assert text and not text.startswith(("info.", "edit.")), (key, choice, text)
    assert set(english) >= {f"edit.polarity.{c}" for c in ("normal", "inverted")}


# -- text fit ------------------------------------------------------------------------------------

OVERLAYS = (
    Overlay("password", DIGIT_KEYS, None, "00000000", 7, message_key="edit.password"),
    *(
        Overlay("message", MESSAGE_KEYS, message_key=k, args=(("m", 60),))
        for k in (
            "edit.wrong_password",
            "edit.locked_out",
            "edit.revenue_locked",
            "edit.not_accepted",
            "edit.not_editable",
            "edit.done",
        )
    ),
    *(
        Overlay("confirm", CHOICE_KEYS, kind, message_key=f"edit.reset_{kind}", yes=False)
        for kind in setup_lists.RESETS
    ),
    Overlay("confirm", CHOICE_KEYS, "meter.pulse_kt", value=1e9, message_key="edit.save_changes"),
    *(
        Overlay(
            "editor",
            DIGIT_KEYS,
            "meter.pulse_kt",
            "1000000000.00",
            9,
            message_key="edit.out_of_range",
            range=Range(kind, 0.01, 1e9),
        )
        for kind in ("between", "above", "interval", "ip", "subnet", "choice")
    ),
    Overlay("editor", CHOICE_KEYS, "meter.pulse_source", "kWh del+rec", None, "kWh del+rec"),
    Overlay("editor", CHOICE_KEYS, "display.pf_symbol", "cap/ind", None, "cap/ind"),
)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_editing_string_fits(qapp, lang):
    config = MeterConfig(display=DisplaySettings(language=lang))
    ctx = Context(tr=translator(lang), config=config, status=Status(mode="TEST", locked=True))
    with textfit.collecting() as overflows:
        for overlay in OVERLAYS:
            render(overlay, ctx)
    assert not overflows, [(o.text, o.needed, o.available) for o in overflows]
