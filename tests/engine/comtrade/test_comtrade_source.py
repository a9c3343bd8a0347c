"""ComtradeSource: automatic and explicit channel mapping, line-to-line voltages, unit and
secondary → primary scaling, blocks, sample-rate rules and errors. Signals are known by
construction; tolerances are the BINARY quantisation step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from engine.comtrade import ChannelSpec, write_comtrade
from engine.errors import InputError
from engine.sources.base import Source
from engine.sources.comtrade import ComtradeSource

FS = 5000.0
N = 1250  # 0.25 s
START = datetime(2022, 6, 1, 8, 0, 0, tzinfo=UTC)
T = np.arange(N) / FS
W = 2 * np.pi * 60.0


def wave(amplitude: float, degrees: float) -> np.ndarray:
    return amplitude * np.sin(W * T + np.radians(degrees))


def tol(values: np.ndarray) -> float:
    """Half a BINARY code of the channel's range, plus rounding."""
    return (values.max() - values.min()) / (2 * 32767) / 2 * 1.0001 + 1e-9


def record(tmp_path, analog, specs, name="rec", **kw):
    kw.setdefault("line_frequency", 60.0)
    return write_comtrade(tmp_path / name, np.array(analog), specs, FS, START, **kw)


def four_wire(tmp_path, **kw):
    """VA VB VC VN in V, IA IB IC IN in A, in an order that is not the meter's."""
    analog = [
        wave(100, -90),
        wave(200, 0),
        wave(300, 90),
        wave(5, 0),
        wave(10, 0),
        wave(20, 0),
        wave(30, 0),
        wave(2, 0),
    ]
    specs = [
        ChannelSpec("IA", "A", "A"),
        ChannelSpec("VA", "V", "A"),
        ChannelSpec("VB", "V", "B"),
        ChannelSpec("VC", "V", "C"),
        ChannelSpec("IN", "A", "N"),
        ChannelSpec("IB", "A", "B"),
        ChannelSpec("IC", "A", "C"),
        ChannelSpec("VN", "V", "N"),
    ]
    order = [4, 0, 1, 2, 7, 5, 6, 3]  # analog index of each spec above
    return record(tmp_path, [analog[i] for i in order], specs, **kw), analog


def whole(src: ComtradeSource) -> tuple[np.ndarray, np.ndarray]:
    blocks = list(src.blocks())
    return (np.hstack([b.voltage for b in blocks]), np.hstack([b.current for b in blocks]))


def test_automatic_mapping_by_phase_and_unit(tmp_path):
    path, truth = four_wire(tmp_path)
    src = ComtradeSource(path)
    assert isinstance(src, Source)
    assert src.sample_rate == FS and src.nominal_frequency == 60.0
    v, i = whole(src)
    for row, k in enumerate([0, 1, 2, 3]):
        assert np.abs(v[row] - truth[k]).max() <= tol(truth[k])
    for row, k in enumerate([4, 5, 6, 7]):
        assert np.abs(i[row] - truth[k]).max() <= tol(truth[k])
    d = src.describe()
    assert d["mapping"] == {
        "V1": "VA",
        "V2": "VB",
        "V3": "VC",
        "V4": "VN",
        "I1": "IA",
        "I2": "IB",
        "I3": "IC",
        "I4": "IN",
    }
    block = next(iter(src.blocks()))
    assert block.v4_measured and block.i4_measured and block.scale == "primary"


def test_mapping_from_ids_with_kv_and_ka(tmp_path):
    """IEC-style ids (UL1, IL1 ...) with no phase field; kV and kA become V and A."""
    analog = [wave(11, 0), wave(11, -120), wave(11, 120), wave(0.4, -30)]
    specs = [
        ChannelSpec("UL1", "kV"),
        ChannelSpec("U_L2", "kV"),
        ChannelSpec("Uc", "kV"),
        ChannelSpec("IL1", "kA"),
    ]
    src = ComtradeSource(record(tmp_path, analog, specs))
    v, i = whole(src)
    for row in range(3):
        assert np.abs(v[row] - 1000 * analog[row]).max() <= 1000 * tol(analog[row])
    assert np.abs(i[0] - 1000 * analog[3]).max() <= 1000 * tol(analog[3])
    assert not v[3].any() and not i[1:].any()
    assert src.describe()["mapping"] == {"V1": "UL1", "V2": "U_L2", "V3": "Uc", "I1": "IL1"}


def test_line_to_line_only(tmp_path):
    """V1 = VAB, V2 = 0, V3 = −VBC: every line-to-line difference is right."""
    va, vb, vc = wave(230, 0), wave(230, -120), wave(230, 120)
    ll = [va - vb, vb - vc, vc - va]
    specs = [
        ChannelSpec("VAB", "V", "AB"),
        ChannelSpec("VBC", "V", "BC"),
        ChannelSpec("VCA", "V", "CA"),
    ]
    src = ComtradeSource(record(tmp_path, ll, specs))
    v, _ = whole(src)
    assert not v[1].any()
    for (x, y), truth in zip([(0, 1), (1, 2), (2, 0)], ll, strict=True):
        assert np.abs((v[x] - v[y]) - truth).max() <= 2 * tol(truth)
    d = src.describe()
    assert d["mapping"] == {"V1": "VAB", "V3": "-VBC"}
    assert d["note"] == (
        "line-to-line voltages only: V1 = VAB, V2 = 0, V3 = -VBC (reference at phase B)"
    )


def test_line_to_line_completed_from_two_channels(tmp_path):
    """Only VBC and VCA recorded: V_AB = −(V_BC + V_CA)."""
    va, vb, vc = wave(230, 0), wave(230, -120), wave(230, 120)
    specs = [ChannelSpec("VBC", "V"), ChannelSpec("VCA", "V")]
    src = ComtradeSource(record(tmp_path, [vb - vc, vc - va], specs))
    v, _ = whole(src)
    assert np.abs((v[0] - v[1]) - (va - vb)).max() <= 4 * tol(va - vb)
    assert np.abs((v[2] - v[0]) - (vc - va)).max() <= 4 * tol(va - vb)
    d = src.describe()
    assert d["mapping"] == {"V1": "-VBC-VCA", "V3": "-VBC"}
    assert "V1 = -VBC-VCA, V2 = 0, V3 = -VBC" in d["note"]


def test_explicit_mapping_overrides(tmp_path):
    path, truth = four_wire(tmp_path)
    # Roll the phases and take I1 by its 1-based channel number (channel 1 is IA).
    src = ComtradeSource(path, {"V1": "VB", "V2": "vc", "V3": "VA", "I1": "1", "I4": ""})
    v, i = whole(src)
    assert np.abs(v[0] - truth[1]).max() <= tol(truth[1])
    assert np.abs(v[1] - truth[2]).max() <= tol(truth[2])
    assert np.abs(v[2] - truth[0]).max() <= tol(truth[0])
    assert np.abs(i[0] - truth[4]).max() <= tol(truth[4])
    assert not i[3].any()
    mapping = src.describe()["mapping"]
    assert mapping["V1"] == "VB" and mapping["V2"] == "VC" and "I4" not in mapping


def test_secondary_values_become_primary(tmp_path):
    """PS = S: multiply by primary/secondary (§7.4.3); PS = P is left alone."""
    vs, i_s = wave(63.5, 0), wave(5, -20)
    specs = [
        ChannelSpec("VA", "V", "A", primary=11000 / 3**0.5, secondary=110 / 3**0.5, ps="S"),
        ChannelSpec("IA", "A", "A", primary=400, secondary=5, ps="S"),
        ChannelSpec("VB", "V", "B", primary=11000, secondary=110, ps="P"),
    ]
    src = ComtradeSource(record(tmp_path, [vs, i_s, vs], specs))
    v, i = whole(src)
    assert np.abs(v[0] - 100 * vs).max() <= 100 * tol(vs) * 1.0001
    assert np.abs(i[0] - 80 * i_s).max() <= 80 * tol(i_s)
    assert np.abs(v[1] - vs).max() <= tol(vs)


def test_blocks_indices_times_and_digital(tmp_path):
    digital = np.array([np.arange(N) >= 700, np.arange(N) % 2 == 0])
    path = record(
        tmp_path,
        [wave(100, 0)],
        [ChannelSpec("VA", "V", "A")],
        digital=digital,
        digital_channels=["TRIP", "CLK"],
    )
    src = ComtradeSource(path, block_seconds=0.1)
    blocks = list(src.blocks())
    assert [b.n_samples for b in blocks] == [500, 500, 250]
    assert [b.first_index for b in blocks] == [0, 500, 1000]
    assert [b.start for b in blocks] == [START + timedelta(seconds=s) for s in (0.0, 0.1, 0.2)]
    np.testing.assert_array_equal(np.hstack([b.digital for b in blocks]), digital)
    assert not blocks[0].v4_measured and not blocks[0].i4_measured
    src.close()
    assert list(src.blocks()) == []


def test_describe(tmp_path):
    path, _ = four_wire(tmp_path, trigger=START + timedelta(milliseconds=40), revision=1999)
    d = ComtradeSource(path).describe()
    assert d["kind"] == "comtrade" and d["file"] == str(path)
    assert (d["revision"], d["format"], d["samples"]) == (1999, "BINARY", N)
    assert (d["sample_rate"], d["nominal_frequency"]) == (FS, 60.0)
    assert d["start"] == "2022-06-01T08:00:00+00:00"
    assert d["trigger"] == "2022-06-01T08:00:00.040000+00:00"


def test_rate_from_timestamps_when_nrates_is_zero(tmp_path):
    """nrates = 0: the rate comes from the timestamps; 1/7680 s is not a whole µs."""
    fs = 7680.0
    n = 300
    path = write_comtrade(
        tmp_path / "ts",
        np.zeros((1, n)),
        [ChannelSpec("VA", "V", "A")],
        fs,
        START,
        timestamps_critical=True,
    )
    src = ComtradeSource(path)
    assert src.sample_rate == pytest.approx(fs, rel=1e-6)


def binary_cfg(rates: str) -> str:
    head = "S,R,1999\r\n1,1A,0D\r\n1,VA,A,,V,1,0,0,-32767,32767,1,1,P\r\n50\r\n"
    when = "01/01/2020,00:00:00.000000\r\n"
    return f"{head}{rates}\r\n{when}{when}BINARY\r\n1\r\n"


def test_non_uniform_timestamps_rejected(tmp_path):
    stamps = [0, 100, 200, 310, 400]  # one step is 10 % long
    (tmp_path / "u.cfg").write_text(binary_cfg("0\r\n0,5"))
    (tmp_path / "u.dat").write_bytes(
        b"".join(
            np.array([(k + 1, t, 0)], dtype=[("n", "<u4"), ("t", "<u4"), ("a", "<i2")]).tobytes()
            for k, t in enumerate(stamps)
        )
    )
    with pytest.raises(InputError, match=r"not uniform within 0\.1 %"):
        ComtradeSource(tmp_path / "u.cfg")


def test_multiple_rates_rejected(tmp_path):
    (tmp_path / "m.cfg").write_text(binary_cfg("2\r\n4000,2\r\n1000,4"))
    (tmp_path / "m.dat").write_bytes(bytes(40))
    expected = r"multiple sampling rates \(4000 Hz, 1000 Hz\) not supported"
    with pytest.raises(InputError, match=expected):
        ComtradeSource(tmp_path / "m.cfg")


def test_unknown_channel_in_mapping_lists_the_ids(tmp_path):
    path, _ = four_wire(tmp_path)
    with pytest.raises(InputError) as info:
        ComtradeSource(path, {"V1": "UL9"})
    e = info.value
    assert e.path == path and "unknown channel 'UL9' for V1" in e.problem
    assert "1:IA, 2:VA, 3:VB, 4:VC, 5:IN, 6:IB, 7:IC, 8:VN" in e.problem
    with pytest.raises(InputError, match="unknown meter input 'V5'"):
        ComtradeSource(path, {"V5": "VA"})
    with pytest.raises(InputError, match="unknown channel '9'"):
        ComtradeSource(path, {"V1": "9"})


def test_current_only_recording_opens_with_a_note(tmp_path):
    path = record(
        tmp_path, [wave(5, 0), wave(1, 0)], [ChannelSpec("IA", "A", "A"), ChannelSpec("T1", "degC")]
    )
    info = ComtradeSource(path).describe()
    assert info["mapping"] == {"I1": "IA"}
    assert "no voltage channel" in info["note"]


def test_no_electrical_channel(tmp_path):
    path = record(tmp_path, [wave(1, 0)], [ChannelSpec("T1", "degC")])
    with pytest.raises(InputError) as info:
        ComtradeSource(path)
    assert info.value.path == path and "no voltage or current channel" in info.value.problem
    assert "1:T1 [degC]" in info.value.problem
    # ... and an explicit mapping fixes it.
    assert ComtradeSource(path, {"V1": "T1"}).describe()["mapping"]["V1"] == "T1"


def test_time_code_sets_block_start_in_utc(tmp_path):
    local = START.astimezone(timezone(timedelta(hours=-4)))
    path = write_comtrade(
        tmp_path / "tz", np.zeros((1, 10)), [ChannelSpec("VA", "V", "A")], FS, local
    )
    assert "-4,-4" in path.read_text()
    block = next(ComtradeSource(path).blocks())
    assert block.start == START and block.start.utcoffset() == timedelta(0)


def test_bad_block_seconds(tmp_path):
    path, _ = four_wire(tmp_path)
    with pytest.raises(InputError, match="block_seconds must be > 0"):
        ComtradeSource(path, block_seconds=0)
