"""What logging costs: the CPU share of one core that ``engine.storage.MeterLogger`` takes in
real time, for 64 recorders x 16 quantities every 1 s and for the default recorders.

    .venv/bin/python benchmarks/logging.py [--seconds 60] [--repeats 5]

``--seconds`` of the default simulated inputs go through the Meter once, in 0.1-s blocks (the
live emulator's), and each block's (BlockResult, Snapshot) is kept; the meter's own cost is not
timed. Then, per run, a fresh database in a temporary folder and a ``MeterLogger`` take those
blocks as fast as they can: every recorder update, event check, row buffer, the commits of rows,
registers and open intervals once a second of signal time, the size-cap check, and the final
close. The CPU time of the process (``time.process_time``, so SQLite's work counts and the
disk's latency does not) over the signal time is the share of one core; median of ``--repeats``.

Target (issue 7): <= 5 % of one core for 64 x 16 at 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import bench_common  # noqa: F401  before engine: takes this folder (logging.py!) off sys.path

from engine.meter import Meter
from engine.sources.simulated import SimulatedSource
from engine.storage.database import Database
from engine.storage.logger import MeterLogger
from engine.storage.recorders import DEFAULT_RECORDERS, MAX_CHANNELS, MAX_RECORDERS, RecorderDef

TARGET = 5.0  # [% of one core]


def blocks(seconds: float) -> list[tuple]:
    """(BlockResult, Snapshot) of every 0.1-s block of ``seconds`` of the default inputs."""
    meter = Meter()
    out: list[tuple] = []
    meter.listeners.append(lambda r, s: out.append((r, s)))
    meter.run(SimulatedSource(), paced=False, seconds=seconds)
    return out


def full_set(ids: list[str]) -> list[RecorderDef]:
    """64 recorders x 16 channels at 1 s over distinct quantity ids (as many as there are)."""
    recs = []
    for k in range(MAX_RECORDERS):
        chans = tuple(ids[(k * MAX_CHANNELS + j) % len(ids)] for j in range(MAX_CHANNELS))
        recs.append(RecorderDef(f"r{k:02d}", chans, 1.0))
    return recs


def run_once(recorders: list[RecorderDef], data: list[tuple]) -> tuple[float, int]:
    """CPU time [s] of logging ``data`` with ``recorders``, and the rows written."""
    with tempfile.TemporaryDirectory() as tmp:
        logger = MeterLogger.open(Path(tmp), recorders=recorders, source="sim")
        logger.attach(Meter())  # registers and events come from an idle meter
        t0 = time.process_time()
        for result, snap in data:
            logger.on_block(result, snap)
        logger.close()
        cpu = time.process_time() - t0
        db = Database.in_dir(Path(tmp))
        rows = db.conn.execute("SELECT COUNT(*) FROM samples").fetchone()[0]
        db.close()
    return cpu, rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="[s] of signal logged per run")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    data = blocks(args.seconds)
    signal = args.seconds
    ids = sorted(q for q in data[-1][1].values if q != "FREQ_CYCLE")
    sets = {
        f"{MAX_RECORDERS} x {MAX_CHANNELS} at 1 s": full_set(ids),
        "defaults (15 min, 10 min, 1 min)": list(DEFAULT_RECORDERS),
    }
    print(f"{len(data)} blocks, {signal:g} s of signal, median of {args.repeats} runs")
    print(f"{'recorders':<36} {'CPU [% of one core]':>20} {'min..max':>14} {'rows':>8}")
    for name, recs in sets.items():
        shares, rows = [], 0
        for _ in range(args.repeats):
            cpu, rows = run_once(recs, data)
            shares.append(100.0 * cpu / signal)
        med = statistics.median(shares)
        span = f"{min(shares):.2f}..{max(shares):.2f}"
        print(f"{name:<36} {med:>20.2f} {span:>14} {rows:>8}")
        if name.startswith(str(MAX_RECORDERS)):
            verdict = "meets" if med <= TARGET else "MISSES"
            print(f"  {verdict} the target of {TARGET:g} % of one core")


if __name__ == "__main__":
    main()
