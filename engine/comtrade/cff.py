"""The 2013 single-file COMTRADE format (.cff): CFG, INF, HDR and DAT sections in one file.

IEEE C37.111-2013 §9: each section starts with a line ``--- file type: CFG ---`` (``INF``,
``HDR``, ``DAT ASCII``, ``DAT BINARY: <bytes>``, ``DAT BINARY32: <bytes>``,
``DAT FLOAT32: <bytes>``). A binary DAT section states its length in bytes, because its
contents may contain any byte, including ones that look like a section header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from engine.comtrade.config import decode_text, parse_cfg
from engine.comtrade.data import Recording, parse_dat
from engine.errors import InputError

_HEADER = re.compile(
    rb"^---[ \t]*file type:[ \t]*([A-Za-z]+)(?:[ \t]+([A-Za-z0-9]+))?(?:[ \t]*:[ \t]*(\d+))?"
    rb"[ \t]*---[ \t]*\r?$",
    re.MULTILINE | re.IGNORECASE,
)
_KINDS = ("CFG", "INF", "HDR", "DAT")
CRLF = b"\r\n"


@dataclass(frozen=True)
class CffSections:
    """The sections of a .cff file.

    ``cfg_line`` is the file line number of the first CFG line (so .cfg errors point into the
    .cff); ``dat_line`` that of the DAT header; ``dat_format`` is the type named in it.
    """

    cfg: str
    cfg_line: int
    dat: bytes
    dat_format: str
    dat_line: int
    inf: str | None = None
    hdr: str | None = None


def _body_start(data: bytes, header_end: int) -> int:
    """Index of the first byte after a header line's end-of-line."""
    return header_end + 1 if data[header_end : header_end + 1] == b"\n" else header_end


def _strip_eol(body: bytes) -> bytes:
    """Drop the end-of-line that separates a text section from the next header."""
    return body[:-2] if body.endswith(CRLF) else body[:-1] if body.endswith(b"\n") else body


def split_cff(data: bytes, path: str | Path | None = None) -> CffSections:
    """Split .cff bytes into their sections (IEEE C37.111-2013 §9).

    Raises ``InputError`` (file, line, problem) for a missing or repeated section, an unknown
    section type, a binary DAT header without a byte count, or a DAT section shorter than stated.
    """
    found: dict[str, tuple[bytes, str, int]] = {}
    m = _HEADER.search(data)
    if m is None:
        raise InputError("no '--- file type: … ---' section header: not a .cff file", path, 1)
    if data[: m.start()].strip(b" \t\r\n\x1a"):
        raise InputError("text before the first '--- file type: … ---' header", path, 1)
    while m is not None:
        kind = m.group(1).decode().upper()
        fmt = (m.group(2) or b"").decode().upper()
        line = data.count(b"\n", 0, m.start()) + 1
        start = _body_start(data, m.end())
        if kind not in _KINDS:
            raise InputError(
                f"unknown section type {kind!r} (expected CFG, INF, HDR, DAT)", path, line
            )
        if kind in found:
            raise InputError(f"second {kind} section", path, line)
        if m.group(3) is not None:
            end = start + int(m.group(3))
            if end > len(data):
                raise InputError(
                    f"{kind} section declares {int(m.group(3))} bytes but only "
                    f"{len(data) - start} follow",
                    path,
                    line,
                )
            body = data[start:end]
            m = _HEADER.search(data, end)
        elif kind == "DAT" and fmt != "ASCII":
            raise InputError(
                f"'DAT {fmt}' section header needs its length: 'DAT {fmt}: <bytes>'", path, line
            )
        else:
            m = _HEADER.search(data, start)
            body = _strip_eol(data[start : m.start() if m else len(data)])
        found[kind] = (body, fmt, line)
    for kind in ("CFG", "DAT"):
        if kind not in found:
            raise InputError(f"no {kind} section", path)
    cfg, _, cfg_header = found["CFG"]
    dat, dat_format, dat_line = found["DAT"]
    if dat_format == "":
        raise InputError("DAT section header does not name the data format", path, dat_line)
    texts = {k: decode_text(found[k][0]) if k in found else None for k in ("INF", "HDR")}
    return CffSections(
        decode_text(cfg), cfg_header + 1, dat, dat_format, dat_line, texts["INF"], texts["HDR"]
    )


def _text_section(kind: str, text: str | None) -> bytes:
    body = (text or "").replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
    if body and not body.endswith(CRLF):
        body += CRLF
    return f"--- file type: {kind} ---".encode() + CRLF + body


def build_cff(
    cfg: str, dat: bytes, file_type: str, inf: str | None = None, hdr: str | None = None
) -> bytes:
    """Assemble a .cff (IEEE C37.111-2013 §9): CFG, INF, HDR, then DAT.

    ``cfg`` is the .cfg text, ``dat`` the .dat bytes in ``file_type`` (ASCII, BINARY, BINARY32,
    FLOAT32). Binary DAT headers carry the byte count.
    """
    file_type = file_type.upper()
    out = _text_section("CFG", cfg) + _text_section("INF", inf) + _text_section("HDR", hdr)
    if file_type == "ASCII":
        return out + b"--- file type: DAT ASCII ---" + CRLF + dat
    return out + f"--- file type: DAT {file_type}: {len(dat)} ---".encode() + CRLF + dat


def read_cff(path: str | Path) -> Recording:
    """Read a .cff file into a ``Recording``; every problem is an ``InputError``."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read COMTRADE file: {exc.strerror or exc}", path) from None
    parts = split_cff(data, path)
    config = parse_cfg(parts.cfg, path, first_line=parts.cfg_line)
    if parts.dat_format != config.file_type:
        raise InputError(
            f"DAT section is {parts.dat_format} but the CFG section says {config.file_type}",
            path,
            parts.dat_line,
        )
    analog, digital, time = parse_dat(parts.dat, config, path)
    return Recording(
        config, analog, digital, time, parts.hdr or None, parts.inf or None, Path(path)
    )
