"""The ``ion7400-hmi`` command: the emulator window, and headless ``analyze`` / ``read``.

    ion7400-hmi [--source SPEC] [--config FILE] [--scale N] [--language L]   the window
    ion7400-hmi screens                                            list the screen ids
    ion7400-hmi screenshot --screen ID --out FILE.png | --all DIR  render screens headless
    ion7400-hmi analyze REC.cfg [--json] [--output FILE] ...       analyse a COMTRADE recording
    ion7400-hmi read [--source SPEC] [--seconds N] [--json]        run the engine, print readings
    ion7400-hmi config show | validate FILE | export FILE | import FILE   the configuration file
    ion7400-hmi board-sim --pty | --port PORT [...]                a simulated acquisition board
    ion7400-hmi board calibrate --port PORT --reference-v V --reference-i A   board corrections
    ion7400-hmi events export [--csv FILE] | logs list | logs export RECORDER [--csv FILE]

Bad input (a missing or malformed file, an invalid setting) ends with status 2 and one line on
stderr naming the file, the line and the problem; no traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.errors import InputError
from hmi.cli_board import add_board_parsers
from hmi.cli_common import PROG, _config
from hmi.cli_config import _add_config_parser
from hmi.cli_logs import add_logs_parsers
from hmi.cli_readings import add_recording_options, cmd_analyze, cmd_read
from hmi.cli_report import add_report_parser

SOURCE_HELP = "sim | sim:FILE.toml | comtrade:FILE.cfg | serial:PORT[?profile=ion|daqopen&baud=N]"


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
    from engine.config import default_data_dir

    data = Path(args.data_dir) if args.data_dir else default_data_dir()
    return run_window(
        args.source, config=config, scale=args.scale, language=args.language, config_path=path,
        data_dir=data,
    )  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="PowerLogic ION7400 front-panel emulator and measurement engine."
    )
    parser.add_argument("--source", default="sim", help=SOURCE_HELP)
    parser.add_argument("--config", help="meter configuration (TOML)")
    parser.add_argument("--scale", type=int, default=2, choices=range(1, 5), help="TFT zoom")
    parser.add_argument("--language", help="display language (default: the configuration's)")
    parser.add_argument(
        "--data-dir", help="where captures and the database are kept (default: the user's data dir)"
    )
    parser.set_defaults(func=cmd_window)
    sub = parser.add_subparsers(dest="command")

    an = sub.add_parser("analyze", help="analyse a COMTRADE recording, print the readings")
    add_recording_options(an)
    an.add_argument("--json", action="store_true", help="print the whole report as JSON")
    an.add_argument("--output", help="write the JSON report to this file")
    an.set_defaults(func=cmd_analyze)

    rd = sub.add_parser("read", help="run the engine headless and print the last readings")
    rd.add_argument("--source", default="sim", help=SOURCE_HELP)
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
    add_report_parser(sub)
    _add_config_parser(sub)
    add_board_parsers(sub)
    add_logs_parsers(sub)
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
