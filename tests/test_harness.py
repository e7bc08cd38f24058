"""Arena's OpenAI-compatible endpoint, the recording proxy, and harness agents (a command in the
sandbox that talks to the endpoint through the proxy, network otherwise off): a real trial solved
through the route, and every bad case a trial status with its reason."""

from __future__ import annotations

import http.client
import json
import socket
import urllib.error
import urllib.request

import pytest

from arena.agents.harness import HarnessAgent
from arena.endpoint import Endpoint, RecordingProxy
from arena.engines import Completion, OpenAIEngine
from arena.task import load_task
from arena.trial import run_trial


class Policy:
    """A fake model: calls bash with `command` until a tool result is in the conversation, then answers."""

    name = "fake"

    def __init__(self, command: str, *, keep_calling: bool = False):
        self.command, self.keep_calling, self.calls = command, keep_calling, []

    def chat(self, conversations, tools=None, max_new_tokens=64, **kw):
        conv = conversations[0]
        self.calls.append({"max_new_tokens": max_new_tokens, "messages": conv, "tools": tools})
        if conv[-1]["role"] == "tool" and not self.keep_calling:
            return [Completion("The sum is written.", tokens=5)]
        call = {"type": "function", "function": {"name": "bash", "arguments": {"command": self.command}}}
        return [Completion("", [call], tokens=11)]


class Broken:
    name = "broken"

    def chat(self, *a, **kw):
        raise RuntimeError("engine exploded")


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class _UnixConn(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=10)
        self.path_ = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path_)


def _post_unix(path: str, route: str, doc) -> tuple[int, dict]:
    c = _UnixConn(path)
    c.request("POST", route, body=json.dumps(doc), headers={"Content-Type": "application/json"})
    r = c.getresponse()
    return r.status, json.loads(r.read())


def test_endpoint_round_trip_with_tool_calls_and_bad_input():
    eng = Policy("echo hi")
    with Endpoint(eng, model_name="tiny") as ep:
        client = OpenAIEngine("tiny", base_url=ep.url, retries=0)
        out = client.chat([[{"role": "user", "content": "go"}]], tools=[{"type": "function", "function": {"name": "bash"}}])
        assert out[0].tool_calls[0]["function"]["arguments"] == {"command": "echo hi"}
        # the tool call goes back in OpenAI form (arguments as a string) and reaches the engine as a dict
        conv = [{"role": "user", "content": "go"}, out[0].message() | {"tool_calls": [{"id": "c1", **out[0].tool_calls[0]}]},
                {"role": "tool", "tool_call_id": "c1", "content": "exit=0"}]  # fmt: skip
        assert client.chat([conv])[0].text == "The sum is written."
        assert eng.calls[-1]["messages"][1]["tool_calls"][0]["function"]["arguments"] == {"command": "echo hi"}
        with urllib.request.urlopen(ep.url + "/models") as r:
            assert json.loads(r.read())["data"][0]["id"] == "tiny"
        for body, code in ((b"not json", 400), (json.dumps({"messages": []}).encode(), 400)):
            req = urllib.request.Request(ep.url + "/chat/completions", data=body, method="POST")
            with pytest.raises(urllib.error.HTTPError) as exc:
                urllib.request.urlopen(req)
            assert exc.value.code == code
        assert len(ep.log) == 2 and ep.log[0]["completion_tokens"] == 11
    with Endpoint(Broken()) as ep:
        req = urllib.request.Request(ep.url + "/chat/completions", data=json.dumps({"messages": [{"role": "user", "content": "x"}]}).encode())
        with pytest.raises(urllib.error.HTTPError) as exc:
            urllib.request.urlopen(req)
        assert exc.value.code == 500 and "engine exploded" in exc.value.read().decode()


def test_proxy_answers_a_stream_request_as_sse(tmp_path):
    """A `stream: true` client (OpenCode) gets the upstream's whole reply as OpenAI chunks; the
    upstream is asked without `stream`, and the record keeps the request as the client sent it."""
    eng = Policy("echo hi")
    with Endpoint(eng) as ep:
        proxy = RecordingProxy(ep.url, str(tmp_path / "p.sock"))
        c = _UnixConn(proxy.socket_path)
        doc = {"messages": [{"role": "user", "content": "go"}], "stream": True, "stream_options": {"include_usage": True}}
        c.request("POST", "/v1/chat/completions", body=json.dumps(doc), headers={"Content-Type": "application/json"})
        r = c.getresponse()
        kind, text = r.getheader("Content-Type"), r.read().decode()
        proxy.close()
    events = [line[len("data: "):] for line in text.splitlines() if line.startswith("data: ")]
    assert kind == "text/event-stream" and events[-1] == "[DONE]", text
    chunks = [json.loads(e) for e in events[:-1]]
    call = chunks[0]["choices"][0]["delta"]["tool_calls"][0]
    assert call["index"] == 0 and json.loads(call["function"]["arguments"]) == {"command": "echo hi"}
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls" and chunks[-1]["usage"]["completion_tokens"] == 11
    assert proxy.records[-1]["request"]["stream"] is True and proxy.records[-1]["streamed"]


def test_proxy_caps_counts_refuses_and_records(tmp_path):
    eng = Policy("true")
    with Endpoint(eng) as ep:
        proxy = RecordingProxy(ep.url, str(tmp_path / "p.sock"), max_tokens_cap=32, max_requests=2)
        try:
            msg = {"messages": [{"role": "user", "content": "x"}], "max_tokens": 4000}
            assert _post_unix(proxy.socket_path, "/v1/chat/completions", msg)[0] == 200
            assert eng.calls[-1]["max_new_tokens"] == 32  # capped
            assert _post_unix(proxy.socket_path, "/v1/chat/completions", {**msg, "max_tokens": 8})[0] == 200
            assert eng.calls[-1]["max_new_tokens"] == 8  # under the cap: untouched
            code, doc = _post_unix(proxy.socket_path, "/v1/chat/completions", msg)
            assert code == 429 and "turn limit" in doc["error"]["message"]
            assert _post_unix(proxy.socket_path, "/v1/embeddings", msg)[0] == 403  # only the chat API passes
            s = proxy.summary()
            assert (s["requests"], s["refused"], s["capped"], s["completion_tokens"]) == (3, 1, 1, 22)
        finally:
            proxy.close()
    down = RecordingProxy(f"http://127.0.0.1:{_free_port()}/v1", str(tmp_path / "d.sock"))
    try:
        code, doc = _post_unix(down.socket_path, "/v1/chat/completions", {"messages": [{"role": "user", "content": "x"}]})
        assert code == 502 and "did not answer" in doc["error"]["message"]
    finally:
        down.close()


def test_harness_solves_a_trial_through_the_route_only(make_task, local_runtime, tmp_path):
    port = {}
    # the model's command: solve the task, and try the endpoint's host port directly (must fail)
    cmd = ("python3 -c \"print(sum(int(x) for x in open('/root/numbers.txt').read().split()))\" > /root/answer.txt; "
           "python3 -c \"import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 2)\" {port} "
           "&& echo reached > /root/direct.txt || echo blocked > /root/direct.txt")  # fmt: skip
    eng = Policy("")
    with Endpoint(eng) as ep:
        port["ep"] = ep.server.server_address[1]
        eng.command = cmd.format(port=port["ep"]) + "; cat /root/direct.txt"
        task, _ = load_task(make_task())
        agent = HarnessAgent("mini-harness", base_url=ep.url, port=_free_port())
        r = run_trial(task, agent, local_runtime, log_dir=tmp_path / "h")
    assert (r.status, r.reward) == ("ok", 1.0), (r.reason, (tmp_path / "h" / "agent.stderr").read_text())
    assert r.side_info["agent"]["proxy"]["requests"] == 2 and r.side_info["agent"]["proxy"]["completion_tokens"] == 16
    doc = json.loads((tmp_path / "h" / "trajectory.json").read_text())
    assert doc["schema_version"] == "ATIF-v1.4" and r.side_info["transcript"] == "trajectory.json"
    agent_steps = [s for s in doc["steps"] if s["source"] == "agent"]
    assert agent_steps[0]["tool_calls"][0]["function_name"] == "bash"
    assert "blocked" in agent_steps[0]["observation"]["results"][0]["content"]  # no way out but the proxy
    assert agent_steps[0]["metrics"]["completion_tokens"] == 11 and agent_steps[1]["message"] == "The sum is written."


def test_harness_bad_cases_are_trial_statuses(make_task, local_runtime, tmp_path):
    task, _ = load_task(make_task())
    # the endpoint does not answer
    r = run_trial(task, HarnessAgent("mini-harness", base_url=f"http://127.0.0.1:{_free_port()}/v1"), local_runtime,
                  log_dir=tmp_path / "a")  # fmt: skip
    assert r.failure_kind == "agent_exit" and "did not answer" in r.reason and r.reward == 0.0
    with Endpoint(Policy("true", keep_calling=True)) as ep:
        # the harness is not installed in the sandbox
        r = run_trial(task, HarnessAgent("opencode", base_url=ep.url, prefix=False), local_runtime, log_dir=tmp_path / "b")
        assert "not installed in the sandbox" in r.reason and r.status in ("ok", "verifier_error")
        # over the turn limit: the proxy refuses the third call, the harness stops and says why
        agent = HarnessAgent("mini-harness", base_url=ep.url, max_requests=2, port=_free_port())
        r = run_trial(task, agent, local_runtime, log_dir=tmp_path / "c")
        assert r.side_info["agent"]["proxy"]["refused"] == 1 and "HTTP 429" in r.reason, r.reason
    with pytest.raises(ValueError, match="unknown harness"):
        HarnessAgent("nonesuch", base_url="http://127.0.0.1:1/v1")


RETRIER = ("python3 -c \"import json,os,time,urllib.request,urllib.error\n"
           "body = json.dumps({'model': 'm', 'messages': [{'role': 'user', 'content': 'hi'}]}).encode()\n"
           "while True:\n"
           "    try:\n"
           "        urllib.request.urlopen(urllib.request.Request(os.environ['OPENAI_BASE_URL'] + '/chat/completions', body,"
           " {'Content-Type': 'application/json'}), timeout=5).read()\n"
           "    except urllib.error.HTTPError:\n"
           "        time.sleep(0.2)\"")  # fmt: skip


def test_a_harness_that_retries_past_the_turn_limit_times_out_saying_so(make_task, local_runtime, tmp_path, monkeypatch):
    """OpenCode retries the proxy's 429 until the trial's timeout: the timeout's reason names the limit."""
    from arena.agents import harness as H

    monkeypatch.setitem(H.HARNESSES, "retrier", H.Harness("retrier", RETRIER, "true", "-"))
    task, _ = load_task(make_task(agent_timeout=4))
    with Endpoint(Policy("true", keep_calling=True)) as ep:
        agent = HarnessAgent("retrier", base_url=ep.url, max_requests=1, port=_free_port(), prefix=False)
        r = run_trial(task, agent, local_runtime, log_dir=tmp_path / "t")
    assert (r.status, r.failure_kind) == ("timeout", "agent_timeout"), r
    assert "turn limit (1 model calls" in r.reason and "refused" in r.reason, r.reason


# in the sandbox: try each host:port (2 s each), print {"host:port": "reached" | "blocked"} as JSON
PROBE = ("python3 -c \"import json,socket,sys\n"
         "def go(a):\n"
         "    h, p = a.rsplit(':', 1)\n"
         "    try:\n"
         "        socket.create_connection((h, int(p)), 2).close(); return 'reached'\n"
         "    except OSError:\n"
         "        return 'blocked'\n"
         "print(json.dumps({a: go(a) for a in sys.argv[1:]}))\" ")  # fmt: skip


def _host_addresses() -> list[str]:
    import subprocess

    out = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    return [a for a in out if ":" not in a][:3]


@pytest.mark.docker
def test_harness_solves_a_docker_trial_through_the_fenced_route_only(make_task, docker_runtime, tmp_path):
    """The proxy on the trial network's gateway is the container's one door: a host service on
    0.0.0.0, the host's other addresses and the internet stay unreachable (allow_internet false)."""
    other = socket.socket()
    other.bind(("0.0.0.0", 0))  # "another service on the host", listening on every address
    other.listen(8)
    oport = other.getsockname()[1]
    targets = [f"{a}:{oport}" for a in _host_addresses()] + ["1.1.1.1:53", "8.8.8.8:443"]
    solve = "python3 -c \"print(sum(int(x) for x in open('/root/numbers.txt').read().split()))\" > /root/answer.txt"
    eng = Policy("")
    try:
        with Endpoint(eng) as ep:
            # the model's command: solve, then probe the gateway's other port and the rest
            eng.command = solve + "; gw=${OPENAI_BASE_URL#http://}; gw=${gw%%:*}; " + PROBE + f"$gw:{oport} " + " ".join(targets)
            task, _ = load_task(make_task())
            r = run_trial(task, HarnessAgent("mini-harness", base_url=ep.url), docker_runtime, log_dir=tmp_path / "d")
    finally:
        other.close()
    assert (r.status, r.reward) == ("ok", 1.0), (r.reason, (tmp_path / "d" / "agent.stderr").read_text()[-2000:])
    assert r.side_info["agent"]["proxy"]["requests"] == 2 and r.side_info["agent"]["proxy"]["completion_tokens"] == 16
    doc = json.loads((tmp_path / "d" / "trajectory.json").read_text())
    out = [s for s in doc["steps"] if s["source"] == "agent"][0]["observation"]["results"][0]["content"]
    probed = json.loads(out[out.index("{"):out.rindex("}") + 1])
    assert len(probed) == len(targets) + 1 and set(probed.values()) == {"blocked"}, probed
    # the route is gone with the harness command: no network left behind, the firewall back to its standing rules
    from arena.sandbox import route

    iface = r.side_info["agent"]["route"]
    assert iface.startswith(route.PREFIX) and iface not in [n.name for n in docker_runtime.client.networks.list()]
    chain = route._ipt("-S", route.CHAIN).stdout.splitlines()
    assert iface not in "\n".join(chain) and chain[-1] == f"-A {route.CHAIN} -j DROP", chain


@pytest.mark.docker
def test_model_route_opens_one_door_and_closes(make_task, docker_runtime, tmp_path):
    """The route by itself: while open, the allowed gateway port is reached and the gateway's other
    ports are not; once closed, the container has no network again."""
    from arena.sandbox.route import PREFIX

    task, _ = load_task(make_task())
    prepared = docker_runtime.prepare(task)
    box = docker_runtime.start(task, prepared, trial_dir=tmp_path)
    door, wall = socket.socket(), socket.socket()
    try:
        with box.model_route() as rt:
            for s in (door, wall):
                s.bind((rt.gateway, 0))
                s.listen(4)
            rt.allow(door.getsockname()[1])
            got = box.exec(PROBE + f"{rt.gateway}:{door.getsockname()[1]} {rt.gateway}:{wall.getsockname()[1]}", timeout=30)
            name = rt.iface
        assert list(json.loads(got.stdout).values()) == ["reached", "blocked"], got
        after = box.exec("cat /proc/net/dev", timeout=30).stdout
        assert "eth0" not in after and name.startswith(PREFIX)
        assert name not in [n.name for n in docker_runtime.client.networks.list()]
    finally:
        door.close()
        wall.close()
        box.close()


@pytest.mark.slow
def test_endpoint_serves_a_real_checkpoint(tiny_model):
    from arena.engines import TransformersEngine

    with Endpoint(TransformersEngine(str(tiny_model), device="cpu"), model_name="tiny") as ep:
        out = OpenAIEngine("tiny", base_url=ep.url, retries=0).chat([[{"role": "user", "content": "hello"}]], max_new_tokens=8)
    assert out[0].finish_reason in ("stop", "length") and ep.log[0]["completion_tokens"] > 0


class Submitter(Policy):
    """Solves with one bash call, then submits the way mini-swe-agent expects."""

    def chat(self, conversations, tools=None, **kw):
        self.calls.append({"messages": conversations[0]})
        done = any(m.get("role") == "tool" for m in conversations[0])
        cmd = "echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT" if done else self.command
        return [Completion("Next step.", [{"type": "function", "function": {"name": "bash", "arguments": {"command": cmd}}}], tokens=9)]


def _mini_swe_trial(task_dir, runtime, prefix, log_dir):
    task, _ = load_task(task_dir)
    eng = Submitter("python3 -c \"print(sum(int(x) for x in open('/root/numbers.txt').read().split()))\" > /root/answer.txt")
    with Endpoint(eng) as ep:
        agent = HarnessAgent("mini-swe", base_url=ep.url, port=_free_port(), prefix=prefix)
        r = run_trial(task, agent, runtime, log_dir=log_dir)
    assert (r.status, r.reward) == ("ok", 1.0), (r.reason, (log_dir / "agent.stdout").read_text()[-2000:])
    assert r.side_info["agent"]["proxy"]["requests"] == 2, r.side_info["agent"]["proxy"]
    doc = json.loads((log_dir / "trajectory.json").read_text())
    assert [s["tool_calls"][0]["arguments"]["command"] for s in doc["steps"] if s["source"] == "agent"][-1].startswith(
        "echo COMPLETE_TASK")  # fmt: skip


@pytest.mark.slow
def test_mini_swe_agent_completes_a_trial_through_the_route(make_task, local_runtime, mswe_prefix, tmp_path):
    """The real mini-swe-agent (PyPI), its host prefix mounted read-only into the sandbox, against
    arena's endpoint: it runs the policy's bash command, submits, and the verifier scores 1.0."""
    _mini_swe_trial(make_task(agent_timeout=240), local_runtime, mswe_prefix, tmp_path / "m")  # litellm imports slowly


@pytest.mark.slow
@pytest.mark.docker
def test_mini_swe_agent_completes_a_docker_trial(make_task, docker_runtime, mswe_prefix, tmp_path):
    """The same on docker: the prefix runs on the image's own python3, the route is the fenced network."""
    _mini_swe_trial(make_task(agent_timeout=240), docker_runtime, mswe_prefix, tmp_path / "d")


def test_a_prefix_harness_without_its_prefix_is_a_trial_status(make_task, local_runtime, tmp_path):
    """prefix=False and nothing in the image: the check fails and the trial says how to install it."""
    task, _ = load_task(make_task())
    with Endpoint(Policy("true")) as ep:
        r = run_trial(task, HarnessAgent("mini-swe", base_url=ep.url, port=_free_port(), prefix=False), local_runtime,
                      log_dir=tmp_path / "n")  # fmt: skip
    assert r.side_info["agent"]["harness_missing"] and "arena.agents.harness_prefix mini-swe" in r.reason, r.reason


@pytest.mark.slow
@pytest.mark.docker
@pytest.mark.parametrize("harness", ["mini-swe", "opencode"])
def test_a_prefix_harness_on_an_example_task_with_the_tiny_checkpoint(harness, docker_runtime, tiny_model, request, tmp_path,
                                                                       capsys):  # fmt: skip
    """`arena run` of a multi-turn example task with the real harness on docker over a real (tiny, random)
    checkpoint served by arena: the trial completes (its reward is what the model earns; this one earns
    0) with the harness's turn in the ATIF transcript, completion tokens counted."""
    from pathlib import Path

    from arena.cli.main import main

    request.getfixturevalue({"mini-swe": "mswe_prefix", "opencode": "opencode_prefix"}[harness])
    task = Path(__file__).resolve().parent.parent / "environments/examples/office-expense-clarify"
    main(["run", str(task), "--agent", f"harness:{harness}", "--model", str(tiny_model), "--max-new-tokens", "8",
          "--max-requests", "2", "--runtime", "docker", "--json", "--out", str(tmp_path / "run")])  # fmt: skip
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["status"] == "ok", rows
    doc = json.loads((Path(rows[0]["log_dir"]) / "trajectory.json").read_text())
    turns = [s for s in doc["steps"] if s["source"] == "agent" and s.get("extra", {}).get("agent") == harness]
    assert doc["schema_version"] == "ATIF-v1.4" and turns, doc["steps"]
    assert turns[0]["metrics"]["completion_tokens"] > 0, turns[0]


class Coder(Policy):
    """Drives OpenCode: one call of its `bash` tool with `command`, then a final answer."""

    def chat(self, conversations, tools=None, **kw):
        conv = conversations[0]
        self.calls.append({"messages": conv, "tools": tools})
        if not tools:  # OpenCode's title request (its small model, no tools)
            return [Completion("sum", tokens=1)]
        if any(m.get("role") == "tool" for m in conv):
            return [Completion("The sum is written.", tokens=5)]
        call = {"type": "function", "function": {"name": "bash", "arguments": {"command": self.command,
                                                                               "description": "write the sum"}}}
        return [Completion("", [call], tokens=11)]


@pytest.mark.slow
@pytest.mark.parametrize("where", ["local", pytest.param("docker", marks=pytest.mark.docker)])
def test_opencode_completes_a_trial_through_the_route(where, make_task, opencode_prefix, request, tmp_path):
    """The real OpenCode (npm opencode-ai, pinned 1.17.x), its host prefix mounted into the sandbox,
    against arena's endpoint (it asks for a stream; the proxy answers one): it runs the policy's bash
    call, the verifier scores 1.0, and the transcript holds that call."""
    runtime = request.getfixturevalue(f"{where}_runtime")
    task, _ = load_task(make_task(agent_timeout=240))
    eng = Coder("python3 -c \"print(sum(int(x) for x in open('/root/numbers.txt').read().split()))\" > /root/answer.txt")
    with Endpoint(eng) as ep:
        r = run_trial(task, HarnessAgent("opencode", base_url=ep.url, port=_free_port(), prefix=opencode_prefix), runtime,
                      log_dir=tmp_path / "o")  # fmt: skip
    out = (tmp_path / "o" / "agent.stdout").read_text()[-2000:] if (tmp_path / "o" / "agent.stdout").exists() else ""
    assert (r.status, r.reward) == ("ok", 1.0), (r.reason, out)
    doc = json.loads((tmp_path / "o" / "trajectory.json").read_text())
    cmds = [c["arguments"].get("command") for s in doc["steps"] if s["source"] == "agent" for c in s.get("tool_calls") or []]
    assert eng.command in cmds, cmds


class Clerk:
    """A fake model for the multi-turn dialogue task: asks, closes, then writes the code with bash."""

    name = "clerk"

    def chat(self, conversations, tools=None, **kw):
        conv = conversations[0]
        text = " ".join(str(m.get("content")) for m in conv)
        if conv[-1]["role"] == "tool":
            return [Completion("Filed.", tokens=2)]
        if "Write what the visitor told you" not in text:
            return [Completion("done" if "The code is" in text else "Which code?", tokens=3)]
        code = text.split("The code is ")[1].split(".")[0]
        return [Completion("", [{"type": "function", "function": {"name": "bash", "arguments": {"command": f"echo {code} > /root/answer.txt"}}}], tokens=6)]


def test_a_harness_plays_the_turns_of_a_multiturn_trial(make_task, local_runtime, tmp_path):
    from test_multiturn import SECRET, dialogue_task

    task, _ = load_task(dialogue_task(make_task))
    with Endpoint(Clerk()) as ep:
        r = run_trial(task, HarnessAgent("mini-harness", base_url=ep.url, port=_free_port()), local_runtime, log_dir=tmp_path / "t")
    assert (r.status, r.reward) == ("ok", 1.0), r.reason
    doc = json.loads((tmp_path / "t" / "trajectory.json").read_text())
    agent = [s for s in doc["steps"] if s["source"] == "agent"]
    assert [s["message"].strip() for s in agent[:2]] == ["Which code?", "done"]  # the harness's answers are its messages
    write = agent[-1]
    assert write["tool_calls"][0]["function_name"] == "bash" and SECRET in write["tool_calls"][0]["arguments"]["command"]
    assert write["metrics"]["completion_tokens"] == 8


def test_run_model_in_harness_mode_serves_the_engine(make_task, local_runtime, tmp_path):
    from arena.agents.model import GenOptions, run_model

    task, _ = load_task(make_task())
    eng = Policy("python3 -c \"print(sum(int(x) for x in open('/root/numbers.txt').read().split()))\" > /root/answer.txt")
    res = run_model(eng, [task], local_runtime, mode="harness:mini-harness", samples=2, workers=1, progress=False,
                    options=GenOptions(max_new_tokens=48), agent_name="fake")  # fmt: skip
    assert [(r.status, r.reward) for r in res] == [("ok", 1.0), ("ok", 1.0)]
    assert all(c["max_new_tokens"] == 48 for c in eng.calls)  # the proxy's cap is the run's max_new_tokens


def test_arena_run_with_a_harness_agent(make_task, tmp_path, capsys):
    """`arena run TASK --agent harness:NAME` against an endpoint (here arena's own, as --base-url)."""
    from arena.cli.main import main

    task = make_task()
    eng = Policy("python3 -c \"print(sum(int(x) for x in open('/root/numbers.txt').read().split()))\" > /root/answer.txt")
    with Endpoint(eng) as ep:
        code = main(["run", str(task), "--agent", "harness:mini-harness", "--engine", "openai", "--base-url", ep.url,
                     "--model", "arena", "--max-new-tokens", "40", "--runtime", "local", "--json"])  # fmt: skip
    rows = json.loads(capsys.readouterr().out)
    assert code == 0 and [(r["status"], r["reward"], r["agent"]) for r in rows] == [("ok", 1.0, "mini-harness")]
    assert all(c["max_new_tokens"] == 40 for c in eng.calls) and len(eng.calls) == 2  # the proxy's cap is --max-new-tokens
    # usage errors: no model; --base-url without --engine openai; an unknown harness (argparse exits 2)
    assert main(["run", str(task), "--agent", "harness:mini-harness", "--runtime", "local"]) == 2
    assert "needs --model" in capsys.readouterr().err
    assert main(["run", str(task), "--agent", "harness:mini-harness", "--model", "m", "--base-url", "http://x/v1",
                 "--runtime", "local"]) == 2  # fmt: skip
    with pytest.raises(SystemExit) as e:
        main(["run", str(task), "--agent", "harness:nonesuch"])
    assert e.value.code == 2 and "unknown harness" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.docker
def test_arena_run_harness_on_docker_with_the_tiny_engine(make_task, docker_runtime, tiny_model, tmp_path, capsys):
    """A real checkpoint (tiny, random) served by arena, driven by mini-harness in a docker trial:
    the trial completes (its reward is whatever the model earns) and its transcript is written."""
    from pathlib import Path

    from arena.cli.main import main

    task = make_task(agent_timeout=120)
    code = main(["run", str(task), "--agent", "harness:mini-harness", "--model", str(tiny_model), "--max-new-tokens", "16",
                 "--max-requests", "3", "--runtime", "docker", "--json", "--out", str(tmp_path / "run")])  # fmt: skip
    rows = json.loads(capsys.readouterr().out)
    assert code == 0 and rows[0]["status"] == "ok", rows
    side = rows[0]["side_info"]
    proxy = (json.loads(side) if isinstance(side, str) else side)["agent"]["proxy"]
    assert proxy["requests"] >= 1 and proxy["completion_tokens"] > 0 and proxy["upstream_errors"] == 0, proxy
    doc = json.loads((Path(rows[0]["log_dir"]) / "trajectory.json").read_text())
    assert doc["schema_version"] == "ATIF-v1.4" and any(s["source"] == "agent" for s in doc["steps"])


@pytest.mark.docker
def test_a_harness_plays_a_multiturn_trial_on_docker(make_task, docker_runtime, tmp_path):
    """Every turn opens and closes its own route; the dialogue and the write go through it."""
    from test_multiturn import SECRET, dialogue_task

    task, _ = load_task(dialogue_task(make_task))
    with Endpoint(Clerk()) as ep:
        r = run_trial(task, HarnessAgent("mini-harness", base_url=ep.url), docker_runtime, log_dir=tmp_path / "t")
    assert (r.status, r.reward) == ("ok", 1.0), (r.reason, (tmp_path / "t" / "agent.stderr").read_text()[-2000:])
    doc = json.loads((tmp_path / "t" / "trajectory.json").read_text())
    agent = [s for s in doc["steps"] if s["source"] == "agent"]
    assert [s["message"].strip() for s in agent[:2]] == ["Which code?", "done"]
    assert SECRET in agent[-1]["tool_calls"][0]["arguments"]["command"]


@pytest.mark.docker
def test_an_internet_task_keeps_its_bridge_and_gains_the_route(make_task, docker_runtime, tmp_path):
    task, _ = load_task(make_task(allow_internet="true"))
    eng = Policy("python3 -c \"print(sum(int(x) for x in open('/root/numbers.txt').read().split()))\" > /root/answer.txt")
    with Endpoint(eng) as ep:
        r = run_trial(task, HarnessAgent("mini-harness", base_url=ep.url), docker_runtime, log_dir=tmp_path / "i")
    assert (r.status, r.reward) == ("ok", 1.0), (r.reason, (tmp_path / "i" / "agent.stderr").read_text()[-2000:])
    assert r.side_info["agent"]["proxy"]["requests"] == 2


@pytest.mark.docker
def test_janitor_removes_a_dead_runs_route(docker_runtime):
    import subprocess

    from arena.sandbox import route
    from arena.sandbox.janitor import sweep

    dead = subprocess.Popen(["true"])
    dead.wait()
    name = route.PREFIX + "dead00"
    client = docker_runtime.client
    net = client.networks.create(name, driver="bridge", internal=True, labels={"arena.route": "1", "arena.pid": str(dead.pid)},
                                 options={"com.docker.network.bridge.name": name})  # fmt: skip
    try:
        route._fence()
        door = ["-i", name, "-d", "10.255.255.1", "-p", "tcp", "--dport", "9", "-j", "ACCEPT"]
        route._ensure(route.CHAIN, door)
        s = sweep(docker=True)
        assert name in s.networks
        assert name not in [n.name for n in client.networks.list()]
        assert name not in route._ipt("-S", route.CHAIN).stdout
    finally:
        try:
            net.remove()
        except Exception:  # noqa: BLE001 - removed by the sweep
            pass
