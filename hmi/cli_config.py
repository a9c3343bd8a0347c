"""``config show | validate | export | import``: the configuration file from the shell."""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.config import load_config
from engine.errors import InputError


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
