#!/usr/bin/env python3
"""Score a single-turn answer against expected.json (stdlib only: runs once per GRPO completion).

Inputs:  $BENCHFLOW_WORKSPACE/answer.txt (default /root/answer.txt), the agent's answer;
         expected.json beside this file, the truth (the verifier's own pristine copy).
Outputs: $BENCHFLOW_REWARD_TEXT (default /logs/verifier/reward.txt), one float in [0, 1];
         $BENCHFLOW_REWARD_JSON (default /logs/verifier/reward.json), {"reward", "checks", ...}.

The answer is whitespace-trimmed, then parsed strictly in the task's answer format.  Anything
else (a sentence around the answer, a label, a code fence) is not parseable and scores 0.

  format  parseable as                          reward
  int     -?digits, no leading zeros            0.1 valid format, 1.0 exact
  token   one word: [A-Za-z0-9][A-Za-z0-9._:/@-]*  0.1 valid format, 1.0 exact
  kv      lines key=value, no spaces            0.1 keys exactly as asked, in order
                                                + 0.9 x (keys with the right value / keys asked)
  list    a,b,c on one line, no spaces          0.1 no repeated item
                                                + 0.5 x max(0, hits - wrong items) / expected items
                                                + 0.4 exact list in the asked order
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAX_ANSWER_BYTES = 64 * 1024
FORMAT_CREDIT = 0.1
INT_RE = re.compile(r"-?(?:0|[1-9][0-9]*)")
TOKEN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@-]*")
KV_LINE_RE = re.compile(r"([A-Za-z][A-Za-z0-9_.-]*)=([^\s=]+)")
LIST_RE = re.compile(r"[^,\s]+(?:,[^,\s]+)*")


def read_answer(path: Path) -> str | None:
    """The answer text, or None when the file is missing, unreadable, binary or huge."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_ANSWER_BYTES:
            return None
        raw = path.read_bytes()
    except OSError:
        return None
    if b"\0" in raw:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def parse_kv(text: str) -> list[tuple[str, str]] | None:
    pairs = []
    for line in text.split("\n"):
        m = KV_LINE_RE.fullmatch(line.strip())
        if m is None:
            return None
        pairs.append((m.group(1), m.group(2)))
    return pairs


def score(text: str | None, expected: dict) -> tuple[float, dict]:
    """(reward, checks) for an answer text against expected.json's {"format", "answer"}."""
    fmt, truth = expected["format"], expected["answer"]
    checks: dict = {"answer_present": bool(text and text.strip())}
    if not checks["answer_present"]:
        checks.update(parseable=False, format_valid=False, exact=False)
        return 0.0, checks
    ans = text.strip()
    reward = 0.0
    if fmt in ("int", "token"):
        ok = (INT_RE if fmt == "int" else TOKEN_RE).fullmatch(ans) is not None
        checks.update(parseable=ok, format_valid=ok, exact=ok and ans == truth)
        reward = 1.0 if checks["exact"] else (FORMAT_CREDIT if ok else 0.0)
    elif fmt == "kv":
        got, want = parse_kv(ans), parse_kv(truth)
        checks["parseable"] = got is not None
        if got is None:
            checks.update(format_valid=False, exact=False)
            return 0.0, checks
        checks["format_valid"] = [k for k, _ in got] == [k for k, _ in want]
        values: dict[str, list[str]] = {}
        for k, v in got:
            values.setdefault(k, []).append(v)
        right = 0
        for k, v in want:
            hit = values.get(k) == [v]
            checks[f"field:{k}"] = hit
            right += hit
        checks["fields_right"] = f"{right}/{len(want)}"
        checks["exact"] = checks["format_valid"] and right == len(want)
        reward = (FORMAT_CREDIT if checks["format_valid"] else 0.0) + (1 - FORMAT_CREDIT) * right / len(want)
    elif fmt == "list":
        ok = "\n" not in ans and LIST_RE.fullmatch(ans) is not None
        checks["parseable"] = ok
        if not ok:
            checks.update(format_valid=False, exact=False)
            return 0.0, checks
        items, want = ans.split(","), truth.split(",")
        wanted = set(want)
        hits = len(set(items) & wanted)
        wrong = len(items) - hits  # items not asked for, and repeats
        checks["format_valid"] = len(set(items)) == len(items)
        checks["items_right"] = f"{hits}/{len(want)}"
        checks["items_wrong"] = wrong
        checks["exact"] = items == want
        reward = (
            (FORMAT_CREDIT if checks["format_valid"] else 0.0)
            + 0.5 * max(0, hits - wrong) / len(want)
            + (0.4 if checks["exact"] else 0.0)
        )
    else:
        raise ValueError(f"unknown answer format {fmt!r}")
    return round(min(1.0, reward), 4), checks


def evaluate() -> dict:
    """Read the answer and the truth, score, and return the reward document."""
    workspace = Path(os.environ.get("BENCHFLOW_WORKSPACE", "/root"))
    expected = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
    text = read_answer(workspace / "answer.txt")
    reward, checks = score(text, expected)
    return {
        "reward": reward,
        "checks": checks,
        "task": expected.get("task"),
        "family": expected.get("family"),
        "format": expected["format"],
        "answer_chars": len(text) if text is not None else None,
    }


def main() -> int:
    reward_text = Path(os.environ.get("BENCHFLOW_REWARD_TEXT", "/logs/verifier/reward.txt"))
    reward_json = Path(os.environ.get("BENCHFLOW_REWARD_JSON", "/logs/verifier/reward.json"))
    doc = evaluate()
    for p in (reward_text, reward_json):
        p.parent.mkdir(parents=True, exist_ok=True)
    reward_text.write_text(f"{doc['reward']}\n", encoding="utf-8")
    reward_json.write_text(json.dumps(doc, sort_keys=True) + "\n", encoding="utf-8")
    print(f"reward={doc['reward']} checks={json.dumps(doc['checks'], sort_keys=True)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
