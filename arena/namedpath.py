"""A folder with an optional name: how runs, corpora and probes are named (``NAME=PATH``).

On a command line a run is ``PATH`` or ``NAME=PATH``; in code it is a :class:`NamedPath`, so a
caller that knows the name (the showcase, a notebook) passes the pair as a value and nothing is
parsed.  ``split`` is the one place the text form is read: the name ends at the first ``=``, and a
spec that exists as a path is a path even when it holds an ``=``.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple


class NamedPath(NamedTuple):
    name: str | None
    path: Path

    def __str__(self) -> str:  # the command-line form, for logs and records
        return f"{self.name}={self.path}" if self.name else str(self.path)


def split(spec: str | Path | NamedPath | tuple) -> NamedPath:
    """``NAME=PATH`` → (NAME, PATH); a plain path → (None, PATH); a pair is taken as it is."""
    if isinstance(spec, tuple):
        name, path = spec
        return NamedPath(str(name) if name else None, Path(path))
    s = str(spec)
    name = None
    if "=" in s and not Path(s).exists():
        name, s = s.split("=", 1)
        name = name.strip() or None
    return NamedPath(name, Path(s))
