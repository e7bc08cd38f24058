"""Launch commands for a recipe: what to run on each GPU node (printed by ``arena train --dry-run``).

A CPU recipe is one process (``arena train``).  A GPU recipe with ``launch.num_processes > 1``
runs under ``accelerate launch`` with the bundled (or given) accelerate config: ``ddp``,
``zero3`` (DeepSpeed ZeRO-3) or ``fsdp2`` (PyTorch FSDP2); with ``launch.use_vllm`` and
``vllm.mode: server`` a ``trl vllm-serve`` process holds the last ``server_gpus`` GPUs and the
trainers use the others (colocate mode needs no server).

On several nodes (``nodes > 1``, a launch detail, not part of the recipe) ``num_processes`` is the
total over the training nodes, split evenly; every training node runs the same ``accelerate
launch`` with its own ``--machine_rank``, and a server-mode vLLM gets a node of its own.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from arena.train.recipe import Recipe

ACCELERATE_DIR = Path(__file__).resolve().parent / "accelerate"


MAIN_IP_VAR = "${MAIN_PROCESS_IP}"  # printed when no --main-process-ip is given: set it per job


def _quote(arg: str) -> str:
    return arg if re.fullmatch(r"\$\{[A-Z_]+\}", arg) else shlex.quote(arg)


@dataclass
class LaunchPlan:
    commands: list[list[str]]  # argv lists, in start order (a server first)
    env: list[dict[str, str]]  # per command: extra environment
    notes: list[str]
    nodes: list[str] = field(default_factory=list)  # per command: the node it runs on ("0", "1", "vllm")

    def lines(self) -> list[str]:
        out = []
        for argv, env in zip(self.commands, self.env):
            prefix = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
            out.append((prefix + " " if prefix else "") + " ".join(_quote(a) for a in argv))
        return out

    def render(self) -> str:
        return "\n".join(self.lines())

    def by_node(self) -> list[dict[str, str]]:
        labels = self.nodes or ["0"] * len(self.commands)
        return [{"node": n, "command": c} for n, c in zip(labels, self.lines())]


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


def plan(
    recipe: Recipe, recipe_ref: str, corpus: list[str], out: str, *, resume: bool = False, nodes: int = 1,
    main_ip: str | None = None, main_port: int = 29500,
) -> LaunchPlan:  # fmt: skip
    train_args = ["train", recipe_ref, "--corpus", *corpus, "--out", out] + (["--resume"] if resume else [])
    L = recipe.launch
    notes: list[str] = []
    if not L.gpu and L.num_processes == 1 and nodes == 1:
        return LaunchPlan([["arena", *train_args]], [{}], ["one CPU process: SFT, GRPO and export in order"])
    if nodes < 1 or L.num_processes % nodes:
        raise ValueError(f"launch.num_processes {L.num_processes} does not split evenly over {nodes} node(s)")
    server = L.use_vllm and L.vllm.mode == "server"
    if nodes > 1 and server and L.vllm.server_host in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("on several nodes the vLLM server runs on a node of its own: the trainers cannot reach "
                         f"{L.vllm.server_host}; set launch.vllm.server_host to that node's address (--vllm-host)")  # fmt: skip
    per_node = L.num_processes // nodes
    commands, envs, labels = [], [], []
    total = per_node + (L.vllm.server_gpus if server and nodes == 1 else 0)
    train_gpus = ",".join(str(i) for i in range(per_node))
    model = recipe.model.path or "<tiny model>"
    if server:
        first = per_node if nodes == 1 else 0
        serve_gpus = ",".join(str(i) for i in range(first, first + L.vllm.server_gpus))
        commands.append(["trl", "vllm-serve", "--model", model,
                         "--tensor-parallel-size", str(L.vllm.tensor_parallel_size),
                         "--data-parallel-size", str(max(1, L.vllm.server_gpus // L.vllm.tensor_parallel_size)),
                         "--gpu-memory-utilization", str(L.vllm.gpu_memory_utilization),
                         "--host", L.vllm.server_host, "--port", str(L.vllm.server_port)])  # fmt: skip
        envs.append({"CUDA_VISIBLE_DEVICES": serve_gpus})
        labels.append("0" if nodes == 1 else "vllm")
        notes.append(f"start the vLLM server first (GPUs {serve_gpus}{'' if nodes == 1 else ' of the vllm node'}); "
                     f"GRPO waits for it on "
                     f"{L.vllm.server_host}:{L.vllm.server_port} (vllm_server_timeout)")  # fmt: skip
        notes.append("the server serves the starting weights; after SFT the trainer pushes its weights to it "
                     "every step (TRL weight sync), so one server covers both stages")  # fmt: skip
    elif L.use_vllm:
        notes.append(f"vLLM colocate mode: generation shares the training GPUs "
                     f"(gpu_memory_utilization {L.vllm.gpu_memory_utilization})")  # fmt: skip
    cfg = accelerate_config(L.accelerate_config)
    for rank in range(nodes):
        acc = ["accelerate", "launch", "--num_processes", str(L.num_processes)]
        if nodes > 1:
            acc += ["--num_machines", str(nodes), "--machine_rank", str(rank),
                    "--main_process_ip", main_ip or MAIN_IP_VAR, "--main_process_port", str(main_port)]  # fmt: skip
        if cfg is not None:
            acc += ["--config_file", str(cfg)]
        acc += ["-m", "arena.cli.main", *train_args]
        commands.append(acc)
        envs.append({"CUDA_VISIBLE_DEVICES": train_gpus})
        labels.append(str(rank))
    if nodes == 1:
        notes.append(f"{total} GPU(s) in all: {L.num_processes} training process(es) on GPUs {train_gpus}")
    else:
        notes.append(f"{nodes} training node(s) x {per_node} GPU(s) = {L.num_processes} training process(es)"
                     + (f", plus a vllm node with {L.vllm.server_gpus} GPU(s)" if server else ""))  # fmt: skip
        notes.append(f"node 0 is the rendezvous: --main_process_ip {main_ip or MAIN_IP_VAR} is its address, "
                     f"port {main_port} open between the nodes; --out must be on a filesystem every node sees")  # fmt: skip
        notes.append(f"every training node computes GRPO rewards in its own {recipe.runtime} sandboxes: "
                     "install arena (and for docker: a daemon + `arena base build`) on each")  # fmt: skip
    return LaunchPlan(commands, envs, notes, labels)


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
