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
import sys
import time
from pathlib import Path

# This script is benchmarks/engine.py: keep its own folder from shadowing the engine package.
_here = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from engine.config import MeterConfig  # noqa: E402
from engine.meter import Meter  # noqa: E402
from engine.sources.scenario import scenario_from_dict  # noqa: E402
from engine.sources.simulated import SimulatedSource  # noqa: E402


def signal_blocks(spc: int, seconds: float) -> list:
    scenario = scenario_from_dict(
        {
            "samples_per_cycle": spc,
            "frequency": {"nominal": 50, "actual": 49.95},
            "voltage": {"rms": 230.0, "harmonics": [{"order": 5, "magnitude": 3.0},
                                                    {"order": 7, "magnitude": 2.0}]},
            "neutral": {"current_measured": True, "voltage_measured": True},
        }
    )  # fmt: skip
    source = SimulatedSource(scenario, block_seconds=1.0)
    blocks = []
    for block in source.blocks():
        blocks.append(block)
        if len(blocks) * block.duration >= seconds:
            return blocks
    raise AssertionError("unreachable")


def ours(blocks: list) -> float:
    meter = Meter(MeterConfig())
    meter.process(blocks[0])  # warm-up: layout, filter design, caches
    t0 = time.process_time()
    for block in blocks[1:]:
        meter.process(block)
    return sum(b.duration for b in blocks[1:]) / (time.process_time() - t0)


def pqopen(blocks: list) -> float | None:
    try:
        from daqopen.channelbuffer import AcqBuffer
        from pqopen.powersystem import PowerSystem
    except ImportError:
        return None
    fs = blocks[0].sample_rate
    size = int(4 * fs)
    u = [AcqBuffer(size, dtype=np.float64) for _ in range(3)]
    i = [AcqBuffer(size, dtype=np.float64) for _ in range(3)]
    system = PowerSystem(zcd_channel=u[0], input_samplerate=fs, nominal_frequency=50.0)
    for k in range(3):
        system.add_phase(u_channel=u[k], i_channel=i[k])
    system.enable_harmonic_calculation(50)

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
        print(f"{'samples/cycle':>14} {'ion7400-hmi':>12} {'pqopen-lib':>11} {'ratio':>7}")
        for spc in (128, 256, 512):
            blocks = signal_blocks(spc, args.seconds)
            ours_rtf = statistics.median(ours(blocks) for _ in range(args.repeats))
            runs = [pqopen(blocks) for _ in range(args.repeats)]
            if runs[0] is None:
                print(f"{spc:>14} {ours_rtf:>11.0f}x {'(absent)':>11} {'':>7}")
                continue
            theirs = statistics.median(runs)
            print(f"{spc:>14} {ours_rtf:>11.0f}x {theirs:>10.0f}x {ours_rtf / theirs:>6.2f}x")


if __name__ == "__main__":
    main()
