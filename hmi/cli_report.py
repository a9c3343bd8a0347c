"""``report en50160|ieee519 REC.cfg``: a recording's compliance report.

Text on stdout (``--json``: the whole evaluation as JSON instead), ``--html FILE``: a page with
every row, the event tables and the events on the ITIC curve. The recording is analysed as by
``analyze`` (same options), then evaluated by ``engine.compliance``.
"""

from __future__ import annotations

import argparse
import math
import sys
from datetime import datetime
from pathlib import Path

from engine.errors import InputError
from hmi.cli_common import PROG, _dump
from hmi.cli_readings import add_recording_options, analyse_recording

STANDARDS = ("en50160", "ieee519")


def add_report_parser(sub) -> None:
    rp = sub.add_parser("report", help="EN 50160 or IEEE 519 compliance report of a recording")
    rp.add_argument("standard", choices=STANDARDS)
    add_recording_options(rp)
    rp.add_argument("--json", action="store_true", help="print the evaluation as JSON")
    rp.add_argument("--html", metavar="FILE", help="also write an HTML report with an ITIC plot")
    rp.add_argument("--start", metavar="ISO", help="start of the first week/day (e.g. a Monday)")
    en = rp.add_argument_group("EN 50160")
    en.add_argument("--network", choices=("LV", "MV"), help="default: LV up to 1 kV declared")
    en.add_argument("--island", action="store_true", help="an island system (not synchronous)")
    ie = rp.add_argument_group("IEEE 519")
    ie.add_argument(
        "--bus-voltage", type=float, metavar="V",
        help="[V] line-to-line at the PCC (default: from the nominal voltage)",
    )  # fmt: skip
    ie.add_argument(
        "--isc-il", type=float, metavar="R",
        help="ISC/IL at the PCC (default: the strictest row, ISC/IL < 20)",
    )  # fmt: skip
    ie.add_argument(
        "--il", type=float, metavar="A",
        help="[A] maximum demand load current IL (default: the TDD current setting)",
    )  # fmt: skip
    rp.set_defaults(func=cmd_report)


def _start(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"--start: not an ISO-8601 time: {text!r}") from None
    if t.tzinfo is None:
        raise InputError(f"--start needs a time zone (e.g. {text}+00:00 or {text}Z)")
    return t


def _positive(name: str, value: float | None) -> None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise InputError(f"--{name} must be > 0, got {value}")


def cmd_report(args: argparse.Namespace) -> int:
    from engine.compliance import (
        En50160Settings,
        Ieee519Settings,
        evaluate_en50160,
        evaluate_ieee519,
    )
    from engine.reports.html import en50160_html, ieee519_html
    from engine.reports.text import en50160_text, ieee519_text

    start = _start(args.start)
    for name in ("bus_voltage", "isc_il", "il"):
        _positive(name.replace("_", "-"), getattr(args, name))
    desc, config, analysis = analyse_recording(args, three_second=args.standard == "ieee519")
    title = str(args.recording)
    if not analysis.n_windows:
        raise InputError(f"{title}: too short to evaluate (not one whole 10/12-cycle window)")
    notes: list[str] = []
    try:
        if args.standard == "en50160":
            udin = args.declared_voltage or config.nominal_voltage
            settings = En50160Settings(
                udin, config.nominal_frequency, args.network,
                "island" if args.island else "synchronous",
            )  # fmt: skip
            result = evaluate_en50160(
                analysis.aggregates["10min"], settings, frequency_10s=analysis.frequency_10s,
                plt=analysis.flicker.get("plt", []), events=analysis.events, start=start,
            )  # fmt: skip
            text, page = en50160_text(result, title), en50160_html
        else:
            delta = config.wiring == "3W-DELTA"
            bus = args.bus_voltage or config.nominal_voltage * (1.0 if delta else math.sqrt(3))
            if args.isc_il is None:
                notes.append("ISC/IL not given: the strictest row (ISC/IL < 20) is used")
            il = args.il or config.tdd_current
            settings = Ieee519Settings(bus, args.isc_il or 1.0, il)
            result = evaluate_ieee519(
                analysis.three_second or [], analysis.aggregates["10min"], settings, start=start
            )
            text, page = ieee519_text(result, title), ieee519_html
    except ValueError as exc:  # a setting the standard cannot use (e.g. Un above 36 kV)
        raise InputError(f"report {args.standard}: {exc}") from None
    document = result.to_dict() | {"source": desc, "cli_notes": notes}
    if args.html:
        try:
            Path(args.html).write_text(page(result, title, analysis.events), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {args.html}: {exc.strerror or exc}") from None
    if args.json:
        print(_dump(document))
    else:
        print(text)
        for note in notes:
            print(f"  - {note}")
    for note in notes:
        print(f"{PROG}: note: {note}", file=sys.stderr)
    return 0
