"""``ion7400-hmi report en50160|ieee519`` on a recording the test writes, against analytic truth.

The recording: 11 min of a 50 Hz three-phase supply at 32 samples/cycle, voltages with 4.5 %
5th, 3 % 7th and 1.2 % 11th harmonic (THD √(4.5² + 3² + 1.2²) = 5.540 %), currents of 80 A with
12 % 5th, 7 % 7th and 3 % 11th (TDD against IL = 100 A: √(12² + 7² + 3²) · 0.8 = 11.37 %), and
one three-phase dip to 60 % for 300 ms at 08:00:30, inside the first 10-min interval (which
the flagging rule then leaves out).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from engine.comtrade import ChannelSpec, write_comtrade
from hmi.cli import main

FS, F0, SECONDS = 1600.0, 50.0, 11 * 60
START = datetime(2026, 11, 2, 8, 0, 0, tzinfo=UTC)
V_H = {5: 4.5, 7: 3.0, 11: 1.2}
I_H = {5: 12.0, 7: 7.0, 11: 3.0}
THD_V = math.sqrt(sum(x * x for x in V_H.values()))
TDD = math.sqrt(sum(x * x for x in I_H.values())) * 80.0 / 100.0


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> Path:
    t = np.arange(int(FS * SECONDS)) / FS
    level = np.where((t >= 30.0) & (t < 30.3), 0.6, 1.0)
    rows = []
    for k in range(3):
        w = 2 * np.pi * F0 * t - k * 2 * np.pi / 3
        v = np.cos(w) + sum(p / 100 * np.cos(h * w) for h, p in V_H.items())
        rows.append(np.sqrt(2) * 230.0 * level * v)
    for k in range(3):
        w = 2 * np.pi * F0 * t - k * 2 * np.pi / 3 - 0.3
        i = np.cos(w) + sum(p / 100 * np.cos(h * w) for h, p in I_H.items())
        rows.append(np.sqrt(2) * 80.0 * i)
    specs = [ChannelSpec(f"V{k + 1}", "V", "ABC"[k]) for k in range(3)]
    specs += [ChannelSpec(f"I{k + 1}", "A", "ABC"[k]) for k in range(3)]
    path = tmp_path_factory.mktemp("report") / "feeder"
    return write_comtrade(path, np.array(rows), specs, FS, START, file_type="FLOAT32")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["report", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_en50160_json_against_the_signal(recording, capsys):
    code, out, _ = run(capsys, "en50160", str(recording), "--json")
    assert code == 0
    report = json.loads(out)
    (week,) = report["weeks"]
    assert week["n_records"] == 2 and week["n_flagged"] == 1 and week["partial"]
    rows = {(r["parameter"], r["phase"], r["order"], r["required_pct"]): r for r in week["rows"]}
    rms = 230.0 * math.sqrt(1 + (THD_V / 100) ** 2)
    voltage = rows["supply_voltage", "A", None, 95.0]
    assert voltage["worst"] == pytest.approx(rms, rel=1e-3)  # Class A: ±0.1 % of Udin
    assert voltage["n_valid"] == 1 and voltage["n_excluded"] == 1 and voltage["passed"]
    assert rows["thd", "B", None, 95.0]["worst"] == pytest.approx(THD_V, abs=0.02)
    assert rows["harmonic", "C", 5, 95.0]["worst"] == pytest.approx(4.5, abs=0.02)
    assert rows["harmonic", "C", 7, 95.0]["passed"]  # 3 % <= 5 %
    # The dip: 60 % residual for 300 ms, row 70 > u >= 40, column 200 ms < t <= 0.5 s.
    dips = report["dips"]
    assert dips["source"] == "POLY"
    expected = [[0] * 5 for _ in range(5)]
    expected[2][1] = 1
    assert dips["counts"] == expected
    assert report["interruptions"] == {"short": 0, "long": 0}
    assert report["passed"] is True


def test_en50160_text_and_html(recording, capsys, tmp_path):
    page = tmp_path / "en.html"
    code, out, _ = run(capsys, "en50160", str(recording), "--html", str(page))
    assert code == 0
    assert "EN 50160:2010 report" in out and "Verdict: PASS" in out
    assert "70>u>=40" in out
    html = page.read_text(encoding="utf-8")
    assert html.count("<svg") == 1
    # One marker per dip: the polyphase dip and the dip of each phase.
    assert html.count("<circle") == 4 and "no-damage" in html


def test_ieee519_values_and_verdict_follow_the_pcc(recording, capsys):
    code, out, _ = run(capsys, "ieee519", str(recording), "--json", "--il", "100",
                       "--isc-il", "30")  # fmt: skip
    assert code == 0
    report = json.loads(out)
    assert report["settings"]["bus_voltage"] == pytest.approx(230 * math.sqrt(3))
    rows = {(r["quantity"], r["phase"], r["order"], r["check"]): r for r in report["rows"]}
    weekly95 = "weekly 95th percentile of 10-min values"
    daily99 = "daily 99th percentile of 3-s values"
    assert rows["tdd", "A", None, weekly95]["value"] == pytest.approx(TDD, abs=0.02)
    assert rows["current_harmonic", "B", 5, daily99]["value"] == pytest.approx(9.6, abs=0.02)
    assert rows["voltage_thd", "C", None, weekly95]["value"] == pytest.approx(THD_V, abs=0.02)
    # 20 <= ISC/IL < 50: TDD 8 % and h5 7 % of IL are exceeded by 11.37 % and 9.6 %.
    assert rows["tdd", "A", None, weekly95]["limit"] == 8.0
    assert rows["tdd", "A", None, weekly95]["passed"] is False
    assert report["passed"] is False
    # 100 <= ISC/IL < 1000: TDD 15 %, h5 12 %: now within.
    code, out, _ = run(capsys, "ieee519", str(recording), "--json", "--il", "100",
                       "--isc-il", "200")  # fmt: skip
    assert json.loads(out)["passed"] is True


def test_ieee519_without_isc_il_uses_the_strictest_row_and_says_so(recording, capsys):
    code, out, err = run(capsys, "ieee519", str(recording), "--il", "100")
    assert code == 0
    assert "ISC/IL < 20" in out and "strictest row" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ieee519", "--isc-il", "-3"], "--isc-il must be > 0"),
        (["en50160", "--declared-voltage", "50000"], "above 36 kV"),
        (["en50160", "--start", "2026-11-02T00:00"], "time zone"),
    ],
)
def test_bad_settings_exit_2_with_one_line(recording, capsys, args, message):
    code, out, err = run(capsys, args[0], str(recording), *args[1:])
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1
