"""What the host drives on the board: relays and the KY pulse output.

``KyFollower`` turns the energy pulser's running count of pulses into the pulses still to send
to the board's KY output (``SET_OUTPUTS``), so the KY output follows the same pulses as the
Watt LED. Pure state, passed explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_PULSES_PER_COMMAND = 0xFFFF  # u16 field of SET_OUTPUTS


@dataclass
class KyFollower:
    """Pulses sent so far against the pulser's count; ``due(total)`` returns how many to send
    now (0 after a reset of the count, which starts over from there)."""

    sent: int | None = None

    def due(self, total: int) -> int:
        if self.sent is None or total < self.sent:  # first reading, or the pulser restarted
            self.sent = total
            return 0
        n = min(total - self.sent, MAX_PULSES_PER_COMMAND)
        self.sent += n
        return n
