"""Write → read round trips for every revision × format × container, cross-checked against the
independent ``comtrade`` package (PyPI, dparrini). Expected values are the signals written,
known by construction; tolerances are the quantisation step the format allows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import comtrade
import numpy as np
import pytest

from engine.comtrade import ChannelSpec, read_comtrade, write_comtrade

FS = 4000.0  # [Hz]
N = 800
START = datetime(2024, 3, 1, 12, 0, 0, 125000, tzinfo=UTC)
TRIGGER = START + timedelta(milliseconds=50)

CASES = [
    (1999, "ASCII", False),
    (1999, "BINARY", False),
    (2013, "ASCII", False),
    (2013, "BINARY", False),
    (2013, "BINARY32", False),
    (2013, "FLOAT32", False),
    (2013, "ASCII", True),
    (2013, "BINARY", True),
    (2013, "BINARY32", True),
    (2013, "FLOAT32", True),
]
LIMIT = {"ASCII": 99998, "BINARY": 32767, "BINARY32": 2**31 - 1}


def signals() -> tuple[np.ndarray, list[ChannelSpec], np.ndarray, list[str]]:
    """Three phase voltages [V], a current with a DC offset [A], a kV channel and 20 digitals."""
    t = np.arange(N) / FS
    w = 2 * np.pi * 50.0
    analog = np.vstack(
        [
            325.0 * np.sin(w * t),
            325.0 * np.sin(w * t - 2 * np.pi / 3),
            325.0 * np.sin(w * t + 2 * np.pi / 3),
            12.5 + 40.0 * np.cos(w * t),  # asymmetric range: b must move off zero
            np.full(N, 11.0),  # a constant
        ]
    )
    specs = [
        ChannelSpec("VA", "V", "A"),
        ChannelSpec("VB", "V", "B"),
        ChannelSpec("VC", "V", "C"),
        ChannelSpec("IA", "A", "A", "feeder 1", primary=400.0, secondary=5.0, ps="P"),
        ChannelSpec("VDC", "kV", "", skew=12.5),
    ]
    k = np.arange(N)
    digital = np.array([(k // (7 + j)) % 2 == 1 for j in range(20)])
    names = [f"D{j + 1}" for j in range(20)]
    return analog, specs, digital, names


def step(values: np.ndarray, file_type: str) -> np.ndarray:
    """Largest error the format may make per channel: half a code, or float32 rounding."""
    if file_type == "FLOAT32":
        return np.abs(values).max(axis=1) * 2.0**-24 + 1e-12
    span = values.max(axis=1) - values.min(axis=1)
    limit = LIMIT[file_type]
    a = np.where(span > 0, span / (2 * limit), np.abs(values).max(axis=1) / limit)
    return a / 2 * (1 + 1e-9) + 1e-12


def oracle() -> comtrade.Comtrade:
    """The independent reader, in float64 so its numbers are as exact as ours."""
    return comtrade.Comtrade(use_numpy_arrays=True, use_double_precision=True, ignore_warnings=True)


def write(tmp_path, revision, file_type, cff, **kw):
    analog, specs, digital, names = signals()
    path = write_comtrade(
        tmp_path / "rec",
        analog,
        specs,
        FS,
        START,
        digital=digital,
        digital_channels=names,
        trigger=TRIGGER,
        revision=revision,
        file_type=file_type,
        cff=cff,
        line_frequency=50.0,
        header="ION7400 test capture",
        info="[Public]\nmeter=ION7400",
        **kw,
    )
    return path, analog, specs, digital


@pytest.mark.parametrize(("revision", "file_type", "cff"), CASES)
def test_round_trip(tmp_path, revision, file_type, cff):
    path, analog, _, digital = write(tmp_path, revision, file_type, cff)
    assert path.suffix == (".cff" if cff else ".cfg")
    rec = read_comtrade(path)
    cfg = rec.config
    assert (cfg.revision, cfg.file_type, cfg.nrates) == (revision, file_type, 1)
    assert cfg.sample_rates == ((FS, N),)
    assert cfg.line_frequency == 50.0
    assert [ch.id for ch in cfg.analog] == ["VA", "VB", "VC", "IA", "VDC"]
    assert [ch.unit for ch in cfg.analog] == ["V", "V", "V", "A", "kV"]
    ia = cfg.analog[3]
    assert (ia.circuit, ia.primary, ia.secondary, ia.ps) == ("feeder 1", 400.0, 5.0, "P")
    assert cfg.analog[4].skew == 12.5
    assert rec.analog.shape == (5, N)
    err = np.abs(rec.analog - analog).max(axis=1)
    assert np.all(err <= step(analog, file_type)), err
    np.testing.assert_array_equal(rec.digital, digital)
    assert [ch.id for ch in cfg.digital] == [f"D{j + 1}" for j in range(20)]
    np.testing.assert_allclose(rec.time, np.arange(N) / FS, rtol=0, atol=1e-12)
    assert rec.start == START and rec.trigger == TRIGGER
    assert rec.header == "ION7400 test capture"
    assert rec.info.replace("\r\n", "\n") == "[Public]\nmeter=ION7400"


@pytest.mark.parametrize(
    ("revision", "file_type"), [(1999, "BINARY"), (2013, "BINARY"), (2013, "BINARY32")]
)
def test_integer_formats_use_the_whole_code_range(tmp_path, revision, file_type):
    """a = (max − min)/(2·limit) and b = the middle of the range, so ±limit are both used."""
    path, analog, _, _ = write(tmp_path, revision, file_type, False)
    cfg = read_comtrade(path).config
    for ch, values in zip(cfg.analog[:4], analog[:4], strict=True):
        lo, hi = values.min(), values.max()
        assert ch.a == pytest.approx((hi - lo) / (2 * LIMIT[file_type]), rel=1e-12)
        assert ch.b == pytest.approx((hi + lo) / 2, abs=1e-9 * (hi - lo))
        assert (ch.min, ch.max) == (-LIMIT[file_type], LIMIT[file_type])
    assert cfg.analog[3].b == pytest.approx(12.5, abs=1e-6)  # the DC offset moved b


@pytest.mark.parametrize(("revision", "file_type", "cff"), CASES)
def test_independent_reader_agrees(tmp_path, revision, file_type, cff):
    """The files we write load in the ``comtrade`` package with the same values and rate."""
    path, analog, _, digital = write(tmp_path, revision, file_type, cff)
    other = oracle()
    if cff:
        other.load(str(path))
    else:
        other.load(str(path), str(path.with_suffix(".dat")))
    assert other.rev_year == str(revision)
    assert other.analog_channel_ids == ["VA", "VB", "VC", "IA", "VDC"]
    assert other.cfg.sample_rates == [[FS, N]]
    assert other.frequency == 50.0
    values = np.array(other.analog)
    err = np.abs(values - analog).max(axis=1)
    assert np.all(err <= step(analog, file_type)), err
    np.testing.assert_array_equal(np.array(other.status).astype(bool), digital)


def test_missing_values_round_trip_as_nan(tmp_path):
    analog = np.array([[1.0, np.nan, -1.0, 0.5]])
    formats = [(1999, "ASCII"), (1999, "BINARY"), (2013, "BINARY32"), (2013, "FLOAT32")]
    for revision, file_type in formats:
        path = write_comtrade(
            tmp_path / f"m{revision}{file_type}",
            analog,
            [ChannelSpec("VA", "V", "A")],
            1000.0,
            START,
            revision=revision,
            file_type=file_type,
        )
        got = read_comtrade(path).analog[0]
        assert np.isnan(got[1]), file_type
        np.testing.assert_allclose(got[[0, 2, 3]], [1.0, -1.0, 0.5], atol=1e-4)


def test_2013_keeps_the_local_zone_and_converts_to_utc(tmp_path):
    """2013: times written in the start's own zone with that offset as time_code (§7.4.11)."""
    india = timezone(timedelta(hours=5, minutes=30))
    start = datetime(2024, 1, 1, 3, 0, 0, tzinfo=india)  # = 2023-12-31 21:30 UTC
    path = write_comtrade(
        tmp_path / "zone", np.zeros((1, 10)), [ChannelSpec("VA", "V", "A")], 1000.0, start
    )
    text = path.read_text()
    assert "01/01/2024,03:00:00.000000" in text and "+5h30,+5h30" in text
    rec = read_comtrade(path)
    assert rec.config.time_code == "+5h30"
    assert rec.start == datetime(2023, 12, 31, 21, 30, tzinfo=UTC)
    # The 1999 layout has no time code, so it states UTC.
    path = write_comtrade(
        tmp_path / "zone99",
        np.zeros((1, 10)),
        [ChannelSpec("VA", "V", "A")],
        1000.0,
        start,
        revision=1999,
    )
    assert "31/12/2023,21:30:00.000000" in path.read_text()
    assert read_comtrade(path).start == datetime(2023, 12, 31, 21, 30, tzinfo=UTC)


def test_timestamps_critical_and_long_recording_timemult(tmp_path):
    """nrates = 0 makes the timestamps authoritative; past 2³² µs timemult grows (§8.3)."""
    n, fs = 5000, 1.0  # 4999 s > 4294.97 s, the uint32 µs range
    analog = np.sin(np.arange(n) / 10.0)[None, :]
    path = write_comtrade(
        tmp_path / "long",
        analog,
        [ChannelSpec("VA", "V", "A")],
        fs,
        START,
        timestamps_critical=True,
    )
    rec = read_comtrade(path)
    assert rec.config.nrates == 0 and rec.config.sample_rates == ((0.0, n),)
    assert rec.config.timemult == 2.0
    np.testing.assert_allclose(rec.time, np.arange(n) / fs, rtol=0, atol=2e-6)
    other = oracle()
    other.load(str(path), str(path.with_suffix(".dat")))
    np.testing.assert_allclose(np.array(other.time), np.arange(n) / fs, rtol=0, atol=2e-6)


def test_writer_rejects_what_the_revision_cannot_hold(tmp_path):
    one = np.zeros((1, 4))
    spec = [ChannelSpec("VA", "V", "A")]
    with pytest.raises(ValueError, match="not available in the 1999"):
        write_comtrade(tmp_path / "x", one, spec, 1000.0, START, revision=1999, file_type="FLOAT32")
    with pytest.raises(ValueError, match="2013 revision only"):
        write_comtrade(tmp_path / "x", one, spec, 1000.0, START, revision=1999, cff=True)
    with pytest.raises(ValueError, match="commas"):
        write_comtrade(tmp_path / "x", one, [ChannelSpec("V,A", "V")], 1000.0, START)
    with pytest.raises(ValueError, match="sample_rate"):
        write_comtrade(tmp_path / "x", one, spec, 0.0, START)
