"""``arena validate PATH...``: the dynamic ladder (oracle 1.0 on 3/3, nop < 1.0, verifier in time)."""

from __future__ import annotations

import argparse
import sys

from arena.cli.common import EXIT_FAIL, EXIT_OK, emit_json
from arena.cli.runtime_opts import add_runtime_options, default_run_dir, make_executor, make_runtime

HELP = """Run every task for real: the oracle 3 times (must score 1.0 each time), the nop agent
once (must score < 1.0), and check the verifier finishes within its timeout.  Static checks run
first; a task with static errors is not run.  Findings name the cause read from the logs
(e.g. `pytest` missing in the image, a module the oracle imports).

Results go to a run folder (trials.parquet + per-trial logs); re-running with the same --out
resumes and skips finished trials.

examples:
  arena validate environments/examples/ --runtime docker -j 2
  arena validate submissions/team-x --out runs/validate-team-x --json
"""


def add_parser(sub) -> None:
    p = sub.add_parser("validate", help="run oracle/nop trials per task and judge them",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--out", help="run folder (default runs/validate-<time>)")
    p.add_argument("--oracle-runs", type=int, default=3)
    p.add_argument("--json", action="store_true")
    p.add_argument("--quiet", "-q", action="store_true", help="only errors and the summary")
    add_runtime_options(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from arena.validate import rewards_text, validate_paths

    rt = make_runtime(args)
    if rt is None:
        return EXIT_FAIL
    out = args.out or default_run_dir("validate")
    rep = validate_paths(args.paths, runtime=rt, workers=args.workers, out_dir=out, executor=make_executor(args),
                         oracle_runs=args.oracle_runs, progress=not args.json)  # fmt: skip
    if args.json:
        doc = rep.to_dict()
        doc["run_dir"] = str(out)
        emit_json(doc)
    else:
        by_task: dict[str, list] = {}
        for f in rep.findings:
            by_task.setdefault(f.path.split("/task.md")[0], []).append(f)
        for row in rep.rows:
            mark = "✓" if row["passed"] else "✗"
            nop = row.get("nop_reward")
            extra = row.get("skipped") or (f"oracle={rewards_text(row.get('oracle_rewards') or [])} "
                                           f"nop={'no reward' if nop is None else f'{nop:g}'}")  # fmt: skip
            print(f"{mark} {row['task_id']} ({row.get('domain') or 'no domain'}) {extra}")
        shown = [f for f in rep.findings if not args.quiet or f.severity == "error"]
        if shown:
            print("\nfindings:")
            for f in shown:
                print(f.render())
        s = rep.to_dict()["summary"]
        print(f"\n{s['tasks_passed']}/{s['tasks']} task(s) passed; {s['errors']} error(s), "
              f"{s['warnings']} warning(s); results in {out}", file=sys.stdout)  # fmt: skip
    return EXIT_FAIL if rep.has_errors else EXIT_OK
