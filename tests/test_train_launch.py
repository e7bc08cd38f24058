"""Launch plans and the bundled accelerate configs (ddp, zero3, fsdp2): each loads in the installed
accelerate, its keys reach accelerate's launcher, fsdp2 reaches the FSDP2 plugin; the dry run
prints the commands per node.  No GPU needed, except the test marked ``gpu``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("trl")
accelerate = pytest.importorskip("accelerate")

from arena.train.launch import ACCELERATE_DIR, accelerate_config, plan  # noqa: E402
from arena.train.recipe import load_recipe  # noqa: E402

BUNDLED = {"ddp": "MULTI_GPU", "zero3": "DEEPSPEED", "fsdp2": "FSDP"}


def _launch_args(config: str, *extra: str):
    """accelerate launch's own parsing and config merge (what `accelerate launch` does first)."""
    from accelerate.commands.launch import _validate_launch_command, launch_command_parser

    argv = [
        "--config_file",
        str(config),
        "--num_processes",
        "4",
        *extra,
        "-m",
        "arena.cli.main",
        "train",
        "r",
    ]
    args, _defaults, _mp = _validate_launch_command(launch_command_parser().parse_args(argv))
    return args


def test_bundled_configs_are_the_expected_kinds_and_load_in_accelerate():
    from accelerate.commands.config.config_args import ClusterConfig

    assert {p.stem for p in ACCELERATE_DIR.glob("*.yaml")} == set(BUNDLED)
    for name, kind in BUNDLED.items():
        cfg = ClusterConfig.from_yaml_file(str(accelerate_config(name)))  # unknown top-level keys raise
        assert cfg.distributed_type.value == kind and cfg.mixed_precision == "bf16"


@pytest.mark.parametrize("name,section", [("zero3", "deepspeed_config"), ("fsdp2", "fsdp_config")])
def test_every_section_key_is_an_accelerate_launch_option(name, section):
    """accelerate copies these keys onto its launch options; a typo would be silently ignored."""
    import yaml
    from accelerate.commands.launch import launch_command_parser

    dests = {a.dest for a in launch_command_parser()._actions}
    keys = yaml.safe_load(accelerate_config(name).read_text())[section]
    assert keys and set(keys) <= dests, set(keys) - dests


def test_fsdp2_config_builds_the_fsdp2_plugin(monkeypatch):
    from accelerate.utils import FullyShardedDataParallelPlugin
    from accelerate.utils.launch import prepare_multi_gpu_env

    args = _launch_args(accelerate_config("fsdp2"), "--num_machines", "2", "--machine_rank", "1",
                        "--main_process_ip", "10.0.0.1", "--main_process_port", "29500")  # fmt: skip
    assert args.use_fsdp and args.fsdp_version == 2 and args.mixed_precision == "bf16"
    env = prepare_multi_gpu_env(args)
    assert env["ACCELERATE_USE_FSDP"] == "true" and env["FSDP_VERSION"] == "2"
    for k, v in env.items():
        if k.startswith(("FSDP_", "ACCELERATE_")):
            monkeypatch.setenv(k, v)
    plugin = FullyShardedDataParallelPlugin()  # reads the launcher's environment, as in each training process
    assert plugin.fsdp_version == 2 and plugin.reshard_after_forward is True
    assert plugin.state_dict_type.name == "FULL_STATE_DICT" and plugin.cpu_ram_efficient_loading


def test_zero3_config_reaches_the_deepspeed_launch_options():
    args = _launch_args(accelerate_config("zero3"))
    assert args.use_deepspeed and int(args.zero_stage) == 3 and args.zero3_init_flag


def _dry_run(tmp_path, capsys, *extra):
    from arena.cli.main import main
    from tests.conftest import write_task

    write_task(tmp_path / "corpus" / "t1")
    rc = main(["train", "qwen3-8b", "--corpus", str(tmp_path / "corpus"), "--out", str(tmp_path / "run"),
               "--dry-run", "--json", *extra])  # fmt: skip
    out = capsys.readouterr()
    return rc, (json.loads(out.out) if rc == 0 else out.err)


def test_fsdp2_is_selectable_and_the_dry_run_prints_commands_per_node(tmp_path, capsys):
    rc, z3 = _dry_run(tmp_path, capsys)
    assert rc == 0 and [n["node"] for n in z3["nodes"]] == ["0", "0"]
    rc, doc = _dry_run(tmp_path, capsys, "--accelerate-config", "fsdp2", "--nodes", "2", "--num-processes", "16",
                       "--vllm-host", "gpu-vllm", "--main-process-ip", "10.1.2.3")  # fmt: skip
    assert rc == 0 and doc["recipe_digest"] != z3["recipe_digest"]  # another sharding backend, another recipe
    nodes = {n["node"]: n["command"] for n in doc["nodes"]}
    assert list(nodes) == ["vllm", "0", "1"] and doc["commands"] == list(nodes.values())
    assert nodes["vllm"].startswith("CUDA_VISIBLE_DEVICES=0 trl vllm-serve --model Qwen/Qwen3-8B")
    assert "--host gpu-vllm --port 8000" in nodes["vllm"]
    for rank in ("0", "1"):
        cmd = nodes[rank]
        assert cmd.startswith("CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 accelerate launch --num_processes 16 ")
        assert (
            f"--num_machines 2 --machine_rank {rank} --main_process_ip 10.1.2.3 --main_process_port 29500"
            in cmd
        )
        assert cmd.split("--config_file ")[1].split()[0].endswith("accelerate/fsdp2.yaml")
        assert cmd.endswith(
            f"-m arena.cli.main train qwen3-8b --corpus {tmp_path / 'corpus'} --out {tmp_path / 'run'}"
        )
    assert not (tmp_path / "run").exists()


def test_multi_node_plans_refuse_what_cannot_work():
    big = load_recipe("qwen3-8b")
    with pytest.raises(ValueError, match="does not split evenly over 2 node"):
        plan(big, "qwen3-8b", ["c"], "o", nodes=2)  # 7 training processes
    launch = big.launch.model_copy(update={"num_processes": 16})
    with pytest.raises(ValueError, match="cannot reach 127.0.0.1"):
        plan(big.model_copy(update={"launch": launch}), "qwen3-8b", ["c"], "o", nodes=2)
    lp = plan(big.model_copy(update={"launch": launch.model_copy(update={"use_vllm": False})}), "q", ["c"], "o",
              nodes=2)  # fmt: skip
    assert "--main_process_ip ${MAIN_PROCESS_IP}" in lp.render()  # left for the job script to set, unquoted
    with pytest.raises(ValueError, match="neither a YAML file nor a bundled config .*fsdp2"):
        accelerate_config("fsdp3")


@pytest.mark.gpu
def test_fsdp2_config_trains_a_tiny_model_on_gpu(tmp_path):
    """One optimizer step of a tiny Qwen3 under `accelerate launch --config_file fsdp2.yaml`."""
    import torch

    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA GPU: FSDP2 shards over NCCL process groups")
    from arena.train.tiny import make_tiny_model

    make_tiny_model(tmp_path / "model", seed=0)
    script = tmp_path / "step.py"
    script.write_text(
        "import sys, torch\n"
        "from accelerate import Accelerator\n"
        "from transformers import AutoModelForCausalLM\n"
        "acc = Accelerator()\n"
        "model = AutoModelForCausalLM.from_pretrained(sys.argv[1])\n"
        "opt = torch.optim.AdamW(model.parameters(), lr=1e-3)\n"
        "model, opt = acc.prepare(model, opt)\n"
        "ids = torch.randint(0, 100, (2, 16), device=acc.device)\n"
        "loss = model(input_ids=ids, labels=ids).loss\n"
        "acc.backward(loss); opt.step()\n"
        "assert acc.state.fsdp_plugin.fsdp_version == 2\n"
        "acc.print('ok', float(loss))\n"
    )  # fmt: skip
    n = torch.cuda.device_count()
    r = subprocess.run([sys.executable, "-m", "accelerate.commands.launch", "--config_file",
                        str(accelerate_config("fsdp2")), "--num_processes", str(n), str(script),
                        str(tmp_path / "model")], capture_output=True, text=True, timeout=600)  # fmt: skip
    assert r.returncode == 0 and "ok" in r.stdout, r.stderr[-3000:]
