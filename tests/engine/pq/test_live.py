"""The live Meter with power quality on: event counters and the last event in the snapshot."""

from datetime import UTC, datetime, timedelta

import comtrade
import numpy as np
import pytest

from engine.blocks import SampleBlock
from engine.config import MeterConfig, PowerQualitySettings
from engine.meter import Meter

FS = 64 * 50.0
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def blocks(scale_at):
    """3 s of 230 V, 50 Hz in 0.5-s blocks; ``scale_at(t)`` multiplies every phase."""
    n = int(FS / 2)
    for k in range(6):
        t = (k * n + np.arange(n)) / FS
        v = np.zeros((4, n))
        for p in range(3):
            v[p] = np.sqrt(2) * 230 * scale_at(t) * np.cos(2 * np.pi * 50 * t - p * 2 * np.pi / 3)
        yield SampleBlock(START + timedelta(seconds=k * n / FS), FS, k * n, v, v / 23.0)


def test_a_three_phase_dip_is_counted_with_its_depth_and_duration():
    meter = Meter(MeterConfig(), power_quality=True)
    for block in blocks(lambda t: np.where((t >= 1.0) & (t < 1.2), 0.5, 1.0)):
        meter.process(block)
    values = meter.snapshot.values
    assert values["DIP_COUNT"] == 1 and values["SWELL_COUNT"] == 0
    assert values["INTERRUPTION_COUNT"] == 0
    assert values["LAST_EVENT_MAGNITUDE"] == pytest.approx(50.0, abs=0.5)
    assert values["LAST_EVENT_DURATION"] == pytest.approx(0.2, abs=0.021)


def test_an_interruption_is_counted_although_the_reference_is_dead():
    meter = Meter(MeterConfig(), power_quality=True)
    for block in blocks(lambda t: np.where((t >= 1.0) & (t < 1.5), 0.0, 1.0)):
        meter.process(block)
    values = meter.snapshot.values
    assert values["INTERRUPTION_COUNT"] == 1
    assert values["LAST_EVENT_DURATION"] == pytest.approx(0.5, abs=0.021)


def test_power_quality_is_off_unless_asked():
    meter = Meter(MeterConfig())
    for block in blocks(lambda t: np.ones_like(t)):
        meter.process(block)
    assert "DIP_COUNT" not in meter.snapshot.values


def _dip(t):
    return np.where((t >= 1.0) & (t < 1.2), 0.5, 1.0)


def test_a_three_phase_dip_is_captured_once_and_counted(tmp_path):
    """One disturbance, one capture (the polyphase event's), read back independently."""
    meter = Meter(MeterConfig(), power_quality=True, capture_dir=tmp_path)
    for block in blocks(_dip):
        meter.process(block)
    (cfg,) = sorted(tmp_path.glob("*.cfg"))
    assert cfg.name.startswith("event-001-dip-POLY-20260302T120001.")
    rec = comtrade.load(str(cfg), str(cfg.with_suffix(".dat")))
    assert rec.cfg.sample_rates[0][0] == FS
    # 10 cycles before the trigger and 20 after: the dip starts within the first cycle of it.
    assert rec.total_samples == 30 * 64
    va = np.asarray(rec.analog[0])
    pre, post = va[: 9 * 64], va[11 * 64 : 14 * 64]
    assert np.max(np.abs(pre)) == pytest.approx(np.sqrt(2) * 230, rel=2e-3)
    assert np.max(np.abs(post)) == pytest.approx(np.sqrt(2) * 115, rel=2e-3)
    assert meter.snapshot.values["CAPTURE_COUNT"] == 1
    # The event log names the file.
    captures = [(e.kind, e.what, e.new) for e in meter.events if e.kind == "capture"]
    assert captures == [("capture", "event", cfg.name)]


def test_manual_capture_is_triggered_at_the_next_block_and_logged(tmp_path):
    meter = Meter(MeterConfig(), power_quality=True, capture_dir=tmp_path)
    for k, block in enumerate(blocks(lambda t: np.ones_like(t))):
        if k == 2:
            meter.capture_waveform()  # applied at the start of block 2, t = 1.0 s
        meter.process(block)
    (cfg,) = sorted(tmp_path.glob("*.cfg"))
    assert cfg.name == "manual-001-20260302T120001.000Z.cfg"
    (event,) = [e for e in meter.events if e.kind == "capture"]
    assert (event.what, event.new) == ("manual", cfg.name)
    rec = comtrade.load(str(cfg), str(cfg.with_suffix(".dat")))
    assert rec.trigger_timestamp.replace(tzinfo=UTC) == datetime(2026, 3, 2, 12, 0, 1, tzinfo=UTC)


def test_manual_capture_needs_a_capture_directory():
    meter = Meter(MeterConfig(), power_quality=True)
    with pytest.raises(ValueError, match="no capture directory"):
        meter.capture_waveform()


def test_disturbance_reset_zeroes_the_counters():
    meter = Meter(MeterConfig(), power_quality=True)
    stream = list(blocks(_dip))
    for block in stream[:4]:
        meter.process(block)
    assert meter.snapshot.values["DIP_COUNT"] == 1
    meter.reset("disturbance")
    for block in stream[4:]:
        meter.process(block)
    assert meter.snapshot.values["DIP_COUNT"] == 0
    assert "LAST_EVENT_MAGNITUDE" not in meter.snapshot.values


def test_thresholds_and_capture_format_come_from_the_configuration(tmp_path):
    """dip_pct 50: a dip to 60 % is no dip; a swell to 120 % with swell_pct 115 is, captured as
    COMTRADE 1999 ASCII as configured."""
    pq = PowerQualitySettings(dip_pct=50.0, interruption_pct=5.0, swell_pct=115.0,
                              capture_revision=1999, capture_format="ASCII")  # fmt: skip
    meter = Meter(MeterConfig(power_quality=pq), power_quality=True, capture_dir=tmp_path)
    level = {1.0: 0.6, 2.0: 1.2}
    for block in blocks(lambda t: np.select([(t >= 1.0) & (t < 1.2), (t >= 2.0) & (t < 2.2)],
                                            [level[1.0], level[2.0]], 1.0)):  # fmt: skip
        meter.process(block)
    values = meter.snapshot.values
    assert values["DIP_COUNT"] == 0 and values["SWELL_COUNT"] == 1
    (cfg,) = sorted(tmp_path.glob("*.cfg"))
    assert "-swell-POLY-" in cfg.name
    lines = cfg.read_text().splitlines()
    assert lines[0].endswith(",1999") and "ASCII" in lines
    rec = comtrade.load(str(cfg), str(cfg.with_suffix(".dat")))
    assert rec.total_samples == 30 * 64
