"""Bad COMTRADE input gives an ``InputError`` naming the file, the line (for .cfg problems) and
the problem — never an IndexError, ValueError or struct.error from inside the reader."""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from engine.comtrade import ChannelSpec, read_comtrade, write_comtrade
from engine.errors import InputError

CFG = """Sub,Rec,1999
2,1A,1D
1,VA,A,,V,0.5,0,0,-32767,32767,1,1,P
1,TRIP,,,0
50
1
1000,3
01/02/2020,00:00:00.000000
01/02/2020,00:00:00.000000
BINARY
1
"""
DAT = b"".join(struct.pack("<IIhH", n, 1000 * (n - 1), 10 * n, n % 2) for n in (1, 2, 3))


def files(tmp_path, cfg: str = CFG, dat: bytes | None = DAT, name: str = "rec") -> Path:
    path = tmp_path / f"{name}.cfg"
    path.write_text(cfg)
    if dat is not None:
        (tmp_path / f"{name}.dat").write_bytes(dat)
    return path


def error(path) -> InputError:
    with pytest.raises(InputError) as info:
        read_comtrade(path)
    return info.value


def test_the_good_file_reads(tmp_path):
    rec = read_comtrade(files(tmp_path))
    np.testing.assert_allclose(rec.analog[0], [5.0, 10.0, 15.0])
    np.testing.assert_array_equal(rec.digital[0], [True, False, True])


def test_missing_cfg(tmp_path):
    e = error(tmp_path / "none.cfg")
    assert e.path == tmp_path / "none.cfg" and "cannot read" in e.problem


def test_missing_dat(tmp_path):
    e = error(files(tmp_path, dat=None))
    assert str(e).startswith(str(tmp_path / "rec.dat")) and "not found" in e.problem


def test_not_a_comtrade_name(tmp_path):
    assert "expected a COMTRADE .cfg or .cff" in error(tmp_path / "x.txt").problem


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("1,VA,A,,V,0.5,0,0,-32767,32767,1,1,P", "1,VA,A,,V,0.5,0", 3, "has 7 fields, expected 13"),
        (
            "1,VA,A,,V,0.5,0,",
            "1,VA,A,,V,half,0,",
            3,
            "multiplier a of channel 'VA' is not a number",
        ),
        ("V,0.5,0,0", "V,0.5,zero,0", 3, "offset b of channel 'VA' is not a number"),
        ("1,P\n", "1,Q\n", 3, "PS of channel 'VA' must be P or S"),
        ("BINARY\n", "BINARY64\n", 10, "unknown data file type 'BINARY64'"),
        ("1000,3", "0,3", 7, "sample rate must be > 0 Hz"),
        ("1000,3", "-1000,3", 7, "sample rate must be > 0 Hz"),
        ("1000,3", "fast,3", 7, "sample rate samp is not a number"),
        ("2,1A,1D", "3,1A,1D", 2, "channel counts do not add up"),
        ("2,1A,1D", "2,1,1", 2, "TT,##A,##D"),
        ("Sub,Rec,1999", "Sub,Rec,2005", 1, "unknown revision year 2005"),
        ("1,TRIP,,,0", "1,TRIP,,,2", 4, "must be 0 or 1"),
        ("\n50\n", "\nfifty\n", 5, "line frequency lf is not a number"),
        (
            "01/02/2020,00:00:00.000000\nBINARY",
            "31/02/2020,00:00:00.000000\nBINARY",
            9,
            "not a valid",
        ),
        ("01/02/2020,00:00:00.000000\n01", "2020-02-01 00:00\n01", 8, "first-sample time must be"),
        ("BINARY\n1\n", "BINARY\n0\n", 11, "timemult must be > 0"),
    ],
)
def test_malformed_cfg_names_file_line_and_problem(tmp_path, old, new, line, words):
    assert old in CFG
    e = error(files(tmp_path, CFG.replace(old, new, 1)))
    assert e.path == tmp_path / "rec.cfg" and e.line == line
    assert words in e.problem
    assert str(e).startswith(f"{tmp_path / 'rec.cfg'}:{line}: ")


@pytest.mark.parametrize("keep", range(0, 10))
def test_truncated_cfg_is_an_input_error(tmp_path, keep):
    """Cutting the .cfg after any line gives a clear 'unexpected end of file', never IndexError."""
    text = "\n".join(CFG.splitlines()[:keep]) + ("\n" if keep else "")
    e = error(files(tmp_path, text))
    assert e.line == keep + 1 and "unexpected end of file" in e.problem


def test_truncated_binary_dat(tmp_path):
    e = error(files(tmp_path, dat=DAT[:-5]))
    assert e.path == tmp_path / "rec.dat"
    assert "has 31 bytes (2 samples of 12 bytes + 7 bytes)" in e.problem
    assert "expects 3 samples = 36 bytes" in e.problem


def test_sample_count_mismatch_binary(tmp_path):
    e = error(files(tmp_path, CFG.replace("1000,3", "1000,4")))
    assert e.path == tmp_path / "rec.dat" and "has 36 bytes (3 samples of 12 bytes)" in e.problem
    assert "expects 4 samples = 48 bytes" in e.problem


def test_trailing_eof_marker_is_tolerated(tmp_path):
    assert read_comtrade(files(tmp_path, dat=DAT + b"\x1a")).n_samples == 3


ASCII_CFG = CFG.replace("BINARY", "ASCII")


def test_ascii_sample_count_mismatch(tmp_path):
    e = error(files(tmp_path, ASCII_CFG, b"1,0,10,1\r\n2,1000,20,0\r\n"))
    assert e.path == tmp_path / "rec.dat"
    assert "has 2 samples but the configuration expects 3" in e.problem


def test_ascii_wrong_field_count_names_the_line(tmp_path):
    e = error(files(tmp_path, ASCII_CFG, b"1,0,10,1\r\n2,1000,20\r\n3,2000,30,1\r\n"))
    assert (e.path, e.line) == (tmp_path / "rec.dat", 2) and "has 3 fields, expected 4" in e.problem


def test_ascii_non_numeric_value_names_the_line(tmp_path):
    e = error(files(tmp_path, ASCII_CFG, b"1,0,10,1\r\n2,1000,20,0\r\n3,2000,x3,1\r\n"))
    assert (e.line, e.problem) == (3, "value 'x3' is not a number")


def cff_bytes(dat_header: str, dat: bytes, cfg: str = CFG.replace(",1999", ",2013")) -> bytes:
    return ("--- file type: CFG ---\n" + cfg + dat_header + "\n").encode() + dat


def test_cff_problems(tmp_path):
    path = tmp_path / "x.cff"
    path.write_bytes(cff_bytes("--- file type: HDR ---", b"note\n"))
    assert error(path).problem == "no DAT section"
    path.write_bytes(cff_bytes(f"--- file type: DAT BINARY: {len(DAT) + 4} ---", DAT))
    e = error(path)
    assert e.line == 13 and "declares 40 bytes but only 36 follow" in e.problem
    path.write_bytes(cff_bytes("--- file type: DAT BINARY ---", DAT))
    assert "needs its length" in error(path).problem
    path.write_bytes(cff_bytes(f"--- file type: DAT FLOAT32: {len(DAT)} ---", DAT))
    assert "DAT section is FLOAT32 but the CFG section says BINARY" in error(path).problem
    path.write_bytes(b"just some text\n")
    assert "not a .cff file" in error(path).problem
    # A .cfg problem inside a .cff points at the line of the .cff.
    bad = CFG.replace(",1999", ",2013").replace("V,0.5,", "V,half,")
    path.write_bytes(cff_bytes(f"--- file type: DAT BINARY: {len(DAT)} ---", DAT, bad))
    e = error(path)
    assert (e.path, e.line) == (path, 4) and "multiplier a" in e.problem


def test_cff_short_dat(tmp_path):
    path = tmp_path / "y.cff"
    path.write_bytes(cff_bytes(f"--- file type: DAT BINARY: {len(DAT) - 2} ---", DAT[:-2]))
    e = error(path)
    assert e.path == path and "expects 3 samples = 36 bytes" in e.problem


def test_written_file_cut_short_is_detected(tmp_path):
    spec = [ChannelSpec("VA", "V", "A")]
    start = datetime(2020, 1, 1, tzinfo=UTC)
    path = write_comtrade(tmp_path / "w", np.zeros((1, 100)), spec, 1000.0, start)
    dat = path.with_suffix(".dat")
    dat.write_bytes(dat.read_bytes()[:-1])
    assert "expects 100 samples = 1000 bytes" in error(path).problem
