"""End to end on CPU: tiny model, SFT -> GRPO through real sandboxed verifiers, export, resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

pytest.importorskip("trl")

REPO = Path(__file__).resolve().parents[1]


def family_corpus(root: Path, n: int = 12) -> Path:
    from arena import families

    families.generate("unit-convert", n, 1, root, "easy")
    families.generate("invoice-total", n, 1, root, "easy")
    return root


def pass_rates(ckpt: Path, tasks, runtime) -> tuple[float, float]:
    from arena.agents.model import run_model
    from arena.engines import TransformersEngine

    res = run_model(TransformersEngine(str(ckpt)), tasks, runtime, workers=2, progress=False)
    rewards = [r.reward or 0.0 for r in res]
    assert all(r.status == "ok" for r in res), [r.reason for r in res if r.status != "ok"]
    return sum(rewards) / len(rewards), sum(r == 1.0 for r in rewards) / len(rewards)


@pytest.mark.slow
def test_tiny_cpu_preset_trains_end_to_end_and_beats_the_untrained_model(tmp_path, local_runtime):
    from arena.corpus import load_tasks
    from arena.train.pipeline import train

    corpus = family_corpus(tmp_path / "corpus")
    out = tmp_path / "run"
    card = train("tiny-cpu", [str(corpus)], out, progress=False, runtime=local_runtime)
    # every artefact of the run folder
    for rel in ("checkpoint/model.safetensors", "checkpoint/tokenizer.json", "model_card.json", "rollouts.parquet",
                "sft/final/config.json", "grpo/final/config.json", "state.json"):  # fmt: skip
        assert (out / rel).exists(), rel
    assert list((out / "tensorboard" / "sft").glob("events.out.tfevents*"))
    assert list((out / "tensorboard" / "grpo").glob("events.out.tfevents*"))
    assert card["recipe_digest"] and len(card["corpus_digest"]) == 64
    prov = json.loads((out / "checkpoint" / "arena_provenance.json").read_text())
    assert prov["recipe_digest"] == card["recipe_digest"] and prov["corpus_digest"] == card["corpus_digest"]
    assert card["metrics"]["sft"]["demos"]["kept"] == 24
    g = card["metrics"]["grpo"]
    assert g["steps"] == 8 and g["rewards"]["rollouts"] == 8 * 16 and g["rewards"]["masked"] == 0
    assert set(g["rewards"]["mean_reward_by_domain"]) <= {"sciences", "finance-economics"}
    tasks, _ = load_tasks([corpus])
    from arena.train.recipe import load_recipe, resolve_model_path

    base = resolve_model_path(load_recipe("tiny-cpu").model.path)  # the committed base model it started from
    before_mean, before_pass = pass_rates(base, tasks, local_runtime)
    after_mean, after_pass = pass_rates(out / "checkpoint", tasks, local_runtime)
    print(f"pass rate on the corpus's own tasks: untrained {before_pass:.2f} (mean {before_mean:.2f}) -> "
          f"trained {after_pass:.2f} (mean {after_mean:.2f})")  # fmt: skip
    assert after_mean >= before_mean + 0.3 and after_pass >= 0.3


def _recipe_file(tmp_path: Path) -> Path:
    doc = {
        "name": "resume-test", "model": {"tiny": {"size": "tiny", "seed": 0}},
        "sft": {"max_steps": 20, "per_device_train_batch_size": 16, "learning_rate": 5e-3, "save_steps": 10,
                "logging_steps": 5, "assistant_only_loss": True, "dataloader_num_workers": 0},
        "grpo": {"max_steps": 14, "per_device_train_batch_size": 8, "num_generations": 4, "max_completion_length": 8,
                 "learning_rate": 1e-4, "save_steps": 2, "logging_steps": 1, "dataloader_num_workers": 0},
        "workers": 2,
    }  # fmt: skip
    p = tmp_path / "recipe.yaml"
    p.write_text(yaml.safe_dump(doc))
    return p


def _checkpoints(stage: Path) -> list[int]:
    return sorted(int(p.name.split("-")[1]) for p in stage.glob("checkpoint-*") if (p / "trainer_state.json").exists())


@pytest.mark.slow
def test_sigkill_mid_grpo_then_resume_continues(tmp_path, local_runtime):
    corpus = family_corpus(tmp_path / "corpus", n=4)
    recipe = _recipe_file(tmp_path)
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "arena.cli.main", "train", str(recipe), "--corpus", str(corpus), "--out", str(out),
           "--runtime", "local", "--quiet"]  # fmt: skip
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ARENA_CACHE": str(tmp_path / "cache")}
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if [n for n in _checkpoints(out / "grpo") if n >= 4]:
                break
            time.sleep(0.2)
        assert proc.poll() is None, f"finished or died before the kill:\n{proc.stdout.read()}"
        os.kill(proc.pid, signal.SIGKILL)  # a real kill: no cleanup, no final save
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    state = json.loads((out / "state.json").read_text())
    assert state["stages"]["sft"]["status"] == "done" and "grpo" not in state["stages"]
    from arena.train.pipeline import latest_checkpoint

    killed_at = int(latest_checkpoint(out / "grpo").name.split("-")[1])
    assert 4 <= killed_at < 14
    sft_final = (out / "sft" / "final" / "model.safetensors").stat().st_mtime_ns

    # without --resume an existing run is refused
    r = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "--resume" in r.stderr

    r = subprocess.run(cmd + ["--resume"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    card = json.loads((out / "model_card.json").read_text())
    g = card["metrics"]["grpo"]
    assert g["resumed_from"] == f"checkpoint-{killed_at}" and g["steps"] == 14
    assert card["attempts"] == 2
    # SFT was not redone, GRPO continued from the checkpoint rather than step 0
    assert (out / "sft" / "final" / "model.safetensors").stat().st_mtime_ns == sft_final
    import pandas as pd

    df = pd.read_parquet(out / "rollouts.parquet")
    second = df[df.attempt == 1]
    assert len(second) and second.step.min() == killed_at
    assert df[df.attempt == 0].step.min() == 0
    assert (out / "checkpoint" / "model.safetensors").exists()
