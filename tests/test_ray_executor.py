"""The Ray executor (a local cluster bound to 127.0.0.1) gives the same results as the local pool,
with the same resumability: for run_batch and for `arena eval`."""

import pandas as pd
import pytest

from arena.agents.base import NopAgent, OracleAgent
from arena.batch import TrialSpec, run_batch
from arena.runfolder import RunStore
from arena.task import load_task
from tests.conftest import write_task

pytestmark = [pytest.mark.slow, pytest.mark.bwrap]
ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def executor():
    from arena.executors import RayExecutor

    ex = RayExecutor(workers=2)
    yield ex
    ex.shutdown()


def test_ray_matches_the_local_pool_and_resumes(make_task, local_runtime, tmp_path, executor):
    tasks = [load_task(make_task(f"t{i}"))[0] for i in range(3)]
    weak = load_task(make_task("weak", test_sh="#!/bin/bash\nmkdir -p /logs/verifier; echo 1 > /logs/verifier/reward.txt\n"))[0]
    specs = [TrialSpec(t, a, 0) for t in [*tasks, weak] for a in (OracleAgent(), NopAgent())]
    pool = run_batch(specs, local_runtime, store=RunStore(tmp_path / "pool"), workers=2, progress=False)
    on_ray = run_batch(specs[:5], local_runtime, store=RunStore(tmp_path / "ray"), executor=executor, progress=False)
    assert len(on_ray) == 5
    on_ray = run_batch(specs, local_runtime, store=RunStore(tmp_path / "ray"), executor=executor, progress=False)

    def table(rs):
        return sorted((r.task_id, r.agent, r.status, r.reward) for r in rs)

    assert table(on_ray) == table(pool)
    assert ("weak", "nop", "ok", 1.0) in table(on_ray)
    assert (tmp_path / "ray" / "trials" / "t0" / "oracle-0" / "result.json").exists()  # logs written by workers


class _Scripted:
    """An engine that answers each task's prompt from a table (no model): rewards known in advance."""

    name = "scripted"

    def __init__(self, answers: dict[str, str]):
        self.answers = answers

    def chat(self, conversations, *, tools=None, max_new_tokens=64, temperature=0.0, n=1, seed=None):
        from arena.engines import Completion

        return [Completion(self.answers.get(c[-1]["content"], "?")) for c in conversations for _ in range(n)]


@pytest.fixture
def eval_suite(tmp_path):
    """t0, t2 answered right (1.0), t1 wrong (0.25), t3's verifier writes no reward (verifier_error)."""
    root, answers = tmp_path / "suite", {}
    for i in range(4):
        prompt = f"Task {i}: add the numbers in /root/numbers.txt and write the sum to /root/answer.txt."
        answers[prompt] = "12" if i % 2 == 0 else "13"
        write_task(root / f"t{i}", prompt=prompt, test_sh="#!/bin/bash\nexit 3\n" if i == 3 else None)
    return root, answers


def _table(out):
    df = pd.read_parquet(out / "trials.parquet")
    return sorted(zip(df.task_id, df["sample"], df.status, df.reward.fillna(-1))), df


def test_eval_on_ray_matches_the_local_pool_and_resumes_across_executors(eval_suite, local_runtime, tmp_path,
                                                                         executor):  # fmt: skip
    from arena.evaluate import evaluate

    suite, answers = eval_suite
    kw = dict(suite=suite, samples=2, runtime=local_runtime, progress=False, engine_obj=_Scripted(answers))
    pool = evaluate("scripted", out=tmp_path / "pool", **kw)
    on_ray = evaluate("scripted", out=tmp_path / "ray", executor=executor, **kw)
    assert on_ray["executor"] == "ray" and pool["executor"] == "local"
    assert on_ray["summary"] == pool["summary"] and pool["summary"]["verifier_errors"] == 2
    assert _table(tmp_path / "ray")[0] == _table(tmp_path / "pool")[0]
    assert {(t, r) for t, _, _, r in _table(tmp_path / "ray")[0]} == {
        ("t0", 1.0), ("t1", 0.25), ("t2", 1.0), ("t3", -1)}  # fmt: skip
    # resume across executors: half of the local run is forgotten, Ray finishes only that half
    store = RunStore(tmp_path / "pool")
    kept = dict(zip(*[_table(tmp_path / "pool")[1][c] for c in ("trial_key", "started_at")]))
    gone = set(sorted(kept)[::2])
    store.forget(gone)
    store.flush()
    evaluate("scripted", out=tmp_path / "pool", executor=executor, **kw)
    rows, df = _table(tmp_path / "pool")
    assert rows == _table(tmp_path / "ray")[0] and df.trial_key.is_unique
    again = dict(zip(df.trial_key, df.started_at))
    assert all(again[k] == v for k, v in kept.items() if k not in gone)  # finished trials were not re-run
    assert all(again[k] != kept[k] for k in gone)


def test_cli_eval_executor_ray(eval_suite, local_runtime, tmp_path, executor, monkeypatch, capsys):
    import json

    import arena.engines
    from arena.cli.main import main

    suite, answers = eval_suite
    monkeypatch.setattr(arena.engines, "get_engine", lambda name, **kw: _Scripted(answers))
    rc = main(["eval", "scripted", "--suite", str(suite), "--out", str(tmp_path / "e"), "--runtime", "local",
               "--executor", "ray", "-j", "2", "--json"])  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0 and doc["executor"] == "ray" and doc["summary"]["pass_rate"] == 0.6667
    rc = main(["eval", "scripted", "--suite", str(suite), "--out", str(tmp_path / "t"), "--runtime", "local",
               "--executor", "ray", "--mode", "tools", "--json"])  # fmt: skip
    assert rc == 1 and "needs an endpoint" in capsys.readouterr().err


def _family_tasks(root):
    """Three generated family tasks (two families) and, per task, the right answer."""
    from arena.corpus import load_tasks
    from arena.families import generate, instances

    answers = {}
    for family, n in (("unit-convert", 2), ("invoice-total", 1)):
        generate(family, n, 3, root)
        answers.update({g.task_id: g.answer for g in instances(family, n, 3)})
    tasks, _ = load_tasks([root])
    return tasks, answers


@pytest.mark.parametrize("isolation", ["trial", "group"])
def test_grpo_rewards_on_ray_match_the_local_pool(tmp_path, local_runtime, executor, isolation):
    """The same completions (right, wrong, garbage) over generated family tasks get the same rewards."""
    from arena.train.rewards import VerifierReward

    tasks, answers = _family_tasks(tmp_path / "c")
    ids, texts = [], []
    for tid, right in sorted(answers.items()):
        ids += [tid] * 3
        texts += [right, str(int(right) + 7), "\x00 ¯\\_(ツ)_/¯ " * 50]
    completions = [[{"role": "assistant", "content": t}] for t in texts]
    scores = {}
    for name, ex in (("local", None), ("ray", executor)):
        fn = VerifierReward(tasks, local_runtime, workers=2, retries=0, num_generations=3, executor=ex,
                            isolation=isolation)  # fmt: skip
        scores[name] = fn(prompts=[None] * len(ids), completions=completions, task_id=ids)
    assert scores["ray"] == scores["local"]
    assert scores["local"][0::3] == [1.0] * 3  # the right answers
    assert all(r is not None and r < 1.0 for r in scores["local"][1::3] + scores["local"][2::3])
