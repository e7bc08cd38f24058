"""The sandbox interface's documented contract, run against every runtime (local, docker).

A runtime that cannot run on this machine is skipped with its reason, except in CI (CI=true),
where every runtime must be available and a missing one fails the suite.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from arena.sandbox import RuntimeUnavailable, SandboxError, get_runtime
from arena.task import load_task

TASK_MD = """\
---
version: "1.0"
metadata:
  author_name: Conformance Suite
  author_email: conformance@example.org
  category: sciences
  difficulty: easy
agent:
  timeout_sec: 60
verifier:
  timeout_sec: 60
environment:
  cpus: 1
  memory_mb: 512
  allow_internet: false
---

## prompt

Read /root/data.txt.
"""
DOCKERFILE = "FROM arena-base:py3.11\nWORKDIR /root\nCOPY data.txt /root/data.txt\n"
IN_CI = os.environ.get("CI") == "true"


def _unusable(why: str):
    if IN_CI:
        pytest.fail(f"CI must provide every runtime: {why}")
    pytest.skip(why)


@pytest.fixture(scope="module", params=["local", "docker"])
def runtime_task(request, tmp_path_factory):
    """(runtime, task, prepared) for one runtime, or skip (fail in CI) when it cannot run here."""
    try:
        rt = get_runtime(request.param)
    except RuntimeUnavailable as exc:
        _unusable(f"runtime {request.param}: {exc}")
    why = rt.unavailable_reason()
    if why is not None:
        _unusable(f"runtime {request.param}: {why}")
    root = tmp_path_factory.mktemp(f"conf-{request.param}") / "conformance-task"
    (root / "environment").mkdir(parents=True)
    (root / "task.md").write_text(TASK_MD)
    (root / "environment" / "Dockerfile").write_text(DOCKERFILE)
    (root / "environment" / "data.txt").write_text("seed data\n")
    task, findings = load_task(root)
    assert task is not None, findings
    try:
        prepared = rt.prepare(task)
    except SandboxError as exc:
        if "arena base build" in str(exc):
            _unusable(f"runtime {request.param}: {exc}")
        raise
    return rt, task, prepared


@pytest.fixture
def box(runtime_task, tmp_path):
    rt, task, prepared = runtime_task
    sb = rt.start(task, prepared, trial_dir=tmp_path / "trial")
    yield sb
    sb.close()


def test_exec_exit_code_and_streams(box):
    r = box.exec("echo out; echo err >&2; exit 3")
    assert (r.exit_code, r.stdout, r.stderr) == (3, "out\n", "err\n")
    assert not r.ok and not r.timed_out and not r.truncated
    assert box.exec("true").ok


def test_exec_env_cwd_and_seed_data(box):
    r = box.exec('echo "$GREETING"; pwd; cat data.txt', env={"GREETING": "hello there"})
    assert r.stdout == "hello there\n/root\nseed data\n", r
    assert box.exec("pwd", cwd="/tmp").stdout == "/tmp\n"
    assert box.exec("id -u").stdout.strip() == "0"  # commands run as root


def test_timeout_marks_result_and_sandbox_stays_usable(box):
    t0 = time.monotonic()
    r = box.exec("echo started; sleep 60", timeout=1.5)
    took = time.monotonic() - t0
    assert r.timed_out and r.exit_code is None and not r.ok
    assert took < 15, f"timeout took {took:.1f}s"
    assert box.exec("echo still here").stdout == "still here\n"


def test_output_cap(box):
    r = box.exec("head -c 300000 /dev/zero | tr '\\0' x; head -c 200000 /dev/zero | tr '\\0' y >&2", output_limit=1000)
    assert r.truncated and r.exit_code == 0
    assert r.stdout == "x" * 1000 and r.stderr == "y" * 1000
    small = box.exec("echo short", output_limit=1000)
    assert not small.truncated and small.stdout == "short\n"


def test_write_and_read_files(box):
    box.write_file("/root/deep/er/file.bin", b"\x00\x01payload\xff")
    assert box.read_file("/root/deep/er/file.bin") == b"\x00\x01payload\xff"
    assert box.exec("cat /root/deep/er/file.bin | wc -c").stdout.strip() == "10"
    box.write_file("/root/deep/er/file.bin", b"replaced")
    assert box.read_file("/root/deep/er/file.bin") == b"replaced"
    assert box.read_file("/root/deep/er/file.bin", limit=3) == b"rep"
    assert box.read_file("/root/no/such/file") is None
    box.exec("printf made-inside > /tmp/inside.txt")
    assert box.read_file("/tmp/inside.txt") == b"made-inside"


def test_kill_all_stops_background_processes(box):
    box.exec("nohup sh -c 'while :; do date +%s%N > /tmp/tick; sleep 0.05; done' >/dev/null 2>&1 &")
    box.kill_all()
    first = box.read_file("/tmp/tick")
    time.sleep(0.5)
    assert box.read_file("/tmp/tick") == first, "a background process is still writing after kill_all"
    assert box.exec("echo alive").ok


def test_harden_removes_planted_hooks_and_empties_verifier_logs(box):
    box.exec(
        "mkdir -p /root/pkg /tmp/site && echo 'import os' > /root/conftest.py && echo x > /root/pkg/sitecustomize.py"
        " && echo 'import os' > /tmp/site/evil.pth && echo 'import os' > /root/usercustomize.py"
        " && echo 1.0 > /logs/verifier/reward.txt && echo keep > /root/notes.py"
    )
    removed = box.harden()
    planted = {"/root/conftest.py", "/root/pkg/sitecustomize.py", "/tmp/site/evil.pth", "/root/usercustomize.py"}
    assert planted <= set(removed), removed
    for p in planted:
        assert box.read_file(p) is None, p
    assert box.read_file("/root/notes.py") == b"keep\n"
    assert box.read_file("/root/data.txt") == b"seed data\n"
    r = box.exec("test -d /logs/verifier && ls -A /logs/verifier | wc -l")
    assert r.ok and r.stdout.strip() == "0"


def test_the_verifier_gets_a_fresh_machine_with_the_agents_work_only(box):
    """harden(): the agent's processes, system and shell/tool configuration stay behind; its
    work (new files, edits, deletions in its workspace and /tmp) is what the verifier sees."""
    box.exec(
        "echo out > /root/out.txt; rm /root/data.txt; echo alias python3=false > /root/.bashrc;"
        " mkdir -p /tmp/res && echo 1,2 > /tmp/res/r.csv; echo forged > /usr/local/bin/forged 2>/dev/null;"
        " mkfifo /root/pipe; (sleep 300 &) ; true"
    )
    box.harden()
    assert box.read_file("/root/out.txt") == b"out\n"
    assert box.read_file("/root/data.txt") is None  # the agent's deletion is carried
    assert box.read_file("/tmp/res/r.csv") == b"1,2\n"
    assert box.read_file("/root/.bashrc") != b"alias python3=false\n"  # absent, or the image's own
    assert box.read_file("/usr/local/bin/forged") is None
    r = box.exec("test -e /root/pipe && echo pipe; ps -eo comm | grep -c '^sleep$' || true")
    assert "pipe" not in r.stdout and r.stdout.strip().splitlines()[-1] in ("0", "1"), r.stdout
    view = box.verifier_view.to_dict()
    assert view["carried"] >= 2 and view["dropped_count"] >= 2, view
    assert "/root/.bashrc" in view["dropped"] and "/root/pipe" in view["dropped"], view


def test_mounts_visible_for_one_exec_only(box, tmp_path):
    host = tmp_path / "mounted"
    (host / "sub").mkdir(parents=True)
    (host / "sub" / "secret.txt").write_text("for this command only\n")
    r = box.exec("cat /verifier/sub/secret.txt", mounts={"/verifier": host})
    assert r.stdout == "for this command only\n", r
    assert not box.exec("test -e /verifier").ok, "the mount is still visible to the next command"
    # a mount hides what is at its target and gives it back afterwards
    box.exec("mkdir -p /root/shadow && echo own > /root/shadow/own.txt")
    r = box.exec("ls /root/shadow", mounts={"/root/shadow": host})
    assert r.stdout.split() == ["sub"], r
    assert box.exec("cat /root/shadow/own.txt").stdout == "own\n"


def test_network_is_off_without_allow_internet(box):
    r = box.exec("cat /proc/net/dev")
    ifaces = {line.split(":")[0].strip() for line in r.stdout.splitlines()[2:] if ":" in line}
    assert ifaces == {"lo"}, r.stdout
    r = box.exec("python3 -c 'import socket; socket.create_connection((\"1.1.1.1\", 53), timeout=3)'", timeout=20)
    assert r.exit_code not in (0, None), r


def test_close_is_idempotent(runtime_task, tmp_path):
    rt, task, prepared = runtime_task
    sb = rt.start(task, prepared, trial_dir=tmp_path / "t")
    assert sb.exec("true").ok
    sb.close()
    sb.close()
    with pytest.raises(SandboxError):
        sb.exec("true")


def test_context_manager_closes(runtime_task, tmp_path: Path):
    rt, task, prepared = runtime_task
    with rt.start(task, prepared, trial_dir=tmp_path / "t") as sb:
        assert sb.exec("echo in").stdout == "in\n"
    with pytest.raises(SandboxError):
        sb.exec("true")


def test_local_commands_keep_a_background_callers_priority(box, runtime_task):
    """A trial launched from a thread at nice 10 runs at nice 10 even though each command gets a
    session (an autogroup) of its own; from a normal thread, at nice 0."""
    if runtime_task[0].name != "local":
        pytest.skip("the Docker daemon schedules its containers; priority passing is the local runtime's")
    if not Path("/proc/self/autogroup").exists():
        pytest.skip("this kernel has no autogroup scheduling")

    def low():
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        return box.exec("sleep 0.2; cat /proc/self/autogroup").stdout

    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(low).result().split()[-2:] == ["nice", "10"]
    assert box.exec("sleep 0.2; cat /proc/self/autogroup").stdout.split()[-2:] == ["nice", "0"]
