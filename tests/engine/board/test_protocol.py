"""The board protocol against its document and known values; the decoder against every damage."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import numpy as np
import pytest

from engine.sources.board import commands as cmd
from engine.sources.board import protocol as p
from engine.sources.board.framing import FrameDecoder

DOC = Path(__file__).resolve().parents[3] / "docs" / "board-protocol.md"


def doc_bytes(marker: str) -> list[bytes]:
    """The hex lines of the code block after ``<!-- marker -->``, one ``bytes`` per frame line
    group (a frame per line in the start example, one frame in the samples example)."""
    text = DOC.read_text(encoding="utf-8")
    block = re.search(rf"<!-- {marker} -->\s*```\n(.*?)```", text, re.S).group(1)
    return [bytes.fromhex(line) for line in block.strip().splitlines()]


def test_crc32_check_value():
    assert p.crc32(b"123456789") == 0xCBF43926  # the CRC-32 catalogue's check value


def test_worked_example_samples_match_the_document():
    documented = b"".join(doc_bytes("worked-example-samples"))
    counts = np.array([[32527, -10000], [7071, -2500]], dtype=np.int16)
    built = p.encode_samples(7, 6400.0, 0x11, 1, np.array([0.01, 0.001]), counts, 0b01, 2)
    assert built == documented
    (fr,) = FrameDecoder().feed(documented)
    assert (fr.seq, fr.sample_rate, fr.mask, fr.n_samples) == (7, 6400.0, 0x11, 2)
    assert (fr.digital, fr.n_digital) == (1, 2)
    # float32 scales: 0.01 and 0.001 are not exact, hence the tolerance of a float32 ulp
    np.testing.assert_allclose(fr.samples, [[325.27, -100.0], [7.071, -2.5]], rtol=1e-6)


def test_worked_example_start_and_ack_match_the_document():
    command, ack = doc_bytes("worked-example-start")
    assert command == cmd.encode_command(cmd.START, 1)
    assert ack == cmd.encode_ack(cmd.START, 1, cmd.OK)
    items = FrameDecoder().feed(command + ack)
    assert items == [cmd.Command(cmd.START, 1), cmd.Ack(cmd.START, 1, cmd.OK)]


@pytest.mark.parametrize("fmt", [1, 2, 3])
def test_round_trip_within_half_a_count(fmt):
    rng = np.random.default_rng(fmt)
    scales = np.array([0.02, 0.02, 0.02, 0.01, 1e-4, 1e-4, 1e-4, 5e-5])
    top = {1: 32767, 2: 8388607, 3: 1e6}[fmt]
    values = rng.uniform(-0.9, 0.9, (8, 100)) * top * scales[:, None]
    frame = p.encode_samples(1, 25600.0, 0xFF, fmt, scales, p.to_counts(values, scales, fmt))
    assert len(frame) == p.samples_frame_size(100, 0xFF, fmt)
    (fr,) = FrameDecoder().feed(frame)
    f32 = scales.astype(np.float32).astype(np.float64)  # the scales travel as float32
    tol = 0.5 * f32[:, None] * 1.000001 if fmt != 3 else np.abs(values) * 1e-7
    assert np.all(np.abs(fr.samples - values * f32[:, None] / scales[:, None]) <= tol)


def test_int24_extremes_and_sign():
    counts = np.array([[-8388608, 8388607, -1, 0, 1]], dtype=np.int32)
    frame = p.encode_samples(0, 1000.0, 0x01, 2, np.array([1.0]), counts)
    (fr,) = FrameDecoder().feed(frame)
    assert fr.samples[0].tolist() == [-8388608, 8388607, -1, 0, 1]


def small_frames(count: int, start_seq: int = 0) -> list[bytes]:
    out = []
    for k in range(count):
        counts = np.array([[k, -k, 2 * k], [3, 4, 5]], dtype=np.int16)
        seq = start_seq + k
        out.append(p.encode_samples(seq, 6400.0, 0x11, 1, np.ones(2), counts))
    return out


def test_split_anywhere_gives_the_same_frames():
    frames = small_frames(5)
    stream = b"".join(frames)
    for step in (1, 3, 7, 50):
        d = FrameDecoder()
        got = []
        for i in range(0, len(stream), step):
            got += d.feed(stream[i : i + step])
        assert [f.seq for f in got] == [0, 1, 2, 3, 4]
        assert d.counters.frames_bad == 0 and d.counters.bytes_skipped == 0


def test_every_single_bit_flip_costs_exactly_that_frame():
    good = small_frames(3)
    for bit in range(8 * len(good[1])):
        bad = bytearray(good[1])
        bad[bit // 8] ^= 1 << (bit % 8)
        d = FrameDecoder()
        got = d.feed(good[0] + bytes(bad) + good[2])
        assert [f.seq for f in got] == [0, 2], bit
        c = d.counters
        assert (c.frames_bad, c.gaps, c.frames_lost) == (1, 1, 1), (bit, c)
        assert got[1].lost_before == 1


@pytest.mark.parametrize("where", [0, 1, 5, 9, 30, 40])
@pytest.mark.parametrize("n", [1, 2, 16])
def test_dropped_bytes_cost_exactly_that_frame(where, n):
    good = small_frames(3)
    cut = good[1][:where] + good[1][where + n :]
    d = FrameDecoder()
    got = d.feed(good[0] + cut + good[2])
    assert [f.seq for f in got] == [0, 2]
    assert (d.counters.frames_bad, d.counters.frames_lost) == (1, 1)


def test_garbage_with_false_sync_words_is_skipped():
    frames = small_frames(2)
    garbage = b"\x00\xa5\x5a\x01\x01\xff\xff\x00\x00" + p.SYNC * 5 + bytes(range(256))
    d = FrameDecoder()
    got = d.feed(frames[0] + garbage + frames[1])
    assert [f.seq for f in got] == [0, 1]
    assert d.counters.resyncs == 1
    assert d.counters.bytes_skipped == len(garbage)
    assert d.counters.frames_lost == 0


def test_sequence_gaps_and_wrap():
    frames = small_frames(2, start_seq=0xFFFFFFFE) + small_frames(1, start_seq=3)
    d = FrameDecoder()
    got = d.feed(b"".join(frames))
    assert [f.seq for f in got] == [0xFFFFFFFE, 0xFFFFFFFF, 3]
    assert [f.lost_before for f in got] == [0, 0, 3]  # 0, 1 and 2 missing across the wrap
    assert (d.counters.gaps, d.counters.frames_lost) == (1, 3)


def test_good_crc_but_inconsistent_body_is_malformed():
    body = struct.pack("<IfHBBHBB", 0, 6400.0, 10, 0x11, 1, 0, 0, 0) + b"\x00" * 8
    d = FrameDecoder()
    assert d.feed(p.frame(p.T_SAMPLES, body) + small_frames(1)[0])[0].seq == 0
    assert d.counters.malformed == 1 and d.counters.frames_good == 1


def test_encoder_rejects_inconsistent_layout():
    with pytest.raises(ValueError, match="mask"):
        p.encode_samples(0, 100.0, 0x03, 1, np.ones(1), np.zeros((1, 4), np.int16))


def test_command_arguments_round_trip_and_reject_bad_values():
    out = cmd.Outputs(relays=2, ky_pulses=7, ao1=4.0, ao2=20.0)
    assert cmd.parse_outputs(cmd.outputs_args(out)) == out
    assert cmd.parse_rate(cmd.rate_args(25600.0)) == 25600.0
    with pytest.raises(ValueError):
        cmd.parse_rate(struct.pack("<f", -1.0))
    with pytest.raises(ValueError):
        cmd.parse_outputs(b"\x04" + b"\x00" * 10)
    cal = np.arange(24, dtype=float).reshape(8, 3)
    np.testing.assert_array_equal(cmd.parse_calibration(cmd.calibration_payload(cal)), cal)
