"""``arena run TASK``: run one task with a built-in agent and print the reward(s)."""

from __future__ import annotations

import argparse

from arena.cli.common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, emit_json
from arena.cli.runtime_opts import add_runtime_options, make_executor, make_runtime
from arena.registry import AGENTS, ENGINES

HARNESS_PREFIX = "harness:"


def _agent_name(value: str) -> str:
    """An agent of the registry, or harness:NAME with NAME a built-in harness."""
    if value.startswith(HARNESS_PREFIX):
        from arena.agents.harness import HARNESSES

        if value[len(HARNESS_PREFIX) :] not in HARNESSES:
            raise argparse.ArgumentTypeError(f"unknown harness in {value!r} (choose from "
                                             f"{', '.join(HARNESS_PREFIX + n for n in HARNESSES)})")  # fmt: skip
        return value
    return AGENTS.option()["type"](value)

HELP = """Run one task package: build its environment, run the agent, score it with the verifier.

  --agent oracle   runs oracle/solve.sh (a correct task scores 1.0)
  --agent nop      does nothing (a sound verifier scores it below 1.0)
  --agent harness:NAME --model CHECKPOINT
                   runs an agent harness in the sandbox (NAME: mini-harness, a stdlib tool loop
                   shipped with arena; mini-swe, mini-swe-agent's `mini`; opencode, `opencode run`
                   — the last two installed in the task image, or once on the host with
                   `python -m arena.agents.harness_prefix mini-swe opencode`, a prefix mounted
                   into the sandbox).  Arena serves CHECKPOINT
                   (an `arena train` run folder, a model folder or a hub id; --engine picks the
                   engine) as an OpenAI-compatible endpoint on 127.0.0.1; with --engine openai
                   --base-url URL, an endpoint you run (vllm serve…) is used and --model is the name
                   it serves.  The sandbox's network stays off except one route to a recording
                   proxy in front of that endpoint (local: a Unix socket; docker: a network of the
                   trial's own whose one open door is the proxy), which caps every model call at
                   --max-new-tokens, refuses calls past --max-requests, and records each exchange:
                   the trial folder gets trajectory.json (ATIF; `arena show` prints it).

Exit 0 when every trial finished with status ok, 1 otherwise.

examples:
  arena run environments/examples/cyber-auth-triage
  arena run my-task --agent nop --runtime local --repeat 3 --json
  arena run environments/examples/office-expense-clarify --agent harness:mini-harness --model runs/train-team
  arena run my-task --agent harness:mini-swe --engine openai --base-url http://127.0.0.1:8000/v1 --model Qwen/Qwen3-0.6B
"""


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="run one task with the oracle or nop agent",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("task", metavar="TASK")
    p.add_argument("--agent", default="oracle", type=_agent_name, metavar=AGENTS.option()["metavar"][:-1] + ",harness:NAME}",
                   help="an agent of the registry (the built-in ones or one an installed package adds, entry "
                   "points arena.agents), or harness:NAME (see above; needs --model)")  # fmt: skip
    h = p.add_argument_group("harness agents (--agent harness:NAME)")
    h.add_argument("--model", help="the model the harness drives: a checkpoint (run folder, model folder, hub id) "
                   "or, with --engine openai, the name the endpoint serves")  # fmt: skip
    h.add_argument("--engine", **ENGINES.option(), default="transformers", help="engine serving --model (default transformers)")
    h.add_argument("--base-url", help="an OpenAI-compatible endpoint (with --engine openai)")
    h.add_argument("--max-new-tokens", type=int, default=256, help="the proxy's cap on every model call (default 256)")
    h.add_argument("--max-requests", type=int, default=32, help="model calls per trial before the proxy answers 429 (default 32)")
    p.add_argument("--repeat", type=int, default=1, help="number of trials (samples)")
    p.add_argument("--out", help="run folder for results and logs (default: a temporary one)")
    p.add_argument("--json", action="store_true", help="print the result rows as JSON")
    p.add_argument("--network", action="store_true", help="allow network access even if the task forbids it")
    add_runtime_options(p, workers=True)
    p.set_defaults(func=run)


def run(args) -> int:
    from arena.agents.base import get_agent
    from arena.batch import TrialSpec, run_batch
    from arena.runfolder import RunStore
    from arena.task import load_task

    task, findings = load_task(args.task)
    if task is None:
        for f in findings:
            print(f.render())
        return EXIT_USAGE
    if args.repeat < 1:
        print("arena: --repeat must be >= 1")
        return EXIT_USAGE
    if args.network:
        from arena.task import Task

        env = task.spec.environment.model_copy(update={"allow_internet": True})
        task = Task(task.paths, task.spec.model_copy(update={"environment": env}), task.findings)
    rt = make_runtime(args)
    if rt is None:
        return EXIT_FAIL
    store = RunStore(args.out) if args.out else None
    if args.agent.startswith(HARNESS_PREFIX):
        results = _run_harness(args, task, rt, store)
        if results is None:
            return EXIT_USAGE
    else:
        specs = [TrialSpec(task, get_agent(args.agent), i) for i in range(args.repeat)]
        results = run_batch(specs, rt, store=store, workers=args.workers, executor=make_executor(args),
                            progress=not args.json)
    if args.json:
        emit_json([r.to_row() for r in results])
    else:
        for r in results:
            line = f"{task.id} agent={r.agent} sample={r.sample} status={r.status} reward={r.reward}"
            if r.failure_kind:
                line += f" kind={r.failure_kind}"
            print(line)
            if r.reason:
                print(f"  reason: {r.reason}")
            for n in r.notes:
                print(f"  note: {n}")
            print(f"  logs: {r.log_dir}")
            if (r.side_info or {}).get("transcript"):
                print(f"  transcript: {r.log_dir}/{r.side_info['transcript']}  (arena show {r.log_dir})")
    return EXIT_OK if all(r.status == "ok" for r in results) else EXIT_FAIL


def _run_harness(args, task, rt, store):
    """Serve --model (or use the --base-url endpoint) and run the harness; None on a usage error."""
    import sys

    from arena.agents.harness import HarnessAgent
    from arena.batch import TrialSpec, run_batch
    from arena.endpoint import Endpoint
    from arena.engines import EngineError, get_engine
    from arena.evaluate import EvalError, resolve_checkpoint

    if not args.model:
        print(f"arena: --agent {args.agent} needs --model: a checkpoint to serve, or with --engine openai --base-url URL "
              "the model name that endpoint serves", file=sys.stderr)  # fmt: skip
        return None
    if (args.engine == "openai") != bool(args.base_url):
        print("arena: --base-url goes with --engine openai (an endpoint you run), and --engine openai needs it", file=sys.stderr)
        return None
    name = args.agent[len(HARNESS_PREFIX) :]
    served = None
    try:
        if args.base_url:
            url, model = args.base_url, args.model
        else:
            served = Endpoint(get_engine(args.engine, model=resolve_checkpoint(args.model).model_path), model_name="arena")
            url, model = served.url, "arena"
        agent = HarnessAgent(name, base_url=url, model=model, max_tokens_cap=args.max_new_tokens,
                             max_requests=args.max_requests)  # fmt: skip
        specs = [TrialSpec(task, agent, i) for i in range(args.repeat)]
        return run_batch(specs, rt, store=store, workers=args.workers, executor=make_executor(args), progress=not args.json)
    except (EvalError, EngineError) as exc:
        print(f"arena: {exc}", file=sys.stderr)
        return None
    finally:
        if served is not None:
            served.close()
