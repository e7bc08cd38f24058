"""Shared fixtures: small task packages built in tmp_path, and runtime availability."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

FRONTMATTER = """\
version: "1.0"
metadata:
  author_name: Test Author
  author_email: test@example.org
  category: {category}
  difficulty: easy
  tags: [test]
agent:
  timeout_sec: {agent_timeout}
{agent_extra}verifier:
  timeout_sec: {verifier_timeout}
{verifier_extra}environment:
  build_timeout_sec: 300
  cpus: 1
  memory_mb: {memory_mb}
  storage_mb: 1024
  allow_internet: {allow_internet}
"""

# A verifier in the organizers' style: recomputes the truth from its own copy and writes
# reward.txt + reward.json with side info; partial credit for the right file with a wrong value.
VERIFY_PY = """\
import json, os, pathlib
ws = pathlib.Path(os.environ.get("BENCHFLOW_WORKSPACE", "/root"))
vdir = pathlib.Path(os.environ.get("BENCHFLOW_VERIFIER_DIR", "/verifier"))
txt = pathlib.Path(os.environ.get("BENCHFLOW_REWARD_TEXT", "/logs/verifier/reward.txt"))
js = pathlib.Path(os.environ.get("BENCHFLOW_REWARD_JSON", "/logs/verifier/reward.json"))
truth = sum(int(x) for x in (vdir / "data" / "numbers.txt").read_text().split())
ans = ws / "answer.txt"
checks = {"exists": ans.exists(), "correct": False}
reward = 0.0
if checks["exists"]:
    reward = 0.25
    if ans.read_text().strip() == str(truth):
        checks["correct"], reward = True, 1.0
txt.parent.mkdir(parents=True, exist_ok=True)
txt.write_text(f"{reward}\\n")
js.write_text(json.dumps({"reward": reward, "checks": checks, "n_checks": 2}))
"""


def write_task(
    root: Path,
    *,
    category: str = "sciences",
    prompt: str = "Add the numbers in /root/numbers.txt and write the sum to /root/answer.txt.",
    agent_timeout: float = 20,
    verifier_timeout: float = 20,
    memory_mb: int = 512,
    allow_internet: str = "false",
    test_sh: str | None = None,
    solve_sh: str | None = None,
    dockerfile: str | None = None,
    extra_frontmatter: str = "",
    agent_extra: str = "  answer_file: /root/answer.txt\n",
    verifier_extra: str = "",
    body: str | None = None,
) -> Path:
    """A complete, valid package (oracle 1.0, nop 0.0) unless an argument breaks it."""
    root.mkdir(parents=True, exist_ok=True)
    fm = FRONTMATTER.format(category=category, agent_timeout=agent_timeout, verifier_timeout=verifier_timeout,
                            memory_mb=memory_mb, allow_internet=allow_internet, agent_extra=agent_extra,
                            verifier_extra=verifier_extra)  # fmt: skip
    body = body if body is not None else f"\n## prompt\n\n{prompt}\n"
    (root / "task.md").write_text(f"---\n{fm}{extra_frontmatter}---\n{body}")
    env = root / "environment"
    env.mkdir(exist_ok=True)
    (env / "Dockerfile").write_text(
        dockerfile or "FROM arena-base:py3.11\nWORKDIR /root\nCOPY numbers.txt /root/numbers.txt\n"
    )
    (env / "numbers.txt").write_text("3 4 5\n")
    ver = root / "verifier"
    (ver / "data").mkdir(parents=True, exist_ok=True)
    (ver / "rubrics").mkdir(exist_ok=True)
    (ver / "data" / "numbers.txt").write_text("3 4 5\n")
    (ver / "verify.py").write_text(VERIFY_PY)
    (ver / "test.sh").write_text(test_sh or '#!/bin/bash\npython3 "${BENCHFLOW_VERIFIER_DIR:-/verifier}/verify.py"\n')
    (ver / "test_outputs.py").write_text("def test_placeholder():\n    assert 1 + 1 == 2\n")
    (ver / "verifier.md").write_text("Checks the sum.\n")
    (ver / "rubrics" / "sum.md").write_text("1.0 exact sum; 0.25 answer file present.\n")
    orc = root / "oracle"
    orc.mkdir(exist_ok=True)
    (orc / "solve.sh").write_text(
        solve_sh
        or textwrap.dedent("""\
        #!/bin/bash
        set -e
        WS="${BENCHFLOW_WORKSPACE:-/root}"
        python3 -c "print(sum(int(x) for x in open('$WS/numbers.txt').read().split()))" > "$WS/answer.txt"
        """)
    )
    return root


@pytest.fixture
def make_task(tmp_path):
    counter = {"n": 0}

    def _make(name: str | None = None, **kw) -> Path:
        counter["n"] += 1
        return write_task(tmp_path / (name or f"task-{counter['n']}"), **kw)

    return _make


def _bwrap_ok() -> bool:
    from arena.sandbox.local import _bwrap_problem

    return shutil.which("bwrap") is not None and _bwrap_problem() is None


@pytest.fixture(scope="session")
def local_runtime():
    if not _bwrap_ok():
        if os.environ.get("CI") == "true":
            pytest.fail("bubblewrap must work in CI (apt-get install bubblewrap)")
        pytest.skip("bubblewrap is not usable here: apt-get install bubblewrap")
    from arena.sandbox.local import LocalRuntime

    return LocalRuntime()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A tiny random-init Qwen3 checkpoint folder (made once per session, nothing downloaded)."""
    pytest.importorskip("transformers")
    from arena.train.tiny import make_tiny_model

    out = tmp_path_factory.mktemp("tiny") / "model"
    make_tiny_model(out, seed=0)
    return out


def _harness_prefix(name: str):
    from arena.agents.harness_prefix import PrefixError, install

    try:
        return install(name)[0]
    except PrefixError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI builds the {name} harness prefix, yet: {exc}")
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def mswe_prefix():
    """mini-swe-agent installed once into its host prefix (arena.agents.harness_prefix; pip from the
    machine's configured indexes, ~70 s the first time), or skip with the reason (fail in CI)."""
    return _harness_prefix("mini-swe")


@pytest.fixture(scope="session")
def opencode_prefix():
    """OpenCode (opencode-ai, pinned) installed once into its host prefix with npm (needs node/npm on
    the host, not in the sandbox: its platform package is a self-contained binary), or skip with why."""
    return _harness_prefix("opencode")


@pytest.fixture(scope="session")
def docker_runtime():
    """The docker runtime with its base image, or skip with the reason (fail in CI, which starts both)."""
    from arena.sandbox import RuntimeUnavailable, get_runtime
    from arena.sandbox.dockerutil import image_or_none

    def unusable(why: str):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI starts dockerd and builds the base image, yet: {why}")
        pytest.skip(why)

    try:
        rt = get_runtime("docker")
    except RuntimeUnavailable as exc:
        unusable(str(exc))
    why = rt.unavailable_reason()
    if why:
        unusable(why)
    if image_or_none(rt.client, rt.base_tag) is None:
        unusable(f"base image {rt.base_tag} is missing: run `arena base build`")
    return rt
