"""`kill -9` of `arena validate` and `arena eval` mid-run, then the same command again: no finished
trial is lost or repeated, and the janitor leaves no orphan sandbox behind.  (`arena train` killed
mid-GRPO then --resume: tests/test_train_pipeline.py.)"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from arena.sandbox.janitor import sweep
from tests.conftest import write_task

pytestmark = [pytest.mark.bwrap, pytest.mark.slow]
REPO = Path(__file__).resolve().parent.parent


def journal(run: Path) -> dict[str, float]:
    out = {}
    p = run / "trials.jsonl"
    if p.exists():
        for line in p.read_text().splitlines():
            try:
                r = json.loads(line)
            except ValueError:
                continue
            out[r["trial_key"]] = r["started_at"]
    return out


@pytest.mark.parametrize("kill_after", [0.8, 1.6, 2.4])
def test_sigkill_then_rerun_loses_and_repeats_nothing(tmp_path, local_runtime, kill_after):
    corpus = tmp_path / "corpus"
    for i in range(6):
        # a slow-ish oracle so the kill lands mid-batch
        write_task(corpus / f"t{i}", solve_sh="#!/bin/bash\nsleep 0.3\necho 12 > /root/answer.txt\n")
    run = tmp_path / "run"
    cmd = [sys.executable, "-m", "arena.cli.main", "validate", str(corpus), "--runtime", "local",
           "-j", "2", "--out", str(run), "--json"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
    time.sleep(kill_after)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    before = journal(run)
    print(f"kill after {kill_after}s: {len(before)} trials finished")
    assert len(before) < 24, "the kill must land before the batch ends"
    swept = sweep(docker=False)
    assert not [d for d in Path("/tmp").glob(f"arena-trial-{p.pid}-*")], "janitor must remove the dead run's scratch"
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    after = journal(run)
    assert len(after) == 6 * 4
    for key, started in before.items():
        assert after[key] == started, f"{key} was run again after the kill"
    df = pd.read_parquet(run / "trials.parquet")
    assert len(df) == 24 and df["trial_key"].is_unique
    assert (df.loc[df.agent == "oracle", "reward"] == 1.0).all()
    assert swept.total() >= 0
    # nothing of the killed process is left running
    ps = subprocess.run(["pgrep", "-f", f"arena-trial-{p.pid}-"], capture_output=True, text=True)
    assert ps.stdout.strip() == ""


def _kill_when(p: subprocess.Popen, run: Path, trials: int, extra: float, timeout: float = 120) -> int:
    """SIGKILL ``p`` ``extra`` seconds after its journal holds ``trials`` rows (0: once generation
    began, i.e. run.json exists); returns the rows journaled before the kill."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and p.poll() is None:
        if (run / "run.json").exists() and len(journal(run)) >= trials:
            break
        time.sleep(0.02)
    time.sleep(extra)
    assert p.poll() is None, "the run ended before the kill"
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    return len(journal(run))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigkill_of_eval_at_a_random_point_then_rerun(tmp_path, local_runtime, tiny_model, seed):
    """`arena eval` killed with SIGKILL at a random point (during generation or between/within
    trials), then the same command: every trial is there once, none finished before the kill was
    re-run, and nothing of the killed process is left."""
    import random

    rng = random.Random(seed)
    suite = tmp_path / "suite"
    slow = '#!/bin/bash\nsleep 0.4\npython3 "${BENCHFLOW_VERIFIER_DIR:-/verifier}/verify.py"\n'
    for i in range(6):  # a slow-ish verifier so the kill lands mid-batch
        write_task(suite / f"t{i}", test_sh=slow)
    run = tmp_path / "run"
    cmd = [sys.executable, "-m", "arena.cli.main", "eval", str(tiny_model), "--suite", str(suite), "--samples", "2",
           "--runtime", "local", "-j", "2", "--out", str(run), "--max-new-tokens", "4", "--json"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    at, extra = rng.randint(0, 8), rng.uniform(0, 0.5)
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
    n = _kill_when(p, run, at, extra)
    before = journal(run)
    print(f"seed {seed}: killed {extra:.2f}s after {at} trials: {n} finished")
    assert len(before) < 12, "the kill must land before the batch ends"
    sweep(docker=False)
    assert not list(Path("/tmp").glob(f"arena-trial-{p.pid}-*")), "janitor must remove the dead run's scratch"
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    keys = []
    for line in (run / "trials.jsonl").read_text().splitlines():
        try:
            keys.append(json.loads(line)["trial_key"])
        except ValueError:
            continue  # a line torn by the kill (the store skips it)
    after = journal(run)
    assert len(after) == 12 and sorted(keys) == sorted(after), "each trial journaled exactly once"
    for key, started in before.items():
        assert after[key] == started, f"{key} was run again after the kill"
    df = pd.read_parquet(run / "trials.parquet")
    assert len(df) == 12 and df["trial_key"].is_unique and df["status"].isin(["ok", "timeout"]).all()
    assert json.loads(done.stdout)["summary"]["trials"] == 12
    ps = subprocess.run(["pgrep", "-f", f"arena-trial-{p.pid}-"], capture_output=True, text=True)
    assert ps.stdout.strip() == ""
