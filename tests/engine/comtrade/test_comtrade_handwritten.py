"""Small COMTRADE files written by hand in the tests, whose values are known by construction:
1991 and 1999 ASCII, 2013 BINARY / BINARY32 / FLOAT32 packed with ``struct``, a hand-made .cff,
a nanosecond time base and missing-value codes (IEEE C37.111 §7, §8, 2013 §9)."""

from __future__ import annotations

import math
import struct
from datetime import UTC, datetime

import numpy as np
import pytest

from engine.comtrade import parse_cfg, parse_offset, read_comtrade, split_cff
from engine.sources.comtrade import ComtradeSource

CFG_1991 = """Substation 1,Recorder 7
3,2A,1D
1,VA,A,Line 1,kV,0.01,0,0,-99999,99999
2,IA,A,Line 1,A,0.5,10,0,-99999,99999
1,TRIP,0
60
1
1200,4
07/15/91,10:30:00.250000
07/15/91,10:30:00.260000
ASCII
"""
# 1991: a blank field is the only missing-value mark; 99999 is an ordinary code.
DAT_1991 = """1,0,100,4,0
2,833,-200,,1
3,1667,99999,-6,1
4,2500,0,8,0
"""

CFG_1999 = """Substation 1,Recorder 7,1999
4,3A,1D
1,VA,A,Line 1,kV,0.01,0,0,-99999,99999,132,0.11,P
2,IA,A,Line 1,A,0.5,10,0,-99999,99999,600,5,S
3,VB,B,Line 1,V,2,-1,0,-99999,99999,132000,110,P
1,TRIP,,Line 1,0
60
1
1200,4
15/07/2021,10:30:00.250000
15/07/2021,10:30:00.260000
ASCII
1
"""
DAT_1999 = """1,0,100,4,-50,0
2,833,-200,,25,1
3,1667,99999,-6,0,1
4,2500,0,8,10,0
"""


def write(tmp_path, name: str, cfg: str, dat: bytes | str, dat_name: str | None = None):
    (tmp_path / f"{name}.cfg").write_text(cfg.replace("\n", "\r\n"), newline="")
    data = dat.replace("\n", "\r\n").encode() if isinstance(dat, str) else dat
    (tmp_path / (dat_name or f"{name}.dat")).write_bytes(data)
    return tmp_path / f"{name}.cfg"


def test_1991_ascii(tmp_path):
    rec = read_comtrade(write(tmp_path, "r91", CFG_1991, DAT_1991))
    cfg = rec.config
    assert (cfg.revision, cfg.station, cfg.device) == (1991, "Substation 1", "Recorder 7")
    assert cfg.start == datetime(1991, 7, 15, 10, 30, 0, 250000)  # mm/dd/yy in 1991
    assert rec.trigger == datetime(1991, 7, 15, 10, 30, 0, 260000, tzinfo=UTC)
    assert cfg.analog[0].ps == "P" and cfg.timemult == 1.0
    assert cfg.digital[0].id == "TRIP" and cfg.digital[0].normal == 0
    np.testing.assert_allclose(rec.analog[0], [1.0, -2.0, 999.99, 0.0])  # kV
    np.testing.assert_allclose(rec.analog[1], [12.0, np.nan, 7.0, 14.0])
    np.testing.assert_array_equal(rec.digital[0], [False, True, True, False])
    np.testing.assert_allclose(rec.time, np.arange(4) / 1200.0)


def test_1999_ascii_with_missing_values(tmp_path):
    rec = read_comtrade(write(tmp_path, "r99", CFG_1999, DAT_1999))
    cfg = rec.config
    assert cfg.revision == 1999 and cfg.line_frequency == 60.0
    assert cfg.sample_rates == ((1200.0, 4),)
    ia = cfg.analog[1]
    assert (ia.a, ia.b, ia.primary, ia.secondary, ia.ps, ia.unit) == (
        0.5,
        10.0,
        600.0,
        5.0,
        "S",
        "A",
    )
    assert cfg.start == datetime(2021, 7, 15, 10, 30, 0, 250000)  # dd/mm/yyyy from 1999
    # VA = 0.01·x kV, 99999 is missing; IA = 0.5·x + 10 with a blank (missing); VB = 2·x − 1.
    np.testing.assert_allclose(rec.analog[0], [1.0, -2.0, np.nan, 0.0])
    np.testing.assert_allclose(rec.analog[1], [12.0, np.nan, 7.0, 14.0])
    np.testing.assert_allclose(rec.analog[2], [-101.0, 49.0, -1.0, 19.0])
    np.testing.assert_array_equal(rec.digital[0], [False, True, True, False])


def test_dat_found_case_insensitively(tmp_path):
    cfg = write(tmp_path, "FAULT1", CFG_1999, DAT_1999, dat_name="fault1.DAT")
    assert read_comtrade(cfg).analog.shape == (3, 4)


def cfg_2013(file_type: str, nrates: str = "1\n4000,3", time: str = "00:00:00.000000") -> str:
    return (
        """Bay 3,ION7400,2013
20,2A,18D
1,VA,A,,V,0.1,5,0,-32767,32767,1,1,P
2,IA,A,,kA,0.001,0,0,-32767,32767,1,1,P
"""
        + "".join(f"{k},S{k},,,{k % 2}\n" for k in range(1, 19))
        + f"""50
{nrates}
02/01/2023,{time}
02/01/2023,00:00:00.000500
{file_type}
1
-5,-5
0,0
"""
    )


def test_2013_binary(tmp_path):
    """int16 codes with the 0x8000 missing code; 18 digitals span two status words (§8.3)."""
    rows = [
        (1, 0, 1000, -2000, 0b1000000000000001, 0b10),
        (2, 250, -32768, 32767, 0, 0b01),
        (3, 500, -32767, 0, 0xFFFF, 0b11),
    ]
    dat = b"".join(struct.pack("<IIhhHH", *r) for r in rows)
    rec = read_comtrade(write(tmp_path, "b13", cfg_2013("BINARY"), dat))
    cfg = rec.config
    assert (cfg.revision, cfg.file_type, cfg.time_code, cfg.local_code) == (
        2013,
        "BINARY",
        "-5",
        "-5",
    )
    assert (cfg.tmq_code, cfg.leap_second) == ("0", 0)
    # time_code −5: the written times are UTC−5, so UTC is five hours later.
    assert rec.start == datetime(2023, 1, 2, 5, 0, 0, tzinfo=UTC)
    np.testing.assert_allclose(rec.analog[0], [105.0, np.nan, 0.1 * -32767 + 5.0])
    np.testing.assert_allclose(rec.analog[1], [-2.0, 32.767, 0.0])  # kA as written
    assert rec.digital.shape == (18, 3)
    np.testing.assert_array_equal(rec.digital[0], [True, False, True])  # word 1 bit 0
    np.testing.assert_array_equal(rec.digital[15], [True, False, True])  # word 1 bit 15
    np.testing.assert_array_equal(rec.digital[1:15], [[False, False, True]] * 14)  # 0xFFFF row
    np.testing.assert_array_equal(rec.digital[16], [False, True, True])  # word 2 bit 0
    np.testing.assert_array_equal(rec.digital[17], [True, False, True])  # word 2 bit 1
    np.testing.assert_allclose(rec.time, [0, 1 / 4000, 2 / 4000])


def test_2013_binary32_and_float32(tmp_path):
    dat32 = b"".join(
        struct.pack("<IIiiHH", n, 0, a, b, 0, 0)
        for n, a, b in [(1, 2**31 - 1, -10), (2, -(2**31), 20), (3, 0, 30)]
    )
    rec = read_comtrade(write(tmp_path, "i32", cfg_2013("BINARY32"), dat32))
    np.testing.assert_allclose(rec.analog[0], [0.1 * (2**31 - 1) + 5, np.nan, 5.0])
    np.testing.assert_allclose(rec.analog[1], [-0.01, 0.02, 0.03])
    datf = b"".join(
        struct.pack("<IIffHH", n, 0, a, b, 0, 0)
        for n, a, b in [(1, 1.5, -0.25), (2, math.nan, 1e3), (3, -2.0, 0.0)]
    )
    rec = read_comtrade(write(tmp_path, "f32", cfg_2013("FLOAT32"), datf))
    np.testing.assert_allclose(rec.analog[0], [0.1 * 1.5 + 5, np.nan, 0.1 * -2.0 + 5])
    np.testing.assert_allclose(rec.analog[1], [-0.00025, 1.0, 0.0])


def test_nanosecond_time_base_and_authoritative_timestamps(tmp_path):
    """Nine fractional digits → ns timestamps; nrates = 0 → times from the timestamps (§7.4.6)."""
    dat = b"".join(
        struct.pack("<IIhhHH", n + 1, ts, 0, 0, 0, 0) for n, ts in enumerate([0, 250_000, 500_000])
    )
    cfg = cfg_2013("BINARY", nrates="0\n0,3", time="00:00:00.000000500")
    rec = read_comtrade(write(tmp_path, "ns", cfg, dat))
    assert rec.config.time_base == 1e-9 and rec.config.nrates == 0
    np.testing.assert_allclose(rec.time, [0.0, 250e-6, 500e-6], rtol=1e-12)


def test_hand_made_cff(tmp_path):
    cfg = CFG_1999.replace(",1999", ",2013").replace("\n", "\r\n")
    body = (
        "--- file type: CFG ---\r\n" + cfg + "--- file type: INF ---\r\n[Public]\r\n"
        "--- file type: HDR ---\r\nhello\r\n--- file type: DAT ASCII ---\r\n"
        + DAT_1999.replace("\n", "\r\n")
    )
    (tmp_path / "a.cff").write_bytes(body.encode())
    rec = read_comtrade(tmp_path / "a.cff")
    assert (rec.header, rec.info) == ("hello", "[Public]")
    np.testing.assert_allclose(rec.analog[2], [-101.0, 49.0, -1.0, 19.0])
    payload = struct.pack("<IIh", 1, 0, 7)
    cfg_b = (
        "x,y,2013\r\n1,1A,0D\r\n1,VA,A,,V,1,0,0,-32767,32767,1,1,P\r\n50\r\n1\r\n"
        "1000,1\r\n01/01/2020,00:00:00.000000\r\n01/01/2020,00:00:00.000000\r\nBINARY\r\n1\r\n"
    )
    raw = (
        b"--- file type: CFG ---\r\n"
        + cfg_b.encode()
        + f"--- file type: DAT BINARY: {len(payload)} ---\r\n".encode()
        + payload
    )
    parts = split_cff(raw)
    assert parts.dat == payload and parts.dat_format == "BINARY" and parts.cfg_line == 2
    (tmp_path / "b.cff").write_bytes(raw)
    assert read_comtrade(tmp_path / "b.cff").analog[0, 0] == 7.0


def test_binary_payload_containing_a_header_line():
    """Bytes inside the counted DAT section are data, even if they spell a header."""
    payload = b"\x01\x00\x00\x00\n--- file type: HDR ---\n"
    raw = (
        b"--- file type: CFG ---\nx\n--- file type: DAT BINARY: "
        + str(len(payload)).encode()
        + b" ---\n"
        + payload
        + b"--- file type: HDR ---\nnote\n"
    )
    parts = split_cff(raw)
    assert parts.dat == payload and parts.hdr == "note"


@pytest.mark.parametrize(("code", "hours"), [("0", 0.0), ("+1", 1.0), ("-5h30", -5.5), ("x", None)])
def test_time_code_offsets(code, hours):
    offset = parse_offset(code)
    assert (offset is None) if hours is None else offset.total_seconds() == hours * 3600


def test_leap_second_and_two_digit_years():
    text = CFG_1991.replace("07/15/91,10:30:00.250000", "12/31/05,23:59:60.000000")
    cfg = parse_cfg(text)
    assert cfg.start == datetime(2006, 1, 1, 0, 0, 0)


def test_source_replays_the_hand_written_1999_file(tmp_path):
    """VA in kV → V; IA recorded secondary (PS = S, 600/5) → ×120 primary; VB primary as is."""
    src = ComtradeSource(write(tmp_path, "r99", CFG_1999, DAT_1999))
    block = next(src.blocks())
    np.testing.assert_allclose(block.voltage[0], [1000.0, -2000.0, np.nan, 0.0])
    np.testing.assert_allclose(block.voltage[1], [-101.0, 49.0, -1.0, 19.0])
    np.testing.assert_allclose(block.current[0], [1440.0, np.nan, 840.0, 1680.0])
    assert not block.voltage[2:].any() and not block.current[1:].any()
    np.testing.assert_array_equal(block.digital, [[False, True, True, False]])
    assert block.start == datetime(2021, 7, 15, 10, 30, 0, 250000, tzinfo=UTC)
    assert (src.sample_rate, src.nominal_frequency) == (1200.0, 60.0)
    d = src.describe()
    assert d["mapping"] == {"V1": "VA", "V2": "VB", "I1": "IA"} and d["missing_values"] == 2


def test_source_replays_the_hand_written_2013_binary(tmp_path):
    rows = [(1, 0, 1000, -2000, 1, 0), (2, 250, -32768, 32767, 0, 0), (3, 500, 0, 0, 0, 2)]
    dat = b"".join(struct.pack("<IIhhHH", *r) for r in rows)
    block = next(ComtradeSource(write(tmp_path, "b13", cfg_2013("BINARY"), dat)).blocks())
    np.testing.assert_allclose(block.voltage[0], [105.0, np.nan, 5.0])
    np.testing.assert_allclose(block.current[0], [-2000.0, 32767.0, 0.0])  # kA → A
    assert block.digital.shape == (18, 3) and block.digital[17, 2] and block.digital[0, 0]
    assert block.start == datetime(2023, 1, 2, 5, 0, 0, tzinfo=UTC)  # time_code −5
