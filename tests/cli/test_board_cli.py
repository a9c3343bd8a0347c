"""``board-sim``, ``board calibrate`` and ``read --source serial:...`` on the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hmi.cli import main

ROOT = Path(__file__).parents[2]


def test_board_sim_on_a_pty_serves_read(tmp_path):
    link = tmp_path / "tty"
    sim = subprocess.Popen(
        [sys.executable, "-m", "hmi", "board-sim", "--pty", "--link", str(link), "--spc", "64",
         "--speed", "20", "--seconds", "20"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        first = sim.stdout.readline()
        assert f"connect to {link}" in first and "3200 Hz (64 samples/cycle)" in first
        read = subprocess.run(
            [sys.executable, "-m", "hmi", "read", "--source", f"serial:{link}", "--seconds", "2",
             "--json"],
            capture_output=True, text=True, cwd=ROOT, timeout=60,
        )  # fmt: skip
    finally:
        sim.terminate()
        sim.wait(10)
    assert read.returncode == 0, read.stderr
    q = json.loads(read.stdout)["quantities"]
    assert q["V_A"] == pytest.approx(230.0, rel=1e-3)  # the default installation's voltage
    assert "link " in read.stderr and "0 lost in 0 gaps" in read.stderr


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["board-sim"], "either --pty or --port"),
        (["board-sim", "--pty", "--faults", "gremlins"], "unknown fault 'gremlins'"),
        (["board-sim", "--pty", "--spc", "8"], "--spc must be 16..1024"),
        (["board-sim", "--pty", "--speed", "0"], "--speed must be > 0"),
        (["board-sim", "--pty", "--rate", "1000.5"], "not a whole number of samples per 50 Hz"),
        (["board-sim", "--pty", "--rate", "400"], "16..1024 samples per cycle, got 8"),
        (["board-sim", "--port", "/nonexistent/tty"], "cannot open serial port"),
        (["read", "--source", "serial:/nonexistent/tty"], "cannot open serial port"),
        (["read", "--source", "serial:"], "serial source needs a port"),
        (["read", "--source", "serial:/dev/x?profile=magic"], "profile must be one of"),
        (["read", "--source", "serial:/dev/x?bogus=1"], "unknown option 'bogus'"),
        (["read", "--source", "serial:/dev/x?baud=fast"], "bad value 'fast' for baud"),
        (["board", "calibrate", "--port", "/nonexistent/tty", "--reference-v", "230",
          "--reference-i", "0"], "--reference-i must be > 0"),
    ],
)  # fmt: skip
def test_bad_board_input_is_one_line_and_status_2(argv, words, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
