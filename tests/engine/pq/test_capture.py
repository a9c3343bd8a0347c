"""Waveform capture (issue 3): pre/post-trigger windows cut from a stream of blocks, written as
COMTRADE and read back with the independent ``comtrade`` package.

The signal is written out sample by sample, so every captured sample is known: with fs = 3200 Hz
and 50 Hz, a cycle is 64 samples; 10 pre-trigger and 20 post-trigger cycles are 640 + 1280
samples around the trigger sample.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import comtrade
import numpy as np
import pytest

from engine.blocks import SampleBlock
from engine.comtrade import ChannelSpec
from engine.pq.capture import WaveformCapture, capture_name, write

FS, F0, SPC = 3200.0, 50.0, 64
START = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)
SPECS = [ChannelSpec(n, "V" if n[0] == "V" else "A", n[1]) for n in ("VA", "VB", "VC", "IA")]
LIMIT = {"BINARY": 32767, "ASCII": 99998}


def signal(seconds: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Four analog rows (a 50 % dip on VA from 1.0 s to 1.2 s) and one digital input."""
    t = np.arange(round(FS * seconds)) / FS
    v = np.array([325.0 * np.cos(2 * np.pi * F0 * t - k * 2 * np.pi / 3) for k in range(3)])
    v[0, (t >= 1.0) & (t < 1.2)] *= 0.5
    analog = np.vstack([v, 50.0 * np.cos(2 * np.pi * F0 * t - 0.5)])
    return analog, (t >= 1.1)[None, :]


def blocks(analog: np.ndarray, digital: np.ndarray, size: int = 800):
    for i in range(0, analog.shape[1], size):
        n = min(size, analog.shape[1] - i)
        block = SampleBlock(
            START + timedelta(seconds=i / FS), FS, i, np.zeros((4, n)), np.zeros((4, n)),
            digital=digital[:, i : i + n],
        )  # fmt: skip
        yield block, analog[:, i : i + n]


def capturer(**kw) -> WaveformCapture:
    return WaveformCapture(FS, F0, kw.pop("pre", 10), kw.pop("post", 20), SPECS, ("DI1",), **kw)


def test_window_around_a_trigger_in_the_future():
    analog, digital = signal()
    cap = capturer()
    done = []
    for k, (block, samples) in enumerate(blocks(analog, digital)):
        done += cap.add(block, samples)
        if k == 0:  # trigger at 1.0 s, known before its samples arrive
            assert cap.trigger(START + timedelta(seconds=1.0), "manual") == []
    (c,) = done
    assert c.trigger == START + timedelta(seconds=1.0) and c.reason == "manual"
    assert c.start == START + timedelta(seconds=1.0 - 10 / F0)
    assert c.sample_rate == FS and c.n_samples == 30 * SPC and not c.truncated
    np.testing.assert_array_equal(c.analog, analog[:, 3200 - 640 : 3200 + 1280])
    np.testing.assert_array_equal(c.digital, digital[:, 3200 - 640 : 3200 + 1280])


def test_trigger_in_the_last_block_still_gets_its_pre_trigger_samples():
    """An event is known only after its block was added (or the next one, the meter stamping a
    half cycle late): the history holds the pre-trigger cycles plus two blocks."""
    analog, digital = signal()
    cap = capturer()
    done = []
    for block, samples in blocks(analog, digital):
        done += cap.add(block, samples)
        if block.first_index == 3200 + 800:  # the block after the one holding 1.0 s
            done += cap.trigger(START + timedelta(seconds=1.0), "late")
    (c,) = done
    np.testing.assert_array_equal(c.analog, analog[:, 2560:4480])
    # The ring stays bounded: pre-trigger cycles plus two of the longest blocks.
    assert cap._analog.shape[1] <= cap.history_samples


def test_trigger_already_covered_returns_at_once_and_finish_cuts_short():
    analog, digital = signal()
    cap = capturer(post=5)
    for block, samples in list(blocks(analog, digital))[:2]:  # 0 ... 0.5 s
        cap.add(block, samples)
    (c,) = cap.trigger(START + timedelta(seconds=0.3))  # needs up to 0.4 s: there
    assert c.n_samples == 15 * SPC
    assert cap.trigger(START + timedelta(seconds=0.45)) == []  # needs up to 0.55 s
    (short,) = cap.finish()
    assert short.truncated and short.n_samples == round((0.5 - 0.25) * FS)
    np.testing.assert_array_equal(short.analog, analog[:, 800:1600])


def test_gap_starts_a_new_history():
    analog, digital = signal()
    cap = capturer(post=10)
    parts = list(blocks(analog, digital))
    cap.add(*parts[0])
    cap.trigger(START + timedelta(seconds=0.2))
    done = cap.add(*parts[2])  # block 1 missing: the waiting capture ends where data stopped
    assert len(done) == 1 and done[0].truncated
    np.testing.assert_array_equal(done[0].analog, analog[:, 0:800])


def test_bad_arguments():
    with pytest.raises(ValueError):
        WaveformCapture(FS, F0, -1, 20, SPECS)
    with pytest.raises(ValueError):
        WaveformCapture(FS, F0, 10, 20, ())
    with pytest.raises(ValueError):
        capturer().trigger(START)  # no samples yet
    block, samples = next(blocks(*signal()))
    with pytest.raises(ValueError):
        capturer().add(block, samples[:2])


def test_capture_name():
    t = datetime(2026, 3, 2, 12, 0, 1, 123456, tzinfo=UTC)
    assert capture_name(1, "dip", "A", t) == "event-001-dip-A-20260302T120001.123Z"


def step(values: np.ndarray, file_type: str) -> np.ndarray:
    """Half a code of the writer's scaling: the largest quantisation error per channel."""
    span = values.max(axis=1) - values.min(axis=1)
    return span / (2 * LIMIT[file_type]) / 2 * (1 + 1e-9) + 1e-12


@pytest.mark.parametrize(
    ("revision", "file_type"), [(2013, "BINARY"), (1999, "BINARY"), (1999, "ASCII")]
)
def test_written_capture_reads_back_in_the_comtrade_package(tmp_path, revision, file_type):
    analog, digital = signal()
    cap = capturer()
    done = []
    for block, samples in blocks(analog, digital):
        done += cap.add(block, samples)
        if block.first_index == 3200:
            done += cap.trigger(START + timedelta(seconds=1.0), "dip A")
    (c,) = done
    path = write(c, tmp_path / "caps", "event-001-dip-A", revision=revision,
                 file_type=file_type)  # fmt: skip
    assert path.name == "event-001-dip-A.cfg" and path.with_suffix(".dat").exists()
    rec = comtrade.Comtrade(use_numpy_arrays=True, use_double_precision=True, ignore_warnings=True)
    rec.load(str(path), str(path.with_suffix(".dat")))
    assert rec.rev_year == str(revision) and rec.ft == file_type
    assert rec.cfg.sample_rates == [[FS, 30 * SPC]]
    assert rec.frequency == F0
    assert rec.analog_channel_ids == ["VA", "VB", "VC", "IA"]
    values = np.array(rec.analog)
    expected = analog[:, 2560:4480]
    assert np.all(np.abs(values - expected).max(axis=1) <= step(expected, file_type))
    np.testing.assert_array_equal(np.array(rec.status).astype(bool), digital[:, 2560:4480])
    naive = START.replace(tzinfo=None)
    assert rec.start_timestamp == naive + timedelta(seconds=0.8)
    assert rec.trigger_timestamp == naive + timedelta(seconds=1.0)
    assert rec.trigger_time == pytest.approx(10 / F0, abs=1e-6)
    np.testing.assert_allclose(rec.time, np.arange(30 * SPC) / FS, rtol=0, atol=1e-6)


def test_default_format_is_2013_binary(tmp_path):
    analog, digital = signal()
    cap = capturer(pre=1, post=1)
    cap.add(*next(blocks(analog, digital)))
    (c,) = cap.trigger(START + timedelta(seconds=0.1))
    text = write(c, tmp_path, "c").read_bytes().decode()
    assert ",2013\r\n" in text.splitlines(keepends=True)[0] and "\r\nBINARY\r\n" in text
