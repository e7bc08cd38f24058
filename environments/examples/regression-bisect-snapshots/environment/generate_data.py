#!/usr/bin/env python3
"""Authoring-time generator for regression-bisect-snapshots' seed data.

    python3 environment/generate_data.py            # writes environment/history/ and verifier/data/
    python3 environment/generate_data.py --out DIR  # writes the same tree under DIR (for audits)

Deterministic (no randomness, no clock): re-running reproduces identical bytes.  Not copied into
the image: its commit table says which commits break what.

The history of a small text-utility module, ``textkit.py``: 24 commits on main (oldest first),
the module's full source at every commit, and the HEAD test suite.  Planted: ``parse_duration``
gains hours at c04 and loses them again at c18 (a unit-table refactor); ``truncate`` breaks at
c12 right after c11, which cannot be imported (it needs an accelerator module that was never
packaged); ``slugify`` breaks at c14 and is
fixed at c16 (not failing at HEAD, so not a finding); the HEAD suite also contains a test for a
``max_length`` feature that was never implemented.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

HEADER = '"""textkit: small text helpers used by the publishing pipeline."""\n\nimport re\n'

SLUGIFY = {
    "v1": """
def slugify(text):
    text = text.lower()
    text = re.sub(r"[^a-z0-9]+", "-", text)
    return text.strip("-")
""",
    "v2": """
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text):
    return _NON_ALNUM.sub("-", text.lower()).strip("-")
""",
    "broken": """
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text):
    return _NON_ALNUM.sub("-", text).strip("-").lower()
""",
}
WRAP = {
    "v1": """
def wrap(text, width):
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines
""",
    "v2": """
def wrap(text, width):
    lines = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines
""",
}
DURATION = {
    "ms": '''
def parse_duration(spec):
    """'90s', '5m', '1m30s' -> seconds."""
    total = 0
    for amount, unit in re.findall(r"(\\d+)([ms])", spec):
        total += int(amount) * (60 if unit == "m" else 1)
    return total
''',
    "hms": '''
def parse_duration(spec):
    """'90s', '5m', '2h', '1h30m' -> seconds."""
    total = 0
    for amount, unit in re.findall(r"(\\d+)([hms])", spec):
        total += int(amount) * {"h": 3600, "m": 60, "s": 1}[unit]
    return total
''',
    "table_bug": '''
_UNITS = {"s": 1, "m": 60}
_UNITS["h"] = _UNITS["m"] * 6  # derived from minutes


def parse_duration(spec):
    """'90s', '5m', '2h', '1h30m' -> seconds."""
    return sum(int(a) * _UNITS[u] for a, u in re.findall(r"(\\d+)([hms])", spec))
''',
}
TRUNCATE = {
    "v1": """
def truncate(text, limit, ellipsis="\\u2026"):
    if len(text) <= limit:
        return text
    return text[: limit - len(ellipsis)] + ellipsis
""",
    "broken": """
def truncate(text, limit, ellipsis="\\u2026"):
    if len(text) < limit:
        return text
    return text[:limit] + ellipsis
""",
}
TITLE = {
    "v1": """
SMALL_WORDS = {"a", "an", "and", "of", "the", "in", "on", "to"}


def title_case(text):
    words = text.split()
    return " ".join(w if i and w in SMALL_WORDS else w.capitalize() for i, w in enumerate(words))
""",
    "v2": """
SMALL_WORDS = frozenset("a an and at but by for in of on or the to".split())


def title_case(text):
    out = []
    for i, word in enumerate(text.split()):
        out.append(word.lower() if i and word.lower() in SMALL_WORDS else word[:1].upper() + word[1:].lower())
    return " ".join(out)
""",
}
NATIVE_IMPORT = "\nfrom textkit_native import collapse_ws\n"  # the accelerator was never packaged
NATIVE_FALLBACK = """
try:
    from textkit_native import collapse_ws
except ImportError:  # pure-Python fallback

    def collapse_ws(text):
        return " ".join(text.split())
"""
NORMALIZE = """
def normalize_whitespace(text):
    return collapse_ws(text)
"""

# (id, author, date, message, {part: version}) -- parts absent keep the previous version
COMMITS = [
    ("c01", "Ana Lima", "2024-02-01T09:12:00Z", "textkit: slugify and wrap", {"slugify": "v1", "wrap": "v1"}),
    ("c02", "Ana Lima", "2024-02-02T14:40:00Z", "add parse_duration (seconds, minutes)", {"duration": "ms"}),
    ("c03", "Ben Ortiz", "2024-02-05T10:05:00Z", "docs: module docstring", {}),
    ("c04", "Ben Ortiz", "2024-02-06T16:21:00Z", "parse_duration: support hours", {"duration": "hms"}),
    ("c05", "Chloe Park", "2024-02-08T11:00:00Z", "add truncate with ellipsis", {"truncate": "v1"}),
    ("c06", "Chloe Park", "2024-02-09T09:30:00Z", "add title_case", {"title": "v1"}),
    ("c07", "Ana Lima", "2024-02-12T13:45:00Z", "wrap: simpler loop", {"wrap": "v2"}),
    ("c08", "Dev Rao", "2024-02-13T08:55:00Z", "slugify: precompile regex", {"slugify": "v2"}),
    ("c09", "Ben Ortiz", "2024-02-15T17:10:00Z", "ci: pin python 3.11", {}),
    ("c10", "Chloe Park", "2024-02-19T10:25:00Z", "title_case: more small words", {"title": "v2"}),
    ("c11", "Dev Rao", "2024-02-20T18:02:00Z", "perf: normalize_whitespace via textkit_native", {"native": "hard"}),
    ("c12", "Dev Rao", "2024-02-21T09:40:00Z", "fallback without textkit_native; truncate keeps full limit",
     {"native": "soft", "truncate": "broken"}),
    ("c13", "Ana Lima", "2024-02-22T15:15:00Z", "readme: examples", {}),
    ("c14", "Ema Novak", "2024-02-26T11:48:00Z", "slugify: avoid double lower()", {"slugify": "broken"}),
    ("c15", "Ben Ortiz", "2024-02-27T14:00:00Z", "bump version to 0.4.0", {}),
    ("c16", "Ema Novak", "2024-02-28T09:05:00Z", "revert slugify change", {"slugify": "v2"}),
    ("c17", "Chloe Park", "2024-03-01T16:30:00Z", "tests: more wrap cases", {}),
    ("c18", "Fynn Weber", "2024-03-04T10:10:00Z", "parse_duration: table-driven units", {"duration": "table_bug"}),
    ("c19", "Ana Lima", "2024-03-05T13:20:00Z", "docs: changelog", {}),
    ("c20", "Dev Rao", "2024-03-06T08:45:00Z", "lint fixes", {}),
    ("c21", "Fynn Weber", "2024-03-07T15:35:00Z", "ci: cache pip", {}),
    ("c22", "Ema Novak", "2024-03-11T12:00:00Z", "docs: title_case examples", {}),
    ("c23", "Ben Ortiz", "2024-03-12T17:25:00Z", "bump version to 0.5.0", {}),
    ("c24", "Chloe Park", "2024-03-14T09:50:00Z", "release 0.5.0", {}),
]  # fmt: skip

TESTS = '''"""HEAD test suite for textkit (plain asserts: runs under pytest or any runner)."""

import textkit


def test_slugify_basic():
    assert textkit.slugify("Hello, World!") == "hello-world"


def test_slugify_collapses_separators():
    assert textkit.slugify("a  --  b") == "a-b"


def test_slugify_max_length():
    assert textkit.slugify("x" * 100, max_length=20) == "x" * 20


def test_wrap_respects_width():
    text = "the quick brown fox jumps over the lazy dog"
    lines = textkit.wrap(text, 12)
    assert all(len(line) <= 12 for line in lines)
    assert " ".join(lines) == text


def test_parse_duration_seconds_minutes():
    assert textkit.parse_duration("45s") == 45
    assert textkit.parse_duration("1m30s") == 90


def test_parse_duration_hours():
    assert textkit.parse_duration("2h") == 7200
    assert textkit.parse_duration("1h30m") == 5400


def test_truncate_adds_ellipsis():
    assert textkit.truncate("abcdefghij", 5) == "abcd\\u2026"


def test_truncate_short_text_untouched():
    assert textkit.truncate("abc", 5) == "abc"


def test_title_case_small_words():
    assert textkit.title_case("the lord of the rings") == "The Lord of the Rings"
'''


def sha(commit_id: str, message: str) -> str:
    return hashlib.sha1(f"textkit/{commit_id}/{message}".encode()).hexdigest()[:12]


def build() -> dict[str, bytes]:
    files: dict[str, str] = {}
    state: dict[str, str] = {}
    log, parent = [], None
    for cid, author, date, message, changes in COMMITS:
        state.update(changes)
        head = HEADER
        if state.get("native") == "hard":
            head += NATIVE_IMPORT
        elif state.get("native") == "soft":
            head += NATIVE_FALLBACK
        parts = [head]
        for key, table in (("slugify", SLUGIFY), ("wrap", WRAP), ("duration", DURATION), ("truncate", TRUNCATE),
                           ("title", TITLE)):  # fmt: skip
            if key in state:
                parts.append(table[state[key]])
        if "native" in state:
            parts.append(NORMALIZE)
        h = sha(cid, message)
        body = "\n\n\n".join(p.strip("\n") for p in parts[1:])
        # after plain imports: 1 blank line before a statement, 2 before a def (isort / ruff format)
        sep = "\n" if body.startswith("_") and "def " not in parts[0] else "\n\n"
        files[f"snapshots/{h}/textkit.py"] = parts[0].rstrip("\n") + "\n" + sep + body + "\n"
        log.append({"sha": h, "parent": parent, "author": author, "date": date, "message": message})
        parent = h
    files["log.json"] = (
        json.dumps({"branch": "main", "order": "oldest-first", "commits": log}, indent=2) + "\n"
    )
    files["tests/test_textkit.py"] = TESTS
    return {k: v.encode() for k, v in files.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, help="write the tree here instead of into the package")
    args = ap.parse_args()
    task = Path(__file__).resolve().parent.parent
    targets = [args.out] if args.out else [task / "environment" / "history", task / "verifier" / "data"]
    for target in targets:
        for rel, data in build().items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


if __name__ == "__main__":
    main()
