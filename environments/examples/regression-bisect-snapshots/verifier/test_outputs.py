"""Pytest view of grade.py's checks, for the organizers' shim (`pytest test_outputs.py`).

Each check is one test; grade.py holds the only implementation, so the pytest verdict and the
partial-credit reward can never disagree about what passed.
"""

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
