"""The meter's relay outputs as alarms drive them: a relay is on while at least one active
alarm with its "relayN" action holds it (released when the last one drops out).

``bits`` is the board's SET_OUTPUTS relay byte (bit 0 = relay 1, ``engine.sources.board``);
the engine bridge sends it to a board source when it changes.
"""

from __future__ import annotations

RELAYS = 2


class RelayOutputs:
    """Relays 1..``RELAYS`` and the alarms holding each."""

    def __init__(self) -> None:
        self._holders: dict[int, set[str]] = {n: set() for n in range(1, RELAYS + 1)}

    def hold(self, relay: int, alarm_id: str, on: bool) -> bool:
        """``alarm_id`` holds (``on``) or releases ``relay`` (1-based); True if the relay's
        state changed."""
        if relay not in self._holders:
            raise ValueError(f"relay: must be 1 to {RELAYS}, got {relay!r}")
        before = self.state(relay)
        (self._holders[relay].add if on else self._holders[relay].discard)(alarm_id)
        return self.state(relay) != before

    def state(self, relay: int) -> bool:
        return bool(self._holders[relay])

    @property
    def states(self) -> tuple[bool, ...]:
        return tuple(self.state(n) for n in range(1, RELAYS + 1))

    @property
    def bits(self) -> int:
        return sum(1 << (n - 1) for n in range(1, RELAYS + 1) if self.state(n))
