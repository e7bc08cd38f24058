"""Tool mode: the bash tool runs in the task's live sandbox; the verifier scores the episode."""

from __future__ import annotations

import pytest

from tests.conftest import write_task

pytest.importorskip("trl")


def test_sandbox_env_runs_bash_and_scores_the_episode(tmp_path, local_runtime):
    from arena.corpus import load_tasks
    from arena.train.rewards import RolloutLog, ToolReward, make_tool_env

    tasks, _ = load_tasks([write_task(tmp_path / "c" / "sum"), write_task(tmp_path / "c" / "other")])
    Env = make_tool_env(tasks, local_runtime, timeout=20, tool_timeout=5, max_output=500)
    solved, idle, broken = Env(), Env(), Env()
    solved.reset(task_id="sum", prompt=[])
    assert solved.bash("cat /root/numbers.txt").startswith("exit=0\nstdout:\n3 4 5")
    assert "exit=0" in solved.bash("echo 12 > /root/answer.txt")
    assert solved.bash("sleep 30").startswith("exit=timeout")  # the tool timeout, sandbox still usable
    assert "exit=0" in solved.bash("test -f /root/answer.txt")
    idle.reset(task_id="other")
    broken.reset(task_id="no-such-task")
    assert broken.bash("ls").startswith("error:")
    log = RolloutLog(tmp_path)
    fn = ToolReward(log, num_generations=1)
    rewards = fn(completions=[[], [], []], environments=[solved, idle, broken])
    assert rewards[:2] == [1.0, 0.0]
    assert rewards[2] is None  # no episode to judge: masked, not 0
    rows = log.rows()
    assert len(rows) == 2
    calls = __import__("json").loads(rows[0]["side_info"])["tool_calls"]
    assert [c["command"] for c in calls][:2] == ["cat /root/numbers.txt", "echo 12 > /root/answer.txt"]
    # a reset ends the previous episode cleanly and starts a fresh sandbox
    solved.reset(task_id="sum")
    assert "No such file" in solved.bash("cat /root/answer.txt")
    assert fn(completions=[[]], environments=[solved]) == [0.0]


def test_transcript_demos_replay_the_oracle_without_the_oracle_mount(tmp_path, local_runtime, monkeypatch):
    from arena.corpus import load_tasks
    from arena.train.data import build_demos

    monkeypatch.setenv("ARENA_CACHE", str(tmp_path / "cache"))
    tasks, _ = load_tasks([write_task(tmp_path / "c" / "sum")])
    rep = build_demos(tasks, local_runtime, tmp_path / "out", mode="tools", progress=False)
    assert rep.kept == 1
    msgs = rep.rows[0]["messages"]
    assert msgs[1]["tool_calls"][0]["function"]["arguments"]["command"].startswith("#!/bin/bash")
    assert msgs[2]["role"] == "tool" and msgs[2]["content"].startswith("exit=0")


def test_tool_mode_sft_then_grpo_runs_a_couple_of_steps(tmp_path, local_runtime):
    from arena.train.pipeline import train
    from arena.train.recipe import parse_recipe

    for i in range(4):
        write_task(tmp_path / "c" / f"t{i}", prompt=f"Variant {i}: add the numbers in /root/numbers.txt and "
                                                    "write the sum to /root/answer.txt.")  # fmt: skip
    recipe = parse_recipe({
        "name": "tools", "model": {"tiny": {"size": "tiny", "seed": 0}}, "rollout": {"mode": "tools", "max_turns": 2},
        "sft": {"max_steps": 10, "per_device_train_batch_size": 4, "learning_rate": 5e-3, "assistant_only_loss": True,
                "save_steps": 100, "max_length": 1024},
        "grpo": {"max_steps": 2, "per_device_train_batch_size": 4, "num_generations": 4, "max_completion_length": 48,
                 "learning_rate": 1e-4, "save_steps": 100, "logging_steps": 1},
    })  # fmt: skip
    card = train(recipe, [str(tmp_path / "c")], tmp_path / "run", progress=False, runtime=local_runtime)
    assert card["rollout_mode"] == "tools"
    assert card["metrics"]["sft"]["demos"]["kept"] == 4
    r = card["metrics"]["grpo"]["rewards"]
    assert r["rollouts"] == 8 and r["scored"] + r["masked"] == 8
    assert (tmp_path / "run" / "checkpoint" / "model.safetensors").exists()
