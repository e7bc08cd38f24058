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
continues rather than restarts.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

from arena.train.recipe import Recipe, RecipeError, load_recipe, resolve_model_path

STAGES = ("sft", "grpo", "export")


class TrainError(RuntimeError):
    """The run cannot go on; the message says what to fix."""


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


def latest_checkpoint(stage_dir: Path) -> Path | None:
    """The highest-numbered *complete* ``checkpoint-N`` (one killed mid-save is skipped)."""
    if not stage_dir.is_dir():
        return None
    found = []
    for p in stage_dir.glob("checkpoint-*"):
        try:
            n = int(p.name.split("-")[-1])
        except ValueError:
            continue
        weights = any((p / f).exists() for f in ("model.safetensors", "adapter_model.safetensors", "pytorch_model.bin"))
        optim = (p / "optimizer.pt").exists() or any(p.glob("global_step*"))  # plain or DeepSpeed state
        if (weights or any(p.glob("global_step*"))) and (p / "trainer_state.json").exists() and optim:
            found.append((n, p))
    return max(found)[1] if found else None


class RunState:
    def __init__(self, out: Path):
        self.path = out / "state.json"
        self.doc = json.loads(self.path.read_text()) if self.path.exists() else {"stages": {}, "attempts": 0}

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.doc, indent=1, default=str))
        os.replace(tmp, self.path)

    def done(self, stage: str) -> bool:
        return self.doc["stages"].get(stage, {}).get("status") == "done"

    def mark(self, stage: str, **info) -> None:
        self.doc["stages"].setdefault(stage, {}).update(info)
        self.save()


def _say(progress: bool, msg: str) -> None:
    if progress:
        print(f"[arena train] {msg}", file=sys.stderr, flush=True)


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


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def _common_args(recipe: Recipe, stage: str, out: Path, progress: bool, fields: dict) -> dict:
    args = dict(fields)
    args.update(output_dir=str(out / stage), seed=recipe.seed, data_seed=recipe.seed)
    try:
        import tensorboard  # noqa: F401

        args["report_to"] = ["tensorboard"]
    except ImportError:
        args["report_to"] = []
    if not _cuda():
        args["use_cpu"] = True
        if args.get("bf16") or args.get("fp16"):
            raise TrainError(f"{stage}: the recipe asks for bf16/fp16 but no CUDA GPU is visible; run it on a GPU "
                             "node (see --dry-run for the launch commands) or use the tiny-cpu preset")  # fmt: skip
        args["bf16"] = False
        args.setdefault("dataloader_pin_memory", False)
    args.setdefault("disable_tqdm", not progress)
    args.setdefault("save_strategy", "steps")
    return args


class _tensorboard_dir:
    """transformers 5 reads the TensorBoard folder from TENSORBOARD_LOGGING_DIR when the trainer is built."""

    def __init__(self, path: Path):
        self.path, self.old = str(path), None

    def __enter__(self):
        self.old = os.environ.get("TENSORBOARD_LOGGING_DIR")
        os.environ["TENSORBOARD_LOGGING_DIR"] = self.path

    def __exit__(self, *exc):
        if self.old is None:
            os.environ.pop("TENSORBOARD_LOGGING_DIR", None)
        else:
            os.environ["TENSORBOARD_LOGGING_DIR"] = self.old


def _quiet(trainer, progress: bool) -> None:
    """Without progress output, drop the callback that prints every log dict to stdout."""
    if progress:
        return
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)


def _load_model(recipe: Recipe, path: str):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16, "auto": "auto"}[
        recipe.model.dtype
    ]
    kw = {"dtype": dtype}
    if recipe.model.attn_implementation:
        kw["attn_implementation"] = recipe.model.attn_implementation
    try:
        tok = AutoTokenizer.from_pretrained(path)
        model = AutoModelForCausalLM.from_pretrained(path, **kw)
    except OSError as exc:
        raise TrainError(f"cannot load model {path!r}: {exc}") from None
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return model, tok


def _peft(recipe: Recipe):
    if recipe.model.finetune != "lora":
        return None
    from peft import LoraConfig

    lo = recipe.model.lora
    return LoraConfig(r=lo.r, lora_alpha=lo.alpha, lora_dropout=lo.dropout, target_modules=lo.target_modules,
                      task_type="CAUSAL_LM")  # fmt: skip


def _save_final(trainer, tok, dest: Path, provenance: dict | None = None) -> None:
    model = trainer.model
    if hasattr(model, "merge_and_unload"):  # LoRA: export merged weights so every engine can load them
        model = model.merge_and_unload()
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    if provenance:
        (tmp / "arena_provenance.json").write_text(json.dumps(provenance, indent=1))
    shutil.rmtree(dest, ignore_errors=True)
    os.replace(tmp, dest)


def _provenance(out: Path, stage: str) -> dict:
    """Recorded inside every exported model folder: which recipe and corpus made it."""
    st = json.loads((out / "state.json").read_text())
    return {"stage": stage, "recipe": st.get("recipe"), "recipe_digest": st.get("recipe_digest"),
            "corpus_digest": st.get("corpus_digest"), "run": str(out)}  # fmt: skip


def _train_metrics(trainer, t0: float) -> dict:
    hist = trainer.state.log_history
    last = next((h for h in reversed(hist) if "train_runtime" in h), {})
    steps = trainer.state.global_step
    secs = time.perf_counter() - t0
    logs = [h for h in hist if "loss" in h]
    return {
        "steps": steps,
        "seconds_this_attempt": round(secs, 2),
        "train_runtime": last.get("train_runtime"),
        "steps_per_second": last.get("train_steps_per_second"),
        "train_loss": last.get("train_loss"),
        "last_loss": logs[-1]["loss"] if logs else None,
        "log_history_tail": hist[-5:],
    }


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

    state = RunState(out) if out.exists() else None
    if state and state.doc.get("recipe_digest"):
        if not resume:
            raise TrainError(f"{out} already holds a run; pass --resume to continue it or choose another --out")
        if state.doc["recipe_digest"] != recipe.digest:
            raise TrainError(f"{out} was trained with another recipe (digest {state.doc['recipe_digest'][:12]}, "
                             f"now {recipe.digest[:12]}); --resume needs the identical recipe")  # fmt: skip
        if state.doc["corpus_digest"] != cdig:
            raise TrainError(f"{out} was trained on another corpus (digest {state.doc['corpus_digest'][:12]}, "
                             f"now {cdig[:12]}); --resume needs the identical corpus")  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    state = RunState(out)
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
            card_stages["sft"] = _run_sft(recipe, tasks, runtime, out, base_ref, resume, progress, mode)
            state.doc.setdefault("metrics", {})["sft"] = card_stages["sft"]
            state.mark("sft", status="done", checkpoint="sft/final")
        current = str(out / "sft" / "final")
    if stop_after == "sft":
        return card_stages

    # -- stage 2: GRPO ----------------------------------------------------------------------
    if "grpo" in recipe.stages:
        if state.done("grpo"):
            _say(progress, "grpo: done (skipped)")
        else:
            card_stages["grpo"] = _run_grpo(recipe, tasks, runtime, out, current, resume, progress, mode, attempt)
            state.doc.setdefault("metrics", {})["grpo"] = card_stages["grpo"]
            state.mark("grpo", status="done", checkpoint="grpo/final")
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
    state.mark("export", status="done", checkpoint="checkpoint")
    _say(progress, f"done: {dest} (recipe {recipe.digest[:12]}, corpus {cdig[:12]})")
    return card


def _run_sft(recipe, tasks, runtime, out, base_ref, resume, progress, mode) -> dict:
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    from arena.train.data import build_demos

    d = recipe.demos
    teacher = None
    if d.source == "teacher":
        from arena.engines import OpenAIEngine

        t = d.teacher
        teacher = {"engine": OpenAIEngine(t.model, base_url=t.base_url, api_key_env=t.api_key_env),
                   "attempts": t.attempts, "temperature": t.temperature, "max_tokens": t.max_tokens,
                   "max_turns": recipe.rollout.max_turns}  # fmt: skip
    _say(progress, f"sft: collecting verified demonstrations for {len(tasks)} task(s) ({d.source})")
    from accelerate import PartialState

    with PartialState().main_process_first():  # multi-GPU: rank 0 runs the oracles, the others read its cache
        rep = build_demos(tasks, runtime, out, mode=mode, min_reward=d.min_reward, workers=recipe.workers,
                          system_prompt=d.system_prompt, teacher=teacher, progress=progress)  # fmt: skip
    if not rep.rows:
        first = next(iter(rep.rejected.items()), ("?", "?"))
        raise TrainError(f"no verified demonstration: every oracle/teacher attempt failed verification "
                         f"(e.g. {first[0]}: {first[1]}); run `arena validate` on the corpus")  # fmt: skip
    (out / "demos").mkdir(parents=True, exist_ok=True)
    (out / "demos" / "rejected.json").write_text(json.dumps(rep.rejected, indent=1))
    _say(progress, f"sft: {rep.kept} demonstration(s) ({rep.cached} cached), {len(rep.rejected)} rejected")
    ds = Dataset.from_list([{"messages": r["messages"]} for r in rep.rows])
    args = SFTConfig(**_common_args(recipe, "sft", out, progress, recipe.sft))
    model, tok = _load_model(recipe, base_ref)
    with _tensorboard_dir(out / "tensorboard" / "sft"):
        trainer = SFTTrainer(model=model, args=args, train_dataset=ds, processing_class=tok, peft_config=_peft(recipe))
    _quiet(trainer, progress)
    ckpt = latest_checkpoint(out / "sft") if resume else None
    if ckpt:
        _say(progress, f"sft: resuming from {ckpt.name}")
    t0 = time.perf_counter()
    trainer.train(resume_from_checkpoint=str(ckpt) if ckpt else None)
    _save_final(trainer, tok, out / "sft" / "final", _provenance(out, "sft"))
    m = _train_metrics(trainer, t0)
    m["demos"] = rep.summary()
    m["resumed_from"] = ckpt.name if ckpt else None
    return m


def _run_grpo(recipe, tasks, runtime, out, start_ref, resume, progress, mode, attempt) -> dict:
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from arena.train.data import grpo_rows
    from arena.train.launch import grpo_overrides
    from arena.train.rewards import RolloutLog, ToolReward, VerifierReward, make_tool_env

    fields = {**grpo_overrides(recipe), **recipe.grpo}
    if mode == "tools":
        fields["max_tool_calling_iterations"] = recipe.rollout.max_turns
    args = GRPOConfig(**_common_args(recipe, "grpo", out, progress, fields))
    rollouts = RolloutLog(out, attempt=attempt, enabled=recipe.reward.record_rollouts)
    ds = Dataset.from_list(grpo_rows(tasks, mode=mode, system_prompt=recipe.demos.system_prompt))
    model, tok = _load_model(recipe, start_ref)
    tok.padding_side = "left"
    kw = {}
    executor = _reward_executor(recipe, mode)
    if mode == "answer":
        reward = VerifierReward(tasks, runtime, workers=recipe.workers, timeout=recipe.reward.timeout_sec,
                                retries=recipe.reward.retries, rollouts=rollouts, isolation=recipe.reward.isolation,
                                num_generations=args.num_generations, executor=executor)  # fmt: skip
    else:
        reward = ToolReward(rollouts, num_generations=args.num_generations)
        kw["environment_factory"] = make_tool_env(tasks, runtime, timeout=recipe.reward.timeout_sec,
                                                  tool_timeout=recipe.rollout.tool_timeout_sec,
                                                  max_output=recipe.rollout.max_tool_output_chars)  # fmt: skip
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    with _tensorboard_dir(out / "tensorboard" / "grpo"):
        trainer = GRPOTrainer(model=model, reward_funcs=[reward], args=args, train_dataset=ds, processing_class=tok,
                              peft_config=_peft(recipe), **kw)  # fmt: skip
    _quiet(trainer, progress)
    ckpt = latest_checkpoint(out / "grpo") if resume else None
    if ckpt:
        _say(progress, f"grpo: resuming from {ckpt.name}")
    _say(progress, f"grpo: {len(tasks)} prompt(s), {args.num_generations} generations each, "
                   f"verifier rewards on {runtime.name} x{recipe.workers} ({recipe.reward.executor} executor)")  # fmt: skip
    t0 = time.perf_counter()
    try:
        trainer.train(resume_from_checkpoint=str(ckpt) if ckpt else None)
    finally:
        if executor is not None:
            executor.shutdown()
    _save_final(trainer, tok, out / "grpo" / "final", _provenance(out, "grpo"))
    rollouts.flush() if recipe.reward.record_rollouts else None
    m = _train_metrics(trainer, t0)
    m["rewards"] = {**reward.stats.to_dict(), "executor": recipe.reward.executor}
    total = m["seconds_this_attempt"] or 0
    m["reward_time_share"] = round(reward.stats.seconds / total, 4) if total else None
    m["resumed_from"] = ckpt.name if ckpt else None
    return m


def _reward_executor(recipe, mode: str):
    """The executor of the GRPO reward trials (None = VerifierReward's own local pool)."""
    if recipe.reward.executor == "local":
        return None
    if mode == "tools":  # the recipe validator refuses this too; a recipe built in code may skip it
        raise TrainError(f"reward.executor {recipe.reward.executor} cannot score rollout.mode tools: each episode's "
                         "sandbox is driven from the training process; use reward.executor: local")  # fmt: skip
    from arena.executors import get_executor

    try:
        return get_executor(recipe.reward.executor, recipe.workers, recipe.reward.address)
    except RuntimeError as exc:  # Ray not installed
        raise TrainError(str(exc)) from None


__all__ = ["RecipeError", "TrainError", "corpus_digest", "latest_checkpoint", "train"]
