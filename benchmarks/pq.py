"""Power-quality engine speed: real-time factor with every PQ feature on, one thread.

    .venv/bin/python benchmarks/pq.py [--seconds 60] [--repeats 3]

What `ion7400-hmi analyze` runs, on a 3-phase 4-wire distorted signal with a little flicker: the
engine core (rms, Urms(1/2), frequency, power, harmonics to the 63rd, unbalance, metering), IEC
61000-4-30 aggregation, voltage events (dips, swells, interruptions, RVC) and IEC 61000-4-15
flicker on the three voltages, at 256 and 512 samples/cycle. When pqopen-lib is installed
(`pip install -e '.[bench]'`) its PowerSystem runs the same signal with harmonics and
fluctuation (flicker) on, and the ratio is printed. Medians over the repeats.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

# bench_common before any project import: it takes this folder off sys.path.
from bench_common import TABLE_HEADER, new_buffer, pqopen_system, signal_blocks, table_row
from threadpoolctl import threadpool_limits

from engine.analysis import analyse_source
from engine.config import MeterConfig

FLICKER = [{"frequency": 58.8, "magnitude": 0.2}]  # an interharmonic: a little flicker


class Recorded:
    """A finite source replaying blocks made in advance (generation is not timed)."""

    def __init__(self, blocks: list, nominal_frequency: float) -> None:
        self._blocks = blocks
        self.sample_rate = blocks[0].sample_rate
        self.nominal_frequency = nominal_frequency

    def blocks(self):
        return iter(self._blocks)

    def describe(self) -> dict:
        return {"kind": "recorded"}

    def close(self) -> None:
        pass


def ours(blocks: list) -> float:
    t0 = time.process_time()
    analyse_source(Recorded(blocks, 50.0), MeterConfig())
    return len(blocks) / (time.process_time() - t0)


def pqopen(blocks: list) -> float | None:
    fs = blocks[0].sample_rate
    built = pqopen_system(fs)
    if built is None:
        return None
    system, u, i = built
    # Its flicker needs the absolute time of every sample [µs], in a buffer of its own.
    clock = new_buffer(fs)
    system.enable_nper_abs_time_sync(clock, interval_sec=600)
    system.enable_fluctuation_calculation(nominal_voltage=230)
    start_us = blocks[0].start.timestamp() * 1e6
    t0 = time.process_time()
    for block in blocks:
        n = block.n_samples
        clock.put_data(start_us + (block.first_index + np.arange(n)) * (1e6 / fs))
        for k in range(3):
            u[k].put_data(block.voltage[k])
            i[k].put_data(block.current[k])
        system.process()
    return len(blocks) / (time.process_time() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="[s] of signal per run")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with threadpool_limits(limits=1):
        print(f"PQ real-time factor, median of {args.repeats} runs of {args.seconds:g} s")
        print(TABLE_HEADER)
        for spc in (256, 512):
            blocks = signal_blocks(spc, args.seconds, FLICKER)
            rtf = statistics.median(ours(blocks) for _ in range(args.repeats))
            runs = [pqopen(blocks) for _ in range(args.repeats)]
            theirs = None if runs[0] is None else statistics.median(runs)
            print(table_row(spc, rtf, theirs))


if __name__ == "__main__":
    main()
