"""Tidy tables for the validation side of the workbench (findings, coverage, ladder outcomes)."""

from __future__ import annotations

from collections.abc import Iterable

from arena import domains
from arena.findings import Finding


def findings_frame(findings: Iterable[Finding]):
    """One row per finding: task, rule, severity, file, message, fix."""
    import pandas as pd

    rows = []
    for f in findings:
        d = f.to_dict()
        parts = d["path"].split("/")
        d["task_id"] = next((parts[i - 1] for i, p in enumerate(parts) if p in ("task.md", "environment", "verifier",
                                                                                "oracle") and i > 0), parts[-1])  # fmt: skip
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
