"""``arena base build|status``: the shared base image that offline task builds start from."""

from __future__ import annotations

import argparse
import sys

from arena.cli.common import EXIT_FAIL, EXIT_OK, emit_json

DEFAULT_TAG = "arena-base:py3.11"  # arena.sandbox.baseimage.DEFAULT_TAG (not imported: keep the CLI light)

HELP = """The base image task Dockerfiles start from when no registry is reachable.

`build` makes a Debian bookworm rootfs with debootstrap from this machine's apt mirror (cached in
~/.cache/arena), imports it into the Docker engine at DOCKER_HOST and adds the host CA bundle,
apt sources, pip settings and pytest-json-ctrf.  Needs root, debootstrap and a running engine
(`bash scripts/dockerd.sh`).  `FROM python:3.11-slim`, `ubuntu:24.04`, … are mapped onto it
(override with a YAML file named by ARENA_IMAGE_ALIASES).

examples:
  arena base build                 # ~1-2 min the first time, seconds with the cached rootfs
  arena base build --force         # rebuild the image from the cached rootfs
  arena base build --fresh-rootfs  # debootstrap again (newer packages)
  arena base status --json
"""


def add_parser(sub) -> None:
    p = sub.add_parser("base", help="build or inspect the shared base image (offline docker builds)",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    bsub = p.add_subparsers(dest="base_command", metavar="{build,status}")
    b = bsub.add_parser("build", help="build the base image (debootstrap + docker import + build)")
    b.add_argument("--tag", default=DEFAULT_TAG, help=f"image tag (default {DEFAULT_TAG})")
    b.add_argument("--force", action="store_true", help="rebuild even if the image exists")
    b.add_argument("--fresh-rootfs", action="store_true", help="re-run debootstrap instead of using the cached rootfs")
    b.add_argument("--json", action="store_true", help="print what was done as JSON")
    b.set_defaults(func=run_build)
    s = bsub.add_parser("status", help="engine, base image, cached rootfs, image aliases")
    s.add_argument("--tag", default=DEFAULT_TAG)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=run_status)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _err(msg: str) -> None:
    print(f"arena base: {msg}", file=sys.stderr, flush=True)


def run_build(args) -> int:
    from arena.sandbox.base import SandboxError
    from arena.sandbox.baseimage import build_base

    try:
        report = build_base(args.tag, force=args.force, fresh_rootfs=args.fresh_rootfs, progress=_err)
    except SandboxError as exc:
        _err(f"FAILED: {exc}")
        return EXIT_FAIL
    if args.json:
        emit_json(report)
    elif report["built"]:
        t = report["timings"]
        print(f"{report['tag']}: built in {t['total_sec']:.0f}s (rootfs {t['rootfs_sec']:.0f}s, "
              f"import {t['import_sec']:.0f}s, build {t['build_sec']:.0f}s)")  # fmt: skip
    else:
        print(f"{report['tag']}: already present")
    return EXIT_OK


def run_status(args) -> int:
    from arena.sandbox.base import SandboxError
    from arena.sandbox.baseimage import status

    try:
        doc = status(args.tag)
    except SandboxError as exc:
        _err(str(exc))
        return EXIT_FAIL
    if args.json:
        emit_json(doc)
        return EXIT_OK if doc.get("image") else EXIT_FAIL
    print(f"engine:  {doc['engine'] or 'not reachable'}  (DOCKER_HOST={doc['docker_host']})")
    if doc.get("engine_problem"):
        print(f"  {doc['engine_problem']}")
    img = doc.get("image")
    if img:
        print(f"image:   {img['tag']}  {img['id'][7:19]}  {img['size_mib']} MiB  created {img['created'][:19]}")
    else:
        print(f"image:   {args.tag} missing: run `arena base build`")
    print(f"rootfs:  {doc['rootfs_tarball'] or 'not cached (the next build runs debootstrap)'}")
    mapped = sorted(k for k, v in doc["aliases"].items() if v == args.tag)
    others = {k: v for k, v in doc["aliases"].items() if v != args.tag}
    print(f"aliases: {len(mapped)} public tags -> {args.tag} ({', '.join(mapped[:6])}, …)")
    for k, v in sorted(others.items()):
        print(f"         {k} -> {v}")
    return EXIT_OK if img else EXIT_FAIL
