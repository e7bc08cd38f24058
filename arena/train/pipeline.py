"""SFT -> GRPO -> export on a corpus, resumable stage by stage.

    from arena.train.pipeline import train
    card = train("tiny-cpu", ["corpus/"], "runs/t1")       # one process can train many runs

Output folder (``--out``):

  state.json          stages done, recipe and corpus digests, attempts (what --resume reads)
  base/               the generated tiny model (tiny recipes)
  demos/              oracle/teacher demonstration trials (journaled: resumable)
  sft/                SFT checkpoints; sft/final = the SFT model
  grpo/               GRPO checkpoints; grpo/final = the GRPO model
  rollouts.parquet    every GRPO rollout: task, domain, completion, reward, status, side info
  tensorboard/<stage> TensorBoard logs (TRL metrics + arena/reward/<domain>, masked share, …)
  checkpoint/         the exported final model + tokenizer
  model_card.json     recipe_digest, corpus_digest, seeds, versions, metrics

``--resume`` skips finished stages and continues an unfinished one from its latest complete
checkpoint (optimizer, scheduler, RNG and step restored by the trainer), so a killed run
continues rather than restarts.  The state is an :class:`arena.stagestate.StageState` (the
showcase keeps its own the same way); the SFT and GRPO stages themselves are ``arena.train.stages``.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import time
from pathlib import Path

from arena.stagestate import StageState, read_json
from arena.train.recipe import Recipe, RecipeError, load_recipe, resolve_model_path
from arena.train.stages import TrainError, _cuda, _say, latest_checkpoint, run_grpo, run_sft

STAGES = ("sft", "grpo", "export")


def corpus_digest(tasks) -> str:
    """sha256 over the sorted task digests: the same tasks give the same digest, whatever the paths."""
    h = hashlib.sha256()
    for d in sorted(t.digest for t in tasks):
        h.update(d.encode() + b"\n")
    return h.hexdigest()


def versions() -> dict:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for pkg in ("arena", "torch", "transformers", "trl", "peft", "accelerate", "datasets", "tokenizers"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = None
    return out


def _torch_threads(recipe: Recipe, threads: int | None = None) -> int:
    """Intra-op threads for CPU training: ARENA_TORCH_THREADS if set; else ``threads`` if the caller
    knows better (the showcase); 1 for the tiny models (their matmuls are too small to gain from threads,
    and 2 spinning threads on a busy 2-core machine ran 3-10x slower than one, measured here); else
    every core."""
    env = os.environ.get("ARENA_TORCH_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    if threads:
        return threads
    return 1 if recipe.model.tiny is not None else max(1, os.cpu_count() or 1)


def train(
    recipe_ref: str | Recipe,
    corpus: list[str],
    out: str | Path,
    *,
    resume: bool = False,
    progress: bool = True,
    runtime=None,
    stop_after: str | None = None,
    threads: int | None = None,
) -> dict:
    """Run the recipe's stages on the corpus; returns the model card (also written to out/model_card.json).

    ``threads``: torch intra-op threads on CPU (ARENA_TORCH_THREADS still wins; default: see _torch_threads)."""
    import torch

    from arena.corpus import load_tasks

    recipe = recipe_ref if isinstance(recipe_ref, Recipe) else load_recipe(recipe_ref)
    out = Path(out)
    wants_gpu = recipe.launch.gpu or any(recipe.sft.get(k) or recipe.grpo.get(k) for k in ("bf16", "fp16", "use_vllm"))
    if wants_gpu and not _cuda():
        raise TrainError(f"recipe {recipe.name} needs a CUDA GPU (bf16/fp16/vLLM or launch.gpu) and no CUDA GPU is "
                         "visible; run it on a GPU node (`--dry-run` prints the launch commands) or use tiny-cpu")  # fmt: skip
    tasks, findings = load_tasks(corpus)
    if not tasks:
        raise TrainError(f"no loadable task packages under {', '.join(map(str, corpus))}"
                         + (f" ({findings[0].render()})" if findings else ""))  # fmt: skip
    mode = recipe.rollout.mode
    if mode == "answer":
        usable = [t for t in tasks if t.spec.agent.answer_file]
        if not usable:
            raise TrainError("rollout.mode is answer but no task declares agent.answer_file; "
                             "use rollout.mode: tools for these tasks")  # fmt: skip
        skipped = len(tasks) - len(usable)
        tasks = usable
    else:
        skipped = 0
    tasks = sorted(tasks, key=lambda t: t.id)
    cdig = corpus_digest(tasks)

    prior = read_json(out / "state.json") or {}
    if prior.get("recipe_digest"):
        if not resume:
            raise TrainError(f"{out} already holds a run; pass --resume to continue it or choose another --out")
        if prior["recipe_digest"] != recipe.digest:
            raise TrainError(f"{out} was trained with another recipe (digest {prior['recipe_digest'][:12]}, "
                             f"now {recipe.digest[:12]}); --resume needs the identical recipe")  # fmt: skip
        if prior["corpus_digest"] != cdig:
            raise TrainError(f"{out} was trained on another corpus (digest {prior['corpus_digest'][:12]}, "
                             f"now {cdig[:12]}); --resume needs the identical corpus")  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    state = StageState.load(out / "state.json", {"stages": {}, "attempts": 0})
    attempt = state.doc.get("attempts", 0)
    state.doc.update(recipe=recipe.name, recipe_digest=recipe.digest, corpus_digest=cdig, attempts=attempt + 1,
                     corpus=[str(c) for c in corpus], tasks=len(tasks))  # fmt: skip
    state.save()
    (out / "recipe.json").write_text(json.dumps(recipe.model_dump(mode="json"), indent=1))
    torch.set_num_threads(_torch_threads(recipe, threads))
    if not progress:
        import datasets
        from transformers.utils import logging as hf_logging

        datasets.disable_progress_bars()
        hf_logging.disable_progress_bar()

    if runtime is None:
        from arena.sandbox import get_runtime

        runtime = get_runtime(recipe.runtime)
        why = runtime.unavailable_reason()
        if why:
            raise TrainError(f"runtime {runtime.name!r} cannot run here: {why}")

    # -- base model -------------------------------------------------------------------------
    if recipe.model.tiny is not None:
        base = out / "base"
        if not (base / "config.json").exists():
            from arena.train.tiny import make_tiny_model

            _say(progress, f"building the tiny model (size {recipe.model.tiny.size}, seed {recipe.model.tiny.seed})")
            make_tiny_model(base, seed=recipe.model.tiny.seed, size=recipe.model.tiny.size)
        base_ref = str(base)
    else:
        base_ref = resolve_model_path(recipe.model.path)
    current = base_ref
    card_stages: dict = dict(state.doc.get("metrics", {}))

    # -- stage 1: SFT -----------------------------------------------------------------------
    if "sft" in recipe.stages:
        if state.done("sft"):
            _say(progress, "sft: done (skipped)")
        else:
            card_stages["sft"] = run_sft(recipe, tasks, runtime, out, base_ref, resume, progress, mode)
            state.doc.setdefault("metrics", {})["sft"] = card_stages["sft"]
            state.finish("sft", checkpoint="sft/final")
        current = str(out / "sft" / "final")
    if stop_after == "sft":
        return card_stages

    # -- stage 2: GRPO ----------------------------------------------------------------------
    if "grpo" in recipe.stages:
        if state.done("grpo"):
            _say(progress, "grpo: done (skipped)")
        else:
            card_stages["grpo"] = run_grpo(recipe, tasks, runtime, out, current, resume, progress, mode, attempt)
            state.doc.setdefault("metrics", {})["grpo"] = card_stages["grpo"]
            state.finish("grpo", checkpoint="grpo/final")
        current = str(out / "grpo" / "final")

    # -- stage 3: export --------------------------------------------------------------------
    dest = out / "checkpoint"
    tmp = out / "checkpoint.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(current, tmp)
    shutil.rmtree(dest, ignore_errors=True)
    os.replace(tmp, dest)
    from collections import Counter

    card = {
        "recipe": recipe.name,
        "recipe_digest": recipe.digest,
        "corpus_digest": cdig,
        "corpus": {"paths": [str(c) for c in corpus], "tasks": len(tasks), "skipped_not_answer_mode": skipped,
                   "by_domain": dict(sorted(Counter(t.domain or "unknown" for t in tasks).items()))},  # fmt: skip
        "base_model": recipe.model.path or {"tiny": recipe.model.tiny.model_dump()},
        "seeds": {"recipe": recipe.seed, **({"model_init": recipe.model.tiny.seed} if recipe.model.tiny else {})},
        "stages": list(recipe.stages),
        "rollout_mode": mode,
        "runtime": runtime.name,
        "versions": versions(),
        "metrics": card_stages,
        "attempts": attempt + 1,
        "checkpoint": "checkpoint",
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (out / "model_card.json").write_text(json.dumps(card, indent=1, default=str))
    state.finish("export", checkpoint="checkpoint")
    _say(progress, f"done: {dest} (recipe {recipe.digest[:12]}, corpus {cdig[:12]})")
    return card


__all__ = ["RecipeError", "TrainError", "corpus_digest", "latest_checkpoint", "train"]
