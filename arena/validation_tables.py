"""Tidy tables for the validation side of the workbench (findings, coverage, ladder outcomes)."""

from __future__ import annotations

from collections.abc import Iterable

from arena import domains
from arena.findings import Finding


def task_of(path: str) -> str:
    """The task folder's name in a finding's path (the folder holding task.md, environment/,
    verifier/ or oracle/; the last part when none is named)."""
    parts = str(path).split("/")
    return next((parts[i - 1] for i, p in enumerate(parts) if p in ("task.md", "environment", "verifier",
                                                                    "oracle") and i > 0), parts[-1])  # fmt: skip


def findings_frame(findings: Iterable[Finding]):
    """One row per finding: task, rule, severity, file, message, fix."""
    import pandas as pd

    rows = []
    for f in findings:
        d = f.to_dict()
        d["task_id"] = task_of(d["path"])
        rows.append(d)
    cols = ["task_id", "rule", "severity", "path", "message", "fix"]
    return pd.DataFrame(rows, columns=cols)


def coverage_frame(corpora: dict[str, list]):
    """Tasks per domain per corpus: rows = domain ids (all eight), columns = corpus names."""
    import pandas as pd

    data = {}
    for name, tasks in corpora.items():
        counts = {d: 0 for d in domains.DOMAIN_IDS}
        for t in tasks:
            counts[t.domain or "unknown"] = counts.get(t.domain or "unknown", 0) + 1
        data[name] = counts
    df = pd.DataFrame(data).fillna(0).astype(int)
    df.index.name = "domain"
    return df


def ladder_frame(rows: list[dict]):
    import pandas as pd

    df = pd.DataFrame(rows)
    if "oracle_rewards" in df:
        df["oracle_passes"] = df["oracle_rewards"].apply(
            lambda xs: sum(x == 1.0 for x in xs) if isinstance(xs, list) else None
        )
    return df


def team_exclusions(findings: Iterable[dict | Finding]) -> dict[str, dict[str, list[str]]]:
    """{team: {task: [error rules]}} of the team entries (paths under ``teams/<team>/``): the tasks
    an error finding keeps out of training, as the showcase's selection records them."""
    out: dict[str, dict[str, set[str]]] = {}
    for f in findings:
        d = f if isinstance(f, dict) else f.to_dict()
        parts = d["path"].split("/")
        if d["severity"] != "error" or "teams" not in parts[:-1]:
            continue
        team = parts[parts.index("teams") + 1]
        out.setdefault(team, {}).setdefault(task_of(d["path"]), set()).add(d["rule"])
    return {team: {task: sorted(rules) for task, rules in sorted(tasks.items())} for team, tasks in sorted(out.items())}


def exclusion_flags(excluded: dict[str, dict[str, list[str]]]):
    """The validation flags of the award tables: team, flag, count, detail — per team and error
    rule, how many tasks it excluded from training (``excluded`` is {team: {task: [rules]}}, from
    the showcase's selection or :func:`team_exclusions`).  The one rule for the report and the
    notebooks."""
    import pandas as pd

    rows = []
    for team, ex in excluded.items():
        by_rule: dict[str, list[str]] = {}
        for task, rules in ex.items():
            for r in rules:
                by_rule.setdefault(r, []).append(task)
        for rule, tasks in sorted(by_rule.items()):
            rows.append({"team": team, "flag": rule, "count": len(tasks),
                         "detail": f"excluded from training: {', '.join(sorted(tasks)[:3])}"
                                   + (f" and {len(tasks) - 3} more" if len(tasks) > 3 else "")})  # fmt: skip
    return pd.DataFrame(rows, columns=["team", "flag", "count", "detail"])
