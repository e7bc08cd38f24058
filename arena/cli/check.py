"""``arena check PATH...``: static checks of tasks, team entries, or a submissions/ root."""

from __future__ import annotations

import argparse
import sys

from arena.cli.common import EXIT_FAIL, EXIT_OK, emit_json

HELP = """Static checks (no Docker needed): required files, typed frontmatter, category, prompt,
Dockerfile, symlinks, sizes, oracle/verifier leaks into environment/, team entry bounds.

PATH may be a task package, a team entry (submission.yaml + envs/), a submissions/ root, or any
folder that contains them.  Exit 0 = no errors (warnings allowed), 1 = errors, 2 = usage.

arena's severities are its own: a missing verifier/test_outputs.py, verifier/verifier.md or
verifier/rubrics/*.md is a warning here but fails the organizers' CI, while a category that names
no domain is an error here and passes theirs.  The last line says whether the organizers' CI
(scripts/check_task.py / check_submission.py give its exit code) would accept what was checked.

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
    from arena import organizer_ci
    from arena.corpus import check_paths

    report = check_paths(args.paths, workers=args.workers)
    verdict = organizer_ci.check_any(args.paths)
    if args.json:
        doc = report.to_dict()
        if verdict.found:
            doc["organizers_ci"] = verdict.to_dict()
        emit_json(doc)
    else:
        print(report.render(quiet=args.quiet), file=sys.stdout)
        if verdict.found:
            print(organizer_line(verdict))
    return EXIT_FAIL if report.has_errors else EXIT_OK


def organizer_line(verdict, shown: int = 5) -> str:
    """One paragraph: would the organizers' CI accept these paths, and if not, why (first issues)."""
    if verdict.accepted:
        return f"organizers' CI: would accept ({len(verdict.issues)} checked)"
    rejected = verdict.rejected
    lines = [f"organizers' CI: would REJECT {len(rejected)} of {len(verdict.issues)} checked "
             "(scripts/check_task.py / check_submission.py exit 1):"]  # fmt: skip
    for path in rejected[:shown]:
        issues = verdict.issues[path]
        more = f" (+{len(issues) - 2} more)" if len(issues) > 2 else ""
        lines.append(f"  {path}: {'; '.join(issues[:2])}{more}")
    if len(rejected) > shown:
        lines.append(f"  … and {len(rejected) - shown} more")
    return "\n".join(lines)
