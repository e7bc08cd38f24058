"""``arena``: the command line.  One module per command group, each with ``add_parser(sub)``.

Conventions shared by every command: human text by default, one JSON document with ``--json``;
exit 0 = fine, 1 = findings/failures, 2 = usage error.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: command modules under arena.cli (each light to import: heavy imports go inside handlers)
COMMANDS = ("check", "run", "validate", "base", "generate", "domains", "coverage", "notebooks", "janitor", "model", "train", "eval", "probe", "score", "report", "showcase",
            "export", "imports", "leaderboard", "catalog")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="arena",
        description="PostTrain Arena workbench: check and run task packages, train, evaluate, analyse.",
        epilog="Run `arena COMMAND --help` for the options of one command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from arena import __version__

    p.add_argument("--version", action="version", version=f"arena {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            mod = importlib.import_module(f"arena.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"arena.cli.{name}":
                continue  # command not built yet
            raise
        mod.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from arena.results import RunStoreError

    try:
        return int(args.func(args) or 0)
    except RunStoreError as exc:  # a run folder in use by another process, or its disk full
        print(f"arena: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `arena … | head`: the reader left; not an error of ours
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
