"""The serial source against the board simulator on a pseudo-terminal pair (no hardware).

Truth is the scenario (analytic rms and power) and the simulator's own record of the faults it
injected; the link is run faster than real time.
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import pytest
from board_pty import board_on_pty

from engine.config import MeterConfig
from engine.errors import InputError
from engine.meter import Meter
from engine.sources.board.link import parse_serial_spec
from engine.sources.board.sim_transport import PtyTransport
from engine.sources.board.simulator import BoardSimulator, Faults
from engine.sources.scenario import scenario_from_dict
from engine.sources.serial_board import SerialSource

V, A, PF = 230.0, 5.0, 0.9


def reference(spc: int = 512):
    """230 V, 5 A at PF 0.9 lagging, no harmonics: rms and power known exactly."""
    return scenario_from_dict(
        {"samples_per_cycle": spc, "current": {"rms": A, "power_factor": PF, "harmonics": []}}
    )


def run(source: SerialSource, meter: Meter, seconds: float):
    """Feed ``seconds`` [s] of blocks to ``meter``: (blocks, windows as (start, flagged), the
    times at which the sample index jumped)."""
    blocks, windows, gaps = [], [], []
    expected = None
    for block in source.blocks():
        if expected is not None and block.first_index != expected:
            gaps.append(block.start)
        expected = block.first_index + block.n_samples
        blocks.append((block.first_index, block.n_samples))
        result = meter.process(block)
        windows += list(zip(result.window_start, result.flagged.tolist(), strict=True))
        if sum(n for _, n in blocks) >= seconds * block.sample_rate:
            break
    return blocks, windows, gaps


def assert_readings_true(meter: Meter, rel: float = 1e-3):
    values = meter.snapshot.values
    for q in ("V_A", "V_B", "V_C"):
        assert values[q] == pytest.approx(V, rel=rel), q
    for q in ("I_A", "I_B", "I_C"):
        assert values[q] == pytest.approx(A, rel=rel), q
    assert values["P_TOT"] == pytest.approx(3 * V * A * PF, rel=2 * rel)
    assert values["Q_TOT"] == pytest.approx(3 * V * A * math.sqrt(1 - PF**2), rel=4 * rel)
    assert values["FREQ_CYCLE"] == pytest.approx(50.0, abs=0.01)


def test_60_s_at_512_samples_per_cycle_arrives_whole_and_true(tmp_path):
    board = BoardSimulator(reference(512))
    with board_on_pty(tmp_path, board) as pty:
        source = SerialSource(parse_serial_spec(str(pty.path)))
        meter = Meter(MeterConfig())
        try:
            assert source.sample_rate == 25600.0
            blocks, windows, gaps = run(source, meter, 60.0)
        finally:
            source.close()
    c = source.link.counters
    assert sum(n for _, n in blocks) >= 60 * 25600
    assert gaps == [] and not any(f for _, f in windows)
    assert c["frames_bad"] == 0 and c["frames_lost"] == 0 and c["bytes_skipped"] == 0
    assert c["frames_good"] >= 6000 and len(windows) >= 295  # 0.2-s windows
    assert source.link.unavailable == ()
    assert_readings_true(meter)


def test_1_percent_damaged_frames_are_counted_exactly_and_flagged(tmp_path):
    kinds = ("bitflip", "drop-bytes", "drop-frames")
    faults = Faults(rate=0.01, kinds=kinds, seed=7, window=(0, 2000))
    board = BoardSimulator(reference(512), faults=faults)
    with board_on_pty(tmp_path, board) as pty:
        source = SerialSource(parse_serial_spec(str(pty.path)))
        meter = Meter(MeterConfig())
        try:
            _, windows, gaps = run(source, meter, 21.0)  # past the 2000 frames that may fault
        finally:
            source.close()
    injected = board.stats.faults
    assert sum(injected.values()) >= 10  # the test means something
    c = source.link.counters
    assert c["frames_bad"] == injected["bitflip"] + injected["drop-bytes"]
    assert c["frames_lost"] == sum(injected.values())
    assert len(gaps) == c["gaps"] >= 1
    # Every window is flagged exactly when a gap fell since the previous window began.
    previous = None
    for start, flagged in windows:
        after_gap = any((previous is None or g > previous) and g <= start for g in gaps)
        assert flagged == after_gap, start
        previous = start
    assert_readings_true(meter)


def test_disconnect_and_reconnect_resume_by_themselves(tmp_path):
    faults = Faults(rate=1.0, kinds=("disconnect",), window=(300, 301), down_seconds=0.5)
    board = BoardSimulator(reference(128), faults=faults)
    with board_on_pty(tmp_path, board) as pty:
        spec = parse_serial_spec(str(pty.path))
        source = SerialSource(spec, backoff=(0.05, 0.1, 0.2))
        meter = Meter(MeterConfig())
        try:
            t0 = time.monotonic()
            blocks, windows, gaps = run(source, meter, 8.0)
            elapsed = time.monotonic() - t0
        finally:
            source.close()
    assert board.stats.faults["disconnect"] == 1
    assert source.link.reconnects == 1
    assert len(gaps) == 1
    # the time away (>= the 0.5 s the board was down) is a hole in the sample indices
    starts = [f for f, _ in blocks]
    jump = max(b - (a + n) for (a, n), (b, _) in itertools.pairwise(blocks))
    assert jump >= 0.5 * 6400
    assert starts == sorted(starts)
    assert any(f for _, f in windows)
    assert elapsed < 6.0  # faster than real time: nothing waited on a timeout
    assert_readings_true(meter)


def test_a_board_that_never_answers_is_a_clear_error_not_a_hang(tmp_path):
    silent = PtyTransport(tmp_path / "silent")  # nobody serves it
    try:
        t0 = time.monotonic()
        with pytest.raises(InputError, match=r"no answer from the board on .* within 0\.5 s"):
            SerialSource(parse_serial_spec(f"{silent.path}?timeout=0.5"))
        assert time.monotonic() - t0 < 2.0
    finally:
        silent.remove()


def test_a_missing_port_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="cannot open serial port"):
        SerialSource(parse_serial_spec(str(tmp_path / "nothing-here")))


def test_slow_link_marks_what_it_cannot_carry(tmp_path):
    board = BoardSimulator(reference(16))
    with board_on_pty(tmp_path, board) as pty:
        source = SerialSource(parse_serial_spec(str(pty.path)))
        meter = Meter(MeterConfig())
        try:
            run(source, meter, 2.0)
        finally:
            source.close()
    assert source.link.samples_per_cycle == 16
    assert source.link.unavailable == (
        "harmonics above order 7",
        "flicker (needs 32 samples/cycle)",
    )
    values = meter.snapshot.values
    assert values["H_V_A_7"] == pytest.approx(0.0, abs=0.05)  # carried: measured
    assert math.isnan(values["H_V_A_9"])  # not carried: NaN, not a wrong zero
    assert values["V_A"] == pytest.approx(V, rel=1e-3)


@pytest.mark.parametrize("fmt", ["int24", "float32"])
def test_other_formats_and_a_rate_set_by_the_host(tmp_path, fmt):
    board = BoardSimulator(reference(256))
    with board_on_pty(tmp_path, board) as pty:
        source = SerialSource(parse_serial_spec(f"{pty.path}?format={fmt}&rate=6400"))
        meter = Meter(MeterConfig())
        try:
            run(source, meter, 2.0)
        finally:
            source.close()
    assert source.sample_rate == 6400.0 and board.identity()["format"] == fmt
    assert_readings_true(meter, rel=5e-4)


def test_digital_inputs_reach_the_blocks(tmp_path):
    board = BoardSimulator(reference(64))
    board.digital = 0b0101
    with board_on_pty(tmp_path, board) as pty:
        source = SerialSource(parse_serial_spec(str(pty.path)))
        try:
            block = next(iter(source.blocks()))
        finally:
            source.close()
    assert block.digital.shape == (4, block.n_samples)
    assert block.digital[:, 0].tolist() == [True, False, True, False]
    assert np.all(block.digital == block.digital[:, :1])


def test_a_stall_delays_but_loses_nothing(tmp_path):
    faults = Faults(rate=1.0, kinds=("stall",), window=(50, 51), stall_seconds=0.4)
    board = BoardSimulator(reference(64), faults=faults)
    with board_on_pty(tmp_path, board) as pty:
        source = SerialSource(parse_serial_spec(str(pty.path)))
        meter = Meter(MeterConfig())
        try:
            t0 = time.monotonic()
            _, windows, gaps = run(source, meter, 3.0)
            elapsed = time.monotonic() - t0
        finally:
            source.close()
    assert board.stats.faults["stall"] == 1
    assert elapsed >= 0.4  # the output was held back ...
    c = source.link.counters
    assert gaps == [] and c["frames_lost"] == 0 and c["frames_bad"] == 0  # ... and all came
    assert not any(f for _, f in windows)


def test_relays_and_ky_pulses_reach_the_board(tmp_path):
    board = BoardSimulator(reference(64))
    with board_on_pty(tmp_path, board) as pty:
        source = SerialSource(parse_serial_spec(str(pty.path)))
        try:
            blocks = source.blocks()
            next(blocks)
            source.request_outputs(relays=0b10, ky_pulses=3)
            source.request_outputs(ky_pulses=4)  # before the next read: adds up
            for _ in range(5):
                next(blocks)
            source.request_outputs(relays=0b01, ky_pulses=2)
            deadline = time.monotonic() + 2.0
            while board.ky_pulses_total < 9 and time.monotonic() < deadline:
                next(blocks)
        finally:
            source.close()
    assert board.ky_pulses_total == 9
    assert board.outputs.relays == 0b01
    assert board.stats.commands["set-outputs"] == 2


def test_channels_the_board_lacks_stay_absent_even_with_an_offset_correction(tmp_path):
    from engine.sources.board.calibration import Calibration

    board = BoardSimulator(reference(64))  # the scenario measures I4 but not V4
    offsets = Calibration(offset=(0.0, 0.0, 0.0, 5.0, 0.0, 0.0, 0.0, 0.0))
    with board_on_pty(tmp_path, board) as pty:
        source = SerialSource(parse_serial_spec(str(pty.path)), calibration=offsets)
        try:
            block = next(iter(source.blocks()))
        finally:
            source.close()
    assert board.mask == 0xF7 and (block.v4_measured, block.i4_measured) == (False, True)
    assert not np.any(block.voltage[3])


class ScriptedPort:
    """A pyserial-like port: a ``BoardSimulator`` answers the handshake, then ``stream`` is
    read; EOFError at its end."""

    def __init__(self, board: BoardSimulator, stream: bytes) -> None:
        self.board, self.stream, self.answers = board, stream, bytearray()

    @property
    def in_waiting(self) -> int:
        return len(self.answers) or min(5000, len(self.stream))

    def read(self, n: int) -> bytes:
        source = self.answers if self.answers else None
        if source is None:
            if not self.stream:
                raise EOFError
            out, self.stream = self.stream[:n], self.stream[n:]
            return out
        out = bytes(source[:n])
        del source[:n]
        return out

    def write(self, data: bytes) -> int:
        self.answers += self.board.receive(data)
        return len(data)

    def flush(self) -> None:
        pass

    def reset_input_buffer(self) -> None:
        self.answers.clear()

    def close(self) -> None:
        pass


def test_a_change_of_channel_layout_starts_a_new_block():
    from engine.sources.board.protocol import encode_samples

    board = BoardSimulator(reference(64))
    n, rate = 32, 3200.0
    ones = np.ones((8, n), dtype=np.int16)
    frames = [encode_samples(k, rate, 0xFF, 1, np.ones(8), ones) for k in range(2)]
    frames += [encode_samples(k, rate, 0x77, 1, np.ones(6), ones[:6]) for k in range(2, 6)]
    port = ScriptedPort(board, b"".join(frames))
    # blocks of 4 frames: the layout changes after 2, which ends the first block there
    source = SerialSource(parse_serial_spec("scripted"), opener=lambda spec: port,
                          block_seconds=4 * n / rate)  # fmt: skip
    got = []
    with pytest.raises(EOFError):
        for block in source.blocks():
            got.append(block)
    assert [(b.first_index, b.n_samples, b.v4_measured, b.i4_measured) for b in got] == [
        (0, 2 * n, True, True),
        (2 * n, 4 * n, False, False),
    ]
    assert np.all(got[1].voltage[3] == 0) and np.all(got[1].voltage[:3] == 1)
