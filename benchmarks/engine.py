"""Engine speed: real-time factor (seconds of signal per second of CPU), one thread.

    .venv/bin/python benchmarks/engine.py [--seconds 20] [--repeats 5]

8 channels (4 V + 4 I), all features of the engine core on (rms and Urms(1/2), frequency,
IEEE 1459 power, harmonics to the 63rd with subgroups and angles, unbalance, energy, demand,
min/max), at 128, 256 and 512 samples/cycle on a 50 Hz distorted signal at 49.95 Hz.

When pqopen-lib is installed (``pip install -e '.[bench]'``), the same signal also goes through
its PowerSystem (3 phases, 50 harmonics, as in its own examples), in the same run, and the
ratio of the two real-time factors is printed. Figures are medians over the repeats.
"""

from __future__ import annotations

import argparse
import statistics
import time

# bench_common before any project import: it takes this folder off sys.path.
from bench_common import TABLE_HEADER, pqopen_system, signal_blocks, table_row
from threadpoolctl import threadpool_limits

from engine.config import MeterConfig
from engine.meter import Meter


def ours(blocks: list) -> float:
    meter = Meter(MeterConfig())
    meter.process(blocks[0])  # warm-up: layout, filter design, caches
    t0 = time.process_time()
    for block in blocks[1:]:
        meter.process(block)
    return sum(b.duration for b in blocks[1:]) / (time.process_time() - t0)


def pqopen(blocks: list) -> float | None:
    built = pqopen_system(blocks[0].sample_rate)
    if built is None:
        return None
    system, u, i = built

    def feed(block) -> None:
        for k in range(3):
            u[k].put_data(block.voltage[k])
            i[k].put_data(block.current[k])
        system.process()

    feed(blocks[0])
    t0 = time.process_time()
    for block in blocks[1:]:
        feed(block)
    return sum(b.duration for b in blocks[1:]) / (time.process_time() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="[s] of signal per run")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with threadpool_limits(limits=1):
        print(f"engine real-time factor, median of {args.repeats} runs of {args.seconds:g} s")
        print(TABLE_HEADER)
        for spc in (128, 256, 512):
            blocks = signal_blocks(spc, args.seconds)
            ours_rtf = statistics.median(ours(blocks) for _ in range(args.repeats))
            runs = [pqopen(blocks) for _ in range(args.repeats)]
            theirs = None if runs[0] is None else statistics.median(runs)
            print(table_row(spc, ours_rtf, theirs))


if __name__ == "__main__":
    main()
