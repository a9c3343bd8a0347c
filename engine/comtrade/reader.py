"""Open a COMTRADE recording from disk: a .cfg with its .dat (and .hdr/.inf), or a .cff."""

from __future__ import annotations

from pathlib import Path

from engine.comtrade.cff import read_cff
from engine.comtrade.config import decode_text, read_cfg
from engine.comtrade.data import Recording, parse_dat
from engine.errors import InputError


def find_beside(path: str | Path, suffix: str) -> Path | None:
    """The file with ``path``'s name and ``suffix`` (".dat", ".hdr"...), matched case-insensitively.

    COMTRADE file sets come from many systems (IEEE C37.111 §5: FAULT1.CFG with FAULT1.DAT), so
    ``x.cfg`` beside ``X.DAT`` is the same set. An exact-case match wins.
    """
    path = Path(path)
    same_case = suffix.upper() if path.suffix.isupper() else suffix.lower()
    exact = path.with_suffix(same_case)
    if exact.is_file():
        return exact
    wanted = (path.stem + suffix).lower()
    try:
        matches = sorted(
            p for p in path.parent.iterdir() if p.name.lower() == wanted and p.is_file()
        )
    except OSError:
        return None
    return matches[0] if matches else None


def _optional_text(path: Path, suffix: str) -> str | None:
    other = find_beside(path, suffix)
    if other is None:
        return None
    try:
        return decode_text(other.read_bytes()).replace("\x1a", "") or None
    except OSError:
        return None  # .hdr/.inf are informative only; an unreadable one is not fatal


def read_comtrade(path: str | Path) -> Recording:
    """Read a COMTRADE recording: a .cfg (its .dat found beside it) or a 2013 .cff.

    Values are in each channel's unit after a·x+b (IEEE C37.111 §7.4.3). Raises ``InputError``
    for a missing file, a malformed .cfg (with its line), or .dat data that do not fit the .cfg.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".cff":
        return read_cff(path)
    if suffix != ".cfg":
        raise InputError("expected a COMTRADE .cfg or .cff file", path)
    config = read_cfg(path)
    dat = find_beside(path, ".dat")
    if dat is None:
        raise InputError(
            f"data file {path.stem}.dat not found beside the configuration",
            path.with_suffix(".dat"),
        )
    try:
        data = dat.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read data file: {exc.strerror or exc}", dat) from None
    analog, digital, time = parse_dat(data, config, dat)
    return Recording(
        config,
        analog,
        digital,
        time,
        _optional_text(path, ".hdr"),
        _optional_text(path, ".inf"),
        path,
    )
