"""Sandbox runtimes behind one interface, looked up by name in a small lazy registry.

Heavy dependencies (the docker SDK) are imported only when that runtime is asked for, and a
missing one turns into a message that says what to install.
"""

from __future__ import annotations

import importlib

from arena.sandbox.base import (  # noqa: F401
    ExecResult,
    Prepared,
    Runtime,
    RuntimeUnavailable,
    Sandbox,
    SandboxError,
)

#: name -> (module, class, what to install when the import fails)
REGISTRY: dict[str, tuple[str, str, str]] = {
    "docker": ("arena.sandbox.docker", "DockerRuntime", "pip install docker  (and a running Docker engine)"),
    "local": ("arena.sandbox.local", "LocalRuntime", "apt-get install bubblewrap"),
}
NAMES = ("auto", *REGISTRY)


def get_runtime(name: str = "auto", **options) -> Runtime:
    """Instantiate a runtime by name.  ``auto``: docker when a daemon answers, else local."""
    if name == "auto":
        return pick_auto(**options)
    if name not in REGISTRY:
        raise RuntimeUnavailable(f"unknown runtime {name!r}; choose one of: {', '.join(NAMES)}")
    module, cls, hint = REGISTRY[name]
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise RuntimeUnavailable(f"runtime {name!r} needs a missing dependency ({exc.name}): {hint}") from exc
    return getattr(mod, cls)(**options)


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
