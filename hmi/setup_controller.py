"""The Setup editing session, Qt-free and clock-free (``now`` [s, monotonic] is handed in): what
✎, ✓ and the soft keys do while a setting, the password entry, a question or a message is shown
over a Setup list (issue 5 "Editing the way the meter does", front-panel.md §3.4-3.6 and §7).

- ✎ on a row: a billing setting while the revenue lock is in force -> "Revenue locked"; editing
  locked out after wrong passwords -> "Editing locked: n min"; the password needed -> the
  password entry, then the setting's editor; else the editor at once.
- ✓ in an editor: out of range -> the allowed range under the field, the old value back in it;
  unchanged -> closed; changed -> "Save changes?" (Yes highlighted); Yes -> the new
  configuration goes to ``target.change`` (engine, file, display); No or ✕ -> nothing changes.
- ✓ on a reset: refused while locked (energy, peak demand, master) -> password if needed ->
  "Reset …?" (No highlighted) -> ``target.reset`` -> "Done".
- Test Mode (the pseudo-setting ``TEST_MODE``): an on/off editor behind the password, refused
  while revenue-locked.
- Date and Time (``CLOCK_KEYS``): the date or time editor at the local clock
  (``hmi.clock_editing``); Yes stores the ``clock.adjust`` that makes the clock read what was
  entered, at that moment. Before the source has given a time: "Time not known yet".

Soft keys (a guess, kept in the ``*_KEYS`` constants): the meter has four, so a digit field
shows ▲ ▼ ✓ ◄ (◄ goes round from the first digit to the last, which reaches every digit) and
leaves ✕ to ✓-then-No, Home or the keyboard's Esc; a choice, on/off or question shows
▲ ▼ ✓ ✕; a message shows ✓, and any key closes it (or ``MESSAGE_SECONDS`` pass).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine.control import RevenueLocked
from hmi.clock_editing import CLOCK_KEYS, DateEditor, TimeEditor, clock_adjust, clock_editor
from hmi.editing import (
    OUT_OF_RANGE,
    BoolEditor,
    Confirmation,
    Editor,
    IpEditor,
    NumericEditor,
    Refused,
    apply,
    editor_for,
    rule_for,
)
from hmi.password import LOCKED, OK, PasswordGate, refused_by_lock, refused_reset
from screens.base import NO_KEY, SoftKey

if TYPE_CHECKING:  # the bridge module imports Qt; this one stays free of it
    from hmi.bridge import MeterLink

PASSWORD, EDITOR, CONFIRM, MESSAGE = "password", "editor", "confirm", "message"
#: The Test Mode list's one row: not a configuration setting, the meter's state.
TEST_MODE = "test_mode"
#: How long a message stays if no key closes it [s].
MESSAGE_SECONDS = 4.0
DIGIT_KEYS = (SoftKey("up"), SoftKey("down"), SoftKey("select"), SoftKey("left"))
CHOICE_KEYS = (SoftKey("up"), SoftKey("down"), SoftKey("select"), SoftKey("cancel"))
MESSAGE_KEYS = (NO_KEY, NO_KEY, SoftKey("select"), NO_KEY)
SOFT_KEYS = ("soft1", "soft2", "soft3", "soft4")
#: Keys that close whatever is open and go on to the navigation (Home goes home).
PASS_THROUGH = frozenset({"home", "home_long"})


@dataclass(frozen=True)
class Range:
    """Allowed values of a setting, for the screen to put into words (``edit.range.<kind>``):
    "between" ``low``..``high``, "above" (more than ``low``), "interval" (``low``..``high`` s
    dividing 24 h), "ip", "subnet", "choice" (one of the listed values), "date" (one that
    exists, years ``low``..``high``), "time" (00:00:00 to 23:59:59)."""

    kind: str
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Overlay:
    """What the TFT shows over the Setup list (``screens.editing`` draws it).

    ``key``: the setting (dotted), ``TEST_MODE`` or the reset kind; ``text`` the field as
    shown, ``cursor`` its highlighted character (None: a choice, highlighted whole, ``value``
    then being the choice for the screen to translate); ``message_key`` the question, the
    message or the note under the field, with ``args`` for its placeholders; ``yes`` the
    highlighted answer of a question (and ``value`` the new value "Save changes?" asks about);
    ``range`` the allowed values after an out-of-range ✓."""

    kind: str
    softkeys: tuple[SoftKey, ...]
    key: str | None = None
    text: str = ""
    cursor: int | None = None
    value: Any = None
    message_key: str = ""
    args: tuple[tuple[str, Any], ...] = ()
    yes: bool = True
    range: Range | None = None


@dataclass
class _State:
    kind: str
    key: str | None = None
    editor: Editor | None = None
    question: Confirmation | None = None
    then: Callable[[float], None] | None = None  # after the password / a Yes
    value: Any = None  # the new value a "Save changes?" is about
    message_key: str = ""
    args: tuple[tuple[str, Any], ...] = ()
    range: Range | None = None
    until: float | None = None  # messages


class SetupController:
    """The editing session over the Setup lists; ``overlay`` is what to draw (None: the list
    alone). ``target`` (``hmi.bridge.MeterLink``: ``config``, ``revenue_locked``,
    ``test_mode``, ``change``, ``reset``, ``set_test_mode``) receives accepted changes;
    ``gate`` decides about the password; ``source_time`` gives the source's time [UTC] the
    clock is set against (None: not known yet; default: the target's meter's snapshot)."""

    def __init__(
        self,
        target: MeterLink,
        gate: PasswordGate | None = None,
        source_time: Callable[[], datetime | None] | None = None,
    ) -> None:
        self.target = target
        self.gate = gate or PasswordGate(target.config.security)
        self.source_time = source_time or (lambda: _meter_time(target))
        self.screen_id: str | None = None  # the list the overlay was opened on
        self._state: _State | None = None

    # -- reading ------------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return self._state is not None

    @property
    def overlay(self) -> Overlay | None:
        s = self._state
        if s is None:
            return None
        if s.kind == MESSAGE:
            return Overlay(MESSAGE, MESSAGE_KEYS, s.key, message_key=s.message_key, args=s.args,
                           range=s.range)  # fmt: skip
        if s.kind == CONFIRM:
            assert s.question is not None
            return Overlay(CONFIRM, CHOICE_KEYS, s.key, value=s.value,
                           message_key=s.question.question_key, yes=s.question.yes)  # fmt: skip
        editor = s.editor
        assert editor is not None
        digits = editor.cursor is not None  # a field edited character by character
        return Overlay(
            s.kind, DIGIT_KEYS if digits else CHOICE_KEYS, s.key, editor.text, editor.cursor,
            None if digits else editor.value, s.message_key, range=s.range,
        )  # fmt: skip

    # -- starting -----------------------------------------------------------------------------

    def touch(self, now: float) -> None:
        """A key in Setup at ``now`` [s]: the password stays valid longer."""
        self.gate.touch(now)

    def close(self) -> None:
        self._state, self.screen_id = None, None

    def edit(self, screen_id: str, key: str | None, now: float) -> None:
        """✎ on a row of ``screen_id`` that edits setting ``key`` (None: not editable here)."""
        self.screen_id = screen_id
        billing = key == TEST_MODE  # the lock refuses test mode as it does billing settings
        if key is not None and not billing and key not in CLOCK_KEYS:
            try:
                billing = refused_by_lock(key)
            except KeyError:  # no setting of the configuration: nothing to edit
                key = None
        if key is None:
            self._message("edit.not_editable", now)
        elif billing and self.target.revenue_locked:
            self._message("edit.revenue_locked", now)
        else:
            self._with_password(now, lambda t: self._open_editor(key, t))

    def reset(self, screen_id: str, kind: str, now: float) -> None:
        """✓ on the reset ``kind`` of the Resets list."""
        self.screen_id = screen_id
        if refused_reset(kind) and self.target.revenue_locked:
            self._message("edit.revenue_locked", now)
            return

        def confirm(t: float) -> None:
            self._state = _State(CONFIRM, kind, question=Confirmation.for_reset(kind),
                                 then=lambda t2: self._do_reset(kind, t2))  # fmt: skip

        self._with_password(now, confirm)

    def force_relay(self, screen_id: str, relay: int, on: bool, now: float) -> None:
        """✓ on a relay of the Outputs screen: the password first, then the relay switches."""
        self.screen_id = screen_id

        def switch(t: float) -> None:
            self.target.force_relay(relay, on)
            self._message("info.outputs.switched", t)

        self._with_password(now, switch)

    def acknowledge(self, screen_id: str, alarm_id: str | None, now: float) -> None:
        """ACK (``alarm_id``) or ALL (None) on an alarm's details: the password first when
        Password Setup asks for it to acknowledge, then "Acknowledged"."""
        self.screen_id = screen_id

        def ack(t: float) -> None:
            try:
                self.target.acknowledge(alarm_id)
            except ValueError:  # the alarm was removed from the configuration meanwhile
                self._message("edit.not_accepted", t)
                return
            self._message("alarms.acknowledged", t)

        if self.target.config.security.ack_password:
            self._with_password(now, ack)
        else:
            ack(now)

    def _with_password(self, now: float, then: Callable[[float], None]) -> None:
        left = self.gate.locked_for(now)
        if left > 0:
            self._locked_out(left, now)
        elif self.gate.needed(now):
            self._state = _State(PASSWORD, editor=self.gate.start(), then=then,
                                 message_key="edit.password")  # fmt: skip
        else:
            then(now)

    def _open_editor(self, key: str, now: float) -> None:
        if key == TEST_MODE:
            editor: Editor = BoolEditor(self.target.test_mode)
        elif key in CLOCK_KEYS:
            source = self.source_time()
            if source is None:
                self._message("edit.no_clock", now)
                return
            editor = clock_editor(key, self.target.config, source)
        else:
            editor = editor_for(key, self.target.config)
        self._state = _State(EDITOR, key, editor=editor)

    # -- keys and time ------------------------------------------------------------------------

    def press(self, key: str, now: float) -> bool:
        """Key ``key`` (a navigation key name) at ``now`` [s] while the overlay is open; False
        when it closed the overlay and the navigation should carry it out too (Home)."""
        s = self._state
        if s is None:
            return False
        self.gate.touch(now)
        if key in PASS_THROUGH:
            self.close()
            return False
        action = self._action(key)
        if s.kind == MESSAGE:
            self.close()  # any key closes a message
        elif action is None:
            pass
        elif action == "cancel":
            self.close()
        elif s.kind == CONFIRM:
            self._answer(s, action, now)
        elif action == "select":
            self._select(s, now)
        elif action in ("up", "down", "left", "right"):
            assert s.editor is not None
            s.editor.press(action)
            s.range, s.message_key = None, ("edit.password" if s.kind == PASSWORD else "")
        return True

    def tick(self, now: float) -> bool:
        """Advance to ``now`` [s]; True if the overlay changed (a message timed out)."""
        s = self._state
        if s is not None and s.until is not None and now >= s.until:
            self.close()
            return True
        return False

    def _action(self, key: str) -> str | None:
        shown = self.overlay.softkeys if self.overlay is not None else ()
        if key in SOFT_KEYS:
            index = SOFT_KEYS.index(key)
            return shown[index].action if index < len(shown) else None
        if key in ("back", "cancel"):  # Esc: leave without saving, whatever the keys show
            return "cancel"
        return key if key in {k.action for k in shown} else None

    def _answer(self, s: _State, action: str, now: float) -> None:
        assert s.question is not None
        if action in ("up", "down"):
            s.question.press(action)
        elif action == "select":
            if s.question.select() and s.then is not None:
                s.then(now)
            else:
                self.close()

    def _select(self, s: _State, now: float) -> None:
        assert s.editor is not None
        if s.kind == PASSWORD:
            answer = self.gate.submit(s.editor.text, now)
            if answer == OK and s.then is not None:
                s.then(now)
            elif answer == LOCKED:
                self._locked_out(self.gate.locked_for(now), now)
            else:
                self._message("edit.wrong_password", now)
            return
        result = s.editor.commit()
        if result.status == OUT_OF_RANGE:
            s.message_key, s.range = "edit.out_of_range", range_of(s.key, s.editor)
        elif not result.changed:
            self.close()
        else:
            key, value = s.key, result.value
            # A date or time is asked about as the editor wrote it (the date format's order).
            shown = s.editor.text if key in CLOCK_KEYS else value
            self._state = _State(CONFIRM, key, question=Confirmation(), value=shown,
                                 then=lambda t: self._save(key, value, t))  # fmt: skip

    # -- carrying out -------------------------------------------------------------------------

    def _save(self, key: str | None, value: Any, now: float) -> None:
        try:
            if key == TEST_MODE:
                self.target.set_test_mode(bool(value))
            elif key in CLOCK_KEYS:
                source = self.source_time()
                if source is None:
                    self._message("edit.no_clock", now)
                    return
                adjust = clock_adjust(key, value, self.target.config, source)
                self.target.change(apply(self.target.config, "clock.adjust", adjust))
            else:
                assert key is not None
                self.target.change(apply(self.target.config, key, value))
        except RevenueLocked:
            self._message("edit.revenue_locked", now)
            return
        except (Refused, ValueError):
            self._message("edit.not_accepted", now)
            return
        self.gate.security = self.target.config.security  # a new password counts at once
        self.gate.touch(now)
        self.close()

    def _do_reset(self, kind: str, now: float) -> None:
        try:
            self.target.reset(kind)
        except RevenueLocked:
            self._message("edit.revenue_locked", now)
            return
        self._message("edit.done", now)

    def _message(self, message_key: str, now: float, **args: Any) -> None:
        self._state = _State(MESSAGE, message_key=message_key, args=tuple(args.items()),
                             until=now + MESSAGE_SECONDS)  # fmt: skip

    def _locked_out(self, seconds: float, now: float) -> None:
        self._message("edit.locked_out", now, m=max(1, math.ceil(seconds / 60.0)))


def range_of(key: str | None, editor: Editor) -> Range:
    """The allowed values of setting ``key`` as its editor refused them."""
    if isinstance(editor, DateEditor):
        return Range("date", *editor.years)
    if isinstance(editor, TimeEditor):
        return Range("time")
    if isinstance(editor, IpEditor):
        subnet = key == "communications.subnet" and max(editor.octets) <= 255
        return Range("subnet" if subnet else "ip")
    if isinstance(editor, NumericEditor):
        if key == "demand.interval":
            return Range("interval", editor.minimum, editor.maximum)
        rule = rule_for(key) if key and key != TEST_MODE else None
        if rule is not None and rule.high is None:  # "a number > 0": the field caps the top
            return Range("above", rule.low if rule.low is not None else 0.0)
        return Range("between", editor.minimum, editor.maximum)
    return Range("choice")


def _meter_time(target: MeterLink) -> datetime | None:
    """The time of the target's meter's latest snapshot; None without a meter or data."""
    meter = getattr(target, "meter", None)
    snapshot = getattr(meter, "snapshot", None)
    return snapshot.time if snapshot is not None and snapshot.values else None
