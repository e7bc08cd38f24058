"""SFT rows from verified transcripts (arena.train.transcript_sft): a transcript becomes training
data only when the verifier scored its trial 1.0, and only if a model could replay its actions."""

from __future__ import annotations

import pytest
from test_harness import Clerk, Policy, _free_port
from test_multiturn import SECRET, dialogue_task

from arena.agents.harness import HarnessAgent
from arena.endpoint import Endpoint
from arena.task import load_task
from arena.train.transcript_sft import NotReplayable, transcript_messages, transcript_rows
from arena.trial import run_trial

SOLVE = "python3 -c \"print(sum(int(x) for x in open('/root/numbers.txt').read().split()))\" > /root/answer.txt"


def test_only_trials_the_verifier_scored_1_become_rows(make_task, local_runtime, tmp_path):
    task, _ = load_task(make_task())
    results = []
    for name, cmd in (("good", SOLVE), ("bad", "echo 11 > /root/answer.txt")):  # 3+4+5 = 12
        with Endpoint(Policy(cmd)) as ep:
            results.append(run_trial(task, HarnessAgent("mini-harness", base_url=ep.url, port=_free_port(), name=name),
                                     local_runtime, log_dir=tmp_path / name))  # fmt: skip
    assert results[0].reward == 1.0 and results[1].status == "ok" and results[1].reward < 1.0
    rows, rejected = transcript_rows(results, [task])
    assert [r["source"] for r in rows] == [results[0].trial_key] and rows[0]["reward"] == 1.0
    assert rejected == {results[1].trial_key: f"verifier scored it {results[1].reward:g} (< 1)"}
    msgs = rows[0]["messages"]
    assert [m["role"] for m in msgs] == ["user", "assistant", "tool", "assistant"]
    assert msgs[0]["content"] == task.spec.prompt
    assert msgs[1]["tool_calls"][0]["function"] == {"name": "bash", "arguments": {"command": SOLVE}}
    assert msgs[2]["name"] == "bash" and msgs[3]["content"] == "The sum is written."
    # a lower bar is the caller's explicit choice
    assert len(transcript_rows(results, min_reward=0.0)[0]) == 2


def test_a_multiturn_dialogue_becomes_one_row_with_every_turn(make_task, local_runtime, tmp_path):
    task, _ = load_task(dialogue_task(make_task))
    with Endpoint(Clerk()) as ep:
        r = run_trial(task, HarnessAgent("mini-harness", base_url=ep.url, port=_free_port()), local_runtime, log_dir=tmp_path / "t")
    assert (r.status, r.reward) == ("ok", 1.0), r.reason
    rows, rejected = transcript_rows([r])
    assert not rejected and len(rows) == 1
    msgs = rows[0]["messages"]
    said = [m["content"] for m in msgs if m["role"] == "assistant"]
    assert said[:2] == ["Which code?", "done"]  # the agent's turns, in order
    users = " ".join(m["content"] for m in msgs if m["role"] == "user")
    assert f"The code is {SECRET}" in users  # the simulated user's reply is in the row (the agent was told it)
    assert SECRET in msgs[-3]["tool_calls"][0]["function"]["arguments"]["command"] and msgs[-1]["role"] == "assistant"


def test_an_exec_style_transcript_is_not_replayable():
    doc = {"steps": [{"step_id": 1, "source": "system", "message": "Do it."},
                     {"step_id": 2, "source": "agent", "message": "done",
                      "tool_calls": [{"tool_call_id": "call_1", "function_name": "exec", "arguments": {"agent": "oracle"}}],
                      "observation": {"results": [{"source_call_id": "call_1", "content": "exit=0"}]}}]}  # fmt: skip
    with pytest.raises(NotReplayable, match="exec-style agent"):
        transcript_messages(doc)
    doc["steps"][1]["tool_calls"][0] = {"tool_call_id": "call_1", "function_name": "python", "arguments": {"code": "1"}}
    with pytest.raises(NotReplayable, match="'python'"):
        transcript_messages(doc)
    with pytest.raises(NotReplayable, match="no user prompt"):
        transcript_messages({"steps": [{"step_id": 1, "source": "agent", "message": "hi"}]})


def test_build_demos_keeps_a_verified_teacher_dialogue(make_task, local_runtime, tmp_path, monkeypatch):
    """The wiring: build_demos's teacher source on a multi-turn task takes the trial's transcript."""
    from arena.train.data import build_demos

    monkeypatch.setenv("ARENA_CACHE", str(tmp_path / "cache"))
    task, _ = load_task(dialogue_task(make_task))
    rep = build_demos([task], local_runtime, tmp_path / "out", mode="tools", teacher={"engine": Clerk()}, progress=False)
    assert rep.kept == 1, rep.rejected
    msgs = rep.rows[0]["messages"]
    assert [m["content"] for m in msgs if m["role"] == "assistant"][:2] == ["Which code?", "done"]
    assert any(m["role"] == "tool" for m in msgs)


def test_rows_from_a_run_folder(make_task, local_runtime, tmp_path):
    """The teacher-stage use: a harness eval's run folder in, its verified transcripts out."""
    from arena.agents.model import run_model
    from arena.runfolder import RunStore

    task, _ = load_task(make_task())
    store = RunStore(tmp_path / "run")
    try:
        res = run_model(Policy(SOLVE), [task], local_runtime, mode="harness:mini-harness", samples=2, workers=1,
                        progress=False, store=store, agent_name="teacher")  # fmt: skip
        store.flush()
    finally:
        store.close()
    assert [r.reward for r in res] == [1.0, 1.0]
    rows, rejected = transcript_rows(tmp_path / "run", [task])
    assert not rejected and sorted(r["source"] for r in rows) == [f"{task.id}/teacher/0", f"{task.id}/teacher/1"]
    assert all(r["domain"] == task.domain and r["messages"][1]["tool_calls"] for r in rows)
