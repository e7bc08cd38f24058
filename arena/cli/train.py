"""``arena train RECIPE --corpus PATH... --out DIR``: SFT -> GRPO -> export with verifier rewards."""

from __future__ import annotations

import argparse
import sys

from arena.cli.common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, emit_json
from arena.registry import EXECUTORS, RUNTIMES

HELP = """Post-train a model on a corpus with one fixed recipe: SFT on verified demonstrations,
then GRPO whose every reward is a real trial (the task's verifier in the sandbox), then export.

RECIPE is a preset name or a YAML file:
  tiny-cpu   a generated ~0.15M-parameter Qwen3 on CPU: ~30 s per run on 2 idle cores
  qwen3-8b   Qwen3-8B, bf16, DeepSpeed ZeRO-3 + vLLM server (GPU node; see --dry-run)

Stages (each resumable):
  1 sft     the oracle runs in a real trial per task; its answer file is kept only when the
            verifier scored it 1.0 (tool mode: the oracle transcript, or a teacher endpoint's
            trajectories scored 1.0); cached by task digest across runs
  2 grpo    prompts from the corpus; completions scored by sandboxed verifiers in parallel
            (--workers from the recipe; answer mode: on a Ray cluster with --executor ray
            [--address HOST:PORT], without --address a local one bound to 127.0.0.1; the
            rewards are the same either way); a verifier crash/timeout/garbage reward is masked
            (None), counted, never scored 0; every rollout kept in rollouts.parquet
  3 export  checkpoint/ + model_card.json (recipe_digest, corpus_digest, seeds, versions, metrics)

Output: DIR/checkpoint, DIR/model_card.json, DIR/rollouts.parquet, DIR/tensorboard/ (run
`tensorboard --logdir DIR/tensorboard`), DIR/state.json.  An existing DIR is refused unless
--resume: it then skips finished stages and continues the unfinished one from its latest
checkpoint (the same recipe and corpus are required: their digests are checked).

--dry-run validates the recipe (every sft/grpo key against the installed TRL) and the corpus
and prints the exact launch commands (accelerate launch …, trl vllm-serve …) without training,
per node with --nodes N (the vLLM server then gets a node of its own; docs/cluster.md shows
Slurm and Kubernetes jobs built from this output).  --accelerate-config picks the bundled
ddp, zero3 (DeepSpeed ZeRO-3) or fsdp2 (PyTorch FSDP2) config, or a YAML file.

examples:
  arena generate unit-convert --n 40 --seed 1 --out corpus/ --difficulty easy
  arena train tiny-cpu --corpus corpus/ --out runs/tiny1
  arena train tiny-cpu --corpus corpus/ --out runs/tiny1 --resume      # after a kill
  arena train qwen3-8b --corpus submissions/team-a --out runs/t8b --dry-run
  arena train qwen3-8b --corpus C --out /shared/t8b --dry-run --accelerate-config fsdp2 \\
      --nodes 2 --num-processes 16 --vllm-host gpu-vllm
  arena train my-recipe.yaml --corpus a/ b/ --out runs/x --json
"""


def add_parser(sub) -> None:
    p = sub.add_parser("train", help="post-train a model on a corpus (SFT -> GRPO -> export)",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("recipe", metavar="RECIPE", help="preset name (tiny-cpu, qwen3-8b) or recipe YAML path")
    p.add_argument("--corpus", nargs="+", metavar="PATH", help="task packages, team entries or corpus folders")
    p.add_argument("--out", metavar="DIR", help="run folder (e.g. runs/<name>)")
    p.add_argument("--resume", action="store_true", help="continue a killed or partial run in --out")
    p.add_argument("--dry-run", action="store_true", help="validate and print the launch commands; do not train")
    p.add_argument("--runtime", **RUNTIMES.option("auto"), help="override the recipe's sandbox runtime")
    p.add_argument("--workers", "-j", type=int, help="override the recipe's parallel verifier trials")
    p.add_argument("--executor", **EXECUTORS.option(),
                   help="override reward.executor: where GRPO reward trials run (ray: answer mode only)")  # fmt: skip
    p.add_argument("--address", help="override reward.address: Ray cluster address (default: a local one on 127.0.0.1)")  # fmt: skip
    p.add_argument("--accelerate-config", metavar="NAME|YAML",
                   help="override launch.accelerate_config: ddp, zero3, fsdp2 or a YAML file")  # fmt: skip
    p.add_argument("--num-processes", type=int, help="override launch.num_processes (GPUs, all nodes)")
    p.add_argument("--nodes", type=int, default=1, help="--dry-run: training nodes (commands per node)")
    p.add_argument("--main-process-ip", help="--dry-run: node 0 address (default ${MAIN_PROCESS_IP})")
    p.add_argument("--main-process-port", type=int, default=29500, help="--dry-run: node 0 port")
    p.add_argument("--vllm-host", help="override launch.vllm.server_host (the vLLM server node's address)")
    p.add_argument("--quiet", action="store_true", help="no progress bars or stage messages")
    p.add_argument("--json", action="store_true", help="print the model card (or the dry-run plan) as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    from arena.train.recipe import RecipeError, load_recipe, parse_recipe

    try:
        recipe = load_recipe(args.recipe)
    except RecipeError as exc:
        print(f"arena: {exc}", file=sys.stderr)
        return EXIT_USAGE
    updates = {}
    if args.runtime:
        updates["runtime"] = args.runtime
    if args.workers:
        if args.workers < 1:
            print("arena: --workers must be >= 1", file=sys.stderr)
            return EXIT_USAGE
        updates["workers"] = args.workers
    launch = {}
    if args.accelerate_config:
        launch["accelerate_config"] = args.accelerate_config
    if args.num_processes:
        launch["num_processes"] = args.num_processes
    if args.vllm_host:
        launch["vllm"] = recipe.launch.vllm.model_copy(update={"server_host": args.vllm_host})
    if launch:
        updates["launch"] = recipe.launch.model_copy(update=launch)
    reward = {}
    if args.executor:  # --executor local also drops the recipe's cluster address
        reward.update(executor=args.executor, **({"address": None} if args.executor == "local" else {}))
    if args.address:
        reward["address"] = args.address
    if reward:
        updates["reward"] = recipe.reward.model_copy(update=reward)
    if updates:
        recipe = recipe.model_copy(update=updates)
    if reward:  # validated again: e.g. --executor ray with rollout.mode tools is refused here
        try:
            recipe = parse_recipe(recipe.model_dump(mode="json"), f"{args.recipe} (with --executor/--address)",
                                  check_trl=False)  # fmt: skip
        except RecipeError as exc:
            print(f"arena: {exc}", file=sys.stderr)
            return EXIT_USAGE
    if not args.corpus or not args.out:
        print("arena: train needs --corpus PATH... and --out DIR (see `arena train --help`)", file=sys.stderr)
        return EXIT_USAGE
    if args.dry_run:
        return _dry_run(recipe, args)
    from arena.train.pipeline import TrainError, train

    try:
        card = train(recipe, args.corpus, args.out, resume=args.resume, progress=not args.quiet and not args.json)
    except (TrainError, RecipeError) as exc:
        print(f"arena: {exc}", file=sys.stderr)
        return EXIT_FAIL
    if args.json:
        emit_json(card)
    else:
        _print_card(card, args.out)
    return EXIT_OK


def _dry_run(recipe, args) -> int:
    from arena.corpus import load_tasks
    from arena.train.launch import plan
    from arena.train.pipeline import corpus_digest

    tasks, findings = load_tasks(args.corpus)
    if not tasks:
        print(f"arena: no loadable task packages under {' '.join(args.corpus)}", file=sys.stderr)
        for f in findings[:5]:
            print(f.render(), file=sys.stderr)
        return EXIT_FAIL
    answer = sum(bool(t.spec.agent.answer_file) for t in tasks)
    try:
        lp = plan(recipe, args.recipe, args.corpus, args.out, resume=args.resume, nodes=args.nodes,
                  main_ip=args.main_process_ip, main_port=args.main_process_port)  # fmt: skip
    except ValueError as exc:
        print(f"arena: {exc}", file=sys.stderr)
        return EXIT_USAGE
    doc = {
        "recipe": recipe.name, "recipe_digest": recipe.digest, "corpus_digest": corpus_digest(tasks),
        "tasks": len(tasks), "answer_mode_tasks": answer, "stages": recipe.stages, "rollout_mode": recipe.rollout.mode,
        "reward_executor": recipe.reward.executor, "reward_address": recipe.reward.address,
        "commands": lp.lines(), "nodes": lp.by_node(), "notes": lp.notes,
    }  # fmt: skip
    if args.json:
        emit_json(doc)
        return EXIT_OK
    print(f"recipe {recipe.name}: valid (digest {recipe.digest[:16]})")
    print(f"corpus: {len(tasks)} task(s), {answer} answer-mode, digest {doc['corpus_digest'][:16]}")
    print(f"stages: {' -> '.join(recipe.stages)} -> export; rollout mode {recipe.rollout.mode}; reward trials on "
          f"{recipe.reward.executor}" + (f" ({recipe.reward.address})" if recipe.reward.address else ""))  # fmt: skip
    if recipe.rollout.mode == "answer" and answer < len(tasks):
        print(f"note: {len(tasks) - answer} task(s) without agent.answer_file are skipped in answer mode")
    print("launch:")
    node = None
    for row in lp.by_node():
        if args.nodes > 1 and row["node"] != node:
            node = row["node"]
            print(f"  # on node {node}" if node != "vllm" else "  # on the vllm node")
        print(f"  {row['command']}")
    for n in lp.notes:
        print(f"  # {n}")
    return EXIT_OK


def _print_card(card: dict, out: str) -> None:
    m = card.get("metrics", {})
    print(f"trained {card['recipe']} on {card['corpus']['tasks']} task(s) -> {out}/checkpoint")
    print(f"  recipe_digest {card['recipe_digest'][:16]}  corpus_digest {card['corpus_digest'][:16]}")
    if "sft" in m:
        s = m["sft"]
        print(f"  sft:  {s['steps']} steps, {s.get('steps_per_second')} steps/s, loss {s.get('last_loss')}, "
              f"demos {s.get('demos')}")  # fmt: skip
    if "grpo" in m:
        g = m["grpo"]
        r = g.get("rewards", {})
        print(f"  grpo: {g['steps']} steps, {g.get('steps_per_second')} steps/s, rollouts {r.get('rollouts')}, "
              f"masked {r.get('masked')} {r.get('masked_by_kind') or ''}, rewards/s {r.get('rewards_per_second')}, "
              f"reward time share {g.get('reward_time_share')}")  # fmt: skip
        for d, v in (r.get("mean_reward_by_domain") or {}).items():
            print(f"        {d}: mean reward {v}")
    print(f"  model card: {out}/model_card.json")
