"""The host side of the ION board protocol: the handshake (identify, rate, format, start) and
the stream decoder, as the serial source's ``ion`` profile."""

from __future__ import annotations

import time

from engine.sources.board import commands as cmd
from engine.sources.board.framing import FrameDecoder, LinkCounters
from engine.sources.board.link import SerialSpec
from engine.sources.board.protocol import FORMAT_CODES, SampleFrame


class BoardTimeout(Exception):
    """The board did not answer in time (the caller knows the port and turns it into words)."""


class BoardRefused(Exception):
    """The board acknowledged a command with an error status."""


class IonProfile:
    """Talks to a board speaking docs/board-protocol.md."""

    name = "ion"

    def __init__(self, spec: SerialSpec) -> None:
        self.spec = spec
        self.decoder = FrameDecoder()
        self._tag = 0
        self._pending: list[SampleFrame] = []

    @property
    def counters(self) -> LinkCounters:
        return self.decoder.counters

    def reset(self) -> None:
        """The port was reopened: forget partial frames and the sequence."""
        self.decoder.clear()
        self._pending.clear()

    def request(self, port, code: int, args: bytes, deadline: float) -> cmd.Ack:
        """Send a command; wait (until ``deadline``, monotonic [s]) for its acknowledgement."""
        self._tag = (self._tag + 1) & 0xFF
        tag = self._tag
        port.write(cmd.encode_command(code, tag, args))
        port.flush()
        while time.monotonic() < deadline:
            data = port.read(port.in_waiting or 1)
            if not data:
                continue
            items = self.decoder.feed(data)
            for k, item in enumerate(items):
                if isinstance(item, cmd.Ack) and item.tag == tag and item.code == code:
                    self._pending = [x for x in items[k + 1 :] if isinstance(x, SampleFrame)]
                    if not item.ok:
                        status = cmd.STATUS_TEXT.get(item.status, str(item.status))
                        raise BoardRefused(f"board refused {cmd.NAMES[code]}: {status}")
                    return item
        raise BoardTimeout(f"no acknowledgement of {cmd.NAMES[code]}")

    def handshake(self, port, deadline: float) -> dict:
        """Identify the board, set what the spec asks, start the stream; returns the identity."""
        port.reset_input_buffer()
        identity = cmd.parse_identity(self.request(port, cmd.IDENTIFY, b"", deadline).payload)
        if self.spec.format:
            code = FORMAT_CODES[self.spec.format]
            self.request(port, cmd.SET_FORMAT, bytes((code,)), deadline)
        if self.spec.rate:
            self.request(port, cmd.SET_RATE, cmd.rate_args(self.spec.rate), deadline)
        self.request(port, cmd.STOP, b"", deadline)
        self.decoder.restart_sequence()
        self.request(port, cmd.START, b"", deadline)
        return identity

    def take_pending(self) -> list[SampleFrame]:
        out, self._pending = self._pending, []
        return out

    def feed(self, data: bytes) -> list[SampleFrame]:
        return [x for x in self.decoder.feed(data) if isinstance(x, SampleFrame)]

    def set_outputs(self, port, outputs: cmd.Outputs) -> None:
        """Fire-and-forget SET_OUTPUTS while streaming (its acknowledgement is skipped)."""
        self._tag = (self._tag + 1) & 0xFF
        port.write(cmd.encode_command(cmd.SET_OUTPUTS, self._tag, cmd.outputs_args(outputs)))

    def stop(self, port) -> None:
        self._tag = (self._tag + 1) & 0xFF
        port.write(cmd.encode_command(cmd.STOP, self._tag))
