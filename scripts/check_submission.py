#!/usr/bin/env python3
"""Organizer-compatible team-entry check: the organizers' command line and exit code.

    scripts/check_submission.py [SUBMISSIONS_ROOT]     (default: submissions/)

One line per entry (every folder of the root not starting with ``_``): ✓ / ✗ with the issues the
organizers' CI reports (``arena.organizer_ci``: submission.yaml fields and track, 1–200
environment packages, each package's required files).  Warnings (``!``) do not fail; they include
the organizers' below-minimum warning and a count of the errors ``arena check`` reports on top
(a category that names no domain, leaks, duplicates: run ``arena check`` for them).
Exit 0 if every entry passes (or there is nothing to check), 1 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from arena import organizer_ci  # noqa: E402
from arena.corpus import check_paths  # noqa: E402


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path("submissions")
    if not root.is_dir():
        print(f"no {root}/ directory — nothing to check")
        return 0
    entries = organizer_ci.entries(root)
    if not entries:
        print("no team submissions yet")
        return 0
    verdict = organizer_ci.check_submissions(root)
    for entry in entries:
        issues = verdict.issues[str(entry)]
        if issues:
            print(f"✗ {entry.name} — {len(issues)} issue(s):")
            for i in issues:
                print(f"  → {i}")
        else:
            print(f"✓ {entry.name} — structure valid")
        for w in verdict.warnings[str(entry)]:
            print(f"  ! {w}")
        findings = check_paths([str(entry)]).findings
        for f in findings:
            if f.severity == "warning" and f.rule.startswith("entry."):
                print(f"  ! arena: {f.message}")
        ours = [f for f in findings if f.severity == "error"]
        if ours:
            rules = sorted({f.rule for f in ours})
            print(f"  ! arena check reports {len(ours)} error(s) the organizers' CI does not check "
                  f"({', '.join(rules)}): run `arena check {entry}`")
    return verdict.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
