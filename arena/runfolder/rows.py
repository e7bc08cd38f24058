"""One trial as an object (:class:`TrialResult`) and as a row of the trials table (``to_row`` /
:func:`row_to_result`), the table's columns, trial keys, and the JSON-lines reader of the journal."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from arena.runfolder.status import Status

COLUMNS = (
    "run_id", "trial_key", "task_id", "task_digest", "domain", "team", "family", "sample", "agent",
    "runtime", "status", "reward", "failure_kind", "reason", "metrics", "side_info", "notes",
    "setup_sec", "agent_sec", "verifier_sec", "total_sec", "started_at", "log_dir",
)  # fmt: skip


def json_lines(lines: Iterable[bytes]) -> Iterator[tuple[int, bool, Any]]:
    """(1-based line number, parsed?, value) for every non-blank line of a JSON-lines file; a line
    that is not JSON (torn by a kill, or corrupt) comes back with parsed False and value None."""
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield i, True, json.loads(line)
        except ValueError:
            yield i, False, None


@dataclass
class TrialResult:
    task_id: str
    agent: str
    sample: int = 0
    run_id: str = ""
    task_digest: str = ""
    domain: str | None = None
    team: str | None = None
    family: str | None = None
    runtime: str = ""
    status: str = Status.OK  # a Status value
    reward: float | None = None
    failure_kind: str | None = None  # a FailureKind value
    reason: str | None = None  # human sentence, from the logs when possible
    metrics: dict = field(default_factory=dict)
    side_info: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    setup_sec: float = 0.0
    agent_sec: float = 0.0
    verifier_sec: float = 0.0
    total_sec: float = 0.0
    started_at: float = 0.0
    log_dir: str = ""

    @property
    def trial_key(self) -> str:
        return trial_key(self.task_id, self.agent, self.sample)

    def to_row(self) -> dict:
        row = asdict(self)
        row["status"] = Status(self.status).value  # a typo'd status fails here, not in the statistics
        row["trial_key"] = self.trial_key
        for k in ("metrics", "side_info", "notes"):
            row[k] = json.dumps(row[k], default=str, sort_keys=True)
        return row


def row_to_result(row: dict) -> TrialResult:
    """The :class:`TrialResult` of a trials-table row (:meth:`TrialResult.to_row` backwards)."""
    kw = {k: row.get(k) for k in TrialResult.__dataclass_fields__}
    for k, v in kw.items():  # an all-null parquet column reads back as float NaN
        if isinstance(v, float) and math.isnan(v) and k != "reward":
            kw[k] = None
    for k in ("metrics", "side_info", "notes"):
        v = kw.get(k)
        kw[k] = json.loads(v) if isinstance(v, str) and v else ({} if k != "notes" else [])
    r = kw.get("reward")
    kw["reward"] = None if r is None or (isinstance(r, float) and math.isnan(r)) else float(r)
    kw["sample"] = int(kw.get("sample") or 0)
    return TrialResult(**{k: v for k, v in kw.items() if v is not None or k == "reward"})


def trial_key(task_id: str, agent: str, sample: int) -> str:
    return f"{task_id}/{agent}/{int(sample)}"
