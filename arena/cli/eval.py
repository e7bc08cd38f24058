"""``arena eval CHECKPOINT``: run a checkpoint on a suite through real sandboxed trials."""

from __future__ import annotations

import argparse
import sys

from arena.cli.common import EXIT_FAIL, EXIT_OK, emit_json
from arena.cli.runtime_opts import add_runtime_options, default_run_dir, make_executor, make_runtime
from arena.registry import ENGINES

HELP = """Evaluate a checkpoint: K samples per task on every task of a suite, each scored by the
task's own verifier in a sandbox.  CHECKPOINT is a folder made by `arena train`, a model folder,
or a hub id (loaded offline).  The suite defaults to the bundled held-out suite (data/heldout);
point --suite at a private one.  Output: a run folder (trials.parquet + logs + run.json);
re-running the same command resumes.  Infrastructure failures are retried (--retries) and
reported apart from the model's own failures.  Answer mode generates every completion in
this process, then fans the verifier trials out: on the local pool (default) or on a Ray cluster
(--executor ray [--address HOST:PORT]; without --address a local one bound to 127.0.0.1).

examples:
  arena eval runs/train-reference --out runs/eval-reference
  arena eval runs/train-team --suite /private/suite --samples 4 --temperature 1.0
  arena eval runs/train-team --executor ray --address 10.0.0.5:6379 -j 64
  arena eval my-model --engine openai --base-url http://127.0.0.1:8000/v1 --out runs/eval-api
"""


def add_parser(sub) -> None:
    p = sub.add_parser("eval", help="evaluate a checkpoint on a suite (held-out by default)",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("checkpoint", metavar="CHECKPOINT")
    p.add_argument("--suite", help="suite folder (default: data/heldout)")
    p.add_argument("--samples", "-k", type=int, default=1, help="samples per task (default 1)")
    p.add_argument("--out", help="run folder (default runs/eval-<time>)")
    p.add_argument("--team", help="team name recorded in run.json (default: from the model card)")
    p.add_argument("--temperature", type=float, help="default 0 for 1 sample, 1.0 for more")
    p.add_argument("--max-new-tokens", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--mode", choices=("answer", "tools", "harness:mini-harness", "harness:mini-swe", "harness:opencode"),
                   default="answer", help="answer (one completion), tools (arena's bash-tool loop) or harness:NAME (an "
                   "external agent harness in the sandbox, driving the model through arena's endpoint and proxy)")  # fmt: skip
    p.add_argument("--engine", **ENGINES.option(), default="transformers")
    p.add_argument("--base-url", help="OpenAI-compatible endpoint (engine openai)")
    p.add_argument("--retries", type=int, default=2, help="rounds of re-running infrastructure failures")
    p.add_argument("--json", action="store_true")
    add_runtime_options(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from arena.engines import EngineError
    from arena.evaluate import EvalError, evaluate

    if args.samples < 1:
        print("arena: --samples must be >= 1", file=sys.stderr)
        return 2
    rt = make_runtime(args)
    if rt is None:
        return EXIT_FAIL
    try:
        executor = make_executor(args)
    except RuntimeError as exc:  # e.g. --executor ray without Ray installed
        print(f"arena: {exc}", file=sys.stderr)
        return EXIT_FAIL
    out = args.out or default_run_dir("eval")
    opts = {"base_url": args.base_url} if args.engine == "openai" else {}
    try:
        meta = evaluate(args.checkpoint, suite=args.suite, out=out, samples=args.samples, runtime=rt,
                        workers=args.workers, seed=args.seed, temperature=args.temperature,
                        max_new_tokens=args.max_new_tokens, engine=args.engine, engine_options=opts,
                        mode=args.mode, retries=args.retries, progress=not args.json, team=args.team,
                        executor=executor)  # fmt: skip
    except (EvalError, EngineError) as exc:
        print(f"arena: {exc}", file=sys.stderr)
        return EXIT_FAIL
    s = meta["summary"]
    if args.json:
        emit_json({"run_dir": str(out), **meta})
    else:
        print(f"{meta['checkpoint']} on {meta['suite']} ({meta['tasks']} tasks x {meta['samples']} samples)")
        print(f"  pass rate {s['pass_rate']}  mean reward {s['mean_reward']}  ({s['counted']}/{s['trials']} trials counted)")
        for d, v in s["pass_rate_by_domain"].items():
            print(f"    {d:<24} {v:.3f}")
        if s.get("agent_failures"):
            print("  counted as the agent's failure: " + ", ".join(f"{n} {k}" for k, n in s["agent_failures"].items()))
        if s["infra_errors"] or s["verifier_errors"]:
            print(f"  not counted: {s['infra_errors']} infrastructure error(s), {s['verifier_errors']} verifier error(s)"
                  " — see trials.parquet (status, reason)")  # fmt: skip
        print(f"  results: {out}")
    return EXIT_OK if s["counted"] else EXIT_FAIL
