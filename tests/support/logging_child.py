"""A meter that logs heavily until it is killed (the kill -9 test of engine.storage), and the
constant-load source the storage tests share.

    python logging_child.py DATA_DIR [--recorders N] [--interval S] [--seconds S]

Runs the Meter on a constant 230 V / 10 A unity-PF source clocked from the wall clock at start
(as the live emulator is), paced to real time, with N recorders of 16 quantities each.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

VOLTS, AMPS = 230.0, 10.0
POWER = 3 * VOLTS * AMPS  # [W] total active power of the constant source (unity PF)
HEAVY_IDS = ("V_A", "V_B", "V_C", "V_AB", "V_BC", "V_CA", "I_A", "I_B", "I_C", "FREQ", "P_TOT",
             "Q_TOT", "S_TOT", "PF_TOT", "E_P_DEL", "D_P")  # fmt: skip


def constant_source(start: datetime, block_seconds: float = 0.1):
    from engine.sources.scenario import scenario_from_dict
    from engine.sources.simulated import SimulatedSource

    scenario = scenario_from_dict({
        "samples_per_cycle": 64,
        "voltage": {"rms": VOLTS},
        "current": {"rms": AMPS, "power_factor": 1.0, "harmonics": [],
                    "load": {"swing_amplitude": 0.0, "step_interval": 0.0, "pf_swing_to": 1.0}},
    })  # fmt: skip
    return SimulatedSource(scenario, start=start, block_seconds=block_seconds)


def heavy_recorders(n: int, interval: float):
    from engine.storage.recorders import RecorderDef

    return [RecorderDef(f"r{k:02d}", HEAVY_IDS, interval) for k in range(n)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir")
    ap.add_argument("--recorders", type=int, default=64)
    ap.add_argument("--interval", type=float, default=0.2)
    ap.add_argument("--seconds", type=float, default=None)
    args = ap.parse_args()
    from engine.meter import Meter
    from engine.storage.logger import MeterLogger

    meter = Meter()
    logger = MeterLogger.open(
        Path(args.data_dir), recorders=heavy_recorders(args.recorders, args.interval), source="sim"
    )
    logger.attach(meter)
    print("logging", flush=True)
    meter.run(constant_source(datetime.now(UTC)), paced=True, seconds=args.seconds)
    logger.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
