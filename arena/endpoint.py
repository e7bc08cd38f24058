"""Arena's own OpenAI-compatible endpoint, and the recording proxy an agent harness talks through.

``Endpoint(engine)`` serves ``POST /v1/chat/completions`` and ``GET /v1/models`` on 127.0.0.1 over any
``arena.engines.Engine`` (e.g. a checkpoint through the transformers engine), so a harness that
speaks the OpenAI API can drive arena's own models on CPU.  On a GPU, ``vllm serve`` or ``trl
vllm-serve`` play the same part.

``RecordingProxy(upstream, address)`` listens on a Unix socket (the local runtime's route: the
socket's folder is mounted into the sandbox, where a relay offers it on the sandbox's own loopback)
or on a TCP ``(host, port)`` (the docker runtime's route: the gateway of a network of the trial's
own, fenced by ``arena.sandbox.route``) and forwards chat requests to the upstream endpoint, like the organizers' proxy: each
request's ``max_tokens`` is capped (``max_tokens_cap``), requests beyond ``max_requests`` are refused
with HTTP 429, and every exchange is recorded (messages in, message out, exact token usage as the
endpoint reports it, duration, status).  Only ``/v1/chat/completions`` and ``/v1/models`` pass.
"""

from __future__ import annotations

import json
import os
import socketserver
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer

BODY_LIMIT = 8 << 20


def _send(handler: BaseHTTPRequestHandler, code: int, doc: dict) -> None:
    data = json.dumps(doc).encode()
    handler.send_response(code)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def _sse(doc: dict) -> bytes:
    """A whole chat completion as an OpenAI stream (``stream: true`` clients, e.g. OpenCode): one chunk
    with each choice's message, one with its finish reason and the usage, then ``[DONE]``."""
    head = {k: doc.get(k) for k in ("id", "created", "model")} | {"object": "chat.completion.chunk"}
    chunks = []
    for c in doc.get("choices") or []:
        m = c.get("message") or {}
        delta = {"role": "assistant", "content": m.get("content") or ""}
        if m.get("tool_calls"):
            delta["tool_calls"] = [{"index": i, **t} for i, t in enumerate(m["tool_calls"])]
        chunks.append({**head, "choices": [{"index": c.get("index", 0), "delta": delta, "finish_reason": None}]})
        chunks.append({**head, "choices": [{"index": c.get("index", 0), "delta": {}, "finish_reason": c.get("finish_reason")}]})
    if chunks:
        chunks[-1]["usage"] = doc.get("usage")
    return b"".join(b"data: " + json.dumps(x).encode() + b"\n\n" for x in chunks) + b"data: [DONE]\n\n"


def _err(handler, code: int, message: str, kind: str = "invalid_request_error") -> None:
    _send(handler, code, {"error": {"message": message, "type": kind}})


def _body(handler) -> dict | None:
    try:
        n = int(handler.headers.get("Content-Length") or 0)
    except ValueError:
        n = -1
    if n < 0 or n > BODY_LIMIT:
        _err(handler, 413 if n > 0 else 400, f"request body must be 0..{BODY_LIMIT} bytes")
        return None
    try:
        doc = json.loads(handler.rfile.read(n) or b"{}")
    except ValueError as exc:
        _err(handler, 400, f"request body is not JSON: {exc}")
        return None
    if not isinstance(doc, dict):
        _err(handler, 400, "request body must be a JSON object")
        return None
    return doc


def _inbound(messages: list) -> list[dict]:
    """OpenAI messages -> engine messages (tool-call arguments as dicts, as chat templates want)."""
    out = []
    for m in messages:
        if not isinstance(m, dict) or not isinstance(m.get("role"), str):
            raise ValueError("every message needs a string `role`")
        m = dict(m)
        if isinstance(m.get("content"), list):  # content parts: keep the text ones
            m["content"] = "".join(p.get("text", "") for p in m["content"] if isinstance(p, dict))
        calls = []
        for c in m.get("tool_calls") or []:
            fn = (c or {}).get("function") or {}
            args = fn.get("arguments", {})
            try:
                args = json.loads(args) if isinstance(args, str) else args
            except ValueError:
                args = {"raw": args}
            calls.append({"type": "function", "function": {"name": fn.get("name", ""), "arguments": args}})
        if calls:
            m["tool_calls"] = calls
        out.append(m)
    return out


class Endpoint:
    """An OpenAI-compatible server on 127.0.0.1 over an arena engine.  Use as a context manager."""

    def __init__(self, engine, *, model_name: str = "arena", host: str = "127.0.0.1", port: int = 0):
        self.engine, self.model_name = engine, model_name
        self.log: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def do_GET(self):
                if self.path.rstrip("/") in ("/v1/models", "/models"):
                    return _send(self, 200, {"object": "list", "data": [{"id": outer.model_name, "object": "model"}]})
                _err(self, 404, f"no route {self.path}", "not_found")

            def do_POST(self):
                doc = _body(self)
                if doc is None:
                    return None
                if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
                    return _err(self, 404, f"no route {self.path}", "not_found")
                outer._complete(self, doc)

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="arena-endpoint")
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def _complete(self, handler, doc: dict) -> None:
        msgs = doc.get("messages")
        if not isinstance(msgs, list) or not msgs:
            return _err(handler, 400, "`messages` must be a non-empty list")
        try:
            conv = _inbound(msgs)
            max_tokens = int(doc.get("max_tokens") or doc.get("max_completion_tokens") or 256)
            n = int(doc.get("n") or 1)
            temperature = float(doc.get("temperature") or 0.0)
        except (TypeError, ValueError) as exc:
            return _err(handler, 400, str(exc))
        tools = doc.get("tools") if isinstance(doc.get("tools"), list) else None
        t0 = time.perf_counter()
        try:
            outs = self.engine.chat([conv], tools=tools, max_new_tokens=max(1, max_tokens), temperature=temperature,
                                    n=max(1, n), seed=doc.get("seed"))  # fmt: skip
        except Exception as exc:  # the engine's failure is the client's 500, never the server's crash
            return _err(handler, 500, f"{type(exc).__name__}: {exc}", "server_error")
        choices = []
        for i, c in enumerate(outs):
            msg: dict = {"role": "assistant", "content": c.text}
            if c.tool_calls:
                msg["tool_calls"] = [{"id": f"call_{i}_{k}", "type": "function",
                                      "function": {"name": tc["function"]["name"],
                                                   "arguments": json.dumps(tc["function"]["arguments"])}}
                                     for k, tc in enumerate(c.tool_calls)]  # fmt: skip
            choices.append({"index": i, "message": msg, "finish_reason": "tool_calls" if c.tool_calls else (c.finish_reason or "stop")})
        completion = sum(c.tokens or 0 for c in outs)
        dur = time.perf_counter() - t0
        self.log.append({"messages": len(conv), "max_tokens": max_tokens, "completion_tokens": completion, "duration_sec": dur})
        _send(handler, 200, {"id": f"chatcmpl-{len(self.log)}", "object": "chat.completion", "created": int(time.time()),
                             "model": self.model_name, "choices": choices,
                             "usage": {"completion_tokens": completion, "total_tokens": completion}})  # fmt: skip

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Endpoint:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _UnixHTTPServer(socketserver.ThreadingMixIn, HTTPServer):
    address_family = __import__("socket").AF_UNIX
    daemon_threads = True

    def server_bind(self):  # HTTPServer's bind wants a (host, port)
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "arena-proxy", 0


class RecordingProxy:
    """Forwards a sandbox's chat requests to ``upstream`` (capped, counted, recorded)."""

    def __init__(self, upstream: str, socket_path: str | tuple[str, int], *, max_tokens_cap: int | None = None,
                 max_requests: int | None = None, timeout: float = 120.0):  # fmt: skip
        self.upstream, self.cap, self.max_requests, self.timeout = upstream.rstrip("/"), max_tokens_cap, max_requests, timeout
        self.records: list[dict] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def address_string(self):
                return "sandbox"

            def do_GET(self):
                if self.path.rstrip("/") not in ("/v1/models", "/models"):
                    return _err(self, 403, f"the proxy passes only the chat API, not {self.path}", "forbidden")
                outer._forward(self, None)

            def do_POST(self):
                doc = _body(self)  # read first: refusing before the body is read breaks the client's pipe
                if doc is None:
                    return None
                if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
                    return _err(self, 403, f"the proxy passes only the chat API, not {self.path}", "forbidden")
                outer._forward(self, doc)

        if isinstance(socket_path, tuple):  # TCP (host, port); port 0 picks a free one
            Handler.disable_nagle_algorithm = True  # headers and body go out as separate writes
            self.server = ThreadingHTTPServer(socket_path, Handler)
            self.server.daemon_threads = True
            self.socket_path = None
        else:
            if os.path.exists(socket_path):
                os.unlink(socket_path)
            self.server = _UnixHTTPServer(socket_path, Handler)
            os.chmod(socket_path, 0o777)  # the sandbox's user may differ from ours
            self.socket_path = socket_path
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="arena-proxy")
        self._thread.start()

    def _forward(self, handler, doc: dict | None) -> None:
        rec: dict = {"t": time.time(), "status": None}
        with self._lock:
            n_chat = sum(1 for r in self.records if r.get("kind") == "chat")
            if doc is not None and self.max_requests is not None and n_chat >= self.max_requests:
                rec.update(kind="chat", status=429, error=f"turn limit: {self.max_requests} requests")
                self.records.append(rec)
                return _err(handler, 429, f"this trial's turn limit ({self.max_requests} model calls) is reached", "rate_limit")
            rec["kind"] = "chat" if doc is not None else "models"
            self.records.append(rec)
        if doc is not None:
            asked = doc.get("max_tokens") or doc.get("max_completion_tokens")
            if self.cap is not None and (not isinstance(asked, int) or asked > self.cap):
                doc = {**doc, "max_tokens": self.cap}
                doc.pop("max_completion_tokens", None)
                rec["capped_from"] = asked
            rec["request"] = doc
            if doc.get("stream"):  # the upstream answers whole; the client gets it as a stream
                rec["streamed"] = True
                doc = {k: v for k, v in doc.items() if k not in ("stream", "stream_options")}
        url = self.upstream + ("/chat/completions" if doc is not None else "/models")
        req = urllib.request.Request(url, data=None if doc is None else json.dumps(doc).encode(),
                                     method="GET" if doc is None else "POST",
                                     headers={"Content-Type": "application/json"})  # fmt: skip
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                code, body = resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            code, body = exc.code, exc.read()
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            rec.update(status=502, error=f"upstream {self.upstream} did not answer: {exc}",
                       duration_sec=time.perf_counter() - t0)  # fmt: skip
            return _err(handler, 502, rec["error"], "upstream_error")
        rec.update(status=code, duration_sec=time.perf_counter() - t0)
        try:
            resp_doc = json.loads(body)
            rec["response"] = resp_doc
            rec["usage"] = resp_doc.get("usage") if isinstance(resp_doc, dict) else None
        except ValueError:
            rec["error"] = "upstream answered non-JSON"
        stream = rec.get("streamed") and code == 200 and isinstance(rec.get("response"), dict)
        if stream:
            body = _sse(rec["response"])
        handler.send_response(code)
        handler.send_header("Content-Type", "text/event-stream" if stream else "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def summary(self) -> dict:
        chats = [r for r in self.records if r.get("kind") == "chat"]
        usage = [r.get("usage") or {} for r in chats]
        return {"requests": len(chats), "refused": sum(r["status"] == 429 for r in chats),
                "upstream_errors": sum(r["status"] == 502 for r in chats), "capped": sum("capped_from" in r for r in chats),
                "completion_tokens": sum(int(u.get("completion_tokens") or 0) for u in usage),
                "prompt_tokens": sum(int(u.get("prompt_tokens") or 0) for u in usage),
                "seconds": round(sum(r.get("duration_sec") or 0 for r in chats), 4)}  # fmt: skip

    @property
    def port(self) -> int | None:
        """The TCP port it listens on (None on a Unix socket)."""
        return None if self.socket_path else self.server.server_address[1]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self.socket_path:
            try:
                os.unlink(self.socket_path)
            except OSError:
                pass
