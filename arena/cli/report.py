"""``arena report RUNS... --baseline RUN --out DIR``: every table and figure of the evaluation, the
award tables and the caveats, written to one folder with a README-style ``report.md``."""

from __future__ import annotations

import argparse
import sys

from arena.cli.common import EXIT_FAIL, EXIT_OK, emit_json, usage_error
from arena.cli.score import add_common, check_options

HELP = """Write the evaluation report of team checkpoints against the baseline to DIR:

  DIR/report.md           summary: leaderboard, domain leaders, caveats, figures (open it first)
  DIR/report.json         settings, warnings and every file written
  DIR/tables/NAME.{csv,parquet,json}
      scores, leaderboard, suite, runs          (always)
      transfer, transfer_summary, family, warm_start   (runs with train_domains metadata)
      learnability, learnability_profile        (per task / per domain, of --learnability RUN)
      contamination                             (with --corpus / --heldout)
      memorization                              (with --probe)
      award_ranking, award_domain_leaders, award_families, award_flags, caveats
  DIR/figures/NAME.{png,svg}
      forest (Δ with CIs, tie groups), domain_bars, transfer_heatmap, family_heatmap,
      learnability, contamination (only when at most --max-table-rows rows are flagged),
      memorization (with --probe)

RUNs are run folders (PATH or NAME=PATH) as for `arena score`; the scoring options are the
same and the numbers identical.  Transfer tables need each run's training domains: from its
run.json / model_card.json, or from --transfer-meta FILE (CSV/JSON with columns run,
train_domains[, family, start, control]; `run` is a run's name or folder; it overrides the
folders' metadata).  Transfer Δs are against --baseline.  Contamination compares the training
corpora (--corpus, each named after its team: NAME=PATH or the folder name) with each other and
with the held-out suite (--heldout).  The memorization probe (--probe DIR..., folders made by
`arena probe`, NAME=DIR to name the team) sets each team's pass rate on its own training tasks
against fresh instances of the same families and the held-out suite (a probe folder without a
heldout/ run takes the team's scored run); a large train − held-out gap with a null held-out Δ
becomes a flag.  Same inputs and seed: same tables, same figure bytes.

examples:
  arena report runs/polymath runs/bluefence runs/hasty --baseline runs/reference --out reports/r1
  arena report runs/* --baseline reference --out reports/r2 --transfer-meta runs/meta.csv \\
      --corpus environments/teams/polymath environments/teams/hasty --heldout data/heldout
  arena report a=runs/a b=runs/b --baseline runs/ref --out /tmp/r --resamples 2000 --json

exit: 0 written, 1 runs unusable together, 2 usage error
"""

def add_parser(sub) -> None:
    p = sub.add_parser("report", help="tables + figures + award report of an evaluation, to a folder",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    add_common(p)
    p.add_argument(
        "--out", required=True, metavar="DIR", help="folder to write (created; files are overwritten)"
    )
    p.add_argument(
        "--transfer-meta", metavar="FILE", help="table run, train_domains[, family, start, control]"
    )
    p.add_argument("--corpus", nargs="+", action="extend", default=[], metavar="PATH",
                   help="team training corpora for the contamination guard (NAME=PATH or PATH)")  # fmt: skip
    p.add_argument("--heldout", metavar="PATH", help="the held-out suite's task folder, e.g. data/heldout")
    p.add_argument("--learnability", metavar="RUN", help="run folder whose per-task pass rates to profile "
                   "(default: the baseline; e.g. base-model samples on a training corpus)")  # fmt: skip
    p.add_argument("--band", nargs=2, type=float, default=(0.0, 1.0), metavar=("LOW", "HIGH"),
                   help="useful pass-rate band, open interval (default 0 1: every task neither always failed "
                   "nor always solved)")  # fmt: skip
    p.add_argument("--probe", nargs="+", action="extend", default=[], metavar="DIR",
                   help="memorization probe folders made by `arena probe` (NAME=DIR or DIR)")  # fmt: skip
    p.add_argument(
        "--flags", metavar="FILE", help="validation flags per team: CSV/JSON with team, flag[, count, detail]"
    )
    p.add_argument(
        "--max-table-rows",
        type=int,
        default=25,
        help="contamination figure only up to this many flagged rows",
    )
    p.add_argument(
        "--json", action="store_true", help="print the manifest (report.json) instead of a summary"
    )
    p.set_defaults(func=run)


def run(args) -> int:
    problem = check_options(args)
    if not problem and not args.band[0] < args.band[1]:
        problem = f"--band LOW HIGH needs LOW < HIGH (got {args.band[0]} {args.band[1]})"
    if not problem and args.max_table_rows < 1:
        problem = f"--max-table-rows must be at least 1 (got {args.max_table_rows})"
    if problem:
        return usage_error(problem)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("arena: `arena report` draws figures with matplotlib, which is not installed: "
              "pip install 'arena[notebooks]' (or pip install matplotlib)", file=sys.stderr)  # fmt: skip
        return EXIT_FAIL
    from arena.report import ReportError, ReportOptions, build_report

    try:
        result = build_report(ReportOptions.from_namespace(args))
    except ReportError as exc:
        if exc.usage:
            return usage_error(str(exc))
        print(f"arena: {exc}", file=sys.stderr)
        return EXIT_FAIL
    if args.json:
        emit_json(result.manifest)
        return EXIT_OK
    for line in result.summary_lines(args.out):
        print(line)
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    return EXIT_OK
