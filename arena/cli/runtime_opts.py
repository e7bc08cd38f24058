"""Options shared by commands that run trials (runtime choice, workers, run folder)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from arena.registry import EXECUTORS, RUNTIMES


def add_runtime_options(p, *, workers: bool = True) -> None:
    p.add_argument("--runtime", default="auto", **RUNTIMES.option("auto"),
                   help="sandbox: docker (real images), local (bubblewrap on this host), auto = docker if a daemon answers")  # fmt: skip
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="local runtime without bubblewrap (trusted corpora only: no isolation at all)")  # fmt: skip
    if workers:
        p.add_argument("--workers", "-j", type=int, default=2, help="trials in parallel (default 2)")
        p.add_argument("--executor", **EXECUTORS.option(), default="local",
                       help="fan-out: local thread pool (default) or a Ray cluster")  # fmt: skip
        p.add_argument("--address", help="Ray cluster address (default: start a local one on 127.0.0.1)")


def make_executor(args):
    """The executor the options ask for (None = the default local pool)."""
    if getattr(args, "executor", "local") == "local":
        return None
    from arena.executors import get_executor

    return get_executor(args.executor, args.workers, getattr(args, "address", None))


def make_runtime(args):
    from arena.sandbox import RuntimeUnavailable, get_runtime

    opts = {"isolation": "none"} if getattr(args, "unsafe_no_sandbox", False) else {}
    name = args.runtime
    if opts and name == "auto":
        name = "local"
    try:
        rt = get_runtime(name, **opts)
        why = rt.unavailable_reason()
        if why:
            raise RuntimeUnavailable(f"runtime {rt.name!r} cannot run here: {why}")
    except RuntimeUnavailable as exc:
        print(f"arena: {exc}", file=sys.stderr)
        return None
    if args.runtime == "auto":
        print(f"arena: runtime auto -> {rt.name}", file=sys.stderr)
    return rt


def default_run_dir(kind: str) -> Path:
    return Path("runs") / f"{kind}-{time.strftime('%Y%m%d-%H%M%S')}"
