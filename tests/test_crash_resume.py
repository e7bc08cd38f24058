"""`kill -9` of `arena validate` mid-run, then the same command again: no finished trial is lost or
repeated, and the janitor leaves no orphan sandbox behind."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from arena.janitor import sweep
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
