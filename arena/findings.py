"""Findings: what a check says about a package, as data (rule id, severity, file, message, fix)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Finding:
    rule: str  # stable id, e.g. "frontmatter.field-range"
    severity: Severity
    path: str  # the file (or folder) the finding is about
    message: str  # what is wrong
    fix: str = ""  # how to fix it

    def to_dict(self) -> dict:
        return asdict(self)

    def render(self) -> str:
        mark = {"error": "✗", "warning": "!", "info": "·"}[self.severity]
        out = f"  {mark} {self.severity:<7} {self.rule:<28} {self.path}: {self.message}"
        if self.fix:
            out += f"\n      fix: {self.fix}"
        return out


def error(rule: str, path: str, message: str, fix: str = "") -> Finding:
    return Finding(rule, "error", str(path), message, fix)


def warning(rule: str, path: str, message: str, fix: str = "") -> Finding:
    return Finding(rule, "warning", str(path), message, fix)


def info(rule: str, path: str, message: str, fix: str = "") -> Finding:
    return Finding(rule, "info", str(path), message, fix)


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def summarize(findings: Iterable[Finding]) -> dict:
    findings = list(findings)
    by_sev = Counter(f.severity for f in findings)
    return {
        "errors": by_sev.get("error", 0),
        "warnings": by_sev.get("warning", 0),
        "infos": by_sev.get("info", 0),
        "rules": dict(sorted(Counter(f.rule for f in findings).items())),
    }
