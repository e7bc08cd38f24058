"""A docker trial's one route to a model endpoint: a network of its own whose only open door is
the host's recording proxy (``arena.endpoint.RecordingProxy`` listening on the network's gateway).

A docker trial runs with ``network_mode=none`` (or on ``arena-egress`` when ``allow_internet``), and
mounts are copies, so the local runtime's Unix-socket route cannot be carried in.  For the length
of one harness command, ``ModelRoute``:

- creates an *internal* bridge ``arena-rt-<hex>`` for this container alone (no other trial is on
  it, so inter-container traffic has no one to reach), labelled ``arena.route`` with the creating pid;
- puts the host's firewall in front of it (filter table): every packet coming in from an
  ``arena-rt+`` interface goes to the chain ``ARENA-ROUTE``, which accepts TCP to the proxy's
  gateway address and port and drops everything else (so host services bound to 0.0.0.0 are not
  reachable through the gateway), and FORWARD drops everything to or from ``arena-rt+`` (no
  internet, no other host network, whatever the engine's ``--iptables`` setting);
- connects the container (leaving ``none``; a container on the egress bridge keeps it), and on
  close disconnects it, puts it back on ``none``, removes its firewall rule and the network.

The container keeps its hardening (every capability but ``docker.CAPS`` dropped — no NET_ADMIN, so
no route or address can be changed from inside; no new privileges; IPv6 off in its namespace).
Without root or ``iptables`` the route is refused (``SandboxError``): fail closed, never open.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid

import docker.errors

from arena.sandbox.base import SandboxError

PREFIX = "arena-rt-"  # interface names: at most 15 characters
CHAIN = "ARENA-ROUTE"
_BASE = ["iptables", "-w", "5", "-t", "filter"]


def _ipt(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*_BASE, *args], capture_output=True, text=True)


def _ensure(chain: str, spec: list[str], *, append: bool = False) -> None:
    if _ipt("-C", chain, *spec).returncode != 0:
        r = _ipt("-A", chain, *spec) if append else _ipt("-I", chain, "1", *spec)
        if r.returncode != 0:
            raise SandboxError(f"the model route's firewall rule was refused ({' '.join(spec)}): {r.stderr.strip()[:200]}")


def firewall_problem() -> str | None:
    """None when arena can fence the route off (root and iptables), else why not."""
    if os.geteuid() != 0:
        return "not root: arena cannot fence the route off with the host firewall"
    if shutil.which("iptables") is None:
        return "iptables is not installed: arena cannot fence the route off"
    return None


def _fence() -> None:
    """The standing rules (idempotent): arena-rt+ → ARENA-ROUTE (accepts added per trial, then DROP)."""
    if _ipt("-L", CHAIN, "-n").returncode != 0:
        r = _ipt("-N", CHAIN)
        if r.returncode != 0 and "exists" not in r.stderr:
            raise SandboxError(f"cannot create the firewall chain {CHAIN}: {r.stderr.strip()[:200]}")
    _ensure(CHAIN, ["-j", "DROP"], append=True)
    _ensure("INPUT", ["-i", PREFIX + "+", "-j", CHAIN])
    _ensure("FORWARD", ["-i", PREFIX + "+", "-j", "DROP"])
    _ensure("FORWARD", ["-o", PREFIX + "+", "-j", "DROP"])


class ModelRoute:
    """``with ModelRoute(client, cid) as r: proxy on (r.gateway, 0); r.allow(port); run``."""

    def __init__(self, client, cid: str):
        self.client, self.cid = client, cid
        self.iface = PREFIX + uuid.uuid4().hex[:6]
        self.network = None
        self.gateway: str | None = None
        self._accept: list[str] | None = None
        self._left_none = False

    def __enter__(self) -> ModelRoute:
        why = firewall_problem()
        if why:
            raise SandboxError(f"no route to the model endpoint: {why}")
        try:
            _fence()
            self.network = self.client.networks.create(
                self.iface, driver="bridge", internal=True, labels={"arena.route": "1", "arena.pid": str(os.getpid())},
                options={"com.docker.network.bridge.name": self.iface, "com.docker.network.bridge.enable_icc": "false"},
            )  # fmt: skip
            self.network.reload()
            cfg = (self.network.attrs.get("IPAM") or {}).get("Config") or [{}]
            self.gateway = cfg[0].get("Gateway")
            if not self.gateway:
                raise SandboxError(f"the route network {self.iface} has no gateway address")
            nets = (self.client.api.inspect_container(self.cid).get("NetworkSettings") or {}).get("Networks") or {}
            if "none" in nets:
                self.client.api.disconnect_container_from_network(self.cid, "none")
                self._left_none = True
            self.network.connect(self.cid)
        except (docker.errors.APIError, SandboxError) as exc:
            self.__exit__()
            raise SandboxError(f"no route to the model endpoint: {getattr(exc, 'explanation', None) or exc}") from exc
        return self

    def allow(self, port: int) -> None:
        """Open the one door: TCP to the gateway's ``port`` (where the recording proxy listens)."""
        spec = ["-i", self.iface, "-d", self.gateway, "-p", "tcp", "--dport", str(int(port)), "-j", "ACCEPT"]
        _ensure(CHAIN, spec)
        self._accept = spec

    def __exit__(self, *exc) -> None:
        if self._accept is not None:
            _ipt("-D", CHAIN, *self._accept)
            self._accept = None
        if self.network is not None:
            try:
                self.network.disconnect(self.cid, force=True)
            except docker.errors.APIError:
                pass  # the container is gone (or was never connected)
            if self._left_none:
                try:
                    self.client.api.connect_container_to_network(self.cid, "none")
                except docker.errors.APIError:
                    pass  # with no network at all it has only its loopback, as on `none`
            try:
                self.network.remove()
            except docker.errors.APIError:
                pass  # the janitor removes what is left (label arena.route)
            self.network = None


def forget(iface: str) -> int:
    """Delete the firewall doors left for ``iface`` (a crashed run's route); how many were removed."""
    n = 0
    for line in _ipt("-S", CHAIN).stdout.splitlines():
        parts = line.split()
        if parts[:2] == ["-A", CHAIN] and "-i" in parts and parts[parts.index("-i") + 1] == iface:
            n += _ipt("-D", CHAIN, *parts[2:]).returncode == 0
    return n
