"""Real Harbor tasks run offline: Harbor's canonical verifier (curl → uv → ``uvx --with pytest …``)
through arena's uv/uvx stand-in, the causes validate names when a task cannot pass here, and the
round trip through the real ``harbor`` package (skipped with the reason where it is not installed).

Set ``ARENA_HARBOR_PYTHON`` to a Python >= 3.12 with ``pip install harbor==0.25.0`` (harbor needs
3.12; arena's venv is 3.11), and ``ARENA_HARBOR_TASKS`` to a folder of Harbor tasks (e.g. the
recipes of the harbor-cookbook repository) to run the last two tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from arena.checks import check_task
from arena.diagnose import verifier_download
from arena.harbor import export_harbor, import_harbor
from arena.runfolder import TrialResult
from arena.task import load_task
from arena.validate import judge

REPO = Path(__file__).resolve().parent.parent
HARBOR_PYTHON = os.environ.get("ARENA_HARBOR_PYTHON")
HARBOR_TASKS = os.environ.get("ARENA_HARBOR_TASKS")

#: Harbor's canonical tests/test.sh (harbor-cookbook recipes, `harbor init` before 0.25)
CANONICAL = """#!/bin/bash

apt-get update
apt-get install -y curl

curl -LsSf https://astral.sh/uv/0.9.7/install.sh | sh

source $HOME/.local/bin/env

uvx \\
  --with pytest==8.4.1 \\
  --with pytest-json-ctrf==0.3.5 \\
  {extra}pytest --ctrf /logs/verifier/ctrf.json /tests/test_state.py -rA

if [ $? -eq 0 ]; then
  echo 1 > /logs/verifier/reward.txt
else
  echo 0 > /logs/verifier/reward.txt
fi
"""


def harbor_task(root: Path, *, extra: str = "", toml: str = "") -> Path:
    """A Harbor task as the cookbook writes one (no [metadata], internet by Harbor's default)."""
    (root / "environment").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "solution").mkdir()
    (root / "task.toml").write_text('version = "1.0"\n\n[verifier]\ntimeout_sec = 120.0\n\n[agent]\ntimeout_sec = 60.0\n'
                                    '\n[environment]\nallow_internet = false\n' + toml)  # fmt: skip
    (root / "instruction.md").write_text("Create /root/hello.txt containing `Hello, world!`.\n")
    (root / "environment" / "Dockerfile").write_text("FROM ubuntu:24.04\nWORKDIR /root\n")
    (root / "tests" / "test.sh").write_text(CANONICAL.format(extra=extra))
    (root / "tests" / "test_state.py").write_text(
        "from pathlib import Path\n\n\ndef test_hello():\n"
        "    assert Path('/root/hello.txt').read_text().strip() == 'Hello, world!'\n")  # fmt: skip
    (root / "solution" / "solve.sh").write_text("#!/bin/bash\necho 'Hello, world!' > /root/hello.txt\n")
    return root


def test_shim_refusal_and_unreachable_hosts_are_named_as_verifier_downloads():
    refused = "arena-uvshim: offline: cannot download requests-mock==1.2 (not installed in this image): the verifier"
    assert verifier_download(refused, scored=True) == "package `requests-mock==1.2`"
    curl = "curl: (6) Could not resolve host: astral.sh\n/verifier/test.sh: line 8: uvx: command not found"
    assert verifier_download(curl, scored=False) == "from `astral.sh`"
    # a verifier that scored after an optional download failed is not blamed for the download
    assert verifier_download(curl, scored=True) is None
    assert verifier_download("1 passed in 0.01s", scored=False) is None


def test_the_stand_in_runs_what_is_installed_and_refuses_the_rest(tmp_path):
    """uvx / uv run / uv pip install through the stand-in, run by this interpreter (which has pytest):
    installed packages run (a differing pin is said, not hidden), a missing one is refused with the
    line validate reads; `judged` sees pytest's verdict."""
    import sys

    from arena.uvshim import MARK, judged, shim_dir

    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin:{shim_dir()}"}

    def sh(cmd: str) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)

    (tmp_path / "test_ok.py").write_text("def test_ok():\n    assert True\n")
    ok = sh("uvx --with pytest==0.0.1 --with pytest-json-ctrf pytest -q test_ok.py")
    assert ok.returncode == 0 and "1 passed" in ok.stdout, ok.stderr
    assert "pytest==0.0.1 requested" in ok.stderr and judged(ok.stderr)
    bad = sh("uvx --with no-such-pkg-arena==1.0 pytest -q test_ok.py")
    assert bad.returncode == 2 and MARK + "no-such-pkg-arena==1.0" in bad.stderr and not judged(bad.stderr)
    (tmp_path / "req.txt").write_text("pytest>=1\n# a comment\n")
    assert sh("uv pip install --system -r req.txt").returncode == 0
    assert sh("uv pip install -r req.txt no-such-pkg-arena").returncode == 2
    assert sh("uv run --with pytest python -c 'print(42)'").stdout.strip() == "42"


def test_a_program_missing_from_a_stood_in_image_is_named():
    """A test that runs `file` through subprocess on an image arena stood in for: the cause is the
    missing program, not "a file is missing"; a missing data file keeps its own diagnosis."""
    from arena.diagnose import diagnose

    log = (">               raise child_exception_type(errno_num, err_msg, err_filename)\n"
           "E               FileNotFoundError: [Errno 2] No such file or directory: 'file'\n")  # fmt: skip
    assert diagnose(log) == ("missing_tool", "`file` is not installed in the environment")
    assert diagnose("FileNotFoundError: [Errno 2] No such file or directory: 'answer.json'")[0] == "missing_file"


def test_a_verdict_reached_by_the_stand_in_is_not_a_broken_verifier():
    """Harbor's test.sh logs curl's failed download of uv, then the stand-in's pytest judges: its 0
    is the agent's score; a refusal, or pytest that could not collect (exit 2), is not a verdict."""
    from arena.verdict import read_verifier

    before = "curl: (6) Could not resolve host: astral.sh\n/verifier/test.sh: line 8: /root/.local/bin/env: No such file\n"
    ran = before + "arena-uvshim: running pytest offline with what this image has installed\narena-uvshim: pytest exited 1\n"
    out = read_verifier(timed_out=False, timeout_sec=60, stdout="1 failed", stderr=ran, reward_txt=b"0", reward_json=None)
    assert (out.status, out.reward) == ("ok", 0.0)
    for stderr in (before, ran.replace("exited 1", "exited 2"),
                   before + "arena-uvshim: offline: cannot download mcp (not installed in this image): x\n"):  # fmt: skip
        out = read_verifier(timed_out=False, timeout_sec=60, stdout="", stderr=stderr, reward_txt=b"0", reward_json=None)
        assert out.status == "verifier_error" and out.reward is None, stderr


def _result(task_id, agent, sample, log_dir: Path, **kw) -> TrialResult:
    r = TrialResult(task_id=task_id, agent=agent, sample=sample)
    r.log_dir = str(log_dir)
    for k, v in kw.items():
        setattr(r, k, v)
    return r


def test_validate_names_a_compose_sidecar_and_a_verifier_without_reward(tmp_path):
    src = harbor_task(tmp_path / "src" / "sidecar")
    (src / "environment" / "docker-compose.yaml").write_text(
        "services:\n  main:\n    depends_on: [api-server]\n  api-server:\n    build: ./api\n")
    res = import_harbor(src, tmp_path / "out")
    note = next(n for n in res.notes if n.field == "environment/docker-compose.yaml")
    assert "api-server" in note.why and "does not start" in note.why
    task = load_task(tmp_path / "out" / "sidecar")[0]
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "agent.stderr").write_text("curl: (6) Could not resolve host: api-server\n")
    oracle = [_result("sidecar", "oracle", i, logs, status="ok", reward=0.0) for i in range(3)]
    found, _row = judge(str(tmp_path / "out" / "sidecar"), task, oracle)
    f = {x.rule: x for x in found}["validate.oracle-needs-network"]
    assert "api-server" in f.message and "docker-compose.yaml" in f.message and "arena runs" in f.message
    (logs / "agent.stderr").write_text("")  # a silent `curl -s` to the sidecar: nothing in the logs
    found, _row = judge(str(tmp_path / "out" / "sidecar"), task, oracle)
    f = {x.rule: x for x in found}["validate.needs-compose-services"]
    assert "api-server" in f.message and "docker-compose.yaml" in f.message
    (src / "environment" / "docker-compose.yaml").unlink()
    (tmp_path / "out" / "sidecar" / "environment" / "docker-compose.yaml").unlink()
    (logs / "verifier.stdout").write_text("raise child_exception_type(errno_num, err_msg, err_filename)\n"
                                          "E   FileNotFoundError: [Errno 2] No such file or directory: 'file'\n")
    oracle[0].notes = ["line 1: FROM ubuntu:24.04 -> arena-base:py3.11 (a Debian bookworm image; image alias: x)"]
    found, _row = judge(str(tmp_path / "out" / "sidecar"), task, oracle)
    f = {x.rule: x for x in found}["validate.oracle-fails"]
    assert "`file` is not installed" in f.message and "FROM ubuntu:24.04 -> arena-base:py3.11" in f.message
    broken = [_result("sidecar", "oracle", i, logs, status="verifier_error", failure_kind="no_reward", reward=None,
                      reason="no reward file") for i in range(3)]  # fmt: skip
    found, _row = judge(str(tmp_path / "out" / "sidecar"), task, broken)
    assert "validate.verifier-no-reward" in {x.rule for x in found}


def test_import_keeps_services_an_image_entrypoint_starts(tmp_path):
    src = harbor_task(tmp_path / "src" / "blocker")
    (src / "environment" / "Dockerfile").write_text('FROM ubuntu:24.04\nCOPY entrypoint.sh /entrypoint.sh\n'
                                                    'ENTRYPOINT ["/entrypoint.sh"]\n')  # fmt: skip
    (src / "environment" / "entrypoint.sh").write_text("#!/bin/bash\npython3 /usr/local/bin/server.py &\nexec \"$@\"\n")
    res = import_harbor(src, tmp_path / "out")
    note = {n.field: n for n in res.notes}["verifier.keep_services"]
    assert "ENTRYPOINT" in note.why and "server.py" in note.why
    assert check_task(tmp_path / "out" / "blocker")[0].spec.verifier.keep_services is True


def test_a_multi_step_harbor_task_is_refused_with_the_reason(tmp_path):
    src = tmp_path / "src" / "steps-task"
    for step in ("scaffold", "implement"):
        (src / "steps" / step).mkdir(parents=True)
    (src / "task.toml").write_text('version = "1.0"\n')
    res = import_harbor(src, tmp_path / "out")
    assert not res.ok and res.written == [] and not (tmp_path / "out" / "steps-task").exists()
    assert any(n.field == "steps/" and "multi-step" in n.why and "scaffold" in n.why for n in res.notes)


@pytest.mark.parametrize("rt", [pytest.param("local", marks=pytest.mark.bwrap), pytest.param("docker", marks=pytest.mark.docker)])
def test_harbors_canonical_verifier_runs_offline(rt, tmp_path, request):
    """curl fails, uv is never installed, yet `uvx --with pytest==8.4.1 … pytest` runs with the
    image's own pytest (arena.uvshim): the oracle scores 1 and the nop 0, with the network off.  A
    verifier that needs a package the image lacks gets the finding that names the download."""
    from arena.agents.base import NopAgent, OracleAgent
    from arena.trial import run_trial

    runtime = request.getfixturevalue(f"{rt}_runtime")
    res = import_harbor(harbor_task(tmp_path / "src" / "hello"), tmp_path / "out")
    assert res.ok, [n.render() for n in res.notes]
    task = load_task(tmp_path / "out" / "hello")[0]
    assert task.spec.environment.allow_internet is False
    good = run_trial(task, OracleAgent(), runtime, log_dir=tmp_path / "o")
    assert (good.status, good.reward) == ("ok", 1.0), (good.reason, (tmp_path / "o" / "verifier.stderr").read_text())
    bad = run_trial(task, NopAgent(), runtime, log_dir=tmp_path / "n")
    assert (bad.status, bad.reward) == ("ok", 0.0), bad.reason

    res = import_harbor(harbor_task(tmp_path / "src2" / "needs-pkg", extra="--with no-such-pkg-arena==1.0 \\\n  "),
                        tmp_path / "out2")  # fmt: skip
    assert any("no-such-pkg-arena" in n.why for n in res.notes if n.field == "tests/test.sh")
    task = load_task(tmp_path / "out2" / "needs-pkg")[0]
    runs = [run_trial(task, OracleAgent(), runtime, log_dir=tmp_path / f"p{i}", sample=i) for i in range(2)]
    assert [(r.status, r.reward) for r in runs] == [("verifier_error", None)] * 2  # it could not judge
    found, _ = judge(str(tmp_path / "out2" / "needs-pkg"), task, runs)
    f = {x.rule: x for x in found}["validate.verifier-needs-network"]
    assert "no-such-pkg-arena==1.0" in f.message and "allow_internet: false" in f.message


def _harbor(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([HARBOR_PYTHON, "-c", code, *args], capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(not HARBOR_PYTHON, reason="set ARENA_HARBOR_PYTHON to a Python >= 3.12 with the harbor package "
                                             "(harbor needs Python >= 3.12; arena's venv is 3.11)")  # fmt: skip
@pytest.mark.bwrap
def test_harbors_own_template_imports_and_scores_offline(tmp_path, local_runtime):
    """`harbor init` (Harbor's own task template, separate verifier environment) filled in as its
    README asks, imported unchanged, scores 1 with its solution and 0 without, offline; the
    import exported back is loaded by Harbor's own task loader."""
    from arena.agents.base import NopAgent, OracleAgent
    from arena.trial import run_trial

    harbor_cli = str(Path(HARBOR_PYTHON).with_name("harbor"))
    p = subprocess.run([harbor_cli, "init", "acme/hello", "-t", "-o", str(tmp_path / "h"), "--author", "Ada <ada@example.org>"],
                       capture_output=True, text=True, timeout=300)  # fmt: skip
    assert p.returncode == 0, p.stderr[-2000:]
    t = tmp_path / "h" / "hello"
    (t / "instruction.md").write_text("Create /app/hello.txt containing `Hello, world!`.\n")
    (t / "solution" / "solve.sh").write_text("#!/bin/bash\necho 'Hello, world!' > /app/hello.txt\n")
    (t / "tests" / "test_outputs.py").write_text(
        "from pathlib import Path\n\n\ndef test_outputs():\n"
        "    assert Path('/app/hello.txt').read_text().strip() == 'Hello, world!'\n")  # fmt: skip
    res = import_harbor(t, tmp_path / "a", domain="software-engineering")
    assert res.ok, [n.render() for n in res.notes]
    task = load_task(tmp_path / "a" / "hello")[0]
    good = run_trial(task, OracleAgent(), local_runtime, log_dir=tmp_path / "o")
    assert (good.status, good.reward) == ("ok", 1.0), good.reason
    bad = run_trial(task, NopAgent(), local_runtime, log_dir=tmp_path / "n")
    assert (bad.status, bad.reward) == ("ok", 0.0), bad.reason
    export_harbor([tmp_path / "a" / "hello"], tmp_path / "back")
    code = ("import json, sys; from harbor.models.task.task import Task\n"
            "t = Task(sys.argv[1]); print(json.dumps([t.instruction, t.config.verifier.timeout_sec]))\n")  # fmt: skip
    p = _harbor(code, str(tmp_path / "back" / task.id))
    assert p.returncode == 0, p.stderr[-2000:]
    instruction, timeout = json.loads(p.stdout.strip().splitlines()[-1])
    assert instruction.strip() == task.spec.prompt.strip() and timeout == task.spec.verifier.timeout_sec


def _compose_ok() -> bool:
    return shutil.which("docker") is not None and subprocess.run(
        ["docker", "compose", "version"], capture_output=True, timeout=30).returncode == 0  # fmt: skip


@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.skipif(not HARBOR_PYTHON, reason="set ARENA_HARBOR_PYTHON to a Python >= 3.12 with harbor==0.25.0")
def test_harbors_oracle_agent_runs_arenas_export(tmp_path):
    """`harbor run --agent oracle` on one exported reference task.  Harbor's docker environment
    drives `docker compose`, so this needs the Compose plugin (docs/harbor.md says how)."""
    if not _compose_ok():
        pytest.skip("harbor's docker environment needs the Docker Compose plugin (`docker compose`): not installed here")
    ref = sorted(p for p in (REPO / "environments" / "reference").iterdir() if p.is_dir())[:1]
    export_harbor(ref, tmp_path / "hx")
    harbor_cli = str(Path(HARBOR_PYTHON).with_name("harbor"))
    p = subprocess.run([harbor_cli, "run", "-p", str(tmp_path / "hx"), "-a", "oracle", "-o", str(tmp_path / "jobs")],
                       capture_output=True, text=True, timeout=1800)  # fmt: skip
    assert p.returncode == 0, (p.stdout[-2000:], p.stderr[-2000:])
    rewards = [json.loads(f.read_text()).get("verifier_result", {}).get("rewards", {}).get("reward")
               for f in (tmp_path / "jobs").rglob("result.json") if f.parent.parent.parent == tmp_path / "jobs"]  # fmt: skip
    assert rewards and all(r == 1.0 for r in rewards), rewards


@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.skipif(not HARBOR_TASKS, reason="set ARENA_HARBOR_TASKS to a folder of Harbor tasks (e.g. the "
                                            "harbor-cookbook recipes) to validate their import offline")  # fmt: skip
def test_harbor_example_tasks_validate_offline(tmp_path):
    """Every imported Harbor task either passes `arena validate --runtime docker` or gets a finding
    that names a cause arena cannot remove offline (a sidecar or remote host, a download, no reward)."""
    from arena.validate import validate_paths

    res = import_harbor(HARBOR_TASKS, tmp_path / "imported", domain="software-engineering")
    assert res.written, [n.render() for n in res.notes]
    from arena.sandbox import get_runtime

    report = validate_paths([str(tmp_path / "imported")], runtime=get_runtime("docker"), workers=2,
                            out_dir=tmp_path / "run", progress=False)  # fmt: skip
    named = {"validate.oracle-needs-network", "validate.verifier-needs-network", "validate.verifier-no-reward",
             "validate.needs-compose-services"}
    for row in report.rows:
        errors = {f.rule for f in report.findings if f.severity == "error" and f"/{row['task_id']}/" in f.path}
        assert row["passed"] or errors & named, (row, errors)
