"""Screen render times and launch-to-first-frame time.

    .venv/bin/python benchmarks/render.py [--repeats 50]

Renders every screen into a 320 x 240 QImage from the demo snapshot and prints the median and
95th percentile per screen (target: every screen <= 4 ms median); then launches the emulator
window in a fresh process (offscreen unless a display is set) and prints the time from process
start to the first painted TFT frame (target <= 1.5 s), median of 5 launches.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

import bench_common  # noqa: F401  first: keeps benchmarks/engine.py from shadowing `engine`

from hmi.screenshot import demo_snapshot, ensure_gui_application, render
from screens import registry

# Runs in a fresh process: the window as `ion7400-hmi` opens it, timed until the TFT widget
# has painted a frame drawn from live values.
LAUNCH = """
import sys, time
from datetime import UTC, datetime
from PySide6.QtWidgets import QApplication
from engine.meter import Meter
from engine.sources.spec import open_source
from hmi.bridge import EngineBridge
from hmi.window import MainWindow

app = QApplication(sys.argv[:1])
meter = Meter()
bridge = EngineBridge(meter, open_source("sim", start=datetime.now(UTC)))
window = MainWindow(bridge, meter.config, scale=2, language="en")
painted = []
paint = window.tft.paintEvent

def first_paint(event):
    paint(event)
    if bridge.snapshot().values and not painted:
        painted.append(time.time())

window.tft.paintEvent = first_paint
window.show()
bridge.start()
while not painted:
    app.processEvents()
    window.refresh()
    time.sleep(0.005)
bridge.stop()
print(painted[0])
"""


def screen_times(repeats: int) -> list[tuple[str, float, float]]:
    ensure_gui_application()
    snapshot = demo_snapshot()
    rows = []
    for sid in registry.screen_ids():
        render(sid, snapshot)  # warm-up: fonts, caches
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            render(sid, snapshot)
            times.append(time.perf_counter() - t0)
        times.sort()
        rows.append((sid, statistics.median(times), times[int(0.95 * (len(times) - 1))]))
    return rows


def launch_time() -> float:
    env = dict(os.environ)
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    t0 = time.time()
    out = subprocess.run(
        [sys.executable, "-c", LAUNCH], capture_output=True, text=True, env=env, timeout=60,
        check=True,
    )  # fmt: skip
    return float(out.stdout.strip().splitlines()[-1]) - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    rows = screen_times(args.repeats)
    print(f"{'screen':<20} {'median ms':>10} {'p95 ms':>8}")
    for sid, med, p95 in rows:
        print(f"{sid:<20} {1e3 * med:>10.2f} {1e3 * p95:>8.2f}")
    worst = max(rows, key=lambda r: r[1])
    print(f"slowest median: {worst[0]} {1e3 * worst[1]:.2f} ms (target <= 4 ms)")
    launches = [launch_time() for _ in range(5)]
    print(f"launch to first frame: median {statistics.median(launches):.2f} s (target <= 1.5 s)")


if __name__ == "__main__":
    main()
