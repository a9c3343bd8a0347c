"""The front-panel password gate and the revenue-lock rules the panel checks before editing,
Qt-free and clock-free (``now`` [s, monotonic] is always handed in).

Password (front-panel.md §7, issue 5): default "0", up to 8 digits, compared as a number
(00000000 is 0). It is asked before the first change; once given, editing stays open until
``password_timeout_minutes`` pass without a key in Setup (``touch`` on every key). A wrong
password counts a failure; ``lockout_attempts`` failures in a row lock editing for
``lockout_minutes``, and during the lockout every password is answered "locked" unchecked.

Revenue lock (ION9000 "Revenue firmware security features", front-panel.md §7): while in force
it refuses the billing settings and the energy, peak-demand and master resets whatever the
password. The engine refuses them too (``engine.control.RevenueLocked``); the panel asks here
first so it can say so before the password and the "Save changes?" question.
"""

from __future__ import annotations

from engine.config import SecuritySettings
from engine.control import BILLING_SETTINGS, LOCKED_RESETS, RESET_KINDS
from hmi.editing import NumericEditor, rule_for

OK, WRONG, LOCKED = "ok", "wrong", "locked"
PASSWORD_DIGITS = 8
#: Settings the revenue lock refuses: the engine's billing settings (volts mode, PT and CT
#: ratios) and the I4 CT, which also scales a metered current.
LOCKED_SETTINGS = frozenset(
    {f"meter.{name}" for name in BILLING_SETTINGS}
    | {"meter.i4_ct_primary", "meter.i4_ct_secondary"}
)


def refused_by_lock(key: str) -> bool:
    """Whether the revenue lock, while in force, refuses a change of setting ``key`` (dotted,
    as in ``engine.config.RULES``). ``KeyError`` for a key that is no setting, so a misspelt
    key cannot slip past the lock."""
    rule_for(key)
    return key in LOCKED_SETTINGS


def refused_reset(kind: str) -> bool:
    """Whether the revenue lock, while in force, refuses the reset ``kind`` (one of
    ``engine.control.RESET_KINDS``: energy, peak demand and master are refused)."""
    if kind not in RESET_KINDS:
        raise ValueError(f"reset: {kind!r} is not one of {', '.join(RESET_KINDS)}")
    return kind in LOCKED_RESETS


class PasswordGate:
    """Whether Setup changes need the password now, and the answer to a password entered.

    ``security`` may be replaced at any time (a new password from Password Setup applies to
    the next entry; an open session stays open)."""

    def __init__(self, security: SecuritySettings) -> None:
        self.security = security
        self._last_key: float | None = None  # None: no valid password given (or timed out)
        self._failures = 0
        self._locked_until: float | None = None

    @property
    def _timeout(self) -> float:
        return self.security.password_timeout_minutes * 60.0

    def needed(self, now: float) -> bool:
        """True before the first change and again after ``password_timeout_minutes`` without a
        key or change (at exactly the timeout it is needed again)."""
        if self._last_key is not None and now - self._last_key >= self._timeout:
            self._last_key = None
        return self._last_key is None

    def touch(self, now: float) -> None:
        """A key in Setup, or a change saved, at ``now`` [s]: the open session lasts longer.
        A session that has already timed out stays closed."""
        if not self.needed(now):
            self._last_key = now

    def close(self) -> None:
        """End the session at once (power cycle, leaving Setup if the panel wants it)."""
        self._last_key = None

    def start(self) -> NumericEditor:
        """The password entry: 8 digits from 0, highlight on the last digit."""
        return NumericEditor(
            0, digits=PASSWORD_DIGITS, decimals=0, minimum=0, maximum=10**PASSWORD_DIGITS - 1,
            result_type=str,
        )  # fmt: skip

    def locked_for(self, now: float) -> float:
        """Seconds [s] the lockout still lasts at ``now`` (0: not locked)."""
        if self._locked_until is None:
            return 0.0
        return max(self._locked_until - now, 0.0)

    def submit(self, digits_text: str, now: float) -> str:
        """The answer to the password ``digits_text`` (e.g. ``editor.text``) entered at ``now``
        [s]: "ok" (editing open until the timeout), "wrong" (a failure counted) or "locked"
        (during a lockout, unchecked, and for the failure that starts one)."""
        if self.locked_for(now) > 0:
            return LOCKED
        self._locked_until = None
        if self.security.password_matches(digits_text.strip()):
            self._failures, self._last_key = 0, now
            return OK
        self._failures += 1
        self._last_key = None  # whoever typed a wrong password does not get an open session
        if self._failures >= self.security.lockout_attempts:
            self._failures, self._locked_until = 0, now + self.security.lockout_minutes * 60.0
            return LOCKED
        return WRONG

    @property
    def failures(self) -> int:
        """Wrong passwords in a row since the last right one or the last lockout."""
        return self._failures
