"""A minimal agent harness (stdlib only) run inside the sandbox: it talks to an OpenAI-compatible
endpoint ($OPENAI_BASE_URL, model $ARENA_MODEL), offers one `bash` tool, runs each call, feeds
the result back, and stops on an answer without a tool call or after $ARENA_MAX_STEPS steps.

    python3 mini_harness.py PROMPT_FILE
"""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

TOOL = {"type": "function", "function": {"name": "bash", "description": "Run a bash command.",
        "parameters": {"type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]}}}


def chat(messages):
    body = {"model": os.environ.get("ARENA_MODEL", "arena"), "messages": messages, "tools": [TOOL],
            "max_tokens": int(os.environ.get("ARENA_MAX_TOKENS", "256")), "temperature": 0}
    req = urllib.request.Request(os.environ["OPENAI_BASE_URL"].rstrip("/") + "/chat/completions",
                                 data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=float(os.environ.get("ARENA_REQUEST_TIMEOUT", "120"))) as resp:
        return json.loads(resp.read())["choices"][0]["message"]


def main():
    messages = [{"role": "user", "content": open(sys.argv[1]).read()}]
    for _ in range(int(os.environ.get("ARENA_MAX_STEPS", "8"))):
        try:
            msg = chat(messages)
        except urllib.error.HTTPError as exc:
            print(f"harness: the endpoint refused: HTTP {exc.code} {exc.read().decode(errors='replace')[:300]}", file=sys.stderr)
            return 3
        except (urllib.error.URLError, OSError) as exc:
            print(f"harness: the model endpoint did not answer: {exc}", file=sys.stderr)
            return 3
        messages.append({"role": "assistant", "content": msg.get("content") or "", "tool_calls": msg.get("tool_calls") or []})
        if not msg.get("tool_calls"):
            print(msg.get("content") or "")
            return 0
        for call in msg["tool_calls"]:
            try:
                cmd = json.loads(call["function"]["arguments"]).get("command", "")
            except (ValueError, KeyError, AttributeError):
                cmd = ""
            r = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=60)
            out = f"exit={r.returncode}\nstdout:\n{r.stdout[-2000:]}\nstderr:\n{r.stderr[-2000:]}"
            messages.append({"role": "tool", "tool_call_id": call.get("id", ""), "content": out})
    print("harness: step limit reached", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
