"""What an open release ships: only packages that pass ``arena check``, under stated licences.

``gate(paths)`` runs the static checks over every corpus given and splits the packages into the
ones a release may carry (no error finding; warnings are allowed and counted) and the refused ones,
whose findings (file, rule, message, fix) the commands print.  Exporters call it, so
``arena export dataset`` and ``arena export harbor`` refuse the same packages for the same reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from arena.findings import Finding

#: the licences of a release: prose and data (prompts, seed files, rubrics) / code (scripts, Dockerfiles)
LICENSE_TEXT = "CC-BY-4.0"
LICENSE_CODE = "Apache-2.0"
LICENSE = f"{LICENSE_TEXT} AND {LICENSE_CODE}"  # SPDX expression of one package


@dataclass
class Gated:
    """A package that may be released: its folder, id, team (None outside team entries), warnings."""

    path: Path
    task_id: str
    team: str | None
    domain: str | None
    warnings: list[Finding] = field(default_factory=list)


@dataclass
class Gate:
    accepted: list[Gated] = field(default_factory=list)
    refused: list = field(default_factory=list)  # arena.corpus.TaskReport with error findings
    general: list[Finding] = field(default_factory=list)  # path- and entry-level errors

    @property
    def n_warnings(self) -> int:
        return sum(len(g.warnings) for g in self.accepted)

    def render_refused(self) -> str:
        """The refused packages with their error findings, in ``arena check``'s format."""
        lines = [f.render() for f in self.general]
        for t in self.refused:
            lines.append(f"✗ refused {t.task_id} ({t.domain or 'unknown domain'}): fails arena check")
            lines += [f.render() for f in t.findings if f.severity == "error"]
        return "\n".join(lines)


def gate(paths: list[str | Path]) -> Gate:
    """Check every package under ``paths``; duplicate ids across corpora are refused too."""
    from arena.corpus import check_paths
    from arena.findings import error

    report = check_paths([str(p) for p in paths])
    out = Gate(general=[f for f in report.general if f.severity == "error"])
    seen: dict[str, str] = {}
    for t in report.tasks:
        if t.task_id in seen and t.ok:
            t.findings.append(error("release.duplicate-id", t.path, f"task id {t.task_id} already taken by {seen[t.task_id]}",
                                    "rename one of the two package folders"))  # fmt: skip
        if not t.ok:
            out.refused.append(t)
            continue
        seen[t.task_id] = t.path
        warns = [f for f in t.findings if f.severity == "warning"]
        out.accepted.append(Gated(Path(t.path), t.task_id, t.team, t.domain, warns))
    return out
