"""Benchmark: what the route to the model costs a harness, against a bare `curl` to the endpoint.

arena's endpoint serves a constant fake engine (no compute), so every figure is pure plumbing:
  bare    : curl on the host -> the endpoint (127.0.0.1 TCP); bare_py: the Python client below, same;
  proxy   : curl on the host -> the recording proxy's Unix socket -> the endpoint;
  route   : curl inside a local (bubblewrap) sandbox -> the relay on the sandbox's loopback ->
            the proxy socket (mounted) -> the endpoint: what a harness's every turn pays;
  route_py: the same from a stdlib Python client (urllib, a new connection per request, like curl),
            in the local sandbox and in a docker container (the base image has no curl) -> the
            recording proxy on the trial network's gateway (arena.sandbox.route) -> the endpoint;
  route_setup / route_teardown (docker): creating the trial's network, its firewall door and
            connecting the container / undoing it, once per harness command;
  startup : from launching the harness command in the sandbox to its first model call
            (relay start included), for mini-harness and, when their host prefixes are built
            (python -m arena.agents.harness_prefix), for mini-swe-agent and OpenCode, on local and
            docker (the whole command's seconds too: ``*_agent_sec``; one model call allowed, the
            harness then sees 429 and stops).
Per-request times are curl's own time_total (process start excluded), medians of --n requests.
    python bench/bench_harness_overhead.py [--n 50] [--no-docker]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from arena.agents.harness import Harness, HarnessAgent  # noqa: E402
from arena.agents.harness_prefix import installed  # noqa: E402
from arena.endpoint import Endpoint, RecordingProxy  # noqa: E402
from arena.engines import Completion  # noqa: E402
from arena.task import load_task  # noqa: E402
from arena.trial import run_trial  # noqa: E402
from tests.conftest import write_task  # noqa: E402

BODY = json.dumps({"model": "arena", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 8})


class Constant:
    name = "constant"

    def chat(self, conversations, **kw):
        return [Completion("ok", tokens=1)]


def curl_times(args: list[str], n: int) -> list[float]:
    out = []
    for _ in range(n):
        r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{time_total}", "-H", "Content-Type: application/json",
                            "-d", BODY, *args], capture_output=True, text=True, check=True)  # fmt: skip
        out.append(float(r.stdout))
    return out


PY_LOOP = ("python3 -c \"import os,sys,time,urllib.request as u\n"
           "url=os.environ['OPENAI_BASE_URL']+'/chat/completions'; body=sys.argv[2].encode()\n"
           "for _ in range(int(sys.argv[1])):\n"
           "    t=time.perf_counter(); u.urlopen(u.Request(url, body, {'Content-Type': 'application/json'})).read()\n"
           "    print(time.perf_counter()-t)\" {n} '{body}'")  # fmt: skip


def harness_times(task, rt, ep, command: str, n: int, log: Path) -> tuple[list[float], dict]:
    r = run_trial(task, HarnessAgent(Harness("loop", command, "true", ""), base_url=ep.url, max_requests=n + 1), rt,
                  log_dir=log)  # fmt: skip
    return [float(x) for x in (log / "agent.stdout").read_text().split()], r.side_info["agent"]


def prefix_startups(task, rt, ep, tmp: Path, where: str) -> dict:
    """Start-up (launch -> first model call) and the command's seconds of each built prefix harness."""
    res = {}
    for name in ("mini-swe", "opencode"):
        if installed(name) is None:
            continue
        key = f"{where}_{name.replace('-', '_')}"
        r = run_trial(task, HarnessAgent(name, base_url=ep.url, max_requests=1), rt, log_dir=tmp / f"{where}-{name}")
        res[f"{key}_startup_sec"], res[f"{key}_agent_sec"] = r.side_info.get("agent", {}).get("startup_sec"), r.agent_sec
    return res


def docker_figures(task, ep, n: int, tmp: Path) -> dict:
    import time

    from arena.sandbox.docker import DockerRuntime

    rt, res = DockerRuntime(), {}
    times, info = harness_times(task, rt, ep, PY_LOOP.replace('{n}', str(n)).replace('{body}', BODY), n, tmp / "dk")
    res["docker_route_py_ms"] = statistics.median(times) * 1e3 if times else None
    res["docker_route_requests"] = info["proxy"]["requests"]
    box = rt.start(task, rt.prepare(task), trial_dir=tmp)
    try:
        setup, teardown = [], []
        for _ in range(5):
            t0 = time.perf_counter()
            route = box.model_route().__enter__()
            route.allow(1)
            t1 = time.perf_counter()
            route.__exit__()
            setup.append(t1 - t0)
            teardown.append(time.perf_counter() - t1)
        res["docker_route_setup_sec"] = statistics.median(setup)
        res["docker_route_teardown_sec"] = statistics.median(teardown)
    finally:
        box.close()
    r = run_trial(task, HarnessAgent("mini-harness", base_url=ep.url), rt, log_dir=tmp / "dm")
    res["docker_startup_mini_harness_sec"] = r.side_info["agent"]["startup_sec"]
    res.update(prefix_startups(task, rt, ep, tmp, "docker"))
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--no-docker", action="store_true", help="skip the docker route's figures")
    a = ap.parse_args()
    from arena.sandbox.local import LocalRuntime

    res = {}
    with Endpoint(Constant()) as ep, tempfile.TemporaryDirectory() as tmp:
        res["bare_ms"] = statistics.median(curl_times([f"{ep.url}/chat/completions"], a.n)) * 1e3
        host = subprocess.run(["bash", "-c", PY_LOOP.replace("{n}", str(a.n)).replace("{body}", BODY)], capture_output=True,
                              text=True, check=True, env={**os.environ, "OPENAI_BASE_URL": ep.url})  # fmt: skip
        res["bare_py_ms"] = statistics.median(float(x) for x in host.stdout.split()) * 1e3
        proxy = RecordingProxy(ep.url, f"{tmp}/p.sock")
        res["proxy_ms"] = statistics.median(curl_times(["--unix-socket", proxy.socket_path, "http://x/v1/chat/completions"], a.n)) * 1e3
        proxy.close()
        loop = (f"for i in $(seq {a.n}); do curl -s -o /dev/null -w '%{{time_total}}\\n' -H 'Content-Type: application/json' "
                f"-d '{BODY}' $OPENAI_BASE_URL/chat/completions; done")  # fmt: skip
        task, _ = load_task(write_task(Path(tmp) / "t", agent_timeout=300))
        rt = LocalRuntime()
        r = run_trial(task, HarnessAgent(Harness("curl-loop", loop, "command -v curl", "apt-get install curl"),
                                         base_url=ep.url, max_requests=a.n + 1), rt, log_dir=Path(tmp) / "l")  # fmt: skip
        times = [float(x) for x in (Path(tmp) / "l" / "agent.stdout").read_text().split()]
        res["route_ms"] = statistics.median(times) * 1e3 if times else None
        res["route_requests"] = r.side_info["agent"]["proxy"]["requests"]
        times, _ = harness_times(task, rt, ep, PY_LOOP.replace('{n}', str(a.n)).replace('{body}', BODY), a.n, Path(tmp) / "lp")
        res["route_py_ms"] = statistics.median(times) * 1e3 if times else None
        r = run_trial(task, HarnessAgent("mini-harness", base_url=ep.url), rt, log_dir=Path(tmp) / "m")
        res["startup_mini_harness_sec"] = r.side_info["agent"]["startup_sec"]
        res.update(prefix_startups(task, rt, ep, Path(tmp), "local"))
        if not a.no_docker:
            res.update(docker_figures(task, ep, a.n, Path(tmp)))
    res["n"] = a.n
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in res.items()}, indent=1))


if __name__ == "__main__":
    main()
