"""The network of ``allow_internet`` docker trials: a bridge of arena's own, never the host's.

A container on the host's network namespace reaches every service on the host's loopback (a
Jupyter server, a Ray dashboard, a database).  Internet-enabled trials instead join the
user-defined bridge ``arena-egress`` (interface ``arena-egress0``):

- its own network namespace, so the host's 127.0.0.1 is not the container's;
- inter-container traffic off (``enable_icc=false``): trials cannot reach each other;
- when arena may change the host firewall (root, ``iptables`` present): packets from the bridge
  *to the host itself* are dropped (INPUT), so services bound to 0.0.0.0 are not reachable through
  the gateway address either, and outbound traffic is masqueraded and forwarded, so egress works
  even when the engine runs with ``--iptables=false --ip-masq=false`` (``scripts/dockerd.sh``).

User-defined bridges work with ``dockerd --bridge=none``: that flag only removes ``docker0``.
``shield()`` reports what is in force; trials record it as a note when the host is not shielded.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import docker.errors

from arena.sandbox.base import SandboxError

NETWORK = "arena-egress"
IFACE = "arena-egress0"
_STATE: dict[str, str | None] = {}


def ensure(client) -> str:
    """The egress network's name (created on first use); ``SandboxError`` when the engine refuses."""
    try:
        net = client.networks.get(NETWORK)
    except docker.errors.NotFound:
        try:
            net = client.networks.create(
                NETWORK, driver="bridge", labels={"arena.egress": "1"},
                options={"com.docker.network.bridge.name": IFACE, "com.docker.network.bridge.enable_icc": "false"},
            )  # fmt: skip
        except docker.errors.APIError as exc:
            if exc.status_code != 409:  # 409: created meanwhile by a parallel trial
                raise SandboxError(f"cannot create the egress network {NETWORK}: {exc.explanation or exc}") from exc
            net = client.networks.get(NETWORK)
    if "shield" not in _STATE:
        subnets = [c.get("Subnet") for c in (net.attrs.get("IPAM") or {}).get("Config") or [] if c.get("Subnet")]
        _STATE["shield"] = shield(subnets)
    return NETWORK


def problem() -> str | None:
    """None when the host is shielded from egress trials, else why not (after ``ensure``)."""
    return _STATE.get("shield")


def _rule(table: str, chain: str, spec: list[str]) -> None:
    base = ["iptables", "-w", "5", "-t", table]
    if subprocess.run([*base, "-C", chain, *spec], capture_output=True).returncode != 0:
        r = subprocess.run([*base, "-I", chain, "1", *spec], capture_output=True, text=True)
        if r.returncode != 0:
            raise OSError(r.stderr.strip()[:200])


def shield(subnets: list[str]) -> str | None:
    """Drop bridge → host packets and NAT the bridge's egress; None on success, else the reason."""
    if os.geteuid() != 0:
        return "not root: the host firewall is left as it is (the bridge gateway's open ports are reachable)"
    if shutil.which("iptables") is None:
        return "iptables is not installed: the bridge gateway's open ports on the host are reachable"
    try:
        _rule("filter", "INPUT", ["-i", IFACE, "-m", "conntrack", "!", "--ctstate", "ESTABLISHED,RELATED", "-j", "DROP"])
        _rule("filter", "FORWARD", ["-i", IFACE, "!", "-o", IFACE, "-j", "ACCEPT"])
        _rule("filter", "FORWARD", ["-o", IFACE, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"])
        for net in subnets:
            _rule("nat", "POSTROUTING", ["-s", net, "!", "-o", IFACE, "-j", "MASQUERADE"])
    except OSError as exc:
        return f"iptables refused a rule ({exc}): the bridge gateway's open ports on the host may be reachable"
    return None
