"""kill -9 at random moments of heavy logging (64 recorders x 16 quantities every 0.2 s, the
meter paced to the wall clock as the live emulator is), then: the database passes
``PRAGMA integrity_check``, every recorder's rows are aligned, strictly increasing and
contiguous except across a recorded power cycle no longer than the real downtime, and the
energy register holds P x (time logged), so no run lost more than 1 s."""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from logging_child import POWER

from engine.storage.database import DB_NAME

ROOT = Path(__file__).resolve().parents[3]
CHILD = ROOT / "tests" / "support" / "logging_child.py"
INTERVAL_MS = 200
CYCLES = 5


def _spawn(data: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(data), "--recorders", "64", "--interval", "0.2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip


def test_kill_9_never_corrupts_and_gaps_are_only_downtime(tmp_path):
    seed = random.randrange(1 << 30)
    rnd = random.Random(seed)
    runs = []  # (spawned [ms], killed [ms])
    for k in range(CYCLES):
        child = _spawn(tmp_path)
        spawned = time.time() * 1000
        if k == 1:  # once during start-up (opening, schema, first commit)
            time.sleep(rnd.uniform(0.0, 1.2))
        else:
            assert child.stdout.readline().strip() == b"logging", child.stderr.read()
            # The first run logs for a while for sure (rows to check even on a loaded
            # machine, where a short run may not reach its first commit); the others are
            # killed at random moments.
            time.sleep(2.5 if k == 0 else rnd.uniform(0.3, 1.6))
        killed = time.time() * 1000
        child.send_signal(signal.SIGKILL)
        child.wait()
        runs.append((spawned, killed))
    why = f"(random seed {seed}, runs {runs})"

    conn = sqlite3.connect(tmp_path / DB_NAME)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", why
    power = conn.execute(
        "SELECT t_ms, what, new FROM events WHERE kind='power' ORDER BY t_ms, id"
    ).fetchall()
    ups = [t for t, what, _ in power if what == "power_up"]
    downs = [t for t, what, new in power if what == "power_down"]
    assert all(new == "unexpected" for _, what, new in power if what == "power_down"), why
    assert len(ups) >= CYCLES - 1 and len(downs) == len(ups) - 1, why
    alive = conn.execute("SELECT t_ms FROM state WHERE key='alive'").fetchone()[0]
    downs.append(alive)  # the last run's power-down is found at the next start: use its mark
    # Each run: up <= down; its kill came at most 1 s (one commit period, plus scheduling
    # slack) after the last sign of life, and never before it. The paced simulated source is
    # up to one block (0.1 s) ahead of the wall clock: a block is processed, then waited for.
    lead = 100 + 5
    for up, down in zip(ups, downs, strict=True):
        spawned, killed = next(r for r in runs if r[0] <= up <= r[1] + lead)
        assert up <= down <= killed + lead, why
        assert killed - down <= 1000 + 300, why

    for (rec,) in conn.execute("SELECT id FROM recorders"):
        ends = [t for (t,) in conn.execute(
            "SELECT t_ms FROM samples WHERE recorder=? ORDER BY t_ms", (rec,))]  # fmt: skip
        assert ends and all(t % INTERVAL_MS == 0 for t in ends), why
        for a, b in itertools.pairwise(ends):
            assert b > a, why
            if b - a == INTERVAL_MS:
                continue
            # A gap: power cycles lie in it, and it is no longer than from the first power-down
            # to the last power-up, rounded out to whole intervals (the open interval at each
            # end). A run in between left no rows only if it ran less than a commit (1 s).
            cycles = [(d, u) for d, u in zip(downs, ups[1:], strict=False) if a < u <= b]
            assert cycles, f"gap {a}..{b} while the meter ran {why}"
            assert b - a <= (cycles[-1][1] - cycles[0][0]) + 3 * INTERVAL_MS, why
            for (_, u), (d, _) in itertools.pairwise(cycles):
                assert d - u <= 1000 + lead, why

    # Energy: the register holds P x (time logged over all runs), within a window per run.
    (state,) = conn.execute("SELECT value FROM state WHERE key='registers'").fetchone()

    regs = json.loads(state)["energy"]["registers"]["P_DEL"]
    logged = sum(d - u for u, d in zip(ups, downs, strict=True)) / 1000  # [s]
    energy = (regs[0] + regs[1]) / 3600  # [Wh]
    assert POWER * (logged - 0.35 * len(ups)) / 3600 <= energy <= POWER * logged / 3600, why
