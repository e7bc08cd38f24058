"""Property checks shared by the quick fuzz tests and ``bench/fuzz_parsers.py``.

Each ``fuzz_*`` feeds one input to a parser and asserts the contract: no exception escapes, and
an input that cannot be used yields at least one error finding (or a reward error) with a rule id.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from hypothesis import strategies as st

from arena.checks import check_task
from arena.entry import load_entry
from arena.reward import parse_reward

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                     st.text(max_size=30))  # fmt: skip
_keys = st.sampled_from(["version", "metadata", "agent", "verifier", "environment", "sandbox", "schema_version",
                         "author_name", "author_email", "category", "difficulty", "tags", "timeout_sec", "cpus",
                         "memory_mb", "allow_internet", "network_mode", "roles", "scenes", "answer_file",
                         "team_name", "contact_email", "track", "reward"]) | st.text(max_size=12)  # fmt: skip
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=5),
                       max_leaves=25)  # fmt: skip


@st.composite
def yaml_docs(draw) -> str:
    """YAML text of random (often nearly valid) mappings, lists and scalars."""
    doc = draw(st.one_of(st.dictionaries(_keys, _values, max_size=8), _values))
    try:
        return yaml.safe_dump(doc, allow_unicode=True)
    except Exception:  # noqa: BLE001 - unrepresentable values just give a plain string
        return str(doc)


def _as_bytes(x) -> bytes:
    return x if isinstance(x, bytes) else str(x).encode("utf-8", errors="surrogatepass")


def fuzz_task_md(root: Path, frontmatter, body: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    fm = _as_bytes(frontmatter)
    (root / "task.md").write_bytes(b"---\n" + fm + b"\n---\n" + body.encode("utf-8", errors="replace"))
    task, findings = check_task(root)
    assert all(f.rule and f.severity in ("error", "warning", "info") for f in findings)
    if task is None:
        assert any(f.severity == "error" for f in findings), "an unusable task.md must give an error finding"


def fuzz_submission(root: Path, doc) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "submission.yaml").write_bytes(_as_bytes(doc))
    entry = load_entry(root)
    if entry.manifest is None:
        assert any(f.severity == "error" and f.rule.startswith("entry.") for f in entry.findings)


def fuzz_reward(txt, js) -> None:
    r = parse_reward(_as_bytes(txt) if txt is not None else None, _as_bytes(js) if js is not None else None)
    assert (r.reward is None) == (r.error is not None)
    if r.reward is not None:
        assert r.reward == r.reward and abs(r.reward) != float("inf")
        json.dumps(r.metrics)
