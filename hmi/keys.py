"""From keyboard keys and bezel buttons to the key names the navigation takes.

Key names: "soft1".."soft4", "home", "home_long", and the actions "up", "down", "left",
"right", "select", "back", "more". Keyboard: F1-F4 soft keys, Home, Esc = back, arrows,
Enter/Return = select, PageDown = more.

Short vs long press: a key with a long form (Home: hold for ``LONG_PRESS`` s = "home_long",
the NORM/ALT switch) sends nothing when pressed; it sends its long form as soon as it has been
held long enough, else its short form on release. Every other key sends on press. Keyboard
auto-repeat is ignored, so holding a key is one press and one release.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent

#: How long Home must be held for its long form [s].
LONG_PRESS = 1.5

#: Keyboard key -> key name.
KEYBOARD: dict[Qt.Key, str] = {
    Qt.Key.Key_F1: "soft1",
    Qt.Key.Key_F2: "soft2",
    Qt.Key.Key_F3: "soft3",
    Qt.Key.Key_F4: "soft4",
    Qt.Key.Key_Home: "home",
    Qt.Key.Key_Escape: "back",
    Qt.Key.Key_Up: "up",
    Qt.Key.Key_Down: "down",
    Qt.Key.Key_Left: "left",
    Qt.Key.Key_Right: "right",
    Qt.Key.Key_Return: "select",
    Qt.Key.Key_Enter: "select",  # the keypad's Enter
    Qt.Key.Key_PageDown: "more",
}

#: Keys with a long form: key name -> the name sent when held.
LONG_FORMS = {"home": "home_long"}

#: What each key is called in tooltips (which keyboard key does the same).
SHORTCUTS = {
    "soft1": "F1", "soft2": "F2", "soft3": "F3", "soft4": "F4", "home": "Home key",
}  # fmt: skip


def key_name(key: int | Qt.Key) -> str | None:
    """The key name of a keyboard key (``Qt.Key``), or None for a key the panel does not use."""
    try:
        return KEYBOARD.get(Qt.Key(key))
    except ValueError:
        return None


class PressTimer:
    """Short / long press logic on explicit times [s]; no Qt, no clock of its own.

    ``press`` returns the name to send at once (keys without a long form) or None; ``due``
    returns the long form once the key has been held ``long_press`` [s] (once per press);
    ``release`` returns the short form when the long one was not sent.
    """

    def __init__(self, long_press: float = LONG_PRESS) -> None:
        self.long_press = long_press
        self._held: dict[str, float] = {}  # key with a long form -> when it went down [s]
        self._fired: set[str] = set()

    def press(self, name: str, now: float) -> str | None:
        if name not in LONG_FORMS:
            return name
        # A press always starts a new hold, even after a lost release.
        self._fired.discard(name)
        self._held[name] = now
        return None

    def deadline(self) -> float | None:
        """When the next long form falls due [s], or None."""
        waiting = [t + self.long_press for k, t in self._held.items() if k not in self._fired]
        return min(waiting, default=None)

    def due(self, now: float) -> list[str]:
        """Long forms that fell due by ``now`` (each sent once per press)."""
        fired = []
        for name, down in self._held.items():
            if name not in self._fired and now - down >= self.long_press:
                self._fired.add(name)
                fired.append(LONG_FORMS[name])
        return fired

    def release(self, name: str, now: float) -> str | None:
        if name not in self._held:
            return None
        down = self._held.pop(name)
        if name in self._fired:
            self._fired.discard(name)
            return None  # the long form went out while the key was held
        # Held past the threshold but released before anyone asked ``due``: still long.
        return LONG_FORMS[name] if now - down >= self.long_press else name


class KeyInput(QObject):
    """Turns presses and releases (from the keyboard or the bezel buttons) into ``key(name)``
    signals, with a ``QTimer`` that sends a long form while the key is still held.

    ``clock`` [s] is ``time.monotonic`` unless a test gives another.
    """

    key = Signal(str)

    def __init__(
        self,
        long_press: float = LONG_PRESS,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._timer = PressTimer(long_press)
        self._clock = clock
        self._hold = QTimer(self, singleShot=True)
        self._hold.timeout.connect(self._check)

    def press(self, name: str) -> None:
        sent = self._timer.press(name, self._clock())
        if sent is not None:
            self.key.emit(sent)
        self._arm()

    def release(self, name: str) -> None:
        sent = self._timer.release(name, self._clock())
        if sent is not None:
            self.key.emit(sent)
        self._arm()

    def stop(self) -> None:
        """Forget the keys held (no long form will be sent)."""
        self._hold.stop()
        self._timer = PressTimer(self._timer.long_press)

    def key_event(self, event: QKeyEvent, pressed: bool) -> bool:
        """Handle a keyboard event; True if it was a panel key (then the caller accepts it)."""
        name = key_name(event.key())
        if name is None:
            return False
        if not event.isAutoRepeat():
            (self.press if pressed else self.release)(name)
        return True

    def _arm(self) -> None:
        deadline = self._timer.deadline()
        if deadline is None:
            self._hold.stop()
        else:
            self._hold.start(max(0, round(1000 * (deadline - self._clock()))))

    def _check(self) -> None:
        for sent in self._timer.due(self._clock()):
            self.key.emit(sent)
        self._arm()
