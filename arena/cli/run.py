"""``arena run TASK``: run one task with a built-in agent and print the reward(s)."""

from __future__ import annotations

import argparse

from arena.cli.common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, emit_json
from arena.cli.runtime_opts import add_runtime_options, make_executor, make_runtime
from arena.registry import AGENTS

HELP = """Run one task package: build its environment, run the agent, score it with the verifier.

  --agent oracle   runs oracle/solve.sh (a correct task scores 1.0)
  --agent nop      does nothing (a sound verifier scores it below 1.0)

Exit 0 when every trial finished with status ok, 1 otherwise.

examples:
  arena run environments/examples/cyber-auth-triage
  arena run my-task --agent nop --runtime local --repeat 3 --json
"""


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="run one task with the oracle or nop agent",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("task", metavar="TASK")
    p.add_argument("--agent", default="oracle", **AGENTS.option(),
                   help="an agent of the registry: the built-in ones or one an installed package adds "
                   "(entry points arena.agents)")  # fmt: skip
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
    return EXIT_OK if all(r.status == "ok" for r in results) else EXIT_FAIL
