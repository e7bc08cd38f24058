"""Docker engine plumbing shared by the docker runtime and ``arena base``: connect, ping, build.

Imported only when docker is asked for (it imports the docker SDK).  Every client honours
``DOCKER_HOST`` (``docker.from_env``); when it is unset and the default socket is absent but the
private engine of ``scripts/dockerd.sh`` is running, that one is used.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
import threading
import time
from collections import deque
from pathlib import Path

import docker
import docker.errors

from arena.sandbox.base import RuntimeUnavailable, SandboxError
from arena.sandbox.handover import upper_dir

PRIVATE_SOCK = "/run/arena-docker.sock"
START_HINT = f"start one with `bash scripts/dockerd.sh` and `export DOCKER_HOST=unix://{PRIVATE_SOCK}`"
LOG_TAIL = 80


def _env_kwargs() -> dict:
    if not os.environ.get("DOCKER_HOST") and not Path("/var/run/docker.sock").exists() \
            and Path(PRIVATE_SOCK).exists():  # fmt: skip
        return {"environment": {**os.environ, "DOCKER_HOST": f"unix://{PRIVATE_SOCK}"}}
    return {}


def where() -> str:
    return (_env_kwargs().get("environment") or os.environ).get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def connect(timeout: float | None = 300, pool: int = 32) -> docker.DockerClient:
    """A client for the engine at DOCKER_HOST, or ``RuntimeUnavailable`` saying how to start one."""
    try:
        client = docker.from_env(timeout=timeout, max_pool_size=pool, **_env_kwargs())
        client.ping()
    except docker.errors.DockerException as exc:
        raise RuntimeUnavailable(f"no Docker engine answers at {where()} ({_short(exc)}); {START_HINT}") from exc
    except Exception as exc:  # requests errors when the socket is absent or refuses
        raise RuntimeUnavailable(f"no Docker engine answers at {where()} ({_short(exc)}); {START_HINT}") from exc
    return client


def daemon_problem() -> str | None:
    try:
        client = connect(timeout=10, pool=1)
    except RuntimeUnavailable as exc:
        return str(exc)
    client.close()
    return None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def image_or_none(client, ref: str):
    try:
        return client.images.get(ref)
    except docker.errors.ImageNotFound:
        return None
    except docker.errors.APIError as exc:  # an invalid reference is "not here" too
        if exc.status_code in (400, 404):
            return None
        raise


def stream_build(client, *, path: str, tag: str, timeout: float, what: str, labels: dict | None = None,
                 dockerfile: str | None = None, progress=None, hint: str = "", nocache: bool = False) -> str:  # fmt: skip
    """``docker build --network=host`` with a hard deadline; returns the image id.

    On failure raises ``SandboxError`` (kind ``build`` / ``build_timeout``) carrying the last
    ``LOG_TAIL`` lines of the build log.  The deadline closes the connection, which makes the
    engine cancel the build.
    """
    api = docker.from_env(timeout=None, version=client.api.api_version, **_env_kwargs()).api
    responses = []
    api.hooks["response"].append(lambda r, *a, **k: responses.append(r))
    fired = threading.Event()

    def on_deadline() -> None:
        fired.set()
        for r in responses:
            _shutdown(r)

    log: deque[str] = deque(maxlen=LOG_TAIL)
    image_id, error = None, None
    timer = threading.Timer(timeout, on_deadline)
    timer.daemon = True
    t0 = time.perf_counter()
    timer.start()
    try:
        stream = api.build(path=path, dockerfile=dockerfile, tag=tag, labels=labels or {}, network_mode="host",
                           rm=True, forcerm=True, pull=False, decode=True, nocache=nocache)  # fmt: skip
        for chunk in stream:
            text = chunk.get("stream") or chunk.get("status") or ""
            for line in text.splitlines():
                if line.strip():
                    log.append(line.rstrip())
                    if progress:
                        progress(f"  [{time.perf_counter() - t0:5.0f}s] {line.rstrip()}")
            if "error" in chunk:
                error = chunk.get("errorDetail", {}).get("message") or chunk["error"]
                log.append(error.rstrip())
            aux = chunk.get("aux")
            if isinstance(aux, dict) and aux.get("ID"):
                image_id = aux["ID"]
    except docker.errors.APIError as exc:  # e.g. a Dockerfile parse error, reported before streaming
        error = exc.explanation or str(exc)
        log.append(str(error))
    except Exception as exc:
        if not fired.is_set():
            error = f"lost the connection to the engine during the build: {_short(exc)}"
    finally:
        timer.cancel()
        api.close()
    tail = "\n".join(log)
    if fired.is_set():
        raise SandboxError(f"{what}: build exceeded {timeout:g}s (build_timeout_sec) and was cancelled",
                           kind="build_timeout", log=tail)  # fmt: skip
    if error:
        msg = f"{what}: docker build failed: {error.strip()}"
        if hint:
            msg += f"\n{hint}"
        raise SandboxError(f"{msg}\n--- last lines of the build log ---\n{tail}", kind="build", log=tail)
    if image_id is None:
        img = image_or_none(client, tag)
        if img is None:
            raise SandboxError(f"{what}: the build ended without an image", kind="build", log=tail)
        image_id = img.id
    return image_id


def _shutdown(response) -> None:
    """Close a streaming HTTP response's socket from another thread (wakes the reader)."""
    import socket

    try:
        raw = response.raw._fp.fp.raw
        sock = getattr(raw, "_sock", raw)
        sock.shutdown(socket.SHUT_RDWR)
    except Exception:
        try:
            response.close()
        except Exception:
            pass


def changed_paths(api, cid: str, *, fast: bool = True) -> list[str]:
    """Paths added or changed in a container since it was created (deletions left out).

    ``docker diff`` compares the whole image with the container on this engine (0.5 s for the
    base image, ~2 s for a 3 GB one), so when the engine runs on this machine with overlay2 the
    container's upper dir (which holds exactly the changes) is walked instead; the result is the
    same list.  Otherwise, or when that dir is not readable, ``docker diff`` answers.
    """
    if fast:
        upper = upper_dir(api, cid)
        if upper:
            out = []
            for dirpath, dirnames, filenames in os.walk(upper):
                for name in dirnames + filenames:
                    full = os.path.join(dirpath, name)
                    st = os.lstat(full)
                    if stat.S_ISCHR(st.st_mode) and st.st_rdev == 0:
                        continue  # an overlay whiteout: a deletion
                    out.append("/" + os.path.relpath(full, upper))
            return sorted(out)
    return sorted(ch["Path"] for ch in api.diff(cid) or [] if ch.get("Kind") != 2)


# -- small helpers for the sandbox: tars in and out, capped output ------------------------------
def readonly(ti: tarfile.TarInfo) -> tarfile.TarInfo:
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    ti.mode &= ~0o222
    return ti


def make_tar(entries: dict[str, bytes | None], with_parents: bool = False) -> bytes:
    """A tar of files (bytes) and directories (None), owned by root."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        names = dict(entries)
        if with_parents:
            for name in entries:
                parts = name.split("/")
                for i in range(1, len(parts)):
                    names.setdefault("/".join(parts[:i]), None)
        for name in sorted(names):
            ti = tarfile.TarInfo(name)
            ti.mtime = int(time.time())
            data = names[name]
            if data is None:
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(ti)
            else:
                ti.size, ti.mode = len(data), 0o644
                tar.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


class IterReader(io.RawIOBase):
    """A readable file over an iterator of byte chunks (the get_archive stream)."""

    def __init__(self, chunks):
        self.chunks, self.buf = iter(chunks), b""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while not self.buf:
            self.buf = next(self.chunks, None)
            if self.buf is None:
                self.buf = b""
                return 0
        n = min(len(b), len(self.buf))
        b[:n], self.buf = self.buf[:n], self.buf[n:]
        return n


class Capped:
    def __init__(self, limit: int):
        self.buf, self.limit, self.truncated = bytearray(), limit, False

    def add(self, chunk: bytes | None) -> None:
        if not chunk:
            return
        room = self.limit - len(self.buf)
        if room > 0:
            self.buf += chunk[:room]
        if len(chunk) > max(room, 0):
            self.truncated = True

    def text(self) -> str:
        return self.buf.decode("utf-8", errors="replace")
