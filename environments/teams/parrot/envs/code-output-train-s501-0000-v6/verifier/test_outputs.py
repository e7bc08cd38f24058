"""Pytest view of verify.py: the same scoring, one test per check.

Every test passes exactly when verify.py awards 1.0, so a pytest-based harness (pass = reward 1.0)
and the reward-file harness agree.  The answer is read from $BENCHFLOW_WORKSPACE/answer.txt.
"""

import importlib.util
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "arena_task_verify", Path(__file__).resolve().parent / "verify.py"
)
verify = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(verify)


@pytest.fixture(scope="module")
def result():
    return verify.evaluate()


def test_answer_file_present(result):
    assert result["checks"]["answer_present"], "answer.txt is missing or empty"


def test_answer_parses_in_the_stated_format(result):
    assert result["checks"]["parseable"], f"answer is not in the {result['format']} format (extra text?)"


def test_answer_format_exact(result):
    assert result["checks"]["format_valid"], "keys, order or repeated items differ from the stated format"


def test_answer_is_right(result):
    assert result["checks"]["exact"], f"answer differs from the truth: {result['checks']}"


def test_full_reward(result):
    assert result["reward"] == 1.0
