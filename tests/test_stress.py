"""One short repetition of the stress benchmark (bench/bench_stress.py): verdicts under CPU and
memory stress and host mount churn.  The full bar (0 misclassified verdicts in 5 repetitions of
every suite, both runtimes) is the benchmark's; CI runs this one repetition of the local cases
most sensitive to load: the agent timeout, sandbox start-up under mount churn, escapes, sabotage."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_stress import run_once  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.bwrap]


def test_verdicts_hold_under_cpu_memory_stress_and_mount_churn(local_runtime):
    if os.geteuid() != 0:
        pytest.skip("the mount churn needs root")
    r = run_once(["tests/test_adversarial.py", "tests/test_escape.py", "tests/test_sabotage.py",
                  "tests/test_sandbox_conformance.py"],
                 "local and (sleep-past-timeout or infinite-output or remount or detached or unreadable "
                 "or delete-python or exit_code or timeout_marks or mounts_visible)")  # fmt: skip
    assert r["passed"] >= 8, r["tail"]
    assert r["failed"] == 0, (r["failures"], r["tail"])
