"""The configuration file: TOML tables <-> ``MeterConfig``, safe writes, kept backups.

- ``load_config`` reports every problem as one ``InputError`` line ``FILE:LINE: key: problem``;
  a malformed or invalid file is first copied to ``<name>.bad-YYYYmmddTHHMMSS`` beside it (the
  message says "kept as …"), and neither the file nor an earlier copy is ever changed.
- ``save_config`` writes atomically (temporary file in the same folder, fsync, rename), so a
  crash leaves the old file or the new one, never half of one; the file it replaces is kept as
  ``<name>.bak`` (or, if that file was itself invalid, as a ``.bad-*`` copy).
- ``load_or_default`` gives the defaults when there is no file (and does not create one).

This module imports ``engine.config`` only when called (``engine.config`` re-exports it).
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from dataclasses import fields, replace
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from engine.errors import InputError

if TYPE_CHECKING:
    from engine.config import MeterConfig

HEADER = "# ion7400-hmi meter configuration (written by the program; see docs/configuration.md)\n"


def default_config_path() -> Path:
    """Where the configuration lives unless ``--config`` says otherwise: the user's
    configuration directory ($XDG_CONFIG_HOME or ~/.config)/ion7400-hmi/config.toml."""
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "ion7400-hmi" / "config.toml"


def default_data_dir() -> Path:
    """Where the emulated meter keeps what it records (waveform captures, later its logs)
    unless ``--data-dir`` says otherwise: $ION7400_DATA_DIR, else the user's data directory
    ($XDG_DATA_HOME or ~/.local/share)/ion7400-hmi."""
    if os.environ.get("ION7400_DATA_DIR"):
        return Path(os.environ["ION7400_DATA_DIR"])
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "ion7400-hmi"


# -- tables -> MeterConfig -------------------------------------------------------------------


def _table(value: Any, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{key}: must be a table ([{key}]), got {value!r}")
    return dict(value)


def _only(table: dict[str, Any], known: set[str] | tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in known:
            raise ValueError(
                f"{where}{key}: unknown setting (known here: {', '.join(sorted(known))})"
            )


def config_from_tables(data: dict[str, Any]) -> MeterConfig:
    """Build and validate a configuration from parsed TOML. ``ValueError`` messages start with
    the dotted key (``meter.ct_primary: …``); absent tables and keys keep their defaults."""
    from engine.alarms.config import alarms_from_tables
    from engine.config import (
        CHANNELS,
        CONFIG_VERSION,
        SECTIONS,
        ChannelCorrection,
        MeterConfig,
        validate,
    )

    _only(data, {"version", "meter", "alarms", *SECTIONS}, "")
    version = data.get("version", CONFIG_VERSION)
    if version != CONFIG_VERSION:
        raise ValueError(
            f"version: this program reads version {CONFIG_VERSION}, the file has {version!r}"
        )
    meter = _table(data.get("meter", {}), "meter")
    channels_in = _table(meter.pop("channels", {}), "meter.channels")
    simple = {f.name for f in fields(MeterConfig)} - {"channels", *SECTIONS}
    _only(meter, simple, "meter.")
    channels = {c: ChannelCorrection() for c in CHANNELS}
    for ch, table in channels_in.items():
        where = f"meter.channels.{ch}"
        if ch not in CHANNELS:
            raise ValueError(f"{where}: unknown channel (use {', '.join(CHANNELS)})")
        table = _table(table, where)
        _only(table, ("polarity", "ratio_correction", "phase_correction"), f"{where}.")
        polarity = table.pop("polarity", "normal")
        if polarity not in ("normal", "inverted"):
            raise ValueError(f"{where}.polarity: must be normal or inverted, got {polarity!r}")
        channels[ch] = ChannelCorrection(inverted=polarity == "inverted", **table)
    default = MeterConfig()
    sections = {}
    for name, cls in SECTIONS.items():
        given = _table(data.get(name, {}), name)
        _only(given, {f.name for f in fields(cls)}, f"{name}.")
        try:
            sections[name] = replace(getattr(default, name), **given)
        except ValueError as exc:  # "demand interval must be …": name the key for the line
            words = str(exc).split()
            key = words[1] if len(words) > 1 and words[0] == name else ""
            raise ValueError(f"{name}.{key}: {exc}" if key else f"{name}: {exc}") from None
    alarms = alarms_from_tables(data["alarms"]) if "alarms" in data else None
    config = replace(
        default, **meter, channels=MappingProxyType(channels), **sections, alarms=alarms
    )
    return validate(config)


# -- where in the text ------------------------------------------------------------------------

_HEADER = re.compile(r"^[ \t]*\[+[ \t]*([^\]\n]+?)[ \t]*\]+", re.MULTILINE)


def _line_of(text: str, dotted: str) -> int | None:
    """Line of setting ``dotted`` (e.g. "meter.channels.I2.polarity") in a TOML text: the key
    inside its table, else the table's header, else the first ``key =`` anywhere."""

    def line(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    parts = dotted.split(".")
    if parts[0] == "alarms" and len(parts) == 3:
        found = _alarm_line(text, parts[1], parts[2])
        if found is not None:
            return found
    headers = [(m.start(), m.group(1).replace('"', "")) for m in _HEADER.finditer(text)]
    table, key = ".".join(parts[:-1]), parts[-1]
    bounds = [(0, headers[0][0] if headers else len(text))] if not table else []
    for i, (start, name) in enumerate(headers):
        if name == table:
            end = headers[i + 1][0] if i + 1 < len(headers) else len(text)
            bounds.append((start, end))
    assign = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*=", re.MULTILINE)
    for start, end in bounds:
        m = assign.search(text, start, end)
        if m:
            return line(m.start())
    for start, name in headers:
        if name == dotted:
            return line(start)
    m = assign.search(text)
    return line(m.start()) if m else None


def _alarm_line(text: str, alarm_id: str, key: str) -> int | None:
    """Line of ``key`` in the ``[[alarms]]`` table whose id is ``alarm_id`` (else of its id)."""
    starts = [m.start() for m in re.finditer(r"^[ \t]*\[\[[ \t]*alarms[ \t]*\]\]", text, re.M)]
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        nxt = _HEADER.search(text, start + 1)
        if nxt is not None and nxt.start() < end:
            end = nxt.start()
        block = text[start:end]
        ident = re.search(rf"^[ \t]*id[ \t]*=[ \t]*[\"']{re.escape(alarm_id)}[\"']", block, re.M)
        if ident is None:
            continue
        m = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=", block, re.M) or ident
        return text.count("\n", 0, start + m.start()) + 1
    return None


def _key_of(message: str) -> str | None:
    head = message.split(": ", 1)[0]
    return head if re.fullmatch(r"[\w.\-]+", head) else None


# -- reading ------------------------------------------------------------------------------------


def keep_bad_copy(path: Path) -> Path:
    """Copy ``path`` to ``<name>.bad-YYYYmmddTHHMMSS`` beside it and return the copy. An earlier
    copy with the same content is reused; no existing file is ever overwritten."""
    data = path.read_bytes()
    for old in sorted(path.parent.glob(f"{glob_escape(path.name)}.bad-*")):
        try:
            if old.read_bytes() == data:
                return old
        except OSError:
            continue
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    for n in range(1000):
        copy = path.with_name(f"{path.name}.bad-{stamp}" + (f"-{n}" if n else ""))
        try:
            with open(copy, "xb") as f:  # "x": fails rather than overwrite
                f.write(data)
        except FileExistsError:
            continue
        return copy
    raise OSError(f"cannot find a free name for a copy of {path}")


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def load_config(path: str | Path, *, keep_bad: bool = True) -> MeterConfig:
    """Read and validate a configuration file.

    Raises ``InputError`` naming the file, the line and the key for a missing file, malformed
    TOML, an unknown key or an invalid value. A malformed or invalid file is copied to a
    ``.bad-*`` file beside it first (unless ``keep_bad`` is false: ``config validate`` and
    ``config import`` check files that are not the active configuration). The file itself is
    only read, never changed.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InputError(f"cannot read configuration: {exc.strerror}", path) from None
    except UnicodeDecodeError as exc:
        problem, line = f"not UTF-8 text ({exc.reason} at byte {exc.start})", None
    else:
        try:
            return config_from_tables(tomllib.loads(text))
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"line (\d+)", str(exc))
            problem, line = f"not valid TOML: {exc}", int(m.group(1)) if m else None
        except (ValueError, TypeError) as exc:
            key = _key_of(str(exc))
            problem, line = str(exc), _line_of(text, key) if key else None
    if keep_bad:
        try:
            problem += f"; the file is kept as {keep_bad_copy(path)}"
        except OSError as exc:
            problem += f"; could not keep a copy ({exc.strerror or exc})"
    raise InputError(problem, path, line)


def load_or_default(path: str | Path, *, keep_bad: bool = True) -> MeterConfig:
    """``load_config(path)``, or the default configuration when there is no such file."""
    from engine.config import MeterConfig

    if not Path(path).exists():
        return MeterConfig()
    return load_config(path, keep_bad=keep_bad)


# -- writing ------------------------------------------------------------------------------------


def config_text(config: MeterConfig) -> str:
    """The configuration as the file has it (TOML with a header comment)."""
    import tomli_w

    return HEADER + tomli_w.dumps(config.to_dict())


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk, rename it over
    ``path``; on any failure the temporary file is removed and ``path`` is untouched."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _sync_dir(path.parent)


def _sync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); not possible, nor needed, on Windows."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save_config(config: MeterConfig, path: str | Path) -> Path | None:
    """Write ``config`` to ``path`` atomically, keeping the file it replaces as ``<name>.bak``;
    returns the copy kept of the replaced file (None when there was none).

    The configuration is validated first (``ValueError`` and nothing written). Nothing is
    written when the file already holds exactly this text, so ``.bak`` keeps the previous
    settings. A replaced file that was not a valid configuration is kept as ``.bad-*`` instead
    and ``.bak`` is left as it was. The file is created readable by its owner only (it holds the
    password)."""
    from engine.config import validate

    path = Path(path)
    data = config_text(validate(config)).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        old = None
    if old == data:
        return None
    kept = None
    if old is not None:
        try:
            load_config(path, keep_bad=False)
        except InputError:
            kept = keep_bad_copy(path)
        else:
            kept = path.with_name(path.name + ".bak")
            _write_atomic(kept, old)
    _write_atomic(path, data)
    return kept
