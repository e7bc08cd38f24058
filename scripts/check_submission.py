#!/usr/bin/env python3
"""Organizer-compatible team-entry check, delegating to `arena check`.

    scripts/check_submission.py [SUBMISSIONS_ROOT]     (default: submissions/)

One line per entry (✓ valid / ✗ N issue(s)); warnings (e.g. below the 50-package minimum) are
printed with `!` and do not fail.  Folders starting with `_` are skipped.
Exit 0 if every entry validates (or there is nothing to check), 1 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from arena.corpus import check_paths  # noqa: E402


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path("submissions")
    if not root.is_dir():
        print(f"no {root}/ directory — nothing to check")
        return 0
    entries = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    if not entries:
        print("no team submissions yet")
        return 0
    ok = True
    for entry in entries:
        rep = check_paths([str(entry)])
        errors = [f for f in rep.findings if f.severity == "error"]
        if errors:
            ok = False
            print(f"✗ {entry.name} — {len(errors)} issue(s):")
            for f in errors:
                where = Path(f.path)
                rel = where.relative_to(entry) if where.is_relative_to(entry) else where
                print(f"  → {rel}: [{f.rule}] {f.message}")
        else:
            print(f"✓ {entry.name} — valid")
        for f in rep.findings:
            if f.severity == "warning" and f.rule.startswith("entry."):
                print(f"  ! {f.message}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
