"""``ion7400-hmi analyze`` on COMTRADE files the tests write, checked against analytic truth."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from signals import START, Channel, System, wrap

from engine.comtrade import ChannelSpec, write_comtrade
from hmi.cli import main

V_HARM = {5: (4.0, -60.0), 11: (1.0, 10.0)}
I_HARM = {5: (10.0, 20.0), 7: (6.0, -80.0)}


def system(f: float = 49.7) -> System:
    return System(
        f,
        (
            Channel(230.0, 0.0, V_HARM),
            Channel(229.0, -120.3, V_HARM),
            Channel(231.0, 119.6, V_HARM),
        ),
        (Channel(80.0, -30.0, I_HARM), Channel(90.0, -150.3, I_HARM), Channel(70.0, 89.6, I_HARM)),
    )


def write_recording(path: Path, sys_: System, *, spc: int = 256, seconds: float = 2.0,
                    file_type: str = "FLOAT32", revision: int = 2013, nominal: float = 50.0,
                    secondary: bool = False) -> Path:  # fmt: skip
    fs = spc * nominal
    blocks = list(sys_.blocks(fs, seconds, block_seconds=seconds))
    b = blocks[0]
    analog = np.vstack([b.voltage[:3], b.current[:3]])
    names = ("VA", "VB", "VC", "IA", "IB", "IC")
    if secondary:  # 230 V / 115 V PT and 100 A / 5 A CT, values recorded as secondary
        analog = analog / np.array([2, 2, 2, 20, 20, 20])[:, None]
        specs = [
            ChannelSpec(n, "V" if n[0] == "V" else "A", n[1], primary=p, secondary=s, ps="S")
            for n, (p, s) in zip(names, [(230, 115)] * 3 + [(100, 5)] * 3, strict=True)
        ]
    else:
        specs = [ChannelSpec(n, "V" if n[0] == "V" else "A", n[1]) for n in names]
    return write_comtrade(path, analog, specs, fs, START, revision=revision, file_type=file_type,
                          line_frequency=nominal)  # fmt: skip


def run_json(capsys, *args: str) -> dict:
    assert main(["analyze", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("file_type", "revision"), [("FLOAT32", 2013), ("BINARY32", 2013), ("ASCII", 1999)]
)
def test_analyze_summary_matches_analytic_truth(tmp_path, capsys, file_type, revision):
    truth = system()
    cfg = write_recording(tmp_path / "rec.cfg", truth, file_type=file_type, revision=revision)
    report = run_json(capsys, str(cfg))
    s = report["summary"]
    assert set(report) == {"source", "config", "summary", "events", "flicker", "intervals"}
    assert report["events"] == []  # a steady supply
    assert report["source"]["kind"] == "comtrade"
    assert report["config"]["meter"]["wiring"] == "4W-WYE"
    for k, ph in enumerate("ABC"):
        assert s[f"V_{ph}"] == pytest.approx(truth.v[k].true_rms, rel=1e-4)
        assert s[f"I_{ph}"] == pytest.approx(truth.i[k].true_rms, rel=1e-4)
        assert s[f"P_{ph}"] == pytest.approx(truth.p(k), abs=2e-4 * truth.s(k))
        assert s[f"Q_{ph}"] == pytest.approx(truth.q1(k), abs=2e-4 * truth.s(k))
    assert s["FREQ"] == pytest.approx(49.7, abs=1e-3)
    assert s["H_V_A_5"] == pytest.approx(4.0, abs=0.05)
    assert s["H_I_B_7"] == pytest.approx(6.0, abs=0.05)
    assert wrap(s["HA_I_B_7"] - wrap(7 * -150.3 - 80.0)) == pytest.approx(0.0, abs=0.05)
    s_tot = sum(truth.s(k) for k in range(3))
    assert s["PF_TOT"] == pytest.approx(sum(truth.p(k) for k in range(3)) / s_tot, abs=5e-4)
    windows = report["intervals"]["10cycle"]
    assert len(windows) == pytest.approx(2.0 * 49.7 / 10, abs=1.5)
    assert windows[0]["t"].startswith("2026-03-01T12:00:00")
    assert windows[-1]["V_A"] == pytest.approx(truth.v[0].true_rms, rel=1e-4)


def test_secondary_values_are_scaled_to_primary(tmp_path, capsys):
    truth = system(50.0)
    cfg = write_recording(tmp_path / "sec.cfg", truth, file_type="BINARY", secondary=True)
    s = run_json(capsys, str(cfg))["summary"]
    # 16-bit samples: within 0.01 % still, the quantisation noise averaging out.
    assert s["V_A"] == pytest.approx(truth.v[0].true_rms, rel=1e-4)
    assert s["I_C"] == pytest.approx(truth.i[2].true_rms, rel=1e-4)


def test_sixty_hertz_recording_uses_twelve_cycle_windows(tmp_path, capsys):
    truth = system(59.8)
    cfg = write_recording(tmp_path / "r60.cfg", truth, nominal=60.0, seconds=1.6)
    report = run_json(capsys, str(cfg))
    assert report["config"]["meter"]["nominal_frequency"] == 60.0
    assert len(report["intervals"]["10cycle"]) == pytest.approx(1.6 * 59.8 / 12, abs=1.5)
    assert report["summary"]["FREQ"] == pytest.approx(59.8, abs=1e-3)


def test_options_override_and_output_file(tmp_path, capsys):
    truth = system(50.0)
    cfg = write_recording(tmp_path / "rec.cfg", truth, seconds=1.0)
    out = tmp_path / "report.json"
    code = main(["analyze", str(cfg), "--wiring", "3W-DELTA", "--nominal-voltage", "400",
                 "--output", str(out)])  # fmt: skip
    assert code == 0
    report = json.loads(out.read_text())
    assert report["config"]["meter"]["wiring"] == "3W-DELTA"
    assert "V_A" not in report["summary"]
    assert report["summary"]["V_AB"] == pytest.approx(
        abs(truth.v[0].phasor(1) - truth.v[1].phasor(1)), rel=2e-3
    )
    assert "V_AB" in capsys.readouterr().out  # the readable table on the terminal


def test_channel_mapping_option(tmp_path, capsys):
    truth = system(50.0)
    cfg = write_recording(tmp_path / "rec.cfg", truth, seconds=1.0)
    # Swap phases B and C on purpose: the rotation turns to ACB.
    s = run_json(capsys, str(cfg), "--map", "V2=VC,V3=VB,I2=IC,I3=IB")["summary"]
    assert s["PHASE_ROTATION"] == -1.0


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hmi", *args], capture_output=True, text=True, timeout=60
    )


def test_missing_file_exits_2_with_one_line(tmp_path):
    r = cli("analyze", str(tmp_path / "nope.cfg"))
    assert r.returncode == 2
    assert "nope.cfg" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr


def test_malformed_cfg_line_names_file_and_line(tmp_path):
    cfg = write_recording(tmp_path / "bad.cfg", system(), seconds=0.5)
    lines = cfg.read_text().splitlines()
    lines[2] = "1,VA,A,,V,not-a-number,0,0,-1,1,1,1,P"
    cfg.write_text("\n".join(lines) + "\n")
    r = cli("analyze", str(cfg))
    assert r.returncode == 2
    assert f"{cfg}:3:" in r.stderr and "Traceback" not in r.stderr


def test_truncated_dat_is_reported(tmp_path):
    cfg = write_recording(tmp_path / "cut.cfg", system(), seconds=0.5, file_type="BINARY")
    dat = cfg.with_suffix(".dat")
    dat.write_bytes(dat.read_bytes()[:-7])
    r = cli("analyze", str(cfg))
    assert r.returncode == 2
    assert "cut.dat" in r.stderr and "Traceback" not in r.stderr


def test_zero_sample_rate_is_reported(tmp_path):
    cfg = write_recording(tmp_path / "zero.cfg", system(), seconds=0.5)
    lines = cfg.read_text().splitlines()
    rate_line = next(i for i, line in enumerate(lines) if line.startswith("12800"))
    lines[rate_line] = "0," + lines[rate_line].split(",")[1]
    cfg.write_text("\n".join(lines) + "\n")
    r = cli("analyze", str(cfg))
    assert r.returncode == 2
    assert f"zero.cfg:{rate_line + 1}:" in r.stderr


def test_unknown_channel_in_mapping_is_reported(tmp_path):
    cfg = write_recording(tmp_path / "rec.cfg", system(), seconds=0.5)
    r = cli("analyze", str(cfg), "--map", "V1=VX")
    assert r.returncode == 2
    assert "VX" in r.stderr and "Traceback" not in r.stderr


def test_report_has_the_iec_61000_4_30_aggregates(tmp_path, capsys):
    """intervals: 150/180-cycle values (15 windows each) and the 10-min and 2-h aggregates."""
    truth = system(50.0)
    cfg = write_recording(tmp_path / "rec.cfg", truth, spc=64, seconds=8.0)
    intervals = run_json(capsys, str(cfg))["intervals"]
    assert set(intervals) == {"10cycle", "150cycle", "10min", "2h"}
    assert len(intervals["150cycle"]) == len(intervals["10cycle"]) // 15
    for record in intervals["150cycle"] + intervals["10min"]:
        assert record["V_A"] == pytest.approx(truth.v[0].true_rms, rel=1e-4)
        assert record["FREQ"] == pytest.approx(50.0, abs=1e-3)
        assert record["flagged"] is False


def test_dip_and_interruption_are_reported_and_flag_their_windows(tmp_path, capsys):
    """A 50 % dip on phase A for 200 ms, then all three phases off for 500 ms (IEC 61000-4-30
    §5.4): both events, with depth and duration, and the windows they touch flagged."""
    fs, seconds = 64 * 50.0, 4.0
    t = np.arange(int(fs * seconds)) / fs
    scale = np.ones((3, t.size))
    scale[0, (t >= 1.0) & (t < 1.2)] = 0.5
    scale[:, (t >= 2.5) & (t < 3.0)] = 0.0
    volts = (
        np.array(
            [np.sqrt(2) * 230 * np.cos(2 * np.pi * 50 * t - k * 2 * np.pi / 3) for k in range(3)]
        )
        * scale
    )
    amps = volts / 10
    specs = [
        ChannelSpec(n, u, n[1])
        for n, u in zip(("VA", "VB", "VC", "IA", "IB", "IC"), "VVVAAA", strict=True)
    ]
    cfg = write_comtrade(
        tmp_path / "ev.cfg", np.vstack([volts, amps]), specs, fs, START, file_type="FLOAT32"
    )
    report = run_json(capsys, str(cfg), "--nominal-voltage", "230")
    kinds = {(e["type"], e["phase"]) for e in report["events"]}
    assert ("dip", "A") in kinds and ("interruption", "POLY") in kinds
    dip = next(e for e in report["events"] if (e["type"], e["phase"]) == ("dip", "A"))
    assert dip["extreme_pct"] == pytest.approx(50.0, abs=0.5)
    assert dip["duration_s"] == pytest.approx(0.2, abs=0.021)  # within a cycle
    stop = next(e for e in report["events"] if e["type"] == "interruption")
    assert stop["extreme_pct"] < 1.0 and stop["duration_s"] == pytest.approx(0.5, abs=0.021)
    assert stop["itic"] in ("no-interruption", "no-damage", "prohibited")
    windows = report["intervals"]["10cycle"]
    assert any(w["flagged"] for w in windows) and not all(w["flagged"] for w in windows)
    assert not windows[0]["flagged"] and not windows[-1]["flagged"]
    # The interruption is upstream of the meter (the load's current follows the voltage).
    assert stop["direction"] == "upstream" and stop["confidence"] >= 0.5
    # Udin 240 V instead of 230 V: the same 115 V residual is 47.9 % of it.
    report = run_json(capsys, str(cfg), "--nominal-voltage", "230", "--declared-voltage", "240")
    dip = next(e for e in report["events"] if (e["type"], e["phase"]) == ("dip", "A"))
    assert dip["extreme_pct"] == pytest.approx(115 / 240 * 100, abs=0.5)


def test_flicker_of_a_modulated_supply(tmp_path, capsys):
    """IEC 61000-4-15 Table 1 (230 V lamp, 50 Hz): a sinusoidal 8.8 Hz modulation of
    ΔV/V = 0.250 % gives Pinst,max = 1.00 (the calibration point), through analyze."""
    fs, seconds = 64 * 50.0, 20.0
    t = np.arange(int(fs * seconds)) / fs
    envelope = 1 + 0.0025 / 2 * np.sin(2 * np.pi * 8.8 * t)
    volts = np.array(
        [
            np.sqrt(2) * 230 * envelope * np.cos(2 * np.pi * 50 * t - k * 2 * np.pi / 3)
            for k in range(3)
        ]
    )
    specs = [ChannelSpec(n, "V", n[1]) for n in ("VA", "VB", "VC")]
    cfg = write_comtrade(tmp_path / "fl.cfg", volts, specs, fs, START, file_type="FLOAT32")
    flicker = run_json(capsys, str(cfg), "--nominal-voltage", "230")["flicker"]
    assert flicker["lamp"] == "230V"
    for phase in "ABC":
        assert flicker["pinst_max"][phase] == pytest.approx(1.0, abs=0.05)
    assert flicker["pst"] == []  # 20 s: no complete 10-min interval


def dip_recording(path: Path) -> Path:
    """Phase A dipping to 50 % from 1.0 s to 1.2 s (64 samples a cycle, 50 Hz, 2 s)."""
    fs = 64 * 50.0
    t = np.arange(int(fs * 2.0)) / fs
    volts = np.array(
        [np.sqrt(2) * 230 * np.cos(2 * np.pi * 50 * t - k * 2 * np.pi / 3) for k in range(3)]
    )
    volts[0, (t >= 1.0) & (t < 1.2)] *= 0.5
    specs = [
        ChannelSpec(n, u, n[1])
        for n, u in zip(("VA", "VB", "VC", "IA", "IB", "IC"), "VVVAAA", strict=True)
    ]
    return write_comtrade(path, np.vstack([volts, volts / 10]), specs, fs, START,
                          file_type="FLOAT32")  # fmt: skip


def test_capture_writes_one_comtrade_file_per_event(tmp_path, capsys):
    """``--capture DIR``: a 2013 BINARY capture per event, triggered at the event's start with
    10 cycles before and 20 after, named in the event's JSON record."""
    import comtrade

    cfg = dip_recording(tmp_path / "dip.cfg")
    out = tmp_path / "captures"
    report = run_json(capsys, str(cfg), "--nominal-voltage", "230", "--capture", str(out))
    events = report["events"]
    sags = [e for e in events if e["type"] != "rvc"]
    assert {(e["type"], e["phase"]) for e in sags} == {("dip", "A"), ("dip", "POLY")}
    assert all("capture" not in e for e in events if e["type"] == "rvc")
    assert sorted(p.name for p in out.glob("*.cfg")) == sorted(e["capture"] for e in sags)
    fs = 64 * 50.0
    for e in sags:
        name = e["capture"]
        assert name.startswith("event-00") and f"-dip-{e['phase']}-20260301T12000" in name
        rec = comtrade.Comtrade(use_numpy_arrays=True, use_double_precision=True,
                                ignore_warnings=True)  # fmt: skip
        rec.load(str(out / name), str((out / name).with_suffix(".dat")))
        assert rec.rev_year == "2013" and rec.ft == "BINARY"
        assert rec.cfg.sample_rates == [[fs, 30 * 64]]
        assert rec.analog_channel_ids == ["V1", "V2", "V3", "I1", "I2", "I3"]
        start = datetime.fromisoformat(e["start"]).replace(tzinfo=None)
        assert rec.trigger_timestamp == start
        true_start = START.replace(tzinfo=None) + timedelta(seconds=1.0)
        assert abs((rec.trigger_timestamp - true_start).total_seconds()) <= 0.5 / 50 + 1e-6
        # the trigger is the event start; the window starts on the nearest sample 10 cycles before
        assert rec.trigger_time == pytest.approx(10 / 50, abs=0.5 / fs + 1e-6)
        # The dip is in the capture: the pre-trigger cycles at full voltage, then half of it.
        va = np.array(rec.analog[0])
        k = round(rec.trigger_time * fs)
        assert np.abs(va[: k - 64]).max() == pytest.approx(np.sqrt(2) * 230, rel=1e-3)
        assert np.abs(va[k + 64 : k + 5 * 64]).max() == pytest.approx(np.sqrt(2) * 115, rel=1e-3)


def test_capture_options_set_the_window(tmp_path, capsys):
    cfg = dip_recording(tmp_path / "dip.cfg")
    out = tmp_path / "caps"
    report = run_json(capsys, str(cfg), "--nominal-voltage", "230", "--capture", str(out),
                      "--pre-cycles", "2", "--post-cycles", "5")  # fmt: skip
    name = next(e["capture"] for e in report["events"] if e["type"] == "dip")
    lines = (out / name).read_bytes().decode().split("\r\n")
    assert lines[lines.index("BINARY") - 3] == f"{64 * 50},{7 * 64}"  # rate, end sample


def test_without_capture_no_capture_fields(tmp_path, capsys):
    cfg = dip_recording(tmp_path / "dip.cfg")
    events = run_json(capsys, str(cfg), "--nominal-voltage", "230")["events"]
    assert events and all("capture" not in e for e in events)
