"""Recipes: presets validate against the installed TRL, bad fields are named with a fix, digests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("trl")

from arena.train.recipe import RecipeError, load_recipe, parse_recipe, preset_names, recipe_digest  # noqa: E402

MINIMAL = {"model": {"tiny": {"size": "tiny", "seed": 0}}}


def test_presets_ship_and_validate():
    assert {"tiny-cpu", "qwen3-8b"} <= set(preset_names())
    tiny = load_recipe("tiny-cpu")
    assert tiny.model.path == "models/arena-base-2m" and tiny.rollout.mode == "answer" and tiny.stages == ["sft", "grpo"]
    big = load_recipe("qwen3-8b")
    assert big.model.path == "Qwen/Qwen3-8B" and big.model.dtype == "bfloat16"
    assert big.grpo["use_vllm"] is True and big.launch.accelerate_config == "zero3"


def test_the_presets_base_model_resolves_from_any_cwd(tmp_path, monkeypatch):
    from arena.train.recipe import REPO_ROOT, resolve_model_path

    monkeypatch.chdir(tmp_path)
    path = load_recipe("tiny-showcase").model.path
    assert resolve_model_path(path) == str(REPO_ROOT / "models" / "arena-base-2m")
    assert (Path(resolve_model_path(path)) / "tokenizer.json").is_file()
    (tmp_path / "models" / "arena-base-2m").mkdir(parents=True)  # a folder of that name here wins
    assert resolve_model_path(path) == "models/arena-base-2m"
    assert resolve_model_path("Qwen/Qwen3-8B") == "Qwen/Qwen3-8B"  # neither here nor in the checkout: a hub id


def test_unknown_and_renamed_trl_fields_name_the_fix():
    import trl

    doc = dict(MINIMAL, sft={"max_seq_length": 128, "learnin_rate": 0.1}, grpo={"num_generation": 4})
    with pytest.raises(RecipeError) as e:
        parse_recipe(doc)
    msg = str(e.value)
    assert "sft.max_seq_length" in msg and "use `max_length`" in msg
    assert "sft.learnin_rate" in msg and "did you mean `learning_rate`" in msg
    assert "grpo.num_generation" in msg and "did you mean `num_generations`" in msg
    assert f"TRL {trl.__version__} installed" in msg


def test_arena_owned_and_typed_fields():
    with pytest.raises(RecipeError, match=r"sft.output_dir: set by arena"):
        parse_recipe(dict(MINIMAL, sft={"output_dir": "x"}))
    with pytest.raises(RecipeError, match=r"grpo.use_vllm: must be true or false"):
        parse_recipe(dict(MINIMAL, grpo={"use_vllm": "yes"}))
    with pytest.raises(RecipeError, match=r"sft.max_steps: must be a number"):
        parse_recipe(dict(MINIMAL, sft={"max_steps": "ten"}))


def test_unknown_recipe_keys_suggest_the_closest():
    with pytest.raises(RecipeError) as e:
        parse_recipe(dict(MINIMAL, rolout={"mode": "answer"}, reward={"timeot_sec": 3}))
    msg = str(e.value)
    assert "rolout: unknown key; did you mean `rollout`" in msg
    assert "reward.timeot_sec: unknown key; did you mean `timeout_sec`" in msg
    with pytest.raises(RecipeError, match="exactly one of model.path"):
        parse_recipe({"model": {}})
    with pytest.raises(RecipeError, match="stages must be"):
        parse_recipe(dict(MINIMAL, stages=["grpo", "sft"]))


def test_digest_is_canonical_and_sensitive(tmp_path):
    a = parse_recipe(dict(MINIMAL, sft={"max_steps": 5, "learning_rate": 0.01}))
    b = parse_recipe(dict(MINIMAL, sft={"learning_rate": 0.01, "max_steps": 5}, name="other", description="x"))
    c = parse_recipe(dict(MINIMAL, sft={"learning_rate": 0.02, "max_steps": 5}))
    assert recipe_digest(a) == recipe_digest(b) == a.digest  # key order, name, description do not matter
    assert a.digest != c.digest
    # defaults are part of the canonical form: spelling a default out does not change the digest
    d = parse_recipe(dict(MINIMAL, sft={"max_steps": 5, "learning_rate": 0.01}, workers=2, seed=0))
    assert d.digest == a.digest
    p = tmp_path / "r.yaml"
    import yaml

    p.write_text(yaml.safe_dump(dict(MINIMAL, sft={"max_steps": 5, "learning_rate": 0.01})))
    assert load_recipe(p).digest == a.digest


def test_missing_preset_lists_presets():
    with pytest.raises(RecipeError, match="presets: .*tiny-cpu"):
        load_recipe("no-such-preset")


def test_dry_run_prints_launch_commands(tmp_path, capsys):
    from arena.cli.main import main
    from tests.conftest import write_task

    write_task(tmp_path / "corpus" / "t1")
    rc = main(["train", "qwen3-8b", "--corpus", str(tmp_path / "corpus"), "--out", str(tmp_path / "run"),
               "--dry-run", "--json"])  # fmt: skip
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    cmds = "\n".join(doc["commands"])
    assert "trl vllm-serve --model Qwen/Qwen3-8B" in cmds
    assert "accelerate launch --num_processes 7 --config_file" in cmds and "zero3.yaml" in cmds
    assert doc["tasks"] == 1 and len(doc["recipe_digest"]) == 64
    assert not (tmp_path / "run").exists()  # a dry run writes nothing


def test_gpu_recipe_refuses_to_train_without_gpu(tmp_path, capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is visible here")
    from arena.cli.main import main
    from tests.conftest import write_task

    write_task(tmp_path / "corpus" / "t1")
    big = load_recipe("qwen3-8b").model_dump(mode="json")
    big["model"] = {"tiny": {"size": "tiny", "seed": 0}}
    big["stages"] = ["sft"]
    big["runtime"] = "local"
    import yaml

    (tmp_path / "gpu.yaml").write_text(yaml.safe_dump(big))
    rc = main(["train", str(tmp_path / "gpu.yaml"), "--corpus", str(tmp_path / "corpus"), "--out", str(tmp_path / "run"),
               "--quiet"])  # fmt: skip
    err = capsys.readouterr().err
    assert rc == 1 and "no CUDA GPU is visible" in err, err


@pytest.mark.gpu
def test_qwen3_8b_recipe_builds_trl_configs_on_gpu():
    import torch

    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA GPU: the qwen3-8b preset sets bf16 and vLLM generation")
    from trl import GRPOConfig, SFTConfig

    r = load_recipe("qwen3-8b")
    SFTConfig(output_dir="/tmp/arena-sft-check", **r.sft)
    GRPOConfig(output_dir="/tmp/arena-grpo-check", **r.grpo)


def test_reward_executor_field_is_validated_and_not_in_the_digest():
    local = parse_recipe(MINIMAL)
    assert local.reward.executor == "local" and local.reward.address is None
    assert "executor" not in local.canonical()["reward"]  # existing digests unchanged
    ray = parse_recipe({**MINIMAL, "reward": {"executor": "ray", "address": "127.0.0.1:6379"}})
    assert ray.digest == local.digest  # where rewards run is not what they score: resumable across executors
    with pytest.raises(RecipeError, match=r"reward\.executor: 'dask' is not a registered executor; use one of local, ray"):
        parse_recipe({**MINIMAL, "reward": {"executor": "dask"}})
    with pytest.raises(RecipeError, match=r"reward\.address is a Ray cluster address"):
        parse_recipe({**MINIMAL, "reward": {"address": "127.0.0.1:6379"}})
    with pytest.raises(RecipeError, match=r"reward\.executor ray cannot score rollout\.mode tools"):
        parse_recipe({**MINIMAL, "rollout": {"mode": "tools"}, "reward": {"executor": "ray"}})


def test_grpo_stage_builds_the_reward_executor_and_refuses_tool_mode_on_ray():
    from arena.executors import RayExecutor
    from arena.train.stages import TrainError, _reward_executor

    assert _reward_executor(parse_recipe(MINIMAL), "answer") is None  # VerifierReward's own local pool
    ray = parse_recipe({**MINIMAL, "workers": 3, "reward": {"executor": "ray", "address": "127.0.0.1:6379"}})
    try:
        import ray as _ray  # noqa: F401
    except ImportError:  # the README's install has no Ray extra: the error says how to get it
        with pytest.raises(TrainError, match=r"needs Ray: pip install 'arena\[ray\]'"):
            _reward_executor(ray, "answer")
        return
    ex = _reward_executor(ray, "answer")  # Ray starts on first use, not here
    assert isinstance(ex, RayExecutor) and ex.address == "127.0.0.1:6379" and ex.workers == 3
    with pytest.raises(TrainError, match="cannot score rollout.mode tools"):
        _reward_executor(ray, "tools")  # a recipe built in code, past the validator


def test_train_cli_executor_override_reaches_the_recipe(tmp_path, capsys):
    from arena.cli.main import main
    from tests.conftest import write_task

    write_task(tmp_path / "corpus" / "t1")
    run = ["--corpus", str(tmp_path / "corpus"), "--out", str(tmp_path / "run"), "--dry-run"]
    base = ["train", "tiny-cpu", *run]
    assert main([*base, "--json"]) == 0
    local = json.loads(capsys.readouterr().out)
    assert main([*base, "--json", "--executor", "ray", "--address", "127.0.0.1:6379"]) == 0
    ray = json.loads(capsys.readouterr().out)
    assert (local["reward_executor"], local["reward_address"]) == ("local", None)
    assert (ray["reward_executor"], ray["reward_address"]) == ("ray", "127.0.0.1:6379")
    assert ray["recipe_digest"] == local["recipe_digest"]
    assert main([*base, "--address", "127.0.0.1:6379"]) == 2  # an address without the ray executor
    assert "reward.address is a Ray cluster address" in capsys.readouterr().err
    tools = tmp_path / "tools.yaml"
    tools.write_text(json.dumps({**MINIMAL, "rollout": {"mode": "tools"}}))
    assert main(["train", str(tools), *run, "--executor", "ray"]) == 2
    assert "cannot score rollout.mode tools" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()
