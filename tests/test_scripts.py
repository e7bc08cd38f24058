"""The organizers' command lines keep their arguments and exit codes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_task

REPO = Path(__file__).resolve().parent.parent


def run(*cmd, **kw):
    env = {**os.environ, "ARENA_RUNTIME": "local"}
    return subprocess.run([*cmd], capture_output=True, text=True, cwd=REPO, env=env, timeout=120, **kw)


def test_check_task_exit_codes(make_task):
    good = make_task()
    p = run(sys.executable, "scripts/check_task.py", str(good))
    assert p.returncode == 0 and "✓" in p.stdout
    bad = make_task(category="astrology")  # the organizers' CI does not read category values: rc 0
    p = run(sys.executable, "scripts/check_task.py", str(good), str(bad))
    assert p.returncode == 0 and "metadata.category" in p.stdout
    (bad / "verifier" / "test_outputs.py").unlink()  # ... but requires verifier/test_outputs.py
    p = run(sys.executable, "scripts/check_task.py", str(good), str(bad))
    assert p.returncode == 1 and "verifier/test_outputs.py" in p.stdout


def test_check_submission(tmp_path):
    root = tmp_path / "submissions"
    entry = root / "team-a"
    (entry / "envs").mkdir(parents=True)
    (entry / "submission.yaml").write_text("team_name: A\ncontact_email: a@example.org\ntrack: environments\n")
    write_task(entry / "envs" / "t1")
    (root / "_scratch").mkdir()
    p = run(sys.executable, "scripts/check_submission.py", str(root))
    assert p.returncode == 0 and "below the environments minimum" in p.stdout
    (entry / "submission.yaml").write_text("team_name: A\ntrack: environments\n")
    p = run(sys.executable, "scripts/check_submission.py", str(root))
    assert p.returncode == 1 and "contact_email" in p.stdout


@pytest.mark.bwrap
def test_run_local_oracle_and_empty_trial(make_task, local_runtime):
    good = make_task()
    p = run("bash", "scripts/run_local.sh", str(good))
    assert p.returncode == 0, p.stdout + p.stderr
    assert "oracle scores 1.0" in p.stdout
    p = run("bash", "scripts/run_local.sh", str(good), "--skip-oracle")
    assert p.returncode == 0 and "correctly scores 0.0" in p.stdout
    weak = make_task(test_sh="#!/bin/bash\nmkdir -p /logs/verifier; echo 1.0 > /logs/verifier/reward.txt\n")
    p = run("bash", "scripts/run_local.sh", str(weak), "--skip-oracle")
    assert p.returncode == 1 and "too weak" in p.stderr
    assert run("bash", "scripts/run_local.sh").returncode == 2
