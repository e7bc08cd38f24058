"""``arena check PATH...``: static checks of tasks, team entries, or a submissions/ root."""

from __future__ import annotations

import argparse
import sys

from arena.cli.common import EXIT_FAIL, EXIT_OK, emit_json

HELP = """Static checks (no Docker needed): required files, typed frontmatter, category, prompt,
Dockerfile, symlinks, sizes, oracle/verifier leaks into environment/, team entry bounds.

PATH may be a task package, a team entry (submission.yaml + envs/), a submissions/ root, or any
folder that contains them.  Exit 0 = no errors (warnings allowed), 1 = errors, 2 = usage.

examples:
  arena check environments/examples/
  arena check submissions/ --json | jq '.summary'
  arena check my-task --quiet          # only errors and the summary
"""


def add_parser(sub) -> None:
    p = sub.add_parser(
        "check",
        help="static checks of task packages and team entries",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="print one JSON document {findings, summary}")
    p.add_argument("--quiet", "-q", action="store_true", help="hide warnings and infos")
    p.add_argument("--workers", type=int, default=0, help="processes (0 = auto for large corpora)")
    p.set_defaults(func=run)


def run(args) -> int:
    from arena.corpus import check_paths

    report = check_paths(args.paths, workers=args.workers)
    if args.json:
        emit_json(report.to_dict())
    else:
        print(report.render(quiet=args.quiet), file=sys.stdout)
    return EXIT_FAIL if report.has_errors else EXIT_OK
