"""Generation engines behind one interface: a checkpoint (transformers, vLLM) or an endpoint.

    engine = get_engine("transformers", model="runs/t/checkpoint")      # CPU or GPU, batched
    engine = get_engine("vllm", model="runs/t/checkpoint")              # GPU
    engine = get_engine("openai", model="teacher", base_url="http://127.0.0.1:8000/v1")
    outs = engine.chat([[{"role": "user", "content": "2+2?"}]], max_new_tokens=16)
    outs[0].text, outs[0].tool_calls

``chat`` takes a batch of conversations (lists of ``{"role", "content", ...}`` messages, tool
calls and tool results included) and returns one ``Completion`` per conversation and sample:
the assistant text and the tool calls parsed from it.  Heavy libraries are imported on first use.
"""

from __future__ import annotations

import json
import os
import re
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from arena.registry import ENGINES, RegistryError

#: the one tool a tool-mode agent gets: a bash command in the task's sandbox
BASH_TOOL = {
    "type": "function",
    "function": {
        "name": "bash",
        "description": "Run a bash command in the task environment and return its exit code, stdout and stderr.",
        "parameters": {
            "type": "object",
            "properties": {"command": {"type": "string", "description": "the bash command to run"}},
            "required": ["command"],
        },
    },
}

_TOOL_CALL_RE = re.compile(r"<tool_call>\s*(.*?)\s*</tool_call>", re.DOTALL)


class EngineError(RuntimeError):
    """The engine could not be created or could not answer (the message says why)."""


@dataclass
class Completion:
    text: str  # the assistant's visible text (tool-call markup removed)
    tool_calls: list[dict] = field(default_factory=list)  # [{"type": "function", "function": {name, arguments}}]
    raw: str = ""  # the decoded generation, markup included
    finish_reason: str | None = None
    tokens: int = 0

    def message(self) -> dict:
        msg: dict = {"role": "assistant", "content": self.text}
        if self.tool_calls:
            msg["tool_calls"] = self.tool_calls
        return msg


def parse_tool_calls(raw: str) -> tuple[str, list[dict]]:
    """Split Qwen-style ``<tool_call>{json}</tool_call>`` blocks out of a generation."""
    calls = []
    for m in _TOOL_CALL_RE.finditer(raw):
        try:
            doc = json.loads(m.group(1))
        except ValueError:
            continue
        if isinstance(doc, dict) and isinstance(doc.get("name"), str):
            args = doc.get("arguments", {})
            if isinstance(args, str):
                try:
                    args = json.loads(args)
                except ValueError:
                    args = {"command": args}
            calls.append({"type": "function", "function": {"name": doc["name"], "arguments": args}})
    text = _TOOL_CALL_RE.sub("", raw).strip() if calls else raw
    return text, calls


class Engine(ABC):
    name = "?"

    @abstractmethod
    def chat(
        self,
        conversations: list[list[dict]],
        *,
        tools: list[dict] | None = None,
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        n: int = 1,
        seed: int | None = None,
    ) -> list[Completion]:
        """One Completion per (conversation, sample), conversation-major: out[i * n + j]."""

    def describe(self) -> dict:
        return {"engine": self.name}

    def close(self) -> None:  # noqa: B027 - optional hook
        pass


class TransformersEngine(Engine):
    """A local checkpoint through ``transformers``: left-padded batched ``generate`` (CPU or GPU)."""

    name = "transformers"

    def __init__(self, model: str, *, device: str = "auto", dtype: str = "auto", batch_size: int = 32, threads: int = 0):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if threads:
            torch.set_num_threads(threads)
        torch_dtype = {"auto": "auto", "float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[dtype]
        if torch_dtype == "auto":
            torch_dtype = torch.float32 if device == "cpu" else torch.bfloat16
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model)
            self.model = AutoModelForCausalLM.from_pretrained(model, dtype=torch_dtype).to(device)
        except (OSError, ValueError) as exc:
            raise EngineError(f"cannot load checkpoint {model!r}: {exc}") from None
        self.model.eval()
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.path, self.device, self.batch_size = model, device, batch_size
        self._lock = threading.Lock()  # generate is not re-entrant across threads

    def describe(self) -> dict:
        return {"engine": self.name, "model": self.path, "device": self.device}

    def chat(self, conversations, *, tools=None, max_new_tokens=64, temperature=0.0, n=1, seed=None):
        import torch

        tok = self.tokenizer
        texts = [
            tok.apply_chat_template(c, tools=tools, tokenize=False, add_generation_prompt=True) for c in conversations
        ]
        expanded = [t for t in texts for _ in range(n)]
        eos = [tok.eos_token_id] + ([tok.pad_token_id] if tok.pad_token_id not in (None, tok.eos_token_id) else [])
        out: list[Completion] = []
        with self._lock:
            if seed is not None:
                torch.manual_seed(seed)
            was_training = self.model.training
            self.model.eval()
            try:
                for i in range(0, len(expanded), self.batch_size):
                    chunk = expanded[i : i + self.batch_size]
                    enc = tok(chunk, return_tensors="pt", padding=True, add_special_tokens=False).to(self.model.device)
                    kw = dict(max_new_tokens=max_new_tokens, eos_token_id=eos, pad_token_id=tok.pad_token_id)
                    if temperature and temperature > 0:
                        kw.update(do_sample=True, temperature=temperature, top_k=0, top_p=1.0)
                    else:
                        kw.update(do_sample=False, temperature=None, top_p=None, top_k=None)
                    with torch.no_grad():
                        gen = self.model.generate(**enc, **kw)
                    new = gen[:, enc["input_ids"].shape[1] :]
                    for row in new:
                        ids = row.tolist()
                        ended = any(t in eos for t in ids)
                        n_tok = next((k + 1 for k, t in enumerate(ids) if t in eos), len(ids))
                        raw = tok.decode(ids[:n_tok], skip_special_tokens=True)
                        text, calls = parse_tool_calls(raw) if tools else (raw, [])
                        out.append(Completion(text.strip() if calls else raw, calls, raw,
                                              "stop" if ended else "length", n_tok))  # fmt: skip
            finally:
                if was_training:
                    self.model.train()
        return out


class VLLMEngine(Engine):
    """A checkpoint through vLLM's offline ``LLM.chat`` (GPU; a CPU build of vLLM also works)."""

    name = "vllm"

    def __init__(self, model: str, *, dtype: str = "auto", gpu_memory_utilization: float = 0.5, max_model_len: int = 4096,
                 tensor_parallel_size: int = 1):  # fmt: skip
        try:
            from vllm import LLM
        except ImportError as exc:
            raise EngineError(f"the vllm engine needs vLLM (pip install 'arena[gpu]'): {exc}") from None
        self.llm = LLM(model=model, dtype=dtype, gpu_memory_utilization=gpu_memory_utilization,
                       max_model_len=max_model_len, tensor_parallel_size=tensor_parallel_size)  # fmt: skip
        self.path = model

    def describe(self) -> dict:
        return {"engine": self.name, "model": self.path}

    def chat(self, conversations, *, tools=None, max_new_tokens=64, temperature=0.0, n=1, seed=None):
        from vllm import SamplingParams

        sp = SamplingParams(n=n, temperature=temperature, max_tokens=max_new_tokens, seed=seed)
        results = self.llm.chat(conversations, sp, tools=tools, use_tqdm=False)
        out = []
        for r in results:
            for o in r.outputs:
                text, calls = parse_tool_calls(o.text) if tools else (o.text, [])
                out.append(Completion(text, calls, o.text, o.finish_reason, len(o.token_ids)))
        return out


class OpenAIEngine(Engine):
    """Any OpenAI-compatible ``/chat/completions`` endpoint (vLLM server, a teacher API, a fake)."""

    name = "openai"

    def __init__(self, model: str, *, base_url: str, api_key: str | None = None, api_key_env: str | None = None,
                 timeout: float = 120.0, workers: int = 8, retries: int = 2):  # fmt: skip
        self.model, self.base_url = model, base_url.rstrip("/")
        self.api_key = api_key or (os.environ.get(api_key_env) if api_key_env else None)
        if api_key_env and not self.api_key:
            raise EngineError(f"environment variable {api_key_env} (the endpoint's API key) is not set")
        self.timeout, self.workers, self.retries = timeout, workers, retries

    def describe(self) -> dict:
        return {"engine": self.name, "model": self.model, "base_url": self.base_url}

    def _post(self, body: dict) -> dict:
        import time
        import urllib.error
        import urllib.request

        req = urllib.request.Request(
            f"{self.base_url}/chat/completions", data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json",
                     **({"Authorization": f"Bearer {self.api_key}"} if self.api_key else {})},
        )  # fmt: skip
        last = None
        for attempt in range(self.retries + 1):
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    return json.loads(resp.read().decode())
            except urllib.error.HTTPError as exc:
                detail = exc.read().decode(errors="replace")[:300]
                last = EngineError(f"{self.base_url} answered HTTP {exc.code}: {detail}")
                if exc.code < 500 and exc.code != 429:
                    raise last from None
            except (urllib.error.URLError, TimeoutError, ValueError, OSError) as exc:
                last = EngineError(f"{self.base_url} did not answer: {exc}")
            time.sleep(min(2.0, 0.2 * (2**attempt)))
        raise last  # type: ignore[misc]

    def _one(self, conv: list[dict], tools, max_new_tokens, temperature, n, seed) -> list[Completion]:
        msgs = []
        for m in conv:
            m = dict(m)
            if m.get("tool_calls"):
                m["tool_calls"] = [
                    {"id": c.get("id", f"call_{i}"), "type": "function",
                     "function": {"name": c["function"]["name"], "arguments": json.dumps(c["function"]["arguments"])
                                  if not isinstance(c["function"]["arguments"], str) else c["function"]["arguments"]}}
                    for i, c in enumerate(m["tool_calls"])
                ]  # fmt: skip
            msgs.append(m)
        body = {"model": self.model, "messages": msgs, "max_tokens": max_new_tokens, "temperature": temperature, "n": n}
        if seed is not None:
            body["seed"] = seed
        if tools:
            body["tools"] = tools
        doc = self._post(body)
        out = []
        for ch in doc.get("choices", [])[:n]:
            msg = ch.get("message") or {}
            calls = []
            for c in msg.get("tool_calls") or []:
                fn = c.get("function", {})
                args = fn.get("arguments", "{}")
                try:
                    args = json.loads(args) if isinstance(args, str) else args
                except ValueError:
                    args = {"command": args}
                calls.append({"type": "function", "function": {"name": fn.get("name", ""), "arguments": args}})
            text = msg.get("content") or ""
            if not calls and tools:
                text, calls = parse_tool_calls(text)
            out.append(Completion(text, calls, msg.get("content") or "", ch.get("finish_reason")))
        while len(out) < n:
            out.append(Completion("", [], "", "error"))
        return out

    def chat(self, conversations, *, tools=None, max_new_tokens=64, temperature=0.0, n=1, seed=None):
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max(1, min(self.workers, len(conversations)))) as pool:
            parts = list(pool.map(lambda c: self._one(c, tools, max_new_tokens, temperature, n, seed), conversations))
        return [c for part in parts for c in part]


def get_engine(name: str, **options) -> Engine:
    try:
        cls = ENGINES.load(name)
    except RegistryError as exc:
        raise EngineError(str(exc)) from None
    return cls(**options)
