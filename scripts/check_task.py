#!/usr/bin/env python3
"""Organizer-compatible task check: the organizers' command line and exit code, plus arena's findings.

    scripts/check_task.py [TASK_OR_FOLDER ...]     (default: every package under environments/)

Each argument is a task package or a folder holding packages one level down, as in the
organizers' checker (their default, starting-kit/, does not exist here: without arguments every
package arena finds under environments/ is checked).  The verdict — ✓ / ✗ per package and the exit code — is the organizers' CI
rule set (``arena.organizer_ci``: required files including verifier/test_outputs.py,
verifier/verifier.md and a verifier/rubrics/*.md, frontmatter keys, ``## prompt``, FROM first).
Under each package, arena's own static findings that the organizers do not check (a category
that names no domain, leaks, typed frontmatter) are listed with ``!``: they do not change the
exit code; ``arena check`` gates on them.  Exit 0 if every package passes, 1 if any fails or none
is found.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from arena import organizer_ci  # noqa: E402
from arena.checks import check_task  # noqa: E402


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        targets = argv[1:]
    else:
        from arena.entry import discover

        targets = [str(p) for _team, p in discover(["environments"]).all_tasks()]
    verdict = organizer_ci.check_tasks(targets)
    if not verdict.found:
        print("no task directories found")
        return 1
    for path, issues in verdict.issues.items():
        name = Path(path).name
        if issues:
            print(f"✗ {name} — {len(issues)} issue(s):")
            for i in issues:
                print(f"  → {i}")
        else:
            print(f"✓ {name} — structure valid")
        _, findings = check_task(path)
        for f in findings:
            if f.severity in ("error", "warning") and f.rule != "structure.organizer-file":
                print(f"  ! arena {f.severity} [{f.rule}] {f.message}" + (f" (fix: {f.fix})" if f.fix else ""))
    return verdict.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
