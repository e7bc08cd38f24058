"""Checking and loading whole corpora: many tasks, entries, coverage per domain."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from arena import domains
from arena.checks import check_task
from arena.entry import discover
from arena.findings import SEVERITY_ORDER, Finding, summarize
from arena.task import Task


@dataclass
class TaskReport:
    path: str
    task_id: str
    team: str | None
    domain: str | None
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


@dataclass
class CheckReport:
    tasks: list[TaskReport] = field(default_factory=list)
    general: list[Finding] = field(default_factory=list)  # entry- and path-level findings

    @property
    def findings(self) -> list[Finding]:
        out = list(self.general)
        for t in self.tasks:
            out += t.findings
        return out

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    def summary(self) -> dict:
        s = summarize(self.findings)
        s["tasks"] = len(self.tasks)
        s["tasks_with_errors"] = sum(not t.ok for t in self.tasks)
        s["by_domain"] = dict(sorted(Counter(t.domain or "unknown" for t in self.tasks).items()))
        return s

    def to_dict(self) -> dict:
        return {"findings": [f.to_dict() for f in self.findings], "summary": self.summary()}

    def render(self, quiet: bool = False) -> str:
        lines = []
        for f in sorted(self.general, key=lambda f: SEVERITY_ORDER[f.severity]):
            if not quiet or f.severity == "error":
                lines.append(f.render())
        for t in self.tasks:
            shown = [f for f in t.findings if not quiet or f.severity == "error"]
            mark = "✓" if t.ok else "✗"
            team = f" [{t.team}]" if t.team else ""
            if t.ok and not shown:
                if not quiet:
                    lines.append(f"{mark} {t.task_id}{team} ({t.domain})")
                continue
            lines.append(f"{mark} {t.task_id}{team} ({t.domain or 'unknown domain'})")
            for f in sorted(shown, key=lambda f: SEVERITY_ORDER[f.severity]):
                lines.append(f.render())
        s = self.summary()
        lines.append(
            f"\n{s['tasks']} task(s), {s['tasks_with_errors']} with errors; "
            f"{s['errors']} error(s), {s['warnings']} warning(s)"
        )
        return "\n".join(lines)


def _check_one(arg: tuple[str | None, str]) -> TaskReport:
    team, path = arg
    task, findings = check_task(path)
    dom = task.domain if task else None
    return TaskReport(path, Path(path).name, team, dom, findings)


def check_paths(paths: list[str], *, workers: int = 0) -> CheckReport:
    """Static checks of everything under ``paths`` (tasks, entries, corpora)."""
    found = discover(paths)
    report = CheckReport(general=list(found.findings))
    for e in found.entries:
        report.general += e.findings
    jobs = [(team, str(p)) for team, p in found.all_tasks()]
    if workers == 0:
        workers = min(os.cpu_count() or 1, 4) if len(jobs) >= 400 else 1
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as pool:
            report.tasks = list(pool.map(_check_one, jobs, chunksize=64))
    else:
        report.tasks = [_check_one(j) for j in jobs]
    _cross_task(report)
    return report


def _cross_task(report: CheckReport) -> None:
    """Identical packages inside one entry are duplicates, whatever their folder names."""
    from arena.findings import error
    from arena.task import tree_digest

    by_team: dict[str | None, dict[str, str]] = {}
    for t in report.tasks:
        if t.team is None:
            continue
        d = tree_digest(Path(t.path))
        seen = by_team.setdefault(t.team, {})
        if d in seen:
            t.findings.append(
                error(
                    "entry.duplicate-task",
                    t.path,
                    f"identical content to {seen[d]} in the same entry",
                    "remove the copy or make it a different task",
                )
            )
        else:
            seen[d] = t.task_id


def load_tasks(paths: list[str | Path]) -> tuple[list[Task], list[Finding]]:
    """Load every task under ``paths`` (skipping ones whose task.md is unusable, reported)."""
    from arena.task import load_task

    found = discover([str(p) for p in paths])
    tasks, findings = [], list(found.findings)
    for _team, p in found.all_tasks():
        t, f = load_task(p)
        if t is None:
            findings += f
        else:
            tasks.append(t)
    return tasks, findings


def coverage(paths: list[str]) -> dict[str, Counter]:
    """Tasks per domain for each path given (corpus name -> Counter)."""
    out = {}
    for p in paths:
        tasks, _ = load_tasks([p])
        c = Counter(t.domain or "unknown" for t in tasks)
        out[p] = Counter({d: c.get(d, 0) for d in domains.DOMAIN_IDS} | {k: v for k, v in c.items()})
    return out
