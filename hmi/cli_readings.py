"""``analyze`` and ``read``: the engine run headless, its readings printed."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from engine.config import WIRINGS
from engine.errors import InputError
from engine.quantities import QUANTITIES
from hmi.cli_common import PROG, _config, _dump, _parse_mapping

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


def add_recording_options(parser: argparse.ArgumentParser) -> None:
    """The options of every command that analyses a recording (``analyze``, ``report``)."""
    parser.add_argument("recording", help="COMTRADE .cfg or .cff file")
    parser.add_argument("--nominal-voltage", type=float, help="[V] line-to-neutral (L-L in delta)")
    parser.add_argument(
        "--declared-voltage", type=float, metavar="V",
        help="[V] Udin of dips, swells and interruptions (default: nominal)",
    )  # fmt: skip
    parser.add_argument("--nominal-frequency", type=float, choices=(50.0, 60.0), help="[Hz]")
    parser.add_argument("--wiring", choices=WIRINGS)
    parser.add_argument("--config", help="meter configuration (TOML)")
    parser.add_argument("--map", help="channel mapping, e.g. V1=VA,V2=VB,I1=IA")
    parser.add_argument("--lamp", choices=("230V", "120V"), help="flicker reference lamp")
    parser.add_argument(
        "--capture", metavar="DIR", help="write a COMTRADE capture per event into DIR"
    )
    parser.add_argument("--pre-cycles", type=float, metavar="N",
                        help="cycles captured before the event start (default 10)")  # fmt: skip
    parser.add_argument("--post-cycles", type=float, metavar="N",
                        help="cycles captured after the event start (default 20)")  # fmt: skip


def analyse_recording(
    args: argparse.Namespace, three_second: bool = False, keep_windows: bool = False
):
    """Open ``args.recording`` and analyse it with the options of ``add_recording_options``
    (a progress bar on a terminal for recordings over 10 s); returns (source description,
    config, analysis). ``keep_windows``: keep every 10/12-cycle window (for JSON output);
    without, memory stays flat however long the recording."""
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
    for name in ("pre_cycles", "post_cycles"):
        n = getattr(args, name)
        if n is not None and not (math.isfinite(n) and n >= 0):
            raise InputError(f"--{name.replace('_', '-')} must be >= 0, got {n}")
    udin = args.declared_voltage
    if udin is not None and not (math.isfinite(udin) and udin > 0):
        raise InputError(f"--declared-voltage must be > 0 V, got {udin}")
    result = analyse_source(
        source, config, _progress if show else None, seconds, lamp=args.lamp,
        capture_dir=args.capture, pre_cycles=args.pre_cycles, post_cycles=args.post_cycles,
        declared_voltage=udin, three_second=three_second, keep_windows=keep_windows,
    )  # fmt: skip
    note = desc.get("note")
    if note:
        print(f"{PROG}: note: {note}", file=sys.stderr)
    return desc, config, result


def cmd_analyze(args: argparse.Namespace) -> int:
    desc, config, result = analyse_recording(args, keep_windows=bool(args.json or args.output))
    seconds = desc.get("samples", 0) / desc.get("sample_rate", 1.0)
    events = [event.to_json() for event in result.events]
    for record, name in zip(events, result.captures, strict=False):
        if name is not None:
            record["capture"] = name
    ids = result.ids
    document = {
        "source": desc,
        "config": config.to_dict(),
        "summary": result.summary,
        # "10cycle" names the IEC 61000-4-30 10/12-cycle interval: 12 cycles on 60 Hz systems.
        "events": events,
        "flicker": result.flicker,
        "intervals": {
            "10cycle": [
                {
                    "t": t.isoformat(),
                    "flagged": bool(f),
                    **dict(zip(ids, row.tolist(), strict=True)),
                }
                for t, f, row in zip(result.times, result.flagged, result.rows, strict=True)
            ],
            **{
                kind: [{**r, "t": r["t"].isoformat()} for r in records]
                for kind, records in result.aggregates.items()
            },
        },
    }
    if args.output:
        Path(args.output).write_text(_dump(document) + "\n", encoding="utf-8")
    if args.json:
        print(_dump(document))
    else:
        print(f"{args.recording}: {result.n_windows} windows of {config.cycles_per_window} cycles")
        if result.n_windows:
            print(format_table(result.summary))
        else:
            print(f"  nothing to measure: {seconds:.3f} s of signal, shorter than one window")
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
    calibration = None
    if args.source.startswith("serial:"):  # the board's corrections, from the configuration
        from engine.sources.board.calibration import from_settings

        calibration = from_settings(_config(args).board)
    source = open_source(args.source, mapping=_parse_mapping(args.map), calibration=calibration)
    nominal = _nearest_system(getattr(source, "nominal_frequency", None))
    config = _config(args, nominal_frequency=None if args.config else nominal)
    meter = Meter(config)
    try:
        meter.run(source, paced=False, seconds=args.seconds)
    finally:
        source.close()
    snap = meter.snapshot
    values = dict(snap.values)
    link = getattr(source, "link", None)
    if link is not None:  # a board: say what the link lost
        c = link.counters
        print(f"{PROG}: link {c['frames_good']} frames good, {c['frames_bad']} bad, "
              f"{c['frames_lost']} lost in {c['gaps']} gaps, {link.reconnects} reconnects"
              + (f"; unavailable: {', '.join(link.unavailable)}" if link.unavailable else ""),
              file=sys.stderr)  # fmt: skip
    if args.json:
        print(_dump({"t": snap.time.isoformat(), "quantities": values}))
    else:
        print(f"{snap.time.isoformat()}  ({args.source}, {args.seconds:g} s of signal)")
        print(format_table(values))
    return 0
