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
import sys
import time
from pathlib import Path

# benchmarks/engine.py sits beside this script: keep the folder from shadowing the package.
_here = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from engine.analysis import analyse_source  # noqa: E402
from engine.config import MeterConfig  # noqa: E402
from engine.sources.scenario import scenario_from_dict  # noqa: E402
from engine.sources.simulated import SimulatedSource  # noqa: E402


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


def signal_blocks(spc: int, seconds: float) -> list:
    scenario = scenario_from_dict(
        {
            "samples_per_cycle": spc,
            "frequency": {"nominal": 50, "actual": 49.95},
            "voltage": {
                "rms": 230.0,
                "harmonics": [{"order": 5, "magnitude": 3.0}, {"order": 7, "magnitude": 2.0}],
                "interharmonics": [{"frequency": 58.8, "magnitude": 0.2}],  # a little flicker
            },
            "neutral": {"current_measured": True, "voltage_measured": True},
        }
    )
    source = SimulatedSource(scenario, block_seconds=1.0)
    blocks = []
    for block in source.blocks():
        blocks.append(block)
        if len(blocks) >= seconds:
            return blocks
    raise AssertionError("unreachable")


def ours(blocks: list) -> float:
    t0 = time.process_time()
    analyse_source(Recorded(blocks, 50.0), MeterConfig())
    return len(blocks) / (time.process_time() - t0)


def pqopen(blocks: list) -> float | None:
    try:
        from daqopen.channelbuffer import AcqBuffer
        from pqopen.powersystem import PowerSystem
    except ImportError:
        return None
    fs = blocks[0].sample_rate
    u = [AcqBuffer(int(4 * fs), dtype=np.float64) for _ in range(3)]
    i = [AcqBuffer(int(4 * fs), dtype=np.float64) for _ in range(3)]
    system = PowerSystem(zcd_channel=u[0], input_samplerate=fs, nominal_frequency=50.0)
    for k in range(3):
        system.add_phase(u_channel=u[k], i_channel=i[k])
    # Its flicker needs the absolute time of every sample [µs], in a buffer of its own.
    clock = AcqBuffer(int(4 * fs), dtype=np.float64)
    system.enable_nper_abs_time_sync(clock, interval_sec=600)
    system.enable_harmonic_calculation(50)
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
        print(f"{'samples/cycle':>14} {'ion7400-hmi':>12} {'pqopen-lib':>11} {'ratio':>7}")
        for spc in (256, 512):
            blocks = signal_blocks(spc, args.seconds)
            rtf = statistics.median(ours(blocks) for _ in range(args.repeats))
            runs = [pqopen(blocks) for _ in range(args.repeats)]
            if runs[0] is None:
                print(f"{spc:>14} {rtf:>11.0f}x {'(absent)':>11}")
                continue
            theirs = statistics.median(runs)
            print(f"{spc:>14} {rtf:>11.0f}x {theirs:>10.0f}x {rtf / theirs:>6.2f}x")


if __name__ == "__main__":
    main()
