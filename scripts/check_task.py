#!/usr/bin/env python3
"""Organizer-compatible task check: same command line and exit codes, delegating to `arena check`.

    scripts/check_task.py [TASK_OR_FOLDER ...]     (default: environments/)

Prints one line per task (✓ valid / ✗ N issue(s) with the errors under it); warnings are shown
with `!` but do not fail.  Exit 0 if every task validates, 1 if any has errors or none is found.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from arena.checks import check_task  # noqa: E402
from arena.entry import discover  # noqa: E402


def main(argv: list[str]) -> int:
    targets = argv[1:] or ["environments"]
    found = discover(targets)
    tasks = [p for _team, p in found.all_tasks()]
    if not tasks:
        print("no task directories found")
        return 1
    ok = True
    for task_dir in tasks:
        _, findings = check_task(task_dir)
        errors = [f for f in findings if f.severity == "error"]
        if errors:
            ok = False
            print(f"✗ {task_dir.name} — {len(errors)} issue(s):")
            for f in errors:
                print(f"  → [{f.rule}] {f.message}" + (f" (fix: {f.fix})" if f.fix else ""))
        else:
            print(f"✓ {task_dir.name} — valid")
        for f in findings:
            if f.severity == "warning":
                print(f"  ! [{f.rule}] {f.message}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
