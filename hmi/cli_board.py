"""``board-sim`` (a simulated acquisition board on a pty or a serial port) and ``board
calibrate`` (measure a known reference through the board, write the corrections)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import threading

from engine.errors import InputError
from hmi.cli_common import PROG

FAULTS_HELP = "comma-separated: bitflip,drop-bytes,drop-frames,stall,disconnect"


def _faults(args: argparse.Namespace):
    from engine.sources.board.simulator import Faults

    kinds = tuple(k.strip() for k in args.faults.split(",") if k.strip()) if args.faults else ()
    rate = args.fault_rate
    if kinds and rate == 0.0:
        rate = 0.01
    try:
        return Faults(rate=rate, kinds=kinds, seed=args.seed)
    except ValueError as exc:
        raise InputError(f"board-sim: {exc}") from None


def cmd_board_sim(args: argparse.Namespace) -> int:
    from engine.sources.board.sim_transport import PortTransport, PtyTransport, serve
    from engine.sources.board.simulator import BoardSimulator
    from engine.sources.scenario import DEFAULT_SCENARIO, load_scenario

    if bool(args.pty) == bool(args.port):
        raise InputError("board-sim: give either --pty or --port PORT")
    if args.speed is not None and not args.speed > 0:
        raise InputError(f"--speed must be > 0, got {args.speed}")
    scenario = load_scenario(args.scenario) if args.scenario else DEFAULT_SCENARIO
    if args.rate is not None:  # [Hz] a whole number of samples per nominal cycle
        spc = args.rate / scenario.frequency.nominal
        if not (spc > 0 and abs(spc - round(spc)) < 1e-9):
            raise InputError(
                f"--rate {args.rate:g} Hz is not a whole number of samples per "
                f"{scenario.frequency.nominal:g} Hz cycle"
            )
        args.spc = round(spc)
    if args.spc is not None:
        lo, hi = 16, 1024
        if not lo <= args.spc <= hi:
            raise InputError(f"--spc must be {lo}..{hi} samples per cycle, got {args.spc}")
        scenario = dataclasses.replace(scenario, samples_per_cycle=args.spc)
    try:
        board = BoardSimulator(scenario, fmt=args.format, faults=_faults(args))
    except ValueError as exc:
        raise InputError(f"board-sim: {exc}") from None
    if args.pty:
        transport = PtyTransport(args.link)
    else:
        try:
            transport = PortTransport(args.port, args.baud)
        except OSError as exc:
            raise InputError(f"cannot open serial port {args.port}: {exc}") from None
    rate = board.sample_rate
    print(f"{PROG} board-sim: {rate:g} Hz ({scenario.samples_per_cycle} samples/cycle) x 8 "
          f"channels, {args.format}; connect to {transport.path}", flush=True)  # fmt: skip
    print(f"  e.g. {PROG} read --source serial:{transport.path}", flush=True)
    stop = threading.Event()
    try:
        serve(board, transport, speed=args.speed, stop=stop, seconds=args.seconds)
    except KeyboardInterrupt:
        stop.set()
    finally:
        transport.remove()
    s = board.stats
    faults = ", ".join(f"{k} {n}" for k, n in sorted(s.faults.items())) or "none"
    print(f"{PROG} board-sim: {s.frames} frames, faults injected: {faults}", file=sys.stderr)
    return 0


def cmd_board_calibrate(args: argparse.Namespace) -> int:
    from engine.config import default_config_path, load_or_default, save_config, validate
    from engine.sources.board.calibration import CHANNELS, calibrate_from_source
    from engine.sources.board.link import parse_serial_spec
    from engine.sources.serial_board import SerialSource

    for name in ("reference_v", "reference_i", "seconds"):
        value = getattr(args, name)
        if not value > 0:
            raise InputError(f"--{name.replace('_', '-')} must be > 0, got {value}")
    spec = parse_serial_spec(args.port)
    path = args.config or default_config_path()
    config = load_or_default(path)
    with SerialSource(spec) as source:
        try:
            cal, wired = calibrate_from_source(
                source, args.reference_v, args.reference_i, args.seconds, config.nominal_frequency
            )
        except ValueError as exc:
            raise InputError(f"board calibrate: {exc}") from None
    try:
        fresh = cal.to_settings()
        kept = {  # channels not wired to the reference keep their earlier corrections
            f.name: getattr(fresh if wired[CHANNELS.index(f.name[:2].upper())] else config.board,
                            f.name)
            for f in dataclasses.fields(fresh)
        }  # fmt: skip
        new = validate(dataclasses.replace(config, board=type(fresh)(**kept)))
    except ValueError as exc:  # e.g. a gain outside 0.5..2: wrong reference or wiring
        raise InputError(f"board calibrate: the corrections are out of range: {exc}") from None
    print(f"{'channel':<8} {'gain':>10} {'offset':>10} {'phase deg':>10}")
    for k, ch in enumerate(CHANNELS):
        if wired[k]:
            print(f"{ch:<8} {cal.gain[k]:>10.6f} {cal.offset[k]:>10.4f} {cal.phase[k]:>10.4f}")
        else:
            print(f"{ch:<8} {'not wired to the reference: left as it was':>32}")
    if args.dry_run:
        print("(dry run: nothing written)")
        return 0
    save_config(new, path)
    print(f"written to {path} [board]")
    return 0


def add_board_parsers(sub) -> None:
    sim = sub.add_parser("board-sim", help="a simulated ADC/I/O board on a pty or serial port")
    where = sim.add_mutually_exclusive_group()
    where.add_argument("--pty", action="store_true", help="make a pseudo-terminal, print its path")
    where.add_argument("--port", help="stream on this serial port instead")
    sim.add_argument("--link", help="with --pty: the path to create (default: a temporary one)")
    sim.add_argument("--baud", type=int, default=921600, help="with --port")
    sim.add_argument("--scenario", help="simulated inputs (TOML, see docs/simulated-inputs.md)")
    sim.add_argument("--spc", type=int, default=512, help="samples per cycle (16..1024)")
    sim.add_argument("--rate", type=float, help="[Hz] sample rate instead of --spc")
    sim.add_argument("--format", choices=("int16", "int24", "float32"), default="int16")
    sim.add_argument("--speed", type=float, default=1.0, help="signal seconds per wall second")
    sim.add_argument("--fault-rate", type=float, default=0.0, help="faulted fraction of frames")
    sim.add_argument("--faults", help=FAULTS_HELP)
    sim.add_argument("--seed", type=int, default=1, help="seed of the fault draws")
    sim.add_argument("--seconds", type=float, help="stop after this many wall seconds")
    sim.set_defaults(func=cmd_board_sim)

    board = sub.add_parser("board", help="the acquisition board: calibrate")
    bsub = board.add_subparsers(dest="board_command", required=True)
    cal = bsub.add_parser("calibrate", help="measure a known reference, write the corrections")
    cal.add_argument("--port", required=True, help="PORT[?profile=...&baud=...]")
    cal.add_argument("--reference-v", type=float, required=True, help="[V rms] on V1..V4")
    cal.add_argument("--reference-i", type=float, required=True, help="[A rms] on I1..I4")
    cal.add_argument("--seconds", type=float, default=2.0, help="[s] of reference to measure")
    cal.add_argument("--config", help="configuration file to write (default: the user's)")
    cal.add_argument("--dry-run", action="store_true", help="print, do not write")
    cal.set_defaults(func=cmd_board_calibrate)
