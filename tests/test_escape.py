"""Privileged escape attempts, as real trials on both runtimes, as root (and, for the isolation
flags of the local runtime, as an unprivileged user).

Each attempt is an agent (or a task's own oracle/verifier) that tries to reach the host with
the privileges root would have: remount a read-only bind writable, mount proc/sysfs/cgroup or the
host's block devices, make device nodes, write through ``/proc/*/root``, nest namespaces, chroot
out, talk to a container engine's socket, leave a process behind that acts after the trial,
change the task package, make the harness follow a link to a host file.  Every attempt that
succeeds writes a marker; the test checks that no marker reached the host, that the package is
byte-identical, that no process of the trial is left, and that the honest oracle trial in the
same batch still scores 1.0.  The scripts never write to a device: success is shown by markers
only, so a broken sandbox cannot damage the machine running the test.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from arena.agents.base import OracleAgent, ScriptAgent
from arena.batch import TrialSpec, run_batch
from arena.runfolder import RunStore
from arena.task import load_task
from tests.test_adversarial import _digest

#: {id} is unique per test, {host} a host folder the sandbox must never reach, {pkg} the package
ATTEMPTS = {
    "remount-binds": (
        "for d in /etc /usr /oracle /verifier /; do mount -o remount,bind,rw $d 2>/dev/null; mount -o remount,rw $d 2>/dev/null; done;"
        " echo escaped > /etc/arena-escape-{id}; echo escaped > /usr/arena-escape-{id};"
        " echo 'echo pwned' >> /oracle/solve.sh; echo pwned > {pkg}/oracle/solve.sh; true"
    ),
    "mount-new-filesystems": (
        "mkdir -p /root/m; for t in proc sysfs cgroup2 tmpfs devtmpfs; do mount -t $t none /root/m 2>/dev/null && echo $t >> /root/mounted; done;"
        " mkdir -p /root/cg; mount -t cgroup -o memory cgroup /root/cg 2>/dev/null && echo /tmp/x > /root/cg/release_agent;"
        " for b in /dev/vda /dev/vda1 /dev/sda /dev/sda1 /dev/nvme0n1 /dev/nvme0n1p1 /dev/xvda; do"
        "   mount -o ro $b /root/m 2>/dev/null && ls /root/m > /root/host-disk; done;"
        " [ -s /root/mounted ] && echo escaped > /etc/arena-escape-{id}; true"
    ),
    "device-nodes": (
        "mknod /root/disk b 253 0 2>/dev/null && echo made >> /root/nodes; mknod /root/mem c 1 1 2>/dev/null && echo made >> /root/nodes;"
        " mknod /root/kmsg c 1 11 2>/dev/null && echo made >> /root/nodes;"
        " [ -s /root/nodes ] && echo escaped > {host}/escaped; true"
    ),
    "proc-root": (
        "for p in /proc/[0-9]* /proc/self /proc/thread-self; do echo escaped > $p/root{host}/escaped 2>/dev/null;"
        " echo escaped > $p/root/etc/arena-escape-{id} 2>/dev/null; echo escaped > $p/cwd/../../../etc/arena-escape-{id} 2>/dev/null; done;"
        " ls -la /proc/self/fd > /root/fds 2>&1; for f in /proc/self/fd/*; do readlink $f; done >> /root/fds; true"
    ),
    "nested-namespaces": (
        "unshare -Urm sh -c 'mount -o remount,bind,rw /etc && echo escaped > /etc/arena-escape-{id}' 2>/dev/null;"
        " unshare -m sh -c 'mount -o remount,rw /etc && echo escaped > /etc/arena-escape-{id}' 2>/dev/null;"
        " nsenter -t 1 -a sh -c 'echo escaped > /etc/arena-escape-{id}' 2>/dev/null;"
        " python3 -c \"import os; os.unshare(os.CLONE_NEWUSER|os.CLONE_NEWNS); open('/etc/arena-escape-{id}','w').write('x')\" 2>/dev/null; true"
    ),
    "chroot-breakout": (
        "python3 -c \"import os; os.makedirs('/root/j', exist_ok=True); os.chroot('/root/j'); [os.chdir('..') for _ in range(64)];"
        " os.chroot('.'); open('{host}/escaped', 'w').write('x')\" 2>/dev/null; true"
    ),
    "kernel-knobs": (
        "echo 1 > /proc/sys/vm/drop_caches 2>/dev/null && echo w >> /root/knobs; echo h > /proc/sysrq-trigger 2>/dev/null && echo w >> /root/knobs;"
        " hostname arena-pwned-{id} 2>/dev/null; echo arena-pwned-{id} > /proc/sys/kernel/hostname 2>/dev/null;"
        " echo $$ > /sys/fs/cgroup/cgroup.procs 2>/dev/null && echo w >> /root/knobs;"
        " [ -s /root/knobs ] && echo escaped > {host}/escaped; true"
    ),
    "engine-sockets": (
        "python3 - <<'EOF' > /root/sockets 2>&1\n"
        "import glob, os, socket\n"
        "paths = ['/run/docker.sock', '/var/run/docker.sock', '/run/arena-docker.sock', '/run/containerd/containerd.sock',\n"
        "         '/var/run/containerd/containerd.sock', '/run/podman/podman.sock']\n"
        "for root in ('/run', '/var/run', '/var/lib', '/tmp'):\n"
        "    paths += glob.glob(root + '/**/*.sock', recursive=True)\n"
        "for p in paths:\n"
        "    try:\n"
        "        s = socket.socket(socket.AF_UNIX); s.settimeout(1); s.connect(p)\n"
        "        s.sendall(b'GET /containers/json HTTP/1.0\\r\\n\\r\\n'); print('REACHED', p, s.recv(64))\n"
        "    except OSError:\n"
        "        pass\n"
        "for port in (2375, 2376):\n"
        "    try:\n"
        "        socket.create_connection(('127.0.0.1', port), timeout=1); print('REACHED tcp', port)\n"
        "    except OSError:\n"
        "        pass\n"
        "EOF\n"
        "grep -q REACHED /root/sockets && echo escaped > /etc/arena-escape-{id}; true"
    ),
    "detached-process": (
        "setsid sh -c 'sleep 7{sleep}; echo late > {host}/escaped' >/dev/null 2>&1 < /dev/null &"
        " (trap '' HUP TERM INT; exec -a arena-late-{id} sleep 7{sleep}) >/dev/null 2>&1 < /dev/null & disown; true"
    ),
    "fifo-and-link-traps": (
        # a FIFO named like a hook must not hang the harness; links must not lead it to host files
        "mkfifo /root/conftest.py /tmp/sitecustomize.py 2>/dev/null; ln -sf {host}/secret /root/answer.txt;"
        " mkdir -p /logs/verifier; ln -sf {host}/secret /logs/verifier/reward.txt; true"
    ),
}


def _left_behind(tag: str) -> list[int]:
    out = []
    for p in Path("/proc").glob("[0-9]*"):
        try:
            if tag.encode() in (p / "cmdline").read_bytes():
                out.append(int(p.name))
        except OSError:
            pass
    return out


RUNTIMES = [pytest.param("local", marks=pytest.mark.bwrap), pytest.param("docker", marks=pytest.mark.docker)]


@pytest.fixture(params=RUNTIMES)
def runtime(request):
    return request.getfixturevalue(f"{request.param}_runtime")  # skips with the reason when unusable


def _no_trace(host: Path, ident: str) -> None:
    assert not list(host.iterdir()) or [p.name for p in host.iterdir()] == ["secret"], list(host.iterdir())
    for d in ("/etc", "/usr", "/"):
        assert not Path(d, f"arena-escape-{ident}").exists(), f"a marker reached the host's {d}"
    assert "arena-pwned" not in Path("/proc/sys/kernel/hostname").read_text()


@pytest.mark.parametrize("attempt", list(ATTEMPTS))
def test_escape_attempt_leaves_no_trace(attempt, runtime, make_task, tmp_path):
    ident = uuid.uuid4().hex[:10]
    host = tmp_path / "host-only"
    host.mkdir()
    (host / "secret").write_text("1.0\n")  # what a followed link would read as a perfect reward
    root = make_task(f"esc-{attempt}")
    sleep = str(700 + int(ident[:4], 16) % 99)  # a unique sleep length to find a left-behind process
    script = ATTEMPTS[attempt].format(id=ident, host=host, pkg=root, sleep=sleep)
    before = _digest(root)
    task = load_task(root)[0]
    honest = load_task(make_task(f"honest-{attempt}"))[0]
    hostile = ScriptAgent(script, name=f"escape-{attempt}")
    results = run_batch([TrialSpec(task, hostile), TrialSpec(honest, OracleAgent())], runtime,
                        store=RunStore(tmp_path / "run"), workers=2, progress=False)  # fmt: skip
    by = {r.agent: r for r in results}
    bad, oracle = by[hostile.name], by["oracle"]
    assert (oracle.status, oracle.reward) == ("ok", 1.0), oracle.reason  # the honest neighbour
    assert bad.status == "ok" and bad.reward is not None and bad.reward < 1.0, (bad.reason, bad)
    assert bad.total_sec < 60
    assert _digest(root) == before, "the attempt changed the task package"
    if attempt == "detached-process":
        time.sleep(1)
        assert not _left_behind(f"sleep 7{sleep}") and not _left_behind(f"arena-late-{ident}"), "a process outlived its trial"
    _no_trace(host, ident)


@pytest.mark.parametrize("where", ["oracle", "verifier"])
def test_hostile_package_scripts_cannot_escape_either(where, runtime, make_task, tmp_path):
    """The package itself is untrusted: its oracle and its verifier make the same attempts."""
    ident = uuid.uuid4().hex[:10]
    host = tmp_path / "host-only"
    host.mkdir()
    (host / "secret").write_text("1.0\n")
    attack = " ".join(ATTEMPTS[a].format(id=ident, host=host, pkg="/nonexistent", sleep="701")
                      for a in ("remount-binds", "nested-namespaces", "proc-root", "device-nodes"))  # fmt: skip
    kw = {}
    if where == "oracle":
        kw["solve_sh"] = f"#!/bin/bash\n{attack}\nexit 0\n"
    else:  # a verifier that attacks, then links its reward file to a host file holding 1.0
        kw["test_sh"] = f"#!/bin/bash\n{attack}\nmkdir -p /logs/verifier; ln -sf {host}/secret /logs/verifier/reward.txt\n"
    root = make_task(f"pkg-{where}", **kw)
    before = _digest(root)
    task = load_task(root)[0]
    honest = load_task(make_task(f"honest-pkg-{where}"))[0]
    results = run_batch([TrialSpec(task, OracleAgent()), TrialSpec(honest, OracleAgent())], runtime,
                        store=RunStore(tmp_path / "run"), workers=2, progress=False)  # fmt: skip
    by = {r.task_id: r for r in results}
    bad, good = by[task.id], by[honest.id]
    assert (good.status, good.reward) == ("ok", 1.0), good.reason
    assert bad.reward != 1.0, "a link to a host file was read as the reward"
    assert _digest(root) == before
    _no_trace(host, ident)


# -- the isolation flags as an unprivileged caller -------------------------------------------------


def _unprivileged_bwrap(script: str, work: Path) -> subprocess.CompletedProcess:
    from arena.sandbox import seccomp
    from arena.sandbox.local import isolation_flags

    fd = os.open(seccomp.program_file(), os.O_RDONLY) if seccomp.supported() else None
    argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "bwrap", "--die-with-parent",
            "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            *isolation_flags(userns=True, seccomp_fd=fd), "--tmpfs", "/", "--proc", "/proc", "--dev", "/dev"]  # fmt: skip
    for name in ("usr", "etc", "bin", "sbin", "lib", "lib64"):
        host = Path("/") / name
        argv += ["--symlink", os.readlink(host), f"/{name}"] if host.is_symlink() else ["--ro-bind", str(host), f"/{name}"]
    argv += ["--bind", str(work), "/root", "--chdir", "/root", "bash", "-c", script]
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=60, pass_fds=(fd,) if fd is not None else ())
    finally:
        if fd is not None:
            os.close(fd)


@pytest.mark.bwrap
@pytest.mark.parametrize("attempt", ["remount-binds", "mount-new-filesystems", "device-nodes", "proc-root",
                                     "nested-namespaces", "chroot-breakout", "kernel-knobs", "engine-sockets"])  # fmt: skip
def test_isolation_flags_hold_for_an_unprivileged_caller(attempt, request):
    """The same attempts from a sandbox that an unprivileged user (nobody) starts with arena's
    isolation flags.  The whole trial path needs the interpreter's folders, which on many machines
    (pyenv under /root) an unprivileged user cannot read, so this runs the flags, not a trial."""
    if os.geteuid() != 0 or not shutil.which("setpriv") or not shutil.which("bwrap"):
        pytest.skip("needs root to switch to an unprivileged user (setpriv) and bubblewrap")
    ident = uuid.uuid4().hex[:10]
    base = Path(tempfile.mkdtemp(prefix="arena-unpriv-"))  # pytest's tmp folders are root-only (0700)
    request.addfinalizer(lambda: shutil.rmtree(base, ignore_errors=True))
    os.chmod(base, 0o755)
    host = base / "host-only"
    host.mkdir()
    os.chmod(host, 0o777)  # writable by nobody: a marker would land if the sandbox let it through
    work = base / "work"
    work.mkdir()
    os.chown(work, 65534, 65534)
    probe = _unprivileged_bwrap("grep -E '^(CapEff|Seccomp):' /proc/self/status", work)
    if probe.returncode != 0:
        pytest.skip(f"unprivileged user namespaces are off here: {probe.stderr.strip()[:200]}")
    assert "CapEff:\t0000000000000000" in probe.stdout
    script = ATTEMPTS[attempt].format(id=ident, host=host, pkg="/nonexistent", sleep="702")
    _unprivileged_bwrap(script, work)
    os.chmod(host, 0o700)
    _no_trace(host, ident)


def test_reaching_the_docker_socket_is_not_possible_from_a_local_sandbox(local_runtime, make_task, tmp_path):
    """A listening Unix socket of the host (where an engine's would be) is invisible in the sandbox."""
    # /run where an engine's socket lives; an unprivileged caller makes its own where it may
    parent = next(p for p in (Path("/run"), Path("/var/tmp"), Path(tempfile.gettempdir())) if os.access(p, os.W_OK))
    sock_dir = parent / f"arena-test-{uuid.uuid4().hex[:8]}"
    sock_dir.mkdir()
    srv = socket.socket(socket.AF_UNIX)
    try:
        srv.bind(str(sock_dir / "engine.sock"))
        srv.listen(1)
        task = load_task(make_task("sock"))[0]
        agent = ScriptAgent(f"python3 -c \"import socket; s=socket.socket(socket.AF_UNIX); s.connect('{sock_dir}/engine.sock')\""
                            " && echo 12 > /root/answer.txt; true", name="sock")  # fmt: skip
        res = run_batch([TrialSpec(task, agent)], local_runtime, store=RunStore(tmp_path / "run"), progress=False)[0]
        assert res.reward == 0.0, res
    finally:
        srv.close()
        shutil.rmtree(sock_dir, ignore_errors=True)


@pytest.mark.docker
def test_internet_enabled_docker_trials_cannot_reach_the_hosts_services(docker_runtime, make_task, tmp_path):
    """allow_internet: true gives arena's bridge, not the host's network: a service on the host's
    loopback, and (when arena may set the host firewall) one on all interfaces, stay unreachable."""
    from arena.sandbox import egress

    servers = []
    for host in ("127.0.0.1", "0.0.0.0"):
        s = socket.socket()
        s.bind((host, 0))
        s.listen(8)
        servers.append(s)
    lo, anyif = (s.getsockname()[1] for s in servers)
    probe = (
        "python3 - <<'EOF'\n"
        "import socket, struct\n"
        "gw = None\n"
        "for line in open('/proc/net/route').read().splitlines()[1:]:\n"
        "    f = line.split()\n"
        "    if f[1] == '00000000':\n"
        "        gw = socket.inet_ntoa(struct.pack('<L', int(f[2], 16)))\n"
        f"targets = [('127.0.0.1', {lo}), ('127.0.0.1', {anyif})] + ([(gw, {anyif}), (gw, {lo})] if gw else [])\n"
        "for t in targets:\n"
        "    try:\n"
        "        socket.create_connection(t, timeout=2); print('REACHED', t); open('/root/answer.txt', 'w').write('12')\n"
        "    except OSError as e:\n"
        "        print('blocked', t, e)\n"
        "EOF\n"
    )
    try:
        task = load_task(make_task("net-egress", allow_internet="true"))[0]
        res = run_batch([TrialSpec(task, ScriptAgent(probe, name="net"))], docker_runtime,
                        store=RunStore(tmp_path / "run"), progress=False)[0]  # fmt: skip
        seen = Path(res.log_dir, "agent.stdout").read_text()
        assert seen.count("blocked") >= 2, seen  # the probe ran (and found a gateway to try)
        assert "REACHED ('127.0.0.1'" not in seen, seen  # never the host's loopback
        if egress.problem() is None:  # the host is shielded: no host port at all
            assert "REACHED" not in seen and res.reward == 0.0, seen
        else:
            assert any(egress.NETWORK in n for n in res.notes), res.notes  # and the trial says so
    finally:
        for s in servers:
            s.close()
