"""Streaming decoder of the ION board protocol: bytes in, frames out, every loss counted.

The decoder holds its state explicitly (the unread bytes, whether it is hunting for the sync
word, the next expected sequence number, the counters) and never raises on bad input:

- a header that fails its check (or garbage) -> skip one byte and hunt for the next sync word;
  a run of skipped bytes that ends at a valid frame counts one ``resyncs``;
- a valid header whose CRC-32 fails -> the frame is dropped and counted in ``crc_errors``;
  decoding resumes at the next valid header inside its claimed length (bytes were lost and the
  next frame began early) or else after it;
- a frame with a good CRC but an inconsistent body -> dropped, counted in ``malformed``;
- a sample frame whose sequence number skips ahead -> ``gaps`` += 1, ``frames_lost`` += the
  number skipped, and the frame's ``lost_before`` says how many (the source turns that into a
  jump of ``SampleBlock.first_index`` so the meter flags the windows).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from engine.sources.board.commands import Ack, Command, decode_ack, decode_command
from engine.sources.board.protocol import (
    CRC_SIZE,
    HEADER_SIZE,
    SYNC,
    T_ACK,
    T_COMMAND,
    SampleFrame,
    crc32,
    decode_samples,
    parse_header,
)

#: Sequence jumps larger than this are a board restart, not lost frames.
MAX_SEQUENCE_JUMP = 1 << 20


@dataclass
class LinkCounters:
    """What the decoder has seen since it was made (or ``reset_counters``)."""

    frames_good: int = 0  # sample frames delivered
    acks: int = 0
    commands: int = 0
    crc_errors: int = 0
    malformed: int = 0
    resyncs: int = 0
    bytes_skipped: int = 0
    bytes_total: int = 0
    gaps: int = 0
    frames_lost: int = 0
    restarts: int = 0

    @property
    def frames_bad(self) -> int:
        """Frames that arrived damaged: CRC failures, malformed bodies, resynchronisations."""
        return self.crc_errors + self.malformed + self.resyncs

    def as_dict(self) -> dict[str, int]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["frames_bad"] = self.frames_bad
        return out


class FrameDecoder:
    """Feed bytes with ``feed``; get back decoded ``SampleFrame``, ``Ack`` and ``Command`` objects
    (a board simulator decodes the host's commands with the same class)."""

    def __init__(self) -> None:
        self.counters = LinkCounters()
        self._buf = bytearray()
        self._skipping = False
        self._next_seq: int | None = None

    def restart_sequence(self) -> None:
        """Forget the expected sequence number (the host has just (re)started the stream)."""
        self._next_seq = None

    def clear(self) -> None:
        """Drop unread bytes (the port was reopened)."""
        self._buf.clear()
        self._skipping = False
        self._next_seq = None

    def _skip(self, n: int) -> None:
        if n > 0:
            self.counters.bytes_skipped += n
            self._skipping = True

    def feed(self, data: bytes | bytearray) -> list[SampleFrame | Ack | Command]:
        """Decode every complete frame in the bytes received so far plus ``data``."""
        c = self.counters
        c.bytes_total += len(data)
        buf = self._buf
        buf += data
        out: list[SampleFrame | Ack | Command] = []
        view = memoryview(buf)
        pos, size = 0, len(buf)
        try:
            while True:
                i = buf.find(SYNC, pos)
                if i < 0:
                    # keep a trailing first sync byte: its partner may come in the next read
                    keep = size - 1 if size > pos and buf[-1] == SYNC[0] else size
                    self._skip(keep - pos)
                    pos = keep
                    break
                self._skip(i - pos)
                pos = i
                if size - pos < HEADER_SIZE:
                    break
                head = parse_header(view[pos : pos + HEADER_SIZE])
                if head is None:
                    self._skip(1)
                    pos += 1
                    continue
                ftype, length = head
                end = pos + HEADER_SIZE + length + CRC_SIZE
                if size < end:
                    break
                if self._skipping:  # a run of skipped bytes ends at a valid header
                    c.resyncs += 1
                    self._skipping = False
                stored = int.from_bytes(view[end - CRC_SIZE : end], "little")
                if crc32(view[pos : end - CRC_SIZE]) != stored:
                    c.crc_errors += 1
                    # Bytes may be missing rather than wrong: then the next frame starts inside
                    # this one's claimed length. Resume at a valid header there, if any.
                    pos = _next_header(buf, view, pos + 1, end)
                    continue
                item = self._decode(ftype, view[pos + HEADER_SIZE : end - CRC_SIZE])
                pos = end
                if item is not None:
                    out.append(item)
        finally:
            view.release()
            del buf[:pos]
        return out

    def _decode(self, ftype: int, body: memoryview) -> SampleFrame | Ack | Command | None:
        c = self.counters
        try:
            if ftype == T_ACK:
                c.acks += 1
                return decode_ack(body)
            if ftype == T_COMMAND:
                c.commands += 1
                return decode_command(body)
            item = decode_samples(body)
        except ValueError:
            c.malformed += 1
            return None
        c.frames_good += 1
        if self._next_seq is not None and item.seq != self._next_seq:
            jump = (item.seq - self._next_seq) & 0xFFFFFFFF
            if jump <= MAX_SEQUENCE_JUMP:
                c.gaps += 1
                c.frames_lost += jump
                item.lost_before = jump
            else:
                c.restarts += 1
                item.lost_before = -1  # unknown: the board started counting again
        self._next_seq = (item.seq + 1) & 0xFFFFFFFF
        return item


def _next_header(buf: bytearray, view: memoryview, start: int, end: int) -> int:
    """Position of the first sync word in ``start``..``end`` that begins a valid header (or that
    is too close to the end of the data to tell); ``end`` if there is none."""
    size = len(buf)
    stop = min(end + len(SYNC) - 1, size)  # a sync word may straddle ``end``
    i = buf.find(SYNC, start, stop)
    while i >= 0:
        if i + HEADER_SIZE > size or parse_header(view[i : i + HEADER_SIZE]) is not None:
            return i
        i = buf.find(SYNC, i + 1, stop)
    return end
