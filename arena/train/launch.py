"""Launch commands for a recipe: what to run on a GPU node (printed by ``arena train --dry-run``).

A CPU recipe is one process (``arena train``).  A GPU recipe with ``launch.num_processes > 1``
runs under ``accelerate launch`` with the bundled (or given) accelerate config, e.g. DeepSpeed
ZeRO-3; with ``launch.use_vllm`` and ``vllm.mode: server`` a ``trl vllm-serve`` process holds the
last ``server_gpus`` GPUs and the trainers use the others (colocate mode needs no server).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from arena.train.recipe import Recipe

ACCELERATE_DIR = Path(__file__).resolve().parent / "accelerate"


@dataclass
class LaunchPlan:
    commands: list[list[str]]  # argv lists, in start order (a server first)
    env: list[dict[str, str]]  # per command: extra environment
    notes: list[str]

    def render(self) -> str:
        out = []
        for argv, env in zip(self.commands, self.env):
            prefix = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
            out.append((prefix + " " if prefix else "") + " ".join(shlex.quote(a) for a in argv))
        return "\n".join(out)


def accelerate_config(name: str | None) -> Path | None:
    if name is None:
        return None
    p = Path(name)
    if p.suffix in (".yaml", ".yml") and p.exists():
        return p
    bundled = ACCELERATE_DIR / f"{name}.yaml"
    if bundled.exists():
        return bundled
    known = ", ".join(sorted(x.stem for x in ACCELERATE_DIR.glob("*.yaml")))
    raise ValueError(f"launch.accelerate_config {name!r} is neither a YAML file nor a bundled config ({known})")


def plan(recipe: Recipe, recipe_ref: str, corpus: list[str], out: str, *, resume: bool = False) -> LaunchPlan:
    train_args = ["train", recipe_ref, "--corpus", *corpus, "--out", out] + (["--resume"] if resume else [])
    L = recipe.launch
    notes: list[str] = []
    if not L.gpu and L.num_processes == 1:
        return LaunchPlan([["arena", *train_args]], [{}], ["one CPU process: SFT, GRPO and export in order"])
    commands, envs = [], []
    total = L.num_processes + (L.vllm.server_gpus if L.use_vllm and L.vllm.mode == "server" else 0)
    train_gpus = ",".join(str(i) for i in range(L.num_processes))
    model = recipe.model.path or "<tiny model>"
    if L.use_vllm and L.vllm.mode == "server":
        serve_gpus = ",".join(str(i) for i in range(L.num_processes, total))
        commands.append(["trl", "vllm-serve", "--model", model,
                         "--tensor-parallel-size", str(L.vllm.tensor_parallel_size),
                         "--data-parallel-size", str(max(1, L.vllm.server_gpus // L.vllm.tensor_parallel_size)),
                         "--gpu-memory-utilization", str(L.vllm.gpu_memory_utilization),
                         "--host", L.vllm.server_host, "--port", str(L.vllm.server_port)])  # fmt: skip
        envs.append({"CUDA_VISIBLE_DEVICES": serve_gpus})
        notes.append(f"start the vLLM server first (GPUs {serve_gpus}); GRPO waits for it on "
                     f"{L.vllm.server_host}:{L.vllm.server_port} (vllm_server_timeout)")  # fmt: skip
        notes.append("the server serves the starting weights; after SFT the trainer pushes its weights to it "
                     "every step (TRL weight sync), so one server covers both stages")  # fmt: skip
    elif L.use_vllm:
        notes.append(f"vLLM colocate mode: generation shares the training GPUs "
                     f"(gpu_memory_utilization {L.vllm.gpu_memory_utilization})")  # fmt: skip
    acc = ["accelerate", "launch", "--num_processes", str(L.num_processes)]
    cfg = accelerate_config(L.accelerate_config)
    if cfg is not None:
        acc += ["--config_file", str(cfg)]
    acc += ["-m", "arena.cli.main", *train_args]
    commands.append(acc)
    envs.append({"CUDA_VISIBLE_DEVICES": train_gpus})
    notes.append(f"{total} GPU(s) in all: {L.num_processes} training process(es) on GPUs {train_gpus}")
    return LaunchPlan(commands, envs, notes)


def grpo_overrides(recipe: Recipe) -> dict:
    """GRPOConfig fields the launch section implies (the recipe's own grpo values win)."""
    L = recipe.launch
    if not L.use_vllm:
        return {}
    over = {"use_vllm": True, "vllm_mode": L.vllm.mode,
            "vllm_tensor_parallel_size": L.vllm.tensor_parallel_size}  # fmt: skip
    if L.vllm.mode == "server":
        over.update(vllm_server_host=L.vllm.server_host, vllm_server_port=L.vllm.server_port)
    else:
        over.update(vllm_gpu_memory_utilization=L.vllm.gpu_memory_utilization)
    return over
