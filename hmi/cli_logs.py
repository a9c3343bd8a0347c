"""``ion7400-hmi events export`` and ``ion7400-hmi logs list | export``: the storage database as
CSV (docs/storage.md).

    ion7400-hmi events export [--csv FILE] [--data-dir DIR]
    ion7400-hmi logs list [--data-dir DIR]
    ion7400-hmi logs export RECORDER [--csv FILE] [--data-dir DIR]
    ion7400-hmi logs trend RECORDER CHANNEL [--data-dir DIR]

Times are ISO 8601 UTC to the millisecond; values are in the unit of their quantity id, empty
where nothing was measured. Without ``--csv`` the CSV goes to stdout. The database is only
read: an export never changes, repairs or sets aside the file.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from engine.errors import InputError

DATA_DIR_HELP = "the data directory (default: $ION7400_DATA_DIR or ~/.local/share/ion7400-hmi)"


def _iso(t) -> str:
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@contextlib.contextmanager
def _database(args: argparse.Namespace) -> Iterator[sqlite3.Connection]:
    from engine.config_file import default_data_dir
    from engine.storage.database import DB_NAME

    path = (Path(args.data_dir) if args.data_dir else default_data_dir()) / DB_NAME
    if not path.is_file():
        raise InputError("no database here (the emulator creates it when it runs)", path)
    try:
        conn = sqlite3.connect(path, timeout=2.0)
        conn.execute("SELECT COUNT(*) FROM meta").fetchone()
    except sqlite3.Error as exc:
        raise InputError(f"not a readable ion7400-hmi database ({exc})", path) from None
    try:
        yield conn
    except sqlite3.Error as exc:
        raise InputError(f"reading failed ({exc})", path) from None
    finally:
        conn.close()


@contextlib.contextmanager
def _output(name: str | None) -> Iterator[TextIO]:
    if not name:
        yield sys.stdout
        return
    try:
        f = open(name, "w", newline="", encoding="utf-8")  # closed by the with below
    except OSError as exc:
        raise InputError(f"cannot write ({exc.strerror or exc})", name) from None
    with f:
        yield f


def _value(v: float | None) -> str:
    return "" if v is None else repr(float(v))


def cmd_events_export(args: argparse.Namespace) -> int:
    from engine.storage.event_log import iter_events

    with _database(args) as conn, _output(args.csv) as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["time", "kind", "what", "old", "new"])
        for e in iter_events(conn):
            w.writerow([_iso(e.time), e.kind, e.what, e.old or "", e.new or ""])
    return 0


def cmd_logs_list(args: argparse.Namespace) -> int:
    from engine.storage.recorder_store import list_recorders

    with _database(args) as conn:
        for r in list_recorders(conn):
            d = r.definition
            trig = "" if d.trigger is None else f", triggered by {d.trigger.quantity}"
            print(f"{d.name:<16} every {d.interval:g} s{trig}: {', '.join(d.channels)}")
    return 0


def cmd_logs_export(args: argparse.Namespace) -> int:
    from engine.storage.recorder_store import find_recorder, iter_samples

    with _database(args) as conn:
        rec = find_recorder(conn, args.recorder)  # InputError naming the recorders there are
        with _output(args.csv) as out:
            w = csv.writer(out, lineterminator="\n")
            w.writerow(["time", "partial", *rec.definition.channels])
            for t, partial, values in iter_samples(conn, rec):
                w.writerow([_iso(t), int(partial), *map(_value, values)])
    return 0


def cmd_logs_trend(args: argparse.Namespace) -> int:
    """Hourly (last 24 h), daily (last month), weekly and monthly statistics of one channel,
    and its forecast for the next 4 hours and 4 days (engine.storage.trend)."""
    from datetime import UTC, datetime

    from engine.storage.trend import channel_history, forecast_days, forecast_hours, period_stats

    with _database(args) as conn:
        try:
            times, values = channel_history(conn, args.recorder, args.channel)
        except KeyError as exc:
            raise InputError(str(exc.args[0])) from None
    if not len(times):
        raise InputError(f"recorder {args.recorder} has no {args.channel} values yet")
    now = datetime.now(UTC)
    keep = {"hour": 24, "day": 31, "week": 8, "month": 12}
    print(f"{args.recorder} {args.channel}: average, minimum, maximum, standard deviation")
    for period, count in keep.items():
        print(f"by {period} (the last {count}):")
        for st in period_stats(times, values, period)[-count:]:
            print(f"  {_iso(st.start)}  {st.average:12.6g} {st.minimum:12.6g} "
                  f"{st.maximum:12.6g} {st.std:12.6g}")  # fmt: skip
    for name, found in (("next 4 hours", forecast_hours(times, values, now)),
                        ("next 4 days", forecast_days(times, values, now))):  # fmt: skip
        print(f"forecast, {name} (average, minimum, maximum, from how many past periods):")
        for f in found:
            print(f"  {_iso(f.start)}  {f.average:12.6g} {f.minimum:12.6g} "
                  f"{f.maximum:12.6g} {f.basis:4d}")  # fmt: skip
    return 0


def add_logs_parsers(sub) -> None:
    """``events`` and ``logs`` subcommands of the main parser."""
    ev = sub.add_parser("events", help="the event log").add_subparsers(
        dest="events_command", required=True
    )
    ex = ev.add_parser("export", help="every event as CSV, oldest first")
    ex.add_argument("--csv", metavar="FILE", help="write here instead of stdout")
    ex.add_argument("--data-dir", help=DATA_DIR_HELP)
    ex.set_defaults(func=cmd_events_export)
    lg = sub.add_parser("logs", help="the data recorders").add_subparsers(
        dest="logs_command", required=True
    )
    ls = lg.add_parser("list", help="the recorders, their intervals and quantities")
    ls.add_argument("--data-dir", help=DATA_DIR_HELP)
    ls.set_defaults(func=cmd_logs_list)
    le = lg.add_parser("export", help="one recorder's rows as CSV, oldest first")
    le.add_argument("recorder", metavar="RECORDER", help="a recorder name (see `logs list`)")
    le.add_argument("--csv", metavar="FILE", help="write here instead of stdout")
    le.add_argument("--data-dir", help=DATA_DIR_HELP)
    le.set_defaults(func=cmd_logs_export)
    lt = lg.add_parser("trend", help="a channel's statistics by hour/day/week/month, forecast")
    lt.add_argument("recorder", metavar="RECORDER", help="a recorder name (see `logs list`)")
    lt.add_argument("channel", metavar="CHANNEL", help="one of its channels, e.g. P_TOT")
    lt.add_argument("--data-dir", help=DATA_DIR_HELP)
    lt.set_defaults(func=cmd_logs_trend)
