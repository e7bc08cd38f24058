"""Multi-turn trials (arena/scenes.py, arena/multiturn.py, arena/transcript.py): what a task declares
is run as declared or refused before launch with the key named; the scripted and model-backed
users; private facts reach the user simulator only; turn caps; the ATIF transcript; `arena show`."""

from __future__ import annotations

import json

import pytest

from arena.agents.base import NopAgent, OracleAgent, ScriptAgent
from arena.checks import check_task
from arena.engines import Completion
from arena.multiturn import EngineUser, ScriptedUser, make_user
from arena.scenes import UserDecl
from arena.task import load_task
from arena.trial import run_trial

SECRET = "zebra-4471"  # a private fact no agent-visible text contains

# a dialogue task: the user asks, the agent must ask back for the code, then write it to answer.txt
DIALOGUE_FM = """\
agents:
  roles:
    clerk: {agent: policy, capabilities: [bash]}
scenes:
- name: talk
  turns: [{role: user}, {role: clerk%(turn_extra)s}]
  max_rounds: 3
- name: write
  turns: [{role: clerk}]
user:
  model: scripted
  private_facts: {code: %(secret)s}
"""
DIALOGUE_BODY = """
## prompt

Help the visitor. Python 3 is available.

## scene:talk

The visitor talks to you. Find out what they need; say "done" when you know.

## scene:write

Write what the visitor told you to /root/answer.txt.

## user-persona

A visitor with a code to file.

```yaml
opening: "Hello, I need to file a code."
replies:
- when: [code, which]
  say: "The code is {code}."
default: "Is there anything you want to ask me?"
satisfied_when: [done]
satisfied_say: "Thank you."
```
"""
# the verifier reads the answer and the transcript
DIALOGUE_TEST = f"""#!/bin/bash
mkdir -p /logs/verifier
ans=$(cat /root/answer.txt 2>/dev/null)
if [ "$ans" = "{SECRET}" ] && [ -f "$ARENA_TRANSCRIPT" ]; then echo 1.0; else echo 0.0; fi > /logs/verifier/reward.txt
"""
DIALOGUE_SOLVE = """#!/bin/bash
if [ "$ARENA_SCENE" = talk ]; then
  if grep -q 'The code is' "$ARENA_DIALOGUE_FILE"; then echo done > "$ARENA_REPLY_FILE"
  else echo 'Which code?' > "$ARENA_REPLY_FILE"; fi
else
  python3 -c "import json,re; s=' '.join(m['content'] for m in json.load(open('$ARENA_DIALOGUE_FILE'))); print(re.search(r'code is (\\S+)\\.', s).group(1))" > /root/answer.txt
fi
"""


def dialogue_task(make_task, *, turn_extra="", fm_extra="", body=DIALOGUE_BODY, name=None):
    fm = DIALOGUE_FM % {"turn_extra": turn_extra, "secret": SECRET} + fm_extra
    return make_task(name, extra_frontmatter=fm, body=body, agent_extra="", test_sh=DIALOGUE_TEST, solve_sh=DIALOGUE_SOLVE)


class NeverStarts:
    """A runtime that records whether anything was prepared or started."""

    name = "never"

    def __init__(self):
        self.calls = []

    def prepare(self, task, **kw):
        self.calls.append("prepare")
        raise AssertionError("prepare must not be reached")

    def start(self, *a, **kw):
        self.calls.append("start")
        raise AssertionError("start must not be reached")


def _errors(path):
    _, findings = check_task(path)
    return [f for f in findings if f.severity == "error"]


# -- declarations ------------------------------------------------------------------------------
def test_structure_is_parsed_with_prompt_precedence(make_task):
    task, findings = load_task(dialogue_task(make_task, turn_extra=", prompt: 'Turn-level prompt.'"))
    assert not [f for f in findings if f.severity == "error"], findings
    st = task.spec.structure
    assert [s.name for s in st.scenes] == ["talk", "write"]
    assert st.roles["clerk"].capabilities == ("bash",)
    assert st.user.scripted and st.user.private_facts == {"code": SECRET}
    assert st.rounds(st.scenes[0]) == 3 and st.rounds(st.scenes[1]) == 1
    from arena.scenes import turn_prompt

    sections = {"prompt": task.spec.prompt, "roles": task.spec.roles, "scenes": task.spec.scenes}
    assert turn_prompt(sections, st.scenes[0], st.scenes[0].turns[1])[0] == "Turn-level prompt."  # turn > scene
    assert turn_prompt(sections, st.scenes[1], st.scenes[1].turns[0])[0].startswith("Write what")  # scene > base
    # a single-turn task has no structure and runs as before
    plain, _ = load_task(make_task())
    assert plain.spec.structure is None


@pytest.mark.parametrize(
    "turn_extra, fm_extra, key, rule",
    [
        ("", "stop_rule: {until: forever}\n", "stop_rule.until", "multiturn.unsupported"),
        (", mode: parallel", "", "scenes[0].turns[1].mode", "multiturn.unsupported"),
        ("", "", None, None),  # the control: the same task without the defect is clean
    ],
)
def test_unsupported_keys_are_errors_naming_the_key(make_task, turn_extra, fm_extra, key, rule):
    errs = _errors(dialogue_task(make_task, turn_extra=turn_extra, fm_extra=fm_extra))
    if key is None:
        assert errs == []
    else:
        assert any(f.rule == rule and f"`{key}`" in f.message for f in errs), errs


@pytest.mark.parametrize(
    "replace, key, rule",
    [
        ("{role: user}, {role: clerk}]", "scenes[0].turns[1].role", "multiturn.undeclared-role"),
        ("{agent: policy, capabilities: [bash]}", "agents.roles.clerk.agent", "multiturn.unsupported"),
        ("capabilities: [bash]}", "agents.roles.clerk.capabilities", "multiturn.unsupported"),
        ("{agent: policy,", "agents.roles.clerk.model", "multiturn.unsupported"),
        ("model: scripted", "user.engine", "multiturn.unsupported"),
    ],
)
def test_bad_declarations_are_findings(make_task, replace, key, rule):
    subst = {
        "scenes[0].turns[1].role": "{role: user}, {role: cashier}]",
        "agents.roles.clerk.agent": "{agent: claude-code, capabilities: [bash]}",
        "agents.roles.clerk.capabilities": "capabilities: [browser]}",
        "agents.roles.clerk.model": "{agent: policy, model: gpt-x,",
        "user.engine": "model: some-model\n  engine: carrier-pigeon",
    }[key]
    root = dialogue_task(make_task)
    md = root / "task.md"
    md.write_text(md.read_text().replace(replace, subst, 1))
    errs = _errors(root)
    assert any(f.rule == rule and f"`{key}" in f.message for f in errs), errs


def test_missing_parts_are_findings(make_task):
    # a scene without a prompt section, a user turn with no user declared, a scripted user without script
    root = dialogue_task(make_task, body=DIALOGUE_BODY.replace("## scene:write", "## notes"))
    assert any(f.rule == "body.missing-part" and "scene `write`" in f.message for f in _errors(root))
    root = dialogue_task(make_task, name="nouser")
    md = root / "task.md"
    md.write_text(md.read_text().replace(f"user:\n  model: scripted\n  private_facts: {{code: {SECRET}}}\n", ""))
    assert any(f.rule == "multiturn.missing" and "no simulated user" in f.message for f in _errors(root))
    root = dialogue_task(make_task, name="noscript", body=DIALOGUE_BODY.split("```yaml")[0])
    assert any(f.rule == "multiturn.script" for f in _errors(root))


def test_a_private_fact_in_an_agent_visible_prompt_is_an_error(make_task):
    body = DIALOGUE_BODY.replace("Help the visitor.", f"Help the visitor (their code is {SECRET}).")
    errs = _errors(dialogue_task(make_task, body=body))
    assert any(f.rule == "multiturn.private-fact-leak" and "private_facts.code" in f.message for f in errs)


def test_unsupported_task_is_refused_before_launch(make_task, tmp_path):
    root = dialogue_task(make_task)
    md = root / "task.md"
    md.write_text(md.read_text().replace("agent: policy", "agent: claude-code"))
    task, _ = load_task(root)
    rt = NeverStarts()
    r = run_trial(task, OracleAgent(), rt, log_dir=tmp_path / "logs")
    assert (r.status, r.failure_kind) == ("infra_error", "unsupported")
    assert "agents.roles.clerk.agent" in r.reason and rt.calls == []
    from arena.validate import validate_paths

    rep = validate_paths([str(root)], runtime=rt, progress=False)
    assert rt.calls == [] and rep.rows[0]["passed"] is False and rep.rows[0]["skipped"] == "static errors"


def test_unloadable_user_model_is_a_trial_status_before_launch(make_task, tmp_path):
    pytest.importorskip("transformers")
    root = dialogue_task(make_task)
    md = root / "task.md"
    md.write_text(md.read_text().replace("model: scripted", f"model: {tmp_path}/no-such-checkpoint"))
    task, findings = load_task(root)
    assert not [f for f in findings if f.severity == "error"]  # statically fine: a path is a model name
    rt = NeverStarts()
    r = run_trial(task, OracleAgent(), rt, log_dir=tmp_path / "logs")
    assert (r.status, r.failure_kind) == ("infra_error", "user_model") and "no-such-checkpoint" in r.reason
    assert rt.calls == []


# -- users ---------------------------------------------------------------------------------------
def test_scripted_user_is_deterministic_and_fills_private_facts():
    script = {"opening": "Hi.", "replies": [{"when": ["deadline"], "say": "By {day}."}, {"when": ["format"], "say": "CSV."}],
              "default": "Go on.", "satisfied_when": ["all set"], "satisfied_say": "Bye."}  # fmt: skip
    u = ScriptedUser(UserDecl(script=script, private_facts={"day": "Thursday"}))
    assert u.opening() == ("Hi.", False)
    assert u.reply("What is the deadline and the format?", []) == ("By Thursday.\nCSV.", False)
    assert u.reply("Tell me more", []) == ("Go on.", False)
    assert u.reply("OK, all set!", []) == ("Bye.", True)
    assert u.reply("Deadlines?", []) == ScriptedUser(UserDecl(script=script, private_facts={"day": "Thursday"})).reply(
        "Deadlines?", [])  # fmt: skip


class FakeEngine:
    """Records the conversations it gets; answers from a list."""

    name = "fake"

    def __init__(self, answers):
        self.answers, self.seen = list(answers), []

    def chat(self, conversations, **kw):
        self.seen.append(conversations[0])
        return [Completion(self.answers.pop(0) if self.answers else "", tokens=3)]


def test_model_user_gets_the_private_facts_and_its_stop_mark():
    eng = FakeEngine(["I need a code filed.", f"It is {SECRET}. [SATISFIED]"])
    u = EngineUser(UserDecl(model="m", persona="A visitor.", private_facts={"code": SECRET}), eng)
    assert u.opening() == ("I need a code filed.", False)
    history = [{"speaker": "user", "content": "I need a code filed."}, {"speaker": "clerk", "content": "Which code?"}]
    assert u.reply("Which code?", history) == (f"It is {SECRET}.", True)
    system = eng.seen[-1][0]
    assert system["role"] == "system" and SECRET in system["content"] and "A visitor." in system["content"]
    assert [m["role"] for m in eng.seen[-1][1:]] == ["assistant", "user"]  # the user's own words are its turns


def test_user_endpoint_that_does_not_answer_is_a_trial_status(make_task, local_runtime, tmp_path):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    root = dialogue_task(make_task)
    md = root / "task.md"
    md.write_text(md.read_text().replace("model: scripted", f"model: m\n  engine: openai\n  base_url: http://127.0.0.1:{port}/v1"))
    task, _ = load_task(root)
    r = run_trial(task, OracleAgent(), local_runtime, log_dir=tmp_path / "logs")
    assert (r.status, r.failure_kind) == ("infra_error", "user_model") and "did not answer" in r.reason
    assert make_user(task.spec.structure.user) is not None  # building it is fine; answering is what failed
    assert (tmp_path / "logs" / "trajectory.json").is_file()  # what happened before is kept


# -- trials ---------------------------------------------------------------------------------------
def test_oracle_dialogue_scores_and_private_facts_stay_with_the_user(make_task, local_runtime, tmp_path):
    task, _ = load_task(dialogue_task(make_task))
    r = run_trial(task, OracleAgent(), local_runtime, log_dir=tmp_path / "o")
    assert (r.status, r.reward) == ("ok", 1.0), r.reason
    assert r.side_info["transcript"] == "trajectory.json"
    doc = json.loads((tmp_path / "o" / "trajectory.json").read_text())
    steps = doc["steps"]
    assert doc["schema_version"] == "ATIF-v1.4" and [s["step_id"] for s in steps] == list(range(1, len(steps) + 1))
    seq = [(s["source"], s["extra"].get("scene"), s["extra"].get("role")) for s in steps]
    assert seq == [("user", "talk", "user"), ("system", "talk", "clerk"), ("agent", "talk", "clerk"),
                   ("user", "talk", "user"), ("system", "talk", "clerk"), ("agent", "talk", "clerk"),
                   ("user", "talk", "user"), ("system", "write", "clerk"), ("agent", "write", "clerk")]  # fmt: skip
    assert steps[3]["message"] == f"The code is {SECRET}."  # revealed only when asked
    assert SECRET not in json.dumps([s for s in steps if s["source"] == "system"])
    assert doc["extra"]["private_facts"] == ["code"] and SECRET not in json.dumps(doc["extra"])
    # nop never asks, so never learns the code
    r = run_trial(task, NopAgent(), local_runtime, log_dir=tmp_path / "n")
    assert (r.status, r.reward) == ("ok", 0.0)
    nop = json.loads((tmp_path / "n" / "trajectory.json").read_text())
    assert SECRET not in json.dumps(nop) and r.side_info["agent"]["unsatisfied_scenes"] == ["talk"]


def test_what_an_agent_sees_holds_no_private_fact(make_task, local_runtime, tmp_path):
    # the agent dumps its environment and every turn file into its reply (its trigger words defused,
    # so it never asks for the code)
    spy = ScriptAgent('{ env; cat "$ARENA_PROMPT_FILE" "$ARENA_INSTRUCTIONS_FILE" "$ARENA_DIALOGUE_FILE"; '
                      'ls -R /logs /root 2>&1; } | sed "s/code/c0de/g; s/done/d0ne/g; s/which/wh1ch/g" '
                      '> "$ARENA_REPLY_FILE"', name="spy")  # fmt: skip
    task, _ = load_task(dialogue_task(make_task))
    r = run_trial(task, spy, local_runtime, log_dir=tmp_path / "s")
    doc = json.loads((tmp_path / "s" / "trajectory.json").read_text())
    seen = [s["message"] for s in doc["steps"] if s["source"] == "agent"]
    assert len(seen) == 4 and "ARENA_ROLE=clerk" in seen[0] and "Hello, I need to file a c0de." in seen[0]
    assert not any(SECRET in m for m in seen) and r.reward == 0.0


def test_a_turn_over_its_cap_is_a_timeout_naming_the_turn(make_task, local_runtime, tmp_path):
    task, _ = load_task(dialogue_task(make_task, turn_extra=", timeout_sec: 1"))
    r = run_trial(task, ScriptAgent("sleep 20", name="slow"), local_runtime, log_dir=tmp_path / "t")
    assert (r.status, r.failure_kind) == ("timeout", "agent_timeout")
    assert "clerk turn of scene talk" in r.reason and "timeout_sec = 1s cap" in r.reason
    assert r.agent_sec < 15


def test_pinned_role_is_played_by_its_agent(make_task, local_runtime, tmp_path):
    # the clerk pinned to the oracle: even the nop agent under test then scores 1.0
    root = dialogue_task(make_task)
    md = root / "task.md"
    md.write_text(md.read_text().replace("agent: policy", "agent: oracle"))
    task, _ = load_task(root)
    r = run_trial(task, NopAgent(), local_runtime, log_dir=tmp_path / "p")
    assert (r.status, r.reward) == ("ok", 1.0)
    doc = json.loads((tmp_path / "p" / "trajectory.json").read_text())
    assert {s["extra"]["agent"] for s in doc["steps"] if s["source"] == "agent"} == {"oracle"}


class ScriptedPolicy(FakeEngine):
    """A fake model that asks for the code, then writes it with a bash tool call."""

    def chat(self, conversations, tools=None, **kw):
        conv = conversations[0]
        self.seen.append(conv)
        text = " ".join(str(m.get("content")) for m in conv)
        if "scene `talk`" in conv[0]["content"]:
            return [Completion("done" if "The code is" in text else "Which code do you have?", tokens=4)]
        if conv[-1]["role"] == "tool":
            return [Completion("Written.", tokens=2)]
        code = text.split("The code is ")[1].split(".")[0]
        call = {"type": "function", "function": {"name": "bash", "arguments": {"command": f"echo {code} > /root/answer.txt"}}}
        return [Completion("", [call], tokens=7)]


def test_model_agent_plays_roles_with_tools_and_tokens_in_the_transcript(make_task, local_runtime, tmp_path):
    from arena.agents.model import GenOptions, ModelAgent

    task, _ = load_task(dialogue_task(make_task))
    eng = ScriptedPolicy([])
    agent = ModelAgent(eng, mode="tools", options=GenOptions(max_new_tokens=32), name="fake-model")
    r = run_trial(task, agent, local_runtime, log_dir=tmp_path / "m")
    assert (r.status, r.reward) == ("ok", 1.0), r.reason
    doc = json.loads((tmp_path / "m" / "trajectory.json").read_text())
    write = [s for s in doc["steps"] if s["source"] == "agent" and s["extra"]["scene"] == "write"][0]
    call = write["tool_calls"][0]
    assert call["function_name"] == "bash" and SECRET in call["arguments"]["command"]
    assert write["observation"]["results"][0]["source_call_id"] == call["tool_call_id"]
    assert write["metrics"]["completion_tokens"] == 9 and doc["final_metrics"]["total_completion_tokens"] == 4 + 4 + 9
    assert all(SECRET not in json.dumps(c[:2]) for c in eng.seen)  # the system + prompt never carry it


def test_arena_show_prints_the_transcript(make_task, local_runtime, tmp_path, capsys):
    from arena.batch import TrialSpec, run_batch
    from arena.cli.main import main
    from arena.runfolder import RunStore

    task, _ = load_task(dialogue_task(make_task))
    store = RunStore(tmp_path / "run")
    run_batch([TrialSpec(task, OracleAgent(), 0)], local_runtime, store=store, progress=False)
    store.close()
    assert main(["show", str(tmp_path / "run"), f"{task.id}/oracle/0"]) == 0
    out = capsys.readouterr().out
    assert "status=ok reward=1.0" in out and "[4] user (scene=talk role=user round=2)" in out and f"The code is {SECRET}" in out
    assert main(["show", str(tmp_path / "run" / "trials" / task.id / "oracle-0"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["schema_version"] == "ATIF-v1.4"
    plain, _ = load_task(make_task())
    run_trial(plain, OracleAgent(), local_runtime, log_dir=tmp_path / "plain")
    assert main(["show", str(tmp_path / "plain")]) == 1
    assert "no trajectory.json" in capsys.readouterr().out


def test_transcript_render_and_load_reject_non_atif(tmp_path):
    from arena.transcript import Transcript, load, render

    t = Transcript("s1", "a")
    t.user("hi", scene="x", role="user", round=1)
    t.agent("ok", tool_calls=[("bash", {"command": "ls"}, "exit=0")], completion_tokens=5, scene="x", role="r", round=1)
    path = t.write(tmp_path / "t.json")
    t.finish()
    text = render(load(t.write(path)))
    assert "$ bash {\"command\": \"ls\"}" in text and "completion_tokens=5" in text
    (tmp_path / "bad.json").write_text(json.dumps({"steps": []}))
    with pytest.raises(ValueError, match="not an ATIF trajectory"):
        load(tmp_path / "bad.json")


@pytest.mark.slow
def test_a_transformers_user_model_plays_the_user(make_task, local_runtime, tiny_model, tmp_path):
    # a real (tiny, random) checkpoint as the simulated user: the dialogue runs to max_rounds
    root = dialogue_task(make_task)
    md = root / "task.md"
    md.write_text(md.read_text().replace("model: scripted", f"model: {tiny_model}\n  max_new_tokens: 8"))
    task, findings = load_task(root)
    assert not [f for f in findings if f.severity == "error"], findings
    r = run_trial(task, OracleAgent(), local_runtime, log_dir=tmp_path / "u")
    assert r.status == "ok" and r.reward == 0.0, r.reason  # a random model never says the code
    doc = json.loads((tmp_path / "u" / "trajectory.json").read_text())
    users = [s for s in doc["steps"] if s["source"] == "user"]
    assert len(users) == 3 and {s["extra"]["user"] for s in users} == {"model"}
