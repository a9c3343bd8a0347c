"""The ``ion7400-hmi`` command: the emulator window, and headless ``analyze`` / ``read``.

    ion7400-hmi [--source SPEC] [--config FILE] [--scale N] [--language L]   the window
    ion7400-hmi screens                                            list the screen ids
    ion7400-hmi screenshot --screen ID --out FILE.png | --all DIR  render screens headless
    ion7400-hmi analyze REC.cfg [--json] [--output FILE] ...       analyse a COMTRADE recording
    ion7400-hmi read [--source SPEC] [--seconds N] [--json]        run the engine, print readings
    ion7400-hmi config show | validate FILE | export FILE | import FILE   the configuration file

Bad input (a missing or malformed file, an invalid setting) ends with status 2 and one line on
stderr naming the file, the line and the problem; no traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from engine.config import WIRINGS, MeterConfig, load_config, validate
from engine.errors import InputError
from engine.quantities import QUANTITIES

PROG = "ion7400-hmi"


def _json_safe(value: Any) -> Any:
    """NaN and infinities become null: JSON has no such numbers."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def _dump(document: dict) -> str:
    return json.dumps(_json_safe(document), indent=1, ensure_ascii=False, default=str)


def _config(args: argparse.Namespace, **overrides: Any) -> MeterConfig:
    config = load_config(args.config) if getattr(args, "config", None) else MeterConfig()
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return validate(replace(config, **given))
    except ValueError as exc:
        raise InputError(f"invalid option: {exc}") from None


def _parse_mapping(text: str | None) -> dict[str, str] | None:
    if not text:
        return None
    mapping = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--map: expected INPUT=CHANNEL pairs, got {part!r}")
        mapping[key.strip().upper()] = value.strip()
    return mapping


# -- readable tables ---------------------------------------------------------------------

_TABLE_GROUPS = (
    ("Voltage L-N", ("V_A", "V_B", "V_C", "V_LN_AVG")),
    ("Voltage L-L", ("V_AB", "V_BC", "V_CA", "V_LL_AVG")),
    ("Current", ("I_A", "I_B", "I_C", "I_N", "I_AVG")),
    ("Frequency", ("FREQ",)),
    ("Active power", ("P_A", "P_B", "P_C", "P_TOT")),
    ("Reactive power", ("Q_A", "Q_B", "Q_C", "Q_TOT")),
    ("Apparent power", ("S_A", "S_B", "S_C", "S_TOT")),
    ("Power factor", ("PF_A", "PF_B", "PF_C", "PF_TOT", "DPF_TOT")),
    ("THD", ("THD_V_A", "THD_V_B", "THD_V_C", "THD_V_AB", "THD_I_A", "THD_I_B", "THD_I_C")),
    ("Unbalance", ("U2_V", "U0_V", "U2_I")),
    ("Energy", ("E_P_DEL", "E_P_REC", "E_Q_DEL", "E_Q_REC", "E_S_DEL")),
    ("Demand", ("D_P", "D_P_PRED", "D_P_PEAK")),
)


def format_table(values: dict[str, float]) -> str:
    """Grouped, aligned ``id value unit`` lines of the quantities present (NaN as ----)."""
    lines = []
    for title, ids in _TABLE_GROUPS:
        present = [q for q in ids if q in values]
        if not present:
            continue
        lines.append(title)
        for q in present:
            v = values[q]
            spec = QUANTITIES[q]
            text = "----" if v is None or not math.isfinite(v) else f"{v:.{spec.resolution + 2}f}"
            lines.append(f"  {q:<10} {text:>16} {spec.unit}")
    return "\n".join(lines)


# -- commands ------------------------------------------------------------------------------


def _progress(fraction: float) -> None:
    width = 30
    done = int(fraction * width)
    sys.stderr.write(f"\ranalyze [{'#' * done}{'.' * (width - done)}] {100 * fraction:5.1f} %")
    if fraction >= 1.0:
        sys.stderr.write("\n")
    sys.stderr.flush()


def cmd_analyze(args: argparse.Namespace) -> int:
    from engine.analysis import analyse_source
    from engine.sources.comtrade import ComtradeSource

    source = ComtradeSource(Path(args.recording), mapping=_parse_mapping(args.map))
    desc = source.describe()
    config = _config(
        args,
        nominal_voltage=args.nominal_voltage,
        nominal_frequency=args.nominal_frequency
        or (None if args.config else _nearest_system(desc.get("nominal_frequency"))),
        wiring=args.wiring,
    )
    seconds = desc.get("samples", 0) / desc.get("sample_rate", 1.0)
    show = sys.stderr.isatty() and seconds > 10.0
    result = analyse_source(source, config, _progress if show else None, seconds)
    ids = result.ids
    document = {
        "source": desc,
        "config": config.to_dict(),
        "summary": result.summary,
        # "10cycle" names the IEC 61000-4-30 10/12-cycle interval: 12 cycles on 60 Hz systems.
        "intervals": {
            "10cycle": [
                {
                    "t": t.isoformat(),
                    "flagged": bool(f),
                    **dict(zip(ids, row.tolist(), strict=True)),
                }
                for t, f, row in zip(result.times, result.flagged, result.rows, strict=True)
            ]
        },
    }
    if args.output:
        Path(args.output).write_text(_dump(document) + "\n", encoding="utf-8")
    if args.json:
        print(_dump(document))
    else:
        print(f"{args.recording}: {len(result.times)} windows of {config.cycles_per_window} cycles")
        if result.times:
            print(format_table(result.summary))
        else:
            print(f"  nothing to measure: {seconds:.3f} s of signal, shorter than one window")
    note = desc.get("note")
    if note:
        print(f"{PROG}: note: {note}", file=sys.stderr)
    return 0


def _nearest_system(lf: float | None) -> float | None:
    """50 or 60 Hz from a recording's line frequency (None when it gives none)."""
    if not lf:
        return None
    return 50.0 if abs(lf - 50.0) <= abs(lf - 60.0) else 60.0


def cmd_read(args: argparse.Namespace) -> int:
    from engine.meter import Meter
    from engine.sources.spec import open_source

    if not args.seconds > 0:
        raise InputError(f"--seconds must be > 0, got {args.seconds}")
    source = open_source(args.source, mapping=_parse_mapping(args.map))
    nominal = _nearest_system(getattr(source, "nominal_frequency", None))
    config = _config(args, nominal_frequency=None if args.config else nominal)
    meter = Meter(config)
    try:
        meter.run(source, paced=False, seconds=args.seconds)
    finally:
        source.close()
    snap = meter.snapshot
    values = dict(snap.values)
    if args.json:
        print(_dump({"t": snap.time.isoformat(), "quantities": values}))
    else:
        print(f"{snap.time.isoformat()}  ({args.source}, {args.seconds:g} s of signal)")
        print(format_table(values))
    return 0


def cmd_screens(args: argparse.Namespace) -> int:
    from i18n import tr
    from screens import registry

    for sid in registry.screen_ids():
        print(f"{sid:<20} {tr(registry.get(sid).title_key)}")
    return 0


def cmd_screenshot(args: argparse.Namespace) -> int:
    from hmi.screenshot import demo_snapshot, render, write_screens
    from screens import registry

    if bool(args.screen) == bool(args.all):
        raise InputError("screenshot: give either --screen ID --out FILE.png or --all DIR")
    from hmi.app import check_language
    from i18n import available

    known = registry.screen_ids()
    wanted = available() if args.language == "all" else [check_language(args.language)]
    if args.all:
        for lang in wanted:
            out = Path(args.all) / lang if args.language == "all" else Path(args.all)
            paths = write_screens(known, out, language=lang, scale=args.scale)
            print(f"{lang}: {len(paths) - 1} screens and a contact sheet written to {out}")
        return 0
    if args.language == "all":
        raise InputError("--language all goes with --all DIR")
    if args.screen not in known:
        raise InputError(f"unknown screen {args.screen!r}; `{PROG} screens` lists them")
    if not args.out:
        raise InputError("screenshot --screen needs --out FILE.png")
    image = render(args.screen, demo_snapshot(), language=args.language, scale=args.scale,
                   page=args.page, cursor=args.cursor)  # fmt: skip
    if not image.save(args.out, "PNG"):
        raise InputError(f"cannot write {args.out}")
    return 0


def cmd_window(args: argparse.Namespace) -> int:
    from engine.config import default_config_path
    from hmi.app import run_window

    # The panel saves what is changed on it (the language) into the configuration file: the
    # one given, else the user's default one, read at start when it exists.
    path = Path(args.config) if args.config else default_config_path()
    if not args.config and path.exists():
        args.config = str(path)
    config = _config(args)
    return run_window(
        args.source, config=config, scale=args.scale, language=args.language, config_path=path
    )


def _active_path(args: argparse.Namespace) -> Path:
    """The configuration file a ``config`` command works on: ``--config``, else the default."""
    from engine.config import default_config_path

    return Path(args.config) if getattr(args, "config", None) else default_config_path()


def cmd_config(args: argparse.Namespace) -> int:
    import tomli_w

    from engine.config import PASSWORD_MASK, diff_configs, load_or_default, save_config

    if args.action == "show":
        path = _active_path(args)
        document = load_or_default(path).to_dict()
        # The password is not printed; ``config export`` writes a file that keeps it.
        document["security"]["password"] = PASSWORD_MASK
        print(f"# from {path}" if path.exists() else f"# defaults (there is no {path})")
        print(tomli_w.dumps(document), end="")
    elif args.action == "validate":
        load_config(args.file, keep_bad=False)
        print(f"{args.file}: valid")
    elif args.action == "export":
        path = _active_path(args)
        save_config(load_or_default(path), args.file)
        print(f"{args.file}: written from " + (str(path) if path.exists() else "the defaults"))
    else:  # import
        new = load_config(args.file, keep_bad=False)
        dest = _active_path(args)
        try:
            old = load_or_default(dest, keep_bad=False)
        except InputError:
            old = None  # save_config keeps the invalid file as .bad-*
        kept = save_config(new, dest)
        print(
            f"{args.file}: imported into {dest}"
            + (f", the previous file kept as {kept}" if kept else "")
        )
        for change in diff_configs(old, new) if old is not None else []:
            print(f"  {change}")
    return 0


def _add_config_parser(sub: argparse._SubParsersAction) -> None:
    cf = sub.add_parser("config", help="show, check, export or import the configuration file")
    actions = cf.add_subparsers(dest="action", required=True, metavar="ACTION")
    # SUPPRESS: an absent option leaves a --config given before the command as it is.
    active = {"default": argparse.SUPPRESS, "metavar": "FILE"}
    show = actions.add_parser("show", help="print the configuration in use as TOML")
    show.add_argument("--config", help="configuration file (default: the user's)", **active)
    check = actions.add_parser("validate", help="check a configuration file")
    check.add_argument("file", metavar="FILE")
    export = actions.add_parser("export", help="write the configuration in use to FILE")
    export.add_argument("file", metavar="FILE")
    export.add_argument("--config", help="configuration to export (default: the user's)", **active)
    imp = actions.add_parser("import", help="check FILE and make it the configuration in use")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--config", help="configuration to replace (default: the user's)", **active)
    cf.set_defaults(func=cmd_config)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="PowerLogic ION7400 front-panel emulator and measurement engine."
    )
    parser.add_argument("--source", default="sim", help="sim | sim:FILE.toml | comtrade:FILE.cfg")
    parser.add_argument("--config", help="meter configuration (TOML)")
    parser.add_argument("--scale", type=int, default=2, choices=range(1, 5), help="TFT zoom")
    parser.add_argument("--language", help="display language (default: the configuration's)")
    parser.set_defaults(func=cmd_window)
    sub = parser.add_subparsers(dest="command")

    an = sub.add_parser("analyze", help="analyse a COMTRADE recording, print the readings")
    an.add_argument("recording", help="COMTRADE .cfg or .cff file")
    an.add_argument("--nominal-voltage", type=float, help="[V] line-to-neutral (L-L in delta)")
    an.add_argument("--nominal-frequency", type=float, choices=(50.0, 60.0), help="[Hz]")
    an.add_argument("--wiring", choices=WIRINGS)
    an.add_argument("--config", help="meter configuration (TOML)")
    an.add_argument("--map", help="channel mapping, e.g. V1=VA,V2=VB,I1=IA")
    an.add_argument("--json", action="store_true", help="print the whole report as JSON")
    an.add_argument("--output", help="write the JSON report to this file")
    an.set_defaults(func=cmd_analyze)

    rd = sub.add_parser("read", help="run the engine headless and print the last readings")
    rd.add_argument("--source", default="sim", help="sim | sim:FILE.toml | comtrade:FILE.cfg")
    rd.add_argument("--seconds", type=float, default=2.0, help="[s] of signal to process")
    rd.add_argument("--config", help="meter configuration (TOML)")
    rd.add_argument("--map", help="channel mapping for comtrade sources")
    rd.add_argument("--json", action="store_true", help="print JSON instead of a table")
    rd.set_defaults(func=cmd_read)
    sc = sub.add_parser("screens", help="list the screen ids")
    sc.set_defaults(func=cmd_screens)

    sh = sub.add_parser("screenshot", help="render screens to PNG without a window")
    sh.add_argument("--screen", help="screen id (see `screens`)")
    sh.add_argument("--out", help="PNG file for --screen")
    sh.add_argument("--all", metavar="DIR", help="write every screen into DIR")
    sh.add_argument("--language", default="en", help="a language code, or all (with --all)")
    sh.add_argument("--scale", type=int, default=2, choices=range(1, 5))
    sh.add_argument("--page", type=int, default=0)
    sh.add_argument("--cursor", type=int, default=0)
    sh.set_defaults(func=cmd_screenshot)
    _add_config_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
