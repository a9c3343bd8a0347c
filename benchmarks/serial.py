"""What decoding the acquisition board's stream costs.

    .venv/bin/python benchmarks/serial.py [--seconds 10] [--repeats 5] [--live 5]

1. Decoder: the serial source's whole receive path (frame decoding, CRC-32, gap accounting,
   assembly of SampleBlocks) over an in-memory port holding ``--seconds`` of frames at
   512 samples/cycle x 8 channels, 50 Hz, int16 (25 600 samples/s, 100 frames/s, 410 kB/s);
   frames are made before the clock starts. Prints frames/s and MB/s decoded and the CPU share
   of one core that real time costs, median of ``--repeats`` runs.
2. Live (``--live N``, 0 to skip): the board simulator in another process streams in real time
   on a pseudo-terminal; this process reads N seconds through pyserial like the emulator does,
   and its CPU time over the wall time is printed (reads, system calls and decoding).

Target: decoding costs <= 3 % of one core at 512 samples/cycle x 8 channels in real time.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench_common  # noqa: F401  first: keeps benchmarks/engine.py from shadowing `engine`

from engine.sources.board.link import parse_serial_spec
from engine.sources.board.simulator import BoardSimulator
from engine.sources.scenario import DEFAULT_SCENARIO
from engine.sources.serial_board import SerialSource

SPC = 512
READ_SIZE = 4096  # [bytes] a typical USB CDC read


class MemoryPort:
    """A pyserial-like port: commands go to a ``BoardSimulator``, reads return its answers and
    then the pre-made frames, ``READ_SIZE`` bytes at a time."""

    def __init__(self, board: BoardSimulator, stream: bytes) -> None:
        self.board, self.stream, self.pos = board, stream, 0
        self.answers = bytearray()

    @property
    def in_waiting(self) -> int:
        if self.answers:
            return len(self.answers)
        return min(READ_SIZE, len(self.stream) - self.pos)

    def read(self, n: int) -> bytes:
        if self.answers:
            out = bytes(self.answers[:n])
            del self.answers[:n]
            return out
        if self.board.streaming and self.pos < len(self.stream):
            out = self.stream[self.pos : self.pos + n]
            self.pos += len(out)
            return out
        raise EOFError  # the benchmark's end of data

    def write(self, data: bytes) -> int:
        self.answers += self.board.receive(data)
        return len(data)

    def flush(self) -> None:
        pass

    def reset_input_buffer(self) -> None:
        self.answers.clear()

    def close(self) -> None:
        pass


def make_stream(seconds: float) -> tuple[bytes, int]:
    board = BoardSimulator(dataclasses.replace(DEFAULT_SCENARIO, samples_per_cycle=SPC))
    board.streaming = True
    frames = [board.next_frame().data for _ in range(round(seconds / board.frame_seconds))]
    return b"".join(frames), len(frames)


def decode_once(stream: bytes) -> tuple[float, int]:
    """CPU seconds to decode ``stream`` through ``SerialSource.blocks``, and samples decoded."""
    board = BoardSimulator(dataclasses.replace(DEFAULT_SCENARIO, samples_per_cycle=SPC))
    port = MemoryPort(board, stream)
    source = SerialSource(parse_serial_spec("memory"), opener=lambda spec: port)
    samples = 0
    t0 = time.process_time()
    try:
        for block in source.blocks():
            samples += block.n_samples
    except EOFError:
        pass
    return time.process_time() - t0, samples


def live(seconds: float) -> tuple[float, float]:
    """(CPU share [%] of this process, frames lost) reading ``seconds`` of real-time stream."""
    link = Path(tempfile.mkdtemp(prefix="ion7400-bench-")) / "tty"
    sim = subprocess.Popen(
        [sys.executable, "-m", "hmi", "board-sim", "--pty", "--link", str(link),
         "--spc", str(SPC), "--seconds", str(seconds + 10)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=Path(__file__).parents[1],
    )  # fmt: skip
    try:
        sim.stdout.readline()  # the simulator has made its pty
        source = SerialSource(parse_serial_spec(str(link)))
        samples, wall0, cpu0 = 0, time.monotonic(), time.process_time()
        for block in source.blocks():
            samples += block.n_samples
            if samples >= seconds * source.sample_rate:
                break
        cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
        lost = source.link.counters["frames_lost"]
        source.close()
    finally:
        sim.terminate()
        sim.wait()
    return 100.0 * cpu / wall, lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="[s] of stream per run")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--live", type=float, default=5.0, help="[s] of real-time stream, 0: skip")
    args = parser.parse_args()
    stream, n_frames = make_stream(args.seconds)
    runs = [decode_once(stream) for _ in range(args.repeats)]
    cpu = statistics.median(r[0] for r in runs)
    assert all(r[1] == round(args.seconds * SPC * 50) for r in runs), "samples went missing"
    mb = len(stream) / 1e6
    print(f"decoder, {SPC} samples/cycle x 8 channels int16 at 50 Hz, {args.seconds:g} s "
          f"({n_frames} frames, {mb:.2f} MB), median of {args.repeats}:")  # fmt: skip
    print(f"  {n_frames / cpu:>10.0f} frames/s  {mb / cpu:>8.1f} MB/s decoded")
    print(f"  {100.0 * cpu / args.seconds:>10.2f} % of one core at real time (target <= 3 %)")
    if args.live > 0:
        share, lost = live(args.live)
        print(f"live over a pty, {args.live:g} s real time: {share:.2f} % of one core "
              f"(reads + decoding), {lost} frames lost")  # fmt: skip
    print(f"({os.cpu_count()} cores; CPU time by time.process_time)")


if __name__ == "__main__":
    main()
