"""The one digest of a set of tasks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def suite_digest(tasks: Iterable[tuple[str, str]]) -> str:
    """sha256 over the sorted (task_id, task_digest) pairs of a set of tasks: equal digests, same
    suite (run.json's ``suite_digest`` and the score report's suite table use this one)."""
    h = hashlib.sha256()
    for tid, dig in sorted((str(t), str(d)) for t, d in tasks):
        h.update(f"{tid}\0{dig}\n".encode())
    return h.hexdigest()
