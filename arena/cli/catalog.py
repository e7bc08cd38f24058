"""``arena catalog CORPUS... --out DIR``: a static, searchable HTML catalog of task packages."""

from __future__ import annotations

import argparse

from arena.cli.common import EXIT_OK, emit_json, usage_error

HELP = """Render a static, self-contained catalog of the environments (DIR/index.html, no CDN):
one row per task (domain, difficulty, tags, family, arena check status), sortable, searchable and
filterable by domain, difficulty and corpus, each linking to a page with the task's facts and its
prompt rendered as HTML.

Optional columns:
  --validate RUN         validation status from an `arena validate` run folder (oracle passes every
                         run, nop fails) or a validate.json (`arena validate --json` output)
  --learnability RUN     pass rate per task from a run folder of sampled trials (or a table with
                         task_id,value) and whether it lies inside --band LOW HIGH
  --contamination TABLE  flags from a contamination table (task_id, flagged, reason), e.g. the
                         tables/contamination.csv that `arena report` writes

examples:
  arena catalog environments/reference environments/examples --out site/catalog
  arena catalog environments/teams/* --out site/teams --validate runs/validate-teams
  arena catalog environments/reference --out site/ref --learnability runs/baseline-ref --band 0.1 0.9 \\
      --contamination reports/tables/contamination.csv

exit: 0 catalog written, 2 usage error (missing folder or file)
"""


def add_parser(sub) -> None:
    p = sub.add_parser("catalog", help="static searchable HTML catalog of task packages",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("paths", nargs="+", metavar="CORPUS")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--title", default="Task catalog")
    p.add_argument("--validate", metavar="RUN", help="validate run folder or validate.json")
    p.add_argument(
        "--learnability", metavar="RUN", help="run folder of sampled trials, or a task_id,value table"
    )
    p.add_argument("--band", nargs=2, type=float, default=(0.0, 1.0), metavar=("LOW", "HIGH"),
                   help="learnable band of pass rates (default 0 1: never/always passing are outside)")  # fmt: skip
    p.add_argument("--contamination", metavar="TABLE", help="contamination table (csv/parquet/json)")
    p.add_argument("--json", action="store_true", help="print {index, tasks} as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from arena.catalog import build_catalog

    given = [*args.paths, *(x for x in (args.validate, args.learnability, args.contamination) if x)]
    missing = [p for p in given if not Path(p).exists()]
    if missing:
        return usage_error(f"no such file or folder: {', '.join(missing)}")
    if not args.band[0] < args.band[1]:
        return usage_error(f"--band LOW HIGH needs LOW < HIGH (got {args.band[0]} {args.band[1]})")
    index, n = build_catalog(args.paths, args.out, validate=args.validate, learnability=args.learnability,
                             band=tuple(args.band), contamination=args.contamination, title=args.title)  # fmt: skip
    if args.json:
        emit_json({"index": str(index), "tasks": n})
    else:
        print(f"{index}: {n} task(s); open it in a browser (works from file://)")
    return EXIT_OK
