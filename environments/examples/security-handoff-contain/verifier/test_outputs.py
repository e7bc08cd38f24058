"""Pytest view of grade.py's checks (one test per check; grade.py holds the only implementation)."""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import grade  # noqa: E402

RESULTS = grade.evaluate(Path(os.environ.get("BENCHFLOW_WORKSPACE", "/root")))


@pytest.mark.parametrize("name", list(grade.WEIGHTS))
def test_check(name):
    passed, detail = RESULTS[name]
    assert passed, detail
