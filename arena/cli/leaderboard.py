"""``arena leaderboard RECORDS.jsonl --out DIR``: the static leaderboard page of score records."""

from __future__ import annotations

import argparse
import sys

from arena.cli.common import EXIT_FAIL, EXIT_OK, emit_json, usage_error

HELP = """Render the leaderboard records that `arena score --record` appends into one static,
self-contained page (DIR/index.html: no CDN, works from file://).  The page shows the latest
record per team on the newest board (same baseline, suite and metric), ranked with CI-aware tie
groups (overlapping intervals share a rank such as 2=), sortable by any column and filterable by
team and status; every record is listed below it.

A torn last line (a writer killed mid-record) is reported and ignored; --repair also cuts it from
the file.  Lines that are not records are reported and skipped.

examples:
  arena score runs/polymath runs/bluefence --baseline runs/reference --record board/records.jsonl
  arena leaderboard board/records.jsonl --out board/site      # open board/site/index.html
  arena leaderboard board/records.jsonl --out site --repair --json

exit: 0 page written (a torn last line alone is not an error), 1 corrupt lines found or no
record, 2 usage error
"""


def add_parser(sub) -> None:
    p = sub.add_parser("leaderboard", help="static HTML leaderboard from score records (JSON lines)",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("records", metavar="RECORDS.jsonl")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for index.html")
    p.add_argument("--title", default="PostTrain Arena leaderboard")
    p.add_argument("--repair", action="store_true", help="cut a torn last line from the records file")
    p.add_argument("--json", action="store_true", help="print {page, records, teams, problems} as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from arena.leaderboard import board, read_records, render_leaderboard

    if not Path(args.records).is_file():
        return usage_error(f"no such records file: {args.records} (write one with `arena score --record`)")
    res = read_records(args.records, repair=args.repair)
    page = render_leaderboard(res.records, args.out, title=args.title, problems=res.problems)
    rows, _ = board(res.records)
    corrupt = [p for p in res.problems if "torn last line" not in p]
    if args.json:
        emit_json(
            {"page": str(page), "records": len(res.records), "teams": len(rows), "problems": res.problems}
        )
    else:
        for p in res.problems:
            print(f"arena leaderboard: {p}", file=sys.stderr)
        print(f"{page}: {len(rows)} team(s) from {len(res.records)} record(s)")
    return EXIT_FAIL if corrupt or not res.records else EXIT_OK
