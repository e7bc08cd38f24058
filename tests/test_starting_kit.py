"""The organizers' public starting-kit examples pass `arena check` unchanged.

They are not vendored (read them from a checkout of benchflow-ai/posttrainarena): set
ARENA_STARTING_KIT to its `starting-kit/` folder.  CI has no network, so this skips there.
"""

import os
from pathlib import Path

import pytest

from arena.corpus import check_paths

KIT = os.environ.get("ARENA_STARTING_KIT")


@pytest.mark.skipif(not KIT, reason="set ARENA_STARTING_KIT to a checkout's starting-kit/ folder")
def test_starting_kit_examples_pass_check_unchanged():
    examples = Path(KIT) / "examples"
    rep = check_paths([str(examples), str(Path(KIT) / "template")])
    assert rep.summary()["tasks"] >= 8
    errors = [f for f in rep.findings if f.severity == "error"]
    assert errors == [], [f.render() for f in errors]
    assert {t.domain for t in rep.tasks} >= {"cybersecurity", "finance-economics", "media-multimodal"}
