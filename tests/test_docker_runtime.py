"""The docker runtime beyond the shared contract: image cache, FROM aliases, limits, hardening.

Tests marked ``docker`` need an engine (``bash scripts/dockerd.sh``) and the base image
(``arena base build``); they skip with the reason when either is missing, except in CI (CI=true),
which starts both and so fails loudly instead.  The alias/apt-source tests need neither.
"""

from __future__ import annotations

import textwrap
import time
import uuid

import pytest

from arena import imagealias
from arena.sandbox import RuntimeUnavailable, SandboxError, baseimage
from arena.sandbox.base import PIDS_LIMIT
from arena.task import Task, load_task

docker = pytest.mark.docker


@pytest.fixture(scope="session")
def drt(docker_runtime):
    return docker_runtime


@pytest.fixture
def task_of(make_task):
    """Write a package with the given Dockerfile (and limits) and load it."""

    def _make(dockerfile: str, *, name: str | None = None, build_timeout: float | None = None, **kw) -> Task:
        task, findings = load_task(make_task(name, dockerfile=textwrap.dedent(dockerfile), **kw))
        assert task is not None, findings
        if build_timeout is not None:
            env = task.spec.environment.model_copy(update={"build_timeout_sec": build_timeout})
            task = Task(task.paths, task.spec.model_copy(update={"environment": env}))
        return task

    return _make


@pytest.fixture
def boxed(drt, task_of, tmp_path):
    """Start a sandbox for a Dockerfile; every sandbox is closed at the end of the test."""
    opened = []

    def _start(dockerfile: str = "FROM arena-base:py3.11\nWORKDIR /root\nCOPY numbers.txt /root/numbers.txt\n", **kw):
        task = task_of(dockerfile, **kw)
        prepared = drt.prepare(task)
        sb = drt.start(task, prepared, trial_dir=tmp_path)
        sb.prepared = prepared  # for the assertions of the test
        opened.append(sb)
        return sb

    yield _start
    for sb in opened:
        sb.close()


# -- image cache and aliases ----------------------------------------------------------------------
@docker
def test_second_prepare_hits_the_cache_and_a_change_rebuilds(drt, task_of):
    df = f"FROM arena-base:py3.11\nRUN echo {uuid.uuid4().hex} > /stamp\nWORKDIR /root\nCOPY numbers.txt /root/\n"
    task = task_of(df, name="dt-cache")
    first = drt.prepare(task)
    assert not first.cached and first.image == f"arena-task/dt-cache:{task.env_digest[:12]}"
    again = drt.prepare(task_of(df, name="dt-cache"))
    assert again.cached and again.image == first.image and again.build_sec < first.build_sec + 1
    changed = task_of(df + "ENV MORE=1\n", name="dt-cache")
    p = drt.prepare(changed)
    assert not p.cached and p.image != first.image and p.env["MORE"] == "1"


@docker
def test_rebuilds_when_the_image_it_starts_from_changes(drt, task_of):
    from arena.sandbox.docker import DockerRuntime

    df = "FROM example.invalid/arena-test-base:1\nWORKDIR /root\n"
    a = DockerRuntime(image_aliases={"example.invalid/arena-test-base:1": "arena-base:py3.11"})
    first = a.prepare(task_of(df, name="dt-rebase"))
    assert a.prepare(task_of(df, name="dt-rebase")).cached
    other = drt.prepare(task_of("FROM arena-base:py3.11\nRUN touch /other\n", name="dt-other-base")).image
    b = DockerRuntime(image_aliases={"example.invalid/arena-test-base:1": other})
    p = b.prepare(task_of(df, name="dt-rebase"))
    assert not p.cached and any("rebuilt" in n for n in p.notes) and p.image == first.image


@docker
def test_from_python_slim_is_substituted_with_arg_and_stages(boxed):
    sb = boxed("""\
        ARG PY=3.11
        FROM python:${PY}-slim AS build
        RUN echo built > /built.txt
        FROM build
        ENV FOO=bar
        WORKDIR /srv/work
        """)
    p = sb.prepared
    # the note says what stands in and how it differs (changed on purpose, issue 15)
    assert p.notes == ("line 2: FROM python:3.11-slim -> arena-base:py3.11 (a Debian bookworm / Python 3.11 image; "
                       "image alias: python:3.11-slim is not available offline; set $ARENA_IMAGE_ALIASES to override)",)
    assert p.workdir == "/srv/work" and p.env["FOO"] == "bar"
    r = sb.exec("cat /built.txt; pwd; echo $FOO; python --version")
    lines = r.stdout.splitlines()
    assert lines[:3] == ["built", "/srv/work", "bar"] and lines[3].startswith("Python 3.11"), r


@docker
def test_unknown_base_fails_with_alias_hint_and_user_alias_fixes_it(drt, task_of):
    from arena.sandbox.docker import DockerRuntime

    task = task_of("FROM example.invalid/nothing:1\nRUN true\n", name="dt-unknown")
    with pytest.raises(SandboxError) as e:
        drt.prepare(task)
    assert e.value.kind == "build" and imagealias.ENV_VAR in str(e.value) and "example.invalid/nothing:1" in str(e.value)
    p = DockerRuntime(image_aliases={"example.invalid/nothing:1": "arena-base:py3.11"}).prepare(task)
    assert p.notes and "example.invalid/nothing:1 -> arena-base:py3.11" in p.notes[0]


@docker
def test_alias_to_a_missing_image_says_what_to_do(drt, task_of):
    from arena.sandbox.docker import DockerRuntime

    rt = DockerRuntime(image_aliases={"python:3.11-slim": "arena-missing:nope"})
    with pytest.raises(SandboxError, match="arena-missing:nope"):
        rt.prepare(task_of("FROM python:3.11-slim\n", name="dt-missing-alias"))


@docker
def test_build_failure_carries_the_log_tail(drt, task_of):
    df = "FROM arena-base:py3.11\nRUN for i in $(seq 200); do echo line-$i; done; echo marker-7f3 >&2; exit 7\n"
    with pytest.raises(SandboxError) as e:
        drt.prepare(task_of(df, name="dt-broken"))
    assert e.value.kind == "build"
    lines = e.value.log.splitlines()
    assert len(lines) <= 80 and any("marker-7f3" in ln for ln in lines) and "line-1\n" not in e.value.log
    assert "returned a non-zero code: 7" in str(e.value)


@docker
def test_build_timeout_cancels_the_build(drt, task_of):
    t0 = time.monotonic()
    with pytest.raises(SandboxError) as e:
        drt.prepare(task_of("FROM arena-base:py3.11\nRUN sleep 97\n", name="dt-slow", build_timeout=3))
    assert e.value.kind == "build_timeout" and time.monotonic() - t0 < 20
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:  # the engine cancels the step's container once we hang up
        busy = [c for c in drt.client.api.containers() if "sleep 97" in c.get("Command", "")]  # no inspect: no race
        if not busy:
            break
        time.sleep(0.5)
    assert not busy, "the cancelled build is still running"


# -- limits -----------------------------------------------------------------------------------------
@docker
def test_container_settings_and_label(drt, boxed):
    sb = boxed(memory_mb=256)
    attrs = drt.client.api.inspect_container(sb.cid)
    hc = attrs["HostConfig"]
    assert hc["NetworkMode"] == "none" and hc["PidsLimit"] == PIDS_LIMIT
    assert hc["Memory"] == hc["MemorySwap"] == 256 * 2**20 and hc["NanoCpus"] == 1_000_000_000
    assert attrs["Config"]["Labels"]["arena.trial"] == "1"
    sb.close()
    assert not drt.client.containers.list(all=True, filters={"id": sb.cid})


@docker
def test_network_none_blocks_dns_and_connects_and_allow_internet_shares_the_host(boxed):
    off = boxed()
    r = off.exec("getent hosts example.org; python3 -c 'import socket; socket.create_connection((\"8.8.8.8\", 53), 3)'")
    assert r.exit_code != 0 and "Network is unreachable" in r.stderr, r
    on = boxed(allow_internet="true")
    ifaces = on.exec("cat /proc/net/dev").stdout
    assert any(ln.split(":")[0].strip() not in ("lo", "") for ln in ifaces.splitlines()[2:] if ":" in ln), ifaces


@docker
def test_memory_limit_kills_and_reports_oom(boxed):
    sb = boxed(memory_mb=128)
    small = sb.exec("python3 -c 'x = bytearray(32 * 2**20); print(len(x))'")
    assert small.ok and not small.oom_killed
    big = sb.exec("python3 -c 'x = bytearray(400 * 2**20); print(len(x))'", timeout=60)
    assert big.exit_code == 137 and big.oom_killed, big
    plain = sb.exec("kill -9 $$")  # 137 without memory pressure is not an OOM
    assert plain.exit_code == 137 and not plain.oom_killed
    assert sb.exec("echo fine").ok


@docker
def test_pids_limit_stops_a_fork_bomb_quickly(drt, boxed):
    sb = boxed()
    t0 = time.monotonic()
    r = sb.exec("bomb() { bomb | bomb & }; bomb; sleep 3", timeout=10)
    assert time.monotonic() - t0 < 15
    pids = drt.client.api.stats(sb.cid, stream=False, one_shot=True)["pids_stats"].get("current", 0)
    assert 0 < pids <= PIDS_LIMIT, pids
    t1 = time.monotonic()
    sb.kill_all()
    assert time.monotonic() - t1 < 15
    after = sb.exec("ps -e --no-headers | wc -l")
    assert after.ok and int(after.stdout) < 10, (r, after)


@docker
def test_exec_timeout_kills_a_background_sleeper(boxed):
    sb = boxed()
    r = sb.exec("sleep 301 & echo $! > /tmp/bg.pid; sleep 302", timeout=1)
    assert r.timed_out and r.exit_code is None
    left = sb.exec("pgrep -f 'sleep 30[12]'; kill -0 $(cat /tmp/bg.pid)")
    assert left.exit_code != 0 and left.stdout == "", left


@docker
def test_output_cap_under_an_endless_flood(boxed):
    sb = boxed()
    r = sb.exec("yes flood", timeout=2, output_limit=1000)
    assert r.timed_out and r.truncated and r.stdout == ("flood\n" * 200)[:1000]


# -- hardening, mounts, files -------------------------------------------------------------------------
@docker
def test_harden_removes_planted_hooks_but_not_image_files(boxed):
    sb = boxed("""\
        FROM arena-base:py3.11
        RUN echo 'import os' > /usr/lib/python3/dist-packages/image_owned.pth && echo 'x = 1' > /opt/conftest.py
        WORKDIR /root
        """)
    site = "/usr/local/lib/python3.11/dist-packages"
    sb.exec(
        f"echo 'import os' > /conftest.py; echo '[pytest]' > /pytest.ini; echo '[pytest]' > /root/pytest.ini;"
        f" echo 'import os' > /usr/lib/python3/dist-packages/evil.pth; mkdir -p {site} /srv/a /srv/late;"
        f" echo 'import os' > {site}/sitecustomize.py; echo 'import os' > /srv/a/conftest.py;"
        " echo 1.0 > /logs/verifier/reward.txt;"
        " nohup sh -c 'while :; do echo x > /srv/late/conftest.py; sleep 0.05; done' >/dev/null 2>&1 &"
    )
    removed = set(sb.harden())
    planted = {"/conftest.py", "/pytest.ini", "/usr/lib/python3/dist-packages/evil.pth", f"{site}/sitecustomize.py",
               "/srv/a/conftest.py"}  # fmt: skip
    assert planted <= removed and not removed & {"/usr/lib/python3/dist-packages/image_owned.pth", "/opt/conftest.py"}
    assert "/root/pytest.ini" not in removed  # root configs only count at "/"
    for p in planted:
        assert sb.read_file(p) is None, p
    assert sb.read_file("/opt/conftest.py") == b"x = 1\n" and sb.read_file("/root/pytest.ini") == b"[pytest]\n"
    assert sb.exec("ls -A /logs/verifier").stdout == ""
    assert "/srv/late/conftest.py" in removed
    time.sleep(0.3)  # harden stopped the agent's processes first: nothing plants it again
    assert sb.read_file("/srv/late/conftest.py") is None


@docker
def test_upper_dir_walk_agrees_with_docker_diff(drt, boxed):
    from arena.sandbox.dockerutil import changed_paths

    sb = boxed()
    sb.exec("rm /root/numbers.txt; rm -r /usr/share/doc/bash; echo x >> /etc/hostname.new; mkdir -p /srv/n/m;"
            " touch /srv/n/m/f.pth; chmod 600 /etc/issue; echo changed >> /etc/motd")  # fmt: skip
    fast, slow = changed_paths(drt.client.api, sb.cid), changed_paths(drt.client.api, sb.cid, fast=False)
    # the walk also lists the /logs dirs start() copied in (same metadata, so diff leaves them out)
    assert set(slow) <= set(fast) and set(fast) - set(slow) <= {"/logs", "/logs/agent", "/logs/verifier"}
    assert "/srv/n/m/f.pth" in fast and "/etc/issue" in fast and "/etc/hostname.new" in fast
    assert "/root/numbers.txt" not in fast and "/usr/share/doc/bash" not in fast  # deletions are left out


@docker
def test_mount_under_missing_parents_leaves_no_trace(boxed, tmp_path):
    sb = boxed()
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "f.txt").write_text("hello")
    r = sb.exec("cat /opt/deep/er/v/f.txt; touch /opt/deep/er/v/new", mounts={"/opt/deep/er/v": tmp_path / "m"})
    assert r.stdout == "hello"
    assert sb.exec("test -e /opt/deep").exit_code == 1
    assert not (tmp_path / "m" / "new").exists()  # a copy, never the host folder itself


@docker
def test_read_file_follows_symlinks_and_skips_directories(boxed):
    sb = boxed()
    sb.exec("mkdir -p /root/d && ln -s ../numbers.txt /root/d/link && ln -s /root/d/link /tmp/abs")
    assert sb.read_file("/root/d/link") == b"3 4 5\n" and sb.read_file("/tmp/abs") == b"3 4 5\n"
    assert sb.read_file("/root/d") is None


@docker
def test_base_status_cli(drt, capsys):
    from arena.cli.main import main

    assert main(["base", "status", "--json"]) == 0
    assert '"tag": "arena-base:py3.11"' in capsys.readouterr().out


# -- no engine needed -------------------------------------------------------------------------------
def test_unavailable_reason_says_how_to_start_an_engine(monkeypatch):
    pytest.importorskip("docker")
    from arena.sandbox.docker import DockerRuntime

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/arena-test.sock")
    why = DockerRuntime().unavailable_reason()
    assert why and "scripts/dockerd.sh" in why and "/nonexistent/arena-test.sock" in why


def test_normalize_references():
    n = imagealias.normalize
    assert n("docker.io/library/python:3.11-slim@sha256:" + "0" * 64) == "python:3.11-slim"
    assert n("ubuntu") == "ubuntu:latest" and n("library/debian:12") == "debian:12"
    assert n("localhost:5000/team/img") == "localhost:5000/team/img:latest"


def test_rewrite_from_keeps_args_stages_flags_and_local_images():
    df = (
        "# syntax=docker/dockerfile:1\nARG PY=3.11\nARG BASE=ubuntu:24.04\n"
        "FROM --platform=linux/amd64 python:${PY}-slim AS build\nRUN make\n"
        "from build AS test\nFROM ${BASE}\nFROM team/private:7\nFROM scratch\nFROM local:1\n"
    )
    aliases = imagealias.load_aliases({"team/private:7": None})
    rw = imagealias.rewrite_from(df, aliases, is_local=lambda ref: ref == "local:1")
    lines = rw.text.splitlines()
    assert lines[1:3] == ["ARG PY=3.11", "ARG BASE=ubuntu:24.04"]  # ARGs before FROM stay
    assert lines[3] == "FROM --platform=linux/amd64 arena-base:py3.11 AS build"
    assert lines[5] == "from build AS test" and lines[6] == "FROM arena-base:py3.11"
    assert lines[7:] == ["FROM team/private:7", "FROM scratch", "FROM local:1"]
    assert [(s.line, s.original) for s in rw.substitutions] == [(4, "python:3.11-slim"), (7, "ubuntu:24.04")]
    assert rw.unresolved == ("team/private:7",) and rw.bases == ("arena-base:py3.11", "team/private:7", "local:1")


def test_alias_file_from_env_and_option(tmp_path, monkeypatch):
    f = tmp_path / "aliases.yaml"
    f.write_text("python:3.11-slim: null\nmy/tool:2: arena-base:py3.11\n")
    monkeypatch.setenv(imagealias.ENV_VAR, str(f))
    a = imagealias.load_aliases({"ubuntu:22.04": "other:1"})
    assert "python:3.11-slim" not in a and a["my/tool:2"] == "arena-base:py3.11" and a["ubuntu:22.04"] == "other:1"
    f.write_text("python: [not, a, mapping\n")
    with pytest.raises(imagealias.ImageAliasError, match="not valid YAML"):
        imagealias.load_aliases()
    f.write_text("- a list\n")
    with pytest.raises(imagealias.ImageAliasError, match="must be a mapping"):
        imagealias.load_aliases()
    from arena.sandbox.docker import DockerRuntime

    with pytest.raises(RuntimeUnavailable, match="must be a mapping"):  # what the runtime's users see
        DockerRuntime()


def test_apt_sources_of_the_machine(tmp_path):
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\n# a comment\nURIs: http://mirror.test/debian\nSuites: bookworm bookworm-updates\n"
        "Components: main contrib\n\nTypes: deb-src\nURIs: http://src.test/debian\nSuites: bookworm\n\n"
        "Types: deb\nURIs: http://mirror.test/debian-security\nSuites: bookworm-security\nComponents: main\n"
    )
    (tmp_path / "sources.list.d" / "tool.list").write_text("deb [signed-by=/k.gpg] http://vendor.test/apt stable main\n")
    (tmp_path / "sources.list.d" / "off.sources.disabled").write_text("Types: deb\nURIs: http://x\nSuites: bookworm\n")
    src = baseimage.apt_sources(tmp_path)
    assert [s.uri for s in src] == ["http://mirror.test/debian", "http://mirror.test/debian-security", "http://vendor.test/apt"]
    deb = baseimage.debian_sources(src)
    assert [s.uri for s in deb] == ["http://mirror.test/debian", "http://mirror.test/debian-security"]
    assert baseimage.mirror_for(src) == "http://mirror.test/debian"
    text = baseimage.sources_deb822(deb)
    assert "Suites: bookworm bookworm-updates\nComponents: main contrib" in text and "vendor" not in text
    with pytest.raises(SandboxError, match="no apt source"):
        baseimage.mirror_for(src, suite="trixie")
