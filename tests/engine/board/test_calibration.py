"""Board calibration: corrections measured from a known reference undo known channel errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from board_pty import board_on_pty

from engine.config import MeterConfig, load_config
from engine.meter import Meter
from engine.sources.board.calibration import (
    Calibration,
    from_settings,
    measure_corrections,
    to_settings,
)
from engine.sources.board.link import parse_serial_spec
from engine.sources.board.simulator import BoardSimulator
from engine.sources.scenario import scenario_from_dict
from engine.sources.serial_board import SerialSource
from hmi.cli import main

FS, F0 = 6400.0, 50.0
# The board's errors per channel V1..I4: gain, offset [V or A], lag [deg]. V1 is the angle
# reference (its lag cannot be seen against itself); V4 and I4 are not wired to the reference.
GAIN = (1.02, 0.98, 1.01, 1.0, 1.03, 0.97, 1.0, 1.0)
OFFSET = (0.5, -0.3, 0.0, 0.0, 0.01, 0.0, -0.02, 0.0)
LAG = (0.0, 0.3, -0.2, 0.0, 1.0, 0.5, -0.5, 0.0)


def reference_rows(n: int) -> np.ndarray:
    """230 V / 5 A balanced three-phase at unity PF, rows V1..I4 (V4 = I4 = 0)."""
    t = np.arange(n) / FS
    x = np.zeros((8, n))
    for k in range(3):
        x[k] = 230 * math.sqrt(2) * np.cos(2 * np.pi * F0 * t - 2 * np.pi * k / 3)
        x[4 + k] = 5 * math.sqrt(2) * np.cos(2 * np.pi * F0 * t - 2 * np.pi * k / 3)
    return x


def with_errors(n: int) -> np.ndarray:
    """What the faulty board reads: gain × true, lagging, plus offset (analytically)."""
    t = np.arange(n) / FS
    x = np.zeros((8, n))
    for ch, (peak, k) in enumerate(
        [(230, 0), (230, 1), (230, 2), (0, 0), (5, 0), (5, 1), (5, 2), (0, 0)]
    ):
        angle = 2 * np.pi * F0 * t - 2 * np.pi * k / 3 - math.radians(LAG[ch])
        x[ch] = GAIN[ch] * peak * math.sqrt(2) * np.cos(angle) + OFFSET[ch]
    return x


def test_measured_corrections_are_the_inverse_of_the_errors():
    cal, wired = measure_corrections(with_errors(6400), FS, F0, 230.0, 5.0)
    assert wired == (True, True, True, False, True, True, True, False)
    for ch in (0, 1, 2, 4, 5, 6):
        assert cal.gain[ch] == pytest.approx(1 / GAIN[ch], rel=1e-9)
        assert cal.offset[ch] == pytest.approx(OFFSET[ch], abs=1e-9)
        assert cal.phase[ch] == pytest.approx(LAG[ch], abs=1e-9)
    assert (cal.gain[3], cal.offset[3], cal.phase[3]) == (1.0, 0.0, 0.0)


def test_applied_corrections_give_back_the_true_signal():
    cal, _ = measure_corrections(with_errors(6400), FS, F0, 230.0, 5.0)
    raw = with_errors(12800)
    out = np.concatenate([cal.apply(raw[:, :5000], FS, F0), cal.apply(raw[:, 5000:], FS, F0)], 1)
    # every channel is delayed by the largest advance (1 deg of I1), to stay causal, and by
    # the 31-tap filter's own 15 samples
    delay = 15 + max(cal.phase) / 360 * FS / F0  # [samples]
    t = (np.arange(12800) - delay) / FS
    truth = np.zeros_like(out)
    for k in range(3):
        truth[k] = 230 * math.sqrt(2) * np.cos(2 * np.pi * F0 * t - 2 * np.pi * k / 3)
        truth[4 + k] = 5 * math.sqrt(2) * np.cos(2 * np.pi * F0 * t - 2 * np.pi * k / 3)
    settled = slice(200, None)  # after the 31-tap filter has filled
    for ch, peak in ((0, 325.3), (1, 325.3), (2, 325.3), (4, 7.07), (5, 7.07), (6, 7.07)):
        assert np.max(np.abs(out[ch, settled] - truth[ch, settled])) < 1e-4 * peak, ch


def test_settings_round_trip_and_refuse_nonsense():
    cal = Calibration(GAIN, OFFSET, LAG)
    assert from_settings(to_settings(cal)) == cal
    with pytest.raises(ValueError, match="gain"):
        Calibration(gain=(0.0,) * 8)
    with pytest.raises(ValueError, match="10 cycles"):
        measure_corrections(with_errors(100), FS, F0, 230.0, 5.0)


def test_board_calibrate_writes_corrections_that_make_the_board_read_true(tmp_path, capsys):
    scenario = scenario_from_dict(
        {"samples_per_cycle": 128, "current": {"rms": 5.0, "power_factor": 1.0, "harmonics": []}}
    )
    board = BoardSimulator(scenario, front_end=(GAIN, OFFSET, LAG))
    config_path = tmp_path / "meter.toml"
    with board_on_pty(tmp_path, board) as pty:
        argv = ["board", "calibrate", "--port", str(pty.path), "--reference-v", "230",
                "--reference-i", "5", "--config", str(config_path)]  # fmt: skip
        assert main(argv) == 0
        assert "not wired" in capsys.readouterr().out  # V4 and I4
        config = load_config(config_path)
        cal = from_settings(config.board)
        for ch in (0, 1, 2, 4, 5, 6):
            assert cal.gain[ch] == pytest.approx(1 / GAIN[ch], rel=2e-4), ch
            assert cal.phase[ch] == pytest.approx(LAG[ch], abs=0.02), ch
        readings = {}
        for name, correction in (("raw", None), ("calibrated", cal)):
            source = SerialSource(parse_serial_spec(str(pty.path)), calibration=correction)
            meter = Meter(MeterConfig())
            try:
                meter.run(source, paced=False, seconds=2.0)
            finally:
                source.close()
            readings[name] = dict(meter.snapshot.values)
    good, raw = readings["calibrated"], readings["raw"]
    for q, truth in (("V_A", 230), ("V_B", 230), ("V_C", 230), ("I_A", 5), ("I_B", 5), ("I_C", 5)):
        assert good[q] == pytest.approx(truth, rel=2e-4), q
    assert raw["V_A"] == pytest.approx(230 * 1.02, rel=1e-3)  # the error was there before
    s_tot = 3 * 230 * 5
    assert abs(good["Q_TOT"]) < 5e-4 * s_tot  # phases aligned: unity PF reads as such
    assert abs(raw["Q_TOT"]) > 5e-3 * s_tot
