"""Sandbox runtimes behind one interface, looked up by name in a small lazy registry.

Heavy dependencies (the docker SDK) are imported only when that runtime is asked for, and a
missing one turns into a message that says what to install.
"""

from __future__ import annotations

from arena.registry import RUNTIMES, RegistryError
from arena.sandbox.base import (  # noqa: F401
    ExecResult,
    Prepared,
    Runtime,
    RuntimeUnavailable,
    Sandbox,
    SandboxError,
)

#: what to install when a built-in runtime's import fails
HINTS = {"docker": "pip install docker  (and a running Docker engine)", "local": "apt-get install bubblewrap"}


def get_runtime(name: str = "auto", **options) -> Runtime:
    """Instantiate a runtime by name.  ``auto``: docker when a daemon answers, else local."""
    if name == "auto":
        return pick_auto(**options)
    if name not in RUNTIMES:
        raise RuntimeUnavailable(f"unknown runtime {name!r}; choose one of: {', '.join(names())}")
    try:
        cls = RUNTIMES.load(name)
    except RegistryError as exc:
        hint = HINTS.get(name, f"install the package that provides it ({RUNTIMES.path(name)})")
        raise RuntimeUnavailable(f"runtime {name!r} needs a missing dependency ({exc.missing}): {hint}") from exc
    return cls(**options)


def names() -> list[str]:
    """``auto`` and every registered runtime."""
    return ["auto", *RUNTIMES.names()]


def pick_auto(**options) -> Runtime:
    reasons = []
    for name in ("docker", "local"):
        try:
            rt = get_runtime(name, **options)
        except RuntimeUnavailable as exc:
            reasons.append(f"{name}: {exc}")
            continue
        why = rt.unavailable_reason()
        if why is None:
            return rt
        reasons.append(f"{name}: {why}")
    raise RuntimeUnavailable("no sandbox runtime can run here:\n  " + "\n  ".join(reasons))
