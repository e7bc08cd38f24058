"""Verifier-backed rewards: broken verifiers and infrastructure are masked (None) and counted, never 0."""

from __future__ import annotations

import json

import pytest

from tests.conftest import write_task

pytest.importorskip("trl")

CRASH = "#!/bin/bash\necho 'Traceback: verifier bug' >&2\nexit 3\n"
HANG = "#!/bin/bash\nsleep 60\n"
GARBAGE = "#!/bin/bash\nmkdir -p /logs/verifier\necho banana > /logs/verifier/reward.txt\n"
NAN = "#!/bin/bash\nmkdir -p /logs/verifier\necho nan > /logs/verifier/reward.txt\n"


def broken_corpus(root):
    """One sound task and four whose verifiers cannot judge (crash, hang, garbage, NaN)."""
    write_task(root / "good")
    write_task(root / "crash", test_sh=CRASH)
    write_task(root / "hang", test_sh=HANG)
    write_task(root / "garbage", test_sh=GARBAGE)
    write_task(root / "nanreward", test_sh=NAN)
    return root


@pytest.mark.parametrize("isolation", ["trial", "group"])
def test_reward_function_masks_and_counts(tmp_path, local_runtime, isolation):
    from arena.corpus import load_tasks
    from arena.train.rewards import RolloutLog, VerifierReward

    tasks, _ = load_tasks([broken_corpus(tmp_path / "c")])
    log = RolloutLog(tmp_path)
    fn = VerifierReward(tasks, local_runtime, workers=2, timeout=1.0, retries=0, rollouts=log, num_generations=2,
                        isolation=isolation)  # fmt: skip
    ids = ["good", "good", "crash", "hang", "garbage", "nanreward"]
    texts = ["12", "7", "12", "12", "12", "12"]
    metrics: dict[str, list] = {}
    rewards = fn(prompts=[None] * 6, completions=[[{"role": "assistant", "content": t}] for t in texts],
                 task_id=ids, log_metric=lambda k, v: metrics.setdefault(k, []).append(v))  # fmt: skip
    assert rewards[:2] == [1.0, 0.25]
    assert rewards[2:] == [None, None, None, None]  # never 0.0
    s = fn.stats.to_dict()
    assert s["scored"] == 2 and s["masked"] == 4
    assert s["masked_by_kind"].get("verifier_timeout") == 1
    assert sum(s["masked_by_kind"].values()) == 4
    assert metrics["arena/masked_count"] == [4.0]
    assert "arena/reward/sciences" in metrics
    rows = log.rows()
    assert len(rows) == 6
    by = {r["task_id"]: r for r in rows}
    assert by["hang"]["status"] == "verifier_error" and by["hang"]["reward"] is None
    assert by["crash"]["failure_kind"] and by["garbage"]["reason"]
    assert log.flush().exists()


def test_group_isolation_scores_each_answer_on_its_own(tmp_path, local_runtime):
    """Answers sharing a sandbox never see each other's answer file or reward files."""
    from arena.corpus import load_tasks
    from arena.train.rewards import VerifierReward

    tasks, _ = load_tasks([write_task(tmp_path / "good")])
    fn = VerifierReward(tasks, local_runtime, isolation="group")
    texts = ["12", "", "12", "nope", "12\n"]
    assert fn(completions=texts, task_id=["good"] * 5) == [1.0, 0.25, 1.0, 0.25, 1.0]
    assert fn(completions=["7"], task_id=["good"]) == [0.25]


def test_harness_exception_masks_the_batch(tmp_path, local_runtime):
    """Even a failure inside the harness (here: the executor raising) yields None, not a crash."""
    from arena.corpus import load_tasks
    from arena.train.rewards import VerifierReward

    class Exploding:
        def map_unordered(self, *a, **k):
            raise RuntimeError("executor died")

    tasks, _ = load_tasks([write_task(tmp_path / "good")])
    fn = VerifierReward(tasks, local_runtime, executor=Exploding())
    assert fn(completions=["12", "12"], task_id=["good", "good"]) == [None, None]
    assert fn.stats.masked["harness"] == 2


def test_grpo_run_completes_with_planted_failures_masked(tmp_path, local_runtime):
    """A real GRPO run over a corpus with broken verifiers finishes; failures are masked and counted."""
    import pandas as pd

    from arena.train.pipeline import train
    from arena.train.recipe import parse_recipe

    corpus = broken_corpus(tmp_path / "corpus")
    write_task(corpus / "good2", prompt="Sum the numbers in /root/numbers.txt; write it to /root/answer.txt.")
    write_task(corpus / "good3", prompt="Write the sum of /root/numbers.txt into /root/answer.txt.")
    write_task(corpus / "good4", prompt="What is the total of /root/numbers.txt? Answer in /root/answer.txt.")
    recipe = parse_recipe({
        "name": "grpo-faults", "stages": ["grpo"], "model": {"tiny": {"size": "tiny", "seed": 0}},
        "grpo": {"max_steps": 4, "per_device_train_batch_size": 8, "num_generations": 4, "max_completion_length": 4,
                 "learning_rate": 1e-4, "logging_steps": 1, "save_steps": 100, "dataloader_num_workers": 0},
        "reward": {"timeout_sec": 1, "retries": 0}, "workers": 2,
    })  # fmt: skip
    card = train(recipe, [str(corpus)], tmp_path / "run", progress=False, runtime=local_runtime)
    r = card["metrics"]["grpo"]["rewards"]
    assert card["metrics"]["grpo"]["steps"] == 4
    # 4 steps x 2 prompts are one epoch over the 8 tasks (TRL samples without replacement)
    assert r["rollouts"] == 4 * 8 and r["masked"] >= 4 * 4 and r["scored"] >= 4 * 4
    assert r["masked"] + r["scored"] == r["rollouts"]
    df = pd.read_parquet(tmp_path / "run" / "rollouts.parquet")
    assert len(df) == 32
    broken = df[df.task_id.isin(["crash", "hang", "garbage", "nanreward"])]
    good = df[df.task_id.str.startswith("good")]
    assert set(broken.task_id) == {"crash", "hang", "garbage", "nanreward"}
    assert "verifier_timeout" in r["masked_by_kind"]
    assert broken.reward.isna().all() and (broken.status != "ok").all()
    assert good.reward.notna().all()
    assert set(r["masked_by_kind"]) <= set(broken.failure_kind.fillna(broken.status))
    card_file = json.loads((tmp_path / "run" / "model_card.json").read_text())
    assert card_file["metrics"]["grpo"]["rewards"]["masked"] == r["masked"]
    assert (tmp_path / "run" / "checkpoint" / "model.safetensors").exists()


# a verifier that judges the oracle's answer but crashes (no reward) on an answer built to break it
FRAGILE = ("#!/bin/bash\nmkdir -p /logs/verifier\n"
           "python3 -c \"v = open('/root/answer.txt').read().strip(); assert v != 'BREAK-THE-VERIFIER', 'boom'; "
           "open('/logs/verifier/reward.txt', 'w').write('1.0' if v == '12' else '0.0')\"\n")  # fmt: skip


@pytest.mark.parametrize("isolation", ["trial", "group"])
def test_a_completion_that_breaks_a_sound_verifier_gets_0_not_masked(tmp_path, local_runtime, isolation):
    """The verdict rule in GRPO: the verifier scores the oracle's output, so a completion that makes
    it crash is the completion's failure (reward 0, counted), not a masked row without gradient."""
    from arena.corpus import load_tasks
    from arena.train.rewards import RolloutLog, VerifierReward
    from arena.verdict import AGENT_BROKE_VERIFIER

    write_task(tmp_path / "c" / "fragile", test_sh=FRAGILE)
    tasks, _ = load_tasks([tmp_path / "c"])
    log = RolloutLog(tmp_path)
    fn = VerifierReward(tasks, local_runtime, workers=2, timeout=5.0, retries=0, rollouts=log, num_generations=2,
                        isolation=isolation)  # fmt: skip
    metrics: dict[str, list] = {}
    rewards = fn(prompts=[None] * 2, completions=[[{"role": "assistant", "content": t}] for t in ("12", "BREAK-THE-VERIFIER")],
                 task_id=["fragile", "fragile"], log_metric=lambda k, v: metrics.setdefault(k, []).append(v))  # fmt: skip
    assert rewards == [1.0, 0.0]
    s = fn.stats.to_dict()
    assert s["masked"] == 0 and s["counted_failures_by_kind"] == {AGENT_BROKE_VERIFIER: 1}
    assert metrics["arena/agent_broke_verifier_count"] == [1.0]
    by = {r["reward"]: r for r in log.rows()}
    assert by[0.0]["failure_kind"] == AGENT_BROKE_VERIFIER and by[0.0]["status"] == "ok"
