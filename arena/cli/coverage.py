"""``arena coverage CORPUS...``: tasks per domain per corpus, as a table (Markdown or JSON)."""

from __future__ import annotations

import argparse

from arena.cli.common import EXIT_OK, emit_json

HELP = """Count tasks per domain in each corpus given (a task folder tree, a team entry, a
submissions/ root, the held-out suite...).  Prints a Markdown table (paste it in a README) or,
with --json, {corpus: {domain: count}}.

example:
  arena coverage environments/reference environments/teams/* data/heldout
"""


def add_parser(sub) -> None:
    p = sub.add_parser("coverage", help="tasks per domain per corpus", description=HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("paths", nargs="+", metavar="CORPUS")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args) -> int:
    from arena.corpus import load_tasks
    from arena.validation_tables import coverage_frame

    corpora = {p.rstrip("/"): load_tasks([p])[0] for p in args.paths}
    df = coverage_frame(corpora)
    if args.json:
        emit_json({c: {d: int(v) for d, v in df[c].items()} for c in df.columns})
        return EXIT_OK
    cols = list(df.columns)
    print("| domain | " + " | ".join(cols) + " |")
    print("| --- | " + " | ".join("---:" for _ in cols) + " |")
    for dom, row in df.iterrows():
        print(f"| {dom} | " + " | ".join(str(int(row[c])) for c in cols) + " |")
    print("| **total** | " + " | ".join(str(int(df[c].sum())) for c in cols) + " |")
    return EXIT_OK
