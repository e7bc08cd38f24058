"""An offline stand-in for ``uv`` / ``uvx`` at verify time, for verifiers written for Harbor.

Harbor's canonical ``tests/test.sh`` installs curl, downloads uv from the internet and runs
``uvx --with pytest==8.4.1 --with pytest-json-ctrf==0.3.5 pytest …``.  Offline (arena's default,
or a host the sandbox cannot reach) the download fails and ``uvx`` is missing, so even the
reference solution scores nothing.  Arena's images already have those pinned tools (the base
image installs them; the local runtime's interpreter has them), so a trial puts this shim at the
**end** of the verifier's ``PATH`` (a real ``uv`` the image or the script installed comes first).

The shim runs the requested command with the image's own Python when every requirement it names
(``--with``, ``--from``, the tool itself) is installed (any version: a pin that differs runs with what is installed and says so on stderr); a
package that is not installed at all is refused with one line on stderr::

    arena-uvshim: offline: cannot download pytest-foo==1.2 (not installed in this image): the verifier downloads it from the internet

which :func:`arena.diagnose.verifier_download` turns into the finding "the verifier downloads X
from the internet".  ``uv pip install`` of installed packages succeeds the same way.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

#: where a trial places the shim's folder for the verifier's one command
MOUNT = "/.arena-uvshim"  # top level: creatable on both runtimes (a read-only /opt is not)
MARK = "arena-uvshim: offline: cannot download "

_SHIM = r'''#!/usr/bin/env python3
"""arena's offline uv/uvx shim (see arena/uvshim.py)."""
import os, re, shutil, subprocess, sys
from importlib import metadata

ME = "arena-uvshim"
HERE = os.path.dirname(os.path.abspath(__file__))
VALUE_OPTS = {"--with", "-w", "--from", "--python", "-p", "--with-requirements", "--with-editable", "--index-url",
              "-i", "--extra-index-url", "--directory", "--project", "--cache-dir", "--index", "--default-index",
              "--constraints", "-c", "--env-file", "--python-preference", "--find-links", "-f"}


def say(msg):
    print(f"{ME}: {msg}", file=sys.stderr, flush=True)


def parse_req(spec):
    spec = spec.strip()
    m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(?:@\s*([\w.]+)$)?(.*)$", spec)
    if not m:
        return None, None, spec
    name, _extras, at, rest = m.groups()
    pin = at or (rest.strip()[2:].strip() if rest.strip().startswith("==") else None)
    return name, pin, rest.strip()


def check(spec):
    """None when ``spec`` is satisfied offline, else why not."""
    name, pin, rest = parse_req(spec)
    if name is None:
        return f"{spec} (not a requirement this shim understands)"
    try:
        have = metadata.version(name)
    except metadata.PackageNotFoundError:
        return f"{spec} (not installed in this image)"
    if pin and pin != have:
        say(f"{name}=={pin} requested, {have} installed: running with {have} (no download offline)")
    elif rest and not pin:
        say(f"{name}{rest} requested: running with the installed {have}")
    return None


def refuse(spec, why):
    print(f"{ME}: offline: cannot download {why}: the verifier downloads it from the internet", file=sys.stderr)
    sys.exit(2)


def requirements(args):
    """(requirements, command argv) of a `uvx` / `uv tool run` / `uv run` argument list."""
    reqs, cmd, i, from_ = [], [], 0, None
    while i < len(args):
        a = args[i]
        if a == "--":
            cmd = args[i + 1:]
            break
        if a.startswith("-"):
            key, eq, val = a.partition("=")
            if key in VALUE_OPTS and not eq:
                i += 1
                val = args[i] if i < len(args) else ""
            if key in ("--with", "-w"):
                reqs += [v for v in val.split(",") if v.strip()]
            elif key == "--from":
                from_ = val
            elif key == "--with-requirements" and os.path.isfile(val):
                reqs += [ln.split("#")[0].strip() for ln in open(val) if ln.split("#")[0].strip()]
            i += 1
            continue
        cmd = args[i:]
        break
    return reqs, cmd, from_


def run(cmd):
    if not cmd:
        say("no command given")
        sys.exit(2)
    exe, rest = parse_req(cmd[0])[0] or cmd[0], cmd[1:]
    if exe in ("python", "python3"):
        os.execv(sys.executable, [sys.executable, *rest])  # no verdict of its own to report
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if os.path.abspath(p or ".") != HERE)
    found = shutil.which(exe, path=path)
    if exe == "pytest" or found is None:  # the image's own interpreter, where the pinned tools are
        argv = [sys.executable, "-m", exe.replace("-", "_"), *rest]
    else:
        argv = [found, *rest]
    say(f"running {exe} offline with what this image has installed")
    sys.stdout.flush()
    try:
        rc = subprocess.call(argv)
    except OSError as exc:
        say(f"cannot run {exe}: {exc}")
        rc = 127
    say(f"{exe} exited {rc}")
    sys.exit(rc)


def main(argv):
    prog = os.path.basename(argv[0])
    args = argv[1:]
    if prog == "uv":
        if not args or args[0] in ("--version", "-V", "version", "self"):
            print("uv 0.0.0 (arena offline shim)")
            return
        if args[0] == "tool" and args[1:2] == ["run"]:
            args = args[2:]
        elif args[0] == "run":
            reqs, cmd, from_ = requirements(args[1:])
            for r in reqs:
                why = check(r)
                if why:
                    refuse(r, why)
            run(cmd)
            return
        elif args[0] == "pip" and args[1:2] == ["install"]:
            reqs, rest = [], args[2:]
            for i, a in enumerate(rest):
                if a.startswith("-") or (i and rest[i - 1] in ("-r", "--requirement", "-c", "--constraint")):
                    if i and rest[i - 1] in ("-r", "--requirement") and os.path.isfile(a):
                        reqs += [ln.split("#")[0].strip() for ln in open(a) if ln.split("#")[0].strip()]
                    continue
                reqs.append(a)
            for r in reqs:
                why = check(r)
                if why:
                    refuse(r, why)
            return
        else:
            say(f"`uv {' '.join(args[:2])}` is not available offline (only uvx / uv tool run / uv run / uv pip install)")
            sys.exit(2)
    reqs, cmd, from_ = requirements(args)
    tool = from_ or (cmd[0] if cmd else None)
    for r in reqs + ([tool] if tool and tool not in ("python", "python3") else []):
        why = check(r)
        if why:
            refuse(r, why)
    run(cmd)


main(sys.argv)
'''


_EXITED = re.compile(r"^arena-uvshim: (\S+) exited (-?\d+)$", re.MULTILINE)


def judged(stderr: str) -> bool:
    """Whether the verifier's verdict came from pytest run by the stand-in (every such run ended in a
    verdict: exit 0 all passed, 1 some failed) with no refusal: the download failures logged before
    it (curl, apt, uv's installer) are then moot, not a broken verifier."""
    runs = _EXITED.findall(stderr or "")
    return bool(runs) and MARK not in (stderr or "") and all(t == "pytest" and rc in ("0", "1") for t, rc in runs)


def shim_dir() -> Path:
    """A host folder holding ``uv`` and ``uvx`` (the shim), written once per shim version."""
    digest = hashlib.sha256(_SHIM.encode()).hexdigest()[:12]
    base = Path(os.environ.get("ARENA_CACHE") or Path.home() / ".cache" / "arena") / f"uvshim-{digest}"
    if not (base / "uvx").is_file():
        base.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix="uvshim-", dir=base.parent))
        for name in ("uv", "uvx"):
            (tmp / name).write_text(_SHIM, encoding="utf-8")
            (tmp / name).chmod(0o755)
        try:
            tmp.rename(base)
        except OSError:  # another process wrote it first
            for f in tmp.iterdir():
                f.unlink()
            tmp.rmdir()
    return base


def verifier_command(script: str = "/verifier/test.sh") -> str:
    """The verifier's command line: the shim at the end of PATH, so a real uv wins."""
    return f'PATH="${{PATH:-/usr/local/bin:/usr/bin:/bin}}:{MOUNT}" bash {script}'
