"""Benchmark: what the route to the model costs a harness, against a bare `curl` to the endpoint.

arena's endpoint serves a constant fake engine (no compute), so every figure is pure plumbing:
  bare    : curl on the host -> the endpoint (127.0.0.1 TCP);
  proxy   : curl on the host -> the recording proxy's Unix socket -> the endpoint;
  route   : curl inside a local (bubblewrap) sandbox -> the relay on the sandbox's loopback ->
            the proxy socket (mounted) -> the endpoint: what a harness's every turn pays;
  startup : from launching the harness command in the sandbox to its first model call
            (relay start included), for mini-harness and, when ARENA_MSWE_PREFIX names a venv with
            mini-swe-agent, for mini-swe-agent.
Per-request times are curl's own time_total (process start excluded), medians of --n requests.
    python bench/bench_harness_overhead.py [--n 50]
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50)
    a = ap.parse_args()
    from arena.sandbox.local import LocalRuntime

    res = {}
    with Endpoint(Constant()) as ep, tempfile.TemporaryDirectory() as tmp:
        res["bare_ms"] = statistics.median(curl_times([f"{ep.url}/chat/completions"], a.n)) * 1e3
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
        r = run_trial(task, HarnessAgent("mini-harness", base_url=ep.url), rt, log_dir=Path(tmp) / "m")
        res["startup_mini_harness_sec"] = r.side_info["agent"]["startup_sec"]
        prefix = os.environ.get("ARENA_MSWE_PREFIX")
        if prefix:
            r = run_trial(task, HarnessAgent("mini-swe", base_url=ep.url, mounts={prefix: Path(prefix)}, path=(f"{prefix}/bin",),
                                             max_requests=1), rt, log_dir=Path(tmp) / "s")  # fmt: skip
            res["startup_mini_swe_sec"] = r.side_info["agent"]["startup_sec"]
    res["n"] = a.n
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in res.items()}, indent=1))


if __name__ == "__main__":
    main()
