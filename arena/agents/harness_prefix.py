"""Harness prefixes: an external agent harness installed once on the host into a cache folder and
mounted read-only into the sandbox (local or docker) at ``MOUNT``, so no task image needs it.

- ``mini-swe``: ``pip install --target`` of mini-swe-agent (the machine's configured pip indexes);
  run with the sandbox's own ``python3`` (a 3.11 like the host's: the wheels are cp311).
- ``opencode``: ``npm install --prefix`` of opencode-ai (the configured npm registry); its platform
  package carries a self-contained binary, so the sandbox needs no node.

A prefix is complete when its marker file exists (written last; a half-built one is rebuilt).
The cache folder is ``$ARENA_HARNESS_CACHE`` or ``~/.cache/arena/harness``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

MOUNT = "/arena-prefix"
MARKER = ".arena-prefix-complete"
# pinned: the versions the adapters were run with.  opencode-ai 1.17.20 has no opencode-linux-x64
# 1.17.20 in the registry this machine reaches; 1.17.19 has both (see docs/multiturn.md).
PINS = {"mini-swe": "mini-swe-agent==2.4.6", "opencode": "opencode-ai@1.17.19"}


class PrefixError(RuntimeError):
    """The harness could not be installed into its prefix (the installer's reason attached)."""


def cache_dir() -> Path:
    return Path(os.environ.get("ARENA_HARNESS_CACHE") or Path.home() / ".cache" / "arena" / "harness")


def prefix_dir(name: str) -> Path:
    pin = PINS[name]
    return cache_dir() / pin.replace("==", "-").replace("@", "-")


def installed(name: str) -> Path | None:
    """The harness's complete prefix, or None (not a prefix harness, or not built)."""
    if name not in PINS:
        return None
    p = prefix_dir(name)
    return p if (p / MARKER).exists() else None


def _command(name: str, target: Path) -> list[str]:
    if name == "mini-swe":
        return [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target), PINS[name]]
    npm = shutil.which("npm")
    if npm is None:
        raise PrefixError("opencode: npm is not installed on the host (apt-get install nodejs npm)")
    return [npm, "install", "--prefix", str(target), "--no-fund", "--no-audit", "--ignore-scripts", PINS[name]]


def install(name: str, *, timeout: float = 1800) -> tuple[Path, float]:
    """Build the prefix if it is not complete; returns (prefix, seconds spent installing, 0 if cached)."""
    if name not in PINS:
        raise PrefixError(f"{name}: no prefix install known (prefix harnesses: {', '.join(PINS)})")
    done = installed(name)
    if done is not None:
        return done, 0.0
    final = prefix_dir(name)
    tmp = final.with_name(final.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    t0 = time.perf_counter()
    try:
        r = subprocess.run(_command(name, tmp), capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise PrefixError(f"{name}: installing {PINS[name]} failed: {exc}") from exc
    if r.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise PrefixError(f"{name}: installing {PINS[name]} failed (exit {r.returncode}): {(r.stderr or r.stdout)[-1500:]}")
    if name == "opencode":
        _link_opencode(tmp)
    (tmp / MARKER).write_text(PINS[name] + "\n")
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    return final, time.perf_counter() - t0


def _link_opencode(prefix: Path) -> None:
    """What its postinstall does (skipped: install scripts stay off), offline: bin/opencode.exe (a stub
    that says to run it) becomes the platform package's binary, the baseline build on an x64 without AVX2."""
    try:
        avx2 = " avx2 " in " " + Path("/proc/cpuinfo").read_text().replace("\n", " ") + " "
    except OSError:
        avx2 = False
    order = ("opencode-linux-x64", "opencode-linux-x64-baseline") if avx2 else ("opencode-linux-x64-baseline",)
    for variant in (*order, "opencode-linux-arm64"):
        exe = prefix / "node_modules" / variant / "bin" / "opencode"
        if exe.exists():
            target = prefix / "node_modules/opencode-ai/bin/opencode.exe"
            target.unlink(missing_ok=True)
            target.symlink_to(os.path.relpath(exe, target.parent))
            return
    raise PrefixError("opencode: no platform package (opencode-linux-*) was installed next to opencode-ai")


if __name__ == "__main__":  # python -m arena.agents.harness_prefix NAME...: build prefixes (CI, scripts)
    for n in sys.argv[1:] or list(PINS):
        try:
            path, sec = install(n)
            print(f"{n}: {path} ({'cached' if not sec else f'installed in {sec:.1f} s'})")
        except PrefixError as exc:
            print(f"{n}: {exc}", file=sys.stderr)
            sys.exit(1)
