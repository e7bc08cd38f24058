"""The SFT and GRPO stages of a training run: TRL trainers built from a recipe, resumed from the
latest complete checkpoint, their final model saved with its provenance (``arena.train.pipeline``
runs them in order and keeps the run's state)."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

from arena.train.recipe import Recipe


class TrainError(RuntimeError):
    """The run cannot go on; the message says what to fix."""


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


def _say(progress: bool, msg: str) -> None:
    if progress:
        print(f"[arena train] {msg}", file=sys.stderr, flush=True)


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


def run_sft(recipe, tasks, runtime, out, base_ref, resume, progress, mode) -> dict:
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


def run_grpo(recipe, tasks, runtime, out, start_ref, resume, progress, mode, attempt) -> dict:
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


__all__ = ["TrainError", "latest_checkpoint", "run_grpo", "run_sft"]
