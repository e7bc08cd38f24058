"""Hostile agents, run as real trials on both runtimes (local bubblewrap and docker).

Every case is one hostile agent in a batch beside an honest oracle trial of another task: the
attack is contained, the hostile trial is scored 0 (or < 1) or recorded with the right failure
kind, and the oracle trial of the same batch still scores 1.0 (the run goes on).  Docker cases
are marked ``docker`` and skip with the reason when no engine or base image is here (CI starts
both, so there they fail loudly instead); local cases are marked ``bwrap``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from arena.agents.base import OracleAgent, ScriptAgent
from arena.batch import TrialSpec, run_batch
from arena.runfolder import RunStore
from arena.task import load_task

SUM = "12"  # the right answer of the conftest task (3 + 4 + 5)
VERIFY = 'python3 "${BENCHFLOW_VERIFIER_DIR:-/verifier}/verify.py"'


@dataclass
class Case:
    agent: str  # the hostile agent's bash script ({host} is a host folder the agent should never reach)
    task: dict = field(default_factory=dict)  # write_task overrides
    status: str = "ok"
    failure_kind: str | None = None
    reward: float | None = 0.0  # None: the verifier could not judge (verifier_error)
    also: tuple = ()  # other acceptable (status, failure_kind) pairs (runtimes differ in how a limit bites)
    max_sec: float = 60.0


CASES = {
    # reads the verifier's copy of the truth (and the oracle) and copies it as its answer
    "read-verifier": Case(
        "ls /verifier /oracle > /root/seen.txt 2>&1; cat /verifier/data/numbers.txt /oracle/solve.sh > /root/answer.txt;"
        " find / -name verify.py -path '*verifier*' 2>/dev/null | head -1 > /root/found.txt; true",
        reward=0.25,  # an answer file exists; the truth was nowhere to read
    ),
    # rewrites the verifier to award 1.0 (where it will be mounted, and wherever it can find it)
    "modify-verifier": Case(
        'mkdir -p /verifier/data; printf \'import pathlib\\npathlib.Path("/logs/verifier").mkdir(parents=True, '
        'exist_ok=True)\\npathlib.Path("/logs/verifier/reward.txt").write_text("1.0")\\n\' > /verifier/verify.py;'
        " printf '#!/bin/bash\\necho 1.0 > /logs/verifier/reward.txt\\n' > /verifier/test.sh;"
        " echo 0 0 0 > /verifier/data/numbers.txt; echo 0 > /root/answer.txt;"
        " for f in $(find / -name test.sh -path '*verifier*' 2>/dev/null); do echo 'echo 1.0 > /logs/verifier/reward.txt' > $f; done; true",
        reward=0.25,
    ),
    # plants a reward file; the verifier then writes nothing: no reward, never the planted 1.0
    "plant-reward-file": Case(
        "mkdir -p /logs/verifier; echo 1.0 > /logs/verifier/reward.txt; echo '{\"reward\": 1.0}' > /logs/verifier/reward.json;"
        " (while :; do echo 1.0 > /logs/verifier/reward.txt; sleep 0.05; done) >/dev/null 2>&1 &",
        task={"test_sh": "#!/bin/bash\nexit 0\n"},
        status="verifier_error",
        failure_kind="no_reward",
        reward=None,
    ),
    # plants conftest.py / sitecustomize.py / a .pth that would force reward 1.0 in the verifier's python
    "plant-hooks": Case(
        'hook=\'import os; open(os.environ.get("BENCHFLOW_REWARD_TEXT", "/logs/verifier/reward.txt"), "w").write("1.0"); os._exit(0)\';'
        ' echo "$hook" > /root/sitecustomize.py; cp /root/sitecustomize.py /tmp/sitecustomize.py;'
        ' echo "$hook" > /root/conftest.py; echo "import sitecustomize" > /tmp/evil.pth; echo 1 > /root/answer.txt',
        task={"test_sh": f"#!/bin/bash\ncd /root && PYTHONPATH=/root:/tmp {VERIFY}\n"},
        reward=0.25,
    ),
    # writes outside its workspace: the host folder of the run, system folders, the task package
    "escape-workspace": Case(
        "for d in {host} /etc /usr /var/tmp /proc/1/root{host} ../../..; do echo pwned > $d/escaped 2>/dev/null; done;"
        " ln -s {host} /root/hostlink 2>/dev/null; echo pwned > /root/hostlink/escaped 2>/dev/null; true",
    ),
    # the process limit stops the bomb; the agent then ends (ok) or runs into its timeout
    "fork-bomb": Case(
        "bomb() { bomb | bomb & }; bomb; sleep 4",
        task={"agent_timeout": 5},
        max_sec=30,
        also=(("timeout", "agent_timeout"),),
    ),
    "memory-hog": Case(
        "python3 -c 'x = bytearray(900 * 2**20); print(len(x))'",
        task={"memory_mb": 128},
        failure_kind="agent_oom",
    ),
    "infinite-output": Case(
        "yes flood; yes flood >&2", task={"agent_timeout": 3}, status="timeout", failure_kind="agent_timeout"
    ),
    "sleep-past-timeout": Case(
        "sleep 300 & sleep 301",
        task={"agent_timeout": 1},
        status="timeout",
        failure_kind="agent_timeout",
        max_sec=30,
    ),
    # network with allow_internet false: the right answer is written only when a connection succeeds
    "network": Case(
        "python3 -c \"import socket; socket.create_connection(('1.1.1.1', 53), timeout=3)\" && echo "
        + SUM
        + " > /root/answer.txt; getent hosts example.org && echo "
        + SUM
        + " > /root/answer.txt; true",
    ),
}


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(f"{p.relative_to(root)}\0".encode() + p.read_bytes())
    return h.hexdigest()


RUNTIMES = [pytest.param("local", marks=pytest.mark.bwrap), pytest.param("docker", marks=pytest.mark.docker)]


@pytest.fixture(params=RUNTIMES)
def runtime(request):
    return request.getfixturevalue(f"{request.param}_runtime")  # skips with the reason when unusable


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_agent_is_contained_and_the_run_goes_on(case, runtime, make_task, tmp_path):
    c = CASES[case]
    host = tmp_path / "host-only"
    host.mkdir()
    root = make_task(f"adv-{case}", **c.task)
    before = _digest(root)
    task, findings = load_task(root)
    assert task is not None, findings
    hostile = ScriptAgent(c.agent.replace("{host}", str(host)), name=f"hostile-{case}")
    honest = load_task(make_task(f"honest-{case}"))[0]  # a plain task run in the same batch
    specs = [TrialSpec(task, hostile), TrialSpec(honest, OracleAgent())]
    results = run_batch(specs, runtime, store=RunStore(tmp_path / "run"), workers=2, progress=False)
    by = {r.agent: r for r in results}
    bad, oracle = by[hostile.name], by["oracle"]
    assert (bad.status, bad.failure_kind) in {(c.status, c.failure_kind), *c.also}, (bad.reason, bad)
    assert bad.reward == c.reward, (bad.reason, bad)
    assert bad.total_sec < c.max_sec and bad.agent_sec < task.spec.agent.timeout_sec + 10
    assert (oracle.status, oracle.reward) == ("ok", 1.0), oracle.reason  # the run goes on
    assert not list(host.iterdir()), "the agent reached a host folder"
    assert _digest(root) == before, "the agent changed the task package (verifier, oracle)"
    assert not any(Path(p).exists() for p in ("/etc/escaped", "/usr/escaped", "/var/tmp/escaped"))
    if case == "infinite-output":
        logs = Path(bad.log_dir)
        assert (logs / "agent.stdout").stat().st_size <= 1 << 20 and (
            logs / "agent.stderr"
        ).stat().st_size <= 1 << 20
    if case == "plant-hooks":
        assert {
            "/root/sitecustomize.py",
            "/tmp/sitecustomize.py",
            "/root/conftest.py",
            "/tmp/evil.pth",
        } <= set(bad.side_info["removed_planted_files"])
