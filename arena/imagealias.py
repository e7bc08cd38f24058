"""Image aliases for offline sites: a ``FROM`` the engine cannot pull is replaced by a local image.

By default every tag of the common public images — ``python``, ``debian``, ``ubuntu`` (any tag:
``python:3.12.10-slim-bookworm``, ``ubuntu:24.04``; with or without ``docker.io/library/``; pinned
by digest, ``python@sha256:…``) — is built on the shared base image (``arena base build``: Debian
bookworm with Python 3.11), and each substitution says what stands in for what and how it differs
(``ubuntu:24.04 → arena-base:py3.11 (a Debian bookworm / Python 3.11 image, not Ubuntu)``).
Overrides come from a YAML mapping ``image: replacement`` named by ``ARENA_IMAGE_ALIASES`` or
passed as the runtime option ``image_aliases=`` (a path or a dict).  A key may be a glob
(``ubuntu:*: my/ubuntu:24.04``); an exact key beats a glob, a later layer beats an earlier one;
``image: null`` removes the alias for that image (``python:*: null`` for the whole family).
An image already present in the engine is never replaced.

The substitution rewrites the ``FROM`` lines of a *copy* of the Dockerfile: ``ARG`` defaults are
expanded in the reference (so ``ARG PY=3.11`` + ``FROM python:${PY}-slim`` works), stage names
(``FROM builder``) are left alone, and ``--platform`` / ``AS name`` are kept.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


class ImageAliasError(ValueError):
    """An alias file that cannot be used (unreadable, not YAML, not a mapping); the docker runtime
    reports it as RuntimeUnavailable."""


BASE_TAG = "arena-base:py3.11"  # same as arena.sandbox.baseimage.DEFAULT_TAG (kept light: no import)
ENV_VAR = "ARENA_IMAGE_ALIASES"
#: the public image families built on the base image by default (any tag, any digest)
DEFAULT_FAMILIES = ("python", "debian", "ubuntu")
BASE_DESCRIPTION = "a Debian bookworm / Python 3.11 image"  # what arena.sandbox.baseimage builds
_GLOB = re.compile(r"[*?\[]")
_FROM_RE = re.compile(r"^(\s*FROM\s+)(.*)$", re.IGNORECASE)
_ARG_RE = re.compile(r"^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?\s*$", re.IGNORECASE)
_VAR_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def normalize(ref: str) -> str:
    """``docker.io/library/python:3.11-slim@sha256:…`` → ``python:3.11-slim``; no tag → ``:latest``."""
    ref = ref.strip().split("@", 1)[0]
    for prefix in ("docker.io/library/", "index.docker.io/library/", "registry-1.docker.io/library/",
                   "docker.io/", "index.docker.io/", "library/"):  # fmt: skip
        if ref.startswith(prefix):
            ref = ref[len(prefix) :]
            break
    if ":" not in ref.rsplit("/", 1)[-1]:
        ref += ":latest"
    return ref


class AliasMap(dict):
    """``image (or glob) -> replacement``, plus the images whose alias a ``null`` removed."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.removed: set[str] = set()

    def set(self, key: str, target: str | None) -> None:
        key = key.strip() if _GLOB.search(key) else normalize(key)
        self.pop(key, None)  # re-inserted last: a later layer's glob is tried first
        if target is None:
            self.removed.add(key)
        else:
            self.removed.discard(key)
            self[key] = target

    def lookup(self, ref: str) -> str | None:
        """The replacement for ``ref`` (exact key, else the last matching glob), or None."""
        n = normalize(ref)
        if n in self.removed:
            return None
        if n in self:
            return self[n]
        for key in reversed(list(self)):
            if _GLOB.search(key) and fnmatch.fnmatchcase(n, key):
                return self[key]
        return None


def load_aliases(source: str | Path | dict | None = None, *, base_tag: str = BASE_TAG) -> AliasMap:
    """The alias map in force: defaults, then ``ARENA_IMAGE_ALIASES``, then ``source``."""
    aliases = AliasMap()
    for family in DEFAULT_FAMILIES:
        aliases.set(f"{family}:*", base_tag)
    for layer in (os.environ.get(ENV_VAR) or None, source):
        if layer is None:
            continue
        data = layer if isinstance(layer, dict) else _read_yaml(Path(layer))
        for k, v in data.items():
            aliases.set(str(k), None if v is None else str(v))
    return aliases


def lookup(aliases: dict, ref: str) -> str | None:
    """The alias of ``ref`` in a map from :func:`load_aliases` (or a plain exact-key dict)."""
    if isinstance(aliases, AliasMap):
        return aliases.lookup(ref)
    return aliases.get(normalize(ref))


def stands_in(original: str, image: str, base_tag: str = BASE_TAG) -> str:
    """How the replacement differs from the image a Dockerfile names, in words."""
    if image != base_tag:
        return "an alias from the alias file"
    n = normalize(original)
    name, _, tag = n.rpartition(":")
    family = name.rsplit("/", 1)[-1]
    diffs = []
    if family == "ubuntu":
        diffs.append("not Ubuntu: apt package names and versions may differ")
    m = re.match(r"(\d+)\.(\d+)", tag)
    if family == "python" and m and (m.group(1), m.group(2)) != ("3", "11"):
        diffs.append(f"Python 3.11, not {m.group(1)}.{m.group(2)}")
    if family == "debian" and tag not in ("bookworm", "bookworm-slim", "12", "12-slim", "stable", "stable-slim",
                                          "latest") and not tag.startswith(("12.", "bookworm")):  # fmt: skip
        diffs.append(f"bookworm, not {tag}")
    return BASE_DESCRIPTION + (f"; {'; '.join(diffs)}" if diffs else "")


def _read_yaml(path: Path) -> dict:
    import yaml

    where = f"image alias file {path} (from {ENV_VAR} or image_aliases=)"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ImageAliasError(f"cannot read {where}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ImageAliasError(f"{where} is not valid YAML: {str(exc).splitlines()[0]}") from exc
    if isinstance(data, dict) and isinstance(data.get("aliases"), dict):
        data = data["aliases"]
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(v, (str, type(None))) for v in data.values()):
        raise ImageAliasError(f"{where} must be a mapping `image: replacement` (e.g. `python:3.11-slim: {BASE_TAG}`)")
    return data


@dataclass(frozen=True)
class Substitution:
    line: int
    original: str  # the reference as written (ARGs expanded)
    image: str  # what the build uses instead

    def note(self) -> str:
        return (f"line {self.line}: FROM {self.original} -> {self.image} ({stands_in(self.original, self.image)}; "
                f"image alias: {self.original} is not available offline; set ${ENV_VAR} to override)")


@dataclass(frozen=True)
class Rewrite:
    text: str
    substitutions: tuple[Substitution, ...]
    bases: tuple[str, ...]  # every external image the build starts from (after substitution)
    unresolved: tuple[str, ...]  # external images neither present locally nor aliased


def _expand(value: str, args: dict[str, str]) -> str:
    def sub(m: re.Match) -> str:
        name = m.group(1) or m.group(3)
        got = args.get(name, "")
        return got if got or m.group(2) is None else m.group(2)

    return _VAR_RE.sub(sub, value)


def rewrite_from(text: str, aliases: dict[str, str], is_local: Callable[[str], bool]) -> Rewrite:
    """Replace each external ``FROM`` image that ``is_local`` denies and ``aliases`` maps."""
    out, subs, bases, unresolved = [], [], [], []
    args: dict[str, str] = {}
    stages: set[str] = set()
    seen_from = False
    for i, line in enumerate(text.splitlines(keepends=True), start=1):
        m_arg = _ARG_RE.match(line)
        if m_arg and not seen_from:  # only ARGs before the first FROM are visible in FROM lines
            args[m_arg.group(1)] = (m_arg.group(2) or "").strip().strip("\"'")
        m = _FROM_RE.match(line.rstrip("\r\n"))
        if not m or m.group(2).rstrip().endswith("\\"):
            out.append(line)
            continue
        seen_from = True
        words = m.group(2).split()
        flags = [w for w in words if w.startswith("--")]
        rest = [w for w in words if not w.startswith("--")]
        if not rest:
            out.append(line)
            continue
        written = _expand(rest[0], args)
        is_stage = written.lower() in stages or written == "scratch"
        if len(rest) >= 3 and rest[1].lower() == "as":
            stages.add(rest[2].lower())
        if is_stage:
            out.append(line)
            continue
        image = written
        if not is_local(written):
            target = lookup(aliases, written)
            if target is not None and target != written:
                image = target
                subs.append(Substitution(i, written, target))
            else:
                unresolved.append(written)
        bases.append(image)
        eol = line[len(line.rstrip("\r\n")) :]
        out.append(m.group(1) + " ".join([*flags, image, *rest[1:]]) + eol)
    return Rewrite("".join(out), tuple(subs), tuple(dict.fromkeys(bases)), tuple(dict.fromkeys(unresolved)))
