"""The tiny CPU model: deterministic, loadable without a hub, a chat template TRL accepts."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("transformers")
pytest.importorskip("trl")


@pytest.fixture(scope="module")
def tiny_dirs(tmp_path_factory):
    from arena.train.tiny import make_tiny_model

    base = tmp_path_factory.mktemp("tiny")
    a = make_tiny_model(base / "a", seed=0)
    b = make_tiny_model(base / "b", seed=0)
    c = make_tiny_model(base / "c", seed=1)
    return a, b, c


def test_same_seed_same_bytes_other_seed_other_weights(tiny_dirs):
    a, b, c = tiny_dirs
    assert a["digest"] == b["digest"]
    assert a["digest"] != c["digest"]
    from pathlib import Path

    for name in ("tokenizer.json", "tokenizer_config.json", "model.safetensors", "config.json"):
        assert (Path(a["path"]) / name).read_bytes() == (Path(b["path"]) / name).read_bytes(), name
    # the tokenizer does not depend on the weight seed
    assert (Path(a["path"]) / "tokenizer.json").read_bytes() == (Path(c["path"]) / "tokenizer.json").read_bytes()
    assert (Path(a["path"]) / "model.safetensors").read_bytes() != (Path(c["path"]) / "model.safetensors").read_bytes()


def test_size_and_vocab(tiny_dirs):
    a = tiny_dirs[0]
    assert 100_000 < a["parameters"] < 250_000
    assert a["vocab_size"] == 768
    meta = json.loads((__import__("pathlib").Path(a["path"]) / "arena_model.json").read_text())
    assert meta["parameters"] == a["parameters"]


def test_loads_back_and_generates(tiny_dirs):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = tiny_dirs[0]["path"]
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path)
    assert type(model).__name__ == "Qwen3ForCausalLM"
    assert tok.eos_token == "<|im_end|>" and tok.pad_token == "<|endoftext|>"
    # digits are single tokens: numbers are spelled digit by digit
    toks = tok.tokenize("total 12345")
    assert [t for t in toks if t.isdigit()] == list("12345")
    text = tok.apply_chat_template([{"role": "user", "content": "2+2?"}], tokenize=False, add_generation_prompt=True)
    assert text == "<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n"
    enc = tok(text, return_tensors="pt", add_special_tokens=False)
    with torch.no_grad():
        out = model.generate(**enc, max_new_tokens=5, do_sample=False)
    assert out.shape[1] <= enc["input_ids"].shape[1] + 5


def test_chat_template_assistant_mask_and_tools(tiny_dirs):
    from transformers import AutoTokenizer
    from trl.chat_template_utils import (
        is_chat_template_prefix_preserving,
        is_chat_template_stop_token_trained,
        supports_tool_calling,
    )

    tok = AutoTokenizer.from_pretrained(tiny_dirs[0]["path"])
    msgs = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "42"}]
    enc = tok.apply_chat_template(msgs, tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
    masked = [t for t, m in zip(enc["input_ids"], enc["assistant_masks"]) if m]
    assert tok.decode(masked) == "42<|im_end|>\n"
    assert supports_tool_calling(tok)
    assert is_chat_template_prefix_preserving(tok)
    assert is_chat_template_stop_token_trained(tok)
    parsed = tok.parse_response(
        '<tool_call>\n{"name": "bash", "arguments": {"command": "ls"}}\n</tool_call><|im_end|>', prefix=""
    )
    assert parsed["tool_calls"][0]["function"] == {"name": "bash", "arguments": {"command": "ls"}}


def test_cli_refuses_non_empty_out(tmp_path, capsys):
    from arena.cli.main import main

    (tmp_path / "x").write_text("keep me")
    assert main(["model", "tiny", "--out", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err
