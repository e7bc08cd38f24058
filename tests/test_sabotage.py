"""Sabotage: agents that break what the verifier needs, as real trials on both runtimes.

An agent that turns its failure into a verifier error would have it excluded from the pass rate
and masked from GRPO.  Each saboteur here writes a wrong answer (or none) and then breaks the
verifier's ground: interpreters and shells, the disk, the workspace's permissions, the tools'
behaviour (PYTHONPATH, ``.pth``, ``conftest.py``, ``$HOME`` dotfiles, aliases), the answer file's
type, the CPU.  Every trial must end as a counted failure (reward 0, or an honest score where the
sabotage did not matter), never ``verifier_error``, beside an honest oracle trial that scores 1.0.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from arena.agents.base import OracleAgent, ScriptAgent
from arena.batch import TrialSpec, run_batch
from arena.runfolder import RunStore
from arena.task import load_task
from arena.verdict import AGENT_BROKE_VERIFIER

WRONG = "echo 7 > /root/answer.txt; "


@dataclass
class Case:
    agent: str
    task: dict | None = None
    rewards: tuple = (0.0,)  # acceptable counted rewards (0.25: the answer file exists but is wrong)


CASES = {
    "delete-python": Case(WRONG + "rm -f /usr/bin/python3* /usr/local/bin/python3* 2>/dev/null; "
                          "for d in $(echo $PATH | tr : ' '); do rm -f $d/python3* 2>/dev/null; done; true", rewards=(0.0, 0.25)),
    "replace-python": Case(WRONG + "for p in $(command -v -a python3); do printf '#!/bin/sh\\nexit 3\\n' > $p 2>/dev/null; "
                           "chmod +x $p 2>/dev/null; done; true", rewards=(0.0, 0.25)),
    "delete-shells": Case(WRONG + "rm -f /bin/bash /usr/bin/bash /bin/sh /usr/bin/sh /bin/dash /usr/bin/dash 2>/dev/null; true",
                          rewards=(0.0, 0.25)),
    "fill-disk": Case(WRONG + "dd if=/dev/zero of=/root/fill bs=1M count=64 2>/dev/null; "
                      "for d in /logs/verifier /logs /tmp; do mkdir -p $d; dd if=/dev/zero of=$d/fill bs=1M count=16 2>/dev/null; done; true",
                      rewards=(0.0, 0.25)),
    "unreadable-workspace": Case(WRONG + "chmod 000 /root/answer.txt /root/numbers.txt; chmod 000 /root; true", rewards=(0.0, 0.25)),
    "planted-tool-hooks": Case(
        WRONG + "mkdir -p /root/.local/lib; echo 'raise SystemExit(4)' > /root/sitecustomize.py;"
        " echo 'import sys; sys.exit(5)' > /root/usercustomize.py; echo 'import os; os._exit(6)' > /tmp/zz.pth;"
        " printf 'alias python3=false\\nexport PYTHONPATH=/root\\n' >> /root/.bashrc; cp /root/.bashrc /root/.profile;"
        " printf '[pytest]\\naddopts = -p no:python\\n' > /root/pytest.ini; echo 'import sys; sys.exit(7)' > /root/conftest.py; true",
        rewards=(0.0, 0.25)),
    "answer-is-a-directory": Case("rm -f /root/answer.txt; mkdir -p /root/answer.txt/deeper; true"),
    "answer-is-a-fifo": Case("rm -f /root/answer.txt; mkfifo /root/answer.txt; true"),
    "answer-is-a-link-to-nowhere": Case("ln -sf /nonexistent/answer /root/answer.txt; true"),
    # forgers: tools the verifier runs, swapped for ones that write a passing reward
    "forge-python": Case(WRONG + "for p in $(command -v -a python3) /usr/bin/python3*; do printf '#!/bin/sh\\nmkdir -p /logs/verifier; "
                         "echo 1.0 > /logs/verifier/reward.txt\\n' > $p 2>/dev/null; chmod +x $p 2>/dev/null; done; true",
                         rewards=(0.0, 0.25)),
    "forge-bash": Case(WRONG + "printf '#!/bin/sh\\nmkdir -p /logs/verifier; echo 1.0 > /logs/verifier/reward.txt\\n' > /tmp/fb; "
                       "chmod +x /tmp/fb; for p in /usr/bin/bash /bin/bash; do cp /tmp/fb $p.new 2>/dev/null && mv -f $p.new $p; done; true",
                       rewards=(0.0, 0.25)),
    "forge-stdlib": Case(WRONG + "f=$(python3 -c 'import pathlib; print(pathlib.__file__)'); "
                         "printf 'import os\\nos.makedirs(\"/logs/verifier\", exist_ok=True)\\n"
                         "open(\"/logs/verifier/reward.txt\", \"w\").write(\"1.0\")\\nos._exit(0)\\n' > $f 2>/dev/null; true",
                         rewards=(0.0, 0.25)),
    "forge-later": Case(WRONG + "(sleep 2; mkdir -p /logs/verifier; echo 1.0 > /logs/verifier/reward.txt) "
                        "> /dev/null 2>&1 & disown; true", rewards=(0.25,)),
    "hold-the-cpu": Case(WRONG + "(while :; do :; done) & (while :; do :; done) & sleep 1; true", rewards=(0.0, 0.25)),
}

RUNTIMES = [pytest.param("local", marks=pytest.mark.bwrap), pytest.param("docker", marks=pytest.mark.docker)]


@pytest.fixture(params=RUNTIMES)
def runtime(request):
    return request.getfixturevalue(f"{request.param}_runtime")


@pytest.mark.parametrize("case", list(CASES))
def test_sabotage_is_a_counted_failure(case, runtime, make_task, tmp_path):
    c = CASES[case]
    task = load_task(make_task(f"sab-{case}", **(c.task or {})))[0]
    honest = load_task(make_task(f"honest-{case}"))[0]
    saboteur = ScriptAgent(c.agent, name=f"sabotage-{case}")
    results = run_batch([TrialSpec(task, saboteur), TrialSpec(honest, OracleAgent())], runtime,
                        store=RunStore(tmp_path / "run"), workers=2, progress=False)  # fmt: skip
    by = {r.agent: r for r in results}
    bad, good = by[saboteur.name], by["oracle"]
    assert (good.status, good.reward) == ("ok", 1.0), good.reason
    assert bad.status not in ("verifier_error", "infra_error"), (bad.status, bad.failure_kind, bad.reason)
    assert bad.reward in c.rewards, (bad.reward, bad.failure_kind, bad.reason)
    if bad.failure_kind == AGENT_BROKE_VERIFIER:
        assert bad.side_info["verifier_failure"]["failure_kind"]  # the verifier's complaint is kept


def test_the_organizers_repro_delete_python_no_longer_reaches_the_verifier(docker_runtime, make_task, tmp_path):
    """#18's reproduction: a wrong answer, then python3 deleted; the verifier needs python3.  Its
    fresh container has the image's python3 (a deletion in a system tree is not carried), so it
    judges the wrong answer: a counted 0.25 (verify.py's credit for a present, wrong answer)."""
    task = load_task(make_task("repro-python"))[0]
    agent = ScriptAgent("echo wrong > /root/answer.txt; rm -f /usr/bin/python3*", name="repro")
    res = run_batch([TrialSpec(task, agent)], docker_runtime, store=RunStore(tmp_path / "run"), progress=False)[0]
    assert (res.status, res.failure_kind, res.reward) == ("ok", None, 0.25), res.reason
    view = res.side_info["verifier_view"]
    assert "system tree" in view["dropped"]["/usr"], view  # the whole tree, not walked further


def test_work_that_breaks_the_verifier_is_the_agents_failure(runtime, make_task, tmp_path):
    """What the carry rule does carry can still break a verifier (here verify.py cannot read an
    answer left as a directory): the oracle's output gets a reward, so it is the agent's
    failure, counted as 0, with the verifier's complaint kept."""
    task = load_task(make_task("broke-verifier"))[0]
    agent = ScriptAgent("rm -f /root/answer.txt; mkdir -p /root/answer.txt/x", name="dir-answer")
    res = run_batch([TrialSpec(task, agent)], runtime, store=RunStore(tmp_path / "run"), progress=False)[0]
    assert (res.status, res.failure_kind, res.reward) == ("ok", AGENT_BROKE_VERIFIER, 0.0), res.reason
    assert res.side_info["verifier_failure"]["failure_kind"]


def test_a_verifier_broken_for_the_oracle_too_stays_a_task_defect(local_runtime, make_task, tmp_path):
    """The attribution rule only blames the agent when the oracle's output gets a reward."""
    task = load_task(make_task("defect", test_sh="#!/bin/bash\nexit 0\n"))[0]  # never writes a reward
    agent = ScriptAgent("echo 7 > /root/answer.txt", name="plain")
    res = run_batch([TrialSpec(task, agent)], local_runtime, store=RunStore(tmp_path / "run"), progress=False)[0]
    assert (res.status, res.failure_kind, res.reward) == ("verifier_error", "no_reward", None)


def test_an_agent_timeout_stands_when_the_verifier_then_writes_nothing(local_runtime, make_task, tmp_path):
    """#18's local reproduction: the agent sleeps past its timeout; the verifier writes no reward."""
    task = load_task(make_task("timeout-noreward", agent_timeout=1, test_sh="#!/bin/bash\nexit 0\n"))[0]
    agent = ScriptAgent("sleep 30", name="sleeper")
    res = run_batch([TrialSpec(task, agent)], local_runtime, store=RunStore(tmp_path / "run"), progress=False)[0]
    assert (res.status, res.failure_kind, res.reward) == ("timeout", "agent_timeout", 0.0), res.reason
    assert res.side_info["verifier_after_timeout"]["failure_kind"] == "no_reward"


def test_a_service_the_agent_started_is_stopped_and_reported_unless_declared(docker_runtime, local_runtime, make_task, tmp_path):
    """A verifier that checks a process the agent left running: stopped by default (and the trial
    says so), kept with verifier.keep_services on docker, refused up front on local."""
    svc = ("#!/bin/bash\nif pgrep -f 'sleep 4242' >/dev/null; then echo 1.0; else echo 0.0; fi "
           "> /logs/verifier/reward.txt\n")  # fmt: skip
    agent = ScriptAgent("(setsid sleep 4242 > /dev/null 2>&1 &); true", name="service")
    plain = load_task(make_task("svc-plain", test_sh=svc))[0]
    r = run_batch([TrialSpec(plain, agent)], docker_runtime, store=RunStore(tmp_path / "a"), progress=False)[0]
    assert (r.status, r.reward) == ("ok", 0.0) and r.side_info["stopped_processes"] >= 1, r
    assert any("verifier.keep_services" in n for n in r.notes)
    kept = load_task(make_task("svc-kept", test_sh=svc, verifier_extra="  keep_services: true\n"))[0]
    r = run_batch([TrialSpec(kept, agent)], docker_runtime, store=RunStore(tmp_path / "b"), progress=False)[0]
    assert (r.status, r.reward) == ("ok", 1.0), r.reason
    assert any("weaker isolation" in n for n in r.notes) and "verifier_view" not in r.side_info
    r = run_batch([TrialSpec(kept, agent)], local_runtime, store=RunStore(tmp_path / "c"), progress=False)[0]
    assert (r.status, r.failure_kind) == ("infra_error", "unsupported") and "run this task on docker" in r.reason
