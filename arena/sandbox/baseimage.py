"""The shared base image (``arena-base:py3.11``), built offline from a local debootstrap rootfs.

No image registry is reachable from the machines arena runs on, so the base is made here:
``debootstrap`` (Debian bookworm, minbase + Python and the packages most tasks need) from the apt
mirror this machine is configured with, ``docker import`` of that rootfs, then a small build on
top that adds the host's CA bundle (package downloads go through an intercepting proxy), the
machine's apt sources, pip settings for Debian's Python, ``pytest-json-ctrf`` and /logs.

The rootfs tarball is cached under ``~/.cache/arena`` (``ARENA_CACHE``), so a rebuild takes seconds.
Image aliases (``FROM python:3.11-slim`` → the base on offline sites) live in ``arena.imagealias``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from arena.sandbox.base import RuntimeUnavailable, SandboxError

DEFAULT_TAG = "arena-base:py3.11"
SUITE = "bookworm"
PACKAGES = (
    "bash", "coreutils", "procps", "ca-certificates", "python3", "python3-pip", "python3-venv",
    "python3-pytest", "python3-numpy", "python3-pandas",
    "python-is-python3",  # `python` on PATH, as in the python:3.x images tasks are written for
)  # fmt: skip
# the organizers' verifier shim runs `pytest --ctrf` with exactly these two (it pins them for uvx);
# Debian's pytest 7.2 is too old for current pytest-json-ctrf (it crashes on TestReport.start)
PIP_PACKAGES = ("pytest==8.4.1", "pytest-json-ctrf==0.3.5")
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
IMAGE_CA = "/etc/ssl/arena/host-ca-bundle.crt"  # outside update-ca-certificates' reach
ROOTFS_REPO = "arena-base-rootfs"
_FORMAT = 1  # bump when the rootfs recipe changes (invalidates cached tarballs)

Progress = Callable[[str], None]


def cache_dir() -> Path:
    return Path(os.environ.get("ARENA_CACHE") or Path.home() / ".cache" / "arena")


# -- apt sources of this machine ---------------------------------------------------------------
@dataclass(frozen=True)
class AptSource:
    uri: str
    suites: tuple[str, ...]
    components: tuple[str, ...]


def apt_sources(root: Path = Path("/etc/apt")) -> list[AptSource]:
    """The enabled ``deb`` entries of this machine (deb822 ``*.sources`` and one-line lists)."""
    out: list[AptSource] = []
    for f in sorted((root / "sources.list.d").glob("*.sources")):
        for para in re.split(r"\n\s*\n", f.read_text(errors="replace")):
            fields: dict[str, str] = {}
            for line in para.splitlines():
                if line.startswith("#") or ":" not in line or line[:1].isspace():
                    continue
                k, _, v = line.partition(":")
                fields[k.strip().lower()] = v.strip()
            if "deb" not in fields.get("types", "").split() or fields.get("enabled", "yes").lower() == "no":
                continue
            for uri in fields.get("uris", "").split():
                out.append(AptSource(uri, tuple(fields.get("suites", "").split()),
                                     tuple(fields.get("components", "main").split())))  # fmt: skip
    lists = [root / "sources.list", *sorted((root / "sources.list.d").glob("*.list"))]
    for f in lists:
        if not f.is_file():
            continue
        for line in f.read_text(errors="replace").splitlines():
            words = re.sub(r"\[[^\]]*\]", " ", line.split("#", 1)[0]).split()
            if len(words) >= 3 and words[0] == "deb":
                out.append(AptSource(words[1], (words[2],), tuple(words[3:]) or ("main",)))
    return out


def debian_sources(sources: list[AptSource], suite: str = SUITE) -> list[AptSource]:
    """The entries serving ``suite`` and its -updates/-security pockets (third-party repos dropped)."""
    keep = []
    for s in sources:
        suites = tuple(x for x in s.suites if x == suite or x.startswith(suite + "-"))
        if suites:
            keep.append(AptSource(s.uri, suites, s.components))
    return keep


def mirror_for(sources: list[AptSource], suite: str = SUITE) -> str:
    for s in sources:
        if suite in s.suites:
            return s.uri
    raise SandboxError(
        f"no apt source on this machine serves Debian {suite!r} (looked in /etc/apt/sources.list and "
        "/etc/apt/sources.list.d/*.sources|*.list)",
        kind="base",
    )


def sources_deb822(sources: list[AptSource]) -> str:
    paras = []
    for s in sources:
        paras.append(
            f"Types: deb\nURIs: {s.uri}\nSuites: {' '.join(s.suites)}\nComponents: {' '.join(s.components)}\n"
            "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
        )
    return "\n".join(paras)


def host_apt_conf() -> str:
    """Date checks this machine's apt turns off (snapshot mirrors): the image must do the same."""
    try:
        dump = subprocess.run(["apt-config", "dump"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    keep = [ln for ln in dump.splitlines() if re.match(r'Acquire::Check-(Valid-Until|Date) "(false|0)";', ln)]
    return "\n".join(keep) + ("\n" if keep else "")


# -- the rootfs tarball -------------------------------------------------------------------------
def rootfs_key(suite: str = SUITE, packages: tuple[str, ...] = PACKAGES) -> str:
    doc = json.dumps({"format": _FORMAT, "suite": suite, "variant": "minbase", "packages": sorted(packages)})
    return hashlib.sha256(doc.encode()).hexdigest()[:12]


def _mounts_under(path: Path) -> list[str]:
    prefix = str(path.resolve()) + "/"
    with open("/proc/mounts") as fh:
        return [ln.split()[1] for ln in fh if ln.split()[1].startswith(prefix)]


def _safe_rmtree(path: Path) -> None:
    """rmtree that first unmounts what debootstrap may have left (never deletes through a bind of /dev)."""
    for m in sorted(_mounts_under(path), key=len, reverse=True):
        subprocess.run(["umount", "-l", m], capture_output=True)
    left = _mounts_under(path)
    if left:
        raise SandboxError(f"cannot clean {path}: still mounted: {', '.join(left)}; unmount them and delete it by hand")
    shutil.rmtree(path, ignore_errors=True)


def make_rootfs(*, fresh: bool = False, progress: Progress = print) -> Path:
    """The cached rootfs tarball (debootstrap'ed when missing or ``fresh``)."""
    key = rootfs_key()
    tarball = cache_dir() / f"rootfs-{SUITE}-{key}.tar"
    if tarball.is_file() and not fresh:
        progress(f"rootfs: cached {tarball} ({tarball.stat().st_size / 2**20:.0f} MiB)")
        return tarball
    if shutil.which("debootstrap") is None:
        raise SandboxError("debootstrap is not installed: `apt-get install debootstrap`, then retry", kind="base")
    if os.geteuid() != 0:
        raise SandboxError("debootstrap needs root: run `arena base build` as root (or with sudo)", kind="base")
    mirror = mirror_for(apt_sources())
    cache_dir().mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="debootstrap-", dir=cache_dir()))
    root = work / "rootfs"
    log_path = cache_dir() / "debootstrap.log"
    argv = ["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}", SUITE, str(root), mirror]
    progress(f"rootfs: debootstrap {SUITE} (minbase + {len(PACKAGES)} packages) from {mirror}; log: {log_path}")
    t0 = time.perf_counter()
    try:
        with open(log_path, "w") as log:
            proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            seen: set[str] = set()
            for n, line in enumerate(proc.stdout):
                log.write(line)
                verb = line.split(" ", 2)[1] if line.startswith("I: ") and " " in line[3:] else line
                # each phase once (Retrieving, Unpacking, Configuring, …), then a heartbeat
                if verb not in seen or n % 50 == 0 or line.startswith(("E:", "W:")):
                    progress(f"  [{time.perf_counter() - t0:5.0f}s] {line.rstrip()}")
                    seen.add(verb)
            code = proc.wait()
        if code != 0:
            tail = "".join(log_path.read_text(errors="replace").splitlines(True)[-25:])
            raise SandboxError(
                f"debootstrap failed (exit {code}); is the mirror {mirror} reachable and does it carry {SUITE}? "
                f"Full log: {log_path}\n{tail}",
                kind="base",
                log=tail,
            )
        for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for p in (root / junk).glob("*"):
                if p.is_file():
                    p.unlink()
        for p in (root / "var/cache/apt").glob("*.bin"):
            p.unlink()
        progress(f"rootfs: packing {tarball.name}")
        partial = tarball.with_suffix(".tar.partial")
        subprocess.run(["tar", "-C", str(root), "--numeric-owner", "-cf", str(partial), "."], check=True,
                       capture_output=True)  # fmt: skip
        partial.replace(tarball)
    except subprocess.CalledProcessError as exc:
        raise SandboxError(f"packing the rootfs failed: {exc.stderr.decode(errors='replace')[-500:]}", kind="base") from exc
    finally:
        _safe_rmtree(work)
    progress(f"rootfs: done in {time.perf_counter() - t0:.0f}s ({tarball.stat().st_size / 2**20:.0f} MiB)")
    return tarball


# -- the images ---------------------------------------------------------------------------------
DOCKERFILE = """\
FROM {rootfs_image}
COPY host-ca-bundle.crt {image_ca}
COPY host-ca-bundle.crt /etc/ssl/certs/ca-certificates.crt
COPY debian.sources /etc/apt/sources.list.d/debian.sources
COPY apt-host.conf /etc/apt/apt.conf.d/99arena-host
ENV LANG=C.UTF-8 \\
    SSL_CERT_FILE={image_ca} \\
    REQUESTS_CA_BUNDLE={image_ca} \\
    CURL_CA_BUNDLE={image_ca} \\
    PIP_CERT={image_ca} \\
    PIP_BREAK_SYSTEM_PACKAGES=1 \\
    PIP_ROOT_USER_ACTION=ignore \\
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN rm -f /etc/apt/sources.list \\
 && python3 -m pip install --no-cache-dir {pip_packages} \\
 && cd /tmp && echo 'def test_ok(): pass' > test_ctrf_ok.py \\
 && pytest -q -p no:cacheprovider --ctrf ctrf.json test_ctrf_ok.py \\
 && python3 -c "import json; assert json.load(open('ctrf.json'))['results']['summary']['passed'] == 1" \\
 && rm -rf test_ctrf_ok.py ctrf.json __pycache__ && cd / \\
 && mkdir -p /logs/verifier /logs/agent /root
WORKDIR /root
CMD ["bash"]
"""


def build_base(tag: str = DEFAULT_TAG, *, force: bool = False, fresh_rootfs: bool = False,
               progress: Progress = print) -> dict:  # fmt: skip
    """Build (or keep) the base image; returns what was done and how long each step took."""
    from arena.sandbox.dockerutil import connect, stream_build

    client = connect()
    timings: dict[str, float] = {}
    old = _image(client, tag)
    if not force and not fresh_rootfs and old is not None:
        progress(f"{tag} already exists (use --force to rebuild)")
        return {"tag": tag, "built": False, "timings": timings}
    if not HOST_CA.is_file():
        raise SandboxError(f"the host CA bundle {HOST_CA} is missing: `apt-get install ca-certificates`", kind="base")
    t0 = time.perf_counter()
    tarball = make_rootfs(fresh=fresh_rootfs, progress=progress)
    timings["rootfs_sec"] = time.perf_counter() - t0
    key = rootfs_key()
    rootfs_image = f"{ROOTFS_REPO}:{key}"
    t1 = time.perf_counter()
    if fresh_rootfs or _image(client, rootfs_image) is None:
        progress(f"import: docker import {tarball.name} -> {rootfs_image}")
        client.api.import_image_from_file(
            str(tarball), repository=ROOTFS_REPO, tag=key,
            changes=["ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 'CMD ["bash"]'],
        )  # fmt: skip
        if _image(client, rootfs_image) is None:
            raise SandboxError(f"docker import of {tarball} did not produce {rootfs_image}; see the engine log", kind="base")
    timings["import_sec"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    sources = debian_sources(apt_sources())
    with tempfile.TemporaryDirectory(prefix="arena-base-") as ctx:
        c = Path(ctx)
        shutil.copyfile(HOST_CA, c / "host-ca-bundle.crt")
        (c / "debian.sources").write_text(sources_deb822(sources))
        (c / "apt-host.conf").write_text(host_apt_conf())
        (c / "Dockerfile").write_text(DOCKERFILE.format(
            rootfs_image=rootfs_image, image_ca=IMAGE_CA, pip_packages=" ".join(PIP_PACKAGES)))  # fmt: skip
        progress(f"build: {tag} (CA bundle, apt sources, pip {' '.join(PIP_PACKAGES)}, /logs)")
        labels = {"arena.base.rootfs": key, "arena.base.built": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        new_id = stream_build(client, path=ctx, tag=tag, labels=labels, timeout=900, progress=progress,
                              what=f"base image {tag}", nocache=force or fresh_rootfs)  # fmt: skip
    if old is not None and old.id != new_id:
        try:  # the previous base, now untagged (kept while task images still build on it)
            client.images.remove(old.id)
        except Exception:
            pass
    timings["build_sec"] = time.perf_counter() - t2
    timings["total_sec"] = time.perf_counter() - t0
    progress(f"{tag} ready in {timings['total_sec']:.0f}s")
    return {"tag": tag, "built": True, "rootfs": str(tarball), "timings": timings}


def _image(client, ref: str):
    from arena.sandbox.dockerutil import image_or_none

    return image_or_none(client, ref)


def status(tag: str = DEFAULT_TAG) -> dict:
    """What exists: engine, base image, cached rootfs tarball, the alias map in force."""
    from arena import imagealias
    from arena.sandbox.dockerutil import connect, daemon_problem

    tarball = cache_dir() / f"rootfs-{SUITE}-{rootfs_key()}.tar"
    doc: dict = {
        "docker_host": os.environ.get("DOCKER_HOST", "(default socket)"),
        "engine": None, "image": None,
        "rootfs_tarball": str(tarball) if tarball.is_file() else None,
        "aliases": None,
    }  # fmt: skip
    try:
        doc["aliases"] = imagealias.load_aliases(base_tag=tag)
    except imagealias.ImageAliasError as exc:
        raise RuntimeUnavailable(str(exc)) from exc
    problem = daemon_problem()
    if problem:
        doc["engine_problem"] = problem
        return doc
    client = connect()
    doc["engine"] = client.version().get("Version")
    img = _image(client, tag)
    if img is not None:
        doc["image"] = {
            "tag": tag, "id": img.id, "created": img.attrs.get("Created"),
            "size_mib": round(img.attrs.get("Size", 0) / 2**20), "labels": img.labels,
        }  # fmt: skip
    return doc
