"""A small Dockerfile reader: enough for the static checks and the local runtime.

It understands line continuations, comments, parser directives, JSON and shell forms, and the
instructions that shape a task's filesystem view (FROM, ARG, ENV, WORKDIR, COPY/ADD, RUN, USER).
It never raises on odd input: unknown instructions are kept as they are.
"""

from __future__ import annotations

import json
import posixpath
import shlex
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Instruction:
    cmd: str  # upper-case instruction name
    args: str  # the raw argument text (continuations joined)
    line: int  # 1-based line where it starts


@dataclass(frozen=True)
class CopyStep:
    sources: tuple[str, ...]
    dest: str  # absolute, resolved against WORKDIR
    line: int
    from_stage: str | None = None
    is_add: bool = False


@dataclass
class Plan:
    """What the Dockerfile does to the filesystem, as the local runtime can reproduce it."""

    base: str | None = None
    workdir: str = "/"
    env: dict[str, str] = field(default_factory=dict)
    copies: list[CopyStep] = field(default_factory=list)
    runs: list[Instruction] = field(default_factory=list)
    user: str | None = None
    other: list[Instruction] = field(default_factory=list)  # EXPOSE, CMD, … (no filesystem effect)


def parse(text: str) -> list[Instruction]:
    out: list[Instruction] = []
    buf: list[str] = []
    start = 0
    for i, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        stripped = line.lstrip()
        if not buf and (not stripped or stripped.startswith("#")):
            continue
        if buf and stripped.startswith("#"):
            continue  # comment lines inside a continuation are dropped by docker too
        if not buf:
            start = i
        if line.endswith("\\"):
            buf.append(line[:-1])
            continue
        buf.append(line)
        joined = " ".join(part.strip() for part in buf).strip()
        buf = []
        cmd, _, args = joined.partition(" ")
        out.append(Instruction(cmd.upper(), args.strip(), start))
    if buf:
        joined = " ".join(part.strip() for part in buf).strip()
        cmd, _, args = joined.partition(" ")
        out.append(Instruction(cmd.upper(), args.strip(), start))
    return out


def first_instruction_ok(instrs: list[Instruction]) -> bool:
    """The first instruction is FROM (only ARG may come before it)."""
    for ins in instrs:
        if ins.cmd == "ARG":
            continue
        return ins.cmd == "FROM"
    return False


def _words(args: str) -> list[str]:
    if args.startswith("["):
        try:
            val = json.loads(args)
            if isinstance(val, list) and all(isinstance(x, str) for x in val):
                return val
        except ValueError:
            pass
    try:
        return shlex.split(args, posix=True)
    except ValueError:
        return args.split()


def _expand(value: str, env: dict[str, str]) -> str:
    for k, v in sorted(env.items(), key=lambda kv: -len(kv[0])):
        value = value.replace("${" + k + "}", v).replace("$" + k, v)
    return value


def _parse_env(args: str) -> dict[str, str]:
    words = _words(args)
    if words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    out = {}
    for w in words:
        k, _, v = w.partition("=")
        out[k] = v
    return out


def plan(instrs: list[Instruction]) -> Plan:
    p = Plan()
    args_env: dict[str, str] = {}
    for ins in instrs:
        scope = {**args_env, **p.env}
        if ins.cmd == "FROM":
            words = ins.args.split()
            p.base = _expand(words[0], scope) if words else None
        elif ins.cmd == "ARG":
            k, _, v = ins.args.partition("=")
            args_env[k.strip()] = v.strip().strip("\"'")
        elif ins.cmd == "ENV":
            p.env.update({k: _expand(v, scope) for k, v in _parse_env(ins.args).items()})
        elif ins.cmd == "WORKDIR":
            wd = _expand(_words(ins.args)[0] if _words(ins.args) else "/", scope)
            p.workdir = posixpath.normpath(posixpath.join(p.workdir, wd))
        elif ins.cmd in ("COPY", "ADD"):
            words = _words(ins.args)
            flags = [w for w in words if w.startswith("--")]
            rest = [_expand(w, scope) for w in words if not w.startswith("--")]
            if len(rest) < 2:
                p.other.append(ins)
                continue
            stage = next((f.split("=", 1)[1] for f in flags if f.startswith("--from=")), None)
            dest = rest[-1]
            if not dest.startswith("/"):
                keep_slash = dest.endswith("/")
                dest = posixpath.join(p.workdir, dest) + ("/" if keep_slash else "")
            p.copies.append(CopyStep(tuple(rest[:-1]), dest, ins.line, stage, ins.cmd == "ADD"))
        elif ins.cmd == "RUN":
            p.runs.append(ins)
        elif ins.cmd == "USER":
            p.user = ins.args.strip() or None
        else:
            p.other.append(ins)
    return p
