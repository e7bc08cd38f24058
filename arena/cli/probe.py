"""``arena probe CHECKPOINT --corpus PATH --out DIR``: the memorization probe of one checkpoint."""

from __future__ import annotations

import argparse
import sys

from arena.cli.common import EXIT_FAIL, EXIT_OK, emit_json, usage_error
from arena.cli.runtime_opts import add_runtime_options, make_executor, make_runtime

HELP = """Does a post-trained checkpoint solve the families it was trained on, or only recall the
tasks it saw?  Evaluate it on three sets and compare the pass rates:

  train    its own training tasks: CORPUS, the corpus it was post-trained on
  fresh    fresh instances of the same families, at the same difficulties, drawn with the
           training split's templates and entity pools but new seeds (what the corpus could
           have held; never one of its prompts).  --per-task N draws N per corpus task; tasks of
           families arena does not know (hand-written) get none and are counted in probe.json.
  heldout  the held-out suite (--suite, default data/heldout): other entity-pool half,
           paraphrased questions, reserved far-transfer families

A checkpoint that memorized passes `train` far more than `fresh` (memorization gap, train −
fresh); `fresh` − `heldout` is the cost of new wording, entities and families.  The table
printed at the end gives per domain the three pass rates and the gaps with bootstrap CIs
(`arena.memorization`).  `arena report ... --probe DIR` puts it in the report (table, figure, and
an award flag when train − held-out is ≥ 30 points while the held-out Δ is null); in a results
folder, probe/<team>/ feeds notebook 05 and the award notebook.

DIR holds probe.json, fresh-suite/ (the generated packages) and the run folders train/, fresh/,
heldout/ (as `arena eval` writes them; re-running the same command resumes).  --skip-heldout
leaves heldout/ out when the team's held-out evaluation exists already: the report takes the
team's scored run, a results folder eval/<team>/.

examples:
  arena probe runs/train-parrot --corpus environments/teams/parrot --out runs/probe-parrot
  arena probe runs/train-polymath --corpus environments/teams/polymath --out runs/probe-polymath \\
      --skip-heldout --per-task 2 --runtime local -j 2
  arena report runs/eval-* --baseline runs/eval-reference --out reports/r1 \\
      --probe parrot=runs/probe-parrot polymath=runs/probe-polymath
"""


def add_parser(sub) -> None:
    p = sub.add_parser("probe", help="memorization probe: own training tasks vs fresh instances vs held-out",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument(
        "checkpoint", metavar="CHECKPOINT", help="a folder made by `arena train`, a model folder or a hub id"
    )
    p.add_argument(
        "--corpus", required=True, metavar="PATH", help="the corpus CHECKPOINT was post-trained on"
    )
    p.add_argument("--out", required=True, metavar="DIR", help="probe folder (created; a rerun resumes)")
    p.add_argument("--suite", help="held-out suite folder (default: data/heldout)")
    p.add_argument(
        "--skip-heldout", action="store_true", help="no heldout/ run (the team's scored run serves)"
    )
    p.add_argument(
        "--team", help="team name recorded in the runs (default: the model card's, else the corpus folder)"
    )
    p.add_argument(
        "--per-task", type=int, default=1, metavar="N", help="fresh instances per corpus task (default 1)"
    )
    p.add_argument("--seed", type=int, default=0, help="fresh-instance seed and generation seed (default 0)")
    p.add_argument("--samples", "-k", type=int, default=1, help="samples per task (default 1)")
    p.add_argument("--temperature", type=float, help="default 0 for 1 sample, 1.0 for more")
    p.add_argument("--max-new-tokens", type=int, default=64)
    p.add_argument("--engine", choices=("transformers", "vllm", "openai"), default="transformers")
    p.add_argument("--base-url", help="OpenAI-compatible endpoint (engine openai)")
    p.add_argument("--resamples", type=int, default=2000, help="bootstrap resamples of the printed table")
    p.add_argument("--json", action="store_true", help="print probe.json and the table as one JSON document")
    add_runtime_options(p)
    p.set_defaults(func=run)


def run(args) -> int:
    if args.samples < 1 or args.per_task < 1:
        return usage_error("--samples and --per-task must be >= 1")
    from arena.engines import EngineError
    from arena.evaluate import EvalError
    from arena.probe import ProbeError, load_probe, run_probe

    rt = make_runtime(args)
    if rt is None:
        return EXIT_FAIL
    try:
        executor = make_executor(args)
    except RuntimeError as exc:
        print(f"arena: {exc}", file=sys.stderr)
        return EXIT_FAIL
    opts = {"base_url": args.base_url} if args.engine == "openai" else {}
    try:
        doc = run_probe(args.checkpoint, args.corpus, args.out, suite=args.suite, heldout=not args.skip_heldout,
                        team=args.team, seed=args.seed, per_task=args.per_task, samples=args.samples, runtime=rt,
                        workers=args.workers, engine=args.engine, engine_options=opts,
                        max_new_tokens=args.max_new_tokens, temperature=args.temperature, progress=not args.json,
                        executor=executor)  # fmt: skip
    except (ProbeError, EvalError, EngineError) as exc:
        print(f"arena: {exc}", file=sys.stderr)
        return EXIT_FAIL
    from arena.memorization import memorization_table

    table = memorization_table(load_probe(args.out), n_resamples=args.resamples, seed=args.seed)
    if args.json:
        emit_json({"probe_dir": str(args.out), **doc, "table": table.to_dict("records")})
        return EXIT_OK
    f = doc["fresh"]
    print(f"{doc['checkpoint']} ({doc['team']}): {f['tasks']} training tasks, {f['fresh']} fresh instances"
          + (f", {sum(f['skipped'].values())} corpus task(s) without a fresh twin" if f["skipped"] else ""))  # fmt: skip
    cols = ["domain", "n_train", "n_fresh", "n_heldout", "pass_train", "pass_fresh", "pass_heldout",
            "memorization_gap", "memorization_gap_low", "memorization_gap_high", "train_heldout_gap"]  # fmt: skip
    print(table[cols].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"  probe: {args.out} (add --probe {doc['team']}={args.out} to `arena report`)")
    return EXIT_OK
