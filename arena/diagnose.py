"""Name the cause of a failure from its logs, so a 0 is never bare.

Each pattern maps a log line to a failure kind and a sentence that says what to fix.
"""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[re.Pattern, str, str], ...] = (
    (re.compile(r"(?:^|\n)[^\n]*?\b([\w.+-]+): (?:command )?not found"), "missing_tool",
     "`{0}` is not installed in the environment"),
    # a program run through subprocess that is not installed (the bare name: a missing data file has a path)
    (re.compile(r"raise child_exception_type\(errno_num, err_msg, err_filename\)\s*\n(?:E\s+)?FileNotFoundError: "
                r"\[Errno 2\] No such file or directory: '([^'/]+)'"), "missing_tool",
     "`{0}` is not installed in the environment"),
    (re.compile(r"ModuleNotFoundError: No module named '([^']+)'"), "missing_module",
     "Python module `{0}` is not installed in the environment"),
    (re.compile(r"ImportError: ([^\n]+)"), "import_error", "import failed: {0}"),
    (re.compile(r"error: unrecognized arguments: (--ctrf[^\n]*)"), "missing_pytest_plugin",
     "pytest lacks the plugin for `{0}` (install pytest-json-ctrf in the image)"),
    (re.compile(r"Could not resolve host: ([^\s]+)|Failed to resolve '([^']+)'|host='([^']+)'[^\n]*(?:Max retries|"
                r"NameResolution|Connection refused|Network is unreachable)|Temporary failure in name resolution|"
                r"Network is unreachable|Name or service not known"),
     "network", "the command needed the network (`{0}`), which it could not reach"),
    (re.compile(r"No such file or directory: '([^']+)'|: ([^\s:]+): No such file or directory"), "missing_file",
     "a file is missing: {0}"),
    (re.compile(r"Permission denied"), "permission", "permission denied"),
)  # fmt: skip


def diagnose(text: str) -> tuple[str, str] | None:
    """(failure kind, sentence) for the first known failure pattern in a log, or None."""
    if not text:
        return None
    for rx, kind, msg in _PATTERNS:
        m = rx.search(text)
        if m:
            groups = [g for g in m.groups() if g] or [m.group(0).strip()]
            return kind, msg.format(groups[0].strip())
    return None


def remote_host(text: str) -> str | None:
    """What a log says it could not reach over the network (a host name when it names one, else
    the error), or None."""
    for rx, kind, _msg in _PATTERNS:
        if kind == "network" and (m := rx.search(text or "")):
            return next((g for g in m.groups() if g), m.group(0).strip())
    return None


#: the line arena's offline uv/uvx stand-in prints for a package it cannot provide (arena.uvshim)
_SHIM_REFUSED = re.compile(r"arena-uvshim: offline: cannot download (\S+)")


def verifier_download(text: str, *, scored: bool) -> str | None:
    """What a verifier's log says it tried to download and could not, as a phrase: ``package `X```
    (one the offline uv stand-in could not provide) or ``from `host``` (only when the verifier
    wrote no score, ``scored=False``: a script whose optional download failed and then scored is
    not blamed)."""
    if m := _SHIM_REFUSED.search(text or ""):
        return f"package `{m.group(1)}`"
    host = None if scored else remote_host(text)
    return None if host is None else f"from `{host}`"


def tail(text: str, n: int = 5) -> str:
    lines = [ln for ln in (text or "").strip().splitlines() if ln.strip()]
    return " | ".join(lines[-n:])[:500]


#: verifier-side failure kinds that mean "the verifier could not judge", not "the answer is wrong"
VERIFIER_BROKEN = {"missing_tool", "missing_module", "import_error", "missing_pytest_plugin", "network"}
