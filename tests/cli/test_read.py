"""``ion7400-hmi read``: headless engine runs on the simulated source and on recordings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hmi.cli import main

SCENARIOS = Path(__file__).parents[2] / "scenarios"


def test_read_json_gives_the_last_snapshot(capsys):
    assert main(["read", "--seconds", "2", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"t", "quantities"}
    assert doc["t"].startswith("2026-01-01T00:00:02")
    q = doc["quantities"]
    # The default scenario: 230 V, 50 Hz, 100 A at displacement PF 0.9 lagging.
    assert q["V_A"] == pytest.approx(230.0, rel=1e-4)
    assert q["FREQ"] == pytest.approx(50.0, abs=1e-3)
    assert q["DPF_TOT"] == pytest.approx(0.9, abs=5e-4)
    assert q["Q_TOT"] > 0
    assert q["E_P_DEL"] > 0


def test_read_table_is_readable(capsys):
    assert main(["read", "--seconds", "1"]) == 0
    out = capsys.readouterr().out
    assert "Voltage L-N" in out and "V_A" in out and "230.000 V" in out


def test_read_scenario_file(capsys):
    assert main(["read", "--source", f"sim:{SCENARIOS / 'delta-60hz.toml'}", "--json"]) == 0
    q = json.loads(capsys.readouterr().out)["quantities"]
    assert q["FREQ"] == pytest.approx(60.0, abs=0.5)


def test_read_bad_source_exits_2(capsys):
    assert main(["read", "--source", "tape:whatever"]) == 2
    assert "unknown source" in capsys.readouterr().err


def test_read_bad_scenario_names_file_and_key(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[voltage]\nrms = -5\n")
    assert main(["read", "--source", f"sim:{bad}"]) == 2
    err = capsys.readouterr().err
    assert "bad.toml:2" in err and "voltage.rms" in err
